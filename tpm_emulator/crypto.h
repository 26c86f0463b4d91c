/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Crypto wrappers over OpenSSL libcrypto: the only file that includes
 * OpenSSL headers is crypto.c.  No algorithm is implemented by hand but
 * the MGF1 loop and the seeded OAEP encoding OpenSSL does not offer.
 * All functions return 0 or a negative errno.
 */
#ifndef TPM_CRYPTO_H
#define TPM_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define TPM_SHA1_SIZE 20U

/* Incremental SHA-1 (TPM_SHA1Start etc. and long digests). */
struct tpm_sha1_ctx {
	void *md;		/* EVP_MD_CTX *, opaque here */
};

int tpm_sha1_init(struct tpm_sha1_ctx *c);
int tpm_sha1_update(struct tpm_sha1_ctx *c, const void *d, size_t n);
/* Writes the digest and frees the context. */
int tpm_sha1_final(struct tpm_sha1_ctx *c, uint8_t out[TPM_SHA1_SIZE]);
/* Frees a context without a result (idempotent). */
void tpm_sha1_abort(struct tpm_sha1_ctx *c);

/* One-shot SHA-1 of one buffer. */
int tpm_sha1(const void *d, size_t n, uint8_t out[TPM_SHA1_SIZE]);

/*
 * SHA-1 over a list of (const void *ptr, size_t len) pairs ended by a NULL
 * pointer: tpm_sha1_v(out, a, alen, b, blen, NULL).
 */
int tpm_sha1_v(uint8_t out[TPM_SHA1_SIZE], ...);

/* HMAC-SHA-1 over (ptr, len) pairs ended by NULL, as tpm_sha1_v(). */
int tpm_hmac_sha1_v(const uint8_t *key, size_t klen,
		    uint8_t out[TPM_SHA1_SIZE], ...);

/* MGF1 with SHA-1 (PKCS#1 v2.1 B.2.1): fill out[0..n) from seed. */
int tpm_mgf1_sha1(uint8_t *out, size_t n, const uint8_t *seed, size_t slen);

/* EME-OAEP (PKCS#1 v2.0, SHA-1, no leading zero byte) with a chosen seed
 * and pHash: the encoding of migration and maintenance blobs (Part 3, 11.2
 * step 5c, 12.1 step 7).  Overhead: seed, pHash and the 0x01 separator. */
#define TPM_OAEP_SEEDED_OVERHEAD (2U * TPM_SHA1_SIZE + 1U)
int tpm_oaep_encode_seeded(uint8_t *out, size_t len, const uint8_t *m,
			   size_t mlen, const uint8_t phash[TPM_SHA1_SIZE],
			   const uint8_t seed[TPM_SHA1_SIZE]);
/* In place: out[0..20) is then the seed, out[20..40) the pHash. */
int tpm_oaep_decode_seeded(uint8_t *buf, size_t len, const uint8_t **m,
			   size_t *mlen);

/* Cryptographically secure random bytes. */
int tpm_rand(void *out, size_t n);
/* Mix caller entropy into the generator (TPM_StirRandom). */
void tpm_rand_stir(const void *d, size_t n);

/* Constant-time comparison: 0 when equal. */
int tpm_memcmp_ct(const void *a, const void *b, size_t n);

/* RSA key, private (with CRT parameters, blinding on) or public only. */
struct tpm_rsa;

/* Generate a key of @bits with public exponent e (big-endian bytes;
 * elen 0 means 65537). */
int tpm_rsa_generate(struct tpm_rsa **k, unsigned int bits,
		     const uint8_t *e, size_t elen);
/* Public key from modulus and exponent (elen 0 means 65537). */
int tpm_rsa_from_public(struct tpm_rsa **k, const uint8_t *n, size_t nlen,
			const uint8_t *e, size_t elen);
/* Private key from modulus, exponent and one prime p (the TPM stores only
 * p in TPM_STORE_PRIVKEY); q, d and the CRT values are derived.
 * -EBADMSG when p does not divide n. */
