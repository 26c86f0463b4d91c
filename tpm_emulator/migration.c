// SPDX-License-Identifier: GPL-2.0
/*
 * Key migration (Part 3, 11): TPM_AuthorizeMigrationKey, the two halves of
 * a migration (CreateMigrationBlob on the source TPM, ConvertMigrationBlob
 * on the destination) and TPM_MigrateKey for migration authorities.  Owns
 * the TPM_MIGRATIONKEYAUTH format and the migration blob that carries K1
 * and migrationAuth in a seeded OAEP encoding (Part 3, 11.2 step 5; the
 * encoding is crypto.c's, TPM_MIGRATE_ASYMKEY marshal_struct.c's).
 * Loading keys stays keys.c's; this file only re-encrypts.
 */
#include <errno.h>

#include "internal.h"
#include "migration.h"

/* The key under @k, with a privKey long enough to give K1 (migration.h). */
TPM_RESULT tpm_mig_decrypt_asymkey(const struct tpm_key *k,
				   const uint8_t *enc, uint32_t elen,
				   struct tpm_store_asymkey *a)
{
	TPM_RESULT rc;

	rc = tpm_store_asymkey_decrypt(k, enc, elen, a);
	/* K1 includes privKey's size field; the prime itself must still be
	 * at least MIG_K1_SIZE bytes. */
	if (!rc && a->priv_len - 4U < MIG_K1_SIZE)
		rc = TPM_INVALID_STRUCTURE;
	return rc;
}

/* OAEP-encrypt @len bytes under @k and write u32 size || blob to @out. */
static TPM_RESULT encrypt_put(const struct tpm_key *k, const uint8_t *plain,
			      size_t len, struct tpm_buf *out)
{
	uint8_t enc[TPM_MAX_KEY_BYTES];
	size_t elen;

	if (!k->rsa || tpm_rsa_oaep_encrypt(k->rsa, plain, len, enc,
					    sizeof(enc), &elen))
		return TPM_ENCRYPT_ERROR;
	return tb_put_sized(out, enc, (uint32_t)elen) ? TPM_SIZE : TPM_SUCCESS;
}

TPM_RESULT tpm_mig_asymkey_encrypt_put(const struct tpm_key *k,
				       const struct tpm_store_asymkey *a,
				       struct tpm_buf *out)
{
	uint8_t enc[TPM_MAX_KEY_BYTES];
	TPM_RESULT rc;
	size_t elen;

	rc = tpm_store_asymkey_encrypt(k, a, enc, &elen);
	if (!rc && tb_put_sized(out, enc, (uint32_t)elen))
		rc = TPM_SIZE;
	return rc;
}

/* A TPM_PUBKEY into @m->key, remembering its bytes as sent. */
static TPM_RESULT mig_pubkey_get(struct tpm_buf *in,
				 struct tpm_mig_key_auth *m)
{
	size_t start = in->pos;
	TPM_RESULT rc;

	rc = tpm_pubkey_get(in, &m->key);
	m->pub = in->data + start;
	m->pub_len = in->pos - start;
	return rc;
}

/* Part 2, 5.7: TPM_MIGRATIONKEYAUTH (migration.h). */
TPM_RESULT tpm_mig_key_auth_get(struct tpm_buf *in,
				struct tpm_mig_key_auth *m)
{
	TPM_RESULT rc;

	rc = mig_pubkey_get(in, m);
	if (rc)
		return rc;
	if (tb_get_u16(in, &m->scheme) ||
	    tb_get_bytes(in, m->digest, TPM_DIGEST_SIZE))
		return TPM_BAD_PARAM_SIZE;
	return TPM_SUCCESS;
}

/* Part 3, 11.1 steps 7-8: SHA-1(migrationKey || scheme || tpmProof). */
int tpm_mig_key_auth_digest(const struct tpm_state *s,
			    const struct tpm_mig_key_auth *m,
			    uint8_t out[TPM_DIGEST_SIZE])
{
	uint8_t scheme[2];

	tb_wr_be16(scheme, m->scheme);
	return tpm_sha1_v(out, m->pub, m->pub_len, scheme, sizeof(scheme),
			  s->pd.tpm_proof, (size_t)TPM_SECRET_SIZE, NULL);
}

