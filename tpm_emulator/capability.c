// SPDX-License-Identifier: GPL-2.0
/*
 * Capabilities (Part 3, 7; Part 2, 21): what the TPM reports about itself
 * (GetCapability, GetCapabilityOwner) and the few flags it lets callers
 * set (SetCapability).  The response structures are written only here;
 * their values come from the state and the limits of structures.h.
 *
 * Vendor choices: tpmVendorID / TPM_CAP_PROP_MANUFACTURER is
 * TPM_VENDOR_ID ("VTPM").  TPM_CAP_MFR has one sub-capability,
 * VTPM_MFR_FAILURE_STATE (u32 test_result, BOOL failure mode); every
 * other TPM_CAP_MFR sub-capability is TPM_BAD_MODE.
 */
#include <stddef.h>

#include "internal.h"

/* TPM_CAP_MFR sub-capability of this vendor (see the file header). */
#define VTPM_MFR_FAILURE_STATE	0x00000001U

/* TPM_CAP_PROP_TIS_TIMEOUT, microseconds: TIS 1.2 defaults for
 * TIMEOUT_A..D (the Linux driver uses them as given). */
static const uint32_t tis_timeouts_us[4] = { 750000, 2000000, 750000, 750000 };
/* TPM_CAP_PROP_DURATION, microseconds: short, medium, long.  Long covers
 * a 2048-bit RSA key generation in software. */
static const uint32_t durations_us[3] = { 2000000, 20000000, 60000000 };

/*
 * Part 2, 21.x TPM_STARTUP_EFFECTS: sessions, the SHA-1 thread, transport
 * sessions and saved session contexts (bits 0-3) and DAA sessions (bit 8)
 * do not survive Startup(ST_STATE); the audit digest is zeroed by
 * Startup(ST_CLEAR) only (bit 6, audit.c; libtpms reports the same).
 */
#define STARTUP_EFFECTS		0x0000014FU

/* DAA_INTERRUPT: other commands may run between the stages of a DAA
 * session (daa.c keeps it in its own table). */
#define DAA_INTERRUPT		true
/* Part 2, 21.x: CONTEXT_DIST must be at least 2^16-1. */
#define CONTEXT_DIST		0xFFFFFFFFU
/* counter.c's "no active counter" values and the wire's. */
#define COUNT_ID_ILLEGAL	0xFFFFFFFFU
#define COUNT_ID_NONE_WIRE	0xFFFFFFFFU

/* Sub-capability of a fixed size: u32 / u16 big-endian. */
static bool sub_u32(const uint8_t *sub, uint32_t len, uint32_t *v)
{
	if (len != 4)
		return false;
	*v = tb_be32(sub);
	return true;
}

static bool sub_u16(const uint8_t *sub, uint32_t len, uint16_t *v)
{
	if (len != 2)
		return false;
	*v = tb_be16(sub);
	return true;
}

static TPM_RESULT put_bool(struct tpm_buf *out, bool v)
{
	return tb_put_bool(out, v) ? TPM_SIZE : TPM_SUCCESS;
}

static TPM_RESULT put_u32s(struct tpm_buf *out, const uint32_t *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (tb_put_u32(out, v[i]))
			return TPM_SIZE;
	}
	return TPM_SUCCESS;
}

/* Families that are optional in this engine report what the dispatch
 * table really offers. */
static bool supports(uint32_t ordinal)
{
	return tpm_dispatch_lookup(ordinal) != NULL;
}

static uint32_t free_key_slots(const struct tpm_state *s)
{
	uint32_t n = 0;
	unsigned int i;

	for (i = 0; i < TPM_MAX_KEYS; i++)
		n += !s->keys[i].valid;
	return n;
}

static uint32_t free_sessions(const struct tpm_state *s)
{
	uint32_t n = 0;
	unsigned int i;

	for (i = 0; i < TPM_MAX_SESSIONS; i++)
		n += s->sessions[i].type == SESS_NONE;
	return n;
}

