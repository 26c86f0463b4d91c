// SPDX-License-Identifier: GPL-2.0
/*
 * Direct Anonymous Attestation (Part 3, 26): TPM_DAA_Join stages 0-24 and
 * TPM_DAA_Sign stages 0-15, the DAA sessions (TPM_RT_DAA_TPM) and the
 * persistent DAA secrets.  Big numbers use GMP; every number the guest
 * sends is bounded by the command size before GMP sees it, and every
 * modulus is checked non-zero.  No I/O.
 */
#include <errno.h>
#include <stdlib.h>

#include <gmp.h>

#include "internal.h"

/* Wire sizes of the DAA structures (Part 2, 22), tags included. */
#define DAA_ISSUER_WIRE		(2U + 6U * DAA_DIGEST_SIZE + DAA_SIZE_q)
#define DAA_TPM_WIRE		(2U + 4U * DAA_DIGEST_SIZE + 4U)
#define DAA_JOINDATA_WIRE	(DAA_SIZE_v0 + DAA_SIZE_u1 + DAA_DIGEST_SIZE)
/* Largest TPM_DAA_SENSITIVE internalData we make: v1 may carry one bit
 * beyond DAA_SIZE_v1 (u3 + u1 + v10). */
#define DAA_INTERNAL_MAX	(DAA_SIZE_v1 + 8U)
#define DAA_SENSITIVE_MAX	(2U + 4U + DAA_INTERNAL_MAX)
/* TPM_DAA_BLOB: tag, resourceType, label[16], blobIntegrity, then two
 * sized fields; sensitiveData = IV || AES-128-CBC(TPM_DAA_SENSITIVE). */
#define DAA_BLOB_LABEL		16U
#define DAA_BLOB_HEAD		(2U + 4U + DAA_BLOB_LABEL + DAA_DIGEST_SIZE)
#define DAA_BLOB_INTEGRITY_OFF	(2U + 4U + DAA_BLOB_LABEL)
#define DAA_AES_IV		16U
#define DAA_BLOB_MAX		(DAA_BLOB_HEAD + 8U + DAA_AES_IV + \
				 DAA_SENSITIVE_MAX + 16U)
/* First DAA session handle; the low 24 bits count up. */
#define DAA_HANDLE_BASE		0x0D000000U
/* Largest stage of each command (Part 3, 26.1 and 26.2). */
#define DAA_JOIN_LAST		24U
#define DAA_SIGN_LAST		15U

/* Inputs of one stage and the buffer its outputData goes to. */
struct daa_io {
	struct tpm_state *s;
	struct tpm_cmd *c;
	struct tpm_daa_session *d;
	const uint8_t *in0, *in1;
	uint32_t len0, len1;
	struct tpm_buf *out;
};

typedef TPM_RESULT (*daa_step_fn)(struct daa_io *io);

/*
 * GMP glue.
 */
static void mpz_from(mpz_t x, const uint8_t *p, size_t n)
{
	mpz_init(x);
	if (n)
		mpz_import(x, n, 1, 1, 1, 0, p);
}

/* Zero the limbs of a secret before GMP frees them (the allocator itself
 * does not wipe). */
static void mpz_wipe(mpz_t x)
{
	size_t n = mpz_size(x);

	if (n)
		tpm_wipe(mpz_limbs_modify(x, (mp_size_t)n),
			 n * sizeof(mp_limb_t));
	mpz_clear(x);
}

static size_t mpz_bytes(const mpz_t x)
{
	return mpz_sgn(x) ? (mpz_sizeinbase(x, 2) + 7) / 8 : 0;
}

/* Big-endian, right-aligned in exactly @n bytes; -ERANGE if too big. */
static int mpz_to_fixed(const mpz_t x, uint8_t *p, size_t n)
{
	size_t need = mpz_bytes(x), cnt;

	if (need > n)
		return -ERANGE;
	memset(p, 0, n);
	if (need)
		mpz_export(p + n - need, &cnt, 1, 1, 1, 0, x);
	return 0;
}

/* outputSize || outputData with x in max(minimal, @minlen) bytes. */
static TPM_RESULT put_mpz(struct tpm_buf *out, const mpz_t x, size_t minlen)
{
	size_t need = mpz_bytes(x), len = need > minlen ? need : minlen;
	uint8_t *p;

	if (tb_put_u32(out, (uint32_t)len) || tb_reserve(out, &p, len))
		return TPM_SIZE;
	return mpz_to_fixed(x, p, len) ? TPM_SIZE : TPM_SUCCESS;
}

/* DAA_scratch = x; a value wider than the scratch comes from an issuer
 * modulus (inputData1) larger than DAA_SIZE_issuerModulus. */
static TPM_RESULT set_scratch(struct tpm_daa_session *d, const mpz_t x)
{
	if (mpz_to_fixed(x, d->ctx.scratch, sizeof(d->ctx.scratch)))
		return TPM_DAA_INPUT_DATA1;
	d->ctx.scratch_null = false;
	return TPM_SUCCESS;
}

/*
 * Structures (Part 2, 22) to and from the wire.
 */
static int issuer_put(struct tpm_buf *b, const struct tpm_daa_issuer *i)
{
	if (tb_put_u16(b, TPM_TAG_DAA_ISSUER) ||
	    tb_put_bytes(b, i->digest_r0, DAA_DIGEST_SIZE) ||
	    tb_put_bytes(b, i->digest_r1, DAA_DIGEST_SIZE) ||
	    tb_put_bytes(b, i->digest_s0, DAA_DIGEST_SIZE) ||
	    tb_put_bytes(b, i->digest_s1, DAA_DIGEST_SIZE) ||
	    tb_put_bytes(b, i->digest_n, DAA_DIGEST_SIZE) ||
	    tb_put_bytes(b, i->digest_gamma, DAA_DIGEST_SIZE) ||
	    tb_put_bytes(b, i->generic_q, DAA_SIZE_q))
		return -ENOSPC;
	return 0;
}

/* Exactly one TPM_DAA_ISSUER in (p, n); -EBADMSG otherwise. */
static int issuer_get(const uint8_t *p, uint32_t n, struct tpm_daa_issuer *i)
{
	struct tpm_buf b;
	uint16_t tag;

	tb_init_read(&b, p, n);
	if (tb_get_u16(&b, &tag) || tag != TPM_TAG_DAA_ISSUER ||
	    tb_get_bytes(&b, i->digest_r0, DAA_DIGEST_SIZE) ||
	    tb_get_bytes(&b, i->digest_r1, DAA_DIGEST_SIZE) ||
	    tb_get_bytes(&b, i->digest_s0, DAA_DIGEST_SIZE) ||
	    tb_get_bytes(&b, i->digest_s1, DAA_DIGEST_SIZE) ||
	    tb_get_bytes(&b, i->digest_n, DAA_DIGEST_SIZE) ||
	    tb_get_bytes(&b, i->digest_gamma, DAA_DIGEST_SIZE) ||
	    tb_get_bytes(&b, i->generic_q, DAA_SIZE_q) || tb_expect_end(&b))
		return -EBADMSG;
	return 0;
}