/*
 * Part 3, 11.2 step 5 (TPM_MS_MIGRATE): split TPM_STORE_PRIVKEY into K1
 * (the OAEP seed) and K2 (in TPM_MIGRATE_ASYMKEY), carry migrationAuth as
 * pHash, XOR o1 with a random string r1, encrypt under the migration key.
 * @payload is TPM_PT_MIGRATE (CMK_CreateBlob passes TPM_PT_CMK_MIGRATE).
 */
TPM_RESULT tpm_mig_blob_put(const struct tpm_key *mig_key,
			    const struct tpm_store_asymkey *d1,
			    uint8_t payload, struct tpm_buf *out)
{
	uint8_t m1[TPM_MIGRATE_ASYMKEY_FIXED + TPM_STORE_PRIVKEY_MAX];
	uint8_t o1[MIG_O1_MAX], r1[MIG_O1_MAX];
	struct tpm_migrate_asymkey m = {
		.payload = payload,
		.part_priv = d1->priv + MIG_K1_SIZE,
		.part_priv_len = d1->priv_len - MIG_K1_SIZE,
	};
	struct tpm_buf b;
	TPM_RESULT rc = TPM_FAIL;
	size_t len, i;

	/* Step 5b: M1 = TPM_MIGRATE_ASYMKEY with K2. */
	memcpy(m.usage_auth, d1->usage_auth, TPM_SECRET_SIZE);
	memcpy(m.pub_digest, d1->pub_digest, TPM_DIGEST_SIZE);
	tb_init_write(&b, m1, sizeof(m1));
	if (tpm_migrate_asymkey_put(&b, &m))
		goto out;
	/* Step 5c: o1 = OAEP(M1, pHash = migrationAuth, seed = K1). */
	len = TPM_OAEP_SEEDED_OVERHEAD + b.len;
	if (len > sizeof(o1) ||
	    tpm_oaep_encode_seeded(o1, len, m1, b.len, d1->migration_auth,
				   d1->priv))
		goto out;
	/* Steps 5d-e: r1 random, x1 = o1 XOR r1. */
	if (tpm_rand(r1, len))
		goto out;
	for (i = 0; i < len; i++)
		o1[i] ^= r1[i];
	/* Step 5f-g: random = r1, outData = OAEP(migrationKey, x1). */
	rc = TPM_SIZE;
	if (tb_put_sized(out, r1, (uint32_t)len))
		goto out;
	rc = encrypt_put(mig_key, o1, len, out);
out:
	tpm_wipe(&m, sizeof(m));
	tpm_wipe(m1, sizeof(m1));
	tpm_wipe(o1, sizeof(o1));
	tpm_wipe(r1, sizeof(r1));
	return rc;
}

/* Part 3, 11.1 TPM_AuthorizeMigrationKey */
TPM_RESULT tpm_cmd_authorize_migration_key(struct tpm_cmd *c,
					   struct tpm_buf *in,
					   struct tpm_buf *out)
{
	struct tpm_mig_key_auth m;
	TPM_RESULT rc;

	memset(&m, 0, sizeof(m));
	rc = tb_get_u16(in, &m.scheme) ? TPM_BAD_PARAM_SIZE :
					  mig_pubkey_get(in, &m);
	if (!rc && tb_expect_end(in))
		rc = TPM_BAD_PARAM_SIZE;
	if (rc)
		goto out;

