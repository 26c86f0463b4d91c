// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of migration.c: AuthorizeMigrationKey, CreateMigrationBlob,
 * ConvertMigrationBlob and MigrateKey through tpm_execute().  A key is
 * migrated out of one engine and converted into a second engine in the
 * same test, then used there to sign; OpenSSL verifies the signature.
 * Failure paths of Part 3, 11.1-11.4 and malformed inputs (a table of
 * byte vectors) have their own cases.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

static const uint8_t key_auth[20] = "key-secret-abcdefghi";
static const uint8_t mig_auth[20] = "migration-secret-xyz";
static const uint8_t bad_auth[20] = "wrong-secret-0000000";
static const uint8_t digest20[20] = "0123456789abcdefghij";

/* Two engines: A (source) and B (destination). */
struct pair {
	struct th a, b;
};

/* A and B: owned engines with different SRKs (th_init_srk slots). */
static int setup_pair(void **state)
{
	struct pair *p = calloc(1, sizeof(*p));

	if (!p)
		return -1;
	th_init_srk(&p->a, 0);
	th_init_srk(&p->b, 1);
	*state = p;
	return 0;
}

static int teardown_pair(void **state)
{
	struct pair *p = *state;

	th_fini(&p->a);
	th_fini(&p->b);
	free(p);
	return 0;
}

/* CreateWrapKey under the SRK: TPM_KEY12 of @usage/@flags/@bits. */
static uint32_t create_key(struct th *t, uint16_t usage, uint32_t flags,
			   uint32_t bits, uint8_t *blob, size_t *blen)
{
	uint8_t eu[20], em[20];
	struct th_sess s;
	struct tpm_buf *b;

	if (th_osap(t, &s, TPM_ET_KEYHANDLE, TPM_KH_SRK, th_srk_auth))
		return t->rc;
	s.cont = false;
	th_adip(&s, key_auth, false, eu);
	th_adip(&s, mig_auth, true, em);
	b = th_begin(t, TPM_ORD_CreateWrapKey);
	tb_put_u32(b, TPM_KH_SRK);
	tb_put_bytes(b, eu, 20);
	tb_put_bytes(b, em, 20);
	th_key12_template(b, usage, flags, bits);
	if (th_run(t, 1, &s, NULL))
		return t->rc;
	memcpy(blob, t->out.data, t->out.len);
	*blen = t->out.len;
	return 0;
}

static uint32_t load_key(struct th *t, uint32_t parent, const uint8_t *blob,
			 size_t blen, uint32_t *handle)
{
	struct th_sess s;
	struct tpm_buf *b;

	if (th_oiap(t, &s, th_srk_auth))
		return t->rc;
	s.cont = false;
	b = th_begin(t, TPM_ORD_LoadKey2);
	tb_put_u32(b, parent);
	tb_put_bytes(b, blob, blen);
	th_out_handles(t, 1);
	if (th_run(t, 1, &s, NULL))
		return t->rc;
	assert_int_equal(tb_get_u32(&t->out, handle), 0);
	return 0;
}

/* Split a key blob into the bytes before encDataSize and encData. */
static void split_key(const uint8_t *blob, size_t blen, size_t *head,
		      const uint8_t **enc, uint32_t *elen)
{
	struct tpm_key k;
	struct tpm_buf b;

	memset(&k, 0, sizeof(k));
	tb_init_read(&b, blob, blen);
	assert_int_equal(tpm_key_get(&b, &k, enc, elen), TPM_SUCCESS);
	*head = blen - 4 - *elen;
	tpm_key_clear(&k);
}

static uint32_t authorize(struct th *t, const uint8_t *owner, uint16_t scheme,
			  const uint8_t *pub, size_t plen, uint8_t *ticket,
			  size_t *tlen)
{
	struct th_sess s;
	struct tpm_buf *b;

	if (th_oiap(t, &s, owner))
		return t->rc;
	s.cont = false;
	b = th_begin(t, TPM_ORD_AuthorizeMigrationKey);
	tb_put_u16(b, scheme);
	tb_put_bytes(b, pub, plen);
	if (th_run(t, 0, &s, NULL))
		return t->rc;
	memcpy(ticket, t->out.data, t->out.len);
	*tlen = t->out.len;
	return 0;
}

