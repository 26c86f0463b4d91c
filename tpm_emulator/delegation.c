// SPDX-License-Identifier: GPL-2.0
/*
 * Delegation: the family and delegate tables, owner and key delegation
 * blobs, DSAP sessions and their use by tpm_auth_check(), and
 * TPM_SetOwnerPointer (Part 1, 20; Part 2, 20; Part 3, 18.x and 19).
 * Blobs are parsed here only, with the tb_* API; nothing here does I/O.
 */
#include <errno.h>

#include "internal.h"

/* Part 2, 20.4-20.9 values not in constants.h. */
#define TPM_FAMFLAG_ENABLED		0x00000001U
#define TPM_FAMFLAG_DELEGATE_ADMIN_LOCK	0x00000002U
#define TPM_FAMFLAG_MASK		0x00000003U
#define TPM_FAMILY_CREATE		0x00000001U
#define TPM_FAMILY_ENABLE		0x00000002U
#define TPM_FAMILY_ADMIN		0x00000003U
#define TPM_FAMILY_INVALIDATE		0x00000004U
#define TPM_DEL_OWNER_BITS		0x00000001U
#define TPM_DEL_KEY_BITS		0x00000002U

/* Our additionalArea: the AES-CTR IV of the sensitive area. */
#define DEL_IV_SIZE		16U
/* TPM_DELEGATE_SENSITIVE: tag + authValue. */
#define DEL_SENS_SIZE		(2U + TPM_SECRET_SIZE)
/* Largest additional/sensitive area accepted in a blob (ours are 16 and
 * 22 bytes; a bigger one was not made by this TPM). */
#define DEL_AREA_MAX		64U
/* Largest serialized blob: tag 2, public <= 51, two digests 40, two
 * sized areas 2 x (4 + 64). */
#define DEL_BLOB_MAX		256U
/* Manage's opData: 1 byte for every operation; a little slack so a
 * longer one gets the spec's code rather than a parse error. */
#define DEL_OPDATA_MAX		256U
/* TPM_FAMILY_TABLE_ENTRY and TPM_DELEGATE_PUBLIC on the wire (the
 * latter with a 3-byte PCR selection). */
#define FAMILY_ENTRY_SIZE	15U

/* Part 2, 20.2.1 / 20.2.3: the ordinal each per1 bit delegates. */
struct del_bit {
	uint32_t ordinal;
	uint8_t bit;
};

static const struct del_bit owner_bits[] = {
	{ TPM_ORD_KeyControlOwner, 31 },
	{ TPM_ORD_SetOrdinalAuditStatus, 30 },
	{ TPM_ORD_DirWriteAuth, 29 },
	{ TPM_ORD_CMK_ApproveMA, 28 },
	{ TPM_ORD_NV_WriteValue, 27 },
	{ TPM_ORD_CMK_CreateTicket, 26 },
	{ TPM_ORD_NV_ReadValue, 25 },
	{ TPM_ORD_Delegate_LoadOwnerDelegation, 24 },
	{ TPM_ORD_DAA_Join, 23 },
	{ TPM_ORD_AuthorizeMigrationKey, 22 },
	{ TPM_ORD_CreateMaintenanceArchive, 21 },
	{ TPM_ORD_LoadMaintenanceArchive, 20 },
	{ TPM_ORD_KillMaintenanceFeature, 19 },
	{ TPM_ORD_OwnerReadInternalPub, 18 },
	{ TPM_ORD_ResetLockValue, 17 },
	{ TPM_ORD_OwnerClear, 16 },
	{ TPM_ORD_DisableOwnerClear, 15 },
	{ TPM_ORD_NV_DefineSpace, 14 },
	{ TPM_ORD_OwnerSetDisable, 13 },
	{ TPM_ORD_SetCapability, 12 },
	{ TPM_ORD_MakeIdentity, 11 },
	{ TPM_ORD_ActivateIdentity, 10 },
	{ TPM_ORD_OwnerReadPubek, 9 },
	{ TPM_ORD_DisablePubekRead, 8 },
	{ TPM_ORD_SetRedirection, 7 },
	{ TPM_ORD_FieldUpgrade, 6 },
	{ TPM_ORD_Delegate_UpdateVerification, 5 },
	{ TPM_ORD_CreateCounter, 4 },
	{ TPM_ORD_ReleaseCounterOwner, 3 },
	{ TPM_ORD_Delegate_Manage, 2 },
	{ TPM_ORD_Delegate_CreateOwnerDelegation, 1 },
	{ TPM_ORD_DAA_Sign, 0 },
};

static const struct del_bit key_bits[] = {
	{ TPM_ORD_CMK_ConvertMigration, 28 },
	{ TPM_ORD_TickStampBlob, 27 },
	{ TPM_ORD_ChangeAuthAsymStart, 26 },
	{ TPM_ORD_ChangeAuthAsymFinish, 25 },
	{ TPM_ORD_CMK_CreateKey, 24 },
	{ TPM_ORD_MigrateKey, 23 },
	{ TPM_ORD_LoadKey2, 22 },
	{ TPM_ORD_EstablishTransport, 21 },
	{ TPM_ORD_ReleaseTransportSigned, 20 },
	{ TPM_ORD_Quote2, 19 },
	{ TPM_ORD_Sealx, 18 },
	{ TPM_ORD_MakeIdentity, 17 },
	{ TPM_ORD_ActivateIdentity, 16 },
	{ TPM_ORD_GetAuditDigestSigned, 15 },
	{ TPM_ORD_Sign, 14 },
	{ TPM_ORD_CertifyKey2, 13 },
	{ TPM_ORD_CertifyKey, 12 },
	{ TPM_ORD_CreateWrapKey, 11 },
	{ TPM_ORD_CMK_CreateBlob, 10 },
	{ TPM_ORD_CreateMigrationBlob, 9 },
	{ TPM_ORD_ConvertMigrationBlob, 8 },
	{ TPM_ORD_Delegate_CreateKeyDelegation, 7 },
	{ TPM_ORD_ChangeAuth, 6 },
	{ TPM_ORD_GetPubKey, 5 },
	{ TPM_ORD_UnBind, 4 },
	{ TPM_ORD_Quote, 3 },
	{ TPM_ORD_Unseal, 2 },
	{ TPM_ORD_Seal, 1 },
	{ TPM_ORD_LoadKey, 0 },
};

/* An owner (TPM_DELEGATE_OWNER_BLOB) or key (TPM_DELEGATE_KEY_BLOB)
 * delegation blob. */
struct del_blob {
	uint16_t tag;
	struct tpm_delegate_public pub;
	uint8_t integrity[TPM_DIGEST_SIZE];
	uint8_t pub_key_digest[TPM_DIGEST_SIZE];	/* key blobs */
	uint32_t add_len;
	uint8_t add[DEL_AREA_MAX];
	uint32_t sens_len;
	uint8_t sens[DEL_AREA_MAX];
};

