/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vtpm_managerd's one private header: prototypes grouped by the file that
 * defines them (OpenBSD ntpd.h style).  The boundary between the core
 * (event loop, instances, backend, console) and the protection of state
 * (seal.c, hwtpm.c) is fixed here; each side may add to its own sections.
 */
#ifndef VTPM_MANAGER_H
#define VTPM_MANAGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vtpm_ipc.h"

/* Defaults (Rules.mk may override at build time). */
#ifndef VTPM_DEFAULT_ROOT
#define VTPM_DEFAULT_ROOT	"/var/vtpm"
#endif
#define VTPM_DEFAULT_BACKEND	"/dev/vtpm"
#define VTPM_DEFAULT_HWTPM	"/dev/tpm0"
#define VTPM_DEFAULT_CONFIG	"/etc/vtpm/vtpm_managerd.conf"
/* A guest request unanswered this long gets TPM_FAIL and its vtpmd is
 * restarted (seconds; RSA-2048 key generation is the slowest command). */
#define VTPM_CMD_TIMEOUT_S	60U
/* Requests queued behind the one in flight, per instance. */
#define VTPM_QUEUE_MAX		8U
#define VTPM_MASTER_KEY_SIZE	32U	/* AES-256 */

/* ---- hwtpm.c: the hardware TPM (or a stand-in speaking raw TPM 1.2) ---- */
struct hwtpm;

/* Settings of the hardware TPM from the config file. */
struct hwtpm_config {
	const char *device;		/* /dev/tpm0, tcp:H:P or unix:PATH */
	bool owner_auth_set;		/* owner secret known */
	uint8_t owner_auth[20];
	uint8_t srk_auth[20];		/* default: well-known (zeros) */
	uint32_t seal_pcr_mask;		/* dom0 PCRs the master key is bound to */
	const char *root;		/* state root (for the recorded auth) */
};

/**
 * hwtpm_open() - connect to the hardware TPM and make it usable: run
 * TPM_Startup if it needs one, check it is enabled and active, and deal
 * with ownership as DESIGN 4 says (use it when owned with the configured
 * owner secret; take ownership when unowned, recording the new owner
 * secret in <root>/hwtpm-owner.auth 0600 and logging where; refuse with
 * a clear message otherwise).
 * Return: 0 or -errno; *h set on success.
 */
int hwtpm_open(struct hwtpm **h, const struct hwtpm_config *cfg);
void hwtpm_close(struct hwtpm *h);
/* Raw transaction (one command, one response). */
int hwtpm_transact(struct hwtpm *h, const uint8_t *cmd, size_t len,
		   uint8_t *rsp, size_t cap, size_t *rsp_len);
/* TPM_Seal @data under the SRK (bound to cfg->seal_pcr_mask, if any);
 * *blob is malloc()ed. */
int hwtpm_seal(struct hwtpm *h, const uint8_t *data, size_t len,
	       uint8_t **blob, size_t *blob_len);
/* TPM_Unseal; -EACCES when the TPM refuses (wrong PCRs, other TPM). */
int hwtpm_unseal(struct hwtpm *h, const uint8_t *blob, size_t blob_len,
		 uint8_t *out, size_t cap, size_t *len);
/* A short description for STATUS ("tpm1.2 /dev/tpm0", "emulated ..."). */
const char *hwtpm_describe(const struct hwtpm *h);
/**
 * hwtpm_spawn_emulator() - --emulate-hw-tpm: start our own tpmd with
 * its state under <root>/hwtpm/ on a unix socket, wait until it answers,
 * and log a loud warning that there is no hardware root of trust.
 * @root: state root.  @tpmd_path: the tpmd binary.  @spec: set to the
 * "unix:PATH" to pass to hwtpm_open().  @pid: the child.
 */
int hwtpm_spawn_emulator(const char *root, const char *tpmd_path,
			 char *spec, size_t spec_cap, int *pid);

/* ---- seal.c: the master key and the sealed instance state files ---- */
struct seal;

