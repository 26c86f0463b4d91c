// SPDX-License-Identifier: GPL-2.0
/*
 * Opt-in and physical presence (Part 3, 5 and 6.6; optin.c): the whole
 * TSC_PhysicalPresence state machine, the presence-authorized enable /
 * activate commands, operator and owner authorization, malformed input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

/* Indices in TPM_PERMANENT_FLAGS / TPM_STCLEAR_FLAGS (Part 2, 7.1-7.2). */
enum { PF_DISABLE, PF_OWNERSHIP, PF_DEACTIVATED, PF_READPUBEK,
	PF_LIFETIME_LOCK = 6, PF_HW_ENABLE, PF_CMD_ENABLE, PF_OPERATOR = 13 };
enum { SF_DEACTIVATED, SF_DISABLE_FORCE_CLEAR, SF_PP, SF_PP_LOCK };

#define PP_HW_DISABLE	TPM_PHYSICAL_PRESENCE_HW_DISABLE
#define PP_CMD_DISABLE	TPM_PHYSICAL_PRESENCE_CMD_DISABLE
#define PP_LIFETIME	TPM_PHYSICAL_PRESENCE_LIFETIME_LOCK
#define PP_HW_ENABLE	TPM_PHYSICAL_PRESENCE_HW_ENABLE
#define PP_CMD_ENABLE	TPM_PHYSICAL_PRESENCE_CMD_ENABLE
#define PP_NOTPRESENT	TPM_PHYSICAL_PRESENCE_NOTPRESENT
#define PP_PRESENT	TPM_PHYSICAL_PRESENCE_PRESENT
#define PP_LOCK		TPM_PHYSICAL_PRESENCE_LOCK

static const uint8_t operator_auth[20] = "operator-secret-4567";
static const uint8_t nonce[20] = "anti-replay-nonce-01";

static uint32_t tsc_pp(struct th *t, uint16_t bits)
{
	struct tpm_buf *b = th_begin(t, TPM_ORD_TSC_PhysicalPresence);

	tb_put_u16(b, bits);
	return th_run(t, 0, NULL, NULL);
}

static uint32_t no_params(struct th *t, uint32_t ordinal)
{
	th_begin(t, ordinal);
	return th_run(t, 0, NULL, NULL);
}

static uint32_t one_byte(struct th *t, uint32_t ordinal, uint8_t v)
{
	struct tpm_buf *b = th_begin(t, ordinal);

	tb_put_u8(b, v);
	return th_run(t, 0, NULL, NULL);
}

/* A one-BOOL command authorized by an OIAP session on @secret. */
static uint32_t one_byte_oiap(struct th *t, uint32_t ordinal, uint8_t v,
			      const uint8_t secret[20])
{
	struct th_sess s;
	struct tpm_buf *b;

	assert_int_equal(th_oiap(t, &s, secret), TPM_SUCCESS);
	b = th_begin(t, ordinal);
	tb_put_u8(b, v);
	return th_run(t, 0, &s, NULL);
}

/* One flag of TPM_CAP_FLAG (@which PERMANENT or VOLATILE). */
static bool cap_flag(struct th *t, uint32_t which, unsigned int i)
{
	struct tpm_buf *b = th_begin(t, TPM_ORD_GetCapability);
	uint8_t v[22];
	uint32_t size;

	tb_put_u32(b, TPM_CAP_FLAG);
	tb_put_u32(b, 4);
	tb_put_u32(b, which);
	assert_int_equal(th_run(t, 0, NULL, NULL), TPM_SUCCESS);
	assert_int_equal(tb_get_u32(&t->out, &size), 0);
	assert_true(size == 22 || size == 7);
	assert_int_equal(tb_get_bytes(&t->out, v, size), 0);
	assert_true(i + 2 < size);
	return v[2 + i];
}

static bool pflag(struct th *t, unsigned int i)
{
	return cap_flag(t, TPM_CAP_FLAG_PERMANENT, i);
}

static bool vflag(struct th *t, unsigned int i)
{
	return cap_flag(t, TPM_CAP_FLAG_VOLATILE, i);
}

