// SPDX-License-Identifier: GPL-2.0
/*
 * Auditing (Part 1, 8 "Audit Generation"; Part 3, 8): the ordinal audit
 * bitmap, the audit monotonic counter, the audit digest and the hooks
 * dispatch calls around an audited command.  No I/O; the audit log itself
 * is kept by the caller, this file only extends the digest.
 */
#include <errno.h>

#include "internal.h"

/* TPM_AUDIT_EVENT_IN/OUT: tag, digest, TPM_COUNTER_VALUE (Part 2, 14). */
#define AUDIT_EVENT_SIZE	(2 + TPM_DIGEST_SIZE + TPM_COUNTER_VALUE_SIZE)
/* Ordinals with a bit in TPM_PERMANENT_DATA -> ordinalAuditStatus. */
#define AUDIT_BITMAP_ORDINALS	\
	(8U * sizeof(((struct tpm_permanent_data *)0)->ordinal_audit))
/* TSC ordinals live above the bitmap: one bit each in audit.tsc. */
#define AUDIT_TSC_PP		0x01U	/* TSC_PhysicalPresence */
#define AUDIT_TSC_REB		0x02U	/* TSC_ResetEstablishment */
#define AUDIT_TSC_MASK		(AUDIT_TSC_PP | AUDIT_TSC_REB)
/* "ADIG" || antiReplay || dataLen header of the TPM_SIGN_INFO signed by
 * GetAuditDigestSigned (Part 2, 5.14). */
#define SIGN_INFO_HDR		(2 + 4 + TPM_NONCE_SIZE + 4)
/* D2 = auditDigest || counterValue || ordinalDigest (Part 3, 8.4 4.g). */
#define ADIG_DATA_SIZE		(TPM_DIGEST_SIZE + \
				 TPM_COUNTER_VALUE_SIZE + TPM_DIGEST_SIZE)
/* Bytes of the serialized section: counter, tsc bits, digest. */
#define AUDIT_SECTION_SIZE	(4 + 1 + TPM_DIGEST_SIZE)

/*
 * Audited from manufacture: the owner- and presence-controlled commands
 * that change who controls the TPM, as the reference TPM (libtpms) ships
 * them.  The owner changes the set with TPM_SetOrdinalAuditStatus.
 */
static const uint32_t audit_defaults[] = {
	TPM_ORD_TakeOwnership, TPM_ORD_ChangeAuthOwner, TPM_ORD_CreateWrapKey,
	TPM_ORD_CreateMigrationBlob, TPM_ORD_ConvertMigrationBlob,
	TPM_ORD_AuthorizeMigrationKey, TPM_ORD_OwnerClear,
	TPM_ORD_DisableOwnerClear, TPM_ORD_ForceClear,
	TPM_ORD_DisableForceClear, TPM_ORD_OwnerSetDisable,
	TPM_ORD_PhysicalEnable, TPM_ORD_PhysicalDisable,
	TPM_ORD_SetOwnerInstall, TPM_ORD_PhysicalSetDeactivated,
	TPM_ORD_SetTempDeactivated, TPM_ORD_MakeIdentity,
	TPM_ORD_ActivateIdentity, TPM_ORD_ReadPubek, TPM_ORD_OwnerReadPubek,
	TPM_ORD_DisablePubekRead, TPM_ORD_SetOrdinalAuditStatus,
};

/*
 * Never audited: reading the digest must not change it.  (The TPM 1.1
 * ordinals GetAuditEvent, GetAuditEventSigned and GetOrdinalAuditStatus
 * are not supported at all.)
 */
static bool never_audited(uint32_t ordinal)
{
	return ordinal == TPM_ORD_GetAuditDigest ||
	       ordinal == TPM_ORD_GetAuditDigestSigned;
}

static uint8_t tsc_bit(uint32_t ordinal)
{
	if (ordinal == TPM_ORD_TSC_PhysicalPresence)
		return AUDIT_TSC_PP;
	if (ordinal == TPM_ORD_TSC_ResetEstablishmentBit)
		return AUDIT_TSC_REB;
	return 0;
}

bool tpm_audit_is_audited(const struct tpm_state *s, uint32_t ordinal)
{
	if (ordinal < AUDIT_BITMAP_ORDINALS)
		return s->pd.ordinal_audit[ordinal / 8] &
		       (1U << (ordinal % 8));
	return s->audit.tsc & tsc_bit(ordinal);
}