static int daa_tpm_put(struct tpm_buf *b, const struct tpm_daa_tpm *t)
{
	if (tb_put_u16(b, TPM_TAG_DAA_TPM) ||
	    tb_put_bytes(b, t->digest_issuer, DAA_DIGEST_SIZE) ||
	    tb_put_bytes(b, t->digest_v0, DAA_DIGEST_SIZE) ||
	    tb_put_bytes(b, t->digest_v1, DAA_DIGEST_SIZE) ||
	    tb_put_bytes(b, t->rekey, DAA_DIGEST_SIZE) ||
	    tb_put_u32(b, t->count))
		return -ENOSPC;
	return 0;
}

static int daa_tpm_get(const uint8_t *p, size_t n, struct tpm_daa_tpm *t)
{
	struct tpm_buf b;
	uint16_t tag;

	tb_init_read(&b, p, n);
	if (tb_get_u16(&b, &tag) || tag != TPM_TAG_DAA_TPM ||
	    tb_get_bytes(&b, t->digest_issuer, DAA_DIGEST_SIZE) ||
	    tb_get_bytes(&b, t->digest_v0, DAA_DIGEST_SIZE) ||
	    tb_get_bytes(&b, t->digest_v1, DAA_DIGEST_SIZE) ||
	    tb_get_bytes(&b, t->rekey, DAA_DIGEST_SIZE) ||
	    tb_get_u32(&b, &t->count) || tb_expect_end(&b))
		return -EBADMSG;
	return 0;
}

/* SHA-1(DAA_issuerSettings) */
static int issuer_digest(const struct tpm_daa_issuer *i,
			 uint8_t out[DAA_DIGEST_SIZE])
{
	uint8_t raw[DAA_ISSUER_WIRE];
	struct tpm_buf b;

	tb_init_write(&b, raw, sizeof(raw));
	if (issuer_put(&b, i))
		return -ENOSPC;
	return tpm_sha1(raw, b.len, out);
}

/* Join: SHA-1(DAA_tpmSpecific || DAA_joinSession); sign (@join false):
 * SHA-1(DAA_tpmSpecific). */
static int context_digest(const struct tpm_daa_session *d, bool join,
			  uint8_t out[DAA_DIGEST_SIZE])
{
	uint8_t raw[DAA_TPM_WIRE + DAA_JOINDATA_WIRE];
	struct tpm_buf b;
	int err;

	tb_init_write(&b, raw, sizeof(raw));
	if (daa_tpm_put(&b, &d->tpm))
		return -ENOSPC;
	if (join && (tb_put_bytes(&b, d->join.u0, DAA_SIZE_v0) ||
		     tb_put_bytes(&b, d->join.u1, DAA_SIZE_u1) ||
		     tb_put_bytes(&b, d->join.digest_n0, DAA_DIGEST_SIZE)))
		return -ENOSPC;
	err = tpm_sha1(raw, b.len, out);
	tpm_wipe(raw, sizeof(raw));
	return err;
}

static TPM_RESULT update_context_join(struct tpm_daa_session *d)
{
	return context_digest(d, true, d->ctx.digest_context) ? TPM_FAIL :
								 TPM_SUCCESS;
}

/* SHA-1(p, n) == want, else @err. */
static TPM_RESULT check_hash(const uint8_t want[DAA_DIGEST_SIZE],
			     const uint8_t *p, size_t n, TPM_RESULT err)
{
	uint8_t h[DAA_DIGEST_SIZE];

	if (tpm_sha1(p, n, h))
		return TPM_FAIL;
	return tpm_memcmp_ct(h, want, sizeof(h)) ? err : TPM_SUCCESS;
}

/*
 * f = SHA-1(rekey || count || 0) || SHA-1(rekey || count || 1) mod q
 * (Part 3, 26.1 stage 4 step j and its repetitions).
 */
static TPM_RESULT compute_f(const struct tpm_daa_session *d, mpz_t f)
{
	uint8_t h[2 * DAA_DIGEST_SIZE], cnt[4];
	const uint8_t zero = 0, one = 1;
	mpz_t q;
	TPM_RESULT rc = TPM_SUCCESS;

	tb_wr_be32(cnt, d->tpm.count);
	if (tpm_sha1_v(h, d->tpm.rekey, (size_t)DAA_DIGEST_SIZE, cnt,
		       sizeof(cnt), &zero, (size_t)1, NULL) ||
	    tpm_sha1_v(h + DAA_DIGEST_SIZE, d->tpm.rekey,
		       (size_t)DAA_DIGEST_SIZE, cnt, sizeof(cnt), &one,
		       (size_t)1, NULL))
		return TPM_FAIL;
	mpz_from(f, h, sizeof(h));
	mpz_from(q, d->issuer.generic_q, DAA_SIZE_q);
	/* A zero q in the signed issuer settings cannot be a modulus. */
	if (mpz_sgn(q) == 0)
		rc = TPM_DAA_ISSUER_SETTINGS;
	else
		mpz_mod(f, f, q);
	mpz_clear(q);
	tpm_wipe(h, sizeof(h));
	if (rc)
		mpz_wipe(f);
	return rc;
}

/* @n bytes of MGF1(label || DAA_contextSeed) as a number: r0 ... r4. */
static TPM_RESULT mgf_r(const struct tpm_daa_session *d, const char *label,
			size_t n, mpz_t r)
{
	uint8_t seed[2 + DAA_DIGEST_SIZE], buf[DAA_SIZE_r4];

	memcpy(seed, label, 2);
	memcpy(seed + 2, d->ctx.context_seed, DAA_DIGEST_SIZE);
	if (n > sizeof(buf) || tpm_mgf1_sha1(buf, n, seed, sizeof(seed)))
		return TPM_FAIL;
	mpz_from(r, buf, n);
	tpm_wipe(buf, sizeof(buf));
	return TPM_SUCCESS;
}

/* DAA_session -> DAA_digest as the number c. */
static void digest_c(const struct tpm_daa_session *d, mpz_t c)
{
	mpz_from(c, d->ctx.digest, DAA_DIGEST_SIZE);
}

/*
 * TPM_DAA_BLOB (Part 2, 22.8): wrap internalData under daaBlobKey, HMAC
 * with daaProof over the blob whose blobIntegrity is zero.
 */
static TPM_RESULT blob_put(struct tpm_state *s, uint32_t rt,
			   const uint8_t *data, size_t len,
			   struct tpm_buf *out)
{
	static const uint8_t zero[DAA_BLOB_LABEL + DAA_DIGEST_SIZE];
	uint8_t sens[DAA_SENSITIVE_MAX], iv[DAA_AES_IV];
	uint8_t enc[DAA_SENSITIVE_MAX + DAA_AES_IV], blob[DAA_BLOB_MAX];
	struct tpm_buf sb, bb;
	size_t enclen;
	TPM_RESULT rc = TPM_FAIL;

