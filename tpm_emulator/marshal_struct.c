// SPDX-License-Identifier: GPL-2.0
/*
 * TPM 1.2 structures (Part 2) to and from wire bytes: PCR selections and
 * PCR infos, key parameters, TPM_KEY/TPM_KEY12, TPM_PUBKEY, the decrypted
 * plaintexts TPM_STORE_ASYMKEY, TPM_MIGRATE_ASYMKEY and TPM_SEALED_DATA,
 * TPM_COUNTER_VALUE and the version structures.  Every tag, boolean and
 * embedded length is checked here against a named maximum, so commands
 * never re-parse these bytes.  A failed get leaves the buffer position and
 * the output untouched; a failed put leaves the buffer length untouched.
 */
#include <errno.h>

#include "internal.h"

/*
 * revMajor/revMinor of this TPM's TPM_VERSION (Part 2, 5.3: the vendor's
 * firmware revision).  TPM_CAP_VERSION_VAL reports them through
 * tpm_version_put(); TPM_CAP_VERSION reports the fixed TPM_STRUCT_VER
 * 1.1.0.0 (tpm_struct_ver_put()), as swtpm does.
 */
#define TPM_VERSION_REV_MAJOR	0x03U
#define TPM_VERSION_REV_MINOR	0x00U

/* Part 2, 10.1.1: TPM_RSA_KEY_PARMS is keyLength, numPrimes, exponentSize
 * (12 bytes) and at most TPM_MAX_EXP_BYTES of exponent. */
#define RSA_PARMS_FIXED		12U
#define RSA_PARMS_MAX		(RSA_PARMS_FIXED + TPM_MAX_EXP_BYTES)
/* Part 2, 10.1 and 10.5: TPM_PUBKEY at its largest: TPM_KEY_PARMS
 * (algorithmID, schemes, parmSize, RSA parms), then u32 size and the
 * modulus. */
#define PUBKEY_MAX_BYTES	(12U + RSA_PARMS_MAX + 4U + TPM_MAX_KEY_BYTES)
/* Part 2, 10.1: the RSA keys of this TPM use exactly two primes. */
#define RSA_NUM_PRIMES		2U

/* Bytes of a TPM_PCR_SELECTION with the widest select (24 PCRs). */
#define PCR_SEL_MAX_BYTES	(2U + TPM_PCR_SELECT_MAX)
/* Part 2, 8.3: TPM_PCR_INFO at its largest (45 bytes). */
#define PCR_INFO_MAX_BYTES	(PCR_SEL_MAX_BYTES + 2U * TPM_DIGEST_SIZE)
/* Part 2, 8.4: TPM_PCR_INFO_LONG at its largest (54 bytes). */
#define PCR_INFO_LONG_MAX_BYTES	\
	(2U + 1U + 1U + 2U * PCR_SEL_MAX_BYTES + 2U * TPM_DIGEST_SIZE)

/* A TPM_LOCALITY_SELECTION names only localities 0-4 (Part 2, 8.6). */
static TPM_RESULT locality_get(struct tpm_buf *b, uint8_t *loc)
{
	if (tb_get_u8(b, loc))
		return TPM_BAD_PARAM_SIZE;
	if (*loc & ~TPM_LOC_ALL)
		return TPM_INVALID_STRUCTURE;
	return TPM_SUCCESS;
}

TPM_RESULT tpm_pcr_selection_get(struct tpm_buf *b,
				 struct tpm_pcr_selection *sel)
{
	struct tpm_pcr_selection t;
	size_t pos = b->pos;

	memset(&t, 0, sizeof(t));
	if (tb_get_u16(b, &t.size))
		return TPM_BAD_PARAM_SIZE;
	/* Part 2, 8.1: sizeOfSelect 0..3 covers our 24 PCRs (0 selects
	 * none); a wider bitmap names PCRs this TPM does not have. */
	if (t.size > TPM_PCR_SELECT_MAX) {
		b->pos = pos;
		return TPM_INVALID_PCR_INFO;
	}
	if (tb_get_bytes(b, t.sel, t.size)) {
		b->pos = pos;
		return TPM_BAD_PARAM_SIZE;
	}
	*sel = t;
	return TPM_SUCCESS;
}

