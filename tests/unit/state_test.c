// SPDX-License-Identifier: GPL-2.0
/*
 * Engine lifecycle and persistence (state.c): manufacture, TPM_Init,
 * failure mode, the dirty flag, and the state blob: round trips that keep
 * the owner, NV, counters, DIR and usable keys, the TPM_SaveState
 * snapshot, and refusal of every corrupted, truncated or foreign blob.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "state_v1_blob.h"

#define IDX		0x00001000U
#define BLOB_HEADER	8U	/* magic, version */
#define BLOB_DIGEST	20U	/* trailing SHA-1 */

static const uint8_t ctr_auth[20] = "counter-secret-00001";
static const uint8_t key_auth[20] = "signing-key-secret-1";
static const uint8_t dir_value[20] = "persistent-dir-value";

static void restart_with(struct th *t, uint16_t type)
{
	uint8_t su[] = { 0x00, 0xC1, 0, 0, 0, 12, 0, 0, 0, 0x99, 0x00, 0x01 };

	su[11] = (uint8_t)type;
	assert_int_equal(th_raw(t, su, sizeof(su)), TPM_SUCCESS);
}

/* A PPWRITE area of @size bytes with no PCR binding, defined before
 * nvLocked (no authorization needed). */
static uint32_t nv_define(struct th *t, uint32_t index, uint32_t size)
{
	struct tpm_buf *b = th_begin(t, TPM_ORD_NV_DefineSpace);
	unsigned int i;

	tb_put_u16(b, TPM_TAG_NV_DATA_PUBLIC);
	tb_put_u32(b, index);
	for (i = 0; i < 2; i++) {
		tb_put_u16(b, 3);
		tb_put_bytes(b, "\0\0\0", 3);
		tb_put_u8(b, TPM_LOC_ALL);
		tb_put_bytes(b, th_zero_auth, 20);
	}
	tb_put_u16(b, TPM_TAG_NV_ATTRIBUTES);
	tb_put_u32(b, TPM_NV_PER_PPWRITE);
	tb_put_bytes(b, "\0\0\0", 3);
	tb_put_u32(b, size);
	tb_put_bytes(b, th_zero_auth, 20);
	return th_run(t, 0, NULL, NULL);
}

static uint32_t nv_write(struct th *t, uint32_t index, const void *d,
			 uint32_t n)
{
	struct tpm_buf *b = th_begin(t, TPM_ORD_NV_WriteValue);

	tb_put_u32(b, index);
	tb_put_u32(b, 0);
	tb_put_sized(b, d, n);
	return th_run(t, 0, NULL, NULL);
}

static void nv_expect(struct th *t, uint32_t index, const void *d,
		      uint32_t n)
{
	struct tpm_buf *b = th_begin(t, TPM_ORD_NV_ReadValue);
	uint32_t got;

	tb_put_u32(b, index);
	tb_put_u32(b, 0);
	tb_put_u32(b, n);
	assert_int_equal(th_run(t, 0, NULL, NULL), TPM_SUCCESS);
	assert_int_equal(tb_get_u32(&t->out, &got), 0);
	assert_int_equal(got, n);
	assert_memory_equal(tb_cursor(&t->out), d, n);
}

static uint32_t dir_write(struct th *t, const uint8_t v[20])
{
	struct th_sess s;
	struct tpm_buf *b;

	if (th_oiap(t, &s, th_owner_auth))
		return t->rc;
	s.cont = false;
	b = th_begin(t, TPM_ORD_DirWriteAuth);
	tb_put_u32(b, 0);
	tb_put_bytes(b, v, 20);
	return th_run(t, 0, &s, NULL);
}

static uint32_t counter_create(struct th *t, uint32_t *id)
{
	struct th_sess s;
	struct tpm_buf *b;
	uint8_t enc[20];

	if (th_osap(t, &s, TPM_ET_OWNER, TPM_KH_OWNER, th_owner_auth))
		return t->rc;
	th_adip(&s, ctr_auth, false, enc);
	b = th_begin(t, TPM_ORD_CreateCounter);
	tb_put_bytes(b, enc, 20);
	tb_put_bytes(b, "SAVE", 4);
	if (th_run(t, 0, &s, NULL))
		return t->rc;
	return tb_get_u32(&t->out, id) ? 0xFFFF : 0;
}

