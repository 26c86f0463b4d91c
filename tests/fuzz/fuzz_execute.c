// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for tpm_execute() on a state worth attacking: owned,
 * with a loaded signing key and open OIAP and OSAP sessions.  An input is
 * a sequence of commands, each prefixed by a big-endian u16 length, so
 * the fuzzer can reach multi-command states (e.g. SHA-1 threads).
 *
 * A fuzzer cannot forge HMACs, so an authorization area that names one of
 * the harness's own sessions is re-signed before the command runs: the
 * mutated parameters then reach the code behind the authorization check.
 * The sessions hold the owner, SRK and all-zero (loaded key) secrets.
 *
 * Ordinals that generate RSA keys (CreateWrapKey, MakeIdentity, EK
 * creation) are not re-signed: one success costs ~100 ms and the fuzzer
 * would spend its time in OpenSSL's prime search.  Their parsing still
 * runs (it precedes authorization); their authorized paths are unit-tested.
 *
 * Building that state costs milliseconds (RSA), so it is rebuilt every
 * FUZZ_RESET_EVERY inputs rather than every input; a crash found this way
 * is still reported with its stack, and replays of single inputs (make
 * check) always start from the fresh state.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "harness.h"

#define FUZZ_RESET_EVERY	64U
/* Commands per input beyond which the rest is ignored (keeps each run
 * bounded). */
#define FUZZ_MAX_CMDS		16U

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void fuzz_reset(void);

/* OIAP owner, OIAP SRK, OIAP zero secret, OSAP owner. */
#define FUZZ_SESSIONS		4U

static struct th fuzz_th;
static struct th_sess fuzz_sess[FUZZ_SESSIONS];
static uint8_t *base_blob;
static size_t base_len;
static uint8_t key_blob[TPM_MAX_COMMAND_SIZE];
static size_t key_len;
static unsigned int fuzz_runs;

/* Manufacture the owned TPM once and keep its saved state. */
static void make_base(void)
{
	th_init(&fuzz_th);
	th_pp(&fuzz_th);
	th_take_ownership(&fuzz_th);
	th_create_load_key(&fuzz_th, TPM_KEY_SIGNING, th_zero_auth, key_blob,
			   &key_len);
	if (tpm_state_save(fuzz_th.s, &base_blob, &base_len))
		abort();
	th_fini(&fuzz_th);
}

/* Restore the base state and open the volatile resources: the handles
 * are deterministic (0x01000001 key, 0x02000001 OIAP, 0x02000002 OSAP...)
 * so the corpus can name them. */
void fuzz_reset(void)
{
	static const uint8_t startup[] = { 0x00, 0xC1, 0, 0, 0, 12,
					   0, 0, 0, 0x99, 0x00, 0x01 };
	struct th_sess s;
	struct tpm_buf *b;
	const char *err;

	if (!base_blob)
		make_base();
	if (fuzz_th.s)
		tpm_destroy(fuzz_th.s);
	fuzz_th.s = tpm_state_load(base_blob, base_len, &err);
	if (!fuzz_th.s)
		abort();
	tpm_init(fuzz_th.s);
	th_raw(&fuzz_th, startup, sizeof(startup));
	/* The signing key, created once in make_base(), loaded again. */
	th_oiap(&fuzz_th, &s, th_srk_auth);
	s.cont = false;
	b = th_begin(&fuzz_th, TPM_ORD_LoadKey2);
	tb_put_u32(b, TPM_KH_SRK);
	tb_put_bytes(b, key_blob, key_len);
	th_out_handles(&fuzz_th, 1);
	if (th_run(&fuzz_th, 1, &s, NULL))
		abort();
	th_oiap(&fuzz_th, &fuzz_sess[0], th_owner_auth);
	th_oiap(&fuzz_th, &fuzz_sess[1], th_srk_auth);
	th_oiap(&fuzz_th, &fuzz_sess[2], th_zero_auth);
	th_osap(&fuzz_th, &fuzz_sess[3], TPM_ET_OWNER, TPM_KH_OWNER,
		th_owner_auth);
	fuzz_runs = 0;
}

static struct th_sess *find_sess(uint32_t handle)
{
	unsigned int i;

	for (i = 0; i < FUZZ_SESSIONS; i++)
		if (fuzz_sess[i].handle == handle)
			return &fuzz_sess[i];
	return NULL;
}

