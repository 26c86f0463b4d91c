// SPDX-License-Identifier: GPL-2.0
/*
 * Attestation identities (Part 3, 15): TPM_MakeIdentity creates an identity
 * key under the SRK and signs its binding; TPM_ActivateIdentity releases a
 * privacy CA's session key encrypted to the EK.  No state is kept here.
 */
#include <errno.h>

#include "internal.h"

/* Part 3, 15.1 step 1.a: identity keys are RSA of (at least) 2048 bits;
 * 2048 is also the largest key this TPM makes. */
#define IDENTITY_KEY_BITS	2048U
/* TPM_IDENTITY_CONTENTS (Part 2, 12.5): ver, ordinal, labelPrivCADigest
 * and a TPM_PUBKEY (parms of at most 32 bytes, 4-byte size, modulus). */
#define IDENTITY_CONTENTS_MAX	(4 + 4 + TPM_DIGEST_SIZE + 32 + 4 + \
				 TPM_MAX_KEY_BYTES)

/* Part 2, 11.x TPM_SYMMETRIC_KEY; data points into the decrypted blob. */
struct sym_key {
	uint32_t alg_id;
	uint16_t enc_scheme;
	uint16_t size;
	const uint8_t *data;
};

/*
 * Authorize key @k by the first of two areas; a TPM_AUTH_NEVER key may
 * come without its area (AUTH1), and tpm_key_authorize() then takes the
 * missing area (index nauth) and checks only the key's PCRs.
 */
static TPM_RESULT key_authorize_first(struct tpm_cmd *c,
				      const struct tpm_key *k)
{
	if (c->nauth < 2 && k->auth_usage != TPM_AUTH_NEVER)
		return TPM_AUTHFAIL;
	return tpm_key_authorize(c, c->nauth == 2 ? 0 : c->nauth, k);
}

/* Part 3, 15.1 step 1: the key sizes and options this TPM makes. */
static TPM_RESULT identity_params_check(const struct tpm_state *s,
					const struct tpm_key *k)
{
	/* a: 2048-bit RSA with the default exponent (parms are RSA). */
	if (k->parms.key_bits != IDENTITY_KEY_BITS || k->parms.exp_size)
		return TPM_BAD_KEY_PROPERTY;
	/* d: no authorization-free identities in FIPS mode. */
	if (s->pf.fips && k->auth_usage == TPM_AUTH_NEVER)
		return TPM_NOTFIPS;
	return TPM_SUCCESS;
}

/*
 * Part 3, 15.1 steps 9-16: generate the identity key described by @k
 * (whose usageAuth is already set), bind it to this TPM and write it,
 * wrapped under the SRK, to @out.
 */
static TPM_RESULT identity_key_create(struct tpm_state *s, struct tpm_key *k,
				      struct tpm_buf *out)
{
	TPM_RESULT rc;

	/* Step 10: digestAtCreation (and the locality for INFO_LONG). */
	rc = tpm_pcr_info_set_creation(s, &k->pcr);
	if (rc)
		return rc;
	/* Steps 11-13: the key pair; the public part is idKey's. */
	if (tpm_key_generate(k))
		return TPM_FAIL;
	/* Step 14: migrationAuth = tpmProof marks it non-migratable. */
	memcpy(k->migration_auth, s->pd.tpm_proof, TPM_SECRET_SIZE);
	/* Steps 15-16: TPM_PT_ASYM payload encrypted under the SRK. */
	return tpm_key_wrap(s, &s->pd.srk, k, out);
}

/*
 * Part 3, 15.1 steps 17-18: identityBinding, the signature with @k over
 * TPM_IDENTITY_CONTENTS (1.1.0.0, TPM_ORD_MakeIdentity,
 * labelPrivCADigest, TPM_PUBKEY of @k), as sized bytes.
 */
static TPM_RESULT identity_binding_put(const struct tpm_key *k,
				       const uint8_t label[TPM_DIGEST_SIZE],
				       struct tpm_buf *out)
{
	uint8_t raw[IDENTITY_CONTENTS_MAX], digest[TPM_DIGEST_SIZE];
	struct tpm_buf b;

	tb_init_write(&b, raw, sizeof(raw));
	if (tpm_struct_ver_put(&b) || tb_put_u32(&b, TPM_ORD_MakeIdentity) ||
	    tb_put_bytes(&b, label, TPM_DIGEST_SIZE) || tpm_pubkey_put(&b, k) ||
	    tpm_sha1(b.data, b.len, digest))
		return TPM_FAIL;
	/* The key's scheme is TPM_SS_RSASSAPKCS1v15_SHA1 (checked). */
	return tpm_key_sign_put(k, digest, sizeof(digest), out);
}