/* CreateMigrationBlob of @enc under the SRK; @mig NULL sends AUTH1. */
static uint32_t create_blob(struct th *t, const uint8_t *psecret,
			    const uint8_t *mig, uint16_t type,
			    const uint8_t *ticket, size_t tlen,
			    const uint8_t *enc, uint32_t elen, uint8_t *rnd,
			    uint32_t *rlen, uint8_t *out, uint32_t *olen)
{
	struct th_sess s1, s2;
	const uint8_t *p;
	struct tpm_buf *b;

	if (th_oiap(t, &s1, psecret) || th_oiap(t, &s2, mig ? mig : psecret))
		return t->rc;
	s1.cont = s2.cont = false;
	b = th_begin(t, TPM_ORD_CreateMigrationBlob);
	tb_put_u32(b, TPM_KH_SRK);
	tb_put_u16(b, type);
	tb_put_bytes(b, ticket, tlen);
	tb_put_sized(b, enc, elen);
	if (th_run(t, 1, mig ? &s1 : &s2, mig ? &s2 : NULL))
		return t->rc;
	assert_int_equal(tb_get_sized(&t->out, &p, rlen, 256), 0);
	memcpy(rnd, p, *rlen);
	assert_int_equal(tb_get_sized(&t->out, &p, olen, 256), 0);
	memcpy(out, p, *olen);
	assert_int_equal(tb_expect_end(&t->out), 0);
	return 0;
}

static uint32_t convert_blob(struct th *t, uint32_t parent,
			     const uint8_t *psecret, const uint8_t *in,
			     uint32_t ilen, const uint8_t *rnd, uint32_t rlen,
			     uint8_t *out, uint32_t *olen)
{
	struct th_sess s;
	const uint8_t *p;
	struct tpm_buf *b;

	if (th_oiap(t, &s, psecret))
		return t->rc;
	s.cont = false;
	b = th_begin(t, TPM_ORD_ConvertMigrationBlob);
	tb_put_u32(b, parent);
	tb_put_sized(b, in, ilen);
	tb_put_sized(b, rnd, rlen);
	if (th_run(t, 1, &s, NULL))
		return t->rc;
	assert_int_equal(tb_get_sized(&t->out, &p, olen, 256), 0);
	memcpy(out, p, *olen);
	return 0;
}

/* Everything a migration from A to B's SRK needs. */
struct mig {
	uint8_t key[TPM_MAX_COMMAND_SIZE], ticket[1024];
	size_t key_len, ticket_len, head;
	const uint8_t *enc;
	uint32_t elen;
	uint8_t rnd[256], out[256];
	uint32_t rlen, olen;
};

/* A migratable 512-bit signing key on A and a ticket for B's SRK. */
static void mig_prepare(struct pair *p, struct mig *m, uint16_t scheme)
{
	uint8_t pub[512];
	size_t plen = th_srk_pubkey(&p->b, pub, sizeof(pub));

	assert_int_equal(create_key(&p->a, TPM_KEY_SIGNING,
				    TPM_KEY_FLAG_MIGRATABLE, 512, m->key,
				    &m->key_len), 0);
	split_key(m->key, m->key_len, &m->head, &m->enc, &m->elen);
	assert_int_equal(authorize(&p->a, th_owner_auth, scheme, pub, plen,
				   m->ticket, &m->ticket_len), 0);
}

/* Load @enc as the encData of A's key blob on B and sign there. */
static void load_on_b_and_sign(struct pair *p, struct mig *m,
			       const uint8_t *enc, uint32_t elen)
{
	uint8_t blob[TPM_MAX_COMMAND_SIZE];
	uint32_t handle;

	memcpy(blob, m->key, m->head);
	tb_wr_be32(blob + m->head, elen);
	memcpy(blob + m->head + 4, enc, elen);
	assert_int_equal(load_key(&p->b, TPM_KH_SRK, blob, m->head + 4 + elen,
				  &handle), 0);
	th_sign_check(&p->b, handle, key_auth, blob, m->head + 4 + elen,
		      digest20);
}

