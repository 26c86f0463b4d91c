/* SPDX-License-Identifier: GPL-2.0 */
/*
 * In-memory forms of the TPM 1.2 structures (TCG Main Part 2) and the whole
 * engine state, struct tpm_state.  Wire forms are produced only by
 * marshal_struct.c; serialised state only by state.c.
 */
#ifndef TPM_STRUCTURES_H
#define TPM_STRUCTURES_H

#include <stdbool.h>
#include <stdint.h>

#include "constants.h"
#include "crypto.h"
#include "daa.h"

/* Sizes and limits of this TPM (reported by GetCapability). */
#define TPM_DIGEST_SIZE		20U	/* SHA-1 */
#define TPM_NONCE_SIZE		20U
#define TPM_AUTH_SIZE		20U
#define TPM_NUM_PCR		24U	/* PC Client spec 1.2 */
#define TPM_PCR_SELECT_MAX	3U	/* bytes of select bitmap (24 PCRs) */
#define TPM_MAX_KEYS		16U	/* loaded key slots */
#define TPM_MAX_SESSIONS	16U	/* OIAP/OSAP/DSAP/transport slots */
#define TPM_MAX_COUNTERS	8U	/* monotonic counters; spec min 4 */
#define TPM_MAX_NV_INDEXES	64U	/* defined NV areas */
#define TPM_MAX_NV_SPACE	8192U	/* bytes of NV data in total */
#define TPM_MAX_NV_WRITE_NOOWNER 64U	/* Part 3, 20.2: writes before nvLocked */
#define TPM_NUM_DIRS		1U	/* DIR registers (1.2 requires 1) */
#define TPM_MAX_KEY_BITS	2048U
#define TPM_MAX_KEY_BYTES	(TPM_MAX_KEY_BITS / 8)
#define TPM_MAX_SEAL_DATA	1024U	/* Seal/Unseal payload bytes */
#define TPM_MAX_SHA1_DATA	1024U	/* TPM_SHA1Update chunk (reported) */
#define TPM_MAX_EXP_BYTES	4U	/* public exponent bytes we accept */
#define TPM_SECRET_SIZE		20U
#define TPM_DA_THRESHOLD	5U	/* failures before the lockout starts */
#define TPM_DA_BASE_SECONDS	2U	/* first lockout; doubles per failure */
#define TPM_DA_MAX_SECONDS	600U	/* lockout never exceeds this */

/* Part 2, 8.1: TPM_PCR_SELECTION. */
struct tpm_pcr_selection {
	uint16_t size;				/* bytes used in sel */
	uint8_t sel[TPM_PCR_SELECT_MAX];
};

/*
 * Part 2, 8.3-8.5: one type for TPM_PCR_INFO (1.1), TPM_PCR_INFO_LONG and
 * TPM_PCR_INFO_SHORT; `kind` says which wire form it came from.
 */
enum tpm_pcr_info_kind {
	PCR_INFO_NONE = 0,	/* no PCR binding (size 0 on the wire) */
	PCR_INFO_11,		/* TPM_PCR_INFO */
	PCR_INFO_LONG,		/* TPM_PCR_INFO_LONG */
	PCR_INFO_SHORT,		/* TPM_PCR_INFO_SHORT */
};

struct tpm_pcr_info {
	enum tpm_pcr_info_kind kind;
	uint8_t locality_at_creation;		/* LONG */
	uint8_t locality_at_release;		/* LONG, SHORT */
	struct tpm_pcr_selection creation_sel;	/* LONG; 1.1: == release */
	struct tpm_pcr_selection release_sel;	/* all kinds */
	uint8_t digest_at_creation[TPM_DIGEST_SIZE];	/* 11, LONG */
	uint8_t digest_at_release[TPM_DIGEST_SIZE];	/* all kinds */
};

/* Part 2, 10.1: TPM_KEY_PARMS for RSA keys (the only algorithm keys use). */
struct tpm_key_parms {
	uint32_t algorithm;		/* TPM_ALG_RSA (or a symmetric alg) */
	uint16_t enc_scheme;
	uint16_t sig_scheme;
	uint32_t key_bits;
	uint32_t num_primes;
	uint32_t exp_size;		/* 0 means 65537 */
	uint8_t exponent[TPM_MAX_EXP_BYTES];
};

/*
 * Part 2, 10.2/10.3: TPM_KEY and TPM_KEY12, with the private part (when
 * known) as an OpenSSL key.  Used for loaded keys, the SRK and the EK.
 */