/*
 * Re-sign the auth areas of @cmd (a private copy) that name a harness
 * session, the way a real client would: HMAC(secret, inParamDigest ||
 * nonceEven || nonceOdd || continue).
 */
static void resign(uint8_t *cmd, size_t len)
{
	const struct tpm_cmd_desc *d;
	unsigned int nauth, i;
	uint8_t digest[20], m[61], ord[4];
	size_t plen, skip;

	if (len < TPM_HEADER_SIZE)
		return;
	nauth = tb_be16(cmd) - TPM_TAG_RQU_COMMAND;
	d = tpm_dispatch_lookup(tb_be32(cmd + 6));
	if (!d || d->ordinal == TPM_ORD_CreateWrapKey ||
	    d->ordinal == TPM_ORD_MakeIdentity ||
	    d->ordinal == TPM_ORD_CMK_CreateKey || nauth < 1 || nauth > 2 ||
	    len < TPM_HEADER_SIZE + nauth * TPM_AUTH_IN_SIZE)
		return;
	plen = len - TPM_HEADER_SIZE - nauth * TPM_AUTH_IN_SIZE;
	skip = (size_t)d->in_handles * 4;
	if (skip > plen)
		return;
	memcpy(ord, cmd + 6, 4);
	{
		uint8_t tmp[TPM_MAX_COMMAND_SIZE + 4];

		memcpy(tmp, ord, 4);
		memcpy(tmp + 4, cmd + TPM_HEADER_SIZE + skip, plen - skip);
		th_sha1(tmp, 4 + plen - skip, digest);
	}
	for (i = 0; i < nauth; i++) {
		uint8_t *a = cmd + TPM_HEADER_SIZE + plen +
			     i * TPM_AUTH_IN_SIZE;
		struct th_sess *sess = find_sess(tb_be32(a));
		unsigned int len_hmac = 20;

		if (!sess)
			continue;
		memcpy(m, digest, 20);
		memcpy(m + 20, sess->nonce_even, 20);
		memcpy(m + 40, a + 4, 20);
		m[60] = a[24];
		HMAC(EVP_sha1(), sess->secret, 20, m, sizeof(m), a + 25,
		     &len_hmac);
	}
}

/* Roll the nonces of harness sessions a successful response used. */
static void track(const uint8_t *cmd, size_t len, const uint8_t *rsp,
		  size_t rsp_len)
{
	unsigned int nauth = tb_be16(cmd) - TPM_TAG_RQU_COMMAND, i;

	if (nauth < 1 || nauth > 2 || tb_be32(rsp + 6) != TPM_SUCCESS ||
	    rsp_len < TPM_HEADER_SIZE + nauth * TPM_AUTH_OUT_SIZE ||
	    len < TPM_HEADER_SIZE + nauth * TPM_AUTH_IN_SIZE)
		return;
	for (i = 0; i < nauth; i++) {
		const uint8_t *a = cmd + len -
				   (nauth - i) * TPM_AUTH_IN_SIZE;
		const uint8_t *r = rsp + rsp_len -
				   (nauth - i) * TPM_AUTH_OUT_SIZE;
		struct th_sess *sess = find_sess(tb_be32(a));

		if (sess)
			memcpy(sess->nonce_even, r, 20);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t rsp[TPM_MAX_COMMAND_SIZE];
	static uint8_t cmd[TPM_MAX_COMMAND_SIZE];
	struct tpm_buf in;
	unsigned int n;
	size_t rsp_len;

	if (!fuzz_th.s || ++fuzz_runs >= FUZZ_RESET_EVERY)
		fuzz_reset();
	tb_init_read(&in, data, size);
	for (n = 0; n < FUZZ_MAX_CMDS && tb_remaining(&in); n++) {
		uint16_t len;

		if (tb_get_u16(&in, &len))
			break;
		if (len > tb_remaining(&in))
			len = (uint16_t)tb_remaining(&in);
		if (len > sizeof(cmd))
			len = sizeof(cmd);
		tb_get_bytes(&in, cmd, len);
		resign(cmd, len);
		if (tpm_execute(fuzz_th.s, cmd, len, rsp, &rsp_len))
			abort();
		/* Every answer must be a well-formed response. */
		if (rsp_len < 10 || rsp_len > sizeof(rsp) ||
		    tb_be32(rsp + 2) != rsp_len)
			abort();
		track(cmd, len, rsp, rsp_len);
	}
	return 0;
}
