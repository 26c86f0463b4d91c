// SPDX-License-Identifier: GPL-2.0
/*
 * The manager's side of the kernel backend (vtpm_manager/backend.c): every
 * errno path of reading and writing /dev/vtpm or its SEQPACKET stand-in.
 * The backend is one end of a socketpair; errors the kernel device can
 * return but a socket cannot (EINVAL for a late answer, ENOMEM, a device
 * that says writable and still refuses) are injected by wrapping read()
 * and write() for the backend's fd only (-Wl,--wrap).  Paths that must
 * end the manager run in a child whose exit status is checked.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"
#include "manager.h"

/* Results scripted for the backend fd: one per call, then the real one. */
#define SCRIPT_MAX	8U

struct scripted {
	ssize_t ret;
	int err;
};

static struct {
	struct scripted w[SCRIPT_MAX], r[SCRIPT_MAX];
	unsigned int nw, nr, wcalls, rcalls;
	int w_forever;			/* errno of every write, when set */
} script;

static struct mgr mgr;
static int peer = -1;			/* the backend's side */
static unsigned int requests;		/* inst_guest_request() calls */
static uint8_t last_request[VTPM_MAX_FRAME + 1];
static size_t last_request_len;

ssize_t __real_write(int fd, const void *buf, size_t n);
ssize_t __wrap_write(int fd, const void *buf, size_t n);
ssize_t __real_read(int fd, void *buf, size_t n);
ssize_t __wrap_read(int fd, void *buf, size_t n);
ssize_t __real___read_chk(int fd, void *buf, size_t n, size_t cap);
ssize_t __wrap___read_chk(int fd, void *buf, size_t n, size_t cap);

ssize_t __wrap_write(int fd, const void *buf, size_t n)
{
	struct scripted *s;

	if (fd != mgr.backend_fd)
		return __real_write(fd, buf, n);
	script.wcalls++;
	if (script.w_forever) {
		errno = script.w_forever;
		return -1;
	}
	if (!script.nw)
		return __real_write(fd, buf, n);
	s = &script.w[0];
	memmove(&script.w[0], &script.w[1],
		--script.nw * sizeof(script.w[0]));
	if (s->ret < 0)
		errno = s->err;
	return s->ret;
}

ssize_t __wrap_read(int fd, void *buf, size_t n)
{
	struct scripted s;

	if (fd != mgr.backend_fd)
		return __real_read(fd, buf, n);
	script.rcalls++;
	if (!script.nr)
		return __real_read(fd, buf, n);
	s = script.r[0];
	memmove(&script.r[0], &script.r[1],
		--script.nr * sizeof(script.r[0]));
	if (s.ret < 0)
		errno = s.err;
	return s.ret;
}

/* _FORTIFY_SOURCE turns read() into this where the buffer's size is
 * known but not proven large enough (the sanitizer build's -O1). */
ssize_t __wrap___read_chk(int fd, void *buf, size_t n, size_t cap)
{
	if (fd == mgr.backend_fd && script.nr)
		return __wrap_read(fd, buf, n);		/* counts the call */
	if (fd == mgr.backend_fd)
		script.rcalls++;
	return __real___read_chk(fd, buf, n, cap);
}

/* ---- what backend.c calls ---- */

uint64_t mgr_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000U + (uint64_t)ts.tv_nsec / 1000000U;
}

void inst_guest_request(struct mgr *m, const uint8_t *frame, size_t len)
{
	(void)m;
	requests++;
	memcpy(last_request, frame, len);
	last_request_len = len;
}

/* ---- helpers ---- */

static void fail_write(ssize_t ret, int err)
{
	script.w[script.nw].ret = ret;
	script.w[script.nw++].err = err;
}

static void fail_read(ssize_t ret, int err)
{
	script.r[script.nr].ret = ret;
	script.r[script.nr++].err = err;
}

static int setup(void **state)
{
	int sv[2];

	(void)state;
	memset(&script, 0, sizeof(script));
	requests = 0;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -1;
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	mgr.backend_fd = sv[0];
	peer = sv[1];
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	close(mgr.backend_fd);
	if (peer >= 0)
		close(peer);
	mgr.backend_fd = peer = -1;
	return 0;
}