/* ---- tables ---- */

static struct tpm_family_row *family_find(struct tpm_state *s, uint32_t id)
{
	unsigned int i;

	for (i = 0; i < TPM_NUM_FAMILY_ROWS; i++) {
		if (s->deleg.family[i].valid &&
		    s->deleg.family[i].family_id == id)
			return &s->deleg.family[i];
	}
	return NULL;
}

static bool ordinal_permitted(const struct tpm_delegations *p,
			      uint32_t ordinal)
{
	const struct del_bit *t;
	size_t i, n;

	if (p->type == TPM_DEL_OWNER_BITS) {
		t = owner_bits;
		n = ARRAY_SIZE(owner_bits);
	} else if (p->type == TPM_DEL_KEY_BITS) {
		t = key_bits;
		n = ARRAY_SIZE(key_bits);
	} else {
		return false;
	}
	/* Part 2, 20.2: per2 delegates no ordinal of this TPM. */
	for (i = 0; i < n; i++) {
		if (t[i].ordinal == ordinal)
			return (p->per1 >> t[i].bit) & 1U;
	}
	return false;
}

/* ---- marshalling of the Part 2, 20 structures ---- */

static TPM_RESULT delegations_get(struct tpm_buf *b,
				  struct tpm_delegations *d)
{
	uint16_t tag;

	if (tb_get_u16(b, &tag) || tb_get_u32(b, &d->type) ||
	    tb_get_u32(b, &d->per1) || tb_get_u32(b, &d->per2))
		return TPM_BAD_PARAM_SIZE;
	return tag == TPM_TAG_DELEGATIONS ? TPM_SUCCESS :
		TPM_INVALID_STRUCTURE;
}

static TPM_RESULT delegate_public_get(struct tpm_buf *b,
				      struct tpm_delegate_public *p)
{
	uint16_t tag;
	TPM_RESULT rc;

	memset(p, 0, sizeof(*p));
	if (tb_get_u16(b, &tag) || tb_get_u8(b, &p->label))
		return TPM_BAD_PARAM_SIZE;
	rc = tpm_pcr_info_get(b, PCR_INFO_SHORT, &p->pcr);
	if (!rc)
		rc = delegations_get(b, &p->perm);
	if (rc)
		return rc;
	if (tb_get_u32(b, &p->family_id) ||
	    tb_get_u32(b, &p->verification_count))
		return TPM_BAD_PARAM_SIZE;
	return tag == TPM_TAG_DELEGATE_PUBLIC ? TPM_SUCCESS :
		TPM_INVALID_STRUCTURE;
}

static int delegate_public_put(struct tpm_buf *b,
			       const struct tpm_delegate_public *p)
{
	if (tb_put_u16(b, TPM_TAG_DELEGATE_PUBLIC) ||
	    tb_put_u8(b, p->label) || tpm_pcr_info_put(b, &p->pcr) ||
	    tb_put_u16(b, TPM_TAG_DELEGATIONS) ||
	    tb_put_u32(b, p->perm.type) || tb_put_u32(b, p->perm.per1) ||
	    tb_put_u32(b, p->perm.per2) || tb_put_u32(b, p->family_id) ||
	    tb_put_u32(b, p->verification_count))
		return -ENOSPC;
	return 0;
}

static int area_get(struct tpm_buf *b, uint8_t *dst, uint32_t *len)
{
	const uint8_t *p;

	if (tb_get_sized(b, &p, len, DEL_AREA_MAX))
		return -EBADMSG;
	memcpy(dst, p, *len);
	return 0;
}

/* A whole owner or key blob (by its tag); the bytes must end with it. */
static TPM_RESULT blob_get(struct tpm_buf *b, struct del_blob *bl)
{
	TPM_RESULT rc;

	memset(bl, 0, sizeof(*bl));
	if (tb_get_u16(b, &bl->tag))
		return TPM_BAD_PARAM_SIZE;
	if (bl->tag != TPM_TAG_DELEGATE_OWNER_BLOB &&
	    bl->tag != TPM_TAG_DELG_KEY_BLOB)
		return TPM_BAD_PARAMETER;
	rc = delegate_public_get(b, &bl->pub);
	if (rc)
		return rc;
	if (tb_get_bytes(b, bl->integrity, TPM_DIGEST_SIZE) ||
	    (bl->tag == TPM_TAG_DELG_KEY_BLOB &&
	     tb_get_bytes(b, bl->pub_key_digest, TPM_DIGEST_SIZE)) ||
	    area_get(b, bl->add, &bl->add_len) ||
	    area_get(b, bl->sens, &bl->sens_len) || tb_expect_end(b))
		return TPM_BAD_PARAM_SIZE;
	return TPM_SUCCESS;
}

/* The blob with @integrity in place of its integrityDigest. */
static int blob_put(struct tpm_buf *b, const struct del_blob *bl,
		    const uint8_t integrity[TPM_DIGEST_SIZE])
{
	if (tb_put_u16(b, bl->tag) || delegate_public_put(b, &bl->pub) ||
	    tb_put_bytes(b, integrity, TPM_DIGEST_SIZE) ||
	    (bl->tag == TPM_TAG_DELG_KEY_BLOB &&
	     tb_put_bytes(b, bl->pub_key_digest, TPM_DIGEST_SIZE)) ||
	    tb_put_sized(b, bl->add, bl->add_len) ||
	    tb_put_sized(b, bl->sens, bl->sens_len))
		return -ENOSPC;
	return 0;
}

/* HMAC(tpmProof, blob with integrityDigest NULL) (Part 3, 19.2 step 11). */
static int blob_integrity(const struct tpm_state *s,
			  const struct del_blob *bl,
			  uint8_t out[TPM_DIGEST_SIZE])
{
	static const uint8_t zero[TPM_DIGEST_SIZE];
	uint8_t tmp[DEL_BLOB_MAX];
	struct tpm_buf b;

	tb_init_write(&b, tmp, sizeof(tmp));
	if (blob_put(&b, bl, zero))
		return -ENOSPC;
	return tpm_hmac_sha1_v(s->pd.tpm_proof, TPM_SECRET_SIZE, out,
			       tmp, b.len, NULL);
}

static TPM_RESULT blob_integrity_check(const struct tpm_state *s,
				       const struct del_blob *bl)
{
	uint8_t h[TPM_DIGEST_SIZE];

	if (blob_integrity(s, bl, h))
		return TPM_FAIL;
	return tpm_memcmp_ct(h, bl->integrity, TPM_DIGEST_SIZE) ?
		TPM_AUTHFAIL : TPM_SUCCESS;
}

/* Part 3, 19.2 step 9: encrypt TPM_DELEGATE_SENSITIVE with the delegate
 * key (AES-128-CTR, IV in additionalArea). */