struct tpm_key {
	bool valid;
	bool key12;			/* TPM_KEY12 (tag 0x0028) vs TPM_KEY */
	uint8_t ver[4];			/* TPM_STRUCT_VER of a 1.1 TPM_KEY */
	uint16_t usage;			/* TPM_KEY_USAGE */
	uint32_t flags;			/* TPM_KEY_FLAGS */
	uint8_t auth_usage;		/* TPM_AUTH_DATA_USAGE */
	struct tpm_key_parms parms;
	struct tpm_pcr_info pcr;	/* kind NONE when not PCR-bound */
	uint32_t n_len;
	uint8_t n[TPM_MAX_KEY_BYTES];	/* modulus, big-endian */
	uint8_t usage_auth[TPM_SECRET_SIZE];
	uint8_t migration_auth[TPM_SECRET_SIZE];
	uint8_t pub_digest[TPM_DIGEST_SIZE];	/* of the TPM_KEY public part */
	/* TPM_STORE_ASYMKEY payload (Part 2, 10.6): TPM_PT_ASYM, or for a
	 * CMK TPM_PT_MIGRATE_RESTRICTED/_EXTERNAL; 0 means the default
	 * (keys.c key_payload()). */
	uint8_t payload;
	struct tpm_rsa *rsa;		/* NULL when only the public part */
	/* Loaded-key bookkeeping (slots only). */
	uint32_t handle;
	uint32_t parent_handle;
	bool parent_pcr_status;		/* Part 1: key or any parent PCR-bound */
	bool owner_evict;		/* KeyControlOwner: survives flush */
};

/* Part 2, 10.5: TPM_STORE_PRIVKEY, u32 keyLength || the prime p. */
#define TPM_STORE_PRIVKEY_MAX	(4U + TPM_MAX_KEY_BYTES)
/* Part 2, 10.6: TPM_STORE_ASYMKEY at its largest: payload, usageAuth,
 * migrationAuth, pubDataDigest, TPM_STORE_PRIVKEY. */
#define TPM_STORE_ASYMKEY_MAX	(1U + 3U * TPM_DIGEST_SIZE + \
				 TPM_STORE_PRIVKEY_MAX)
/* Part 2, 10.8: TPM_MIGRATE_ASYMKEY without partPrivKey: payload,
 * usageAuth, pubDataDigest, partPrivKeyLen. */
#define TPM_MIGRATE_ASYMKEY_FIXED (1U + 2U * TPM_DIGEST_SIZE + 4U)

/*
 * Part 2, 10.6: TPM_STORE_ASYMKEY, the plaintext of a wrapped key's
 * encData.  privKey is kept as its wire bytes (u32 keyLength || p), since
 * migration splits exactly those bytes (Part 3, 11.2 step 5a).
 */
struct tpm_store_asymkey {
	uint8_t payload;
	uint8_t usage_auth[TPM_SECRET_SIZE];
	uint8_t migration_auth[TPM_SECRET_SIZE];
	uint8_t pub_digest[TPM_DIGEST_SIZE];
	uint32_t priv_len;			/* bytes used in priv */
	uint8_t priv[TPM_STORE_PRIVKEY_MAX];	/* TPM_STORE_PRIVKEY */
};

/* Part 2, 9.3: TPM_SEALED_DATA without its data: payload, authData,
 * tpmProof, storedDigest, dataSize. */
#define TPM_SEALED_DATA_FIXED	(1U + 3U * TPM_DIGEST_SIZE + 4U)

/* Part 2, 9.3: TPM_SEALED_DATA, the plaintext of a sealed blob's encData;
 * data is borrowed (from the decrypted buffer, or the caller's). */
struct tpm_sealed_data {
	uint8_t payload;
	uint8_t auth[TPM_SECRET_SIZE];		/* authData */
	uint8_t proof[TPM_SECRET_SIZE];		/* tpmProof */
	uint8_t digest[TPM_DIGEST_SIZE];	/* storedDigest */
	const uint8_t *data;
	uint32_t data_len;
};

/* Part 2, 10.8: TPM_MIGRATE_ASYMKEY; partPrivKey is borrowed (from the
 * buffer it was parsed from, or the caller's). */
struct tpm_migrate_asymkey {
	uint8_t payload;
	uint8_t usage_auth[TPM_SECRET_SIZE];
	uint8_t pub_digest[TPM_DIGEST_SIZE];
	const uint8_t *part_priv;
	uint32_t part_priv_len;
};

