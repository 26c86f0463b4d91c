// SPDX-License-Identifier: GPL-2.0
/*
 * Ownership and the endorsement key (Part 3, 6, 14, 17.2, 27.6-27.7;
 * owner.c): EK creation and reading, TakeOwnership and its checks,
 * OwnerClear / ForceClear and their locks, ChangeAuthOwner, malformed
 * input.  The client side encrypts with OpenSSL, never the engine.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "harness.h"

static const uint8_t nonce[20] = "anti-replay-nonce-01";
static const uint8_t new_auth[20] = "a-new-owner-secret-9";

static uint32_t no_params(struct th *t, uint32_t ordinal)
{
	th_begin(t, ordinal);
	return th_run(t, 0, NULL, NULL);
}

/* Length of the TPM_PUBKEY at the head of @b (not consumed). */
static size_t pubkey_len(const struct tpm_buf *b)
{
	struct tpm_buf c = *b;
	uint32_t psize, klen;

	assert_int_equal(tb_skip(&c, 8), 0);
	assert_int_equal(tb_get_u32(&c, &psize), 0);
	assert_int_equal(tb_skip(&c, psize), 0);
	assert_int_equal(tb_get_u32(&c, &klen), 0);
	assert_int_equal(klen, 256);
	assert_int_equal(tb_skip(&c, klen), 0);
	return c.pos - b->pos;
}

/* Take a TPM_PUBKEY off @b into @pub; check checksum if @sum. */
static size_t take_pubkey(struct tpm_buf *b, uint8_t *pub, bool sum)
{
	size_t n = pubkey_len(b);
	uint8_t m[512], d[20], want[20];

	assert_int_equal(tb_get_bytes(b, pub, n), 0);
	if (sum) {
		assert_int_equal(tb_get_bytes(b, d, 20), 0);
		memcpy(m, pub, n);
		memcpy(m + n, nonce, 20);
		th_sha1(m, n + 20, want);
		assert_memory_equal(d, want, 20);
	}
	assert_int_equal(tb_expect_end(b), 0);
	return n;
}

static uint32_t read_pubek(struct th *t)
{
	struct tpm_buf *b = th_begin(t, TPM_ORD_ReadPubek);

	tb_put_bytes(b, nonce, 20);
	return th_run(t, 0, NULL, NULL);
}

/* The EK as an OpenSSL key, read with ReadPubek. */
static EVP_PKEY *ek_key(struct th *t)
{
	uint8_t pub[512];
	size_t n;

	assert_int_equal(read_pubek(t), TPM_SUCCESS);
	n = take_pubkey(&t->out, pub, true);
	return th_rsa_pub(pub + n - 256, 256);
}

/* What a TakeOwnership attempt looks like. */
struct take {
	uint16_t protocol;
	const uint8_t *owner;		/* A1 */
	size_t owner_len;
	const uint8_t *hmac;		/* OIAP secret, normally A1 */
	uint16_t usage;
	uint32_t flags;
	uint16_t ss;
	uint32_t bits;
	bool garbage_owner;		/* encOwnerAuth is not OAEP */
};

static struct take take_default(void)
{
	struct take k = {
		.protocol = TPM_PID_OWNER, .owner = th_owner_auth,
		.owner_len = 20, .hmac = th_owner_auth,
		.usage = TPM_KEY_STORAGE, .ss = TPM_SS_NONE, .bits = 2048,
	};

	return k;
}

static void put_srk_params(struct tpm_buf *b, const struct take *k)
{
	tb_put_u16(b, TPM_TAG_KEY12);
	tb_put_u16(b, 0);
	tb_put_u16(b, k->usage);
	tb_put_u32(b, k->flags);
	tb_put_u8(b, TPM_AUTH_ALWAYS);
	tb_put_u32(b, TPM_ALG_RSA);
	tb_put_u16(b, TPM_ES_RSAESOAEP_SHA1_MGF1);
	tb_put_u16(b, k->ss);
	tb_put_u32(b, 12);
	tb_put_u32(b, k->bits);
	tb_put_u32(b, 2);
	tb_put_u32(b, 0);
	tb_put_u32(b, 0);		/* PCRInfoSize */
	tb_put_u32(b, 0);		/* pubKey */
	tb_put_u32(b, 0);		/* encData */
}

