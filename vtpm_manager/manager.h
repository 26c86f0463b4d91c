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
 * (tmp, fsync, rename, fsync dir) as <root>/instances/<N>.state.
 * Return: 0 or -errno; only after 0 may the save be acknowledged.
 */
int seal_state_store(struct seal *sp, uint32_t instance, const char *uuid,
		     const uint8_t *blob, size_t len);
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

/* ---- the core files (main.c, event.c, backend.c, instance.c, fifo.c,
 * console.c, db.c) add their sections below. ---- */

#endif /* VTPM_MANAGER_H */
