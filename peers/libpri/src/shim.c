/* libpri over an in-memory frame queue, on a virtual clock, with its events flattened.
 *
 * pri_new_cb() takes read and write callbacks, so no file descriptor is involved: received
 * frames wait in `rx` until pri_check_event() reads them, written frames wait in `tx` until the
 * harness takes them. libpri's frames carry 2 octets of FCS space that it neither fills nor
 * checks; the queues hold frames without them.
 *
 * libpri reads time only through gettimeofday(). This file defines gettimeofday(): while a
 * thread has set a virtual time it returns that, otherwise the real clock. The virtual time is
 * per thread, so tests running in parallel threads keep their own clocks. */
#define _GNU_SOURCE
#include <libpri.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#define TDM_QUEUE 128
#define TDM_FRAME 600

static __thread long long tdm_virtual_us = -1;

void tdm_pri_set_time(long long micros) { tdm_virtual_us = micros; }

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

struct tdm_queue {
    unsigned char data[TDM_QUEUE][TDM_FRAME];
    int len[TDM_QUEUE];
    int head, count;
};

struct tdm_pri {
    struct pri *pri;
    struct tdm_queue rx, tx;
};

struct tdm_pri_event {
    int kind;
    int channel;
    int cause;
    int complete;
    int calling_plan;
    int calling_pres;
    int called_plan;
    void *call;
    char called[64];
    char calling[64];
};

static int queue_push(struct tdm_queue *q, const unsigned char *frame, int len) {
    if (q->count == TDM_QUEUE || len < 0 || len > TDM_FRAME) return -1;
    int index = (q->head + q->count) % TDM_QUEUE;
    memcpy(q->data[index], frame, (size_t)len);
    q->len[index] = len;
    q->count++;
    return 0;
}

static int queue_pop(struct tdm_queue *q, unsigned char *out, int cap) {
    if (q->count == 0) return 0;
    int len = q->len[q->head];
    if (len > cap) len = cap;
    memcpy(out, q->data[q->head], (size_t)len);
    q->head = (q->head + 1) % TDM_QUEUE;
    q->count--;
    return len;
}

static int read_cb(struct pri *pri, void *buf, int buflen) {
    struct tdm_pri *p = pri_get_userdata(pri);
    if (p == NULL || buflen < 2) return 0;
    int len = queue_pop(&p->rx, buf, buflen - 2);
    if (len == 0) return 0;
    memset((unsigned char *)buf + len, 0, 2); /* FCS octets: libpri drops them unchecked */
    return len + 2;
}

static int write_cb(struct pri *pri, void *buf, int buflen) {
    struct tdm_pri *p = pri_get_userdata(pri);
    if (p != NULL && buflen >= 2) queue_push(&p->tx, buf, buflen - 2);
    return buflen;
}

static void quiet(struct pri *pri, char *text) { (void)pri; (void)text; }

struct tdm_pri *tdm_pri_new(int network) {
    struct tdm_pri *p = calloc(1, sizeof *p);
    if (p == NULL) return NULL;
    pri_set_message(quiet);
    pri_set_error(quiet);
    p->pri = pri_new_cb(-1, network ? PRI_NETWORK : PRI_CPE, PRI_SWITCH_EUROISDN_E1, read_cb, write_cb, p);
    if (p->pri == NULL) {
        free(p);
        return NULL;
    }
    return p;
}

void tdm_pri_free(struct tdm_pri *p) {
    if (p == NULL) return;
    /* libpri 1.6 has no destructor for a control structure made by pri_new_cb. */
    free(p);
}