/* TakeOwnership with the given options, encrypted under @ek. */
static uint32_t take_ownership(struct th *t, EVP_PKEY *ek,
			       const struct take *k)
{
	uint8_t enc_owner[256], enc_srk[256];
	size_t n1, n2;
	struct th_sess s;
	struct tpm_buf *b;

	n1 = th_oaep(ek, k->owner, k->owner_len, enc_owner);
	n2 = th_oaep(ek, th_srk_auth, 20, enc_srk);
	if (k->garbage_owner)
		memset(enc_owner, 0x5A, n1);
	assert_int_equal(th_oiap(t, &s, k->hmac), TPM_SUCCESS);
	b = th_begin(t, TPM_ORD_TakeOwnership);
	tb_put_u16(b, k->protocol);
	tb_put_sized(b, enc_owner, (uint32_t)n1);
	tb_put_sized(b, enc_srk, (uint32_t)n2);
	put_srk_params(b, k);
	return th_run(t, 0, &s, NULL);
}

/* An owner-authorized command with @plen bytes of parameters, in an
 * OIAP session on @secret; @sess (may be NULL) receives the session. */
static uint32_t owner_cmd(struct th *t, uint32_t ordinal,
			  const void *params, size_t plen,
			  const uint8_t secret[20], struct th_sess *sess)
{
	struct th_sess s;
	struct tpm_buf *b;

	if (!sess)
		sess = &s;
	assert_int_equal(th_oiap(t, sess, secret), TPM_SUCCESS);
	b = th_begin(t, ordinal);
	tb_put_bytes(b, params, plen);
	return th_run(t, 0, sess, NULL);
}

static uint32_t read_internal_pub(struct th *t, uint32_t handle,
				  const uint8_t secret[20])
{
	uint8_t h[4];

	tb_wr_be32(h, handle);
	return owner_cmd(t, TPM_ORD_OwnerReadInternalPub, h, 4, secret, NULL);
}

/* The continueAuthSession byte of the last response's auth area. */
static uint8_t rsp_continue(const struct th *t)
{
	return t->out.data[t->out.len + TPM_NONCE_SIZE];
}

/* ReadPubek returns the PUBEK and SHA1(PUBEK || antiReplay). */
static void read_pubek_returns_checksum(void **state)
{
	struct th *t = *state;
	uint8_t pub[512];
	size_t n;

	assert_int_equal(read_pubek(t), TPM_SUCCESS);
	n = take_pubkey(&t->out, pub, true);
	/* TPM_KEY_PARMS: RSA, OAEP, no signatures, 2048 bits. */
	assert_int_equal(tb_be32(pub), TPM_ALG_RSA);
	assert_int_equal(tb_be16(pub + 4), TPM_ES_RSAESOAEP_SHA1_MGF1);
	assert_int_equal(tb_be16(pub + 6), TPM_SS_NONE);
	assert_int_equal(tb_be32(pub + 12), 2048);
	assert_memory_equal(pub + n - 256, t->s->pd.ek.n, 256);
}

/* Without an EK, ReadPubek is TPM_NO_ENDORSEMENT. */
static void read_pubek_no_ek(void **state)
{
	struct th *t = *state;

	th_fini(t);
	th_init_no_ek(t);
	assert_int_equal(read_pubek(t), TPM_NO_ENDORSEMENT);
}

static uint32_t create_ek(struct th *t, uint32_t bits, uint16_t es)
{
	struct tpm_buf *b = th_begin(t, TPM_ORD_CreateEndorsementKeyPair);

	tb_put_bytes(b, nonce, 20);
	tb_put_u32(b, TPM_ALG_RSA);
	tb_put_u16(b, es);
	tb_put_u16(b, TPM_SS_NONE);
	tb_put_u32(b, 12);
	tb_put_u32(b, bits);
	tb_put_u32(b, 2);
	tb_put_u32(b, 0);
	return th_run(t, 0, NULL, NULL);
}

/* CreateEndorsementKeyPair makes the EK once; ReadPubek then returns
 * the same key, and CEKPUsed is set. */
static void create_ek_pair_once(void **state)
{
	struct th *t = *state;
	uint8_t pub[512], pub2[512];
	size_t n;

	th_fini(t);
	th_init_no_ek(t);
	assert_int_equal(create_ek(t, 1024, TPM_ES_RSAESOAEP_SHA1_MGF1),
			 TPM_BAD_KEY_PROPERTY);
	assert_int_equal(create_ek(t, 2048, TPM_ES_RSAESPKCSv15),
			 TPM_BAD_KEY_PROPERTY);
	assert_false(t->s->pd.ek.valid);
	t->s->dirty = false;
	assert_int_equal(create_ek(t, 2048, TPM_ES_RSAESOAEP_SHA1_MGF1),
			 TPM_SUCCESS);
	assert_true(tpm_state_dirty(t->s));
	n = take_pubkey(&t->out, pub, true);
	assert_true(t->s->pf.cekp_used);
	assert_false(t->s->pf.enable_revoke_ek);
	assert_int_equal(read_pubek(t), TPM_SUCCESS);
	assert_int_equal(take_pubkey(&t->out, pub2, true), n);
	assert_memory_equal(pub, pub2, n);
	assert_int_equal(create_ek(t, 2048, TPM_ES_RSAESOAEP_SHA1_MGF1),
			 TPM_DISABLED_CMD);
}

