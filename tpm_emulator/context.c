// SPDX-License-Identifier: GPL-2.0
/*
 * Saved contexts (Part 1, 18; Part 2, 18; Part 3, 21-22, 27.2): keys and
 * authorization sessions leave the TPM as TPM_CONTEXT_BLOBs and come back
 * with LoadContext; owner-evict keys (KeyControlOwner) and their
 * persistence.  Blobs are sealed here only: nothing else reads them.
 */
#include <errno.h>

#include "internal.h"

/* Part 2, 18.1: TPM_CONTEXT_BLOB.label. */
#define CONTEXT_LABEL_SIZE	16U
/* AES-256-CBC (PKCS#5 padding) under pd.context_key; the IV travels in
 * additionalData, which Part 3, 21.2 step 8.f allows ("symmetric IV are
 * fine"). */
#define CONTEXT_IV_SIZE		16U
#define CONTEXT_AES_BLOCK	16U
/* Largest internalData: a key record (public TPM_KEY12 <= 512 bytes,
 * three secrets, parent handle and flag, the prime) or a session. */
#define CONTEXT_INTERNAL_MAX	1024U
/* TPM_CONTEXT_SENSITIVE: tag, contextNonce, internalSize, internalData. */
#define CONTEXT_SENSITIVE_MAX	(2U + TPM_NONCE_SIZE + 4U + \
				 CONTEXT_INTERNAL_MAX)
/* Its ciphertext: padded to whole AES blocks (at most one more). */
#define CONTEXT_ENC_MAX		(CONTEXT_SENSITIVE_MAX + CONTEXT_AES_BLOCK)
/* TPM_CONTEXT_BLOB before sensitiveData: tag, resourceType, handle,
 * label, contextCount, integrityDigest, additionalSize, additionalData
 * (the IV), sensitiveSize. */
#define CONTEXT_HDR_SIZE	(2U + 4U + 4U + CONTEXT_LABEL_SIZE + 4U + \
				 TPM_DIGEST_SIZE + 4U + CONTEXT_IV_SIZE + 4U)
#define CONTEXT_BLOB_MAX	(CONTEXT_HDR_SIZE + CONTEXT_ENC_MAX)
/* Offset of integrityDigest in the blob (zeroed for the HMAC). */
#define CONTEXT_DIGEST_OFF	(2U + 4U + 4U + CONTEXT_LABEL_SIZE + 4U)
/* HMAC key: tpmProof || contextKey (see integrity_key()). */
#define CONTEXT_HMAC_KEY_SIZE	(TPM_SECRET_SIZE + \
				 sizeof(((struct tpm_permanent_data *)0)->context_key))
/* Part 2, 5.19 TPM_KEY_CONTROL: the only bit defined. */
#define TPM_KEY_CONTROL_OWNER_EVICT	0x00000001U
/* Owner-evict keys at most: Part 3, 21.1 step 5.a.i needs two slots free
 * of them (TPM_MAX_KEYS - 2); the vendor may offer fewer (libtpms: 2).
 * Four bound their share of the state blob to about 2.3 KiB. */
#define TPM_MAX_OWNER_EVICT	4U
/* Reserved handles (TPM_KH_*) name no loaded key. */
#define HANDLE_TYPE_MASK	0xFF000000U
#define HANDLE_RESERVED		0x40000000U

