// SPDX-License-Identifier: GPL-2.0
/*
 * PCRs and SHA-1 threads (Part 3, 13.1-13.4 and 16): Extend, PcrRead,
 * PCR_Reset, Quote, Quote2, the TPM_SHA1* commands, and the PCR helpers
 * other families use (composite hashes, PCR_INFO creation/release checks).
 * PCR attributes are the PC Client table, fixed at build time.
 */
#include <errno.h>

#include "internal.h"

/* Bytes in a TPM_SHA1Update block (Part 3, 13.2: whole blocks only). */
#define SHA1_BLOCK_SIZE		64U
/* Largest TPM_PCR_COMPOSITE: selection, valueSize, every PCR value. */
#define PCR_COMPOSITE_MAX	(2 + TPM_PCR_SELECT_MAX + 4 + \
				 TPM_NUM_PCR * TPM_DIGEST_SIZE)
/* TPM_CAP_VERSION_INFO without vendor data (Part 2, 21.6), bytes. */
#define CAP_VERSION_INFO_SIZE	(2 + 4 + 2 + 1 + 4 + 2)
/* TPM_QUOTE_INFO2 (Part 2, 11.4) followed by TPM_CAP_VERSION_INFO. */
#define QUOTE_INFO2_MAX		(2 + 4 + 2 + TPM_PCR_SELECT_MAX + 1 + \
				 TPM_DIGEST_SIZE + TPM_NONCE_SIZE + \
				 CAP_VERSION_INFO_SIZE)

/*
 * Part 2, 8.8 TPM_PCR_ATTRIBUTES of each PCR, from the PC Client
 * Implementation Specification for Conventional BIOS 1.21 (PCR attribute
 * table): PCRs 0-15 are static (never reset, extended anywhere); 16 is the
 * debug PCR and 23 the application PCR (reset and extended anywhere);
 * 17-22 are the dynamic-launch PCRs, reset and extended only at the
 * localities listed.  @startup is the value Startup(CLEAR) gives the PCR.
 */
struct pcr_attr {
	bool reset;		/* pcrReset */
	uint8_t reset_local;	/* pcrResetLocal, TPM_LOC_* bits */
	uint8_t extend_local;	/* pcrExtendLocal, TPM_LOC_* bits */
	uint8_t startup;	/* 0x00 or 0xFF, every byte */
};

#define PCR_STATIC	{ false, 0, TPM_LOC_ALL, 0x00 }
#define LOC_432		(TPM_LOC_FOUR | TPM_LOC_THREE | TPM_LOC_TWO)

static const struct pcr_attr pcr_attrs[TPM_NUM_PCR] = {
	PCR_STATIC, PCR_STATIC, PCR_STATIC, PCR_STATIC,	/* 0-3 */
	PCR_STATIC, PCR_STATIC, PCR_STATIC, PCR_STATIC,	/* 4-7 */
	PCR_STATIC, PCR_STATIC, PCR_STATIC, PCR_STATIC,	/* 8-11 */
	PCR_STATIC, PCR_STATIC, PCR_STATIC, PCR_STATIC,	/* 12-15 */
	{ true, TPM_LOC_ALL, TPM_LOC_ALL, 0x00 },		/* 16 debug */
	{ true, TPM_LOC_FOUR, LOC_432, 0xFF },			/* 17 */
	{ true, TPM_LOC_FOUR, LOC_432, 0xFF },			/* 18 */
	{ true, TPM_LOC_FOUR, TPM_LOC_THREE | TPM_LOC_TWO, 0xFF }, /* 19 */
	{ true, TPM_LOC_FOUR | TPM_LOC_TWO,
	  TPM_LOC_THREE | TPM_LOC_TWO | TPM_LOC_ONE, 0xFF },	/* 20 */
	{ true, TPM_LOC_TWO, TPM_LOC_TWO, 0xFF },		/* 21 */
	{ true, TPM_LOC_TWO, TPM_LOC_TWO, 0xFF },		/* 22 */
	{ true, TPM_LOC_ALL, TPM_LOC_ALL, 0x00 },		/* 23 app */
};

/* The locality-4 PCR of the PC Client TIS (see extend_check()). */
#define PCR_LOCALITY4	17U

static uint8_t locality_bit(const struct tpm_state *s)
{
	return (uint8_t)(1U << s->locality);
}

static bool pcr_selected(const struct tpm_pcr_selection *sel, unsigned int i)
{
	return i / 8 < sel->size && (sel->sel[i / 8] & (1U << (i % 8)));
}

