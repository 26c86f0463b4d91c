// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel backend: /dev/vtpm (tpmbk), or its user-space stand-in
 * vtpm_be_sim on a unix SOCK_SEQPACKET socket (--backend unix:PATH).
 * Either way one frame per read()/write() (DESIGN 3.1).  Guest frames are
 * parsed here and handed to instance.c; nothing a guest sends can stop
 * the manager.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "manager.h"

/* 100 ms apart: the backend socket gets 5 s to appear. */
#define BACKEND_CONNECT_TRIES	50
/* How long an answer waits for room in a full backend socket (ms): long
 * enough for a busy reader to be scheduled, short enough that one that
 * stopped reading stalls the event loop only briefly per answer. */
#define BACKEND_WRITE_WAIT_MS	200
/* Between two writes that found no room although poll() said there was. */
#define BACKEND_RETRY_US	1000

int backend_open(struct mgr *m)
{
	const char *spec = m->cfg.backend;
	struct sockaddr_un sa;
	int fd, tries;

	if (strncmp(spec, "unix:", 5)) {
		fd = open(spec, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0) {
			log_warn("cannot open the backend %s", spec);
			return -errno;
		}
		m->backend_fd = fd;
		return 0;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(spec + 5) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, spec + 5);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* The stand-in may still be starting: wait for it a little, as
	 * for a device node that appears once its module is loaded. */
	for (tries = 0; connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	     tries++) {
		if (tries == BACKEND_CONNECT_TRIES ||
		    (errno != ENOENT && errno != ECONNREFUSED)) {
			log_warn("cannot connect to the backend %s", spec + 5);
			close(fd);
			return -errno;
		}
		usleep(100000);
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	m->backend_fd = fd;
	return 0;
}

void backend_close(struct mgr *m)
{
	if (m->backend_fd >= 0)
		close(m->backend_fd);
	m->backend_fd = -1;
}

/* The backend is gone (the stand-in closed its socket), or our fd is
 * broken: nothing can reach any guest any more. */
static bool backend_lost(int err)
{
	return err == EPIPE || err == ECONNRESET || err == ENOTCONN ||
	       err == EBADF || err == ENODEV || err == ENXIO;
}

void backend_send(struct mgr *m, const uint8_t *frame, size_t len)
{
	static struct log_ratelimit late_rl = LOG_RATELIMIT_INIT(10, 10);
	static struct log_ratelimit full_rl = LOG_RATELIMIT_INIT(10, 10);
	static struct log_ratelimit err_rl = LOG_RATELIMIT_INIT(10, 10);
	struct pollfd p = { .fd = m->backend_fd, .events = POLLOUT };
	uint32_t id = len >= VTPM_PREFIX_SIZE ? vtpm_be32(frame) : 0;
	uint64_t until = 0, now;
	bool said_ready = false;
	ssize_t w;
	int n;

	for (;;) {
		w = write(m->backend_fd, frame, len);
		if (w >= 0)
			return;
		if (errno == EINTR)
			continue;
		/* tpmbk refuses an answer whose request is no longer
		 * outstanding (it timed out and the guest already got
		 * TPM_FAIL): the guest has its answer, we go on. */
		if (errno == EINVAL) {
			if (log_ratelimit(&late_rl))
				log_warnx("instance %u: the backend refused an "
					  "answer (its request timed out)", id);
			return;
		}
		if (backend_lost(errno))
			fatal("backend write");
		if (errno != EAGAIN) {
			/* Anything else (ENOMEM, EFAULT, EIO ...) concerns
			 * this answer only: the backend times the request
			 * out and answers TPM_FAIL itself. */
			if (log_ratelimit(&err_rl))
				log_warn("instance %u: answer dropped: backend "
					 "write", id);
			return;
		}
		/* A backend that reads more slowly than we answer (a flood
		 * of TPM_RETRY answers): wait for room, a bounded time in
		 * all.  No guest's answer could get through meanwhile.  A
		 * device that said writable and still refuses (tpmbk's
		 * poll() always reports POLLOUT) must not make us spin. */
		if (said_ready)
			usleep(BACKEND_RETRY_US);
		now = mgr_now_ms();
		if (!until)
			until = now + BACKEND_WRITE_WAIT_MS;
		if (now >= until) {
			if (log_ratelimit(&full_rl))
				log_warnx("the backend does not read: an "
					  "answer for instance %u is dropped",
					  id);
			return;
		}
		do {
			n = poll(&p, 1, (int)(until - now));
		} while (n < 0 && errno == EINTR);
		said_ready = n > 0;
	}
}

void backend_send_error(struct mgr *m, uint32_t instance, uint16_t req_tag,
			uint32_t rc)
{
	uint8_t frame[VTPM_PREFIX_SIZE + VTPM_HEADER_SIZE];

	vtpm_put_be32(frame, instance);
	vtpm_tpm_error(frame + VTPM_PREFIX_SIZE, req_tag, rc);
	backend_send(m, frame, sizeof(frame));
}

/*
 * read() returned 0.  From /dev/vtpm that is never end of file (the device
 * has none) and from a SEQPACKET socket it is either the peer's close or
 * an empty datagram: only a hang-up on the socket ends the backend.
 */
static bool backend_closed(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLRDHUP };

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLRDHUP));
}

void backend_on_readable(struct mgr *m)
{
	static struct log_ratelimit empty_rl = LOG_RATELIMIT_INIT(10, 10);
	static struct log_ratelimit err_rl = LOG_RATELIMIT_INIT(10, 10);
	/* One byte more than the largest frame, to see oversized ones. */
	static uint8_t buf[VTPM_MAX_FRAME + 1];
	ssize_t r;

	r = read(m->backend_fd, buf, sizeof(buf));
	if (r < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		/* Short of memory: the request stays queued (or times out
		 * in the backend); poll says when to try again.  Any other
		 * error would repeat on every read: the backend is broken. */
		if (errno != ENOMEM && errno != ENOBUFS)
			fatal("backend read");
		if (log_ratelimit(&err_rl))
			log_warn("backend read");
		return;
	}
	if (r == 0) {
		if (backend_closed(m->backend_fd))
			fatalx("the backend closed");
		/* An empty packet names no instance: nobody to answer. */
		if (log_ratelimit(&empty_rl))
			log_warnx("empty packet from the backend: dropped");
		return;
	}
	inst_guest_request(m, buf, (size_t)r);
}
