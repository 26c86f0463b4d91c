// SPDX-License-Identifier: GPL-2.0
/*
 * Startup, state and self-test (Part 3, 3-4): TPM_Startup in its three
 * forms, the TPM_SaveState snapshot it may restore, and the self-tests.
 * Only volatile state and the snapshot change here; the snapshot reaches
 * disk through the caller's tpm_state_save() (this file only marks dirty).
 */
#include "internal.h"

/* PC Client spec 1.2 (and pcr.c's table): PCRs 16-23 have pcrReset TRUE
 * and are never restored from a saved state. */
#define PCR_RESETTABLE_FIRST	16U

/* Bits of s->test_result (and of the GetTestResult outData): which
 * self-test failed.  Zero means every test passed. */
#define SELFTEST_SHA1		0x00000001U
#define SELFTEST_HMAC		0x00000002U
#define SELFTEST_RNG		0x00000004U
#define SELFTEST_AES		0x00000008U
#define SELFTEST_EK		0x00000010U
/* Startup(ST_STATE) found no snapshot (Part 3, 3.2 step 3.a). */
#define SELFTEST_NO_SAVED_STATE	0x00000100U

/* Part 2, 4.5: a TPM_STARTUP_TYPE the engine does not know. */
static bool startup_type_valid(uint16_t type)
{
	return type == TPM_ST_CLEAR || type == TPM_ST_STATE ||
	       type == TPM_ST_DEACTIVATED;
}

/* Resources every Startup invalidates: sessions (Part 3, 3.2 step 2.a,
 * 3.b, 4.a) and the SHA-1 thread, which is never part of a saved state. */
static void startup_common_reset(struct tpm_state *s)
{
	tpm_sessions_clear(s);
	tpm_context_reset_sessions(s);	/* issue 3: context (STANY data) */
	tpm_daa_sessions_clear(s);	/* issue 3: daa (TPM_RT_DAA_TPM) */
	tpm_sha1_thread_end(s);
	/* Part 3, 3.2: TPM_STANY_FLAGS reset at Startup(any). */
	s->af.post_initialise = false;
	s->af.transport_exclusive = false;
}

/* Part 3, 3.2 step 2 (ST_CLEAR); also the base of ST_DEACTIVATED. */
static void startup_clear(struct tpm_state *s)
{
	/* 2.b: PCRs to their defaults. */
	tpm_pcr_startup_clear(s);
	/* 2.c, 2.e, 2.h: the STCLEAR flags; deactivated mirrors the
	 * permanent flag. */
	s->sf.deactivated = s->pf.deactivated;
	s->sf.disable_force_clear = false;
	s->sf.physical_presence = false;
	s->sf.physical_presence_lock = false;
	s->sf.global_lock = false;
	/* 2.g: TPM_STCLEAR_DATA: no active counter, no reset lock. */
	s->sd.count_id = 0;
	s->sd.deferred_physical_presence = 0;
	s->sd.disable_reset_lock = false;
	s->sd.nv_read_locked_any = false;
	/* 2.i: keys go, except owner-evict keys. */
	tpm_keys_flush_all(s, true);
	tpm_context_startup_clear(s);	/* issue 3: context (STCLEAR) */
	/* NV bReadSTClear / bWriteSTClear. */
	tpm_nv_startup_clear(s);
}

/*
 * Part 3, 3.2 step 3 (ST_STATE): restore the snapshot.  Resettable PCRs
 * keep their reset value (3.c.i).  Loaded keys are not part of the
 * snapshot: those still in memory stay, nothing else is reloaded.
 */
static TPM_RESULT startup_state(struct tpm_state *s)
{
	unsigned int i;

	/* 3.a: no state to restore: failure mode. */
	if (!s->saved_valid) {
		tpm_enter_failure_mode(s, SELFTEST_NO_SAVED_STATE);
		return TPM_FAILEDSELFTEST;
	}
	tpm_pcr_startup_clear(s);
	for (i = 0; i < PCR_RESETTABLE_FIRST; i++)
		memcpy(s->sd.pcr[i], s->saved_sd.pcr[i], TPM_DIGEST_SIZE);
	/* 3.e: every TPM_STCLEAR_FLAGS and TPM_STCLEAR_DATA value. */
	s->sd.count_id = s->saved_sd.count_id;
	s->sd.deferred_physical_presence =
		s->saved_sd.deferred_physical_presence;
	s->sd.disable_reset_lock = s->saved_sd.disable_reset_lock;
	s->sd.nv_read_locked_any = s->saved_sd.nv_read_locked_any;
	s->sf = s->saved_sf;
	return TPM_SUCCESS;
}

