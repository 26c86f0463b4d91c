// SPDX-License-Identifier: GPL-2.0
/*
 * Certified migration keys (Part 3, 11.5-11.10): the owner's approval of
 * migration authorities, CMK creation, signature tickets and the two
 * halves of a restricted migration.  Owns TPM_MSA_COMPOSITE, TPM_CMK_AUTH
 * and the three tpmProof HMAC tickets (TPM_CMK_MIGAUTH, _SIGTICKET,
 * _MA_APPROVAL).  The blob format itself is migration.c's; key generation
 * and wrapping are keys.c's.
 */
#include <errno.h>

#include "internal.h"
#include "migration.h"

/* TPM_MSA_COMPOSITE entries accepted (Part 2, 5.19 sets no maximum;
 * sixteen authorities are plenty for one key). */
#define MSA_LIST_MAX		16U
#define MSA_COMPOSITE_MAX	(4U + MSA_LIST_MAX * TPM_DIGEST_SIZE)
/* Part 2, 5.16 TPM_CMK_AUTH: three digests, no tag. */
#define CMK_AUTH_SIZE		(3U * TPM_DIGEST_SIZE)
/* Part 2, 5.17: the TPM_CMK_DELEGATE bits defined in rev 116. */
#define CMK_DELEGATE_SIGNING	0x80000000U
#define CMK_DELEGATE_STORAGE	0x40000000U
#define CMK_DELEGATE_BIND	0x20000000U
#define CMK_DELEGATE_LEGACY	0x10000000U
#define CMK_DELEGATE_MIGRATE	0x08000000U

/* Part 2, 5.19 TPM_MSA_COMPOSITE and its digest (msaDigest). */
struct msa_list {
	uint32_t n;
	uint8_t ma[MSA_LIST_MAX][TPM_DIGEST_SIZE];
	uint8_t digest[TPM_DIGEST_SIZE];
};

/* Part 2, 5.16 TPM_CMK_AUTH as received, with SHA-1 of its bytes. */
struct cmk_auth {
	uint8_t ma[TPM_DIGEST_SIZE];	/* migrationAuthorityDigest */
	uint8_t dest[TPM_DIGEST_SIZE];		/* destinationKeyDigest */
	uint8_t src[TPM_DIGEST_SIZE];		/* sourceKeyDigest */
	uint8_t digest[TPM_DIGEST_SIZE];	/* SHA-1[restrictTicket] */
};

/* TPM_MSA_COMPOSITE from the @len bytes at @p: MSAlist >= 1 (Part 2,
 * 5.19), every digest present, nothing after them. */
static TPM_RESULT msa_list_get(const uint8_t *p, uint32_t len,
			       struct msa_list *m)
{
	struct tpm_buf b;
	uint32_t i;

	tb_init_read(&b, p, len);
	if (tb_get_u32(&b, &m->n))
		return TPM_BAD_PARAM_SIZE;
	if (m->n == 0 || m->n > MSA_LIST_MAX)
		return TPM_INVALID_STRUCTURE;
	for (i = 0; i < m->n; i++) {
		if (tb_get_bytes(&b, m->ma[i], TPM_DIGEST_SIZE))
			return TPM_BAD_PARAM_SIZE;
	}
	if (tb_expect_end(&b))
		return TPM_BAD_PARAM_SIZE;
	return tpm_sha1(p, len, m->digest) ? TPM_FAIL : TPM_SUCCESS;
}

static bool msa_list_has(const struct msa_list *m,
			 const uint8_t d[TPM_DIGEST_SIZE])
{
	uint32_t i;

	for (i = 0; i < m->n; i++) {
		if (!memcmp(m->ma[i], d, TPM_DIGEST_SIZE))
			return true;
	}
	return false;
}

static TPM_RESULT cmk_auth_get(const uint8_t *p, uint32_t len,
			       struct cmk_auth *a)
{
	if (len != CMK_AUTH_SIZE)
		return TPM_BAD_PARAM_SIZE;
	memcpy(a->ma, p, TPM_DIGEST_SIZE);
	memcpy(a->dest, p + TPM_DIGEST_SIZE, TPM_DIGEST_SIZE);
	memcpy(a->src, p + 2 * TPM_DIGEST_SIZE, TPM_DIGEST_SIZE);
	return tpm_sha1(p, len, a->digest) ? TPM_FAIL : TPM_SUCCESS;
}

