/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tpmd's private header: the listening sockets (net.c) and the durable
 * state directory (store.c) that tpmd.c drives.  Nothing here knows about
 * TPM commands; tpmd.c alone decides what a byte means.
 */
#ifndef TPMD_H
#define TPMD_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/un.h>

struct tpm_state;

/* Most --listen options (DESIGN 9: typically one unix and one tcp). */
#define TPMD_MAX_LISTENERS	2
/* Pending connections the kernel queues while one client is served. */
#define TPMD_LISTEN_BACKLOG	16
/* Host bound by "tcp:PORT" (and "tcp::PORT"): loopback only. */
#define TPMD_DEFAULT_HOST	"127.0.0.1"

enum listener_kind {
	LISTEN_TCP,
	LISTEN_UNIX,
};

struct listener {
	const char *spec;		/* as given, for messages */
	enum listener_kind kind;
	char host[256];			/* tcp: empty means loopback */
	char port[8];			/* tcp: decimal, 1..65535 */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)]; /* unix */
	char unlink_path[PATH_MAX];	/* unix: absolute, to remove at exit */
	bool bound;			/* unix: we created the path */
	int fd;				/* -1 when closed */
};

/* net.c */
int listener_parse(struct listener *l, const char *spec);
int listener_open(struct listener *l);
void listener_close(struct listener *l);
int listener_accept(struct listener *l, char *peer, size_t peer_len);
int net_send_all(int fd, const uint8_t *buf, size_t len, int timeout_ms);
int make_abs_path(char *dst, size_t dst_len, const char *path);
uint64_t monotonic_ms(void);

/* The durable state directory. */
struct store {
	const char *dir;	/* as given, for messages */
	int dir_fd;		/* -1 when closed */
	int lock_fd;		/* holds the flock on DIR/.lock */
};

/* store.c */
#define STORE_STATE_FILE	"tpm.state"
int store_open(struct store *st, const char *dir);
void store_close(struct store *st);
int store_load(struct store *st, struct tpm_state **tpm, const char **why);
int store_save(struct store *st, struct tpm_state *tpm, const char **step);

#endif /* TPMD_H */