	tb_init_write(&sb, sens, sizeof(sens));
	if (tb_put_u16(&sb, TPM_TAG_DAA_SENSITIVE) ||
	    tb_put_sized(&sb, data, (uint32_t)len) ||
	    tpm_rand(iv, sizeof(iv)) ||
	    tpm_aes_cbc_encrypt(s->daa.blob_key, DAA_BLOB_KEY_SIZE, iv, sens,
				sb.len, enc, sizeof(enc), &enclen))
		goto out_wipe;
	/* label and blobIntegrity zero while the HMAC is computed */
	tb_init_write(&bb, blob, sizeof(blob));
	if (tb_put_u16(&bb, TPM_TAG_DAA_BLOB) || tb_put_u32(&bb, rt) ||
	    tb_put_bytes(&bb, zero, sizeof(zero)) ||
	    tb_put_u32(&bb, 0) ||		/* no additionalData */
	    tb_put_u32(&bb, (uint32_t)(DAA_AES_IV + enclen)) ||
	    tb_put_bytes(&bb, iv, sizeof(iv)) ||
	    tb_put_bytes(&bb, enc, enclen) ||
	    tpm_hmac_sha1_v(s->daa.proof, DAA_DIGEST_SIZE,
			    blob + DAA_BLOB_INTEGRITY_OFF, blob, bb.len, NULL))
		goto out_wipe;
	rc = tb_put_sized(out, blob, (uint32_t)bb.len) ? TPM_SIZE :
							 TPM_SUCCESS;
out_wipe:
	tpm_wipe(sens, sizeof(sens));
	return rc;
}

/*
 * Unwrap a TPM_DAA_BLOB of resource type @rt into @data (at most @cap
 * bytes); any defect is TPM_DAA_INPUT_DATA0 (Part 3, 26.2 stage 1 step b).
 */
static TPM_RESULT blob_get(struct tpm_state *s, uint32_t rt,
			   const uint8_t *p, uint32_t n, uint8_t *data,
			   size_t cap, size_t *len)
{
	uint8_t mac[DAA_DIGEST_SIZE], given[DAA_DIGEST_SIZE];
	static const uint8_t zero[DAA_DIGEST_SIZE];
	uint8_t plain[TPM_MAX_COMMAND_SIZE];
	const uint8_t *add, *enc, *internal;
	uint32_t type, addlen, enclen, ilen;
	struct tpm_buf b, sb;
	size_t plen;
	uint16_t tag;
	TPM_RESULT rc = TPM_DAA_INPUT_DATA0;

	tb_init_read(&b, p, n);
	if (tb_get_u16(&b, &tag) || tag != TPM_TAG_DAA_BLOB ||
	    tb_get_u32(&b, &type) || tb_skip(&b, DAA_BLOB_LABEL) ||
	    tb_get_bytes(&b, given, sizeof(given)) ||
	    tb_get_sized(&b, &add, &addlen, TPM_MAX_COMMAND_SIZE) ||
	    tb_get_sized(&b, &enc, &enclen, TPM_MAX_COMMAND_SIZE) ||
	    tb_expect_end(&b))
		return rc;
	/* blobIntegrity: HMAC(daaProof) with the field itself zero. */
	if (tpm_hmac_sha1_v(s->daa.proof, DAA_DIGEST_SIZE, mac, p,
			    (size_t)DAA_BLOB_INTEGRITY_OFF, zero, sizeof(zero),
			    p + DAA_BLOB_HEAD, (size_t)(n - DAA_BLOB_HEAD),
			    NULL))
		return TPM_FAIL;
	if (tpm_memcmp_ct(mac, given, sizeof(mac)) || type != rt ||
	    enclen < DAA_AES_IV || enclen - DAA_AES_IV > sizeof(plain))
		return rc;
	if (tpm_aes_cbc_decrypt(s->daa.blob_key, DAA_BLOB_KEY_SIZE, enc,
				enc + DAA_AES_IV, enclen - DAA_AES_IV, plain,
				sizeof(plain), &plen))
		goto out_wipe;
	tb_init_read(&sb, plain, plen);
	if (tb_get_u16(&sb, &tag) || tag != TPM_TAG_DAA_SENSITIVE ||
	    tb_get_sized(&sb, &internal, &ilen, (uint32_t)cap) ||
	    tb_expect_end(&sb))
		goto out_wipe;
	memcpy(data, internal, ilen);
	*len = ilen;
	rc = TPM_SUCCESS;
out_wipe:
	tpm_wipe(plain, sizeof(plain));
	return rc;
}

/* Unwrap v0 or v1 (@rt) and check it against its digest in
 * DAA_tpmSpecific (TPM_DAA_INPUT_DATA0 on mismatch). */
static TPM_RESULT private_v(struct daa_io *io, uint32_t rt, mpz_t v)
{
	uint8_t raw[DAA_INTERNAL_MAX];
	const uint8_t *want = rt == TPM_RT_DAA_V0 ? io->d->tpm.digest_v0 :
						     io->d->tpm.digest_v1;
	size_t len;
	TPM_RESULT rc;

	rc = blob_get(io->s, rt, io->in0, io->len0, raw, sizeof(raw), &len);
	if (!rc)
		rc = check_hash(want, raw, len, TPM_DAA_INPUT_DATA0);
	if (!rc)
		mpz_from(v, raw, len);
	tpm_wipe(raw, sizeof(raw));
	return rc;
}

/* Wrap the number v (at least @width bytes) as a blob of type @rt and set
 * *digest = SHA-1 of those bytes (Part 3, 26.1 stages 22-23). */
static TPM_RESULT wrap_v(struct daa_io *io, uint32_t rt, const mpz_t v,
			 size_t width, uint8_t digest[DAA_DIGEST_SIZE])
{
	uint8_t raw[DAA_INTERNAL_MAX];
	size_t len = mpz_bytes(v) > width ? mpz_bytes(v) : width;
	TPM_RESULT rc = TPM_FAIL;

	if (len > sizeof(raw) || mpz_to_fixed(v, raw, len))
		return TPM_DAA_INPUT_DATA0;
	if (!tpm_sha1(raw, len, digest))
		rc = blob_put(io->s, rt, raw, len, io->out);
	tpm_wipe(raw, sizeof(raw));
	return rc;
}

/*
 * Steps shared by several stages.
 */

/* "Verify that SHA-1(inputData0) == DAA_issuerSettings -> digest and
 * return error TPM_DAA_INPUT_DATA0 on mismatch"; same for
 * inputData1 against DAA_digest_n (TPM_DAA_INPUT_DATA1). */
static TPM_RESULT check_x_n(struct daa_io *io, const uint8_t *digest_x)
{
	TPM_RESULT rc;

	rc = check_hash(digest_x, io->in0, io->len0, TPM_DAA_INPUT_DATA0);
	if (rc)
		return rc;
	return check_hash(io->d->issuer.digest_n, io->in1, io->len1,
			  TPM_DAA_INPUT_DATA1);
}

/* DAA_scratch = [Z *] X^y mod n with X = inputData0, n = inputData1;
 * Z = DAA_scratch when @mul. */
static TPM_RESULT scratch_pow(struct daa_io *io, const mpz_t y, bool mul)
{
	mpz_t x, n, r;
	TPM_RESULT rc;

	mpz_from(x, io->in0, io->len0);
	mpz_from(n, io->in1, io->len1);
	mpz_init(r);
	if (mpz_sgn(n) == 0) {
		rc = TPM_DAA_INPUT_DATA1;
		goto out;
	}
	mpz_powm(r, x, y, n);
	if (mul) {
		mpz_t z;

		mpz_from(z, io->d->ctx.scratch, sizeof(io->d->ctx.scratch));
		mpz_mul(r, r, z);
		mpz_mod(r, r, n);
		mpz_clear(z);
	}
	rc = set_scratch(io->d, r);
out:
	mpz_clear(x);
	mpz_clear(n);
	mpz_wipe(r);
	return rc;
}