/* TakeOwnership installs owner and SRK, returns the SRK public part,
 * and turns ReadPubek off; OwnerReadInternalPub shows the same SRK. */
static void take_ownership_installs_owner(void **state)
{
	struct th *t = *state;
	struct take k = take_default();
	EVP_PKEY *ek = ek_key(t);
	struct tpm_key srk;
	uint8_t pub[512];
	const uint8_t *enc;
	uint32_t enc_len;
	size_t n;

	memset(&srk, 0, sizeof(srk));
	assert_int_equal(take_ownership(t, ek, &k), TPM_SUCCESS);
	EVP_PKEY_free(ek);
	assert_int_equal(tpm_key_get(&t->out, &srk, &enc, &enc_len), 0);
	assert_int_equal(tb_expect_end(&t->out), 0);
	assert_int_equal(enc_len, 0);
	assert_true(srk.key12);
	assert_int_equal(srk.usage, TPM_KEY_STORAGE);
	assert_int_equal(srk.n_len, 256);
	assert_true(t->s->pf.owner_installed);
	assert_true(t->s->pd.srk.valid);
	assert_memory_equal(t->s->pd.owner_auth, th_owner_auth, 20);
	assert_memory_equal(t->s->pd.srk.usage_auth, th_srk_auth, 20);
	assert_false(t->s->pf.read_pubek);
	assert_int_equal(read_pubek(t), TPM_DISABLED_CMD);
	assert_int_equal(read_internal_pub(t, TPM_KH_SRK, th_owner_auth),
			 TPM_SUCCESS);
	n = take_pubkey(&t->out, pub, false);
	assert_memory_equal(pub + n - 256, srk.n, 256);
}

/* Every TakeOwnership precondition and parameter check. */
static void take_ownership_failures(void **state)
{
	struct th *t = *state;
	EVP_PKEY *ek = ek_key(t);
	struct take k;
	static const uint8_t short_secret[16] = "sixteen-bytes-ab";

	k = take_default();
	k.hmac = th_zero_auth;
	assert_int_equal(take_ownership(t, ek, &k), TPM_AUTHFAIL);
	k = take_default();
	k.protocol = TPM_PID_OIAP;
	assert_int_equal(take_ownership(t, ek, &k), TPM_BAD_PARAMETER);
	k = take_default();
	k.garbage_owner = true;
	assert_int_equal(take_ownership(t, ek, &k), TPM_DECRYPT_ERROR);
	k = take_default();
	k.owner = short_secret;
	k.owner_len = sizeof(short_secret);
	assert_int_equal(take_ownership(t, ek, &k), TPM_BAD_KEY_PROPERTY);
	k = take_default();
	k.usage = TPM_KEY_SIGNING;
	assert_int_equal(take_ownership(t, ek, &k), TPM_INVALID_KEYUSAGE);
	k = take_default();
	k.flags = TPM_KEY_FLAG_MIGRATABLE;
	assert_int_equal(take_ownership(t, ek, &k), TPM_INVALID_KEYUSAGE);
	k = take_default();
	k.ss = TPM_SS_RSASSAPKCS1v15_SHA1;
	assert_int_equal(take_ownership(t, ek, &k), TPM_BAD_KEY_PROPERTY);
	k = take_default();
	k.bits = 1024;
	assert_int_equal(take_ownership(t, ek, &k), TPM_BAD_KEY_PROPERTY);
	assert_false(t->s->pf.owner_installed);
	assert_false(t->s->pd.srk.valid);
	/* Owner install switched off (SetOwnerInstall FALSE). */
	t->s->pd.no_owner_install = true;
	k = take_default();
	assert_int_equal(take_ownership(t, ek, &k), TPM_INSTALL_DISABLED);
	t->s->pd.no_owner_install = false;
	/* Disabled: refused by dispatch; deactivated: allowed. */
	t->s->pf.disable = true;
	assert_int_equal(take_ownership(t, ek, &k), TPM_DISABLED);
	t->s->pf.disable = false;
	t->s->sf.deactivated = true;
	assert_int_equal(take_ownership(t, ek, &k), TPM_SUCCESS);
	t->s->sf.deactivated = false;
	assert_int_equal(take_ownership(t, ek, &k), TPM_OWNER_SET);
	EVP_PKEY_free(ek);
}

