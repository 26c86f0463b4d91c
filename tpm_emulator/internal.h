/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Engine-internal interfaces: the command context handed to handlers, the
 * dispatch table entry, the authorization-session framework and the helpers
 * one command family offers another.  Prototypes are grouped by the file
 * that defines them.  Nothing here is visible to library users.
 */
#ifndef TPM_INTERNAL_H
#define TPM_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "constants.h"
#include "crypto.h"
#include "marshal.h"
#include "structures.h"
#include "tpm_emulator.h"

typedef uint32_t TPM_RESULT;

/* Bytes of one authorization area in a command: handle, nonceOdd,
 * continueAuthSession, authValue (Part 1, 11.2). */
#define TPM_AUTH_IN_SIZE	(4 + TPM_NONCE_SIZE + 1 + TPM_AUTH_SIZE)
/* ... and in a response: nonceEven, continueAuthSession, resAuth. */
#define TPM_AUTH_OUT_SIZE	(TPM_NONCE_SIZE + 1 + TPM_AUTH_SIZE)
#define TPM_HEADER_SIZE		10U

/* One authorization area of the command, as received. */
struct tpm_auth_in {
	uint32_t handle;
	uint8_t nonce_odd[TPM_NONCE_SIZE];
	bool cont;
	uint8_t auth[TPM_AUTH_SIZE];
};

struct tpm_cmd_desc;

/*
 * Everything a handler knows about the command it runs.  Dispatch strips
 * the header and the authorization areas: the handler's `in` buffer holds
 * exactly the parameters, its `out` buffer receives exactly the output
 * parameters; dispatch writes the header and the response auth areas.
 */
struct tpm_cmd {
	struct tpm_state *s;
	const struct tpm_cmd_desc *desc;
	uint32_t ordinal;
	uint16_t tag;
	unsigned int nauth;			/* 0, 1 or 2 auth areas */
	struct tpm_auth_in auth_in[2];
	uint8_t in_digest[TPM_DIGEST_SIZE];	/* inParamDigest */
	/* Filled by tpm_auth_check(): the session and the HMAC key of the
	 * response (the secret in force when the command was authorized). */
	struct tpm_session *sess[2];
	uint8_t res_secret[2][TPM_SECRET_SIZE];
	/* A handler sets this to end a session after the response (e.g. when
	 * the entity it authorized was destroyed). */
	bool terminate[2];
	/* TPM_ExecuteTransport (Part 3, 24.2 step 15): outParamDigest is
	 * over H2, not over the output bytes, and the new nonceEven is
	 * chosen before the response is encrypted.  A handler that sets
	 * out_digest_set supplies the digest and has already put a fresh
	 * nonce in each session; dispatch uses both as they are. */
	bool out_digest_set;
	uint8_t out_digest[TPM_DIGEST_SIZE];
};

typedef TPM_RESULT (*tpm_handler_fn)(struct tpm_cmd *c, struct tpm_buf *in,
				     struct tpm_buf *out);

/* Flags of a dispatch table entry. */
#define CMD_TAG_RQU	0x0001U	/* TPM_TAG_RQU_COMMAND accepted */
#define CMD_TAG_AUTH1	0x0002U	/* TPM_TAG_RQU_AUTH1_COMMAND accepted */
#define CMD_TAG_AUTH2	0x0004U	/* TPM_TAG_RQU_AUTH2_COMMAND accepted */
#define CMD_NOSTARTUP	0x0008U	/* may run before TPM_Startup */
#define CMD_DISABLED_OK	0x0010U	/* available while disabled (Part 2, 17) */
#define CMD_DEACT_OK	0x0020U	/* available while deactivated */
#define CMD_FAILMODE_OK	0x0040U	/* available in failure mode */
#define CMD_NOSELFTEST	0x0080U	/* does not need the self-test done */

struct tpm_cmd_desc {
	uint32_t ordinal;
	const char *name;
	tpm_handler_fn fn;
	/* Leading 4-byte handles excluded from inParamDigest/outParamDigest
	 * (the "H" rows of the command's table in Part 3). */
	uint8_t in_handles;
	uint8_t out_handles;
	uint16_t flags;
};

/* dispatch.c */
const struct tpm_cmd_desc *tpm_dispatch_lookup(uint32_t ordinal);
/* Number of entries and the entry at @i, in ordinal order (for
 * TPM_CAP_ORD and docs/ordinals.md). */
size_t tpm_dispatch_count(void);
const struct tpm_cmd_desc *tpm_dispatch_entry(size_t i);

/* auth.c: sessions and authorization (Part 1, 11-13; Part 3, 18) */
TPM_RESULT tpm_cmd_oiap(struct tpm_cmd *c, struct tpm_buf *in,
			struct tpm_buf *out);
TPM_RESULT tpm_cmd_osap(struct tpm_cmd *c, struct tpm_buf *in,
			struct tpm_buf *out);
TPM_RESULT tpm_cmd_terminate_handle(struct tpm_cmd *c, struct tpm_buf *in,
				    struct tpm_buf *out);
TPM_RESULT tpm_cmd_flush_specific(struct tpm_cmd *c, struct tpm_buf *in,
				  struct tpm_buf *out);
TPM_RESULT tpm_cmd_reset_lock_value(struct tpm_cmd *c, struct tpm_buf *in,
				    struct tpm_buf *out);
/**
 * tpm_auth_check() - verify authorization area @idx of the command.
 * @c: the command.
 * @idx: 0 or 1.
 * @entity_type: TPM_ET_* of the entity (low byte), for OSAP binding.
 * @entity_value: its handle/index (OSAP binding).
 * @secret: the entity's usage secret (OIAP HMAC key).
 *
 * Applies the dictionary-attack lockout, checks OSAP sessions are bound to
 * this entity, verifies the HMAC and records the session and response key.
 *
 * Return: TPM_SUCCESS, TPM_AUTHFAIL (idx 0) / TPM_AUTH2FAIL (idx 1),
 * TPM_INVALID_AUTHHANDLE, TPM_DEFEND_LOCK_RUNNING, TPM_AUTHFAIL when the
 * command carries no area @idx.
 */
TPM_RESULT tpm_auth_check(struct tpm_cmd *c, unsigned int idx,
			  uint16_t entity_type, uint32_t entity_value,
			  const uint8_t secret[TPM_SECRET_SIZE]);
/* Owner authorization of area 0: TPM_NOSRK when no owner is installed,
 * else tpm_auth_check() with the owner secret. */