int tpm_pcr_selection_put(struct tpm_buf *b,
			  const struct tpm_pcr_selection *sel)
{
	if (sel->size > TPM_PCR_SELECT_MAX)
		return -EINVAL;
	return tb_put_sized16(b, sel->sel, sel->size) ? -ENOSPC : 0;
}

static TPM_RESULT pcr_info_11_get(struct tpm_buf *b, struct tpm_pcr_info *t)
{
	TPM_RESULT rc;

	rc = tpm_pcr_selection_get(b, &t->release_sel);
	if (rc)
		return rc;
	if (tb_get_bytes(b, t->digest_at_release, TPM_DIGEST_SIZE) ||
	    tb_get_bytes(b, t->digest_at_creation, TPM_DIGEST_SIZE))
		return TPM_BAD_PARAM_SIZE;
	/* A 1.1 PCR info has one selection for both purposes and no
	 * locality: any locality may release. */
	t->creation_sel = t->release_sel;
	t->locality_at_release = TPM_LOC_ALL;
	return TPM_SUCCESS;
}

static TPM_RESULT pcr_info_long_get(struct tpm_buf *b,
				    struct tpm_pcr_info *t)
{
	uint16_t tag;
	TPM_RESULT rc;

	if (tb_get_u16(b, &tag))
		return TPM_BAD_PARAM_SIZE;
	if (tag != TPM_TAG_PCR_INFO_LONG)
		return TPM_INVALID_STRUCTURE;
	rc = locality_get(b, &t->locality_at_creation);
	if (!rc)
		rc = locality_get(b, &t->locality_at_release);
	if (!rc)
		rc = tpm_pcr_selection_get(b, &t->creation_sel);
	if (!rc)
		rc = tpm_pcr_selection_get(b, &t->release_sel);
	if (rc)
		return rc;
	if (tb_get_bytes(b, t->digest_at_creation, TPM_DIGEST_SIZE) ||
	    tb_get_bytes(b, t->digest_at_release, TPM_DIGEST_SIZE))
		return TPM_BAD_PARAM_SIZE;
	return TPM_SUCCESS;
}

static TPM_RESULT pcr_info_short_get(struct tpm_buf *b,
				     struct tpm_pcr_info *t)
{
	TPM_RESULT rc;

	rc = tpm_pcr_selection_get(b, &t->release_sel);
	if (!rc)
		rc = locality_get(b, &t->locality_at_release);
	if (rc)
		return rc;
	if (tb_get_bytes(b, t->digest_at_release, TPM_DIGEST_SIZE))
		return TPM_BAD_PARAM_SIZE;
	return TPM_SUCCESS;
}

TPM_RESULT tpm_pcr_info_get(struct tpm_buf *b, enum tpm_pcr_info_kind kind,
			    struct tpm_pcr_info *pi)
{
	struct tpm_pcr_info t;
	size_t pos = b->pos;
	TPM_RESULT rc;

	memset(&t, 0, sizeof(t));
	t.kind = kind;
	switch (kind) {
	case PCR_INFO_NONE:
		rc = TPM_SUCCESS;
		break;
	case PCR_INFO_11:
		rc = pcr_info_11_get(b, &t);
		break;
	case PCR_INFO_LONG:
		rc = pcr_info_long_get(b, &t);
		break;
	case PCR_INFO_SHORT:
		rc = pcr_info_short_get(b, &t);
		break;
	default:
		rc = TPM_INVALID_PCR_INFO;
		break;
	}
	if (rc) {
		b->pos = pos;
		return rc;
	}
	*pi = t;
	return TPM_SUCCESS;
}