/* HMAC(tpmProof, tag || d1 [|| d2]): the CMK tickets (Part 2, 5.18-5.21). */
static int cmk_ticket(const struct tpm_state *s, uint16_t tag,
		      const uint8_t d1[TPM_DIGEST_SIZE],
		      const uint8_t *d2, uint8_t out[TPM_DIGEST_SIZE])
{
	uint8_t t[2];

	tb_wr_be16(t, tag);
	return tpm_hmac_sha1_v(s->pd.tpm_proof, TPM_SECRET_SIZE, out,
			       t, sizeof(t), d1, (size_t)TPM_DIGEST_SIZE,
			       d2, d2 ? (size_t)TPM_DIGEST_SIZE : (size_t)0,
			       NULL);
}

/* Is @mac the ticket @tag over (d1, d2)?  0 when it is. */
static TPM_RESULT cmk_ticket_check(const struct tpm_state *s, uint16_t tag,
				   const uint8_t d1[TPM_DIGEST_SIZE],
				   const uint8_t *d2,
				   const uint8_t mac[TPM_DIGEST_SIZE],
				   TPM_RESULT mismatch)
{
	uint8_t want[TPM_DIGEST_SIZE];

	if (cmk_ticket(s, tag, d1, d2, want))
		return TPM_FAIL;
	return tpm_memcmp_ct(want, mac, TPM_DIGEST_SIZE) ? mismatch :
							   TPM_SUCCESS;
}

/*
 * Part 3, 11.9 step 9a-i / 11.10 step 11: sigTicket must be the
 * TPM_CMK_SIGTICKET HMAC of one of the listed authorities over
 * SHA-1[restrictTicket]; TPM_MA_TICKET_SIGNATURE otherwise.
 */
static TPM_RESULT sig_ticket_check(const struct tpm_state *s,
				   const struct msa_list *m,
				   const uint8_t signed_data[TPM_DIGEST_SIZE],
				   const uint8_t ticket[TPM_DIGEST_SIZE])
{
	TPM_RESULT rc = TPM_MA_TICKET_SIGNATURE;
	uint32_t i;

	for (i = 0; i < m->n && rc == TPM_MA_TICKET_SIGNATURE; i++)
		rc = cmk_ticket_check(s, TPM_TAG_CMK_SIGTICKET, m->ma[i],
				      signed_data, ticket,
				      TPM_MA_TICKET_SIGNATURE);
	return rc;
}

TPM_RESULT tpm_cmk_restrict_check(const struct tpm_state *s,
				  const struct tpm_key *k)
{
	uint32_t r = s->deleg.restrict_delegate, bit;

	if (!(k->flags & TPM_KEY_FLAG_MIGRATE_AUTHORITY))
		return TPM_SUCCESS;
	switch (k->usage) {
	case TPM_KEY_SIGNING:
		bit = CMK_DELEGATE_SIGNING;
		break;
	case TPM_KEY_STORAGE:
		bit = CMK_DELEGATE_STORAGE;
		break;
	case TPM_KEY_BIND:
		bit = CMK_DELEGATE_BIND;
		break;
	case TPM_KEY_LEGACY:
		bit = CMK_DELEGATE_LEGACY;
		break;
	case TPM_KEY_MIGRATE:
		bit = CMK_DELEGATE_MIGRATE;
		break;
	default:
		bit = 0;
		break;
	}
	return (r & bit) ? TPM_SUCCESS : TPM_INVALID_KEYUSAGE;
}

/* Part 3, 11.5 TPM_CMK_SetRestrictions */
TPM_RESULT tpm_cmd_cmk_set_restrictions(struct tpm_cmd *c,
					struct tpm_buf *in,
					struct tpm_buf *out)
{
	uint32_t restriction;
	TPM_RESULT rc;

	(void)out;
	if (tb_get_u32(in, &restriction) || tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;

	/* Step 1: the owner (never a delegate: no delegation bit exists
	 * for this ordinal). */
	rc = tpm_auth_owner(c);
	if (rc)
		return rc;
	/* Step 2: TPM_PERMANENT_DATA restrictDelegate (kept with the
	 * delegation tables, delegation.c's state section). */
	if (c->s->deleg.restrict_delegate != restriction) {
		c->s->deleg.restrict_delegate = restriction;
		tpm_mark_dirty(c->s);
	}
	return TPM_SUCCESS;
}

/* Part 3, 11.6 TPM_CMK_ApproveMA */
TPM_RESULT tpm_cmd_cmk_approve_ma(struct tpm_cmd *c, struct tpm_buf *in,
				  struct tpm_buf *out)
{
	uint8_t digest[TPM_DIGEST_SIZE], mac[TPM_DIGEST_SIZE];
	TPM_RESULT rc;