TPM_RESULT tpm_auth_owner(struct tpm_cmd *c);
/* The session of area @idx must be OSAP (or DSAP): TPM_INVALID_AUTHHANDLE
 * otherwise.  Used before tpm_auth_decrypt(). */
TPM_RESULT tpm_auth_require_osap(struct tpm_cmd *c, unsigned int idx);
/**
 * tpm_auth_decrypt() - decrypt an encrypted auth value (ADIP, Part 1, 13)
 * using the OSAP session of area @idx: XOR with SHA1(sharedSecret ||
 * nonceEven) for the first value, or SHA1(sharedSecret || nonceOdd) when
 * @with_nonce_odd (the second value of CreateWrapKey etc.).
 */
TPM_RESULT tpm_auth_decrypt(struct tpm_cmd *c, unsigned int idx,
			    const uint8_t enc[TPM_SECRET_SIZE],
			    uint8_t out[TPM_SECRET_SIZE], bool with_nonce_odd);
/* Find a session by handle (any type), NULL if none. */
struct tpm_session *tpm_session_find(struct tpm_state *s, uint32_t handle);
/* Allocate a free session slot of @type with a fresh handle and nonce;
 * TPM_RESOURCES when full. */
TPM_RESULT tpm_session_alloc(struct tpm_state *s, enum tpm_session_type type,
			     struct tpm_session **out);
void tpm_session_free(struct tpm_session *sess);
/* End every session bound to entity (type, value), e.g. a flushed key. */
void tpm_sessions_invalidate_entity(struct tpm_state *s, uint16_t type,
				    uint32_t value);
/* End all sessions (Startup, OwnerClear). */
void tpm_sessions_clear(struct tpm_state *s);
/* Dictionary-attack state for TPM_CAP_DA_LOGIC. */
bool tpm_da_locked(struct tpm_state *s, uint32_t *seconds_left);

/* random.c */
TPM_RESULT tpm_cmd_get_random(struct tpm_cmd *c, struct tpm_buf *in,
			      struct tpm_buf *out);
TPM_RESULT tpm_cmd_stir_random(struct tpm_cmd *c, struct tpm_buf *in,
			       struct tpm_buf *out);

/* ticks.c */
TPM_RESULT tpm_cmd_get_ticks(struct tpm_cmd *c, struct tpm_buf *in,
			     struct tpm_buf *out);
TPM_RESULT tpm_cmd_tick_stamp_blob(struct tpm_cmd *c, struct tpm_buf *in,
				   struct tpm_buf *out);
/* Monotonic microseconds (CLOCK_MONOTONIC). */
uint64_t tpm_now_us(void);
/* Write the TPM_CURRENT_TICKS structure. */
int tpm_current_ticks_put(struct tpm_state *s, struct tpm_buf *out);

/* admin.c: startup, state and self-test (Part 3, 3-4) */
TPM_RESULT tpm_cmd_startup(struct tpm_cmd *c, struct tpm_buf *in,
			   struct tpm_buf *out);
TPM_RESULT tpm_cmd_save_state(struct tpm_cmd *c, struct tpm_buf *in,
			      struct tpm_buf *out);
TPM_RESULT tpm_cmd_self_test_full(struct tpm_cmd *c, struct tpm_buf *in,
				  struct tpm_buf *out);
TPM_RESULT tpm_cmd_continue_self_test(struct tpm_cmd *c, struct tpm_buf *in,
				      struct tpm_buf *out);
TPM_RESULT tpm_cmd_get_test_result(struct tpm_cmd *c, struct tpm_buf *in,
				   struct tpm_buf *out);
/* Drop the TPM_SaveState snapshot (Part 3, 3.3 actions 4-5); dispatch
 * calls it before every command that may change the values it mirrors. */
void tpm_saved_state_invalidate(struct tpm_state *s);

/* optin.c: opt-in and physical presence (Part 3, 6) */
TPM_RESULT tpm_cmd_tsc_physical_presence(struct tpm_cmd *c,
					 struct tpm_buf *in,
					 struct tpm_buf *out);
TPM_RESULT tpm_cmd_physical_enable(struct tpm_cmd *c, struct tpm_buf *in,
				   struct tpm_buf *out);
TPM_RESULT tpm_cmd_physical_disable(struct tpm_cmd *c, struct tpm_buf *in,
				    struct tpm_buf *out);
TPM_RESULT tpm_cmd_physical_set_deactivated(struct tpm_cmd *c,
					    struct tpm_buf *in,
					    struct tpm_buf *out);
TPM_RESULT tpm_cmd_set_temp_deactivated(struct tpm_cmd *c,
					struct tpm_buf *in,
					struct tpm_buf *out);
TPM_RESULT tpm_cmd_set_owner_install(struct tpm_cmd *c, struct tpm_buf *in,
				     struct tpm_buf *out);
TPM_RESULT tpm_cmd_owner_set_disable(struct tpm_cmd *c, struct tpm_buf *in,
				     struct tpm_buf *out);
TPM_RESULT tpm_cmd_set_operator_auth(struct tpm_cmd *c, struct tpm_buf *in,
				     struct tpm_buf *out);
/* Physical presence asserted now (command or hardware). */
bool tpm_physical_presence(const struct tpm_state *s);

/* capability.c (Part 3, 7) */
TPM_RESULT tpm_cmd_get_capability(struct tpm_cmd *c, struct tpm_buf *in,
				  struct tpm_buf *out);
TPM_RESULT tpm_cmd_set_capability(struct tpm_cmd *c, struct tpm_buf *in,
				  struct tpm_buf *out);
TPM_RESULT tpm_cmd_get_capability_owner(struct tpm_cmd *c,
					struct tpm_buf *in,
					struct tpm_buf *out);

/* owner.c: ownership and the endorsement key (Part 3, 5, 14) */
TPM_RESULT tpm_cmd_create_endorsement_key_pair(struct tpm_cmd *c,
					       struct tpm_buf *in,
					       struct tpm_buf *out);
TPM_RESULT tpm_cmd_read_pubek(struct tpm_cmd *c, struct tpm_buf *in,
			      struct tpm_buf *out);
TPM_RESULT tpm_cmd_owner_read_pubek(struct tpm_cmd *c, struct tpm_buf *in,
				    struct tpm_buf *out);
TPM_RESULT tpm_cmd_owner_read_internal_pub(struct tpm_cmd *c,
					   struct tpm_buf *in,
					   struct tpm_buf *out);