int tpm_pcr_info_put(struct tpm_buf *b, const struct tpm_pcr_info *pi)
{
	size_t len = b->len;
	int bad;

	if (pi->release_sel.size > TPM_PCR_SELECT_MAX ||
	    pi->creation_sel.size > TPM_PCR_SELECT_MAX)
		return -EINVAL;
	switch (pi->kind) {
	case PCR_INFO_NONE:
		return 0;
	case PCR_INFO_11:
		bad = tpm_pcr_selection_put(b, &pi->release_sel) ||
		      tb_put_bytes(b, pi->digest_at_release, TPM_DIGEST_SIZE) ||
		      tb_put_bytes(b, pi->digest_at_creation, TPM_DIGEST_SIZE);
		break;
	case PCR_INFO_LONG:
		bad = tb_put_u16(b, TPM_TAG_PCR_INFO_LONG) ||
		      tb_put_u8(b, pi->locality_at_creation) ||
		      tb_put_u8(b, pi->locality_at_release) ||
		      tpm_pcr_selection_put(b, &pi->creation_sel) ||
		      tpm_pcr_selection_put(b, &pi->release_sel) ||
		      tb_put_bytes(b, pi->digest_at_creation,
				   TPM_DIGEST_SIZE) ||
		      tb_put_bytes(b, pi->digest_at_release, TPM_DIGEST_SIZE);
		break;
	case PCR_INFO_SHORT:
		bad = tpm_pcr_selection_put(b, &pi->release_sel) ||
		      tb_put_u8(b, pi->locality_at_release) ||
		      tb_put_bytes(b, pi->digest_at_release, TPM_DIGEST_SIZE);
		break;
	default:
		return -EINVAL;
	}
	if (bad) {
		b->len = len;
		return -ENOSPC;
	}
	return 0;
}

TPM_RESULT tpm_pcr_info_get_sized(struct tpm_buf *b, bool long_form,
				  struct tpm_pcr_info *pi)
{
	uint32_t n, max = long_form ? PCR_INFO_LONG_MAX_BYTES :
				      PCR_INFO_MAX_BYTES;
	struct tpm_pcr_info t;
	size_t pos = b->pos;
	const uint8_t *p;
	struct tpm_buf sub;
	TPM_RESULT rc;

	if (tb_get_u32(b, &n))
		return TPM_BAD_PARAM_SIZE;
	if (n == 0) {
		memset(pi, 0, sizeof(*pi));
		pi->kind = PCR_INFO_NONE;
		return TPM_SUCCESS;
	}
	if (tb_get_ref(b, &p, n)) {
		b->pos = pos;
		return TPM_BAD_PARAM_SIZE;
	}
	/* The size must describe exactly one structure of the expected
	 * form.  Defects of the structure keep their own codes; a size too
	 * small for it or leaving bytes over is TPM_INVALID_PCR_INFO, so
	 * that TPM_BAD_PARAM_SIZE keeps meaning "the command is short"
	 * (libtpms answers TPM_BAD_PARAM_SIZE for the first and ignores
	 * the second). */
	tb_init_read(&sub, p, n);
	rc = tpm_pcr_info_get(&sub, long_form ? PCR_INFO_LONG : PCR_INFO_11,
			      &t);
	if (rc == TPM_BAD_PARAM_SIZE ||
	    (!rc && (n > max || tb_expect_end(&sub))))
		rc = TPM_INVALID_PCR_INFO;
	if (rc) {
		b->pos = pos;
		return rc;
	}
	*pi = t;
	return TPM_SUCCESS;
}

int tpm_pcr_info_put_sized(struct tpm_buf *b, const struct tpm_pcr_info *pi)
{
	size_t start = b->len;
	int rc;

	if (tb_put_u32(b, 0))
		return -ENOSPC;
	rc = tpm_pcr_info_put(b, pi);
	if (rc) {
		b->len = start;
		return rc;
	}
	return tb_patch_u32(b, start, (uint32_t)(b->len - start - 4));
}

/* Part 2, 10.1.1 TPM_RSA_KEY_PARMS inside parms[parmSize]. */
static TPM_RESULT rsa_parms_get(const uint8_t *p, uint32_t n,
				struct tpm_key_parms *t)
{
	struct tpm_buf sub;

	if (n > RSA_PARMS_MAX)
		return TPM_BAD_KEY_PROPERTY;
	tb_init_read(&sub, p, n);
	if (tb_get_u32(&sub, &t->key_bits) ||
	    tb_get_u32(&sub, &t->num_primes) ||
	    tb_get_u32(&sub, &t->exp_size) ||
	    t->exp_size > TPM_MAX_EXP_BYTES ||
	    tb_get_bytes(&sub, t->exponent, t->exp_size) ||
	    tb_expect_end(&sub))
		return TPM_BAD_KEY_PROPERTY;
	if (t->num_primes != RSA_NUM_PRIMES || t->key_bits > TPM_MAX_KEY_BITS)
		return TPM_BAD_KEY_PROPERTY;
	return TPM_SUCCESS;
}

