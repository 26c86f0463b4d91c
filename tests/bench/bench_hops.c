// SPDX-License-Identifier: GPL-2.0
/*
 * bench_hops: where the full path's latency goes, hop by hop.  The same raw
 * light TPM commands (no authorization) are timed, in turn, against
 * several ends of the vTPM path and against swtpm, so that differences are
 * the cost of the hops alone (docs/bench.md, "Hop by hop"):
 *   tcp:HOST:PORT         raw TPM bytes over TCP (swtpm; a be_sim endpoint)
 *   unix:PATH             raw TPM bytes over a unix stream (swtpm unixio)
 *   backend:PATH:INST     this program IS the kernel backend (tpmbk): it
 *                         listens on PATH (SOCK_SEQPACKET), accepts the
 *                         manager's --backend connection and exchanges
 *                         [instance][packet] frames with it (DESIGN 3.1)
 *   fifos:ROOT:INST:VTPMD this program IS the manager for one vtpmd: it
 *                         makes ROOT/fifos, starts VTPMD, answers LOADNVM
 *                         (a new TPM) and SAVENVM (acknowledged, not
 *                         stored) and writes frames to its command FIFO
 *   inproc                tpm_execute() of a fresh engine in this process
 * It only measures; bench_path judges targets.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tpm_emulator.h"

#define DEFAULT_ITERS		2000U
#define MAX_ITERS		1000000U
/* Iterations of each command are taken in this many blocks, the targets
 * in turn, so background load hits them alike (as bench_net does). */
#define DEFAULT_ROUNDS		10U
#define WARMUP_DIV		10U
#define WARMUP_MAX		100U
#define MAX_TARGETS		8U
/* One transaction, and readiness of a target (the manager connecting, an
 * instance opened, a vtpmd manufacturing its EK), in milliseconds. */
#define XACT_TIMEOUT_MS		10000
#define DEFAULT_WAIT_S		60
/* Frames: u32 prefix, then a TPM packet of at most this (PIPE_BUF - 4). */
#define PREFIX			4U
#define MAX_PACKET		(PIPE_BUF - PREFIX)
#define VTPM_TAG_REQ		0x01C1U
#define VTPM_TAG_RSP		0x01C4U
#define VTPM_ORD_SAVENVM	0x00000001U
#define VTPM_ORD_LOADNVM	0x00000002U
#define VTPM_NVM_CHUNK_HDR	8U

enum kind { K_STREAM, K_BACKEND, K_FIFOS, K_INPROC };

struct target {
	const char *label;
	const char *spec;
	enum kind kind;
	uint32_t instance;
	int fd;			/* stream / SEQPACKET connection */
	int listen_fd;		/* backend: our listening socket */
	/* fifos: the manager's ends of the four FIFOs, and the vtpmd. */
	int cmd_fd, rsp_fd, nvm_fd, nvm_rsp_fd;
	pid_t pid;
	const char *vtpmd;
	/* The last state the vtpmd saved, given back at its next LOADNVM
	 * (as the manager does, without sealing or disk). */
	uint8_t blob[64 * 1024];
	uint32_t blob_len, nvm_total, nvm_got;
	uint64_t *cold_ns;
	unsigned int ncold;
	struct tpm_state *engine;
	uint64_t *ns;
	unsigned int nns;
	int err;
};

struct cmd {
	const char *name;
	uint8_t bytes[64];
	size_t len;
};

/* Raw commands: tag, paramSize, ordinal, parameters (TPM 1.2 Part 3). */
static const struct cmd cmds[] = {
	{ "GetRandom(16)",
	  { 0x00, 0xC1, 0, 0, 0, 14, 0, 0, 0, 0x46, 0, 0, 0, 16 }, 14 },
	{ "PCRRead(10)",
	  { 0x00, 0xC1, 0, 0, 0, 14, 0, 0, 0, 0x15, 0, 0, 0, 10 }, 14 },
	{ "Extend(10)",
	  { 0x00, 0xC1, 0, 0, 0, 34, 0, 0, 0, 0x14, 0, 0, 0, 10,
	    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
	    19, 20 }, 34 },
	{ "GetCapability(VERSION)",
	  { 0x00, 0xC1, 0, 0, 0, 18, 0, 0, 0, 0x65, 0, 0, 0, 0x1A, 0, 0,
	    0, 0 }, 18 },
};