int tpm_rsa_from_prime(struct tpm_rsa **k, const uint8_t *n, size_t nlen,
		       const uint8_t *e, size_t elen,
		       const uint8_t *p, size_t plen);
void tpm_rsa_free(struct tpm_rsa *k);
/* Modulus size in bytes. */
size_t tpm_rsa_size(const struct tpm_rsa *k);
/* Big-endian modulus / first prime, written to out (cap bytes); *len set. */
int tpm_rsa_get_modulus(const struct tpm_rsa *k, uint8_t *out, size_t cap,
			size_t *len);
int tpm_rsa_get_prime(const struct tpm_rsa *k, uint8_t *out, size_t cap,
		      size_t *len);
int tpm_rsa_is_private(const struct tpm_rsa *k);

/* RSAES-OAEP, SHA-1, MGF1-SHA-1, label "TCPA" (Part 1, 31.1.1). */
int tpm_rsa_oaep_encrypt(const struct tpm_rsa *k, const uint8_t *in,
			 size_t inlen, uint8_t *out, size_t cap,
			 size_t *outlen);
int tpm_rsa_oaep_decrypt(const struct tpm_rsa *k, const uint8_t *in,
			 size_t inlen, uint8_t *out, size_t cap,
			 size_t *outlen);
/* RSAES-PKCS1-v1_5 (TPM_ES_RSAESPKCSv15). */
int tpm_rsa_pkcs1_encrypt(const struct tpm_rsa *k, const uint8_t *in,
			  size_t inlen, uint8_t *out, size_t cap,
			  size_t *outlen);
int tpm_rsa_pkcs1_decrypt(const struct tpm_rsa *k, const uint8_t *in,
			  size_t inlen, uint8_t *out, size_t cap,
			  size_t *outlen);
/* RSASSA-PKCS1-v1_5 with SHA-1 DigestInfo over a 20-byte digest
 * (TPM_SS_RSASSAPKCS1v15_SHA1). */
int tpm_rsa_sign_sha1(const struct tpm_rsa *k,
		      const uint8_t digest[TPM_SHA1_SIZE], uint8_t *sig,
		      size_t cap, size_t *siglen);
/* PKCS#1 v1.5 type-1 padding of the raw data, no DigestInfo added
 * (TPM_SS_RSASSAPKCS1v15_DER: the caller supplies a DER DigestInfo). */
int tpm_rsa_sign_raw(const struct tpm_rsa *k, const uint8_t *data,
		     size_t dlen, uint8_t *sig, size_t cap, size_t *siglen);
/* Verify a TPM_SS_RSASSAPKCS1v15_SHA1 signature: 0 or -EBADMSG. */
int tpm_rsa_verify_sha1(const struct tpm_rsa *k,
			const uint8_t digest[TPM_SHA1_SIZE],
			const uint8_t *sig, size_t siglen);
/* Raw RSA public operation (m^e mod n), for blobs whose padding the TPM
 * checks itself. */
int tpm_rsa_public_raw(const struct tpm_rsa *k, const uint8_t *in,
		       size_t inlen, uint8_t *out, size_t cap,
		       size_t *outlen);

/* AES (128/192/256 by klen) in the modes the TPM uses. */
int tpm_aes_ctr(const uint8_t *key, size_t klen, const uint8_t iv[16],
		const uint8_t *in, uint8_t *out, size_t n);
int tpm_aes_ofb(const uint8_t *key, size_t klen, const uint8_t iv[16],
		const uint8_t *in, uint8_t *out, size_t n);
/* CBC with PKCS#5 padding; out needs inlen + 16 bytes for encryption. */
int tpm_aes_cbc_encrypt(const uint8_t *key, size_t klen,
			const uint8_t iv[16], const uint8_t *in, size_t inlen,
			uint8_t *out, size_t cap, size_t *outlen);
int tpm_aes_cbc_decrypt(const uint8_t *key, size_t klen,
			const uint8_t iv[16], const uint8_t *in, size_t inlen,
			uint8_t *out, size_t cap, size_t *outlen);

#endif /* TPM_CRYPTO_H */
