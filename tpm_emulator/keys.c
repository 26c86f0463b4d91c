// SPDX-License-Identifier: GPL-2.0
/*
 * Keys: the loaded-key slots and their handles, authorization and PCR
 * binding of key use, wrapping of private keys (TPM_STORE_ASYMKEY under
 * RSA-OAEP), the SRK, signing, and the key commands of Part 3 (10.4-10.6,
 * 13.5 Sign, 13.8 CertifyKey, 13.9 CertifyKey2, 17.1 ChangeAuth,
 * 27.1.1 EvictKey, 27.8 LoadKey).
 * Wire bytes of Part 2 structures, the TPM_STORE_ASYMKEY plaintext
 * included, are parsed in marshal_struct.c; this file owns its encryption
 * under a parent, which migration.c and cmk.c use too.
 */
#include <errno.h>

#include "internal.h"

/* Loaded-key handles: 0x01000000 | 24-bit sequence.  Part 2, 4.5 leaves
 * handle values to the vendor; 0x40xxxxxx are the reserved ones. */
#define KEY_HANDLE_BASE		0x01000000U
#define KEY_HANDLE_MASK		0x00FFFFFFU
#define KEY_HANDLE_RESERVED	0x40000000U
#define KEY_HANDLE_TYPE_MASK	0xFF000000U

/* Serialised TPM_KEY12 without encData at its largest: header 4, usage 2,
 * flags 4, authDataUsage 1, parms 28, PCR info 4 + 54, pubKey 4 + 256. */
#define KEY_PUBLIC_MAX		512U
/* Part 2, 5.14 TPM_SIGN_INFO header: tag, fixed, replay, dataLen. */
#define SIGN_INFO_HDR		(2U + 4U + TPM_NONCE_SIZE + 4U)
/* Part 3, 13.8 step 7: select bytes 0-1 (PCRs 0-15) fit TPM_CERTIFY_INFO. */
#define CERTIFY_SEL_BYTES	2U
/* RSA key sizes are multiples of this many bits (libtpms refuses others). */
#define RSA_BITS_STEP		16U
/* Public exponent every TPM accepts for storage and identity keys. */
#define RSA_DEFAULT_EXP		65537U
/* Part 3, 13.5 step 6a: PKCS#1 v1.5 padding takes 11 bytes. */
#define PKCS1_PAD_BYTES		11U

static const uint8_t struct_ver_11[4] = { 1, 1, 0, 0 };

/* The handle a key is named by (the SRK lives outside the slots). */
static uint32_t key_handle_of(const struct tpm_state *s,
			      const struct tpm_key *k)
{
	return k == &s->pd.srk ? TPM_KH_SRK : k->handle;
}

static bool handle_live(const struct tpm_state *s, uint32_t h)
{
	unsigned int i;

	for (i = 0; i < TPM_MAX_KEYS; i++) {
		if (s->keys[i].valid && s->keys[i].handle == h)
			return true;
	}
	return false;
}

TPM_RESULT tpm_key_lookup(struct tpm_state *s, uint32_t handle,
			  struct tpm_key **k)
{
	unsigned int i;

	/* Part 2, 4.5: TPM_KH_SRK names the SRK once there is an owner.
	 * The EK and the other reserved handles never name a usable key;
	 * their codes are libtpms's. */
	if (handle == TPM_KH_SRK) {
		if (!s->pf.owner_installed || !s->pd.srk.rsa)
			return TPM_INVALID_KEYHANDLE;
		*k = &s->pd.srk;
		return TPM_SUCCESS;
	}
	if (handle == TPM_KH_EK)
		return TPM_KEYNOTFOUND;
	if (handle >= TPM_KH_OWNER && handle <= TPM_KH_ADMIN)
		return TPM_INVALID_RESOURCE;
	for (i = 0; i < TPM_MAX_KEYS; i++) {
		if (s->keys[i].valid && s->keys[i].handle == handle) {
			*k = &s->keys[i];
			return TPM_SUCCESS;
		}
	}
	return TPM_INVALID_KEYHANDLE;
}

static bool pcr_in_use(const struct tpm_pcr_info *pi)
{
	unsigned int i;

	if (pi->kind == PCR_INFO_NONE)
		return false;
	for (i = 0; i < pi->release_sel.size; i++) {
		if (pi->release_sel.sel[i])
			return true;
	}
	return false;
}

/*
 * The PCR binding of a key at use (Part 1, 25.1; Part 3, 10.6 step 4):
 * digestAtRelease and localityAtRelease must match now.  Reads of the
 * public part skip it when the key says pcrIgnoredOnRead (Part 2, 5.10).
 */
static TPM_RESULT key_check_pcr(const struct tpm_state *s,
				const struct tpm_key *k, bool read_only)
{
	if (k->pcr.kind == PCR_INFO_NONE)
		return TPM_SUCCESS;
	if (read_only && (k->flags & TPM_KEY_FLAG_PCR_IGNORED_ON_READ))
		return TPM_SUCCESS;
	return tpm_pcr_info_check_release(s, &k->pcr);
}

/* The authorization part of tpm_key_authorize(), without PCRs. */
static TPM_RESULT key_auth(struct tpm_cmd *c, unsigned int idx,
			   const struct tpm_key *k)
{
	/* Part 3 (e.g. 13.5, 10.5): without an auth area only a key with
	 * authDataUsage TPM_AUTH_NEVER may be used. */
	if (idx >= c->nauth) {
		if (k->auth_usage == TPM_AUTH_NEVER)
			return TPM_SUCCESS;
		return idx ? TPM_AUTH2FAIL : TPM_AUTHFAIL;
	}
	return tpm_auth_check(c, idx, TPM_ET_KEYHANDLE,
			      key_handle_of(c->s, k), k->usage_auth);
}

TPM_RESULT tpm_key_authorize(struct tpm_cmd *c, unsigned int idx,
			     const struct tpm_key *k)
{
	TPM_RESULT rc;

	rc = key_check_pcr(c->s, k, false);
	if (rc)
		return rc;
	return key_auth(c, idx, k);
}

TPM_RESULT tpm_key_use(struct tpm_cmd *c, uint32_t handle, struct tpm_key **k)
{
	TPM_RESULT rc;

	rc = tpm_key_lookup(c->s, handle, k);
	return rc ? rc : tpm_key_authorize(c, 0, *k);
}

void tpm_key_clear(struct tpm_key *k)
{
	tpm_rsa_free(k->rsa);
	tpm_wipe(k, sizeof(*k));
}

/* Unload one key and end the OSAP sessions bound to it. */
static void key_unload(struct tpm_state *s, struct tpm_key *k)
{
	tpm_sessions_invalidate_entity(s, TPM_ET_KEYHANDLE, k->handle);
	tpm_key_clear(k);
}

void tpm_keys_flush_all(struct tpm_state *s, bool keep_owner_evict)
{
	unsigned int i;

	for (i = 0; i < TPM_MAX_KEYS; i++) {
		struct tpm_key *k = &s->keys[i];

		if (!k->valid || (keep_owner_evict && k->owner_evict))
			continue;
		key_unload(s, k);
	}
}

/*
 * The slot is returned zeroed with its handle set; it becomes live only
 * when the caller sets ->valid, so a command that fails after allocating
 * leaves nothing behind.
 */