TPM_RESULT tpm_key_parms_get(struct tpm_buf *b, struct tpm_key_parms *p,
			     uint32_t *modulus_len_hint)
{
	struct tpm_key_parms t;
	size_t pos = b->pos;
	const uint8_t *parms;
	uint32_t psize;
	TPM_RESULT rc;

	memset(&t, 0, sizeof(t));
	if (tb_get_u32(b, &t.algorithm) || tb_get_u16(b, &t.enc_scheme) ||
	    tb_get_u16(b, &t.sig_scheme) || tb_get_u32(b, &psize) ||
	    tb_get_ref(b, &parms, psize)) {
		b->pos = pos;
		return TPM_BAD_PARAM_SIZE;
	}
	/* Keys of this TPM are RSA (Part 2, 10.1); other algorithms are a
	 * key property it does not support. */
	rc = t.algorithm == TPM_ALG_RSA ? rsa_parms_get(parms, psize, &t) :
					  TPM_BAD_KEY_PROPERTY;
	if (rc) {
		b->pos = pos;
		return rc;
	}
	*p = t;
	if (modulus_len_hint)
		*modulus_len_hint = t.key_bits / 8;
	return TPM_SUCCESS;
}

int tpm_key_parms_put(struct tpm_buf *b, const struct tpm_key_parms *p)
{
	size_t len = b->len;

	if (p->exp_size > TPM_MAX_EXP_BYTES)
		return -EINVAL;
	if (tb_put_u32(b, p->algorithm) || tb_put_u16(b, p->enc_scheme) ||
	    tb_put_u16(b, p->sig_scheme) ||
	    tb_put_u32(b, RSA_PARMS_FIXED + p->exp_size) ||
	    tb_put_u32(b, p->key_bits) || tb_put_u32(b, p->num_primes) ||
	    tb_put_u32(b, p->exp_size) ||
	    tb_put_bytes(b, p->exponent, p->exp_size)) {
		b->len = len;
		return -ENOSPC;
	}
	return 0;
}

/* TPM_STRUCT_VER of a TPM_KEY, or tag and fill of a TPM_KEY12. */
static TPM_RESULT key_header_get(struct tpm_buf *b, struct tpm_key *t)
{
	uint16_t tag, fill;

	if (tb_remaining(b) < 1)
		return TPM_BAD_PARAM_SIZE;
	/* A TPM_KEY starts with ver.major (1), a TPM_KEY12 with its tag's
	 * high byte (0). */
	if (tb_cursor(b)[0] == 0) {
		if (tb_get_u16(b, &tag) || tb_get_u16(b, &fill))
			return TPM_BAD_PARAM_SIZE;
		/* Part 3, 10.4 step 9c: neither TPM_KEY nor TPM_KEY12. */
		if (tag != TPM_TAG_KEY12 || fill != 0)
			return TPM_BAD_KEY_PROPERTY;
		t->key12 = true;
		return TPM_SUCCESS;
	}
	if (tb_get_bytes(b, t->ver, sizeof(t->ver)))
		return TPM_BAD_PARAM_SIZE;
	/* Part 2, 5.1: a TPM_KEY carries version 1.1 (revs are ignored). */
	if (t->ver[0] != 1 || t->ver[1] != 1)
		return TPM_BAD_VERSION;
	return TPM_SUCCESS;
}

/* TPM_STORE_PUBKEY (Part 2, 10.4): u32 keyLength then the modulus. */
static TPM_RESULT store_pubkey_get(struct tpm_buf *b, struct tpm_key *t)
{
	const uint8_t *p;

	if (tb_get_u32(b, &t->n_len) || tb_get_ref(b, &p, t->n_len))
		return TPM_BAD_PARAM_SIZE;
	if (t->n_len > TPM_MAX_KEY_BYTES)
		return TPM_BAD_KEY_PROPERTY;
	memcpy(t->n, p, t->n_len);
	return TPM_SUCCESS;
}

