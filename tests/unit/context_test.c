// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of context.c: SaveContext/LoadContext, the deprecated
 * Save/Load{Key,Auth}Context, FlushSpecific(TPM_RT_CONTEXT) and
 * KeyControlOwner with owner-evict persistence, through tpm_execute().
 * Signatures are compared byte for byte (PKCS#1 v1.5 is deterministic),
 * so a reloaded key is shown to be the same key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

static const uint8_t key_auth[20] = "context-key-secret!!";
static const uint8_t bad_auth[20] = "wrong-secret-0000000";
static const uint8_t label[16] = "tpm-context-test";
static const uint8_t msg[20] = "twenty bytes to sign";
/* context.c's TPM_MAX_OWNER_EVICT. */
#define OWNER_EVICT_MAX	4U

/* A saved context (contextSize || blob as the TPM answered). */
struct blob {
	uint8_t b[TPM_MAX_COMMAND_SIZE];
	uint32_t len;
};

struct fx {
	struct th t;
	uint32_t key;		/* a loaded 2048-bit signing key */
	uint8_t sig[256];	/* its signature of msg */
	uint32_t siglen;
};

/* CreateWrapKey under the SRK and LoadKey2; returns the handle. */
static uint32_t create_load(struct th *t, uint16_t usage, uint32_t flags,
			    uint32_t bits)
{
	uint8_t enc[20], enc2[20], key[TPM_MAX_COMMAND_SIZE];
	struct th_sess s;
	struct tpm_buf *b;
	uint32_t h;
	size_t n;

	assert_int_equal(th_osap(t, &s, TPM_ET_KEYHANDLE, TPM_KH_SRK,
				 th_srk_auth), 0);
	s.cont = false;
	th_adip(&s, key_auth, false, enc);
	th_adip(&s, key_auth, true, enc2);
	b = th_begin(t, TPM_ORD_CreateWrapKey);
	tb_put_u32(b, TPM_KH_SRK);
	tb_put_bytes(b, enc, 20);
	tb_put_bytes(b, enc2, 20);
	th_key12_template(b, usage, flags, bits);
	assert_int_equal(th_run(t, 1, &s, NULL), 0);
	n = t->out.len;
	memcpy(key, t->out.data, n);
	assert_int_equal(th_oiap(t, &s, th_srk_auth), 0);
	s.cont = false;
	b = th_begin(t, TPM_ORD_LoadKey2);
	tb_put_u32(b, TPM_KH_SRK);
	tb_put_bytes(b, key, n);
	th_out_handles(t, 1);
	assert_int_equal(th_run(t, 1, &s, NULL), 0);
	assert_int_equal(tb_get_u32(&t->out, &h), 0);
	return h;
}

/* Sign msg with @key under session @s (a fresh OIAP one when NULL). */
static uint32_t sign(struct th *t, uint32_t key, struct th_sess *s,
		     uint8_t *sig, uint32_t *siglen)
{
	struct th_sess fresh;
	struct tpm_buf *b;
	const uint8_t *p;

	if (!s) {
		if (th_oiap(t, &fresh, key_auth))
			return t->rc;
		fresh.cont = false;
		s = &fresh;
	}
	b = th_begin(t, TPM_ORD_Sign);
	tb_put_u32(b, key);
	tb_put_sized(b, msg, sizeof(msg));
	if (th_run(t, 1, s, NULL))
		return t->rc;
	assert_int_equal(tb_get_u32(&t->out, siglen), 0);
	assert_int_equal(tb_get_ref(&t->out, &p, *siglen), 0);
	memcpy(sig, p, *siglen);
	return 0;
}

/* Sign and require the fixture key's signature. */
static void sign_same(struct fx *f, uint32_t key)
{
	uint8_t sig[256];
	uint32_t len = 0;

	assert_int_equal(sign(&f->t, key, NULL, sig, &len), 0);
	assert_int_equal(len, f->siglen);
	assert_memory_equal(sig, f->sig, len);
}

static uint32_t save_ctx(struct th *t, uint32_t ord, uint32_t handle,
			 uint32_t rt, struct blob *out)
{
	struct tpm_buf *b = th_begin(t, ord);
	const uint8_t *p;

	tb_put_u32(b, handle);
	if (ord == TPM_ORD_SaveContext) {
		tb_put_u32(b, rt);
		tb_put_bytes(b, label, sizeof(label));
	}
	if (th_run(t, 1, NULL, NULL))
		return t->rc;
	assert_int_equal(tb_get_u32(&t->out, &out->len), 0);
	assert_int_equal(tb_get_ref(&t->out, &p, out->len), 0);
	assert_int_equal(tb_expect_end(&t->out), 0);
	memcpy(out->b, p, out->len);
	return 0;
}

static uint32_t save(struct th *t, uint32_t handle, uint32_t rt,
		     struct blob *out)
{
	return save_ctx(t, TPM_ORD_SaveContext, handle, rt, out);
}

/* LoadContext (or a deprecated Load when @ord says so). */
static uint32_t load_ctx(struct th *t, uint32_t ord, uint32_t entity,
			 uint8_t keep, const struct blob *in, uint32_t *h)
{
	struct tpm_buf *b = th_begin(t, ord);

	if (ord == TPM_ORD_LoadContext) {
		tb_put_u32(b, entity);
		tb_put_u8(b, keep);
	}
	tb_put_sized(b, in->b, in->len);
	if (th_run(t, ord == TPM_ORD_LoadContext, NULL, NULL))
		return t->rc;
	assert_int_equal(tb_get_u32(&t->out, h), 0);
	assert_int_equal(tb_expect_end(&t->out), 0);
	return 0;
}

static uint32_t load(struct th *t, uint32_t entity, uint8_t keep,
		     const struct blob *in, uint32_t *h)
{
	return load_ctx(t, TPM_ORD_LoadContext, entity, keep, in, h);
}

static uint32_t flush(struct th *t, uint32_t handle, uint32_t rt)
{
	struct tpm_buf *b = th_begin(t, TPM_ORD_FlushSpecific);

	tb_put_u32(b, handle);
	tb_put_u32(b, rt);
	return th_run(t, 0, NULL, NULL);
}

static void startup_clear(struct th *t)
{
	static const uint8_t st[] = { 0, 0xC1, 0, 0, 0, 12, 0, 0, 0, 0x99,
				      0, 1 };

	tpm_init(t->s);
	assert_int_equal(th_raw(t, st, sizeof(st)), 0);
}

/* GetCapability(@area, u32 @sub): the u32 answer, or the count of a
 * handle list. */
static uint32_t cap_u32(struct th *t, uint32_t area, uint32_t sub)
{
	struct tpm_buf *b = th_begin(t, TPM_ORD_GetCapability);
	uint32_t n, v;
	uint16_t cnt;

	tb_put_u32(b, area);
	tb_put_u32(b, 4);
	tb_put_u32(b, sub);
	assert_int_equal(th_run(t, 0, NULL, NULL), 0);
	assert_int_equal(tb_get_u32(&t->out, &n), 0);
	if (area == TPM_CAP_HANDLE) {
		assert_int_equal(tb_get_u16(&t->out, &cnt), 0);
		return cnt;
	}
	assert_int_equal(tb_get_u32(&t->out, &v), 0);
	return v;
}

/* KeyControlOwner(@key, its public key, @bit, @value) under @owner. */
static uint32_t key_control(struct th *t, uint32_t key, uint32_t bit,
			    uint8_t value, const uint8_t *owner,
			    bool wrong_pub)
{
	uint8_t pub[TPM_MAX_COMMAND_SIZE];
	struct th_sess s;
	struct tpm_buf *b;
	size_t n;

	/* The public key, from GetPubKey. */
	assert_int_equal(th_oiap(t, &s, key_auth), 0);
	s.cont = false;
	b = th_begin(t, TPM_ORD_GetPubKey);
	tb_put_u32(b, key);
	assert_int_equal(th_run(t, 1, &s, NULL), 0);
	n = t->out.len;
	memcpy(pub, t->out.data, n);
	if (wrong_pub)
		pub[n - 10] ^= 1;
	if (th_oiap(t, &s, owner))
		return t->rc;
	s.cont = false;
	b = th_begin(t, TPM_ORD_KeyControlOwner);
	tb_put_u32(b, key);
	tb_put_bytes(b, pub, n);
	tb_put_u32(b, bit);
	tb_put_u8(b, value);
	return th_run(t, 1, &s, NULL);
}

static int setup_fx(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	th_init(&f->t);
	th_pp(&f->t);
	th_take_ownership(&f->t);
	f->key = create_load(&f->t, TPM_KEY_SIGNING, 0, 2048);
	if (sign(&f->t, f->key, NULL, f->sig, &f->siglen))
		return -1;
	*state = f;
	return 0;
}

static int teardown_fx(void **state)
{
	struct fx *f = *state;

	th_fini(&f->t);
	free(f);
	return 0;
}

/* A saved key context, reloaded after a flush, signs as the key did and
 * gets its old (free) handle back. */
static void context_save_load_key_sign(void **state)
{
	struct fx *f = *state;
	struct blob ctx;
	uint32_t h;

	assert_int_equal(save(&f->t, f->key, TPM_RT_KEY, &ctx), 0);
	/* SaveContext leaves the key loaded. */
	sign_same(f, f->key);
	assert_int_equal(flush(&f->t, f->key, TPM_RT_KEY), 0);
	assert_int_equal(sign(&f->t, f->key, NULL, f->sig, &h),
			 TPM_INVALID_KEYHANDLE);
	assert_int_equal(load(&f->t, 0, 0, &ctx, &h), 0);
	assert_int_equal(h, f->key);
	sign_same(f, h);
	/* A key context may be loaded again (contextCount 0). */
	assert_int_equal(load(&f->t, 0, 0, &ctx, &h), 0);
	assert_int_not_equal(h, f->key);
	sign_same(f, h);
}

/* keepHandle TRUE with the saved handle in use is TPM_BAD_HANDLE. */
static void context_load_keep_handle_in_use(void **state)
{
	struct fx *f = *state;
	struct blob ctx;
	uint32_t h;

	assert_int_equal(save(&f->t, f->key, TPM_RT_KEY, &ctx), 0);
	assert_int_equal(load(&f->t, 0, 1, &ctx, &h), TPM_BAD_HANDLE);
	assert_int_equal(flush(&f->t, f->key, TPM_RT_KEY), 0);
	assert_int_equal(load(&f->t, 0, 1, &ctx, &h), 0);
	assert_int_equal(h, f->key);
}

/* An OIAP session saved mid-use continues after LoadContext; a second
 * load of the same blob is a replay. */
static void context_session_save_load_continue(void **state)
{
	struct fx *f = *state;
	uint8_t sig[256];
	struct th_sess s;
	struct blob ctx;
	uint32_t h, len;

	assert_int_equal(th_oiap(&f->t, &s, key_auth), 0);
	s.cont = true;
	assert_int_equal(sign(&f->t, f->key, &s, sig, &len), 0);
	assert_int_equal(cap_u32(&f->t, TPM_CAP_HANDLE, TPM_RT_CONTEXT), 0);
	assert_int_equal(save(&f->t, s.handle, TPM_RT_AUTH, &ctx), 0);
	/* The session left the TPM; its contextCount is listed. */
	assert_int_equal(cap_u32(&f->t, TPM_CAP_HANDLE, TPM_RT_CONTEXT), 1);
	assert_int_equal(cap_u32(&f->t, TPM_CAP_PROPERTY,
				 TPM_CAP_PROP_CONTEXT),
			 TPM_CONTEXT_LIST_SIZE - 1);
	assert_int_equal(flush(&f->t, s.handle, TPM_RT_AUTH),
			 TPM_INVALID_AUTHHANDLE);
	assert_int_equal(load(&f->t, 0, 0, &ctx, &h), 0);
	assert_int_equal(h, s.handle);
	assert_int_equal(cap_u32(&f->t, TPM_CAP_HANDLE, TPM_RT_CONTEXT), 0);
	assert_int_equal(sign(&f->t, f->key, &s, sig, &len), 0);
	assert_memory_equal(sig, f->sig, len);
	/* Replay of the old context. */
	assert_int_equal(load(&f->t, 0, 0, &ctx, &h), TPM_BADCONTEXT);
}

/* An OSAP session on a key comes back bound to the key's new handle. */
static void context_osap_follows_key(void **state)
{
	struct fx *f = *state;
	struct blob kctx, sctx;
	uint8_t sig[256];
	struct th_sess s;
	uint32_t h, kh, len;

	assert_int_equal(th_osap(&f->t, &s, TPM_ET_KEYHANDLE, f->key,
				 key_auth), 0);
	s.cont = true;
	assert_int_equal(save(&f->t, s.handle, TPM_RT_AUTH, &sctx), 0);
	assert_int_equal(save(&f->t, f->key, TPM_RT_KEY, &kctx), 0);
	assert_int_equal(flush(&f->t, f->key, TPM_RT_KEY), 0);
	/* Entity not loaded. */
	assert_int_equal(load(&f->t, f->key, 0, &sctx, &h), TPM_BAD_HANDLE);
	/* Another key under the entity handle: not the session's key. */
	kh = create_load(&f->t, TPM_KEY_SIGNING, 0, 512);
	assert_int_equal(load(&f->t, kh, 0, &sctx, &h), TPM_RESOURCEMISSING);
	assert_int_equal(load(&f->t, 0, 0, &kctx, &kh), 0);
	assert_int_equal(load(&f->t, kh, 0, &sctx, &h), 0);
	assert_int_equal(sign(&f->t, kh, &s, sig, &len), 0);
	assert_memory_equal(sig, f->sig, len);
}

/* Any changed byte of a blob makes it TPM_BADCONTEXT. */
static void context_load_tampered(void **state)
{
	static const uint32_t at[] = { 3, 8, 15, 28, 35, 60, 80 };
	struct fx *f = *state;
	struct blob ctx;
	uint32_t h;
	size_t i;

	assert_int_equal(save(&f->t, f->key, TPM_RT_KEY, &ctx), 0);
	for (i = 0; i < ARRAY_SIZE(at); i++) {
		ctx.b[at[i]] ^= 0x10;
		assert_int_equal(load(&f->t, 0, 0, &ctx, &h), TPM_BADCONTEXT);
		ctx.b[at[i]] ^= 0x10;
	}
	ctx.b[ctx.len - 1] ^= 1;
	assert_int_equal(load(&f->t, 0, 0, &ctx, &h), TPM_BADCONTEXT);
	ctx.b[ctx.len - 1] ^= 1;
	/* The tag is checked before the digest. */
	ctx.b[1] ^= 1;
	assert_int_equal(load(&f->t, 0, 0, &ctx, &h), TPM_INVALID_STRUCTURE);
	ctx.b[1] ^= 1;
	assert_int_equal(load(&f->t, 0, 0, &ctx, &h), 0);
}

/* Startup(CLEAR) kills session contexts and volatile key contexts; a
 * non-volatile key's context survives (Part 3, 21.3 step 5.b.i). */
static void context_after_startup_clear(void **state)
{
	struct fx *f = *state;
	struct blob kv, kn, sc, dk;
	struct th_sess s;
	uint32_t vol, h;

	vol = create_load(&f->t, TPM_KEY_SIGNING, TPM_KEY_FLAG_IS_VOLATILE,
			  512);
	assert_int_equal(save(&f->t, vol, TPM_RT_KEY, &kv), 0);
	assert_int_equal(save(&f->t, f->key, TPM_RT_KEY, &kn), 0);
	assert_int_equal(th_oiap(&f->t, &s, key_auth), 0);
	assert_int_equal(save(&f->t, s.handle, TPM_RT_AUTH, &sc), 0);
	assert_int_equal(save_ctx(&f->t, TPM_ORD_SaveKeyContext, f->key, 0,
				  &dk), 0);
	startup_clear(&f->t);
	assert_int_equal(load(&f->t, 0, 0, &kv, &h), TPM_BADCONTEXT);
	assert_int_equal(load(&f->t, 0, 0, &sc, &h), TPM_BADCONTEXT);
	assert_int_equal(load_ctx(&f->t, TPM_ORD_LoadKeyContext, 0, 0, &dk,
				  &h), TPM_BADCONTEXT);
	assert_int_equal(load(&f->t, 0, 0, &kn, &h), 0);
	sign_same(f, h);
}

/* Sixteen saved sessions fill the list; FlushSpecific(TPM_RT_CONTEXT)
 * frees an entry and makes that context unloadable. */
static void context_list_full_and_flush(void **state)
{
	struct fx *f = *state;
	struct blob ctx[TPM_CONTEXT_LIST_SIZE + 1];
	struct th_sess s;
	uint32_t h, count;
	unsigned int i;

	for (i = 0; i <= TPM_CONTEXT_LIST_SIZE; i++) {
		assert_int_equal(th_oiap(&f->t, &s, key_auth), 0);
		assert_int_equal(save(&f->t, s.handle, TPM_RT_AUTH, &ctx[i]),
				 i < TPM_CONTEXT_LIST_SIZE ? 0 :
				 TPM_NOCONTEXTSPACE);
	}
	assert_int_equal(cap_u32(&f->t, TPM_CAP_PROPERTY,
				 TPM_CAP_PROP_CONTEXT), 0);
	assert_int_equal(cap_u32(&f->t, TPM_CAP_PROPERTY,
				 TPM_CAP_PROP_MAX_CONTEXT),
			 TPM_CONTEXT_LIST_SIZE);
	/* contextCount is at blob offset 2 + 4 + 4 + 16. */
	count = tb_be32(ctx[3].b + 26);
	assert_int_equal(flush(&f->t, count, TPM_RT_CONTEXT), 0);
	assert_int_equal(flush(&f->t, count, TPM_RT_CONTEXT),
			 TPM_BAD_PARAMETER);
	assert_int_equal(flush(&f->t, 0, TPM_RT_CONTEXT), TPM_BAD_PARAMETER);
	assert_int_equal(load(&f->t, 0, 0, &ctx[3], &h), TPM_BADCONTEXT);
	assert_int_equal(load(&f->t, 0, 0, &ctx[4], &h), 0);
	assert_int_equal(cap_u32(&f->t, TPM_CAP_PROPERTY,
				 TPM_CAP_PROP_CONTEXT), 2);
}

/* SaveContext failure paths of Part 3, 21.2 steps 2-4. */
static void context_save_failures(void **state)
{
	struct fx *f = *state;
	struct blob ctx;
	struct th_sess s;

	assert_int_equal(save(&f->t, f->key, TPM_RT_AUTH, &ctx),
			 TPM_INVALID_RESOURCE);
	assert_int_equal(save(&f->t, 0x01abcdefU, TPM_RT_KEY, &ctx),
			 TPM_INVALID_RESOURCE);
	assert_int_equal(save(&f->t, TPM_KH_SRK, TPM_RT_KEY, &ctx),
			 TPM_INVALID_RESOURCE);
	assert_int_equal(save(&f->t, f->key, TPM_RT_COUNTER, &ctx),
			 TPM_INVALID_RESOURCE);
	assert_int_equal(th_oiap(&f->t, &s, key_auth), 0);
	assert_int_equal(save(&f->t, s.handle, TPM_RT_KEY, &ctx),
			 TPM_INVALID_RESOURCE);
	assert_int_equal(save(&f->t, s.handle, 0x77, &ctx),
			 TPM_INVALID_RESOURCE);
	assert_int_equal(save_ctx(&f->t, TPM_ORD_SaveKeyContext, 0x01abcdefU,
				  0, &ctx), TPM_INVALID_KEYHANDLE);
	assert_int_equal(save_ctx(&f->t, TPM_ORD_SaveAuthContext, f->key, 0,
				  &ctx), TPM_INVALID_AUTHHANDLE);
}

/* The deprecated commands: SaveKeyContext unloads the key; the Load
 * commands restore their own resource type only. */
static void context_deprecated_commands(void **state)
{
	struct fx *f = *state;
	struct blob kc, ac;
	uint8_t sig[256];
	struct th_sess s;
	uint32_t h, len;

	assert_int_equal(save_ctx(&f->t, TPM_ORD_SaveKeyContext, f->key, 0,
				  &kc), 0);
	assert_int_equal(sign(&f->t, f->key, NULL, sig, &len),
			 TPM_INVALID_KEYHANDLE);
	assert_int_equal(th_oiap(&f->t, &s, key_auth), 0);
	s.cont = true;
	assert_int_equal(save_ctx(&f->t, TPM_ORD_SaveAuthContext, s.handle, 0,
				  &ac), 0);
	assert_int_equal(load_ctx(&f->t, TPM_ORD_LoadKeyContext, 0, 0, &ac,
				  &h), TPM_BAD_PARAMETER);
	assert_int_equal(load_ctx(&f->t, TPM_ORD_LoadAuthContext, 0, 0, &kc,
				  &h), TPM_BAD_PARAMETER);
	assert_int_equal(load_ctx(&f->t, TPM_ORD_LoadKeyContext, 0, 0, &kc,
				  &h), 0);
	assert_int_equal(h, f->key);
	assert_int_equal(load_ctx(&f->t, TPM_ORD_LoadAuthContext, 0, 0, &ac,
				  &h), 0);
	assert_int_equal(h, s.handle);
	assert_int_equal(sign(&f->t, f->key, &s, sig, &len), 0);
	assert_memory_equal(sig, f->sig, len);
}

/* An owner-evict key: not flushable or saveable, persisted with the
 * state, kept across TPM_Init + Startup(CLEAR), gone after OwnerClear. */
static void context_owner_evict_persists(void **state)
{
	struct fx *f = *state;
	struct th_sess s;
	struct blob ctx;
	uint8_t *blob;
	size_t len;
	const char *err;

	assert_int_equal(key_control(&f->t, f->key, 1, 1, th_owner_auth,
				     false), 0);
	assert_true(tpm_state_dirty(f->t.s));
	assert_int_equal(flush(&f->t, f->key, TPM_RT_KEY),
			 TPM_KEY_OWNER_CONTROL);
	assert_int_equal(save(&f->t, f->key, TPM_RT_KEY, &ctx),
			 TPM_OWNER_CONTROL);
	assert_int_equal(save_ctx(&f->t, TPM_ORD_SaveKeyContext, f->key, 0,
				  &ctx), TPM_KEY_OWNER_CONTROL);
	startup_clear(&f->t);
	sign_same(f, f->key);
	/* The whole state, saved and loaded: the key and its handle. */
	assert_int_equal(tpm_state_save(f->t.s, &blob, &len), 0);
	tpm_destroy(f->t.s);
	f->t.s = tpm_state_load(blob, len, &err);
	free(blob);
	assert_non_null(f->t.s);
	startup_clear(&f->t);
	sign_same(f, f->key);
	/* Clearing the bit makes it an ordinary key again. */
	assert_int_equal(key_control(&f->t, f->key, 1, 0, th_owner_auth,
				     false), 0);
	startup_clear(&f->t);
	assert_int_equal(sign(&f->t, f->key, NULL, f->sig, &f->siglen),
			 TPM_INVALID_KEYHANDLE);
	/* OwnerClear flushes owner-evict keys (the TPM is then disabled:
	 * GetCapability shows it). */
	f->key = create_load(&f->t, TPM_KEY_SIGNING, 0, 512);
	assert_int_equal(key_control(&f->t, f->key, 1, 1, th_owner_auth,
				     false), 0);
	assert_int_equal(cap_u32(&f->t, TPM_CAP_HANDLE, TPM_RT_KEY), 1);
	assert_int_equal(th_oiap(&f->t, &s, th_owner_auth), 0);
	th_begin(&f->t, TPM_ORD_OwnerClear);
	assert_int_equal(th_run(&f->t, 0, &s, NULL), 0);
	assert_int_equal(cap_u32(&f->t, TPM_CAP_HANDLE, TPM_RT_KEY), 0);
}

/* KeyControlOwner failure paths (Part 3, 21.1 steps 1-5). */
static void context_key_control_owner_failures(void **state)
{
	struct fx *f = *state;
	uint32_t vol, keys[TPM_MAX_KEYS];
	unsigned int i;

	assert_int_equal(key_control(&f->t, f->key, 1, 1, bad_auth, false),
			 TPM_AUTHFAIL);
	assert_int_equal(key_control(&f->t, f->key, 1, 1, th_owner_auth,
				     true), TPM_BAD_PARAMETER);
	assert_int_equal(key_control(&f->t, f->key, 2, 1, th_owner_auth,
				     false), TPM_BAD_MODE);
	vol = create_load(&f->t, TPM_KEY_SIGNING, TPM_KEY_FLAG_IS_VOLATILE,
			  512);
	assert_int_equal(key_control(&f->t, vol, 1, 1, th_owner_auth, false),
			 TPM_BAD_PARAMETER);
	assert_int_equal(flush(&f->t, vol, TPM_RT_KEY), 0);
	/* Four owner-evict keys (the vendor limit, below TPM_MAX_KEYS - 2);
	 * a fifth is TPM_NOSPACE. */
	keys[0] = f->key;
	for (i = 1; i <= OWNER_EVICT_MAX; i++)
		keys[i] = create_load(&f->t, TPM_KEY_SIGNING, 0, 512);
	for (i = 0; i < OWNER_EVICT_MAX; i++)
		assert_int_equal(key_control(&f->t, keys[i], 1, 1,
					     th_owner_auth, false), 0);
	assert_int_equal(key_control(&f->t, keys[i], 1, 1, th_owner_auth,
				     false), TPM_NOSPACE);
	/* Setting the bit again is no change. */
	assert_int_equal(key_control(&f->t, keys[0], 1, 1, th_owner_auth,
				     false), 0);
}

/* Without an owner: KeyControlOwner and SaveContext are TPM_NOSRK. */
static void context_unowned(void **state)
{
	struct th t;
	struct th_sess s;
	struct blob ctx;
	uint32_t h;

	(void)state;
	th_init(&t);
	assert_int_equal(th_oiap(&t, &s, key_auth), 0);
	assert_int_equal(save(&t, s.handle, TPM_RT_AUTH, &ctx), TPM_NOSRK);
	assert_int_equal(save_ctx(&t, TPM_ORD_SaveAuthContext, s.handle, 0,
				  &ctx), 0);
	assert_int_equal(load(&t, 0, 0, &ctx, &h), TPM_NOSRK);
	assert_int_equal(load_ctx(&t, TPM_ORD_LoadAuthContext, 0, 0, &ctx,
				  &h), 0);
	th_fini(&t);
}

#define HDR(tag, size, ord) 0, tag, 0, 0, 0, size, 0, 0, 0, ord
#define AUTH45 0x02, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, \
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, \
	0, 0, 0, 0, 0
#define LBL16 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0

#define CMD TH_VEC_BYTES

static const struct th_vector malformed[] = {
	CMD("SaveContext: label short", TPM_BAD_PARAM_SIZE,
	    HDR(0xC1, 33, 0xB8), 1, 0, 0, 1, 0, 0, 0, 1,
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
	CMD("SaveContext: trailing byte", TPM_BAD_PARAM_SIZE,
	    HDR(0xC1, 35, 0xB8), 1, 0, 0, 1, 0, 0, 0, 1, LBL16, 9),
	CMD("SaveContext: AUTH1 tag", TPM_BADTAG,
	    HDR(0xC2, 79, 0xB8), 1, 0, 0, 1, 0, 0, 0, 1, LBL16, AUTH45),
	CMD("SaveContext: bad resource type", TPM_INVALID_RESOURCE,
	    HDR(0xC1, 34, 0xB8), 1, 0, 0, 1, 0, 0, 0, 9, LBL16),
	CMD("LoadContext: no blob size", TPM_BAD_PARAM_SIZE,
	    HDR(0xC1, 15, 0xB9), 0, 0, 0, 0, 0),
	CMD("LoadContext: blob size past the end", TPM_BAD_PARAM_SIZE,
	    HDR(0xC1, 21, 0xB9), 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 1),
	CMD("LoadContext: keepHandle 2", TPM_BAD_PARAMETER,
	    HDR(0xC1, 19, 0xB9), 0, 0, 0, 0, 2, 0, 0, 0, 0),
	CMD("LoadContext: empty blob", TPM_BAD_PARAM_SIZE,
	    HDR(0xC1, 19, 0xB9), 0, 0, 0, 0, 0, 0, 0, 0, 0),
	CMD("LoadKeyContext: short blob", TPM_BAD_PARAM_SIZE,
	    HDR(0xC1, 16, 0xB5), 0, 0, 0, 2, 0, 1),
	CMD("LoadAuthContext: no size", TPM_BAD_PARAM_SIZE,
	    HDR(0xC1, 12, 0xB7), 0, 0),
	CMD("SaveKeyContext: trailing byte", TPM_BAD_PARAM_SIZE,
	    HDR(0xC1, 15, 0xB4), 1, 0, 0, 1, 0),
	CMD("SaveAuthContext: short handle", TPM_BAD_PARAM_SIZE,
	    HDR(0xC1, 12, 0xB6), 2, 0),
	CMD("KeyControlOwner: no auth", TPM_BADTAG,
	    HDR(0xC1, 14, 0x23), 1, 0, 0, 1),
	CMD("KeyControlOwner: short pubkey", TPM_BAD_PARAM_SIZE,
	    HDR(0xC2, 63, 0x23), 1, 0, 0, 1, 0, 0, 0, 1, AUTH45),
	CMD("FlushSpecific: unknown context", TPM_BAD_PARAMETER,
	    HDR(0xC1, 18, 0xBA), 0, 0, 0, 7, 0, 0, 0, 5),
};

/* Malformed commands are refused with the codes of the table. */
static void context_malformed_vectors(void **state)
{
	struct fx *f = *state;

	th_run_vectors(&f->t, malformed, ARRAY_SIZE(malformed));
}

#define CT(fn) cmocka_unit_test_setup_teardown(fn, setup_fx, teardown_fx)

int main(void)
{
	const struct CMUnitTest tests[] = {
		CT(context_save_load_key_sign),
		CT(context_load_keep_handle_in_use),
		CT(context_session_save_load_continue),
		CT(context_osap_follows_key),
		CT(context_load_tampered),
		CT(context_after_startup_clear),
		CT(context_list_full_and_flush),
		CT(context_save_failures),
		CT(context_deprecated_commands),
		CT(context_owner_evict_persists),
		CT(context_key_control_owner_failures),
		cmocka_unit_test(context_unowned),
		CT(context_malformed_vectors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