static uint32_t counter_with(struct th *t, uint32_t ordinal, uint32_t id,
			     uint32_t *value)
{
	struct th_sess s;
	struct tpm_buf *b;
	bool auth = ordinal != TPM_ORD_ReadCounter;

	if (auth && th_oiap(t, &s, ctr_auth))
		return t->rc;
	s.cont = false;
	b = th_begin(t, ordinal);
	tb_put_u32(b, id);
	if (th_run(t, 0, auth ? &s : NULL, NULL))
		return t->rc;
	/* TPM_COUNTER_VALUE: tag, label, value */
	if (tb_skip(&t->out, 6) || tb_get_u32(&t->out, value))
		return 0xFFFF;
	return 0;
}

static uint32_t pcr_read(struct th *t, uint32_t idx, uint8_t out[20])
{
	struct tpm_buf *b = th_begin(t, TPM_ORD_PcrRead);

	tb_put_u32(b, idx);
	if (th_run(t, 0, NULL, NULL))
		return t->rc;
	return tb_get_bytes(&t->out, out, 20) ? 0xFFFF : 0;
}

static uint32_t pcr_extend(struct th *t, uint32_t idx)
{
	static const uint8_t d[20] = "state-test-measure!";
	struct tpm_buf *b = th_begin(t, TPM_ORD_Extend);

	tb_put_u32(b, idx);
	tb_put_bytes(b, d, 20);
	return th_run(t, 0, NULL, NULL);
}

/* LoadKey2 @blob under the SRK, Sign a digest and verify the signature
 * with the key's public modulus. */
static void load_and_sign(struct th *t, const uint8_t *blob, size_t len)
{
	uint8_t digest[20] = "digest-to-be-signed";
	const uint8_t *enc, *sig;
	struct tpm_rsa *pub = NULL;
	struct tpm_key k;
	struct tpm_buf kb, *b;
	struct th_sess s;
	uint32_t handle, enc_len, sig_len;

	assert_int_equal(th_oiap(t, &s, th_srk_auth), 0);
	s.cont = false;
	b = th_begin(t, TPM_ORD_LoadKey2);
	tb_put_u32(b, TPM_KH_SRK);
	tb_put_bytes(b, blob, len);
	th_out_handles(t, 1);
	assert_int_equal(th_run(t, 1, &s, NULL), TPM_SUCCESS);
	assert_int_equal(tb_get_u32(&t->out, &handle), 0);

	assert_int_equal(th_oiap(t, &s, key_auth), 0);
	s.cont = false;
	b = th_begin(t, TPM_ORD_Sign);
	tb_put_u32(b, handle);
	tb_put_sized(b, digest, 20);
	assert_int_equal(th_run(t, 1, &s, NULL), TPM_SUCCESS);
	assert_int_equal(tb_get_u32(&t->out, &sig_len), 0);
	assert_int_equal(tb_get_ref(&t->out, &sig, sig_len), 0);

	memset(&k, 0, sizeof(k));
	tb_init_read(&kb, blob, len);
	assert_int_equal(tpm_key_get(&kb, &k, &enc, &enc_len), TPM_SUCCESS);
	assert_int_equal(tpm_rsa_from_public(&pub, k.n, k.n_len,
					     k.parms.exponent,
					     k.parms.exp_size), 0);
	assert_int_equal(tpm_rsa_verify_sha1(pub, digest, sig, sig_len), 0);
	tpm_rsa_free(pub);
	tpm_key_clear(&k);
}

static struct tpm_state *save_load(struct th *t, uint8_t **blob,
				   size_t *len)
{
	struct tpm_state *s;
	const char *err = "unset";

	assert_int_equal(tpm_state_save(t->s, blob, len), 0);
	assert_false(tpm_state_dirty(t->s));
	s = tpm_state_load(*blob, *len, &err);
	if (!s)
		fail_msg("load refused: %s", err ? err : "(null)");
	assert_null(err);
	return s;
}

/* Replace the harness's engine by @s. */
static void swap_in(struct th *t, struct tpm_state *s)
{
	tpm_destroy(t->s);
	t->s = s;
}

static void free_blob(uint8_t *blob, size_t len)
{
	explicit_bzero(blob, len);
	free(blob);
}

/* An owned TPM with an NV area, a DIR value and an incremented counter. */
static uint32_t populate(struct th *t)
{
	uint32_t id, v;

	th_pp(t);
	th_take_ownership(t);
	assert_int_equal(nv_define(t, IDX, 16), TPM_SUCCESS);
	assert_int_equal(nv_write(t, IDX, "persisted-bytes!", 16), 0);
	assert_int_equal(dir_write(t, dir_value), TPM_SUCCESS);
	assert_int_equal(counter_create(t, &id), TPM_SUCCESS);
	assert_int_equal(counter_with(t, TPM_ORD_IncrementCounter, id, &v), 0);
	return id;
}

