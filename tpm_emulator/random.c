// SPDX-License-Identifier: GPL-2.0
/*
 * TPM_GetRandom and TPM_StirRandom (Part 3, 13.6-13.7).  The generator is
 * OpenSSL's DRBG (crypto.c); this file only frames requests.
 */
#include "internal.h"

/* Part 3, 13.6: the TPM may return fewer bytes than asked; we return at
 * most what fits in one response (header + size field). */
#define TPM_MAX_RANDOM_BYTES	(TPM_MAX_COMMAND_SIZE - TPM_HEADER_SIZE - 4)
/* Part 3, 13.7 step 1: dataSize must be < 256. */
#define TPM_MAX_STIR_BYTES	255U

/* Part 3, 13.6 TPM_GetRandom */
TPM_RESULT tpm_cmd_get_random(struct tpm_cmd *c, struct tpm_buf *in,
			      struct tpm_buf *out)
{
	uint32_t requested;
	uint8_t *p;

	(void)c;
	if (tb_get_u32(in, &requested) || tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	if (requested > TPM_MAX_RANDOM_BYTES)
		requested = TPM_MAX_RANDOM_BYTES;
	if (tb_put_u32(out, requested) || tb_reserve(out, &p, requested))
		return TPM_SIZE;
	if (tpm_rand(p, requested))
		return TPM_FAIL;
	return TPM_SUCCESS;
}

/* Part 3, 13.7 TPM_StirRandom */
TPM_RESULT tpm_cmd_stir_random(struct tpm_cmd *c, struct tpm_buf *in,
			       struct tpm_buf *out)
{
	const uint8_t *data;
	uint32_t n;

	(void)c;
	(void)out;
	if (tb_get_sized(in, &data, &n, UINT32_MAX) || tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Step 1: reject oversized entropy rather than truncate it. */
	if (n > TPM_MAX_STIR_BYTES)
		return TPM_BAD_PARAMETER;
	tpm_rand_stir(data, n);
	return TPM_SUCCESS;
}
