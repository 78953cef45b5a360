/* OpenR2 1.3.3 on emulated DAHDI channels, on a virtual clock, with its events flattened.
 *
 * OpenR2 1.3.3 has no I/O abstraction: it drives a channel through a DAHDI file descriptor
 * with ioctl() (CHANNO, GET_PARAMS, GET/SET_BUFINFO, SETGAINS, SETLAW, ECHOCANCEL, FLUSH,
 * SETTXBITS, GETRXBITS, GETEVENT, IOMUX), read() and write() of A-law octets. This file
 * defines ioctl(), read() and write(): for a descriptor registered here they act on in-memory
 * queues and ABCD registers that the harness fills and drains; for every other descriptor
 * they pass straight to the system call. Each emulated channel's descriptor is one end of a
 * socketpair, so its number is a real, unique descriptor that nothing else in the process
 * can be handed; no octet ever travels through the socket.
 *
 * OpenR2 reads time only through gettimeofday(). This file defines it too: while a thread
 * has set a virtual time it returns that, otherwise the real clock. Channels and virtual
 * time are per thread, so tests running in parallel threads keep apart. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
/* The DAHDI and OpenR2 headers rely on the system types above. */
#include <dahdi/user.h>
#include <openr2.h>

#define TDM_OR2_CHANNELS 32
#define TDM_OR2_AUDIO 1024
#define TDM_OR2_EVENTS 64
/* DAHDI hands out whole buffers (OpenR2 sets 160 octets, 20 ms): read is ready only once one
   is complete. OpenR2's MF receiver relies on it: a read shorter than its 133-sample block
   reports silence. OpenR2 writes 160 octets at a time; it is told there is room while less
   than one buffer waits. */
#define TDM_OR2_BUFFER 160

static __thread long long tdm_virtual_us = -1;
static __thread int tdm_log_enabled = 0;

void tdm_or2_set_time(long long micros) { tdm_virtual_us = micros; }
void tdm_or2_set_log(int enabled) { tdm_log_enabled = enabled; }