/* ReadPubek: a command unavailable while disabled or deactivated. */
static uint32_t read_pubek(struct th *t)
{
	struct tpm_buf *b = th_begin(t, TPM_ORD_ReadPubek);

	tb_put_bytes(b, nonce, 20);
	return th_run(t, 0, NULL, NULL);
}

/* A fresh TPM lets software assert presence; NOTPRESENT withdraws it. */
static void tsc_pp_present_and_notpresent(void **state)
{
	struct th *t = *state;

	assert_true(pflag(t, PF_CMD_ENABLE));
	assert_false(pflag(t, PF_LIFETIME_LOCK));
	assert_false(vflag(t, SF_PP));
	assert_false(tpm_physical_presence(t->s));
	assert_int_equal(tsc_pp(t, PP_PRESENT), TPM_SUCCESS);
	assert_true(vflag(t, SF_PP));
	assert_true(tpm_physical_presence(t->s));
	assert_int_equal(tsc_pp(t, PP_NOTPRESENT), TPM_SUCCESS);
	assert_false(vflag(t, SF_PP));
	assert_false(tpm_physical_presence(t->s));
}

/* Undefined bits, mixed groups, contradictions and no bit at all are
 * TPM_BAD_PARAMETER and change nothing. */
static void tsc_pp_invalid_combinations(void **state)
{
	static const uint16_t bad[] = {
		0, 0x0001, 0x0002, 0x0400, 0x8000,
		PP_PRESENT | PP_NOTPRESENT, PP_LOCK | PP_PRESENT,
		PP_HW_ENABLE | PP_HW_DISABLE, PP_CMD_ENABLE | PP_CMD_DISABLE,
		PP_CMD_ENABLE | PP_PRESENT, PP_LIFETIME | PP_LOCK,
		PP_HW_DISABLE | PP_NOTPRESENT, PP_PRESENT | 0x0001,
	};
	struct th *t = *state;
	struct tpm_permanent_flags pf = t->s->pf;
	struct tpm_stclear_flags sf = t->s->sf;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (tsc_pp(t, bad[i]) != TPM_BAD_PARAMETER)
			fail_msg("0x%04x: got 0x%x", bad[i], t->rc);
	}
	assert_memory_equal(&pf, &t->s->pf, sizeof(pf));
	assert_memory_equal(&sf, &t->s->sf, sizeof(sf));
}

/* LOCK withdraws presence and freezes every assertion until the next
 * Startup(CLEAR). */
static void tsc_pp_lock_until_startup(void **state)
{
	struct th *t = *state;

	assert_int_equal(tsc_pp(t, PP_PRESENT), TPM_SUCCESS);
	assert_int_equal(tsc_pp(t, PP_LOCK), TPM_SUCCESS);
	assert_false(vflag(t, SF_PP));
	assert_true(vflag(t, SF_PP_LOCK));
	assert_int_equal(tsc_pp(t, PP_PRESENT), TPM_BAD_PARAMETER);
	assert_int_equal(tsc_pp(t, PP_NOTPRESENT), TPM_BAD_PARAMETER);
	assert_int_equal(tsc_pp(t, PP_LOCK), TPM_BAD_PARAMETER);
	/* The lifetime settings are not affected by the lock. */
	assert_int_equal(tsc_pp(t, PP_HW_ENABLE), TPM_SUCCESS);
	th_restart(t, TPM_ST_CLEAR);
	assert_false(vflag(t, SF_PP_LOCK));
	assert_int_equal(tsc_pp(t, PP_PRESENT), TPM_SUCCESS);
}

/* LOCK together with NOTPRESENT is a valid request. */
static void tsc_pp_lock_with_notpresent(void **state)
{
	struct th *t = *state;

	assert_int_equal(tsc_pp(t, PP_PRESENT), TPM_SUCCESS);
	assert_int_equal(tsc_pp(t, PP_LOCK | PP_NOTPRESENT), TPM_SUCCESS);
	assert_false(vflag(t, SF_PP));
	assert_true(vflag(t, SF_PP_LOCK));
}