TPM_RESULT tpm_cmd_disable_pubek_read(struct tpm_cmd *c, struct tpm_buf *in,
				      struct tpm_buf *out);
TPM_RESULT tpm_cmd_take_ownership(struct tpm_cmd *c, struct tpm_buf *in,
				  struct tpm_buf *out);
TPM_RESULT tpm_cmd_owner_clear(struct tpm_cmd *c, struct tpm_buf *in,
			       struct tpm_buf *out);
TPM_RESULT tpm_cmd_force_clear(struct tpm_cmd *c, struct tpm_buf *in,
			       struct tpm_buf *out);
TPM_RESULT tpm_cmd_disable_owner_clear(struct tpm_cmd *c, struct tpm_buf *in,
				       struct tpm_buf *out);
TPM_RESULT tpm_cmd_disable_force_clear(struct tpm_cmd *c, struct tpm_buf *in,
				       struct tpm_buf *out);
TPM_RESULT tpm_cmd_change_auth_owner(struct tpm_cmd *c, struct tpm_buf *in,
				     struct tpm_buf *out);
/* Part 3, 14.1 steps 1-3, 5, 9-10 (CreateEndorsementKeyPair, and
 * CreateRevocableEK with @revocable): TPM_DISABLED_CMD when an EK exists,
 * TPM_BAD_KEY_PROPERTY for a @key_info this TPM cannot make an EK from,
 * TPM_FAIL when generation fails; sets cekpUsed and enableRevokeEK. */
TPM_RESULT tpm_ek_create(struct tpm_state *s,
			 const struct tpm_key_parms *key_info, bool revocable);
/* TPM_PUBKEY of the EK, with checksum = SHA1(PUBEK || antiReplay) when
 * @with_checksum. */
TPM_RESULT tpm_pubek_put(const struct tpm_state *s, struct tpm_buf *out,
			 const uint8_t anti_replay[TPM_NONCE_SIZE],
			 bool with_checksum);
/* Create the EK (tpm_create() and CreateEndorsementKeyPair). */
int tpm_ek_generate(struct tpm_state *s, const struct tpm_key_parms *parms);
/* A command with no parameters whose action is to set @flag to @value
 * with the owner's authorization (DisablePubekRead, DisableOwnerClear,
 * KillMaintenanceFeature). */
TPM_RESULT tpm_owner_set_pflag(struct tpm_cmd *c, struct tpm_buf *in,
			       bool *flag, bool value);
/* Part 3, 6.x "TPM_OwnerClear actions": wipe owner, SRK, NV owned areas,
 * counters, keys, sessions; shared by OwnerClear and ForceClear. */
void tpm_owner_clear_actions(struct tpm_state *s);

/* pcr.c: PCRs and SHA-1 threads (Part 3, 13, 16) */
TPM_RESULT tpm_cmd_extend(struct tpm_cmd *c, struct tpm_buf *in,
			  struct tpm_buf *out);
TPM_RESULT tpm_cmd_pcr_read(struct tpm_cmd *c, struct tpm_buf *in,
			    struct tpm_buf *out);
TPM_RESULT tpm_cmd_pcr_reset(struct tpm_cmd *c, struct tpm_buf *in,
			     struct tpm_buf *out);
TPM_RESULT tpm_cmd_quote(struct tpm_cmd *c, struct tpm_buf *in,
			 struct tpm_buf *out);
TPM_RESULT tpm_cmd_quote2(struct tpm_cmd *c, struct tpm_buf *in,
			  struct tpm_buf *out);
TPM_RESULT tpm_cmd_sha1_start(struct tpm_cmd *c, struct tpm_buf *in,
			      struct tpm_buf *out);
TPM_RESULT tpm_cmd_sha1_update(struct tpm_cmd *c, struct tpm_buf *in,
			       struct tpm_buf *out);
TPM_RESULT tpm_cmd_sha1_complete(struct tpm_cmd *c, struct tpm_buf *in,
				 struct tpm_buf *out);
TPM_RESULT tpm_cmd_sha1_complete_extend(struct tpm_cmd *c,
					struct tpm_buf *in,
					struct tpm_buf *out);
/* Part 2, 8.1 TPM_PCR_COMPOSITE hash of the selected PCRs. */
TPM_RESULT tpm_pcr_composite_hash(const struct tpm_state *s,
				  const struct tpm_pcr_selection *sel,
				  uint8_t out[TPM_DIGEST_SIZE]);
/* Validate a selection (size <= 3, no bit beyond TPM_NUM_PCR):
 * TPM_INVALID_PCR_INFO otherwise. */
TPM_RESULT tpm_pcr_selection_check(const struct tpm_pcr_selection *sel);
/* Does the PCR info allow release now (digestAtRelease over current PCRs,
 * localityAtRelease vs current locality)?  TPM_WRONGPCRVAL or
 * TPM_BAD_LOCALITY otherwise; TPM_SUCCESS for kind NONE. */
TPM_RESULT tpm_pcr_info_check_release(const struct tpm_state *s,
				      const struct tpm_pcr_info *pi);
/* Fill digestAtCreation (and localityAtCreation) from current PCRs. */
TPM_RESULT tpm_pcr_info_set_creation(const struct tpm_state *s,
				     struct tpm_pcr_info *pi);
/* Reset PCRs as TPM_Startup(CLEAR) does (Part 1, PC Client: 17-22 to
 * 0xFF..., the rest to 0). */
void tpm_pcr_startup_clear(struct tpm_state *s);
/* The actions of TPM_Extend (Extend, SHA1CompleteExtend): check @idx
 * (TPM_BADINDEX) and the locality (TPM_BAD_LOCALITY), extend PCR @idx with
 * @digest, and set @out to the outDigest the command returns (zeros while
 * disabled or deactivated). */
TPM_RESULT tpm_pcr_extend_common(struct tpm_state *s, uint32_t idx,
				 const uint8_t digest[TPM_DIGEST_SIZE],
				 uint8_t out[TPM_DIGEST_SIZE]);
/* Part 3, 13.1: dispatch calls this for every command received (before
 * any check); any ordinal but SHA1Update/SHA1Complete/SHA1CompleteExtend
 * ends the running SHA-1 thread. */
void tpm_sha1_thread_notify(struct tpm_state *s, uint32_t ordinal);
/* End the SHA-1 thread and free its context (idempotent; tpm_init,
 * tpm_destroy and Startup call it). */
void tpm_sha1_thread_end(struct tpm_state *s);