int gettimeofday(struct timeval *restrict tv, void *restrict tz) {
    (void)tz;
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

struct tdm_ring {
    unsigned char data[TDM_OR2_AUDIO];
    int head, len;
};

static int ring_push(struct tdm_ring *r, const unsigned char *src, int n, int drop_oldest) {
    int pushed = 0;
    for (int i = 0; i < n; i++) {
        if (r->len == TDM_OR2_AUDIO) {
            if (!drop_oldest) break;
            r->head = (r->head + 1) % TDM_OR2_AUDIO;
            r->len--;
        }
        r->data[(r->head + r->len) % TDM_OR2_AUDIO] = src[i];
        r->len++;
        pushed++;
    }
    return pushed;
}

static int ring_pop(struct tdm_ring *r, unsigned char *dst, int n) {
    int popped = 0;
    while (popped < n && r->len > 0) {
        dst[popped++] = r->data[r->head];
        r->head = (r->head + 1) % TDM_OR2_AUDIO;
        r->len--;
    }
    return popped;
}

struct tdm_or2_event {
    int kind;
    int value;
    int category;
    char ani[64];
    char dnis[64];
};

enum {
    TDM_OR2_INIT = 1,
    TDM_OR2_OFFERED,
    TDM_OR2_ACCEPTED,
    TDM_OR2_ANSWERED,
    TDM_OR2_DISCONNECT,
    TDM_OR2_END,
    TDM_OR2_PROTOCOL_ERROR,
    TDM_OR2_OS_ERROR,
    TDM_OR2_LINE_IDLE,
    TDM_OR2_LINE_BLOCKED,
    TDM_OR2_ANI_DIGIT,
    TDM_OR2_DNIS_DIGIT,
    TDM_OR2_BILLING_PULSE,
    TDM_OR2_ALARM,
};

struct tdm_or2 {
    int fd, peer_fd, channo;
    int rxbits, txbits;
    int bits_event; /* a DAHDI_EVENT_BITSCHANGED waits for GETEVENT */
    struct tdm_ring rx, tx;
    openr2_context_t *context;
    openr2_chan_t *chan;
    struct tdm_or2_event events[TDM_OR2_EVENTS];
    int event_head, event_len;
    long long ioctl_count;
    int unknown_ioctls;
};

static __thread struct tdm_or2 *tdm_channels[TDM_OR2_CHANNELS];

static struct tdm_or2 *find_fd(int fd) {
    for (int i = 0; i < TDM_OR2_CHANNELS; i++) {
        if (tdm_channels[i] != NULL && tdm_channels[i]->fd == fd) return tdm_channels[i];
    }
    return NULL;
}

static struct tdm_or2 *find_chan(openr2_chan_t *chan) {
    for (int i = 0; i < TDM_OR2_CHANNELS; i++) {
        if (tdm_channels[i] != NULL && tdm_channels[i]->chan == chan) return tdm_channels[i];
    }
    return NULL;
}

static struct tdm_or2_event *push_event(openr2_chan_t *chan, int kind, int value) {
    struct tdm_or2 *p = find_chan(chan);
    if (p == NULL || p->event_len == TDM_OR2_EVENTS) return NULL;
    struct tdm_or2_event *e = &p->events[(p->event_head + p->event_len) % TDM_OR2_EVENTS];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->value = value;
    p->event_len++;
    return e;
}

/* ---- the emulated DAHDI channel ---- */

static int emulate_ioctl(struct tdm_or2 *p, unsigned long request, void *arg) {
    int *value = arg;
    p->ioctl_count++;
    if (tdm_log_enabled > 1) fprintf(stderr, "tdm-openr2: ioctl %#lx value %d\n", request, value ? *value : -1);
    switch (request) {
    case DAHDI_CHANNO:
        *value = p->channo;
        return 0;
    case DAHDI_GET_PARAMS: {
        struct dahdi_params *params = arg;
        memset(params, 0, sizeof *params);
        params->channo = p->channo;
        params->spanno = 1;
        params->chanpos = p->channo;
        params->sigtype = DAHDI_SIG_CAS;
        params->sigcap = DAHDI_SIG_CAS;
        params->rxbits = p->rxbits;
        params->txbits = p->txbits;
        params->curlaw = DAHDI_LAW_ALAW;
        return 0;
    }
    case DAHDI_GET_BUFINFO: {
        struct dahdi_bufferinfo *info = arg;
        memset(info, 0, sizeof *info);
        info->txbufpolicy = DAHDI_POLICY_IMMEDIATE;
        info->rxbufpolicy = DAHDI_POLICY_IMMEDIATE;
        info->numbufs = 4;
        info->bufsize = 160;
        return 0;
    }
    case DAHDI_SET_BUFINFO:
    case DAHDI_SETGAINS:
    case DAHDI_SETLAW:
    case DAHDI_ECHOCANCEL:
    case DAHDI_SETLINEAR:
    case DAHDI_AUDIOMODE:
        return 0;
    case DAHDI_FLUSH:
        /* OpenR2 flushes the write buffer when its tone changes, so a new tone starts at once. */
        if (*value & DAHDI_FLUSH_WRITE) p->tx.len = 0;
        if (*value & DAHDI_FLUSH_READ) p->rx.len = 0;
        if (*value & DAHDI_FLUSH_EVENT) p->bits_event = 0;
        return 0;
    case DAHDI_SETTXBITS:
        p->txbits = *value & 0xF;
        return 0;
    case DAHDI_GETRXBITS:
        *value = p->rxbits;
        return 0;
    case DAHDI_GETEVENT:
        *value = p->bits_event ? DAHDI_EVENT_BITSCHANGED : DAHDI_EVENT_NONE;
        p->bits_event = 0;
        return 0;
    case DAHDI_IOMUX: {
        int wanted = *value, ready = 0;
        if ((wanted & DAHDI_IOMUX_SIGEVENT) && p->bits_event) ready |= DAHDI_IOMUX_SIGEVENT;
        if ((wanted & DAHDI_IOMUX_READ) && p->rx.len >= TDM_OR2_BUFFER) ready |= DAHDI_IOMUX_READ;
        if ((wanted & DAHDI_IOMUX_WRITE) && p->tx.len < TDM_OR2_BUFFER) ready |= DAHDI_IOMUX_WRITE;
        if ((wanted & DAHDI_IOMUX_WRITEEMPTY) && p->tx.len == 0) ready |= DAHDI_IOMUX_WRITEEMPTY;
        /* Nothing is ever waited for: virtual time only moves in the harness. */
        *value = ready;
        return 0;
    }
    default:
        p->unknown_ioctls++;
        if (tdm_log_enabled) fprintf(stderr, "tdm-openr2: unknown ioctl %#lx on channel %d\n", request, p->channo);
        errno = EINVAL;
        return -1;
    }
}

int ioctl(int fd, unsigned long request, ...) {
    va_list ap;
    va_start(ap, request);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    struct tdm_or2 *p = find_fd(fd);
    if (p != NULL) return emulate_ioctl(p, request, arg);
    return (int)syscall(SYS_ioctl, fd, request, arg);
}

ssize_t read(int fd, void *buf, size_t count) {
    struct tdm_or2 *p = find_fd(fd);
    if (p == NULL) return syscall(SYS_read, fd, buf, count);
    int n = count > TDM_OR2_BUFFER ? TDM_OR2_BUFFER : (int)count;
    if (p->rx.len < n) {
        errno = EAGAIN;
        return -1;
    }
    int got = ring_pop(&p->rx, buf, n);
    if (got == 0) {
        errno = EAGAIN;
        return -1;
    }
    return got;
}

ssize_t write(int fd, const void *buf, size_t count) {
    struct tdm_or2 *p = find_fd(fd);
    if (p == NULL) return syscall(SYS_write, fd, buf, count);
    int n = count > TDM_OR2_AUDIO ? TDM_OR2_AUDIO : (int)count;
    return ring_push(&p->tx, buf, n, 0);
}

/* ---- OpenR2's callbacks, flattened into events ---- */

static void on_call_init(openr2_chan_t *chan) { push_event(chan, TDM_OR2_INIT, 0); }

static void on_call_offered(openr2_chan_t *chan, const char *ani, const char *dnis,
                            openr2_calling_party_category_t category) {
    struct tdm_or2_event *e = push_event(chan, TDM_OR2_OFFERED, 0);
    if (e == NULL) return;
    e->category = (int)category;
    if (ani != NULL) strncpy(e->ani, ani, sizeof e->ani - 1);
    if (dnis != NULL) strncpy(e->dnis, dnis, sizeof e->dnis - 1);
}

static void on_call_accepted(openr2_chan_t *chan, openr2_call_mode_t mode) {
    push_event(chan, TDM_OR2_ACCEPTED, (int)mode);
}

static void on_call_answered(openr2_chan_t *chan) { push_event(chan, TDM_OR2_ANSWERED, 0); }

static void on_call_disconnect(openr2_chan_t *chan, openr2_call_disconnect_cause_t cause) {
    push_event(chan, TDM_OR2_DISCONNECT, (int)cause);
}

static void on_call_end(openr2_chan_t *chan) { push_event(chan, TDM_OR2_END, 0); }

static void on_call_read(openr2_chan_t *chan, const unsigned char *buf, int len) {
    (void)chan;
    (void)buf;
    (void)len;
}

static void on_hardware_alarm(openr2_chan_t *chan, int alarm) { push_event(chan, TDM_OR2_ALARM, alarm); }

static void on_os_error(openr2_chan_t *chan, int error) { push_event(chan, TDM_OR2_OS_ERROR, error); }

static void on_protocol_error(openr2_chan_t *chan, openr2_protocol_error_t error) {
    push_event(chan, TDM_OR2_PROTOCOL_ERROR, (int)error);
}

static void on_line_blocked(openr2_chan_t *chan) { push_event(chan, TDM_OR2_LINE_BLOCKED, 0); }

static void on_line_idle(openr2_chan_t *chan) { push_event(chan, TDM_OR2_LINE_IDLE, 0); }

static int on_dnis_digit_received(openr2_chan_t *chan, char digit) {
    push_event(chan, TDM_OR2_DNIS_DIGIT, digit);
    return 1; /* keep asking, up to max_dnis */
}

static void on_ani_digit_received(openr2_chan_t *chan, char digit) { push_event(chan, TDM_OR2_ANI_DIGIT, digit); }

static void on_billing_pulse_received(openr2_chan_t *chan) { push_event(chan, TDM_OR2_BILLING_PULSE, 0); }

static void on_context_log(openr2_context_t *context, openr2_log_level_t level, const char *fmt, va_list ap) {
    (void)context;
    (void)level;
    if (!tdm_log_enabled) return;
    fprintf(stderr, "openr2 context: ");
    vfprintf(stderr, fmt, ap);
}

static void on_channel_log(openr2_chan_t *chan, openr2_log_level_t level, const char *fmt, va_list ap) {
    (void)level;
    if (!tdm_log_enabled) return;
    long long us = tdm_virtual_us;
    fprintf(stderr, "openr2 %lld.%06lld chan %d: ", us / 1000000, us % 1000000, openr2_chan_get_number(chan));
    vfprintf(stderr, fmt, ap);
}

static openr2_event_interface_t tdm_events = {
    .on_call_init = on_call_init,
    .on_call_offered = on_call_offered,
    .on_call_accepted = on_call_accepted,
    .on_call_answered = on_call_answered,
    .on_call_disconnect = on_call_disconnect,
    .on_call_end = on_call_end,
    .on_call_read = on_call_read,
    .on_hardware_alarm = on_hardware_alarm,
    .on_os_error = on_os_error,
    .on_protocol_error = on_protocol_error,
    .on_line_blocked = on_line_blocked,
    .on_line_idle = on_line_idle,
    .on_context_log = on_context_log,
    .on_dnis_digit_received = on_dnis_digit_received,
    .on_ani_digit_received = on_ani_digit_received,
    .on_billing_pulse_received = on_billing_pulse_received,
};

/* ---- the harness's entry points ---- */

struct tdm_or2 *tdm_or2_new(int variant, int channo, int max_ani, int max_dnis, int ani_first, int initial_rxbits) {
    int slot = -1;
    for (int i = 0; i < TDM_OR2_CHANNELS; i++) {
        if (tdm_channels[i] == NULL) {
            slot = i;
            break;
        }
    }
    if (slot < 0) return NULL;
    struct tdm_or2 *p = calloc(1, sizeof *p);
    if (p == NULL) return NULL;
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, pair) != 0) {
        free(p);
        return NULL;
    }
    p->fd = pair[0];
    p->peer_fd = pair[1];
    p->channo = channo;
    p->rxbits = initial_rxbits & 0xF;
    p->txbits = initial_rxbits & 0xF;
    tdm_channels[slot] = p;
    p->context = openr2_context_new(NULL, &tdm_events, NULL, (openr2_variant_t)variant, max_ani, max_dnis);
    if (p->context == NULL) goto fail;
    openr2_context_set_ani_first(p->context, ani_first);
    openr2_context_set_log_level(p->context, tdm_log_enabled ? OR2_LOG_ALL : OR2_LOG_NOTHING);
    p->chan = openr2_chan_new_from_fd(p->context, p->fd, NULL, NULL);
    if (p->chan == NULL) goto fail;
    openr2_chan_set_logging_func(p->chan, on_channel_log);
    openr2_chan_set_log_level(p->chan, tdm_log_enabled ? OR2_LOG_ALL : OR2_LOG_NOTHING);
    openr2_chan_enable_read(p->chan);
    openr2_chan_set_idle(p->chan);
    /* OpenR2 only learns the far end's bits from a change; read the initial ones, as
       chan_dahdi does after creating a channel. */
    openr2_chan_handle_cas(p->chan);
    return p;