/* scratch_pow() with y = MGF1 bytes labelled @label; @mul as there. */
static TPM_RESULT scratch_pow_r(struct daa_io *io, const uint8_t *digest_x,
				const char *label, size_t rlen, bool mul)
{
	TPM_RESULT rc;
	mpz_t y;

	rc = check_x_n(io, digest_x);
	if (rc)
		return rc;
	rc = mgf_r(io->d, label, rlen, y);
	if (rc)
		return rc;
	rc = scratch_pow(io, y, mul);
	mpz_wipe(y);
	return rc;
}

static TPM_RESULT put_scratch(struct daa_io *io)
{
	io->d->ctx.scratch_null = true;
	return tb_put_sized(io->out, io->d->ctx.scratch,
			    sizeof(io->d->ctx.scratch)) ? TPM_SIZE :
							  TPM_SUCCESS;
}

/* Stage step d-e of the gamma stages: SHA-1(inputData0) ==
 * DAA_digest_gamma; gamma as a number (non-zero). */
static TPM_RESULT get_gamma(struct daa_io *io, mpz_t gamma)
{
	TPM_RESULT rc;

	rc = check_hash(io->d->issuer.digest_gamma, io->in0, io->len0,
			TPM_DAA_INPUT_DATA0);
	if (rc)
		return rc;
	mpz_from(gamma, io->in0, io->len0);
	if (mpz_sgn(gamma) == 0) {
		mpz_clear(gamma);
		return TPM_DAA_INPUT_DATA0;
	}
	return TPM_SUCCESS;
}

/* outputData = r + c * (f0 | f1): s0 (@high false) or s1 (Join 17-18,
 * Sign 11-12). */
static TPM_RESULT step_s_f(struct daa_io *io, bool high)
{
	mpz_t r, f, c;
	TPM_RESULT rc;

	rc = mgf_r(io->d, high ? "r1" : "r0",
		   high ? DAA_SIZE_r1 : DAA_SIZE_r0, r);
	if (rc)
		return rc;
	rc = compute_f(io->d, f);
	if (rc)
		goto out_r;	/* f is not initialised */
	/* f. f0 = f mod 2^DAA_power0, or f1 = f >> DAA_power0 */
	if (high)
		mpz_fdiv_q_2exp(f, f, DAA_power0);
	else
		mpz_fdiv_r_2exp(f, f, DAA_power0);
	/* g. s = r + c * f in Z */
	digest_c(io->d, c);
	mpz_addmul(r, c, f);
	rc = put_mpz(io->out, r, 0);
	mpz_clear(c);
	mpz_wipe(f);
out_r:
	mpz_wipe(r);
	return rc;
}

/* (r2 + c * u) with u = u0 (join) or v0 (sign): the low DAA_power1 bits
 * as outputData (@low), or the high part into DAA_scratch. */
static TPM_RESULT step_s2(struct daa_io *io, const mpz_t u, bool low)
{
	mpz_t r, c;
	TPM_RESULT rc;

	rc = mgf_r(io->d, "r2", DAA_SIZE_r2, r);
	if (rc)
		return rc;
	digest_c(io->d, c);
	mpz_addmul(r, c, u);
	if (low) {
		mpz_fdiv_r_2exp(r, r, DAA_power1);
		rc = put_mpz(io->out, r, DAA_power1 / 8);
	} else {
		mpz_fdiv_q_2exp(r, r, DAA_power1);
		rc = set_scratch(io->d, r);
	}
	mpz_clear(c);
	mpz_wipe(r);
	return rc;
}

/* s3 = r + c * u + DAA_scratch; DAA_scratch = NULL; outputData = s3. */
static TPM_RESULT step_s3(struct daa_io *io, const char *label, size_t rlen,
			  const mpz_t u)
{
	mpz_t r, c, z;
	TPM_RESULT rc;

	rc = mgf_r(io->d, label, rlen, r);
	if (rc)
		return rc;
	digest_c(io->d, c);
	mpz_from(z, io->d->ctx.scratch, sizeof(io->d->ctx.scratch));
	mpz_addmul(r, c, u);
	mpz_add(r, r, z);
	io->d->ctx.scratch_null = true;
	rc = put_mpz(io->out, r, 0);
	mpz_clear(c);
	mpz_wipe(z);
	mpz_wipe(r);
	return rc;
}

/*
 * TPM_DAA_Join stages (Part 3, 26.1).  Stage 0 is in join_stage0();
 * the checks common to all stages are in daa_common_checks().
 */

/* Stage 1: the issuer's key chain, one certificate per call. */
static TPM_RESULT join_1(struct daa_io *io)
{
	struct tpm_daa_session *d = io->d;
	uint8_t h[DAA_DIGEST_SIZE];
	struct tpm_rsa *key;
	int err;

	/* c. sizeOf(inputData0) == DAA_SIZE_issuerModulus */
	if (io->len0 != DAA_SIZE_issuerModulus)
		return TPM_DAA_INPUT_DATA0;
	if (d->ctx.scratch_null) {
		/* d.i-iii: the root key; n0 and the rekey value. */
		memcpy(d->ctx.scratch, io->in0, DAA_SIZE_issuerModulus);
		d->ctx.scratch_null = false;
		if (tpm_sha1(d->ctx.scratch, DAA_SIZE_issuerModulus,
			     d->join.digest_n0) ||
		    tpm_sha1_v(d->tpm.rekey, io->s->daa.seed,
			       (size_t)DAA_DIGEST_SIZE, d->join.digest_n0,
			       (size_t)DAA_DIGEST_SIZE, NULL))
			return TPM_FAIL;
	} else {
		/* e.ii: the signature is as wide as the key. */
		if (io->len1 != DAA_SIZE_issuerModulus)
			return TPM_DAA_INPUT_DATA1;
		/* e.iv: [scratch] signed inputData0 (PKCS#1 v1.5, SHA-1). */
		if (tpm_sha1(io->in0, io->len0, h) ||
		    tpm_rsa_from_public(&key, d->ctx.scratch,
					DAA_SIZE_issuerModulus, NULL, 0))
			return TPM_DAA_ISSUER_VALIDITY;
		err = tpm_rsa_verify_sha1(key, h, io->in1, io->len1);
		tpm_rsa_free(key);
		if (err)
			return TPM_DAA_ISSUER_VALIDITY;
		/* e.v */
		memcpy(d->ctx.scratch, io->in0, DAA_SIZE_issuerModulus);
	}
	/* f-h: the last certificate ends the stage. */
	if (--d->tpm.count == 0)
		d->ctx.stage++;
	/* i */
	return update_context_join(d);
}

