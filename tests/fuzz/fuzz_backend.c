// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the manager's guest-packet path: one backend frame
 * (vtpm_manager/backend.c backend_on_readable() -> instance.c
 * inst_guest_request()) against a small guest table whose instances are in
 * every state a request can meet.  The backend is a SOCK_SEQPACKET
 * socketpair whose other end the harness reads, as vtpm_be_sim would.
 *
 * Input: the bytes of one backend datagram, as a guest could send it.
 * Contract checked after each frame: it got exactly one answer (a 10-byte
 * TPM error for the frame's instance) or it was queued for its vtpmd
 * (and, when that vtpmd is idle, passed on byte for byte); it is dropped
 * without an answer only when its instance and tag cannot be read.
 * Nothing here may touch the disk, fork or save: the stubs abort().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "manager.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void fuzz_reset(void);

/* Largest datagram the harness sends: beyond the manager's read buffer
 * (VTPM_MAX_FRAME + 1), so oversized frames are exercised. */
#define FUZZ_MAX_INPUT	(2U * VTPM_MAX_FRAME)

/*
 * The guest table (instance numbers are small so that mutations find
 * them; the seeds in corpus_backend/ name each one):
 *   1 open, running, idle           -> passed to its vtpmd
 *   2 open, starting (LOADNVM)      -> queued, not passed on
 *   3 open, running, queue full     -> TPM_RETRY
 *   4 known, not open (stopped)     -> TPM_FAIL
 *   5 open, stopping                -> queued (failed when it is reaped)
 *   6 open, running, one in flight  -> queued behind it
 */
enum { I_IDLE = 1, I_STARTING, I_FULL, I_CLOSED, I_STOPPING, I_BUSY,
       FUZZ_NINST = I_BUSY };

static struct mgr fuzz_mgr;
static int be_peer = -1;		/* be_sim's end of the backend */
static int cmd_pipe[2] = { -1, -1 };	/* instance 1's command FIFO */

/* ---- stubs: none of these may be reached from a guest frame ---- */

uint64_t mgr_now_ms(void)
{
	return 1000;
}

int fifo_instance_open(struct mgr *m, struct instance *in)
{
	(void)m;
	(void)in;
	abort();
}

void fifo_instance_close(struct instance *in, const char *root, bool unlink)
{
	(void)in;
	(void)root;
	(void)unlink;
	abort();
}


int seal_state_load(struct seal *sp, uint32_t instance, const char *uuid,
		    uint8_t **blob, size_t *len, const char **why)
{
	(void)sp;
	(void)instance;
	(void)uuid;
	(void)blob;
	(void)len;
	(void)why;
	abort();
}

int seal_state_delete(struct seal *sp, uint32_t instance)
{
	(void)sp;
	(void)instance;
	abort();
}

int save_submit(struct mgr *m, uint32_t instance, uint8_t *blob, size_t len)
{
	(void)m;
	(void)instance;
	(void)blob;
	(void)len;
	abort();
}

int db_save(struct mgr *m)
{
	(void)m;
	abort();
}

/* ---- the harness ---- */

static void queue_dummy(struct instance *in)
{
	struct request *r = calloc(1, sizeof(*r));

	if (!r)
		abort();
	/* A GetRandom of the guest, only its tag is ever looked at. */
	memcpy(r->frame, "\0\0\0\0\x00\xc1\0\0\0\x0e\0\0\0\x46", 14);
	r->frame[3] = (uint8_t)in->id;
	r->len = 14;
	in->queue[in->queued++] = r;
}

static void setup_once(void)
{
	int sv[2];

	log_init("fuzz_backend", 1, 0);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) ||
	    pipe2(cmd_pipe, O_NONBLOCK | O_CLOEXEC))
		abort();
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	fuzz_mgr.backend_fd = sv[0];
	be_peer = sv[1];
	fuzz_mgr.cfg.cmd_timeout_s = VTPM_CMD_TIMEOUT_S;
	fuzz_mgr.cfg.root = "/nonexistent";
}

