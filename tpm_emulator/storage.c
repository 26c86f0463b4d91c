// SPDX-License-Identifier: GPL-2.0
/*
 * Sealing and binding (Part 3, 10.1-10.3, 10.7): TPM_Seal, TPM_Unseal,
 * TPM_UnBind and TPM_Sealx.  A sealed blob is a TPM_STORED_DATA(12) whose
 * encData is a TPM_SEALED_DATA encrypted under a storage key; no state is
 * kept here.
 */
#include <errno.h>

#include "internal.h"

/*
 * Wire layouts (Part 2, 9.1-9.3 and 9.5).  Only the stored_data_* and
 * bound_data_get functions below and tpm_sealed_data_get/put
 * (marshal_struct.c, shared with TPM_ChangeAuth in keys.c) read or write
 * them.
 *
 *   TPM_STORED_DATA (1.1)              TPM_STORED_DATA12
 *     ver          4  01 01 00 00        tag          2  0x0016
 *                                        et           2  Sealx output
 *                                                        encryption, 0 none
 *     sealInfoSize 4                     sealInfoSize 4
 *     sealInfo     TPM_PCR_INFO          sealInfo     TPM_PCR_INFO_LONG
 *     encDataSize  4                     encDataSize  4
 *     encData      OAEP(TPM_SEALED_DATA) encData      OAEP(TPM_SEALED_DATA)
 *
 *   TPM_SEALED_DATA
 *     payload      1  TPM_PT_SEAL
 *     authData     20 usage secret of the blob
 *     tpmProof     20 TPM_PERMANENT_DATA -> tpmProof
 *     storedDigest 20 SHA-1 of the TPM_STORED_DATA(12) with encDataSize 0
 *                     and no encData: SHA1(public part || 00 00 00 00)
 *     dataSize     4
 *     data         dataSize bytes, the secret
 *
 *   TPM_BOUND_DATA
 *     ver 4 (1.1.0.0), payload 1 (TPM_PT_BIND), payloadData (the rest)
 */

/* TPM_BOUND_DATA before payloadData: ver and payload (Part 2, 9.5). */
#define BOUND_DATA_HDR		(4 + 1)
/* RSAES-OAEP with SHA-1 costs 2 * 20 + 2 bytes of the modulus. */
#define OAEP_SHA1_OVERHEAD	(2 * TPM_DIGEST_SIZE + 2)

/* A parsed TPM_STORED_DATA(12); pub and enc point into the command. */
struct stored_data {
	bool v12;			/* TPM_STORED_DATA12 */
	uint16_t et;			/* v12 only */
	struct tpm_pcr_info pcr;	/* kind NONE when sealInfoSize is 0 */
	const uint8_t *pub;		/* from ver/tag up to encDataSize */
	size_t pub_len;
	const uint8_t *enc;
	uint32_t enc_len;
};

/* Part 3, 10.1 step 5: is the sized pcrInfo at @in a TPM_PCR_INFO_LONG?
 * A TPM_PCR_INFO starts with sizeOfSelect (at most 3), never with
 * TPM_TAG_PCR_INFO_LONG (6). */
static bool pcr_info_is_long(const struct tpm_buf *in)
{
	struct tpm_buf peek = *in;
	uint32_t size;
	uint16_t tag;

	return !tb_get_u32(&peek, &size) && size >= 2 &&
	       !tb_get_u16(&peek, &tag) && tag == TPM_TAG_PCR_INFO_LONG;
}

static TPM_RESULT stored_data_get(struct tpm_buf *b, struct stored_data *sd)
{
	struct tpm_buf peek = *b;
	uint8_t ver[4];
	uint16_t tag;
	TPM_RESULT rc;

	memset(sd, 0, sizeof(*sd));
	sd->pub = tb_cursor(b);
	if (tb_get_u16(&peek, &tag))
		return TPM_BAD_PARAM_SIZE;
	/* Part 3, 10.2 step 4: the tag, else a 1.1 version, else
	 * TPM_BAD_VERSION. */
	sd->v12 = tag == TPM_TAG_STORED_DATA12;
	if (sd->v12) {
		if (tb_get_u16(b, &tag) || tb_get_u16(b, &sd->et))
			return TPM_BAD_PARAM_SIZE;
	} else {
		if (tb_get_bytes(b, ver, sizeof(ver)))
			return TPM_BAD_PARAM_SIZE;
		if (ver[0] != 1 || ver[1] != 1)
			return TPM_BAD_VERSION;
	}
	rc = tpm_pcr_info_get_sized(b, sd->v12, &sd->pcr);
	if (rc)
		return rc;
	sd->pub_len = (size_t)(tb_cursor(b) - sd->pub);
	if (tb_get_sized(b, &sd->enc, &sd->enc_len, TPM_MAX_KEY_BYTES))
		return TPM_BAD_PARAM_SIZE;
	return TPM_SUCCESS;
}