static bool selection_empty(const struct tpm_pcr_selection *sel)
{
	unsigned int i;

	for (i = 0; i < TPM_NUM_PCR; i++) {
		if (pcr_selected(sel, i))
			return false;
	}
	return true;
}

TPM_RESULT tpm_pcr_selection_check(const struct tpm_pcr_selection *sel)
{
	unsigned int i;

	/* Part 2, 8.1: sizeOfSelect may be smaller than TPM_NUM_PCR / 8
	 * (1.1 clients send 2), never larger. */
	if (sel->size > TPM_PCR_SELECT_MAX)
		return TPM_INVALID_PCR_INFO;
	for (i = TPM_NUM_PCR; i < (unsigned int)sel->size * 8; i++) {
		if (pcr_selected(sel, i))
			return TPM_INVALID_PCR_INFO;
	}
	return TPM_SUCCESS;
}

/* Part 2, 8.2: TPM_PCR_COMPOSITE (select, valueSize, selected values in
 * ascending index order). */
static int pcr_composite_put(struct tpm_buf *b, const struct tpm_state *s,
			     const struct tpm_pcr_selection *sel)
{
	unsigned int i, n = 0;

	for (i = 0; i < TPM_NUM_PCR; i++)
		n += pcr_selected(sel, i);
	if (tpm_pcr_selection_put(b, sel) ||
	    tb_put_u32(b, n * TPM_DIGEST_SIZE))
		return -ENOSPC;
	for (i = 0; i < TPM_NUM_PCR; i++) {
		if (pcr_selected(sel, i) &&
		    tb_put_bytes(b, s->sd.pcr[i], TPM_DIGEST_SIZE))
			return -ENOSPC;
	}
	return 0;
}

TPM_RESULT tpm_pcr_composite_hash(const struct tpm_state *s,
				  const struct tpm_pcr_selection *sel,
				  uint8_t out[TPM_DIGEST_SIZE])
{
	uint8_t raw[PCR_COMPOSITE_MAX];
	struct tpm_buf b;
	TPM_RESULT rc;

	rc = tpm_pcr_selection_check(sel);
	if (rc)
		return rc;
	tb_init_write(&b, raw, sizeof(raw));
	if (pcr_composite_put(&b, s, sel) || tpm_sha1(b.data, b.len, out))
		return TPM_FAIL;
	return TPM_SUCCESS;
}

TPM_RESULT tpm_pcr_info_check_release(const struct tpm_state *s,
				      const struct tpm_pcr_info *pi)
{
	uint8_t digest[TPM_DIGEST_SIZE];
	TPM_RESULT rc;

	if (pi->kind == PCR_INFO_NONE)
		return TPM_SUCCESS;
	/* Part 3, 10.2 step 7.b.iii: localityAtRelease must name the
	 * current locality (TPM_PCR_INFO of 1.1 has no locality). */
	if (pi->kind != PCR_INFO_11 &&
	    !(pi->locality_at_release & locality_bit(s)))
		return TPM_BAD_LOCALITY;
	/* With no PCR selected only the locality binds the data. */
	if (selection_empty(&pi->release_sel))
		return TPM_SUCCESS;
	rc = tpm_pcr_composite_hash(s, &pi->release_sel, digest);
	if (rc)
		return rc;
	if (tpm_memcmp_ct(digest, pi->digest_at_release, TPM_DIGEST_SIZE))
		return TPM_WRONGPCRVAL;
	return TPM_SUCCESS;
}

TPM_RESULT tpm_pcr_info_set_creation(const struct tpm_state *s,
				     struct tpm_pcr_info *pi)
{
	switch (pi->kind) {
	case PCR_INFO_11:
		/* TPM_PCR_INFO has one selection for creation and release. */
		return tpm_pcr_composite_hash(s, &pi->release_sel,
					      pi->digest_at_creation);
	case PCR_INFO_LONG:
		pi->locality_at_creation = locality_bit(s);
		return tpm_pcr_composite_hash(s, &pi->creation_sel,
					      pi->digest_at_creation);
	default:
		/* NONE and TPM_PCR_INFO_SHORT have no creation fields. */
		return TPM_SUCCESS;
	}
}

void tpm_pcr_startup_clear(struct tpm_state *s)
{
	unsigned int i;

	for (i = 0; i < TPM_NUM_PCR; i++)
		memset(s->sd.pcr[i], pcr_attrs[i].startup, TPM_DIGEST_SIZE);
}

