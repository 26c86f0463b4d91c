// SPDX-License-Identifier: GPL-2.0
/*
 * Monotonic counters (Part 3, 25): creation under owner authorization,
 * one increment target per boot cycle, release by the counter secret or
 * the owner, handle and value monotonicity, and malformed input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

static const uint8_t ctr_auth[20] = "counter-secret-00001";
static const uint8_t bad_auth[20] = "not-the-right-secret";

struct ctr_value {
	uint8_t label[4];
	uint32_t value;
};

/* TPM_COUNTER_VALUE from the response. */
static void get_value(struct th *t, struct ctr_value *v)
{
	uint16_t tag;

	assert_int_equal(tb_get_u16(&t->out, &tag), 0);
	assert_int_equal(tag, TPM_TAG_COUNTER_VALUE);
	assert_int_equal(tb_get_bytes(&t->out, v->label, 4), 0);
	assert_int_equal(tb_get_u32(&t->out, &v->value), 0);
}

/* CreateCounter in an OSAP session for the owner with secret @owner. */
static uint32_t create(struct th *t, const char label[4],
		       const uint8_t owner[20], uint32_t *id,
		       struct ctr_value *v)
{
	struct th_sess s;
	struct tpm_buf *b;
	uint8_t enc[20];

	if (th_osap(t, &s, TPM_ET_OWNER, TPM_KH_OWNER, owner))
		return t->rc;
	th_adip(&s, ctr_auth, false, enc);
	b = th_begin(t, TPM_ORD_CreateCounter);
	tb_put_bytes(b, enc, 20);
	tb_put_bytes(b, label, 4);
	if (th_run(t, 0, &s, NULL))
		return t->rc;
	assert_int_equal(tb_get_u32(&t->out, id), 0);
	get_value(t, v);
	assert_int_equal(tb_remaining(&t->out), 0);
	/* Part 3, 25.1 step 2: the session does not continue. */
	assert_null(tpm_session_find(t->s, s.handle));
	return 0;
}

static uint32_t create_ok(struct th *t, const char label[4])
{
	struct ctr_value v;
	uint32_t id;

	assert_int_equal(create(t, label, th_owner_auth, &id, &v), 0);
	assert_memory_equal(v.label, label, 4);
	return id;
}

static uint32_t with_oiap(struct th *t, uint32_t ordinal, uint32_t id,
			  const uint8_t secret[20])
{
	struct th_sess s;
	struct tpm_buf *b;

	if (th_oiap(t, &s, secret))
		return t->rc;
	s.cont = false;
	b = th_begin(t, ordinal);
	tb_put_u32(b, id);
	return th_run(t, 0, &s, NULL);
}

static uint32_t increment(struct th *t, uint32_t id, const uint8_t sec[20],
			  uint32_t *value)
{
	struct ctr_value v;

	if (with_oiap(t, TPM_ORD_IncrementCounter, id, sec))
		return t->rc;
	get_value(t, &v);
	*value = v.value;
	return 0;
}

static uint32_t read_ctr(struct th *t, uint32_t id, uint32_t *value)
{
	struct tpm_buf *b = th_begin(t, TPM_ORD_ReadCounter);
	struct ctr_value v;

	tb_put_u32(b, id);
	if (th_run(t, 0, NULL, NULL))
		return t->rc;
	get_value(t, &v);
	*value = v.value;
	return 0;
}

/* A new counter is readable with its label and start value. */
static void counter_create_read(void **state)
{
	struct th *t = *state;
	struct ctr_value v;
	uint32_t id, id2, val;

	t->s->dirty = false;
	assert_int_equal(create(t, "ABCD", th_owner_auth, &id, &v), 0);
	assert_true(tpm_state_dirty(t->s));
	assert_memory_equal(v.label, "ABCD", 4);
	assert_int_not_equal(id, 0);
	assert_int_equal(read_ctr(t, id, &val), 0);
	assert_int_equal(val, v.value);
	assert_int_equal(tpm_counters_used(t->s), 1);
	assert_non_null(tpm_counter_find(t->s, id));
	/* A second counter starts above the first. */
	id2 = create_ok(t, "EFGH");
	assert_int_not_equal(id2, id);
	assert_int_equal(read_ctr(t, id2, &val), 0);
	assert_true(val > v.value);
}

/* CreateCounter needs owner authorization in an OSAP session. */
static void counter_create_auth(void **state)
{
	struct th *t = *state;
	struct ctr_value v;
	struct th_sess s;
	struct tpm_buf *b;
	uint32_t id;

	assert_int_equal(create(t, "BAD!", bad_auth, &id, &v), TPM_AUTHFAIL);
	assert_int_equal(th_oiap(t, &s, th_owner_auth), 0);
	b = th_begin(t, TPM_ORD_CreateCounter);
	tb_put_bytes(b, ctr_auth, 20);
	tb_put_bytes(b, "OIAP", 4);
	assert_int_equal(th_run(t, 0, &s, NULL), TPM_INVALID_AUTHHANDLE);
	assert_int_equal(tpm_counters_used(t->s), 0);
}