/* Set or clear the status of an ordinal the bitmap or tsc bits cover. */
static void set_status(struct tpm_state *s, uint32_t ordinal, bool on)
{
	uint8_t *p, bit;

	if (ordinal < AUDIT_BITMAP_ORDINALS) {
		p = &s->pd.ordinal_audit[ordinal / 8];
		bit = (uint8_t)(1U << (ordinal % 8));
	} else {
		p = &s->audit.tsc;
		bit = tsc_bit(ordinal);
	}
	if (on)
		*p |= bit;
	else
		*p &= (uint8_t)~bit;
}

void tpm_audit_manufacture(struct tpm_state *s)
{
	size_t i;

	memset(s->pd.ordinal_audit, 0, sizeof(s->pd.ordinal_audit));
	memset(&s->audit, 0, sizeof(s->audit));
	for (i = 0; i < ARRAY_SIZE(audit_defaults); i++)
		set_status(s, audit_defaults[i], true);
}

void tpm_audit_owner_clear(struct tpm_state *s)
{
	/* The counter is monotonic: it survives the owner. */
	uint32_t counter = s->audit.counter;

	tpm_audit_manufacture(s);
	s->audit.counter = counter;
}

void tpm_audit_startup_clear(struct tpm_state *s)
{
	/* TPM_STARTUP_EFFECTS bit 6 (capability.c): the digest is zeroed
	 * by Startup(ST_CLEAR) only; Startup(ST_STATE) resumes it. */
	memset(s->audit.digest, 0, sizeof(s->audit.digest));
}

static int counter_value_put(struct tpm_buf *b, const struct tpm_state *s)
{
	/* The audit counter has no label: four zero bytes. */
	static const uint8_t label[TPM_COUNTER_LABEL_SIZE];

	return tpm_counter_value_put(b, label, s->audit.counter);
}

/* auditDigest = SHA1(auditDigest || TPM_AUDIT_EVENT_IN/OUT(@param)). */
static int extend(struct tpm_state *s, uint16_t tag,
		  const uint8_t param[TPM_DIGEST_SIZE])
{
	uint8_t ev[AUDIT_EVENT_SIZE];
	struct tpm_buf b;

	tb_init_write(&b, ev, sizeof(ev));
	if (tb_put_u16(&b, tag) || tb_put_bytes(&b, param, TPM_DIGEST_SIZE) ||
	    counter_value_put(&b, s))
		return -ENOSPC;
	return tpm_sha1_v(s->audit.digest, s->audit.digest,
			  sizeof(s->audit.digest), ev, b.len, NULL);
}

/* Part 1, 8 "Audit Generation" 2.a-c: start a digest (counting it) if
 * none is open, then extend with the input event. */
static int audit_in(struct tpm_state *s, const uint8_t in[TPM_DIGEST_SIZE])
{
	static const uint8_t zero[TPM_DIGEST_SIZE];

	if (!memcmp(s->audit.digest, zero, sizeof(zero))) {
		/* 2.a.i: a new audit session bumps the monotonic counter. */
		s->audit.counter++;
		tpm_mark_dirty(s);
	}
	return extend(s, TPM_TAG_AUDIT_EVENT_IN, in);
}

/* Audit failure (Part 1, 8 error rules 1-2): failure mode, and the
 * command's success is reported as TPM_AUDITFAIL_SUCCESSFUL. */
static TPM_RESULT audit_failed(struct tpm_state *s)
{
	tpm_enter_failure_mode(s, TPM_FAIL);
	return TPM_AUDITFAIL_SUCCESSFUL;
}

TPM_RESULT tpm_audit_before(struct tpm_cmd *c)
{
	/* Corner case 3.a: SaveState audits only its input, before the
	 * state is saved, and whatever the result. */
	if (c->ordinal == TPM_ORD_SaveState && audit_in(c->s, c->in_digest))
		return audit_failed(c->s);
	return TPM_SUCCESS;
}

TPM_RESULT tpm_audit_after(struct tpm_cmd *c, const uint8_t *out,
			   size_t len)
{
	uint8_t hdr[8], digest[TPM_DIGEST_SIZE];

	if (c->ordinal == TPM_ORD_SaveState)
		return TPM_SUCCESS;
	/* outParamDigest = SHA1(returnCode || ordinal || out params), the
	 * HMAC digest rules (Part 1, 8 step 2.d.i.1). */
	tb_wr_be32(hdr, TPM_SUCCESS);
	tb_wr_be32(hdr + 4, c->ordinal);
	if (tpm_sha1_v(digest, hdr, sizeof(hdr), out, len, NULL) ||
	    audit_in(c->s, c->in_digest) ||
	    extend(c->s, TPM_TAG_AUDIT_EVENT_OUT, digest))
		return audit_failed(c->s);
	return TPM_SUCCESS;
}