/* The public part of a new TPM_STORED_DATA(12) (10.1 steps 6-10;
 * 10.7 steps 5-9 for Sealx, whose et is not 0). */
static int stored_data_put_public(struct tpm_buf *b, bool v12, uint16_t et,
				  const struct tpm_pcr_info *pi)
{
	if (v12) {
		/* 10.1 step 7.b: et is 0x0000, Seal does not encrypt output. */
		if (tb_put_u16(b, TPM_TAG_STORED_DATA12) || tb_put_u16(b, et))
			return -ENOSPC;
	} else if (tpm_struct_ver_put(b)) {
		return -ENOSPC;
	}
	return tpm_pcr_info_put_sized(b, pi);
}

/* storedDigest: SHA-1 of the blob with encDataSize 0 and no encData. */
static int stored_data_digest(const uint8_t *pub, size_t len,
			      uint8_t out[TPM_DIGEST_SIZE])
{
	static const uint8_t no_enc[4];

	return tpm_sha1_v(out, pub, len, no_enc, sizeof(no_enc), NULL);
}

/*
 * Part 3, 10.1 step 11: validate the caller's PCR info (TPM_BADINDEX when
 * invalid) and fill in its creation digest and locality.
 */
static TPM_RESULT seal_pcr_info(const struct tpm_state *s,
				struct tpm_pcr_info *pi)
{
	if (pi->kind == PCR_INFO_NONE)
		return TPM_SUCCESS;
	if (tpm_pcr_selection_check(&pi->release_sel))
		return TPM_BADINDEX;
	if (pi->kind == PCR_INFO_LONG &&
	    (tpm_pcr_selection_check(&pi->creation_sel) ||
	     !pi->locality_at_release ||
	     (pi->locality_at_release & ~TPM_LOC_ALL)))
		return TPM_BADINDEX;
	return tpm_pcr_info_set_creation(s, pi);
}

/*
 * Part 3, 10.1 steps 14-19: build the TPM_SEALED_DATA for the public part
 * already written at @pub, encrypt it under @k and append encDataSize and
 * encData to @out.
 */
static TPM_RESULT seal_encrypt(const struct tpm_state *s,
			       const struct tpm_key *k,
			       struct tpm_sealed_data *d,
			       const uint8_t *pub, size_t pub_len,
			       struct tpm_buf *out)
{
	uint8_t raw[TPM_MAX_KEY_BYTES], enc[TPM_MAX_KEY_BYTES];
	struct tpm_buf b;
	size_t enc_len, modulus;
	TPM_RESULT rc = TPM_SUCCESS;

	if (!k->rsa)
		return TPM_FAIL;
	/* Step 15: S2 must fit one OAEP block of the key. */
	modulus = tpm_rsa_size(k->rsa);
	if (modulus < OAEP_SHA1_OVERHEAD + TPM_SEALED_DATA_FIXED ||
	    d->data_len > modulus - OAEP_SHA1_OVERHEAD - TPM_SEALED_DATA_FIXED)
		return TPM_BAD_DATASIZE;
	d->payload = TPM_PT_SEAL;
	memcpy(d->proof, s->pd.tpm_proof, TPM_SECRET_SIZE);
	tb_init_write(&b, raw, sizeof(raw));
	if (stored_data_digest(pub, pub_len, d->digest))
		rc = TPM_FAIL;
	else if (tpm_sealed_data_put(&b, d))
		rc = TPM_BAD_DATASIZE;
	/* Step 16: s3 = OAEP encryption of S2. */
	else if (tpm_rsa_oaep_encrypt(k->rsa, b.data, b.len, enc, sizeof(enc),
				      &enc_len))
		rc = TPM_ENCRYPT_ERROR;
	/* Steps 18-19 */
	else if (tb_put_sized(out, enc, (uint32_t)enc_len))
		rc = TPM_SIZE;
	tpm_wipe(raw, sizeof(raw));
	return rc;
}