/* Part 3, 15.1 TPM_MakeIdentity */
TPM_RESULT tpm_cmd_make_identity(struct tpm_cmd *c, struct tpm_buf *in,
				 struct tpm_buf *out)
{
	struct tpm_state *s = c->s;
	uint8_t enc_auth[TPM_SECRET_SIZE], label[TPM_DIGEST_SIZE];
	/* The owner's area is the last one; the SRK's, if any, first. */
	unsigned int owner = c->nauth - 1, i;
	struct tpm_key k;
	TPM_RESULT rc;

	memset(&k, 0, sizeof(k));
	if (tb_get_bytes(in, enc_auth, TPM_SECRET_SIZE) ||
	    tb_get_bytes(in, label, TPM_DIGEST_SIZE))
		return TPM_BAD_PARAM_SIZE;
	rc = tpm_key_get(in, &k, NULL, NULL);
	if (rc)
		return rc;
	if (tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	if (!s->pf.owner_installed)
		return TPM_NOSRK;
	/* Step 1 */
	rc = identity_params_check(s, &k);
	if (rc)
		return rc;
	/* Step 2: the owner, by OSAP (its session carries identityAuth). */
	rc = tpm_auth_require_osap(c, owner);
	if (!rc)
		rc = tpm_auth_check(c, owner, TPM_ET_OWNER, TPM_KH_OWNER,
				    s->pd.owner_auth);
	if (rc)
		return rc;
	/* Step 3: the SRK; one that needs no authorization may come without
	 * an area (AUTH1; see tpm_cmd_unseal()). */
	rc = key_authorize_first(c, &s->pd.srk);
	if (rc)
		return rc;
	/* Steps 4-5: a non-migratable identity key... */
	if (k.usage != TPM_KEY_IDENTITY || (k.flags & TPM_KEY_FLAG_MIGRATABLE))
		return TPM_INVALID_KEYUSAGE;
	/* ...which signs (step 18) with SHA1 and encrypts nothing (1.c). */
	if (k.parms.sig_scheme != TPM_SS_RSASSAPKCS1v15_SHA1 ||
	    k.parms.enc_scheme != TPM_ES_NONE)
		return TPM_BAD_KEY_PROPERTY;
	/* Step 6: a1, the new key's usageAuth. */
	rc = tpm_auth_decrypt(c, owner, enc_auth, k.usage_auth, false);
	if (rc)
		return rc;
	/* Step 7: both sessions end. */
	for (i = 0; i < c->nauth; i++)
		c->terminate[i] = true;
	/* Steps 9-18: idKey, then identityBinding. */
	rc = identity_key_create(s, &k, out);
	if (!rc)
		rc = identity_binding_put(&k, label, out);
	tpm_key_clear(&k);
	return rc;
}

static int sym_key_get(struct tpm_buf *b, struct sym_key *k)
{
	if (tb_get_u32(b, &k->alg_id) || tb_get_u16(b, &k->enc_scheme) ||
	    tb_get_sized16(b, &k->data, &k->size, UINT16_MAX))
		return -EBADMSG;
	return 0;
}

static int sym_key_put(struct tpm_buf *b, const struct sym_key *k)
{
	if (tb_put_u32(b, k->alg_id) || tb_put_u16(b, k->enc_scheme) ||
	    tb_put_sized16(b, k->data, k->size))
		return -ENOSPC;
	return 0;
}

/*
 * Part 3, 15.2 step 8: a TPM_EK_BLOB of type TPM_EK_TYPE_ACTIVATE holding
 * a TPM_EK_BLOB_ACTIVATE (tag, sessionKey, idDigest, pcrInfo as
 * TPM_PCR_INFO_SHORT) for the identity key with digest @h1.
 */
static TPM_RESULT ek_blob_activate_get(const struct tpm_state *s,
				       struct tpm_buf *b,
				       const uint8_t h1[TPM_DIGEST_SIZE],
				       struct sym_key *k1)
{
	uint8_t id_digest[TPM_DIGEST_SIZE];
	uint16_t tag, ek_type;
	struct tpm_pcr_info pi;
	const uint8_t *p;
	struct tpm_buf a;
	uint32_t n;

