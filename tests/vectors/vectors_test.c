// SPDX-License-Identifier: GPL-2.0
/*
 * Table-driven command/response vectors for the framing rules of
 * dispatch.c: every rejection path (short, trailing, size mismatch, bad
 * tag, unknown ordinal, auth area shapes, pre-Startup) has a row.  Family
 * files keep their own vectors next to their unit tests.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

struct vector {
	const char *title;
	uint8_t cmd[64];
	size_t len;
	uint32_t rc;		/* expected return code */
	size_t rsp_len;		/* expected response length, 0: any */
};

#define V(title, rc, rsp_len, ...) \
	{ title, { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ }), \
	  rc, rsp_len }

static const struct vector started_vectors[] = {
	V("shorter than a header", TPM_BAD_PARAM_SIZE, 10,
	  0x00, 0xC1, 0x00, 0x00, 0x00, 0x0A, 0x00, 0x00, 0x00),
	V("paramSize larger than the bytes", TPM_BAD_PARAM_SIZE, 10,
	  0x00, 0xC1, 0x00, 0x00, 0x00, 0x0E, 0x00, 0x00, 0x00, 0x46),
	V("paramSize smaller than the bytes", TPM_BAD_PARAM_SIZE, 10,
	  0x00, 0xC1, 0x00, 0x00, 0x00, 0x0A, 0x00, 0x00, 0x00, 0x46,
	  0x00, 0x00, 0x00, 0x10),
	V("paramSize huge", TPM_BAD_PARAM_SIZE, 10,
	  0x00, 0xC1, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x46),
	V("tag 0x00C0", TPM_BADTAG, 10,
	  0x00, 0xC0, 0x00, 0x00, 0x00, 0x0A, 0x00, 0x00, 0x00, 0x46),
	V("response tag as request", TPM_BADTAG, 10,
	  0x00, 0xC4, 0x00, 0x00, 0x00, 0x0A, 0x00, 0x00, 0x00, 0x46),
	V("manager tag 0x01C1", TPM_BADTAG, 10,
	  0x01, 0xC1, 0x00, 0x00, 0x00, 0x0A, 0x00, 0x00, 0x00, 0x01),
	V("unknown ordinal", TPM_BAD_ORDINAL, 10,
	  0x00, 0xC1, 0x00, 0x00, 0x00, 0x0A, 0x00, 0x00, 0x00, 0x01),
	V("1.1-only ordinal GetOrdinalAuditStatus", TPM_BAD_ORDINAL, 10,
	  0x00, 0xC1, 0x00, 0x00, 0x00, 0x0E, 0x00, 0x00, 0x00, 0x8C,
	  0x00, 0x00, 0x00, 0x46),
	V("TPM_Init is not a wire ordinal", TPM_BAD_ORDINAL, 10,
	  0x00, 0xC1, 0x00, 0x00, 0x00, 0x0A, 0x00, 0x00, 0x00, 0x97),
	V("GetRandom missing its parameter", TPM_BAD_PARAM_SIZE, 10,
	  0x00, 0xC1, 0x00, 0x00, 0x00, 0x0A, 0x00, 0x00, 0x00, 0x46),
	V("GetRandom with a trailing byte", TPM_BAD_PARAM_SIZE, 10,
	  0x00, 0xC1, 0x00, 0x00, 0x00, 0x0F, 0x00, 0x00, 0x00, 0x46,
	  0x00, 0x00, 0x00, 0x10, 0x00),
	V("GetRandom with AUTH1 tag", TPM_BADTAG, 10,
	  0x00, 0xC2, 0x00, 0x00, 0x00, 0x0E, 0x00, 0x00, 0x00, 0x46,
	  0x00, 0x00, 0x00, 0x10),
	V("OwnerClear with AUTH2 tag", TPM_BADTAG, 10,
	  0x00, 0xC3, 0x00, 0x00, 0x00, 0x0A, 0x00, 0x00, 0x00, 0x5B),
	V("AUTH1 command shorter than its auth area", TPM_BAD_PARAM_SIZE, 10,
	  0x00, 0xC2, 0x00, 0x00, 0x00, 0x0E, 0x00, 0x00, 0x00, 0x5B,
	  0x02, 0x00, 0x00, 0x01),
	V("second Startup", TPM_INVALID_POSTINIT, 10,
	  0x00, 0xC1, 0x00, 0x00, 0x00, 0x0C, 0x00, 0x00, 0x00, 0x99,
	  0x00, 0x01),
	V("GetRandom of 16 bytes", TPM_SUCCESS, 10 + 4 + 16,
	  0x00, 0xC1, 0x00, 0x00, 0x00, 0x0E, 0x00, 0x00, 0x00, 0x46,
	  0x00, 0x00, 0x00, 0x10),
};

static const struct vector prestartup_vectors[] = {
	V("GetRandom before Startup", TPM_INVALID_POSTINIT, 10,
	  0x00, 0xC1, 0x00, 0x00, 0x00, 0x0E, 0x00, 0x00, 0x00, 0x46,
	  0x00, 0x00, 0x00, 0x10),
	V("Startup with a bad type", TPM_BAD_PARAMETER, 10,
	  0x00, 0xC1, 0x00, 0x00, 0x00, 0x0C, 0x00, 0x00, 0x00, 0x99,
	  0x00, 0x07),
	V("Startup(CLEAR)", TPM_SUCCESS, 10,
	  0x00, 0xC1, 0x00, 0x00, 0x00, 0x0C, 0x00, 0x00, 0x00, 0x99,
	  0x00, 0x01),
};

static void run_vectors(struct th *t, const struct vector *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		th_raw(t, v[i].cmd, v[i].len);
		if (t->rc != v[i].rc)
			fail_msg("%s: rc 0x%x, expected 0x%x", v[i].title,
				 t->rc, v[i].rc);
		if (v[i].rsp_len && t->rsp_len != v[i].rsp_len)
			fail_msg("%s: response of %zu bytes, expected %zu",
				 v[i].title, t->rsp_len, v[i].rsp_len);
		/* An error response never carries auth areas. */
		if (t->rc && tb_be16(t->rsp) != TPM_TAG_RSP_COMMAND)
			fail_msg("%s: error response tag 0x%x", v[i].title,
				 tb_be16(t->rsp));
	}
}

/* Framing and tag rules on a started TPM. */
static void vectors_dispatch_started(void **state)
{
	struct th t;

	(void)state;
	th_init(&t);
	run_vectors(&t, started_vectors, ARRAY_SIZE(started_vectors));
	th_fini(&t);
}

/* Only Startup runs before Startup, and a bad startup type is refused. */
static void vectors_dispatch_prestartup(void **state)
{
	struct tpm_config cfg = { .no_ek = true };
	struct th t;

	(void)state;
	memset(&t, 0, sizeof(t));
	t.s = tpm_create(&cfg);
	assert_non_null(t.s);
	tpm_init(t.s);
	run_vectors(&t, prestartup_vectors, ARRAY_SIZE(prestartup_vectors));
	th_fini(&t);
}

/* tpm_execute refuses NULL output pointers instead of crashing. */
static void vectors_execute_null_args(void **state)
{
	struct th t;
	size_t len;

	(void)state;
	th_init(&t);
	assert_int_equal(tpm_execute(t.s, t.rsp, 10, NULL, &len), -EINVAL);
	assert_int_equal(tpm_execute(t.s, t.rsp, 10, t.rsp, NULL), -EINVAL);
	th_fini(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vectors_dispatch_started),
		cmocka_unit_test(vectors_dispatch_prestartup),
		cmocka_unit_test(vectors_execute_null_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