/*
 * Part 3, 10.1 / 10.7 steps 1-4: the key @handle, authorized by an OSAP
 * (or DSAP) session, since step 12 needs ADIP; data to seal; and a
 * non-migratable storage key.
 */
static TPM_RESULT seal_key_get(struct tpm_cmd *c, uint32_t handle,
			       uint32_t data_len, struct tpm_key **k)
{
	TPM_RESULT rc;

	rc = tpm_key_lookup(c->s, handle, k);
	if (!rc)
		rc = tpm_auth_require_osap(c, 0);
	/* Step 1: authorization to use the key. */
	if (!rc)
		rc = tpm_key_authorize(c, 0, *k);
	if (rc)
		return rc;
	/* Step 2 */
	if (data_len == 0)
		return TPM_BAD_PARAMETER;
	/* Steps 3-4 */
	if ((*k)->usage != TPM_KEY_STORAGE ||
	    ((*k)->flags & TPM_KEY_FLAG_MIGRATABLE))
		return TPM_INVALID_KEYUSAGE;
	return TPM_SUCCESS;
}

/* Part 3, 10.1 TPM_Seal */
TPM_RESULT tpm_cmd_seal(struct tpm_cmd *c, struct tpm_buf *in,
			struct tpm_buf *out)
{
	struct tpm_state *s = c->s;
	uint8_t enc_auth[TPM_SECRET_SIZE];
	struct tpm_sealed_data d = { 0 };
	struct tpm_pcr_info pi;
	struct tpm_key *k;
	uint32_t handle;
	size_t start;
	bool v12;
	TPM_RESULT rc;

	if (tb_get_u32(in, &handle) ||
	    tb_get_bytes(in, enc_auth, TPM_SECRET_SIZE))
		return TPM_BAD_PARAM_SIZE;
	/* Step 5: the form of pcrInfo picks the form of the blob. */
	v12 = pcr_info_is_long(in);
	rc = tpm_pcr_info_get_sized(in, v12, &pi);
	/* Step 11.a.i/11.b.i: an invalid pcrInfo is TPM_BADINDEX. */
	if (rc && rc != TPM_BAD_PARAM_SIZE)
		return TPM_BADINDEX;
	if (rc)
		return rc;
	if (tb_get_sized(in, &d.data, &d.data_len, UINT32_MAX) ||
	    tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Steps 1-4 */
	rc = seal_key_get(c, handle, d.data_len, &k);
	if (rc)
		return rc;
	/* Step 11 */
	rc = seal_pcr_info(s, &pi);
	if (rc)
		return rc;
	/* Steps 12-13: a1, the blob's secret; any value is valid. */
	rc = tpm_auth_decrypt(c, 0, enc_auth, d.auth, false);
	if (rc)
		return rc;
	/* Steps 6-10, then 14-20: public part, then the encrypted S2. */
	start = out->len;
	if (stored_data_put_public(out, v12, 0, &pi))
		rc = TPM_SIZE;
	else
		rc = seal_encrypt(s, k, &d, out->data + start,
				  out->len - start, out);
	/* Step 17: the OSAP session ends (its nonces protected a1). */
	c->terminate[0] = true;
	tpm_wipe(d.auth, sizeof(d.auth));
	return rc;
}

/*
 * The Sealx payload encryption (Part 3, 10.7 steps 13-14 and 10.2 step
 * 9.c-d), its own inverse: with scheme TPM_ET_XOR, XOR with
 * MGF1(nonceEven || nonceOdd || "XOR" || sharedSecret); with
 * TPM_ET_AES128_CTR, AES-128-CTR keyed by the shared secret with counter
 * SHA-1(nonceEven || nonceOdd).  nonceEven is the session's last one, the
 * value the caller saw.
 */
static TPM_RESULT seal_session_crypt(const struct tpm_session *sess,
				     uint8_t scheme, const uint8_t *odd,
				     const uint8_t *in, uint8_t *out,
				     uint32_t n)
{
	uint8_t seed[2 * TPM_NONCE_SIZE + 3 + TPM_SECRET_SIZE];
	uint8_t iv[TPM_DIGEST_SIZE];
	TPM_RESULT rc = TPM_SUCCESS;
	uint32_t i;

	if (scheme == TPM_ET_XOR) {
		memcpy(seed, sess->nonce_even, TPM_NONCE_SIZE);
		memcpy(seed + TPM_NONCE_SIZE, odd, TPM_NONCE_SIZE);
		memcpy(seed + 2 * TPM_NONCE_SIZE, "XOR", 3);
		memcpy(seed + 2 * TPM_NONCE_SIZE + 3, sess->shared_secret,
		       TPM_SECRET_SIZE);
		if (tpm_mgf1_sha1(out, n, seed, sizeof(seed)))
			rc = TPM_FAIL;
		tpm_wipe(seed, sizeof(seed));
		for (i = 0; !rc && i < n; i++)
			out[i] ^= in[i];
		return rc;
	}
	if (scheme != TPM_ET_AES128_CTR)
		return TPM_BAD_MODE;
	if (tpm_sha1_v(iv, sess->nonce_even, (size_t)TPM_NONCE_SIZE, odd,
		       (size_t)TPM_NONCE_SIZE, NULL) ||
	    tpm_aes_ctr(sess->shared_secret, 16, iv, in, out, n))
		return TPM_FAIL;
	return TPM_SUCCESS;
}

/* Part 3, 10.7 step 9.a: a non-empty pcrInfo must be exactly one valid
 * TPM_PCR_INFO_LONG, else TPM_BADINDEX. */
static TPM_RESULT sealx_pcr_info(const struct tpm_state *s,
				 const uint8_t *p, uint32_t n,
				 struct tpm_pcr_info *pi)
{
	struct tpm_buf b;