	/* Step 2: the owner authorizes. */
	rc = tpm_auth_owner(c);
	if (rc)
		goto out;
	/* Step 1: at least the strength of RSA-2048. */
	rc = TPM_BAD_KEY_PROPERTY;
	if (m.key.parms.algorithm != TPM_ALG_RSA ||
	    m.key.parms.key_bits < MIG_KEY_MIN_BITS)
		goto out;
	/* Step 4: the migration key encrypts with OAEP. */
	rc = TPM_INAPPROPRIATE_ENC;
	if (m.key.parms.enc_scheme != TPM_ES_RSAESOAEP_SHA1_MGF1)
		goto out;
	/* Part 3, 11.1 checks no scheme here: an unknown one is refused
	 * by CreateMigrationBlob (libtpms agrees). */
	/* Steps 3, 5-10: migrationKey || scheme || digest. */
	rc = TPM_FAIL;
	if (tpm_mig_key_auth_digest(c->s, &m, m.digest))
		goto out;
	rc = TPM_SIZE;
	if (tb_put_bytes(out, m.pub, m.pub_len) ||
	    tb_put_u16(out, m.scheme) ||
	    tb_put_bytes(out, m.digest, TPM_DIGEST_SIZE))
		goto out;
	rc = TPM_SUCCESS;
out:
	tpm_key_clear(&m.key);
	return rc;
}

/*
 * Part 3, 11.2 step 1: CreateMigrationBlob carries parentAuth and
 * entityAuth (AUTH2), or only entityAuth when the parent needs no
 * authorization (AUTH1).  Returns the index of entityAuth in *ent.
 */
static TPM_RESULT authorize_parent(struct tpm_cmd *c,
				   const struct tpm_key *parent,
				   unsigned int *ent)
{
	TPM_RESULT rc;

	if (c->nauth == 2) {
		*ent = 1;
		rc = tpm_key_authorize(c, 0, parent);
	} else {
		*ent = 0;
		/* No area for the parent: only a TPM_AUTH_NEVER parent (its
		 * PCR binding is still checked). */
		rc = tpm_key_authorize(c, c->nauth, parent);
		if (rc == TPM_AUTH2FAIL)
			rc = TPM_AUTHFAIL;
	}
	return rc;
}

/* Part 3, 11.2 steps 2-4: d1, the ticket, and the migration secret. */
static TPM_RESULT create_blob_check(struct tpm_cmd *c,
				    const struct tpm_key *parent,
				    unsigned int ent,
				    const struct tpm_mig_key_auth *m,
				    const uint8_t *enc, uint32_t elen,
				    struct tpm_store_asymkey *d1)
{
	uint8_t digest[TPM_DIGEST_SIZE];
	TPM_RESULT rc;

	if (parent->usage != TPM_KEY_STORAGE)
		return TPM_INVALID_KEYUSAGE;
	/* Step 2: decrypt the key's encData under the parent. */
	rc = tpm_mig_decrypt_asymkey(parent, enc, elen, d1);
	if (rc)
		return rc;
	/* Step 2a: a key this TPM wrapped for use (CMKs migrate only by
	 * CMK_CreateBlob). */
	if (d1->payload != TPM_PT_ASYM)
		return TPM_INVALID_KEYUSAGE;
	/* Step 3: the ticket was made by this TPM's owner for this key.
	 * Part 3 names no code; a forged ticket fails authorization, as in
	 * libtpms. */
	if (tpm_mig_key_auth_digest(c->s, m, digest))
		return TPM_FAIL;
	if (tpm_memcmp_ct(digest, m->digest, TPM_DIGEST_SIZE))
		return TPM_AUTHFAIL;
	/* Step 4: entityAuth proves knowledge of migrationAuth (a
	 * non-migratable key's is tpmProof, which nobody knows). */
	return tpm_auth_check(c, ent, TPM_ET_KEY, 0, d1->migration_auth);
}

/* Part 3, 11.2 TPM_CreateMigrationBlob */
TPM_RESULT tpm_cmd_create_migration_blob(struct tpm_cmd *c,
					 struct tpm_buf *in,
					 struct tpm_buf *out)
{
	struct tpm_store_asymkey d1;
	struct tpm_mig_key_auth m;
	struct tpm_key *parent;
	uint32_t handle, elen;
	const uint8_t *enc;
	unsigned int ent;
	uint16_t type;
	TPM_RESULT rc;

	memset(&m, 0, sizeof(m));
	memset(&d1, 0, sizeof(d1));
	rc = TPM_BAD_PARAM_SIZE;
	if (tb_get_u32(in, &handle) || tb_get_u16(in, &type))
		goto out;
	rc = tpm_mig_key_auth_get(in, &m);
	if (!rc && (tb_get_sized(in, &enc, &elen, TPM_MAX_KEY_BYTES) ||
		    tb_expect_end(in)))
		rc = TPM_BAD_PARAM_SIZE;
	if (rc)
		goto out;

