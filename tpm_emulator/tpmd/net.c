// SPDX-License-Identifier: GPL-2.0
/*
 * tpmd's sockets: parsing "tcp:HOST:PORT" / "unix:PATH", binding them,
 * accepting clients and writing whole responses.  It moves bytes only;
 * framing and TPM semantics live in tpmd.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "tpmd.h"

/* Highest TCP port number. */
#define TCP_PORT_MAX	65535UL

static int parse_port(struct listener *l, const char *s)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v == 0 || v > TCP_PORT_MAX)
		return -EINVAL;
	snprintf(l->port, sizeof(l->port), "%lu", v);
	return 0;
}

static int parse_tcp(struct listener *l, const char *rest)
{
	const char *colon;
	size_t host_len;

	if (rest[0] == '[') {
		/* tcp:[v6addr]:PORT */
		const char *close = strchr(rest, ']');

		if (!close || close[1] != ':')
			return -EINVAL;
		host_len = (size_t)(close - rest - 1);
		if (host_len == 0 || host_len >= sizeof(l->host))
			return -EINVAL;
		memcpy(l->host, rest + 1, host_len);
		l->host[host_len] = '\0';
		return parse_port(l, close + 2);
	}

	colon = strrchr(rest, ':');
	if (!colon) {
		/* tcp:PORT binds loopback. */
		l->host[0] = '\0';
		return parse_port(l, rest);
	}
	host_len = (size_t)(colon - rest);
	if (host_len >= sizeof(l->host))
		return -EINVAL;
	memcpy(l->host, rest, host_len);
	l->host[host_len] = '\0';
	return parse_port(l, colon + 1);
}

/**
 * listener_parse() - check a --listen argument and fill in @l.
 * @l: listener to set up (not yet bound).
 * @spec: "tcp:PORT", "tcp:HOST:PORT", "tcp:[V6ADDR]:PORT" or "unix:PATH";
 *        must stay valid while @l is used.
 *
 * An empty or missing host means loopback (TPMD_DEFAULT_HOST): binding a
 * wider address must be asked for explicitly.  Logs why a spec is bad.
 *
 * Return: 0, or -EINVAL for a malformed spec.
 */
int listener_parse(struct listener *l, const char *spec)
{
	memset(l, 0, sizeof(*l));
	l->spec = spec;
	l->fd = -1;

	if (!strncmp(spec, "tcp:", 4)) {
		l->kind = LISTEN_TCP;
		if (parse_tcp(l, spec + 4)) {
			log_warnx("%s: expected tcp:[HOST:]PORT with PORT 1..%lu",
				  spec, TCP_PORT_MAX);
			return -EINVAL;
		}
		return 0;
	}
	if (!strncmp(spec, "unix:", 5)) {
		size_t len = strlen(spec + 5);

		l->kind = LISTEN_UNIX;
		if (len == 0 || len >= sizeof(l->path)) {
			log_warnx("%s: unix socket path must be 1..%zu bytes",
				  spec, sizeof(l->path) - 1);
			return -EINVAL;
		}
		memcpy(l->path, spec + 5, len + 1);
		return 0;
	}
	log_warnx("%s: listen address must start with tcp: or unix:", spec);
	return -EINVAL;
}

/**
 * make_abs_path() - make @path absolute against the current directory.
 * @dst: output buffer.
 * @dst_len: its size.
 * @path: relative or absolute path.
 *
 * tpmd changes directory to / when it daemonizes, so paths it must remove
 * at exit are made absolute while the caller's directory is still known.
 *
 * Return: 0, or -ENAMETOOLONG / -errno from getcwd().
 */
int make_abs_path(char *dst, size_t dst_len, const char *path)
{
	char cwd[PATH_MAX];
	int n;

	if (path[0] == '/') {
		n = snprintf(dst, dst_len, "%s", path);
	} else {
		if (!getcwd(cwd, sizeof(cwd)))
			return -errno;
		n = snprintf(dst, dst_len, "%s/%s", cwd, path);
	}
	if (n < 0 || (size_t)n >= dst_len)
		return -ENAMETOOLONG;
	return 0;
}

static int open_tcp(struct listener *l)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_NUMERICSERV,
	};
	struct addrinfo *res, *ai;
	const char *host = l->host[0] ? l->host : TPMD_DEFAULT_HOST;
	int one = 1;
	int err, gai;

	gai = getaddrinfo(host, l->port, &hints, &res);
	if (gai) {
		log_warnx("%s: cannot resolve %s: %s", l->spec, host,
			  gai_strerror(gai));
		return -EADDRNOTAVAIL;
	}

	/* The first address that binds wins; one socket per --listen. */
	err = -EADDRNOTAVAIL;
	for (ai = res; ai; ai = ai->ai_next) {
		int fd = socket(ai->ai_family,
				ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
				ai->ai_protocol);

		if (fd < 0) {
			err = -errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) ||
		    listen(fd, TPMD_LISTEN_BACKLOG)) {
			err = -errno;
			close(fd);
			continue;
		}
		l->fd = fd;
		err = 0;
		break;
	}
	freeaddrinfo(res);
	if (err) {
		errno = -err;
		log_warn("%s: cannot listen", l->spec);
	}
	return err;
}

/*
 * A socket file left by a tpmd that died is removed; one that still has a
 * listener, or a path that is not a socket, is left alone.
 */