/* A session that does not exist, and one that is not OIAP. */
static void take_ownership_bad_session(void **state)
{
	struct th *t = *state;
	struct th_sess s;
	struct tpm_buf *b;

	memset(&s, 0, sizeof(s));
	s.handle = 0x0200FFFF;
	s.cont = true;
	b = th_begin(t, TPM_ORD_TakeOwnership);
	tb_put_u16(b, TPM_PID_OWNER);
	tb_put_u32(b, 0);
	tb_put_u32(b, 0);
	put_srk_params(b, &(struct take){ .usage = TPM_KEY_STORAGE,
					  .ss = TPM_SS_NONE, .bits = 2048 });
	assert_int_equal(th_run(t, 0, &s, NULL), TPM_INVALID_AUTHHANDLE);
	/* An OSAP session (on the SRK of nobody): no such entity. */
	assert_int_equal(th_osap(t, &s, TPM_ET_SRK, TPM_KH_SRK, th_srk_auth),
			 TPM_NOSRK);
}

/* Without an EK there is nothing to encrypt the secrets to. */
static void take_ownership_no_ek(void **state)
{
	struct th *t = *state;
	struct th_sess s;
	struct tpm_buf *b;

	th_fini(t);
	th_init_no_ek(t);
	assert_int_equal(th_oiap(t, &s, th_owner_auth), TPM_SUCCESS);
	b = th_begin(t, TPM_ORD_TakeOwnership);
	tb_put_u16(b, TPM_PID_OWNER);
	tb_put_u32(b, 0);
	tb_put_u32(b, 0);
	put_srk_params(b, &(struct take){ .usage = TPM_KEY_STORAGE,
					  .ss = TPM_SS_NONE, .bits = 2048 });
	assert_int_equal(th_run(t, 0, &s, NULL), TPM_NO_ENDORSEMENT);
}

/* OwnerReadPubek: the owner reads the EK even with readPubek off. */
static void owner_read_pubek(void **state)
{
	struct th *t = *state;
	uint8_t pub[512];
	size_t n;

	assert_int_equal(owner_cmd(t, TPM_ORD_OwnerReadPubek, NULL, 0,
				   th_zero_auth, NULL), TPM_AUTHFAIL);
	assert_int_equal(owner_cmd(t, TPM_ORD_OwnerReadPubek, NULL, 0,
				   th_owner_auth, NULL), TPM_SUCCESS);
	n = take_pubkey(&t->out, pub, false);
	assert_memory_equal(pub + n - 256, t->s->pd.ek.n, 256);
}

/* Unowned: the owner commands answer TPM_NOSRK. */
static void owner_commands_unowned_nosrk(void **state)
{
	struct th *t = *state;
	static const uint32_t ords[] = {
		TPM_ORD_OwnerReadPubek, TPM_ORD_DisablePubekRead,
		TPM_ORD_OwnerClear, TPM_ORD_DisableOwnerClear,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ords); i++)
		assert_int_equal(owner_cmd(t, ords[i], NULL, 0, th_owner_auth,
					   NULL), TPM_NOSRK);
	assert_int_equal(read_internal_pub(t, TPM_KH_EK, th_owner_auth),
			 TPM_NOSRK);
}

/* OwnerReadInternalPub: EK and SRK; any other handle is refused. */
static void owner_read_internal_pub(void **state)
{
	struct th *t = *state;
	uint8_t pub[512];
	size_t n;

	assert_int_equal(read_internal_pub(t, TPM_KH_EK, th_owner_auth),
			 TPM_SUCCESS);
	n = take_pubkey(&t->out, pub, false);
	assert_memory_equal(pub + n - 256, t->s->pd.ek.n, 256);
	assert_int_equal(read_internal_pub(t, TPM_KH_SRK, th_owner_auth),
			 TPM_SUCCESS);
	n = take_pubkey(&t->out, pub, false);
	assert_memory_equal(pub + n - 256, t->s->pd.srk.n, 256);
	assert_int_equal(read_internal_pub(t, TPM_KH_OWNER, th_owner_auth),
			 TPM_BAD_PARAMETER);
	assert_int_equal(read_internal_pub(t, TPM_KH_EK, th_srk_auth),
			 TPM_AUTHFAIL);
}

/* DisablePubekRead turns ReadPubek off again after SetCapability
 * turned it on. */