static int flatten(pri_event *e, struct tdm_pri_event *out) {
    memset(out, 0, sizeof *out);
    if (e == NULL) return 0;
    out->kind = e->e;
    switch (e->e) {
    case PRI_EVENT_RING:
        out->channel = e->ring.channel;
        out->call = e->ring.call;
        out->complete = e->ring.complete;
        out->calling_plan = e->ring.callingplan;
        out->calling_pres = e->ring.callingpres;
        out->called_plan = e->ring.calledplan;
        strncpy(out->called, e->ring.callednum, sizeof out->called - 1);
        strncpy(out->calling, e->ring.callingnum, sizeof out->calling - 1);
        break;
    case PRI_EVENT_HANGUP:
    case PRI_EVENT_HANGUP_REQ:
    case PRI_EVENT_HANGUP_ACK:
        out->channel = e->hangup.channel;
        out->cause = e->hangup.cause;
        out->call = e->hangup.call;
        break;
    case PRI_EVENT_RINGING:
        out->channel = e->ringing.channel;
        out->call = e->ringing.call;
        break;
    case PRI_EVENT_ANSWER:
        out->channel = e->answer.channel;
        out->call = e->answer.call;
        break;
    case PRI_EVENT_PROCEEDING:
    case PRI_EVENT_PROGRESS:
        out->channel = e->proceeding.channel;
        out->call = e->proceeding.call;
        break;
    case PRI_EVENT_SETUP_ACK:
        out->channel = e->setup_ack.channel;
        out->call = e->setup_ack.call;
        break;
    case PRI_EVENT_RESTART:
        out->channel = e->restart.channel;
        break;
    case PRI_EVENT_RESTART_ACK:
        out->channel = e->restartack.channel;
        break;
    case PRI_EVENT_CONNECT_ACK:
        out->channel = e->connect_ack.channel;
        out->call = e->connect_ack.call;
        break;
    default:
        break;
    }
    return 1;
}

/* Queues a received frame (without FCS) and lets libpri read it. */
int tdm_pri_receive(struct tdm_pri *p, const unsigned char *frame, int len, struct tdm_pri_event *out) {
    if (queue_push(&p->rx, frame, len) != 0) return -1;
    return flatten(pri_check_event(p->pri), out);
}

int tdm_pri_run_timers(struct tdm_pri *p, struct tdm_pri_event *out) {
    return flatten(pri_schedule_run(p->pri), out);
}

/* Next deadline in microseconds of libpri's clock, or -1. */
long long tdm_pri_next_deadline(struct tdm_pri *p) {
    struct timeval *tv = pri_schedule_next(p->pri);
    if (tv == NULL) return -1;
    return (long long)tv->tv_sec * 1000000 + tv->tv_usec;
}

int tdm_pri_take_frame(struct tdm_pri *p, unsigned char *out, int cap) { return queue_pop(&p->tx, out, cap); }

void *tdm_pri_call(struct tdm_pri *p, const char *called, const char *calling, int channel, int exclusive) {
    q931_call *call = pri_new_call(p->pri);
    struct pri_sr *sr = pri_sr_new();
    if (call == NULL || sr == NULL) {
        if (sr != NULL) pri_sr_free(sr);
        return NULL;
    }
    pri_sr_set_channel(sr, channel, exclusive, 0);
    pri_sr_set_bearer(sr, PRI_TRANS_CAP_SPEECH, PRI_LAYER_1_ALAW);
    pri_sr_set_called(sr, (char *)called, PRI_UNKNOWN, 1);
    if (calling != NULL) pri_sr_set_caller(sr, (char *)calling, NULL, PRI_NATIONAL_ISDN, PRES_ALLOWED_USER_NUMBER_NOT_SCREENED);
    int rc = pri_setup(p->pri, call, sr);
    pri_sr_free(sr);
    return rc == 0 ? call : NULL;
}

int tdm_pri_proceeding(struct tdm_pri *p, void *call, int channel) { return pri_proceeding(p->pri, call, channel, 0); }
int tdm_pri_acknowledge(struct tdm_pri *p, void *call, int channel) { return pri_acknowledge(p->pri, call, channel, 1); }
int tdm_pri_answer(struct tdm_pri *p, void *call, int channel) { return pri_answer(p->pri, call, channel, 0); }
int tdm_pri_hangup(struct tdm_pri *p, void *call, int cause) { return pri_hangup(p->pri, call, cause); }
int tdm_pri_reset(struct tdm_pri *p, int channel) { return pri_reset(p->pri, channel); }