TPM_RESULT tpm_key_slot_alloc(struct tpm_state *s, struct tpm_key **slot)
{
	struct tpm_key *k = NULL;
	unsigned int i;
	uint32_t h;

	for (i = 0; i < TPM_MAX_KEYS && !k; i++) {
		if (!s->keys[i].valid)
			k = &s->keys[i];
	}
	if (!k)
		return TPM_RESOURCES;
	/* A fresh handle never equal to a live one: at most TPM_MAX_KEYS
	 * collisions before one is free. */
	do {
		s->key_seq = (s->key_seq + 1) & KEY_HANDLE_MASK;
		h = KEY_HANDLE_BASE | s->key_seq;
	} while (s->key_seq == 0 || handle_live(s, h));
	tpm_key_clear(k);
	k->handle = h;
	*slot = k;
	return TPM_SUCCESS;
}

int tpm_key_pub_digest(struct tpm_key *k)
{
	uint8_t buf[KEY_PUBLIC_MAX];
	struct tpm_buf b;

	/* Part 2, 10.6 pubDataDigest: SHA-1 of the TPM_KEY/TPM_KEY12 with
	 * encDataSize and encData left out.  An empty encData is written
	 * and its 4-byte size dropped from the hash. */
	tb_init_write(&b, buf, sizeof(buf));
	if (tpm_key_put(&b, k, NULL, 0))
		return -ENOSPC;
	return tpm_sha1(buf, b.len - 4, k->pub_digest);
}

int tpm_key_generate(struct tpm_key *k)
{
	struct tpm_rsa *rsa = NULL;
	size_t n_len;
	int rc;

	rc = tpm_rsa_generate(&rsa, k->parms.key_bits, k->parms.exponent,
			      k->parms.exp_size);
	if (rc)
		return rc;
	rc = tpm_rsa_get_modulus(rsa, k->n, sizeof(k->n), &n_len);
	/* Part 2, 10.4: the modulus is exactly keyLength bits. */
	if (!rc && n_len != k->parms.key_bits / 8)
		rc = -EINVAL;
	if (rc) {
		tpm_rsa_free(rsa);
		return rc;
	}
	tpm_rsa_free(k->rsa);
	k->rsa = rsa;
	k->n_len = (uint32_t)n_len;
	return tpm_key_pub_digest(k);
}

/* Public exponent as a number (0 when absent, i.e. the default). */
static uint32_t key_exponent(const struct tpm_key_parms *p)
{
	uint32_t e = 0, i;

	for (i = 0; i < p->exp_size; i++)
		e = (e << 8) | p->exponent[i];
	return e;
}

static bool exponent_default(const struct tpm_key_parms *p)
{
	return p->exp_size == 0 || key_exponent(p) == RSA_DEFAULT_EXP;
}

/* Part 2, 5.8.1 (mandatory schemes per key usage) and Part 3, 10.4
 * step 8 / 10.5 step 7g-h (storage, migrate, identity: RSA-2048, default
 * exponent). */
static bool schemes_valid(const struct tpm_key *k)
{
	const struct tpm_key_parms *p = &k->parms;
	bool oaep = p->enc_scheme == TPM_ES_RSAESOAEP_SHA1_MGF1;
	bool enc = oaep || p->enc_scheme == TPM_ES_RSAESPKCSv15;
	bool full = p->key_bits == TPM_RSA_MAX_BITS && exponent_default(p);

	switch (k->usage) {
	case TPM_KEY_SIGNING:
		return p->enc_scheme == TPM_ES_NONE &&
		       (p->sig_scheme == TPM_SS_RSASSAPKCS1v15_SHA1 ||
			p->sig_scheme == TPM_SS_RSASSAPKCS1v15_DER ||
			p->sig_scheme == TPM_SS_RSASSAPKCS1v15_INFO);
	case TPM_KEY_STORAGE:
	case TPM_KEY_MIGRATE:
		return oaep && p->sig_scheme == TPM_SS_NONE && full;
	case TPM_KEY_IDENTITY:
		return p->enc_scheme == TPM_ES_NONE &&
		       p->sig_scheme == TPM_SS_RSASSAPKCS1v15_SHA1 && full;
	case TPM_KEY_AUTHCHANGE:
		return oaep && p->sig_scheme == TPM_SS_NONE;
	case TPM_KEY_BIND:
		return enc && p->sig_scheme == TPM_SS_NONE;
	case TPM_KEY_LEGACY:
		return enc && (p->sig_scheme == TPM_SS_RSASSAPKCS1v15_SHA1 ||
			       p->sig_scheme == TPM_SS_RSASSAPKCS1v15_DER);
	default:
		return false;
	}
}

/*
 * Part 3, 10.4 steps 3, 7, 8 and 10.5 steps 3, 7e-h: can this TPM create
 * (@loaded false) or operate (@loaded true: the modulus must be present)
 * a key like @k?  TPM_BAD_KEY_PROPERTY or TPM_NOTFIPS otherwise.
 */
static TPM_RESULT check_key_props(const struct tpm_state *s,
				  const struct tpm_key *k, bool loaded)
{
	const struct tpm_key_parms *p = &k->parms;
	uint32_t e = key_exponent(p);

	if (p->algorithm != TPM_ALG_RSA || p->key_bits < TPM_RSA_MIN_BITS ||
	    p->key_bits > TPM_RSA_MAX_BITS || p->key_bits % RSA_BITS_STEP)
		return TPM_BAD_KEY_PROPERTY;
	/* Part 2, 8.6: a TPM_LOCALITY_SELECTION of 0 can never be met;
	 * libtpms refuses it in either field of a TPM_PCR_INFO_LONG. */
	if (k->pcr.kind == PCR_INFO_LONG && (!k->pcr.locality_at_creation ||
					     !k->pcr.locality_at_release))
		return TPM_INVALID_STRUCTURE;
	if (loaded && k->n_len != p->key_bits / 8)
		return TPM_BAD_KEY_PROPERTY;
	/* An explicit exponent must be odd and greater than one. */
	if (p->exp_size && (e < 3 || !(e & 1)))
		return TPM_BAD_KEY_PROPERTY;
	if (s->pf.fips && (p->key_bits < 1024 ||
			   k->auth_usage == TPM_AUTH_NEVER ||
			   k->usage == TPM_KEY_LEGACY))
		return TPM_NOTFIPS;
	return schemes_valid(k) ? TPM_SUCCESS : TPM_BAD_KEY_PROPERTY;
}

/* The payload of @k's TPM_STORE_ASYMKEY: as loaded or created, else
 * TPM_PT_MIGRATE_RESTRICTED for a CMK and TPM_PT_ASYM for the rest. */
static uint8_t key_payload(const struct tpm_key *k)
{
	if (k->payload)
		return k->payload;
	return (k->flags & TPM_KEY_FLAG_MIGRATE_AUTHORITY) ?
	       TPM_PT_MIGRATE_RESTRICTED : TPM_PT_ASYM;
}

/* Part 2, 10.6 TPM_STORE_ASYMKEY of @k (plaintext of encData). */
static int key_store_asymkey(const struct tpm_key *k,
			     struct tpm_store_asymkey *a)
{
	size_t plen;