static int sensitive_seal(struct tpm_state *s, struct del_blob *bl,
			  const uint8_t auth[TPM_SECRET_SIZE])
{
	struct tpm_delegation_state *d = &s->deleg;
	uint8_t m1[DEL_SENS_SIZE];
	int err;

	if (!d->key_valid) {
		if (tpm_rand(d->key, sizeof(d->key)))
			return -EIO;
		d->key_valid = true;
		tpm_mark_dirty(s);
	}
	tb_wr_be16(m1, TPM_TAG_DELEGATE_SENSITIVE);
	memcpy(m1 + 2, auth, TPM_SECRET_SIZE);
	bl->add_len = DEL_IV_SIZE;
	bl->sens_len = DEL_SENS_SIZE;
	err = tpm_rand(bl->add, DEL_IV_SIZE) ||
	      tpm_aes_ctr(d->key, sizeof(d->key), bl->add, m1, bl->sens,
			  DEL_SENS_SIZE);
	tpm_wipe(m1, sizeof(m1));
	return err ? -EIO : 0;
}

/* Decrypt and check the sensitive area; @bad is the code for a bad one
 * (TPM_BAD_DELEGATE, or TPM_BAD_PARAMETER for VerifyDelegation). */
static TPM_RESULT sensitive_open(const struct tpm_state *s,
				 const struct del_blob *bl,
				 uint8_t auth[TPM_SECRET_SIZE], TPM_RESULT bad)
{
	const struct tpm_delegation_state *d = &s->deleg;
	uint8_t m1[DEL_SENS_SIZE];
	TPM_RESULT rc = TPM_SUCCESS;

	if (!d->key_valid || bl->add_len != DEL_IV_SIZE ||
	    bl->sens_len != DEL_SENS_SIZE)
		return bad;
	if (tpm_aes_ctr(d->key, sizeof(d->key), bl->add, bl->sens, m1,
			DEL_SENS_SIZE))
		return TPM_FAIL;
	if (tb_be16(m1) != TPM_TAG_DELEGATE_SENSITIVE)
		rc = bad;
	else
		memcpy(auth, m1 + 2, TPM_SECRET_SIZE);
	tpm_wipe(m1, sizeof(m1));
	return rc;
}

/* Family present, enabled, same verificationCount, blob intact
 * (Part 3, 18.x DSAP steps 1.c-1.g; 19.7 steps 4-8). */
static TPM_RESULT blob_check(struct tpm_state *s, const struct del_blob *bl)
{
	struct tpm_family_row *fr = family_find(s, bl->pub.family_id);

	if (!fr)
		return TPM_BADINDEX;
	if (!(fr->flags & TPM_FAMFLAG_ENABLED))
		return TPM_DISABLED_CMD;
	if (bl->pub.verification_count != fr->verification_count)
		return TPM_FAMILYCOUNT;
	return blob_integrity_check(s, bl);
}

/* Write u32 blobSize || blob with its integrityDigest set. */
static TPM_RESULT blob_make(struct tpm_state *s, struct del_blob *bl,
			    const uint8_t auth[TPM_SECRET_SIZE],
			    struct tpm_buf *out)
{
	size_t at;

	if (sensitive_seal(s, bl, auth) ||
	    blob_integrity(s, bl, bl->integrity))
		return TPM_FAIL;
	at = out->len;
	if (tb_put_u32(out, 0) || blob_put(out, bl, bl->integrity))
		return TPM_SIZE;
	tb_patch_u32(out, at, (uint32_t)(out->len - at - 4));
	return TPM_SUCCESS;
}

/* SHA-1 of the key's TPM_STORE_PUBKEY (Part 3, 19.2 step 7). */
static int store_pubkey_digest(const struct tpm_key *k,
			       uint8_t out[TPM_DIGEST_SIZE])
{
	uint8_t len[4];

	tb_wr_be32(len, k->n_len);
	return tpm_sha1_v(out, len, sizeof(len), k->n, (size_t)k->n_len,
			  NULL);
}

/* ---- sessions ---- */

static struct tpm_dsap_info *dsap_info(struct tpm_state *s,
				       const struct tpm_session *sess)
{
	return &s->deleg.dsap[sess - s->sessions];
}

/*
 * "The TPM invalidates sessions": every DSAP session ends, the owner
 * pointer returns to the owner.  The command's own DSAP sessions end after
 * the response (their response auth is still computed).
 */
static void invalidate_dsap(struct tpm_cmd *c)
{
	struct tpm_state *s = c->s;
	unsigned int i;

	for (i = 0; i < TPM_MAX_SESSIONS; i++) {
		struct tpm_session *sess = &s->sessions[i];

		if (sess->type == SESS_DSAP && sess != c->sess[0] &&
		    sess != c->sess[1])
			tpm_session_free(sess);
	}
	for (i = 0; i < c->nauth; i++) {
		if (c->sess[i] && c->sess[i]->type == SESS_DSAP)
			c->terminate[i] = true;
	}
	s->deleg.owner_ref_row = false;
	s->deleg.owner_ref = TPM_KH_OWNER;
}

/* The delegation under which area @idx was authorized, NULL when it was
 * the owner (or the key) itself.  Call after tpm_auth_check(). */
static const struct tpm_delegate_public *delegated(struct tpm_cmd *c,
						   unsigned int idx)
{
	struct tpm_session *sess = c->sess[idx];
	struct tpm_delegation_state *d = &c->s->deleg;

	if (!sess)
		return NULL;
	if (sess->type == SESS_DSAP)
		return &dsap_info(c->s, sess)->pub;
	if (sess->type == SESS_OIAP && d->owner_ref_row &&
	    d->owner_ref < TPM_NUM_DELEGATE_ROWS)
		return &d->rows[d->owner_ref].pub;
	return NULL;
}

/* The delegation's PCR binding (none when no PCR is selected). */
static TPM_RESULT pcr_check(const struct tpm_state *s,
			    const struct tpm_delegate_public *p)
{
	unsigned int i;

	for (i = 0; i < p->pcr.release_sel.size; i++) {
		if (p->pcr.release_sel.sel[i])
			return tpm_pcr_info_check_release(s, &p->pcr);
	}
	return TPM_SUCCESS;
}

/* Part 1, 20.x: the delegation @p may authorize this ordinal for the
 * entity; its family is present, enabled and of the same count. */
static TPM_RESULT permit(struct tpm_cmd *c, const struct tpm_delegate_public *p,
			 uint32_t type, TPM_RESULT fail)
{
	struct tpm_family_row *fr = family_find(c->s, p->family_id);

	if (!fr || !(fr->flags & TPM_FAMFLAG_ENABLED) ||
	    fr->verification_count != p->verification_count ||
	    p->perm.type != type || !ordinal_permitted(&p->perm, c->ordinal))
		return fail;
	return pcr_check(c->s, p);
}