/* Stage 2: the issuer settings, signed by the last key of stage 1. */
static TPM_RESULT join_2(struct daa_io *io)
{
	struct tpm_daa_session *d = io->d;
	uint8_t signed_data[DAA_DIGEST_SIZE + DAA_ISSUER_WIRE];
	uint8_t h[DAA_DIGEST_SIZE];
	struct tpm_rsa *key;
	struct tpm_buf b;
	int err;

	/* c-d */
	if (issuer_get(io->in0, io->len0, &d->issuer))
		return TPM_DAA_INPUT_DATA0;
	/* e */
	if (io->len1 != DAA_SIZE_issuerModulus)
		return TPM_DAA_INPUT_DATA1;
	/* g-h: signedData = DAA_digest_n0 || DAA_issuerSettings */
	tb_init_write(&b, signed_data, sizeof(signed_data));
	if (tb_put_bytes(&b, d->join.digest_n0, DAA_DIGEST_SIZE) ||
	    issuer_put(&b, &d->issuer) || tpm_sha1(signed_data, b.len, h))
		return TPM_FAIL;
	if (tpm_rsa_from_public(&key, d->ctx.scratch, DAA_SIZE_issuerModulus,
				NULL, 0))
		return TPM_DAA_ISSUER_VALIDITY;
	err = tpm_rsa_verify_sha1(key, h, io->in1, io->len1);
	tpm_rsa_free(key);
	if (err)
		return TPM_DAA_ISSUER_VALIDITY;
	/* i-k */
	if (issuer_digest(&d->issuer, d->tpm.digest_issuer))
		return TPM_FAIL;
	d->ctx.scratch_null = true;
	return update_context_join(d);
}

/* Stage 3: DAA_count and the random u0, u1. */
static TPM_RESULT join_3(struct daa_io *io)
{
	struct tpm_daa_session *d = io->d;

	/* d-e */
	if (io->len0 != sizeof(uint32_t))
		return TPM_DAA_INPUT_DATA0;
	d->tpm.count = tb_be32(io->in0);
	/* f-g */
	if (tpm_rand(d->join.u0, sizeof(d->join.u0)) ||
	    tpm_rand(d->join.u1, sizeof(d->join.u1)))
		return TPM_FAIL;
	/* j */
	return update_context_join(d);
}

/* Stages 4-5: DAA_scratch = [Z *] R^f0|f1 mod n. */
static TPM_RESULT join_r_f(struct daa_io *io, bool high)
{
	const uint8_t *digest = high ? io->d->issuer.digest_r1 :
				       io->d->issuer.digest_r0;
	TPM_RESULT rc;
	mpz_t f;

	rc = check_x_n(io, digest);
	if (rc)
		return rc;
	rc = compute_f(io->d, f);
	if (rc)
		return rc;
	if (high)
		mpz_fdiv_q_2exp(f, f, DAA_power0);
	else
		mpz_fdiv_r_2exp(f, f, DAA_power0);
	rc = scratch_pow(io, f, high);
	mpz_wipe(f);
	return rc;
}

static TPM_RESULT join_4(struct daa_io *io)
{
	return join_r_f(io, false);
}

static TPM_RESULT join_5(struct daa_io *io)
{
	return join_r_f(io, true);
}

/* Stages 6-7: DAA_scratch = Z * S^u mod n. */
static TPM_RESULT join_s_u(struct daa_io *io, const uint8_t *digest,
			   const uint8_t *u, size_t ulen)
{
	TPM_RESULT rc;
	mpz_t y;

	rc = check_x_n(io, digest);
	if (rc)
		return rc;
	mpz_from(y, u, ulen);
	rc = scratch_pow(io, y, true);
	mpz_wipe(y);
	return rc;
}

static TPM_RESULT join_6(struct daa_io *io)
{
	return join_s_u(io, io->d->issuer.digest_s0, io->d->join.u0,
			DAA_SIZE_v0);
}

/* Stage 7: U = Z * S1^u1 mod n, and DAA_digest for the EK challenge. */
static TPM_RESULT join_7(struct daa_io *io)
{
	struct tpm_daa_session *d = io->d;
	uint8_t cnt[4];
	TPM_RESULT rc;

	rc = join_s_u(io, d->issuer.digest_s1, d->join.u1, DAA_SIZE_u1);
	if (rc)
		return rc;
	/* m. DAA_digest = SHA-1(scratch || DAA_count || DAA_digest_n0) */
	tb_wr_be32(cnt, d->tpm.count);
	if (tpm_sha1_v(d->ctx.digest, d->ctx.scratch, sizeof(d->ctx.scratch),
		       cnt, sizeof(cnt), d->join.digest_n0,
		       (size_t)DAA_DIGEST_SIZE, NULL))
		return TPM_FAIL;
	/* n-o */
	return put_scratch(io);
}

/* Stage 8: answer the issuer's challenge encrypted under the EK. */
static TPM_RESULT join_8(struct daa_io *io)
{
	struct tpm_daa_session *d = io->d;
	uint8_t ne[DAA_SIZE_NE], h[DAA_DIGEST_SIZE];
	const struct tpm_key *ek = &io->s->pd.ek;
	size_t nelen;
	TPM_RESULT rc;

	/* d */
	if (io->len0 != DAA_SIZE_NE)
		return TPM_DAA_INPUT_DATA0;
	if (!ek->valid || !ek->rsa)
		return TPM_NO_ENDORSEMENT;
	/* e. NE = decrypt(inputData0, privEK) */
	if (tpm_rsa_oaep_decrypt(ek->rsa, io->in0, io->len0, ne, sizeof(ne),
				 &nelen))
		return TPM_DECRYPT_ERROR;
	/* f. outputData = SHA-1(DAA_digest || NE) */
	rc = tpm_sha1_v(h, d->ctx.digest, (size_t)DAA_DIGEST_SIZE, ne, nelen,
			NULL) ? TPM_FAIL : TPM_SUCCESS;
	tpm_wipe(ne, sizeof(ne));
	if (rc)
		return rc;
	/* g */
	memset(d->ctx.digest, 0, sizeof(d->ctx.digest));
	return tb_put_sized(io->out, h, sizeof(h)) ? TPM_SIZE : TPM_SUCCESS;
}

/* Join 9 / Sign 2: a new DAA_contextSeed; DAA_scratch = R0^r0 mod n. */
static TPM_RESULT join_9(struct daa_io *io)
{
	/* h: DAA_contextSeed (a failed stage ends the session anyway) */
	if (tpm_rand(io->d->ctx.context_seed, DAA_DIGEST_SIZE))
		return TPM_FAIL;
	return scratch_pow_r(io, io->d->issuer.digest_r0, "r0", DAA_SIZE_r0,
			     false);
}

/* Join 10 / Sign 3: DAA_scratch = Z * R1^r1 mod n. */
static TPM_RESULT join_10(struct daa_io *io)
{
	return scratch_pow_r(io, io->d->issuer.digest_r1, "r1", DAA_SIZE_r1,
			     true);
}

/* Join 11 / Sign 4: DAA_scratch = Z * S0^r2 mod n. */
static TPM_RESULT join_11(struct daa_io *io)
{
	return scratch_pow_r(io, io->d->issuer.digest_s0, "r2", DAA_SIZE_r2,
			     true);
}

/* Join 12: DAA_scratch = Z * S1^r3 mod n, returned. */
static TPM_RESULT join_12(struct daa_io *io)
{
	TPM_RESULT rc;

	rc = scratch_pow_r(io, io->d->issuer.digest_s1, "r3", DAA_SIZE_r3,
			   true);
	return rc ? rc : put_scratch(io);
}

