/* ISUP calls on a libss7 point made by shim.c: place a call (IAM), answer one (ACM, ANM or
 * CON), clear (REL, RLC), acknowledge a circuit group reset (GRA), and the call events
 * flattened with their call object.
 *
 * The point is the `struct tdm_ss7` of shim.c; only its first field (libss7's `struct ss7`)
 * and `adjacent` are read here, through the same layout, declared again below. The event
 * function here replaces shim.c's `tdm_ss7_event` for a harness that makes calls: both take
 * from the one libss7 event queue, so a harness uses one or the other. */
#include <libss7.h>
#include <string.h>

/* Same layout as in shim.c. */
struct tdm_ss7 {
    struct ss7 *ss7;
    int fd_ss7;
    int fd_peer;
    unsigned int adjacent;
};

struct tdm_isup_event {
    int kind;
    int cic;
    int end_cic;
    int cause;
    unsigned int opc;
    void *call;
    char called[50];
    char calling[50];
};

/* An outgoing call on `cic`: IAM with `called` (national number) and, when not empty,
 * `calling`. Returns the call object, or NULL. */
void *tdm_isup_iam(struct tdm_ss7 *p, int cic, const char *called, const char *calling) {
    struct isup_call *c = isup_new_call(p->ss7, cic, p->adjacent, 1);
    if (c == NULL) return NULL;
    isup_set_called(c, called, SS7_NAI_NATIONAL, p->ss7);
    if (calling != NULL && calling[0] != '\0') {
        isup_set_calling(c, calling, SS7_NAI_NATIONAL, SS7_PRESENTATION_ALLOWED, SS7_SCREENING_NETWORK_PROVIDED);
    }
    if (isup_iam(p->ss7, c) != 0) return NULL;
    return c;
}

int tdm_isup_acm(struct tdm_ss7 *p, void *call) { return isup_acm(p->ss7, call); }
int tdm_isup_anm(struct tdm_ss7 *p, void *call) { return isup_anm(p->ss7, call); }
int tdm_isup_con(struct tdm_ss7 *p, void *call) { return isup_con(p->ss7, call); }
int tdm_isup_rel(struct tdm_ss7 *p, void *call, int cause) { return isup_rel(p->ss7, call, cause); }

/* RLC; libss7 frees the call object. */
int tdm_isup_rlc(struct tdm_ss7 *p, void *call) { return isup_rlc(p->ss7, call); }

/* Acknowledges a circuit group reset received for `call` (its first CIC) ..= `end_cic`,
 * reporting every circuit of the range unblocked. */
int tdm_isup_gra(struct tdm_ss7 *p, void *call, int end_cic) {
    unsigned char state[255];
    memset(state, 0, sizeof state);
    return isup_gra(p->ss7, call, end_cic, state);
}

/* After RLC was received: frees the call object unless libss7 still needs it. */
void tdm_isup_free_if_clear(struct tdm_ss7 *p, void *call) { isup_free_call_if_clear(p->ss7, call); }

static void copy_number(char *out, const char *in) {
    strncpy(out, in, 49);
    out[49] = '\0';
}

/* The next event; returns 0 when there is none. Call events carry their call object. */
int tdm_isup_event(struct tdm_ss7 *p, struct tdm_isup_event *out) {
    memset(out, 0, sizeof *out);
    ss7_event *e = ss7_check_event(p->ss7);
    if (e == NULL) return 0;
    out->kind = e->e;
    switch (e->e) {
    case ISUP_EVENT_IAM:
        out->cic = e->iam.cic;
        out->opc = e->iam.opc;
        out->call = e->iam.call;
        copy_number(out->called, e->iam.called_party_num);
        copy_number(out->calling, e->iam.calling_party_num);
        break;
    case ISUP_EVENT_ACM:
        out->cic = e->acm.cic;
        out->opc = e->acm.opc;
        out->call = e->acm.call;
        break;
    case ISUP_EVENT_ANM:
        out->cic = e->anm.cic;
        out->opc = e->anm.opc;
        out->call = e->anm.call;
        break;
    case ISUP_EVENT_CON:
        out->cic = e->con.cic;
        out->opc = e->con.opc;
        out->call = e->con.call;
        break;
    case ISUP_EVENT_REL:
        out->cic = e->rel.cic;
        out->opc = e->rel.opc;
        out->cause = e->rel.cause;
        out->call = e->rel.call;
        break;
    case ISUP_EVENT_RLC:
        out->cic = e->rlc.cic;
        out->opc = e->rlc.opc;
        out->call = e->rlc.call;
        break;
    case ISUP_EVENT_GRS:
    case ISUP_EVENT_GRA:
        out->cic = e->grs.startcic;
        out->end_cic = e->grs.endcic;
        out->opc = e->grs.opc;
        out->call = e->grs.call;
        break;
    default:
        break;
    }
    return 1;
}