/* CMD_DISABLE turns software presence off (and what was asserted stops
 * counting); CMD_ENABLE turns it back on.  Both are persistent. */
static void tsc_pp_cmd_disable_and_enable(void **state)
{
	struct th *t = *state;

	assert_int_equal(tsc_pp(t, PP_PRESENT), TPM_SUCCESS);
	t->s->dirty = false;
	assert_int_equal(tsc_pp(t, PP_CMD_DISABLE), TPM_SUCCESS);
	assert_true(tpm_state_dirty(t->s));
	assert_false(pflag(t, PF_CMD_ENABLE));
	assert_false(tpm_physical_presence(t->s));
	assert_int_equal(no_params(t, TPM_ORD_PhysicalEnable),
			 TPM_BAD_PRESENCE);
	assert_int_equal(tsc_pp(t, PP_PRESENT), TPM_BAD_PARAMETER);
	assert_int_equal(tsc_pp(t, PP_NOTPRESENT), TPM_BAD_PARAMETER);
	assert_int_equal(tsc_pp(t, PP_CMD_ENABLE), TPM_SUCCESS);
	assert_true(pflag(t, PF_CMD_ENABLE));
	assert_int_equal(tsc_pp(t, PP_PRESENT), TPM_SUCCESS);
	assert_true(tpm_physical_presence(t->s));
}

/* HW_ENABLE / HW_DISABLE set the hardware flag (there is no pin, so it
 * grants no presence). */
static void tsc_pp_hw_enable_and_disable(void **state)
{
	struct th *t = *state;

	assert_int_equal(tsc_pp(t, PP_HW_ENABLE | PP_CMD_ENABLE),
			 TPM_SUCCESS);
	assert_true(pflag(t, PF_HW_ENABLE));
	assert_false(tpm_physical_presence(t->s));
	assert_int_equal(tsc_pp(t, PP_HW_DISABLE), TPM_SUCCESS);
	assert_false(pflag(t, PF_HW_ENABLE));
}

/* LIFETIME_LOCK freezes the lifetime settings for good (across Init and
 * state reload); assertions keep working. */
static void tsc_pp_lifetime_lock_freezes(void **state)
{
	struct th *t = *state;
	const char *why;
	uint8_t *blob;
	size_t len;

	assert_int_equal(tsc_pp(t, PP_LIFETIME), TPM_SUCCESS);
	assert_true(pflag(t, PF_LIFETIME_LOCK));
	assert_int_equal(tsc_pp(t, PP_CMD_DISABLE), TPM_BAD_PARAMETER);
	assert_int_equal(tsc_pp(t, PP_HW_ENABLE), TPM_BAD_PARAMETER);
	assert_int_equal(tsc_pp(t, PP_CMD_ENABLE), TPM_BAD_PARAMETER);
	assert_int_equal(tsc_pp(t, PP_LIFETIME), TPM_BAD_PARAMETER);
	assert_int_equal(tsc_pp(t, PP_PRESENT), TPM_SUCCESS);
	assert_int_equal(tpm_state_save(t->s, &blob, &len), 0);
	tpm_destroy(t->s);
	t->s = tpm_state_load(blob, len, &why);
	free(blob);
	assert_non_null(t->s);
	assert_int_equal(th_startup(t, TPM_ST_CLEAR), TPM_SUCCESS);
	assert_true(pflag(t, PF_LIFETIME_LOCK));
	assert_int_equal(tsc_pp(t, PP_CMD_DISABLE), TPM_BAD_PARAMETER);
	assert_int_equal(tsc_pp(t, PP_PRESENT), TPM_SUCCESS);
}

/* TSC_PhysicalPresence works while disabled and deactivated. */
static void tsc_pp_available_disabled_deactivated(void **state)
{
	struct th *t = *state;

	th_pp(t);
	assert_int_equal(one_byte(t, TPM_ORD_PhysicalSetDeactivated, 1), 0);
	assert_int_equal(no_params(t, TPM_ORD_PhysicalDisable), 0);
	assert_int_equal(tsc_pp(t, PP_NOTPRESENT), TPM_SUCCESS);
	assert_int_equal(tsc_pp(t, PP_PRESENT), TPM_SUCCESS);
}