static TPM_RESULT key_get(struct tpm_buf *b, struct tpm_key *t,
			  const uint8_t **enc, uint32_t *enc_len)
{
	TPM_RESULT rc;

	rc = key_header_get(b, t);
	if (rc)
		return rc;
	if (tb_get_u16(b, &t->usage) || tb_get_u32(b, &t->flags) ||
	    tb_get_u8(b, &t->auth_usage))
		return TPM_BAD_PARAM_SIZE;
	/* Part 2, 5.10: undefined keyFlags bits are an error.  Any
	 * authDataUsage is carried, as libtpms does (1.1 TSSs may send
	 * TPM_AUTH_PRIV_USE_ONLY); keys.c treats every value but
	 * TPM_AUTH_NEVER as needing authorization for use. */
	if (t->flags & ~TPM_KEY_FLAGS_MASK)
		return TPM_BAD_KEY_PROPERTY;
	rc = tpm_key_parms_get(b, &t->parms, NULL);
	if (!rc)
		rc = tpm_pcr_info_get_sized(b, t->key12, &t->pcr);
	if (!rc)
		rc = store_pubkey_get(b, t);
	if (rc)
		return rc;
	if (tb_get_u32(b, enc_len) || tb_get_ref(b, enc, *enc_len))
		return TPM_BAD_PARAM_SIZE;
	/* encData is one RSA block under a parent of at most our size. */
	if (*enc_len > TPM_MAX_KEY_BYTES)
		return TPM_BAD_KEY_PROPERTY;
	return TPM_SUCCESS;
}

TPM_RESULT tpm_key_get(struct tpm_buf *b, struct tpm_key *k,
		       const uint8_t **enc, uint32_t *enc_len)
{
	const uint8_t *e = NULL;
	size_t pos = b->pos;
	struct tpm_key t;
	uint32_t elen = 0;
	TPM_RESULT rc;

	memset(&t, 0, sizeof(t));
	rc = key_get(b, &t, &e, &elen);
	if (rc) {
		b->pos = pos;
		return rc;
	}
	/* Only the public fields change; secrets and bookkeeping stay. */
	k->key12 = t.key12;
	memcpy(k->ver, t.ver, sizeof(k->ver));
	k->usage = t.usage;
	k->flags = t.flags;
	k->auth_usage = t.auth_usage;
	k->parms = t.parms;
	k->pcr = t.pcr;
	k->n_len = t.n_len;
	memcpy(k->n, t.n, t.n_len);
	if (enc)
		*enc = e;
	if (enc_len)
		*enc_len = elen;
	return TPM_SUCCESS;
}

int tpm_key_put(struct tpm_buf *b, const struct tpm_key *k,
		const uint8_t *enc, uint32_t enc_len)
{
	size_t len = b->len;
	int bad;

	if (k->n_len > TPM_MAX_KEY_BYTES)
		return -EINVAL;
	if (k->key12)
		bad = tb_put_u16(b, TPM_TAG_KEY12) || tb_put_u16(b, 0);
	else
		bad = tb_put_bytes(b, k->ver, sizeof(k->ver));
	bad = bad || tb_put_u16(b, k->usage) || tb_put_u32(b, k->flags) ||
	      tb_put_u8(b, k->auth_usage) ||
	      tpm_key_parms_put(b, &k->parms) ||
	      tpm_pcr_info_put_sized(b, &k->pcr) ||
	      tb_put_sized(b, k->n, k->n_len) ||
	      tb_put_sized(b, enc, enc_len);
	if (bad) {
		b->len = len;
		return -ENOSPC;
	}
	return 0;
}

int tpm_pubkey_put(struct tpm_buf *b, const struct tpm_key *k)
{
	size_t len = b->len;

	if (k->n_len > TPM_MAX_KEY_BYTES)
		return -EINVAL;
	if (tpm_key_parms_put(b, &k->parms) ||
	    tb_put_sized(b, k->n, k->n_len)) {
		b->len = len;
		return -ENOSPC;
	}
	return 0;
}

static TPM_RESULT pubkey_get(struct tpm_buf *b, struct tpm_key *t,
			     struct tpm_rsa **rsa)
{
	TPM_RESULT rc;

	rc = tpm_key_parms_get(b, &t->parms, NULL);
	if (!rc)
		rc = store_pubkey_get(b, t);
	if (rc)
		return rc;
	/* Part 2, 10.5: the modulus is keyLength bits. */
	if (t->n_len == 0 || t->n_len != t->parms.key_bits / 8)
		return TPM_BAD_KEY_PROPERTY;
	if (tpm_rsa_from_public(rsa, t->n, t->n_len, t->parms.exponent,
				t->parms.exp_size))
		return TPM_BAD_KEY_PROPERTY;
	return TPM_SUCCESS;
}