	if (tb_get_bytes(in, digest, sizeof(digest)) || tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;

	/* Step 1 */
	rc = tpm_auth_owner(c);
	if (rc)
		return rc;
	/* Steps 2-3: outData = HMAC(tpmProof, TPM_CMK_MA_APPROVAL). */
	if (cmk_ticket(c->s, TPM_TAG_CMK_MA_APPROVAL, digest, NULL, mac))
		return TPM_FAIL;
	return tb_put_bytes(out, mac, sizeof(mac)) ? TPM_SIZE : TPM_SUCCESS;
}

/* Part 3, 11.7 steps 3-12: parent, key template and the MA ticket. */
static TPM_RESULT create_key_check(struct tpm_cmd *c,
				   const struct tpm_key *parent,
				   const struct tpm_key *nk,
				   const uint8_t approval[TPM_DIGEST_SIZE],
				   const uint8_t msa[TPM_DIGEST_SIZE])
{
	const uint32_t cmk = TPM_KEY_FLAG_MIGRATABLE |
			     TPM_KEY_FLAG_MIGRATE_AUTHORITY;
	TPM_RESULT rc;

	/* Step 3 (and 10-11: FIPS, storage key parameters). */
	rc = tpm_key_check_template(c->s, nk);
	if (rc)
		return rc;
	/* Steps 4-5: a non-migratable storage parent. */
	if (parent->usage != TPM_KEY_STORAGE ||
	    (parent->flags & TPM_KEY_FLAG_MIGRATABLE))
		return TPM_INVALID_KEYUSAGE;
	/* Steps 6-7: the new key is migratable and a CMK. */
	if ((nk->flags & cmk) != cmk)
		return TPM_INVALID_KEYUSAGE;
	/* Step 8: the owner approved this list of authorities. */
	rc = cmk_ticket_check(c->s, TPM_TAG_CMK_MA_APPROVAL, msa, NULL,
			      approval, TPM_MA_AUTHORITY);
	if (rc)
		return rc;
	/* Step 9a */
	if (nk->usage == TPM_KEY_IDENTITY || nk->usage == TPM_KEY_AUTHCHANGE)
		return TPM_INVALID_KEYUSAGE;
	/* Step 12 */
	return nk->key12 ? TPM_SUCCESS : TPM_INVALID_STRUCTURE;
}

/* Part 3, 11.7 TPM_CMK_CreateKey */
TPM_RESULT tpm_cmd_cmk_create_key(struct tpm_cmd *c, struct tpm_buf *in,
				  struct tpm_buf *out)
{
	uint8_t enc_auth[TPM_SECRET_SIZE], approval[TPM_DIGEST_SIZE];
	uint8_t msa[TPM_DIGEST_SIZE], pub[TPM_DIGEST_SIZE];
	struct tpm_key *parent, nk;
	struct tpm_session *sess;
	uint32_t parent_handle;
	TPM_RESULT rc;

	memset(&nk, 0, sizeof(nk));
	if (tb_get_u32(in, &parent_handle) ||
	    tb_get_bytes(in, enc_auth, sizeof(enc_auth)))
		return TPM_BAD_PARAM_SIZE;
	rc = tpm_key_get(in, &nk, NULL, NULL);
	if (!rc && (tb_get_bytes(in, approval, sizeof(approval)) ||
		    tb_get_bytes(in, msa, sizeof(msa)) || tb_expect_end(in)))
		rc = TPM_BAD_PARAM_SIZE;
	if (rc)
		goto out;