/* Join 13 / Sign 6: w of order q modulo gamma; DAA_scratch = w. */
static TPM_RESULT join_13(struct daa_io *io)
{
	mpz_t gamma, w, q, w1;
	TPM_RESULT rc;

	rc = get_gamma(io, gamma);
	if (rc)
		return rc;
	/* f */
	if (io->len1 != DAA_SIZE_w) {
		mpz_clear(gamma);
		return TPM_DAA_INPUT_DATA1;
	}
	/* g-i. w1 = w^q mod gamma must be 1 */
	mpz_from(w, io->in1, io->len1);
	mpz_from(q, io->d->issuer.generic_q, DAA_SIZE_q);
	mpz_init(w1);
	mpz_powm(w1, w, q, gamma);
	if (mpz_cmp_ui(w1, 1) != 0)
		rc = TPM_DAA_WRONG_W;
	else	/* j */
		rc = set_scratch(io->d, w);
	mpz_clear(w1);
	mpz_clear(q);
	mpz_clear(w);
	mpz_clear(gamma);
	return rc;
}

/* Join 14 / Sign 7: E = w^f mod gamma. */
static TPM_RESULT join_14(struct daa_io *io)
{
	mpz_t gamma, w, f;
	TPM_RESULT rc;

	rc = get_gamma(io, gamma);
	if (rc)
		return rc;
	rc = compute_f(io->d, f);
	if (!rc) {
		mpz_from(w, io->d->ctx.scratch, sizeof(io->d->ctx.scratch));
		mpz_powm(w, w, f, gamma);
		rc = put_mpz(io->out, w, 0);
		mpz_clear(w);
		mpz_wipe(f);
	}
	mpz_clear(gamma);
	return rc;
}

/* Join 15 / Sign 8: E1 = w^r mod gamma, r = r0 + 2^DAA_power0 r1 mod q. */
static TPM_RESULT join_15(struct daa_io *io)
{
	mpz_t gamma, r0, r1, q, w;
	TPM_RESULT rc;

	rc = get_gamma(io, gamma);
	if (rc)
		return rc;
	if (mgf_r(io->d, "r0", DAA_SIZE_r0, r0)) {
		mpz_clear(gamma);
		return TPM_FAIL;
	}
	if (mgf_r(io->d, "r1", DAA_SIZE_r1, r1)) {
		mpz_clear(gamma);
		mpz_wipe(r0);
		return TPM_FAIL;
	}
	mpz_from(q, io->d->issuer.generic_q, DAA_SIZE_q);
	rc = TPM_DAA_ISSUER_SETTINGS;
	if (mpz_sgn(q)) {
		/* h */
		mpz_mul_2exp(r1, r1, DAA_power0);
		mpz_add(r0, r0, r1);
		mpz_mod(r0, r0, q);
		/* i-k */
		mpz_from(w, io->d->ctx.scratch, sizeof(io->d->ctx.scratch));
		mpz_powm(w, w, r0, gamma);
		io->d->ctx.scratch_null = true;
		rc = put_mpz(io->out, w, 0);
		mpz_clear(w);
	}
	mpz_clear(q);
	mpz_wipe(r1);
	mpz_wipe(r0);
	mpz_clear(gamma);
	return rc;
}

/* Join 16 / Sign 9: DAA_digest = SHA-1(inputData0 || NT); NT returned. */
static TPM_RESULT join_16(struct daa_io *io)
{
	uint8_t nt[DAA_SIZE_NT];

	/* d */
	if (io->len0 != DAA_DIGEST_SIZE)
		return TPM_DAA_INPUT_DATA0;
	/* e-g */
	if (tpm_rand(nt, sizeof(nt)) ||
	    tpm_sha1_v(io->d->ctx.digest, io->in0, (size_t)io->len0, nt,
		       sizeof(nt), NULL))
		return TPM_FAIL;
	/* h */
	return tb_put_sized(io->out, nt, sizeof(nt)) ? TPM_SIZE : TPM_SUCCESS;
}

/* Join 17 / Sign 11: s0 = r0 + c * f0. */
static TPM_RESULT join_17(struct daa_io *io)
{
	return step_s_f(io, false);
}

/* Join 18 / Sign 12: s1 = r1 + c * f1. */
static TPM_RESULT join_18(struct daa_io *io)
{
	return step_s_f(io, true);
}

/* Join 19-20: s2 = (r2 + c * u0) mod 2^DAA_power1, and the high part
 * s12 into DAA_scratch (stage 20 also returns DAA_digest). */
static TPM_RESULT join_s2(struct daa_io *io, bool low)
{
	TPM_RESULT rc;
	mpz_t u0;

	mpz_from(u0, io->d->join.u0, DAA_SIZE_v0);
	rc = step_s2(io, u0, low);
	mpz_wipe(u0);
	if (rc || low)
		return rc;
	return tb_put_sized(io->out, io->d->ctx.digest, DAA_DIGEST_SIZE) ?
		TPM_SIZE : TPM_SUCCESS;
}

static TPM_RESULT join_19(struct daa_io *io)
{
	return join_s2(io, true);
}

static TPM_RESULT join_20(struct daa_io *io)
{
	return join_s2(io, false);
}

/* Join 21: s3 = r3 + c * u1 + s12. */
static TPM_RESULT join_21(struct daa_io *io)
{
	TPM_RESULT rc;
	mpz_t u1;

	mpz_from(u1, io->d->join.u1, DAA_SIZE_u1);
	rc = step_s3(io, "r3", DAA_SIZE_r3, u1);
	mpz_wipe(u1);
	return rc;
}

/* Join 22: v0 = u2 + u0 mod 2^DAA_power1, wrapped; the carry v10 into
 * DAA_scratch. */
static TPM_RESULT join_22(struct daa_io *io)
{
	struct tpm_daa_session *d = io->d;
	mpz_t v, v0;
	TPM_RESULT rc;

	/* d */
	if (io->len0 != DAA_SIZE_v0)
		return TPM_DAA_INPUT_DATA0;
	/* e-f */
	mpz_from(v, io->in0, io->len0);
	mpz_from(v0, d->join.u0, DAA_SIZE_v0);
	mpz_add(v, v, v0);
	mpz_fdiv_r_2exp(v0, v, DAA_power1);
	/* h-j: v10 = (u2 + u0) >> DAA_power1 */
	mpz_fdiv_q_2exp(v, v, DAA_power1);
	rc = set_scratch(d, v);
	/* g, k: DAA_digest_v0 = SHA-1(v0), outputData = blob(v0) */
	if (!rc)
		rc = wrap_v(io, TPM_RT_DAA_V0, v0, DAA_SIZE_v0,
			    d->tpm.digest_v0);
	mpz_wipe(v0);
	mpz_wipe(v);
	/* m */
	return rc ? rc : update_context_join(d);
}

/* Join 23: v1 = u3 + u1 + v10, wrapped. */
static TPM_RESULT join_23(struct daa_io *io)
{
	struct tpm_daa_session *d = io->d;
	mpz_t v, t;
	TPM_RESULT rc;

	/* d */
	if (io->len0 != DAA_SIZE_v1)
		return TPM_DAA_INPUT_DATA0;
	/* e-f */
	mpz_from(v, io->in0, io->len0);
	mpz_from(t, d->join.u1, DAA_SIZE_u1);
	mpz_add(v, v, t);
	mpz_wipe(t);
	mpz_from(t, d->ctx.scratch, sizeof(d->ctx.scratch));
	mpz_add(v, v, t);
	mpz_wipe(t);
	/* g-h */
	rc = wrap_v(io, TPM_RT_DAA_V1, v, DAA_SIZE_v1, d->tpm.digest_v1);
	mpz_wipe(v);
	if (rc)
		return rc;
	/* i, k */
	d->ctx.scratch_null = true;
	return update_context_join(d);
}

