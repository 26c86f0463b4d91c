// SPDX-License-Identifier: GPL-2.0
/*
 * Capabilities (Part 3, 7; Part 2, 21; capability.c): the size and
 * layout of every GetCapability answer (those the Linux tpm1 driver,
 * TrouSerS and tpm-tools read first), failure-mode answers,
 * GetCapabilityOwner, every SetCapability rule, malformed input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

/*
 * GetCapability(@area, @sub[@len]).  On success t->out is left at resp
 * and the return value is respSize, which must equal what follows;
 * otherwise the return code is in t->rc and -1 is returned.
 */
static long getcap(struct th *t, uint32_t area, const void *sub,
		   uint32_t len)
{
	struct tpm_buf *b = th_begin(t, TPM_ORD_GetCapability);
	uint32_t size;

	tb_put_u32(b, area);
	tb_put_sized(b, sub, len);
	if (th_run(t, 0, NULL, NULL))
		return -1;
	assert_int_equal(tb_get_u32(&t->out, &size), 0);
	assert_int_equal(size, tb_remaining(&t->out));
	return size;
}

static long getcap32(struct th *t, uint32_t area, uint32_t sub)
{
	uint8_t s[4];

	tb_wr_be32(s, sub);
	return getcap(t, area, s, 4);
}

static long getcap16(struct th *t, uint32_t area, uint16_t sub)
{
	uint8_t s[2];

	tb_wr_be16(s, sub);
	return getcap(t, area, s, 2);
}

/* A BOOL answer (respSize 1). */
static bool cap_bool32(struct th *t, uint32_t area, uint32_t sub)
{
	uint8_t v;

	assert_int_equal(getcap32(t, area, sub), 1);
	assert_int_equal(tb_get_u8(&t->out, &v), 0);
	assert_true(v <= 1);
	return v;
}

static bool cap_bool16(struct th *t, uint32_t area, uint16_t sub)
{
	uint8_t v;

	assert_int_equal(getcap16(t, area, sub), 1);
	assert_int_equal(tb_get_u8(&t->out, &v), 0);
	assert_true(v <= 1);
	return v;
}

/* A TPM_CAP_PROPERTY that is one u32. */
static uint32_t prop32(struct th *t, uint32_t prop)
{
	uint32_t v;

	assert_int_equal(getcap32(t, TPM_CAP_PROPERTY, prop), 4);
	assert_int_equal(tb_get_u32(&t->out, &v), 0);
	return v;
}

static uint32_t tsc_pp(struct th *t, uint16_t bits)
{
	struct tpm_buf *b = th_begin(t, TPM_ORD_TSC_PhysicalPresence);

	tb_put_u16(b, bits);
	return th_run(t, 0, NULL, NULL);
}

/* TPM_CAP_ORD: TRUE exactly for the ordinals in the dispatch table. */
static void cap_ord_matches_dispatch(void **state)
{
	struct th *t = *state;
	size_t i;

	for (i = 0; i < tpm_dispatch_count(); i++)
		assert_true(cap_bool32(t, TPM_CAP_ORD,
				       tpm_dispatch_entry(i)->ordinal));
	assert_false(cap_bool32(t, TPM_CAP_ORD, TPM_ORD_Init));
	assert_false(cap_bool32(t, TPM_CAP_ORD, 0xFFFFFFFF));
	assert_false(cap_bool32(t, TPM_CAP_ORD, 0));
	assert_int_equal(getcap16(t, TPM_CAP_ORD, TPM_ORD_OIAP), -1);
	assert_int_equal(t->rc, TPM_BAD_MODE);
}

/* TPM_CAP_ALG, TPM_CAP_PID, TPM_CAP_SYM_MODE, TPM_CAP_TRANS_ALG,
 * TPM_CAP_TRANS_ES, TPM_CAP_AUTH_ENCRYPT: one BOOL each. */
static void cap_boolean_areas(void **state)
{
	struct th *t = *state;
	bool trans = tpm_dispatch_lookup(TPM_ORD_EstablishTransport);

	assert_true(cap_bool32(t, TPM_CAP_ALG, TPM_ALG_RSA));
	assert_false(cap_bool32(t, TPM_CAP_ALG, TPM_ALG_SHA));
	assert_false(cap_bool32(t, TPM_CAP_ALG, TPM_ALG_DES));
	assert_false(cap_bool32(t, TPM_CAP_ALG, 0x99));
	assert_true(cap_bool16(t, TPM_CAP_PID, TPM_PID_OIAP));
	assert_true(cap_bool16(t, TPM_CAP_PID, TPM_PID_OSAP));
	assert_true(cap_bool16(t, TPM_CAP_PID, TPM_PID_ADIP));
	assert_true(cap_bool16(t, TPM_CAP_PID, TPM_PID_OWNER));
	assert_int_equal(cap_bool16(t, TPM_CAP_PID, TPM_PID_DSAP),
			 tpm_dispatch_lookup(TPM_ORD_DSAP) != NULL);
	assert_int_equal(cap_bool16(t, TPM_CAP_PID, TPM_PID_TRANSPORT), trans);
	assert_false(cap_bool16(t, TPM_CAP_PID, 0));
	assert_int_equal(getcap32(t, TPM_CAP_PID, TPM_PID_OIAP), -1);
	assert_int_equal(t->rc, TPM_BAD_MODE);
	assert_false(cap_bool32(t, TPM_CAP_SYM_MODE, TPM_SYM_MODE_ECB));
	assert_false(cap_bool32(t, TPM_CAP_SYM_MODE, TPM_SYM_MODE_CBC));
	assert_int_equal(cap_bool32(t, TPM_CAP_TRANS_ALG, TPM_ALG_MGF1),
			 trans);
	assert_false(cap_bool32(t, TPM_CAP_TRANS_ALG, TPM_ALG_RSA));
	assert_int_equal(cap_bool16(t, TPM_CAP_TRANS_ES, TPM_ES_SYM_CNT),
			 trans);
	assert_false(cap_bool16(t, TPM_CAP_TRANS_ES, TPM_ES_RSAESPKCSv15));
	assert_true(cap_bool32(t, TPM_CAP_AUTH_ENCRYPT, TPM_ALG_XOR));
	assert_true(cap_bool32(t, TPM_CAP_AUTH_ENCRYPT, TPM_ALG_AES128));
	assert_false(cap_bool32(t, TPM_CAP_AUTH_ENCRYPT, TPM_ALG_RSA));
}

/* TPM_CAP_FLAG_PERMANENT (Linux reads it as struct permanent_flags):
 * 22 bytes, tag 0x001F, the 20 BOOLs in Part 2 order. */