/* Save and load keep the owner, NV, DIR, counters, EK, SRK and the
 * usability of keys wrapped before the save. */
static void state_roundtrip(void **state)
{
	struct th *t = *state;
	uint8_t key[TPM_MAX_COMMAND_SIZE], *blob, ek_n[TPM_MAX_KEY_BYTES];
	uint32_t id, before, after, ek_len;
	struct tpm_state *s;
	size_t klen, len;

	id = populate(t);
	assert_int_equal(counter_with(t, TPM_ORD_ReadCounter, id, &before), 0);
	th_create_load_key(t, TPM_KEY_SIGNING, key_auth, key, &klen);
	ek_len = t->s->pd.ek.n_len;
	memcpy(ek_n, t->s->pd.ek.n, ek_len);

	s = save_load(t, &blob, &len);
	assert_false(tpm_state_dirty(s));
	assert_memory_equal(&s->pf, &t->s->pf, sizeof(s->pf));
	assert_memory_equal(s->pd.tpm_proof, t->s->pd.tpm_proof, 20);
	assert_memory_equal(s->pd.owner_auth, th_owner_auth, 20);
	swap_in(t, s);
	free_blob(blob, len);

	/* The loaded TPM waits for TPM_Startup. */
	assert_int_equal(counter_with(t, TPM_ORD_ReadCounter, id, &after),
			 TPM_INVALID_POSTINIT);
	restart_with(t, TPM_ST_CLEAR);
	assert_int_equal(t->s->pd.ek.n_len, ek_len);
	assert_memory_equal(t->s->pd.ek.n, ek_n, ek_len);
	nv_expect(t, IDX, "persisted-bytes!", 16);
	assert_int_equal(counter_with(t, TPM_ORD_ReadCounter, id, &after), 0);
	assert_int_equal(after, before);
	assert_int_equal(counter_with(t, TPM_ORD_IncrementCounter, id, &after),
			 0);
	assert_int_equal(after, before + 1);
	{
		struct tpm_buf *b = th_begin(t, TPM_ORD_DirRead);

		tb_put_u32(b, 0);
		assert_int_equal(th_run(t, 0, NULL, NULL), TPM_SUCCESS);
		assert_memory_equal(t->out.data, dir_value, 20);
	}
	/* The owner secret still authorizes; the SRK still unwraps. */
	assert_int_equal(dir_write(t, dir_value), TPM_SUCCESS);
	load_and_sign(t, key, klen);
}

/* The frozen version-1 blob still loads, with everything it held: the
 * upgrade rule of docs/state-format.md. */
static void state_v1_golden_loads(void **state)
{
	static const uint8_t m[20] = "state-test-measure!";
	uint8_t buf[40], want[20], pcr[20], key[TPM_MAX_COMMAND_SIZE];
	struct th *t = *state;
	struct tpm_state *s;
	struct tpm_buf *b;
	const char *err;
	uint32_t val;
	size_t klen;

	s = tpm_state_load(state_v1_blob, sizeof(state_v1_blob), &err);
	if (!s)
		fail_msg("v1 blob refused: %s", err);
	swap_in(t, s);
	restart_with(t, TPM_ST_STATE);
	/* PCR 10 = SHA1(0^20 || m), restored from the snapshot. */
	memset(buf, 0, 20);
	memcpy(buf + 20, m, 20);
	th_sha1(buf, sizeof(buf), want);
	assert_int_equal(pcr_read(t, 10, pcr), 0);
	assert_memory_equal(pcr, want, 20);
	nv_expect(t, IDX, "persisted-bytes!", 16);
	assert_int_equal(counter_with(t, TPM_ORD_ReadCounter, 1, &val), 0);
	assert_int_equal(val, 2);
	b = th_begin(t, TPM_ORD_DirRead);
	tb_put_u32(b, 0);
	assert_int_equal(th_run(t, 0, NULL, NULL), TPM_SUCCESS);
	assert_memory_equal(t->out.data, dir_value, 20);
	assert_int_equal(dir_write(t, dir_value), TPM_SUCCESS);
	/* The SRK (and its private prime) came back: it wraps and loads. */
	th_create_load_key(t, TPM_KEY_SIGNING, key_auth, key, &klen);
	load_and_sign(t, key, klen);
}