static void disable_pubek_read(void **state)
{
	struct th *t = *state;
	uint8_t p[17];

	/* SetCapability(PERM_FLAGS, READPUBEK, TRUE) by the owner. */
	tb_wr_be32(p, TPM_SET_PERM_FLAGS);
	tb_wr_be32(p + 4, 4);
	tb_wr_be32(p + 8, TPM_PF_READPUBEK);
	tb_wr_be32(p + 12, 1);
	p[16] = 1;
	assert_int_equal(owner_cmd(t, TPM_ORD_SetCapability, p, sizeof(p),
				   th_owner_auth, NULL), TPM_SUCCESS);
	assert_int_equal(read_pubek(t), TPM_SUCCESS);
	assert_int_equal(owner_cmd(t, TPM_ORD_DisablePubekRead, NULL, 0,
				   th_zero_auth, NULL), TPM_AUTHFAIL);
	assert_int_equal(owner_cmd(t, TPM_ORD_DisablePubekRead, NULL, 0,
				   th_owner_auth, NULL), TPM_SUCCESS);
	assert_int_equal(read_pubek(t), TPM_DISABLED_CMD);
}

/* OwnerClear removes owner, SRK, keys (owner-evict too), counters and
 * sessions, resets the flags, and ends its own session. */
static void owner_clear_actions(void **state)
{
	struct th *t = *state;
	struct th_sess s, other;
	struct tpm_key *k;
	uint32_t h;
	static const uint8_t zero[20];

	h = th_create_load_key(t, TPM_KEY_BIND, th_zero_auth, NULL, NULL);
	assert_int_equal(tpm_key_lookup(t->s, h, &k), TPM_SUCCESS);
	k->owner_evict = true;
	t->s->pd.counters[0].valid = true;
	t->s->pd.counters[0].handle = 5;
	t->s->pd.counter_next = 6;
	t->s->pd.da_failures = 3;
	t->s->pf.disable_full_da_logic_info = true;
	assert_int_equal(th_oiap(t, &other, th_zero_auth), TPM_SUCCESS);
	assert_int_equal(owner_cmd(t, TPM_ORD_OwnerClear, NULL, 0,
				   th_zero_auth, NULL), TPM_AUTHFAIL);
	assert_true(t->s->pf.owner_installed);
	t->s->pd.da_failures = 3;
	t->s->da_lock_until_us = 0;
	assert_int_equal(owner_cmd(t, TPM_ORD_OwnerClear, NULL, 0,
				   th_owner_auth, &s), TPM_SUCCESS);
	assert_int_equal(rsp_continue(t), 0);
	assert_null(tpm_session_find(t->s, s.handle));
	assert_null(tpm_session_find(t->s, other.handle));
	assert_false(t->s->pf.owner_installed);
	assert_false(t->s->pd.srk.valid);
	assert_memory_equal(t->s->pd.owner_auth, zero, 20);
	assert_int_equal(tpm_key_lookup(t->s, h, &k), TPM_INVALID_KEYHANDLE);
	assert_int_equal(tpm_counters_used(t->s), 0);
	assert_int_equal(t->s->pd.counter_next, 6);
	assert_int_equal(t->s->pd.da_failures, 0);
	assert_true(t->s->pf.disable);
	assert_true(t->s->pf.deactivated);
	assert_true(t->s->pf.read_pubek);
	assert_false(t->s->pf.disable_full_da_logic_info);
	assert_true(t->s->pd.ek.valid);
	assert_true(tpm_state_dirty(t->s));
}

/* After a clear the TPM can be enabled, activated and owned again. */
static void owner_clear_then_take_ownership(void **state)
{
	struct th *t = *state;
	uint8_t f = 0;

	assert_int_equal(owner_cmd(t, TPM_ORD_OwnerClear, NULL, 0,
				   th_owner_auth, NULL), TPM_SUCCESS);
	/* Disabled now: OwnerClear itself is no longer available. */
	assert_int_equal(owner_cmd(t, TPM_ORD_OwnerClear, NULL, 0,
				   th_owner_auth, NULL), TPM_DISABLED);
	th_pp(t);
	assert_int_equal(no_params(t, TPM_ORD_PhysicalEnable), TPM_SUCCESS);
	{
		struct tpm_buf *b = th_begin(t, TPM_ORD_PhysicalSetDeactivated);

		tb_put_bytes(b, &f, 1);
		assert_int_equal(th_run(t, 0, NULL, NULL), TPM_SUCCESS);
	}
	th_restart(t, TPM_ST_CLEAR);
	th_take_ownership(t);
	assert_true(t->s->pf.owner_installed);
}