/* Part 2, 19.3: TPM_NV_DATA_PUBLIC plus the data and auth. */
struct tpm_nv_area {
	bool valid;
	uint32_t index;
	struct tpm_pcr_info pcr_read;		/* SHORT */
	struct tpm_pcr_info pcr_write;		/* SHORT */
	uint32_t permission;			/* TPM_NV_PER_* */
	bool read_st_clear;
	bool write_st_clear;
	bool write_define;
	uint32_t data_size;
	uint8_t auth[TPM_SECRET_SIZE];
	uint8_t *data;				/* data_size bytes */
};

/* Part 2, 5.13: TPM_COUNTER_VALUE is tag, label[4], counter. */
#define TPM_COUNTER_LABEL_SIZE	4U
#define TPM_COUNTER_VALUE_SIZE	(2U + TPM_COUNTER_LABEL_SIZE + 4U)

/* Part 2, 21.x: monotonic counter. */
struct tpm_counter {
	bool valid;
	/* TPM_COUNT_ID: the counter's start value, unique because new
	 * counters start above every value ever held (counter.c). */
	uint32_t handle;
	uint8_t label[TPM_COUNTER_LABEL_SIZE];
	uint32_t value;
	uint8_t auth[TPM_SECRET_SIZE];
};

/* Authorization/transport session slot (Part 1, 11). */
enum tpm_session_type {
	SESS_NONE = 0,
	SESS_OIAP,
	SESS_OSAP,
	SESS_DSAP,
	SESS_TRANSPORT,
};

struct tpm_session {
	enum tpm_session_type type;
	uint32_t handle;
	uint8_t nonce_even[TPM_NONCE_SIZE];
	uint8_t shared_secret[TPM_SECRET_SIZE];	/* OSAP/DSAP */
	uint16_t entity_type;			/* OSAP/DSAP binding */
	uint32_t entity_value;
	/* Digest of the bound entity's public part (a key's pub_digest), so
	 * a session cannot be reused after the handle is recycled. */
	uint8_t entity_digest[TPM_DIGEST_SIZE];
	/* Delegation (DSAP) and transport state belong to the full engine. */
	uint32_t family_id;
	uint8_t transport_key[TPM_SECRET_SIZE];
	uint32_t transport_attrs;
	/* Transport (transport.c): TPM_TRANSPORT_PUBLIC algId/encScheme
	 * and the log digest of TPM_TRANSPORT_INTERNAL (Part 2, 13.2). */
	uint32_t transport_alg;
	uint16_t transport_es;
	uint8_t transport_digest[TPM_DIGEST_SIZE];
};

/* Part 2, 7.1: TPM_PERMANENT_FLAGS. */
struct tpm_permanent_flags {
	bool disable;
	/*
	 * An owner exists (TakeOwnership done, no clear since).  Not a spec
	 * flag: the spec's TPM_PERMANENT_FLAGS.ownership means "installing
	 * an owner is allowed" (TPM_SetOwnerInstall) and is reported from
	 * !pd.no_owner_install; the different name keeps the two apart.
	 */
	bool owner_installed;
	bool deactivated;
	bool read_pubek;
	bool disable_owner_clear;
	bool allow_maintenance;
	bool physical_presence_lifetime_lock;
	bool physical_presence_hw_enable;
	bool physical_presence_cmd_enable;
	bool cekp_used;
	bool tpm_post;
	bool tpm_post_lock;
	bool fips;
	bool operator_;
	bool enable_revoke_ek;
	bool nv_locked;
	bool read_srk_pub;
	bool tpm_established;
	bool maintenance_done;
	bool disable_full_da_logic_info;
};

/* Part 2, 7.2: TPM_STCLEAR_FLAGS. */
struct tpm_stclear_flags {
	bool deactivated;
	bool disable_force_clear;
	bool physical_presence;
	bool physical_presence_lock;
	bool global_lock;
};

/* Part 2, 7.3: TPM_STANY_FLAGS. */
struct tpm_stany_flags {
	bool post_initialise;
	uint8_t locality_modifier;
	bool transport_exclusive;
	bool tos_present;
};

