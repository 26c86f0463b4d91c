// SPDX-License-Identifier: GPL-2.0
/*
 * hostile: a dom0 test of tpmbk against a frontend that breaks every rule.
 * It plays both ends at once: a fake vtpm frontend in dom0 itself (its own
 * xenstore directories, pages shared with gntshr, an event channel), and
 * the manager on /dev/vtpm.  So it can put any bytes in a ring, any value
 * in xenstore, and see exactly what tpmbk answers.  It prints one
 * PASS:/FAIL: line per check; nothing else may be running on /dev/vtpm.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>

#include "vtpm_shared.h"

#define BE_ROOT		"/local/domain/0/backend/vtpm/0"
#define FE_ROOT		"/local/domain/0/device/vtpm"
#define PARAMS		"/sys/module/tpmbk/parameters/"
#define WAIT_MS		5000

/* xenbus states (xen/io/xenbus.h; not in the tools' headers). */
enum {
	XenbusStateInitWait = 2,
	XenbusStateConnected = 4,
	XenbusStateClosing = 5,
	XenbusStateClosed = 6,
};

static struct xs_handle *xs;
static xengntshr_handle *gs;
static xenevtchn_handle *xce;
static int vfd = -1;
static int fails;

struct fake {
	int devid;
	char be[96], fe[96];
	bool v2;
	uint32_t ring_ref, data_ref;
	void *ring, *data;
	int port;
};

static void result(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf(ok ? "PASS: hostile: " : "FAIL: hostile: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		fails++;
}

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void xs_put(const char *dir, const char *key, const char *val)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	if (!xs_write(xs, XBT_NULL, path, val, strlen(val)))
		printf("INFO: hostile: xs_write %s failed\n", path);
}

static void xs_putf(const char *dir, const char *key, const char *fmt, ...)
{
	char val[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	xs_put(dir, key, val);
}

/* The backend's state, or -1 if the key is gone. */
static int be_state(struct fake *f)
{
	char path[160], *v;
	unsigned int len;
	int s;

	snprintf(path, sizeof(path), "%s/state", f->be);
	v = xs_read(xs, XBT_NULL, path, &len);
	if (!v)
		return -1;
	s = atoi(v);
	free(v);
	return s;
}

static bool wait_be_state(struct fake *f, int state, int ms)
{
	for (; ms > 0; ms -= 20) {
		if (be_state(f) == state)
			return true;
		msleep(20);
	}
	return be_state(f) == state;
}

static void xs_put_t(xs_transaction_t t, const char *dir, const char *key,
		     const char *val)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	xs_write(xs, t, path, val, strlen(val));
}

/* A backend/frontend pair in xenstore, both ends in dom0. */
static bool fake_create(struct fake *f, int devid)
{
	xs_transaction_t t;

	memset(f, 0, sizeof(*f));
	f->devid = devid;
	f->port = -1;
	snprintf(f->be, sizeof(f->be), "%s/%d", BE_ROOT, devid);
	snprintf(f->fe, sizeof(f->fe), "%s/%d", FE_ROOT, devid);
	xs_put(f->fe, "backend", f->be);
	xs_put(f->fe, "backend-id", "0");
	xs_put(f->fe, "handle", "0");
	xs_put(f->fe, "state", "1");
	/* The backend directory appears complete, as libxl writes it. */
	t = xs_transaction_start(xs);
	xs_put_t(t, f->be, "frontend", f->fe);
	xs_put_t(t, f->be, "frontend-id", "0");
	xs_put_t(t, f->be, "online", "1");
	xs_put_t(t, f->be, "state", "1");
	xs_transaction_end(xs, t, false);
	return wait_be_state(f, XenbusStateInitWait, WAIT_MS);
}

/* Share the ring (and for classic a data page) and an event channel. */
static bool fake_share(struct fake *f, bool v2, bool data_writable)
{
	f->v2 = v2;
	f->ring = xengntshr_share_pages(gs, 0, 1, &f->ring_ref, 1);
	if (!f->ring)
		return false;
	memset(f->ring, 0, 4096);
	if (!v2) {
		f->data = xengntshr_share_pages(gs, 0, 1, &f->data_ref,
						data_writable);
		if (!f->data)
			return false;
		memset(f->data, 0, 4096);
	}
	f->port = xenevtchn_bind_unbound_port(xce, 0);
	return f->port >= 0;
}

