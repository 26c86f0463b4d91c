// SPDX-License-Identifier: GPL-2.0
/*
 * Startup, SaveState and the self-tests (Part 3, 3-4; admin.c): what each
 * Startup type resets or restores, the life of the SaveState snapshot,
 * failure mode, and malformed input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

static const uint8_t digest_a[20] = "extend-digest-aaaaaa";

static uint32_t no_params(struct th *t, uint32_t ordinal)
{
	th_begin(t, ordinal);
	return th_run(t, 0, NULL, NULL);
}

static uint32_t extend(struct th *t, uint32_t pcr, const uint8_t d[20])
{
	struct tpm_buf *b = th_begin(t, TPM_ORD_Extend);

	tb_put_u32(b, pcr);
	tb_put_bytes(b, d, 20);
	return th_run(t, 0, NULL, NULL);
}

static void pcr_read(struct th *t, uint32_t pcr, uint8_t out[20])
{
	struct tpm_buf *b = th_begin(t, TPM_ORD_PcrRead);

	tb_put_u32(b, pcr);
	assert_int_equal(th_run(t, 0, NULL, NULL), TPM_SUCCESS);
	assert_int_equal(tb_get_bytes(&t->out, out, 20), 0);
}

/* TPM_STCLEAR_FLAGS byte @i (0 deactivated .. 4 bGlobalLock). */
static bool vflag(struct th *t, unsigned int i)
{
	struct tpm_buf *b = th_begin(t, TPM_ORD_GetCapability);
	uint32_t size;
	uint16_t tag;
	uint8_t v[5];

	tb_put_u32(b, TPM_CAP_FLAG);
	tb_put_u32(b, 4);
	tb_put_u32(b, TPM_CAP_FLAG_VOLATILE);
	assert_int_equal(th_run(t, 0, NULL, NULL), TPM_SUCCESS);
	assert_int_equal(tb_get_u32(&t->out, &size), 0);
	assert_int_equal(size, 7);
	assert_int_equal(tb_get_u16(&t->out, &tag), 0);
	assert_int_equal(tag, TPM_TAG_STCLEAR_FLAGS);
	assert_int_equal(tb_get_bytes(&t->out, v, 5), 0);
	return v[i];
}

static uint32_t tsc_pp(struct th *t, uint16_t bits)
{
	struct tpm_buf *b = th_begin(t, TPM_ORD_TSC_PhysicalPresence);

	tb_put_u16(b, bits);
	return th_run(t, 0, NULL, NULL);
}

/* A second Startup in the same boot cycle is refused. */
static void startup_twice_invalid_postinit(void **state)
{
	struct th *t = *state;

	assert_int_equal(th_startup(t, TPM_ST_CLEAR), TPM_INVALID_POSTINIT);
}

/* Before Startup every other command is refused. */
static void startup_missing_refuses_commands(void **state)
{
	struct th *t = *state;

	tpm_init(t->s);
	assert_int_equal(no_params(t, TPM_ORD_SelfTestFull),
			 TPM_INVALID_POSTINIT);
	assert_int_equal(th_startup(t, TPM_ST_CLEAR), TPM_SUCCESS);
	assert_int_equal(no_params(t, TPM_ORD_SelfTestFull), TPM_SUCCESS);
}

/* An unknown startup type is TPM_BAD_PARAMETER and the TPM still waits
 * for a valid Startup. */
static void startup_bad_type_bad_parameter(void **state)
{
	struct th *t = *state;

	tpm_init(t->s);
	assert_int_equal(th_startup(t, 0), TPM_BAD_PARAMETER);
	assert_int_equal(th_startup(t, 4), TPM_BAD_PARAMETER);
	assert_false(t->s->started);
	assert_int_equal(th_startup(t, TPM_ST_CLEAR), TPM_SUCCESS);
}

/* Startup(CLEAR) resets PCRs (17 to all-ones) and sessions. */
static void startup_clear_resets_pcrs_and_sessions(void **state)
{
	struct th *t = *state;
	static const uint8_t zero[20];
	uint8_t v[20], ones[20];
	struct th_sess s;

	memset(ones, 0xFF, sizeof(ones));
	assert_int_equal(extend(t, 0, digest_a), TPM_SUCCESS);
	pcr_read(t, 0, v);
	assert_memory_not_equal(v, zero, 20);
	assert_int_equal(th_oiap(t, &s, th_zero_auth), TPM_SUCCESS);
	assert_non_null(tpm_session_find(t->s, s.handle));
	th_restart(t, TPM_ST_CLEAR);
	pcr_read(t, 0, v);
	assert_memory_equal(v, zero, 20);
	pcr_read(t, 17, v);
	assert_memory_equal(v, ones, 20);
	assert_null(tpm_session_find(t->s, s.handle));
}

