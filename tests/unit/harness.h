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

#include <openssl/evp.h>

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

/* Fresh TPM with EK, owned (owner th_owner_auth, SRK th_srk_auth) by
 * th_take_ownership(); physical presence asserted first when @pp. */
void th_init_owned(struct th *t, bool pp);
/* Fast owned TPM without EK: owner th_owner_auth and an SRK (secret
 * th_srk_auth) installed directly, not by TakeOwnership.  Each @slot's SRK
 * is generated once per process and rebuilt from its prime afterwards. */
#define TH_SRK_SLOTS 2U
void th_init_srk(struct th *t, unsigned int slot);
/* The TPM_PUBKEY of @t's SRK (e.g. a migration destination). */
size_t th_srk_pubkey(struct th *t, uint8_t *out, size_t cap);
/* TPM_Sign of @digest with loaded key @handle (secret @auth, OIAP); OpenSSL
 * must verify the signature under the modulus of the key blob @blob. */
void th_sign_check(struct th *t, uint32_t handle, const uint8_t auth[20],
		   const uint8_t *blob, size_t blen, const uint8_t digest[20]);
/* TPM_Startup(@type); returns its code. */
uint32_t th_startup(struct th *t, uint16_t type);
/* TPM_Init, then TPM_Startup(@type), which must succeed. */
void th_restart(struct th *t, uint16_t type);

/* cmocka fixtures: a struct th in *state, fresh (th_init), owned
 * (th_init_owned without / with physical presence); th_teardown frees. */
int th_setup(void **state);
int th_setup_owned(void **state);
int th_setup_owned_pp(void **state);
int th_teardown(void **state);

/* A malformed command (STYLE 9): its bytes and the code it must get. */
struct th_vector {
	const char *title;
	const uint8_t *cmd;
	size_t len;
	uint32_t rc;
};

/* A vector from a named byte array, or from the bytes themselves. */
#define TH_VEC(title, arr, rc) { title, arr, sizeof(arr), rc }
#define TH_VEC_BYTES(title, rc, ...)					\
	{ title, (const uint8_t[]){ __VA_ARGS__ },			\
	  sizeof((const uint8_t[]){ __VA_ARGS__ }), rc }

/* Run @n vectors on @t; each must declare its own length as paramSize
 * (so the table is right) and get its code as a bare 10-byte answer,
 * else the test fails. */
void th_run_vectors(struct th *t, const struct th_vector *v, size_t n);

/* Client-side crypto (OpenSSL, independent of the engine). */
void th_sha1(const void *d, size_t n, uint8_t out[20]);
/* OpenSSL public key of modulus @n, exponent 65537; EVP_PKEY_free() it. */
EVP_PKEY *th_rsa_pub(const uint8_t *n, size_t n_len);
/* RSAES-OAEP (SHA-1, MGF1-SHA-1, label "TCPA"), as a TSS encrypts for a
 * TPM, under @pk or modulus @n; @out holds 256 bytes; returns the size. */
size_t th_oaep(EVP_PKEY *pk, const uint8_t *in, size_t len, uint8_t *out);
size_t th_oaep_n(const uint8_t *n, size_t n_len, const uint8_t *in,
		 size_t len, uint8_t *out);
/* Does @sig verify as RSASSA-PKCS1-v1_5 SHA-1 of @digest under @n? */
bool th_verify_sha1(const uint8_t *n, size_t n_len, const uint8_t digest[20],
		    const uint8_t *sig, size_t siglen);
/* A TPM_KEY12 template for CreateWrapKey (keyInfo, srkParams): RSA of
 * @bits with @flags, authDataUsage ALWAYS, no PCR info, no public key;
 * signing and identity keys sign (PKCS#1 v1.5 SHA-1), legacy keys sign
 * and encrypt, the others encrypt (OAEP). */
void th_key12_template(struct tpm_buf *b, uint16_t usage, uint32_t flags,
		       uint32_t bits);
/* The modulus inside a TPM_KEY12 blob, parsed on the client side. */
void th_key12_modulus(const uint8_t *blob, size_t len, const uint8_t **n,
		      uint32_t *n_len);

#endif /* TEST_HARNESS_H */