	memset(pi, 0, sizeof(*pi));
	if (n == 0)
		return TPM_SUCCESS;
	tb_init_read(&b, p, n);
	if (tpm_pcr_info_get(&b, PCR_INFO_LONG, pi) || tb_expect_end(&b))
		return TPM_BADINDEX;
	/* Steps 9.b-h: validate, digestAtCreation, localityAtCreation. */
	return seal_pcr_info(s, pi);
}

/* Part 3, 10.7 TPM_Sealx */
TPM_RESULT tpm_cmd_sealx(struct tpm_cmd *c, struct tpm_buf *in,
			 struct tpm_buf *out)
{
	uint8_t enc_auth[TPM_SECRET_SIZE], o1[TPM_MAX_KEY_BYTES];
	const struct tpm_session *sess;
	struct tpm_sealed_data d = { 0 };
	const uint8_t *pcr, *data;
	struct tpm_pcr_info pi;
	struct tpm_key *k;
	uint32_t handle, pcr_len;
	uint16_t et;
	size_t start;
	TPM_RESULT rc;

	if (tb_get_u32(in, &handle) ||
	    tb_get_bytes(in, enc_auth, TPM_SECRET_SIZE) ||
	    tb_get_sized(in, &pcr, &pcr_len, TPM_MAX_COMMAND_SIZE) ||
	    tb_get_sized(in, &data, &d.data_len, UINT32_MAX) ||
	    tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Steps 1-4 */
	rc = seal_key_get(c, handle, d.data_len, &k);
	if (rc)
		return rc;
	/* Steps 5-9 */
	rc = sealx_pcr_info(c->s, pcr, pcr_len, &pi);
	if (rc)
		return rc;
	/* Step 11: a1; 11.a-b: et names the session's ADIP scheme, with
	 * TPM_ET_KEY added to XOR so that et is never 0 ("no encryption"). */
	rc = tpm_auth_decrypt(c, 0, enc_auth, d.auth, false);
	if (rc)
		return rc;
	sess = c->sess[0];
	et = (sess->entity_type >> 8) == TPM_ET_XOR ?
	     (uint16_t)(TPM_ET_XOR | TPM_ET_KEY) :
	     (uint16_t)(sess->entity_type & 0xFF00);
	/* Step 16 bounds the data by the key; o1 holds at most that. */
	if (d.data_len > sizeof(o1)) {
		rc = TPM_BAD_DATASIZE;
		goto out;
	}
	/* Steps 13-14: o1, the caller's plaintext. */
	rc = seal_session_crypt(sess, (uint8_t)(sess->entity_type >> 8),
				c->auth_in[0].nonce_odd, data, o1,
				d.data_len);
	if (rc)
		goto out;
	d.data = o1;
	/* Steps 15-20 and 21: public part, then the encrypted S2. */
	start = out->len;
	if (stored_data_put_public(out, true, et, &pi))
		rc = TPM_SIZE;
	else
		rc = seal_encrypt(c->s, k, &d, out->data + start,
				  out->len - start, out);
out:
	/* Step 18: the session ends. */
	c->terminate[0] = true;
	tpm_wipe(o1, sizeof(o1));
	tpm_wipe(d.auth, sizeof(d.auth));
	return rc;
}

/*
 * Part 3, 10.2 steps 5-6: decrypt encData of @sd with @k into @plain and
 * check it is a TPM_SEALED_DATA of this TPM made for exactly this blob.
 * Every failure is TPM_NOTSEALED_BLOB.
 */
static TPM_RESULT unseal_open(const struct tpm_state *s,
			      const struct tpm_key *k,
			      const struct stored_data *sd,
			      uint8_t plain[TPM_MAX_KEY_BYTES],
			      struct tpm_sealed_data *d)
{
	uint8_t digest[TPM_DIGEST_SIZE];
	struct tpm_buf b;
	size_t len;

