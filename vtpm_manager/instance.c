// SPDX-License-Identifier: GPL-2.0
/*
 * The guest table: one struct instance per vTPM, its vtpmd (spawned,
 * reaped, restarted), its queue of guest requests (one in flight, a bounded
 * queue behind it, a deadline on the one in flight) and its side of the
 * NVM protocol (LOADNVM, chunked SAVENVM).  No instance ever waits on
 * another: everything here runs from the event loop without blocking.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "manager.h"

/* TPM return codes the manager answers guests with. */
#define TPM_RC_FAIL		0x09U
#define TPM_RC_BADTAG		0x1EU
#define TPM_RC_BAD_LOCALITY	0x3DU
#define TPM_RC_RETRY		0x800U
/* Request buffers kept for reuse instead of malloc()/free() per guest
 * request (each is 4 KiB; this many cover a full queue of two guests). */
#define REQ_SPARE_MAX		(2U * (1U + VTPM_QUEUE_MAX))
/* Restart back-off for a vtpmd that keeps dying: 1 s doubling to 60 s. */
#define RESTART_BASE_MS		1000U
#define RESTART_MAX_MS		60000U

static struct log_ratelimit guest_rl = LOG_RATELIMIT_INIT(10, 10);
static struct log_ratelimit vtpmd_rl = LOG_RATELIMIT_INIT(10, 10);
static struct request *req_spare[REQ_SPARE_MAX];
static unsigned int req_nspare;

static struct request *req_alloc(void)
{
	if (req_nspare)
		return req_spare[--req_nspare];
	return malloc(sizeof(struct request));
}

/* Wipe what the guest sent (only its bytes), keep the buffer. */
static void req_free(struct request *r)
{
	explicit_bzero(r->frame, r->len);
	if (req_nspare < REQ_SPARE_MAX)
		req_spare[req_nspare++] = r;
	else
		free(r);
}

/* The tag of a queued guest request, for the error that answers it. */
static uint16_t req_tag(const struct request *r)
{
	return (uint16_t)((r->frame[4] << 8) | r->frame[5]);
}

/* Take the request at the head of the queue (answered or failed). */
static void pop_head(struct instance *in)
{
	struct request *r = in->queue[0];

	memmove(&in->queue[0], &in->queue[1],
		(in->queued - 1) * sizeof(in->queue[0]));
	in->queued--;
	in->busy = false;
	req_free(r);
}