/* The table holds TPM_MAX_COUNTERS counters. */
static void counter_create_full(void **state)
{
	struct th *t = *state;
	struct ctr_value v;
	unsigned int i;
	uint32_t id;

	for (i = 0; i < TPM_MAX_COUNTERS; i++)
		create_ok(t, "FULL");
	assert_int_equal(create(t, "MORE", th_owner_auth, &id, &v),
			 TPM_RESOURCES);
	assert_int_equal(tpm_counters_used(t->s), TPM_MAX_COUNTERS);
}

/* IncrementCounter adds one, with the counter's secret. */
static void counter_increment(void **state)
{
	struct th *t = *state;
	uint32_t id = create_ok(t, "INCR"), start, val;

	assert_int_equal(read_ctr(t, id, &start), 0);
	assert_int_equal(increment(t, id, bad_auth, &val), TPM_AUTHFAIL);
	assert_int_equal(increment(t, id, ctr_auth, &val), 0);
	assert_int_equal(val, start + 1);
	assert_int_equal(increment(t, id, ctr_auth, &val), 0);
	assert_int_equal(val, start + 2);
	assert_int_equal(read_ctr(t, id, &val), 0);
	assert_int_equal(val, start + 2);
	assert_int_equal(increment(t, id + 100, ctr_auth, &val),
			 TPM_BAD_COUNTER);
}

/* Only one counter may be incremented per boot cycle. */
static void counter_increment_one_per_cycle(void **state)
{
	struct th *t = *state;
	uint32_t a = create_ok(t, "AAAA"), b = create_ok(t, "BBBB"), val;

	assert_int_equal(increment(t, a, ctr_auth, &val), 0);
	assert_int_equal(increment(t, b, ctr_auth, &val), TPM_BAD_COUNTER);
	assert_int_equal(increment(t, a, ctr_auth, &val), 0);
	th_restart(t, TPM_ST_CLEAR);
	assert_int_equal(increment(t, b, ctr_auth, &val), 0);
	assert_int_equal(increment(t, a, ctr_auth, &val), TPM_BAD_COUNTER);
}

/* ReadCounter of a handle that is not a counter. */
static void counter_read_bad_handle(void **state)
{
	struct th *t = *state;
	uint32_t val;

	assert_int_equal(read_ctr(t, 0, &val), TPM_BAD_COUNTER);
	assert_int_equal(read_ctr(t, 1, &val), TPM_BAD_COUNTER);
	assert_int_equal(read_ctr(t, 0xFFFFFFFFU, &val), TPM_BAD_COUNTER);
}

/* ReleaseCounter with the counter secret: the handle is dead for good,
 * and a released active counter blocks increments until Startup. */
static void counter_release(void **state)
{
	struct th *t = *state;
	uint32_t a = create_ok(t, "RELA"), b = create_ok(t, "RELB"), val;
	uint32_t c;
	struct th_sess s;

	assert_int_equal(with_oiap(t, TPM_ORD_ReleaseCounter, a, bad_auth),
			 TPM_AUTHFAIL);
	assert_int_equal(increment(t, a, ctr_auth, &val), 0);
	/* An OSAP session bound to the counter dies with it. */
	assert_int_equal(th_osap(t, &s, TPM_ET_COUNTER, a, ctr_auth), 0);
	assert_int_equal(with_oiap(t, TPM_ORD_ReleaseCounter, a, ctr_auth),
			 TPM_SUCCESS);
	assert_null(tpm_session_find(t->s, s.handle));
	assert_int_equal(read_ctr(t, a, &val), TPM_BAD_COUNTER);
	assert_int_equal(increment(t, a, ctr_auth, &val), TPM_BAD_COUNTER);
	assert_int_equal(increment(t, b, ctr_auth, &val), TPM_BAD_COUNTER);
	assert_int_equal(with_oiap(t, TPM_ORD_ReleaseCounter, a, ctr_auth),
			 TPM_BAD_COUNTER);
	/* A new counter gets a new handle and a value above all others. */
	c = create_ok(t, "RELC");
	assert_int_not_equal(c, a);
	assert_int_not_equal(c, b);
	assert_int_equal(read_ctr(t, c, &val), 0);
	assert_true(val > b);
	th_restart(t, TPM_ST_CLEAR);
	assert_int_equal(increment(t, b, ctr_auth, &val), 0);
}

/* ReleaseCounterOwner with the owner secret. */
static void counter_release_owner(void **state)
{
	struct th *t = *state;
	uint32_t a = create_ok(t, "OWNR"), val;

	assert_int_equal(with_oiap(t, TPM_ORD_ReleaseCounterOwner, a,
				   ctr_auth), TPM_AUTHFAIL);
	assert_int_equal(with_oiap(t, TPM_ORD_ReleaseCounterOwner, a + 50,
				   th_owner_auth), TPM_BAD_COUNTER);
	assert_int_equal(with_oiap(t, TPM_ORD_ReleaseCounterOwner, a,
				   th_owner_auth), TPM_SUCCESS);
	assert_int_equal(read_ctr(t, a, &val), TPM_BAD_COUNTER);
	assert_int_equal(tpm_counters_used(t->s), 0);
}