TPM_RESULT tpm_delegation_auth(struct tpm_cmd *c, unsigned int idx,
			       struct tpm_session *sess, uint16_t entity_type,
			       uint32_t entity_value, const uint8_t **secret)
{
	TPM_RESULT fail = idx ? TPM_AUTH2FAIL : TPM_AUTHFAIL;
	struct tpm_delegation_state *d = &c->s->deleg;
	uint8_t digest[TPM_DIGEST_SIZE];
	struct tpm_dsap_info *info;
	struct tpm_delegate_row *row;
	struct tpm_key *k;
	TPM_RESULT rc;

	if (sess->type == SESS_DSAP) {
		info = dsap_info(c->s, sess);
		switch (entity_type & 0xFF) {
		case TPM_ET_OWNER:
			return permit(c, &info->pub, TPM_DEL_OWNER_BITS, fail);
		case TPM_ET_SRK:
			entity_value = TPM_KH_SRK;
			/* fall through */
		case TPM_ET_KEYHANDLE:
			rc = permit(c, &info->pub, TPM_DEL_KEY_BITS, fail);
			if (rc)
				return rc;
			/* Part 1, 20.x: a key delegation names its key by
			 * the digest of the public key. */
			if (tpm_key_lookup(c->s, entity_value, &k) ||
			    store_pubkey_digest(k, digest) ||
			    memcmp(digest, info->pub_key_digest,
				   TPM_DIGEST_SIZE))
				return fail;
			/* Part 2, 5.17: restrictDelegate (cmk.c). */
			return tpm_cmk_restrict_check(c->s, k);
		default:
			return fail;
		}
	}
	/* Part 3, 18.x TPM_SetOwnerPointer: legacy owner OIAP sessions use
	 * the delegate row the owner pointer names. */
	if (sess->type != SESS_OIAP || (entity_type & 0xFF) != TPM_ET_OWNER ||
	    !d->owner_ref_row || !c->s->pf.owner_installed)
		return TPM_SUCCESS;
	if (d->owner_ref >= TPM_NUM_DELEGATE_ROWS)
		return fail;
	row = &d->rows[d->owner_ref];
	if (!row->valid)
		return fail;
	rc = permit(c, &row->pub, TPM_DEL_OWNER_BITS, fail);
	if (rc)
		return rc;
	*secret = row->auth;
	return TPM_SUCCESS;
}

/* ---- TPM_DSAP ---- */

/* Part 3, 18.x DSAP step 1 / 3: A1 of an owner or key blob. */
static TPM_RESULT dsap_blob(struct tpm_state *s, uint16_t et,
			    uint32_t key_handle, struct tpm_buf *ev,
			    struct del_blob *bl, uint8_t a1[TPM_SECRET_SIZE])
{
	uint16_t want = (et & 0xFF) == TPM_ET_DEL_KEY_BLOB ?
		TPM_TAG_DELG_KEY_BLOB : TPM_TAG_DELEGATE_OWNER_BLOB;
	uint8_t digest[TPM_DIGEST_SIZE];
	struct tpm_key *k;
	TPM_RESULT rc;

	/* Steps 1.a-b / 3.a-b */
	if (blob_get(ev, bl) || bl->tag != want)
		return TPM_WRONG_ENTITYTYPE;
	/* Steps c-g */
	rc = blob_check(s, bl);
	if (rc)
		return rc;
	if (want == TPM_TAG_DELG_KEY_BLOB) {
		/* Step 3.h: pubKeyDigest must identify keyHandle. */
		rc = tpm_key_lookup(s, key_handle, &k);
		if (rc)
			return rc;
		if (store_pubkey_digest(k, digest))
			return TPM_FAIL;
		if (memcmp(digest, bl->pub_key_digest, TPM_DIGEST_SIZE))
			return TPM_KEYNOTFOUND;
	}
	/* Steps h-j / i-k */
	return sensitive_open(s, bl, a1, TPM_BAD_DELEGATE);
}

/* Part 3, 18.x DSAP step 2: A1 of a delegate table row. */
static TPM_RESULT dsap_row(struct tpm_state *s, struct tpm_buf *ev,
			   struct del_blob *bl, uint32_t *index,
			   uint8_t a1[TPM_SECRET_SIZE])
{
	struct tpm_family_row *fr;
	struct tpm_delegate_row *row;

	if (tb_get_u32(ev, index) || tb_expect_end(ev))
		return TPM_BAD_PARAM_SIZE;
	/* Step 2.a */
	if (*index >= TPM_NUM_DELEGATE_ROWS || !s->deleg.rows[*index].valid)
		return TPM_BADINDEX;
	row = &s->deleg.rows[*index];
	bl->pub = row->pub;
	/* Steps 2.d-g */
	fr = family_find(s, row->pub.family_id);
	if (!fr)
		return TPM_BADINDEX;
	if (!(fr->flags & TPM_FAMFLAG_ENABLED))
		return TPM_DISABLED_CMD;
	if (row->pub.verification_count != fr->verification_count)
		return TPM_FAMILYCOUNT;
	memcpy(a1, row->auth, TPM_SECRET_SIZE);
	return TPM_SUCCESS;
}

/* Part 3, 18.x TPM_DSAP */
TPM_RESULT tpm_cmd_dsap(struct tpm_cmd *c, struct tpm_buf *in,
			struct tpm_buf *out)
{
	uint8_t nonce_odd[TPM_NONCE_SIZE], nonce_even[TPM_NONCE_SIZE];
	uint8_t a1[TPM_SECRET_SIZE];
	uint32_t key_handle, ev_len, index = 0;
	struct tpm_session *sess;
	struct del_blob bl = { .tag = 0 };
	const uint8_t *ev_data;
	struct tpm_buf ev;
	uint16_t et;
	TPM_RESULT rc;

