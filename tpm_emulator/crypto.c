// SPDX-License-Identifier: GPL-2.0
/*
 * The engine's only door to OpenSSL libcrypto (3.x EVP and OSSL_PARAM APIs):
 * SHA-1, HMAC, MGF1, the RNG, RSA and AES behind the crypto.h contract.
 * No primitive is implemented here; MGF1 is only the counter loop of
 * PKCS#1 B.2.1 around EVP SHA-1, because OpenSSL 3 exports it deprecated,
 * and the seeded OAEP encoding of migration and maintenance blobs is
 * written here because OpenSSL always draws the seed itself.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Low-level SHA-1 for the hot path only: see tpm_sha1_v(). */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "crypto.h"

/* OpenSSL's OPENSSL_RSA_MAX_MODULUS_BITS; also bounds our stack buffers. */
#define RSA_MAX_BITS 16384U
#define RSA_MAX_BYTES (RSA_MAX_BITS / 8)
/* Smallest RSA key TPM 1.2 uses (512 to 2048 bits); also OpenSSL's
 * RSA_MIN_MODULUS_BITS. */
#define RSA_MIN_BITS 512U
/* PKCS#1 v2.1 7.1.1 step 1b: mLen <= k - 2hLen - 2, hLen = 20 (SHA-1). */
#define OAEP_OVERHEAD (2 * TPM_SHA1_SIZE + 2)
/* PKCS#1 v2.1 7.2.1 and 9.2: 00 || BT || PS (>= 8 bytes) || 00. */
#define PKCS1_OVERHEAD 11U
/* Public exponent meant by an empty one (TPM_RSA_KEY_PARMS exponentSize 0). */
#define RSA_DEFAULT_E 65537UL
/* AES block size in bytes (FIPS 197). */
#define AES_BLOCK 16U
/* EVP and RAND lengths are int: larger buffers are fed in 1 GiB steps. */
#define OSSL_CHUNK (1U << 30)

/*
 * Algorithm handles fetched once per process.  An implicit fetch through
 * EVP_sha1() costs a method-store lookup on every call, and an HMAC context
 * set up from scratch also looks its digest up by name; both happen on
 * every authorized command.  These handles hold no TPM state, are never
 * modified after algs_fetch() and are shared by all engines and threads.
 * If the fetch fails (only on allocation failure) every SHA-1 and HMAC
 * call returns -EIO for the life of the process.
 */
static struct {
	EVP_MD *sha1;
	EVP_MAC_CTX *hmac_sha1;	/* keyless template: only ever duplicated */
} algs;
static pthread_once_t algs_once = PTHREAD_ONCE_INIT;

static void algs_fetch(void)
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						 "SHA1", 0),
		OSSL_PARAM_END
	};
	EVP_MAC *mac;

	algs.sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (!mac)
		goto out_clear_errors;
	algs.hmac_sha1 = EVP_MAC_CTX_new(mac);
	/* The context keeps its own reference to the method. */
	EVP_MAC_free(mac);
	if (algs.hmac_sha1 && !EVP_MAC_CTX_set_params(algs.hmac_sha1, params)) {
		EVP_MAC_CTX_free(algs.hmac_sha1);
		algs.hmac_sha1 = NULL;
	}
out_clear_errors:
	ERR_clear_error();
}

static const EVP_MD *sha1_md(void)
{
	pthread_once(&algs_once, algs_fetch);
	return algs.sha1;
}

static const EVP_MAC_CTX *hmac_sha1_template(void)
{
	pthread_once(&algs_once, algs_fetch);
	return algs.hmac_sha1;
}

/*
 * Empty OpenSSL's per-thread error queue, so that a stale entry never leaks
 * into an unrelated later call, and turn an allocation failure anywhere in
 * it into -ENOMEM; otherwise return @err.
 */
static int ossl_err(int err)
{
	unsigned long e;

	while ((e = ERR_get_error()) != 0)
		if (ERR_GET_REASON(e) == ERR_GET_REASON(ERR_R_MALLOC_FAILURE))
			err = -ENOMEM;
	return err;
}

/* ----------------------------------------------------------------- SHA-1 */

/**
 * tpm_sha1_init() - start an incremental SHA-1.
 * @c: context to set up; on failure c->md is NULL.
 *
 * Return: 0, -ENOMEM or -EIO.
 */
int tpm_sha1_init(struct tpm_sha1_ctx *c)
{
	const EVP_MD *md = sha1_md();
	EVP_MD_CTX *x;
	int err;

	c->md = NULL;
	if (!md)
		return -EIO;
	x = EVP_MD_CTX_new();
	if (!x)
		return ossl_err(-ENOMEM);
	err = -EIO;
	if (!EVP_DigestInit_ex2(x, md, NULL))
		goto err_free_ctx;
	c->md = x;
	return 0;

err_free_ctx:
	EVP_MD_CTX_free(x);
	return ossl_err(err);
}

/**
 * tpm_sha1_update() - hash @n more bytes.
 * @c: context from tpm_sha1_init().
 * @d: data (may be NULL when @n is 0).
 * @n: length in bytes.
 *
 * On failure the context stays allocated; release it with tpm_sha1_abort().
 * Return: 0, -EINVAL for a context that is not started, or -EIO.
 */
int tpm_sha1_update(struct tpm_sha1_ctx *c, const void *d, size_t n)
{
	if (!c->md)
		return -EINVAL;
	if (!EVP_DigestUpdate(c->md, d, n))
		return ossl_err(-EIO);
	return 0;
}

/**
 * tpm_sha1_final() - write the digest and free the context.
 * @c: context from tpm_sha1_init(); freed even on failure.
 * @out: 20-byte digest.
 *
 * Return: 0, -EINVAL for a context that is not started, or -EIO.
 */
int tpm_sha1_final(struct tpm_sha1_ctx *c, uint8_t out[TPM_SHA1_SIZE])
{
	int err = 0;

	if (!c->md)
		return -EINVAL;
	if (!EVP_DigestFinal_ex(c->md, out, NULL))
		err = ossl_err(-EIO);
	tpm_sha1_abort(c);
	return err;
}

/**
 * tpm_sha1_abort() - free a context without a result.
 * @c: context; may be unstarted, finished or already aborted.
 */
void tpm_sha1_abort(struct tpm_sha1_ctx *c)
{
	EVP_MD_CTX_free(c->md);
	c->md = NULL;
}

/**
 * tpm_sha1() - one-shot SHA-1 of one buffer.
 * @d: data (may be NULL when @n is 0).
 * @n: length in bytes.
 * @out: 20-byte digest.
 *
 * Return: 0 or -EIO.
 */
int tpm_sha1(const void *d, size_t n, uint8_t out[TPM_SHA1_SIZE])
{
	const EVP_MD *md = sha1_md();

	if (!md)
		return -EIO;
	if (!EVP_Digest(d, n, out, NULL, md, NULL))
		return ossl_err(-EIO);
	return 0;
}