/* PhysicalDisable / PhysicalEnable need presence and flip disable. */
static void physical_enable_disable(void **state)
{
	struct th *t = *state;

	assert_int_equal(no_params(t, TPM_ORD_PhysicalDisable),
			 TPM_BAD_PRESENCE);
	th_pp(t);
	t->s->dirty = false;
	assert_int_equal(no_params(t, TPM_ORD_PhysicalDisable), TPM_SUCCESS);
	assert_true(tpm_state_dirty(t->s));
	assert_true(pflag(t, PF_DISABLE));
	assert_int_equal(read_pubek(t), TPM_DISABLED);
	/* Not available while disabled (Part 2, 17). */
	assert_int_equal(no_params(t, TPM_ORD_PhysicalDisable), TPM_DISABLED);
	assert_int_equal(tsc_pp(t, PP_NOTPRESENT), TPM_SUCCESS);
	assert_int_equal(no_params(t, TPM_ORD_PhysicalEnable),
			 TPM_BAD_PRESENCE);
	assert_int_equal(tsc_pp(t, PP_PRESENT), TPM_SUCCESS);
	assert_int_equal(no_params(t, TPM_ORD_PhysicalEnable), TPM_SUCCESS);
	assert_false(pflag(t, PF_DISABLE));
	assert_int_equal(read_pubek(t), TPM_SUCCESS);
}

/* PhysicalSetDeactivated needs presence, sets the permanent flag, and
 * is refused while disabled. */
static void physical_set_deactivated(void **state)
{
	struct th *t = *state;

	assert_int_equal(one_byte(t, TPM_ORD_PhysicalSetDeactivated, 1),
			 TPM_BAD_PRESENCE);
	th_pp(t);
	assert_int_equal(one_byte(t, TPM_ORD_PhysicalSetDeactivated, 2),
			 TPM_BAD_PARAMETER);
	assert_int_equal(one_byte(t, TPM_ORD_PhysicalSetDeactivated, 1),
			 TPM_SUCCESS);
	assert_true(pflag(t, PF_DEACTIVATED));
	/* Part 1: the permanent flag reaches the STCLEAR one at the next
	 * Startup; until then the TPM stays active. */
	assert_int_equal(read_pubek(t), TPM_SUCCESS);
	th_restart(t, TPM_ST_CLEAR);
	assert_int_equal(read_pubek(t), TPM_DEACTIVATED);
	assert_true(vflag(t, SF_DEACTIVATED));
	th_pp(t);
	assert_int_equal(one_byte(t, TPM_ORD_PhysicalSetDeactivated, 0),
			 TPM_SUCCESS);
	assert_false(pflag(t, PF_DEACTIVATED));
	th_restart(t, TPM_ST_CLEAR);
	assert_false(vflag(t, SF_DEACTIVATED));
	assert_int_equal(read_pubek(t), TPM_SUCCESS);
	th_pp(t);
	assert_int_equal(no_params(t, TPM_ORD_PhysicalDisable), TPM_SUCCESS);
	assert_int_equal(one_byte(t, TPM_ORD_PhysicalSetDeactivated, 1),
			 TPM_DISABLED);
}

/* SetTempDeactivated with presence: deactivated until the next boot;
 * the permanent flag is untouched. */
static void set_temp_deactivated_presence(void **state)
{
	struct th *t = *state;

	assert_int_equal(no_params(t, TPM_ORD_SetTempDeactivated),
			 TPM_BAD_PRESENCE);
	th_pp(t);
	assert_int_equal(no_params(t, TPM_ORD_SetTempDeactivated),
			 TPM_SUCCESS);
	assert_true(vflag(t, SF_DEACTIVATED));
	assert_false(pflag(t, PF_DEACTIVATED));
	assert_int_equal(read_pubek(t), TPM_DEACTIVATED);
	assert_int_equal(no_params(t, TPM_ORD_SetTempDeactivated),
			 TPM_DEACTIVATED);
	th_restart(t, TPM_ST_CLEAR);
	assert_false(vflag(t, SF_DEACTIVATED));
}