TPM_RESULT tpm_pubkey_get(struct tpm_buf *b, struct tpm_key *k)
{
	struct tpm_rsa *rsa = NULL;
	size_t pos = b->pos;
	struct tpm_key t;
	TPM_RESULT rc;

	memset(&t, 0, sizeof(t));
	rc = pubkey_get(b, &t, &rsa);
	if (rc) {
		b->pos = pos;
		return rc;
	}
	k->parms = t.parms;
	k->n_len = t.n_len;
	memcpy(k->n, t.n, t.n_len);
	tpm_rsa_free(k->rsa);
	k->rsa = rsa;
	return TPM_SUCCESS;
}

/* SHA-1 of the TPM_PUBKEY of @k, followed by @anti_replay if not NULL. */
static int pubkey_hash(const struct tpm_key *k, const uint8_t *anti_replay,
		       uint8_t out[TPM_DIGEST_SIZE])
{
	uint8_t raw[PUBKEY_MAX_BYTES];
	struct tpm_buf b;
	int err;

	tb_init_write(&b, raw, sizeof(raw));
	err = tpm_pubkey_put(&b, k);
	if (err)
		return err;
	if (!anti_replay)
		return tpm_sha1(raw, b.len, out);
	return tpm_sha1_v(out, raw, b.len, anti_replay,
			  (size_t)TPM_NONCE_SIZE, NULL);
}

int tpm_pubkey_digest(const struct tpm_key *k, uint8_t out[TPM_DIGEST_SIZE])
{
	return pubkey_hash(k, NULL, out);
}

int tpm_pubkey_checksum(const struct tpm_key *k,
			const uint8_t anti_replay[TPM_NONCE_SIZE],
			uint8_t out[TPM_DIGEST_SIZE])
{
	return pubkey_hash(k, anti_replay, out);
}

/*
 * A TPM_STORE_ASYMKEY is always the whole plaintext of one OAEP block, so
 * any defect (short, trailing bytes, privKey over TPM_MAX_KEY_BYTES) is
 * TPM_INVALID_STRUCTURE (Part 3, 17.1 step 10a), never a parameter size.
 */
TPM_RESULT tpm_store_asymkey_get(struct tpm_buf *b,
				 struct tpm_store_asymkey *a)
{
	struct tpm_store_asymkey t;
	size_t pos = b->pos;
	TPM_RESULT rc = TPM_INVALID_STRUCTURE;
	const uint8_t *p;
	uint32_t plen;

	if (tb_get_u8(b, &t.payload) ||
	    tb_get_bytes(b, t.usage_auth, TPM_SECRET_SIZE) ||
	    tb_get_bytes(b, t.migration_auth, TPM_SECRET_SIZE) ||
	    tb_get_bytes(b, t.pub_digest, TPM_DIGEST_SIZE) ||
	    tb_get_sized(b, &p, &plen, TPM_MAX_KEY_BYTES) ||
	    tb_expect_end(b)) {
		b->pos = pos;
		goto out;
	}
	tb_wr_be32(t.priv, plen);
	memcpy(t.priv + 4, p, plen);
	t.priv_len = 4U + plen;
	*a = t;
	rc = TPM_SUCCESS;
out:
	tpm_wipe(&t, sizeof(t));
	return rc;
}

int tpm_store_asymkey_put(struct tpm_buf *b,
			  const struct tpm_store_asymkey *a)
{
	size_t len = b->len;

	/* privKey must be one whole TPM_STORE_PRIVKEY. */
	if (a->priv_len < 4 || a->priv_len > sizeof(a->priv) ||
	    tb_be32(a->priv) != a->priv_len - 4U)
		return -EINVAL;
	if (tb_put_u8(b, a->payload) ||
	    tb_put_bytes(b, a->usage_auth, TPM_SECRET_SIZE) ||
	    tb_put_bytes(b, a->migration_auth, TPM_SECRET_SIZE) ||
	    tb_put_bytes(b, a->pub_digest, TPM_DIGEST_SIZE) ||
	    tb_put_bytes(b, a->priv, a->priv_len)) {
		b->len = len;
		return -ENOSPC;
	}
	return 0;
}