/* DisableOwnerClear locks OwnerClear; only ForceClear undoes it. */
static void disable_owner_clear_locks(void **state)
{
	struct th *t = *state;
	struct th_sess s;

	assert_int_equal(owner_cmd(t, TPM_ORD_DisableOwnerClear, NULL, 0,
				   th_zero_auth, NULL), TPM_AUTHFAIL);
	assert_int_equal(owner_cmd(t, TPM_ORD_DisableOwnerClear, NULL, 0,
				   th_owner_auth, NULL), TPM_SUCCESS);
	assert_true(t->s->pf.disable_owner_clear);
	assert_int_equal(owner_cmd(t, TPM_ORD_OwnerClear, NULL, 0,
				   th_owner_auth, &s), TPM_CLEAR_DISABLED);
	assert_null(tpm_session_find(t->s, s.handle));
	assert_true(t->s->pf.owner_installed);
	th_pp(t);
	assert_int_equal(no_params(t, TPM_ORD_ForceClear), TPM_SUCCESS);
	assert_false(t->s->pf.disable_owner_clear);
	assert_false(t->s->pf.owner_installed);
}

/* ForceClear needs presence, is locked by DisableForceClear until the
 * next Startup, and also works without an owner. */
static void force_clear_presence_and_lock(void **state)
{
	struct th *t = *state;

	assert_int_equal(no_params(t, TPM_ORD_ForceClear), TPM_BAD_PRESENCE);
	assert_int_equal(no_params(t, TPM_ORD_DisableForceClear), 0);
	th_pp(t);
	assert_int_equal(no_params(t, TPM_ORD_ForceClear), TPM_CLEAR_DISABLED);
	assert_true(t->s->pf.owner_installed);
	th_restart(t, TPM_ST_CLEAR);
	th_pp(t);
	assert_int_equal(no_params(t, TPM_ORD_ForceClear), TPM_SUCCESS);
	assert_false(t->s->pf.owner_installed);
	assert_true(t->s->pf.disable);
	/* Unavailable while disabled; after enabling, it runs unowned. */
	assert_int_equal(no_params(t, TPM_ORD_ForceClear), TPM_DISABLED);
	assert_int_equal(no_params(t, TPM_ORD_PhysicalEnable), TPM_SUCCESS);
	t->s->pf.deactivated = false;
	assert_int_equal(no_params(t, TPM_ORD_ForceClear), TPM_SUCCESS);
}

/* ChangeAuthOwner body: protocol, encrypted secret, entity. */
static uint32_t change_auth_owner(struct th *t, struct th_sess *s,
				  uint16_t protocol, uint16_t et,
				  const uint8_t secret[20])
{
	struct tpm_buf *b;
	uint8_t enc[20];

	th_adip(s, secret, false, enc);
	b = th_begin(t, TPM_ORD_ChangeAuthOwner);
	tb_put_u16(b, protocol);
	tb_put_bytes(b, enc, 20);
	tb_put_u16(b, et);
	return th_run(t, 0, s, NULL);
}

/* ChangeAuthOwner(OWNER): the new secret works, the old one no longer;
 * the owner's other OSAP sessions end, and so does the command's. */
static void change_auth_owner_owner(void **state)
{
	struct th *t = *state;
	struct th_sess s, other;

	assert_int_equal(th_osap(t, &other, TPM_ET_OWNER, TPM_KH_OWNER,
				 th_owner_auth), TPM_SUCCESS);
	assert_int_equal(th_osap(t, &s, TPM_ET_OWNER, TPM_KH_OWNER,
				 th_owner_auth), TPM_SUCCESS);
	t->s->dirty = false;
	assert_int_equal(change_auth_owner(t, &s, TPM_PID_ADCP, TPM_ET_OWNER,
					   new_auth), TPM_SUCCESS);
	assert_true(tpm_state_dirty(t->s));
	assert_int_equal(rsp_continue(t), 0);
	assert_null(tpm_session_find(t->s, s.handle));
	assert_null(tpm_session_find(t->s, other.handle));
	assert_memory_equal(t->s->pd.owner_auth, new_auth, 20);
	assert_int_equal(owner_cmd(t, TPM_ORD_OwnerReadPubek, NULL, 0,
				   th_owner_auth, NULL), TPM_AUTHFAIL);
	assert_int_equal(owner_cmd(t, TPM_ORD_OwnerReadPubek, NULL, 0,
				   new_auth, NULL), TPM_SUCCESS);
}