/* Part 3, 16.1 steps 1-4 (and 13.4 steps 1-4): may PCR @idx be extended
 * at the current locality? */
static TPM_RESULT extend_check(const struct tpm_state *s, uint32_t idx)
{
	static const uint8_t zero[TPM_DIGEST_SIZE];

	if (idx >= TPM_NUM_PCR)
		return TPM_BADINDEX;
	if (!(pcr_attrs[idx].extend_local & locality_bit(s)))
		return TPM_BAD_LOCALITY;
	/* PC Client TIS 1.2: while the locality-4 PCR holds its reset value
	 * 0 (after a reset), only locality 4 may extend it. */
	if (idx == PCR_LOCALITY4 && s->locality != 4 &&
	    !memcmp(s->sd.pcr[idx], zero, TPM_DIGEST_SIZE))
		return TPM_BAD_LOCALITY;
	return TPM_SUCCESS;
}

TPM_RESULT tpm_pcr_extend_common(struct tpm_state *s, uint32_t idx,
				 const uint8_t digest[TPM_DIGEST_SIZE],
				 uint8_t out[TPM_DIGEST_SIZE])
{
	uint8_t h1[TPM_DIGEST_SIZE];
	TPM_RESULT rc;

	rc = extend_check(s, idx);
	if (rc)
		return rc;
	/* Part 3, 16.1 steps 5-7: PCR = SHA1(PCR || inDigest). */
	if (tpm_sha1_v(h1, s->sd.pcr[idx], (size_t)TPM_DIGEST_SIZE, digest,
		       (size_t)TPM_DIGEST_SIZE, NULL))
		return TPM_FAIL;
	memcpy(s->sd.pcr[idx], h1, TPM_DIGEST_SIZE);
	/* Steps 8-9: a disabled or deactivated TPM reports zeros, so the
	 * new value cannot be learnt from it. */
	if (s->pf.disable || s->sf.deactivated)
		memset(out, 0, TPM_DIGEST_SIZE);
	else
		memcpy(out, h1, TPM_DIGEST_SIZE);
	return TPM_SUCCESS;
}

/* Part 3, 16.1 TPM_Extend */
TPM_RESULT tpm_cmd_extend(struct tpm_cmd *c, struct tpm_buf *in,
			  struct tpm_buf *out)
{
	uint8_t in_digest[TPM_DIGEST_SIZE], out_digest[TPM_DIGEST_SIZE];
	uint32_t idx;
	TPM_RESULT rc;

	if (tb_get_u32(in, &idx) ||
	    tb_get_bytes(in, in_digest, TPM_DIGEST_SIZE) || tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	rc = tpm_pcr_extend_common(c->s, idx, in_digest, out_digest);
	if (rc)
		return rc;
	if (tb_put_bytes(out, out_digest, TPM_DIGEST_SIZE))
		return TPM_SIZE;
	return TPM_SUCCESS;
}

/* Part 3, 16.2 TPM_PcrRead */
TPM_RESULT tpm_cmd_pcr_read(struct tpm_cmd *c, struct tpm_buf *in,
			    struct tpm_buf *out)
{
	uint32_t idx;

	if (tb_get_u32(in, &idx) || tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Step 1: validate pcrIndex, else TPM_BADINDEX. */
	if (idx >= TPM_NUM_PCR)
		return TPM_BADINDEX;
	if (tb_put_bytes(out, c->s->sd.pcr[idx], TPM_DIGEST_SIZE))
		return TPM_SIZE;
	return TPM_SUCCESS;
}

/* Part 3, 16.4 TPM_PCR_Reset */
TPM_RESULT tpm_cmd_pcr_reset(struct tpm_cmd *c, struct tpm_buf *in,
			     struct tpm_buf *out)
{
	struct tpm_state *s = c->s;
	struct tpm_pcr_selection sel;
	unsigned int i;
	TPM_RESULT rc;