	if (!k->rsa || tpm_rsa_oaep_decrypt(k->rsa, sd->enc, sd->enc_len,
					    plain, TPM_MAX_KEY_BYTES, &len))
		return TPM_NOTSEALED_BLOB;
	tb_init_read(&b, plain, len);
	if (tpm_sealed_data_get(&b, d) ||
	    tpm_memcmp_ct(d->proof, s->pd.tpm_proof, TPM_SECRET_SIZE) ||
	    stored_data_digest(sd->pub, sd->pub_len, digest) ||
	    tpm_memcmp_ct(d->digest, digest, TPM_DIGEST_SIZE) ||
	    d->payload != TPM_PT_SEAL)
		return TPM_NOTSEALED_BLOB;
	return TPM_SUCCESS;
}

/*
 * Part 3, 10.2 step 9: the blob asks for its secret to leave encrypted
 * under the parent's OSAP session (a TPM_Sealx blob, et != 0).
 */
static TPM_RESULT unseal_encrypt_output(struct tpm_cmd *c, uint16_t et,
					const struct tpm_sealed_data *d,
					uint8_t *o1)
{
	const struct tpm_session *sess;

	/* a-b: a parent session, OSAP or DSAP. */
	if (c->nauth != 2)
		return TPM_AUTHFAIL;
	sess = tpm_session_find(c->s, c->auth_in[0].handle);
	if (!sess || (sess->type != SESS_OSAP && sess->type != SESS_DSAP))
		return TPM_BAD_MODE;
	/* e */
	c->terminate[0] = true;
	/* c-d */
	return seal_session_crypt(sess, (uint8_t)(et >> 8),
				  c->auth_in[0].nonce_odd, d->data, o1,
				  d->data_len);
}

/* Part 3, 10.2 TPM_Unseal */
TPM_RESULT tpm_cmd_unseal(struct tpm_cmd *c, struct tpm_buf *in,
			  struct tpm_buf *out)
{
	uint8_t plain[TPM_MAX_KEY_BYTES], o1[TPM_MAX_KEY_BYTES];
	struct tpm_sealed_data d = { 0 };
	struct stored_data sd;
	const uint8_t *secret;
	struct tpm_key *k;
	uint32_t handle;
	TPM_RESULT rc;