/* SetTempDeactivated with operator authorization: needs an operator,
 * checks its secret, and works while disabled. */
static void set_temp_deactivated_operator(void **state)
{
	struct th *t = *state;
	struct th_sess s;

	assert_int_equal(th_oiap(t, &s, operator_auth), TPM_SUCCESS);
	th_begin(t, TPM_ORD_SetTempDeactivated);
	assert_int_equal(th_run(t, 0, &s, NULL), TPM_NOOPERATOR);
	th_pp(t);
	assert_int_equal(no_params(t, TPM_ORD_PhysicalDisable), TPM_SUCCESS);
	assert_int_equal(tsc_pp(t, PP_NOTPRESENT), TPM_SUCCESS);
	/* Available while disabled: the operator check answers. */
	assert_int_equal(th_oiap(t, &s, th_zero_auth), TPM_SUCCESS);
	th_begin(t, TPM_ORD_SetTempDeactivated);
	assert_int_equal(th_run(t, 0, &s, NULL), TPM_NOOPERATOR);
	/* SetOperatorAuth needs an enabled TPM. */
	th_pp(t);
	assert_int_equal(no_params(t, TPM_ORD_PhysicalEnable), TPM_SUCCESS);
	{
		struct tpm_buf *b = th_begin(t, TPM_ORD_SetOperatorAuth);

		tb_put_bytes(b, operator_auth, 20);
		assert_int_equal(th_run(t, 0, NULL, NULL), TPM_SUCCESS);
	}
	assert_true(pflag(t, PF_OPERATOR));
	assert_int_equal(tsc_pp(t, PP_NOTPRESENT), TPM_SUCCESS);
	assert_int_equal(th_oiap(t, &s, th_zero_auth), TPM_SUCCESS);
	th_begin(t, TPM_ORD_SetTempDeactivated);
	assert_int_equal(th_run(t, 0, &s, NULL), TPM_AUTHFAIL);
	assert_false(vflag(t, SF_DEACTIVATED));
	assert_int_equal(th_oiap(t, &s, operator_auth), TPM_SUCCESS);
	th_begin(t, TPM_ORD_SetTempDeactivated);
	assert_int_equal(th_run(t, 0, &s, NULL), TPM_SUCCESS);
	assert_true(vflag(t, SF_DEACTIVATED));
}

/* SetOperatorAuth needs presence and records the secret. */
static void set_operator_auth(void **state)
{
	struct th *t = *state;
	struct tpm_buf *b;

	b = th_begin(t, TPM_ORD_SetOperatorAuth);
	tb_put_bytes(b, operator_auth, 20);
	assert_int_equal(th_run(t, 0, NULL, NULL), TPM_BAD_PRESENCE);
	assert_false(t->s->pf.operator_);
	th_pp(t);
	t->s->dirty = false;
	b = th_begin(t, TPM_ORD_SetOperatorAuth);
	tb_put_bytes(b, operator_auth, 20);
	assert_int_equal(th_run(t, 0, NULL, NULL), TPM_SUCCESS);
	assert_true(tpm_state_dirty(t->s));
	assert_true(pflag(t, PF_OPERATOR));
	assert_memory_equal(t->s->pd.operator_auth, operator_auth, 20);
}