static void fake_keys(struct fake *f)
{
	xs_putf(f->fe, "ring-ref", "%u", f->ring_ref);
	xs_putf(f->fe, "event-channel", "%d", f->port);
	if (f->v2)
		xs_put(f->fe, "feature-protocol-v2", "1");
}

/* Offer them: keys, then Initialised. */
static bool fake_offer(struct fake *f, bool v2, bool data_writable)
{
	if (!fake_share(f, v2, data_writable))
		return false;
	fake_keys(f);
	xs_put(f->fe, "state", "3");
	return true;
}

static void fake_unshare(struct fake *f)
{
	if (f->port >= 0)
		xenevtchn_unbind(xce, f->port);
	if (f->ring)
		xengntshr_unshare(gs, f->ring, 1);
	if (f->data)
		xengntshr_unshare(gs, f->data, 1);
	f->port = -1;
	f->ring = f->data = NULL;
}

/* As libxl does when a domain is gone: backend, then frontend. */
static void fake_destroy(struct fake *f)
{
	xs_rm(xs, XBT_NULL, f->be);
	xs_rm(xs, XBT_NULL, f->fe);
	msleep(500);
	fake_unshare(f);
}

static void kick(struct fake *f)
{
	xenevtchn_notify(xce, f->port);
}

/* ---- the manager's side ---- */

/* One queued request, or -1 when none comes within @ms. */
static ssize_t dev_read(uint8_t *buf, size_t cap, int ms)
{
	ssize_t n;

	for (;;) {
		n = read(vfd, buf, cap);
		if (n >= 0 || errno != EAGAIN || ms <= 0)
			return n;
		msleep(10);
		ms -= 10;
	}
}

