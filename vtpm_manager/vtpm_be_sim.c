// SPDX-License-Identifier: GPL-2.0
/*
 * vtpm_be_sim: the user-space stand-in for the kernel backend (tpmbk) in
 * test mode (DESIGN 5, 9).  It serves the manager's backend socket (unix
 * SOCK_SEQPACKET, one frame per datagram, exactly the /dev/vtpm format)
 * and exposes each named instance as a raw TPM 1.2 endpoint, one client at
 * a time, so an unmodified TSS reaches a vTPM through the whole path.  It
 * applies tpmbk's rules: malformed requests are answered TPM_FAIL at once
 * and never passed on; a request unanswered in time gets TPM_FAIL.
 */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "vtpm_ipc.h"

#define SIM_MAX_EXPOSE		256U
/* tpmbk's deadline for an answer (seconds), longer than the manager's. */
#define SIM_ANSWER_TIMEOUT_S	120U

struct endpoint {
	uint32_t instance;
	int listen_fd;
	int client_fd;
	uint8_t req[VTPM_MAX_TPM_PACKET + 1];
	size_t req_len;
	bool waiting;			/* forwarded, no answer yet */
	time_t deadline;
};

static struct endpoint eps[SIM_MAX_EXPOSE];
static unsigned int neps;
static int backend_listen = -1, manager_fd = -1;
static volatile sig_atomic_t quit;

static void on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: vtpm_be_sim --backend unix:PATH "
		"--expose INSTANCE=tcp:HOST:PORT [--expose ...] [-d] [-v]\n");
	exit(2);
}

static int listen_tcp(const char *spec)
{
	char host[256];
	const char *colon;
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
				  .ai_socktype = SOCK_STREAM }, *ai;
	int fd, one = 1;

	if (strncmp(spec, "tcp:", 4))
		return -EINVAL;
	spec += 4;
	colon = strrchr(spec, ':');
	if (!colon || (size_t)(colon - spec) >= sizeof(host))
		return -EINVAL;
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	if (getaddrinfo(host, colon + 1, &hints, &ai))
		return -EINVAL;
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 8)) {
		freeaddrinfo(ai);
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	freeaddrinfo(ai);
	return fd;
}

static int listen_backend(const char *spec)
{
	struct sockaddr_un sa;
	int fd;

	if (strncmp(spec, "unix:", 5) || strlen(spec + 5) >=
	    sizeof(sa.sun_path))
		return -EINVAL;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, spec + 5);
	unlink(sa.sun_path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, 1))
		return -errno;
	return fd;
}

static void send_all(int fd, const uint8_t *p, size_t len)
{
	/* One write: TSS clients read a response with a single read(). */
	if (write(fd, p, len) != (ssize_t)len)
		log_debug("client write failed");
}

static void answer_error(struct endpoint *e, uint16_t tag)
{
	uint8_t err[VTPM_HEADER_SIZE];

	vtpm_tpm_error(err, tag, VTPM_TPM_FAIL);
	send_all(e->client_fd, err, sizeof(err));
	e->req_len = 0;
	e->waiting = false;
}

static void drop_client(struct endpoint *e)
{
	close(e->client_fd);
	e->client_fd = -1;
	e->req_len = 0;
	/* An answer still on its way is discarded when it arrives. */
}

/* A whole request arrived: check it as tpmbk does, then forward. */
static void forward(struct endpoint *e)
{
	uint8_t frame[VTPM_MAX_FRAME];
	uint16_t tag = (uint16_t)(e->req[0] << 8 | e->req[1]);

	if (manager_fd < 0) {
		answer_error(e, tag);
		return;
	}
	frame[0] = (uint8_t)(e->instance >> 24);
	frame[1] = (uint8_t)(e->instance >> 16);
	frame[2] = (uint8_t)(e->instance >> 8);
	frame[3] = (uint8_t)e->instance;
	memcpy(frame + VTPM_PREFIX_SIZE, e->req, e->req_len);
	if (send(manager_fd, frame, VTPM_PREFIX_SIZE + e->req_len,
		 MSG_NOSIGNAL) < 0) {
		answer_error(e, tag);
		return;
	}
	e->waiting = true;
	e->deadline = time(NULL) + SIM_ANSWER_TIMEOUT_S;
}

static void on_client(struct endpoint *e)
{
	uint32_t size;
	ssize_t r;

	r = read(e->client_fd, e->req + e->req_len,
		 sizeof(e->req) - e->req_len);
	if (r <= 0) {
		drop_client(e);
		return;
	}
	if (e->waiting) {
		/* TPM is request/response: bytes before the answer are a
		 * protocol violation by the client. */
		drop_client(e);
		return;
	}
	e->req_len += (size_t)r;
	if (e->req_len < VTPM_HEADER_SIZE)
		return;
	size = vtpm_be32(e->req + 2);
	/* tpmbk: shorter than a header, or larger than the ring holds:
	 * TPM_FAIL at once, never passed on. */
	if (size < VTPM_HEADER_SIZE || size > VTPM_MAX_TPM_PACKET) {
		answer_error(e, (uint16_t)(e->req[0] << 8 | e->req[1]));
		drop_client(e);
		return;
	}
	if (e->req_len < size)
		return;
	if (e->req_len > size) {
		/* paramSize smaller than what was sent. */
		answer_error(e, (uint16_t)(e->req[0] << 8 | e->req[1]));
		drop_client(e);
		return;
	}
	forward(e);
}