/**
 * seal_open() - load the master key: unseal <root>/manager.sealed with
 * the hardware TPM, or, on first start only (no manager.sealed and no
 * instance state at all), generate a 256-bit key, seal it and store it
 * durably.  Never silently creates a new key when old sealed state
 * exists.  The key lives in mlock()ed memory.
 * Return: 0 or -errno (-EACCES: the TPM refused to unseal; -EBADMSG:
 * manager.sealed is damaged) with a clear log line.
 */
int seal_open(struct seal **sp, const char *root, struct hwtpm *hw);
void seal_close(struct seal *sp);
/**
 * seal_state_store() - encrypt (AES-256-GCM, AAD = instance, uuid,
 * generation) and store an instance's engine blob atomically and durably
 * (tmp, fsync, rename, fsync dir) as <root>/instances/<N>.state.  The
 * new generation is recorded in memory; the index file follows with
 * seal_index_flush().
 * Return: 0 or -errno; only after 0 may the save be acknowledged.
 */
int seal_state_store(struct seal *sp, uint32_t instance, const char *uuid,
		     const uint8_t *blob, size_t len);
/**
 * seal_index_flush() - write the generation index if a store changed it
 * (tmp, fsync, rename, fsync dir), after the save was acknowledged: the
 * guest never waits for it.  With @wait false it returns at once when
 * another thread is writing the index (that one writes this change too).
 * Return: 0 or -errno (the index stays marked for the next flush).
 */
int seal_index_flush(struct seal *sp, bool wait);
/**
 * seal_state_load() - read and authenticate an instance's state.
 * Return: 0 (*blob malloc()ed), -ENOENT (never saved: a new instance),
 * -EBADMSG (tampered, truncated, foreign or rolled back: the file is left
 * in place and *why says what), or another -errno.
 */
int seal_state_load(struct seal *sp, uint32_t instance, const char *uuid,
		    uint8_t **blob, size_t *len, const char **why);
/* DELETE: remove the state file (and its generation record). */
int seal_state_delete(struct seal *sp, uint32_t instance);
/* Unix time of the last successful store, 0 if never (for LIST). */
uint64_t seal_state_mtime(struct seal *sp, uint32_t instance);

/* ---- the core ---- */
#include <sys/types.h>

/* A guest request waiting for, or being served by, its vtpmd. */
struct request {
	uint32_t len;			/* frame length (prefix + packet) */
	uint8_t frame[VTPM_MAX_FRAME];
};

enum inst_state {
	INST_STOPPED = 0,		/* known (db), no vtpmd */
	INST_STARTING,			/* vtpmd spawned, LOADNVM pending */
	INST_RUNNING,
	INST_STOPPING,			/* CLOSE/DELETE: SIGTERM sent */
};

struct instance {
	uint32_t id;
	char uuid[VTPM_MAX_UUID + 1];
	char domain[64];		/* name when known (xenstore) */
	enum inst_state state;
	bool open;			/* should run (persisted) */
	bool xs_managed;		/* opened for a xenstore device: runs
					 * while the guest does, not in
					 * open.list (xenstore.c) */
	bool delete_after_stop;
	uint8_t startup;		/* VTPM_STARTUP_* of the next start */
	uint8_t vm_type;
	pid_t pid;
	int cmd_fd;			/* tpm_cmd_to_<N>.fifo, O_RDWR */
	int nvm_rsp_fd;			/* vtpm_rsp_to_<N>.fifo, O_RDWR */
	/* Guest requests: [0] is in flight when busy. */
	struct request *queue[1 + VTPM_QUEUE_MAX];
	unsigned int queued;
	bool busy;
	uint64_t deadline_ms;		/* of the request in flight */
	/* SAVENVM reassembly and the save in progress. */
	uint8_t *nvm_buf;
	uint32_t nvm_total, nvm_got;
	bool saving;
	/* Restart bookkeeping: back off a vtpmd that keeps dying. */
	unsigned int crashes;
	uint64_t restart_at_ms;
	/* Killed by the manager to be restarted at once (shared FIFOs
	 * recreated): no back-off, not a crash. */
	bool restart_now;
};