/**
 * tpm_sha1_v() - SHA-1 over the concatenation of several buffers.
 * @out: 20-byte digest.
 * @...: pairs (const void *ptr, size_t len), ended by a NULL ptr.
 *
 * A NULL pointer ends the list, so a zero-length item must still be given
 * a non-NULL pointer.  Each length is read as a size_t: pass sizeof() or a
 * size_t variable, and cast integer literals ((size_t)1), since a plain int
 * in a variadic list is undefined behaviour here.
 *
 * Return: 0, -ENOMEM or -EIO.
 */
int tpm_sha1_v(uint8_t out[TPM_SHA1_SIZE], ...)
{
	const void *p;
	SHA_CTX x;
	va_list ap;
	int err = 0;

	/*
	 * The hot path of every command (PCR extend, auth digests).  The
	 * EVP interface costs ~1,200 instructions per init/final around a
	 * ~900-instruction compression (OpenSSL 3 frees and reallocates
	 * its state each time); the low-level SHA-1 on a stack context has
	 * no such overhead.  It is deprecated in OpenSSL 3 but present in
	 * every 3.x release; if it goes, this function falls back to EVP.
	 */
	if (!SHA1_Init(&x))
		return -EIO;
	va_start(ap, out);
	while ((p = va_arg(ap, const void *)) != NULL) {
		if (!SHA1_Update(&x, p, va_arg(ap, size_t))) {
			err = -EIO;
			break;
		}
	}
	va_end(ap);
	if (!SHA1_Final(out, &x))
		err = -EIO;
	explicit_bzero(&x, sizeof(x));
	return err;
}

/* Feed the (ptr, size_t len) pairs of @ap, up to a NULL ptr, to a MAC. */
static int mac_items(EVP_MAC_CTX *x, va_list ap)
{
	const void *p;

	while ((p = va_arg(ap, const void *)) != NULL)
		if (!EVP_MAC_update(x, p, va_arg(ap, size_t)))
			return -EIO;
	return 0;
}

/**
 * tpm_hmac_sha1_v() - HMAC-SHA-1 (RFC 2104) over several buffers.
 * @key: HMAC key (may be NULL when @klen is 0).
 * @klen: key length in bytes; longer than 64 is hashed first, per RFC 2104.
 * @out: 20-byte MAC.
 * @...: pairs (const void *ptr, size_t len), ended by a NULL ptr, with the
 *       same rules as tpm_sha1_v() (zero-length items need a non-NULL ptr,
 *       lengths must be size_t).
 *
 * Return: 0, -ENOMEM or -EIO.
 */
int tpm_hmac_sha1_v(const uint8_t *key, size_t klen,
		    uint8_t out[TPM_SHA1_SIZE], ...)
{
	/* EVP_MAC_init() treats a NULL key as "keep the previous key". */
	static const uint8_t no_key[1];
	const EVP_MAC_CTX *tmpl = hmac_sha1_template();
	EVP_MAC_CTX *x;
	size_t len;
	va_list ap;
	int err;

	if (!tmpl)
		return -EIO;
	/* Duplicating the keyed-digest template skips the digest lookup. */
	x = EVP_MAC_CTX_dup(tmpl);
	if (!x)
		return ossl_err(-ENOMEM);
	err = -EIO;
	if (!EVP_MAC_init(x, key ? key : no_key, klen, NULL))
		goto err_free_ctx;
	va_start(ap, out);
	err = mac_items(x, ap);
	va_end(ap);
	if (err)
		goto err_free_ctx;
	err = -EIO;
	if (!EVP_MAC_final(x, out, &len, TPM_SHA1_SIZE))
		goto err_free_ctx;
	EVP_MAC_CTX_free(x);
	return 0;

err_free_ctx:
	/* Frees the copy of the key too (OpenSSL clears it first). */
	EVP_MAC_CTX_free(x);
	return ossl_err(err);
}

/**
 * tpm_mgf1_sha1() - MGF1 with SHA-1 (PKCS#1 v2.1 B.2.1).
 * @out: mask output.
 * @n: mask length in bytes.
 * @seed: seed (may be NULL when @slen is 0).
 * @slen: seed length.
 *
 * Return: 0, -EINVAL when @n exceeds 2^32 * 20 ("mask too long"), -ENOMEM
 * or -EIO.
 */
int tpm_mgf1_sha1(uint8_t *out, size_t n, const uint8_t *seed, size_t slen)
{
	const EVP_MD *md = sha1_md();
	uint8_t h[TPM_SHA1_SIZE], ctr[4];
	EVP_MD_CTX *seeded, *x;
	uint32_t i;
	size_t take;
	int err;

	if (!n)
		return 0;
	/* B.2.1 step 1: the counter is 4 bytes, so at most 2^32 blocks. */
	if ((n - 1) / TPM_SHA1_SIZE > UINT32_MAX)
		return -EINVAL;
	if (!md)
		return -EIO;
	err = -ENOMEM;
	seeded = EVP_MD_CTX_new();
	if (!seeded)
		goto err_out;
	x = EVP_MD_CTX_new();
	if (!x)
		goto err_free_seeded;
	/* Hash the seed once; each block resumes from a copy of that state. */
	err = -EIO;
	if (!EVP_DigestInit_ex2(seeded, md, NULL) ||
	    !EVP_DigestUpdate(seeded, seed, slen))
		goto err_free_x;
	/* Step 3: T = T || Hash(mgfSeed || C) for C = 0, 1, ... */
	for (i = 0; n; i++) {
		ctr[0] = (uint8_t)(i >> 24);
		ctr[1] = (uint8_t)(i >> 16);
		ctr[2] = (uint8_t)(i >> 8);
		ctr[3] = (uint8_t)i;
		if (!EVP_MD_CTX_copy_ex(x, seeded) ||
		    !EVP_DigestUpdate(x, ctr, sizeof(ctr)) ||
		    !EVP_DigestFinal_ex(x, h, NULL))
			goto err_free_x;
		take = n < TPM_SHA1_SIZE ? n : TPM_SHA1_SIZE;
		memcpy(out, h, take);
		out += take;
		n -= take;
	}
	err = 0;

err_free_x:
	EVP_MD_CTX_free(x);
err_free_seeded:
	EVP_MD_CTX_free(seeded);
err_out:
	/* The mask is as secret as the seed it hides. */
	explicit_bzero(h, sizeof(h));
	return err ? ossl_err(err) : 0;
}

/* ----------------------------------------------------------- seeded OAEP */

/* XOR MGF1(@seed) into @n bytes of @buf. */
static int mgf1_xor(uint8_t *buf, size_t n, const uint8_t *seed, size_t slen)
{
	uint8_t mask[RSA_MAX_BYTES];
	size_t i;
	int err;

	if (n > sizeof(mask))
		return -EINVAL;
	err = tpm_mgf1_sha1(mask, n, seed, slen);
	for (i = 0; !err && i < n; i++)
		buf[i] ^= mask[i];
	explicit_bzero(mask, n);
	return err;
}

/**
 * tpm_oaep_encode_seeded() - EME-OAEP encoding (PKCS#1 v2.0, SHA-1) with a
 * caller-chosen seed and pHash and without the leading zero byte, as Part
 * 3, 11.2 step 5c and 12.1 step 7 use it to carry K1 and a secret.
 * OpenSSL always draws the seed itself, so the encoding is written here.
 * @out: receives maskedSeed || maskedDB, DB = pHash || PS || 0x01 || @m.
 * @len: length of @out; PS takes what @m leaves of it (zero bytes).
 * @m: message; must not overlap @out.
 * @mlen: its length.
 * @phash: the 20-byte pHash.
 * @seed: the 20-byte seed.
 *
 * Return: 0, -EINVAL when @m does not fit in @len, or MGF1's error.
 */