	if (!k->rsa || tpm_rsa_get_prime(k->rsa, a->priv + 4,
					 sizeof(a->priv) - 4, &plen))
		return -EINVAL;
	a->payload = key_payload(k);
	memcpy(a->usage_auth, k->usage_auth, TPM_SECRET_SIZE);
	memcpy(a->migration_auth, k->migration_auth, TPM_SECRET_SIZE);
	memcpy(a->pub_digest, k->pub_digest, TPM_DIGEST_SIZE);
	tb_wr_be32(a->priv, (uint32_t)plen);
	a->priv_len = 4U + (uint32_t)plen;
	return 0;
}

TPM_RESULT tpm_store_asymkey_encrypt(const struct tpm_key *k,
				     const struct tpm_store_asymkey *a,
				     uint8_t enc[TPM_MAX_KEY_BYTES],
				     size_t *elen)
{
	uint8_t plain[TPM_STORE_ASYMKEY_MAX];
	struct tpm_buf b;
	TPM_RESULT rc = TPM_FAIL;

	tb_init_write(&b, plain, sizeof(plain));
	if (tpm_store_asymkey_put(&b, a))
		goto out;
	/* Part 3, 10.4 step 16: RSAES-OAEP ("TCPA" label, Part 1, 31.1.1). */
	rc = TPM_ENCRYPT_ERROR;
	if (k->rsa && !tpm_rsa_oaep_encrypt(k->rsa, plain, b.len, enc,
					    TPM_MAX_KEY_BYTES, elen))
		rc = TPM_SUCCESS;
out:
	tpm_wipe(plain, sizeof(plain));
	return rc;
}

TPM_RESULT tpm_store_asymkey_decrypt(const struct tpm_key *k,
				     const uint8_t *enc, uint32_t elen,
				     struct tpm_store_asymkey *a)
{
	uint8_t plain[TPM_STORE_ASYMKEY_MAX];
	struct tpm_buf b;
	TPM_RESULT rc;
	size_t len;

	if (!k->rsa || tpm_rsa_oaep_decrypt(k->rsa, enc, elen, plain,
					    sizeof(plain), &len))
		return TPM_DECRYPT_ERROR;
	tb_init_read(&b, plain, len);
	rc = tpm_store_asymkey_get(&b, a);
	tpm_wipe(plain, sizeof(plain));
	return rc;
}

TPM_RESULT tpm_key_wrap(struct tpm_state *s, const struct tpm_key *parent,
			const struct tpm_key *k, struct tpm_buf *out)
{
	struct tpm_store_asymkey a;
	uint8_t enc[TPM_MAX_KEY_BYTES];
	TPM_RESULT rc = TPM_FAIL;
	size_t elen;

	(void)s;
	if (!parent->rsa || key_store_asymkey(k, &a))
		goto out;
	/* Part 3, 10.4 step 16: encrypt the private part under the parent. */
	rc = tpm_store_asymkey_encrypt(parent, &a, enc, &elen);
	if (!rc && tpm_key_put(out, k, enc, (uint32_t)elen))
		rc = TPM_SIZE;
out:
	tpm_wipe(&a, sizeof(a));
	return rc;
}

/*
 * Part 3, 17.1 step 10a: the payload must be one a loadable key carries,
 * TPM_INVALID_STRUCTURE otherwise.  CMKs carry TPM_PT_MIGRATE_RESTRICTED
 * (CMK_CreateKey) or TPM_PT_MIGRATE_EXTERNAL (CMK_ConvertMigration), as
 * in libtpms.
 */
static TPM_RESULT key_payload_check(uint8_t payload)
{
	if (payload != TPM_PT_ASYM && payload != TPM_PT_MIGRATE_RESTRICTED &&
	    payload != TPM_PT_MIGRATE_EXTERNAL)
		return TPM_INVALID_STRUCTURE;
	return TPM_SUCCESS;
}

/*
 * Part 3, 10.5 steps 5-7: decrypt encData under @parent into the private
 * part of @k (public fields already parsed) and check its integrity.
 */
static TPM_RESULT key_decrypt(struct tpm_state *s,
			      const struct tpm_key *parent,
			      const uint8_t *enc, uint32_t elen,
			      struct tpm_key *k)
{
	struct tpm_store_asymkey a;
	TPM_RESULT rc;
	int err;

	rc = tpm_store_asymkey_decrypt(parent, enc, elen, &a);
	if (!rc)
		rc = key_payload_check(a.payload);
	if (rc)
		goto out;
	memcpy(k->usage_auth, a.usage_auth, TPM_SECRET_SIZE);
	memcpy(k->migration_auth, a.migration_auth, TPM_SECRET_SIZE);
	/* 0 keeps key_payload()'s default for ordinary keys. */
	k->payload = a.payload == TPM_PT_ASYM ? 0 : a.payload;
	/* Step 6: the public fields must be the ones the key was made with
	 * (a mismatching digest compares as an authorization failure, as in
	 * libtpms). */
	rc = TPM_FAIL;
	if (tpm_key_pub_digest(k))
		goto out;
	rc = TPM_AUTHFAIL;
	if (tpm_memcmp_ct(a.pub_digest, k->pub_digest, TPM_DIGEST_SIZE))
		goto out;
	/* Step 7d: a non-migratable key was made by this TPM. */
	rc = TPM_INVALID_KEYUSAGE;
	if (!(k->flags & TPM_KEY_FLAG_MIGRATABLE) &&
	    tpm_memcmp_ct(k->migration_auth, s->pd.tpm_proof,
			  TPM_SECRET_SIZE))
		goto out;
	/* Step 7a: p must divide n. */
	err = tpm_rsa_from_prime(&k->rsa, k->n, k->n_len, k->parms.exponent,
				 k->parms.exp_size, a.priv + 4,
				 a.priv_len - 4U);
	rc = err == -EBADMSG ? TPM_BAD_KEY_PROPERTY :
	     err ? TPM_FAIL : TPM_SUCCESS;
out:
	tpm_wipe(&a, sizeof(a));
	if (rc) {
		tpm_wipe(k->usage_auth, sizeof(k->usage_auth));
		tpm_wipe(k->migration_auth, sizeof(k->migration_auth));
	}
	return rc;
}

TPM_RESULT tpm_key_unwrap(struct tpm_state *s, const struct tpm_key *parent,
			  struct tpm_buf *in, struct tpm_key *k)
{
	const uint8_t *enc;
	uint32_t elen;
	TPM_RESULT rc;

	rc = tpm_key_get(in, k, &enc, &elen);
	if (rc)
		return rc;
	return key_decrypt(s, parent, enc, elen, k);
}

TPM_RESULT tpm_key_sign(const struct tpm_key *k, const uint8_t *data,
			size_t len, uint8_t *sig, size_t cap, size_t *siglen)
{
	int err;

	if (!k->rsa)
		return TPM_FAIL;
	switch (k->parms.sig_scheme) {
	case TPM_SS_RSASSAPKCS1v15_SHA1:
	case TPM_SS_RSASSAPKCS1v15_INFO:
		/* The caller hashed the (TPM_SIGN_INFO) structure. */
		if (len != TPM_DIGEST_SIZE)
			return TPM_BAD_PARAMETER;
		err = tpm_rsa_sign_sha1(k->rsa, data, sig, cap, siglen);
		break;
	case TPM_SS_RSASSAPKCS1v15_DER:
		if (len + PKCS1_PAD_BYTES > k->n_len)
			return TPM_BAD_PARAMETER;
		err = tpm_rsa_sign_raw(k->rsa, data, len, sig, cap, siglen);
		break;
	default:
		return TPM_INAPPROPRIATE_SIG;
	}
	return err ? TPM_FAIL : TPM_SUCCESS;
}