/* Part 2, 21.2: the TPM_CAP_PROPERTY values that are one u32. */
static bool prop_u32(const struct tpm_state *s, uint32_t prop, uint32_t *v)
{
	bool trans = supports(TPM_ORD_EstablishTransport);

	switch (prop) {
	case TPM_CAP_PROP_PCR:
		*v = TPM_NUM_PCR;
		break;
	case TPM_CAP_PROP_DIR:
		*v = TPM_NUM_DIRS;
		break;
	case TPM_CAP_PROP_KEYS:
		*v = free_key_slots(s);
		break;
	case TPM_CAP_PROP_MIN_COUNTER:
		*v = 0;		/* counter.c does not throttle increments */
		break;
	case TPM_CAP_PROP_AUTHSESS:
	case TPM_CAP_PROP_SESSIONS:
		*v = free_sessions(s);	/* one pool for every session */
		break;
	case TPM_CAP_PROP_TRANSESS:
		*v = trans ? free_sessions(s) : 0;
		break;
	case TPM_CAP_PROP_COUNTERS:
		*v = TPM_MAX_COUNTERS - tpm_counters_used(s);
		break;
	case TPM_CAP_PROP_MAX_AUTHSESS:
	case TPM_CAP_PROP_MAX_SESSIONS:
		*v = TPM_MAX_SESSIONS;
		break;
	case TPM_CAP_PROP_MAX_TRANSESS:
		*v = trans ? TPM_MAX_SESSIONS : 0;
		break;
	case TPM_CAP_PROP_MAX_COUNTERS:
		*v = TPM_MAX_COUNTERS;
		break;
	case TPM_CAP_PROP_MAX_KEYS:
		*v = TPM_MAX_KEYS;
		break;
	case TPM_CAP_PROP_CONTEXT:
		*v = tpm_context_free_slots(s);
		break;
	case TPM_CAP_PROP_MAX_CONTEXT:
		*v = TPM_CONTEXT_LIST_SIZE;
		break;
	case TPM_CAP_PROP_CMK_RESTRICTION:	/* CMK_SetRestrictions */
		*v = s->deleg.restrict_delegate;
		break;
	case TPM_CAP_PROP_MAX_DAASESS:		/* issue 3: daa */
		*v = TPM_MAX_DAA_SESSIONS;
		break;
	case TPM_CAP_PROP_DAASESS:		/* available ones */
		*v = TPM_MAX_DAA_SESSIONS - tpm_daa_sessions_used(s);
		break;
	case TPM_CAP_PROP_FAMILYROWS:		/* delegation.c */
		*v = TPM_NUM_FAMILY_ROWS;
		break;
	case TPM_CAP_PROP_DELEGATE_ROW:
		*v = TPM_NUM_DELEGATE_ROWS;
		break;
	case TPM_CAP_PROP_STARTUP_EFFECT:
		*v = STARTUP_EFFECTS;
		break;
	case TPM_CAP_PROP_CONTEXT_DIST:
		*v = CONTEXT_DIST;
		break;
	case TPM_CAP_PROP_ACTIVE_COUNTER:
		*v = s->sd.count_id == 0 || s->sd.count_id == COUNT_ID_ILLEGAL ?
			COUNT_ID_NONE_WIRE : s->sd.count_id;
		break;
	case TPM_CAP_PROP_MAX_NV_AVAILABLE:
		*v = tpm_nv_free_space(s);
		break;
	case TPM_CAP_PROP_INPUT_BUFFER:
		*v = TPM_MAX_COMMAND_SIZE;
		break;
	default:
		return false;
	}
	return true;
}

/* Part 2, 21.2 TPM_CAP_PROPERTY */
static TPM_RESULT cap_property(const struct tpm_state *s, uint32_t prop,
			       struct tpm_buf *out)
{
	uint32_t v;

	switch (prop) {
	case TPM_CAP_PROP_MANUFACTURER:
		return tb_put_bytes(out, TPM_VENDOR_ID, 4) ? TPM_SIZE :
							     TPM_SUCCESS;
	case TPM_CAP_PROP_OWNER:
		return put_bool(out, s->pf.owner_installed);
	case TPM_CAP_PROP_DAA_INTERRUPT:
		return put_bool(out, DAA_INTERRUPT);
	case TPM_CAP_PROP_TIS_TIMEOUT:
		return put_u32s(out, tis_timeouts_us,
				ARRAY_SIZE(tis_timeouts_us));
	case TPM_CAP_PROP_DURATION:
		return put_u32s(out, durations_us, ARRAY_SIZE(durations_us));
	default:
		if (!prop_u32(s, prop, &v))
			return TPM_BAD_MODE;
		return put_u32s(out, &v, 1);
	}
}