	(void)out;
	rc = tpm_pcr_selection_get(in, &sel);
	if (rc)
		return rc;
	if (tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Step 1: a valid selection naming at least one PCR. */
	if (tpm_pcr_selection_check(&sel) || selection_empty(&sel))
		return TPM_INVALID_PCR_INFO;
	/* Steps 2-3: every selected PCR must be resettable from this
	 * locality before any is reset. */
	for (i = 0; i < TPM_NUM_PCR; i++) {
		if (!pcr_selected(&sel, i))
			continue;
		if (!pcr_attrs[i].reset)
			return TPM_NOTRESETABLE;
		if (!(pcr_attrs[i].reset_local & locality_bit(s)))
			return TPM_NOTLOCAL;
	}
	/* Step 4: the PC Client reset value is 0x00...00 (Startup gives
	 * 17-22 0xFF...FF, so a reset is distinguishable from a boot). */
	for (i = 0; i < TPM_NUM_PCR; i++) {
		if (pcr_selected(&sel, i))
			memset(s->sd.pcr[i], 0, TPM_DIGEST_SIZE);
	}
	return TPM_SUCCESS;
}

/*
 * Steps shared by Quote and Quote2 (Part 3, 16.3/16.5 steps 1-4): find and
 * authorize the key, check its signature scheme (SHA1, and INFO when
 * @info_ok) and usage, and the PCR selection.
 */
static TPM_RESULT quote_key(struct tpm_cmd *c, uint32_t handle,
			    const struct tpm_pcr_selection *sel, bool info_ok,
			    const struct tpm_key **key)
{
	struct tpm_key *k;
	TPM_RESULT rc;

	rc = tpm_key_use(c, handle, &k);
	if (rc)
		return rc;
	if (k->parms.sig_scheme != TPM_SS_RSASSAPKCS1v15_SHA1 &&
	    (!info_ok || k->parms.sig_scheme != TPM_SS_RSASSAPKCS1v15_INFO))
		return TPM_INAPPROPRIATE_SIG;
	if (k->usage != TPM_KEY_SIGNING && k->usage != TPM_KEY_IDENTITY &&
	    k->usage != TPM_KEY_LEGACY)
		return TPM_INVALID_KEYUSAGE;
	if (tpm_pcr_selection_check(sel))
		return TPM_INVALID_PCR_INFO;
	*key = k;
	return TPM_SUCCESS;
}

/*
 * Sign SHA1(@data) and write sigSize || sig.  For keys of the INFO scheme
 * too a quote is a plain PKCS#1 v1.5 SHA-1 signature of that digest (the
 * scheme changes only what TPM_Sign signs), which tpm_key_sign() does for
 * both schemes.
 */
static TPM_RESULT quote_sign_put(const struct tpm_key *k, const uint8_t *data,
				 size_t len, struct tpm_buf *out)
{
	uint8_t digest[TPM_DIGEST_SIZE];

	if (tpm_sha1(data, len, digest))
		return TPM_FAIL;
	return tpm_key_sign_put(k, digest, sizeof(digest), out);
}

/* Part 3, 16.3 TPM_Quote */
TPM_RESULT tpm_cmd_quote(struct tpm_cmd *c, struct tpm_buf *in,
			 struct tpm_buf *out)
{
	uint8_t nonce[TPM_NONCE_SIZE], h1[TPM_DIGEST_SIZE], raw[48];
	struct tpm_pcr_selection sel;
	const struct tpm_key *k;
	struct tpm_buf q;
	uint32_t handle;
	size_t start;
	TPM_RESULT rc;

	if (tb_get_u32(in, &handle) ||
	    tb_get_bytes(in, nonce, TPM_NONCE_SIZE))
		return TPM_BAD_PARAM_SIZE;
	rc = tpm_pcr_selection_get(in, &sel);
	if (rc)
		return rc;
	if (tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Steps 1-4: key authorization, scheme, usage, targetPCR. */
	rc = quote_key(c, handle, &sel, true, &k);
	if (rc)
		return rc;
	/* Step 5: pcrData is the TPM_PCR_COMPOSITE; H1 is its digest. */
	start = out->len;
	if (pcr_composite_put(out, c->s, &sel))
		return TPM_SIZE;
	if (tpm_sha1(out->data + start, out->len - start, h1))
		return TPM_FAIL;
	/* Step 6: Q1 = 1.1.0.0 || "QUOT" || H1 || externalData. */
	tb_init_write(&q, raw, sizeof(raw));
	if (tpm_struct_ver_put(&q) || tb_put_bytes(&q, "QUOT", 4) ||
	    tb_put_bytes(&q, h1, TPM_DIGEST_SIZE) ||
	    tb_put_bytes(&q, nonce, TPM_NONCE_SIZE))
		return TPM_FAIL;
	/* Steps 7-8: sign SHA1(Q1), return sig. */
	return quote_sign_put(k, q.data, q.len, out);
}

/*
 * Part 2, 21.6: TPM_CAP_VERSION_INFO of this TPM, with no vendor data.
 * TODO(capability.c owner): this twins cap_version_val() there; export
 * that one (internal.h) and call it here.
 */
static int cap_version_info_put(struct tpm_buf *b)
{
	if (tb_put_u16(b, TPM_TAG_CAP_VERSION_INFO) || tpm_version_put(b) ||
	    tb_put_u16(b, TPM_SPEC_LEVEL) || tb_put_u8(b, TPM_ERRATA_REV) ||
	    tb_put_bytes(b, TPM_VENDOR_ID, 4) || tb_put_u16(b, 0))
		return -ENOSPC;
	return 0;
}

/* Part 3, 16.5 TPM_Quote2 */
TPM_RESULT tpm_cmd_quote2(struct tpm_cmd *c, struct tpm_buf *in,
			  struct tpm_buf *out)
{
	uint8_t nonce[TPM_NONCE_SIZE], raw[QUOTE_INFO2_MAX];
	struct tpm_pcr_info s1 = { .kind = PCR_INFO_SHORT };
	size_t s1_off, s1_len, ver_off;
	const struct tpm_key *k;
	struct tpm_buf q;
	bool add_version;
	uint32_t handle;
	TPM_RESULT rc;