/* Is @ordinal one this TPM executes (Part 3, 8.5 step 2.a)? */
static bool supported(uint32_t ordinal)
{
	return tpm_dispatch_lookup(ordinal) != NULL &&
	       (ordinal < AUDIT_BITMAP_ORDINALS || tsc_bit(ordinal));
}

/* Write the audited ordinals >= @start as u32s (ordList).  The list
 * always fits a response: at most 258 ordinals. */
static int ord_list_put(struct tpm_buf *b, const struct tpm_state *s,
			uint32_t start)
{
	static const uint32_t tsc[] = { TPM_ORD_TSC_PhysicalPresence,
					TPM_ORD_TSC_ResetEstablishmentBit };
	uint32_t ord;
	size_t i;

	for (ord = start; ord < AUDIT_BITMAP_ORDINALS; ord++) {
		if (tpm_audit_is_audited(s, ord) && tb_put_u32(b, ord))
			return -ENOSPC;
	}
	for (i = 0; i < ARRAY_SIZE(tsc); i++) {
		if (tsc[i] >= start && tpm_audit_is_audited(s, tsc[i]) &&
		    tb_put_u32(b, tsc[i]))
			return -ENOSPC;
	}
	return 0;
}

/* Part 3, 8.3 TPM_GetAuditDigest */
TPM_RESULT tpm_cmd_get_audit_digest(struct tpm_cmd *c, struct tpm_buf *in,
				    struct tpm_buf *out)
{
	const struct tpm_state *s = c->s;
	uint32_t start;
	size_t size_at;

	if (tb_get_u32(in, &start) || tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Steps 1-2, 5: counterValue and auditDigest. */
	if (counter_value_put(out, s) ||
	    tb_put_bytes(out, s->audit.digest, TPM_DIGEST_SIZE) ||
	    /* Step 4: the whole list always fits, so more is FALSE. */
	    tb_put_bool(out, false) || tb_put_u32(out, 0))
		return TPM_SIZE;
	/* Step 3: the audited ordinals from startOrdinal on; ordSize
	 * counts bytes. */
	size_at = out->len;
	if (ord_list_put(out, s, start))
		return TPM_SIZE;
	tb_patch_u32(out, size_at - 4, (uint32_t)(out->len - size_at));
	return TPM_SUCCESS;
}

/* Part 3, 8.4 steps 4.a-i: sign TPM_SIGN_INFO("ADIG", antiReplay, D2). */
static TPM_RESULT adig_sign(struct tpm_cmd *c, const struct tpm_key *k,
			    const uint8_t anti_replay[TPM_NONCE_SIZE],
			    const uint8_t ord_digest[TPM_DIGEST_SIZE],
			    struct tpm_buf *out)
{
	uint8_t info[SIGN_INFO_HDR + ADIG_DATA_SIZE], h1[TPM_DIGEST_SIZE];
	struct tpm_buf b;

	tb_init_write(&b, info, sizeof(info));
	if (tb_put_u16(&b, TPM_TAG_SIGNINFO) || tb_put_bytes(&b, "ADIG", 4) ||
	    tb_put_bytes(&b, anti_replay, TPM_NONCE_SIZE) ||
	    tb_put_u32(&b, ADIG_DATA_SIZE) ||
	    /* 4.g: D2 = auditDigest || counterValue || D4 */
	    tb_put_bytes(&b, c->s->audit.digest, TPM_DIGEST_SIZE) ||
	    counter_value_put(&b, c->s) ||
	    tb_put_bytes(&b, ord_digest, TPM_DIGEST_SIZE))
		return TPM_FAIL;
	if (tpm_sha1(info, b.len, h1))
		return TPM_FAIL;
	return tpm_key_sign_put(k, h1, sizeof(h1), out);
}

/* Part 3, 8.4 TPM_GetAuditDigestSigned */
TPM_RESULT tpm_cmd_get_audit_digest_signed(struct tpm_cmd *c,
					   struct tpm_buf *in,
					   struct tpm_buf *out)
{
	uint8_t anti_replay[TPM_NONCE_SIZE], ord_digest[TPM_DIGEST_SIZE];
	uint8_t list[4 * (AUDIT_BITMAP_ORDINALS + 2)];
	struct tpm_buf lb;
	struct tpm_key *k;
	uint32_t handle;
	bool close_audit;
	TPM_RESULT rc;