	if (tb_get_u16(in, &et) || tb_get_u32(in, &key_handle) ||
	    tb_get_bytes(in, nonce_odd, TPM_NONCE_SIZE) ||
	    tb_get_sized(in, &ev_data, &ev_len, DEL_BLOB_MAX) ||
	    tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	tb_init_read(&ev, ev_data, ev_len);
	/* Part 2, 4.3: the high byte selects the ADIP scheme. */
	if ((et >> 8) != TPM_ET_XOR && (et >> 8) != TPM_ET_AES128_CTR)
		return TPM_BAD_MODE;
	switch (et & 0xFF) {
	case TPM_ET_DEL_OWNER_BLOB:
	case TPM_ET_DEL_KEY_BLOB:
		rc = dsap_blob(c->s, et, key_handle, &ev, &bl, a1);
		break;
	case TPM_ET_DEL_ROW:
		rc = dsap_row(c->s, &ev, &bl, &index, a1);
		break;
	default:
		rc = TPM_BAD_PARAMETER;		/* step 4 */
		break;
	}
	if (!rc)
		rc = tpm_session_alloc(c->s, SESS_DSAP, &sess);
	if (rc)
		goto out_wipe;
	/* Step 5: keep the delegation with the session.  A key delegation
	 * is bound like an OSAP key session, so flushing the key ends it. */
	dsap_info(c->s, sess)->pub = bl.pub;
	memcpy(dsap_info(c->s, sess)->pub_key_digest, bl.pub_key_digest,
	       TPM_DIGEST_SIZE);
	sess->family_id = bl.pub.family_id;
	sess->entity_type = et;
	sess->entity_value = (et & 0xFF) == TPM_ET_DEL_ROW ? index : 0;
	if ((et & 0xFF) == TPM_ET_DEL_KEY_BLOB) {
		sess->entity_type = (uint16_t)((et & 0xFF00) |
					       TPM_ET_KEYHANDLE);
		sess->entity_value = key_handle;
	}
	/* Steps 6-7: sharedSecret = HMAC(A1, nonceEvenDSAP || nonceOdd) */
	if (tpm_rand(nonce_even, TPM_NONCE_SIZE) ||
	    tpm_hmac_sha1_v(a1, TPM_SECRET_SIZE, sess->shared_secret,
			    nonce_even, (size_t)TPM_NONCE_SIZE, nonce_odd,
			    (size_t)TPM_NONCE_SIZE, NULL)) {
		tpm_session_free(sess);
		rc = TPM_FAIL;
		goto out_wipe;
	}
	if (tb_put_u32(out, sess->handle) ||
	    tb_put_bytes(out, sess->nonce_even, TPM_NONCE_SIZE) ||
	    tb_put_bytes(out, nonce_even, TPM_NONCE_SIZE)) {
		tpm_session_free(sess);
		rc = TPM_SIZE;
	}
out_wipe:
	tpm_wipe(a1, sizeof(a1));
	return rc;
}

/* ---- TPM_Delegate_Manage ---- */

/* Part 3, 19.1 steps 2-3: who may manage the family. */
static TPM_RESULT manage_authorize(struct tpm_cmd *c, uint32_t family_id,
				   uint32_t op, struct tpm_family_row *fr)
{
	struct tpm_state *s = c->s;
	const struct tpm_delegate_public *p;
	TPM_RESULT rc;

	if (c->nauth) {
		/* Step 2.a */
		rc = tpm_auth_check(c, 0, TPM_ET_OWNER, TPM_KH_OWNER,
				    s->pd.owner_auth);
		if (rc)
			return rc;
		if (!s->pf.owner_installed)
			return TPM_AUTHFAIL;
		/* Step 2.b */
		p = delegated(c, 0);
		if (p && op != TPM_FAMILY_CREATE && p->family_id != family_id)
			return TPM_DELEGATE_FAMILY;
		return TPM_SUCCESS;
	}
	/* Step 3.a */
	if (s->pf.owner_installed)
		return TPM_AUTHFAIL;
	/* Step 3.b */
	if (op != TPM_FAMILY_CREATE &&
	    (fr->flags & TPM_FAMFLAG_DELEGATE_ADMIN_LOCK))
		return TPM_DELEGATE_LOCK;
	/* Step 3.c */
	if (s->pd.nv_writes_noowner + 1 > TPM_MAX_NV_WRITE_NOOWNER)
		return TPM_MAXNVWRITES;
	s->pd.nv_writes_noowner++;
	tpm_mark_dirty(s);
	return TPM_SUCCESS;
}

/* Part 3, 19.1 step 5: TPM_FAMILY_CREATE. */
static TPM_RESULT family_create(struct tpm_state *s, const uint8_t *data,
				uint32_t len, struct tpm_buf *out)
{
	struct tpm_family_row *f2 = NULL;
	unsigned int i;

	for (i = 0; i < TPM_NUM_FAMILY_ROWS && !f2; i++) {
		if (!s->deleg.family[i].valid)
			f2 = &s->deleg.family[i];
	}
	if (!f2)
		return TPM_NOSPACE;		/* step 5.a.i */
	if (len != 1)
		return TPM_BAD_PARAM_SIZE;	/* step 5.b */
	/* Step 5.a.ii: IDs only grow, so they stay unique. */
	if (s->deleg.last_family_id == UINT32_MAX)
		return TPM_NOSPACE;
	memset(f2, 0, sizeof(*f2));
	f2->label = data[0];
	f2->family_id = ++s->deleg.last_family_id;
	f2->verification_count = 1;
	f2->valid = true;
	tpm_mark_dirty(s);
	if (tb_put_u32(out, 4) || tb_put_u32(out, f2->family_id))
		return TPM_SIZE;
	return TPM_SUCCESS;
}

/* Part 3, 19.1 steps 7-8: set or clear one family flag. */
static TPM_RESULT family_flag(struct tpm_state *s, struct tpm_family_row *fr,
			      uint32_t flag, const uint8_t *data,
			      uint32_t len, struct tpm_buf *out)
{
	if (len != 1)
		return TPM_BAD_PARAM_SIZE;
	if (data[0] > 1)
		return TPM_BAD_PARAMETER;
	if (data[0])
		fr->flags |= flag;
	else
		fr->flags &= ~flag;
	tpm_mark_dirty(s);
	return tb_put_u32(out, 0) ? TPM_SIZE : TPM_SUCCESS;
}

/* Part 3, 19.1 TPM_Delegate_Manage */
TPM_RESULT tpm_cmd_delegate_manage(struct tpm_cmd *c, struct tpm_buf *in,
				   struct tpm_buf *out)
{
	struct tpm_state *s = c->s;
	struct tpm_family_row *fr = NULL;
	uint32_t family_id, op, len;
	const uint8_t *data;
	TPM_RESULT rc;