struct mgr_config {
	const char *root;
	const char *backend;		/* /dev/vtpm or unix:PATH */
	const char *hwtpm;		/* NULL: emulate */
	bool emulate_hw_tpm;
	const char *vtpmd_path;
	const char *tpmd_path;
	const char *config_file;
	bool foreground;
	int verbose;
	unsigned int cmd_timeout_s;
	struct hwtpm_config hw;
	int xenstore;			/* -1 auto, 0 --no-xenstore, 1 --xenstore */
};

struct mgr {
	struct mgr_config cfg;
	struct hwtpm *hw;
	struct seal *seal;
	int backend_fd;
	int console_fd;			/* listening socket */
	int rsp_fd;			/* tpm_rsp_from_all.fifo, O_RDWR */
	int nvm_fd;			/* vtpm_cmd_from_all.fifo, O_RDWR */
	/* Frames cut out of those two (fifo.c); both FIFOs, and so both
	 * fds, are replaced when one is out of sync. */
	struct vtpm_stream rsp_in, nvm_in;
	int signal_fd;
	int save_done_fd;		/* eventfd: a save finished */
	pid_t emulator_pid;
	struct instance **inst;		/* sorted by id */
	size_t ninst, cap_inst;
	uint64_t started_ms;
	bool stopping;
	/* inst_tick() scans the table only from this time on (ms; 0: at
	 * once, UINT64_MAX: nothing pending): the data path costs O(1). */
	uint64_t tick_at;
	/* mgr_now_ms() when poll() last returned: the data path's clock,
	 * read once per wake-up (a system call where there is no vDSO
	 * clock, as in some Xen dom0s). */
	uint64_t now_ms;
	struct xs_plane *xs;		/* NULL: no xenstore control plane */
	/* What db_save() last wrote (NULL: nothing yet), so that an open or
	 * close that changes neither file costs no fsync on the event loop. */
	struct db_written {
		char *buf;
		size_t len;
	} db_last, open_last;
};

/* main.c */
uint64_t mgr_now_ms(void);

/* event.c */
int mgr_run(struct mgr *m);

/* backend.c */
int backend_open(struct mgr *m);
void backend_close(struct mgr *m);
/* Read one frame and route it (instance.c); never fails on guest input. */
void backend_on_readable(struct mgr *m);
/* Send a response frame to the guest; a failing backend is fatal. */
void backend_send(struct mgr *m, const uint8_t *frame, size_t len);
/* Answer a guest request with a 10-byte TPM error. */
void backend_send_error(struct mgr *m, uint32_t instance, uint16_t req_tag,
			uint32_t rc);

/* fifo.c */
int fifo_init(struct mgr *m);
void fifo_fini(struct mgr *m);
int fifo_instance_open(struct mgr *m, struct instance *in);
void fifo_instance_close(struct instance *in, const char *root, bool unlink);
/* A shared FIFO is out of sync: replace both and restart every vtpmd
 * (fatal only when the new FIFOs cannot be made). */
void fifo_recover(struct mgr *m, const char *which);

/* instance.c */
struct instance *inst_find(struct mgr *m, uint32_t id);
struct instance *inst_get(struct mgr *m, uint32_t id);	/* find or add */
void inst_remove(struct mgr *m, struct instance *in);
/* How the next vtpmd of @in starts (an opener's choice), with the crash
 * back-off of an earlier one forgotten. */
void inst_set_start(struct instance *in, uint8_t startup, uint8_t vm_type);
int inst_start(struct mgr *m, struct instance *in);
void inst_stop(struct mgr *m, struct instance *in);
void inst_guest_request(struct mgr *m, const uint8_t *frame, size_t len);
/* Serve the frames on tpm_rsp_from_all / vtpm_cmd_from_all: 0, or
 * -EBADMSG when that FIFO is out of sync (then fifo_recover()). */
int inst_on_response(struct mgr *m);
int inst_on_nvm(struct mgr *m);
/* Kill every vtpmd to restart it at once from its last saved state. */
void inst_restart_all(struct mgr *m);
void inst_reap(struct mgr *m);			/* SIGCHLD */
void inst_tick(struct mgr *m);			/* timeouts, restarts */
uint64_t inst_next_deadline(struct mgr *m);	/* 0: none */
/* Something other than a guest request or a vtpmd's answer happened:
 * the next inst_tick() scans every instance. */
