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

void backend_send(struct mgr *m, const uint8_t *frame, size_t len)
{
	static struct log_ratelimit full_rl = LOG_RATELIMIT_INIT(10, 10);
	struct pollfd p = { .fd = m->backend_fd, .events = POLLOUT };
	ssize_t w;
	int n;

	for (;;) {
		w = write(m->backend_fd, frame, len);
		/* The kernel refuses a write whose instance has no request
		 * outstanding (late answer after its timeout): that is not
		 * ours to worry about. */
		if (w >= 0 || errno == EINVAL)
			return;
		if (errno == EINTR)
			continue;
		/* Anything but a full socket means the backend is gone. */
		if (errno != EAGAIN)
			fatal("backend write");
		/* A stand-in that reads more slowly than we answer (a flood
		 * of TPM_RETRY answers): wait for room, a bounded time.  No
		 * guest's answer could get through meanwhile anyway. */
		do {
			n = poll(&p, 1, BACKEND_WRITE_WAIT_MS);
		} while (n < 0 && errno == EINTR);
		if (n <= 0) {
			if (log_ratelimit(&full_rl))
				log_warnx("the backend does not read: an "
					  "answer for instance %u is dropped",
					  len >= VTPM_PREFIX_SIZE ?
					  ((uint32_t)frame[0] << 24 |
					   (uint32_t)frame[1] << 16 |
					   (uint32_t)frame[2] << 8 | frame[3]) :
					  0U);
			return;
		}
	}
}

void backend_send_error(struct mgr *m, uint32_t instance, uint16_t req_tag,
			uint32_t rc)
{
	uint8_t frame[VTPM_PREFIX_SIZE + VTPM_HEADER_SIZE];

	frame[0] = (uint8_t)(instance >> 24);
	frame[1] = (uint8_t)(instance >> 16);
	frame[2] = (uint8_t)(instance >> 8);
	frame[3] = (uint8_t)instance;
	vtpm_tpm_error(frame + VTPM_PREFIX_SIZE, req_tag, rc);
	backend_send(m, frame, sizeof(frame));
}

void backend_on_readable(struct mgr *m)
{
	/* One byte more than the largest frame, to see oversized ones. */
	static uint8_t buf[VTPM_MAX_FRAME + 1];
	ssize_t r;

	r = read(m->backend_fd, buf, sizeof(buf));
	if (r < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		fatal("backend read");
	}
	if (r == 0)
		fatalx("the backend closed");
	inst_guest_request(m, buf, (size_t)r);
}