static void cap_flag_permanent_layout(void **state)
{
	struct th *t = *state;
	uint8_t v[20];
	uint16_t tag;
	unsigned int i;

	assert_int_equal(getcap32(t, TPM_CAP_FLAG, TPM_CAP_FLAG_PERMANENT),
			 22);
	assert_int_equal(tb_get_u16(&t->out, &tag), 0);
	assert_int_equal(tag, TPM_TAG_PERMANENT_FLAGS);
	assert_int_equal(tb_get_bytes(&t->out, v, 20), 0);
	for (i = 0; i < 20; i++)
		assert_true(v[i] <= 1);
	assert_int_equal(v[0], 0);	/* disable */
	assert_int_equal(v[1], 1);	/* ownership (install allowed) */
	assert_int_equal(v[2], 0);	/* deactivated */
	assert_int_equal(v[3], 1);	/* readPubek */
	assert_int_equal(v[6], 0);	/* physicalPresenceLifetimeLock */
	assert_int_equal(v[8], 1);	/* physicalPresenceCMDEnable */
	t->s->pf.disable_full_da_logic_info = true;
	t->s->pf.nv_locked = true;
	assert_int_equal(getcap32(t, TPM_CAP_FLAG, TPM_CAP_FLAG_PERMANENT),
			 22);
	assert_int_equal(tb_skip(&t->out, 2), 0);
	assert_int_equal(tb_get_bytes(&t->out, v, 20), 0);
	assert_int_equal(v[15], 1);	/* nvLocked */
	assert_int_equal(v[19], 1);	/* disableFullDALogicInfo */
}

/* TPM_CAP_FLAG_VOLATILE: 7 bytes, tag 0x0020, five STCLEAR BOOLs. */
static void cap_flag_volatile_layout(void **state)
{
	struct th *t = *state;
	uint8_t v[5];
	uint16_t tag;

	th_pp(t);
	assert_int_equal(getcap32(t, TPM_CAP_FLAG, TPM_CAP_FLAG_VOLATILE), 7);
	assert_int_equal(tb_get_u16(&t->out, &tag), 0);
	assert_int_equal(tag, TPM_TAG_STCLEAR_FLAGS);
	assert_int_equal(tb_get_bytes(&t->out, v, 5), 0);
	assert_memory_equal(v, ((uint8_t[]){ 0, 0, 1, 0, 0 }), 5);
	assert_int_equal(getcap32(t, TPM_CAP_FLAG, 0x10A), -1);
	assert_int_equal(t->rc, TPM_BAD_MODE);
	assert_int_equal(getcap16(t, TPM_CAP_FLAG, 0x108), -1);
	assert_int_equal(t->rc, TPM_BAD_MODE);
}

/* Every TPM_CAP_PROPERTY: its size, and the values of a fresh TPM. */
static void cap_property_sizes_and_values(void **state)
{
	static const struct {
		uint32_t prop;
		long size;
	} props[] = {
		{ TPM_CAP_PROP_PCR, 4 }, { TPM_CAP_PROP_DIR, 4 },
		{ TPM_CAP_PROP_MANUFACTURER, 4 }, { TPM_CAP_PROP_KEYS, 4 },
		{ TPM_CAP_PROP_MIN_COUNTER, 4 }, { TPM_CAP_PROP_AUTHSESS, 4 },
		{ TPM_CAP_PROP_TRANSESS, 4 }, { TPM_CAP_PROP_COUNTERS, 4 },
		{ TPM_CAP_PROP_MAX_AUTHSESS, 4 },
		{ TPM_CAP_PROP_MAX_TRANSESS, 4 },
		{ TPM_CAP_PROP_MAX_COUNTERS, 4 }, { TPM_CAP_PROP_MAX_KEYS, 4 },
		{ TPM_CAP_PROP_OWNER, 1 }, { TPM_CAP_PROP_CONTEXT, 4 },
		{ TPM_CAP_PROP_MAX_CONTEXT, 4 }, { TPM_CAP_PROP_FAMILYROWS, 4 },
		{ TPM_CAP_PROP_TIS_TIMEOUT, 16 },
		{ TPM_CAP_PROP_STARTUP_EFFECT, 4 },
		{ TPM_CAP_PROP_DELEGATE_ROW, 4 },
		{ TPM_CAP_PROP_MAX_DAASESS, 4 }, { TPM_CAP_PROP_DAASESS, 4 },
		{ TPM_CAP_PROP_CONTEXT_DIST, 4 },
		{ TPM_CAP_PROP_DAA_INTERRUPT, 1 },
		{ TPM_CAP_PROP_SESSIONS, 4 }, { TPM_CAP_PROP_MAX_SESSIONS, 4 },
		{ TPM_CAP_PROP_CMK_RESTRICTION, 4 },
		{ TPM_CAP_PROP_DURATION, 12 },
		{ TPM_CAP_PROP_ACTIVE_COUNTER, 4 },
		{ TPM_CAP_PROP_MAX_NV_AVAILABLE, 4 },
		{ TPM_CAP_PROP_INPUT_BUFFER, 4 },
	};
	struct th *t = *state;
	uint8_t v[4];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(props); i++) {
		if (getcap32(t, TPM_CAP_PROPERTY, props[i].prop) !=
		    props[i].size)
			fail_msg("property 0x%x: size or rc 0x%x",
				 props[i].prop, t->rc);
	}
	assert_int_equal(prop32(t, TPM_CAP_PROP_PCR), 24);
	assert_int_equal(prop32(t, TPM_CAP_PROP_DIR), 1);
	assert_int_equal(prop32(t, TPM_CAP_PROP_MAX_KEYS), TPM_MAX_KEYS);
	assert_int_equal(prop32(t, TPM_CAP_PROP_KEYS), TPM_MAX_KEYS);
	assert_int_equal(prop32(t, TPM_CAP_PROP_MAX_AUTHSESS),
			 TPM_MAX_SESSIONS);
	assert_int_equal(prop32(t, TPM_CAP_PROP_MAX_SESSIONS),
			 TPM_MAX_SESSIONS);
	assert_int_equal(prop32(t, TPM_CAP_PROP_MAX_COUNTERS),
			 TPM_MAX_COUNTERS);
	assert_int_equal(prop32(t, TPM_CAP_PROP_COUNTERS), TPM_MAX_COUNTERS);
	assert_int_equal(prop32(t, TPM_CAP_PROP_ACTIVE_COUNTER), 0xFFFFFFFF);
	assert_int_equal(prop32(t, TPM_CAP_PROP_INPUT_BUFFER),
			 TPM_MAX_COMMAND_SIZE);
	assert_int_equal(prop32(t, TPM_CAP_PROP_MAX_NV_AVAILABLE),
			 tpm_nv_free_space(t->s));
	assert_true(prop32(t, TPM_CAP_PROP_CONTEXT_DIST) >= 0xFFFF);
	assert_int_equal(getcap32(t, TPM_CAP_PROPERTY,
				  TPM_CAP_PROP_MANUFACTURER), 4);
	assert_int_equal(tb_get_bytes(&t->out, v, 4), 0);
	assert_memory_equal(v, "VTPM", 4);
}