/* A 10-byte TPM error frame for @instance, as the manager answers. */
static size_t error_frame(uint8_t *f, uint32_t instance)
{
	vtpm_put_be32(f, instance);
	vtpm_tpm_error(f + VTPM_PREFIX_SIZE, VTPM_TPM_TAG_RQU_COMMAND,
		       VTPM_TPM_FAIL);
	return VTPM_PREFIX_SIZE + VTPM_HEADER_SIZE;
}

/* What the backend received, or -1 when nothing. */
static ssize_t peer_recv(uint8_t *buf, size_t cap)
{
	return recv(peer, buf, cap, 0);
}

/* Run @fn in a child; its exit status (256 when it returned). */
static int in_child(void (*fn)(void))
{
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		fn();
		_exit(0xFF);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 256 + WTERMSIG(st);
}

/* ---- backend_send() ---- */

/* The answer arrives whole, one datagram. */
static void backend_send_delivers(void **state)
{
	uint8_t f[16], got[64];

	(void)state;
	backend_send(&mgr, f, error_frame(f, 7));
	assert_int_equal(peer_recv(got, sizeof(got)), 14);
	assert_memory_equal(got, f, 14);
}

/* tpmbk refuses a late answer with EINVAL: logged, dropped, no retry,
 * and the manager goes on. */
static void backend_send_late_answer_einval(void **state)
{
	uint8_t f[16], got[64];

	(void)state;
	fail_write(-1, EINVAL);
	backend_send(&mgr, f, error_frame(f, 7));
	assert_int_equal(script.wcalls, 1);
	assert_int_equal(peer_recv(got, sizeof(got)), -1);
	/* The next answer goes through as usual. */
	backend_send(&mgr, f, error_frame(f, 8));
	assert_int_equal(peer_recv(got, sizeof(got)), 14);
	assert_int_equal(vtpm_be32(got), 8);
}

/* EAGAIN: wait for room and write again; EINTR: write again. */
static void backend_send_eagain_retries(void **state)
{
	uint8_t f[16], got[64];

	(void)state;
	fail_write(-1, EINTR);
	fail_write(-1, EAGAIN);
	backend_send(&mgr, f, error_frame(f, 9));
	assert_int_equal(script.wcalls, 3);
	assert_int_equal(peer_recv(got, sizeof(got)), 14);
	assert_int_equal(vtpm_be32(got), 9);
}

/* A device that keeps saying writable but refuses with EAGAIN: the
 * answer is dropped after the bounded wait (200 ms), without a busy
 * loop (a 1 ms pause after each "ready" that was not). */
static void backend_send_eagain_forever_bounded(void **state)
{
	uint8_t f[16], got[64];
	uint64_t dt;

	(void)state;
	script.w_forever = EAGAIN;
	dt = mgr_now_ms();
	backend_send(&mgr, f, error_frame(f, 9));
	dt = mgr_now_ms() - dt;
	assert_true(dt >= 190 && dt < 2000);
	assert_true(script.wcalls >= 2 && script.wcalls <= 250);
	script.w_forever = 0;
	assert_int_equal(peer_recv(got, sizeof(got)), -1);
}

/* ENOMEM and other errors concern one answer: dropped, no exit. */
static void backend_send_enomem_dropped(void **state)
{
	uint8_t f[16], got[64];

	(void)state;
	fail_write(-1, ENOMEM);
	backend_send(&mgr, f, error_frame(f, 3));
	fail_write(-1, EIO);
	backend_send(&mgr, f, error_frame(f, 3));
	assert_int_equal(script.wcalls, 2);
	assert_int_equal(peer_recv(got, sizeof(got)), -1);
}

static void send_answer(void)
{
	uint8_t f[16];

	backend_send(&mgr, f, error_frame(f, 3));
}

/* Close the backend's side (in every process: before the fork). */
static void close_peer(void)
{
	close(peer);
	peer = -1;
}