	if (tb_get_u32(in, &handle) || tb_get_bool(in, &close_audit) ||
	    tb_get_bytes(in, anti_replay, sizeof(anti_replay)) ||
	    tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;

	/* Step 1: keyAuth (or none for a TPM_AUTH_NEVER key). */
	rc = tpm_key_use(c, handle, &k);
	if (rc)
		return rc;
	/* Step 2 */
	if (k->usage != TPM_KEY_SIGNING && k->usage != TPM_KEY_IDENTITY &&
	    k->usage != TPM_KEY_LEGACY)
		return TPM_INVALID_KEYUSAGE;
	/* Step 3 */
	if (k->parms.sig_scheme != TPM_SS_RSASSAPKCS1v15_SHA1 &&
	    k->parms.sig_scheme != TPM_SS_RSASSAPKCS1v15_INFO)
		return TPM_INVALID_KEYUSAGE;
	/* Step 5.b: only an identity key may close the audit session;
	 * checked before anything is returned. */
	if (close_audit && k->usage != TPM_KEY_IDENTITY)
		return TPM_INVALID_KEYUSAGE;
	/* Steps 4.c-d: D4 = SHA-1 of the whole ordList. */
	tb_init_write(&lb, list, sizeof(list));
	if (ord_list_put(&lb, c->s, 0) || tpm_sha1(list, lb.len, ord_digest))
		return TPM_FAIL;
	/* Outputs: counterValue, auditDigest, ordinalDigest, then sig. */
	if (counter_value_put(out, c->s) ||
	    tb_put_bytes(out, c->s->audit.digest, TPM_DIGEST_SIZE) ||
	    tb_put_bytes(out, ord_digest, TPM_DIGEST_SIZE))
		return TPM_SIZE;
	rc = adig_sign(c, k, anti_replay, ord_digest, out);
	if (rc)
		return rc;
	/* Step 5.a.i: close the audit session. */
	if (close_audit)
		memset(c->s->audit.digest, 0, sizeof(c->s->audit.digest));
	return TPM_SUCCESS;
}

/* Part 3, 8.5 TPM_SetOrdinalAuditStatus */
TPM_RESULT tpm_cmd_set_ordinal_audit_status(struct tpm_cmd *c,
					    struct tpm_buf *in,
					    struct tpm_buf *out)
{
	struct tpm_state *s = c->s;
	uint32_t ordinal;
	bool state;
	TPM_RESULT rc;

	(void)out;
	if (tb_get_u32(in, &ordinal) || tb_get_bool(in, &state) ||
	    tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Step 1: owner authorization. */
	rc = tpm_auth_owner(c);
	if (rc)
		return rc;
	/* Step 2: an ordinal this TPM supports, else TPM_BADINDEX. */
	if (!supported(ordinal))
		return TPM_BADINDEX;
	/* The audit ordinals themselves are never audited (as libtpms). */
	if (state && never_audited(ordinal))
		return TPM_BAD_PARAMETER;
	/* Step 3.  Corner case 3.b: dispatch decided before this handler
	 * ran whether this command itself is audited (initial state). */
	if (tpm_audit_is_audited(s, ordinal) != state) {
		set_status(s, ordinal, state);
		tpm_mark_dirty(s);
	}
	return TPM_SUCCESS;
}

int tpm_audit_state_put(const struct tpm_state *s, struct tpm_buf *b)
{
	if (tb_put_u32(b, s->audit.counter) || tb_put_u8(b, s->audit.tsc) ||
	    tb_put_bytes(b, s->audit.digest, TPM_DIGEST_SIZE))
		return -ENOSPC;
	return 0;
}

int tpm_audit_state_get(struct tpm_state *s, struct tpm_buf *b)
{
	struct tpm_audit_state a;

	if (tb_remaining(b) != AUDIT_SECTION_SIZE ||
	    tb_get_u32(b, &a.counter) || tb_get_u8(b, &a.tsc) ||
	    tb_get_bytes(b, a.digest, TPM_DIGEST_SIZE) || tb_expect_end(b))
		return -EBADMSG;
	if (a.tsc & ~AUDIT_TSC_MASK)
		return -EBADMSG;
	s->audit = a;
	return 0;
}