int tpm_oaep_encode_seeded(uint8_t *out, size_t len, const uint8_t *m,
			   size_t mlen, const uint8_t phash[TPM_SHA1_SIZE],
			   const uint8_t seed[TPM_SHA1_SIZE])
{
	uint8_t *db = out + TPM_SHA1_SIZE;
	size_t dblen, pslen;
	int err;

	if (len < TPM_OAEP_SEEDED_OVERHEAD ||
	    mlen > len - TPM_OAEP_SEEDED_OVERHEAD)
		return -EINVAL;
	dblen = len - TPM_SHA1_SIZE;
	pslen = len - TPM_OAEP_SEEDED_OVERHEAD - mlen;
	memcpy(out, seed, TPM_SHA1_SIZE);
	memcpy(db, phash, TPM_SHA1_SIZE);
	memset(db + TPM_SHA1_SIZE, 0, pslen);
	db[TPM_SHA1_SIZE + pslen] = 0x01;
	memcpy(db + TPM_SHA1_SIZE + pslen + 1, m, mlen);
	err = mgf1_xor(db, dblen, out, TPM_SHA1_SIZE);
	if (!err)
		err = mgf1_xor(out, TPM_SHA1_SIZE, db, dblen);
	return err;
}

/**
 * tpm_oaep_decode_seeded() - undo tpm_oaep_encode_seeded() in place.
 * @buf: the encoding; on success buf[0..20) holds the seed and
 *       buf[20..40) the pHash, which the caller recovers (not checks).
 * @len: its length.
 * @m: set to the message inside @buf.
 * @mlen: set to its length.
 *
 * Return: 0, -EBADMSG when @len is too short or no 0x01 ends PS, or
 * MGF1's error.
 */
int tpm_oaep_decode_seeded(uint8_t *buf, size_t len, const uint8_t **m,
			   size_t *mlen)
{
	uint8_t *db = buf + TPM_SHA1_SIZE;
	size_t dblen, i;
	int err;

	if (len < TPM_OAEP_SEEDED_OVERHEAD)
		return -EBADMSG;
	dblen = len - TPM_SHA1_SIZE;
	err = mgf1_xor(buf, TPM_SHA1_SIZE, db, dblen);
	if (!err)
		err = mgf1_xor(db, dblen, buf, TPM_SHA1_SIZE);
	if (err)
		return err;
	for (i = TPM_SHA1_SIZE; i < dblen && db[i] == 0; i++)
		;
	if (i == dblen || db[i] != 0x01)
		return -EBADMSG;
	*m = db + i + 1;
	*mlen = dblen - i - 1;
	return 0;
}

/* ------------------------------------------------------------------- RNG */

/*
 * RAND_bytes() costs ~6,700 instructions per call in OpenSSL 3 (DRBG
 * re-keying, parameter lookups, a getpid() fork check) whatever the size,
 * and nonces are 20 bytes.  Small requests are served from a per-thread
 * pool refilled RAND_POOL_SIZE bytes at a time; the pool is wiped in a
 * fork child (rand_atfork_child) so parent and child never hand out the
 * same bytes.  Large requests bypass the pool.
 */
#define RAND_POOL_SIZE		1024U
#define RAND_POOL_MAX_REQ	64U

static __thread struct {
	uint8_t buf[RAND_POOL_SIZE];
	size_t avail;			/* unused bytes at the end of buf */
} rand_pool;

static void rand_atfork_child(void)
{
	explicit_bzero(&rand_pool, sizeof(rand_pool));
}

static pthread_once_t rand_once = PTHREAD_ONCE_INIT;

static void rand_register_atfork(void)
{
	pthread_atfork(NULL, NULL, rand_atfork_child);
}

static int rand_direct(uint8_t *p, size_t n)
{
	size_t step;

	while (n) {
		step = n < OSSL_CHUNK ? n : OSSL_CHUNK;
		if (RAND_bytes(p, (int)step) != 1)
			return ossl_err(-EIO);
		p += step;
		n -= step;
	}
	return 0;
}

/**
 * tpm_rand() - cryptographically secure random bytes.
 * @out: destination.
 * @n: number of bytes.
 *
 * Return: 0 or -EIO when the generator fails (e.g. it cannot be seeded).
 */
int tpm_rand(void *out, size_t n)
{
	uint8_t *src;
	int err;

	/* @out may be NULL for an empty request (memcpy's is never). */
	if (!n)
		return 0;
	if (n > RAND_POOL_MAX_REQ)
		return rand_direct(out, n);
	pthread_once(&rand_once, rand_register_atfork);
	if (rand_pool.avail < n) {
		err = rand_direct(rand_pool.buf, sizeof(rand_pool.buf));
		if (err) {
			rand_pool.avail = 0;
			return err;
		}
		rand_pool.avail = sizeof(rand_pool.buf);
	}
	/* Hand out bytes from the end and wipe them: never served twice. */
	rand_pool.avail -= n;
	src = rand_pool.buf + rand_pool.avail;
	memcpy(out, src, n);
	explicit_bzero(src, n);
	return 0;
}


/**
 * tpm_rand_stir() - mix caller data into the generator (TPM_StirRandom).
 * @d: data (may be NULL when @n is 0).
 * @n: length in bytes.
 *
 * The data comes from the guest, so it is credited with no entropy: it can
 * only add to the generator's state, never stand in for real seeding.
 */
void tpm_rand_stir(const void *d, size_t n)
{
	const uint8_t *p = d;
	size_t step;

	while (n) {
		step = n < OSSL_CHUNK ? n : OSSL_CHUNK;
		RAND_add(p, (int)step, 0.0);
		p += step;
		n -= step;
	}
}

/**
 * tpm_memcmp_ct() - compare in time independent of the contents.
 * @a: first buffer.
 * @b: second buffer.
 * @n: length in bytes.
 *
 * Return: 0 when equal, nonzero otherwise (no ordering).
 */
int tpm_memcmp_ct(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) ? 1 : 0;
}

/* ------------------------------------------------------------------- RSA */

/*
 * A key is immutable once built, so one key may be used from several
 * threads.  Each operation sets up its own EVP_PKEY_CTX: that costs about
 * 3 us against about 255 us for an RSA-2048 signature (measured on the
 * development host, on par with `openssl speed rsa2048`), so caching a
 * context per key would save about 1% and cost the thread safety.
 * Blinding and CRT state live inside the EVP_PKEY, where OpenSSL locks them.
 */
struct tpm_rsa {
	EVP_PKEY *pkey;
	size_t size;		/* modulus bytes, asked for on every use */
	bool priv;
};