/* Join 24: outputData = enc(DAA_tpmSpecific); the session ends. */
static TPM_RESULT join_24(struct daa_io *io)
{
	uint8_t raw[DAA_TPM_WIRE];
	struct tpm_buf b;
	TPM_RESULT rc;

	tb_init_write(&b, raw, sizeof(raw));
	if (daa_tpm_put(&b, &io->d->tpm))
		return TPM_FAIL;
	rc = blob_put(io->s, TPM_RT_DAA_TPM, raw, b.len, io->out);
	tpm_wipe(raw, sizeof(raw));
	return rc;
}

/*
 * TPM_DAA_Sign stages (Part 3, 26.2) that differ from Join's.
 */

/* Sign 1: DAA_tpmSpecific from the stage-24 blob. */
static TPM_RESULT sign_1(struct daa_io *io)
{
	struct tpm_daa_session *d = io->d;
	uint8_t raw[DAA_INTERNAL_MAX], h[DAA_DIGEST_SIZE];
	size_t len;
	TPM_RESULT rc;

	/* b */
	rc = blob_get(io->s, TPM_RT_DAA_TPM, io->in0, io->len0, raw,
		      sizeof(raw), &len);
	if (!rc && daa_tpm_get(raw, len, &d->tpm))
		rc = TPM_DAA_INPUT_DATA0;
	tpm_wipe(raw, sizeof(raw));
	if (rc)
		return rc;
	/* c */
	if (issuer_digest(&d->issuer, h))
		return TPM_FAIL;
	if (tpm_memcmp_ct(h, d->tpm.digest_issuer, sizeof(h)))
		return TPM_DAA_ISSUER_SETTINGS;
	/* d */
	return context_digest(d, false, d->ctx.digest_context) ? TPM_FAIL :
								 TPM_SUCCESS;
}

/* Sign 5: DAA_scratch = Z * S1^r4 mod n, returned. */
static TPM_RESULT sign_5(struct daa_io *io)
{
	TPM_RESULT rc;

	rc = scratch_pow_r(io, io->d->issuer.digest_s1, "r4", DAA_SIZE_r4,
			   true);
	return rc ? rc : put_scratch(io);
}

/* Sign 10: bind the signature to a message (1) or an AIK modulus (0). */
static TPM_RESULT sign_10(struct daa_io *io)
{
	struct tpm_daa_session *d = io->d;
	struct tpm_key *aik;
	uint8_t sel;

	/* d-e */
	if (io->len0 != 1 || io->in0[0] > 1)
		return TPM_DAA_INPUT_DATA0;
	sel = io->in0[0];
	if (sel == 1) {
		/* f-g */
		if (io->len1 != DAA_DIGEST_SIZE ||
		    tpm_sha1_v(d->ctx.digest, d->ctx.digest,
			       (size_t)DAA_DIGEST_SIZE, &sel, (size_t)1,
			       io->in1, (size_t)io->len1, NULL))
			return TPM_DAA_INPUT_DATA1;
	} else {
		/* h-i: inputData1 is the handle of a loaded AIK */
		if (io->len1 != sizeof(uint32_t) ||
		    tpm_key_lookup(io->s, tb_be32(io->in1), &aik) ||
		    aik->usage != TPM_KEY_IDENTITY)
			return TPM_DAA_INPUT_DATA1;
		if (tpm_sha1_v(d->ctx.digest, d->ctx.digest,
			       (size_t)DAA_DIGEST_SIZE, &sel, (size_t)1,
			       aik->n, (size_t)aik->n_len, NULL))
			return TPM_FAIL;
	}
	/* j */
	return tb_put_sized(io->out, d->ctx.digest, DAA_DIGEST_SIZE) ?
		TPM_SIZE : TPM_SUCCESS;
}

/* Sign 13-14: s2 and s12 from the wrapped v0. */
static TPM_RESULT sign_s2(struct daa_io *io, bool low)
{
	TPM_RESULT rc;
	mpz_t v0;

	rc = private_v(io, TPM_RT_DAA_V0, v0);
	if (rc)
		return rc;
	rc = step_s2(io, v0, low);
	mpz_wipe(v0);
	return rc;
}

static TPM_RESULT sign_13(struct daa_io *io)
{
	return sign_s2(io, true);
}

static TPM_RESULT sign_14(struct daa_io *io)
{
	return sign_s2(io, false);
}

/* Sign 15: s3 = r4 + c * v1 + s12; the session ends. */
static TPM_RESULT sign_15(struct daa_io *io)
{
	TPM_RESULT rc;
	mpz_t v1;

	rc = private_v(io, TPM_RT_DAA_V1, v1);
	if (rc)
		return rc;
	rc = step_s3(io, "r4", DAA_SIZE_r4, v1);
	mpz_wipe(v1);
	return rc;
}

static const daa_step_fn join_steps[DAA_JOIN_LAST + 1] = {
	NULL, join_1, join_2, join_3, join_4, join_5, join_6, join_7,
	join_8, join_9, join_10, join_11, join_12, join_13, join_14,
	join_15, join_16, join_17, join_18, join_19, join_20, join_21,
	join_22, join_23, join_24,
};

static const daa_step_fn sign_steps[DAA_SIGN_LAST + 1] = {
	NULL, sign_1, join_9, join_10, join_11, sign_5, join_13, join_14,
	join_15, join_16, sign_10, join_17, join_18, sign_13, sign_14,
	sign_15,
};

/*
 * Sessions.
 */
static struct tpm_daa_session *session_find(struct tpm_state *s,
					    uint32_t handle)
{
	unsigned int i;

	for (i = 0; i < TPM_MAX_DAA_SESSIONS; i++)
		if (s->daa.sess[i].valid && s->daa.sess[i].handle == handle)
			return &s->daa.sess[i];
	return NULL;
}

static void session_free(struct tpm_daa_session *d)
{
	tpm_wipe(d, sizeof(*d));
}

/* Stage 0.a: a free slot, all fields NULL; TPM_RESOURCES when full. */
static TPM_RESULT session_alloc(struct tpm_state *s,
				struct tpm_daa_session **out)
{
	struct tpm_daa_session *d;
	unsigned int i;

	for (i = 0; i < TPM_MAX_DAA_SESSIONS; i++) {
		d = &s->daa.sess[i];
		if (d->valid)
			continue;
		memset(d, 0, sizeof(*d));
		d->valid = true;
		do {
			s->daa.handle_seq = (s->daa.handle_seq + 1) &
					    0x00FFFFFFU;
			d->handle = DAA_HANDLE_BASE | s->daa.handle_seq;
		} while (s->daa.handle_seq == 0 ||
			 session_find(s, d->handle) != d);
		d->ctx.scratch_null = true;
		*out = d;
		return TPM_SUCCESS;
	}
	return TPM_RESOURCES;
}

