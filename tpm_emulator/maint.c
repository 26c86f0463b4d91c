// SPDX-License-Identifier: GPL-2.0
/*
 * Maintenance (Part 3, 12): the manufacturer's maintenance public key
 * (manuMaintPub), the maintenance archive of the SRK and owner secrets, and
 * the owner's switch that kills the feature.  Owns the "maintenance" state
 * section; no other file reads manuMaintPub.  The archive is the only place
 * the SRK's private part leaves the TPM, and only encrypted to manuMaintPub.
 */
#include <errno.h>

#include "internal.h"

/* Part 2, 10.5: a TPM_STORE_PRIVKEY of an SRK (u32 length + prime p). */
#define PRIVKEY_MAX		(4 + TPM_MAX_KEY_BYTES / 2)
/* Part 3, 12.1 step 5: k1 is the first 20 bytes of privKey (the OAEP
 * seed). */
#define K1_SIZE			TPM_DIGEST_SIZE
/* o1: seed, pHash, 0x01 and m (198 bytes for a 2048-bit SRK). */
#define O1_MAX			(TPM_OAEP_SEEDED_OVERHEAD + \
				 TPM_MIGRATE_ASYMKEY_FIXED + PRIVKEY_MAX)
/* manuMaintPub: RSA of exactly this size (Part 3, 12.4: not weaker than
 * RSA-2048; this TPM handles no larger keys). */
#define MANU_MAINT_BITS		2048U

/* r1 of Part 3, 12.1 steps 8-9: @random if given, else MGF1(ownerAuth). */
static int xor_mask(uint8_t *buf, size_t n, const uint8_t *random,
		    const uint8_t owner_auth[TPM_SECRET_SIZE])
{
	uint8_t r1[O1_MAX];
	size_t i;

	if (n > O1_MAX)
		return -EINVAL;
	if (random)
		memcpy(r1, random, n);
	else if (tpm_mgf1_sha1(r1, n, owner_auth, TPM_SECRET_SIZE))
		return -EIO;
	for (i = 0; i < n; i++)
		buf[i] ^= r1[i];
	tpm_wipe(r1, sizeof(r1));
	return 0;
}

/* Part 3, 12.1 steps 4-7: o1 from the SRK, tpmProof and ownerAuth. */
static TPM_RESULT archive_o1(const struct tpm_state *s, uint8_t *o1,
			     size_t *o1_len)
{
	uint8_t priv[PRIVKEY_MAX], m[TPM_MIGRATE_ASYMKEY_FIXED + PRIVKEY_MAX];
	const struct tpm_key *srk = &s->pd.srk;
	struct tpm_migrate_asymkey m1 = { .payload = TPM_PT_MAINT };
	TPM_RESULT rc = TPM_FAIL;
	struct tpm_buf b;
	size_t plen;

	/* Step 4: TPM_STORE_PRIVKEY (u32 keyLength || p). */
	if (!srk->rsa ||
	    tpm_rsa_get_prime(srk->rsa, priv + 4, sizeof(priv) - 4, &plen) ||
	    plen + 4 <= K1_SIZE)
		goto out;
	tb_wr_be32(priv, (uint32_t)plen);
	/* Step 5: k1 = privKey[0..20), k2 = the rest.  Step 6: m1. */
	memcpy(m1.usage_auth, s->pd.tpm_proof, TPM_SECRET_SIZE);
	memcpy(m1.pub_digest, srk->pub_digest, TPM_DIGEST_SIZE);
	m1.part_priv = priv + K1_SIZE;
	m1.part_priv_len = (uint32_t)(plen + 4 - K1_SIZE);
	tb_init_write(&b, m, sizeof(m));
	if (tpm_migrate_asymkey_put(&b, &m1))
		goto out;
	/* Step 7: pHash = ownerAuth, seed = k1; PS is empty. */
	*o1_len = TPM_OAEP_SEEDED_OVERHEAD + b.len;
	if (!tpm_oaep_encode_seeded(o1, *o1_len, m, b.len, s->pd.owner_auth,
				    priv))
		rc = TPM_SUCCESS;
out:
	tpm_wipe(&m1, sizeof(m1));
	tpm_wipe(priv, sizeof(priv));
	tpm_wipe(m, sizeof(m));
	return rc;
}