/* A TPM without an EK survives a round trip as such. */
static void state_roundtrip_no_ek(void **state)
{
	struct th *t = *state;
	struct tpm_state *s;
	uint8_t *blob;
	size_t len;

	th_fini(t);
	th_init_no_ek(t);
	assert_false(t->s->pd.ek.valid);
	s = save_load(t, &blob, &len);
	assert_false(s->pd.ek.valid);
	swap_in(t, s);
	free_blob(blob, len);
	restart_with(t, TPM_ST_CLEAR);
}

/* Every NV area and counter in use still fits a blob, and loads. */
static void state_full_tables_fit(void **state)
{
	struct th *t = *state;
	uint32_t per = TPM_MAX_NV_SPACE / TPM_MAX_NV_INDEXES, id;
	uint8_t data[TPM_MAX_NV_SPACE / TPM_MAX_NV_INDEXES];
	struct tpm_state *s;
	unsigned int i;
	uint8_t *blob;
	size_t len;

	th_pp(t);
	th_take_ownership(t);
	for (i = 0; i < TPM_MAX_NV_INDEXES; i++) {
		memset(data, (int)i, sizeof(data));
		assert_int_equal(nv_define(t, IDX + i, per), TPM_SUCCESS);
		t->s->pd.nv_writes_noowner = 0;
		assert_int_equal(nv_write(t, IDX + i, data, per), TPM_SUCCESS);
	}
	assert_int_equal(tpm_nv_free_space(t->s), 0);
	for (i = 0; i < TPM_MAX_COUNTERS; i++)
		assert_int_equal(counter_create(t, &id), TPM_SUCCESS);
	s = save_load(t, &blob, &len);
	swap_in(t, s);
	free_blob(blob, len);
	restart_with(t, TPM_ST_CLEAR);
	assert_int_equal(tpm_counters_used(t->s), TPM_MAX_COUNTERS);
	for (i = 0; i < TPM_MAX_NV_INDEXES; i++) {
		memset(data, (int)i, sizeof(data));
		nv_expect(t, IDX + i, data, per);
	}
}

/* TPM_SaveState's snapshot travels in the blob and Startup(ST_STATE)
 * restores it. */
static void state_savestate_restored(void **state)
{
	static const uint8_t save[] = { 0x00, 0xC1, 0, 0, 0, 10,
					0, 0, 0, 0x98 };
	struct th *t = *state;
	uint8_t before[20], after[20], *blob;
	struct tpm_state *s;
	size_t len;

	assert_int_equal(pcr_extend(t, 10), TPM_SUCCESS);
	assert_int_equal(pcr_read(t, 10, before), 0);
	assert_int_equal(th_raw(t, save, sizeof(save)), TPM_SUCCESS);
	assert_true(t->s->saved_valid);
	s = save_load(t, &blob, &len);
	assert_true(s->saved_valid);
	swap_in(t, s);
	free_blob(blob, len);
	restart_with(t, TPM_ST_STATE);
	assert_int_equal(pcr_read(t, 10, after), 0);
	assert_memory_equal(before, after, 20);
}

/* Every single-byte change anywhere in a blob is refused. */
static void state_every_byte_flip_refused(void **state)
{
	static const uint8_t masks[] = { 0x01, 0x80, 0xFF };
	struct th *t = *state;
	uint8_t *blob, *copy;
	struct tpm_state *s;
	const char *err;
	size_t len, i, m;

	populate(t);
	assert_int_equal(tpm_state_save(t->s, &blob, &len), 0);
	copy = malloc(len);
	for (i = 0; i < len; i++) {
		for (m = 0; m < ARRAY_SIZE(masks); m++) {
			memcpy(copy, blob, len);
			copy[i] ^= masks[m];
			err = NULL;
			errno = 0;
			s = tpm_state_load(copy, len, &err);
			if (s)
				fail_msg("flip at %zu accepted", i);
			assert_non_null(err);
			assert_true(errno == EBADMSG ||
				    errno == EPROTONOSUPPORT);
		}
	}
	free_blob(copy, len);
	free_blob(blob, len);
}

/* Every truncation of a blob is refused. */
static void state_every_truncation_refused(void **state)
{
	struct th *t = *state;
	struct tpm_state *s;
	const char *err;
	uint8_t *blob;
	size_t len, n;

	populate(t);
	assert_int_equal(tpm_state_save(t->s, &blob, &len), 0);
	for (n = 0; n < len; n++) {
		err = NULL;
		errno = 0;
		s = tpm_state_load(blob, n, &err);
		if (s)
			fail_msg("truncation to %zu accepted", n);
		assert_int_equal(errno, EBADMSG);
		assert_non_null(err);
	}
	free_blob(blob, len);
}