/* TPM_MS_MIGRATE: out of A, converted into B, signs on B. */
static void migration_migrate_convert_sign(void **state)
{
	struct pair *p = *state;
	uint8_t enc[256];
	uint32_t elen;
	struct mig m;

	mig_prepare(p, &m, TPM_MS_MIGRATE);
	assert_int_equal(m.ticket_len, 284 + 2 + 20);
	assert_int_equal(create_blob(&p->a, th_srk_auth, mig_auth,
				     TPM_MS_MIGRATE, m.ticket, m.ticket_len,
				     m.enc, m.elen, m.rnd, &m.rlen, m.out,
				     &m.olen), 0);
	assert_int_equal(m.olen, 256);
	assert_int_equal(convert_blob(&p->b, TPM_KH_SRK, th_srk_auth, m.out,
				      m.olen, m.rnd, m.rlen, enc, &elen), 0);
	load_on_b_and_sign(p, &m, enc, elen);
}

/* TPM_MS_REWRAP: the output loads on B directly; no random string. */
static void migration_rewrap_load_sign(void **state)
{
	struct pair *p = *state;
	struct mig m;

	mig_prepare(p, &m, TPM_MS_REWRAP);
	assert_int_equal(create_blob(&p->a, th_srk_auth, mig_auth,
				     TPM_MS_REWRAP, m.ticket, m.ticket_len,
				     m.enc, m.elen, m.rnd, &m.rlen, m.out,
				     &m.olen), 0);
	assert_int_equal(m.rlen, 0);
	load_on_b_and_sign(p, &m, m.out, m.olen);
}

/* Part 3, 11.1: owner auth, key strength and encryption scheme. */
static void migration_authorize_failures(void **state)
{
	struct pair *p = *state;
	uint8_t pub[512], ticket[1024];
	size_t plen = th_srk_pubkey(&p->b, pub, sizeof(pub)), tlen;

	assert_int_equal(authorize(&p->a, bad_auth, TPM_MS_MIGRATE, pub,
				   plen, ticket, &tlen), TPM_AUTHFAIL);
	/* encScheme PKCS#1 v1.5 (bytes 4-5 of the TPM_PUBKEY). */
	pub[5] = TPM_ES_RSAESPKCSv15;
	assert_int_equal(authorize(&p->a, th_owner_auth, TPM_MS_MIGRATE, pub,
				   plen, ticket, &tlen),
			 TPM_INAPPROPRIATE_ENC);
	/* keyLength 1024 (bytes 12-15) with a 128-byte modulus. */
	plen = th_srk_pubkey(&p->b, pub, sizeof(pub));
	tb_wr_be32(pub + 12, 1024);
	tb_wr_be32(pub + 24, 128);
	assert_int_equal(authorize(&p->a, th_owner_auth, TPM_MS_MIGRATE, pub,
				   plen - 128, ticket, &tlen),
			 TPM_BAD_KEY_PROPERTY);
	/* No owner: TPM_NOSRK. */
	p->a.s->pf.owner_installed = false;
	plen = th_srk_pubkey(&p->b, pub, sizeof(pub));
	assert_int_equal(authorize(&p->a, th_owner_auth, TPM_MS_MIGRATE, pub,
				   plen, ticket, &tlen), TPM_NOSRK);
}