/* Steps 10-12, 14: encrypt x1 to manuMaintPub; write the outputs. */
static TPM_RESULT archive_put(const struct tpm_state *s, const uint8_t *x1,
			      size_t x1_len, const uint8_t *random,
			      struct tpm_buf *out)
{
	const struct tpm_key *mp = &s->maint.manu_maint_pub;
	uint8_t enc[TPM_MAX_KEY_BYTES];
	struct tpm_rsa *rsa = NULL;
	size_t enc_len;
	int err;

	err = tpm_rsa_from_public(&rsa, mp->n, mp->n_len, mp->parms.exponent,
				  mp->parms.exp_size);
	if (!err)
		err = tpm_rsa_oaep_encrypt(rsa, x1, x1_len, enc, sizeof(enc),
					   &enc_len);
	tpm_rsa_free(rsa);
	if (err)
		return TPM_FAIL;
	if ((random ? tb_put_sized(out, random, (uint32_t)x1_len) :
		      tb_put_u32(out, 0)) ||
	    tb_put_u32(out, 0))
		return TPM_SIZE;
	/* Step 3: a1 is the SRK's TPM_KEY with the new encData. */
	if (tpm_key_put(out, &s->pd.srk, enc, (uint32_t)enc_len))
		return TPM_SIZE;
	/* archiveSize is everything after the u32 just written. */
	return TPM_SUCCESS;
}

/* Part 3, 12.1 TPM_CreateMaintenanceArchive */
TPM_RESULT tpm_cmd_create_maintenance_archive(struct tpm_cmd *c,
					      struct tpm_buf *in,
					      struct tpm_buf *out)
{
	uint8_t o1[O1_MAX], r1[O1_MAX];
	struct tpm_state *s = c->s;
	bool generate_random;
	size_t o1_len = 0, size_at;
	TPM_RESULT rc;

