/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tpmd's private header: the daemon's state (tpmd.c), the client
 * connection and its framing (conn.c), the listening sockets (net.c) and
 * the durable state directory (store.c).  Only conn.c reads client bytes.
 */
#ifndef TPMD_H
#define TPMD_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/un.h>

#include "log.h"
#include "tpm_emulator.h"

/* Most --listen options (DESIGN 9: typically one unix and one tcp). */
#define TPMD_MAX_LISTENERS	2
/* Pending connections the kernel queues while one client is served. */
#define TPMD_LISTEN_BACKLOG	16
/* A client must deliver a whole command within this time (ms). */
#define TPMD_CMD_TIMEOUT_MS	30000
/* TPM command header: tag u16, paramSize u32, ordinal u32 (Part 1). */
#define TPM_HEADER_SIZE		10U
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
	/* unix: the path as given */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char unlink_path[PATH_MAX];	/* unix: absolute, removed at exit */
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

struct options {
	const char *listen[TPMD_MAX_LISTENERS];
	int nlisten;
	const char *state_dir;
	const char *pidfile;
	const char *startup_name;
	uint16_t startup;	/* TPM_ST_*, or 0 for --startup none */
	bool no_ek;
	bool foreground;
	bool verbose;
};

/* The one connected client; others wait in the listen backlog. */
struct client {
	int fd;			/* -1: nobody connected */
	bool draining;		/* error answered; discarding until EOF */
	size_t have;		/* bytes buffered in buf */
	uint64_t deadline;	/* ms; set while have > 0 or draining */
	char peer[128];
	uint8_t buf[TPM_MAX_COMMAND_SIZE];
};

struct tpmd {
	struct options opt;
	struct listener lis[TPMD_MAX_LISTENERS];
	struct store store;
	struct tpm_state *tpm;
	/*
	 * The engine holds changes that are not on disk.  Until a save
	 * succeeds every command is answered TPM_FAIL: a TPM that reports
	 * success and then forgets is worse than one that reports failure.
	 */
	bool unsaved;
	char pidfile[PATH_MAX];	/* absolute; empty until written */
	int sig_fd;
	struct client cl;
	struct log_ratelimit rl_client;	/* warnings clients can trigger */
	struct log_ratelimit rl_save;	/* repeated save failures */
	uint8_t rsp[TPM_MAX_COMMAND_SIZE];
};

/* tpmd.c */
size_t tpmd_execute(struct tpmd *d, const uint8_t *cmd, uint32_t size);

/* conn.c */
size_t error_response(uint8_t *rsp, uint16_t req_tag, uint32_t rc);
void client_accept(struct tpmd *d, struct listener *l);
void client_close(struct tpmd *d, const char *why);
int client_timeout(const struct client *cl);
void client_event(struct tpmd *d, short revents);

#endif /* TPMD_H */