fail:
    if (p->context != NULL) openr2_context_delete(p->context);
    tdm_channels[slot] = NULL;
    close(p->fd);
    close(p->peer_fd);
    free(p);
    return NULL;
}

void tdm_or2_free(struct tdm_or2 *p) {
    if (p == NULL) return;
    /* The context deletes the channels it holds. */
    if (p->context != NULL) openr2_context_delete(p->context);
    for (int i = 0; i < TDM_OR2_CHANNELS; i++) {
        if (tdm_channels[i] == p) tdm_channels[i] = NULL;
    }
    close(p->fd);
    close(p->peer_fd);
    free(p);
}

/* ABCD bits the far end sends: OpenR2 hears of a change through DAHDI_EVENT_BITSCHANGED. */
void tdm_or2_set_rxbits(struct tdm_or2 *p, int abcd) {
    abcd &= 0xF;
    if (abcd != p->rxbits) {
        p->rxbits = abcd;
        p->bits_event = 1;
    }
}

int tdm_or2_txbits(struct tdm_or2 *p) { return p->txbits; }

/* A-law octets the far end sends; the oldest are dropped when OpenR2 does not read. */
void tdm_or2_push_audio(struct tdm_or2 *p, const unsigned char *alaw, int len) { ring_push(&p->rx, alaw, len, 1); }