/* RSAES-OAEP as TPM 1.2 Part 1, 31.1.1 fixes it. */
static const OSSL_PARAM oaep_params[] = {
	OSSL_PARAM_utf8_string(OSSL_ASYM_CIPHER_PARAM_PAD_MODE,
			       OSSL_PKEY_RSA_PAD_MODE_OAEP,
			       sizeof(OSSL_PKEY_RSA_PAD_MODE_OAEP) - 1),
	OSSL_PARAM_utf8_string(OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST,
			       "SHA1", sizeof("SHA1") - 1),
	OSSL_PARAM_utf8_string(OSSL_ASYM_CIPHER_PARAM_MGF1_DIGEST,
			       "SHA1", sizeof("SHA1") - 1),
	/* The four bytes "TCPA", without a terminating NUL. */
	OSSL_PARAM_octet_string(OSSL_ASYM_CIPHER_PARAM_OAEP_LABEL,
				"TCPA", 4),
	OSSL_PARAM_END
};

static const OSSL_PARAM pkcs1_params[] = {
	OSSL_PARAM_utf8_string(OSSL_ASYM_CIPHER_PARAM_PAD_MODE,
			       OSSL_PKEY_RSA_PAD_MODE_PKCSV15,
			       sizeof(OSSL_PKEY_RSA_PAD_MODE_PKCSV15) - 1),
	OSSL_PARAM_END
};

static const OSSL_PARAM raw_params[] = {
	OSSL_PARAM_utf8_string(OSSL_ASYM_CIPHER_PARAM_PAD_MODE,
			       OSSL_PKEY_RSA_PAD_MODE_NONE,
			       sizeof(OSSL_PKEY_RSA_PAD_MODE_NONE) - 1),
	OSSL_PARAM_END
};

/* Signature with SHA-1 DigestInfo (RSASSA-PKCS1-v1_5, PKCS#1 9.2). */
static const OSSL_PARAM sign_sha1_params[] = {
	OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PAD_MODE,
			       OSSL_PKEY_RSA_PAD_MODE_PKCSV15,
			       sizeof(OSSL_PKEY_RSA_PAD_MODE_PKCSV15) - 1),
	OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST,
			       "SHA1", sizeof("SHA1") - 1),
	OSSL_PARAM_END
};

/* With no digest set, OpenSSL pads the input as is (type 1). */
static const OSSL_PARAM sign_raw_params[] = {
	OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PAD_MODE,
			       OSSL_PKEY_RSA_PAD_MODE_PKCSV15,
			       sizeof(OSSL_PKEY_RSA_PAD_MODE_PKCSV15) - 1),
	OSSL_PARAM_END
};

/* Big-endian bytes to a BIGNUM; secure memory (cleared on free) if asked. */
static BIGNUM *bn_from(const uint8_t *b, size_t len, bool secret)
{
	BIGNUM *bn = secret ? BN_secure_new() : BN_new();

	if (!bn)
		return NULL;
	if (!BN_bin2bn(b, (int)len, bn)) {
		BN_free(bn);
		return NULL;
	}
	if (secret)
		BN_set_flags(bn, BN_FLG_CONSTTIME);
	return bn;
}

/* The public exponent, 65537 when none is given; odd and > 1. */
static int exponent_from(BIGNUM **out, const uint8_t *e, size_t elen)
{
	BIGNUM *bn;

	*out = NULL;
	if (elen > RSA_MAX_BYTES)
		return -EBADMSG;
	bn = elen ? bn_from(e, elen, false) : BN_new();
	if (!bn || (!elen && !BN_set_word(bn, RSA_DEFAULT_E))) {
		BN_free(bn);
		return -ENOMEM;
	}
	/* An even e has no inverse mod (p-1)(q-1); e = 1 is no cipher. */
	if (!BN_is_odd(bn) || BN_is_one(bn)) {
		BN_free(bn);
		return -EBADMSG;
	}
	*out = bn;
	return 0;
}

/* Sanity of a public key from outside: odd modulus in range, e < n. */
static bool public_ok(const BIGNUM *n, const BIGNUM *e)
{
	int bits = BN_num_bits(n);

	return BN_is_odd(n) && bits >= (int)RSA_MIN_BITS &&
	       bits <= (int)RSA_MAX_BITS && BN_cmp(e, n) < 0;
}

/* Wrap @pkey (ownership passes in, also on failure). */
static int rsa_wrap(struct tpm_rsa **k, EVP_PKEY *pkey, bool priv)
{
	struct tpm_rsa *r;

	r = calloc(1, sizeof(*r));
	if (!r) {
		EVP_PKEY_free(pkey);
		return -ENOMEM;
	}
	r->pkey = pkey;
	r->size = (size_t)EVP_PKEY_get_size(pkey);
	r->priv = priv;
	*k = r;
	return 0;
}

/* Turn built parameters into a key of @selection and wrap it. */
static int rsa_fromdata(struct tpm_rsa **k, OSSL_PARAM_BLD *bld,
			int selection)
{
	EVP_PKEY *pkey = NULL;
	EVP_PKEY_CTX *ctx;
	OSSL_PARAM *params;
	int err;

	err = -ENOMEM;
	params = OSSL_PARAM_BLD_to_param(bld);
	if (!params)
		goto err_out;
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (!ctx)
		goto err_free_params;
	err = -EIO;
	if (EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, selection, params) <= 0)
		goto err_free_ctx;
	EVP_PKEY_CTX_free(ctx);
	/* Secret parameters sit in a secure block, cleared on free. */
	OSSL_PARAM_free(params);
	return rsa_wrap(k, pkey, selection == EVP_PKEY_KEYPAIR);

err_free_ctx:
	EVP_PKEY_CTX_free(ctx);
err_free_params:
	OSSL_PARAM_free(params);
err_out:
	return ossl_err(err);
}

/**
 * tpm_rsa_generate() - generate a private key.
 * @k: set to the new key, NULL on failure.
 * @bits: modulus size, 512..16384.
 * @e: public exponent, big-endian; odd and > 1.
 * @elen: length of @e; 0 means 65537.
 *
 * Return: 0, -EINVAL for bad @bits or @e, -ENOMEM, or -EIO when OpenSSL
 * fails (including for an exponent it will not use).
 */
int tpm_rsa_generate(struct tpm_rsa **k, unsigned int bits,
		     const uint8_t *e, size_t elen)
{
	EVP_PKEY *pkey = NULL;
	EVP_PKEY_CTX *ctx;
	BIGNUM *bn_e;
	int err;

	*k = NULL;
	if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS)
		return -EINVAL;
	err = exponent_from(&bn_e, e, elen);
	if (err)
		return err == -ENOMEM ? ossl_err(err) : -EINVAL;
	err = -ENOMEM;
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (!ctx)
		goto err_free_e;
	err = -EIO;
	if (EVP_PKEY_keygen_init(ctx) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, (int)bits) <= 0 ||
	    EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx, bn_e) <= 0 ||
	    EVP_PKEY_generate(ctx, &pkey) <= 0)
		goto err_free_ctx;
	EVP_PKEY_CTX_free(ctx);
	BN_free(bn_e);
	return rsa_wrap(k, pkey, true);

err_free_ctx:
	EVP_PKEY_CTX_free(ctx);
err_free_e:
	BN_free(bn_e);
	return ossl_err(err);
}

