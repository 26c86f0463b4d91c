/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Unit-test harness: a started engine in process and a tiny client that
 * builds commands and authorizes them.  The client side computes HMACs
 * with OpenSSL directly, never with the engine's crypto.c, so an engine
 * bug cannot verify itself.
 */
#ifndef TEST_HARNESS_H
#define TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"

/* Well-known secrets of the tests (the TSS "well-known" all-zero value
 * and two distinct ones). */
extern const uint8_t th_zero_auth[20];
extern const uint8_t th_owner_auth[20];
extern const uint8_t th_srk_auth[20];

struct th {
	struct tpm_state *s;
	uint8_t rsp[TPM_MAX_COMMAND_SIZE];
	size_t rsp_len;
	uint32_t rc;			/* return code of the last command */
	struct tpm_buf out;		/* output params of the last command */
};

/* A client-side session (OIAP or OSAP). */
struct th_sess {
	uint32_t handle;
	uint8_t nonce_even[20];
	uint8_t nonce_odd[20];
	uint8_t secret[20];		/* HMAC key: usage auth or shared */
	bool osap;
	bool cont;
};

/* Fresh TPM, started (Startup CLEAR), with EK; physical presence not yet
 * asserted.  Fails the test on error. */
void th_init(struct th *t);
/* Same without an EK. */
void th_init_no_ek(struct th *t);
void th_fini(struct th *t);

/* Run raw bytes; sets t->rc and t->out (params after the header, auth
 * areas excluded when @nauth > 0). */
uint32_t th_raw(struct th *t, const uint8_t *cmd, size_t len);

/*
 * Build-and-run.  A command is built in a struct tpm_buf obtained from
 * th_begin(); the caller appends parameters; th_run() finishes it with
 * 0, 1 or 2 auth areas (sessions may be NULL for 0) and executes it.
 * @handles is the number of leading 4-byte handles excluded from the
 * inParamDigest.  Response auth areas are verified (test fails if a
 * successful response has a bad HMAC).
 */
struct tpm_buf *th_begin(struct th *t, uint32_t ordinal);
uint32_t th_run(struct th *t, unsigned int handles, struct th_sess *s1,
		struct th_sess *s2);
/* Number of leading output handles excluded from outParamDigest, set
 * before th_run() when a command returns handles (LoadKey2). */
void th_out_handles(struct th *t, unsigned int n);

/* Sessions: OIAP with usage secret; OSAP for (entity type, value) with
 * the entity's secret (computes the shared secret). */
uint32_t th_oiap(struct th *t, struct th_sess *s, const uint8_t secret[20]);
uint32_t th_osap(struct th *t, struct th_sess *s, uint16_t et, uint32_t ev,
		 const uint8_t secret[20]);
/* ADIP: encrypt a new secret for an OSAP session (XOR scheme), with the
 * session's nonceEven, or its nonceOdd when @odd. */
void th_adip(const struct th_sess *s, const uint8_t secret[20], bool odd,
	     uint8_t enc[20]);

/* Assert physical presence by command (CMD_ENABLE, PRESENT). */
void th_pp(struct th *t);
/* TakeOwnership with th_owner_auth / th_srk_auth (OAEP under the EK). */
void th_take_ownership(struct th *t);
/* Create (under the SRK) and load a 2048-bit key of @usage with usage
 * secret @auth; returns its handle.  @blob/@blob_len receive the wrapped
 * key if not NULL (blob must hold TPM_MAX_COMMAND_SIZE bytes). */
uint32_t th_create_load_key(struct th *t, uint16_t usage,
			    const uint8_t auth[20], uint8_t *blob,
			    size_t *blob_len);

/* Client-side crypto (OpenSSL, independent of the engine). */
void th_sha1(const void *d, size_t n, uint8_t out[20]);

#endif /* TEST_HARNESS_H */