static inline void inst_tick_soon(struct mgr *m)
{
	m->tick_at = 0;
}
void inst_stop_all(struct mgr *m);

/* save.c: the save worker threads (slow disk off the event loop) */
int save_init(struct mgr *m);
void save_fini(struct mgr *m);
/* Queue a durable store of @blob (ownership passes to the worker). */
int save_submit(struct mgr *m, uint32_t instance, uint8_t *blob,
		size_t len);
/* Collect finished saves: calls inst_save_finished() for each. */
void save_collect(struct mgr *m);
void inst_save_finished(struct mgr *m, uint32_t instance, int err);

/* console.c */
int console_open(struct mgr *m);
void console_close(struct mgr *m);
void console_on_readable(struct mgr *m);

/* db.c: vtpm.db (uuid -> instance) and the list of open instances */
int db_load(struct mgr *m);
int db_save(struct mgr *m);
/* Free what db_save() remembers of the files it wrote. */
void db_fini(struct mgr *m);
/* Instance of @uuid, 0 if none. */
uint32_t db_lookup_uuid(struct mgr *m, const char *uuid);
/* Lowest free instance >= 1 (or @pref when free). */
uint32_t db_alloc_instance(struct mgr *m, uint32_t pref);
/**
 * db_bind_uuid() - the instance of @uuid (compared without case): its
 * vtpm.db entry, else @pref when no instance has that number, else the
 * lowest free one.  A new binding is added to the table; the caller makes
 * it durable with db_save().
 * Return: 0 (*id set; *created true for a new binding), -EEXIST (@pref is
 * another instance's), -ENOSPC (no free instance), -EINVAL (@uuid not a
 * vtpm.db key, @pref out of range) or -ENOMEM.
 */
int db_bind_uuid(struct mgr *m, const char *uuid, uint32_t pref,
		 uint32_t *id, bool *created);

/* xenstore.c: the xenstore control plane (DESIGN 5).  It reaches
 * xenstore and the hypervisor only through these operations, so that the
 * unit test can run it on an in-memory store. */
struct xs_plane;
struct xs_ops {
	int (*open)(void **h);				/* 0 or -errno */
	void (*close)(void *h);
	int (*fileno)(void *h);		/* readable: events pending */
	int (*watch)(void *h, const char *path, const char *token);
	int (*unwatch)(void *h, const char *path, const char *token);
	/* 0 with *path and *token malloc()ed, -EAGAIN when none pending,
	 * another -errno when the connection is lost. */
	int (*next_event)(void *h, char **path, char **token);
	/* The value (malloc()ed, NUL-terminated, *len bytes before the
	 * NUL), or NULL with errno (ENOENT: no such node). */
	char *(*read)(void *h, const char *path, unsigned int *len);
	/* The children's names (one allocation: free() it once), or NULL. */
	char **(*directory)(void *h, const char *path, unsigned int *n);
	/* In one transaction: write @dir/@key = @value only if
	 * @dir/@check_key reads @check_value.  0, -ENOENT (it does not),
	 * -EAGAIN (conflict: retry), or -errno. */
	int (*write_if)(void *h, const char *dir, const char *check_key,
			const char *check_value, const char *key,
			const char *value);
	/* 1: the domain exists and is not dying (*hvm set), 0: gone,
	 * -errno: cannot tell. */
	int (*domain_alive)(void *h, unsigned int domid, bool *hvm);
};
/* xs_libxen.c, when built with libxenstore and libxenctrl. */
extern const struct xs_ops xs_libxen_ops;
/* Watch the backend root and re-adopt the devices already there. */
int xs_init(struct mgr *m, const struct xs_ops *ops);
void xs_fini(struct mgr *m);
int xs_fd(struct mgr *m);			/* -1 when off */
void xs_on_readable(struct mgr *m);
/* Pending "instance" writes, the domain poll. */
void xs_tick(struct mgr *m);
uint64_t xs_next_deadline(struct mgr *m);	/* 0: none */

#endif /* VTPM_MANAGER_H */