	rc = tpm_key_lookup(c->s, parent_handle, &parent);
	if (rc)
		goto out;
	/* Steps 1-2: an OSAP (or DSAP) session for the parent. */
	sess = tpm_session_find(c->s, c->auth_in[0].handle);
	rc = !sess ? TPM_INVALID_AUTHHANDLE :
	     (sess->type != SESS_OSAP && sess->type != SESS_DSAP) ?
	     TPM_BAD_MODE : tpm_key_authorize(c, 0, parent);
	if (!rc)
		rc = create_key_check(c, parent, &nk, approval, msa);
	/* Step 14: DU1 by ADIP. */
	if (!rc)
		rc = tpm_auth_decrypt(c, 0, enc_auth, nk.usage_auth, false);
	if (rc)
		goto out;
	/* Step 15 */
	c->terminate[0] = true;
	/* Steps 16-17: generate; payload TPM_PT_MIGRATE_RESTRICTED;
	 * migrationAuth = HMAC(tpmProof, TPM_CMK_MIGAUTH(msa, SHA-1
	 * (thisPubKey))). */
	rc = tpm_key_make(c->s, &nk);
	if (rc)
		goto out;
	nk.payload = TPM_PT_MIGRATE_RESTRICTED;
	rc = TPM_FAIL;
	if (tpm_pubkey_digest(&nk, pub) ||
	    cmk_ticket(c->s, TPM_TAG_CMK_MIGAUTH, msa, pub,
		       nk.migration_auth))
		goto out;
	/* Steps 18-20: wrap under the parent and return it. */
	rc = tpm_key_wrap(c->s, parent, &nk, out);
out:
	tpm_key_clear(&nk);
	return rc;
}

/* Part 3, 11.8 step 2: an RSA PKCS#1 v1.5 SHA-1 signature key. */
static TPM_RESULT ticket_key_check(const struct tpm_key *k)
{
	if (k->parms.algorithm != TPM_ALG_RSA || !k->rsa)
		return TPM_BAD_KEY_PROPERTY;
	if (k->parms.enc_scheme != TPM_ES_NONE)
		return TPM_INAPPROPRIATE_ENC;
	if (k->parms.sig_scheme != TPM_SS_RSASSAPKCS1v15_SHA1 &&
	    k->parms.sig_scheme != TPM_SS_RSASSAPKCS1v15_INFO)
		return TPM_INVALID_KEYUSAGE;
	return TPM_SUCCESS;
}

/* Part 3, 11.8 TPM_CMK_CreateTicket */
TPM_RESULT tpm_cmd_cmk_create_ticket(struct tpm_cmd *c, struct tpm_buf *in,
				     struct tpm_buf *out)
{
	uint8_t signed_data[TPM_DIGEST_SIZE], ver[TPM_DIGEST_SIZE];
	uint8_t mac[TPM_DIGEST_SIZE];
	const uint8_t *pub = in->data + in->pos, *sig;
	uint32_t siglen;
	struct tpm_key k;
	size_t pub_len;
	TPM_RESULT rc;

	memset(&k, 0, sizeof(k));
	pub_len = in->pos;
	rc = tpm_pubkey_get(in, &k);
	pub_len = in->pos - pub_len;
	if (!rc && (tb_get_bytes(in, signed_data, sizeof(signed_data)) ||
		    tb_get_sized(in, &sig, &siglen, TPM_MAX_KEY_BYTES) ||
		    tb_expect_end(in)))
		rc = TPM_BAD_PARAM_SIZE;
	if (rc)
		goto out;

	/* Step 1 */
	rc = tpm_auth_owner(c);
	/* Step 2 */
	if (!rc)
		rc = ticket_key_check(&k);
	if (rc)
		goto out;
	/* Step 3: the signature over signedData. */
	rc = TPM_BAD_SIGNATURE;
	if (tpm_rsa_verify_sha1(k.rsa, signed_data, sig, siglen))
		goto out;
	/* Steps 4-5: HMAC(tpmProof, TPM_CMK_SIGTICKET(SHA-1(verificationKey),
	 * signedData)); the key is hashed as received. */
	rc = TPM_FAIL;
	if (tpm_sha1(pub, pub_len, ver) ||
	    cmk_ticket(c->s, TPM_TAG_CMK_SIGTICKET, ver, signed_data, mac))
		goto out;
	rc = tb_put_bytes(out, mac, sizeof(mac)) ? TPM_SIZE : TPM_SUCCESS;
out:
	tpm_key_clear(&k);
	return rc;
}

/* The inputs of TPM_CMK_CreateBlob after parentHandle (Part 3, 11.9). */
struct create_blob_in {
	uint16_t type;
	struct tpm_mig_key_auth m;
	uint8_t src[TPM_DIGEST_SIZE];		/* pubSourceKeyDigest */
	struct msa_list msa;
	const uint8_t *restrict_ticket, *sig_ticket, *enc;
	uint32_t rt_len, st_len, elen;
};

static TPM_RESULT create_blob_get(struct tpm_buf *in,
				  struct create_blob_in *p)
{
	const uint8_t *msa;
	uint32_t msa_len;
	TPM_RESULT rc;