void tpm_saved_state_invalidate(struct tpm_state *s)
{
	if (!s->saved_valid)
		return;
	tpm_wipe(&s->saved_sd, sizeof(s->saved_sd));
	tpm_wipe(&s->saved_sf, sizeof(s->saved_sf));
	s->saved_valid = false;
	/* The blob on disk may still carry the snapshot. */
	tpm_mark_dirty(s);
}

/* Part 3, 3.2 TPM_Startup */
TPM_RESULT tpm_cmd_startup(struct tpm_cmd *c, struct tpm_buf *in,
			   struct tpm_buf *out)
{
	struct tpm_state *s = c->s;
	uint16_t type;
	TPM_RESULT rc = TPM_SUCCESS;

	(void)out;
	if (tb_get_u16(in, &type) || tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Step 1 (postInitialise FALSE -> TPM_INVALID_POSTINIT) is
	 * dispatch's started check.  An unknown type leaves the TPM
	 * waiting for a valid Startup. */
	if (!startup_type_valid(type))
		return TPM_BAD_PARAMETER;

	startup_common_reset(s);
	switch (type) {
	case TPM_ST_CLEAR:
		startup_clear(s);
		/* audit.c: Startup(ST_CLEAR) closes the audit digest. */
		tpm_audit_startup_clear(s);
		break;
	case TPM_ST_STATE:
		rc = startup_state(s);
		break;
	default:
		/* Step 4: a clear start, then deactivated until the next
		 * TPM_Init. */
		startup_clear(s);
		s->sf.deactivated = true;
		break;
	}
	/* Step 5: the TPM_SaveState state is consumed by any Startup. */
	tpm_saved_state_invalidate(s);
	/* A new tick session: the nonce tells ticks of different sessions
	 * apart (Part 2, 15.1). */
	if (tpm_rand(s->tick_nonce, TPM_NONCE_SIZE))
		return TPM_FAIL;
	s->tick_base_us = tpm_now_us();
	/* Step 6: postInitialise FALSE.  Even a failed ST_STATE leaves the
	 * TPM started, so GetTestResult can report the failure. */
	s->post_init = false;
	s->started = true;
	return rc;
}

/*
 * Part 3, 3.3 TPM_SaveState.  The snapshot is TPM_STCLEAR_DATA and
 * TPM_STCLEAR_FLAGS (actions 3-4); keys and sessions are not preserved
 * (actions 5, 7, 8 are SHOULD/MAY; owner-evict keys are persistent
 * anyway).  Action 4/5: dispatch calls tpm_saved_state_invalidate() for
 * every later command but TPM_Startup, so a snapshot never outlives a
 * change of the values it mirrors.
 */
TPM_RESULT tpm_cmd_save_state(struct tpm_cmd *c, struct tpm_buf *in,
			      struct tpm_buf *out)
{
	struct tpm_state *s = c->s;