	if (tb_get_u32(in, &handle))
		return TPM_BAD_PARAM_SIZE;
	rc = stored_data_get(in, &sd);
	if (rc)
		return rc;
	if (tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	rc = tpm_key_lookup(c->s, handle, &k);
	if (rc)
		return rc;
	/* Step 1: the parent's area comes first; a parent that needs no
	 * authorization (TPM_AUTH_NEVER) may come without one (AUTH1), and
	 * tpm_key_authorize() then takes the missing area (index nauth) and
	 * checks only its PCRs. */
	if (c->nauth < 2 && k->auth_usage != TPM_AUTH_NEVER)
		return TPM_AUTHFAIL;
	rc = tpm_key_authorize(c, c->nauth == 2 ? 0 : c->nauth, k);
	if (rc)
		return rc;
	/* Steps 2-3: a non-migratable storage key. */
	if (k->usage != TPM_KEY_STORAGE || (k->flags & TPM_KEY_FLAG_MIGRATABLE))
		return TPM_INVALID_KEYUSAGE;
	/* Steps 5-6 */
	rc = unseal_open(c->s, k, &sd, plain, &d);
	/* Step 7: PCRs and locality of release. */
	if (!rc)
		rc = tpm_pcr_info_check_release(c->s, &sd.pcr);
	/* Step 8: the data's own authorization (last area). */
	if (!rc)
		rc = tpm_auth_check(c, c->nauth - 1, TPM_ET_DATA, 0, d.auth);
	/* Steps 9-11 */
	secret = d.data;
	if (!rc && sd.v12 && sd.et) {
		rc = unseal_encrypt_output(c, sd.et, &d, o1);
		secret = o1;
	}
	if (!rc && tb_put_sized(out, secret, d.data_len))
		rc = TPM_SIZE;
	tpm_wipe(plain, sizeof(plain));
	tpm_wipe(o1, sizeof(o1));
	tpm_wipe(&d, sizeof(d));
	return rc;
}

/* Part 3, 10.3 step 4: decrypt with the key's encryption scheme. */
static TPM_RESULT unbind_decrypt(const struct tpm_key *k, const uint8_t *in,
				 uint32_t n, uint8_t plain[TPM_MAX_KEY_BYTES],
				 size_t *len)
{
	int err;

	if (!k->rsa)
		return TPM_FAIL;
	switch (k->parms.enc_scheme) {
	case TPM_ES_RSAESOAEP_SHA1_MGF1:
		err = tpm_rsa_oaep_decrypt(k->rsa, in, n, plain,
					   TPM_MAX_KEY_BYTES, len);
		break;
	case TPM_ES_RSAESPKCSv15:
		err = tpm_rsa_pkcs1_decrypt(k->rsa, in, n, plain,
					    TPM_MAX_KEY_BYTES, len);
		break;
	default:
		return TPM_INAPPROPRIATE_ENC;
	}
	return err ? TPM_DECRYPT_ERROR : TPM_SUCCESS;
}

/* TPM_BOUND_DATA (10.3 step 6.a): a 1.x version, payload TPM_PT_BIND,
 * then the data. */
static TPM_RESULT bound_data_get(struct tpm_buf *b, const uint8_t **data,
				 size_t *len)
{
	uint8_t payload;

	if (tb_skip(b, BOUND_DATA_HDR - 1) || tb_get_u8(b, &payload) ||
	    payload != TPM_PT_BIND)
		return TPM_INVALID_STRUCTURE;
	*data = tb_cursor(b);
	*len = tb_remaining(b);
	return TPM_SUCCESS;
}

/* Part 3, 10.3 TPM_UnBind */
TPM_RESULT tpm_cmd_unbind(struct tpm_cmd *c, struct tpm_buf *in,
			  struct tpm_buf *out)
{
	uint8_t plain[TPM_MAX_KEY_BYTES];
	const uint8_t *data, *res;
	struct tpm_key *k;
	struct tpm_buf b;
	uint32_t handle, n;
	size_t len;
	TPM_RESULT rc;

	if (tb_get_u32(in, &handle) ||
	    tb_get_sized(in, &data, &n, UINT32_MAX) || tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Step 1 */
	if (n == 0)
		return TPM_BAD_PARAMETER;
	/* Step 2 */
	rc = tpm_key_use(c, handle, &k);
	if (rc)
		return rc;
	/* Step 3 */
	if (k->usage != TPM_KEY_BIND && k->usage != TPM_KEY_LEGACY)
		return TPM_INVALID_KEYUSAGE;
	/* Step 4 */
	rc = unbind_decrypt(k, data, n, plain, &len);
	if (rc)
		return rc;
	res = plain;
	/* Step 5: a legacy key without OAEP carries raw data; step 6:
	 * everything else is a TPM_BOUND_DATA. */
	if (k->usage != TPM_KEY_LEGACY ||
	    k->parms.enc_scheme == TPM_ES_RSAESOAEP_SHA1_MGF1) {
		tb_init_read(&b, plain, len);
		rc = bound_data_get(&b, &res, &len);
	}
	if (!rc && tb_put_sized(out, res, (uint32_t)len))
		rc = TPM_SIZE;
	tpm_wipe(plain, sizeof(plain));
	return rc;
}