/* Join stage 0 (Part 3, 26.1 stage 0). */
static TPM_RESULT join_stage0(struct daa_io *io)
{
	struct tpm_daa_session *d;
	TPM_RESULT rc;

	/* f-g: inputData0 is a non-zero u32 DAA_count */
	if (io->len0 != sizeof(uint32_t) || tb_be32(io->in0) == 0)
		return TPM_DAA_INPUT_DATA0;
	/* a-e */
	rc = session_alloc(io->s, &d);
	if (rc)
		return rc;
	/* h-j */
	d->tpm.count = tb_be32(io->in0);
	d->ctx.stage = 1;
	rc = update_context_join(d);
	/* l: outputData = the new handle (covered by the output HMAC) */
	if (!rc && (tb_put_u32(io->out, sizeof(uint32_t)) ||
		    tb_put_u32(io->out, d->handle)))
		rc = TPM_SIZE;
	if (rc)
		session_free(d);
	return rc;
}

/* Sign stage 0 (Part 3, 26.2 stage 0). */
static TPM_RESULT sign_stage0(struct daa_io *io)
{
	struct tpm_daa_session *d;
	TPM_RESULT rc;

	/* a */
	rc = session_alloc(io->s, &d);
	if (rc)
		return rc;
	/* b-c */
	if (issuer_get(io->in0, io->len0, &d->issuer))
		rc = TPM_DAA_INPUT_DATA0;
	/* f-g */
	d->ctx.stage = 1;
	if (!rc && (tb_put_u32(io->out, sizeof(uint32_t)) ||
		    tb_put_u32(io->out, d->handle)))
		rc = TPM_SIZE;
	if (rc)
		session_free(d);
	return rc;
}

/*
 * The checks every stage after 0 starts with: the session exists, is at
 * this stage (TPM_DAA_STAGE), its context digest (TPM_DAA_TPM_SETTINGS)
 * and, from @issuer_from on, its issuer digest (TPM_DAA_ISSUER_SETTINGS).
 */
static TPM_RESULT daa_common_checks(struct daa_io *io, uint8_t stage,
				    bool join, uint8_t issuer_from)
{
	struct tpm_daa_session *d = io->d;
	uint8_t h[DAA_DIGEST_SIZE];

	if (d->ctx.stage != stage)
		return TPM_DAA_STAGE;
	if (join || stage >= 2) {
		if (context_digest(d, join, h))
			return TPM_FAIL;
		if (tpm_memcmp_ct(h, d->ctx.digest_context, sizeof(h)))
			return TPM_DAA_TPM_SETTINGS;
	}
	if (stage >= issuer_from) {
		if (issuer_digest(&d->issuer, h))
			return TPM_FAIL;
		if (tpm_memcmp_ct(h, d->tpm.digest_issuer, sizeof(h)))
			return TPM_DAA_ISSUER_SETTINGS;
	}
	return TPM_SUCCESS;
}

/* Both commands: parse, authorize, run the stage, and end the session on
 * error (step 2) or after the last stage. */
static TPM_RESULT daa_command(struct tpm_cmd *c, struct tpm_buf *in,
			      struct tpm_buf *out, bool join)
{
	const daa_step_fn *steps = join ? join_steps : sign_steps;
	uint8_t last = join ? DAA_JOIN_LAST : DAA_SIGN_LAST;
	struct daa_io io = { .s = c->s, .c = c, .out = out };
	uint32_t handle;
	uint8_t stage;
	TPM_RESULT rc;

	if (tb_get_u32(in, &handle) || tb_get_u8(in, &stage) ||
	    tb_get_sized(in, &io.in0, &io.len0, TPM_MAX_COMMAND_SIZE) ||
	    tb_get_sized(in, &io.in1, &io.len1, TPM_MAX_COMMAND_SIZE) ||
	    tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Step 1: the owner authorizes every stage. */
	rc = tpm_auth_owner(c);
	if (!rc && stage == 0) {
		rc = join ? join_stage0(&io) : sign_stage0(&io);
		return rc;
	}
	if (!rc) {
		io.d = session_find(c->s, handle);
		if (!io.d)
			return TPM_BAD_HANDLE;
		rc = stage > last ? TPM_DAA_STAGE :
			daa_common_checks(&io, stage, join, join ? 3 : 2);
	}
	if (!rc)
		rc = steps[stage](&io);
	if (!rc && (join ? stage >= 2 : true))
		io.d->ctx.stage++;
	/* No outputData: an empty buffer. */
	if (!rc && out->len == 0 && tb_put_u32(out, 0))
		rc = TPM_SIZE;
	/* Step 2 (any error) and the last stage end the session. */
	if (stage > 0 && (rc || stage == last)) {
		io.d = session_find(c->s, handle);
		if (io.d)
			session_free(io.d);
	}
	return rc;
}

/* Part 3, 26.1 TPM_DAA_Join */
TPM_RESULT tpm_cmd_daa_join(struct tpm_cmd *c, struct tpm_buf *in,
			    struct tpm_buf *out)
{
	return daa_command(c, in, out, true);
}

/* Part 3, 26.2 TPM_DAA_Sign */
TPM_RESULT tpm_cmd_daa_sign(struct tpm_cmd *c, struct tpm_buf *in,
			    struct tpm_buf *out)
{
	return daa_command(c, in, out, false);
}

/*
 * Resources and persistence.
 */
int tpm_daa_generate_secrets(struct tpm_state *s)
{
	if (tpm_rand(s->daa.seed, sizeof(s->daa.seed)) ||
	    tpm_rand(s->daa.proof, sizeof(s->daa.proof)) ||
	    tpm_rand(s->daa.blob_key, sizeof(s->daa.blob_key)))
		return -EIO;
	tpm_mark_dirty(s);
	return 0;
}

TPM_RESULT tpm_daa_flush(struct tpm_state *s, uint32_t handle)
{
	struct tpm_daa_session *d = session_find(s, handle);

	if (!d)
		return TPM_BAD_HANDLE;
	session_free(d);
	return TPM_SUCCESS;
}

void tpm_daa_sessions_clear(struct tpm_state *s)
{
	unsigned int i;

	for (i = 0; i < TPM_MAX_DAA_SESSIONS; i++)
		session_free(&s->daa.sess[i]);
}

uint32_t tpm_daa_sessions_used(const struct tpm_state *s)
{
	uint32_t i, n = 0;

	for (i = 0; i < TPM_MAX_DAA_SESSIONS; i++)
		n += s->daa.sess[i].valid;
	return n;
}

/* Section body (docs/state-format.md, "daa"): version, then the three
 * secrets. */
#define DAA_SECTION_VERSION	1U

int tpm_daa_state_put(const struct tpm_state *s, struct tpm_buf *b)
{
	if (tb_put_u8(b, DAA_SECTION_VERSION) ||
	    tb_put_bytes(b, s->daa.seed, sizeof(s->daa.seed)) ||
	    tb_put_bytes(b, s->daa.proof, sizeof(s->daa.proof)) ||
	    tb_put_bytes(b, s->daa.blob_key, sizeof(s->daa.blob_key)))
		return -ENOSPC;
	return 0;
}

int tpm_daa_state_get(struct tpm_state *s, struct tpm_buf *b)
{
	uint8_t version;

	if (tb_get_u8(b, &version) || version != DAA_SECTION_VERSION ||
	    tb_get_bytes(b, s->daa.seed, sizeof(s->daa.seed)) ||
	    tb_get_bytes(b, s->daa.proof, sizeof(s->daa.proof)) ||
	    tb_get_bytes(b, s->daa.blob_key, sizeof(s->daa.blob_key)) ||
	    tb_expect_end(b))
		return -EBADMSG;
	return 0;
}