	if (tb_get_bool(in, &generate_random) || tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Step 1 */
	rc = tpm_auth_owner(c);
	if (rc)
		return rc;
	/* Step 2 */
	if (!s->pf.allow_maintenance)
		return TPM_DISABLED_CMD;
	/* Step 3: no manuMaintPub loaded. */
	if (!s->maint.manu_maint_loaded)
		return TPM_KEYNOTFOUND;
	rc = archive_o1(s, o1, &o1_len);
	if (rc)
		goto out;
	/* Steps 8-10: x1 = o1 XOR r1 (random, or MGF1 of ownerAuth). */
	rc = TPM_FAIL;
	if (generate_random && tpm_rand(r1, o1_len))
		goto out;
	if (xor_mask(o1, o1_len, generate_random ? r1 : NULL,
		     s->pd.owner_auth))
		goto out;
	size_at = out->len + 4 + (generate_random ? o1_len : 0);
	rc = archive_put(s, o1, o1_len, generate_random ? r1 : NULL, out);
	if (rc)
		goto out;
	tb_patch_u32(out, size_at, (uint32_t)(out->len - size_at - 4));
	/* Step 13 */
	s->pf.maintenance_done = true;
	tpm_mark_dirty(s);
out:
	tpm_wipe(o1, sizeof(o1));
	tpm_wipe(r1, sizeof(r1));
	return rc;
}

/* The vendor-specific input of LoadMaintenanceArchive (see the comment
 * above tpm_cmd_load_maintenance_archive). */
struct maint_archive {
	struct tpm_key key;		/* a2: the SRK's public part */
	const uint8_t *key_bytes;	/* a2 as sent (signed) */
	size_t key_len;
	const uint8_t *enc;		/* a2 -> encData */
	uint32_t enc_len;
	const uint8_t *sig;
	uint32_t sig_len;
	const uint8_t *random;		/* NULL: MGF1(ownerAuth) */
	uint32_t random_len;
};

static TPM_RESULT archive_get(struct tpm_buf *in, struct maint_archive *a)
{
	const uint8_t *p;
	struct tpm_buf b;
	uint32_t n;
	TPM_RESULT rc;

	if (tb_get_sized(in, &p, &n, TPM_MAX_COMMAND_SIZE) ||
	    tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	tb_init_read(&b, p, n);
	rc = tpm_key_get(&b, &a->key, &a->enc, &a->enc_len);
	if (rc)
		return rc;
	a->key_bytes = p;
	a->key_len = b.pos;
	if (tb_get_sized(&b, &a->sig, &a->sig_len, TPM_MAX_KEY_BYTES) ||
	    tb_get_sized(&b, &a->random, &a->random_len, O1_MAX) ||
	    tb_expect_end(&b))
		return TPM_BAD_PARAM_SIZE;
	if (!a->random_len)
		a->random = NULL;
	return TPM_SUCCESS;
}

/* Part 3, 12.2 step 2: the archive is signed by the TPME with the key
 * behind manuMaintPub (RSASSA-PKCS1-v1_5, SHA-1 of a2). */
static TPM_RESULT archive_verify(const struct tpm_state *s,
				 const struct maint_archive *a)
{
	const struct tpm_key *mp = &s->maint.manu_maint_pub;
	uint8_t digest[TPM_DIGEST_SIZE];
	struct tpm_rsa *rsa = NULL;
	TPM_RESULT rc = TPM_FAIL;

	if (!s->maint.manu_maint_loaded)
		return TPM_KEYNOTFOUND;
	if (tpm_sha1(a->key_bytes, a->key_len, digest) ||
	    tpm_rsa_from_public(&rsa, mp->n, mp->n_len, mp->parms.exponent,
				mp->parms.exp_size))
		goto out;
	rc = tpm_rsa_verify_sha1(rsa, digest, a->sig, a->sig_len) ?
		TPM_BAD_SIGNATURE : TPM_SUCCESS;
out:
	tpm_rsa_free(rsa);
	return rc;
}

/* The secrets carried by an archive. */
struct maint_secrets {
	uint8_t owner_auth[TPM_SECRET_SIZE];	/* pHash */
	uint8_t tpm_proof[TPM_SECRET_SIZE];	/* m -> usageAuth */
};

/* Part 3, 12.2 step 3: recover m2 (the source's SRK and secrets) from a2
 * into @srk (public fields already set by archive_get). */
static TPM_RESULT archive_open(const struct tpm_state *s,
			       struct maint_archive *a, struct tpm_key *srk,
			       struct maint_secrets *sec)
{
	uint8_t o1[TPM_MAX_KEY_BYTES], priv[PRIVKEY_MAX];
	struct tpm_migrate_asymkey m1;
	size_t o1_len, m_len;
	const uint8_t *m;
	struct tpm_buf b;
	TPM_RESULT rc = TPM_DECRYPT_ERROR;
	int err;

	/* Only this TPM's SRK opens the outer layer (step 4). */
	if (!s->pd.srk.rsa ||
	    tpm_rsa_oaep_decrypt(s->pd.srk.rsa, a->enc, a->enc_len, o1,
				 sizeof(o1), &o1_len) || o1_len > O1_MAX)
		goto out;
	if (a->random && a->random_len != o1_len) {
		rc = TPM_BAD_PARAMETER;
		goto out;
	}
	if (xor_mask(o1, o1_len, a->random, s->pd.owner_auth) ||
	    tpm_oaep_decode_seeded(o1, o1_len, &m, &m_len))
		goto out;
	memcpy(sec->owner_auth, o1 + TPM_DIGEST_SIZE, TPM_SECRET_SIZE);
	tb_init_read(&b, m, m_len);
	if (tpm_migrate_asymkey_get(&b, &m1, PRIVKEY_MAX - K1_SIZE) ||
	    m1.payload != TPM_PT_MAINT)
		goto out;
	memcpy(sec->tpm_proof, m1.usage_auth, TPM_SECRET_SIZE);
	/* privKey = k1 (the OAEP seed) || k2. */
	memcpy(priv, o1, K1_SIZE);
	memcpy(priv + K1_SIZE, m1.part_priv, m1.part_priv_len);
	rc = TPM_BAD_PARAMETER;
	if (tb_be32(priv) != m1.part_priv_len + K1_SIZE - 4 ||
	    tpm_key_pub_digest(srk) ||
	    tpm_memcmp_ct(m1.pub_digest, srk->pub_digest, TPM_DIGEST_SIZE))
		goto out;
	err = tpm_rsa_from_prime(&srk->rsa, srk->n, srk->n_len,
				 srk->parms.exponent, srk->parms.exp_size,
				 priv + 4, tb_be32(priv));
	rc = err == -EBADMSG ? TPM_BAD_KEY_PROPERTY :
	     err ? TPM_FAIL : TPM_SUCCESS;
out:
	tpm_wipe(&m1, sizeof(m1));
	tpm_wipe(o1, sizeof(o1));
	tpm_wipe(priv, sizeof(priv));
	return rc;
}

/* Part 3, 12.2 steps 5-7: the OwnerClear actions, then the archive's SRK,
 * tpmProof and ownerAuth become this TPM's. */
static TPM_RESULT archive_install(struct tpm_state *s, struct tpm_key *srk,
				  const struct maint_secrets *sec)
{
	tpm_owner_clear_actions(s);
	if (tpm_rand(s->pd.context_key, sizeof(s->pd.context_key)))
		return TPM_FAIL;
	/* Step 6.a: the SRK's usageAuth is the source owner's secret. */
	memcpy(srk->usage_auth, sec->owner_auth, TPM_SECRET_SIZE);
	memcpy(srk->migration_auth, sec->tpm_proof, TPM_SECRET_SIZE);
	srk->handle = TPM_KH_SRK;
	srk->valid = true;
	s->pd.srk = *srk;
	srk->rsa = NULL;		/* now owned by pd.srk */
	/* Steps 6.b, 6.c */
	memcpy(s->pd.tpm_proof, sec->tpm_proof, TPM_SECRET_SIZE);
	memcpy(s->pd.owner_auth, sec->owner_auth, TPM_SECRET_SIZE);
	s->pf.owner_installed = true;
	/* Step 7 */
	s->pf.maintenance_done = true;
	tpm_mark_dirty(s);
	return TPM_SUCCESS;
}

/*
 * Part 3, 12.2 TPM_LoadMaintenanceArchive.  The arguments are vendor
 * specific; this TPM takes one sized buffer (TrouSerS sends exactly that):
 *   u32 size, then: TPM_KEY a2 (the archive of CreateMaintenanceArchive
 *   whose encData the TPME decrypted with its private key and encrypted
 *   again, OAEP, to this TPM's SRK), u32 sigSize + sig (the TPME's
 *   RSASSA-PKCS1-v1_5 SHA-1 signature of a2 with the key behind
 *   manuMaintPub), u32 randomSize + random (the archive's random, or 0
 *   when it was made with generateRandom FALSE).
 * It returns one sized buffer, empty.
 */
TPM_RESULT tpm_cmd_load_maintenance_archive(struct tpm_cmd *c,
					    struct tpm_buf *in,
					    struct tpm_buf *out)
{
	struct maint_secrets sec;
	struct maint_archive a;
	struct tpm_state *s = c->s;
	TPM_RESULT rc;

	memset(&a, 0, sizeof(a));
	rc = archive_get(in, &a);
	if (rc)
		return rc;
	/* Step 1 */
	rc = tpm_auth_owner(c);
	if (rc)
		return rc;
	/* Step 2 */
	rc = archive_verify(s, &a);
	if (rc)
		return rc;
	/* The archive must hold an SRK (Part 3, 6.1 step 8 properties). */
	if (a.key.usage != TPM_KEY_STORAGE ||
	    (a.key.flags & TPM_KEY_FLAG_MIGRATABLE) ||
	    a.key.parms.enc_scheme != TPM_ES_RSAESOAEP_SHA1_MGF1)
		return TPM_INVALID_KEYUSAGE;
	/* Steps 3-4 */
	rc = archive_open(s, &a, &a.key, &sec);
	if (!rc)
		rc = archive_install(s, &a.key, &sec);
	tpm_key_clear(&a.key);
	tpm_wipe(&sec, sizeof(sec));
	if (rc)
		return rc;
	/* The owner's sessions ended with the clear; the response is keyed
	 * with the secret the command was authorized with. */
	c->terminate[0] = true;
	return tb_put_u32(out, 0) ? TPM_SIZE : TPM_SUCCESS;
}

/* Part 3, 12.3 TPM_KillMaintenanceFeature (steps 1-2): until the next
 * owner (OwnerClear sets the flag again). */
TPM_RESULT tpm_cmd_kill_maintenance_feature(struct tpm_cmd *c,
					    struct tpm_buf *in,
					    struct tpm_buf *out)
{
	(void)out;
	return tpm_owner_set_pflag(c, in, &c->s->pf.allow_maintenance, false);
}

/* manuMaintPub must be an RSA-2048 encryption key with OAEP (Part 3, 12.4:
 * not weaker than RSA-2048; 12.1 step 11 encrypts with OAEP). */
static TPM_RESULT manu_parms_check(const struct tpm_key_parms *p)
{
	if (p->algorithm != TPM_ALG_RSA || p->key_bits != MANU_MAINT_BITS ||
	    p->num_primes != 2 ||
	    p->enc_scheme != TPM_ES_RSAESOAEP_SHA1_MGF1)
		return TPM_BAD_KEY_PROPERTY;
	return TPM_SUCCESS;
}

/* checksum = SHA1(TPM_PUBKEY manuMaintPub || antiReplay) (12.4, 12.5). */
static TPM_RESULT manu_checksum_put(const struct tpm_state *s,
				    const uint8_t anti_replay[TPM_NONCE_SIZE],
				    struct tpm_buf *out)
{
	uint8_t digest[TPM_DIGEST_SIZE];

	if (tpm_pubkey_checksum(&s->maint.manu_maint_pub, anti_replay, digest))
		return TPM_FAIL;
	return tb_put_bytes(out, digest, sizeof(digest)) ? TPM_SIZE :
							   TPM_SUCCESS;
}

/* Part 3, 12.4 TPM_LoadManuMaintPub */
TPM_RESULT tpm_cmd_load_manu_maint_pub(struct tpm_cmd *c, struct tpm_buf *in,
				       struct tpm_buf *out)
{
	uint8_t anti_replay[TPM_NONCE_SIZE];
	struct tpm_state *s = c->s;
	struct tpm_key k;
	TPM_RESULT rc;

	memset(&k, 0, sizeof(k));
	if (tb_get_bytes(in, anti_replay, sizeof(anti_replay)))
		return TPM_BAD_PARAM_SIZE;
	rc = tpm_pubkey_get(in, &k);
	tpm_rsa_free(k.rsa);	/* only the public fields are kept */
	k.rsa = NULL;
	if (rc)
		return rc;
	if (tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Step 4: only the first valid command loads a key. */
	if (s->maint.manu_maint_loaded)
		return TPM_DISABLED_CMD;
	rc = manu_parms_check(&k.parms);
	if (rc)
		return rc;
	/* Step 1 */
	s->maint.manu_maint_pub = k;
	s->maint.manu_maint_loaded = true;
	tpm_mark_dirty(s);
	/* Steps 2-3 */
	return manu_checksum_put(s, anti_replay, out);
}

/* Part 3, 12.5 TPM_ReadManuMaintPub */
TPM_RESULT tpm_cmd_read_manu_maint_pub(struct tpm_cmd *c, struct tpm_buf *in,
				       struct tpm_buf *out)
{
	uint8_t anti_replay[TPM_NONCE_SIZE];

	if (tb_get_bytes(in, anti_replay, sizeof(anti_replay)) ||
	    tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Nothing loaded: the same answer as CreateMaintenanceArchive. */
	if (!c->s->maint.manu_maint_loaded)
		return TPM_KEYNOTFOUND;
	/* Steps 1-2 */
	return manu_checksum_put(c->s, anti_replay, out);
}

/*
 * State section "maintenance" (docs/state-format.md): BOOL loaded, then,
 * if loaded, manuMaintPub as a TPM_PUBKEY.
 */
int tpm_maintenance_state_put(const struct tpm_state *s, struct tpm_buf *b)
{
	if (tb_put_bool(b, s->maint.manu_maint_loaded))
		return -ENOSPC;
	if (s->maint.manu_maint_loaded &&
	    tpm_pubkey_put(b, &s->maint.manu_maint_pub))
		return -ENOSPC;
	return 0;
}

int tpm_maintenance_state_get(struct tpm_state *s, struct tpm_buf *b)
{
	struct tpm_key k;
	bool loaded;
	TPM_RESULT rc;

	memset(&k, 0, sizeof(k));
	if (tb_get_bool(b, &loaded))
		return -EBADMSG;
	if (loaded) {
		/* tpm_pubkey_get bounds the modulus by TPM_MAX_KEY_BYTES. */
		rc = tpm_pubkey_get(b, &k);
		tpm_rsa_free(k.rsa);
		k.rsa = NULL;
		if (rc || manu_parms_check(&k.parms))
			return -EBADMSG;
	}
	s->maint.manu_maint_loaded = loaded;
	s->maint.manu_maint_pub = k;
	return 0;
}