static ssize_t dev_answer(uint32_t inst, const uint8_t *rsp, size_t len)
{
	uint8_t frame[4 + 4096];

	frame[0] = inst >> 24;
	frame[1] = inst >> 16;
	frame[2] = inst >> 8;
	frame[3] = inst;
	memcpy(frame + 4, rsp, len);
	return write(vfd, frame, 4 + len);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* A TPM packet: tag 00C1/00C4, paramSize = len, ordinal/rc, filler. */
static size_t packet(uint8_t *p, uint16_t tag, size_t len, uint32_t word,
		     uint8_t fill)
{
	memset(p, fill, len);
	p[0] = tag >> 8;
	p[1] = tag;
	put_be32(p + 2, len);
	put_be32(p + 6, word);
	return len;
}

static bool is_fail(const uint8_t *p, uint16_t tag)
{
	return p[0] == tag >> 8 && p[1] == (tag & 0xff) &&
	       be32(p + 2) == 10 && be32(p + 6) == VTPM_TPM_FAIL;
}

static void set_param(const char *name, int v)
{
	char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	fp = fopen(path, "w");
	if (!fp)
		return;
	fprintf(fp, "%d\n", v);
	fclose(fp);
}

/* ---- protocol v2 ---- */

static volatile struct vtpm_shared_page *shr(struct fake *f)
{
	return f->ring;
}

static uint8_t *v2_data(struct fake *f)
{
	return (uint8_t *)f->ring +
	       VTPM_V2_DATA_OFFSET(shr(f)->nr_extra_pages);
}

/* Put a request in the page (any length, extra pages, locality), SUBMIT. */
static void v2_submit(struct fake *f, const uint8_t *req, uint32_t len,
		      uint8_t nr_extra, uint8_t locality)
{
	volatile struct vtpm_shared_page *s = shr(f);

	s->nr_extra_pages = nr_extra;
	s->locality = locality;
	memcpy(v2_data(f), req, len > 4000 ? 4000 : len);
	s->length = len;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	s->state = VTPM_STATE_SUBMIT;
	kick(f);
}

static bool v2_wait_state(struct fake *f, uint8_t state, int ms)
{
	for (; ms > 0; ms -= 5) {
		if (shr(f)->state == state)
			return true;
		msleep(5);
	}
	return shr(f)->state == state;
}

/* SUBMIT something malformed: it must come back as TPM_FAIL, unqueued. */
static void v2_expect_fail(struct fake *f, const char *what,
			   const uint8_t *req, uint32_t len, uint8_t nr_extra,
			   uint8_t locality)
{
	uint8_t buf[4100];
	bool ok;

	v2_submit(f, req, len, nr_extra, locality);
	ok = v2_wait_state(f, VTPM_STATE_FINISH, 2000) &&
	     shr(f)->length == 10 && is_fail(v2_data(f), 0x00c4);
	result(ok && dev_read(buf, sizeof(buf), 0) < 0,
	       "v2 %s: 10-byte TPM_FAIL at once, nothing queued (state %u, length %u)",
	       what, shr(f)->state, shr(f)->length);
	shr(f)->nr_extra_pages = 0;
}

static void test_v2(int instance)
{
	uint8_t req[4096], rsp[4096], buf[4100];
	struct fake f, g;
	ssize_t n;
	int i;

	if (!fake_create(&f, 100)) {
		result(false, "v2 device reaches InitWait (state %d)",
		       be_state(&f));
		return;
	}
	xs_putf(f.be, "instance", "%d", instance);
	if (!fake_offer(&f, true, true) ||
	    !wait_be_state(&f, XenbusStateConnected, WAIT_MS)) {
		result(false, "v2 device connects (state %d)", be_state(&f));
		fake_destroy(&f);
		return;
	}
	result(true, "v2 device connects");

	packet(req, 0x00c1, 14, 0x15, 0);
	v2_expect_fail(&f, "length 5000", req, 5000, 0, 0);
	v2_expect_fail(&f, "length 4089 (page - 8 + 1)", req, 4089, 0, 0);
	v2_expect_fail(&f, "nr_extra_pages 3", req, 14, 3, 0);
	v2_expect_fail(&f, "nr_extra_pages 255", req, 14, 255, 0);
	v2_expect_fail(&f, "locality 5", req, 14, 0, 5);
	v2_expect_fail(&f, "locality 255", req, 14, 0, 255);
	v2_expect_fail(&f, "length 9", req, 9, 0, 0);
	v2_expect_fail(&f, "length 0", req, 0, 0, 0);
	packet(req, 0x00c1, 30, 0x15, 0);
	v2_expect_fail(&f, "paramSize 30, length 14", req, 14, 0, 0);

	/* A good request at locality 3 reaches the manager, and back. */
	packet(req, 0x00c1, 14, 0x15, 0);
	v2_submit(&f, req, 14, 0, 3);
	n = dev_read(buf, sizeof(buf), 2000);
	result(n == 18 && be32(buf) == VTPM_PREFIX(instance, 3) &&
	       !memcmp(buf + 4, req, 14),
	       "v2 request queued with prefix instance | locality << 24 (%zd bytes, prefix %08x)",
	       n, n >= 4 ? be32(buf) : 0);
	packet(rsp, 0x00c4, 30, 0, 0xab);
	n = dev_answer(instance, rsp, 30);
	result(n == 34 && v2_wait_state(&f, VTPM_STATE_FINISH, 2000) &&
	       shr(&f)->length == 30 && !memcmp(v2_data(&f), rsp, 30),
	       "v2 answer in the page (write %zd, length %u)", n,
	       shr(&f)->length);

	/* CANCEL of a queued request withdraws it; CANCEL while idle. */
	v2_submit(&f, req, 14, 0, 0);
	msleep(300);
	shr(&f)->state = VTPM_STATE_CANCEL;
	kick(&f);
	result(v2_wait_state(&f, VTPM_STATE_IDLE, 2000) &&
	       dev_read(buf, sizeof(buf), 300) < 0,
	       "v2 CANCEL of a queued request: IDLE, withdrawn (state %u)",
	       shr(&f)->state);
	shr(&f)->state = VTPM_STATE_CANCEL;
	kick(&f);
	result(v2_wait_state(&f, VTPM_STATE_IDLE, 2000),
	       "v2 CANCEL while idle: IDLE");

	/* A request read by the manager: CANCEL waits for the answer. */
	v2_submit(&f, req, 14, 0, 0);
	n = dev_read(buf, sizeof(buf), 2000);
	shr(&f)->state = VTPM_STATE_CANCEL;
	/* And a storm of events meanwhile. */
	for (i = 0; i < 20000; i++)
		kick(&f);
	msleep(500);
	result(n == 18 && shr(&f)->state == VTPM_STATE_CANCEL,
	       "v2 CANCEL of a read request and 20000 events: still working");
	n = dev_answer(instance, rsp, 30);
	result(n == 34 && v2_wait_state(&f, VTPM_STATE_FINISH, 2000),
	       "v2 its answer arrives (FINISH)");

	/* An answer longer than the ring holds. */
	v2_submit(&f, req, 14, 0, 0);
	dev_read(buf, sizeof(buf), 2000);
	packet(rsp, 0x00c4, VTPM_DEV_MAX_PACKET, 0, 0xcd);
	n = dev_answer(instance, rsp, VTPM_DEV_MAX_PACKET);
	result(n == 4 + VTPM_DEV_MAX_PACKET &&
	       v2_wait_state(&f, VTPM_STATE_FINISH, 2000) &&
	       shr(&f)->length == 10 && is_fail(v2_data(&f), 0x00c4),
	       "v2 answer of 4092 bytes (> 4088): guest gets TPM_FAIL (write %zd)",
	       n);

	/* Queued but never read: TPM_FAIL after read_timeout, withdrawn. */
	set_param("read_timeout", 2);
	v2_submit(&f, req, 14, 0, 0);
	result(v2_wait_state(&f, VTPM_STATE_FINISH, 6000) &&
	       is_fail(v2_data(&f), 0x00c4) &&
	       dev_read(buf, sizeof(buf), 0) < 0,
	       "v2 not read within read_timeout: TPM_FAIL, withdrawn");
	set_param("read_timeout", 30);

	/* Late answers are swallowed, never given to the next request. */
	set_param("answer_timeout", 2);
	packet(req, 0x00c2, 14, 0x15, 1);
	v2_submit(&f, req, 14, 0, 0);
	dev_read(buf, sizeof(buf), 2000);
	result(v2_wait_state(&f, VTPM_STATE_FINISH, 6000) &&
	       is_fail(v2_data(&f), 0x00c5),
	       "v2 no answer within answer_timeout: TPM_FAIL, tag 00C5 for 00C2");
	packet(req, 0x00c1, 14, 0x15, 2);
	v2_submit(&f, req, 14, 0, 0);
	n = dev_read(buf, sizeof(buf), 2000);
	packet(rsp, 0x00c4, 30, 0, 0x11);	/* the late answer */
	result(dev_answer(instance, rsp, 30) == 34 && n == 18 &&
	       shr(&f)->state == VTPM_STATE_SUBMIT,
	       "v2 late answer accepted and dropped");
	packet(rsp, 0x00c4, 30, 0, 0x22);	/* the real one */
	result(dev_answer(instance, rsp, 30) == 34 &&
	       v2_wait_state(&f, VTPM_STATE_FINISH, 2000) &&
	       v2_data(&f)[20] == 0x22,
	       "v2 next request gets its own answer");

	/* Two abandoned: the manager is stuck, refuse at once. */
	for (i = 0; i < 2; i++) {
		v2_submit(&f, req, 14, 0, 0);
		dev_read(buf, sizeof(buf), 2000);
		v2_wait_state(&f, VTPM_STATE_FINISH, 6000);
	}
	v2_expect_fail(&f, "with two answers owed", req, 14, 0, 0);
	dev_answer(instance, rsp, 30);
	v2_submit(&f, req, 14, 0, 0);
	n = dev_read(buf, sizeof(buf), 2000);
	result(n == 18, "v2 queued again once one late answer came (%zd)", n);
	dev_answer(instance, rsp, 30);	/* the second late one */
	dev_answer(instance, rsp, 30);	/* this request's */
	result(v2_wait_state(&f, VTPM_STATE_FINISH, 2000),
	       "v2 and answered");
	set_param("answer_timeout", 150);

	/* A second device on the same instance is not connected. */
	if (fake_create(&g, 101)) {
		xs_putf(g.be, "instance", "%d", instance);
		fake_offer(&g, true, true);
		msleep(1500);
		result(be_state(&g) == XenbusStateInitWait,
		       "second device with the same instance stays InitWait (state %d)",
		       be_state(&g));
	}
	fake_destroy(&g);

	/* Frontend closes with a request read; then it comes back. */
	v2_submit(&f, req, 14, 0, 0);
	dev_read(buf, sizeof(buf), 2000);
	xs_put(f.fe, "state", "6");
	result(wait_be_state(&f, XenbusStateClosed, WAIT_MS),
	       "v2 frontend Closed: backend Closed");
	n = dev_answer(instance, rsp, 30);
	result(n == 34, "answer for the closed device swallowed (write %zd)",
	       n);
	fake_unshare(&f);
	xs_put(f.fe, "state", "1");
	result(wait_be_state(&f, XenbusStateInitWait, WAIT_MS),
	       "v2 frontend back: backend InitWait");
	fake_offer(&f, true, true);
	result(wait_be_state(&f, XenbusStateConnected, WAIT_MS),
	       "v2 reconnected with a new ring");
	v2_submit(&f, req, 14, 0, 0);
	n = dev_read(buf, sizeof(buf), 2000);
	result(n == 18 && dev_answer(instance, rsp, 30) == 34 &&
	       v2_wait_state(&f, VTPM_STATE_FINISH, 2000),
	       "v2 request after the reconnect");

	/* Toolstack detach: Closing written into the backend's state. */
	xs_put(f.be, "online", "0");
	xs_put(f.be, "state", "5");
	msleep(300);
	xs_put(f.fe, "state", "6");
	result(wait_be_state(&f, XenbusStateClosed, WAIT_MS),
	       "v2 toolstack Closing, frontend Closed: backend Closed");
	fake_destroy(&f);
}

/* ---- the classic ring ---- */

static volatile struct vtpm_classic_ring *cring(struct fake *f)
{
	return f->ring;
}

static void c_submit(struct fake *f, uint32_t ref, uint16_t size,
		     uint16_t unused, uint16_t next)
{
	volatile struct vtpm_classic_ring *r = cring(f);

	r->slot[0].ref = ref;
	r->slot[0].unused = unused;
	r->slot[1].size = next;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	r->slot[0].size = size;
	kick(f);
}

/* Wait for slot 0's size to become @size. */
static bool c_wait(struct fake *f, uint16_t size, int ms)
{
	for (; ms > 0; ms -= 5) {
		if (cring(f)->slot[0].size == size)
			return true;
		msleep(5);
	}
	return cring(f)->slot[0].size == size;
}

static void test_classic(int instance)
{
	uint8_t req[4096], rsp[4096], buf[4100];
	struct fake f;
	ssize_t n;

	if (!fake_create(&f, 102)) {
		result(false, "classic device reaches InitWait");
		return;
	}
	xs_putf(f.be, "instance", "%d", instance);
	if (!fake_offer(&f, false, true) ||
	    !wait_be_state(&f, XenbusStateConnected, WAIT_MS)) {
		result(false, "classic device connects (state %d)",
		       be_state(&f));
		fake_destroy(&f);
		return;
	}
	result(true, "classic device connects");

	packet(req, 0x00c1, 14, 0x15, 0);
	memcpy(f.data, req, 14);
	c_submit(&f, f.data_ref, 14, 0, 0);
	n = dev_read(buf, sizeof(buf), 2000);
	result(n == 18 && be32(buf) == VTPM_PREFIX(instance, 0) &&
	       !memcmp(buf + 4, req, 14),
	       "classic request queued (%zd bytes)", n);
	packet(rsp, 0x00c4, 30, 0, 0x5a);
	n = dev_answer(instance, rsp, 30);
	result(n == 34 && c_wait(&f, 30, 2000) &&
	       cring(&f)->slot[1].size == 0 &&
	       !memcmp(f.data, rsp, 30),
	       "classic answer in page 0, slot sizes 30, 0");

	c_submit(&f, 0x7fffff00, 14, 0, 0);
	result(c_wait(&f, 0, 2000) && cring(&f)->slot[1].size == 0 &&
	       dev_read(buf, sizeof(buf), 300) < 0,
	       "classic unreadable grant: sizes 0, nothing queued");

	memcpy(f.data, req, 14);
	c_submit(&f, f.data_ref, 4096, 0, 100);
	result(c_wait(&f, 10, 2000) && is_fail(f.data, 0x00c4) &&
	       dev_read(buf, sizeof(buf), 300) < 0,
	       "classic two-page request: TPM_FAIL, nothing queued");

	memcpy(f.data, req, 14);
	c_submit(&f, f.data_ref, 14, 1, 0);
	result(c_wait(&f, 10, 2000) && is_fail(f.data, 0x00c4),
	       "classic unused != 0: TPM_FAIL");

	memcpy(f.data, req, 14);
	c_submit(&f, f.data_ref, 14, 0, 7);
	result(c_wait(&f, 10, 2000) && is_fail(f.data, 0x00c4),
	       "classic slot 1 size != 0 under one page: TPM_FAIL");

	packet(req, 0x00c3, 14, 0x15, 0);
	memcpy(f.data, req, 5);
	c_submit(&f, f.data_ref, 5, 0, 0);
	result(c_wait(&f, 10, 2000) && is_fail(f.data, 0x00c6),
	       "classic 5-byte request: TPM_FAIL, tag 00C6 for 00C3");

	packet(req, 0x00c1, 4093, 0x15, 0);
	memcpy(f.data, req, 4093);
	c_submit(&f, f.data_ref, 4093, 0, 0);
	result(c_wait(&f, 10, 2000) && is_fail(f.data, 0x00c4),
	       "classic 4093-byte request: TPM_FAIL");

	cring(&f)->slot[0].size = 0;
	kick(&f);
	msleep(500);
	result(cring(&f)->slot[0].size == 0 &&
	       dev_read(buf, sizeof(buf), 300) < 0,
	       "classic event with slot 0 empty: nothing happens");

	/* No manager: TPM_FAIL at once. */
	close(vfd);
	packet(req, 0x00c1, 14, 0x15, 0);
	memcpy(f.data, req, 14);
	c_submit(&f, f.data_ref, 14, 0, 0);
	result(c_wait(&f, 10, 2000) && is_fail(f.data, 0x00c4),
	       "classic request without a manager: TPM_FAIL");
	vfd = open("/dev/vtpm", O_RDWR | O_NONBLOCK);
	fake_destroy(&f);

	/* A read-only data page: the answer cannot be written. */
	if (!fake_create(&f, 103))
		return;
	xs_putf(f.be, "instance", "%d", instance);
	if (!fake_offer(&f, false, false) ||
	    !wait_be_state(&f, XenbusStateConnected, WAIT_MS)) {
		result(false, "read-only classic device connects");
		fake_destroy(&f);
		return;
	}
	memcpy(f.data, req, 14);
	c_submit(&f, f.data_ref, 14, 0, 0);
	n = dev_read(buf, sizeof(buf), 2000);
	dev_answer(instance, rsp, 30);
	result(n == 18 && c_wait(&f, 0, 2000),
	       "classic read-only data page: request read, answer impossible, sizes 0");
	fake_destroy(&f);
}

/* ---- xenstore values ---- */

static void test_keys(void)
{
	static const struct {
		const char *what, *ring_ref, *evtchn, *v2;
	} cases[] = {
		{ "ring-ref abc", "abc", NULL, "1" },
		{ "ring-ref -1", "-1", NULL, "1" },
		{ "ring-ref 2^32", "4294967296", NULL, "1" },
		{ "ring-ref not granted", "987654", NULL, "1" },
		{ "event-channel 99999", NULL, "99999", "1" },
		{ "event-channel x", NULL, "x", "1" },
		{ "feature-protocol-v2 2", NULL, NULL, "2" },
		{ "feature-protocol-v2 yes", NULL, NULL, "yes" },
	};
	struct fake f;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!fake_create(&f, 110 + i)) {
			result(false, "%s: InitWait", cases[i].what);
			continue;
		}
		xs_put(f.be, "instance", "60");
		fake_share(&f, true, true);
		fake_keys(&f);
		if (cases[i].ring_ref)
			xs_put(f.fe, "ring-ref", cases[i].ring_ref);
		if (cases[i].evtchn)
			xs_put(f.fe, "event-channel", cases[i].evtchn);
		xs_put(f.fe, "feature-protocol-v2", cases[i].v2);
		xs_put(f.fe, "state", "3");
		result(wait_be_state(&f, XenbusStateClosing, WAIT_MS),
		       "%s: refused with Closing", cases[i].what);
		fake_destroy(&f);
	}
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	xs = xs_open(0);
	gs = xengntshr_open(NULL, 0);
	xce = xenevtchn_open(NULL, 0);
	vfd = open("/dev/vtpm", O_RDWR | O_NONBLOCK);
	if (!xs || !gs || !xce || vfd < 0) {
		printf("FAIL: hostile: setup (xs %p gntshr %p evtchn %p vtpm %d: %s)\n",
		       (void *)xs, (void *)gs, (void *)xce, vfd,
		       strerror(errno));
		return 1;
	}
	test_keys();
	test_v2(50);
	test_classic(51);
	close(vfd);
	printf("INFO: hostile: %d failed\n", fails);
	return fails ? 1 : 0;
}