/* Part 2, 7.4 TPM_PERMANENT_DATA (the parts this engine uses). */
struct tpm_permanent_data {
	/* TPM_SetOwnerInstall(FALSE) was run: TakeOwnership answers
	 * TPM_INSTALL_DISABLED.  Zero (install allowed) is the default. */
	bool no_owner_install;
	uint8_t tpm_proof[TPM_SECRET_SIZE];
	uint8_t ek_reset[TPM_SECRET_SIZE];
	uint8_t owner_auth[TPM_SECRET_SIZE];
	uint8_t operator_auth[TPM_SECRET_SIZE];
	uint8_t dir[TPM_NUM_DIRS][TPM_DIGEST_SIZE];
	struct tpm_key ek;
	struct tpm_key srk;
	uint8_t context_key[32];	/* AES key of saved contexts */
	uint32_t pcr_reset_locality[TPM_NUM_PCR];	/* TPM_LOC_* mask */
	uint32_t nv_writes_noowner;	/* counts writes while !nv_locked */
	uint32_t counter_next;		/* value for the next new counter */
	struct tpm_counter counters[TPM_MAX_COUNTERS];
	struct tpm_nv_area nv[TPM_MAX_NV_INDEXES];
	/* Dictionary-attack state (Part 1, 19.x); persisted so a reboot does
	 * not reset the count. */
	uint32_t da_failures;
	uint8_t ordinal_audit[32];	/* bitmap, audit (full engine) */
};

/* Part 2, 7.5: TPM_STCLEAR_DATA (reset at Startup(CLEAR)). */
struct tpm_stclear_data {
	uint8_t pcr[TPM_NUM_PCR][TPM_DIGEST_SIZE];
	uint32_t count_id;		/* active counter handle, 0 none */
	uint32_t deferred_physical_presence;
	bool disable_reset_lock;
	bool nv_read_locked_any;	/* bReadSTClear bookkeeping lives in nv */
};

/* SHA-1 thread of TPM_SHA1Start/Update/Complete (Part 3, 13). */
struct tpm_sha1_thread {
	bool active;
	struct tpm_sha1_ctx ctx;
};

/*
 * Delegation (Part 2, 20; Part 3, 19): the family and delegate tables,
 * the key that encrypts delegation blobs, and the DSAP bookkeeping.
 * Owned by delegation.c; persistent parts saved in its state section.
 */
#define TPM_NUM_FAMILY_ROWS	8U	/* TPM_NUM_FAMILY_TABLE_ENTRY_MIN */
#define TPM_NUM_DELEGATE_ROWS	8U	/* >= TPM_NUM_DELEGATE_TABLE_ENTRY_MIN */
#define TPM_DELEGATE_KEY_SIZE	16U	/* AES-128 key of blob sensitives */

/* Part 2, 20.2 TPM_DELEGATIONS (without the tag). */
struct tpm_delegations {
	uint32_t type;			/* TPM_DEL_OWNER_BITS / _KEY_BITS */
	uint32_t per1;
	uint32_t per2;
};

/* Part 2, 20.7 TPM_DELEGATE_PUBLIC (without the tag). */
struct tpm_delegate_public {
	uint8_t label;			/* TPM_DELEGATE_LABEL */
	struct tpm_pcr_info pcr;	/* TPM_PCR_INFO_SHORT */
	struct tpm_delegations perm;
	uint32_t family_id;
	uint32_t verification_count;
};

/* Part 2, 20.4 TPM_FAMILY_TABLE_ENTRY. */
struct tpm_family_row {
	bool valid;
	uint8_t label;			/* TPM_FAMILY_LABEL */
	uint32_t family_id;
	uint32_t verification_count;
	uint32_t flags;			/* TPM_FAMFLAG_* */
};

/* Part 2, 20.8 TPM_DELEGATE_TABLE_ROW. */
struct tpm_delegate_row {
	bool valid;
	struct tpm_delegate_public pub;
	uint8_t auth[TPM_SECRET_SIZE];
};

/* What a DSAP session was opened on (one per session slot). */
struct tpm_dsap_info {
	struct tpm_delegate_public pub;
	uint8_t pub_key_digest[TPM_DIGEST_SIZE];	/* key delegations */
};

struct tpm_delegation_state {
	/* Persistent (TPM_PERMANENT_DATA). */
	struct tpm_family_row family[TPM_NUM_FAMILY_ROWS];
	struct tpm_delegate_row rows[TPM_NUM_DELEGATE_ROWS];
	uint32_t last_family_id;
	bool key_valid;
	uint8_t key[TPM_DELEGATE_KEY_SIZE];
	uint32_t restrict_delegate;	/* TPM_CMK_DELEGATE */
	/* Volatile: TPM_STCLEAR_DATA ownerReference (TPM_SetOwnerPointer):
	 * a delegate row index when owner_ref_row, else TPM_KH_OWNER. */
	bool owner_ref_row;
	uint32_t owner_ref;
	/* Indexed like tpm_state.sessions[]; meaningful for DSAP slots. */
	struct tpm_dsap_info dsap[TPM_MAX_SESSIONS];
};