	rc = tpm_key_lookup(c->s, handle, &parent);
	if (!rc)
		rc = authorize_parent(c, parent, &ent);
	if (!rc)
		rc = create_blob_check(c, parent, ent, &m, enc, elen, &d1);
	if (rc)
		goto out;
	/* migrationType selects the output; Part 3, 11.2 does not tie it to
	 * the ticket's scheme (libtpms does not either). */
	switch (type) {
	case TPM_MS_REWRAP:
		/* Step 6: d1 as it is under the migration key; no random. */
		rc = TPM_SIZE;
		if (!tb_put_u32(out, 0))
			rc = tpm_mig_asymkey_encrypt_put(&m.key, &d1, out);
		break;
	case TPM_MS_MIGRATE:
		/* Step 5 */
		rc = tpm_mig_blob_put(&m.key, &d1, TPM_PT_MIGRATE, out);
		break;
	default:
		/* Step 7: the restricted schemes belong to CMK_CreateBlob. */
		rc = TPM_BAD_PARAMETER;
		break;
	}
out:
	tpm_wipe(&d1, sizeof(d1));
	tpm_key_clear(&m.key);
	return rc;
}

/*
 * Part 3, 11.3 steps 3-7 (and 11.x CMK_ConvertMigration): inData
 * decrypted under @parent, XORed with @random, OAEP-decoded into a
 * TPM_MIGRATE_ASYMKEY of @payload, and reassembled into @d2.
 */
TPM_RESULT tpm_mig_blob_open(const struct tpm_key *parent,
			     const uint8_t *enc, uint32_t elen,
			     const uint8_t *random, uint32_t rlen,
			     uint8_t payload, struct tpm_store_asymkey *d2)
{
	struct tpm_migrate_asymkey m1;
	uint8_t o1[TPM_MAX_KEY_BYTES];
	struct tpm_buf b;
	size_t len, mlen, i;
	const uint8_t *m;
	TPM_RESULT rc;

	/* Step 3: d1 = decryption of inData under the parent. */
	rc = TPM_DECRYPT_ERROR;
	if (!parent->rsa || tpm_rsa_oaep_decrypt(parent->rsa, enc, elen, o1,
						 sizeof(o1), &len))
		goto out;
	/* Step 4: o1 = d1 XOR random. */
	rc = TPM_BAD_PARAMETER;
	if (rlen != len)
		goto out;
	for (i = 0; i < len; i++)
		o1[i] ^= random[i];
	/* Step 5: seed (K1), pHash (migrationAuth) and m1. */
	rc = TPM_DECRYPT_ERROR;
	if (tpm_oaep_decode_seeded(o1, len, &m, &mlen))
		goto out;
	memcpy(d2->priv, o1, MIG_K1_SIZE);
	memcpy(d2->migration_auth, o1 + TPM_DIGEST_SIZE, TPM_SECRET_SIZE);
	tb_init_read(&b, m, mlen);
	rc = tpm_migrate_asymkey_get(&b, &m1,
				     TPM_STORE_PRIVKEY_MAX - MIG_K1_SIZE);
	if (rc)
		goto out;
	/* Step 7a: a blob made for this kind of conversion. */
	rc = TPM_BAD_MIGRATION;
	if (m1.payload != payload)
		goto out;
	/* Step 6: k1 = seed || partPrivKey, a whole TPM_STORE_PRIVKEY. */
	memcpy(d2->usage_auth, m1.usage_auth, TPM_SECRET_SIZE);
	memcpy(d2->pub_digest, m1.pub_digest, TPM_DIGEST_SIZE);
	memcpy(d2->priv + MIG_K1_SIZE, m1.part_priv, m1.part_priv_len);
	d2->priv_len = MIG_K1_SIZE + m1.part_priv_len;
	rc = TPM_INVALID_STRUCTURE;
	if (tb_be32(d2->priv) != d2->priv_len - 4U)
		goto out;
	/* Step 7b */
	d2->payload = TPM_PT_ASYM;
	rc = TPM_SUCCESS;
out:
	tpm_wipe(&m1, sizeof(m1));
	tpm_wipe(o1, sizeof(o1));
	return rc;
}