	if (tb_get_u32(in, &handle) ||
	    tb_get_bytes(in, nonce, TPM_NONCE_SIZE))
		return TPM_BAD_PARAM_SIZE;
	rc = tpm_pcr_selection_get(in, &s1.release_sel);
	if (rc)
		return rc;
	if (tb_get_bool(in, &add_version) || tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Steps 1-4; step 2 admits TPM_SS_RSASSAPKCS1v15_SHA1 only. */
	rc = quote_key(c, handle, &s1.release_sel, false, &k);
	if (rc)
		return rc;
	/* Steps 5-6: S1 = TPM_PCR_INFO_SHORT of the selection, the current
	 * locality and the composite hash H1. */
	rc = tpm_pcr_composite_hash(c->s, &s1.release_sel,
				    s1.digest_at_release);
	if (rc)
		return rc;
	s1.locality_at_release = locality_bit(c->s);
	/* Step 7: Q1 is a TPM_QUOTE_INFO2 (Part 2, 11.4: tag, fixed
	 * "QUT2", externalData, infoShort); steps 8-9 append the
	 * TPM_CAP_VERSION_INFO when addVersion. */
	tb_init_write(&q, raw, sizeof(raw));
	if (tb_put_u16(&q, TPM_TAG_QUOTE_INFO2) ||
	    tb_put_bytes(&q, "QUT2", 4) ||
	    tb_put_bytes(&q, nonce, TPM_NONCE_SIZE))
		return TPM_FAIL;
	s1_off = q.len;
	if (tpm_pcr_info_put(&q, &s1))
		return TPM_FAIL;
	s1_len = q.len - s1_off;
	ver_off = q.len;
	if (add_version && cap_version_info_put(&q))
		return TPM_FAIL;
	/* Outputs: pcrData, versionInfoSize, versionInfo, then (steps
	 * 10-11) the signature over SHA1(Q1). */
	if (tb_put_bytes(out, q.data + s1_off, s1_len) ||
	    tb_put_sized(out, q.data + ver_off, (uint32_t)(q.len - ver_off)))
		return TPM_SIZE;
	return quote_sign_put(k, q.data, q.len, out);
}

void tpm_sha1_thread_end(struct tpm_state *s)
{
	tpm_sha1_abort(&s->sha1.ctx);
	s->sha1.active = false;
}

void tpm_sha1_thread_notify(struct tpm_state *s, uint32_t ordinal)
{
	/* Part 3, 13.1: between TPM_SHA1Start and TPM_SHA1Complete(Extend)
	 * any command but TPM_SHA1Update ends the thread. */
	if (ordinal != TPM_ORD_SHA1Update && ordinal != TPM_ORD_SHA1Complete &&
	    ordinal != TPM_ORD_SHA1CompleteExtend)
		tpm_sha1_thread_end(s);
}

/* Part 3, 13.1 TPM_SHA1Start */
TPM_RESULT tpm_cmd_sha1_start(struct tpm_cmd *c, struct tpm_buf *in,
			      struct tpm_buf *out)
{
	struct tpm_state *s = c->s;