	if (tb_get_u16(in, &p->type))
		return TPM_BAD_PARAM_SIZE;
	rc = tpm_mig_key_auth_get(in, &p->m);
	if (rc)
		return rc;
	if (tb_get_bytes(in, p->src, sizeof(p->src)) ||
	    tb_get_sized(in, &msa, &msa_len, MSA_COMPOSITE_MAX) ||
	    tb_get_sized(in, &p->restrict_ticket, &p->rt_len,
			 TPM_MAX_KEY_BYTES) ||
	    tb_get_sized(in, &p->sig_ticket, &p->st_len, TPM_MAX_KEY_BYTES) ||
	    tb_get_sized(in, &p->enc, &p->elen, TPM_MAX_KEY_BYTES) ||
	    tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	return msa_list_get(msa, msa_len, &p->msa);
}

/* Part 3, 11.9 steps 8-10: is the destination one the authorities
 * allow?  @dest is SHA-1[migrationKeyAuth -> migrationKey]. */
static TPM_RESULT create_blob_dest(const struct tpm_state *s,
				   const struct create_blob_in *p,
				   const uint8_t dest[TPM_DIGEST_SIZE])
{
	const struct tpm_key_parms *kp = &p->m.key.parms;
	struct cmk_auth a;
	TPM_RESULT rc;

	switch (p->m.scheme) {
	case TPM_MS_RESTRICT_MIGRATE:
		/* Step 8a: the destination is itself a listed MA (libtpms
		 * answers TPM_MA_TICKET_SIGNATURE; Part 3 names no code). */
		if (!msa_list_has(&p->msa, dest))
			return TPM_MA_TICKET_SIGNATURE;
		/* Step 8b: an RSA OAEP encryption key. */
		if (kp->algorithm != TPM_ALG_RSA)
			return TPM_BAD_KEY_PROPERTY;
		if (kp->enc_scheme != TPM_ES_RSAESOAEP_SHA1_MGF1)
			return TPM_INAPPROPRIATE_ENC;
		if (kp->sig_scheme != TPM_SS_NONE)
			return TPM_INVALID_KEYUSAGE;
		/* Steps 8c-d: the tickets are unused; we require them
		 * empty, as libtpms does. */
		if (p->rt_len || p->st_len)
			return TPM_BAD_PARAMETER;
		return TPM_SUCCESS;
	case TPM_MS_RESTRICT_APPROVE:
		/* Step 9a-i: an authority signed restrictTicket. */
		if (p->st_len != TPM_DIGEST_SIZE)
			return TPM_BAD_PARAM_SIZE;
		rc = cmk_auth_get(p->restrict_ticket, p->rt_len, &a);
		if (!rc)
			rc = sig_ticket_check(s, &p->msa, a.digest,
					      p->sig_ticket);
		if (rc)
			return rc;
		/* Steps 9a-ii, iii: for this destination and this key. */
		if (memcmp(a.dest, dest, TPM_DIGEST_SIZE))
			return TPM_MA_DESTINATION;
		if (memcmp(a.src, p->src, TPM_DIGEST_SIZE))
			return TPM_MA_SOURCE;
		return TPM_SUCCESS;
	default:
		/* Step 10 */
		return TPM_BAD_PARAMETER;
	}
}

/* Part 3, 11.9 steps 3-10 for a decrypted, authorized request. */
static TPM_RESULT create_blob_check(const struct tpm_state *s,
				    const struct tpm_key *parent,
				    const struct create_blob_in *p,
				    struct tpm_store_asymkey *d1)
{
	uint8_t digest[TPM_DIGEST_SIZE];
	TPM_RESULT rc;

