// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the manager's console parser (vtpm_manager/console.c,
 * reached through console_on_readable() exactly as vtpmctl reaches it):
 * the input is written on a fresh connection to a listening unix socket
 * (abstract namespace: nothing on disk) as one console request, and the
 * manager's answer is read back.  console.c is unchanged; db.c is real
 * except db_save(), and inst_start() is a double (no vtpmd is spawned):
 * both are redirected with the linker's --wrap, so console.c's calls
 * reach the doubles below while instance.c and db.c stay as shipped.
 *
 * Contract checked: every request that reaches the manager gets exactly
 * one answer frame (prefix 0, tag VTPM_TAG_RSP, a known status, a body
 * only on success, a 4-byte instance for OPEN); the guest table stays
 * sorted, never holds instance 0, and an OPEN it answered with success
 * left that instance open.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "manager.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void fuzz_reset(void);
int __wrap_db_save(struct mgr *m);
int __wrap_inst_start(struct mgr *m, struct instance *in);

/* More than the console reads (256 bytes): the rest stays unread. */
#define FUZZ_MAX_INPUT	4096U
/* Largest answer the harness reads back (the table is small here). */
#define FUZZ_MAX_ANSWER	65536U
/* An OPEN of this instance (or any uuid starting "fail") makes the
 * doubles fail, so the error paths of do_open() are reached too. */
#define FUZZ_START_FAILS	13U

static struct mgr fuzz_mgr;
static struct sockaddr_un fuzz_sa;
static socklen_t fuzz_sa_len;

/* ---- doubles: the console's side effects, without disk or fork ---- */

uint64_t mgr_now_ms(void)
{
	return 5000;
}

const char *hwtpm_describe(const struct hwtpm *h)
{
	(void)h;
	return "fuzz (no TPM)";
}

int seal_state_delete(struct seal *sp, uint32_t instance)
{
	(void)sp;
	(void)instance;
	return 0;
}

uint64_t seal_state_mtime(struct seal *sp, uint32_t instance)
{
	(void)sp;
	return instance * 1000ULL;
}

int __wrap_db_save(struct mgr *m)
{
	size_t i;

	for (i = 0; i < m->ninst; i++)
		if (!strncmp(m->inst[i]->uuid, "fail", 4))
			return -EIO;
	return 0;
}

int __wrap_inst_start(struct mgr *m, struct instance *in)
{
	(void)m;
	if (in->state != INST_STOPPED)
		return 0;
	if (in->id == FUZZ_START_FAILS)
		return -EAGAIN;
	in->state = INST_STARTING;
	in->pid = 0;		/* inst_stop() must signal nobody */
	in->startup = VTPM_STARTUP_CLEAR;
	return 0;
}

/* instance.c's FIFO, NVM and save paths are never reached from here. */
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

int save_submit(struct mgr *m, uint32_t instance, uint8_t *blob, size_t len)
{
	(void)m;
	(void)instance;
	(void)blob;
	(void)len;
	abort();
}

void backend_send_error(struct mgr *m, uint32_t instance, uint16_t req_tag,
			uint32_t rc)
{
	(void)m;
	(void)instance;
	(void)req_tag;
	(void)rc;
	abort();
}

void backend_send(struct mgr *m, const uint8_t *frame, size_t len)
{
	(void)m;
	(void)frame;
	(void)len;
	abort();
}

/* ---- the harness ---- */

static void setup_once(void)
{
	int fd;

	log_init("fuzz_console", 1, 0);
	/* Abstract socket, unique per process: nothing to clean up. */
	memset(&fuzz_sa, 0, sizeof(fuzz_sa));
	fuzz_sa.sun_family = AF_UNIX;
	snprintf(fuzz_sa.sun_path + 1, sizeof(fuzz_sa.sun_path) - 1,
		 "vtpm-fuzz-console-%d", (int)getpid());
	fuzz_sa_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
				  strlen(fuzz_sa.sun_path + 1));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&fuzz_sa, fuzz_sa_len) ||
	    listen(fd, 4))
		abort();
	fuzz_mgr.console_fd = fd;
	fuzz_mgr.backend_fd = -1;
	fuzz_mgr.cfg.root = "/nonexistent";
	fuzz_mgr.cfg.emulate_hw_tpm = true;
}

static struct instance *add(uint32_t id, enum inst_state st, bool open,
			    const char *uuid)
{
	struct instance *in = inst_get(&fuzz_mgr, id);

	if (!in)
		abort();
	in->state = st;
	in->open = open;
	in->pid = 0;
	snprintf(in->uuid, sizeof(in->uuid), "%s", uuid);
	return in;
}

/* A fresh table: instances in each state an administrator meets. */
void fuzz_reset(void)
{
	if (!fuzz_mgr.cfg.root)
		setup_once();
	while (fuzz_mgr.ninst)
		inst_remove(&fuzz_mgr, fuzz_mgr.inst[0]);
	add(1, INST_RUNNING, true, "uuid-one");
	add(2, INST_STOPPED, false, "uuid-two");
	add(3, INST_STARTING, true, "");
	add(4, INST_STOPPING, false, "uuid-four");
	snprintf(add(5, INST_STOPPED, true, "")->domain,
		 sizeof(fuzz_mgr.inst[0]->domain), "guest-five");
}

static uint32_t get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

static void check_table(void)
{
	size_t i;

	for (i = 0; i < fuzz_mgr.ninst; i++)
		if (!fuzz_mgr.inst[i]->id ||
		    fuzz_mgr.inst[i]->id > VTPM_MAX_INSTANCE ||
		    (i && fuzz_mgr.inst[i - 1]->id >= fuzz_mgr.inst[i]->id))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t ans[FUZZ_MAX_ANSWER];
	struct vtpm_frame f, req;
	size_t got = 0;
	ssize_t r;
	int c;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	fuzz_reset();
	c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&fuzz_sa, fuzz_sa_len) ||
	    (size && write(c, data, size) != (ssize_t)size) ||
	    shutdown(c, SHUT_WR))
		abort();
	console_on_readable(&fuzz_mgr);
	while ((r = read(c, ans + got, sizeof(ans) - got)) > 0)
		got += (size_t)r;
	close(c);
	check_table();

	/* An empty request (the client hung up) gets no answer. */
	if (!size) {
		if (got)
			abort();
		return 0;
	}
	/* A request longer than the console reads leaves bytes unread on
	 * the manager's side; its close() then resets the connection after
	 * the answer. */
	if ((r < 0 && (errno != ECONNRESET || size <= 256)) ||
	    vtpm_ipc_parse(ans, got, sizeof(ans), &f) ||
	    f.instance || f.tag != VTPM_TAG_RSP ||
	    f.code > VTPM_INVALID_REQUEST ||
	    (f.code != VTPM_SUCCESS && f.body_len))
		abort();
	/* The console reads one request of at most 256 bytes. */
	if (vtpm_ipc_parse(data, size < 256 ? size : 256, 256, &req) ||
	    req.tag != VTPM_TAG_REQ || req.instance) {
		if (f.code != VTPM_INVALID_REQUEST)
			abort();
		return 0;
	}
	if (f.code == VTPM_SUCCESS && req.code == VTPM_ORD_OPEN) {
		struct instance *in;

		if (f.body_len != 4)
			abort();
		in = inst_find(&fuzz_mgr, get32(f.body));
		if (!in || !in->open || in->state == INST_STOPPED)
			abort();
	}
	if (f.code == VTPM_SUCCESS && req.code == VTPM_ORD_LIST &&
	    (f.body_len < 4 || get32(f.body) != fuzz_mgr.ninst))
		abort();
	return 0;
}
