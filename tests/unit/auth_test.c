// SPDX-License-Identifier: GPL-2.0
/*
 * TPM_FlushSpecific (Part 3, 22.3) as auth.c implements it: flushing keys
 * and sessions, the return code for a handle that names nothing, and
 * malformed input.  The session protocols themselves are exercised by
 * every family test through the harness.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

static const uint8_t key_auth[20] = "flush-key-secret-001";

static uint32_t flush(struct th *t, uint32_t handle, uint32_t rt)
{
	struct tpm_buf *b = th_begin(t, TPM_ORD_FlushSpecific);

	tb_put_u32(b, handle);
	tb_put_u32(b, rt);
	return th_run(t, 0, NULL, NULL);
}

/* A loaded key is flushed once; flushing the same handle again, or a
 * handle that never named a key, or a reserved key handle, is
 * TPM_BAD_PARAMETER (Part 3, 22.3: the handle must name an allocated
 * resource of resourceType). */
static void flush_specific_key_twice(void **state)
{
	struct tpm_key *k;
	struct th t;
	uint32_t h;

	(void)state;
	th_init(&t);
	th_take_ownership(&t);
	h = th_create_load_key(&t, TPM_KEY_BIND, key_auth, NULL, NULL);
	assert_int_equal(flush(&t, h, TPM_RT_KEY), TPM_SUCCESS);
	assert_int_equal(tpm_key_lookup(t.s, h, &k), TPM_INVALID_KEYHANDLE);
	assert_int_equal(flush(&t, h, TPM_RT_KEY), TPM_BAD_PARAMETER);
	assert_int_equal(flush(&t, 0x01234567U, TPM_RT_KEY),
			 TPM_BAD_PARAMETER);
	assert_int_equal(flush(&t, TPM_KH_SRK, TPM_RT_KEY), TPM_BAD_PARAMETER);
	assert_int_equal(flush(&t, TPM_KH_EK, TPM_RT_KEY), TPM_BAD_PARAMETER);
	th_fini(&t);
}

/* An owner-evict key is not flushed: TPM_KEY_OWNER_CONTROL, and it stays
 * loaded. */
static void flush_specific_key_owner_evict(void **state)
{
	struct tpm_key *k;
	struct th t;
	uint32_t h;

	(void)state;
	th_init(&t);
	th_take_ownership(&t);
	h = th_create_load_key(&t, TPM_KEY_BIND, key_auth, NULL, NULL);
	assert_int_equal(tpm_key_lookup(t.s, h, &k), TPM_SUCCESS);
	k->owner_evict = true;
	assert_int_equal(flush(&t, h, TPM_RT_KEY), TPM_KEY_OWNER_CONTROL);
	assert_int_equal(tpm_key_lookup(t.s, h, &k), TPM_SUCCESS);
	k->owner_evict = false;
	assert_int_equal(flush(&t, h, TPM_RT_KEY), TPM_SUCCESS);
	th_fini(&t);
}

/* An OIAP session is flushed once; a second flush, or the handle flushed
 * as a transport session, is TPM_INVALID_AUTHHANDLE (as libtpms answers;
 * tpmdiff step auth/flush-oiap-again compares it). */
static void flush_specific_session_twice(void **state)
{
	struct th_sess s;
	struct th t;

	(void)state;
	th_init_no_ek(&t);
	assert_int_equal(th_oiap(&t, &s, th_zero_auth), TPM_SUCCESS);
	assert_int_equal(flush(&t, s.handle, TPM_RT_TRANS),
			 TPM_INVALID_AUTHHANDLE);
	assert_non_null(tpm_session_find(t.s, s.handle));
	assert_int_equal(flush(&t, s.handle, TPM_RT_AUTH), TPM_SUCCESS);
	assert_null(tpm_session_find(t.s, s.handle));
	assert_int_equal(flush(&t, s.handle, TPM_RT_AUTH),
			 TPM_INVALID_AUTHHANDLE);
	th_fini(&t);
}

/* A resource type outside Part 2, 4.1: TPM_INVALID_RESOURCE. */
static void flush_specific_bad_resource_type(void **state)
{
	struct th t;

	(void)state;
	th_init_no_ek(&t);
	assert_int_equal(flush(&t, 1, 0x99), TPM_INVALID_RESOURCE);
	th_fini(&t);
}

#define V TH_VEC_BYTES

/* Short, trailing and mis-tagged FlushSpecific commands. */
static const struct th_vector vectors[] = {
	V("FlushSpecific without resourceType", TPM_BAD_PARAM_SIZE,
	  0x00, 0xC1, 0, 0, 0, 14, 0, 0, 0, 0xBA, 0, 0, 0, 1),
	V("FlushSpecific with a trailing byte", TPM_BAD_PARAM_SIZE,
	  0x00, 0xC1, 0, 0, 0, 19, 0, 0, 0, 0xBA, 0, 0, 0, 1, 0, 0, 0, 1,
	  0),
	V("FlushSpecific header only", TPM_BAD_PARAM_SIZE,
	  0x00, 0xC1, 0, 0, 0, 10, 0, 0, 0, 0xBA),
	V("FlushSpecific with an AUTH2 tag", TPM_BADTAG,
	  0x00, 0xC3, 0, 0, 0, 18, 0, 0, 0, 0xBA, 0, 0, 0, 1, 0, 0, 0, 1),
};