/* Part 3, 11.2: ticket, migration secret, parent, scheme, blob. */
static void migration_create_blob_failures(void **state)
{
	struct pair *p = *state;
	uint8_t bad[256];
	struct mig m;

	mig_prepare(p, &m, TPM_MS_MIGRATE);
	/* A ticket of another TPM (forged digest). */
	m.ticket[m.ticket_len - 1] ^= 1;
	assert_int_equal(create_blob(&p->a, th_srk_auth, mig_auth,
				     TPM_MS_MIGRATE, m.ticket, m.ticket_len,
				     m.enc, m.elen, m.rnd, &m.rlen, m.out,
				     &m.olen), TPM_AUTHFAIL);
	m.ticket[m.ticket_len - 1] ^= 1;
	/* Wrong migration secret, wrong parent secret. */
	assert_int_equal(create_blob(&p->a, th_srk_auth, bad_auth,
				     TPM_MS_MIGRATE, m.ticket, m.ticket_len,
				     m.enc, m.elen, m.rnd, &m.rlen, m.out,
				     &m.olen), TPM_AUTH2FAIL);
	assert_int_equal(create_blob(&p->a, bad_auth, mig_auth,
				     TPM_MS_MIGRATE, m.ticket, m.ticket_len,
				     m.enc, m.elen, m.rnd, &m.rlen, m.out,
				     &m.olen), TPM_AUTHFAIL);
	/* AUTH1 with a parent that needs authorization. */
	assert_int_equal(create_blob(&p->a, mig_auth, NULL, TPM_MS_MIGRATE,
				     m.ticket, m.ticket_len, m.enc, m.elen,
				     m.rnd, &m.rlen, m.out, &m.olen),
			 TPM_AUTHFAIL);
	/* Unknown migrationType. */
	assert_int_equal(create_blob(&p->a, th_srk_auth, mig_auth, 0x0077,
				     m.ticket, m.ticket_len, m.enc, m.elen,
				     m.rnd, &m.rlen, m.out, &m.olen),
			 TPM_BAD_PARAMETER);
	/* encData that does not decrypt under the parent. */
	memcpy(bad, m.enc, m.elen);
	bad[10] ^= 0x55;
	assert_int_equal(create_blob(&p->a, th_srk_auth, mig_auth,
				     TPM_MS_MIGRATE, m.ticket, m.ticket_len,
				     bad, m.elen, m.rnd, &m.rlen, m.out,
				     &m.olen), TPM_DECRYPT_ERROR);
}

/* A non-migratable key's migrationAuth is tpmProof: nobody knows it. */
static void migration_create_blob_non_migratable(void **state)
{
	struct pair *p = *state;
	struct mig m;

	mig_prepare(p, &m, TPM_MS_MIGRATE);
	assert_int_equal(create_key(&p->a, TPM_KEY_SIGNING, 0, 512, m.key,
				    &m.key_len), 0);
	split_key(m.key, m.key_len, &m.head, &m.enc, &m.elen);
	assert_int_equal(create_blob(&p->a, th_srk_auth, mig_auth,
				     TPM_MS_MIGRATE, m.ticket, m.ticket_len,
				     m.enc, m.elen, m.rnd, &m.rlen, m.out,
				     &m.olen), TPM_AUTH2FAIL);
}

/* Part 3, 11.3: random, parent auth, parent usage, other parent. */
static void migration_convert_failures(void **state)
{
	struct pair *p = *state;
	uint8_t enc[256], blob[TPM_MAX_COMMAND_SIZE];
	uint32_t elen, handle;
	size_t blen;
	struct mig m;

	mig_prepare(p, &m, TPM_MS_MIGRATE);
	assert_int_equal(create_blob(&p->a, th_srk_auth, mig_auth,
				     TPM_MS_MIGRATE, m.ticket, m.ticket_len,
				     m.enc, m.elen, m.rnd, &m.rlen, m.out,
				     &m.olen), 0);
	assert_int_equal(convert_blob(&p->b, TPM_KH_SRK, th_srk_auth, m.out,
				      m.olen, m.rnd, m.rlen - 1, enc, &elen),
			 TPM_BAD_PARAMETER);
	assert_int_equal(convert_blob(&p->b, TPM_KH_SRK, bad_auth, m.out,
				      m.olen, m.rnd, m.rlen, enc, &elen),
			 TPM_AUTHFAIL);
	assert_int_equal(convert_blob(&p->b, 0x01ABCDEFU, th_srk_auth, m.out,
				      m.olen, m.rnd, m.rlen, enc, &elen),
			 TPM_INVALID_KEYHANDLE);
	/* A wrong random string breaks the OAEP structure. */
	m.rnd[0] ^= 0x80;
	m.rnd[30] ^= 0x01;
	assert_int_not_equal(convert_blob(&p->b, TPM_KH_SRK, th_srk_auth,
					  m.out, m.olen, m.rnd, m.rlen, enc,
					  &elen), TPM_SUCCESS);
	m.rnd[0] ^= 0x80;
	m.rnd[30] ^= 0x01;
	/* The blob is for B's SRK: A's SRK cannot decrypt it. */
	assert_int_equal(convert_blob(&p->a, TPM_KH_SRK, th_srk_auth, m.out,
				      m.olen, m.rnd, m.rlen, enc, &elen),
			 TPM_DECRYPT_ERROR);
	/* A signing key is no parent. */
	assert_int_equal(create_key(&p->b, TPM_KEY_SIGNING, 0, 512, blob,
				    &blen), 0);
	assert_int_equal(load_key(&p->b, TPM_KH_SRK, blob, blen, &handle), 0);
	memcpy(p->b.s->keys[0].usage_auth, th_srk_auth, 20);
	assert_int_equal(convert_blob(&p->b, handle, th_srk_auth, m.out,
				      m.olen, m.rnd, m.rlen, enc, &elen),
			 TPM_INVALID_KEYUSAGE);
}

