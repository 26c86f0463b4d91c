/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DAA (Part 2, 22; Part 3, 26): the in-memory forms of TPM_DAA_ISSUER,
 * TPM_DAA_TPM, TPM_DAA_CONTEXT and TPM_DAA_JOINDATA, the DAA session table
 * and the three persistent DAA secrets.  Included by structures.h only;
 * the wire forms are written and parsed by daa.c alone.
 */
#ifndef TPM_DAA_H
#define TPM_DAA_H

#include <stdbool.h>
#include <stdint.h>

/* Part 2, 22.1: DAA sizes in bytes (the 2048-bit issuer modulus). */
#define DAA_SIZE_r0		43U
#define DAA_SIZE_r1		43U
#define DAA_SIZE_r2		128U
#define DAA_SIZE_r3		168U
#define DAA_SIZE_r4		219U
#define DAA_SIZE_NT		20U
#define DAA_SIZE_v0		128U
#define DAA_SIZE_v1		192U
#define DAA_SIZE_NE		256U
#define DAA_SIZE_w		256U
#define DAA_SIZE_issuerModulus	256U
#define DAA_SIZE_q		26U	/* DAA_generic_q */
#define DAA_SIZE_u1		138U	/* DAA_join_u1 */
/* Part 2, 22.1: bit splits of f (DAA_power0) and of v (DAA_power1). */
#define DAA_power0		104U
#define DAA_power1		1024U
/* Concurrent DAA_Join/DAA_Sign sessions (Part 3, 26.1 step 0.a.i asks
 * for at least one). */
#define TPM_MAX_DAA_SESSIONS	2U
/* Bytes of the AES-128 daaBlobKey. */
#define DAA_BLOB_KEY_SIZE	16U
#define DAA_DIGEST_SIZE		20U

/* Part 2, 22.3: TPM_DAA_ISSUER (without its tag). */
struct tpm_daa_issuer {
	uint8_t digest_r0[DAA_DIGEST_SIZE];
	uint8_t digest_r1[DAA_DIGEST_SIZE];
	uint8_t digest_s0[DAA_DIGEST_SIZE];
	uint8_t digest_s1[DAA_DIGEST_SIZE];
	uint8_t digest_n[DAA_DIGEST_SIZE];
	uint8_t digest_gamma[DAA_DIGEST_SIZE];
	uint8_t generic_q[DAA_SIZE_q];
};

/* Part 2, 22.4: TPM_DAA_TPM. */
struct tpm_daa_tpm {
	uint8_t digest_issuer[DAA_DIGEST_SIZE];
	uint8_t digest_v0[DAA_DIGEST_SIZE];
	uint8_t digest_v1[DAA_DIGEST_SIZE];
	uint8_t rekey[DAA_DIGEST_SIZE];
	uint32_t count;
};

/* Part 2, 22.5: TPM_DAA_CONTEXT; scratch_null marks the spec's
 * "DAA_scratch = NULL". */
struct tpm_daa_context {
	uint8_t digest_context[DAA_DIGEST_SIZE];
	uint8_t digest[DAA_DIGEST_SIZE];
	uint8_t context_seed[DAA_DIGEST_SIZE];
	uint8_t scratch[DAA_SIZE_issuerModulus];
	uint8_t stage;
	bool scratch_null;
};

/* Part 2, 22.6: TPM_DAA_JOINDATA. */
struct tpm_daa_joindata {
	uint8_t u0[DAA_SIZE_v0];
	uint8_t u1[DAA_SIZE_u1];
	uint8_t digest_n0[DAA_DIGEST_SIZE];
};

/* One DAA_Join or DAA_Sign session (TPM_RT_DAA_TPM resource). */
struct tpm_daa_session {
	bool valid;
	uint32_t handle;
	struct tpm_daa_issuer issuer;
	struct tpm_daa_tpm tpm;
	struct tpm_daa_context ctx;
	struct tpm_daa_joindata join;
};

/* The DAA family's state: persistent secrets and volatile sessions. */
struct tpm_daa_state {
	/* Part 2, 7.4 TPM_PERMANENT_DATA: tpmDAASeed, daaProof (HMAC key
	 * of TPM_DAA_BLOB) and daaBlobKey (AES-128). */
	uint8_t seed[DAA_DIGEST_SIZE];
	uint8_t proof[DAA_DIGEST_SIZE];
	uint8_t blob_key[DAA_BLOB_KEY_SIZE];
	uint32_t handle_seq;		/* handle generator */
	struct tpm_daa_session sess[TPM_MAX_DAA_SESSIONS];
};

#endif /* TPM_DAA_H */