	/* Step 3: a non-migratable storage parent. */
	if ((parent->flags & TPM_KEY_FLAG_MIGRATABLE) ||
	    parent->usage != TPM_KEY_STORAGE)
		return TPM_INVALID_KEYUSAGE;
	/* Step 4 */
	rc = tpm_mig_decrypt_asymkey(parent, p->enc, p->elen, d1);
	if (rc)
		return rc;
	/* Step 5: the owner authorized the destination (a forged ticket
	 * fails authorization, as in CreateMigrationBlob). */
	if (tpm_mig_key_auth_digest(s, &p->m, digest))
		return TPM_FAIL;
	if (tpm_memcmp_ct(digest, p->m.digest, TPM_DIGEST_SIZE))
		return TPM_AUTHFAIL;
	/* Step 6: a CMK. */
	if (d1->payload != TPM_PT_MIGRATE_RESTRICTED &&
	    d1->payload != TPM_PT_MIGRATE_EXTERNAL)
		return TPM_INVALID_STRUCTURE;
	/* Step 7: made for exactly these authorities and this key. */
	rc = cmk_ticket_check(s, TPM_TAG_CMK_MIGAUTH, p->msa.digest, p->src,
			      d1->migration_auth, TPM_MA_AUTHORITY);
	if (rc)
		return rc;
	/* Steps 8-10 */
	if (tpm_sha1(p->m.pub, p->m.pub_len, digest))
		return TPM_FAIL;
	return create_blob_dest(s, p, digest);
}

/* Part 3, 11.9 TPM_CMK_CreateBlob */
TPM_RESULT tpm_cmd_cmk_create_blob(struct tpm_cmd *c, struct tpm_buf *in,
				   struct tpm_buf *out)
{
	struct tpm_store_asymkey d1;
	struct create_blob_in p;
	struct tpm_key *parent;
	uint32_t handle;
	TPM_RESULT rc;

	memset(&p, 0, sizeof(p));
	memset(&d1, 0, sizeof(d1));
	rc = tb_get_u32(in, &handle) ? TPM_BAD_PARAM_SIZE :
				       create_blob_get(in, &p);
	if (rc)
		goto out;

