/* libss7 doing its own MTP2 (SS7_TRANSPORT_DAHDIDCHAN) over one end of a socketpair, on a
 * virtual clock, with its events flattened.
 *
 * In DAHDIDCHAN mode libss7 reads and writes the link's file descriptor itself: every write()
 * is one signal unit followed by 2 check octets it does not fill, every read() must return one
 * signal unit followed by 2 octets it does not check. A SOCK_SEQPACKET socketpair keeps those
 * boundaries: libss7 owns one end, the harness the other, both non-blocking.
 *
 * libss7 reads the time only through gettimeofday(). This file defines gettimeofday(): while
 * a thread has set a virtual time it returns that, otherwise the real clock. The virtual time
 * is per thread, so tests running in parallel threads keep their own clocks. (A test binary
 * must not link this harness together with another one that interposes gettimeofday.) */
#define _GNU_SOURCE
#include <libss7.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static __thread long long tdm_virtual_us = -1;

void tdm_ss7_set_time(long long micros) { tdm_virtual_us = micros; }

int gettimeofday(struct timeval *tv, void *tz) {
    (void)tz;
    if (tv == NULL) return 0;
    if (tdm_virtual_us >= 0) {
        tv->tv_sec = (time_t)(tdm_virtual_us / 1000000);
        tv->tv_usec = (suseconds_t)(tdm_virtual_us % 1000000);
        return 0;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    tv->tv_sec = ts.tv_sec;
    tv->tv_usec = ts.tv_nsec / 1000;
    return 0;
}

struct tdm_ss7 {
    struct ss7 *ss7;
    int fd_ss7;  /* libss7's end */
    int fd_peer; /* the harness's end */
    unsigned int adjacent;
};

struct tdm_ss7_event {
    int kind;
    int cic;
    int end_cic;
    unsigned int opc;
};

static void quiet(struct ss7 *ss7, char *text) { (void)ss7; (void)text; }
static int hangup(struct ss7 *ss7, int cic, unsigned int dpc, int cause, int do_hangup) {
    (void)ss7; (void)cic; (void)dpc; (void)cause; (void)do_hangup;
    return 0;
}
static void call_null(struct ss7 *ss7, struct isup_call *c, int lock) { (void)ss7; (void)c; (void)lock; }

static int nonblocking(int fd) {
    int flags = fcntl(fd, F_GETFL, 0);
    return flags < 0 ? -1 : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

/* A signalling point with one link (code `slc`) toward `adjacent`; `itu` selects 14-bit ITU
 * point codes, otherwise ANSI 24-bit. */
struct tdm_ss7 *tdm_ss7_new(int itu, unsigned int pc, unsigned int adjacent, int ni, int slc) {
    struct tdm_ss7 *p = calloc(1, sizeof *p);
    if (p == NULL) return NULL;
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, fds) != 0) {
        free(p);
        return NULL;
    }
    if (nonblocking(fds[0]) != 0 || nonblocking(fds[1]) != 0) goto fail;
    ss7_set_message(quiet);
    ss7_set_error(quiet);
    ss7_set_hangup(hangup);
    ss7_set_call_null(call_null);
    p->ss7 = ss7_new(itu ? SS7_ITU : SS7_ANSI);
    if (p->ss7 == NULL) goto fail;
    p->fd_ss7 = fds[0];
    p->fd_peer = fds[1];
    p->adjacent = adjacent;
    ss7_set_pc(p->ss7, pc);
    ss7_set_network_ind(p->ss7, ni);
    if (ss7_add_link(p->ss7, SS7_TRANSPORT_DAHDIDCHAN, p->fd_ss7, slc, adjacent) != 0) goto fail;
    return p;
fail:
    close(fds[0]);
    close(fds[1]);
    free(p);
    return NULL;
}