/* Startup(CLEAR) clears physical presence, its lock and
 * disableForceClear; deactivated follows the permanent flag. */
static void startup_clear_resets_stclear_flags(void **state)
{
	struct th *t = *state;

	th_pp(t);
	assert_true(vflag(t, 2));
	assert_int_equal(no_params(t, TPM_ORD_DisableForceClear), 0);
	assert_true(vflag(t, 1));
	assert_int_equal(tsc_pp(t, TPM_PHYSICAL_PRESENCE_LOCK), 0);
	assert_true(vflag(t, 3));
	th_restart(t, TPM_ST_CLEAR);
	assert_false(vflag(t, 1));
	assert_false(vflag(t, 2));
	assert_false(vflag(t, 3));
	assert_false(vflag(t, 0));
}

/* Startup(DEACTIVATED): deactivated until the next TPM_Init. */
static void startup_deactivated_sets_flag(void **state)
{
	struct th *t = *state;
	struct tpm_buf *b;

	th_restart(t, TPM_ST_DEACTIVATED);
	assert_true(vflag(t, 0));
	b = th_begin(t, TPM_ORD_ReadPubek);
	tb_put_bytes(b, digest_a, 20);
	assert_int_equal(th_run(t, 0, NULL, NULL), TPM_DEACTIVATED);
	th_restart(t, TPM_ST_CLEAR);
	assert_false(vflag(t, 0));
}

/* SaveState, TPM_Init, Startup(STATE): static PCRs and STCLEAR flags
 * come back, resettable PCRs do not; the snapshot is used once. */
static void startup_state_restores_snapshot(void **state)
{
	struct th *t = *state;
	static const uint8_t zero[20];
	uint8_t before[20], v[20];

	assert_int_equal(extend(t, 3, digest_a), TPM_SUCCESS);
	assert_int_equal(extend(t, 16, digest_a), TPM_SUCCESS);
	pcr_read(t, 3, before);
	assert_int_equal(no_params(t, TPM_ORD_DisableForceClear), 0);
	assert_int_equal(no_params(t, TPM_ORD_SaveState), TPM_SUCCESS);
	assert_true(t->s->saved_valid);
	assert_true(tpm_state_dirty(t->s));
	th_restart(t, TPM_ST_STATE);
	pcr_read(t, 3, v);
	assert_memory_equal(v, before, 20);
	pcr_read(t, 16, v);
	assert_memory_equal(v, zero, 20);
	assert_true(vflag(t, 1));
	assert_false(t->s->saved_valid);
	/* The snapshot was consumed: a second resume has nothing. */
	tpm_init(t->s);
	assert_int_equal(th_startup(t, TPM_ST_STATE), TPM_FAILEDSELFTEST);
}

/* The snapshot survives tpm_state_save/load (a daemon restart). */
static void startup_state_after_state_reload(void **state)
{
	struct th *t = *state;
	uint8_t before[20], v[20], *blob;
	const char *why;
	size_t len;

	assert_int_equal(extend(t, 5, digest_a), TPM_SUCCESS);
	pcr_read(t, 5, before);
	assert_int_equal(no_params(t, TPM_ORD_SaveState), TPM_SUCCESS);
	assert_int_equal(tpm_state_save(t->s, &blob, &len), 0);
	tpm_destroy(t->s);
	t->s = tpm_state_load(blob, len, &why);
	free(blob);
	assert_non_null(t->s);
	assert_int_equal(th_startup(t, TPM_ST_STATE), TPM_SUCCESS);
	pcr_read(t, 5, v);
	assert_memory_equal(v, before, 20);
}

/* Startup(STATE) without a snapshot enters failure mode: only
 * GetTestResult and GetCapability still answer. */