/* Maintenance (maint.c, Part 2 7.4 manuMaintPub): persistent. */
struct tpm_maint_state {
	bool manu_maint_loaded;		/* TPM_LoadManuMaintPub was run */
	struct tpm_key manu_maint_pub;	/* public fields only; rsa NULL */
};

/*
 * Auditing (audit.c, Part 1 8): the ordinal bitmap itself is
 * TPM_PERMANENT_DATA.ordinal_audit (ordinals 0-255); the TSC ordinals'
 * bits, the audit monotonic counter (persistent) and the audit digest
 * (volatile; zeroed by Startup(ST_CLEAR)) are here.
 */
struct tpm_audit_state {
	uint32_t counter;		/* auditMonotonicCounter */
	uint8_t tsc;			/* audit.c AUDIT_TSC_* bits */
	uint8_t digest[TPM_DIGEST_SIZE];	/* TPM_STANY_DATA auditDigest */
};

/*
 * Saved-context bookkeeping (Part 1, 18; Part 2, 7.5-7.6), context.c.
 * nonce_key is TPM_STCLEAR_DATA.contextNonceKey (persisted with the
 * owner-evict keys); the rest is TPM_STANY_DATA and volatile.
 */
#define TPM_CONTEXT_LIST_SIZE	16U	/* saved session contexts at once */
struct tpm_context_state {
	uint8_t nonce_key[TPM_NONCE_SIZE];	/* zero: none drawn yet */
	uint8_t nonce_session[TPM_NONCE_SIZE];	/* contextNonceSession */
	uint32_t count;				/* contextCount */
	uint32_t list[TPM_CONTEXT_LIST_SIZE];	/* contextList, 0 free */
};

/*
 * The whole TPM.  Permanent parts are saved by tpm_state_save(); the rest
 * is volatile (the TPM_SaveState snapshot is kept in `saved`).
 */
struct tpm_state {
	/* Lifecycle. */
	bool post_init;			/* TPM_Init seen, Startup pending */
	bool started;
	bool selftest_done;
	bool failure_mode;		/* internal error: only GetTestResult */
	bool dirty;			/* persistent state changed */
	unsigned int locality;		/* of the current command */
	unsigned int ek_bits;

	struct tpm_permanent_flags pf;
	struct tpm_stclear_flags sf;
	struct tpm_stany_flags af;
	struct tpm_permanent_data pd;
	struct tpm_stclear_data sd;

	/* TPM_SaveState snapshot (Part 3, 3.3), consumed by Startup(STATE). */
	bool saved_valid;
	struct tpm_stclear_data saved_sd;
	struct tpm_stclear_flags saved_sf;

	/* Volatile resources. */
	struct tpm_key keys[TPM_MAX_KEYS];
	uint32_t key_seq;		/* handle generator */
	struct tpm_session sessions[TPM_MAX_SESSIONS];
	uint32_t session_seq;		/* handle generator */
	struct tpm_sha1_thread sha1;

	/* Ticks (Part 2, 15.1). */
	uint8_t tick_nonce[TPM_NONCE_SIZE];
	uint64_t tick_base_us;		/* monotonic clock at startup */

	/* DA lockout end, monotonic microseconds; 0 when not locked. */
	uint64_t da_lock_until_us;

	struct tpm_delegation_state deleg;
	/* issue 3 anchor: delegation state member goes above this line */
	/* issue 3 anchor: transport state member goes above this line */
	/* issue 3 anchor: migration state member goes above this line */
	struct tpm_context_state ctx;
	/* issue 3 anchor: context state member goes above this line */
	struct tpm_audit_state audit;	/* audit.c */
	/* issue 3 anchor: audit state member goes above this line */
	struct tpm_daa_state daa;	/* daa.c */
	/* issue 3 anchor: daa state member goes above this line */
	struct tpm_maint_state maint;	/* maint.c */
	/* issue 3 anchor: maintenance state member goes above this line */
	/* issue 3 anchor: keysmisc state member goes above this line */

	/* Last self-test result (GetTestResult). */
	uint32_t test_result;
};

#endif /* TPM_STRUCTURES_H */