static bool is_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;
	size_t i;

	for (i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

/*
 * OwnerClear wipes contextKey (Part 3, 6.x step 5) and tpmProof; a new
 * one is drawn before the next context is sealed or opened, so old blobs
 * die and a zero key is never used.
 */
static int ensure_context_key(struct tpm_state *s)
{
	if (!is_zero(s->pd.context_key, sizeof(s->pd.context_key)))
		return 0;
	if (tpm_rand(s->pd.context_key, sizeof(s->pd.context_key)))
		return -EIO;
	tpm_mark_dirty(s);
	return 0;
}

/* Part 3, 21.2 step 11 keys the HMAC with tpmProof; contextKey is mixed
 * in so that the blob stays unforgeable while tpmProof is zero (after
 * OwnerClear, before the next TakeOwnership). */
static void integrity_key(const struct tpm_state *s,
			  uint8_t key[CONTEXT_HMAC_KEY_SIZE])
{
	memcpy(key, s->pd.tpm_proof, TPM_SECRET_SIZE);
	memcpy(key + TPM_SECRET_SIZE, s->pd.context_key,
	       sizeof(s->pd.context_key));
}

/* HMAC over the blob with integrityDigest taken as zeros. */
static int blob_hmac(const struct tpm_state *s, const uint8_t *blob,
		     size_t len, uint8_t mac[TPM_DIGEST_SIZE])
{
	static const uint8_t zeros[TPM_DIGEST_SIZE];
	uint8_t key[CONTEXT_HMAC_KEY_SIZE];
	int rc;

	integrity_key(s, key);
	rc = tpm_hmac_sha1_v(key, sizeof(key), mac, blob,
			     (size_t)CONTEXT_DIGEST_OFF, zeros,
			     (size_t)TPM_DIGEST_SIZE,
			     blob + CONTEXT_DIGEST_OFF + TPM_DIGEST_SIZE,
			     len - CONTEXT_DIGEST_OFF - TPM_DIGEST_SIZE, NULL);
	tpm_wipe(key, sizeof(key));
	return rc;
}

/* ---- internal records (the sensitive part of a resource) ---- */

/* A loaded key: public TPM_KEY form, secrets, bookkeeping, prime p. */
static int key_record_put(struct tpm_buf *b, const struct tpm_key *k)
{
	uint8_t p[TPM_MAX_KEY_BYTES];
	size_t plen;
	int rc;

	if (!k->rsa || !tpm_rsa_is_private(k->rsa) ||
	    tpm_rsa_get_prime(k->rsa, p, sizeof(p), &plen))
		return -EINVAL;
	rc = tpm_key_put(b, k, NULL, 0) ||
	     tb_put_bytes(b, k->usage_auth, TPM_SECRET_SIZE) ||
	     tb_put_bytes(b, k->migration_auth, TPM_SECRET_SIZE) ||
	     tb_put_bytes(b, k->pub_digest, TPM_DIGEST_SIZE) ||
	     tb_put_u32(b, k->parent_handle) ||
	     tb_put_bool(b, k->parent_pcr_status) ||
	     tb_put_sized(b, p, (uint32_t)plen) ? -ENOSPC : 0;
	tpm_wipe(p, sizeof(p));
	return rc;
}

/* Parse a key record into @k (zeroed by the caller): 0 or -EBADMSG. */
static int key_record_get(struct tpm_buf *b, struct tpm_key *k)
{
	const uint8_t *enc, *p;
	uint32_t elen, plen;

	if (tpm_key_get(b, k, &enc, &elen) || elen != 0 ||
	    tb_get_bytes(b, k->usage_auth, TPM_SECRET_SIZE) ||
	    tb_get_bytes(b, k->migration_auth, TPM_SECRET_SIZE) ||
	    tb_get_bytes(b, k->pub_digest, TPM_DIGEST_SIZE) ||
	    tb_get_u32(b, &k->parent_handle) ||
	    tb_get_bool(b, &k->parent_pcr_status) ||
	    tb_get_sized(b, &p, &plen, TPM_MAX_KEY_BYTES))
		return -EBADMSG;
	if (tpm_rsa_from_prime(&k->rsa, k->n, k->n_len, k->parms.exponent,
			       k->parms.exp_size, p, plen))
		return -EBADMSG;
	return 0;
}

/* An authorization session: every field but the handle. */
static int sess_record_put(struct tpm_buf *b, const struct tpm_session *x)
{
	if (tb_put_u8(b, (uint8_t)x->type) ||
	    tb_put_bytes(b, x->nonce_even, TPM_NONCE_SIZE) ||
	    tb_put_bytes(b, x->shared_secret, TPM_SECRET_SIZE) ||
	    tb_put_u16(b, x->entity_type) || tb_put_u32(b, x->entity_value) ||
	    tb_put_bytes(b, x->entity_digest, TPM_DIGEST_SIZE))
		return -ENOSPC;
	return 0;
}

static int sess_record_get(struct tpm_buf *b, struct tpm_session *x)
{
	uint8_t type;

	if (tb_get_u8(b, &type) ||
	    (type != SESS_OIAP && type != SESS_OSAP) ||
	    tb_get_bytes(b, x->nonce_even, TPM_NONCE_SIZE) ||
	    tb_get_bytes(b, x->shared_secret, TPM_SECRET_SIZE) ||
	    tb_get_u16(b, &x->entity_type) || tb_get_u32(b, &x->entity_value) ||
	    tb_get_bytes(b, x->entity_digest, TPM_DIGEST_SIZE))
		return -EBADMSG;
	x->type = (enum tpm_session_type)type;
	return 0;
}

/* ---- sealing ---- */

/* What SaveContext seals: resource, its record and the blob fields. */
struct ctx_save {
	uint32_t rt;
	uint32_t handle;
	uint32_t count;
	const uint8_t *label;
	const uint8_t *nonce;
	const struct tpm_key *key;
	const struct tpm_session *sess;
};

/* Part 3, 21.2 steps 6-7: C1 = TPM_CONTEXT_SENSITIVE(N1, R1). */
static int sensitive_put(struct tpm_buf *b, const struct ctx_save *cs)
{
	uint8_t *size_at;
	size_t start;
	int rc;

	if (tb_put_u16(b, TPM_TAG_CONTEXT_SENSITIVE) ||
	    tb_put_bytes(b, cs->nonce, TPM_NONCE_SIZE) ||
	    tb_reserve(b, &size_at, 4))
		return -ENOSPC;
	start = b->len;
	rc = cs->key ? key_record_put(b, cs->key) :
		       sess_record_put(b, cs->sess);
	if (rc)
		return rc;
	tb_wr_be32(size_at, (uint32_t)(b->len - start));
	return 0;
}

/* Part 3, 21.2 steps 8-14: B1 with E1 = AES(K1, C1), then its HMAC.
 * Writes u32 contextSize || B1 to @out. */
static TPM_RESULT blob_put(struct tpm_state *s, const struct ctx_save *cs,
			   struct tpm_buf *out)
{
	uint8_t plain[CONTEXT_SENSITIVE_MAX], iv[CONTEXT_IV_SIZE];
	uint8_t *blob_size, *digest, *enc_size, *enc, mac[TPM_DIGEST_SIZE];
	size_t enc_len, start;
	struct tpm_buf pb;
	TPM_RESULT rc = TPM_FAIL;

	tb_init_write(&pb, plain, sizeof(plain));
	if (ensure_context_key(s) || sensitive_put(&pb, cs) ||
	    tpm_rand(iv, sizeof(iv)))
		goto out;
	rc = TPM_SIZE;
	if (tb_reserve(out, &blob_size, 4))
		goto out;
	start = out->len;
	/* Steps 8.a-e, g-i; the IV is additionalData (8.f). */
	if (tb_put_u16(out, TPM_TAG_CONTEXTBLOB) ||
	    tb_put_u32(out, cs->rt) || tb_put_u32(out, cs->handle) ||
	    tb_put_bytes(out, cs->label, CONTEXT_LABEL_SIZE) ||
	    tb_put_u32(out, cs->count) ||
	    tb_reserve(out, &digest, TPM_DIGEST_SIZE) ||
	    tb_put_sized(out, iv, CONTEXT_IV_SIZE) ||
	    tb_reserve(out, &enc_size, 4) ||
	    tb_reserve(out, &enc, pb.len + CONTEXT_AES_BLOCK))
		goto out;
	memset(digest, 0, TPM_DIGEST_SIZE);
	/* Step 12: E1 = AES-256-CBC(K1, C1). */
	rc = TPM_FAIL;
	if (tpm_aes_cbc_encrypt(s->pd.context_key, sizeof(s->pd.context_key),
				iv, plain, pb.len, enc,
				pb.len + CONTEXT_AES_BLOCK, &enc_len))
		goto out;
	/* Drop the unused tail of the reservation; patch the sizes. */
	out->len = (size_t)(enc - out->data) + enc_len;
	tb_wr_be32(enc_size, (uint32_t)enc_len);
	tb_wr_be32(blob_size, (uint32_t)(out->len - start));
	/* Step 11, over the sealed blob (encrypt-then-MAC; the blob is
	 * opaque to callers, see docs/state-format.md). */
	if (blob_hmac(s, out->data + start, out->len - start, mac))
		goto out;
	memcpy(digest, mac, TPM_DIGEST_SIZE);
	rc = TPM_SUCCESS;
out:
	tpm_wipe(plain, sizeof(plain));
	return rc;
}

/* ---- opening ---- */

/* The fields of a TPM_CONTEXT_BLOB as received. */
struct ctx_blob {
	uint32_t rt;
	uint32_t handle;
	uint32_t count;
	uint8_t digest[TPM_DIGEST_SIZE];
	const uint8_t *iv;
	const uint8_t *enc;
	uint32_t enc_len;
};

/* Part 2, 18.1: parse the blob framing of exactly @len bytes.  A short
 * blob is TPM_BAD_PARAM_SIZE; wrong fields TPM_BADCONTEXT. */
static TPM_RESULT blob_get(const uint8_t *p, uint32_t len,
			   struct ctx_blob *cb)
{
	struct tpm_buf b;
	uint32_t add_len;
	uint16_t tag;

	tb_init_read(&b, p, len);
	if (tb_get_u16(&b, &tag) || tb_get_u32(&b, &cb->rt) ||
	    tb_get_u32(&b, &cb->handle) || tb_skip(&b, CONTEXT_LABEL_SIZE) ||
	    tb_get_u32(&b, &cb->count) ||
	    tb_get_bytes(&b, cb->digest, TPM_DIGEST_SIZE) ||
	    tb_get_sized(&b, &cb->iv, &add_len, CONTEXT_BLOB_MAX) ||
	    tb_get_sized(&b, &cb->enc, &cb->enc_len, CONTEXT_BLOB_MAX))
		return TPM_BAD_PARAM_SIZE;
	if (tb_expect_end(&b))
		return TPM_BAD_PARAM_SIZE;
	if (tag != TPM_TAG_CONTEXTBLOB)
		return TPM_INVALID_STRUCTURE;
	if (add_len != CONTEXT_IV_SIZE || cb->enc_len > CONTEXT_ENC_MAX ||
	    cb->enc_len == 0 || cb->enc_len % CONTEXT_AES_BLOCK)
		return TPM_BADCONTEXT;
	return TPM_SUCCESS;
}

/*
 * Part 3, 21.3 steps 3-6: check integrity, decrypt and split M1 into the
 * contextNonce and R1.  @plain receives the plaintext (caller wipes).
 */
static TPM_RESULT blob_open(struct tpm_state *s, const uint8_t *p,
			    uint32_t len, const struct ctx_blob *cb,
			    uint8_t *plain, uint8_t nonce[TPM_NONCE_SIZE],
			    struct tpm_buf *internal)
{
	uint8_t mac[TPM_DIGEST_SIZE];
	const uint8_t *r1;
	struct tpm_buf b;
	size_t plen;
	uint32_t n;
	uint16_t tag;

	/* Step 6 first: nothing unauthenticated is decrypted or parsed. */
	if (ensure_context_key(s) || blob_hmac(s, p, len, mac))
		return TPM_FAIL;
	if (tpm_memcmp_ct(mac, cb->digest, TPM_DIGEST_SIZE))
		return TPM_BADCONTEXT;
	if (tpm_aes_cbc_decrypt(s->pd.context_key, sizeof(s->pd.context_key),
				cb->iv, cb->enc, cb->enc_len, plain,
				CONTEXT_ENC_MAX, &plen))
		return TPM_BADCONTEXT;
	tb_init_read(&b, plain, plen);
	if (tb_get_u16(&b, &tag) || tag != TPM_TAG_CONTEXT_SENSITIVE ||
	    tb_get_bytes(&b, nonce, TPM_NONCE_SIZE) ||
	    tb_get_sized(&b, &r1, &n, CONTEXT_INTERNAL_MAX) ||
	    tb_expect_end(&b))
		return TPM_BADCONTEXT;
	tb_init_read(internal, r1, n);
	return TPM_SUCCESS;
}

/* ---- the saved-session list (Part 1, 18.x contextList) ---- */

static int list_find(const struct tpm_state *s, uint32_t count)
{
	unsigned int i;

	for (i = 0; count && i < TPM_CONTEXT_LIST_SIZE; i++)
		if (s->ctx.list[i] == count)
			return (int)i;
	return -1;
}

uint32_t tpm_context_free_slots(const struct tpm_state *s)
{
	uint32_t n = 0;
	unsigned int i;

	for (i = 0; i < TPM_CONTEXT_LIST_SIZE; i++)
		n += s->ctx.list[i] == 0;
	return n;
}

size_t tpm_context_handles(const struct tpm_state *s, uint32_t *h,
			   size_t max)
{
	size_t n = 0;
	unsigned int i;

	for (i = 0; i < TPM_CONTEXT_LIST_SIZE && n < max; i++)
		if (s->ctx.list[i])
			h[n++] = s->ctx.list[i];
	return n;
}

TPM_RESULT tpm_context_flush(struct tpm_state *s, uint32_t count)
{
	int i = list_find(s, count);

	/* Part 3, 22.3 steps 1.a, 7: the handle is the contextCount. */
	if (i < 0)
		return TPM_BAD_PARAMETER;
	s->ctx.list[i] = 0;
	return TPM_SUCCESS;
}

void tpm_context_reset_sessions(struct tpm_state *s)
{
	/* TPM_STANY_DATA: every saved session dies with any Startup or
	 * TPM_Init. */
	tpm_wipe(s->ctx.nonce_session, sizeof(s->ctx.nonce_session));
	s->ctx.count = 0;
	memset(s->ctx.list, 0, sizeof(s->ctx.list));
}

void tpm_context_startup_clear(struct tpm_state *s)
{
	/* TPM_STCLEAR_DATA.contextNonceKey: key contexts that check it
	 * (volatile or PCR-parented keys) die at Startup(CLEAR). */
	if (is_zero(s->ctx.nonce_key, sizeof(s->ctx.nonce_key)))
		return;
	tpm_wipe(s->ctx.nonce_key, sizeof(s->ctx.nonce_key));
	tpm_mark_dirty(s);
}

/* A lazily drawn context nonce (Part 3, 21.2 step 4). */
static int nonce_get(struct tpm_state *s, uint8_t nonce[TPM_NONCE_SIZE],
		     bool persistent)
{
	if (!is_zero(nonce, TPM_NONCE_SIZE))
		return 0;
	if (tpm_rand(nonce, TPM_NONCE_SIZE))
		return -EIO;
	if (persistent)
		tpm_mark_dirty(s);
	return 0;
}

/* ---- SaveContext and the deprecated Save commands ---- */

/* A loaded key that may be saved: not reserved, not owner-evict. */
static TPM_RESULT save_key_find(struct tpm_state *s, uint32_t handle,
				struct tpm_key **k, TPM_RESULT missing)
{
	if ((handle & HANDLE_TYPE_MASK) == HANDLE_RESERVED ||
	    tpm_key_lookup(s, handle, k))
		return missing;
	return TPM_SUCCESS;
}

/*
 * Part 3, 21.2 steps 4-14 for a key (@release: SaveKeyContext, 27.2.1,
 * which also unloads it).
 */
static TPM_RESULT save_key(struct tpm_state *s, struct tpm_key *k,
			   const uint8_t *label, bool release,
			   struct tpm_buf *out)
{
	struct ctx_save cs = { .rt = TPM_RT_KEY, .handle = k->handle,
			       .label = label, .key = k };
	TPM_RESULT rc;

	/* Step 4.a.iii: owner-evict keys stay under owner control. */
	if (k->owner_evict)
		return release ? TPM_KEY_OWNER_CONTROL : TPM_OWNER_CONTROL;
	/* Step 4.a.i-ii */
	if (nonce_get(s, s->ctx.nonce_key, true))
		return TPM_FAIL;
	cs.nonce = s->ctx.nonce_key;
	/* Step 9: key contexts carry contextCount 0. */
	rc = blob_put(s, &cs, out);
	if (rc || !release)
		return rc;
	tpm_sessions_invalidate_entity(s, TPM_ET_KEYHANDLE, k->handle);
	tpm_key_clear(k);
	return TPM_SUCCESS;
}

/* Part 3, 21.2 steps 4.b, 10 for an authorization session. */
static TPM_RESULT save_session(struct tpm_state *s, struct tpm_session *x,
			       const uint8_t *label, struct tpm_buf *out)
{
	struct ctx_save cs = { .rt = TPM_RT_AUTH, .handle = x->handle,
			       .label = label, .sess = x };
	unsigned int k;
	TPM_RESULT rc;
	int i;

	/* Step 10.a */
	if (s->ctx.count > 0xFFFFFFFEU)
		return TPM_TOOMANYCONTEXTS;
	/* Step 10.b.ii: a free contextList entry. */
	for (k = 0, i = -1; k < TPM_CONTEXT_LIST_SIZE && i < 0; k++)
		if (!s->ctx.list[k])
			i = (int)k;
	if (i < 0)
		return TPM_NOCONTEXTSPACE;
	if (nonce_get(s, s->ctx.nonce_session, false))
		return TPM_FAIL;
	cs.nonce = s->ctx.nonce_session;
	/* Step 10.b.i: a 32-bit count never runs into TPM_CONTEXT_GAP
	 * (TPM_CAP_PROP_CONTEXT_DIST is 2^32-1). */
	cs.count = s->ctx.count + 1;
	rc = blob_put(s, &cs, out);
	if (rc)
		return rc;
	/* Steps 10.b.iii-v, 10.c: commit, and release the session. */
	s->ctx.count = cs.count;
	s->ctx.list[i] = cs.count;
	tpm_session_free(x);
	return TPM_SUCCESS;
}

/* A session that may be saved: OIAP or OSAP (DSAP and transport
 * sessions keep state this file does not own). */
static struct tpm_session *save_sess_find(struct tpm_state *s, uint32_t h)
{
	struct tpm_session *x = tpm_session_find(s, h);

	if (!x || (x->type != SESS_OIAP && x->type != SESS_OSAP))
		return NULL;
	return x;
}

/* Part 3, 21.2 TPM_SaveContext */
TPM_RESULT tpm_cmd_save_context(struct tpm_cmd *c, struct tpm_buf *in,
				struct tpm_buf *out)
{
	uint8_t label[CONTEXT_LABEL_SIZE];
	struct tpm_session *x;
	uint32_t handle, rt;
	struct tpm_key *k;
	TPM_RESULT rc;

	if (tb_get_u32(in, &handle) || tb_get_u32(in, &rt) ||
	    tb_get_bytes(in, label, sizeof(label)) || tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* The reference (libtpms) refuses SaveContext/LoadContext without
	 * an owner; the deprecated commands have no such gate. */
	if (!c->s->pf.owner_installed)
		return TPM_NOSRK;
	/* Steps 2-3: handle names a resource of resourceType, which is
	 * one this TPM saves, else TPM_INVALID_RESOURCE. */
	switch (rt) {
	case TPM_RT_KEY:
		rc = save_key_find(c->s, handle, &k, TPM_INVALID_RESOURCE);
		return rc ? rc : save_key(c->s, k, label, false, out);
	case TPM_RT_AUTH:
		x = save_sess_find(c->s, handle);
		if (!x)
			return TPM_INVALID_RESOURCE;
		return save_session(c->s, x, label, out);
	default:
		return TPM_INVALID_RESOURCE;
	}
}

/* Part 3, 27.2.1 TPM_SaveKeyContext */
TPM_RESULT tpm_cmd_save_key_context(struct tpm_cmd *c, struct tpm_buf *in,
				    struct tpm_buf *out)
{
	static const uint8_t label[CONTEXT_LABEL_SIZE];
	uint32_t handle;
	struct tpm_key *k;
	TPM_RESULT rc;

	if (tb_get_u32(in, &handle) || tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	rc = save_key_find(c->s, handle, &k, TPM_INVALID_KEYHANDLE);
	if (rc)
		return rc;
	return save_key(c->s, k, label, true, out);
}

/* Part 3, 27.2.3 TPM_SaveAuthContext */
TPM_RESULT tpm_cmd_save_auth_context(struct tpm_cmd *c, struct tpm_buf *in,
				     struct tpm_buf *out)
{
	static const uint8_t label[CONTEXT_LABEL_SIZE];
	struct tpm_session *x;
	uint32_t handle;

	if (tb_get_u32(in, &handle) || tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	x = save_sess_find(c->s, handle);
	if (!x)
		return TPM_INVALID_AUTHHANDLE;
	return save_session(c->s, x, label, out);
}

/* ---- LoadContext and the deprecated Load commands ---- */

/* How a Load command treats the saved handle and entity. */
struct ctx_load {
	uint32_t want_rt;	/* 0: any type LoadContext restores */
	bool keep_handle;	/* LoadContext keepHandle */
	bool check_nonce_key;	/* LoadKeyContext: always (27.2.2) */
	bool have_entity;	/* LoadContext: entityHandle given */
	uint32_t entity_handle;
	uint32_t handle;	/* out */
};

/* Part 3, 21.3 step 10: reuse the saved handle when it is free. */
static TPM_RESULT pick_handle(bool live, bool keep, uint32_t saved,
			      uint32_t *h)
{
	if (!live) {
		*h = saved;
		return TPM_SUCCESS;
	}
	return keep ? TPM_BAD_HANDLE : TPM_SUCCESS;
}

static TPM_RESULT load_key(struct tpm_state *s, struct tpm_buf *r1,
			   const uint8_t nonce[TPM_NONCE_SIZE],
			   const struct ctx_blob *cb, struct ctx_load *cl)
{
	struct tpm_key nk, *slot, *live;
	TPM_RESULT rc = TPM_BADCONTEXT;

	memset(&nk, 0, sizeof(nk));
	if (key_record_get(r1, &nk) || tb_expect_end(r1))
		goto out;
	/* Step 5.b: volatile and PCR-parented keys live one power-on
	 * session (contextNonceKey); others ignore the nonce. */
	if ((cl->check_nonce_key || nk.parent_pcr_status ||
	     (nk.flags & TPM_KEY_FLAG_IS_VOLATILE)) &&
	    (is_zero(s->ctx.nonce_key, TPM_NONCE_SIZE) ||
	     tpm_memcmp_ct(nonce, s->ctx.nonce_key, TPM_NONCE_SIZE)))
		goto out;
	rc = tpm_key_slot_alloc(s, &slot);
	if (rc)
		goto out;
	nk.handle = slot->handle;
	rc = pick_handle(tpm_key_lookup(s, cb->handle, &live) == TPM_SUCCESS,
			 cl->keep_handle, cb->handle, &nk.handle);
	if (rc)
		goto out;
	nk.valid = true;
	*slot = nk;
	cl->handle = nk.handle;
	tpm_wipe(&nk, sizeof(nk));
	return TPM_SUCCESS;
out:
	tpm_key_clear(&nk);
	return rc;
}

/*
 * Part 3, 21.3 step 5.a.ii: an OSAP session's entity must be loaded and
 * be the one the session was opened for (its public digest).
 */
static TPM_RESULT osap_entity_check(struct tpm_state *s,
				    struct tpm_session *x,
				    const struct ctx_load *cl)
{
	uint32_t h = cl->have_entity ? cl->entity_handle : x->entity_value;
	struct tpm_key *k;

	switch (x->entity_type & 0xFF) {
	case TPM_ET_KEYHANDLE:
	case TPM_ET_SRK:
		if ((x->entity_type & 0xFF) == TPM_ET_SRK)
			h = TPM_KH_SRK;
		if (tpm_key_lookup(s, h, &k))
			return h == TPM_KH_SRK ? TPM_NOSRK : TPM_BAD_HANDLE;
		if (tpm_memcmp_ct(k->pub_digest, x->entity_digest,
				  TPM_DIGEST_SIZE))
			return TPM_RESOURCEMISSING;
		/* The key may be back under a new handle. */
		if ((x->entity_type & 0xFF) == TPM_ET_KEYHANDLE)
			x->entity_value = h;
		return TPM_SUCCESS;
	case TPM_ET_OWNER:
		return s->pf.owner_installed ? TPM_SUCCESS :
					       TPM_RESOURCEMISSING;
	case TPM_ET_COUNTER:
		return tpm_counter_find(s, x->entity_value) ? TPM_SUCCESS :
							      TPM_RESOURCEMISSING;
	case TPM_ET_NV:
		return tpm_nv_find(s, x->entity_value) ? TPM_SUCCESS :
							 TPM_RESOURCEMISSING;
	default:
		return TPM_WRONG_ENTITYTYPE;
	}
}

static TPM_RESULT load_session(struct tpm_state *s, struct tpm_buf *r1,
			       const uint8_t nonce[TPM_NONCE_SIZE],
			       const struct ctx_blob *cb, struct ctx_load *cl)
{
	struct tpm_session nx, *x;
	TPM_RESULT rc = TPM_BADCONTEXT;
	uint32_t h;
	int i;

	memset(&nx, 0, sizeof(nx));
	if (sess_record_get(r1, &nx) || tb_expect_end(r1))
		goto out;
	/* Step 5.a.i */
	if (is_zero(s->ctx.nonce_session, TPM_NONCE_SIZE) ||
	    tpm_memcmp_ct(nonce, s->ctx.nonce_session, TPM_NONCE_SIZE))
		goto out;
	/* Step 5.a.ii */
	if (nx.type == SESS_OSAP) {
		rc = osap_entity_check(s, &nx, cl);
		if (rc)
			goto out;
	}
	/* Step 9.a-b: replay of a context already loaded (or flushed). */
	rc = TPM_BADCONTEXT;
	i = list_find(s, cb->count);
	if (i < 0)
		goto out;
	rc = tpm_session_alloc(s, nx.type, &x);
	if (rc)
		goto out;
	h = x->handle;
	rc = pick_handle(tpm_session_find(s, cb->handle) != NULL,
			 cl->keep_handle, cb->handle, &h);
	if (rc) {
		tpm_session_free(x);
		goto out;
	}
	/* Step 9.c, 10 */
	s->ctx.list[i] = 0;
	nx.handle = h;
	*x = nx;
	cl->handle = h;
out:
	tpm_wipe(&nx, sizeof(nx));
	return rc;
}

/* Part 3, 21.3 steps 1-10 (and 27.2.2 / 27.2.4). */
static TPM_RESULT context_load(struct tpm_state *s, const uint8_t *p,
			       uint32_t len, struct ctx_load *cl)
{
	uint8_t plain[CONTEXT_ENC_MAX], nonce[TPM_NONCE_SIZE];
	struct tpm_buf r1;
	struct ctx_blob cb;
	TPM_RESULT rc;

	rc = blob_get(p, len, &cb);
	if (rc)
		return rc;
	/* The deprecated commands restore one type only (27.2.2). */
	if (cl->want_rt && cb.rt != cl->want_rt)
		return TPM_BAD_PARAMETER;
	rc = blob_open(s, p, len, &cb, plain, nonce, &r1);
	/* Step 4: only types SaveContext seals (unreachable for an
	 * authentic blob). */
	if (!rc && cb.rt != TPM_RT_KEY && cb.rt != TPM_RT_AUTH)
		rc = TPM_INVALID_RESOURCE;
	if (!rc)
		rc = cb.rt == TPM_RT_KEY ? load_key(s, &r1, nonce, &cb, cl) :
					   load_session(s, &r1, nonce, &cb, cl);
	tpm_wipe(plain, sizeof(plain));
	return rc;
}

/* u32 size || blob of that size, the rest of the input. */
static TPM_RESULT get_blob_param(struct tpm_buf *in, const uint8_t **p,
				 uint32_t *len)
{
	if (tb_get_sized(in, p, len, CONTEXT_BLOB_MAX) || tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	return TPM_SUCCESS;
}

/* Part 3, 21.3 TPM_LoadContext */
TPM_RESULT tpm_cmd_load_context(struct tpm_cmd *c, struct tpm_buf *in,
				struct tpm_buf *out)
{
	struct ctx_load cl = { 0 };
	const uint8_t *p;
	uint8_t keep;
	uint32_t len;
	TPM_RESULT rc;

	if (tb_get_u32(in, &cl.entity_handle) || tb_get_u8(in, &keep))
		return TPM_BAD_PARAM_SIZE;
	rc = get_blob_param(in, &p, &len);
	if (rc)
		return rc;
	if (keep > 1)
		return TPM_BAD_PARAMETER;
	if (!c->s->pf.owner_installed)
		return TPM_NOSRK;
	cl.keep_handle = keep;
	cl.have_entity = true;
	rc = context_load(c->s, p, len, &cl);
	if (rc)
		return rc;
	return tb_put_u32(out, cl.handle) ? TPM_SIZE : TPM_SUCCESS;
}

/* The deprecated loads (Part 3, 27.2.2 / 27.2.4): the blob is the only
 * parameter, the new handle the only output. */
static TPM_RESULT load_deprecated(struct tpm_cmd *c, struct tpm_buf *in,
				  struct tpm_buf *out, struct ctx_load *cl)
{
	const uint8_t *p;
	uint32_t len;
	TPM_RESULT rc;

	rc = get_blob_param(in, &p, &len);
	if (!rc)
		rc = context_load(c->s, p, len, cl);
	if (rc)
		return rc;
	return tb_put_u32(out, cl->handle) ? TPM_SIZE : TPM_SUCCESS;
}

/* Part 3, 27.2.2 TPM_LoadKeyContext */
TPM_RESULT tpm_cmd_load_key_context(struct tpm_cmd *c, struct tpm_buf *in,
				    struct tpm_buf *out)
{
	struct ctx_load cl = { .want_rt = TPM_RT_KEY,
			       .check_nonce_key = true };

	return load_deprecated(c, in, out, &cl);
}

/* Part 3, 27.2.4 TPM_LoadAuthContext */
TPM_RESULT tpm_cmd_load_auth_context(struct tpm_cmd *c, struct tpm_buf *in,
				     struct tpm_buf *out)
{
	struct ctx_load cl = { .want_rt = TPM_RT_AUTH };

	return load_deprecated(c, in, out, &cl);
}

/* ---- KeyControlOwner ---- */

static unsigned int owner_evict_count(const struct tpm_state *s)
{
	unsigned int i, n = 0;

	for (i = 0; i < TPM_MAX_KEYS; i++)
		n += s->keys[i].valid && s->keys[i].owner_evict;
	return n;
}

/* Part 3, 21.1 step 5: set or clear ownerEvict. */
static TPM_RESULT set_owner_evict(struct tpm_state *s, struct tpm_key *k,
				  bool value)
{
	if (k->owner_evict == value)
		return TPM_SUCCESS;
	if (value) {
		/* 5.a.i: two slots stay free of owner-evict keys (and the
		 * vendor limit holds). */
		if (owner_evict_count(s) + 1 > TPM_MAX_KEYS - 2U ||
		    owner_evict_count(s) + 1 > TPM_MAX_OWNER_EVICT)
			return TPM_NOSPACE;
		/* 5.a.ii */
		if (k->parent_pcr_status ||
		    (k->flags & TPM_KEY_FLAG_IS_VOLATILE))
			return TPM_BAD_PARAMETER;
	}
	/* 5.a.iii / 5.b.i; the key is now (or no longer) persistent. */
	k->owner_evict = value;
	tpm_mark_dirty(s);
	return TPM_SUCCESS;
}

/* Part 3, 21.1 TPM_KeyControlOwner */
TPM_RESULT tpm_cmd_key_control_owner(struct tpm_cmd *c, struct tpm_buf *in,
				     struct tpm_buf *out)
{
	struct tpm_state *s = c->s;
	struct tpm_key pub, *k;
	uint32_t handle, bit;
	uint8_t value;
	TPM_RESULT rc;

	(void)out;
	memset(&pub, 0, sizeof(pub));
	if (tb_get_u32(in, &handle))
		return TPM_BAD_PARAM_SIZE;
	rc = tpm_pubkey_get(in, &pub);
	if (rc)
		goto out;
	rc = TPM_BAD_PARAM_SIZE;
	if (tb_get_u32(in, &bit) || tb_get_u8(in, &value) ||
	    tb_expect_end(in))
		goto out;
	rc = TPM_BAD_PARAMETER;
	if (value > 1)
		goto out;
	/* Step 1: owner authorization. */
	rc = tpm_auth_owner(c);
	if (rc)
		goto out;
	/* Step 2: a loaded key of a usage that may be owner-evict. */
	rc = TPM_INVALID_KEYHANDLE;
	if ((handle & HANDLE_TYPE_MASK) == HANDLE_RESERVED ||
	    tpm_key_lookup(s, handle, &k))
		goto out;
	rc = TPM_INVALID_KEYUSAGE;
	if (k->usage != TPM_KEY_SIGNING && k->usage != TPM_KEY_STORAGE &&
	    k->usage != TPM_KEY_IDENTITY && k->usage != TPM_KEY_BIND &&
	    k->usage != TPM_KEY_LEGACY)
		goto out;
	/* Step 3: pubKey names the same key (the handle is not
	 * authorized, so it could be virtualised away). */
	rc = TPM_BAD_PARAMETER;
	if (pub.n_len != k->n_len || memcmp(pub.n, k->n, k->n_len) ||
	    memcmp(&pub.parms, &k->parms, sizeof(pub.parms)))
		goto out;
	/* Step 4 */
	rc = TPM_BAD_MODE;
	if (bit != TPM_KEY_CONTROL_OWNER_EVICT)
		goto out;
	rc = set_owner_evict(s, k, value);
out:
	tpm_key_clear(&pub);
	return rc;
}

/* ---- persistence: owner-evict keys and contextNonceKey ---- */

int tpm_context_state_put(const struct tpm_state *s, struct tpm_buf *b)
{
	unsigned int i;

	if (tb_put_bytes(b, s->ctx.nonce_key, TPM_NONCE_SIZE) ||
	    tb_put_u32(b, owner_evict_count(s)))
		return -ENOSPC;
	for (i = 0; i < TPM_MAX_KEYS; i++) {
		const struct tpm_key *k = &s->keys[i];

		if (!k->valid || !k->owner_evict)
			continue;
		if (tb_put_u32(b, k->handle) || key_record_put(b, k))
			return -ENOSPC;
	}
	return 0;
}

int tpm_context_state_get(struct tpm_state *s, struct tpm_buf *b)
{
	struct tpm_key *live;
	uint32_t n, i, h;

	if (tb_get_bytes(b, s->ctx.nonce_key, TPM_NONCE_SIZE) ||
	    tb_get_u32(b, &n) || n > TPM_MAX_OWNER_EVICT)
		return -EBADMSG;
	for (i = 0; i < n; i++) {
		struct tpm_key *k = &s->keys[i];

		if (tb_get_u32(b, &h) || h == 0 ||
		    (h & HANDLE_TYPE_MASK) == HANDLE_RESERVED ||
		    tpm_key_lookup(s, h, &live) == TPM_SUCCESS)
			return -EBADMSG;
		memset(k, 0, sizeof(*k));
		if (key_record_get(b, k) || k->parent_pcr_status) {
			tpm_key_clear(k);
			return -EBADMSG;
		}
		k->handle = h;
		k->owner_evict = true;
		k->valid = true;
	}
	return 0;
}