static int clear_stale_socket(struct listener *l, struct sockaddr_un *sun)
{
	struct stat stb;
	int fd, err;

	if (lstat(l->path, &stb)) {
		if (errno == ENOENT)
			return 0;
		log_warn("%s: cannot stat", l->spec);
		return -errno;
	}
	if (!S_ISSOCK(stb.st_mode)) {
		log_warnx("%s: path exists and is not a socket", l->spec);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_warn("%s: socket", l->spec);
		return -errno;
	}
	err = connect(fd, (struct sockaddr *)sun, sizeof(*sun)) ? errno : 0;
	close(fd);
	if (!err) {
		log_warnx("%s: another process is listening on it", l->spec);
		return -EADDRINUSE;
	}
	if (err != ECONNREFUSED) {
		errno = err;
		log_warn("%s: cannot probe existing socket", l->spec);
		return -err;
	}
	if (unlink(l->path)) {
		log_warn("%s: cannot remove stale socket", l->spec);
		return -errno;
	}
	return 0;
}

static int open_unix(struct listener *l)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	mode_t old_mask;
	int fd, err;

	memcpy(sun.sun_path, l->path, strlen(l->path) + 1);
	err = make_abs_path(l->unlink_path, sizeof(l->unlink_path), l->path);
	if (err) {
		errno = -err;
		log_warn("%s: cannot resolve path", l->spec);
		return err;
	}
	err = clear_stale_socket(l, &sun);
	if (err)
		return err;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = -errno;
		log_warn("%s: socket", l->spec);
		return err;
	}
	/* The TPM answers anyone who can connect: owner only (0600). */
	old_mask = umask(0177);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		err = -errno;
		umask(old_mask);
		log_warn("%s: cannot bind", l->spec);
		goto err_close_fd;
	}
	umask(old_mask);
	l->bound = true;
	if (listen(fd, TPMD_LISTEN_BACKLOG)) {
		err = -errno;
		log_warn("%s: cannot listen", l->spec);
		goto err_unlink_path;
	}
	l->fd = fd;
	return 0;

err_unlink_path:
	unlink(l->path);
	l->bound = false;
err_close_fd:
	close(fd);
	return err;
}

/**
 * listener_open() - bind and listen on a parsed address.
 * @l: listener from listener_parse().
 *
 * Logs the reason on failure.
 *
 * Return: 0 or a negative errno.
 */
int listener_open(struct listener *l)
{
	if (l->kind == LISTEN_TCP)
		return open_tcp(l);
	return open_unix(l);
}

/**
 * listener_close() - stop listening and remove a unix socket we created.
 * @l: listener; closing twice, or a listener never opened, is fine.
 */
void listener_close(struct listener *l)
{
	if (l->fd >= 0) {
		close(l->fd);
		l->fd = -1;
	}
	if (l->bound) {
		if (unlink(l->unlink_path) && errno != ENOENT)
			log_warn("%s: cannot remove socket", l->unlink_path);
		l->bound = false;
	}
}

/**
 * listener_accept() - accept one pending client.
 * @l: an open listener.
 * @peer: set to a printable peer name for debug logs.
 * @peer_len: size of @peer.
 *
 * The new socket is non-blocking and, for TCP, has Nagle disabled: a TPM
 * response is one small write and must not wait for an ACK.
 *
 * Return: the client fd, or a negative errno (-EAGAIN: nothing pending).
 */
int listener_accept(struct listener *l, char *peer, size_t peer_len)
{
	struct sockaddr_storage ss;
	socklen_t ss_len = sizeof(ss);
	char host[NI_MAXHOST], serv[NI_MAXSERV];
	int one = 1;
	int fd;

	fd = accept4(l->fd, (struct sockaddr *)&ss, &ss_len,
		     SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (l->kind == LISTEN_UNIX) {
		snprintf(peer, peer_len, "%s", l->spec);
		return fd;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (getnameinfo((struct sockaddr *)&ss, ss_len, host, sizeof(host),
			serv, sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV))
		snprintf(peer, peer_len, "%s", l->spec);
	else
		snprintf(peer, peer_len, "tcp:%s:%s", host, serv);
	return fd;
}

/**
 * monotonic_ms() - milliseconds on CLOCK_MONOTONIC, for timeouts.
 *
 * Return: the time; never goes backwards.
 */
uint64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000U + (uint64_t)ts.tv_nsec / 1000000U;
}

/**
 * net_send_all() - write a whole buffer to a non-blocking socket.
 * @fd: the socket.
 * @buf: bytes to send.
 * @len: number of bytes.
 * @timeout_ms: how long a client that does not read may hold us up.
 *
 * A response normally fits the socket buffer and leaves in one send();
 * polling only happens for a client that stopped reading.
 *
 * Return: 0, -ETIMEDOUT, or a negative errno (e.g. -EPIPE: peer gone).
 */
int net_send_all(int fd, const uint8_t *buf, size_t len, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	uint64_t deadline = 0;

	while (len > 0) {
		uint64_t now;
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		/*
		 * Full socket buffer: the client is not reading.  One deadline
		 * for the whole response, so a trickling reader cannot stretch
		 * it.
		 */
		now = monotonic_ms();
		if (!deadline)
			deadline = now + (uint64_t)timeout_ms;
		if (now >= deadline)
			return -ETIMEDOUT;
		n = poll(&pfd, 1, (int)(deadline - now));
		if (n < 0 && errno != EINTR)
			return -errno;
	}
	return 0;
}