/* marshal_struct.c: Part 2 structures <-> wire.  *_get return TPM_SUCCESS
 * or the spec's code for the defect (TPM_BAD_PARAM_SIZE when short,
 * TPM_INVALID_STRUCTURE/TPM_BAD_KEY_PROPERTY/... for a bad tag or value);
 * *_put return 0 or -ENOSPC. */
TPM_RESULT tpm_pcr_selection_get(struct tpm_buf *b,
				 struct tpm_pcr_selection *sel);
int tpm_pcr_selection_put(struct tpm_buf *b,
			  const struct tpm_pcr_selection *sel);
/* The structure of @kind (no size prefix). */
TPM_RESULT tpm_pcr_info_get(struct tpm_buf *b, enum tpm_pcr_info_kind kind,
			    struct tpm_pcr_info *pi);
int tpm_pcr_info_put(struct tpm_buf *b, const struct tpm_pcr_info *pi);
/* u32 size then a TPM_PCR_INFO (or _LONG when @long_form); size 0 gives
 * kind NONE.  The size must match the structure exactly. */
TPM_RESULT tpm_pcr_info_get_sized(struct tpm_buf *b, bool long_form,
				  struct tpm_pcr_info *pi);
int tpm_pcr_info_put_sized(struct tpm_buf *b, const struct tpm_pcr_info *pi);
TPM_RESULT tpm_key_parms_get(struct tpm_buf *b, struct tpm_key_parms *p,
			     uint32_t *modulus_len_hint);
int tpm_key_parms_put(struct tpm_buf *b, const struct tpm_key_parms *p);
/* TPM_KEY or TPM_KEY12: public part into @k, encData borrowed in place. */
TPM_RESULT tpm_key_get(struct tpm_buf *b, struct tpm_key *k,
		       const uint8_t **enc, uint32_t *enc_len);
int tpm_key_put(struct tpm_buf *b, const struct tpm_key *k,
		const uint8_t *enc, uint32_t enc_len);
/* TPM_PUBKEY (key parms + modulus) of @k. */
int tpm_pubkey_put(struct tpm_buf *b, const struct tpm_key *k);
/* TPM_PUBKEY into the public fields of @k (rsa set to a public key). */
TPM_RESULT tpm_pubkey_get(struct tpm_buf *b, struct tpm_key *k);
/* SHA-1 of the TPM_PUBKEY of @k (0 or -errno). */
int tpm_pubkey_digest(const struct tpm_key *k, uint8_t out[TPM_DIGEST_SIZE]);
/* checksum = SHA-1(TPM_PUBKEY of @k || antiReplay): the proof of a public
 * key's freshness (Part 3, 14.1 step 4, 12.4 step 2). */
int tpm_pubkey_checksum(const struct tpm_key *k,
			const uint8_t anti_replay[TPM_NONCE_SIZE],
			uint8_t out[TPM_DIGEST_SIZE]);
/* TPM_STORE_ASYMKEY filling the rest of @b (a decrypted plaintext): any
 * defect is TPM_INVALID_STRUCTURE.  The payload is the caller's to judge. */
TPM_RESULT tpm_store_asymkey_get(struct tpm_buf *b,
				 struct tpm_store_asymkey *a);
/* -EINVAL unless a->priv is one whole TPM_STORE_PRIVKEY. */
int tpm_store_asymkey_put(struct tpm_buf *b,
			  const struct tpm_store_asymkey *a);
/* TPM_MIGRATE_ASYMKEY filling the rest of @b, partPrivKey at most @max
 * bytes (m->part_priv points into @b); TPM_INVALID_STRUCTURE otherwise. */
TPM_RESULT tpm_migrate_asymkey_get(struct tpm_buf *b,
				   struct tpm_migrate_asymkey *m,
				   uint32_t max);
int tpm_migrate_asymkey_put(struct tpm_buf *b,
			    const struct tpm_migrate_asymkey *m);
/* TPM_SEALED_DATA filling the rest of @b (a decrypted plaintext): any
 * defect is TPM_INVALID_STRUCTURE; payload and tpmProof are the caller's
 * to judge.  d->data points into @b. */
TPM_RESULT tpm_sealed_data_get(struct tpm_buf *b, struct tpm_sealed_data *d);
int tpm_sealed_data_put(struct tpm_buf *b, const struct tpm_sealed_data *d);
/* TPM_COUNTER_VALUE (monotonic counters, and the audit counter whose
 * label is all zero). */
int tpm_counter_value_put(struct tpm_buf *b,
			  const uint8_t label[TPM_COUNTER_LABEL_SIZE],
			  uint32_t value);
/* TPM_STRUCT_VER / TPM_VERSION of this TPM (1.2 + rev). */
int tpm_version_put(struct tpm_buf *b);
int tpm_struct_ver_put(struct tpm_buf *b);

/* keys.c: key slots, wrapping and the key commands (Part 3, 10, 13, 17,
 * 27) */
TPM_RESULT tpm_cmd_create_wrap_key(struct tpm_cmd *c, struct tpm_buf *in,
				   struct tpm_buf *out);
TPM_RESULT tpm_cmd_load_key(struct tpm_cmd *c, struct tpm_buf *in,
			    struct tpm_buf *out);
TPM_RESULT tpm_cmd_load_key2(struct tpm_cmd *c, struct tpm_buf *in,
			     struct tpm_buf *out);
TPM_RESULT tpm_cmd_get_pub_key(struct tpm_cmd *c, struct tpm_buf *in,
			       struct tpm_buf *out);
TPM_RESULT tpm_cmd_evict_key(struct tpm_cmd *c, struct tpm_buf *in,
			     struct tpm_buf *out);
TPM_RESULT tpm_cmd_sign(struct tpm_cmd *c, struct tpm_buf *in,
			struct tpm_buf *out);
TPM_RESULT tpm_cmd_certify_key(struct tpm_cmd *c, struct tpm_buf *in,
			       struct tpm_buf *out);
TPM_RESULT tpm_cmd_change_auth(struct tpm_cmd *c, struct tpm_buf *in,
			       struct tpm_buf *out);
/* Loaded key by handle (slots, TPM_KH_SRK when owned); TPM_INVALID_KEYHANDLE
 * when none. */
TPM_RESULT tpm_key_lookup(struct tpm_state *s, uint32_t handle,
			  struct tpm_key **k);
/* Authorize use of key @k by area @idx (handles TPM_AUTH_NEVER keys sent
 * without an auth area, and TPM_AUTH_ALWAYS keys that need one: pass an
 * @idx >= c->nauth for "no area").  Also enforces the key's PCR binding
 * (TPM_WRONGPCRVAL / TPM_BAD_LOCALITY) before the authorization. */