/* Re-seal a modified blob with a correct digest, so that the parser, not
 * the digest, must find the defect. */
static void reseal(uint8_t *blob, size_t len)
{
	th_sha1(blob, len - BLOB_DIGEST, blob + len - BLOB_DIGEST);
}

/* Unknown versions are refused with EPROTONOSUPPORT, a foreign magic
 * with EBADMSG, even when the digest matches. */
static void state_version_refused(void **state)
{
	static const uint32_t bad_versions[] = { 0, 3, 0xFFFFFFFFU };
	struct th *t = *state;
	uint8_t *blob, *copy;
	const char *err;
	size_t len, i;

	assert_int_equal(tpm_state_save(t->s, &blob, &len), 0);
	copy = malloc(len);
	for (i = 0; i < ARRAY_SIZE(bad_versions); i++) {
		memcpy(copy, blob, len);
		tb_wr_be32(copy + 4, bad_versions[i]);
		reseal(copy, len);
		errno = 0;
		assert_null(tpm_state_load(copy, len, &err));
		assert_int_equal(errno, EPROTONOSUPPORT);
		assert_string_equal(err, "unsupported version");
	}
	memcpy(copy, blob, len);
	copy[0] ^= 0x20;
	reseal(copy, len);
	assert_null(tpm_state_load(copy, len, &err));
	assert_int_equal(errno, EBADMSG);
	assert_string_equal(err, "bad magic");
	/* The untouched blob loads (and NULL err is allowed). */
	{
		struct tpm_state *s = tpm_state_load(blob, len, NULL);

		assert_non_null(s);
		tpm_destroy(s);
	}
	free_blob(copy, len);
	free_blob(blob, len);
}

/* Defects behind a valid digest: a bad boolean, trailing bytes. */
static void state_semantic_defects_refused(void **state)
{
	struct th *t = *state;
	uint8_t *blob, *copy;
	const char *err;
	size_t len;

	assert_int_equal(tpm_state_save(t->s, &blob, &len), 0);
	copy = malloc(len + 1);
	/* Byte 12: the first permanent flag (after magic, version, ek_bits). */
	memcpy(copy, blob, len);
	copy[12] = 2;
	reseal(copy, len);
	assert_null(tpm_state_load(copy, len, &err));
	assert_int_equal(errno, EBADMSG);
	assert_string_equal(err, "bad boolean");
	/* One extra byte before the digest. */
	memcpy(copy, blob, len - BLOB_DIGEST);
	copy[len - BLOB_DIGEST] = 0;
	reseal(copy, len + 1);
	assert_null(tpm_state_load(copy, len + 1, &err));
	assert_int_equal(errno, EBADMSG);
	assert_string_equal(err, "trailing bytes");
	free_blob(copy, len + 1);
	free_blob(blob, len);
}

/* Nothing at all, or noise, is refused with a reason. */
static void state_load_garbage(void **state)
{
	size_t i, big = 64 * 1024;
	uint8_t noise[256], *huge = calloc(1, big);
	const char *err = NULL;

	(void)state;
	errno = 0;
	assert_null(tpm_state_load(NULL, 0, &err));
	assert_int_equal(errno, EBADMSG);
	assert_non_null(err);
	for (i = 0; i < sizeof(noise); i++)
		noise[i] = (uint8_t)(i * 37 + 11);
	assert_null(tpm_state_load(noise, sizeof(noise), &err));
	assert_int_equal(errno, EBADMSG);
	assert_null(tpm_state_load(huge, big, &err));
	assert_int_equal(errno, EBADMSG);
	free(huge);
}

/* The dirty flag: set by manufacture and persistent changes, cleared by
 * a save, untouched by reads. */
