// SPDX-License-Identifier: GPL-2.0
/*
 * The tick counter (Part 1, 20; Part 3, 23): ticks are microseconds of
 * CLOCK_MONOTONIC since TPM_Startup, qualified by a tick session nonce
 * that changes at every Startup, so stamps of different sessions are
 * never comparable.  TPM_GetTicks and TPM_TickStampBlob.
 */
#include <errno.h>
#include <time.h>

#include "internal.h"

/* Part 2, 15.1: tickRate is microseconds per tick. */
#define TPM_TICK_RATE_US	1U

uint64_t tpm_now_us(void)
{
	struct timespec ts;

	/* CLOCK_MONOTONIC cannot fail on Linux with a valid pointer. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000U + (uint64_t)ts.tv_nsec / 1000U;
}

/* Part 2, 15.1 TPM_CURRENT_TICKS */
int tpm_current_ticks_put(struct tpm_state *s, struct tpm_buf *out)
{
	uint64_t now = tpm_now_us();
	uint64_t ticks = now > s->tick_base_us ? now - s->tick_base_us : 0;

	if (tb_put_u16(out, TPM_TAG_CURRENT_TICKS) ||
	    tb_put_u64(out, ticks / TPM_TICK_RATE_US) ||
	    tb_put_u16(out, TPM_TICK_RATE_US) ||
	    tb_put_bytes(out, s->tick_nonce, TPM_NONCE_SIZE))
		return -ENOSPC;
	return 0;
}

/* Part 3, 23.1 TPM_GetTicks */
TPM_RESULT tpm_cmd_get_ticks(struct tpm_cmd *c, struct tpm_buf *in,
			     struct tpm_buf *out)
{
	if (tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	return tpm_current_ticks_put(c->s, out) ? TPM_SIZE : TPM_SUCCESS;
}

/* Part 3, 23.2 TPM_TickStampBlob */
TPM_RESULT tpm_cmd_tick_stamp_blob(struct tpm_cmd *c, struct tpm_buf *in,
				   struct tpm_buf *out)
{
	uint8_t anti_replay[TPM_NONCE_SIZE], stamp[TPM_DIGEST_SIZE];
	uint8_t info[128], digest[TPM_DIGEST_SIZE];
	struct tpm_buf ib, ticks;
	struct tpm_key *k;
	uint32_t handle;
	size_t tstart;
	TPM_RESULT rc;

	if (tb_get_u32(in, &handle) ||
	    tb_get_bytes(in, anti_replay, sizeof(anti_replay)) ||
	    tb_get_bytes(in, stamp, sizeof(stamp)) || tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	rc = tpm_key_use(c, handle, &k);
	if (rc)
		return rc;
	/* Step 3: only keys that may sign arbitrary structures. */
	if (k->usage != TPM_KEY_SIGNING && k->usage != TPM_KEY_LEGACY &&
	    k->usage != TPM_KEY_IDENTITY)
		return TPM_INVALID_KEYUSAGE;
	if (k->parms.sig_scheme != TPM_SS_RSASSAPKCS1v15_SHA1 &&
	    k->parms.sig_scheme != TPM_SS_RSASSAPKCS1v15_INFO)
		return TPM_INAPPROPRIATE_SIG;
	tstart = out->len;
	if (tpm_current_ticks_put(c->s, out))
		return TPM_SIZE;
	tb_init_read(&ticks, out->data + tstart, out->len - tstart);
	/* Step 5: TPM_SIGN_INFO{"TSTP", antiReplay, digest || ticks}. */
	tb_init_write(&ib, info, sizeof(info));
	if (tb_put_u16(&ib, TPM_TAG_SIGNINFO) ||
	    tb_put_bytes(&ib, "TSTP", 4) ||
	    tb_put_bytes(&ib, anti_replay, sizeof(anti_replay)) ||
	    tb_put_u32(&ib, (uint32_t)(sizeof(stamp) + ticks.len)) ||
	    tb_put_bytes(&ib, stamp, sizeof(stamp)) ||
	    tb_put_bytes(&ib, ticks.data, ticks.len))
		return TPM_FAIL;
	if (tpm_sha1(ib.data, ib.len, digest))
		return TPM_FAIL;
	return tpm_key_sign_put(k, digest, sizeof(digest), out);
}