TPM_RESULT tpm_key_authorize(struct tpm_cmd *c, unsigned int idx,
			     const struct tpm_key *k);
/* The key most commands act on: tpm_key_lookup() of @handle, then
 * tpm_key_authorize() by the first area. */
TPM_RESULT tpm_key_use(struct tpm_cmd *c, uint32_t handle, struct tpm_key **k);
/* Free a slot or struct: wipes secrets and frees the RSA key. */
void tpm_key_clear(struct tpm_key *k);
/* Flush all loaded keys (Startup CLEAR keeps owner-evict ones). */
void tpm_keys_flush_all(struct tpm_state *s, bool keep_owner_evict);
/* Take a free slot; *slot gets a fresh handle.  TPM_RESOURCES when full.
 * The slot is live only once the caller sets ->valid. */
TPM_RESULT tpm_key_slot_alloc(struct tpm_state *s, struct tpm_key **slot);
/* Generate the RSA pair of @k from k->parms (bits, exponent) and set
 * n/n_len/pub_digest. */
int tpm_key_generate(struct tpm_key *k);
/* Recompute k->pub_digest (SHA-1 of the public TPM_KEY fields, Part 2
 * 10.6 pubDataDigest). */
int tpm_key_pub_digest(struct tpm_key *k);
/* Wrap @k under @parent: TPM_KEY/TPM_KEY12 with encData = OAEP(parent,
 * TPM_STORE_ASYMKEY). */
TPM_RESULT tpm_key_wrap(struct tpm_state *s, const struct tpm_key *parent,
			const struct tpm_key *k, struct tpm_buf *out);
/* OAEP-encrypt TPM_STORE_ASYMKEY @a under @k into @enc: TPM_FAIL when @a
 * is not a whole structure, TPM_ENCRYPT_ERROR when @k cannot encrypt it. */
TPM_RESULT tpm_store_asymkey_encrypt(const struct tpm_key *k,
				     const struct tpm_store_asymkey *a,
				     uint8_t enc[TPM_MAX_KEY_BYTES],
				     size_t *elen);
/* OAEP-decrypt @enc under @k into @a: TPM_DECRYPT_ERROR when it does not
 * decrypt, TPM_INVALID_STRUCTURE when it is no TPM_STORE_ASYMKEY. */
TPM_RESULT tpm_store_asymkey_decrypt(const struct tpm_key *k,
				     const uint8_t *enc, uint32_t elen,
				     struct tpm_store_asymkey *a);
/* Parse and unwrap a TPM_KEY/TPM_KEY12 blob under @parent into @k
 * (checks payload, pubDataDigest, migration auth vs tpmProof for
 * non-migratable keys). */
TPM_RESULT tpm_key_unwrap(struct tpm_state *s, const struct tpm_key *parent,
			  struct tpm_buf *in, struct tpm_key *k);
/* Sign @data with @k per its signature scheme: SHA1 and INFO schemes sign
 * the 20-byte digest @data (callers hash their TPM_SIGN_INFO / info
 * structure), DER signs @data as given (at most modulus - 11 bytes);
 * TPM_BAD_PARAMETER for a wrong length, TPM_INAPPROPRIATE_SIG for a key
 * that does not sign. */
TPM_RESULT tpm_key_sign(const struct tpm_key *k, const uint8_t *data,
			size_t len, uint8_t *sig, size_t cap, size_t *siglen);
/* Sign and write u32 sigSize || sig to @out (Quote, CertifyKey, ...). */
TPM_RESULT tpm_key_sign_put(const struct tpm_key *k, const uint8_t *data,
			    size_t len, struct tpm_buf *out);
/* Part 3, 10.4 steps 3, 7-8: can this TPM create a key like template @k?
 * TPM_BAD_KEY_PROPERTY, TPM_INVALID_STRUCTURE or TPM_NOTFIPS otherwise
 * (for TPM_CMK_CreateKey, cmk.c). */
TPM_RESULT tpm_key_check_template(const struct tpm_state *s,
				  const struct tpm_key *k);
/* Part 3, 10.4 steps 13-15: set PCR creation fields of @k and generate
 * its pair (TPM_FAIL on error). */
TPM_RESULT tpm_key_make(struct tpm_state *s, struct tpm_key *k);
/* Make the SRK for TakeOwnership: @srk holds srkParams (tpm_key_get) and
 * the decrypted usage_auth; checks them (Part 3, 5.1), sets migrationAuth
 * = tpmProof and the PCR creation fields, generates the pair, sets
 * handle TPM_KH_SRK and valid. */
TPM_RESULT tpm_srk_create(struct tpm_state *s, struct tpm_key *srk);

/* storage.c: sealing and binding (Part 3, 10) */
TPM_RESULT tpm_cmd_seal(struct tpm_cmd *c, struct tpm_buf *in,
			struct tpm_buf *out);
TPM_RESULT tpm_cmd_unseal(struct tpm_cmd *c, struct tpm_buf *in,
			  struct tpm_buf *out);
TPM_RESULT tpm_cmd_unbind(struct tpm_cmd *c, struct tpm_buf *in,
			  struct tpm_buf *out);

/* identity.c (Part 3, 15) */
TPM_RESULT tpm_cmd_make_identity(struct tpm_cmd *c, struct tpm_buf *in,
				 struct tpm_buf *out);
TPM_RESULT tpm_cmd_activate_identity(struct tpm_cmd *c, struct tpm_buf *in,
				     struct tpm_buf *out);

/* nvram.c: NV storage and the DIR (Part 3, 20, 25) */
TPM_RESULT tpm_cmd_nv_define_space(struct tpm_cmd *c, struct tpm_buf *in,
				   struct tpm_buf *out);
TPM_RESULT tpm_cmd_nv_write_value(struct tpm_cmd *c, struct tpm_buf *in,
				  struct tpm_buf *out);
TPM_RESULT tpm_cmd_nv_write_value_auth(struct tpm_cmd *c, struct tpm_buf *in,
				       struct tpm_buf *out);
TPM_RESULT tpm_cmd_nv_read_value(struct tpm_cmd *c, struct tpm_buf *in,
				 struct tpm_buf *out);
TPM_RESULT tpm_cmd_nv_read_value_auth(struct tpm_cmd *c, struct tpm_buf *in,
				      struct tpm_buf *out);