struct instance *inst_find(struct mgr *m, uint32_t id)
{
	size_t lo = 0, hi = m->ninst;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->inst[mid]->id == id)
			return m->inst[mid];
		if (m->inst[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

struct instance *inst_get(struct mgr *m, uint32_t id)
{
	struct instance *in = inst_find(m, id), **grown;
	size_t i;

	if (in)
		return in;
	if (m->ninst == m->cap_inst) {
		size_t cap = m->cap_inst ? m->cap_inst * 2 : 16;

		grown = realloc(m->inst, cap * sizeof(*grown));
		if (!grown)
			return NULL;
		m->inst = grown;
		m->cap_inst = cap;
	}
	in = calloc(1, sizeof(*in));
	if (!in)
		return NULL;
	in->id = id;
	in->cmd_fd = in->nvm_rsp_fd = -1;
	in->startup = VTPM_STARTUP_CLEAR;
	in->vm_type = VTPM_VM_PV;
	/* Keep the table sorted: O(n) insert, n <= VTPM_MAX_INSTANCE. */
	for (i = m->ninst; i > 0 && m->inst[i - 1]->id > id; i--)
		m->inst[i] = m->inst[i - 1];
	m->inst[i] = in;
	m->ninst++;
	return in;
}

static void free_queue(struct instance *in)
{
	unsigned int i;

	for (i = 0; i < in->queued; i++) {
		req_free(in->queue[i]);
		in->queue[i] = NULL;
	}
	in->queued = 0;
	in->busy = false;
}

static void drop_nvm(struct instance *in)
{
	if (in->nvm_buf) {
		explicit_bzero(in->nvm_buf, VTPM_MAX_STATE_BLOB);
		free(in->nvm_buf);
	}
	in->nvm_buf = NULL;
	in->nvm_total = in->nvm_got = 0;
}

void inst_remove(struct mgr *m, struct instance *in)
{
	size_t i;

	for (i = 0; i < m->ninst && m->inst[i] != in; i++)
		;
	if (i == m->ninst)
		return;
	memmove(&m->inst[i], &m->inst[i + 1],
		(m->ninst - i - 1) * sizeof(m->inst[0]));
	m->ninst--;
	free_queue(in);
	drop_nvm(in);
	free(in);
}

/* Answer every queued guest request with TPM_FAIL (vtpmd lost or gone). */
static void fail_queue(struct mgr *m, struct instance *in)
{
	unsigned int i;

	for (i = 0; i < in->queued; i++)
		backend_send_error(m, in->id, req_tag(in->queue[i]),
				   TPM_RC_FAIL);
	free_queue(in);
}

void inst_set_start(struct instance *in, uint8_t startup, uint8_t vm_type)
{
	in->startup = startup;
	in->vm_type = vm_type;
	in->restart_at_ms = 0;
	in->crashes = 0;
}

int inst_start(struct mgr *m, struct instance *in)
{
	static const char *const modes[] = { "clear", "clear", "save",
					     "deactivated" };
	char num[16];
	const char *mode;
	pid_t pid;
	int err;

	if (in->state != INST_STOPPED)
		return 0;
	/* Callers (console, xenstore) change what is due: rescan. */
	inst_tick_soon(m);
	err = fifo_instance_open(m, in);
	if (err)
		return err;
	mode = in->startup <= VTPM_STARTUP_DEACTIVATED ?
		modes[in->startup] : "clear";
	snprintf(num, sizeof(num), "%u", in->id);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/* The manager's fds are all O_CLOEXEC; its blocked signals
		 * (read through signalfd) must not stay blocked in vtpmd,
		 * and vtpmd must not outlive the manager. */
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (m->cfg.foreground)
			execl(m->cfg.vtpmd_path, "vtpmd", mode,
			      in->vm_type == VTPM_VM_HVM ? "hvm" : "pvm", num,
			      "--root", m->cfg.root, "-d", (char *)NULL);
		else
			execl(m->cfg.vtpmd_path, "vtpmd", mode,
			      in->vm_type == VTPM_VM_HVM ? "hvm" : "pvm", num,
			      "--root", m->cfg.root, (char *)NULL);
		_exit(127);
	}
	in->pid = pid;
	in->state = INST_STARTING;
	in->restart_now = false;
	log_info("instance %u: vtpmd %s started (pid %d)", in->id, mode,
		 (int)pid);
	/* A restart continues from the saved state, never from a snapshot
	 * the guest did not ask for. */
	in->startup = VTPM_STARTUP_CLEAR;
	return 0;
}

void inst_stop(struct mgr *m, struct instance *in)
{
	inst_tick_soon(m);
	if (in->state == INST_STOPPED || in->state == INST_STOPPING)
		return;
	/* vtpmd stops between commands; its last save is already durable. */
	if (in->pid > 0)
		kill(in->pid, SIGTERM);
	in->state = INST_STOPPING;
}

void inst_stop_all(struct mgr *m)
{
	size_t i;

	for (i = 0; i < m->ninst; i++)
		inst_stop(m, m->inst[i]);
}

/* Send the request at the head of the queue to the vtpmd. */
static void dispatch_head(struct mgr *m, struct instance *in)
{
	struct request *r;
	ssize_t w;

	if (in->busy || !in->queued || in->state != INST_RUNNING)
		return;
	r = in->queue[0];
	w = write(in->cmd_fd, r->frame, r->len);
	if (w != (ssize_t)r->len) {
		/* The FIFO is full or broken: the vtpmd is stuck or gone;
		 * the deadline handling below recovers either way. */
		log_warnx("instance %u: cannot pass a request to vtpmd",
			  in->id);
	}
	in->busy = true;
	in->deadline_ms = m->now_ms + (uint64_t)m->cfg.cmd_timeout_s * 1000U;
	/* The only deadline the data path adds: keep inst_tick() O(1). */
	if (in->deadline_ms < m->tick_at)
		m->tick_at = in->deadline_ms;
}

void inst_guest_request(struct mgr *m, const uint8_t *frame, size_t len)
{
	struct vtpm_frame f;
	struct instance *in;
	struct request *r;
	uint32_t id;

	if (vtpm_ipc_parse(frame, len, VTPM_MAX_TPM_PACKET, &f)) {
		/* Answer what can be answered: the instance and tag. */
		if (len >= VTPM_PREFIX_SIZE + 2) {
			id = VTPM_PREFIX_INSTANCE(vtpm_be32(frame));
			backend_send_error(m, id,
					   (uint16_t)((frame[4] << 8) |
						      frame[5]), TPM_RC_FAIL);
		}
		if (log_ratelimit(&guest_rl))
			log_warnx("malformed guest frame (%zu bytes)", len);
		return;
	}
	/* The prefix word: instance in bits 0-23, the guest's locality in
	 * 24-31 (vtpm_shared.h); answers carry the bare instance. */
	id = VTPM_PREFIX_INSTANCE(f.instance);
	/* DESIGN 3.1: a guest can never issue manager ordinals. */
	if (f.tag == VTPM_TAG_REQ) {
		backend_send_error(m, id, f.tag, TPM_RC_BADTAG);
		if (log_ratelimit(&guest_rl))
			log_warnx("instance %u: guest sent a manager tag", id);
		return;
	}
	if (VTPM_PREFIX_LOCALITY(f.instance) > VTPM_LOCALITY_MAX) {
		backend_send_error(m, id, f.tag, TPM_RC_BAD_LOCALITY);
		if (log_ratelimit(&guest_rl))
			log_warnx("instance %u: request at locality %u", id,
				  VTPM_PREFIX_LOCALITY(f.instance));
		return;
	}
	in = id ? inst_find(m, id) : NULL;
	if (!in || !in->open) {
		backend_send_error(m, id, f.tag, TPM_RC_FAIL);
		if (log_ratelimit(&guest_rl))
			log_warnx("request for unknown instance %u", id);
		return;
	}
	if (in->queued >= 1 + VTPM_QUEUE_MAX) {
		/* A flood: the guest gets TPM_RETRY, others are unaffected. */
		backend_send_error(m, id, f.tag, TPM_RC_RETRY);
		if (log_ratelimit(&guest_rl))
			log_warnx("instance %u: queue full", in->id);
		return;
	}
	r = req_alloc();
	if (!r) {
		backend_send_error(m, id, f.tag, TPM_RC_FAIL);
		return;
	}
	/* Passed on as it came, locality included: vtpmd sets it. */
	memcpy(r->frame, frame, len);
	r->len = (uint32_t)len;
	in->queue[in->queued++] = r;
	dispatch_head(m, in);
}

void inst_restart_all(struct mgr *m)
{
	struct instance *in;
	size_t i;

	for (i = 0; i < m->ninst; i++) {
		in = m->inst[i];
		/* Its SAVENVM chunks, if any, went with the old FIFO. */
		drop_nvm(in);
		if (in->pid <= 0)
			continue;
		kill(in->pid, SIGKILL);
		if (in->state != INST_STOPPING)
			in->restart_now = true;
	}
	inst_tick_soon(m);
}

int inst_on_response(struct mgr *m)
{
	const uint8_t *buf;
	struct vtpm_frame f;
	struct instance *in;
	size_t len;
	int err;

	for (;;) {
		err = vtpm_stream_next(&m->rsp_in, VTPM_MAX_TPM_PACKET, &buf,
				       &len);
		if (err == -EAGAIN)
			return 0;
		if (err || vtpm_ipc_parse(buf, len, VTPM_MAX_TPM_PACKET, &f))
			return -EBADMSG;
		in = inst_find(m, f.instance);
		if (!in || !in->busy) {
			/* Late (after a timeout) or forged: drop it. */
			if (log_ratelimit(&vtpmd_rl))
				log_warnx("dropping a response for instance "
					  "%u", f.instance);
			continue;
		}
		backend_send(m, buf, len);
		pop_head(in);
		in->crashes = 0;
		dispatch_head(m, in);
	}
}

static void nvm_answer(struct instance *in, uint32_t status,
		       const uint8_t *body, size_t len)
{
	uint8_t hdr[VTPM_PREFIX_SIZE + VTPM_HEADER_SIZE];
	struct iovec iov[2];
	ssize_t w;
	int n = len ? 2 : 1;

	vtpm_ipc_build(hdr, sizeof(hdr), in->id, VTPM_TAG_RSP, status,
		       NULL, 0);
	/* The frame is header + body: fix its size, write both at once.
	 * The FIFO is the instance's own, so nobody else's writes can come
	 * between the two parts if it takes more than one. */
	vtpm_put_be32(hdr + 6, (uint32_t)(VTPM_HEADER_SIZE + len));
	iov[0].iov_base = hdr;
	iov[0].iov_len = sizeof(hdr);
	iov[1].iov_base = (void *)(uintptr_t)body;
	iov[1].iov_len = len;
	for (;;) {
		w = writev(in->nvm_rsp_fd, iov, n);
		if (w < 0 && errno == EINTR)
			continue;
		/* EAGAIN cannot happen: the pipe holds a whole blob
		 * (fifo_instance_open); never spin here. */
		if (w < 0)
			break;
		while (n && (size_t)w >= iov[0].iov_len) {
			w -= (ssize_t)iov[0].iov_len;
			iov[0] = iov[1];
			n--;
		}
		if (!n)
			return;
		iov[0].iov_base = (uint8_t *)iov[0].iov_base + w;
		iov[0].iov_len -= (size_t)w;
	}
	log_warn("instance %u: cannot answer its vtpmd", in->id);
}

static void on_loadnvm(struct mgr *m, struct instance *in)
{
	const char *why = NULL;
	uint8_t *blob = NULL;
	size_t len = 0;
	int err;

	err = seal_state_load(m->seal, in->id, in->uuid, &blob, &len, &why);
	if (err == -ENOENT) {
		nvm_answer(in, VTPM_SUCCESS, NULL, 0);
	} else if (err) {
		log_warnx("instance %u: stored state refused: %s; the file is "
			  "kept for the administrator", in->id,
			  why ? why : strerror(-err));
		nvm_answer(in, VTPM_RESTORE_CONTEXT_FAILED, NULL, 0);
	} else {
		nvm_answer(in, VTPM_SUCCESS, blob, len);
		explicit_bzero(blob, len);
		free(blob);
	}
	if (in->state == INST_STARTING)
		in->state = INST_RUNNING;
	dispatch_head(m, in);
}

static void on_savenvm_chunk(struct mgr *m, struct instance *in,
			     const struct vtpm_frame *f)
{
	uint32_t total, off, n;
	uint8_t *blob;

	if (f->body_len < VTPM_NVM_CHUNK_HDR)
		goto bad;
	total = vtpm_be32(f->body);
	off = vtpm_be32(f->body + 4);
	n = (uint32_t)(f->body_len - VTPM_NVM_CHUNK_HDR);
	if (in->saving || total == 0 || total > VTPM_MAX_STATE_BLOB ||
	    off != in->nvm_got || (in->nvm_buf && total != in->nvm_total) ||
	    n > total - off)
		goto bad;
	if (!in->nvm_buf) {
		in->nvm_buf = malloc(VTPM_MAX_STATE_BLOB);
		if (!in->nvm_buf)
			goto bad;
		in->nvm_total = total;
	}
	memcpy(in->nvm_buf + off, f->body + VTPM_NVM_CHUNK_HDR, n);
	in->nvm_got += n;
	if (in->nvm_got < in->nvm_total)
		return;
	/* Complete: the worker seals and stores it; the vtpmd hears back
	 * (inst_save_finished) only once it is durable. */
	blob = in->nvm_buf;
	in->nvm_buf = NULL;
	in->saving = true;
	if (save_submit(m, in->id, blob, in->nvm_total)) {
		in->saving = false;
		goto bad;
	}
	in->nvm_total = in->nvm_got = 0;
	return;
bad:
	drop_nvm(in);
	log_warnx("instance %u: malformed SAVENVM", in->id);
	nvm_answer(in, VTPM_INVALID_REQUEST, NULL, 0);
}

void inst_save_finished(struct mgr *m, uint32_t id, int err)
{
	struct instance *in = inst_find(m, id);

	(void)m;
	if (!in)
		return;
	in->saving = false;
	if (err)
		log_warnx("instance %u: state NOT saved: %s", id,
			  strerror(-err));
	/* The vtpmd that asked is gone: nobody may read this answer. */
	if (in->pid <= 0 || in->nvm_rsp_fd < 0)
		return;
	nvm_answer(in, err ? VTPM_FAIL : VTPM_SUCCESS, NULL, 0);
}

int inst_on_nvm(struct mgr *m)
{
	const uint8_t *buf;
	struct vtpm_frame f;
	struct instance *in;
	size_t len;
	int err;

	for (;;) {
		err = vtpm_stream_next(&m->nvm_in, VTPM_MAX_TPM_PACKET, &buf,
				       &len);
		if (err == -EAGAIN)
			return 0;
		if (err || vtpm_ipc_parse(buf, len, VTPM_MAX_TPM_PACKET, &f))
			return -EBADMSG;
		in = inst_find(m, f.instance);
		if (!in || in->state == INST_STOPPED ||
		    f.tag != VTPM_TAG_REQ) {
			if (log_ratelimit(&vtpmd_rl))
				log_warnx("dropping a vtpmd message for "
					  "instance %u", f.instance);
			continue;
		}
		if (f.code == VTPM_ORD_LOADNVM && !f.body_len)
			on_loadnvm(m, in);
		else if (f.code == VTPM_ORD_SAVENVM)
			on_savenvm_chunk(m, in, &f);
		else
			nvm_answer(in, VTPM_UNSUPPORTED, NULL, 0);
	}
}

void inst_reap(struct mgr *m)
{
	struct instance *in;
	size_t i;
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if (pid == m->emulator_pid)
			fatalx("the emulated hardware TPM (tpmd) died");
		for (i = 0, in = NULL; i < m->ninst; i++)
			if (m->inst[i]->pid == pid)
				in = m->inst[i];
		if (!in)
			continue;
		in->pid = 0;
		drop_nvm(in);
		if (in->state == INST_STOPPING || m->stopping) {
			log_info("instance %u: vtpmd stopped", in->id);
			in->state = INST_STOPPED;
			fail_queue(m, in);
			fifo_instance_close(in, m->cfg.root, true);
			if (in->delete_after_stop && !m->stopping) {
				/* DELETE: the state goes only once the vtpmd
				 * can no longer write it. */
				seal_state_delete(m->seal, in->id);
				inst_remove(m, in);
				db_save(m);
			}
			continue;
		}
		/* It died on its own (or was killed to be restarted): the
		 * request in flight fails, the rest wait for the restart
		 * (from the last durable state). */
		if (in->restart_now)
			log_info("instance %u: vtpmd stopped; restarting it",
				 in->id);
		else
			log_warnx("instance %u: vtpmd exited (status 0x%x); "
				  "restarting it", in->id, st);
		in->state = INST_STOPPED;
		/* New FIFOs for its successor: a request or an NVM answer
		 * this one never read would otherwise reach the next vtpmd
		 * (a stale SAVENVM ack read as an empty LOADNVM answer makes
		 * it manufacture a fresh TPM over the saved one). */
		fifo_instance_close(in, m->cfg.root, true);
		if (in->busy) {
			backend_send_error(m, in->id, req_tag(in->queue[0]),
					   TPM_RC_FAIL);
			pop_head(in);
		}
		if (in->restart_now) {
			/* Due at once: the event loop's clock. */
			in->restart_now = false;
			in->restart_at_ms = m->now_ms;
			continue;
		}
		in->crashes++;
		in->restart_at_ms = mgr_now_ms() +
			(in->crashes > 6 ? RESTART_MAX_MS :
			 (uint64_t)RESTART_BASE_MS << (in->crashes - 1));
	}
}