	if (tb_get_u32(in, &family_id) || tb_get_u32(in, &op) ||
	    tb_get_sized(in, &data, &len, DEL_OPDATA_MAX) ||
	    tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Step 1 */
	if (op != TPM_FAMILY_CREATE) {
		fr = family_find(s, family_id);
		if (!fr)
			return TPM_BADINDEX;
	}
	/* Steps 2-3 */
	rc = manage_authorize(c, family_id, op, fr);
	if (rc)
		return rc;
	/* Step 4 */
	invalidate_dsap(c);
	if (op == TPM_FAMILY_CREATE)
		return family_create(s, data, len, out);
	/* Step 6: a DSAP session ends with this command (invalidate_dsap
	 * has set that). */
	switch (op) {
	case TPM_FAMILY_ADMIN:
		return family_flag(s, fr, TPM_FAMFLAG_DELEGATE_ADMIN_LOCK,
				   data, len, out);
	case TPM_FAMILY_ENABLE:
		return family_flag(s, fr, TPM_FAMFLAG_ENABLED, data, len,
				   out);
	case TPM_FAMILY_INVALIDATE:
		/* Step 9 */
		memset(fr, 0, sizeof(*fr));
		tpm_mark_dirty(s);
		return tb_put_u32(out, 0) ? TPM_SIZE : TPM_SUCCESS;
	default:
		return TPM_BAD_PARAMETER;	/* step 10 */
	}
}

/* ---- TPM_Delegate_CreateKeyDelegation / CreateOwnerDelegation ---- */

/* Part 3, 19.2 step 3 / 19.3 step 1.a: a delegated creator stays within
 * its family and its own permissions. */
static TPM_RESULT creator_check(struct tpm_cmd *c,
				const struct tpm_delegate_public *pub,
				const struct tpm_family_row *fr)
{
	const struct tpm_delegate_public *p = delegated(c, 0);

	if (!p)
		return TPM_SUCCESS;
	if (p->family_id != pub->family_id)
		return TPM_DELEGATE_FAMILY;
	if (!(fr->flags & TPM_FAMFLAG_ENABLED))
		return TPM_DISABLED_CMD;
	if ((pub->perm.per1 & ~p->perm.per1) ||
	    (pub->perm.per2 & ~p->perm.per2))
		return TPM_AUTHFAIL;
	return TPM_SUCCESS;
}

/*
 * Part 3, 19.2 steps 2-6 / 19.3 steps 1.a-3, 5, after the command's own
 * authorization: the family exists (TPM_BADINDEX), creator_check(), the
 * permissions are of @type (TPM_BAD_PARAMETER), and @a1 is the new
 * delegation's secret, ADIP-decrypted from @enc.
 */
static TPM_RESULT create_check(struct tpm_cmd *c,
			       const struct tpm_delegate_public *pub,
			       uint32_t type,
			       const uint8_t enc[TPM_SECRET_SIZE],
			       uint8_t a1[TPM_SECRET_SIZE],
			       struct tpm_family_row **fr)
{
	TPM_RESULT rc;

	*fr = family_find(c->s, pub->family_id);
	if (!*fr)
		return TPM_BADINDEX;
	rc = creator_check(c, pub, *fr);
	if (rc)
		return rc;
	if (pub->perm.type != type)
		return TPM_BAD_PARAMETER;
	return tpm_auth_decrypt(c, 0, enc, a1, false);
}

/* Part 3, 19.2 TPM_Delegate_CreateKeyDelegation */
TPM_RESULT tpm_cmd_delegate_create_key_delegation(struct tpm_cmd *c,
						  struct tpm_buf *in,
						  struct tpm_buf *out)
{
	uint8_t enc[TPM_SECRET_SIZE], a1[TPM_SECRET_SIZE];
	struct tpm_family_row *fr;
	struct del_blob bl = { .tag = 0 };
	struct tpm_key *k;
	uint32_t handle;
	TPM_RESULT rc;

	if (tb_get_u32(in, &handle))
		return TPM_BAD_PARAM_SIZE;
	rc = delegate_public_get(in, &bl.pub);
	if (rc)
		return rc;
	if (tb_get_bytes(in, enc, TPM_SECRET_SIZE) || tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Step 1 */
	rc = tpm_key_use(c, handle, &k);
	if (rc)
		return rc;
	/* Steps 2-6 */
	rc = create_check(c, &bl.pub, TPM_DEL_KEY_BITS, enc, a1, &fr);
	if (rc)
		return rc;
	/* Steps 7-12 */
	bl.tag = TPM_TAG_DELG_KEY_BLOB;
	bl.pub.verification_count = fr->verification_count;
	if (store_pubkey_digest(k, bl.pub_key_digest))
		rc = TPM_FAIL;
	else
		rc = blob_make(c->s, &bl, a1, out);
	tpm_wipe(a1, sizeof(a1));
	/* Step 13 */
	c->terminate[0] = true;
	return rc;
}

/* Part 3, 19.3 TPM_Delegate_CreateOwnerDelegation */
TPM_RESULT tpm_cmd_delegate_create_owner_delegation(struct tpm_cmd *c,
						    struct tpm_buf *in,
						    struct tpm_buf *out)
{
	uint8_t enc[TPM_SECRET_SIZE], a1[TPM_SECRET_SIZE];
	struct tpm_state *s = c->s;
	struct tpm_family_row *fr;
	struct del_blob bl = { .tag = 0 };
	bool increment;
	TPM_RESULT rc;

	if (tb_get_bool(in, &increment))
		return tb_remaining(in) ? TPM_BAD_PARAMETER :
			TPM_BAD_PARAM_SIZE;
	rc = delegate_public_get(in, &bl.pub);
	if (rc)
		return rc;
	if (tb_get_bytes(in, enc, TPM_SECRET_SIZE) || tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Step 1 */
	rc = tpm_auth_owner(c);
	if (rc)
		return rc;
	/* Steps 1.a-3, 5 */
	rc = create_check(c, &bl.pub, TPM_DEL_OWNER_BITS, enc, a1, &fr);
	if (rc)
		return rc;
	/* Step 4 */
	if (increment) {
		fr->verification_count++;
		tpm_mark_dirty(s);
		invalidate_dsap(c);
	}
	/* Steps 6-10 */
	bl.tag = TPM_TAG_DELEGATE_OWNER_BLOB;
	bl.pub.verification_count = fr->verification_count;
	rc = blob_make(s, &bl, a1, out);
	tpm_wipe(a1, sizeof(a1));
	/* Step 11 */
	c->terminate[0] = true;
	return rc;
}

/* ---- TPM_Delegate_LoadOwnerDelegation ---- */

/* Part 3, 19.4 steps 4-5: the owner (possibly delegated), or nobody
 * while there is no owner. */
static TPM_RESULT load_authorize(struct tpm_cmd *c,
				 const struct del_blob *bl,
				 const struct tpm_family_row *fr)
{
	struct tpm_state *s = c->s;
	const struct tpm_delegate_public *p;
	TPM_RESULT rc;

	if (s->pf.owner_installed) {
		rc = tpm_auth_check(c, 0, TPM_ET_OWNER, TPM_KH_OWNER,
				    s->pd.owner_auth);
		if (rc)
			return rc;
		p = delegated(c, 0);
		if (p && p->family_id != bl->pub.family_id)
			return TPM_DELEGATE_FAMILY;
		return TPM_SUCCESS;
	}
	/* Without an owner an auth area cannot be verified. */
	if (c->nauth)
		return TPM_AUTHFAIL;
	if (fr->flags & TPM_FAMFLAG_DELEGATE_ADMIN_LOCK)
		return TPM_DELEGATE_LOCK;
	if (s->pd.nv_writes_noowner + 1 > TPM_MAX_NV_WRITE_NOOWNER)
		return TPM_MAXNVWRITES;
	s->pd.nv_writes_noowner++;
	tpm_mark_dirty(s);
	return TPM_SUCCESS;
}

/* Part 3, 19.4 TPM_Delegate_LoadOwnerDelegation */
TPM_RESULT tpm_cmd_delegate_load_owner_delegation(struct tpm_cmd *c,
						  struct tpm_buf *in,
						  struct tpm_buf *out)
{
	struct tpm_state *s = c->s;
	uint8_t a1[TPM_SECRET_SIZE];
	struct tpm_delegate_row *row;
	struct tpm_family_row *fr;
	struct del_blob bl = { .tag = 0 };
	uint32_t index, len;
	const uint8_t *p;
	struct tpm_buf b;
	TPM_RESULT rc;