/* Part 2, 7.1 TPM_PERMANENT_FLAGS, in wire order; bit i of the
 * GetCapabilityOwner bitmap is entry i (libtpms numbering). */
static void pflags_list(const struct tpm_state *s, bool v[20])
{
	const struct tpm_permanent_flags *f = &s->pf;
	const bool l[20] = {
		f->disable, !s->pd.no_owner_install, f->deactivated,
		f->read_pubek, f->disable_owner_clear, f->allow_maintenance,
		f->physical_presence_lifetime_lock,
		f->physical_presence_hw_enable,
		f->physical_presence_cmd_enable, f->cekp_used, f->tpm_post,
		f->tpm_post_lock, f->fips, f->operator_, f->enable_revoke_ek,
		f->nv_locked, f->read_srk_pub, f->tpm_established,
		f->maintenance_done, f->disable_full_da_logic_info,
	};

	memcpy(v, l, sizeof(l));
}

/* Part 2, 7.2 TPM_STCLEAR_FLAGS, in wire order. */
static void sflags_list(const struct tpm_state *s, bool v[5])
{
	const struct tpm_stclear_flags *f = &s->sf;
	const bool l[5] = {
		f->deactivated, f->disable_force_clear, f->physical_presence,
		f->physical_presence_lock, f->global_lock,
	};

	memcpy(v, l, sizeof(l));
}

/* Part 2, 21.2 TPM_CAP_FLAG: TPM_PERMANENT_FLAGS or TPM_STCLEAR_FLAGS. */
static TPM_RESULT cap_flag(const struct tpm_state *s, uint32_t which,
			   struct tpm_buf *out)
{
	bool v[20];
	size_t i, n;
	uint16_t tag;

	if (which == TPM_CAP_FLAG_PERMANENT) {
		pflags_list(s, v);
		n = 20;
		tag = TPM_TAG_PERMANENT_FLAGS;
	} else if (which == TPM_CAP_FLAG_VOLATILE) {
		sflags_list(s, v);
		n = 5;
		tag = TPM_TAG_STCLEAR_FLAGS;
	} else {
		return TPM_BAD_MODE;
	}
	if (tb_put_u16(out, tag))
		return TPM_SIZE;
	for (i = 0; i < n; i++) {
		if (tb_put_bool(out, v[i]))
			return TPM_SIZE;
	}
	return TPM_SUCCESS;
}

/* Part 2, 21.6 TPM_CAP_VERSION_INFO (no vendor-specific bytes). */
static TPM_RESULT cap_version_val(struct tpm_buf *out)
{
	if (tb_put_u16(out, TPM_TAG_CAP_VERSION_INFO) ||
	    tpm_version_put(out) || tb_put_u16(out, TPM_SPEC_LEVEL) ||
	    tb_put_u8(out, TPM_ERRATA_REV) ||
	    tb_put_bytes(out, TPM_VENDOR_ID, 4) || tb_put_u16(out, 0))
		return TPM_SIZE;
	return TPM_SUCCESS;
}

/* Part 2, 4.x TPM_KEY_HANDLE_LIST: u16 count then the handles. */
static TPM_RESULT handle_list_put(struct tpm_buf *out, const uint32_t *h,
				  uint16_t n)
{
	if (tb_put_u16(out, n))
		return TPM_SIZE;
	return put_u32s(out, h, n);
}

/* Part 2, 21.1 TPM_CAP_HANDLE (and TPM_CAP_KEY_HANDLE as TPM_RT_KEY). */
static TPM_RESULT cap_handle(const struct tpm_state *s, uint32_t rt,
			     struct tpm_buf *out)
{
	uint32_t h[TPM_MAX_KEYS + TPM_MAX_SESSIONS + TPM_MAX_COUNTERS];
	uint16_t n = 0;
	unsigned int i;

	switch (rt) {
	case TPM_RT_KEY:
		for (i = 0; i < TPM_MAX_KEYS; i++)
			if (s->keys[i].valid)
				h[n++] = s->keys[i].handle;
		break;
	case TPM_RT_AUTH:
	case TPM_RT_TRANS:
		for (i = 0; i < TPM_MAX_SESSIONS; i++) {
			enum tpm_session_type t = s->sessions[i].type;

			if (t != SESS_NONE &&
			    (t == SESS_TRANSPORT) == (rt == TPM_RT_TRANS))
				h[n++] = s->sessions[i].handle;
		}
		break;
	case TPM_RT_COUNTER:
		for (i = 0; i < TPM_MAX_COUNTERS; i++)
			if (s->pd.counters[i].valid)
				h[n++] = s->pd.counters[i].handle;
		break;
	case TPM_RT_CONTEXT:
		n = (uint16_t)tpm_context_handles(s, h, ARRAY_SIZE(h));
		break;
	default:
		return TPM_BAD_PARAMETER;
	}
	return handle_list_put(out, h, n);
}