/* SetOwnerInstall: presence, the flag, and a no-op once owned. */
static void set_owner_install(void **state)
{
	struct th *t = *state;

	assert_true(pflag(t, PF_OWNERSHIP));
	assert_int_equal(one_byte(t, TPM_ORD_SetOwnerInstall, 0),
			 TPM_BAD_PRESENCE);
	th_pp(t);
	assert_int_equal(one_byte(t, TPM_ORD_SetOwnerInstall, 2),
			 TPM_BAD_PARAMETER);
	assert_int_equal(one_byte(t, TPM_ORD_SetOwnerInstall, 0),
			 TPM_SUCCESS);
	assert_false(pflag(t, PF_OWNERSHIP));
	assert_true(t->s->pd.no_owner_install);
	assert_int_equal(one_byte(t, TPM_ORD_SetOwnerInstall, 1),
			 TPM_SUCCESS);
	assert_true(pflag(t, PF_OWNERSHIP));
	th_take_ownership(t);
	assert_int_equal(tsc_pp(t, PP_NOTPRESENT), TPM_SUCCESS);
	assert_int_equal(one_byte(t, TPM_ORD_SetOwnerInstall, 0),
			 TPM_SUCCESS);
	assert_false(t->s->pd.no_owner_install);
}

/* OwnerSetDisable: needs an owner and its secret, works while
 * disabled. */
static void owner_set_disable(void **state)
{
	struct th *t = *state;
	struct th_sess s;
	struct tpm_buf *b;

	assert_int_equal(one_byte_oiap(t, TPM_ORD_OwnerSetDisable, 1,
				       th_owner_auth), TPM_NOSRK);
	th_pp(t);
	th_take_ownership(t);
	assert_int_equal(one_byte_oiap(t, TPM_ORD_OwnerSetDisable, 1,
				       th_zero_auth), TPM_AUTHFAIL);
	assert_false(pflag(t, PF_DISABLE));
	assert_int_equal(one_byte_oiap(t, TPM_ORD_OwnerSetDisable, 1,
				       th_owner_auth), TPM_SUCCESS);
	assert_true(pflag(t, PF_DISABLE));
	assert_int_equal(one_byte_oiap(t, TPM_ORD_OwnerSetDisable, 2,
				       th_owner_auth), TPM_BAD_PARAMETER);
	/* An OSAP session on the owner works as well. */
	assert_int_equal(th_osap(t, &s, TPM_ET_OWNER, TPM_KH_OWNER,
				 th_owner_auth), TPM_SUCCESS);
	b = th_begin(t, TPM_ORD_OwnerSetDisable);
	tb_put_u8(b, 0);
	assert_int_equal(th_run(t, 0, &s, NULL), TPM_SUCCESS);
	assert_false(pflag(t, PF_DISABLE));
	/* Without an auth area the command is refused by its tag. */
	assert_int_equal(one_byte(t, TPM_ORD_OwnerSetDisable, 1), TPM_BADTAG);
}

#define HDR(tag, size, o3, o0) \
	0x00, (tag), 0, 0, 0, (size), (o3), 0, 0, (o0)
#define AUTH_AREA \
	0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, \
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0

static const uint8_t v_pp_short[] = { HDR(0xC1, 11, 0x40, 0x0A), 0x08 };
static const uint8_t v_pp_trailing[] = { HDR(0xC1, 13, 0x40, 0x0A),
					 0, 0x08, 0 };
static const uint8_t v_pp_auth[] = { HDR(0xC2, 57, 0x40, 0x0A), 0, 0x08,
				     AUTH_AREA };
static const uint8_t v_enable_trailing[] = { HDR(0xC1, 11, 0, 0x6F), 0 };
static const uint8_t v_disable_trailing[] = { HDR(0xC1, 11, 0, 0x70), 0 };
static const uint8_t v_setdeact_empty[] = { HDR(0xC1, 10, 0, 0x72) };
static const uint8_t v_setdeact_trailing[] = { HDR(0xC1, 12, 0, 0x72),
					       1, 0 };
static const uint8_t v_setdeact_bool[] = { HDR(0xC1, 11, 0, 0x72), 7 };
static const uint8_t v_temp_trailing[] = { HDR(0xC1, 11, 0, 0x73), 0 };
static const uint8_t v_install_empty[] = { HDR(0xC1, 10, 0, 0x71) };
static const uint8_t v_install_bool[] = { HDR(0xC1, 11, 0, 0x71), 0xFF };
static const uint8_t v_ownerdis_empty[] = { HDR(0xC2, 55, 0, 0x6E),
					    AUTH_AREA };