	(void)out;
	if (tb_get_u32(in, &index) ||
	    tb_get_sized(in, &p, &len, DEL_BLOB_MAX) || tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Step 1 */
	tb_init_read(&b, p, len);
	rc = blob_get(&b, &bl);
	if (rc)
		return rc;
	if (bl.tag != TPM_TAG_DELEGATE_OWNER_BLOB)
		return TPM_BAD_PARAMETER;
	/* Steps 2-3 */
	fr = family_find(s, bl.pub.family_id);
	if (!fr)
		return TPM_BADINDEX;
	/* Steps 4-5 */
	rc = load_authorize(c, &bl, fr);
	if (rc)
		return rc;
	/* Step 6 */
	if (bl.pub.verification_count != fr->verification_count)
		return TPM_FAMILYCOUNT;
	/* Step 7 */
	rc = blob_integrity_check(s, &bl);
	if (rc)
		return rc;
	/* Steps 8-9 */
	rc = sensitive_open(s, &bl, a1, TPM_BAD_DELEGATE);
	if (rc)
		return rc;
	/* Step 10 */
	if (index >= TPM_NUM_DELEGATE_ROWS) {
		tpm_wipe(a1, sizeof(a1));
		return TPM_BADINDEX;
	}
	/* Step 11 (and 12.c-d) */
	invalidate_dsap(c);
	/* Step 12 */
	row = &s->deleg.rows[index];
	row->pub = bl.pub;
	memcpy(row->auth, a1, TPM_SECRET_SIZE);
	row->valid = true;
	tpm_wipe(a1, sizeof(a1));
	tpm_mark_dirty(s);
	return TPM_SUCCESS;
}

/* ---- TPM_Delegate_ReadTable ---- */

/* Part 3, 19.5 TPM_Delegate_ReadTable */
TPM_RESULT tpm_cmd_delegate_read_table(struct tpm_cmd *c, struct tpm_buf *in,
				       struct tpm_buf *out)
{
	const struct tpm_delegation_state *d = &c->s->deleg;
	size_t at;
	unsigned int i;

	if (tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Steps 1-2 */
	at = out->len;
	if (tb_put_u32(out, 0))
		return TPM_SIZE;
	for (i = 0; i < TPM_NUM_FAMILY_ROWS; i++) {
		const struct tpm_family_row *f = &d->family[i];

		if (f->valid &&
		    (tb_put_u16(out, TPM_TAG_FAMILY_TABLE_ENTRY) ||
		     tb_put_u8(out, f->label) ||
		     tb_put_u32(out, f->family_id) ||
		     tb_put_u32(out, f->verification_count) ||
		     tb_put_u32(out, f->flags)))
			return TPM_SIZE;
	}
	tb_patch_u32(out, at, (uint32_t)(out->len - at - 4));
	/* Steps 3-4 */
	at = out->len;
	if (tb_put_u32(out, 0))
		return TPM_SIZE;
	for (i = 0; i < TPM_NUM_DELEGATE_ROWS; i++) {
		if (d->rows[i].valid &&
		    (tb_put_u32(out, i) ||
		     delegate_public_put(out, &d->rows[i].pub)))
			return TPM_SIZE;
	}
	tb_patch_u32(out, at, (uint32_t)(out->len - at - 4));
	return TPM_SUCCESS;
}

/* ---- TPM_Delegate_UpdateVerification ---- */

/* Part 3, 19.6 TPM_Delegate_UpdateVerification */
TPM_RESULT tpm_cmd_delegate_update_verification(struct tpm_cmd *c,
						struct tpm_buf *in,
						struct tpm_buf *out)
{
	struct tpm_state *s = c->s;
	const struct tpm_delegate_public *p;
	struct tpm_delegate_public *pub;
	struct tpm_delegate_row *row = NULL;
	struct tpm_family_row *fr;
	struct del_blob bl = { .tag = 0 };
	const uint8_t *data;
	struct tpm_buf b;
	uint32_t len;
	TPM_RESULT rc;

	if (tb_get_sized(in, &data, &len, DEL_BLOB_MAX) || tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Step 1 */
	rc = tpm_auth_owner(c);
	if (rc)
		return rc;
	/* Step 2: a TPM_DELEGATE_INDEX is 4 bytes, a blob is longer. */
	tb_init_read(&b, data, len);
	if (len == 4) {
		uint32_t index = tb_be32(data);

		if (index >= TPM_NUM_DELEGATE_ROWS ||
		    !s->deleg.rows[index].valid)
			return TPM_BADINDEX;
		row = &s->deleg.rows[index];
		pub = &row->pub;
	} else {
		rc = blob_get(&b, &bl);
		if (rc)
			return rc;
		/* Step 3 */
		rc = blob_integrity_check(s, &bl);
		if (rc)
			return rc;
		pub = &bl.pub;
	}
	/* Steps 4-5 */
	fr = family_find(s, pub->family_id);
	if (!fr)
		return TPM_BADINDEX;
	/* Steps 6-7 */
	p = delegated(c, 0);
	if (p && p->family_id != pub->family_id)
		return TPM_DELEGATE_FAMILY;
	if (p && !(fr->flags & TPM_FAMFLAG_ENABLED))
		return TPM_DISABLED_CMD;
	/* Step 8 */
	pub->verification_count = fr->verification_count;
	if (row) {
		tpm_mark_dirty(s);
		return tb_put_u32(out, 0) ? TPM_SIZE : TPM_SUCCESS;
	}
	/* Steps 9-10 */
	if (blob_integrity(s, &bl, bl.integrity))
		return TPM_FAIL;
	len = (uint32_t)out->len;
	if (tb_put_u32(out, 0) || blob_put(out, &bl, bl.integrity))
		return TPM_SIZE;
	tb_patch_u32(out, len, (uint32_t)(out->len - len - 4));
	return TPM_SUCCESS;
}

/* ---- TPM_Delegate_VerifyDelegation ---- */

/* Part 3, 19.7 TPM_Delegate_VerifyDelegation */
TPM_RESULT tpm_cmd_delegate_verify_delegation(struct tpm_cmd *c,
					      struct tpm_buf *in,
					      struct tpm_buf *out)
{
	uint8_t a1[TPM_SECRET_SIZE];
	struct del_blob bl = { .tag = 0 };
	const uint8_t *data;
	struct tpm_buf b;
	uint32_t len;
	TPM_RESULT rc;