/* The properties that count free resources follow the state. */
static void cap_property_tracks_resources(void **state)
{
	struct th *t = *state;
	uint32_t sess = prop32(t, TPM_CAP_PROP_AUTHSESS);
	struct th_sess s;
	uint8_t owned;

	assert_int_equal(prop32(t, TPM_CAP_PROP_SESSIONS), sess);
	assert_int_equal(th_oiap(t, &s, th_zero_auth), TPM_SUCCESS);
	assert_int_equal(prop32(t, TPM_CAP_PROP_AUTHSESS), sess - 1);
	assert_int_equal(getcap32(t, TPM_CAP_PROPERTY, TPM_CAP_PROP_OWNER), 1);
	assert_int_equal(tb_get_u8(&t->out, &owned), 0);
	assert_int_equal(owned, 0);
	th_take_ownership(t);
	assert_int_equal(getcap32(t, TPM_CAP_PROPERTY, TPM_CAP_PROP_OWNER), 1);
	assert_int_equal(tb_get_u8(&t->out, &owned), 0);
	assert_int_equal(owned, 1);
	th_create_load_key(t, TPM_KEY_BIND, th_zero_auth, NULL, NULL);
	assert_int_equal(prop32(t, TPM_CAP_PROP_KEYS), TPM_MAX_KEYS - 1);
	t->s->pd.counters[0].valid = true;
	t->s->pd.counters[0].handle = 7;
	t->s->sd.count_id = 7;
	assert_int_equal(prop32(t, TPM_CAP_PROP_COUNTERS),
			 TPM_MAX_COUNTERS - 1);
	assert_int_equal(prop32(t, TPM_CAP_PROP_ACTIVE_COUNTER), 7);
	t->s->sd.count_id = 0xFFFFFFFF;
	assert_int_equal(prop32(t, TPM_CAP_PROP_ACTIVE_COUNTER), 0xFFFFFFFF);
}

/* TIS_TIMEOUT (4 x u32) and DURATION (3 x u32) in microseconds, as the
 * Linux tpm1 driver reads them. */
static void cap_property_timeouts_durations(void **state)
{
	struct th *t = *state;
	uint32_t v[4];
	unsigned int i;

	assert_int_equal(getcap32(t, TPM_CAP_PROPERTY,
				  TPM_CAP_PROP_TIS_TIMEOUT), 16);
	for (i = 0; i < 4; i++) {
		assert_int_equal(tb_get_u32(&t->out, &v[i]), 0);
		assert_true(v[i] >= 100000 && v[i] <= 10000000);
	}
	assert_int_equal(getcap32(t, TPM_CAP_PROPERTY,
				  TPM_CAP_PROP_DURATION), 12);
	for (i = 0; i < 3; i++)
		assert_int_equal(tb_get_u32(&t->out, &v[i]), 0);
	assert_true(v[0] >= 1000000 && v[0] <= v[1] && v[1] <= v[2]);
}

/* Unknown properties and badly sized subCaps are TPM_BAD_MODE. */
static void cap_property_unknown_bad_mode(void **state)
{
	struct th *t = *state;

	assert_int_equal(getcap32(t, TPM_CAP_PROPERTY, 0x118), -1);
	assert_int_equal(t->rc, TPM_BAD_MODE);
	assert_int_equal(getcap32(t, TPM_CAP_PROPERTY, 0x121), -1);
	assert_int_equal(t->rc, TPM_BAD_MODE);
	assert_int_equal(getcap32(t, TPM_CAP_PROPERTY, 0), -1);
	assert_int_equal(t->rc, TPM_BAD_MODE);
	assert_int_equal(getcap16(t, TPM_CAP_PROPERTY, 0x101), -1);
	assert_int_equal(t->rc, TPM_BAD_MODE);
	assert_int_equal(getcap(t, TPM_CAP_PROPERTY, NULL, 0), -1);
	assert_int_equal(t->rc, TPM_BAD_MODE);
}

/* TPM_CAP_VERSION is TPM_STRUCT_VER 1.1.0.0; TPM_CAP_VERSION_VAL the
 * 15-byte TPM_CAP_VERSION_INFO (Linux: struct tpm1_version2). */
static void cap_version_and_version_val(void **state)
{
	struct th *t = *state;
	uint8_t v[15];

	assert_int_equal(getcap(t, TPM_CAP_VERSION, NULL, 0), 4);
	assert_int_equal(tb_get_bytes(&t->out, v, 4), 0);
	assert_memory_equal(v, ((uint8_t[]){ 1, 1, 0, 0 }), 4);
	assert_int_equal(getcap(t, TPM_CAP_VERSION_VAL, NULL, 0), 15);
	assert_int_equal(tb_get_bytes(&t->out, v, 15), 0);
	assert_int_equal(tb_be16(v), TPM_TAG_CAP_VERSION_INFO);
	assert_int_equal(v[2], 1);
	assert_int_equal(v[3], 2);
	assert_int_equal(tb_be16(v + 6), 2);	/* specLevel */
	assert_int_equal(v[8], 3);		/* errataRev */
	assert_memory_equal(v + 9, "VTPM", 4);
	assert_int_equal(tb_be16(v + 13), 0);	/* vendorSpecificSize */
	/* A subCap is ignored for these areas. */
	assert_int_equal(getcap32(t, TPM_CAP_VERSION_VAL, 0x1A), 15);
}