TPM_RESULT tpm_key_sign_put(const struct tpm_key *k, const uint8_t *data,
			    size_t len, struct tpm_buf *out)
{
	uint8_t sig[TPM_MAX_KEY_BYTES];
	size_t siglen;
	TPM_RESULT rc;

	rc = tpm_key_sign(k, data, len, sig, sizeof(sig), &siglen);
	if (rc)
		return rc;
	return tb_put_sized(out, sig, (uint32_t)siglen) ? TPM_SIZE :
							   TPM_SUCCESS;
}

/* Set up the public and private fields of a new key from its template
 * and generate the pair (Part 3, 10.4 steps 13-15). */
static TPM_RESULT key_make(struct tpm_state *s, struct tpm_key *k)
{
	TPM_RESULT rc;

	if (!k->key12)
		memcpy(k->ver, struct_ver_11, sizeof(k->ver));
	k->n_len = 0;
	/* Step 15: digestAtCreation (and localityAtCreation) from now. */
	if (k->pcr.kind != PCR_INFO_NONE) {
		rc = tpm_pcr_info_set_creation(s, &k->pcr);
		if (rc)
			return rc;
	}
	return tpm_key_generate(k) ? TPM_FAIL : TPM_SUCCESS;
}

TPM_RESULT tpm_key_check_template(const struct tpm_state *s,
				  const struct tpm_key *k)
{
	return check_key_props(s, k, false);
}

TPM_RESULT tpm_key_make(struct tpm_state *s, struct tpm_key *k)
{
	return key_make(s, k);
}

TPM_RESULT tpm_srk_create(struct tpm_state *s, struct tpm_key *srk)
{
	const struct tpm_key_parms *p = &srk->parms;
	TPM_RESULT rc;

	/* Part 3, 6.1 step 8: srkParams must describe a non-migratable
	 * RSA-2048 OAEP storage key with the default exponent. */
	if (srk->usage != TPM_KEY_STORAGE ||
	    (srk->flags & TPM_KEY_FLAG_MIGRATABLE))
		return TPM_INVALID_KEYUSAGE;
	if (p->algorithm != TPM_ALG_RSA ||
	    p->enc_scheme != TPM_ES_RSAESOAEP_SHA1_MGF1 ||
	    p->sig_scheme != TPM_SS_NONE || p->key_bits != TPM_RSA_MAX_BITS ||
	    p->exp_size != 0)
		return TPM_BAD_KEY_PROPERTY;
	if (s->pf.fips && srk->auth_usage == TPM_AUTH_NEVER)
		return TPM_NOTFIPS;
	/* Non-migratable: migrationAuth is tpmProof (Part 2, 10.6). */
	memcpy(srk->migration_auth, s->pd.tpm_proof, TPM_SECRET_SIZE);
	rc = key_make(s, srk);
	if (rc) {
		tpm_rsa_free(srk->rsa);
		srk->rsa = NULL;
		return rc;
	}
	srk->handle = TPM_KH_SRK;
	srk->parent_handle = 0;
	srk->parent_pcr_status = false;
	srk->owner_evict = false;
	srk->valid = true;
	return TPM_SUCCESS;
}

/* Part 3, 10.4 steps 1-2 (17.1 step 2): area @idx must be an OSAP (or
 * DSAP) session, TPM_BAD_MODE otherwise. */
static TPM_RESULT require_osap(struct tpm_cmd *c, unsigned int idx)
{
	struct tpm_session *sess;

	sess = tpm_session_find(c->s, c->auth_in[idx].handle);
	if (!sess)
		return TPM_INVALID_AUTHHANDLE;
	if (sess->type != SESS_OSAP && sess->type != SESS_DSAP)
		return TPM_BAD_MODE;
	return TPM_SUCCESS;
}

/* Part 3, 10.4 steps 3-6: may @k be created under @parent? */
static TPM_RESULT check_new_key(const struct tpm_state *s,
				const struct tpm_key *parent,
				const struct tpm_key *k)
{
	TPM_RESULT rc;

	rc = check_key_props(s, k, false);
	if (rc)
		return rc;
	/* Step 4: only storage keys wrap keys. */
	if (parent->usage != TPM_KEY_STORAGE)
		return TPM_INVALID_KEYUSAGE;
	/* Step 5: a migratable parent cannot hold a non-migratable child. */
	if ((parent->flags & TPM_KEY_FLAG_MIGRATABLE) &&
	    !(k->flags & TPM_KEY_FLAG_MIGRATABLE))
		return TPM_INVALID_KEYUSAGE;
	/* Step 6: identity and authchange keys have their own commands;
	 * certified-migration keys come from TPM_CMK_CreateKey. */
	if (k->usage == TPM_KEY_IDENTITY || k->usage == TPM_KEY_AUTHCHANGE ||
	    (k->flags & TPM_KEY_FLAG_MIGRATE_AUTHORITY))
		return TPM_INVALID_KEYUSAGE;
	return TPM_SUCCESS;
}

/* Part 3, 10.4 TPM_CreateWrapKey */
TPM_RESULT tpm_cmd_create_wrap_key(struct tpm_cmd *c, struct tpm_buf *in,
				   struct tpm_buf *out)
{
	uint8_t enc_usage[TPM_SECRET_SIZE], enc_mig[TPM_SECRET_SIZE];
	struct tpm_key *parent, nk;
	uint32_t parent_handle;
	TPM_RESULT rc;

	memset(&nk, 0, sizeof(nk));
	if (tb_get_u32(in, &parent_handle) ||
	    tb_get_bytes(in, enc_usage, sizeof(enc_usage)) ||
	    tb_get_bytes(in, enc_mig, sizeof(enc_mig)))
		return TPM_BAD_PARAM_SIZE;
	rc = tpm_key_get(in, &nk, NULL, NULL);
	if (rc)
		return rc;
	if (tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;

	rc = tpm_key_lookup(c->s, parent_handle, &parent);
	if (rc)
		return rc;
	/* Steps 1-2: OSAP authorization for the parent. */
	rc = require_osap(c, 0);
	if (!rc)
		rc = tpm_key_authorize(c, 0, parent);
	if (!rc)
		rc = check_new_key(c->s, parent, &nk);
	if (rc)
		return rc;
	/* Steps 10-11: usage secret under nonceEven, migration secret
	 * under nonceOdd (ADIP, Part 1, 13). */
	rc = tpm_auth_decrypt(c, 0, enc_usage, nk.usage_auth, false);
	if (!rc)
		rc = tpm_auth_decrypt(c, 0, enc_mig, nk.migration_auth, true);
	if (rc)
		goto out;
	/* Step 12: the session ends with this command. */
	c->terminate[0] = true;
	/* Step 14c: a non-migratable key carries tpmProof instead. */
	if (!(nk.flags & TPM_KEY_FLAG_MIGRATABLE))
		memcpy(nk.migration_auth, c->s->pd.tpm_proof, TPM_SECRET_SIZE);
	/* Steps 13-17: generate, wrap under the parent, return. */
	rc = key_make(c->s, &nk);
	if (!rc)
		rc = tpm_key_wrap(c->s, parent, &nk, out);
out:
	tpm_key_clear(&nk);
	return rc;
}

/* Part 3, 10.5 (LoadKey2) and 27.8 (LoadKey): everything but the
 * response handle's place in the HMAC. */
static TPM_RESULT load_key_common(struct tpm_cmd *c, struct tpm_buf *in,
				  struct tpm_buf *out)
{
	struct tpm_key *parent, *slot, nk;
	uint32_t parent_handle, elen;
	const uint8_t *enc;
	TPM_RESULT rc;