	(void)out;
	if (tb_get_sized(in, &data, &len, DEL_BLOB_MAX) || tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Steps 1-3 */
	tb_init_read(&b, data, len);
	rc = blob_get(&b, &bl);
	if (rc)
		return rc;
	/* Steps 4-8 */
	rc = blob_check(c->s, &bl);
	if (rc)
		return rc;
	/* Steps 9-10 */
	rc = sensitive_open(c->s, &bl, a1, TPM_BAD_PARAMETER);
	tpm_wipe(a1, sizeof(a1));
	return rc;
}

/* ---- TPM_SetOwnerPointer ---- */

/* Part 3, 18.x TPM_SetOwnerPointer */
TPM_RESULT tpm_cmd_set_owner_pointer(struct tpm_cmd *c, struct tpm_buf *in,
				     struct tpm_buf *out)
{
	struct tpm_delegation_state *d = &c->s->deleg;
	struct tpm_family_row *fr;
	uint32_t value;
	uint16_t type;

	(void)out;
	if (tb_get_u16(in, &type) || tb_get_u32(in, &value) ||
	    tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	switch (type) {
	case TPM_ET_DEL_ROW:
		/* Step 2.b */
		if (value >= TPM_NUM_DELEGATE_ROWS || !d->rows[value].valid)
			return TPM_BADINDEX;
		/* Steps 2.c-e */
		fr = family_find(c->s, d->rows[value].pub.family_id);
		if (!fr)
			return TPM_BADINDEX;
		if (!(fr->flags & TPM_FAMFLAG_ENABLED))
			return TPM_DISABLED_CMD;
		/* Step 2.f */
		d->owner_ref_row = true;
		d->owner_ref = value;
		return TPM_SUCCESS;
	case TPM_ET_OWNER:
		/* Step 3 */
		d->owner_ref_row = false;
		d->owner_ref = TPM_KH_OWNER;
		return TPM_SUCCESS;
	default:
		return TPM_BAD_PARAMETER;	/* step 4 */
	}
}

/* ---- lifecycle and persistence ---- */

void tpm_delegation_reset_volatile(struct tpm_state *s)
{
	s->deleg.owner_ref_row = false;
	s->deleg.owner_ref = TPM_KH_OWNER;
}

void tpm_delegation_owner_clear(struct tpm_state *s)
{
	struct tpm_delegation_state *d = &s->deleg;

	/* The tables and the delegate key belong to the old owner (blobs
	 * die with tpmProof anyway).  lastFamilyID keeps growing so a
	 * family ID is never reused. */
	tpm_wipe(d->family, sizeof(d->family));
	tpm_wipe(d->rows, sizeof(d->rows));
	tpm_wipe(d->key, sizeof(d->key));
	d->key_valid = false;
	d->restrict_delegate = 0;
	tpm_delegation_reset_volatile(s);
	tpm_mark_dirty(s);
}

int tpm_delegation_state_put(const struct tpm_state *s, struct tpm_buf *b)
{
	const struct tpm_delegation_state *d = &s->deleg;
	uint32_t nf = 0, nr = 0;
	unsigned int i;

	for (i = 0; i < TPM_NUM_FAMILY_ROWS; i++)
		nf += d->family[i].valid;
	for (i = 0; i < TPM_NUM_DELEGATE_ROWS; i++)
		nr += d->rows[i].valid;
	if (tb_put_u32(b, d->last_family_id) ||
	    tb_put_bool(b, d->key_valid) ||
	    tb_put_bytes(b, d->key, sizeof(d->key)) ||
	    tb_put_u32(b, d->restrict_delegate) || tb_put_u32(b, nf))
		return -ENOSPC;
	for (i = 0; i < TPM_NUM_FAMILY_ROWS; i++) {
		const struct tpm_family_row *f = &d->family[i];

		if (f->valid &&
		    (tb_put_u8(b, f->label) || tb_put_u32(b, f->family_id) ||
		     tb_put_u32(b, f->verification_count) ||
		     tb_put_u32(b, f->flags)))
			return -ENOSPC;
	}
	if (tb_put_u32(b, nr))
		return -ENOSPC;
	for (i = 0; i < TPM_NUM_DELEGATE_ROWS; i++) {
		const struct tpm_delegate_row *r = &d->rows[i];

		if (r->valid &&
		    (tb_put_u32(b, i) || delegate_public_put(b, &r->pub) ||
		     tb_put_bytes(b, r->auth, TPM_SECRET_SIZE)))
			return -ENOSPC;
	}
	return 0;
}

static int families_get(struct tpm_delegation_state *d, struct tpm_buf *b)
{
	uint32_t n, i, j;

	if (tb_get_u32(b, &n) || n > TPM_NUM_FAMILY_ROWS)
		return -EBADMSG;
	for (i = 0; i < n; i++) {
		struct tpm_family_row *f = &d->family[i];

		if (tb_get_u8(b, &f->label) || tb_get_u32(b, &f->family_id) ||
		    tb_get_u32(b, &f->verification_count) ||
		    tb_get_u32(b, &f->flags))
			return -EBADMSG;
		if (f->family_id == 0 || f->family_id > d->last_family_id ||
		    (f->flags & ~TPM_FAMFLAG_MASK))
			return -EBADMSG;
		for (j = 0; j < i; j++) {
			if (d->family[j].family_id == f->family_id)
				return -EBADMSG;
		}
		f->valid = true;
	}
	return 0;
}

static int rows_get(struct tpm_delegation_state *d, struct tpm_buf *b)
{
	uint32_t n, i, index;

	if (tb_get_u32(b, &n) || n > TPM_NUM_DELEGATE_ROWS)
		return -EBADMSG;
	for (i = 0; i < n; i++) {
		struct tpm_delegate_row *r;

		if (tb_get_u32(b, &index) || index >= TPM_NUM_DELEGATE_ROWS ||
		    d->rows[index].valid)
			return -EBADMSG;
		r = &d->rows[index];
		if (delegate_public_get(b, &r->pub) ||
		    tb_get_bytes(b, r->auth, TPM_SECRET_SIZE))
			return -EBADMSG;
		r->valid = true;
	}
	return 0;
}

int tpm_delegation_state_get(struct tpm_state *s, struct tpm_buf *b)
{
	struct tpm_delegation_state *d = &s->deleg;

	memset(d, 0, sizeof(*d));
	tpm_delegation_reset_volatile(s);
	if (tb_get_u32(b, &d->last_family_id) ||
	    tb_get_bool(b, &d->key_valid) ||
	    tb_get_bytes(b, d->key, sizeof(d->key)) ||
	    tb_get_u32(b, &d->restrict_delegate) || families_get(d, b) ||
	    rows_get(d, b) || tb_expect_end(b))
		return -EBADMSG;
	return 0;
}