/* TPM_CAP_KEY_HANDLE and TPM_CAP_HANDLE: TPM_KEY_HANDLE_LIST. */
static void cap_handle_lists(void **state)
{
	struct th *t = *state;
	struct th_sess s;
	uint32_t h, k, c;
	uint16_t n;

	assert_int_equal(getcap(t, TPM_CAP_KEY_HANDLE, NULL, 0), 2);
	assert_int_equal(tb_get_u16(&t->out, &n), 0);
	assert_int_equal(n, 0);
	k = th_create_load_key(t, TPM_KEY_BIND, th_zero_auth, NULL, NULL);
	assert_int_equal(getcap(t, TPM_CAP_KEY_HANDLE, NULL, 0), 6);
	assert_int_equal(tb_get_u16(&t->out, &n), 0);
	assert_int_equal(tb_get_u32(&t->out, &h), 0);
	assert_int_equal(n, 1);
	assert_int_equal(h, k);
	assert_int_equal(getcap32(t, TPM_CAP_HANDLE, TPM_RT_KEY), 6);
	assert_int_equal(getcap32(t, TPM_CAP_HANDLE, TPM_RT_AUTH), 2);
	assert_int_equal(th_oiap(t, &s, th_zero_auth), TPM_SUCCESS);
	assert_int_equal(getcap32(t, TPM_CAP_HANDLE, TPM_RT_AUTH), 6);
	assert_int_equal(tb_skip(&t->out, 2), 0);
	assert_int_equal(tb_get_u32(&t->out, &h), 0);
	assert_int_equal(h, s.handle);
	assert_int_equal(getcap32(t, TPM_CAP_HANDLE, TPM_RT_TRANS), 2);
	assert_int_equal(getcap32(t, TPM_CAP_HANDLE, TPM_RT_CONTEXT), 2);
	t->s->pd.counters[2].valid = true;
	t->s->pd.counters[2].handle = 9;
	assert_int_equal(getcap32(t, TPM_CAP_HANDLE, TPM_RT_COUNTER), 6);
	assert_int_equal(tb_skip(&t->out, 2), 0);
	assert_int_equal(tb_get_u32(&t->out, &c), 0);
	assert_int_equal(c, 9);
	assert_int_equal(getcap32(t, TPM_CAP_HANDLE, TPM_RT_HASH), -1);
	assert_int_equal(t->rc, TPM_BAD_PARAMETER);
	assert_int_equal(getcap32(t, TPM_CAP_HANDLE, 0x99), -1);
	assert_int_equal(t->rc, TPM_BAD_PARAMETER);
}

/* TPM_CAP_KEY_STATUS: ownerEvict of a loaded key. */
static void cap_key_status(void **state)
{
	struct th *t = *state;
	struct tpm_key *key;
	uint32_t k;

	k = th_create_load_key(t, TPM_KEY_BIND, th_zero_auth, NULL, NULL);
	assert_false(cap_bool32(t, TPM_CAP_KEY_STATUS, k));
	assert_int_equal(tpm_key_lookup(t->s, k, &key), TPM_SUCCESS);
	key->owner_evict = true;
	assert_true(cap_bool32(t, TPM_CAP_KEY_STATUS, k));
	key->owner_evict = false;
	assert_int_equal(getcap32(t, TPM_CAP_KEY_STATUS, k + 1), -1);
	assert_int_equal(t->rc, TPM_INVALID_KEYHANDLE);
}

static long check_loaded(struct th *t, uint32_t alg, uint32_t bits)
{
	uint8_t p[24];
	struct tpm_buf b;

	tb_init_write(&b, p, sizeof(p));
	tb_put_u32(&b, alg);
	tb_put_u16(&b, TPM_ES_RSAESOAEP_SHA1_MGF1);
	tb_put_u16(&b, TPM_SS_NONE);
	tb_put_u32(&b, 12);
	tb_put_u32(&b, bits);
	tb_put_u32(&b, 2);
	tb_put_u32(&b, 0);
	return getcap(t, TPM_CAP_CHECK_LOADED, p, (uint32_t)b.len);
}