/* Part 2, 21.1 TPM_CAP_CHECK_LOADED: could a key of these TPM_KEY_PARMS
 * be loaded now? */
static TPM_RESULT cap_check_loaded(const struct tpm_state *s,
				   const uint8_t *sub, uint32_t len,
				   struct tpm_buf *out)
{
	struct tpm_key_parms p;
	struct tpm_buf b;
	TPM_RESULT rc;

	tb_init_read(&b, sub, len);
	rc = tpm_key_parms_get(&b, &p, NULL);
	/* An algorithm or size this TPM has no keys of is a plain "no". */
	if (rc == TPM_BAD_KEY_PROPERTY)
		return put_bool(out, false);
	if (rc)
		return rc;
	if (tb_expect_end(&b))
		return TPM_BAD_PARAM_SIZE;
	return put_bool(out, p.key_bits >= TPM_RSA_MIN_BITS &&
			free_key_slots(s) > 0);
}

/* Part 2, 21.1 TPM_CAP_KEY_STATUS: ownerEvict of a loaded key. */
static TPM_RESULT cap_key_status(const struct tpm_state *s, uint32_t h,
				 struct tpm_buf *out)
{
	unsigned int i;

	for (i = 0; i < TPM_MAX_KEYS; i++) {
		if (s->keys[i].valid && s->keys[i].handle == h)
			return put_bool(out, s->keys[i].owner_evict);
	}
	return TPM_INVALID_KEYHANDLE;
}

/* Part 2, 21.1 TPM_CAP_NV_LIST: the defined indices, no count. */
static TPM_RESULT cap_nv_list(const struct tpm_state *s,
			      struct tpm_buf *out)
{
	unsigned int i;

	for (i = 0; i < TPM_MAX_NV_INDEXES; i++) {
		if (s->pd.nv[i].valid && tb_put_u32(out, s->pd.nv[i].index))
			return TPM_SIZE;
	}
	return TPM_SUCCESS;
}

/* Part 2, 21.1 TPM_CAP_NV_INDEX: TPM_NV_DATA_PUBLIC of one index. */
static TPM_RESULT cap_nv_index(struct tpm_state *s, uint32_t index,
			       struct tpm_buf *out)
{
	struct tpm_nv_area *a = tpm_nv_find(s, index);

	if (!a)
		return TPM_BADINDEX;
	return tpm_nv_data_public_put(out, a) ? TPM_SIZE : TPM_SUCCESS;
}

/* Part 2, 5.18 TPM_SELECT_SIZE: which sizeOfSelect the TPM accepts for
 * a structure version: 1.1 structures had 16 PCRs (2 bytes), 1.2 select
 * up to TPM_PCR_SELECT_MAX bytes.  Zero is never a valid answer. */
static TPM_RESULT cap_select_size(const uint8_t *sub, uint32_t len,
				  struct tpm_buf *out)
{
	uint16_t req;

	if (len != 4)
		return TPM_BAD_MODE;
	req = tb_be16(sub + 2);
	if (sub[0] != 1 || (sub[1] != 1 && sub[1] != 2))
		return put_bool(out, false);
	return put_bool(out, req > 0 &&
			req <= (sub[1] == 1 ? 2 : TPM_PCR_SELECT_MAX));
}

/* Part 2, 21.7/21.8 TPM_DA_INFO or TPM_DA_INFO_LIMITED.  The lockout is
 * one for every entity type, so the subCap (a TPM_ENTITY_TYPE) is not
 * looked at, as Part 2, 21.1 allows. */
