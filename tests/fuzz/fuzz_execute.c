// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for tpm_execute() on a state worth attacking: owned,
 * with a loaded signing key and open OIAP and OSAP sessions.  An input is
 * a sequence of commands, each prefixed by a big-endian u16 length, so
 * the fuzzer can reach multi-command states (e.g. SHA-1 threads).
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

#include "harness.h"

#define FUZZ_RESET_EVERY	64U
/* Commands per input beyond which the rest is ignored (keeps each run
 * bounded). */
#define FUZZ_MAX_CMDS		16U

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void fuzz_reset(void);

static struct th fuzz_th;
static uint8_t *base_blob;
static size_t base_len;
static unsigned int fuzz_runs;

/* Manufacture the owned TPM once and keep its saved state. */
static void make_base(void)
{
	th_init(&fuzz_th);
	th_pp(&fuzz_th);
	th_take_ownership(&fuzz_th);
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
	th_create_load_key(&fuzz_th, TPM_KEY_SIGNING, th_zero_auth, NULL,
			   NULL);
	th_oiap(&fuzz_th, &s, th_owner_auth);
	th_osap(&fuzz_th, &s, TPM_ET_OWNER, TPM_KH_OWNER, th_owner_auth);
	fuzz_runs = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t rsp[TPM_MAX_COMMAND_SIZE];
	struct tpm_buf in;
	unsigned int n;
	size_t rsp_len;

	if (!fuzz_th.s || ++fuzz_runs >= FUZZ_RESET_EVERY)
		fuzz_reset();
	tb_init_read(&in, data, size);
	for (n = 0; n < FUZZ_MAX_CMDS && tb_remaining(&in); n++) {
		const uint8_t *cmd;
		uint16_t len;

		if (tb_get_u16(&in, &len))
			break;
		if (len > tb_remaining(&in))
			len = (uint16_t)tb_remaining(&in);
		tb_get_ref(&in, &cmd, len);
		if (tpm_execute(fuzz_th.s, cmd, len, rsp, &rsp_len))
			abort();
		/* Every answer must be a well-formed response. */
		if (rsp_len < 10 || rsp_len > sizeof(rsp) ||
		    tb_be32(rsp + 2) != rsp_len)
			abort();
	}
	return 0;
}