	memset(&nk, 0, sizeof(nk));
	if (tb_get_u32(in, &parent_handle))
		return TPM_BAD_PARAM_SIZE;
	rc = tpm_key_get(in, &nk, &enc, &elen);
	if (rc)
		return rc;
	if (tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;

	/* Step 1: authorize use of the parent. */
	rc = tpm_key_use(c, parent_handle, &parent);
	if (rc)
		return rc;
	/* Step 2: only storage keys unwrap keys. */
	if (parent->usage != TPM_KEY_STORAGE)
		return TPM_INVALID_KEYUSAGE;
	/* Step 3: a key this TPM can operate. */
	rc = check_key_props(c->s, &nk, true);
	if (rc)
		return rc;
	/* Steps 5-7a, 7d: decrypt, integrity, tpmProof, consistency. */
	rc = key_decrypt(c->s, parent, enc, elen, &nk);
	if (rc)
		goto out;
	/* Step 7b-c: identity keys are never migratable; authchange keys
	 * are never loaded. */
	rc = TPM_INVALID_KEYUSAGE;
	if ((nk.usage == TPM_KEY_IDENTITY &&
	     (nk.flags & TPM_KEY_FLAG_MIGRATABLE)) ||
	    nk.usage == TPM_KEY_AUTHCHANGE)
		goto out;
	/* Step 9: no room is TPM_NOSPACE. */
	rc = tpm_key_slot_alloc(c->s, &slot);
	if (rc) {
		rc = rc == TPM_RESOURCES ? TPM_NOSPACE : rc;
		goto out;
	}
	rc = TPM_SIZE;
	if (tb_put_u32(out, slot->handle))
		goto out;
	/* Steps 10-12: parentPCRStatus is inherited, or set when the
	 * parent itself is PCR-bound. */
	nk.handle = slot->handle;
	nk.parent_handle = parent_handle;
	nk.parent_pcr_status = parent->parent_pcr_status ||
			       pcr_in_use(&parent->pcr);
	nk.valid = true;
	*slot = nk;
	tpm_wipe(&nk, sizeof(nk));
	return TPM_SUCCESS;
out:
	tpm_key_clear(&nk);
	return rc;
}

/* Part 3, 27.8 TPM_LoadKey (the handle is covered by the response HMAC) */
TPM_RESULT tpm_cmd_load_key(struct tpm_cmd *c, struct tpm_buf *in,
			    struct tpm_buf *out)
{
	return load_key_common(c, in, out);
}

/* Part 3, 10.5 TPM_LoadKey2 (the handle is outside the response HMAC;
 * the dispatch table's out_handles says so) */
TPM_RESULT tpm_cmd_load_key2(struct tpm_cmd *c, struct tpm_buf *in,
			     struct tpm_buf *out)
{
	return load_key_common(c, in, out);
}

/* Part 3, 10.6 TPM_GetPubKey */
TPM_RESULT tpm_cmd_get_pub_key(struct tpm_cmd *c, struct tpm_buf *in,
			       struct tpm_buf *out)
{
	struct tpm_key *k;
	uint32_t handle;
	TPM_RESULT rc;

	if (tb_get_u32(in, &handle) || tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;

	rc = tpm_key_lookup(c->s, handle, &k);
	if (rc)
		return rc;
	/* Step 4: a read honours pcrIgnoredOnRead. */
	rc = key_check_pcr(c->s, k, true);
	if (rc)
		return rc;
	/* Step 1: with an auth area, the key's usage secret. */
	if (c->nauth) {
		rc = key_auth(c, 0, k);
		if (rc)
			return rc;
	/* Step 2: without one, only keys whose public part is free. */
	} else if (k->auth_usage != TPM_AUTH_NEVER &&
		   k->auth_usage != TPM_NO_READ_PUBKEY_AUTH) {
		return TPM_AUTHFAIL;
	}
	/* Step 3: the SRK's public part only when readSRKPub is set. */
	if (handle == TPM_KH_SRK && !c->s->pf.read_srk_pub)
		return TPM_INVALID_KEYHANDLE;
	/* Step 5 */
	return tpm_pubkey_put(out, k) ? TPM_SIZE : TPM_SUCCESS;
}

/* Part 3, 27.1.1 TPM_EvictKey: the deprecated form of FlushSpecific for
 * keys (Part 3, 22.3). */
TPM_RESULT tpm_cmd_evict_key(struct tpm_cmd *c, struct tpm_buf *in,
			     struct tpm_buf *out)
{
	struct tpm_key *k;
	uint32_t handle;
	TPM_RESULT rc;

	(void)out;
	if (tb_get_u32(in, &handle) || tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;

	/* Reserved handles (SRK, EK, ...) are not loaded keys. */
	if ((handle & KEY_HANDLE_TYPE_MASK) == KEY_HANDLE_RESERVED)
		return TPM_INVALID_KEYHANDLE;
	rc = tpm_key_lookup(c->s, handle, &k);
	if (rc)
		return rc;
	/* Owner-evict keys leave only by TPM_KeyControlOwner. */
	if (k->owner_evict)
		return TPM_KEY_OWNER_CONTROL;
	key_unload(c->s, k);
	return TPM_SUCCESS;
}

/* Part 3, 13.5 step 7: S1 = SHA-1 of TPM_SIGN_INFO("SIGN", nonceOdd). */
static TPM_RESULT sign_info_digest(const struct tpm_cmd *c,
				   const uint8_t *data, uint32_t len,
				   uint8_t digest[TPM_DIGEST_SIZE])
{
	uint8_t hdr[SIGN_INFO_HDR];
	struct tpm_buf b;

	/* Step 7c-i: the replay nonce is the caller's nonceOdd. */
	if (!c->nauth)
		return TPM_BAD_PARAMETER;
	tb_init_write(&b, hdr, sizeof(hdr));
	if (tb_put_u16(&b, TPM_TAG_SIGNINFO) || tb_put_bytes(&b, "SIGN", 4) ||
	    tb_put_bytes(&b, c->auth_in[0].nonce_odd, TPM_NONCE_SIZE) ||
	    tb_put_u32(&b, len))
		return TPM_FAIL;
	if (tpm_sha1_v(digest, hdr, b.len, data, (size_t)len, NULL))
		return TPM_FAIL;
	return TPM_SUCCESS;
}

/* Part 3, 13.5 TPM_Sign */
TPM_RESULT tpm_cmd_sign(struct tpm_cmd *c, struct tpm_buf *in,
			struct tpm_buf *out)
{
	uint8_t digest[TPM_DIGEST_SIZE];
	const uint8_t *area;
	struct tpm_key *k;
	uint32_t handle, len;
	TPM_RESULT rc;