/* When the instance next needs inst_tick(): 0 never. */
static uint64_t inst_due(const struct instance *in)
{
	if (in->busy && in->deadline_ms != UINT64_MAX)
		return in->deadline_ms;
	if (in->open && in->state == INST_STOPPED && !in->saving)
		return in->restart_at_ms ? in->restart_at_ms : 1;
	return 0;
}

void inst_tick(struct mgr *m)
{
	uint64_t now = m->now_ms, next = UINT64_MAX, t;
	size_t i;

	/* Nothing is due before tick_at (guest requests only ever lower
	 * it, dispatch_head()); everything else asks for a scan. */
	if (m->tick_at && now < m->tick_at)
		return;
	for (i = 0; i < m->ninst; i++) {
		struct instance *in = m->inst[i];

		if (in->busy && now >= in->deadline_ms) {
			/* DESIGN 2: no answer in time: TPM_FAIL to the guest,
			 * and the vtpmd is restarted from its saved state. */
			log_warnx("instance %u: vtpmd did not answer in %u s; "
				  "killing it", in->id, m->cfg.cmd_timeout_s);
			if (in->pid > 0)
				kill(in->pid, SIGKILL);
			in->deadline_ms = UINT64_MAX;
		}
		/* Not while the dead vtpmd's last save is still being
		 * stored: its successor's LOADNVM must see that save. */
		if (in->open && in->state == INST_STOPPED && !m->stopping &&
		    !in->saving && now >= in->restart_at_ms &&
		    inst_start(m, in))
			in->restart_at_ms = now + RESTART_MAX_MS;
		t = inst_due(in);
		if (t && t < next)
			next = t;
	}
	m->tick_at = next;
}

uint64_t inst_next_deadline(struct mgr *m)
{
	uint64_t next = 0, t;
	size_t i;

	if (m->tick_at)
		return m->tick_at == UINT64_MAX ? 0 : m->tick_at;
	for (i = 0; i < m->ninst; i++) {
		t = inst_due(m->inst[i]);
		if (t && (!next || t < next))
			next = t;
	}
	return next;
}