void tdm_ss7_free(struct tdm_ss7 *p) {
    if (p == NULL) return;
    if (p->ss7 != NULL) ss7_destroy(p->ss7);
    close(p->fd_ss7);
    close(p->fd_peer);
    free(p);
}

int tdm_ss7_start(struct tdm_ss7 *p) { return ss7_start(p->ss7); }

/* Hands libss7 one received signal unit (without check octets). */
int tdm_ss7_receive(struct tdm_ss7 *p, const unsigned char *su, int len) {
    unsigned char frame[300];
    if (len < 0 || len > (int)sizeof frame - 2) return -1;
    memcpy(frame, su, (size_t)len);
    frame[len] = 0;
    frame[len + 1] = 0;
    if (write(p->fd_peer, frame, (size_t)len + 2) != len + 2) return -1;
    return ss7_read(p->ss7, p->fd_ss7);
}

/* Lets libss7 send its next signal unit; copies it (without check octets) into `out`. Returns
 * its length, or 0 when libss7 wrote nothing. */
int tdm_ss7_transmit(struct tdm_ss7 *p, unsigned char *out, int cap) {
    unsigned char frame[1024];
    ss7_write(p->ss7, p->fd_ss7);
    ssize_t got = read(p->fd_peer, frame, sizeof frame);
    if (got < 2) return 0;
    int len = (int)got - 2;
    if (len > cap) len = cap;
    memcpy(out, frame, (size_t)len);
    return len;
}

int tdm_ss7_run_timers(struct tdm_ss7 *p) { return ss7_schedule_run(p->ss7); }

/* Next deadline in microseconds of libss7's clock, or -1. */
long long tdm_ss7_next_deadline(struct tdm_ss7 *p) {
    struct timeval *tv = ss7_schedule_next(p->ss7);
    if (tv == NULL) return -1;
    return (long long)tv->tv_sec * 1000000 + tv->tv_usec;
}

/* The next event, flattened; returns 0 when there is none. */
int tdm_ss7_event(struct tdm_ss7 *p, struct tdm_ss7_event *out) {
    memset(out, 0, sizeof *out);
    ss7_event *e = ss7_check_event(p->ss7);
    if (e == NULL) return 0;
    out->kind = e->e;
    switch (e->e) {
    case ISUP_EVENT_BLO:
    case ISUP_EVENT_UBL:
    case ISUP_EVENT_BLA:
    case ISUP_EVENT_UBA:
    case ISUP_EVENT_LPA:
    case ISUP_EVENT_UCIC:
        out->cic = e->blo.cic;
        out->opc = e->blo.opc;
        break;
    case ISUP_EVENT_RSC:
        out->cic = e->rsc.cic;
        out->opc = e->rsc.opc;
        break;
    case ISUP_EVENT_GRS:
    case ISUP_EVENT_GRA:
    case ISUP_EVENT_CGB:
    case ISUP_EVENT_CGU:
        out->cic = e->grs.startcic;
        out->end_cic = e->grs.endcic;
        out->opc = e->grs.opc;
        break;
    default:
        break;
    }
    return 1;
}

/* Sends a circuit group reset for `cic` ..= `end_cic` to the adjacent point. */
int tdm_ss7_grs(struct tdm_ss7 *p, int cic, int end_cic) {
    struct isup_call *call = isup_new_call(p->ss7, cic, p->adjacent, 1);
    if (call == NULL) return -1;
    return isup_grs(p->ss7, call, end_cic);
}

/* Sends a loop back acknowledgement (a message without call state) for `cic`. */
int tdm_ss7_lpa(struct tdm_ss7 *p, int cic) { return isup_lpa(p->ss7, cic, p->adjacent); }

/* Sends a blocking message for `cic`. */
int tdm_ss7_blo(struct tdm_ss7 *p, int cic) {
    struct isup_call *call = isup_new_call(p->ss7, cic, p->adjacent, 1);
    if (call == NULL) return -1;
    return isup_blo(p->ss7, call);
}