/* Each malformed command gets its return code and changes nothing. */
static void flush_specific_malformed_vectors(void **state)
{
	struct th t;

	(void)state;
	th_init_no_ek(&t);
	th_run_vectors(&t, vectors, ARRAY_SIZE(vectors));
	th_fini(&t);
}

static uint32_t reset_lock(struct th *t, const uint8_t secret[20])
{
	struct th_sess s;

	assert_int_equal(th_oiap(t, &s, secret), 0);
	th_begin(t, TPM_ORD_ResetLockValue);
	return th_run(t, 0, &s, NULL);
}

/* Repeated authorization failures start the dictionary-attack lockout
 * (TPM_DEFEND_LOCK_RUNNING even for the right secret); the owner's
 * ResetLockValue ends it, and authorization works again at once. */
static void reset_lock_value_ends_lockout(void **state)
{
	static const uint8_t wrong[20] = "wrong-owner-secret!!";
	struct th_sess s;
	unsigned int i;
	struct th t;

	(void)state;
	th_init(&t);
	th_take_ownership(&t);
	for (i = 0; i < TPM_DA_THRESHOLD + 1; i++) {
		assert_int_equal(th_oiap(&t, &s, wrong), 0);
		th_begin(&t, TPM_ORD_OwnerReadPubek);
		th_run(&t, 0, &s, NULL);
	}
	assert_true(tpm_da_locked(t.s, NULL));
	assert_int_equal(th_oiap(&t, &s, th_owner_auth), 0);
	th_begin(&t, TPM_ORD_OwnerReadPubek);
	assert_int_equal(th_run(&t, 0, &s, NULL), TPM_DEFEND_LOCK_RUNNING);
	assert_int_equal(reset_lock(&t, th_owner_auth), TPM_SUCCESS);
	assert_false(tpm_da_locked(t.s, NULL));
	assert_int_equal(t.s->pd.da_failures, 0);
	assert_int_equal(th_oiap(&t, &s, th_owner_auth), 0);
	th_begin(&t, TPM_ORD_OwnerReadPubek);
	assert_int_equal(th_run(&t, 0, &s, NULL), TPM_SUCCESS);
	th_fini(&t);
}

/* ResetLockValue with a wrong owner secret is TPM_AUTHFAIL; while a
 * lockout runs, further resets are refused even with the right secret
 * (Part 3, 5.3 step 1); without an owner it is TPM_NOSRK. */
static void reset_lock_value_failures(void **state)
{
	static const uint8_t wrong[20] = "wrong-owner-secret!!";
	unsigned int i;
	struct th t;

	(void)state;
	th_init(&t);
	assert_int_equal(reset_lock(&t, th_owner_auth), TPM_NOSRK);
	th_take_ownership(&t);
	assert_int_equal(reset_lock(&t, wrong), TPM_AUTHFAIL);
	/* Below the threshold no lockout runs: the owner retries at once. */
	assert_int_equal(reset_lock(&t, th_owner_auth), TPM_SUCCESS);
	for (i = 0; i < TPM_DA_THRESHOLD + 1; i++)
		reset_lock(&t, wrong);
	assert_true(tpm_da_locked(t.s, NULL));
	assert_int_equal(reset_lock(&t, th_owner_auth), TPM_AUTHFAIL);
	th_fini(&t);
}

/* Terminate_Handle ends a session: using it afterwards is
 * TPM_INVALID_AUTHHANDLE, and so is terminating it again or a handle
 * that never existed. */
static void terminate_handle_ends_session(void **state)
{
	struct th_sess s;
	struct tpm_buf *in;
	struct th t;

	(void)state;
	th_init(&t);
	th_take_ownership(&t);
	assert_int_equal(th_oiap(&t, &s, th_owner_auth), 0);
	in = th_begin(&t, TPM_ORD_Terminate_Handle);
	tb_put_u32(in, s.handle);
	assert_int_equal(th_run(&t, 0, NULL, NULL), TPM_SUCCESS);
	th_begin(&t, TPM_ORD_OwnerReadPubek);
	assert_int_equal(th_run(&t, 0, &s, NULL), TPM_INVALID_AUTHHANDLE);
	in = th_begin(&t, TPM_ORD_Terminate_Handle);
	tb_put_u32(in, s.handle);
	assert_int_equal(th_run(&t, 0, NULL, NULL), TPM_INVALID_AUTHHANDLE);
	in = th_begin(&t, TPM_ORD_Terminate_Handle);
	tb_put_u32(in, 0x02ABCDEFU);
	assert_int_equal(th_run(&t, 0, NULL, NULL), TPM_INVALID_AUTHHANDLE);
	th_begin(&t, TPM_ORD_Terminate_Handle);
	assert_int_equal(th_run(&t, 0, NULL, NULL), TPM_BAD_PARAM_SIZE);
	th_fini(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(flush_specific_key_twice),
		cmocka_unit_test(flush_specific_key_owner_evict),
		cmocka_unit_test(flush_specific_session_twice),
		cmocka_unit_test(flush_specific_bad_resource_type),
		cmocka_unit_test(flush_specific_malformed_vectors),
		cmocka_unit_test(reset_lock_value_ends_lockout),
		cmocka_unit_test(reset_lock_value_failures),
		cmocka_unit_test(terminate_handle_ends_session),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