/* Values never go back: after a release the next counter starts above
 * every value ever held, even the released one's. */
static void counter_values_monotonic(void **state)
{
	struct th *t = *state;
	uint32_t a = create_ok(t, "MONA"), b, val, top;
	unsigned int i;

	for (i = 0; i < 5; i++)
		assert_int_equal(increment(t, a, ctr_auth, &top), 0);
	assert_int_equal(with_oiap(t, TPM_ORD_ReleaseCounterOwner, a,
				   th_owner_auth), TPM_SUCCESS);
	b = create_ok(t, "MONB");
	assert_int_equal(read_ctr(t, b, &val), 0);
	assert_true(val > top);
	assert_true(b > a);
}

#define HDR(tag, size, ord) \
	0x00, (tag), 0, 0, 0, (size), 0, 0, 0, (ord)
#define AUTH_AREA \
	0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, \
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0

static const uint8_t v_create_short[] = { HDR(0xC2, 77, 0xDC),
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
	20, 'A', 'B', AUTH_AREA };
static const uint8_t v_create_trailing[] = { HDR(0xC2, 80, 0xDC),
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
	20, 'A', 'B', 'C', 'D', 0, AUTH_AREA };
static const uint8_t v_create_rqu[] = { HDR(0xC1, 34, 0xDC),
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
	20, 'A', 'B', 'C', 'D' };
static const uint8_t v_incr_short[] = { HDR(0xC2, 57, 0xDD), 0, 0,
					AUTH_AREA };
static const uint8_t v_incr_trailing[] = { HDR(0xC2, 60, 0xDD), 0, 0, 0,
					   1, 0, AUTH_AREA };
static const uint8_t v_read_short[] = { HDR(0xC1, 13, 0xDE), 0, 0, 0 };
static const uint8_t v_read_trailing[] = { HDR(0xC1, 15, 0xDE), 0, 0, 0,
					   1, 0 };
static const uint8_t v_read_auth[] = { HDR(0xC2, 59, 0xDE), 0, 0, 0, 1,
				       AUTH_AREA };
static const uint8_t v_release_short[] = { HDR(0xC2, 55, 0xDF),
					   AUTH_AREA };
static const uint8_t v_release_rqu[] = { HDR(0xC1, 14, 0xDF), 0, 0, 0,
					 1 };
static const uint8_t v_relowner_trailing[] = { HDR(0xC2, 61, 0xE0), 0, 0,
					       0, 1, 0, 0, AUTH_AREA };
static const uint8_t v_relowner_short[] = { HDR(0xC2, 58, 0xE0), 0, 0, 0,
					    AUTH_AREA };

#define V TH_VEC
static const struct th_vector vectors[] = {
	V("CreateCounter: label cut short", v_create_short,
	  TPM_BAD_PARAM_SIZE),
	V("CreateCounter: trailing byte", v_create_trailing,
	  TPM_BAD_PARAM_SIZE),
	V("CreateCounter: without auth area", v_create_rqu, TPM_BADTAG),
	V("IncrementCounter: countID cut short", v_incr_short,
	  TPM_BAD_PARAM_SIZE),
	V("IncrementCounter: trailing byte", v_incr_trailing,
	  TPM_BAD_PARAM_SIZE),
	V("ReadCounter: countID cut short", v_read_short, TPM_BAD_PARAM_SIZE),
	V("ReadCounter: trailing byte", v_read_trailing, TPM_BAD_PARAM_SIZE),
	V("ReadCounter: with auth area", v_read_auth, TPM_BADTAG),
	V("ReleaseCounter: no countID", v_release_short, TPM_BAD_PARAM_SIZE),
	V("ReleaseCounter: without auth area", v_release_rqu, TPM_BADTAG),
	V("ReleaseCounterOwner: trailing bytes", v_relowner_trailing,
	  TPM_BAD_PARAM_SIZE),
	V("ReleaseCounterOwner: countID cut short", v_relowner_short,
	  TPM_BAD_PARAM_SIZE),
};

/* Every malformed-input vector gets its return code. */
static void counter_malformed_vectors(void **state)
{
	struct th *t = *state;

	th_run_vectors(t, vectors, ARRAY_SIZE(vectors));
	assert_int_equal(tpm_counters_used(t->s), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, th_setup_owned_pp, th_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(counter_create_read),
		T(counter_create_auth),
		T(counter_create_full),
		T(counter_increment),
		T(counter_increment_one_per_cycle),
		T(counter_read_bad_handle),
		T(counter_release),
		T(counter_release_owner),
		T(counter_values_monotonic),
		T(counter_malformed_vectors),
	};

	return cmocka_run_group_tests_name("counter", tests, NULL, NULL);
}
