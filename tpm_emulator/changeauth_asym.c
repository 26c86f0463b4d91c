// SPDX-License-Identifier: GPL-2.0
/*
 * The asymmetric authorization change protocol (Part 3, 27.4.1-27.4.2):
 * TPM_ChangeAuthAsymStart makes an ephemeral TPM_KEY_AUTHCHANGE key,
 * loaded in an ordinary key slot and certified by an identity key;
 * TPM_ChangeAuthAsymFinish takes the new secret encrypted under it and
 * changes a wrapped key's or sealed blob's secret (keys.c re-wraps it).
 */
#include "internal.h"

/* Part 2, 5.11 TPM_CHANGEAUTH_VALIDATE: newAuthSecret || n1. */
#define CHANGEAUTH_VALIDATE_SIZE	(TPM_SECRET_SIZE + TPM_NONCE_SIZE)
/* RSA key sizes are multiples of this many bits (as keys.c). */
#define EPH_BITS_STEP			16U

static const uint8_t struct_ver_11[4] = { 1, 1, 0, 0 };

/*
 * Part 3, 27.4.1 step 2: can this TPM make the ephemeral key of @p?  An
 * RSA key with the only scheme an authchange key has (Part 2, 5.8.1:
 * OAEP, no signature) and the default exponent; TPM_BAD_KEY_PROPERTY
 * otherwise.
 */
static TPM_RESULT eph_parms_check(const struct tpm_key_parms *p)
{
	if (p->algorithm != TPM_ALG_RSA || p->key_bits < TPM_RSA_MIN_BITS ||
	    p->key_bits > TPM_RSA_MAX_BITS || p->key_bits % EPH_BITS_STEP ||
	    p->enc_scheme != TPM_ES_RSAESOAEP_SHA1_MGF1 ||
	    p->sig_scheme != TPM_SS_NONE || p->exp_size != 0)
		return TPM_BAD_KEY_PROPERTY;
	return TPM_SUCCESS;
}

/* Part 2, 11.1 TPM_CERTIFY_INFO of the ephemeral key (27.4.1 step 6). */
static int eph_certify_info_put(struct tpm_buf *b, const struct tpm_key *k,
				const uint8_t anti_replay[TPM_NONCE_SIZE])
{
	uint8_t pub_digest[TPM_DIGEST_SIZE];
	struct tpm_pcr_info none = { .kind = PCR_INFO_NONE };

	/* pubkeyDigest is SHA-1 of the bare modulus (as CertifyKey). */
	if (tpm_sha1(k->n, k->n_len, pub_digest))
		return -1;
	if (tpm_struct_ver_put(b) || tb_put_u16(b, k->usage) ||
	    tb_put_u32(b, k->flags) || tb_put_u8(b, k->auth_usage) ||
	    tpm_key_parms_put(b, &k->parms) ||
	    tb_put_bytes(b, pub_digest, sizeof(pub_digest)) ||
	    tb_put_bytes(b, anti_replay, TPM_NONCE_SIZE) ||
	    tb_put_bool(b, k->parent_pcr_status) ||
	    tpm_pcr_info_put_sized(b, &none))
		return -1;
	return 0;
}

/* Part 3, 27.4.1 TPM_ChangeAuthAsymStart */
TPM_RESULT tpm_cmd_change_auth_asym_start(struct tpm_cmd *c,
					  struct tpm_buf *in,
					  struct tpm_buf *out)
{
	uint8_t anti_replay[TPM_NONCE_SIZE], digest[TPM_DIGEST_SIZE];
	struct tpm_key *id, *slot, eph;
	uint32_t id_handle;
	size_t start = out->len;
	TPM_RESULT rc;