/* The backend gone (EPIPE): nothing can reach a guest, the manager
 * exits (status 1) rather than answer into the void. */
static void backend_send_peer_gone_fatal(void **state)
{
	(void)state;
	close_peer();
	assert_int_equal(in_child(send_answer), 1);
}

/* backend_send_error(): a 10-byte error, tag + 3, bare instance. */
static void backend_send_error_frame(void **state)
{
	uint8_t got[64];

	(void)state;
	backend_send_error(&mgr, 0x00ABCDEF, VTPM_TPM_TAG_RQU_AUTH2_COMMAND,
			   0x3D);
	assert_int_equal(peer_recv(got, sizeof(got)), 14);
	assert_int_equal(vtpm_be32(got), 0x00ABCDEF);
	assert_int_equal(got[4] << 8 | got[5], 0x00C6);
	assert_int_equal(vtpm_be32(got + 6), 10);
	assert_int_equal(vtpm_be32(got + 10), 0x3D);
}

/* ---- backend_on_readable() ---- */

/* A frame is handed to instance.c as it came, locality byte included. */
static void backend_read_frame_passed_on(void **state)
{
	static const uint8_t f[] = { 0x04, 0, 0, 1, 0x00, 0xC1, 0, 0, 0, 14,
				     0, 0, 0, 0x46, 0, 0, 0, 16 };

	(void)state;
	assert_int_equal(send(peer, f, sizeof(f), 0), sizeof(f));
	backend_on_readable(&mgr);
	assert_int_equal(requests, 1);
	assert_int_equal(last_request_len, sizeof(f));
	assert_memory_equal(last_request, f, sizeof(f));
}

/* An empty datagram while the backend is connected is not end of file:
 * dropped, the manager goes on and reads the next one. */
static void backend_read_empty_datagram_not_eof(void **state)
{
	static const uint8_t f[] = { 0, 0, 0, 2, 0x00, 0xC1, 0, 0, 0, 10,
				     0, 0, 0, 0x46 };

	(void)state;
	assert_int_equal(send(peer, f, 0, 0), 0);
	backend_on_readable(&mgr);
	assert_int_equal(requests, 0);
	assert_int_equal(send(peer, f, sizeof(f), 0), sizeof(f));
	backend_on_readable(&mgr);
	assert_int_equal(requests, 1);
}

static void read_once(void)
{
	backend_on_readable(&mgr);
}

/* The backend's end closed: read() returns 0 and the socket hangs up;
 * that is end of file, and the manager exits. */
static void backend_read_eof_fatal(void **state)
{
	(void)state;
	close_peer();
	assert_int_equal(in_child(read_once), 1);
}

/* EAGAIN/EINTR (a spurious wake-up) and ENOMEM: nothing read, no exit. */
static void backend_read_transient_errors(void **state)
{
	(void)state;
	fail_read(-1, EAGAIN);
	backend_on_readable(&mgr);
	fail_read(-1, EINTR);
	backend_on_readable(&mgr);
	fail_read(-1, ENOMEM);
	backend_on_readable(&mgr);
	assert_int_equal(script.rcalls, 3);
	assert_int_equal(requests, 0);
}

static void read_eio(void)
{
	fail_read(-1, EIO);
	backend_on_readable(&mgr);
}

/* Any other read error would repeat forever: the backend is broken and
 * the manager exits. */
static void backend_read_eio_fatal(void **state)
{
	(void)state;
	assert_int_equal(in_child(read_eio), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(backend_send_delivers),
		T(backend_send_late_answer_einval),
		T(backend_send_eagain_retries),
		T(backend_send_eagain_forever_bounded),
		T(backend_send_enomem_dropped),
		T(backend_send_peer_gone_fatal),
		T(backend_send_error_frame),
		T(backend_read_frame_passed_on),
		T(backend_read_empty_datagram_not_eof),
		T(backend_read_eof_fatal),
		T(backend_read_transient_errors),
		T(backend_read_eio_fatal),
#undef T
	};

	log_init("backend_test", 1, 0);
	return cmocka_run_group_tests_name("backend", tests, NULL, NULL);
}