/* Part 3, 11.4: re-encryption from a migrate key to another key. */
static void migration_migrate_key(void **state)
{
	struct pair *p = *state;
	uint8_t blob[TPM_MAX_COMMAND_SIZE], pub[512], enc[256], plain[256];
	const char msg[] = "migration authority payload";
	struct tpm_key *ma = NULL;
	const uint8_t *o;
	struct th_sess s;
	struct tpm_buf *b;
	size_t blen, plen, elen, len;
	uint32_t handle, olen, sign_handle, i;

	assert_int_equal(create_key(&p->a, TPM_KEY_MIGRATE, 0, 2048, blob,
				    &blen), 0);
	assert_int_equal(load_key(&p->a, TPM_KH_SRK, blob, blen, &handle), 0);
	for (i = 0; i < TPM_MAX_KEYS; i++)
		if (p->a.s->keys[i].valid && p->a.s->keys[i].handle == handle)
			ma = &p->a.s->keys[i];
	assert_non_null(ma);
	assert_int_equal(tpm_rsa_oaep_encrypt(ma->rsa, (const uint8_t *)msg,
					      sizeof(msg), enc, sizeof(enc),
					      &elen), 0);
	plen = th_srk_pubkey(&p->b, pub, sizeof(pub));
	assert_int_equal(th_oiap(&p->a, &s, key_auth), 0);
	s.cont = false;
	b = th_begin(&p->a, TPM_ORD_MigrateKey);
	tb_put_u32(b, handle);
	tb_put_bytes(b, pub, plen);
	tb_put_sized(b, enc, (uint32_t)elen);
	assert_int_equal(th_run(&p->a, 1, &s, NULL), TPM_SUCCESS);
	assert_int_equal(tb_get_sized(&p->a.out, &o, &olen, 256), 0);
	/* B's SRK decrypts what A re-encrypted. */
	assert_int_equal(tpm_rsa_oaep_decrypt(p->b.s->pd.srk.rsa, o, olen,
					      plain, sizeof(plain), &len), 0);
	assert_int_equal(len, sizeof(msg));
	assert_memory_equal(plain, msg, sizeof(msg));
	/* Wrong key auth. */
	assert_int_equal(th_oiap(&p->a, &s, bad_auth), 0);
	s.cont = false;
	b = th_begin(&p->a, TPM_ORD_MigrateKey);
	tb_put_u32(b, handle);
	tb_put_bytes(b, pub, plen);
	tb_put_sized(b, enc, (uint32_t)elen);
	assert_int_equal(th_run(&p->a, 1, &s, NULL), TPM_AUTHFAIL);
	/* A key that is not TPM_KEY_MIGRATE. */
	assert_int_equal(create_key(&p->a, TPM_KEY_SIGNING, 0, 512, blob,
				    &blen), 0);
	assert_int_equal(load_key(&p->a, TPM_KH_SRK, blob, blen,
				  &sign_handle), 0);
	assert_int_equal(th_oiap(&p->a, &s, key_auth), 0);
	s.cont = false;
	b = th_begin(&p->a, TPM_ORD_MigrateKey);
	tb_put_u32(b, sign_handle);
	tb_put_bytes(b, pub, plen);
	tb_put_sized(b, enc, (uint32_t)elen);
	assert_int_equal(th_run(&p->a, 1, &s, NULL), TPM_INVALID_KEYUSAGE);
	/* Garbage that does not decrypt. */
	assert_int_equal(th_oiap(&p->a, &s, key_auth), 0);
	s.cont = false;
	enc[7] ^= 1;
	b = th_begin(&p->a, TPM_ORD_MigrateKey);
	tb_put_u32(b, handle);
	tb_put_bytes(b, pub, plen);
	tb_put_sized(b, enc, (uint32_t)elen);
	assert_int_equal(th_run(&p->a, 1, &s, NULL), TPM_DECRYPT_ERROR);
}