TPM_RESULT tpm_cmd_dir_write_auth(struct tpm_cmd *c, struct tpm_buf *in,
				  struct tpm_buf *out);
TPM_RESULT tpm_cmd_dir_read(struct tpm_cmd *c, struct tpm_buf *in,
			    struct tpm_buf *out);
/* NV area by index, NULL if not defined. */
struct tpm_nv_area *tpm_nv_find(struct tpm_state *s, uint32_t index);
/* Bytes of NV space still free (TPM_CAP_PROP_MAX_NV_AVAILABLE). */
uint32_t tpm_nv_free_space(const struct tpm_state *s);
/* Write TPM_NV_DATA_PUBLIC of @a (TPM_CAP_NV_INDEX). */
int tpm_nv_data_public_put(struct tpm_buf *b, const struct tpm_nv_area *a);
/* Startup(CLEAR) effects on NV (bReadSTClear/bWriteSTClear reset). */
void tpm_nv_startup_clear(struct tpm_state *s);
/* Owner clear: delete areas without TPM_NV_PER_... D bit semantics. */
void tpm_nv_owner_clear(struct tpm_state *s);
void tpm_nv_area_clear(struct tpm_nv_area *a);

/* counter.c: monotonic counters (Part 3, 25) */
TPM_RESULT tpm_cmd_create_counter(struct tpm_cmd *c, struct tpm_buf *in,
				  struct tpm_buf *out);
TPM_RESULT tpm_cmd_increment_counter(struct tpm_cmd *c, struct tpm_buf *in,
				     struct tpm_buf *out);
TPM_RESULT tpm_cmd_read_counter(struct tpm_cmd *c, struct tpm_buf *in,
				struct tpm_buf *out);
TPM_RESULT tpm_cmd_release_counter(struct tpm_cmd *c, struct tpm_buf *in,
				   struct tpm_buf *out);
TPM_RESULT tpm_cmd_release_counter_owner(struct tpm_cmd *c,
					 struct tpm_buf *in,
					 struct tpm_buf *out);
/* Counter by handle (its TPM_COUNT_ID), NULL if none. */
struct tpm_counter *tpm_counter_find(struct tpm_state *s, uint32_t handle);
/* Number of defined counters (TPM_CAP_PROP_COUNTERS). */
uint32_t tpm_counters_used(const struct tpm_state *s);

/* delegation.c: DSAP, delegation tables and blobs (Part 3, 18-19) */
TPM_RESULT tpm_cmd_dsap(struct tpm_cmd *c, struct tpm_buf *in,
			struct tpm_buf *out);
TPM_RESULT tpm_cmd_set_owner_pointer(struct tpm_cmd *c, struct tpm_buf *in,
				     struct tpm_buf *out);
TPM_RESULT tpm_cmd_delegate_manage(struct tpm_cmd *c, struct tpm_buf *in,
				   struct tpm_buf *out);
TPM_RESULT tpm_cmd_delegate_create_key_delegation(struct tpm_cmd *c,
						  struct tpm_buf *in,
						  struct tpm_buf *out);
TPM_RESULT tpm_cmd_delegate_create_owner_delegation(struct tpm_cmd *c,
						    struct tpm_buf *in,
						    struct tpm_buf *out);
TPM_RESULT tpm_cmd_delegate_load_owner_delegation(struct tpm_cmd *c,
						  struct tpm_buf *in,
						  struct tpm_buf *out);
TPM_RESULT tpm_cmd_delegate_read_table(struct tpm_cmd *c, struct tpm_buf *in,
				       struct tpm_buf *out);
TPM_RESULT tpm_cmd_delegate_update_verification(struct tpm_cmd *c,
						struct tpm_buf *in,
						struct tpm_buf *out);
TPM_RESULT tpm_cmd_delegate_verify_delegation(struct tpm_cmd *c,
					      struct tpm_buf *in,
					      struct tpm_buf *out);
/*
 * tpm_auth_check() calls this for a DSAP session, and for an OIAP session
 * authorizing the owner: checks the delegation permits c->ordinal for the
 * entity (owner, or the key whose public key the delegation names), its
 * family and PCR binding; for OIAP under TPM_SetOwnerPointer, *@secret
 * becomes the delegate row's authValue.  TPM_SUCCESS or the failure code.
 */
TPM_RESULT tpm_delegation_auth(struct tpm_cmd *c, unsigned int idx,
			       struct tpm_session *sess, uint16_t entity_type,
			       uint32_t entity_value, const uint8_t **secret);
/* TPM_Init: the owner pointer returns to the owner. */
void tpm_delegation_reset_volatile(struct tpm_state *s);
/* OwnerClear/ForceClear: drop the tables and the delegate key. */
void tpm_delegation_owner_clear(struct tpm_state *s);
int tpm_delegation_state_put(const struct tpm_state *s, struct tpm_buf *b);
int tpm_delegation_state_get(struct tpm_state *s, struct tpm_buf *b);

/* issue 3 anchor: delegation prototypes go above this line */

/* transport.c: transport sessions (Part 3, 24) */
TPM_RESULT tpm_cmd_establish_transport(struct tpm_cmd *c, struct tpm_buf *in,
				       struct tpm_buf *out);
TPM_RESULT tpm_cmd_execute_transport(struct tpm_cmd *c, struct tpm_buf *in,
				     struct tpm_buf *out);
TPM_RESULT tpm_cmd_release_transport_signed(struct tpm_cmd *c,
					    struct tpm_buf *in,
					    struct tpm_buf *out);
/* Part 1, 24.x: tpm_execute() calls this for every framed command; any
 * ordinal but ExecuteTransport/ReleaseTransportSigned (which check their
 * own target) ends the exclusive transport session. */
void tpm_transport_notify(struct tpm_state *s, uint32_t ordinal);
/* Part 3, 24.2 step 9: may @ordinal run inside ExecuteTransport? */
bool tpm_transport_wrappable(uint32_t ordinal);
/*
 * tpm_execute_wrapped() (dispatch.c) - run a command unwrapped by
 * ExecuteTransport through the normal path, without the exclusive-session
 * hook; @rsp holds TPM_MAX_COMMAND_SIZE bytes.  A transport command is
 * answered TPM_NO_WRAP_TRANSPORT.  Return: 0 or -EINVAL.
 */
int tpm_execute_wrapped(struct tpm_state *s, const uint8_t *cmd, size_t len,
			uint8_t *rsp, size_t *rsp_len);

/* issue 3 anchor: transport prototypes go above this line */