static TPM_RESULT cap_da_logic(struct tpm_state *s, struct tpm_buf *out)
{
	uint32_t left = 0;
	bool locked = tpm_da_locked(s, &left);
	uint16_t fails = s->pd.da_failures > 0xFFFF ? 0xFFFF :
		(uint16_t)s->pd.da_failures;
	int bad;

	bad = tb_put_u16(out, s->pf.disable_full_da_logic_info ?
			 TPM_TAG_DA_INFO_LIMITED : TPM_TAG_DA_INFO) ||
	      tb_put_u8(out, locked ? TPM_DA_STATE_ACTIVE :
				      TPM_DA_STATE_INACTIVE);
	if (!s->pf.disable_full_da_logic_info)
		bad = bad ||
		      tb_put_u16(out, fails) ||
		      tb_put_u16(out, TPM_DA_THRESHOLD);
	bad = bad || tb_put_u16(out, TPM_TAG_DA_ACTION_TYPE) ||
	      tb_put_u32(out, TPM_DA_ACTION_TIMEOUT);
	if (!s->pf.disable_full_da_logic_info)
		bad = bad || tb_put_u32(out, left);	/* actionDependValue */
	bad = bad || tb_put_u32(out, 0);		/* vendorDataSize */
	return bad ? TPM_SIZE : TPM_SUCCESS;
}

/* Part 2, 21.1 TPM_CAP_MFR (see the file header). */
static TPM_RESULT cap_mfr(const struct tpm_state *s, const uint8_t *sub,
			  uint32_t len, struct tpm_buf *out)
{
	uint32_t which;

	if (!sub_u32(sub, len, &which) || which != VTPM_MFR_FAILURE_STATE)
		return TPM_BAD_MODE;
	if (tb_put_u32(out, s->test_result) ||
	    tb_put_bool(out, s->failure_mode))
		return TPM_SIZE;
	return TPM_SUCCESS;
}

/* The yes/no areas: ordinal, algorithm, protocol, modes, schemes. */
static TPM_RESULT cap_bool_area(uint32_t area, const uint8_t *sub,
				uint32_t len, struct tpm_buf *out)
{
	bool trans = supports(TPM_ORD_EstablishTransport);
	uint32_t v32 = 0;
	uint16_t v16 = 0;

	if (area == TPM_CAP_PID || area == TPM_CAP_TRANS_ES) {
		if (!sub_u16(sub, len, &v16))
			return TPM_BAD_MODE;
	} else if (!sub_u32(sub, len, &v32)) {
		return TPM_BAD_MODE;
	}
	switch (area) {
	case TPM_CAP_ORD:
		return put_bool(out, supports(v32));
	case TPM_CAP_ALG:
		/* The asymmetric algorithms of Sign, Seal, UnSeal, UnBind:
		 * RSA only (the spec leaves other algorithms to the TPM;
		 * FALSE as libtpms answers). */
		return put_bool(out, v32 == TPM_ALG_RSA);
	case TPM_CAP_PID:
		return put_bool(out,
			(v16 == TPM_PID_OIAP && supports(TPM_ORD_OIAP)) ||
			(v16 == TPM_PID_OSAP && supports(TPM_ORD_OSAP)) ||
			(v16 == TPM_PID_ADIP && supports(TPM_ORD_OSAP)) ||
			(v16 == TPM_PID_ADCP && supports(TPM_ORD_ChangeAuth)) ||
			(v16 == TPM_PID_OWNER &&
			 supports(TPM_ORD_TakeOwnership)) ||
			(v16 == TPM_PID_DSAP && supports(TPM_ORD_DSAP)) ||
			(v16 == TPM_PID_TRANSPORT && trans));
	case TPM_CAP_SYM_MODE:
		return put_bool(out, false);	/* no command takes one */
	case TPM_CAP_TRANS_ALG:
		return put_bool(out, trans && (v32 == TPM_ALG_MGF1 ||
					       v32 == TPM_ALG_AES128));
	case TPM_CAP_TRANS_ES:
		return put_bool(out, trans && (v16 == TPM_ES_SYM_CNT ||
					       v16 == TPM_ES_SYM_OFB));
	default:	/* TPM_CAP_AUTH_ENCRYPT: the ADIP schemes of auth.c */
		return put_bool(out, v32 == TPM_ALG_XOR ||
				v32 == TPM_ALG_AES128);
	}
}

/* Part 3, 7.1 action 1: validate capArea and subCap, write resp. */
static TPM_RESULT cap_answer(struct tpm_state *s, uint32_t area,
			     const uint8_t *sub, uint32_t len,
			     struct tpm_buf *out)
{
	uint32_t v = 0;