/* ChangeAuthOwner(SRK) changes the SRK's usage secret only. */
static void change_auth_owner_srk(void **state)
{
	struct th *t = *state;
	struct th_sess s, srk_sess;

	assert_int_equal(th_osap(t, &srk_sess, TPM_ET_KEYHANDLE, TPM_KH_SRK,
				 th_srk_auth), TPM_SUCCESS);
	assert_int_equal(th_osap(t, &s, TPM_ET_OWNER, TPM_KH_OWNER,
				 th_owner_auth), TPM_SUCCESS);
	assert_int_equal(change_auth_owner(t, &s, TPM_PID_ADCP, TPM_ET_SRK,
					   new_auth), TPM_SUCCESS);
	assert_memory_equal(t->s->pd.srk.usage_auth, new_auth, 20);
	assert_memory_equal(t->s->pd.owner_auth, th_owner_auth, 20);
	assert_null(tpm_session_find(t->s, srk_sess.handle));
	assert_int_equal(th_osap(t, &s, TPM_ET_SRK, TPM_KH_SRK, new_auth),
			 TPM_SUCCESS);
}

/* ChangeAuthOwner refusals: OIAP, wrong protocol or entity, a session
 * for another entity, wrong owner secret; nothing changes. */
static void change_auth_owner_failures(void **state)
{
	struct th *t = *state;
	struct th_sess s;

	assert_int_equal(th_oiap(t, &s, th_owner_auth), TPM_SUCCESS);
	assert_int_equal(change_auth_owner(t, &s, TPM_PID_ADCP, TPM_ET_OWNER,
					   new_auth), TPM_INVALID_AUTHHANDLE);
	assert_int_equal(th_osap(t, &s, TPM_ET_OWNER, TPM_KH_OWNER,
				 th_owner_auth), TPM_SUCCESS);
	assert_int_equal(change_auth_owner(t, &s, TPM_PID_ADIP, TPM_ET_OWNER,
					   new_auth), TPM_BAD_PARAMETER);
	assert_null(tpm_session_find(t->s, s.handle));
	assert_int_equal(th_osap(t, &s, TPM_ET_OWNER, TPM_KH_OWNER,
				 th_owner_auth), TPM_SUCCESS);
	assert_int_equal(change_auth_owner(t, &s, TPM_PID_ADCP,
					   TPM_ET_KEYHANDLE, new_auth),
			 TPM_WRONG_ENTITYTYPE);
	assert_int_equal(th_osap(t, &s, TPM_ET_SRK, TPM_KH_SRK, th_srk_auth),
			 TPM_SUCCESS);
	assert_int_equal(change_auth_owner(t, &s, TPM_PID_ADCP, TPM_ET_OWNER,
					   new_auth), TPM_AUTHFAIL);
	assert_int_equal(th_osap(t, &s, TPM_ET_OWNER, TPM_KH_OWNER,
				 th_zero_auth), TPM_SUCCESS);
	assert_int_equal(change_auth_owner(t, &s, TPM_PID_ADCP, TPM_ET_OWNER,
					   new_auth), TPM_AUTHFAIL);
	assert_memory_equal(t->s->pd.owner_auth, th_owner_auth, 20);
	assert_memory_equal(t->s->pd.srk.usage_auth, th_srk_auth, 20);
}

#define HDR(tag, size, ord) \
	0x00, (tag), 0, 0, 0, (size), 0, 0, 0, (ord)
#define AUTH_AREA \
	0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, \
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
#define B20 \
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
#define SRK_PARMS \
	0, 0x28, 0, 0, 0, 0x11, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 3, 0, 1, \
	0, 0, 0, 12, 0, 0, 8, 0, 0, 0, 0, 2, 0, 0, 0, 0, \
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0

static const uint8_t v_readpubek_short[] = { HDR(0xC1, 29, 0x7C),
					     0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					     0, 0, 0, 0, 0, 0, 0, 0, 0 };
static const uint8_t v_readpubek_trailing[] = { HDR(0xC1, 31, 0x7C), B20,
						0 };
static const uint8_t v_cekp_noparms[] = { HDR(0xC1, 30, 0x78), B20 };
static const uint8_t v_cekp_shortparms[] = { HDR(0xC1, 42, 0x78), B20,
					     0, 0, 0, 1, 0, 3, 0, 1,
					     0, 0, 0, 12 };
static const uint8_t v_ownerpubek_trailing[] = { HDR(0xC2, 56, 0x7D), 0,
						 AUTH_AREA };
static const uint8_t v_internal_short[] = { HDR(0xC2, 57, 0x81), 0x40, 0,
					    AUTH_AREA };
static const uint8_t v_take_short[] = { HDR(0xC2, 65, 0x0D), 0, 5,
					0, 0, 0, 0, 0, 0, 0, 0, AUTH_AREA };
static const uint8_t v_take_badsize[] = { HDR(0xC2, 61, 0x0D), 0, 5,
					  0, 0, 1, 0, AUTH_AREA };