static struct target targets[MAX_TARGETS];
static unsigned int ntargets;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000U + (uint64_t)ts.tv_nsec;
}

static uint32_t be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: bench_hops [--iters N] [--rounds N] [--wait SECS] "
		"[--cold N] [--csv] NAME=ENDPOINT...\n"
		"  ENDPOINT: tcp:HOST:PORT | unix:PATH | backend:PATH:INST |\n"
		"            fifos:ROOT:INST:VTPMD | inproc\n");
	exit(2);
}

/* Wait for @events on @fd until @deadline_ns: 0, -ETIMEDOUT or -errno. */
static int wait_fd(int fd, short events, uint64_t deadline_ns)
{
	struct pollfd p = { .fd = fd, .events = events };
	uint64_t now;
	int n;

	for (;;) {
		now = now_ns();
		if (now >= deadline_ns)
			return -ETIMEDOUT;
		n = poll(&p, 1, (int)((deadline_ns - now) / 1000000U) + 1);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

/* ---- stream targets: swtpm (tcp or unixio), vtpm_be_sim endpoints ---- */

static int stream_connect(struct target *t)
{
	const char *s = t->spec;
	int fd, one = 1;

	if (!strncmp(s, "unix:", 5)) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };

		if (strlen(s + 5) >= sizeof(sa.sun_path))
			return -ENAMETOOLONG;
		strcpy(sa.sun_path, s + 5);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
			close(fd);
			return -errno;
		}
	} else {
		struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
		char host[256];
		const char *colon = strrchr(s + 4, ':');

		if (!colon || (size_t)(colon - s - 4) >= sizeof(host))
			return -EINVAL;
		memcpy(host, s + 4, (size_t)(colon - s - 4));
		host[colon - s - 4] = '\0';
		if (getaddrinfo(host, colon + 1, &hints, &ai))
			return -EINVAL;
		fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen)) {
			freeaddrinfo(ai);
			if (fd >= 0)
				close(fd);
			return -errno;
		}
		freeaddrinfo(ai);
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	t->fd = fd;
	return 0;
}

/* Blocking I/O, as a TSS does: one write, reads until the whole answer. */
static int stream_xact(struct target *t, const uint8_t *cmd, size_t len,
		       uint8_t *rsp, size_t *rlen)
{
	size_t got = 0, want = 10;
	ssize_t r;

	if (write(t->fd, cmd, len) != (ssize_t)len)
		return -EIO;
	while (got < want) {
		r = read(t->fd, rsp + got, MAX_PACKET - got);
		if (r <= 0)
			return r < 0 ? -errno : -ECONNRESET;
		got += (size_t)r;
		if (got >= 10) {
			want = be32(rsp + 2);
			if (want < 10 || want > MAX_PACKET)
				return -EBADMSG;
		}
	}
	*rlen = got;
	return 0;
}

/* ---- backend: we are tpmbk, the manager is our peer ---- */

static int backend_listen(struct target *t, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 1)) {
		close(fd);
		return -errno;
	}
	t->listen_fd = fd;
	return 0;
}

static int backend_xact(struct target *t, const uint8_t *cmd, size_t len,
			uint8_t *rsp, size_t *rlen)
{
	uint8_t frame[PREFIX + MAX_PACKET], in[PREFIX + MAX_PACKET + 1];
	ssize_t r;

	put_be32(frame, t->instance);
	memcpy(frame + PREFIX, cmd, len);
	if (send(t->fd, frame, PREFIX + len, MSG_NOSIGNAL) !=
	    (ssize_t)(PREFIX + len))
		return -EIO;
	/* One datagram is one answer (blocking, as tpmbk's reader sleeps). */
	r = recv(t->fd, in, sizeof(in), 0);
	if (r < (ssize_t)(PREFIX + 10))
		return r < 0 ? -errno : -EBADMSG;
	if (be32(in) != t->instance || be32(in + PREFIX + 2) != r - PREFIX)
		return -EBADMSG;
	memcpy(rsp, in + PREFIX, (size_t)r - PREFIX);
	*rlen = (size_t)r - PREFIX;
	return 0;
}