static void startup_state_without_snapshot_fails(void **state)
{
	struct th *t = *state;
	struct tpm_buf *b;
	uint32_t size;
	uint8_t out[6];

	tpm_init(t->s);
	assert_int_equal(th_startup(t, TPM_ST_STATE), TPM_FAILEDSELFTEST);
	assert_true(t->s->failure_mode);
	assert_int_equal(no_params(t, TPM_ORD_SelfTestFull),
			 TPM_FAILEDSELFTEST);
	assert_int_equal(no_params(t, TPM_ORD_GetTestResult), TPM_SUCCESS);
	assert_int_equal(tb_get_u32(&t->out, &size), 0);
	assert_int_equal(size, 6);
	assert_int_equal(tb_get_bytes(&t->out, out, 6), 0);
	assert_int_not_equal(tb_be32(out), 0);
	assert_int_equal(out[5], 1);
	b = th_begin(t, TPM_ORD_GetCapability);
	tb_put_u32(b, TPM_CAP_VERSION_VAL);
	tb_put_u32(b, 0);
	assert_int_equal(th_run(t, 0, NULL, NULL), TPM_SUCCESS);
	/* TPM_Init recovers. */
	th_restart(t, TPM_ST_CLEAR);
	assert_false(t->s->failure_mode);
}

/* Any state-changing command after SaveState invalidates the snapshot;
 * read-only queries do not. */
static void save_state_invalidated_by_next_command(void **state)
{
	struct th *t = *state;

	assert_int_equal(no_params(t, TPM_ORD_SaveState), TPM_SUCCESS);
	assert_int_equal(no_params(t, TPM_ORD_GetTestResult), TPM_SUCCESS);
	assert_true(t->s->saved_valid);
	assert_int_equal(extend(t, 1, digest_a), TPM_SUCCESS);
	assert_false(t->s->saved_valid);
	tpm_init(t->s);
	assert_int_equal(th_startup(t, TPM_ST_STATE), TPM_FAILEDSELFTEST);
}

/* Every Startup consumes the snapshot, also Startup(CLEAR). */
static void startup_clear_discards_snapshot(void **state)
{
	struct th *t = *state;

	assert_int_equal(no_params(t, TPM_ORD_SaveState), TPM_SUCCESS);
	th_restart(t, TPM_ST_CLEAR);
	assert_false(t->s->saved_valid);
}

/* Each Startup begins a new tick session (new nonce). */
static void startup_new_tick_nonce(void **state)
{
	struct th *t = *state;
	uint8_t n1[20];

	memcpy(n1, t->s->tick_nonce, 20);
	th_restart(t, TPM_ST_CLEAR);
	assert_memory_not_equal(n1, t->s->tick_nonce, 20);
}

/* Owner-evict keys survive Startup(CLEAR), other keys do not. */
static void startup_clear_flushes_keys(void **state)
{
	struct th *t = *state;
	uint32_t h;
	struct tpm_key *k;

	th_pp(t);
	th_take_ownership(t);
	h = th_create_load_key(t, TPM_KEY_BIND, th_zero_auth, NULL, NULL);
	assert_int_equal(tpm_key_lookup(t->s, h, &k), TPM_SUCCESS);
	th_restart(t, TPM_ST_CLEAR);
	assert_int_equal(tpm_key_lookup(t->s, h, &k), TPM_INVALID_KEYHANDLE);
}

/* SelfTestFull and ContinueSelfTest pass; GetTestResult reports it. */
static void self_test_full_passes(void **state)
{
	struct th *t = *state;
	uint32_t size;
	uint8_t out[6];

	assert_int_equal(no_params(t, TPM_ORD_ContinueSelfTest), TPM_SUCCESS);
	assert_true(t->s->selftest_done);
	assert_int_equal(no_params(t, TPM_ORD_SelfTestFull), TPM_SUCCESS);
	assert_int_equal(no_params(t, TPM_ORD_ContinueSelfTest), TPM_SUCCESS);
	assert_int_equal(no_params(t, TPM_ORD_GetTestResult), TPM_SUCCESS);
	assert_int_equal(tb_get_u32(&t->out, &size), 0);
	assert_int_equal(size, 6);
	assert_int_equal(tb_get_bytes(&t->out, out, 6), 0);
	assert_int_equal(tb_be32(out), 0);
	assert_int_equal(out[4], 1);
	assert_int_equal(out[5], 0);
	assert_int_equal(tb_expect_end(&t->out), 0);
}

/* The self-test also works without an EK (nothing to test there). */
static void self_test_full_without_ek(void **state)
{
	struct th *t = *state;

	th_fini(t);
	th_init_no_ek(t);
	assert_int_equal(no_params(t, TPM_ORD_SelfTestFull), TPM_SUCCESS);
}