/* migration.c: key migration (Part 3, 11) */
TPM_RESULT tpm_cmd_authorize_migration_key(struct tpm_cmd *c,
					   struct tpm_buf *in,
					   struct tpm_buf *out);
TPM_RESULT tpm_cmd_create_migration_blob(struct tpm_cmd *c,
					 struct tpm_buf *in,
					 struct tpm_buf *out);
TPM_RESULT tpm_cmd_convert_migration_blob(struct tpm_cmd *c,
					  struct tpm_buf *in,
					  struct tpm_buf *out);
TPM_RESULT tpm_cmd_migrate_key(struct tpm_cmd *c, struct tpm_buf *in,
			       struct tpm_buf *out);

/* cmk.c: certified migration keys (Part 3, 11.5-11.10) */
TPM_RESULT tpm_cmd_cmk_set_restrictions(struct tpm_cmd *c,
					struct tpm_buf *in,
					struct tpm_buf *out);
TPM_RESULT tpm_cmd_cmk_approve_ma(struct tpm_cmd *c, struct tpm_buf *in,
				  struct tpm_buf *out);
TPM_RESULT tpm_cmd_cmk_create_key(struct tpm_cmd *c, struct tpm_buf *in,
				  struct tpm_buf *out);
TPM_RESULT tpm_cmd_cmk_create_ticket(struct tpm_cmd *c, struct tpm_buf *in,
				     struct tpm_buf *out);
TPM_RESULT tpm_cmd_cmk_create_blob(struct tpm_cmd *c, struct tpm_buf *in,
				   struct tpm_buf *out);
TPM_RESULT tpm_cmd_cmk_convert_migration(struct tpm_cmd *c,
					 struct tpm_buf *in,
					 struct tpm_buf *out);
/* Part 2, 5.17 TPM_CMK_DELEGATE: may a delegated (DSAP) session use key
 * @k?  TPM_INVALID_KEYUSAGE for a CMK whose usage restrictDelegate does
 * not allow; TPM_SUCCESS otherwise (delegation.c calls it). */
TPM_RESULT tpm_cmk_restrict_check(const struct tpm_state *s,
				  const struct tpm_key *k);

/* issue 3 anchor: migration prototypes go above this line */

/* context.c: saved contexts and owner-evict keys (Part 3, 21, 27.2) */
TPM_RESULT tpm_cmd_key_control_owner(struct tpm_cmd *c, struct tpm_buf *in,
				     struct tpm_buf *out);
TPM_RESULT tpm_cmd_save_key_context(struct tpm_cmd *c, struct tpm_buf *in,
				    struct tpm_buf *out);
TPM_RESULT tpm_cmd_load_key_context(struct tpm_cmd *c, struct tpm_buf *in,
				    struct tpm_buf *out);
TPM_RESULT tpm_cmd_save_auth_context(struct tpm_cmd *c, struct tpm_buf *in,
				     struct tpm_buf *out);
TPM_RESULT tpm_cmd_load_auth_context(struct tpm_cmd *c, struct tpm_buf *in,
				     struct tpm_buf *out);
TPM_RESULT tpm_cmd_save_context(struct tpm_cmd *c, struct tpm_buf *in,
				struct tpm_buf *out);
TPM_RESULT tpm_cmd_load_context(struct tpm_cmd *c, struct tpm_buf *in,
				struct tpm_buf *out);
/* FlushSpecific(TPM_RT_CONTEXT): drop saved session context @count from
 * the contextList; TPM_BAD_PARAMETER when none. */
TPM_RESULT tpm_context_flush(struct tpm_state *s, uint32_t count);
/* Free contextList entries (TPM_CAP_PROP_CONTEXT). */
uint32_t tpm_context_free_slots(const struct tpm_state *s);
/* The contextCounts of the saved sessions (TPM_CAP_HANDLE); returns how
 * many were written to @h (at most @max). */
size_t tpm_context_handles(const struct tpm_state *s, uint32_t *h,
			   size_t max);
/* Any Startup and TPM_Init: saved session contexts die (STANY data). */
void tpm_context_reset_sessions(struct tpm_state *s);
/* Startup(CLEAR): contextNonceKey is reset (STCLEAR data). */
void tpm_context_startup_clear(struct tpm_state *s);
/* State section "context" (docs/state-format.md). */
int tpm_context_state_put(const struct tpm_state *s, struct tpm_buf *b);
int tpm_context_state_get(struct tpm_state *s, struct tpm_buf *b);

/* issue 3 anchor: context prototypes go above this line */

/* audit.c: auditing (Part 1, 8; Part 3, 8) */
TPM_RESULT tpm_cmd_get_audit_digest(struct tpm_cmd *c, struct tpm_buf *in,
				    struct tpm_buf *out);
TPM_RESULT tpm_cmd_get_audit_digest_signed(struct tpm_cmd *c,
					   struct tpm_buf *in,
					   struct tpm_buf *out);
TPM_RESULT tpm_cmd_set_ordinal_audit_status(struct tpm_cmd *c,
					    struct tpm_buf *in,
					    struct tpm_buf *out);
/* Is @ordinal audited now (the bitmap, or a TSC ordinal's bit)? */
bool tpm_audit_is_audited(const struct tpm_state *s, uint32_t ordinal);
/* Dispatch hooks for an audited command (c->in_digest computed): before
 * the handler (SaveState's input event, Part 1 8 corner case 3.a) and
 * after a successful one with its output parameters (after the output
 * handles).  Return TPM_SUCCESS or TPM_AUDITFAIL_SUCCESSFUL (failure mode
 * entered). */
TPM_RESULT tpm_audit_before(struct tpm_cmd *c);
TPM_RESULT tpm_audit_after(struct tpm_cmd *c, const uint8_t *out,
			   size_t len);
/* Manufacturing defaults: the default audited ordinals, counter 0. */
void tpm_audit_manufacture(struct tpm_state *s);
/* OwnerClear/ForceClear: the default audit set again, the audit digest
 * closed (as libtpms); the counter stays. */
void tpm_audit_owner_clear(struct tpm_state *s);
/* Startup(ST_CLEAR): close the audit digest. */
void tpm_audit_startup_clear(struct tpm_state *s);
int tpm_audit_state_put(const struct tpm_state *s, struct tpm_buf *b);
int tpm_audit_state_get(struct tpm_state *s, struct tpm_buf *b);

/* issue 3 anchor: audit prototypes go above this line */

/* daa.c: Direct Anonymous Attestation (Part 3, 26) */
TPM_RESULT tpm_cmd_daa_join(struct tpm_cmd *c, struct tpm_buf *in,
			    struct tpm_buf *out);