static const uint8_t v_ownerdis_trailing[] = { HDR(0xC2, 57, 0, 0x6E), 1, 0,
					       AUTH_AREA };
static const uint8_t v_opauth_short[] = { HDR(0xC1, 29, 0, 0x74),
					  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
					  12, 13, 14, 15, 16, 17, 18, 19 };
static const uint8_t v_opauth_trailing[] = { HDR(0xC1, 31, 0, 0x74),
					     1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
					     11, 12, 13, 14, 15, 16, 17, 18,
					     19, 20, 21 };

#define V TH_VEC

static const struct th_vector vectors[] = {
	V("TSC_PhysicalPresence: one byte", v_pp_short, TPM_BAD_PARAM_SIZE),
	V("TSC_PhysicalPresence: trailing byte", v_pp_trailing,
	  TPM_BAD_PARAM_SIZE),
	V("TSC_PhysicalPresence: auth tag", v_pp_auth, TPM_BADTAG),
	V("PhysicalEnable: trailing byte", v_enable_trailing,
	  TPM_BAD_PARAM_SIZE),
	V("PhysicalDisable: trailing byte", v_disable_trailing,
	  TPM_BAD_PARAM_SIZE),
	V("PhysicalSetDeactivated: no state", v_setdeact_empty,
	  TPM_BAD_PARAM_SIZE),
	V("PhysicalSetDeactivated: trailing byte", v_setdeact_trailing,
	  TPM_BAD_PARAM_SIZE),
	V("PhysicalSetDeactivated: BOOL of 7", v_setdeact_bool,
	  TPM_BAD_PARAMETER),
	V("SetTempDeactivated: trailing byte", v_temp_trailing,
	  TPM_BAD_PARAM_SIZE),
	V("SetOwnerInstall: no state", v_install_empty, TPM_BAD_PARAM_SIZE),
	V("SetOwnerInstall: BOOL of 0xFF", v_install_bool,
	  TPM_BAD_PARAMETER),
	V("OwnerSetDisable: no state", v_ownerdis_empty, TPM_BAD_PARAM_SIZE),
	V("OwnerSetDisable: trailing byte", v_ownerdis_trailing,
	  TPM_BAD_PARAM_SIZE),
	V("SetOperatorAuth: 19 bytes", v_opauth_short, TPM_BAD_PARAM_SIZE),
	V("SetOperatorAuth: 21 bytes", v_opauth_trailing, TPM_BAD_PARAM_SIZE),
};

/* Every malformed vector gets its code and changes no flag. */
static void optin_malformed_vectors(void **state)
{
	struct th *t = *state;
	struct tpm_permanent_flags pf;
	struct tpm_stclear_flags sf;

	th_pp(t);
	pf = t->s->pf;
	sf = t->s->sf;
	th_run_vectors(t, vectors, ARRAY_SIZE(vectors));
	assert_memory_equal(&pf, &t->s->pf, sizeof(pf));
	assert_memory_equal(&sf, &t->s->sf, sizeof(sf));
	assert_false(t->s->pd.no_owner_install);
}

#define T(f) cmocka_unit_test_setup_teardown(f, th_setup, th_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(tsc_pp_present_and_notpresent),
		T(tsc_pp_invalid_combinations),
		T(tsc_pp_lock_until_startup),
		T(tsc_pp_lock_with_notpresent),
		T(tsc_pp_cmd_disable_and_enable),
		T(tsc_pp_hw_enable_and_disable),
		T(tsc_pp_lifetime_lock_freezes),
		T(tsc_pp_available_disabled_deactivated),
		T(physical_enable_disable),
		T(physical_set_deactivated),
		T(set_temp_deactivated_presence),
		T(set_temp_deactivated_operator),
		T(set_operator_auth),
		T(set_owner_install),
		T(owner_set_disable),
		T(optin_malformed_vectors),
	};

	return cmocka_run_group_tests_name("optin", tests, NULL, NULL);
}