	if (tb_get_u32(in, &handle) ||
	    tb_get_sized(in, &area, &len, TPM_MAX_COMMAND_SIZE) ||
	    tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;

	/* Step 1 */
	rc = tpm_key_use(c, handle, &k);
	if (rc)
		return rc;
	/* Step 2 */
	if (len == 0)
		return TPM_BAD_PARAMETER;
	/* Step 3 */
	if (k->usage != TPM_KEY_SIGNING && k->usage != TPM_KEY_LEGACY)
		return TPM_INVALID_KEYUSAGE;
	/* Steps 4-8: the scheme decides what is signed. */
	switch (k->parms.sig_scheme) {
	case TPM_SS_RSASSAPKCS1v15_SHA1:
		/* Step 5a: the caller sends the 20-byte digest. */
		if (len != TPM_DIGEST_SIZE)
			return TPM_BAD_PARAMETER;
		break;
	case TPM_SS_RSASSAPKCS1v15_DER:
		/* Step 6a: room for PKCS#1 v1.5 padding. */
		if (len + PKCS1_PAD_BYTES > k->n_len)
			return TPM_BAD_PARAMETER;
		break;
	case TPM_SS_RSASSAPKCS1v15_INFO:
		rc = sign_info_digest(c, area, len, digest);
		if (rc)
			return rc;
		area = digest;
		len = TPM_DIGEST_SIZE;
		break;
	default:
		return TPM_INVALID_KEYUSAGE;
	}
	/* Steps 9-10 */
	return tpm_key_sign_put(k, area, len, out);
}

/* Part 3, 13.8 step 2: the auth areas of CertifyKey by tag. */
static TPM_RESULT certify_authorize(struct tpm_cmd *c,
				    const struct tpm_key *cert,
				    const struct tpm_key *key)
{
	TPM_RESULT rc;

	switch (c->nauth) {
	case 2:
		/* 2a: certAuth then keyAuth (TPM_AUTH2FAIL for the second). */
		rc = key_auth(c, 0, cert);
		return rc ? rc : key_auth(c, 1, key);
	case 1:
		/* 2b: the one area is keyAuth; certHandle needs none. */
		if (cert->auth_usage != TPM_AUTH_NEVER)
			return TPM_AUTHFAIL;
		return key_auth(c, 0, key);
	default:
		/* 2c: neither key may need authorization to be certified. */
		if (cert->auth_usage != TPM_AUTH_NEVER ||
		    key->auth_usage == TPM_AUTH_ALWAYS)
			return TPM_AUTHFAIL;
		return TPM_SUCCESS;
	}
}

/*
 * Part 3, 13.8 steps 7-10: the PCR info of the certificate.  A key bound
 * to PCRs 16-23 or to fewer than all localities needs the 1.2 form
 * (TPM_CERTIFY_INFO2 with TPM_PCR_INFO_SHORT); otherwise a TPM_PCR_INFO
 * with digestAtCreation zero.  Step 9.b.iii's "pcrInfoSize 44" assumes a
 * 2-byte select; the key's own selection is kept (as libtpms does), since
 * digestAtRelease was computed over it.  Returns true for 1.2.
 */
static bool certify_pcr_info(const struct tpm_key *key,
			     struct tpm_pcr_info *pi)
{
	const struct tpm_pcr_info *kp = &key->pcr;
	unsigned int i;
	bool v12 = false;

	memset(pi, 0, sizeof(*pi));
	if (kp->kind == PCR_INFO_NONE)
		return false;
	for (i = CERTIFY_SEL_BYTES; i < kp->release_sel.size; i++)
		v12 = v12 || kp->release_sel.sel[i];
	if (kp->kind == PCR_INFO_LONG && kp->locality_at_release != TPM_LOC_ALL)
		v12 = true;
	pi->kind = v12 ? PCR_INFO_SHORT : PCR_INFO_11;
	pi->release_sel = kp->release_sel;
	pi->locality_at_release = kp->locality_at_release;
	memcpy(pi->digest_at_release, kp->digest_at_release, TPM_DIGEST_SIZE);
	return v12;
}

/* What TPM_CertifyKey2 (13.9) adds: TPM_CERTIFY_INFO2 always, with the
 * key's payload type and (for a CMK) the migration authority digest. */
struct certify2 {
	uint8_t payload;
	bool has_ma;
	uint8_t ma[TPM_DIGEST_SIZE];
};

/* Part 2, 11.1 TPM_CERTIFY_INFO / 11.2 TPM_CERTIFY_INFO2 of @key; @v2 is
 * NULL for TPM_CertifyKey. */
static int certify_info_put(struct tpm_buf *b, const struct tpm_key *key,
			    const uint8_t anti_replay[TPM_NONCE_SIZE],
			    const struct certify2 *v2)
{
	uint8_t pub_digest[TPM_DIGEST_SIZE];
	struct tpm_pcr_info pi;
	bool v12 = certify_pcr_info(key, &pi);
	int bad;

	/* 13.9 step 9: TPM_CertifyKey2 always uses TPM_PCR_INFO_SHORT. */
	if (v2 && pi.kind != PCR_INFO_NONE) {
		pi.kind = PCR_INFO_SHORT;
		v12 = true;
	}
	v12 = v12 || v2;

	/* Step 11: pubkeyDigest is SHA-1 of the bare modulus. */
	if (tpm_sha1(key->n, key->n_len, pub_digest))
		return -EIO;
	if (v12)
		bad = tb_put_u16(b, TPM_TAG_CERTIFY_INFO2) || tb_put_u8(b, 0) ||
		      tb_put_u8(b, v2 ? v2->payload : TPM_PT_ASYM);
	else
		bad = tpm_struct_ver_put(b);
	bad = bad || tb_put_u16(b, key->usage) || tb_put_u32(b, key->flags) ||
	      tb_put_u8(b, key->auth_usage) ||
	      tpm_key_parms_put(b, &key->parms) ||
	      tb_put_bytes(b, pub_digest, sizeof(pub_digest)) ||
	      tb_put_bytes(b, anti_replay, TPM_NONCE_SIZE) ||
	      tb_put_bool(b, key->parent_pcr_status) ||
	      tpm_pcr_info_put_sized(b, &pi);
	/* TPM_CERTIFY_INFO2 ends with migrationAuthority, empty but for
	 * a CMK certified by TPM_CertifyKey2. */
	if (v12 && v2 && v2->has_ma)
		bad = bad || tb_put_sized(b, v2->ma, TPM_DIGEST_SIZE);
	else if (v12)
		bad = bad || tb_put_u32(b, 0);
	return bad ? -ENOSPC : 0;
}

/* Part 3, 13.8 steps 1 and 3-6 (13.9 steps 3-5): which keys may certify
 * which.  @cmk_ok: TPM_CertifyKey2 lets an identity key certify a CMK. */
static TPM_RESULT certify_check_keys(const struct tpm_key *cert,
				     const struct tpm_key *key, bool cmk_ok)
{
	bool cmk = key->flags & TPM_KEY_FLAG_MIGRATE_AUTHORITY;

	/* Step 4: an identity key certifies only non-migratable keys. */
	if (cert->usage == TPM_KEY_IDENTITY &&
	    (key->flags & TPM_KEY_FLAG_MIGRATABLE) && !(cmk_ok && cmk))
		return TPM_MIGRATEFAIL;
	/* Step 5 */
	if (cert->usage != TPM_KEY_SIGNING && cert->usage != TPM_KEY_IDENTITY &&
	    cert->usage != TPM_KEY_LEGACY)
		return TPM_INVALID_KEYUSAGE;
	/* Step 6 */
	if (key->usage != TPM_KEY_SIGNING && key->usage != TPM_KEY_STORAGE &&
	    key->usage != TPM_KEY_IDENTITY && key->usage != TPM_KEY_BIND &&
	    key->usage != TPM_KEY_LEGACY)
		return TPM_INVALID_KEYUSAGE;
	return TPM_SUCCESS;
}

/* Part 3, 13.8 TPM_CertifyKey */
TPM_RESULT tpm_cmd_certify_key(struct tpm_cmd *c, struct tpm_buf *in,
			       struct tpm_buf *out)
{
	uint8_t anti_replay[TPM_NONCE_SIZE], digest[TPM_DIGEST_SIZE];
	uint32_t cert_handle, key_handle;
	struct tpm_key *cert, *key;
	size_t start = out->len;
	TPM_RESULT rc;