	switch (area) {
	case TPM_CAP_ORD:
	case TPM_CAP_ALG:
	case TPM_CAP_PID:
	case TPM_CAP_SYM_MODE:
	case TPM_CAP_TRANS_ALG:
	case TPM_CAP_TRANS_ES:
	case TPM_CAP_AUTH_ENCRYPT:
		return cap_bool_area(area, sub, len, out);
	case TPM_CAP_VERSION:
		return tpm_struct_ver_put(out) ? TPM_SIZE : TPM_SUCCESS;
	case TPM_CAP_VERSION_VAL:
		return cap_version_val(out);
	case TPM_CAP_KEY_HANDLE:
		return cap_handle(s, TPM_RT_KEY, out);
	case TPM_CAP_CHECK_LOADED:
		return cap_check_loaded(s, sub, len, out);
	case TPM_CAP_NV_LIST:
		return cap_nv_list(s, out);
	case TPM_CAP_SELECT_SIZE:
		return cap_select_size(sub, len, out);
	case TPM_CAP_MFR:
		return cap_mfr(s, sub, len, out);
	case TPM_CAP_DA_LOGIC:
		return cap_da_logic(s, out);
	default:
		break;
	}
	/* The remaining areas take a u32 subCap. */
	if (!sub_u32(sub, len, &v))
		return TPM_BAD_MODE;
	switch (area) {
	case TPM_CAP_FLAG:
		return cap_flag(s, v, out);
	case TPM_CAP_PROPERTY:
		return cap_property(s, v, out);
	case TPM_CAP_HANDLE:
		return cap_handle(s, v, out);
	case TPM_CAP_KEY_STATUS:
		return cap_key_status(s, v, out);
	case TPM_CAP_NV_INDEX:
		return cap_nv_index(s, v, out);
	default:
		return TPM_BAD_MODE;
	}
}

/* Part 3, 7.1 action 3: what a TPM in failure mode still answers. */
static bool failure_mode_answers(uint32_t area, const uint8_t *sub,
				 uint32_t len)
{
	uint32_t prop;

	if (area == TPM_CAP_VERSION || area == TPM_CAP_VERSION_VAL ||
	    area == TPM_CAP_MFR)
		return true;
	return area == TPM_CAP_PROPERTY && sub_u32(sub, len, &prop) &&
	       (prop == TPM_CAP_PROP_MANUFACTURER ||
		prop == TPM_CAP_PROP_DURATION ||
		prop == TPM_CAP_PROP_TIS_TIMEOUT);
}

/* Part 3, 7.1 TPM_GetCapability */
TPM_RESULT tpm_cmd_get_capability(struct tpm_cmd *c, struct tpm_buf *in,
				  struct tpm_buf *out)
{
	const uint8_t *sub;
	uint32_t area, len;
	uint8_t *size;
	size_t start;
	TPM_RESULT rc;

	if (tb_get_u32(in, &area) ||
	    tb_get_sized(in, &sub, &len, TPM_MAX_COMMAND_SIZE) ||
	    tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Action 3 */
	if (c->s->failure_mode && !failure_mode_answers(area, sub, len))
		return TPM_FAILEDSELFTEST;
	/* Output: respSize then resp. */
	if (tb_reserve(out, &size, 4))
		return TPM_SIZE;
	start = out->len;
	rc = cap_answer(c->s, area, sub, len, out);
	if (rc)
		return rc;
	tb_wr_be32(size, (uint32_t)(out->len - start));
	return TPM_SUCCESS;
}

/* GetCapabilityOwner bitmaps (Part 3, 7.3 actions 2-3). */
static uint32_t flags_bitmap(const bool *v, size_t n)
{
	uint32_t map = 0;
	size_t i;

	for (i = 0; i < n; i++)
		map |= (uint32_t)v[i] << i;
	return map;
}

/* Part 3, 7.3 TPM_GetCapabilityOwner */
TPM_RESULT tpm_cmd_get_capability_owner(struct tpm_cmd *c,
					struct tpm_buf *in,
					struct tpm_buf *out)
{
	bool pf[20], sf[5];
	TPM_RESULT rc;