static void on_manager(void)
{
	uint8_t buf[VTPM_MAX_FRAME + 1];
	struct vtpm_frame f;
	unsigned int i;
	ssize_t r;

	r = recv(manager_fd, buf, sizeof(buf), 0);
	if (r <= 0) {
		log_info("the manager disconnected");
		close(manager_fd);
		manager_fd = -1;
		/* As tpmbk when /dev/vtpm is closed: TPM_FAIL to everyone
		 * waiting. */
		for (i = 0; i < neps; i++) {
			if (eps[i].waiting && eps[i].client_fd >= 0)
				answer_error(&eps[i], eps[i].req[0] << 8 |
					     eps[i].req[1]);
			eps[i].waiting = false;
		}
		return;
	}
	if (vtpm_ipc_parse(buf, (size_t)r, VTPM_MAX_TPM_PACKET, &f)) {
		log_warnx("malformed frame from the manager");
		return;
	}
	for (i = 0; i < neps; i++) {
		struct endpoint *e = &eps[i];

		if (e->instance != f.instance)
			continue;
		if (e->waiting && e->client_fd >= 0)
			send_all(e->client_fd, f.packet, f.size);
		else
			log_debug("late answer for instance %u dropped",
				  f.instance);
		e->waiting = false;
		e->req_len = 0;
		return;
	}
	log_warnx("answer for an instance we do not expose: %u", f.instance);
}

static void parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "backend", required_argument, NULL, 'b' },
		{ "expose", required_argument, NULL, 'e' },
		{ "debug", no_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	int c, fg = 0, verbose = 0;
	const char *backend = NULL;
	unsigned long n;
	char *eq;

	while ((c = getopt_long(argc, argv, "dv", opts, NULL)) != -1) {
		switch (c) {
		case 'b': backend = optarg; break;
		case 'd': fg = 1; break;
		case 'v': verbose++; break;
		case 'e':
			if (neps == SIM_MAX_EXPOSE)
				usage();
			n = strtoul(optarg, &eq, 10);
			if (*eq != '=' || n == 0 || n > VTPM_MAX_INSTANCE)
				usage();
			eps[neps].instance = (uint32_t)n;
			eps[neps].client_fd = -1;
			eps[neps].listen_fd = listen_tcp(eq + 1);
			if (eps[neps].listen_fd < 0) {
				fprintf(stderr, "vtpm_be_sim: cannot listen "
					"on %s\n", eq + 1);
				exit(1);
			}
			neps++;
			break;
		default: usage();
		}
	}
	if (!backend || !neps || optind != argc)
		usage();
	log_init("vtpm_be_sim", 1, verbose);
	(void)fg;
	backend_listen = listen_backend(backend);
	if (backend_listen < 0)
		fatalx("cannot listen on %s", backend);
}

int main(int argc, char **argv)
{
	struct pollfd p[2 + 2 * SIM_MAX_EXPOSE];
	struct sigaction sa;
	unsigned int i, n;

	parse_args(argc, argv);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	log_info("serving %u instance(s)", neps);
	while (!quit) {
		time_t now = time(NULL);

		n = 0;
		p[n].fd = manager_fd < 0 ? backend_listen : -1;
		p[n++].events = POLLIN;
		p[n].fd = manager_fd;
		p[n++].events = POLLIN;
		for (i = 0; i < neps; i++) {
			struct endpoint *e = &eps[i];

			if (e->waiting && now >= e->deadline) {
				/* Answer the client if it is still there; a
				 * departed one's slot is freed either way. */
				if (e->client_fd >= 0)
					answer_error(e, e->req[0] << 8 |
						     e->req[1]);
				e->waiting = false;
			}
			/* A new client only once the last answer is in: a
			 * late answer must not reach the wrong client. */
			p[n].fd = e->client_fd < 0 && !e->waiting ?
				  e->listen_fd : -1;
			p[n++].events = POLLIN;
			p[n].fd = e->client_fd;
			p[n++].events = POLLIN;
		}
		if (poll(p, n, 1000) < 0)
			continue;
		if (p[0].revents) {
			manager_fd = accept4(backend_listen, NULL, NULL,
					     SOCK_CLOEXEC);
			if (manager_fd >= 0)
				log_info("the manager connected");
		}
		if (p[1].revents)
			on_manager();
		for (i = 0; i < neps; i++) {
			struct endpoint *e = &eps[i];
			int one = 1;

			if (p[2 + 2 * i].revents) {
				e->client_fd = accept4(e->listen_fd, NULL,
						       NULL, SOCK_CLOEXEC);
				if (e->client_fd >= 0)
					setsockopt(e->client_fd, IPPROTO_TCP,
						   TCP_NODELAY, &one,
						   sizeof(one));
			}
			if (p[3 + 2 * i].revents && e->client_fd >= 0)
				on_client(e);
		}
	}
	return 0;
}