	if (tb_get_u16(b, &tag) || tb_get_u16(b, &ek_type) ||
	    tb_get_sized(b, &p, &n, UINT32_MAX) || tb_expect_end(b))
		return TPM_BAD_PARAMETER;
	/* a */
	if (ek_type != TPM_EK_TYPE_ACTIVATE)
		return TPM_BAD_TYPE;
	/* b */
	tb_init_read(&a, p, n);
	if (tb_get_u16(&a, &tag) || tag != TPM_TAG_EK_BLOB_ACTIVATE ||
	    sym_key_get(&a, k1) ||
	    tb_get_bytes(&a, id_digest, TPM_DIGEST_SIZE) ||
	    tpm_pcr_info_get(&a, PCR_INFO_SHORT, &pi) || tb_expect_end(&a))
		return TPM_BAD_PARAMETER;
	/* c */
	if (tpm_memcmp_ct(id_digest, h1, TPM_DIGEST_SIZE))
		return TPM_BAD_PARAMETER;
	/* d-e: the PCRs, when any are selected, and the locality, when one
	 * is named (0 names none). */
	if (!pi.locality_at_release)
		pi.locality_at_release = TPM_LOC_ALL;
	return tpm_pcr_info_check_release(s, &pi);
}

/*
 * Part 3, 15.2 steps 6-8: B1 is a TPM_EK_BLOB (by its tag) or else a 1.1
 * TPM_ASYM_CA_CONTENTS (sessionKey, idDigest).  Malformed contents are
 * TPM_BAD_PARAMETER, like a wrong idDigest.
 */
static TPM_RESULT activate_blob_get(const struct tpm_state *s,
				    struct tpm_buf *b,
				    const uint8_t h1[TPM_DIGEST_SIZE],
				    struct sym_key *k1)
{
	uint8_t id_digest[TPM_DIGEST_SIZE];
	struct tpm_buf peek = *b;
	uint16_t tag;

	if (!tb_get_u16(&peek, &tag) && tag == TPM_TAG_EK_BLOB)
		return ek_blob_activate_get(s, b, h1, k1);
	/* Step 7 */
	if (sym_key_get(b, k1) ||
	    tb_get_bytes(b, id_digest, TPM_DIGEST_SIZE) || tb_expect_end(b) ||
	    tpm_memcmp_ct(id_digest, h1, TPM_DIGEST_SIZE))
		return TPM_BAD_PARAMETER;
	return TPM_SUCCESS;
}

/* Part 3, 15.2 TPM_ActivateIdentity */
TPM_RESULT tpm_cmd_activate_identity(struct tpm_cmd *c, struct tpm_buf *in,
				     struct tpm_buf *out)
{
	struct tpm_state *s = c->s;
	uint8_t h1[TPM_DIGEST_SIZE], plain[TPM_MAX_KEY_BYTES];
	const uint8_t *blob;
	struct sym_key k1;
	struct tpm_key *k;
	struct tpm_buf b;
	uint32_t handle, n;
	size_t len;
	TPM_RESULT rc;

	if (tb_get_u32(in, &handle) ||
	    tb_get_sized(in, &blob, &n, UINT32_MAX) || tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	if (!s->pf.owner_installed)
		return TPM_NOSRK;
	/* Step 1: the owner (last area). */
	rc = tpm_auth_check(c, c->nauth - 1, TPM_ET_OWNER, TPM_KH_OWNER,
			    s->pd.owner_auth);
	if (rc)
		return rc;
	/* Step 2: the identity key (first area, unless it needs none). */
	rc = tpm_key_lookup(s, handle, &k);
	if (!rc)
		rc = key_authorize_first(c, k);
	if (rc)
		return rc;
	/* Step 3 */
	if (k->usage != TPM_KEY_IDENTITY)
		return TPM_BAD_PARAMETER;
	/* Step 4: H1 = SHA1(TPM_PUBKEY of the identity key). */
	if (tpm_pubkey_digest(k, h1))
		return TPM_FAIL;
	/* Step 5: B1 = OAEP decryption of blob with the EK. */
	if (!s->pd.ek.valid || !s->pd.ek.rsa)
		return TPM_NO_ENDORSEMENT;
	if (tpm_rsa_oaep_decrypt(s->pd.ek.rsa, blob, n, plain, sizeof(plain),
				 &len))
		return TPM_DECRYPT_ERROR;
	/* Steps 6-9 */
	tb_init_read(&b, plain, len);
	rc = activate_blob_get(s, &b, h1, &k1);
	if (!rc && sym_key_put(out, &k1))
		rc = TPM_SIZE;
	tpm_wipe(plain, sizeof(plain));
	return rc;
}