	/* Step 1 */
	rc = tpm_key_use(c, handle, &parent);
	/* Step 2: migrationType may be ignored; the scheme of the owner's
	 * ticket decides (as in libtpms). */
	if (!rc)
		rc = create_blob_check(c->s, parent, &p, &d1);
	if (rc)
		goto out;
	/* Steps 11-17: pHash = SHA-1(SHA-1[msaList] || pubSourceKeyDigest)
	 * replaces migrationAuth in the OAEP encoding. */
	rc = TPM_FAIL;
	if (tpm_sha1_v(d1.migration_auth, p.msa.digest,
		       (size_t)TPM_DIGEST_SIZE, p.src, (size_t)TPM_DIGEST_SIZE,
		       NULL))
		goto out;
	rc = tpm_mig_blob_put(&p.m.key, &d1, TPM_PT_CMK_MIGRATE, out);
out:
	tpm_wipe(&d1, sizeof(d1));
	tpm_key_clear(&p.m.key);
	return rc;
}

/* The inputs of TPM_CMK_ConvertMigration after parentHandle (11.10). */
struct convert_in {
	struct cmk_auth ticket;			/* restrictTicket */
	uint8_t sig_ticket[TPM_DIGEST_SIZE];
	struct tpm_key mk;			/* migratedKey, public */
	const uint8_t *enc, *random;
	uint32_t elen, rlen;
	struct msa_list msa;
};

static TPM_RESULT convert_get(struct tpm_buf *in, struct convert_in *p)
{
	uint8_t rt[CMK_AUTH_SIZE];
	const uint8_t *msa;
	uint32_t msa_len;
	TPM_RESULT rc;

	if (tb_get_bytes(in, rt, sizeof(rt)) ||
	    tb_get_bytes(in, p->sig_ticket, sizeof(p->sig_ticket)))
		return TPM_BAD_PARAM_SIZE;
	rc = tpm_key_get(in, &p->mk, &p->enc, &p->elen);
	if (rc)
		return rc;
	if (tb_get_sized(in, &msa, &msa_len, MSA_COMPOSITE_MAX) ||
	    tb_get_sized(in, &p->random, &p->rlen, TPM_MAX_KEY_BYTES) ||
	    tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	rc = cmk_auth_get(rt, sizeof(rt), &p->ticket);
	return rc ? rc : msa_list_get(msa, msa_len, &p->msa);
}

/* Part 3, 11.10 steps 6-17 on the decoded blob @d2. */
static TPM_RESULT convert_check(const struct tpm_state *s,
				const struct tpm_key *parent,
				const struct convert_in *p,
				const struct tpm_store_asymkey *d2,
				uint8_t mk_digest[TPM_DIGEST_SIZE])
{
	const uint32_t cmk = TPM_KEY_FLAG_MIGRATABLE |
			     TPM_KEY_FLAG_MIGRATE_AUTHORITY;
	uint8_t digest[TPM_DIGEST_SIZE];
	struct tpm_rsa *rsa = NULL;
	int err;

	/* Step 6: pHash == SHA-1(SHA-1[msaList] || SHA-1(migratedPubKey));
	 * a mismatch fails authorization, as in libtpms. */
	if (tpm_pubkey_digest(&p->mk, mk_digest) ||
	    tpm_sha1_v(digest, p->msa.digest, (size_t)TPM_DIGEST_SIZE,
		       mk_digest, (size_t)TPM_DIGEST_SIZE, NULL))
		return TPM_FAIL;
	if (tpm_memcmp_ct(digest, d2->migration_auth, TPM_DIGEST_SIZE))
		return TPM_AUTHFAIL;
	/* Step 9 */
	if (parent->flags & TPM_KEY_FLAG_MIGRATABLE)
		return TPM_INVALID_KEYUSAGE;
	/* Step 11: an authority approved restrictTicket. */
	if (sig_ticket_check(s, &p->msa, p->ticket.digest, p->sig_ticket))
		return TPM_MA_TICKET_SIGNATURE;
	/* Steps 12-13: ... for this parent. */
	if (tpm_pubkey_digest(parent, digest))
		return TPM_FAIL;
	if (memcmp(digest, p->ticket.dest, TPM_DIGEST_SIZE))
		return TPM_MA_DESTINATION;
	/* Step 14: the private part belongs to migratedKey. */
	err = tpm_rsa_from_prime(&rsa, p->mk.n, p->mk.n_len,
				 p->mk.parms.exponent, p->mk.parms.exp_size,
				 d2->priv + 4, d2->priv_len - 4U);
	tpm_rsa_free(rsa);
	if (err)
		return err == -EBADMSG ? TPM_BAD_KEY_PROPERTY : TPM_FAIL;
	/* Steps 15-16 */
	if ((p->mk.flags & cmk) != cmk)
		return TPM_INVALID_KEYUSAGE;
	/* Step 17 */
	if (memcmp(p->ticket.src, mk_digest, TPM_DIGEST_SIZE))
		return TPM_MA_SOURCE;
	return TPM_SUCCESS;
}

/* Part 3, 11.10 TPM_CMK_ConvertMigration */
TPM_RESULT tpm_cmd_cmk_convert_migration(struct tpm_cmd *c,
					 struct tpm_buf *in,
					 struct tpm_buf *out)
{
	uint8_t mk_digest[TPM_DIGEST_SIZE];
	struct tpm_store_asymkey d2;
	struct tpm_key *parent;
	struct convert_in p;
	uint32_t handle;
	TPM_RESULT rc;

	memset(&p, 0, sizeof(p));
	memset(&d2, 0, sizeof(d2));
	rc = tb_get_u32(in, &handle) ? TPM_BAD_PARAM_SIZE :
				       convert_get(in, &p);
	if (rc)
		goto out;

	/* Step 1 */
	rc = tpm_key_use(c, handle, &parent);
	/* Step 2 */
	if (!rc && parent->usage != TPM_KEY_STORAGE)
		rc = TPM_INVALID_KEYUSAGE;
	/* Steps 3-5, 7-8, 10: decrypt, XOR, OAEP-decode, payload
	 * TPM_PT_CMK_MIGRATE (else TPM_BAD_MIGRATION). */
	if (!rc)
		rc = tpm_mig_blob_open(parent, p.enc, p.elen, p.random, p.rlen,
				       TPM_PT_CMK_MIGRATE, &d2);
	if (!rc)
		rc = convert_check(c->s, parent, &p, &d2, mk_digest);
	if (rc)
		goto out;
	/* Steps 10, 18-19: a TPM_PT_MIGRATE_EXTERNAL key whose
	 * migrationAuth binds the authorities under this TPM's tpmProof. */
	d2.payload = TPM_PT_MIGRATE_EXTERNAL;
	rc = TPM_FAIL;
	if (cmk_ticket(c->s, TPM_TAG_CMK_MIGAUTH, p.msa.digest, mk_digest,
		       d2.migration_auth))
		goto out;
	/* Step 21 */
	rc = tpm_mig_asymkey_encrypt_put(parent, &d2, out);
out:
	tpm_wipe(&d2, sizeof(d2));
	tpm_key_clear(&p.mk);
	return rc;
}