	memset(&eph, 0, sizeof(eph));
	if (tb_get_u32(in, &id_handle) ||
	    tb_get_bytes(in, anti_replay, sizeof(anti_replay)))
		return TPM_BAD_PARAM_SIZE;
	rc = tpm_key_parms_get(in, &eph.parms, NULL);
	if (rc)
		return rc;
	if (tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;

	/* Step 1: authorization to use idHandle, an identity key. */
	rc = tpm_key_use(c, id_handle, &id);
	if (rc)
		return rc;
	if (id->usage != TPM_KEY_IDENTITY)
		return TPM_INVALID_KEYUSAGE;
	/* Steps 2-3 */
	rc = eph_parms_check(&eph.parms);
	if (rc)
		return rc;
	/* Step 4: k1, a volatile authchange key needing no authorization,
	 * in a slot of its own (ephHandle). */
	eph.usage = TPM_KEY_AUTHCHANGE;
	eph.flags = TPM_KEY_FLAG_IS_VOLATILE;
	eph.auth_usage = TPM_AUTH_NEVER;
	/* The key has no parent, so nothing vouches that no PCR-bound key
	 * was involved: parentPCRStatus is TRUE (as libtpms reports). */
	eph.parent_pcr_status = true;
	memcpy(eph.ver, struct_ver_11, sizeof(eph.ver));
	rc = tpm_key_slot_alloc(c->s, &slot);
	if (rc)
		return rc;
	if (tpm_key_generate(&eph)) {
		rc = TPM_FAIL;
		goto out;
	}
	/* Steps 6-7: certifyInfo, signed by idHandle. */
	rc = TPM_SIZE;
	if (eph_certify_info_put(out, &eph, anti_replay))
		goto out;
	rc = TPM_FAIL;
	if (tpm_sha1(out->data + start, out->len - start, digest))
		goto out;
	rc = tpm_key_sign_put(id, digest, sizeof(digest), out);
	if (rc)
		goto out;
	/* Step 5: ephHandle and tempKey, a TPM_KEY with no encData. */
	rc = TPM_SIZE;
	if (tb_put_u32(out, slot->handle) || tpm_key_put(out, &eph, NULL, 0))
		goto out;
	eph.handle = slot->handle;
	eph.valid = true;
	*slot = eph;
	tpm_wipe(&eph, sizeof(eph));
	return TPM_SUCCESS;
out:
	tpm_key_clear(&eph);
	return rc;
}

/* What ChangeAuthAsymFinish checks the entity's current secret against. */
struct asym_link {
	const uint8_t *new_auth_link;
	const uint8_t *new_secret;
};

/* Part 3, 27.4.2 steps 5-6: b1 = HMAC(currentAuth, newAuthSecret) must be
 * newAuthLink; TPM_AUTHFAIL otherwise. */
static TPM_RESULT asym_link_verify(struct tpm_cmd *c, uint16_t et,
				   const uint8_t cur[TPM_SECRET_SIZE],
				   const void *arg)
{
	const struct asym_link *l = arg;
	uint8_t b1[TPM_DIGEST_SIZE];
	int bad;

	(void)c;
	(void)et;
	if (tpm_hmac_sha1_v(cur, TPM_SECRET_SIZE, b1, l->new_secret,
			    (size_t)TPM_SECRET_SIZE, NULL))
		return TPM_FAIL;
	bad = tpm_memcmp_ct(b1, l->new_auth_link, TPM_DIGEST_SIZE);
	tpm_wipe(b1, sizeof(b1));
	return bad ? TPM_AUTHFAIL : TPM_SUCCESS;
}

/* Part 3, 27.4.2 step 4: a1, the TPM_CHANGEAUTH_VALIDATE under the
 * ephemeral key; anything else is TPM_DECRYPT_ERROR. */
static TPM_RESULT asym_validate_get(const struct tpm_key *eph,
				    const uint8_t *enc, uint32_t n,
				    uint8_t a1[CHANGEAUTH_VALIDATE_SIZE])
{
	uint8_t plain[TPM_MAX_KEY_BYTES];
	size_t len;
	TPM_RESULT rc = TPM_SUCCESS;

	if (!eph->rsa || tpm_rsa_oaep_decrypt(eph->rsa, enc, n, plain,
					      sizeof(plain), &len) ||
	    len != CHANGEAUTH_VALIDATE_SIZE)
		rc = TPM_DECRYPT_ERROR;
	else
		memcpy(a1, plain, CHANGEAUTH_VALIDATE_SIZE);
	tpm_wipe(plain, sizeof(plain));
	return rc;
}

/* Part 3, 27.4.2 TPM_ChangeAuthAsymFinish */
TPM_RESULT tpm_cmd_change_auth_asym_finish(struct tpm_cmd *c,
					   struct tpm_buf *in,
					   struct tpm_buf *out)
{
	uint8_t link[TPM_DIGEST_SIZE], a1[CHANGEAUTH_VALIDATE_SIZE];
	uint8_t salt[TPM_NONCE_SIZE], proof[TPM_DIGEST_SIZE];
	uint32_t parent_handle, eph_handle, nlen, elen;
	const uint8_t *enc_new, *enc;
	struct tpm_key *parent, *eph;
	struct asym_link l = { link, a1 };
	uint16_t et;
	TPM_RESULT rc;

	if (tb_get_u32(in, &parent_handle) || tb_get_u32(in, &eph_handle) ||
	    tb_get_u16(in, &et) || tb_get_bytes(in, link, sizeof(link)) ||
	    tb_get_sized(in, &enc_new, &nlen, TPM_MAX_KEY_BYTES) ||
	    tb_get_sized(in, &enc, &elen, TPM_MAX_KEY_BYTES) ||
	    tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;

	rc = tpm_key_lookup(c->s, parent_handle, &parent);
	if (!rc)
		rc = tpm_key_lookup(c->s, eph_handle, &eph);
	if (rc)
		return rc;
	/* Step 1: authorization to use the parent. */
	rc = tpm_key_authorize(c, 0, parent);
	if (rc)
		return rc;
	/* Step 2: encData of a TPM_KEY or of sealed data, under a storage
	 * key (as TPM_ChangeAuth, 17.1 steps 1 and 8). */
	if (et != TPM_ET_KEY && et != TPM_ET_DATA)
		return TPM_WRONG_ENTITYTYPE;
	if (parent->usage != TPM_KEY_STORAGE ||
	    eph->usage != TPM_KEY_AUTHCHANGE)
		return TPM_INVALID_KEYUSAGE;
	/* Step 4 */
	rc = asym_validate_get(eph, enc_new, nlen, a1);
	/* Steps 3, 5-8: decrypt e1, check newAuthLink, change, re-wrap. */
	if (!rc)
		rc = tpm_entity_change_auth(c, parent, et, enc, elen, a1,
					    asym_link_verify, &l, out);
	/* Steps 9-10: saltNonce, changeProof = HMAC(newAuthSecret,
	 * saltNonce || n1). */
	if (!rc && (tpm_rand(salt, sizeof(salt)) ||
		    tpm_hmac_sha1_v(a1, TPM_SECRET_SIZE, proof, salt,
				    sizeof(salt), a1 + TPM_SECRET_SIZE,
				    (size_t)TPM_NONCE_SIZE, NULL)))
		rc = TPM_FAIL;
	if (!rc && (tb_put_bytes(out, salt, sizeof(salt)) ||
		    tb_put_bytes(out, proof, sizeof(proof))))
		rc = TPM_SIZE;
	/* Step 11: the ephemeral key has served its purpose. */
	if (!rc) {
		tpm_sessions_invalidate_entity(c->s, TPM_ET_KEYHANDLE,
					       eph->handle);
		tpm_key_clear(eph);
	}
	tpm_wipe(a1, sizeof(a1));
	return rc;
}