/* TPM_CAP_CHECK_LOADED: could such a key be loaded now? */
static void cap_check_loaded(void **state)
{
	struct th *t = *state;
	uint8_t v;
	unsigned int i;

	assert_int_equal(check_loaded(t, TPM_ALG_RSA, 2048), 1);
	assert_int_equal(tb_get_u8(&t->out, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(check_loaded(t, TPM_ALG_RSA, 256), 1);
	assert_int_equal(tb_get_u8(&t->out, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(check_loaded(t, TPM_ALG_RSA, 4096), 1);
	assert_int_equal(tb_get_u8(&t->out, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(check_loaded(t, TPM_ALG_AES128, 2048), 1);
	assert_int_equal(tb_get_u8(&t->out, &v), 0);
	assert_int_equal(v, 0);
	/* With every slot taken the answer is FALSE. */
	for (i = 0; i < TPM_MAX_KEYS; i++)
		t->s->keys[i].valid = true;
	assert_int_equal(check_loaded(t, TPM_ALG_RSA, 2048), 1);
	assert_int_equal(tb_get_u8(&t->out, &v), 0);
	assert_int_equal(v, 0);
	for (i = 0; i < TPM_MAX_KEYS; i++)
		t->s->keys[i].valid = false;
	assert_int_equal(getcap(t, TPM_CAP_CHECK_LOADED, "\0\0\0\1", 4), -1);
	assert_int_equal(t->rc, TPM_BAD_PARAM_SIZE);
}

/* NV_DefineSpace without authorization (unowned, NV not locked). */
static void nv_define(struct th *t, uint32_t index, uint32_t size)
{
	static const uint8_t pcr_short[26] = { 0, 3, 0, 0, 0, 0x1F };
	struct tpm_buf *b = th_begin(t, TPM_ORD_NV_DefineSpace);

	tb_put_u16(b, TPM_TAG_NV_DATA_PUBLIC);
	tb_put_u32(b, index);
	tb_put_bytes(b, pcr_short, sizeof(pcr_short));
	tb_put_bytes(b, pcr_short, sizeof(pcr_short));
	tb_put_u16(b, TPM_TAG_NV_ATTRIBUTES);
	tb_put_u32(b, TPM_NV_PER_AUTHWRITE);
	tb_put_bytes(b, "\0\0\0", 3);
	tb_put_u32(b, size);
	tb_put_bytes(b, th_zero_auth, 20);
	assert_int_equal(th_run(t, 0, NULL, NULL), TPM_SUCCESS);
}

/* TPM_CAP_NV_LIST (indices, no count) and TPM_CAP_NV_INDEX
 * (TPM_NV_DATA_PUBLIC). */
static void cap_nv_list_and_index(void **state)
{
	struct th *t = *state;
	uint32_t idx, size;
	uint16_t tag;

	assert_int_equal(getcap(t, TPM_CAP_NV_LIST, NULL, 0), 0);
	nv_define(t, 0x1000, 8);
	assert_int_equal(getcap(t, TPM_CAP_NV_LIST, NULL, 0), 4);
	assert_int_equal(tb_get_u32(&t->out, &idx), 0);
	assert_int_equal(idx, 0x1000);
	assert_int_equal(prop32(t, TPM_CAP_PROP_MAX_NV_AVAILABLE),
			 tpm_nv_free_space(t->s));
	assert_int_equal(getcap32(t, TPM_CAP_NV_INDEX, 0x1000), 71);
	assert_int_equal(tb_get_u16(&t->out, &tag), 0);
	assert_int_equal(tag, TPM_TAG_NV_DATA_PUBLIC);
	assert_int_equal(tb_get_u32(&t->out, &idx), 0);
	assert_int_equal(idx, 0x1000);
	assert_int_equal(tb_skip(&t->out, 61), 0);
	assert_int_equal(tb_get_u32(&t->out, &size), 0);
	assert_int_equal(size, 8);
	assert_int_equal(getcap32(t, TPM_CAP_NV_INDEX, 0x1001), -1);
	assert_int_equal(t->rc, TPM_BADINDEX);
}

/* TPM_CAP_SELECT_SIZE: 1.1 selects 1-2 bytes, 1.2 up to 3. */
static void cap_select_size(void **state)
{
	static const struct {
		uint8_t sub[4];
		uint8_t want;
	} cases[] = {
		{ { 1, 2, 0, 3 }, 1 }, { { 1, 2, 0, 1 }, 1 },
		{ { 1, 2, 0, 4 }, 0 }, { { 1, 2, 0, 0 }, 0 },
		{ { 1, 1, 0, 2 }, 1 }, { { 1, 1, 0, 3 }, 0 },
		{ { 2, 0, 0, 1 }, 0 }, { { 1, 2, 1, 3 }, 0 },
	};
	struct th *t = *state;
	uint8_t v;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(getcap(t, TPM_CAP_SELECT_SIZE, cases[i].sub,
					4), 1);
		assert_int_equal(tb_get_u8(&t->out, &v), 0);
		assert_int_equal(v, cases[i].want);
	}
	assert_int_equal(getcap(t, TPM_CAP_SELECT_SIZE, "\1\2\0", 3), -1);
	assert_int_equal(t->rc, TPM_BAD_MODE);
}

/* TPM_CAP_DA_LOGIC: TPM_DA_INFO (21 bytes) or, with
 * disableFullDALogicInfo, TPM_DA_INFO_LIMITED (13 bytes). */
static void cap_da_logic(void **state)
{
	struct th *t = *state;
	uint8_t v[21];

	assert_int_equal(getcap16(t, TPM_CAP_DA_LOGIC, TPM_ET_OWNER), 21);
	assert_int_equal(tb_get_bytes(&t->out, v, 21), 0);
	assert_int_equal(tb_be16(v), TPM_TAG_DA_INFO);
	assert_int_equal(v[2], TPM_DA_STATE_INACTIVE);
	assert_int_equal(tb_be16(v + 3), 0);			/* count */
	assert_int_equal(tb_be16(v + 5), TPM_DA_THRESHOLD);
	assert_int_equal(tb_be16(v + 7), TPM_TAG_DA_ACTION_TYPE);
	assert_int_equal(tb_be32(v + 9), TPM_DA_ACTION_TIMEOUT);
	assert_int_equal(tb_be32(v + 17), 0);			/* vendor */
	t->s->pd.da_failures = 7;
	t->s->da_lock_until_us = tpm_now_us() + 30000000;
	assert_int_equal(getcap16(t, TPM_CAP_DA_LOGIC, TPM_ET_KEYHANDLE), 21);
	assert_int_equal(tb_get_bytes(&t->out, v, 21), 0);
	assert_int_equal(v[2], TPM_DA_STATE_ACTIVE);
	assert_int_equal(tb_be16(v + 3), 7);
	assert_true(tb_be32(v + 13) > 0 && tb_be32(v + 13) <= 30);
	t->s->pf.disable_full_da_logic_info = true;
	assert_int_equal(getcap16(t, TPM_CAP_DA_LOGIC, TPM_ET_OWNER), 13);
	assert_int_equal(tb_get_bytes(&t->out, v, 13), 0);
	assert_int_equal(tb_be16(v), TPM_TAG_DA_INFO_LIMITED);
	assert_int_equal(v[2], TPM_DA_STATE_ACTIVE);
	assert_int_equal(tb_be16(v + 3), TPM_TAG_DA_ACTION_TYPE);
	assert_int_equal(tb_be32(v + 9), 0);
	/* The entity type is not looked at. */
	assert_int_equal(getcap32(t, TPM_CAP_DA_LOGIC, TPM_ET_OWNER), 13);
	t->s->da_lock_until_us = 0;
}

/* TPM_CAP_MFR: the vendor's one sub-capability. */
static void cap_mfr(void **state)
{
	struct th *t = *state;
	uint32_t r;
	uint8_t fm;

	assert_int_equal(getcap32(t, TPM_CAP_MFR, 1), 5);
	assert_int_equal(tb_get_u32(&t->out, &r), 0);
	assert_int_equal(tb_get_u8(&t->out, &fm), 0);
	assert_int_equal(r, 0);
	assert_int_equal(fm, 0);
	assert_int_equal(getcap32(t, TPM_CAP_MFR, 2), -1);
	assert_int_equal(t->rc, TPM_BAD_MODE);
	assert_int_equal(getcap(t, TPM_CAP_MFR, NULL, 0), -1);
	assert_int_equal(t->rc, TPM_BAD_MODE);
}

/* Unknown capability areas are TPM_BAD_MODE. */
static void cap_unknown_area_bad_mode(void **state)
{
	static const uint32_t areas[] = { 0, 0x0A, 0x0B, 0x0E, 0x13, 0x16,
					  0x1B, 0xFFFFFFFF };
	struct th *t = *state;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(areas); i++) {
		assert_int_equal(getcap32(t, areas[i], 0x101), -1);
		assert_int_equal(t->rc, TPM_BAD_MODE);
	}
}

/* In failure mode only the version, vendor and timing answers remain
 * (Part 3, 7.1 action 3). */
static void cap_failure_mode_subset(void **state)
{
	struct th *t = *state;

	tpm_enter_failure_mode(t->s, 0x42);
	assert_int_equal(getcap(t, TPM_CAP_VERSION, NULL, 0), 4);
	assert_int_equal(getcap(t, TPM_CAP_VERSION_VAL, NULL, 0), 15);
	assert_int_equal(getcap32(t, TPM_CAP_PROPERTY,
				  TPM_CAP_PROP_MANUFACTURER), 4);
	assert_int_equal(getcap32(t, TPM_CAP_PROPERTY,
				  TPM_CAP_PROP_DURATION), 12);
	assert_int_equal(getcap32(t, TPM_CAP_PROPERTY,
				  TPM_CAP_PROP_TIS_TIMEOUT), 16);
	assert_int_equal(getcap32(t, TPM_CAP_MFR, 1), 5);
	assert_int_equal(tb_be32(tb_cursor(&t->out)), 0x42);
	assert_int_equal(getcap32(t, TPM_CAP_PROPERTY, TPM_CAP_PROP_PCR), -1);
	assert_int_equal(t->rc, TPM_FAILEDSELFTEST);
	assert_int_equal(getcap32(t, TPM_CAP_FLAG, TPM_CAP_FLAG_PERMANENT),
			 -1);
	assert_int_equal(t->rc, TPM_FAILEDSELFTEST);
}

/* GetCapability answers while disabled and deactivated. */
static void cap_available_disabled_deactivated(void **state)
{
	struct th *t = *state;

	t->s->pf.disable = true;
	t->s->sf.deactivated = true;
	assert_int_equal(prop32(t, TPM_CAP_PROP_PCR), 24);
}

/* GetCapabilityOwner(owner auth) returns TPM_VERSION and the two flag
 * bitmaps (bit N = Nth flag). */
static uint32_t cap_owner(struct th *t, const uint8_t secret[20])
{
	struct th_sess s;

	assert_int_equal(th_oiap(t, &s, secret), TPM_SUCCESS);
	th_begin(t, TPM_ORD_GetCapabilityOwner);
	return th_run(t, 0, &s, NULL);
}

static void get_capability_owner(void **state)
{
	struct th *t = *state;
	uint32_t nv, vol;
	uint8_t ver[4];

	assert_int_equal(cap_owner(t, th_zero_auth), TPM_AUTHFAIL);
	th_pp(t);
	assert_int_equal(cap_owner(t, th_owner_auth), TPM_SUCCESS);
	assert_int_equal(tb_get_bytes(&t->out, ver, 4), 0);
	assert_int_equal(tb_get_u32(&t->out, &nv), 0);
	assert_int_equal(tb_get_u32(&t->out, &vol), 0);
	assert_int_equal(tb_expect_end(&t->out), 0);
	assert_int_equal(ver[0], 1);
	assert_int_equal(ver[1], 2);
	/* ownership, allowMaintenance (as manufactured), CMDEnable;
	 * readPubek is FALSE once owned. */
	assert_int_equal(nv, (1U << 1) |
			 ((uint32_t)t->s->pf.allow_maintenance << 5) |
			 (1U << 8));
	assert_int_equal(vol, 1U << 2);	/* physicalPresence */
	t->s->pf.disable = true;
	assert_int_equal(cap_owner(t, th_owner_auth), TPM_DISABLED);
}

static void get_capability_owner_unowned(void **state)
{
	struct th *t = *state;

	assert_int_equal(cap_owner(t, th_owner_auth), TPM_NOSRK);
}

/* SetCapability(@area, u32 @sub, @val[@vlen]), with an owner OIAP
 * session on @secret or none. */
static uint32_t setcap(struct th *t, uint32_t area, uint32_t sub,
		       const void *val, uint32_t vlen, const uint8_t *secret)
{
	struct th_sess s;
	struct tpm_buf *b;

	if (secret)
		assert_int_equal(th_oiap(t, &s, secret), TPM_SUCCESS);
	b = th_begin(t, TPM_ORD_SetCapability);
	tb_put_u32(b, area);
	tb_put_u32(b, 4);
	tb_put_u32(b, sub);
	tb_put_sized(b, val, vlen);
	return th_run(t, 0, secret ? &s : NULL, NULL);
}

static uint32_t setflag(struct th *t, uint32_t area, uint32_t sub, bool v,
			const uint8_t *secret)
{
	uint8_t b = v;

	return setcap(t, area, sub, &b, 1, secret);
}

/* Permanent flags settable with physical presence. */
static void set_capability_presence_flags(void **state)
{
	struct th *t = *state;

	assert_int_equal(setflag(t, TPM_SET_PERM_FLAGS, TPM_PF_DISABLE, 1,
				 NULL), TPM_AUTHFAIL);
	assert_int_equal(setflag(t, TPM_SET_PERM_FLAGS, TPM_PF_OWNERSHIP, 0,
				 NULL), TPM_AUTHFAIL);
	th_pp(t);
	assert_int_equal(setflag(t, TPM_SET_PERM_FLAGS, TPM_PF_OWNERSHIP, 0,
				 NULL), TPM_SUCCESS);
	assert_true(t->s->pd.no_owner_install);
	assert_int_equal(setflag(t, TPM_SET_PERM_FLAGS, TPM_PF_OWNERSHIP, 1,
				 NULL), TPM_SUCCESS);
	assert_false(t->s->pd.no_owner_install);
	t->s->dirty = false;
	assert_int_equal(setflag(t, TPM_SET_PERM_FLAGS, TPM_PF_DEACTIVATED, 1,
				 NULL), TPM_SUCCESS);
	assert_true(t->s->pf.deactivated);
	assert_true(tpm_state_dirty(t->s));
	/* The permanent flag reaches the STCLEAR one only at the next
	 * Startup (Part 1): until then the TPM is still active. */
	assert_int_equal(setflag(t, TPM_SET_PERM_FLAGS, TPM_PF_OWNERSHIP, 0,
				 NULL), TPM_SUCCESS);
	assert_int_equal(setflag(t, TPM_SET_PERM_FLAGS, TPM_PF_OWNERSHIP, 1,
				 NULL), TPM_SUCCESS);
	t->s->sf.deactivated = true;
	assert_int_equal(setflag(t, TPM_SET_PERM_FLAGS, TPM_PF_OWNERSHIP, 0,
				 NULL), TPM_DEACTIVATED);
	t->s->sf.deactivated = false;
	assert_int_equal(setflag(t, TPM_SET_PERM_FLAGS, TPM_PF_DEACTIVATED, 0,
				 NULL), TPM_SUCCESS);
	/* SetCapability works while disabled (Part 2, 17). */
	assert_int_equal(setflag(t, TPM_SET_PERM_FLAGS, TPM_PF_DISABLE, 1,
				 NULL), TPM_SUCCESS);
	assert_true(t->s->pf.disable);
	assert_int_equal(setflag(t, TPM_SET_PERM_FLAGS, TPM_PF_DEACTIVATED, 1,
				 NULL), TPM_DISABLED);
	assert_int_equal(setflag(t, TPM_SET_PERM_FLAGS, TPM_PF_DISABLE, 0,
				 NULL), TPM_SUCCESS);
	assert_false(t->s->pf.disable);
}

/* Permanent flags settable by the owner, with their value limits. */
static void set_capability_owner_flags(void **state)
{
	struct th *t = *state;

	assert_int_equal(setflag(t, TPM_SET_PERM_FLAGS, TPM_PF_READPUBEK, 1,
				 NULL), TPM_AUTHFAIL);
	assert_int_equal(setflag(t, TPM_SET_PERM_FLAGS, TPM_PF_READPUBEK, 1,
				 th_zero_auth), TPM_AUTHFAIL);
	assert_int_equal(setflag(t, TPM_SET_PERM_FLAGS, TPM_PF_READPUBEK, 1,
				 th_owner_auth), TPM_SUCCESS);
	assert_true(t->s->pf.read_pubek);
	assert_int_equal(setflag(t, TPM_SET_PERM_FLAGS, TPM_PF_READSRKPUB, 1,
				 th_owner_auth), TPM_SUCCESS);
	assert_true(t->s->pf.read_srk_pub);
	assert_int_equal(setflag(t, TPM_SET_PERM_FLAGS,
				 TPM_PF_DISABLEOWNERCLEAR, 0, th_owner_auth),
			 TPM_BAD_PARAMETER);
	assert_int_equal(setflag(t, TPM_SET_PERM_FLAGS,
				 TPM_PF_DISABLEOWNERCLEAR, 1, th_owner_auth),
			 TPM_SUCCESS);
	assert_true(t->s->pf.disable_owner_clear);
	assert_int_equal(setflag(t, TPM_SET_PERM_FLAGS,
				 TPM_PF_ALLOWMAINTENANCE, 1, th_owner_auth),
			 TPM_BAD_PARAMETER);
	assert_int_equal(setflag(t, TPM_SET_PERM_FLAGS,
				 TPM_PF_ALLOWMAINTENANCE, 0, th_owner_auth),
			 TPM_SUCCESS);
	assert_int_equal(setflag(t, TPM_SET_PERM_FLAGS,
				 TPM_PF_DISABLEFULLDALOGICINFO, 1,
				 th_owner_auth), TPM_SUCCESS);
	assert_int_equal(getcap16(t, TPM_CAP_DA_LOGIC, TPM_ET_OWNER), 13);
	assert_int_equal(setflag(t, TPM_SET_PERM_FLAGS, TPM_PF_DISABLE, 1,
				 th_owner_auth), TPM_SUCCESS);
	assert_int_equal(setflag(t, TPM_SET_PERM_FLAGS, TPM_PF_READPUBEK, 0,
				 th_owner_auth), TPM_DISABLED);
	assert_int_equal(setflag(t, TPM_SET_PERM_FLAGS, TPM_PF_DISABLE, 0,
				 th_owner_auth), TPM_SUCCESS);
	/* With an owner, owner install can no longer change. */
	th_pp(t);
	assert_int_equal(setflag(t, TPM_SET_PERM_FLAGS, TPM_PF_OWNERSHIP, 0,
				 NULL), TPM_OWNER_SET);
}

/* Flags that are never settable, and unknown sub-capabilities. */
static void set_capability_unsettable(void **state)
{
	static const uint32_t pf_no[] = {
		TPM_PF_PHYSICALPRESENCELIFETIMELOCK,
		TPM_PF_PHYSICALPRESENCEHWENABLE,
		TPM_PF_PHYSICALPRESENCECMDENABLE, TPM_PF_CEKPUSED,
		TPM_PF_TPMPOST, TPM_PF_FIPS, TPM_PF_OPERATOR,
		TPM_PF_ENABLEREVOKEEK, TPM_PF_NV_LOCKED,
		TPM_PF_MAINTENANCEDONE, 0, 21,
	};
	struct th *t = *state;
	struct tpm_permanent_flags pf;
	size_t i;

	th_pp(t);
	pf = t->s->pf;
	for (i = 0; i < ARRAY_SIZE(pf_no); i++)
		assert_int_equal(setflag(t, TPM_SET_PERM_FLAGS, pf_no[i], 1,
					 th_owner_auth), TPM_BAD_PARAMETER);
	assert_memory_equal(&pf, &t->s->pf, sizeof(pf));
	assert_int_equal(setflag(t, TPM_SET_STCLEAR_FLAGS,
				 TPM_SF_PHYSICALPRESENCE, 1, NULL),
			 TPM_BAD_PARAMETER);
	assert_int_equal(setflag(t, TPM_SET_STCLEAR_FLAGS, TPM_SF_DEACTIVATED,
				 1, NULL), TPM_BAD_PARAMETER);
	assert_int_equal(setcap(t, TPM_SET_PERM_DATA, TPM_PD_RESTRICTDELEGATE,
				"\0\0\0\1", 4, th_owner_auth),
			 TPM_BAD_PARAMETER);
	assert_int_equal(setflag(t, TPM_SET_STANY_DATA, 1, 0, NULL),
			 TPM_BAD_PARAMETER);
	assert_int_equal(setflag(t, TPM_SET_VENDOR, 1, 0, NULL),
			 TPM_BAD_PARAMETER);
	assert_int_equal(setflag(t, 0, TPM_PF_DISABLE, 0, NULL), TPM_BAD_MODE);
	assert_int_equal(setflag(t, 8, TPM_PF_DISABLE, 0, NULL), TPM_BAD_MODE);
	/* setValue must be one BOOL byte. */
	assert_int_equal(setcap(t, TPM_SET_PERM_FLAGS, TPM_PF_DISABLE,
				"\0\0", 2, NULL), TPM_BAD_PARAMETER);
	assert_int_equal(setcap(t, TPM_SET_PERM_FLAGS, TPM_PF_DISABLE,
				"\2", 1, NULL), TPM_BAD_PARAMETER);
	assert_false(t->s->pf.disable);
}

/* The volatile settable values: disableForceClear (TRUE only),
 * deferredPhysicalPresence (set with presence), TOSPresent and
 * tpmEstablished (locality 3-4, FALSE only). */
static void set_capability_volatile_and_locality(void **state)
{
	struct th *t = *state;

	assert_int_equal(setflag(t, TPM_SET_STCLEAR_FLAGS,
				 TPM_SF_DISABLEFORCECLEAR, 0, NULL),
			 TPM_BAD_PARAMETER);
	assert_int_equal(setflag(t, TPM_SET_STCLEAR_FLAGS,
				 TPM_SF_DISABLEFORCECLEAR, 1, NULL),
			 TPM_SUCCESS);
	assert_true(t->s->sf.disable_force_clear);
	assert_int_equal(setcap(t, TPM_SET_STCLEAR_DATA,
				TPM_SD_DEFERREDPHYSICALPRESENCE, "\0\0\0\1",
				4, NULL), TPM_BAD_PRESENCE);
	th_pp(t);
	assert_int_equal(setcap(t, TPM_SET_STCLEAR_DATA,
				TPM_SD_DEFERREDPHYSICALPRESENCE, "\0\0\0\1",
				4, NULL), TPM_SUCCESS);
	assert_int_equal(t->s->sd.deferred_physical_presence, 1);
	assert_int_equal(tsc_pp(t, TPM_PHYSICAL_PRESENCE_NOTPRESENT), 0);
	assert_int_equal(setcap(t, TPM_SET_STCLEAR_DATA,
				TPM_SD_DEFERREDPHYSICALPRESENCE, "\0\0\0\0",
				4, NULL), TPM_SUCCESS);
	assert_int_equal(t->s->sd.deferred_physical_presence, 0);
	assert_int_equal(setcap(t, TPM_SET_STCLEAR_DATA, TPM_SD_COUNTID,
				"\0\0\0\0", 4, NULL), TPM_BAD_PARAMETER);
	t->s->pf.tpm_established = true;
	t->s->af.tos_present = true;
	assert_int_equal(setflag(t, TPM_SET_PERM_FLAGS, TPM_PF_TPMESTABLISHED,
				 0, NULL), TPM_BAD_LOCALITY);
	assert_int_equal(tpm_set_locality(t->s, 3), 0);
	assert_int_equal(setflag(t, TPM_SET_PERM_FLAGS, TPM_PF_TPMESTABLISHED,
				 1, NULL), TPM_BAD_PARAMETER);
	assert_int_equal(setflag(t, TPM_SET_PERM_FLAGS, TPM_PF_TPMESTABLISHED,
				 0, NULL), TPM_SUCCESS);
	assert_false(t->s->pf.tpm_established);
	assert_int_equal(setflag(t, TPM_SET_STANY_FLAGS, TPM_AF_TOSPRESENT, 0,
				 NULL), TPM_SUCCESS);
	assert_false(t->s->af.tos_present);
	assert_int_equal(tpm_set_locality(t->s, 0), 0);
}

/* AUTH1 without an owner can prove nothing. */
static void set_capability_auth_unowned(void **state)
{
	struct th *t = *state;

	th_pp(t);
	assert_int_equal(setflag(t, TPM_SET_PERM_FLAGS, TPM_PF_DISABLE, 1,
				 th_zero_auth), TPM_AUTHFAIL);
	assert_false(t->s->pf.disable);
}

#define HDR(tag, size, ord) \
	0x00, (tag), 0, 0, 0, (size), 0, 0, 0, (ord)
#define AUTH_AREA \
	0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, \
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0

static const uint8_t v_get_empty[] = { HDR(0xC1, 10, 0x65) };
static const uint8_t v_get_nosub[] = { HDR(0xC1, 14, 0x65), 0, 0, 0, 5 };
static const uint8_t v_get_subpast[] = { HDR(0xC1, 21, 0x65), 0, 0, 0, 5,
					 0, 0, 0, 4, 0, 0, 1 };
static const uint8_t v_get_huge[] = { HDR(0xC1, 18, 0x65), 0, 0, 0, 5,
				      0xFF, 0xFF, 0xFF, 0xFF };
static const uint8_t v_get_trailing[] = { HDR(0xC1, 23, 0x65), 0, 0, 0, 5,
					  0, 0, 0, 4, 0, 0, 1, 1, 0 };
static const uint8_t v_get_auth[] = { HDR(0xC2, 67, 0x65), 0, 0, 0, 5,
				      0, 0, 0, 4, 0, 0, 1, 1, AUTH_AREA };
static const uint8_t v_set_noval[] = { HDR(0xC1, 22, 0x3F), 0, 0, 0, 1,
				       0, 0, 0, 4, 0, 0, 0, 1 };
static const uint8_t v_set_valpast[] = { HDR(0xC1, 27, 0x3F), 0, 0, 0, 1,
					 0, 0, 0, 4, 0, 0, 0, 1,
					 0, 0, 0, 2, 1 };
static const uint8_t v_set_trailing[] = { HDR(0xC1, 28, 0x3F), 0, 0, 0, 1,
					  0, 0, 0, 4, 0, 0, 0, 1,
					  0, 0, 0, 1, 1, 0 };
static const uint8_t v_owner_trailing[] = { HDR(0xC2, 56, 0x66), 0,
					    AUTH_AREA };
static const uint8_t v_owner_rqu[] = { HDR(0xC1, 10, 0x66) };

#define V TH_VEC

static const struct th_vector vectors[] = {
	V("GetCapability: no capArea", v_get_empty, TPM_BAD_PARAM_SIZE),
	V("GetCapability: no subCapSize", v_get_nosub, TPM_BAD_PARAM_SIZE),
	V("GetCapability: subCap shorter than its size", v_get_subpast,
	  TPM_BAD_PARAM_SIZE),
	V("GetCapability: subCapSize 0xFFFFFFFF", v_get_huge,
	  TPM_BAD_PARAM_SIZE),
	V("GetCapability: trailing byte", v_get_trailing,
	  TPM_BAD_PARAM_SIZE),
	V("GetCapability: auth tag", v_get_auth, TPM_BADTAG),
	V("SetCapability: no setValue", v_set_noval, TPM_BAD_PARAM_SIZE),
	V("SetCapability: setValue shorter than its size", v_set_valpast,
	  TPM_BAD_PARAM_SIZE),
	V("SetCapability: trailing byte", v_set_trailing,
	  TPM_BAD_PARAM_SIZE),
	V("GetCapabilityOwner: trailing byte", v_owner_trailing,
	  TPM_BAD_PARAM_SIZE),
	V("GetCapabilityOwner: no auth area", v_owner_rqu, TPM_BADTAG),
};

/* Every malformed vector gets its code; no flag changes. */
static void capability_malformed_vectors(void **state)
{
	struct th *t = *state;
	struct tpm_permanent_flags pf;

	th_pp(t);
	pf = t->s->pf;
	th_run_vectors(t, vectors, ARRAY_SIZE(vectors));
	assert_memory_equal(&pf, &t->s->pf, sizeof(pf));
}

#define T(f) cmocka_unit_test_setup_teardown(f, th_setup, th_teardown)
#define O(f) cmocka_unit_test_setup_teardown(f, th_setup_owned, th_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(cap_ord_matches_dispatch),
		T(cap_boolean_areas),
		T(cap_flag_permanent_layout),
		T(cap_flag_volatile_layout),
		T(cap_property_sizes_and_values),
		T(cap_property_tracks_resources),
		T(cap_property_timeouts_durations),
		T(cap_property_unknown_bad_mode),
		T(cap_version_and_version_val),
		O(cap_handle_lists),
		O(cap_key_status),
		T(cap_check_loaded),
		T(cap_nv_list_and_index),
		T(cap_select_size),
		T(cap_da_logic),
		T(cap_mfr),
		T(cap_unknown_area_bad_mode),
		T(cap_failure_mode_subset),
		T(cap_available_disabled_deactivated),
		O(get_capability_owner),
		T(get_capability_owner_unowned),
		T(set_capability_presence_flags),
		O(set_capability_owner_flags),
		O(set_capability_unsettable),
		T(set_capability_volatile_and_locality),
		T(set_capability_auth_unowned),
		T(capability_malformed_vectors),
	};

	return cmocka_run_group_tests_name("capability", tests, NULL, NULL);
}