TPM_RESULT tpm_cmd_daa_sign(struct tpm_cmd *c, struct tpm_buf *in,
			    struct tpm_buf *out);
/* New tpmDAASeed, daaProof and daaBlobKey (Part 2, 7.4: made with the EK,
 * kept across owner changes); 0 or -EIO. */
int tpm_daa_generate_secrets(struct tpm_state *s);
/* FlushSpecific(TPM_RT_DAA_TPM): TPM_BAD_HANDLE when no such session. */
TPM_RESULT tpm_daa_flush(struct tpm_state *s, uint32_t handle);
/* End every DAA session (TPM_Init, Startup, OwnerClear). */
void tpm_daa_sessions_clear(struct tpm_state *s);
/* DAA sessions in use (TPM_CAP_PROP_DAASESS is the free count). */
uint32_t tpm_daa_sessions_used(const struct tpm_state *s);
/* The "daa" state section (docs/state-format.md). */
int tpm_daa_state_put(const struct tpm_state *s, struct tpm_buf *b);
int tpm_daa_state_get(struct tpm_state *s, struct tpm_buf *b);

/* issue 3 anchor: daa prototypes go above this line */

/* maint.c: maintenance (Part 3, 12) */
TPM_RESULT tpm_cmd_create_maintenance_archive(struct tpm_cmd *c,
					      struct tpm_buf *in,
					      struct tpm_buf *out);
TPM_RESULT tpm_cmd_load_maintenance_archive(struct tpm_cmd *c,
					    struct tpm_buf *in,
					    struct tpm_buf *out);
TPM_RESULT tpm_cmd_kill_maintenance_feature(struct tpm_cmd *c,
					    struct tpm_buf *in,
					    struct tpm_buf *out);
TPM_RESULT tpm_cmd_load_manu_maint_pub(struct tpm_cmd *c, struct tpm_buf *in,
				       struct tpm_buf *out);
TPM_RESULT tpm_cmd_read_manu_maint_pub(struct tpm_cmd *c, struct tpm_buf *in,
				       struct tpm_buf *out);
/* State section 5 "maintenance" (docs/state-format.md). */
int tpm_maintenance_state_put(const struct tpm_state *s, struct tpm_buf *b);
int tpm_maintenance_state_get(struct tpm_state *s, struct tpm_buf *b);

/* revek.c: revocable EK (Part 3, 14.2-14.3) */
TPM_RESULT tpm_cmd_create_revocable_ek(struct tpm_cmd *c, struct tpm_buf *in,
				       struct tpm_buf *out);
TPM_RESULT tpm_cmd_revoke_trust(struct tpm_cmd *c, struct tpm_buf *in,
				struct tpm_buf *out);

/* issue 3 anchor: maintenance prototypes go above this line */

/* keysmisc (issue 3): misc.c, changeauth_asym.c, and the Sealx and
 * CertifyKey2 handlers in storage.c and keys.c */
TPM_RESULT tpm_cmd_reset(struct tpm_cmd *c, struct tpm_buf *in,
			 struct tpm_buf *out);
TPM_RESULT tpm_cmd_tsc_reset_establishment_bit(struct tpm_cmd *c,
					       struct tpm_buf *in,
					       struct tpm_buf *out);
TPM_RESULT tpm_cmd_change_auth_asym_start(struct tpm_cmd *c,
					  struct tpm_buf *in,
					  struct tpm_buf *out);
TPM_RESULT tpm_cmd_change_auth_asym_finish(struct tpm_cmd *c,
					   struct tpm_buf *in,
					   struct tpm_buf *out);
TPM_RESULT tpm_cmd_sealx(struct tpm_cmd *c, struct tpm_buf *in,
			 struct tpm_buf *out);
TPM_RESULT tpm_cmd_certify_key2(struct tpm_cmd *c, struct tpm_buf *in,
				struct tpm_buf *out);
/* keys.c: does @cur, the current secret of the entity (TPM_ET_KEY or
 * TPM_ET_DATA) being changed, authorize the change?  TPM_SUCCESS or the
 * command's failure code. */
typedef TPM_RESULT (*tpm_entity_auth_fn)(struct tpm_cmd *c, uint16_t et,
					 const uint8_t cur[TPM_SECRET_SIZE],
					 const void *arg);
/**
 * tpm_entity_change_auth() - replace the secret of a wrapped entity.
 * @c: the command.
 * @parent: the loaded storage key that wraps it.
 * @et: TPM_ET_KEY (encData of a TPM_KEY) or TPM_ET_DATA (of sealed data).
 * @enc: encData; @elen: its length.
 * @new_auth: the new secret.
 * @verify: checks the current secret (ChangeAuth: the entity's session;
 *          ChangeAuthAsymFinish: newAuthLink); @arg is passed to it.
 * @out: receives u32 size || the re-encrypted encData.
 *
 * Return: TPM_SUCCESS, TPM_DECRYPT_ERROR, TPM_INVALID_STRUCTURE,
 * TPM_AUTHFAIL (data of another TPM), @verify's code, TPM_ENCRYPT_ERROR.
 */
TPM_RESULT tpm_entity_change_auth(struct tpm_cmd *c,
				  const struct tpm_key *parent, uint16_t et,
				  const uint8_t *enc, uint32_t elen,
				  const uint8_t new_auth[TPM_SECRET_SIZE],
				  tpm_entity_auth_fn verify, const void *arg,
				  struct tpm_buf *out);

/* issue 3 anchor: keysmisc prototypes go above this line */

/* state.c: lifecycle and persistence (tpm_emulator.h) */
/* Mark persistent state as changed (the daemon saves it). */
static inline void tpm_mark_dirty(struct tpm_state *s)
{
	s->dirty = true;
}

/* Set a persistent flag; the state is dirty only when it changes. */
static inline void tpm_set_pflag(struct tpm_state *s, bool *flag, bool value)
{
	if (*flag != value) {
		*flag = value;
		tpm_mark_dirty(s);
	}
}

/* Enter failure mode after an internal error (Part 1, 9.x): every command
 * but GetTestResult/GetCapability then answers TPM_FAILEDSELFTEST. */
void tpm_enter_failure_mode(struct tpm_state *s, uint32_t why);

/* Wipe a secret (never optimised away). */
static inline void tpm_wipe(void *p, size_t n)
{
	explicit_bzero(p, n);
}

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif /* TPM_INTERNAL_H */