/* A fresh guest table: every input meets the same states. */
void fuzz_reset(void)
{
	uint8_t drain[VTPM_MAX_FRAME];
	uint32_t id;

	if (be_peer < 0)
		setup_once();
	while (fuzz_mgr.ninst)
		inst_remove(&fuzz_mgr, fuzz_mgr.inst[0]);
	while (read(cmd_pipe[0], drain, sizeof(drain)) > 0)
		;
	while (recv(be_peer, drain, sizeof(drain), 0) > 0)
		;
	for (id = 1; id <= FUZZ_NINST; id++) {
		struct instance *in = inst_get(&fuzz_mgr, id);

		if (!in)
			abort();
		in->open = id != I_CLOSED;
		in->state = INST_RUNNING;
		in->pid = 0;	/* never signal anyone */
		switch (id) {
		case I_IDLE:
			in->cmd_fd = cmd_pipe[1];
			break;
		case I_STARTING:
			in->state = INST_STARTING;
			break;
		case I_FULL:
			while (in->queued < 1 + VTPM_QUEUE_MAX)
				queue_dummy(in);
			in->busy = true;
			break;
		case I_CLOSED:
			in->state = INST_STOPPED;
			break;
		case I_STOPPING:
			in->state = INST_STOPPING;
			break;
		case I_BUSY:
			queue_dummy(in);
			in->busy = true;
			break;
		}
	}
}

static unsigned int total_queued(void)
{
	unsigned int n = 0;
	size_t i;

	for (i = 0; i < fuzz_mgr.ninst; i++)
		n += fuzz_mgr.inst[i]->queued;
	return n;
}

static uint32_t get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t ans[VTPM_MAX_FRAME + 1], fwd[VTPM_MAX_FRAME + 1];
	unsigned int before, answers = 0;
	size_t flen = size;
	ssize_t r, fw;
	struct vtpm_frame f;

	/* An empty datagram is dropped (the peer is still connected, so
	 * it is not end of file); no backend sends more than this. */
	if (size > FUZZ_MAX_INPUT)
		return 0;
	fuzz_reset();
	before = total_queued();
	if (send(be_peer, data, size, 0) != (ssize_t)size)
		abort();
	backend_on_readable(&fuzz_mgr);
	/* The manager reads into VTPM_MAX_FRAME + 1 bytes; the rest of a
	 * longer datagram is discarded by the socket. */
	if (flen > VTPM_MAX_FRAME + 1)
		flen = VTPM_MAX_FRAME + 1;

	while ((r = recv(be_peer, ans, sizeof(ans), 0)) >= 0) {
		answers++;
		/* A 10-byte TPM error for the frame's own instance, with
		 * locality 0 (the bare instance) in its prefix. */
		if (vtpm_ipc_parse(ans, (size_t)r, VTPM_HEADER_SIZE, &f) ||
		    f.size != VTPM_HEADER_SIZE || !f.code ||
		    f.instance != VTPM_PREFIX_INSTANCE(get32(data)))
			abort();
	}
	fw = read(cmd_pipe[0], fwd, sizeof(fwd));

	if (answers > 1)
		abort();
	if (answers == 1) {
		/* Answered: nothing queued, nothing passed on. */
		if (total_queued() != before || fw > 0)
			abort();
		return 0;
	}
	if (total_queued() == before) {
		/* Dropped: allowed only when instance and tag are unreadable. */
		if (flen >= VTPM_PREFIX_SIZE + 2 || fw > 0)
			abort();
		return 0;
	}
	/* Queued: exactly one, well formed, at a locality 0..4, for an
	 * open instance. */
	if (total_queued() != before + 1 ||
	    vtpm_ipc_parse(data, size, VTPM_MAX_TPM_PACKET, &f) ||
	    f.tag == VTPM_TAG_REQ ||
	    VTPM_PREFIX_LOCALITY(f.instance) > VTPM_LOCALITY_MAX ||
	    !inst_find(&fuzz_mgr, VTPM_PREFIX_INSTANCE(f.instance)) ||
	    !inst_find(&fuzz_mgr, VTPM_PREFIX_INSTANCE(f.instance))->open)
		abort();
	/* The idle running instance passes it on unchanged (locality
	 * included) at once. */
	if (VTPM_PREFIX_INSTANCE(f.instance) == I_IDLE) {
		if (fw != (ssize_t)size || memcmp(fwd, data, size))
			abort();
	} else if (fw > 0) {
		abort();
	}
	return 0;
}