/**
 * tpm_rsa_from_public() - public key from modulus and exponent.
 * @k: set to the new key, NULL on failure.
 * @n: modulus, big-endian.
 * @nlen: length of @n.
 * @e: public exponent, big-endian.
 * @elen: length of @e; 0 means 65537.
 *
 * Return: 0, -EBADMSG for an implausible key (even or out-of-range
 * modulus, even e, e >= n), -ENOMEM or -EIO.
 */
int tpm_rsa_from_public(struct tpm_rsa **k, const uint8_t *n, size_t nlen,
			const uint8_t *e, size_t elen)
{
	OSSL_PARAM_BLD *bld;
	BIGNUM *bn_n, *bn_e;
	int err;

	*k = NULL;
	if (nlen > RSA_MAX_BYTES)
		return -EBADMSG;
	err = exponent_from(&bn_e, e, elen);
	if (err)
		return ossl_err(err);
	err = -ENOMEM;
	bn_n = bn_from(n, nlen, false);
	if (!bn_n)
		goto err_free_e;
	err = -EBADMSG;
	if (!public_ok(bn_n, bn_e))
		goto err_free_n;
	err = -ENOMEM;
	bld = OSSL_PARAM_BLD_new();
	if (!bld)
		goto err_free_n;
	if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e))
		goto err_free_bld;
	err = rsa_fromdata(k, bld, EVP_PKEY_PUBLIC_KEY);

err_free_bld:
	OSSL_PARAM_BLD_free(bld);
err_free_n:
	BN_free(bn_n);
err_free_e:
	BN_free(bn_e);
	return err ? ossl_err(err) : 0;
}

/* The private values derived from n, e and p, all of them secret. */
struct rsa_crt {
	BIGNUM *q, *d, *dp, *dq, *qinv;
};

/*
 * q = n / p, d = e^-1 mod (p-1)(q-1), dP, dQ and qInv = q^-1 mod p.
 * (p-1)(q-1) is a multiple of lcm(p-1, q-1), so this d is a valid private
 * exponent; CRT only uses dP and dQ, which are the same either way.
 * The BIGNUMs are flagged constant-time: p is secret and the key may be
 * loaded at a guest's request.
 */
static int derive_crt(struct rsa_crt *c, const BIGNUM *n, const BIGNUM *e,
		      const BIGNUM *p, BN_CTX *bc)
{
	BIGNUM *rem, *p1, *q1, *phi;

	BN_CTX_start(bc);
	rem = BN_CTX_get(bc);
	p1 = BN_CTX_get(bc);
	q1 = BN_CTX_get(bc);
	phi = BN_CTX_get(bc);
	if (!phi)
		goto err_end_ctx;
	BN_set_flags(p1, BN_FLG_CONSTTIME);
	BN_set_flags(q1, BN_FLG_CONSTTIME);
	BN_set_flags(phi, BN_FLG_CONSTTIME);
	if (!BN_div(c->q, rem, n, p, bc))
		goto err_end_ctx;
	if (!BN_is_zero(rem)) {
		BN_CTX_end(bc);
		return -EBADMSG;
	}
	if (!BN_sub(p1, p, BN_value_one()) ||
	    !BN_sub(q1, c->q, BN_value_one()) || !BN_mul(phi, p1, q1, bc))
		goto err_end_ctx;
	/* No inverse means e and phi share a factor: not an RSA key. */
	if (!BN_mod_inverse(c->d, e, phi, bc) ||
	    !BN_mod_inverse(c->qinv, c->q, p, bc))
		goto err_bad_key;
	if (!BN_mod(c->dp, c->d, p1, bc) || !BN_mod(c->dq, c->d, q1, bc))
		goto err_end_ctx;
	BN_CTX_end(bc);
	return 0;

err_bad_key:
	BN_CTX_end(bc);
	return ossl_err(-EBADMSG);
err_end_ctx:
	BN_CTX_end(bc);
	return ossl_err(-ENOMEM);
}

/**
 * tpm_rsa_from_prime() - private key from n, e and one prime factor.
 * @k: set to the new key, NULL on failure.
 * @n: modulus, big-endian.
 * @nlen: length of @n.
 * @e: public exponent, big-endian.
 * @elen: length of @e; 0 means 65537.
 * @p: a prime factor of @n (either one), big-endian.
 * @plen: length of @p.
 *
 * The TPM stores only p (TPM_STORE_PRIVKEY); q, d, dP, dQ and qInv are
 * derived so that private operations use CRT with blinding.
 * Return: 0, -EBADMSG when p does not divide n (or the values cannot form
 * a key), -ENOMEM or -EIO.
 */
int tpm_rsa_from_prime(struct tpm_rsa **k, const uint8_t *n, size_t nlen,
		       const uint8_t *e, size_t elen,
		       const uint8_t *p, size_t plen)
{
	struct rsa_crt c = { NULL };
	BIGNUM *bn_n, *bn_e, *bn_p;
	OSSL_PARAM_BLD *bld;
	BN_CTX *bc;
	int err;

	*k = NULL;
	if (nlen > RSA_MAX_BYTES || plen > RSA_MAX_BYTES)
		return -EBADMSG;
	err = exponent_from(&bn_e, e, elen);
	if (err)
		return ossl_err(err);
	err = -ENOMEM;
	bn_n = bn_from(n, nlen, false);
	if (!bn_n)
		goto err_free_e;
	bn_p = bn_from(p, plen, true);
	if (!bn_p)
		goto err_free_n;
	/* 1 < p < n, or p "divides" n trivially. */
	err = -EBADMSG;
	if (!public_ok(bn_n, bn_e) || BN_cmp(bn_p, BN_value_one()) <= 0 ||
	    BN_cmp(bn_p, bn_n) >= 0)
		goto err_free_p;
	err = -ENOMEM;
	bc = BN_CTX_secure_new();
	if (!bc)
		goto err_free_p;
	c.q = BN_secure_new();
	c.d = BN_secure_new();
	c.dp = BN_secure_new();
	c.dq = BN_secure_new();
	c.qinv = BN_secure_new();
	if (!c.q || !c.d || !c.dp || !c.dq || !c.qinv)
		goto err_free_crt;
	BN_set_flags(c.q, BN_FLG_CONSTTIME);
	BN_set_flags(c.d, BN_FLG_CONSTTIME);
	err = derive_crt(&c, bn_n, bn_e, bn_p, bc);
	if (err)
		goto err_free_crt;
	err = -ENOMEM;
	bld = OSSL_PARAM_BLD_new();
	if (!bld)
		goto err_free_crt;
	if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_D, c.d) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR1, bn_p) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR2, c.q) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT1,
				    c.dp) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT2,
				    c.dq) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
				    c.qinv))
		goto err_free_bld;
	err = rsa_fromdata(k, bld, EVP_PKEY_KEYPAIR);

err_free_bld:
	OSSL_PARAM_BLD_free(bld);
err_free_crt:
	BN_clear_free(c.qinv);
	BN_clear_free(c.dq);
	BN_clear_free(c.dp);
	BN_clear_free(c.d);
	BN_clear_free(c.q);
	BN_CTX_free(bc);
err_free_p:
	BN_clear_free(bn_p);
err_free_n:
	BN_free(bn_n);