#define AUTH45 0x02, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, \
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, \
	0, 0, 0, 0, 0
#define HDR(tag, size, ord) 0, tag, 0, 0, 0, size, 0, 0, 0, ord

#define CMD TH_VEC_BYTES

static const struct th_vector malformed[] = {
	CMD("AuthorizeMigrationKey: RQU tag", TPM_BADTAG,
	    HDR(0xC1, 12, 0x2B), 0, 1),
	CMD("AuthorizeMigrationKey: scheme only", TPM_BAD_PARAM_SIZE,
	    HDR(0xC2, 57, 0x2B), 0, 1, AUTH45),
	CMD("AuthorizeMigrationKey: truncated TPM_PUBKEY", TPM_BAD_PARAM_SIZE,
	    HDR(0xC2, 63, 0x2B), 0, 1, 0, 0, 0, 1, 0, 3, AUTH45),
	CMD("CreateMigrationBlob: RQU tag", TPM_BADTAG,
	    HDR(0xC1, 16, 0x28), 0x40, 0, 0, 0, 0, 1),
	CMD("CreateMigrationBlob: handle and type only", TPM_BAD_PARAM_SIZE,
	    HDR(0xC3, 106, 0x28), 0x40, 0, 0, 0, 0, 1, AUTH45, AUTH45),
	CMD("ConvertMigrationBlob: RQU tag", TPM_BADTAG,
	    HDR(0xC1, 22, 0x2A), 0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
	CMD("ConvertMigrationBlob: no random", TPM_BAD_PARAM_SIZE,
	    HDR(0xC2, 63, 0x2A), 0x40, 0, 0, 0, 0, 0, 0, 0, AUTH45),
	CMD("ConvertMigrationBlob: inData beyond the command",
	    TPM_BAD_PARAM_SIZE,
	    HDR(0xC2, 67, 0x2A), 0x40, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0,
	    AUTH45),
	CMD("ConvertMigrationBlob: trailing byte", TPM_BAD_PARAM_SIZE,
	    HDR(0xC2, 68, 0x2A), 0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7,
	    AUTH45),
	CMD("MigrateKey: RQU tag", TPM_BADTAG,
	    HDR(0xC1, 14, 0x25), 1, 0, 0, 1),
	CMD("MigrateKey: handle only", TPM_BAD_PARAM_SIZE,
	    HDR(0xC2, 59, 0x25), 1, 0, 0, 1, AUTH45),
};

/* Malformed commands of this family answer with the listed code. */
static void migration_malformed_vectors(void **state)
{
	struct pair *p = *state;

	th_run_vectors(&p->a, malformed, ARRAY_SIZE(malformed));
}

#define MT(f) cmocka_unit_test_setup_teardown(f, setup_pair, teardown_pair)

int main(void)
{
	const struct CMUnitTest tests[] = {
		MT(migration_migrate_convert_sign),
		MT(migration_rewrap_load_sign),
		MT(migration_authorize_failures),
		MT(migration_create_blob_failures),
		MT(migration_create_blob_non_migratable),
		MT(migration_convert_failures),
		MT(migration_migrate_key),
		MT(migration_malformed_vectors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