	if (tb_get_u32(in, &cert_handle) || tb_get_u32(in, &key_handle) ||
	    tb_get_bytes(in, anti_replay, sizeof(anti_replay)) ||
	    tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;

	rc = tpm_key_lookup(c->s, cert_handle, &cert);
	if (!rc)
		rc = tpm_key_lookup(c->s, key_handle, &key);
	if (rc)
		return rc;
	/* The certifier signs (full PCR check); the certified key is only
	 * read (step 9a honours pcrIgnoredOnRead). */
	rc = key_check_pcr(c->s, cert, false);
	if (!rc)
		rc = key_check_pcr(c->s, key, true);
	if (rc)
		return rc;
	/* Step 1: the certifier signs a SHA-1 digest. */
	if (cert->parms.sig_scheme != TPM_SS_RSASSAPKCS1v15_SHA1 &&
	    cert->parms.sig_scheme != TPM_SS_RSASSAPKCS1v15_INFO)
		return TPM_BAD_KEY_PROPERTY;
	rc = certify_authorize(c, cert, key);
	if (!rc)
		rc = certify_check_keys(cert, key, false);
	if (rc)
		return rc;
	/* Steps 7-14: certifyInfo. */
	if (certify_info_put(out, key, anti_replay, NULL))
		return TPM_SIZE;
	/* Step 15: sign SHA-1(certifyInfo) with the certifier. */
	if (tpm_sha1(out->data + start, out->len - start, digest))
		return TPM_FAIL;
	return tpm_key_sign_put(cert, digest, sizeof(digest), out);
}

/* Part 3, 13.9 step 2: keyAuth comes first, certAuth second. */
static TPM_RESULT certify2_authorize(struct tpm_cmd *c,
				     const struct tpm_key *cert,
				     const struct tpm_key *key)
{
	TPM_RESULT rc;

	switch (c->nauth) {
	case 2:
		/* 2a: TPM_AUTHFAIL for keyAuth, TPM_AUTH2FAIL for certAuth. */
		rc = key_auth(c, 0, key);
		return rc ? rc : key_auth(c, 1, cert);
	case 1:
		/* 2b: keyHandle needs none; the one area is certAuth. */
		if (key->auth_usage != TPM_AUTH_NEVER)
			return TPM_AUTHFAIL;
		return key_auth(c, 0, cert);
	default:
		/* 2c: neither key may need authorization. */
		if (key->auth_usage != TPM_AUTH_NEVER ||
		    cert->auth_usage != TPM_AUTH_NEVER)
			return TPM_AUTHFAIL;
		return TPM_SUCCESS;
	}
}

/*
 * Part 3, 13.9 step 6 for a CMK (migrateAuthority set): its migrationAuth
 * must be HMAC(tpmProof, TPM_CMK_MIGAUTH(migrationPubDigest,
 * SHA-1(TPM_PUBKEY))), else TPM_MA_SOURCE; the certificate then carries
 * migrationAuthority = SHA-1(migrationPubDigest || payload).  Other keys
 * have payload TPM_PT_ASYM and no migrationAuthority.
 */
static TPM_RESULT certify2_cmk(const struct tpm_state *s,
			       const struct tpm_key *key,
			       const uint8_t msa[TPM_DIGEST_SIZE],
			       struct certify2 *v2)
{
	uint8_t mig[2 + 2 * TPM_DIGEST_SIZE], mac[TPM_DIGEST_SIZE];

	memset(v2, 0, sizeof(*v2));
	v2->payload = TPM_PT_ASYM;
	if (!(key->flags & TPM_KEY_FLAG_MIGRATE_AUTHORITY))
		return TPM_SUCCESS;
	/* TPM_PT_MIGRATE_RESTRICTED (CMK_CreateKey) or
	 * TPM_PT_MIGRATE_EXTERNAL (CMK_ConvertMigration). */
	v2->payload = key_payload(key);
	tb_wr_be16(mig, TPM_TAG_CMK_MIGAUTH);
	memcpy(mig + 2, msa, TPM_DIGEST_SIZE);
	if (tpm_pubkey_digest(key, mig + 2 + TPM_DIGEST_SIZE) ||
	    tpm_hmac_sha1_v(s->pd.tpm_proof, TPM_SECRET_SIZE, mac, mig,
			    sizeof(mig), NULL))
		return TPM_FAIL;
	if (tpm_memcmp_ct(mac, key->migration_auth, TPM_DIGEST_SIZE))
		return TPM_MA_SOURCE;
	if (tpm_sha1_v(v2->ma, msa, (size_t)TPM_DIGEST_SIZE, &v2->payload,
		       (size_t)1, NULL))
		return TPM_FAIL;
	v2->has_ma = true;
	return TPM_SUCCESS;
}

/* Part 3, 13.9 TPM_CertifyKey2 */
TPM_RESULT tpm_cmd_certify_key2(struct tpm_cmd *c, struct tpm_buf *in,
				struct tpm_buf *out)
{
	uint8_t anti_replay[TPM_NONCE_SIZE], digest[TPM_DIGEST_SIZE];
	uint8_t msa[TPM_DIGEST_SIZE];
	uint32_t cert_handle, key_handle;
	struct tpm_key *cert, *key;
	struct certify2 v2;
	size_t start = out->len;
	TPM_RESULT rc;