	(void)out;
	if (tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	s->saved_sd = s->sd;
	s->saved_sf = s->sf;
	s->saved_valid = true;
	/* Action 1: preserved values must be non-volatile. */
	tpm_mark_dirty(s);
	return TPM_SUCCESS;
}

/* Known-answer tests of the hash, MAC and cipher; bits of failures. */
static uint32_t selftest_algorithms(void)
{
	/* FIPS 180-1 A.1: SHA-1("abc"). */
	static const uint8_t sha1_abc[TPM_DIGEST_SIZE] = {
		0xa9, 0x99, 0x3e, 0x36, 0x47, 0x06, 0x81, 0x6a, 0xba, 0x3e,
		0x25, 0x71, 0x78, 0x50, 0xc2, 0x6c, 0x9c, 0xd0, 0xd8, 0x9d,
	};
	/* RFC 2202 test case 2. */
	static const uint8_t hmac_jefe[TPM_DIGEST_SIZE] = {
		0xef, 0xfc, 0xdf, 0x6a, 0xe5, 0xeb, 0x2f, 0xa2, 0xd2, 0x74,
		0x16, 0xd5, 0xf1, 0x84, 0xdf, 0x9c, 0x25, 0x9a, 0x7c, 0x79,
	};
	/* FIPS 197 C.1: AES-128(000102..0f, 00112233..ff); in CTR mode
	 * with that block as IV, the first keystream block. */
	static const uint8_t aes_key[16] = {
		0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
		0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	};
	static const uint8_t aes_pt[16] = {
		0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
		0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
	};
	static const uint8_t aes_ct[16] = {
		0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b, 0x04, 0x30,
		0xd8, 0xcd, 0xb7, 0x80, 0x70, 0xb4, 0xc5, 0x5a,
	};
	static const uint8_t zero[16];
	uint8_t d[TPM_DIGEST_SIZE], r1[TPM_NONCE_SIZE], r2[TPM_NONCE_SIZE];
	uint8_t blk[16];
	uint32_t failed = 0;

	if (tpm_sha1("abc", 3, d) || memcmp(d, sha1_abc, sizeof(d)))
		failed |= SELFTEST_SHA1;
	if (tpm_hmac_sha1_v((const uint8_t *)"Jefe", 4, d,
			    "what do ya want for nothing?", (size_t)28,
			    NULL) || memcmp(d, hmac_jefe, sizeof(d)))
		failed |= SELFTEST_HMAC;
	if (tpm_rand(r1, sizeof(r1)) || tpm_rand(r2, sizeof(r2)) ||
	    !memcmp(r1, r2, sizeof(r1)))
		failed |= SELFTEST_RNG;
	if (tpm_aes_ctr(aes_key, sizeof(aes_key), aes_pt, zero, blk,
			sizeof(blk)) || memcmp(blk, aes_ct, sizeof(blk)))
		failed |= SELFTEST_AES;
	return failed;
}

/* Part 3, 4.1: "the EK ... can encrypt and decrypt a known value". */
static uint32_t selftest_ek(const struct tpm_state *s)
{
	uint8_t clear[TPM_NONCE_SIZE], dec[TPM_NONCE_SIZE];
	uint8_t enc[TPM_MAX_KEY_BYTES];
	size_t elen, dlen;
	uint32_t failed = 0;

	if (!s->pd.ek.valid || !s->pd.ek.rsa)
		return 0;	/* No EK yet: nothing to test. */
	if (tpm_rand(clear, sizeof(clear)) ||
	    tpm_rsa_oaep_encrypt(s->pd.ek.rsa, clear, sizeof(clear), enc,
				 sizeof(enc), &elen) ||
	    tpm_rsa_oaep_decrypt(s->pd.ek.rsa, enc, elen, dec, sizeof(dec),
				 &dlen) ||
	    dlen != sizeof(clear) || memcmp(clear, dec, dlen))
		failed = SELFTEST_EK;
	tpm_wipe(dec, sizeof(dec));
	return failed;
}

/* Run every self-test; a failure enters failure mode (Part 3, 4.1
 * action 2). */
static TPM_RESULT selftest_run(struct tpm_state *s)
{
	uint32_t failed = selftest_algorithms() | selftest_ek(s);

	s->test_result = failed;
	if (failed) {
		tpm_enter_failure_mode(s, failed);
		return TPM_FAILEDSELFTEST;
	}
	s->selftest_done = true;
	return TPM_SUCCESS;
}

/* Part 3, 4.1 TPM_SelfTestFull */
TPM_RESULT tpm_cmd_self_test_full(struct tpm_cmd *c, struct tpm_buf *in,
				  struct tpm_buf *out)
{
	(void)out;
	if (tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Action 1: test every internal function, then answer. */
	return selftest_run(c->s);
}

/* Part 3, 4.2 TPM_ContinueSelfTest */
TPM_RESULT tpm_cmd_continue_self_test(struct tpm_cmd *c, struct tpm_buf *in,
				      struct tpm_buf *out)
{
	struct tpm_state *s = c->s;

	(void)out;
	if (tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Action 1: with FIPS or TPMpost every test runs again; otherwise
	 * only what has not been tested yet, here all or nothing.  The
	 * tests run before the answer (action 2 allows either order). */
	if (s->pf.fips || s->pf.tpm_post || !s->selftest_done)
		return selftest_run(s);
	return TPM_SUCCESS;
}

/*
 * Part 3, 4.3 TPM_GetTestResult.  outData (vendor specific, 6 bytes):
 * u32 failed-test bitmap (SELFTEST_* above; 0 = all passed or not run),
 * BOOL self-test completed, BOOL failure mode.  Nothing in it identifies
 * an individual TPM (action 2).
 */
TPM_RESULT tpm_cmd_get_test_result(struct tpm_cmd *c, struct tpm_buf *in,
				   struct tpm_buf *out)
{
	const struct tpm_state *s = c->s;
	uint8_t data[6];

	if (tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	tb_wr_be32(data, s->test_result);
	data[4] = s->selftest_done;
	data[5] = s->failure_mode;
	if (tb_put_sized(out, data, sizeof(data)))
		return TPM_SIZE;
	return TPM_SUCCESS;
}