/* A broken EK fails the self-test and enters failure mode. */
static void self_test_full_broken_ek_fails(void **state)
{
	struct th *t = *state;
	struct tpm_key *ek = &t->s->pd.ek;

	/* Keep only the public half: the EK can no longer decrypt. */
	tpm_rsa_free(ek->rsa);
	ek->rsa = NULL;
	assert_int_equal(tpm_rsa_from_public(&ek->rsa, ek->n, ek->n_len,
					     NULL, 0), 0);
	assert_int_equal(no_params(t, TPM_ORD_SelfTestFull),
			 TPM_FAILEDSELFTEST);
	assert_true(t->s->failure_mode);
	assert_int_equal(no_params(t, TPM_ORD_ContinueSelfTest),
			 TPM_FAILEDSELFTEST);
	assert_int_equal(no_params(t, TPM_ORD_GetTestResult), TPM_SUCCESS);
}

#define HDR(size, ord) 0x00, 0xC1, 0, 0, 0, (size), 0, 0, 0, (ord)

static const uint8_t v_startup_short[] = { HDR(11, 0x99), 0 };
static const uint8_t v_startup_empty[] = { HDR(10, 0x99) };
static const uint8_t v_startup_trailing[] = { HDR(13, 0x99), 0, 1, 0 };
static const uint8_t v_startup_auth[] = {
	0x00, 0xC2, 0, 0, 0, 57, 0, 0, 0, 0x99, 0, 1,
	0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
};
static const uint8_t v_savestate_trailing[] = { HDR(11, 0x98), 0 };
static const uint8_t v_selftest_trailing[] = { HDR(11, 0x50), 0 };
static const uint8_t v_continue_trailing[] = { HDR(14, 0x53), 0, 0, 0, 0 };
static const uint8_t v_testresult_trailing[] = { HDR(11, 0x54), 0 };

#define V TH_VEC

static const struct th_vector vectors[] = {
	V("Startup: one byte of type", v_startup_short, TPM_BAD_PARAM_SIZE),
	V("Startup: no type", v_startup_empty, TPM_BAD_PARAM_SIZE),
	V("Startup: trailing byte", v_startup_trailing, TPM_BAD_PARAM_SIZE),
	V("Startup: auth tag", v_startup_auth, TPM_BADTAG),
	V("SaveState: trailing byte", v_savestate_trailing,
	  TPM_BAD_PARAM_SIZE),
	V("SelfTestFull: trailing byte", v_selftest_trailing,
	  TPM_BAD_PARAM_SIZE),
	V("ContinueSelfTest: trailing bytes", v_continue_trailing,
	  TPM_BAD_PARAM_SIZE),
	V("GetTestResult: trailing byte", v_testresult_trailing,
	  TPM_BAD_PARAM_SIZE),
};

/* Every malformed vector gets its code; Startup ones leave the TPM
 * waiting for a valid Startup. */
static void admin_malformed_vectors(void **state)
{
	struct th *t = *state;
	size_t i;

	tpm_init(t->s);
	for (i = 0; i < ARRAY_SIZE(vectors); i++) {
		const struct th_vector *v = &vectors[i];

		assert_int_equal(tb_be32(v->cmd + 2), v->len);
		if (tb_be32(v->cmd + 6) != TPM_ORD_Startup && !t->s->started)
			assert_int_equal(th_startup(t, TPM_ST_CLEAR), 0);
		if (th_raw(t, v->cmd, v->len) != v->rc)
			fail_msg("%s: got 0x%x, want 0x%x", v->title, t->rc,
				 v->rc);
	}
	assert_false(t->s->saved_valid);
}

#define T(f) cmocka_unit_test_setup_teardown(f, th_setup, th_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(startup_twice_invalid_postinit),
		T(startup_missing_refuses_commands),
		T(startup_bad_type_bad_parameter),
		T(startup_clear_resets_pcrs_and_sessions),
		T(startup_clear_resets_stclear_flags),
		T(startup_deactivated_sets_flag),
		T(startup_state_restores_snapshot),
		T(startup_state_after_state_reload),
		T(startup_state_without_snapshot_fails),
		T(save_state_invalidated_by_next_command),
		T(startup_clear_discards_snapshot),
		T(startup_new_tick_nonce),
		T(startup_clear_flushes_keys),
		T(self_test_full_passes),
		T(self_test_full_without_ek),
		T(self_test_full_broken_ek_fails),
		T(admin_malformed_vectors),
	};

	return cmocka_run_group_tests_name("admin", tests, NULL, NULL);
}