	if (tb_get_u32(in, &key_handle) || tb_get_u32(in, &cert_handle) ||
	    tb_get_bytes(in, msa, sizeof(msa)) ||
	    tb_get_bytes(in, anti_replay, sizeof(anti_replay)) ||
	    tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;

	rc = tpm_key_lookup(c->s, key_handle, &key);
	if (!rc)
		rc = tpm_key_lookup(c->s, cert_handle, &cert);
	/* As CertifyKey: the certifier signs, the key is only read. */
	if (!rc)
		rc = key_check_pcr(c->s, cert, false);
	if (!rc)
		rc = key_check_pcr(c->s, key, true);
	if (rc)
		return rc;
	/* Step 1: the certifier signs a SHA-1 digest. */
	if (cert->parms.sig_scheme != TPM_SS_RSASSAPKCS1v15_SHA1 &&
	    cert->parms.sig_scheme != TPM_SS_RSASSAPKCS1v15_INFO)
		return TPM_BAD_KEY_PROPERTY;
	rc = certify2_authorize(c, cert, key);
	/* Steps 3-5 */
	if (!rc)
		rc = certify_check_keys(cert, key, true);
	/* Step 6 */
	if (!rc)
		rc = certify2_cmk(c->s, key, msa, &v2);
	if (rc)
		return rc;
	/* Steps 7-13: certifyInfo, a TPM_CERTIFY_INFO2. */
	if (certify_info_put(out, key, anti_replay, &v2))
		return TPM_SIZE;
	/* Step 14: sign SHA-1(certifyInfo) with the certifier. */
	if (tpm_sha1(out->data + start, out->len - start, digest))
		return TPM_FAIL;
	return tpm_key_sign_put(cert, digest, sizeof(digest), out);
}

/* Part 3, 17.1 step 10 for TPM_ET_KEY: a TPM_STORE_ASYMKEY. */
static TPM_RESULT change_key_blob(struct tpm_cmd *c, uint8_t *plain,
				  size_t len, const uint8_t new_auth[20],
				  tpm_entity_auth_fn verify, const void *arg)
{
	struct tpm_store_asymkey a;
	struct tpm_buf b;
	TPM_RESULT rc;

	tb_init_read(&b, plain, len);
	rc = tpm_store_asymkey_get(&b, &a);
	if (!rc)
		rc = key_payload_check(a.payload);
	/* Step 10a: the entity's own secret authorizes the change. */
	if (!rc)
		rc = verify(c, TPM_ET_KEY, a.usage_auth, arg);
	/* Step 11: usageAuth is the second field of the plaintext. */
	if (!rc)
		memcpy(plain + 1, new_auth, TPM_SECRET_SIZE);
	tpm_wipe(&a, sizeof(a));
	return rc;
}

/* Part 3, 17.1 step 10 for TPM_ET_DATA: a TPM_SEALED_DATA. */
static TPM_RESULT change_data_blob(struct tpm_cmd *c, uint8_t *plain,
				   size_t len, const uint8_t new_auth[20],
				   tpm_entity_auth_fn verify, const void *arg)
{
	struct tpm_sealed_data d;
	struct tpm_buf b;
	TPM_RESULT rc;

	tb_init_read(&b, plain, len);
	rc = tpm_sealed_data_get(&b, &d);
	if (!rc && d.payload != TPM_PT_SEAL)
		rc = TPM_INVALID_STRUCTURE;
	/* Only this TPM's sealed data (libtpms answers TPM_AUTHFAIL). */
	if (!rc && tpm_memcmp_ct(d.proof, c->s->pd.tpm_proof, TPM_SECRET_SIZE))
		rc = TPM_AUTHFAIL;
	if (!rc)
		rc = verify(c, TPM_ET_DATA, d.auth, arg);
	/* Step 11: authData is the second field of the plaintext. */
	if (!rc)
		memcpy(plain + 1, new_auth, TPM_SECRET_SIZE);
	tpm_wipe(&d, sizeof(d));
	return rc;
}

/* Part 3, 17.1 steps 9-14 (27.4.2 steps 3-8): decrypt, change,
 * re-encrypt, return. */
TPM_RESULT tpm_entity_change_auth(struct tpm_cmd *c,
				  const struct tpm_key *parent, uint16_t et,
				  const uint8_t *enc, uint32_t elen,
				  const uint8_t new_auth[20],
				  tpm_entity_auth_fn verify, const void *arg,
				  struct tpm_buf *out)
{
	uint8_t plain[TPM_MAX_KEY_BYTES], blob[TPM_MAX_KEY_BYTES];
	size_t len, blen;
	TPM_RESULT rc;

	rc = TPM_DECRYPT_ERROR;
	if (tpm_rsa_oaep_decrypt(parent->rsa, enc, elen, plain, sizeof(plain),
				 &len))
		goto out;
	rc = et == TPM_ET_KEY ?
	     change_key_blob(c, plain, len, new_auth, verify, arg) :
	     change_data_blob(c, plain, len, new_auth, verify, arg);
	if (rc)
		goto out;
	rc = TPM_ENCRYPT_ERROR;
	if (tpm_rsa_oaep_encrypt(parent->rsa, plain, len, blob, sizeof(blob),
				 &blen))
		goto out;
	rc = tb_put_sized(out, blob, (uint32_t)blen) ? TPM_SIZE : TPM_SUCCESS;
out:
	tpm_wipe(plain, sizeof(plain));
	return rc;
}

/* Part 3, 17.1 step 10: the entity's OIAP session (second area) proves
 * its current secret. */
static TPM_RESULT change_auth_verify(struct tpm_cmd *c, uint16_t et,
				     const uint8_t cur[TPM_SECRET_SIZE],
				     const void *arg)
{
	(void)arg;
	return tpm_auth_check(c, 1, et, 0, cur);
}

/* Part 3, 17.1 steps 2-3: OSAP for the parent, OIAP for the entity. */
static TPM_RESULT change_auth_sessions(struct tpm_cmd *c)
{
	struct tpm_session *sess;
	TPM_RESULT rc;

	rc = require_osap(c, 0);
	if (rc)
		return rc;
	sess = tpm_session_find(c->s, c->auth_in[1].handle);
	if (!sess)
		return TPM_INVALID_AUTHHANDLE;
	return sess->type == SESS_OIAP ? TPM_SUCCESS : TPM_BAD_MODE;
}

/* Part 3, 17.1 TPM_ChangeAuth */
TPM_RESULT tpm_cmd_change_auth(struct tpm_cmd *c, struct tpm_buf *in,
			       struct tpm_buf *out)
{
	uint8_t enc_auth[TPM_SECRET_SIZE], new_auth[TPM_SECRET_SIZE];
	uint16_t protocol, et;
	struct tpm_key *parent;
	uint32_t handle, elen;
	const uint8_t *enc;
	TPM_RESULT rc;

	if (tb_get_u32(in, &handle) || tb_get_u16(in, &protocol) ||
	    tb_get_bytes(in, enc_auth, sizeof(enc_auth)) ||
	    tb_get_u16(in, &et) ||
	    tb_get_sized(in, &enc, &elen, TPM_MAX_KEY_BYTES) ||
	    tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;

	/* Step 1 */
	if (et != TPM_ET_DATA && et != TPM_ET_KEY)
		return TPM_WRONG_ENTITYTYPE;
	rc = tpm_key_lookup(c->s, handle, &parent);
	if (!rc)
		rc = change_auth_sessions(c);
	if (rc)
		return rc;
	/* Step 4 */
	if (protocol != TPM_PID_ADCP)
		return TPM_BAD_PARAMETER;
	/* Step 6: the new secret, ADIP under the parent's OSAP session. */
	rc = tpm_auth_decrypt(c, 0, enc_auth, new_auth, false);
	/* Step 7 */
	if (!rc)
		rc = tpm_key_authorize(c, 0, parent);
	/* Step 8 */
	if (!rc && parent->usage != TPM_KEY_STORAGE)
		rc = TPM_INVALID_KEYUSAGE;
	if (!rc)
		rc = tpm_entity_change_auth(c, parent, et, enc, elen, new_auth,
					    change_auth_verify, NULL, out);
	/* Step 13: both sessions end, whatever the outcome. */
	c->terminate[0] = c->terminate[1] = true;
	tpm_wipe(new_auth, sizeof(new_auth));
	return rc;
}