/* Part 3, 11.3 TPM_ConvertMigrationBlob */
TPM_RESULT tpm_cmd_convert_migration_blob(struct tpm_cmd *c,
					  struct tpm_buf *in,
					  struct tpm_buf *out)
{
	const uint8_t *enc, *random;
	struct tpm_store_asymkey d2;
	uint32_t handle, elen, rlen;
	struct tpm_key *parent;
	TPM_RESULT rc;

	if (tb_get_u32(in, &handle) ||
	    tb_get_sized(in, &enc, &elen, TPM_MAX_KEY_BYTES) ||
	    tb_get_sized(in, &random, &rlen, TPM_MAX_KEY_BYTES) ||
	    tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;

	/* Step 1 */
	rc = tpm_key_use(c, handle, &parent);
	if (rc)
		return rc;
	/* Step 2 */
	if (parent->usage != TPM_KEY_STORAGE)
		return TPM_INVALID_KEYUSAGE;
	memset(&d2, 0, sizeof(d2));
	/* Steps 3-7 */
	rc = tpm_mig_blob_open(parent, enc, elen, random, rlen,
			       TPM_PT_MIGRATE, &d2);
	/* Step 8: outData = d2 encrypted under the parent. */
	if (!rc)
		rc = tpm_mig_asymkey_encrypt_put(parent, &d2, out);
	tpm_wipe(&d2, sizeof(d2));
	return rc;
}

/* Part 3, 11.4 TPM_MigrateKey */
TPM_RESULT tpm_cmd_migrate_key(struct tpm_cmd *c, struct tpm_buf *in,
			       struct tpm_buf *out)
{
	uint8_t plain[TPM_MAX_KEY_BYTES];
	struct tpm_mig_key_auth m;
	struct tpm_key *ma;
	uint32_t handle, elen;
	const uint8_t *enc;
	TPM_RESULT rc;
	size_t len;

	memset(&m, 0, sizeof(m));
	rc = TPM_BAD_PARAM_SIZE;
	if (tb_get_u32(in, &handle))
		goto out;
	rc = mig_pubkey_get(in, &m);
	if (!rc && (tb_get_sized(in, &enc, &elen, TPM_MAX_KEY_BYTES) ||
		    tb_expect_end(in)))
		rc = TPM_BAD_PARAM_SIZE;
	if (rc)
		goto out;

	/* Step 1 */
	rc = tpm_key_use(c, handle, &ma);
	if (rc)
		goto out;
	/* Step 2: a migration-authority key with OAEP. */
	rc = TPM_INVALID_KEYUSAGE;
	if (ma->usage != TPM_KEY_MIGRATE)
		goto out;
	/* Step 2 asks OAEP of the migration key only; the destination's
	 * declared scheme does not matter: the blob is OAEP-encrypted to it
	 * in step 4 as every migration blob is (libtpms agrees). */
	rc = TPM_INAPPROPRIATE_ENC;
	if (ma->parms.enc_scheme != TPM_ES_RSAESOAEP_SHA1_MGF1)
		goto out;
	/* Step 3: pubKey is a key this TPM can encrypt to. */
	rc = TPM_BAD_KEY_PROPERTY;
	if (m.key.parms.algorithm != TPM_ALG_RSA ||
	    m.key.parms.key_bits < MIG_KEY_MIN_BITS)
		goto out;
	/* Step 4: decrypt under maHandle, re-encrypt under pubKey. */
	rc = TPM_DECRYPT_ERROR;
	if (tpm_rsa_oaep_decrypt(ma->rsa, enc, elen, plain, sizeof(plain),
				 &len))
		goto out;
	rc = encrypt_put(&m.key, plain, len, out);
out:
	tpm_wipe(plain, sizeof(plain));
	tpm_key_clear(&m.key);
	return rc;
}