static void state_dirty_flag(void **state)
{
	struct th *t = *state;
	struct tpm_buf *b;
	uint8_t *blob;
	size_t len;

	assert_true(tpm_state_dirty(t->s));
	assert_int_equal(tpm_state_save(t->s, &blob, &len), 0);
	free_blob(blob, len);
	assert_false(tpm_state_dirty(t->s));
	b = th_begin(t, TPM_ORD_DirRead);
	tb_put_u32(b, 0);
	assert_int_equal(th_run(t, 0, NULL, NULL), TPM_SUCCESS);
	assert_false(tpm_state_dirty(t->s));
	assert_int_equal(nv_define(t, IDX, 4), TPM_SUCCESS);
	assert_true(tpm_state_dirty(t->s));
	assert_int_equal(tpm_state_save(t->s, &blob, &len), 0);
	free_blob(blob, len);
	assert_false(tpm_state_dirty(t->s));
	th_pp(t);
	th_take_ownership(t);
	assert_true(tpm_state_dirty(t->s));
	assert_int_equal(tpm_state_save(t->s, &blob, &len), 0);
	free_blob(blob, len);
	assert_int_equal(dir_write(t, dir_value), TPM_SUCCESS);
	assert_true(tpm_state_dirty(t->s));
}

/* tpm_create validates its options. */
static void state_create_bad_config(void **state)
{
	struct tpm_config cfg = { .no_ek = true, .ek_bits = 100 };

	(void)state;
	errno = 0;
	assert_null(tpm_create(&cfg));
	assert_int_equal(errno, EINVAL);
	cfg.ek_bits = 4096;
	assert_null(tpm_create(&cfg));
	assert_int_equal(errno, EINVAL);
	tpm_destroy(NULL);
}

/* A fresh TPM: unowned, enabled, active, PP by command, nvLocked FALSE,
 * waiting for Startup. */
static void state_create_defaults(void **state)
{
	struct tpm_config cfg = { .no_ek = true, .ek_bits = 0 };
	struct tpm_state *s;

	(void)state;
	s = tpm_create(&cfg);
	assert_non_null(s);
	assert_false(s->pf.owner_installed);
	assert_false(s->pf.disable);
	assert_false(s->pf.deactivated);
	assert_true(s->pf.physical_presence_cmd_enable);
	assert_false(s->pf.physical_presence_hw_enable);
	assert_false(s->pf.physical_presence_lifetime_lock);
	assert_true(s->pf.read_pubek);
	assert_false(s->pf.nv_locked);
	assert_true(s->post_init);
	assert_false(s->started);
	assert_int_equal(s->ek_bits, 2048);
	assert_true(tpm_state_dirty(s));
	tpm_destroy(s);
}

/* TPM_Init drops sessions and requires a new Startup. */
static void state_init_drops_volatile(void **state)
{
	struct th *t = *state;
	struct th_sess s;
	uint8_t v[20];

	assert_int_equal(th_oiap(t, &s, th_zero_auth), 0);
	assert_non_null(tpm_session_find(t->s, s.handle));
	tpm_init(t->s);
	assert_null(tpm_session_find(t->s, s.handle));
	assert_int_equal(pcr_read(t, 0, v), TPM_INVALID_POSTINIT);
	restart_with(t, TPM_ST_CLEAR);
	assert_int_equal(pcr_read(t, 0, v), 0);
}

/* Failure mode refuses commands until TPM_Init. */
static void state_failure_mode(void **state)
{
	struct th *t = *state;
	uint8_t v[20];

	tpm_enter_failure_mode(t->s, TPM_FAIL);
	assert_int_equal(pcr_read(t, 0, v), TPM_FAILEDSELFTEST);
	tpm_init(t->s);
	assert_false(t->s->failure_mode);
	restart_with(t, TPM_ST_CLEAR);
	assert_int_equal(pcr_read(t, 0, v), 0);
}

/* Localities 0-4 only. */
static void state_set_locality(void **state)
{
	struct th *t = *state;

	assert_int_equal(tpm_set_locality(t->s, 4), 0);
	assert_int_equal(t->s->locality, 4);
	assert_int_equal(tpm_set_locality(t->s, 5), -EINVAL);
	assert_int_equal(t->s->locality, 4);
	assert_int_equal(tpm_set_locality(NULL, 0), -EINVAL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, th_setup, th_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(state_roundtrip),
		T(state_v1_golden_loads),
		T(state_roundtrip_no_ek),
		T(state_full_tables_fit),
		T(state_savestate_restored),
		T(state_every_byte_flip_refused),
		T(state_every_truncation_refused),
		T(state_version_refused),
		T(state_semantic_defects_refused),
		cmocka_unit_test(state_load_garbage),
		T(state_dirty_flag),
		cmocka_unit_test(state_create_bad_config),
		cmocka_unit_test(state_create_defaults),
		T(state_init_drops_volatile),
		T(state_failure_mode),
		T(state_set_locality),
	};

	return cmocka_run_group_tests_name("state", tests, NULL, NULL);
}