TPM_RESULT tpm_migrate_asymkey_get(struct tpm_buf *b,
				   struct tpm_migrate_asymkey *m,
				   uint32_t max)
{
	struct tpm_migrate_asymkey t;
	size_t pos = b->pos;
	TPM_RESULT rc = TPM_INVALID_STRUCTURE;

	if (tb_get_u8(b, &t.payload) ||
	    tb_get_bytes(b, t.usage_auth, TPM_SECRET_SIZE) ||
	    tb_get_bytes(b, t.pub_digest, TPM_DIGEST_SIZE) ||
	    tb_get_sized(b, &t.part_priv, &t.part_priv_len, max) ||
	    tb_expect_end(b)) {
		b->pos = pos;
		goto out;
	}
	*m = t;
	rc = TPM_SUCCESS;
out:
	tpm_wipe(&t, sizeof(t));
	return rc;
}

int tpm_migrate_asymkey_put(struct tpm_buf *b,
			    const struct tpm_migrate_asymkey *m)
{
	size_t len = b->len;

	if (tb_put_u8(b, m->payload) ||
	    tb_put_bytes(b, m->usage_auth, TPM_SECRET_SIZE) ||
	    tb_put_bytes(b, m->pub_digest, TPM_DIGEST_SIZE) ||
	    tb_put_sized(b, m->part_priv, m->part_priv_len)) {
		b->len = len;
		return -ENOSPC;
	}
	return 0;
}

/* Like TPM_STORE_ASYMKEY, a TPM_SEALED_DATA is one whole OAEP plaintext:
 * data can be no longer than a modulus. */
TPM_RESULT tpm_sealed_data_get(struct tpm_buf *b, struct tpm_sealed_data *d)
{
	struct tpm_sealed_data t;
	size_t pos = b->pos;
	TPM_RESULT rc = TPM_INVALID_STRUCTURE;

	if (tb_get_u8(b, &t.payload) ||
	    tb_get_bytes(b, t.auth, TPM_SECRET_SIZE) ||
	    tb_get_bytes(b, t.proof, TPM_SECRET_SIZE) ||
	    tb_get_bytes(b, t.digest, TPM_DIGEST_SIZE) ||
	    tb_get_sized(b, &t.data, &t.data_len, TPM_MAX_KEY_BYTES) ||
	    tb_expect_end(b)) {
		b->pos = pos;
		goto out;
	}
	*d = t;
	rc = TPM_SUCCESS;
out:
	tpm_wipe(&t, sizeof(t));
	return rc;
}

int tpm_sealed_data_put(struct tpm_buf *b, const struct tpm_sealed_data *d)
{
	size_t len = b->len;

	if (tb_put_u8(b, d->payload) ||
	    tb_put_bytes(b, d->auth, TPM_SECRET_SIZE) ||
	    tb_put_bytes(b, d->proof, TPM_SECRET_SIZE) ||
	    tb_put_bytes(b, d->digest, TPM_DIGEST_SIZE) ||
	    tb_put_sized(b, d->data, d->data_len)) {
		b->len = len;
		return -ENOSPC;
	}
	return 0;
}

int tpm_counter_value_put(struct tpm_buf *b,
			  const uint8_t label[TPM_COUNTER_LABEL_SIZE],
			  uint32_t value)
{
	size_t len = b->len;

	if (tb_put_u16(b, TPM_TAG_COUNTER_VALUE) ||
	    tb_put_bytes(b, label, TPM_COUNTER_LABEL_SIZE) ||
	    tb_put_u32(b, value)) {
		b->len = len;
		return -ENOSPC;
	}
	return 0;
}

int tpm_version_put(struct tpm_buf *b)
{
	/* Part 2, 5.3 TPM_VERSION: major 1, minor 2, then the revision. */
	static const uint8_t v[4] = { 1, 2, TPM_VERSION_REV_MAJOR,
				      TPM_VERSION_REV_MINOR };

	return tb_put_bytes(b, v, sizeof(v)) ? -ENOSPC : 0;
}

int tpm_struct_ver_put(struct tpm_buf *b)
{
	/* Part 2, 5.1: in 1.2 a TPM_STRUCT_VER is always 1.1.0.0. */
	static const uint8_t v[4] = { 1, 1, 0, 0 };

	return tb_put_bytes(b, v, sizeof(v)) ? -ENOSPC : 0;
}