/* ---- fifos: we are the manager of one vtpmd ---- */

static int make_fifo(const char *root, const char *name, uint32_t inst)
{
	char path[PATH_MAX];
	int fd;

	if (inst)
		snprintf(path, sizeof(path), "%s/fifos/%s_%u.fifo", root,
			 name, inst);
	else
		snprintf(path, sizeof(path), "%s/fifos/%s.fifo", root, name);
	if (mkfifo(path, 0600) && errno != EEXIST)
		return -errno;
	fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int nvm_answer(struct target *t, uint32_t status, const void *body,
		      uint32_t len)
{
	uint8_t a[PREFIX + 10] = { 0 };
	struct iovec iov[2] = { { a, sizeof(a) },
				{ (void *)(uintptr_t)body, len } };

	put_be32(a, t->instance);
	a[4] = VTPM_TAG_RSP >> 8;
	a[5] = VTPM_TAG_RSP & 0xFF;
	put_be32(a + 6, 10 + len);
	put_be32(a + 10, status);
	/* The pipe was enlarged to hold a whole state (fifos_start()). */
	return writev(t->nvm_rsp_fd, iov, len ? 2 : 1) ==
	       (ssize_t)(sizeof(a) + len) ? 0 : -EIO;
}

/* Serve what the vtpmd sent on vtpm_cmd_from_all: LOADNVM, SAVENVM. */
static int fifos_nvm(struct target *t)
{
	uint8_t buf[PIPE_BUF];
	uint32_t code, total, off, n;
	ssize_t r;

	r = read(t->nvm_fd, buf, sizeof(buf));
	if (r < 0)
		return errno == EAGAIN ? 0 : -errno;
	/* The vtpmd writes whole frames (<= PIPE_BUF) atomically; the only
	 * chunk shorter than PIPE_BUF is a save's last, then it waits for
	 * the answer: one read is one frame here. */
	if (r < (ssize_t)(PREFIX + 10) || be32(buf + 6) != r - PREFIX)
		return -EBADMSG;
	code = be32(buf + 10);
	if (code == VTPM_ORD_LOADNVM)
		return nvm_answer(t, 0, t->blob, t->blob_len);
	if (code != VTPM_ORD_SAVENVM || r < (ssize_t)(PREFIX + 10 + 8))
		return -EBADMSG;
	total = be32(buf + 14);
	off = be32(buf + 18);
	n = (uint32_t)(r - PREFIX - 10 - VTPM_NVM_CHUNK_HDR);
	if (total > sizeof(t->blob) || off > total || n > total - off)
		return -EBADMSG;
	memcpy(t->blob + off, buf + PREFIX + 10 + VTPM_NVM_CHUNK_HDR, n);
	/* Acknowledged at once (nothing sealed, nothing on disk): this
	 * measures the vtpmd alone. */
	if (off + n < total)
		return 0;
	t->blob_len = total;
	return nvm_answer(t, 0, NULL, 0);
}

static int fifos_spawn(struct target *t)
{
	char num[16];

	snprintf(num, sizeof(num), "%u", t->instance);
	t->pid = fork();
	if (t->pid < 0)
		return -errno;
	if (t->pid == 0) {
		execl(t->vtpmd, "vtpmd", "clear", "pvm", num, "--root",
		      t->spec, "-d", (char *)NULL);
		_exit(127);
	}
	return 0;
}

static int fifos_start(struct target *t, const char *root,
		       const char *vtpmd)
{
	char dir[PATH_MAX];
	int pipe_sz = 2 * (64 * 1024 + 14);

	if (mkdir(root, 0700) && errno != EEXIST)
		return -errno;
	snprintf(dir, sizeof(dir), "%s/fifos", root);
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	t->cmd_fd = make_fifo(root, "tpm_cmd_to", t->instance);
	t->nvm_rsp_fd = make_fifo(root, "vtpm_rsp_to", t->instance);
	t->rsp_fd = make_fifo(root, "tpm_rsp_from_all", 0);
	t->nvm_fd = make_fifo(root, "vtpm_cmd_from_all", 0);
	if (t->cmd_fd < 0 || t->nvm_rsp_fd < 0 || t->rsp_fd < 0 ||
	    t->nvm_fd < 0)
		return -EIO;
	/* A LOADNVM answer must fit, as in the manager (fifo.c). */
	fcntl(t->nvm_rsp_fd, F_SETPIPE_SZ, pipe_sz);
	t->vtpmd = vtpmd;
	return fifos_spawn(t);
}

static void fifos_stop(struct target *t)
{
	if (t->pid <= 0)
		return;
	kill(t->pid, SIGTERM);
	waitpid(t->pid, NULL, 0);
	t->pid = 0;
}

static int fifos_xact(struct target *t, const uint8_t *cmd, size_t len,
		      uint8_t *rsp, size_t *rlen)
{
	uint8_t frame[PREFIX + MAX_PACKET];
	struct pollfd p[2] = { { .fd = t->rsp_fd, .events = POLLIN },
			       { .fd = t->nvm_fd, .events = POLLIN } };
	uint64_t deadline = now_ns() + XACT_TIMEOUT_MS * 1000000ULL;
	ssize_t r;
	int err;

	put_be32(frame, t->instance);
	memcpy(frame + PREFIX, cmd, len);
	if (write(t->cmd_fd, frame, PREFIX + len) != (ssize_t)(PREFIX + len))
		return -EIO;
	for (;;) {
		if (poll(p, 2, XACT_TIMEOUT_MS) < 0 && errno != EINTR)
			return -errno;
		if (now_ns() > deadline)
			return -ETIMEDOUT;
		if (p[1].revents) {
			err = fifos_nvm(t);
			if (err)
				return err;
		}
		if (!p[0].revents)
			continue;
		/* Only our vtpmd writes here, one answer per request. */
		r = read(t->rsp_fd, frame, sizeof(frame));
		if (r < 0 && errno == EAGAIN)
			continue;
		if (r < (ssize_t)(PREFIX + 10) || be32(frame) != t->instance ||
		    be32(frame + PREFIX + 2) != r - PREFIX)
			return r < 0 ? -errno : -EBADMSG;
		memcpy(rsp, frame + PREFIX, (size_t)r - PREFIX);
		*rlen = (size_t)r - PREFIX;
		return 0;
	}
}

/* ---- inproc: the engine alone ---- */

static int inproc_start(struct target *t)
{
	static const uint8_t startup[] = { 0x00, 0xC1, 0, 0, 0, 12, 0, 0,
					   0, 0x99, 0, 1 };
	struct tpm_config cfg = { .no_ek = true, .ek_bits = 2048 };
	uint8_t rsp[TPM_MAX_COMMAND_SIZE];
	size_t len;

	t->engine = tpm_create(&cfg);
	if (!t->engine)
		return -errno;
	tpm_init(t->engine);
	tpm_execute(t->engine, startup, sizeof(startup), rsp, &len);
	return be32(rsp + 6) ? -EIO : 0;
}

/* ---- dispatch ---- */

static int xact(struct target *t, const uint8_t *cmd, size_t len,
		uint8_t *rsp, size_t *rlen)
{
	switch (t->kind) {
	case K_STREAM:
		return stream_xact(t, cmd, len, rsp, rlen);
	case K_BACKEND:
		return backend_xact(t, cmd, len, rsp, rlen);
	case K_FIFOS:
		return fifos_xact(t, cmd, len, rsp, rlen);
	case K_INPROC:
		return tpm_execute(t->engine, cmd, len, rsp, rlen);
	}
	return -EINVAL;
}

static int parse_target(struct target *t, char *arg)
{
	char *eq = strchr(arg, '='), *a, *b;
	unsigned long n;

	if (!eq)
		return -EINVAL;
	*eq = '\0';
	t->label = arg;
	t->spec = eq + 1;
	t->fd = t->listen_fd = t->cmd_fd = t->rsp_fd = -1;
	t->nvm_fd = t->nvm_rsp_fd = -1;
	if (!strncmp(t->spec, "tcp:", 4) || !strncmp(t->spec, "unix:", 5)) {
		t->kind = K_STREAM;
		return 0;
	}
	if (!strcmp(t->spec, "inproc")) {
		t->kind = K_INPROC;
		return 0;
	}
	/* backend:PATH:INST and fifos:ROOT:INST:VTPMD */
	if (!strncmp(t->spec, "backend:", 8)) {
		t->kind = K_BACKEND;
		a = strdup(t->spec + 8);
		b = a ? strrchr(a, ':') : NULL;
		if (!b)
			return -EINVAL;
		*b++ = '\0';
		n = strtoul(b, NULL, 10);
		if (!n || n > 0xFFFFFF)
			return -EINVAL;
		t->instance = (uint32_t)n;
		t->spec = a;	/* the socket path */
		return 0;
	}
	if (!strncmp(t->spec, "fifos:", 6)) {
		char *root = strdup(t->spec + 6), *inst, *vtpmd;

		t->kind = K_FIFOS;
		inst = root ? strchr(root, ':') : NULL;
		vtpmd = inst ? strchr(inst + 1, ':') : NULL;
		if (!vtpmd)
			return -EINVAL;
		*inst++ = '\0';
		*vtpmd++ = '\0';
		n = strtoul(inst, NULL, 10);
		if (!n || n > 65535)
			return -EINVAL;
		t->instance = (uint32_t)n;
		t->spec = root;
		return fifos_start(t, root, vtpmd);
	}
	return -EINVAL;
}

/* Connect, or accept the manager; then wait for a first good answer. */
static int make_ready(struct target *t, unsigned int wait_s)
{
	uint64_t deadline = now_ns() + (uint64_t)wait_s * 1000000000U;
	uint8_t rsp[MAX_PACKET];
	size_t rlen;
	int err;

	switch (t->kind) {
	case K_STREAM:
		/* The TPM may still be starting: retry until the deadline. */
		while ((err = stream_connect(t)) &&
		       (err == -ENOENT || err == -ECONNREFUSED) &&
		       now_ns() < deadline)
			usleep(20000);
		break;
	case K_BACKEND:
		err = wait_fd(t->listen_fd, POLLIN, deadline);
		if (!err) {
			t->fd = accept4(t->listen_fd, NULL, NULL,
					SOCK_CLOEXEC);
			err = t->fd < 0 ? -errno : 0;
		}
		break;
	case K_INPROC:
		err = inproc_start(t);
		break;
	default:
		err = 0;
	}
	if (err)
		return err;
	/* Until the instance is opened (backend) or the vtpmd has made its
	 * EK (fifos), answers are errors or late: retry. */
	for (;;) {
		err = xact(t, cmds[0].bytes, cmds[0].len, rsp, &rlen);
		if (!err && !be32(rsp + 6))
			return 0;
		if (now_ns() >= deadline)
			return err ? err : -ETIMEDOUT;
		usleep(20000);
	}
}

/* VmRSS, RssAnon and RssFile of @pid in KiB (0 when unknown). */
static void rss_of(pid_t pid, unsigned long kb[3])
{
	static const char *const keys[3] = { "VmRSS:", "RssAnon:",
					     "RssFile:" };
	char path[64], line[256];
	unsigned int i;
	FILE *f;

	kb[0] = kb[1] = kb[2] = 0;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		for (i = 0; i < 3; i++)
			if (!strncmp(line, keys[i], strlen(keys[i])))
				kb[i] = strtoul(line + strlen(keys[i]), NULL,
						10);
	fclose(f);
}

/*
 * Cold start of a vtpmd with saved state, as the manager starts one:
 * fork+exec, its LOADNVM answered with the state it saved last, then the
 * first GetRandom, which waits in the command FIFO from the start.
 */
static int cold_start(struct target *t)
{
	uint8_t rsp[MAX_PACKET];
	uint64_t t0;
	size_t rlen;
	int err;

	fifos_stop(t);
	t0 = now_ns();
	err = fifos_spawn(t);
	if (!err)
		err = xact(t, cmds[0].bytes, cmds[0].len, rsp, &rlen);
	if (!err && be32(rsp + 6))
		err = -EPROTO;
	if (!err)
		t->cold_ns[t->ncold++] = now_ns() - t0;
	return err;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int measure(struct target *t, const struct cmd *c, unsigned int n,
		   bool keep)
{
	uint8_t rsp[MAX_PACKET];
	uint64_t t0, dt;
	unsigned int i;
	size_t rlen;
	int err;

	for (i = 0; i < n; i++) {
		t0 = now_ns();
		err = xact(t, c->bytes, c->len, rsp, &rlen);
		dt = now_ns() - t0;
		if (err)
			return err;
		if (be32(rsp + 6))
			return -EPROTO;
		if (keep)
			t->ns[t->nns++] = dt;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "iters", required_argument, NULL, 'i' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "wait", required_argument, NULL, 'w' },
		{ "csv", no_argument, NULL, 'c' },
		{ "cold", required_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int iters = DEFAULT_ITERS, rounds = DEFAULT_ROUNDS;
	unsigned int wait_s = DEFAULT_WAIT_S, i, r, k, chunk, warm;
	unsigned int cold = 0;
	unsigned long kb[3];
	bool csv = false;
	struct target *t;
	int ch, err;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'i': iters = (unsigned int)atoi(optarg); break;
		case 'r': rounds = (unsigned int)atoi(optarg); break;
		case 'w': wait_s = (unsigned int)atoi(optarg); break;
		case 'c': csv = true; break;
		case 'C': cold = (unsigned int)atoi(optarg); break;
		default: usage();
		}
	}
	if (optind == argc || argc - optind > (int)MAX_TARGETS || !iters ||
	    iters > MAX_ITERS || !rounds || cold > MAX_ITERS)
		usage();
	signal(SIGPIPE, SIG_IGN);
	/* Listen on every backend socket before anything waits, so the
	 * managers started by the caller can connect in any order. */
	for (i = 0; optind + (int)i < argc; i++) {
		t = &targets[i];
		err = parse_target(t, argv[optind + i]);
		if (err) {
			fprintf(stderr, "bench_hops: target %s: %s\n",
				argv[optind + i], strerror(-err));
			return 2;
		}
		if (t->kind == K_BACKEND) {
			err = backend_listen(t, t->spec);
			if (err) {
				fprintf(stderr, "bench_hops: listen %s: %s\n",
					t->spec, strerror(-err));
				return 1;
			}
		}
		t->ns = calloc(iters, sizeof(*t->ns));
		t->cold_ns = calloc(cold + 1, sizeof(*t->cold_ns));
		if (!t->ns || !t->cold_ns)
			return 1;
		ntargets++;
	}
	for (i = 0; i < ntargets; i++) {
		t = &targets[i];
		t->err = make_ready(t, wait_s);
		if (t->err)
			fprintf(stderr, "bench_hops: %s not ready: %s\n",
				t->label, strerror(-t->err));
	}
	if (csv)
		printf("target,command,iters,median_us,p99_us,mean_us,"
		       "min_us,status\n");
	else
		printf("%-24s %-14s %9s %9s %9s\n", "command", "target",
		       "med us", "p99 us", "mean us");
	warm = iters / WARMUP_DIV < WARMUP_MAX ? iters / WARMUP_DIV :
		WARMUP_MAX;
	for (k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++) {
		for (i = 0; i < ntargets; i++) {
			t = &targets[i];
			t->nns = 0;
			if (!t->err)
				t->err = measure(t, &cmds[k], warm, false);
		}
		for (r = 0; r < rounds; r++) {
			chunk = (unsigned int)((uint64_t)iters * (r + 1) /
					       rounds -
					       (uint64_t)iters * r / rounds);
			for (i = 0; i < ntargets; i++)
				if (!targets[i].err)
					targets[i].err = measure(&targets[i],
								 &cmds[k],
								 chunk, true);
		}
		for (i = 0; i < ntargets; i++) {
			double sum = 0, med, p99;
			unsigned int j;

			t = &targets[i];
			if (t->err || !t->nns) {
				if (csv)
					printf("%s,%s,0,,,,,%s\n", t->label,
					       cmds[k].name,
					       strerror(-t->err));
				else
					printf("%-24s %-14s %s\n",
					       cmds[k].name, t->label,
					       strerror(-t->err));
				continue;
			}
			qsort(t->ns, t->nns, sizeof(*t->ns), cmp_u64);
			for (j = 0; j < t->nns; j++)
				sum += (double)t->ns[j];
			med = t->ns[(t->nns - 1) / 2] / 1e3;
			p99 = t->ns[(t->nns * 99 + 99) / 100 - 1] / 1e3;
			if (csv)
				printf("%s,%s,%u,%.2f,%.2f,%.2f,%.2f,ok\n",
				       t->label, cmds[k].name, t->nns, med,
				       p99, sum / t->nns / 1e3,
				       t->ns[0] / 1e3);
			else
				printf("%-24s %-14s %9.2f %9.2f %9.2f\n",
				       cmds[k].name, t->label, med, p99,
				       sum / t->nns / 1e3);
		}
		fflush(stdout);
	}
	/* Idle memory of each vtpmd we run, after the timed commands. */
	for (i = 0; i < ntargets; i++) {
		t = &targets[i];
		if (t->kind != K_FIFOS || t->err)
			continue;
		rss_of(t->pid, kb);
		if (csv)
			printf("%s,rss-after-commands-kib,%lu,%lu,%lu\n",
			       t->label, kb[0], kb[1], kb[2]);
		else
			printf("%-24s %-14s VmRSS %lu KiB, RssAnon %lu, "
			       "RssFile %lu\n", "idle after commands",
			       t->label, kb[0], kb[1], kb[2]);
	}
	/* Cold starts, the targets in turn (as the latency rounds). */
	for (r = 0; r < cold; r++)
		for (i = 0; i < ntargets; i++)
			if (targets[i].kind == K_FIFOS && !targets[i].err)
				targets[i].err = cold_start(&targets[i]);
	for (i = 0; cold && i < ntargets; i++) {
		t = &targets[i];
		if (t->kind != K_FIFOS)
			continue;
		if (t->err || !t->ncold) {
			printf(csv ? "%s,cold-start,0,,,,,%s\n" :
			       "cold start %s: %s\n", t->label,
			       strerror(-t->err));
			continue;
		}
		qsort(t->cold_ns, t->ncold, sizeof(*t->cold_ns), cmp_u64);
		if (csv)
			printf("%s,cold-start,%u,%.2f,%.2f,,%.2f,ok\n",
			       t->label, t->ncold,
			       t->cold_ns[(t->ncold - 1) / 2] / 1e3,
			       t->cold_ns[t->ncold - 1] / 1e3,
			       t->cold_ns[0] / 1e3);
		else
			printf("%-24s %-14s %9.2f %9.2f %9s (us; max, min "
			       "%.2f)\n", "cold start (saved state)",
			       t->label, t->cold_ns[(t->ncold - 1) / 2] / 1e3,
			       t->cold_ns[t->ncold - 1] / 1e3, "",
			       t->cold_ns[0] / 1e3);
		/* One command served since its start. */
		usleep(200000);
		rss_of(t->pid, kb);
		if (csv)
			printf("%s,rss-after-cold-start-kib,%lu,%lu,%lu\n",
			       t->label, kb[0], kb[1], kb[2]);
		else
			printf("%-24s %-14s VmRSS %lu KiB, RssAnon %lu, "
			       "RssFile %lu\n", "idle after cold start",
			       t->label, kb[0], kb[1], kb[2]);
	}
	for (i = 0; i < ntargets; i++) {
		t = &targets[i];
		if (t->kind == K_FIFOS)
			fifos_stop(t);
		if (t->kind == K_BACKEND && t->listen_fd >= 0)
			unlink(t->spec);
		tpm_destroy(t->engine);
	}
	return 0;
}