static const uint8_t v_take_trailing[] = { HDR(0xC2, 113, 0x0D), 0, 5,
					   0, 0, 0, 0, 0, 0, 0, 0, SRK_PARMS,
					   0, AUTH_AREA };
static const uint8_t v_take_rqu[] = { HDR(0xC1, 67, 0x0D), 0, 5,
				      0, 0, 0, 0, 0, 0, 0, 0, SRK_PARMS };
static const uint8_t v_ownerclear_trailing[] = { HDR(0xC2, 56, 0x5B), 0,
						 AUTH_AREA };
static const uint8_t v_forceclear_trailing[] = { HDR(0xC1, 11, 0x5D), 0 };
static const uint8_t v_disforce_trailing[] = { HDR(0xC1, 11, 0x5E), 0 };
static const uint8_t v_disowner_rqu[] = { HDR(0xC1, 10, 0x5C) };
static const uint8_t v_chauth_short[] = { HDR(0xC2, 77, 0x10), 0, 4, B20,
					  AUTH_AREA };
static const uint8_t v_chauth_trailing[] = { HDR(0xC2, 80, 0x10), 0, 4, B20,
					     0, 2, 0, AUTH_AREA };

#define V TH_VEC

static const struct th_vector vectors[] = {
	V("ReadPubek: 19-byte nonce", v_readpubek_short, TPM_BAD_PARAM_SIZE),
	V("ReadPubek: trailing byte", v_readpubek_trailing,
	  TPM_BAD_PARAM_SIZE),
	V("CreateEndorsementKeyPair: no keyInfo", v_cekp_noparms,
	  TPM_BAD_PARAM_SIZE),
	V("CreateEndorsementKeyPair: parms cut short", v_cekp_shortparms,
	  TPM_BAD_PARAM_SIZE),
	V("OwnerReadPubek: trailing byte", v_ownerpubek_trailing,
	  TPM_BAD_PARAM_SIZE),
	V("OwnerReadInternalPub: 2-byte handle", v_internal_short,
	  TPM_BAD_PARAM_SIZE),
	V("TakeOwnership: no srkParams", v_take_short, TPM_BAD_PARAM_SIZE),
	V("TakeOwnership: encOwnerAuth size past the end", v_take_badsize,
	  TPM_BAD_PARAM_SIZE),
	V("TakeOwnership: trailing byte", v_take_trailing,
	  TPM_BAD_PARAM_SIZE),
	V("TakeOwnership: no auth area", v_take_rqu, TPM_BADTAG),
	V("OwnerClear: trailing byte", v_ownerclear_trailing,
	  TPM_BAD_PARAM_SIZE),
	V("ForceClear: trailing byte", v_forceclear_trailing,
	  TPM_BAD_PARAM_SIZE),
	V("DisableForceClear: trailing byte", v_disforce_trailing,
	  TPM_BAD_PARAM_SIZE),
	V("DisableOwnerClear: no auth area", v_disowner_rqu, TPM_BADTAG),
	V("ChangeAuthOwner: no entityType", v_chauth_short,
	  TPM_BAD_PARAM_SIZE),
	V("ChangeAuthOwner: trailing byte", v_chauth_trailing,
	  TPM_BAD_PARAM_SIZE),
};

/* Every malformed vector gets its code; ownership stays unchanged. */
static void owner_malformed_vectors(void **state)
{
	struct th *t = *state;

	th_pp(t);
	th_run_vectors(t, vectors, ARRAY_SIZE(vectors));
	assert_true(t->s->pf.owner_installed);
	assert_memory_equal(t->s->pd.owner_auth, th_owner_auth, 20);
}

#define T(f) cmocka_unit_test_setup_teardown(f, th_setup, th_teardown)
#define O(f) cmocka_unit_test_setup_teardown(f, th_setup_owned, th_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(read_pubek_returns_checksum),
		T(read_pubek_no_ek),
		T(create_ek_pair_once),
		T(take_ownership_installs_owner),
		T(take_ownership_failures),
		T(take_ownership_bad_session),
		T(take_ownership_no_ek),
		O(owner_read_pubek),
		T(owner_commands_unowned_nosrk),
		O(owner_read_internal_pub),
		O(disable_pubek_read),
		O(owner_clear_actions),
		O(owner_clear_then_take_ownership),
		O(disable_owner_clear_locks),
		O(force_clear_presence_and_lock),
		O(change_auth_owner_owner),
		O(change_auth_owner_srk),
		O(change_auth_owner_failures),
		O(owner_malformed_vectors),
	};

	return cmocka_run_group_tests_name("owner", tests, NULL, NULL);
}