	if (tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Action 1 */
	rc = tpm_auth_owner(c);
	if (rc)
		return rc;
	/* Actions 2-5 */
	pflags_list(c->s, pf);
	sflags_list(c->s, sf);
	if (tpm_version_put(out) ||
	    tb_put_u32(out, flags_bitmap(pf, ARRAY_SIZE(pf))) ||
	    tb_put_u32(out, flags_bitmap(sf, ARRAY_SIZE(sf))))
		return TPM_SIZE;
	return TPM_SUCCESS;
}

/*
 * SetCapability rules (Part 2, 7.1-7.3 "Set" columns; Part 3, 7.2): who
 * may set a flag, to which value, and in which TPM state.
 */
#define SET_BY_OWNER		0x01U	/* owner authorization */
#define SET_BY_PP		0x02U	/* physical presence */
#define SET_BY_LOC34		0x04U	/* locality 3 or 4 */
#define SET_ONLY_TRUE		0x10U
#define SET_ONLY_FALSE		0x20U
#define SET_NEEDS_ENABLED	0x40U
#define SET_NEEDS_ACTIVE	0x80U

struct set_rule {
	uint32_t area;
	uint32_t sub;
	size_t off;		/* of the bool in pf, sf or af */
	unsigned int how;
};

#define PF(f)	offsetof(struct tpm_permanent_flags, f)
#define EA	(SET_NEEDS_ENABLED | SET_NEEDS_ACTIVE)

static const struct set_rule set_rules[] = {
	{ TPM_SET_PERM_FLAGS, TPM_PF_DISABLE, PF(disable),
	  SET_BY_OWNER | SET_BY_PP },
	{ TPM_SET_PERM_FLAGS, TPM_PF_DEACTIVATED, PF(deactivated),
	  SET_BY_PP | SET_NEEDS_ENABLED },
	{ TPM_SET_PERM_FLAGS, TPM_PF_READPUBEK, PF(read_pubek),
	  SET_BY_OWNER | EA },
	{ TPM_SET_PERM_FLAGS, TPM_PF_DISABLEOWNERCLEAR,
	  PF(disable_owner_clear), SET_BY_OWNER | SET_ONLY_TRUE | EA },
	{ TPM_SET_PERM_FLAGS, TPM_PF_ALLOWMAINTENANCE,
	  PF(allow_maintenance), SET_BY_OWNER | SET_ONLY_FALSE | EA },
	{ TPM_SET_PERM_FLAGS, TPM_PF_READSRKPUB, PF(read_srk_pub),
	  SET_BY_OWNER | EA },
	{ TPM_SET_PERM_FLAGS, TPM_PF_TPMESTABLISHED, PF(tpm_established),
	  SET_BY_LOC34 | SET_ONLY_FALSE },
	{ TPM_SET_PERM_FLAGS, TPM_PF_DISABLEFULLDALOGICINFO,
	  PF(disable_full_da_logic_info), SET_BY_OWNER },
	{ TPM_SET_STCLEAR_FLAGS, TPM_SF_DISABLEFORCECLEAR,
	  offsetof(struct tpm_stclear_flags, disable_force_clear),
	  SET_ONLY_TRUE | EA },
	{ TPM_SET_STANY_FLAGS, TPM_AF_TOSPRESENT,
	  offsetof(struct tpm_stany_flags, tos_present),
	  SET_BY_LOC34 | SET_ONLY_FALSE | EA },
};

/* Is the caller allowed to set this flag to @v now? */
static TPM_RESULT set_rule_check(const struct tpm_state *s,
				 const struct set_rule *r, bool v,
				 bool owner, bool pp)
{
	bool by_owner = (r->how & SET_BY_OWNER) && owner;
	bool by_pp = (r->how & SET_BY_PP) && pp;

	if (r->how & SET_BY_LOC34) {
		if (s->locality < 3)
			return TPM_BAD_LOCALITY;
	} else if ((r->how & (SET_BY_OWNER | SET_BY_PP)) &&
		   !by_owner && !by_pp) {
		return TPM_AUTHFAIL;
	}
	if (((r->how & SET_ONLY_TRUE) && !v) ||
	    ((r->how & SET_ONLY_FALSE) && v))
		return TPM_BAD_PARAMETER;
	if ((r->how & SET_NEEDS_ENABLED) && s->pf.disable)
		return TPM_DISABLED;
	/* Only the STCLEAR flag gates commands (the permanent one takes
	 * effect at the next Startup), as in dispatch.c. */
	if ((r->how & SET_NEEDS_ACTIVE) && s->sf.deactivated)
		return TPM_DEACTIVATED;
	return TPM_SUCCESS;
}

/* TPM_PF_OWNERSHIP is TPM_SetOwnerInstall's flag, kept negated. */
static TPM_RESULT set_owner_install(struct tpm_state *s, bool v, bool pp)
{
	if (s->pf.owner_installed)
		return TPM_OWNER_SET;
	if (!pp)
		return TPM_AUTHFAIL;
	if (s->pf.disable)
		return TPM_DISABLED;
	if (s->sf.deactivated)
		return TPM_DEACTIVATED;
	if (s->pd.no_owner_install != !v) {
		s->pd.no_owner_install = !v;
		tpm_mark_dirty(s);
	}
	return TPM_SUCCESS;
}

/* Part 2, 7.5: deferredPhysicalPresence bits may be set only with
 * physical presence, cleared at any time. */
static TPM_RESULT set_deferred_pp(struct tpm_state *s, uint32_t v, bool pp)
{
	if (!pp && (v & ~s->sd.deferred_physical_presence))
		return TPM_BAD_PRESENCE;
	s->sd.deferred_physical_presence = v;
	return TPM_SUCCESS;
}

/* Part 3, 7.2 actions 2-4 for a one-byte BOOL or u32 setValue. */
static TPM_RESULT set_value(struct tpm_state *s, uint32_t area,
			    uint32_t sub, const uint8_t *val, uint32_t vlen,
			    bool owner)
{
	bool pp = tpm_physical_presence(s);
	const struct set_rule *r = NULL;
	unsigned int i;
	uint8_t *base;
	TPM_RESULT rc;

	if (area == TPM_SET_STCLEAR_DATA &&
	    sub == TPM_SD_DEFERREDPHYSICALPRESENCE)
		return vlen == 4 ? set_deferred_pp(s, tb_be32(val), pp) :
				   TPM_BAD_PARAMETER;
	/* Every other settable value is a flag: exactly 0 or 1. */
	if (vlen != 1 || val[0] > 1)
		return TPM_BAD_PARAMETER;
	if (area == TPM_SET_PERM_FLAGS && sub == TPM_PF_OWNERSHIP)
		return set_owner_install(s, val[0], pp);
	for (i = 0; i < ARRAY_SIZE(set_rules) && !r; i++) {
		if (set_rules[i].area == area && set_rules[i].sub == sub)
			r = &set_rules[i];
	}
	if (!r)
		return TPM_BAD_PARAMETER;
	rc = set_rule_check(s, r, val[0], owner, pp);
	if (rc)
		return rc;
	base = area == TPM_SET_PERM_FLAGS ? (uint8_t *)&s->pf :
	       area == TPM_SET_STCLEAR_FLAGS ? (uint8_t *)&s->sf :
					       (uint8_t *)&s->af;
	if (*(bool *)(base + r->off) != (val[0] == 1)) {
		*(bool *)(base + r->off) = val[0] == 1;
		if (area == TPM_SET_PERM_FLAGS)
			tpm_mark_dirty(s);
	}
	return TPM_SUCCESS;
}

/* Part 3, 7.2 TPM_SetCapability */
TPM_RESULT tpm_cmd_set_capability(struct tpm_cmd *c, struct tpm_buf *in,
				  struct tpm_buf *out)
{
	const uint8_t *sub, *val;
	uint32_t area, sub_len, val_len, sub32;
	TPM_RESULT rc;

	(void)out;
	if (tb_get_u32(in, &area) ||
	    tb_get_sized(in, &sub, &sub_len, TPM_MAX_COMMAND_SIZE) ||
	    tb_get_sized(in, &val, &val_len, TPM_MAX_COMMAND_SIZE) ||
	    tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Action 1: owner authorization when an auth area is present;
	 * without an owner there is no secret it could prove. */
	if (c->nauth) {
		if (!c->s->pf.owner_installed)
			return TPM_AUTHFAIL;
		rc = tpm_auth_check(c, 0, TPM_ET_OWNER, TPM_KH_OWNER,
				    c->s->pd.owner_auth);
		if (rc)
			return rc;
	}
	/* Action 2: a known capArea... */
	if (area < TPM_SET_PERM_FLAGS || area > TPM_SET_VENDOR)
		return TPM_BAD_MODE;
	/* ...and a subCap it can set (actions 3-4). */
	if (!sub_u32(sub, sub_len, &sub32))
		return TPM_BAD_PARAMETER;
	return set_value(c->s, area, sub32, val, val_len, c->nauth == 1);
}