err_free_e:
	BN_free(bn_e);
	return err ? ossl_err(err) : 0;
}

/**
 * tpm_rsa_free() - free a key.
 * @k: key, or NULL.
 */
void tpm_rsa_free(struct tpm_rsa *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

/**
 * tpm_rsa_size() - modulus size.
 * @k: key.
 *
 * Return: the modulus length in bytes (also every signature and ciphertext
 * length).
 */
size_t tpm_rsa_size(const struct tpm_rsa *k)
{
	return k->size;
}

/* Write one BIGNUM parameter of @k, big-endian and minimal, to @out. */
static int get_bn(const struct tpm_rsa *k, const char *name, uint8_t *out,
		  size_t cap, size_t *len)
{
	BIGNUM *bn = NULL;
	size_t need;
	int err;

	if (!EVP_PKEY_get_bn_param(k->pkey, name, &bn))
		return ossl_err(-EIO);
	err = -ENOSPC;
	need = (size_t)BN_num_bytes(bn);
	if (need > cap)
		goto out_free_bn;
	BN_bn2bin(bn, out);
	*len = need;
	err = 0;
out_free_bn:
	BN_clear_free(bn);
	return err;
}

/**
 * tpm_rsa_get_modulus() - the modulus, big-endian.
 * @k: key.
 * @out: destination.
 * @cap: size of @out.
 * @len: set to the bytes written (tpm_rsa_size()).
 *
 * Return: 0, -ENOSPC, -ENOMEM or -EIO.
 */
int tpm_rsa_get_modulus(const struct tpm_rsa *k, uint8_t *out, size_t cap,
			size_t *len)
{
	return get_bn(k, OSSL_PKEY_PARAM_RSA_N, out, cap, len);
}

/**
 * tpm_rsa_get_prime() - the first prime factor p, big-endian, minimal.
 * @k: private key.
 * @out: destination.
 * @cap: size of @out.
 * @len: set to the bytes written.
 *
 * For a key from tpm_rsa_from_prime() this is the p that was given.
 * Return: 0, -EINVAL for a public key, -ENOSPC, -ENOMEM or -EIO.
 */
int tpm_rsa_get_prime(const struct tpm_rsa *k, uint8_t *out, size_t cap,
		      size_t *len)
{
	if (!k->priv)
		return -EINVAL;
	return get_bn(k, OSSL_PKEY_PARAM_RSA_FACTOR1, out, cap, len);
}

/**
 * tpm_rsa_is_private() - whether @k can sign and decrypt.
 * @k: key.
 *
 * Return: 1 for a private key, 0 for a public one.
 */
int tpm_rsa_is_private(const struct tpm_rsa *k)
{
	return k->priv;
}

/*
 * One public-key encryption with @params.  @fail is returned when OpenSSL
 * rejects the input (for raw RSA, a value >= n).
 */
static int rsa_encrypt(const struct tpm_rsa *k, const OSSL_PARAM *params,
		       int fail, const uint8_t *in, size_t inlen,
		       uint8_t *out, size_t cap, size_t *outlen)
{
	EVP_PKEY_CTX *ctx;
	size_t len = cap;
	int err;

	if (cap < k->size)
		return -ENOSPC;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
	if (!ctx)
		return ossl_err(-ENOMEM);
	err = -EIO;
	if (EVP_PKEY_encrypt_init_ex(ctx, params) <= 0)
		goto err_free_ctx;
	err = fail;
	if (EVP_PKEY_encrypt(ctx, out, &len, in, inlen) <= 0)
		goto err_free_ctx;
	EVP_PKEY_CTX_free(ctx);
	*outlen = len;
	return 0;

err_free_ctx:
	EVP_PKEY_CTX_free(ctx);
	return ossl_err(err);
}

/*
 * One private-key decryption with @params.  The padding is removed into a
 * buffer of the modulus size, so that @cap only needs to hold the message,
 * and that buffer is wiped.
 */
static int rsa_decrypt(const struct tpm_rsa *k, const OSSL_PARAM *params,
		       const uint8_t *in, size_t inlen, uint8_t *out,
		       size_t cap, size_t *outlen)
{
	uint8_t buf[RSA_MAX_BYTES];
	EVP_PKEY_CTX *ctx;
	size_t len = sizeof(buf);
	int err;

	if (!k->priv)
		return -EINVAL;
	if (inlen != k->size)
		return -EBADMSG;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
	if (!ctx)
		return ossl_err(-ENOMEM);
	err = -EIO;
	if (EVP_PKEY_decrypt_init_ex(ctx, params) <= 0)
		goto err_free_ctx;
	err = -EBADMSG;
	if (EVP_PKEY_decrypt(ctx, buf, &len, in, inlen) <= 0)
		goto err_wipe_buf;
	err = -ENOSPC;
	if (len > cap)
		goto err_wipe_buf;
	memcpy(out, buf, len);
	*outlen = len;
	err = 0;

err_wipe_buf:
	explicit_bzero(buf, k->size);
err_free_ctx:
	EVP_PKEY_CTX_free(ctx);
	return err ? ossl_err(err) : 0;
}

/**
 * tpm_rsa_oaep_encrypt() - RSAES-OAEP with SHA-1, MGF1-SHA-1 and the label
 * "TCPA" (TPM 1.2 Part 1, 31.1.1).
 * @k: public or private key.
 * @in: message, at most tpm_rsa_size() - 42 bytes.
 * @inlen: length of @in.
 * @out: ciphertext.
 * @cap: size of @out, at least tpm_rsa_size().
 * @outlen: set to tpm_rsa_size().
 *
 * Return: 0, -EMSGSIZE for a message too long, -ENOSPC, -ENOMEM or -EIO.
 */
int tpm_rsa_oaep_encrypt(const struct tpm_rsa *k, const uint8_t *in,
			 size_t inlen, uint8_t *out, size_t cap,
			 size_t *outlen)
{
	if (inlen > k->size - OAEP_OVERHEAD)
		return -EMSGSIZE;
	return rsa_encrypt(k, oaep_params, -EIO, in, inlen, out, cap, outlen);
}

/**
 * tpm_rsa_oaep_decrypt() - RSAES-OAEP decryption, parameters as for
 * tpm_rsa_oaep_encrypt().
 * @k: private key.
 * @in: ciphertext of exactly tpm_rsa_size() bytes.
 * @inlen: length of @in.
 * @out: message.
 * @cap: size of @out.
 * @outlen: set to the message length.
 *
 * Return: 0, -EBADMSG for a bad ciphertext, padding or label, -ENOSPC when
 * the message does not fit, -EINVAL for a public key, -ENOMEM or -EIO.
 */
int tpm_rsa_oaep_decrypt(const struct tpm_rsa *k, const uint8_t *in,
			 size_t inlen, uint8_t *out, size_t cap,
			 size_t *outlen)
{
	return rsa_decrypt(k, oaep_params, in, inlen, out, cap, outlen);
}

/**
 * tpm_rsa_pkcs1_encrypt() - RSAES-PKCS1-v1_5 (TPM_ES_RSAESPKCSv15).
 * @k: public or private key.
 * @in: message, at most tpm_rsa_size() - 11 bytes.
 * @inlen: length of @in.
 * @out: ciphertext.
 * @cap: size of @out, at least tpm_rsa_size().
 * @outlen: set to tpm_rsa_size().
 *
 * Return: 0, -EMSGSIZE for a message too long, -ENOSPC, -ENOMEM or -EIO.
 */
int tpm_rsa_pkcs1_encrypt(const struct tpm_rsa *k, const uint8_t *in,
			  size_t inlen, uint8_t *out, size_t cap,
			  size_t *outlen)
{
	if (inlen > k->size - PKCS1_OVERHEAD)
		return -EMSGSIZE;
	return rsa_encrypt(k, pkcs1_params, -EIO, in, inlen, out, cap,
			   outlen);
}

/**
 * tpm_rsa_pkcs1_decrypt() - RSAES-PKCS1-v1_5 decryption.
 * @k: private key.
 * @in: ciphertext of exactly tpm_rsa_size() bytes.
 * @inlen: length of @in.
 * @out: message.
 * @cap: size of @out.
 * @outlen: set to the message length.
 *
 * The TPM must report bad padding (TPM_DECRYPT_ERROR), which OpenSSL 3.0
 * does.  OpenSSL 3.2 and later default to implicit rejection (a synthetic
 * message instead of an error); crypto_test.c catches that change.
 * Return: 0, -EBADMSG for a bad ciphertext or padding, -ENOSPC when the
 * message does not fit, -EINVAL for a public key, -ENOMEM or -EIO.
 */
int tpm_rsa_pkcs1_decrypt(const struct tpm_rsa *k, const uint8_t *in,
			  size_t inlen, uint8_t *out, size_t cap,
			  size_t *outlen)
{
	return rsa_decrypt(k, pkcs1_params, in, inlen, out, cap, outlen);
}

/* One PKCS#1 v1.5 private-key signature with @params over @tbs. */
static int rsa_sign(const struct tpm_rsa *k, const OSSL_PARAM *params,
		    const uint8_t *tbs, size_t tbslen, uint8_t *sig,
		    size_t cap, size_t *siglen)
{
	EVP_PKEY_CTX *ctx;
	size_t len = cap;
	int err;

	if (!k->priv)
		return -EINVAL;
	if (cap < k->size)
		return -ENOSPC;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
	if (!ctx)
		return ossl_err(-ENOMEM);
	err = -EIO;
	if (EVP_PKEY_sign_init_ex(ctx, params) <= 0 ||
	    EVP_PKEY_sign(ctx, sig, &len, tbs, tbslen) <= 0)
		goto err_free_ctx;
	EVP_PKEY_CTX_free(ctx);
	*siglen = len;
	return 0;

err_free_ctx:
	EVP_PKEY_CTX_free(ctx);
	return ossl_err(err);
}

/**
 * tpm_rsa_sign_sha1() - RSASSA-PKCS1-v1_5 with a SHA-1 DigestInfo
 * (TPM_SS_RSASSAPKCS1v15_SHA1).
 * @k: private key.
 * @digest: the 20-byte SHA-1 digest to sign.
 * @sig: signature.
 * @cap: size of @sig, at least tpm_rsa_size().
 * @siglen: set to tpm_rsa_size().
 *
 * Return: 0, -EINVAL for a public key, -ENOSPC, -ENOMEM or -EIO.
 */
int tpm_rsa_sign_sha1(const struct tpm_rsa *k,
		      const uint8_t digest[TPM_SHA1_SIZE], uint8_t *sig,
		      size_t cap, size_t *siglen)
{
	return rsa_sign(k, sign_sha1_params, digest, TPM_SHA1_SIZE, sig, cap,
			siglen);
}

/**
 * tpm_rsa_sign_raw() - PKCS#1 v1.5 type-1 padding of @data as given, with
 * no DigestInfo added (TPM_SS_RSASSAPKCS1v15_DER).
 * @k: private key.
 * @data: the data to pad and sign, at most tpm_rsa_size() - 11 bytes.
 * @dlen: length of @data.
 * @sig: signature.
 * @cap: size of @sig, at least tpm_rsa_size().
 * @siglen: set to tpm_rsa_size().
 *
 * Return: 0, -EMSGSIZE for data too long, -EINVAL for a public key,
 * -ENOSPC, -ENOMEM or -EIO.
 */
int tpm_rsa_sign_raw(const struct tpm_rsa *k, const uint8_t *data,
		     size_t dlen, uint8_t *sig, size_t cap, size_t *siglen)
{
	if (dlen > k->size - PKCS1_OVERHEAD)
		return -EMSGSIZE;
	return rsa_sign(k, sign_raw_params, data, dlen, sig, cap, siglen);
}

/**
 * tpm_rsa_verify_sha1() - verify a TPM_SS_RSASSAPKCS1v15_SHA1 signature.
 * @k: public or private key.
 * @digest: the 20-byte SHA-1 digest that was signed.
 * @sig: signature.
 * @siglen: length of @sig; must be tpm_rsa_size().
 *
 * Return: 0 when the signature is valid, -EBADMSG otherwise (including
 * when OpenSSL fails for another reason), -ENOMEM.
 */
int tpm_rsa_verify_sha1(const struct tpm_rsa *k,
			const uint8_t digest[TPM_SHA1_SIZE],
			const uint8_t *sig, size_t siglen)
{
	EVP_PKEY_CTX *ctx;
	int err;

	if (siglen != k->size)
		return -EBADMSG;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
	if (!ctx)
		return ossl_err(-ENOMEM);
	err = 0;
	if (EVP_PKEY_verify_init_ex(ctx, sign_sha1_params) <= 0 ||
	    EVP_PKEY_verify(ctx, sig, siglen, digest, TPM_SHA1_SIZE) != 1)
		err = -EBADMSG;
	EVP_PKEY_CTX_free(ctx);
	return err ? ossl_err(err) : 0;
}

/**
 * tpm_rsa_public_raw() - raw RSA public operation, m^e mod n.
 * @k: public or private key.
 * @in: m, big-endian, exactly tpm_rsa_size() bytes and less than n.
 * @inlen: length of @in.
 * @out: result, tpm_rsa_size() bytes with leading zeros kept.
 * @cap: size of @out, at least tpm_rsa_size().
 * @outlen: set to tpm_rsa_size().
 *
 * For blobs whose padding the TPM checks itself.
 * Return: 0, -EBADMSG when @in has the wrong length or is not below n,
 * -ENOSPC, -ENOMEM or -EIO.
 */
int tpm_rsa_public_raw(const struct tpm_rsa *k, const uint8_t *in,
		       size_t inlen, uint8_t *out, size_t cap,
		       size_t *outlen)
{
	if (inlen != k->size)
		return -EBADMSG;
	return rsa_encrypt(k, raw_params, -EBADMSG, in, inlen, out, cap,
			   outlen);
}

/* ------------------------------------------------------------------- AES */

enum aes_mode { AES_CTR, AES_OFB, AES_CBC };

/* The cipher for @klen bytes of key in @mode, or NULL for a bad @klen. */
static const EVP_CIPHER *aes_cipher(size_t klen, enum aes_mode mode)
{
	static const EVP_CIPHER *(*const table[3][3])(void) = {
		[AES_CTR] = { EVP_aes_128_ctr, EVP_aes_192_ctr,
			      EVP_aes_256_ctr },
		[AES_OFB] = { EVP_aes_128_ofb, EVP_aes_192_ofb,
			      EVP_aes_256_ofb },
		[AES_CBC] = { EVP_aes_128_cbc, EVP_aes_192_cbc,
			      EVP_aes_256_cbc },
	};

	switch (klen) {
	case 16:
		return table[mode][0]();
	case 24:
		return table[mode][1]();
	case 32:
		return table[mode][2]();
	default:
		return NULL;
	}
}

/*
 * Run @cipher over @in into @out and finish.  @fail is returned when the
 * final step rejects the data (bad CBC padding on decryption).
 */
static int aes_run(const EVP_CIPHER *cipher, const uint8_t *key,
		   const uint8_t iv[16], int enc, int fail, const uint8_t *in,
		   size_t inlen, uint8_t *out, size_t *outlen)
{
	EVP_CIPHER_CTX *ctx;
	size_t done = 0, step;
	int len, err;

	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return ossl_err(-ENOMEM);
	err = -EIO;
	if (!EVP_CipherInit_ex2(ctx, cipher, key, iv, enc, NULL))
		goto err_free_ctx;
	while (inlen) {
		step = inlen < OSSL_CHUNK ? inlen : OSSL_CHUNK;
		if (!EVP_CipherUpdate(ctx, out + done, &len, in, (int)step))
			goto err_free_ctx;
		done += (size_t)len;
		in += step;
		inlen -= step;
	}
	err = fail;
	if (!EVP_CipherFinal_ex(ctx, out + done, &len))
		goto err_free_ctx;
	done += (size_t)len;
	EVP_CIPHER_CTX_free(ctx);
	*outlen = done;
	return 0;

err_free_ctx:
	EVP_CIPHER_CTX_free(ctx);
	return ossl_err(err);
}

/* CTR and OFB: a keystream XORed over n bytes, output length n. */
static int aes_stream(enum aes_mode mode, const uint8_t *key, size_t klen,
		      const uint8_t iv[16], const uint8_t *in, uint8_t *out,
		      size_t n)
{
	const EVP_CIPHER *cipher = aes_cipher(klen, mode);
	size_t len;

	if (!cipher)
		return -EINVAL;
	if (!n)
		return 0;
	return aes_run(cipher, key, iv, 1, -EIO, in, n, out, &len);
}

/**
 * tpm_aes_ctr() - AES in CTR mode (TPM_ES_SYM_CTR), 128-bit big-endian
 * counter starting at @iv.
 * @key: AES key.
 * @klen: 16, 24 or 32.
 * @iv: initial counter block.
 * @in: input.
 * @out: output, @n bytes; may be the same buffer as @in.
 * @n: length in bytes.
 *
 * Encryption and decryption are the same operation.
 * Return: 0, -EINVAL for a bad @klen, -ENOMEM or -EIO.
 */
int tpm_aes_ctr(const uint8_t *key, size_t klen, const uint8_t iv[16],
		const uint8_t *in, uint8_t *out, size_t n)
{
	return aes_stream(AES_CTR, key, klen, iv, in, out, n);
}

/**
 * tpm_aes_ofb() - AES in OFB mode (TPM_ES_SYM_OFB).
 * @key: AES key.
 * @klen: 16, 24 or 32.
 * @iv: initialization vector.
 * @in: input.
 * @out: output, @n bytes; may be the same buffer as @in.
 * @n: length in bytes.
 *
 * Encryption and decryption are the same operation.
 * Return: 0, -EINVAL for a bad @klen, -ENOMEM or -EIO.
 */
int tpm_aes_ofb(const uint8_t *key, size_t klen, const uint8_t iv[16],
		const uint8_t *in, uint8_t *out, size_t n)
{
	return aes_stream(AES_OFB, key, klen, iv, in, out, n);
}

/**
 * tpm_aes_cbc_encrypt() - AES-CBC with PKCS#5 padding.
 * @key: AES key.
 * @klen: 16, 24 or 32.
 * @iv: initialization vector.
 * @in: plaintext.
 * @inlen: length of @in.
 * @out: ciphertext; must not overlap @in.
 * @cap: size of @out: at least @inlen rounded down to 16, plus 16
 *       (inlen + 16 is always enough).
 * @outlen: set to the ciphertext length, a nonzero multiple of 16.
 *
 * Return: 0, -EINVAL for a bad @klen, -ENOSPC, -ENOMEM or -EIO.
 */
int tpm_aes_cbc_encrypt(const uint8_t *key, size_t klen,
			const uint8_t iv[16], const uint8_t *in, size_t inlen,
			uint8_t *out, size_t cap, size_t *outlen)
{
	const EVP_CIPHER *cipher = aes_cipher(klen, AES_CBC);

	if (!cipher)
		return -EINVAL;
	/* PKCS#5 always adds 1..16 bytes, a whole block when aligned. */
	if (cap < AES_BLOCK || inlen - inlen % AES_BLOCK > cap - AES_BLOCK)
		return -ENOSPC;
	return aes_run(cipher, key, iv, 1, -EIO, in, inlen, out, outlen);
}

/**
 * tpm_aes_cbc_decrypt() - AES-CBC decryption, PKCS#5 padding checked and
 * removed.
 * @key: AES key.
 * @klen: 16, 24 or 32.
 * @iv: initialization vector.
 * @in: ciphertext, a nonzero multiple of 16 bytes.
 * @inlen: length of @in.
 * @out: plaintext; must not overlap @in.
 * @cap: size of @out; the plaintext is at most @inlen - 1 bytes.
 * @outlen: set to the plaintext length.
 *
 * Return: 0, -EBADMSG for a bad length or padding, -EINVAL for a bad
 * @klen, -ENOSPC when the plaintext does not fit, -ENOMEM or -EIO.
 */
int tpm_aes_cbc_decrypt(const uint8_t *key, size_t klen,
			const uint8_t iv[16], const uint8_t *in, size_t inlen,
			uint8_t *out, size_t cap, size_t *outlen)
{
	const EVP_CIPHER *cipher = aes_cipher(klen, AES_CBC);
	uint8_t *buf;
	size_t len;
	int err;

	if (!cipher)
		return -EINVAL;
	if (!inlen || inlen % AES_BLOCK)
		return -EBADMSG;
	/*
	 * The plaintext length is known only after the padding check, and
	 * one EVP pass writes up to inlen bytes; decrypt into @out when it
	 * can hold that, else through a scratch buffer.
	 */
	if (cap >= inlen)
		return aes_run(cipher, key, iv, 0, -EBADMSG, in, inlen, out,
			       outlen);
	buf = malloc(inlen);
	if (!buf)
		return -ENOMEM;
	err = aes_run(cipher, key, iv, 0, -EBADMSG, in, inlen, buf, &len);
	if (err)
		goto out_free_buf;
	err = -ENOSPC;
	if (len > cap)
		goto out_free_buf;
	memcpy(out, buf, len);
	*outlen = len;
	err = 0;
out_free_buf:
	explicit_bzero(buf, inlen);
	free(buf);
	return err;
}