/* A-law octets OpenR2 wrote, at most `cap`. */
int tdm_or2_take_audio(struct tdm_or2 *p, unsigned char *out, int cap) { return ring_pop(&p->tx, out, cap); }

int tdm_or2_process(struct tdm_or2 *p) { return openr2_chan_process_event(p->chan); }

int tdm_or2_next_event_ms(struct tdm_or2 *p) { return openr2_chan_get_time_to_next_event(p->chan); }

int tdm_or2_poll_event(struct tdm_or2 *p, struct tdm_or2_event *out) {
    if (p->event_len == 0) return 0;
    *out = p->events[p->event_head];
    p->event_head = (p->event_head + 1) % TDM_OR2_EVENTS;
    p->event_len--;
    return 1;
}

int tdm_or2_make_call(struct tdm_or2 *p, const char *ani, const char *dnis, int category) {
    return openr2_chan_make_call(p->chan, ani, dnis, (openr2_calling_party_category_t)category);
}

int tdm_or2_accept(struct tdm_or2 *p, int mode) { return openr2_chan_accept_call(p->chan, (openr2_call_mode_t)mode); }
int tdm_or2_answer(struct tdm_or2 *p) { return openr2_chan_answer_call(p->chan); }
int tdm_or2_disconnect(struct tdm_or2 *p, int cause) {
    return openr2_chan_disconnect_call(p->chan, (openr2_call_disconnect_cause_t)cause);
}
int tdm_or2_set_idle(struct tdm_or2 *p) { return openr2_chan_set_idle(p->chan); }
int tdm_or2_set_blocked(struct tdm_or2 *p) { return openr2_chan_set_blocked(p->chan); }
long long tdm_or2_ioctl_count(struct tdm_or2 *p) { return p->ioctl_count; }
int tdm_or2_unknown_ioctls(struct tdm_or2 *p) { return p->unknown_ioctls; }

const char *tdm_or2_state(struct tdm_or2 *p) { return openr2_chan_get_r2_state_string(p->chan); }
const char *tdm_or2_mf_state(struct tdm_or2 *p) { return openr2_chan_get_mf_state_string(p->chan); }
const char *tdm_or2_call_state(struct tdm_or2 *p) { return openr2_chan_get_call_state_string(p->chan); }