	if (tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* A new thread replaces any running one. */
	tpm_sha1_thread_end(s);
	if (tpm_sha1_init(&s->sha1.ctx))
		return TPM_FAIL;
	s->sha1.active = true;
	/* maxNumBytes: the most TPM_SHA1Update accepts, a multiple of 64. */
	if (tb_put_u32(out, TPM_MAX_SHA1_DATA))
		return TPM_SIZE;
	return TPM_SUCCESS;
}

/* Part 3, 13.2 TPM_SHA1Update */
TPM_RESULT tpm_cmd_sha1_update(struct tpm_cmd *c, struct tpm_buf *in,
			       struct tpm_buf *out)
{
	struct tpm_state *s = c->s;
	const uint8_t *data;
	uint32_t n;

	(void)out;
	if (tb_get_sized(in, &data, &n, UINT32_MAX) || tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Step 2: there must be a thread. */
	if (!s->sha1.active)
		return TPM_SHA_THREAD;
	/* Steps 3-4: whole 64-byte blocks, at most maxNumBytes; we end the
	 * thread on error (the spec allows it). */
	if (n % SHA1_BLOCK_SIZE || n > TPM_MAX_SHA1_DATA) {
		tpm_sha1_thread_end(s);
		return TPM_SHA_ERROR;
	}
	/* Step 5 */
	if (tpm_sha1_update(&s->sha1.ctx, data, n)) {
		tpm_sha1_thread_end(s);
		return TPM_FAIL;
	}
	return TPM_SUCCESS;
}

/* Finish the thread with at most one block of @n bytes (13.3 step 1). */
static TPM_RESULT sha1_thread_finish(struct tpm_state *s, const uint8_t *data,
				     uint32_t n, uint8_t out[TPM_DIGEST_SIZE])
{
	TPM_RESULT rc = TPM_SUCCESS;

	if (!s->sha1.active)
		return TPM_SHA_THREAD;
	if (n > SHA1_BLOCK_SIZE)
		rc = TPM_SHA_ERROR;
	else if (tpm_sha1_update(&s->sha1.ctx, data, n) ||
		 tpm_sha1_final(&s->sha1.ctx, out))
		rc = TPM_FAIL;
	tpm_sha1_thread_end(s);
	return rc;
}

/* Part 3, 13.3 TPM_SHA1Complete */
TPM_RESULT tpm_cmd_sha1_complete(struct tpm_cmd *c, struct tpm_buf *in,
				 struct tpm_buf *out)
{
	uint8_t digest[TPM_DIGEST_SIZE];
	const uint8_t *data;
	uint32_t n;
	TPM_RESULT rc;

	if (tb_get_sized(in, &data, &n, UINT32_MAX) || tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	rc = sha1_thread_finish(c->s, data, n, digest);
	if (rc)
		return rc;
	if (tb_put_bytes(out, digest, TPM_DIGEST_SIZE))
		return TPM_SIZE;
	return TPM_SUCCESS;
}

/* Part 3, 13.4 TPM_SHA1CompleteExtend */
TPM_RESULT tpm_cmd_sha1_complete_extend(struct tpm_cmd *c,
					struct tpm_buf *in,
					struct tpm_buf *out)
{
	uint8_t h1[TPM_DIGEST_SIZE], out_digest[TPM_DIGEST_SIZE];
	const uint8_t *data;
	uint32_t idx, n;
	TPM_RESULT rc;

	if (tb_get_u32(in, &idx) || tb_get_sized(in, &data, &n, UINT32_MAX) ||
	    tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Steps 1-4: index and locality.  Like TPM_SHA1Complete (13.3),
	 * this command terminates the pending SHA-1 calculation whatever
	 * its outcome once its parameters are parsed, so a refusal here
	 * ends the thread too (libtpms behaves the same). */
	rc = extend_check(c->s, idx);
	if (rc) {
		tpm_sha1_thread_end(c->s);
		return rc;
	}
	/* Step 5: H1 = digest of the thread with hashData added. */
	rc = sha1_thread_finish(c->s, data, n, h1);
	if (rc)
		return rc;
	/* Step 6: the actions of TPM_Extend with H1. */
	rc = tpm_pcr_extend_common(c->s, idx, h1, out_digest);
	if (rc)
		return rc;
	if (tb_put_bytes(out, h1, TPM_DIGEST_SIZE) ||
	    tb_put_bytes(out, out_digest, TPM_DIGEST_SIZE))
		return TPM_SIZE;
	return TPM_SUCCESS;
}
