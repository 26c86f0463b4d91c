// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of tpm_emulator/crypto.c: known answers from FIPS 180, RFC 2202
 * and NIST SP 800-38A, RSA checked against OpenSSL used directly, and every
 * documented failure return.  Host-only; keys are generated per run.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "crypto.h"

/* Largest modulus the tests use (2048 bits), with room to spare. */
#define MAX_RSA_BYTES 512
/* DER DigestInfo prefix for SHA-1 (PKCS#1 v2.1, 9.2 note 1). */
static const uint8_t sha1_digestinfo[] = {
	0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e,
	0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14
};

/* Decode @hex into @out and return its length; the test fails on bad hex. */
static size_t unhex(uint8_t *out, size_t cap, const char *hex)
{
	size_t i, n = strlen(hex);
	unsigned int v;

	assert_int_equal(n % 2, 0);
	assert_true(n / 2 <= cap);
	for (i = 0; i < n / 2; i++) {
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	return n / 2;
}

/* Assert that @got equals the bytes spelled by @hex. */
static void assert_hex(const uint8_t *got, size_t len, const char *hex)
{
	uint8_t want[256];

	assert_int_equal(unhex(want, sizeof(want), hex), len);
	assert_memory_equal(got, want, len);
}

/* ----------------------------------------------------------------- SHA-1 */

/* FIPS 180-2 appendix A.1: SHA-1("abc"). */
static void sha1_oneshot_abc(void **state)
{
	uint8_t md[TPM_SHA1_SIZE];

	(void)state;
	assert_int_equal(tpm_sha1("abc", 3, md), 0);
	assert_hex(md, sizeof(md), "a9993e364706816aba3e25717850c26c9cd0d89d");
}

/* SHA-1 of the empty string is the well-known da39a3ee... value. */
static void sha1_oneshot_empty(void **state)
{
	uint8_t md[TPM_SHA1_SIZE];

	(void)state;
	assert_int_equal(tpm_sha1(NULL, 0, md), 0);
	assert_hex(md, sizeof(md), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}

static const char msg448[] =
	"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

/* FIPS 180-2 appendix A.2: the 448-bit two-block message. */
static void sha1_oneshot_448bit(void **state)
{
	uint8_t md[TPM_SHA1_SIZE];

	(void)state;
	assert_int_equal(strlen(msg448) * 8, 448);
	assert_int_equal(tpm_sha1(msg448, strlen(msg448), md), 0);
	assert_hex(md, sizeof(md), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
}

/* Feeding the 448-bit message one byte at a time gives the one-shot hash. */
static void sha1_incremental_matches_oneshot(void **state)
{
	uint8_t a[TPM_SHA1_SIZE], b[TPM_SHA1_SIZE];
	struct tpm_sha1_ctx c;
	size_t i;

	(void)state;
	assert_int_equal(tpm_sha1_init(&c), 0);
	for (i = 0; i < strlen(msg448); i++)
		assert_int_equal(tpm_sha1_update(&c, msg448 + i, 1), 0);
	assert_int_equal(tpm_sha1_update(&c, NULL, 0), 0);
	assert_int_equal(tpm_sha1_final(&c, a), 0);
	assert_null(c.md);
	assert_int_equal(tpm_sha1(msg448, strlen(msg448), b), 0);
	assert_memory_equal(a, b, sizeof(a));
}

/* Using a context after final, or never started, is -EINVAL, not a crash. */
static void sha1_update_after_final(void **state)
{
	uint8_t md[TPM_SHA1_SIZE];
	struct tpm_sha1_ctx c;

	(void)state;
	assert_int_equal(tpm_sha1_init(&c), 0);
	assert_int_equal(tpm_sha1_final(&c, md), 0);
	assert_int_equal(tpm_sha1_update(&c, "x", 1), -EINVAL);
	assert_int_equal(tpm_sha1_final(&c, md), -EINVAL);
}

/* tpm_sha1_abort() frees a live context and may be called again. */
static void sha1_abort_idempotent(void **state)
{
	struct tpm_sha1_ctx c;

	(void)state;
	assert_int_equal(tpm_sha1_init(&c), 0);
	assert_int_equal(tpm_sha1_update(&c, "abc", 3), 0);
	tpm_sha1_abort(&c);
	assert_null(c.md);
	tpm_sha1_abort(&c);
	assert_null(c.md);
}

/* The vararg form over three pieces equals the hash of the whole. */
static void sha1_v_matches_oneshot(void **state)
{
	uint8_t a[TPM_SHA1_SIZE];

	(void)state;
	assert_int_equal(tpm_sha1_v(a, msg448, (size_t)10, msg448 + 10,
				    (size_t)30, msg448 + 40, (size_t)16, NULL),
			 0);
	assert_hex(a, sizeof(a), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
}

/* A zero-length item with a non-NULL pointer is skipped, not a terminator. */
static void sha1_v_zero_length_item(void **state)
{
	uint8_t a[TPM_SHA1_SIZE];

	(void)state;
	assert_int_equal(tpm_sha1_v(a, "", (size_t)0, "abc", (size_t)3, NULL),
			 0);
	assert_hex(a, sizeof(a), "a9993e364706816aba3e25717850c26c9cd0d89d");
	assert_int_equal(tpm_sha1_v(a, NULL), 0);
	assert_hex(a, sizeof(a), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}

/* ------------------------------------------------------------- HMAC-SHA1 */

struct hmac_case {
	uint8_t key[80];
	size_t klen;
	const char *data;	/* NULL: use fill/dlen */
	uint8_t fill;
	size_t dlen;
	const char *mac;
};

/* RFC 2202 section 3, test cases 1 to 7 (HMAC-SHA-1). */
static const struct hmac_case rfc2202[] = {
	{ { [0 ... 19] = 0x0b }, 20, "Hi There", 0, 0,
	  "b617318655057264e28bc0b6fb378c8ef146be00" },
	{ "Jefe", 4, "what do ya want for nothing?", 0, 0,
	  "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79" },
	{ { [0 ... 19] = 0xaa }, 20, NULL, 0xdd, 50,
	  "125d7342b9ac11cd91a39af48aa17b4f63f175d3" },
	{ { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
	    19, 20, 21, 22, 23, 24, 25 }, 25, NULL, 0xcd, 50,
	  "4c9007f4026250c6bc8414f9bf50c86c2d7235da" },
	{ { [0 ... 19] = 0x0c }, 20, "Test With Truncation", 0, 0,
	  "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04" },
	{ { [0 ... 79] = 0xaa }, 80,
	  "Test Using Larger Than Block-Size Key - Hash Key First", 0, 0,
	  "aa4ae5e15272d00e95705637ce8a3b55ed402112" },
	{ { [0 ... 79] = 0xaa }, 80,
	  "Test Using Larger Than Block-Size Key and Larger Than One "
	  "Block-Size Data", 0, 0,
	  "e8e99d0f45237d786d6bbaa7965c7808bbff1a91" },
};

static void check_hmac_case(const struct hmac_case *t)
{
	uint8_t data[64], mac[TPM_SHA1_SIZE];
	const void *d = data;
	size_t dlen = t->dlen;

	if (t->data) {
		d = t->data;
		dlen = strlen(t->data);
	} else {
		memset(data, t->fill, dlen);
	}
	assert_int_equal(tpm_hmac_sha1_v(t->key, t->klen, mac, d, dlen, NULL),
			 0);
	assert_hex(mac, sizeof(mac), t->mac);
}

#define HMAC_CASE(i)							\
	static void hmac_sha1_rfc2202_case##i(void **state)		\
	{								\
		(void)state;						\
		check_hmac_case(&rfc2202[(i) - 1]);			\
	}

/* RFC 2202 test case N: the listed key and data give the listed MAC. */
HMAC_CASE(1)
HMAC_CASE(2)
HMAC_CASE(3)
HMAC_CASE(4)
HMAC_CASE(5)
HMAC_CASE(6)
HMAC_CASE(7)

/* RFC 2202 case 2 split into four items, one empty, gives the same MAC. */
static void hmac_sha1_split_matches_whole(void **state)
{
	static const char d[] = "what do ya want for nothing?";
	uint8_t mac[TPM_SHA1_SIZE];

	(void)state;
	assert_int_equal(tpm_hmac_sha1_v((const uint8_t *)"Jefe", 4, mac,
					 d, (size_t)4, "", (size_t)0, d + 4,
					 (size_t)20, d + 24, strlen(d + 24),
					 NULL), 0);
	assert_hex(mac, sizeof(mac), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
}

/*
 * An empty key (NULL or not) is a valid HMAC key.  Expected values were
 * computed with python3 hmac.new(b"", msg, hashlib.sha1) when this test was
 * written.
 */
static void hmac_sha1_empty_key(void **state)
{
	static const char d[] = "what do ya want for nothing?";
	uint8_t mac[TPM_SHA1_SIZE];

	(void)state;
	assert_int_equal(tpm_hmac_sha1_v(NULL, 0, mac, NULL), 0);
	assert_hex(mac, sizeof(mac), "fbdb1d1b18aa6c08324b7d64b71fb76370690e1d");
	assert_int_equal(tpm_hmac_sha1_v((const uint8_t *)"", 0, mac, d,
					 strlen(d), NULL), 0);
	assert_hex(mac, sizeof(mac), "22e999c60f94d0f2d635ca4cf1b174e5cb514d38");
}

/* ------------------------------------------------------------ MGF1-SHA1 */

/*
 * MGF1-SHA1 of seed 00 01 .. 13 (20 bytes) to 50 bytes (two whole blocks
 * and a partial one).  Derived independently when this test was written:
 *   python3: b"".join(sha1(seed + c.to_bytes(4, "big")).digest()
 *                     for c in range(3))[:50].hex()
 */
static const char mgf1_vec[] =
	"028553d821db1e8d1bc66ba574c0e3103105293199f37263a574171d60788091"
	"7aefcf642294b08b982711c0fa68f6485f62";

/* The 50-byte mask matches the independently derived vector. */
static void mgf1_sha1_known_answer(void **state)
{
	uint8_t seed[20], mask[50];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(seed); i++)
		seed[i] = (uint8_t)i;
	assert_int_equal(tpm_mgf1_sha1(mask, sizeof(mask), seed, sizeof(seed)),
			 0);
	assert_hex(mask, sizeof(mask), mgf1_vec);
}

/* Every shorter mask is a prefix of the longer one, including length 0. */
static void mgf1_sha1_prefix_lengths(void **state)
{
	uint8_t seed[20], full[50], mask[50 + 1];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(seed); i++)
		seed[i] = (uint8_t)i;
	unhex(full, sizeof(full), mgf1_vec);
	for (n = 0; n <= sizeof(full); n++) {
		/* A guard byte checks that nothing past n is written. */
		memset(mask, 0x5a, sizeof(mask));
		assert_int_equal(tpm_mgf1_sha1(mask, n, seed, sizeof(seed)), 0);
		assert_memory_equal(mask, full, n);
		assert_int_equal(mask[n], 0x5a);
	}
}

/* ----------------------------------------------------------- seeded OAEP */

/*
 * EME-OAEP with seed 00 01 .. 13, pHash a0 a1 .. b3, m 30 31 .. 3f and a
 * 60-byte output (3 bytes of PS).  Derived independently when this test
 * was written (python3, hashlib):
 *   db = phash + bytes(3) + b"\x01" + m
 *   mdb = xor(db, mgf1(seed, 39)); out = xor(seed, mgf1(mdb, 20)) + mdb
 */
static const char oaep_seeded_vec[] =
	"3d1348e831021c4e929b09a4e7701b586b493423a224f17b857eb82ab36fc10e"
	"d86d4dbf81b49b8299f372629545252e544db6a642d6f55f1ea98eb4";

static void oaep_seeded_inputs(uint8_t seed[20], uint8_t phash[20],
			       uint8_t m[16])
{
	size_t i;

	for (i = 0; i < 20; i++) {
		seed[i] = (uint8_t)i;
		phash[i] = (uint8_t)(0xa0 + i);
	}
	for (i = 0; i < 16; i++)
		m[i] = (uint8_t)(0x30 + i);
}

/* The encoding matches the independently derived vector, and decoding it
 * in place gives back seed, pHash and the message. */
static void oaep_seeded_known_answer(void **state)
{
	uint8_t seed[20], phash[20], m[16], out[60];
	const uint8_t *dm;
	size_t dlen;

	(void)state;
	oaep_seeded_inputs(seed, phash, m);
	assert_int_equal(tpm_oaep_encode_seeded(out, sizeof(out), m, sizeof(m),
						phash, seed), 0);
	assert_hex(out, sizeof(out), oaep_seeded_vec);
	assert_int_equal(tpm_oaep_decode_seeded(out, sizeof(out), &dm, &dlen),
			 0);
	assert_memory_equal(out, seed, 20);
	assert_memory_equal(out + 20, phash, 20);
	assert_int_equal(dlen, sizeof(m));
	assert_memory_equal(dm, m, sizeof(m));
	assert_ptr_equal(dm, out + sizeof(out) - sizeof(m));
}

/* Every length from no padding to 64 bytes of it round-trips, and the
 * smallest encoding (empty PS) is exactly overhead + message. */
static void oaep_seeded_roundtrip_padding(void **state)
{
	uint8_t seed[20], phash[20], m[16], out[TPM_OAEP_SEEDED_OVERHEAD + 80];
	const uint8_t *dm;
	size_t len, dlen;

	(void)state;
	oaep_seeded_inputs(seed, phash, m);
	for (len = TPM_OAEP_SEEDED_OVERHEAD + sizeof(m); len <= sizeof(out);
	     len++) {
		assert_int_equal(tpm_oaep_encode_seeded(out, len, m, sizeof(m),
							phash, seed), 0);
		assert_int_equal(tpm_oaep_decode_seeded(out, len, &dm, &dlen),
				 0);
		assert_int_equal(dlen, sizeof(m));
		assert_memory_equal(dm, m, sizeof(m));
		assert_memory_equal(out + 20, phash, 20);
	}
	/* An empty message fits the bare overhead. */
	assert_int_equal(tpm_oaep_encode_seeded(out, TPM_OAEP_SEEDED_OVERHEAD,
						m, 0, phash, seed), 0);
	assert_int_equal(tpm_oaep_decode_seeded(out, TPM_OAEP_SEEDED_OVERHEAD,
						&dm, &dlen), 0);
	assert_int_equal(dlen, 0);
}

/* A message longer than the room it is given is refused, as is an output
 * shorter than the overhead. */
static void oaep_seeded_encode_too_long(void **state)
{
	uint8_t seed[20], phash[20], m[16], out[TPM_OAEP_SEEDED_OVERHEAD + 16];

	(void)state;
	oaep_seeded_inputs(seed, phash, m);
	assert_int_equal(tpm_oaep_encode_seeded(out, sizeof(out) - 1, m,
						sizeof(m), phash, seed),
			 -EINVAL);
	assert_int_equal(tpm_oaep_encode_seeded(out,
						TPM_OAEP_SEEDED_OVERHEAD - 1,
						m, 0, phash, seed), -EINVAL);
}

/* Decoding refuses a buffer shorter than the overhead, and a DB whose
 * padding does not end in 0x01 (here 0x02, then all zeros). */
static void oaep_seeded_decode_bad_separator(void **state)
{
	uint8_t seed[20], phash[20], m[16], out[60], mask[40];
	const uint8_t *dm;
	size_t dlen, i;
	int trial;

	(void)state;
	oaep_seeded_inputs(seed, phash, m);
	assert_int_equal(tpm_oaep_decode_seeded(out, TPM_OAEP_SEEDED_OVERHEAD -
						1, &dm, &dlen), -EBADMSG);
	for (trial = 0; trial < 2; trial++) {
		/* Build seed || DB by hand and mask it as the encoding does. */
		memcpy(out, seed, 20);
		memcpy(out + 20, phash, 20);
		memset(out + 40, 0, sizeof(out) - 40);
		if (trial == 0)
			out[43] = 0x02;
		assert_int_equal(tpm_mgf1_sha1(mask, 40, out, 20), 0);
		for (i = 0; i < 40; i++)
			out[20 + i] ^= mask[i];
		assert_int_equal(tpm_mgf1_sha1(mask, 20, out + 20, 40), 0);
		for (i = 0; i < 20; i++)
			out[i] ^= mask[i];
		assert_int_equal(tpm_oaep_decode_seeded(out, sizeof(out), &dm,
							&dlen), -EBADMSG);
	}
}

/* ------------------------------------------------------------------- AES */

/* NIST SP 800-38A appendix F: key and plaintext of the AES-128 examples. */
static const char sp_key128[] = "2b7e151628aed2a6abf7158809cf4f3c";
static const char sp_key256[] =
	"603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4";
static const char sp_plain[] =
	"6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
	"30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";
static const char sp_iv[] = "000102030405060708090a0b0c0d0e0f";
static const char sp_ctr_iv[] = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

/* SP 800-38A F.5.1: CTR-AES128.Encrypt, and decryption restores it. */
static void aes_ctr_sp800_38a(void **state)
{
	uint8_t key[16], iv[16], pt[64], ct[64], back[64];

	(void)state;
	unhex(key, sizeof(key), sp_key128);
	unhex(iv, sizeof(iv), sp_ctr_iv);
	unhex(pt, sizeof(pt), sp_plain);
	assert_int_equal(tpm_aes_ctr(key, 16, iv, pt, ct, 64), 0);
	assert_hex(ct, 64,
		   "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff"
		   "5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee");
	assert_int_equal(tpm_aes_ctr(key, 16, iv, ct, back, 64), 0);
	assert_memory_equal(back, pt, 64);
}

/* SP 800-38A F.5.5: CTR-AES256.Encrypt, done in place. */
static void aes_ctr_sp800_38a_aes256_in_place(void **state)
{
	uint8_t key[32], iv[16], buf[64];

	(void)state;
	unhex(key, sizeof(key), sp_key256);
	unhex(iv, sizeof(iv), sp_ctr_iv);
	unhex(buf, sizeof(buf), sp_plain);
	assert_int_equal(tpm_aes_ctr(key, 32, iv, buf, buf, 64), 0);
	assert_hex(buf, 64,
		   "601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c5"
		   "2b0930daa23de94ce87017ba2d84988ddfc9c58db67aada613c2dd08457941a6");
}

/* A CTR stream of an odd length is the prefix of the full stream. */
static void aes_ctr_partial_block(void **state)
{
	uint8_t key[16], iv[16], pt[64], ct[23];

	(void)state;
	unhex(key, sizeof(key), sp_key128);
	unhex(iv, sizeof(iv), sp_ctr_iv);
	unhex(pt, sizeof(pt), sp_plain);
	assert_int_equal(tpm_aes_ctr(key, 16, iv, pt, ct, sizeof(ct)), 0);
	assert_hex(ct, sizeof(ct), "874d6191b620e3261bef6864990db6ce9806f66b7970fd");
	assert_int_equal(tpm_aes_ctr(key, 16, iv, NULL, NULL, 0), 0);
}

/* SP 800-38A F.4.1: OFB-AES128.Encrypt, and decryption restores it. */
static void aes_ofb_sp800_38a(void **state)
{
	uint8_t key[16], iv[16], pt[64], ct[64], back[64];

	(void)state;
	unhex(key, sizeof(key), sp_key128);
	unhex(iv, sizeof(iv), sp_iv);
	unhex(pt, sizeof(pt), sp_plain);
	assert_int_equal(tpm_aes_ofb(key, 16, iv, pt, ct, 64), 0);
	assert_hex(ct, 64,
		   "3b3fd92eb72dad20333449f8e83cfb4a7789508d16918f03f53c52dac54ed825"
		   "9740051e9c5fecf64344f7a82260edcc304c6528f659c77866a510d9c1d6ae5e");
	assert_int_equal(tpm_aes_ofb(key, 16, iv, ct, back, 64), 0);
	assert_memory_equal(back, pt, 64);
}

/*
 * SP 800-38A F.2.1: CBC-AES128.Encrypt; PKCS#5 then adds one whole block of
 * 0x10 bytes (its ciphertext computed with `openssl enc -aes-128-cbc` when
 * this test was written), so 64 bytes become exactly 80.
 */
static void aes_cbc_encrypt_sp800_38a(void **state)
{
	uint8_t key[16], iv[16], pt[64], ct[80], back[80];
	size_t len = 0;

	(void)state;
	unhex(key, sizeof(key), sp_key128);
	unhex(iv, sizeof(iv), sp_iv);
	unhex(pt, sizeof(pt), sp_plain);
	assert_int_equal(tpm_aes_cbc_encrypt(key, 16, iv, pt, 64, ct,
					     sizeof(ct), &len), 0);
	assert_int_equal(len, 80);
	assert_hex(ct, 80,
		   "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
		   "73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7"
		   "8cb82807230e1321d3fae00d18cc2012");
	assert_int_equal(tpm_aes_cbc_decrypt(key, 16, iv, ct, 80, back,
					     sizeof(back), &len), 0);
	assert_int_equal(len, 64);
	assert_memory_equal(back, pt, 64);
}

/* PKCS#5 pads 0..47 bytes to the next multiple of 16, always adding 1..16,
 * into a buffer of exactly that size (ASan checks nothing more is written). */
static void aes_cbc_encrypt_padding_lengths(void **state)
{
	uint8_t key[16], iv[16], pt[48] = { 0 }, *ct, back[64];
	size_t n, want, len;

	(void)state;
	unhex(key, sizeof(key), sp_key128);
	unhex(iv, sizeof(iv), sp_iv);
	for (n = 0; n < sizeof(pt); n++) {
		want = (n / 16 + 1) * 16;
		ct = malloc(want);
		assert_non_null(ct);
		assert_int_equal(tpm_aes_cbc_encrypt(key, 16, iv, pt, n, ct,
						     want, &len), 0);
		assert_int_equal(len, want);
		assert_int_equal(tpm_aes_cbc_decrypt(key, 16, iv, ct, len,
						     back, sizeof(back), &len),
				 0);
		assert_int_equal(len, n);
		free(ct);
	}
}

/* An output one byte short of the padded length is -ENOSPC. */
static void aes_cbc_encrypt_cap_too_small(void **state)
{
	uint8_t key[16], iv[16], pt[32] = { 0 }, ct[48];
	size_t len = 7;

	(void)state;
	unhex(key, sizeof(key), sp_key128);
	unhex(iv, sizeof(iv), sp_iv);
	assert_int_equal(tpm_aes_cbc_encrypt(key, 16, iv, pt, 32, ct, 47,
					     &len), -ENOSPC);
	assert_int_equal(tpm_aes_cbc_encrypt(key, 16, iv, pt, 0, ct, 15,
					     &len), -ENOSPC);
	assert_int_equal(tpm_aes_cbc_encrypt(key, 16, iv, pt, 0, ct, 0, &len),
			 -ENOSPC);
	assert_int_equal(len, 7);
}

/* A plaintext that fits a buffer smaller than the ciphertext is returned;
 * one that does not is -ENOSPC. */
static void aes_cbc_decrypt_small_cap(void **state)
{
	static const uint8_t pt[] = "twenty bytes of text";
	uint8_t key[16], iv[16], ct[32], out[20];
	size_t len;

	(void)state;
	unhex(key, sizeof(key), sp_key128);
	unhex(iv, sizeof(iv), sp_iv);
	assert_int_equal(tpm_aes_cbc_encrypt(key, 16, iv, pt, 20, ct,
					     sizeof(ct), &len), 0);
	assert_int_equal(len, 32);
	assert_int_equal(tpm_aes_cbc_decrypt(key, 16, iv, ct, 32, out, 20,
					     &len), 0);
	assert_int_equal(len, 20);
	assert_memory_equal(out, pt, 20);
	len = 7;
	assert_int_equal(tpm_aes_cbc_decrypt(key, 16, iv, ct, 32, out, 19,
					     &len), -ENOSPC);
	assert_int_equal(len, 7);
}

/* A ciphertext whose last block does not decrypt to valid padding is
 * -EBADMSG. */
static void aes_cbc_decrypt_bad_padding(void **state)
{
	uint8_t key[16], iv[16], ct[64], out[64];
	size_t len;

	(void)state;
	unhex(key, sizeof(key), sp_key128);
	unhex(iv, sizeof(iv), sp_iv);
	/*
	 * The NIST example has no padding: its last plaintext block ends in
	 * 0x10, which claims a whole block of padding, but the 15 bytes
	 * before it are not 0x10.
	 */
	unhex(ct, sizeof(ct),
	      "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
	      "73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7");
	assert_int_equal(tpm_aes_cbc_decrypt(key, 16, iv, ct, 64, out,
					     sizeof(out), &len), -EBADMSG);
	assert_int_equal(tpm_aes_cbc_decrypt(key, 16, iv, ct, 64, out, 8,
					     &len), -EBADMSG);
}

/* A ciphertext that is empty or not a multiple of 16 bytes is -EBADMSG. */
static void aes_cbc_decrypt_bad_length(void **state)
{
	uint8_t key[16] = { 0 }, iv[16] = { 0 }, ct[33] = { 0 }, out[48];
	size_t len;

	(void)state;
	assert_int_equal(tpm_aes_cbc_decrypt(key, 16, iv, ct, 0, out,
					     sizeof(out), &len), -EBADMSG);
	assert_int_equal(tpm_aes_cbc_decrypt(key, 16, iv, ct, 33, out,
					     sizeof(out), &len), -EBADMSG);
	assert_int_equal(tpm_aes_cbc_decrypt(key, 16, iv, ct, 15, out,
					     sizeof(out), &len), -EBADMSG);
}

/* Key lengths other than 16, 24 and 32 are -EINVAL in every mode. */
static void aes_all_bad_key_length(void **state)
{
	uint8_t key[33] = { 0 }, iv[16] = { 0 }, buf[32] = { 0 }, out[48];
	size_t len;

	(void)state;
	assert_int_equal(tpm_aes_ctr(key, 15, iv, buf, out, 16), -EINVAL);
	assert_int_equal(tpm_aes_ofb(key, 33, iv, buf, out, 16), -EINVAL);
	assert_int_equal(tpm_aes_cbc_encrypt(key, 0, iv, buf, 16, out,
					     sizeof(out), &len), -EINVAL);
	assert_int_equal(tpm_aes_cbc_decrypt(key, 20, iv, buf, 32, out,
					     sizeof(out), &len), -EINVAL);
	assert_int_equal(tpm_aes_ctr(key, 24, iv, buf, out, 16), 0);
}

/* ------------------------------------------------------ RNG and compare */

/* Two 32-byte draws differ, and a zero-length draw succeeds. */
static void rand_bytes_differ(void **state)
{
	uint8_t a[32], b[32];

	(void)state;
	assert_int_equal(tpm_rand(a, sizeof(a)), 0);
	assert_int_equal(tpm_rand(b, sizeof(b)), 0);
	assert_memory_not_equal(a, b, sizeof(a));
	assert_int_equal(tpm_rand(NULL, 0), 0);
}

/* Stirring in data (also none) leaves the generator working. */
static void rand_stir_then_draw(void **state)
{
	uint8_t a[32] = "guest supplied, untrusted";

	(void)state;
	tpm_rand_stir(a, sizeof(a));
	tpm_rand_stir(NULL, 0);
	assert_int_equal(tpm_rand(a, sizeof(a)), 0);
}

/* Equal buffers compare 0; a difference in any byte or bit is nonzero. */
static void memcmp_ct_each_position(void **state)
{
	uint8_t a[33], b[33];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(a); i++)
		a[i] = b[i] = (uint8_t)(i * 7);
	assert_int_equal(tpm_memcmp_ct(a, b, sizeof(a)), 0);
	assert_int_equal(tpm_memcmp_ct(a, b, 0), 0);
	for (i = 0; i < sizeof(a); i++) {
		b[i] ^= 0x80;
		assert_int_not_equal(tpm_memcmp_ct(a, b, sizeof(a)), 0);
		b[i] ^= 0x81;
		assert_int_not_equal(tpm_memcmp_ct(a, b, sizeof(a)), 0);
		b[i] ^= 0x01;
	}
	assert_int_equal(tpm_memcmp_ct(a, b, sizeof(a)), 0);
}

/* ------------------------------------------------------------------- RSA */

struct fixture {
	struct tpm_rsa *k1024;
	struct tpm_rsa *k2048;
	EVP_PKEY *pub1024;	/* OpenSSL's own view of k1024's public half */
	EVP_PKEY *pub2048;
	EVP_PKEY *ossl1024;	/* a private key generated by OpenSSL */
};

/* An OpenSSL public key with @k's modulus and e = 65537, built directly. */
static EVP_PKEY *evp_public(const struct tpm_rsa *k)
{
	uint8_t n[MAX_RSA_BYTES];
	OSSL_PARAM_BLD *bld;
	EVP_PKEY *pk = NULL;
	EVP_PKEY_CTX *ctx;
	OSSL_PARAM *params;
	BIGNUM *bn, *e;
	size_t nlen;

	if (tpm_rsa_get_modulus(k, n, sizeof(n), &nlen))
		return NULL;
	bn = BN_bin2bn(n, (int)nlen, NULL);
	e = BN_new();
	bld = OSSL_PARAM_BLD_new();
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (bn && e && bld && ctx && BN_set_word(e, 65537) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e)) {
		params = OSSL_PARAM_BLD_to_param(bld);
		if (params && EVP_PKEY_fromdata_init(ctx) > 0)
			EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY,
					  params);
		OSSL_PARAM_free(params);
	}
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_BLD_free(bld);
	BN_free(e);
	BN_free(bn);
	return pk;
}

static int group_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	*state = f;
	if (tpm_rsa_generate(&f->k1024, 1024, NULL, 0) ||
	    tpm_rsa_generate(&f->k2048, 2048, NULL, 0))
		return -1;
	f->pub1024 = evp_public(f->k1024);
	f->pub2048 = evp_public(f->k2048);
	f->ossl1024 = EVP_RSA_gen(1024);
	if (!f->pub1024 || !f->pub2048 || !f->ossl1024)
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	struct fixture *f = *state;

	if (!f)
		return 0;
	EVP_PKEY_free(f->ossl1024);
	EVP_PKEY_free(f->pub2048);
	EVP_PKEY_free(f->pub1024);
	tpm_rsa_free(f->k2048);
	tpm_rsa_free(f->k1024);
	free(f);
	return 0;
}

/* OpenSSL-side OAEP encryption with SHA-1 and a label set through
 * EVP_PKEY_CTX_set0_rsa_oaep_label (NULL: no label). */
static size_t ossl_oaep_encrypt(EVP_PKEY *pk, const char *label,
				size_t label_len, const uint8_t *in,
				size_t inlen, uint8_t *out)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pk, NULL);
	size_t len = MAX_RSA_BYTES;
	void *l;

	assert_non_null(ctx);
	assert_int_equal(EVP_PKEY_encrypt_init(ctx), 1);
	assert_true(EVP_PKEY_CTX_set_rsa_padding(ctx,
						 RSA_PKCS1_OAEP_PADDING) > 0);
	assert_true(EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha1()) > 0);
	assert_true(EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha1()) > 0);
	if (label) {
		/* set0 takes ownership of an OPENSSL_malloc'ed copy. */
		l = OPENSSL_memdup(label, label_len);
		assert_non_null(l);
		assert_true(EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, l,
					(int)label_len) > 0);
	}
	assert_int_equal(EVP_PKEY_encrypt(ctx, out, &len, in, inlen), 1);
	EVP_PKEY_CTX_free(ctx);
	return len;
}

/* Generating 1024- and 2048-bit keys gives private keys of 128 and 256
 * bytes whose modulus has its top bit set. */
static void rsa_generate_1024_2048(void **state)
{
	struct fixture *f = *state;
	uint8_t n[MAX_RSA_BYTES];
	size_t len;

	assert_int_equal(tpm_rsa_size(f->k1024), 128);
	assert_int_equal(tpm_rsa_size(f->k2048), 256);
	assert_int_equal(tpm_rsa_is_private(f->k1024), 1);
	assert_int_equal(tpm_rsa_is_private(f->k2048), 1);
	assert_int_equal(tpm_rsa_get_modulus(f->k2048, n, sizeof(n), &len), 0);
	assert_int_equal(len, 256);
	assert_true(n[0] & 0x80);
	assert_true(n[255] & 1);
	assert_int_equal(tpm_rsa_get_prime(f->k2048, n, sizeof(n), &len), 0);
	assert_int_equal(len, 128);
}

/* An explicit e = 65537 (3 bytes) works; a bit size below 512 or an even
 * exponent is -EINVAL. */
static void rsa_generate_bad_params(void **state)
{
	static const uint8_t e65537[] = { 0x01, 0x00, 0x01 };
	static const uint8_t e_even[] = { 0x01, 0x00, 0x00 };
	struct tpm_rsa *k = (struct tpm_rsa *)(uintptr_t)1;

	(void)state;
	assert_int_equal(tpm_rsa_generate(&k, 256, NULL, 0), -EINVAL);
	assert_null(k);
	assert_int_equal(tpm_rsa_generate(&k, 512, e_even, 3), -EINVAL);
	assert_null(k);
	assert_int_equal(tpm_rsa_generate(&k, 512, e65537, 3), 0);
	assert_int_equal(tpm_rsa_size(k), 64);
	tpm_rsa_free(k);
	tpm_rsa_free(NULL);
}

static void oaep_roundtrip(const struct tpm_rsa *k)
{
	uint8_t msg[MAX_RSA_BYTES], ct[MAX_RSA_BYTES], pt[MAX_RSA_BYTES];
	size_t k_len = tpm_rsa_size(k), max = k_len - 42, n, len;

	assert_int_equal(tpm_rand(msg, max), 0);
	for (n = 0; n <= max; n += max / 3 ? max / 3 : 1) {
		assert_int_equal(tpm_rsa_oaep_encrypt(k, msg, n, ct, k_len,
						      &len), 0);
		assert_int_equal(len, k_len);
		assert_int_equal(tpm_rsa_oaep_decrypt(k, ct, len, pt,
						      sizeof(pt), &len), 0);
		assert_int_equal(len, n);
		assert_memory_equal(pt, msg, n);
	}
	/* The longest message, k - 2*20 - 2 bytes, round-trips too. */
	assert_int_equal(tpm_rsa_oaep_encrypt(k, msg, max, ct, k_len, &len),
			 0);
	assert_int_equal(tpm_rsa_oaep_decrypt(k, ct, len, pt, max, &len), 0);
	assert_int_equal(len, max);
	assert_memory_equal(pt, msg, max);
}

/* OAEP messages of 0 to k-42 bytes round-trip under a 1024-bit key. */
static void rsa_oaep_roundtrip_1024(void **state)
{
	struct fixture *f = *state;

	oaep_roundtrip(f->k1024);
}

/* OAEP messages of 0 to k-42 bytes round-trip under a 2048-bit key. */
static void rsa_oaep_roundtrip_2048(void **state)
{
	struct fixture *f = *state;

	oaep_roundtrip(f->k2048);
}

/* A ciphertext made by OpenSSL itself with label "TCPA" decrypts. */
static void rsa_oaep_decrypt_openssl_ciphertext(void **state)
{
	struct fixture *f = *state;
	static const uint8_t msg[] = "TPM_BOUND_DATA as a guest sends it";
	uint8_t ct[MAX_RSA_BYTES], pt[MAX_RSA_BYTES];
	size_t ctlen, len;

	ctlen = ossl_oaep_encrypt(f->pub2048, "TCPA", 4, msg, sizeof(msg),
				  ct);
	assert_int_equal(ctlen, 256);
	assert_int_equal(tpm_rsa_oaep_decrypt(f->k2048, ct, ctlen, pt,
					      sizeof(pt), &len), 0);
	assert_int_equal(len, sizeof(msg));
	assert_memory_equal(pt, msg, sizeof(msg));
}

/* Ciphertexts made with no label, or "TCPA" plus its NUL, are -EBADMSG. */
static void rsa_oaep_decrypt_wrong_label(void **state)
{
	struct fixture *f = *state;
	static const uint8_t msg[] = "secret";
	uint8_t ct[MAX_RSA_BYTES], pt[MAX_RSA_BYTES];
	size_t ctlen, len = 7;

	ctlen = ossl_oaep_encrypt(f->pub1024, NULL, 0, msg, sizeof(msg), ct);
	assert_int_equal(tpm_rsa_oaep_decrypt(f->k1024, ct, ctlen, pt,
					      sizeof(pt), &len), -EBADMSG);
	ctlen = ossl_oaep_encrypt(f->pub1024, "TCPA", 5, msg, sizeof(msg), ct);
	assert_int_equal(tpm_rsa_oaep_decrypt(f->k1024, ct, ctlen, pt,
					      sizeof(pt), &len), -EBADMSG);
	ctlen = ossl_oaep_encrypt(f->pub1024, "TCPB", 4, msg, sizeof(msg), ct);
	assert_int_equal(tpm_rsa_oaep_decrypt(f->k1024, ct, ctlen, pt,
					      sizeof(pt), &len), -EBADMSG);
	assert_int_equal(len, 7);
}

/* A ciphertext with one bit flipped, or of the wrong length, is -EBADMSG. */
static void rsa_oaep_decrypt_corrupted(void **state)
{
	struct fixture *f = *state;
	uint8_t ct[MAX_RSA_BYTES], pt[MAX_RSA_BYTES];
	size_t len, i;

	assert_int_equal(tpm_rsa_oaep_encrypt(f->k1024, (const uint8_t *)"m",
					      1, ct, sizeof(ct), &len), 0);
	assert_int_equal(tpm_rsa_oaep_decrypt(f->k1024, ct, len - 1, pt,
					      sizeof(pt), &len), -EBADMSG);
	for (i = 0; i < 128; i += 37) {
		ct[i] ^= 0x04;
		assert_int_equal(tpm_rsa_oaep_decrypt(f->k1024, ct, 128, pt,
						      sizeof(pt), &len),
				 -EBADMSG);
		ct[i] ^= 0x04;
	}
}

/* A message longer than k-42 is -EMSGSIZE; an output shorter than the
 * modulus is -ENOSPC; a plaintext that does not fit is -ENOSPC. */
static void rsa_oaep_length_limits(void **state)
{
	struct fixture *f = *state;
	uint8_t msg[128] = { 0 }, ct[MAX_RSA_BYTES], pt[MAX_RSA_BYTES];
	size_t len = 7;

	assert_int_equal(tpm_rsa_oaep_encrypt(f->k1024, msg, 87, ct,
					      sizeof(ct), &len), -EMSGSIZE);
	assert_int_equal(tpm_rsa_oaep_encrypt(f->k1024, msg, 10, ct, 127,
					      &len), -ENOSPC);
	assert_int_equal(len, 7);
	assert_int_equal(tpm_rsa_oaep_encrypt(f->k1024, msg, 10, ct, 128,
					      &len), 0);
	len = 7;
	assert_int_equal(tpm_rsa_oaep_decrypt(f->k1024, ct, 128, pt, 9, &len),
			 -ENOSPC);
	assert_int_equal(len, 7);
}

/* Decryption with a public-only key is -EINVAL. */
static void rsa_oaep_decrypt_public_key(void **state)
{
	struct fixture *f = *state;
	uint8_t n[MAX_RSA_BYTES], ct[MAX_RSA_BYTES], pt[MAX_RSA_BYTES];
	struct tpm_rsa *pub;
	size_t nlen, len;

	assert_int_equal(tpm_rsa_get_modulus(f->k1024, n, sizeof(n), &nlen),
			 0);
	assert_int_equal(tpm_rsa_from_public(&pub, n, nlen, NULL, 0), 0);
	assert_int_equal(tpm_rsa_is_private(pub), 0);
	assert_int_equal(tpm_rsa_oaep_encrypt(pub, (const uint8_t *)"m", 1,
					      ct, sizeof(ct), &len), 0);
	assert_int_equal(tpm_rsa_oaep_decrypt(pub, ct, len, pt, sizeof(pt),
					      &len), -EINVAL);
	assert_int_equal(tpm_rsa_oaep_decrypt(f->k1024, ct, len, pt,
					      sizeof(pt), &len), 0);
	assert_int_equal(len, 1);
	tpm_rsa_free(pub);
}

/* PKCS#1 v1.5 messages of 0 to k-11 bytes round-trip; k-10 is -EMSGSIZE. */
static void rsa_pkcs1_roundtrip(void **state)
{
	struct fixture *f = *state;
	uint8_t msg[128], ct[MAX_RSA_BYTES], pt[MAX_RSA_BYTES];
	size_t n, len;

	assert_int_equal(tpm_rand(msg, sizeof(msg)), 0);
	for (n = 0; n <= 117; n += 39) {
		assert_int_equal(tpm_rsa_pkcs1_encrypt(f->k1024, msg, n, ct,
						       sizeof(ct), &len), 0);
		assert_int_equal(len, 128);
		assert_int_equal(tpm_rsa_pkcs1_decrypt(f->k1024, ct, len, pt,
						       sizeof(pt), &len), 0);
		assert_int_equal(len, n);
		assert_memory_equal(pt, msg, n);
	}
	assert_int_equal(tpm_rsa_pkcs1_encrypt(f->k1024, msg, 118, ct,
					       sizeof(ct), &len), -EMSGSIZE);
	assert_int_equal(tpm_rsa_pkcs1_encrypt(f->k1024, msg, 1, ct, 127,
					       &len), -ENOSPC);
}

/* A PKCS#1 v1.5 ciphertext made by OpenSSL directly decrypts. */
static void rsa_pkcs1_decrypt_openssl_ciphertext(void **state)
{
	struct fixture *f = *state;
	static const uint8_t msg[] = "pkcs1 v1.5";
	uint8_t ct[MAX_RSA_BYTES], pt[MAX_RSA_BYTES];
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(f->pub2048, NULL);
	size_t len = sizeof(ct);

	assert_non_null(ctx);
	assert_int_equal(EVP_PKEY_encrypt_init(ctx), 1);
	assert_true(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0);
	assert_int_equal(EVP_PKEY_encrypt(ctx, ct, &len, msg, sizeof(msg)), 1);
	EVP_PKEY_CTX_free(ctx);
	assert_int_equal(tpm_rsa_pkcs1_decrypt(f->k2048, ct, len, pt,
					       sizeof(pt), &len), 0);
	assert_int_equal(len, sizeof(msg));
	assert_memory_equal(pt, msg, sizeof(msg));
}

/*
 * Ciphertexts whose padding is certainly bad are -EBADMSG: made with the raw
 * public operation from a block of type 1 instead of 2, and from a type-2
 * block with no zero separator.  (Random corruption is not used: it yields
 * valid padding with a small but real probability.)
 */
static void rsa_pkcs1_decrypt_corrupted(void **state)
{
	struct fixture *f = *state;
	uint8_t em[128], ct[MAX_RSA_BYTES], pt[MAX_RSA_BYTES];
	size_t len = 7;

	memset(em, 0xff, sizeof(em));
	em[0] = 0x00;
	em[1] = 0x01;
	em[100] = 0x00;
	assert_int_equal(tpm_rsa_public_raw(f->k1024, em, 128, ct, sizeof(ct),
					    &len), 0);
	len = 7;
	assert_int_equal(tpm_rsa_pkcs1_decrypt(f->k1024, ct, 128, pt,
					       sizeof(pt), &len), -EBADMSG);
	em[1] = 0x02;
	em[100] = 0x5a;
	assert_int_equal(tpm_rsa_public_raw(f->k1024, em, 128, ct, sizeof(ct),
					    &len), 0);
	len = 7;
	assert_int_equal(tpm_rsa_pkcs1_decrypt(f->k1024, ct, 128, pt,
					       sizeof(pt), &len), -EBADMSG);
	assert_int_equal(len, 7);
	/* The same block with the separator restored is accepted. */
	em[100] = 0x00;
	assert_int_equal(tpm_rsa_public_raw(f->k1024, em, 128, ct, sizeof(ct),
					    &len), 0);
	assert_int_equal(tpm_rsa_pkcs1_decrypt(f->k1024, ct, 128, pt,
					       sizeof(pt), &len), 0);
	assert_int_equal(len, 27);
}

/* A SHA-1 signature verifies with OpenSSL's EVP_PKEY_verify, independently
 * of tpm_rsa_verify_sha1(). */
static void rsa_sign_sha1_openssl_verifies(void **state)
{
	struct fixture *f = *state;
	uint8_t md[TPM_SHA1_SIZE], sig[MAX_RSA_BYTES];
	EVP_PKEY_CTX *ctx;
	size_t len;

	assert_int_equal(tpm_sha1("abc", 3, md), 0);
	assert_int_equal(tpm_rsa_sign_sha1(f->k2048, md, sig, sizeof(sig),
					   &len), 0);
	assert_int_equal(len, 256);
	ctx = EVP_PKEY_CTX_new(f->pub2048, NULL);
	assert_non_null(ctx);
	assert_int_equal(EVP_PKEY_verify_init(ctx), 1);
	assert_true(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0);
	assert_true(EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha1()) > 0);
	assert_int_equal(EVP_PKEY_verify(ctx, sig, len, md, sizeof(md)), 1);
	md[0] ^= 1;
	assert_int_not_equal(EVP_PKEY_verify(ctx, sig, len, md, sizeof(md)),
			     1);
	EVP_PKEY_CTX_free(ctx);
}

/* Signing the DER DigestInfo raw gives the very bytes of sign_sha1 over the
 * same digest (PKCS#1 v1.5 signatures are deterministic). */
static void rsa_sign_raw_digestinfo_equals_sign_sha1(void **state)
{
	struct fixture *f = *state;
	uint8_t di[sizeof(sha1_digestinfo) + TPM_SHA1_SIZE];
	uint8_t a[MAX_RSA_BYTES], b[MAX_RSA_BYTES];
	size_t alen, blen;

	memcpy(di, sha1_digestinfo, sizeof(sha1_digestinfo));
	assert_int_equal(tpm_sha1(msg448, strlen(msg448),
				  di + sizeof(sha1_digestinfo)), 0);
	assert_int_equal(tpm_rsa_sign_raw(f->k1024, di, sizeof(di), a,
					  sizeof(a), &alen), 0);
	assert_int_equal(tpm_rsa_sign_sha1(f->k1024,
					   di + sizeof(sha1_digestinfo), b,
					   sizeof(b), &blen), 0);
	assert_int_equal(alen, 128);
	assert_int_equal(blen, 128);
	assert_memory_equal(a, b, alen);
}

/* Raw signing accepts up to k-11 bytes; k-10 is -EMSGSIZE. */
static void rsa_sign_raw_length_limit(void **state)
{
	struct fixture *f = *state;
	uint8_t data[128] = { 0 }, sig[MAX_RSA_BYTES];
	size_t len;

	assert_int_equal(tpm_rsa_sign_raw(f->k1024, data, 117, sig,
					  sizeof(sig), &len), 0);
	assert_int_equal(tpm_rsa_sign_raw(f->k1024, data, 118, sig,
					  sizeof(sig), &len), -EMSGSIZE);
	assert_int_equal(tpm_rsa_sign_raw(f->k1024, data, 0, sig,
					  sizeof(sig), &len), 0);
}

/* A signature output shorter than the modulus is -ENOSPC, and *siglen is
 * left alone. */
static void rsa_sign_sha1_cap_too_small(void **state)
{
	struct fixture *f = *state;
	uint8_t md[TPM_SHA1_SIZE] = { 0 }, sig[MAX_RSA_BYTES];
	size_t len = 7;

	assert_int_equal(tpm_rsa_sign_sha1(f->k2048, md, sig, 255, &len),
			 -ENOSPC);
	assert_int_equal(tpm_rsa_sign_raw(f->k2048, md, sizeof(md), sig, 0,
					  &len), -ENOSPC);
	assert_int_equal(len, 7);
}

/* A signature verifies; flipping a bit in it, the digest or its length
 * makes verification fail with -EBADMSG. */
static void rsa_verify_sha1_modified_signature(void **state)
{
	struct fixture *f = *state;
	uint8_t md[TPM_SHA1_SIZE], sig[MAX_RSA_BYTES];
	size_t len, i;

	assert_int_equal(tpm_sha1("abc", 3, md), 0);
	assert_int_equal(tpm_rsa_sign_sha1(f->k1024, md, sig, sizeof(sig),
					   &len), 0);
	assert_int_equal(tpm_rsa_verify_sha1(f->k1024, md, sig, len), 0);
	for (i = 0; i < len; i += 31) {
		sig[i] ^= 0x01;
		assert_int_equal(tpm_rsa_verify_sha1(f->k1024, md, sig, len),
				 -EBADMSG);
		sig[i] ^= 0x01;
	}
	md[19] ^= 0x01;
	assert_int_equal(tpm_rsa_verify_sha1(f->k1024, md, sig, len),
			 -EBADMSG);
	md[19] ^= 0x01;
	assert_int_equal(tpm_rsa_verify_sha1(f->k1024, md, sig, len - 1),
			 -EBADMSG);
	assert_int_equal(tpm_rsa_verify_sha1(f->k2048, md, sig, len),
			 -EBADMSG);
}

/* A signature made by OpenSSL with its own key verifies with a public key
 * built from its modulus. */
static void rsa_verify_sha1_openssl_signature(void **state)
{
	struct fixture *f = *state;
	uint8_t n[MAX_RSA_BYTES], md[TPM_SHA1_SIZE], sig[MAX_RSA_BYTES];
	BIGNUM *bn = NULL;
	struct tpm_rsa *pub;
	EVP_PKEY_CTX *ctx;
	size_t len = sizeof(sig);
	int nlen;

	assert_int_equal(tpm_sha1("abc", 3, md), 0);
	ctx = EVP_PKEY_CTX_new(f->ossl1024, NULL);
	assert_non_null(ctx);
	assert_int_equal(EVP_PKEY_sign_init(ctx), 1);
	assert_true(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0);
	assert_true(EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha1()) > 0);
	assert_int_equal(EVP_PKEY_sign(ctx, sig, &len, md, sizeof(md)), 1);
	EVP_PKEY_CTX_free(ctx);
	assert_int_equal(EVP_PKEY_get_bn_param(f->ossl1024,
					       OSSL_PKEY_PARAM_RSA_N, &bn), 1);
	nlen = BN_bn2bin(bn, n);
	BN_free(bn);
	assert_int_equal(tpm_rsa_from_public(&pub, n, (size_t)nlen, NULL, 0),
			 0);
	assert_int_equal(tpm_rsa_verify_sha1(pub, md, sig, len), 0);
	tpm_rsa_free(pub);
}

/* Signing with a public-only key is -EINVAL, as is reading its prime. */
static void rsa_sign_sha1_public_key(void **state)
{
	struct fixture *f = *state;
	uint8_t n[MAX_RSA_BYTES], md[TPM_SHA1_SIZE] = { 0 };
	struct tpm_rsa *pub;
	size_t nlen, len;

	assert_int_equal(tpm_rsa_get_modulus(f->k1024, n, sizeof(n), &nlen),
			 0);
	assert_int_equal(tpm_rsa_from_public(&pub, n, nlen, NULL, 0), 0);
	assert_int_equal(tpm_rsa_sign_sha1(pub, md, n, sizeof(n), &len),
			 -EINVAL);
	assert_int_equal(tpm_rsa_sign_raw(pub, md, sizeof(md), n, sizeof(n),
					  &len), -EINVAL);
	assert_int_equal(tpm_rsa_get_prime(pub, n, sizeof(n), &len), -EINVAL);
	tpm_rsa_free(pub);
}

/* A key rebuilt from (n, e, p) signs, and from_public of the same n
 * verifies it; the rebuilt key reports the same p. */
static void rsa_from_prime_verifies_with_public(void **state)
{
	struct fixture *f = *state;
	uint8_t n[MAX_RSA_BYTES], p[MAX_RSA_BYTES], p2[MAX_RSA_BYTES];
	uint8_t md[TPM_SHA1_SIZE], sig[MAX_RSA_BYTES];
	struct tpm_rsa *priv, *pub;
	size_t nlen, plen, p2len, len;

	assert_int_equal(tpm_rsa_get_modulus(f->k2048, n, sizeof(n), &nlen),
			 0);
	assert_int_equal(tpm_rsa_get_prime(f->k2048, p, sizeof(p), &plen), 0);
	assert_int_equal(tpm_rsa_from_prime(&priv, n, nlen, NULL, 0, p, plen),
			 0);
	assert_int_equal(tpm_rsa_is_private(priv), 1);
	assert_int_equal(tpm_rsa_size(priv), 256);
	assert_int_equal(tpm_rsa_get_prime(priv, p2, sizeof(p2), &p2len), 0);
	assert_int_equal(p2len, plen);
	assert_memory_equal(p2, p, plen);
	assert_int_equal(tpm_rsa_from_public(&pub, n, nlen, NULL, 0), 0);
	assert_int_equal(tpm_sha1("abc", 3, md), 0);
	assert_int_equal(tpm_rsa_sign_sha1(priv, md, sig, sizeof(sig), &len),
			 0);
	assert_int_equal(tpm_rsa_verify_sha1(pub, md, sig, len), 0);
	tpm_rsa_free(pub);
	tpm_rsa_free(priv);
}

/* Giving the second prime q instead of p also rebuilds a working key that
 * decrypts what the original key's public half encrypted. */
static void rsa_from_prime_second_factor(void **state)
{
	struct fixture *f = *state;
	uint8_t n[MAX_RSA_BYTES], p[MAX_RSA_BYTES], q[MAX_RSA_BYTES];
	uint8_t ct[MAX_RSA_BYTES], pt[MAX_RSA_BYTES];
	BIGNUM *bn, *bp, *bq, *rem;
	struct tpm_rsa *priv;
	size_t nlen, plen, len;
	BN_CTX *bc;
	int qlen;

	assert_int_equal(tpm_rsa_get_modulus(f->k1024, n, sizeof(n), &nlen),
			 0);
	assert_int_equal(tpm_rsa_get_prime(f->k1024, p, sizeof(p), &plen), 0);
	bn = BN_bin2bn(n, (int)nlen, NULL);
	bp = BN_bin2bn(p, (int)plen, NULL);
	bq = BN_new();
	rem = BN_new();
	bc = BN_CTX_new();
	assert_true(bn && bp && bq && rem && bc);
	assert_int_equal(BN_div(bq, rem, bn, bp, bc), 1);
	assert_true(BN_is_zero(rem));
	qlen = BN_bn2bin(bq, q);
	BN_CTX_free(bc);
	BN_free(rem);
	BN_free(bq);
	BN_free(bp);
	BN_free(bn);
	assert_int_equal(tpm_rsa_from_prime(&priv, n, nlen, NULL, 0, q,
					    (size_t)qlen), 0);
	assert_int_equal(tpm_rsa_oaep_encrypt(f->k1024, (const uint8_t *)"q",
					      1, ct, sizeof(ct), &len), 0);
	assert_int_equal(tpm_rsa_oaep_decrypt(priv, ct, len, pt, sizeof(pt),
					      &len), 0);
	assert_int_equal(len, 1);
	assert_int_equal(pt[0], 'q');
	tpm_rsa_free(priv);
}

/* A key generated by OpenSSL, rebuilt from its n, e and p, signs exactly
 * as OpenSSL does with the original. */
static void rsa_from_prime_matches_openssl_key(void **state)
{
	struct fixture *f = *state;
	uint8_t n[MAX_RSA_BYTES], e[8], p[MAX_RSA_BYTES], md[TPM_SHA1_SIZE];
	uint8_t a[MAX_RSA_BYTES], b[MAX_RSA_BYTES];
	BIGNUM *bn = NULL, *be = NULL, *bp = NULL;
	struct tpm_rsa *priv;
	EVP_PKEY_CTX *ctx;
	size_t alen = sizeof(a), blen;
	int nlen, elen, plen;

	assert_int_equal(EVP_PKEY_get_bn_param(f->ossl1024,
					       OSSL_PKEY_PARAM_RSA_N, &bn), 1);
	assert_int_equal(EVP_PKEY_get_bn_param(f->ossl1024,
					       OSSL_PKEY_PARAM_RSA_E, &be), 1);
	assert_int_equal(EVP_PKEY_get_bn_param(f->ossl1024,
					       OSSL_PKEY_PARAM_RSA_FACTOR1,
					       &bp), 1);
	assert_true(BN_num_bytes(be) <= (int)sizeof(e));
	nlen = BN_bn2bin(bn, n);
	elen = BN_bn2bin(be, e);
	plen = BN_bn2bin(bp, p);
	BN_clear_free(bp);
	BN_free(be);
	BN_free(bn);
	assert_int_equal(tpm_rsa_from_prime(&priv, n, (size_t)nlen, e,
					    (size_t)elen, p, (size_t)plen), 0);
	assert_int_equal(tpm_sha1(msg448, strlen(msg448), md), 0);
	assert_int_equal(tpm_rsa_sign_sha1(priv, md, b, sizeof(b), &blen), 0);
	ctx = EVP_PKEY_CTX_new(f->ossl1024, NULL);
	assert_non_null(ctx);
	assert_int_equal(EVP_PKEY_sign_init(ctx), 1);
	assert_true(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0);
	assert_true(EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha1()) > 0);
	assert_int_equal(EVP_PKEY_sign(ctx, a, &alen, md, sizeof(md)), 1);
	EVP_PKEY_CTX_free(ctx);
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
	tpm_rsa_free(priv);
}

/* A "prime" that does not divide n (p + 2), 1, or n itself is -EBADMSG
 * and yields no key. */
static void rsa_from_prime_not_dividing(void **state)
{
	struct fixture *f = *state;
	uint8_t n[MAX_RSA_BYTES], p[MAX_RSA_BYTES];
	struct tpm_rsa *k = (struct tpm_rsa *)(uintptr_t)1;
	static const uint8_t one[] = { 1 };
	size_t nlen, plen;
	BIGNUM *bp;

	assert_int_equal(tpm_rsa_get_modulus(f->k1024, n, sizeof(n), &nlen),
			 0);
	assert_int_equal(tpm_rsa_get_prime(f->k1024, p, sizeof(p), &plen), 0);
	bp = BN_bin2bn(p, (int)plen, NULL);
	assert_non_null(bp);
	assert_int_equal(BN_add_word(bp, 2), 1);
	plen = (size_t)BN_bn2bin(bp, p);
	BN_free(bp);
	assert_int_equal(tpm_rsa_from_prime(&k, n, nlen, NULL, 0, p, plen),
			 -EBADMSG);
	assert_null(k);
	assert_int_equal(tpm_rsa_from_prime(&k, n, nlen, NULL, 0, one, 1),
			 -EBADMSG);
	assert_int_equal(tpm_rsa_from_prime(&k, n, nlen, NULL, 0, n, nlen),
			 -EBADMSG);
	assert_null(k);
}

/* An even modulus, an even exponent or a modulus below 512 bits is
 * rejected as -EBADMSG. */
static void rsa_from_public_bad_key(void **state)
{
	struct fixture *f = *state;
	static const uint8_t e_even[] = { 0x01, 0x00, 0x00 };
	uint8_t n[MAX_RSA_BYTES];
	struct tpm_rsa *k = (struct tpm_rsa *)(uintptr_t)1;
	size_t nlen;

	assert_int_equal(tpm_rsa_get_modulus(f->k1024, n, sizeof(n), &nlen),
			 0);
	assert_int_equal(tpm_rsa_from_public(&k, n, nlen, e_even, 3),
			 -EBADMSG);
	assert_null(k);
	n[nlen - 1] ^= 1;
	assert_int_equal(tpm_rsa_from_public(&k, n, nlen, NULL, 0), -EBADMSG);
	n[nlen - 1] ^= 1;
	assert_int_equal(tpm_rsa_from_public(&k, n, 63, NULL, 0), -EBADMSG);
	assert_null(k);
}

/* The raw public operation on a signature exposes the EMSA-PKCS1-v1_5
 * block 00 01 FF..FF 00 DigestInfo digest. */
static void rsa_public_raw_recovers_padding(void **state)
{
	struct fixture *f = *state;
	uint8_t md[TPM_SHA1_SIZE], sig[MAX_RSA_BYTES], em[MAX_RSA_BYTES];
	size_t len, ps, i;

	assert_int_equal(tpm_sha1("abc", 3, md), 0);
	assert_int_equal(tpm_rsa_sign_sha1(f->k1024, md, sig, sizeof(sig),
					   &len), 0);
	assert_int_equal(tpm_rsa_public_raw(f->k1024, sig, len, em,
					    sizeof(em), &len), 0);
	assert_int_equal(len, 128);
	ps = 128 - 3 - sizeof(sha1_digestinfo) - TPM_SHA1_SIZE;
	assert_int_equal(em[0], 0x00);
	assert_int_equal(em[1], 0x01);
	for (i = 0; i < ps; i++)
		assert_int_equal(em[2 + i], 0xff);
	assert_int_equal(em[2 + ps], 0x00);
	assert_memory_equal(em + 3 + ps, sha1_digestinfo,
			    sizeof(sha1_digestinfo));
	assert_memory_equal(em + 128 - TPM_SHA1_SIZE, md, TPM_SHA1_SIZE);
}

/* An input >= n or not of modulus length is -EBADMSG; a short output is
 * -ENOSPC. */
static void rsa_public_raw_bad_input(void **state)
{
	struct fixture *f = *state;
	uint8_t in[MAX_RSA_BYTES], out[MAX_RSA_BYTES];
	size_t len = 7;

	memset(in, 0xff, sizeof(in));
	assert_int_equal(tpm_rsa_public_raw(f->k1024, in, 128, out,
					    sizeof(out), &len), -EBADMSG);
	in[0] = 0;
	assert_int_equal(tpm_rsa_public_raw(f->k1024, in, 127, out,
					    sizeof(out), &len), -EBADMSG);
	assert_int_equal(tpm_rsa_public_raw(f->k1024, in, 128, out, 127,
					    &len), -ENOSPC);
	assert_int_equal(len, 7);
	assert_int_equal(tpm_rsa_public_raw(f->k1024, in, 128, out, 128,
					    &len), 0);
	assert_int_equal(len, 128);
}

/* Reading the modulus or prime into too small a buffer is -ENOSPC. */
static void rsa_get_modulus_cap_too_small(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[MAX_RSA_BYTES];
	size_t len = 7;

	assert_int_equal(tpm_rsa_get_modulus(f->k2048, buf, 255, &len),
			 -ENOSPC);
	assert_int_equal(tpm_rsa_get_prime(f->k2048, buf, 127, &len),
			 -ENOSPC);
	assert_int_equal(len, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sha1_oneshot_abc),
		cmocka_unit_test(sha1_oneshot_empty),
		cmocka_unit_test(sha1_oneshot_448bit),
		cmocka_unit_test(sha1_incremental_matches_oneshot),
		cmocka_unit_test(sha1_update_after_final),
		cmocka_unit_test(sha1_abort_idempotent),
		cmocka_unit_test(sha1_v_matches_oneshot),
		cmocka_unit_test(sha1_v_zero_length_item),
		cmocka_unit_test(hmac_sha1_rfc2202_case1),
		cmocka_unit_test(hmac_sha1_rfc2202_case2),
		cmocka_unit_test(hmac_sha1_rfc2202_case3),
		cmocka_unit_test(hmac_sha1_rfc2202_case4),
		cmocka_unit_test(hmac_sha1_rfc2202_case5),
		cmocka_unit_test(hmac_sha1_rfc2202_case6),
		cmocka_unit_test(hmac_sha1_rfc2202_case7),
		cmocka_unit_test(hmac_sha1_split_matches_whole),
		cmocka_unit_test(hmac_sha1_empty_key),
		cmocka_unit_test(mgf1_sha1_known_answer),
		cmocka_unit_test(mgf1_sha1_prefix_lengths),
		cmocka_unit_test(oaep_seeded_known_answer),
		cmocka_unit_test(oaep_seeded_roundtrip_padding),
		cmocka_unit_test(oaep_seeded_encode_too_long),
		cmocka_unit_test(oaep_seeded_decode_bad_separator),
		cmocka_unit_test(aes_ctr_sp800_38a),
		cmocka_unit_test(aes_ctr_sp800_38a_aes256_in_place),
		cmocka_unit_test(aes_ctr_partial_block),
		cmocka_unit_test(aes_ofb_sp800_38a),
		cmocka_unit_test(aes_cbc_encrypt_sp800_38a),
		cmocka_unit_test(aes_cbc_encrypt_padding_lengths),
		cmocka_unit_test(aes_cbc_encrypt_cap_too_small),
		cmocka_unit_test(aes_cbc_decrypt_small_cap),
		cmocka_unit_test(aes_cbc_decrypt_bad_padding),
		cmocka_unit_test(aes_cbc_decrypt_bad_length),
		cmocka_unit_test(aes_all_bad_key_length),
		cmocka_unit_test(rand_bytes_differ),
		cmocka_unit_test(rand_stir_then_draw),
		cmocka_unit_test(memcmp_ct_each_position),
		cmocka_unit_test(rsa_generate_1024_2048),
		cmocka_unit_test(rsa_generate_bad_params),
		cmocka_unit_test(rsa_oaep_roundtrip_1024),
		cmocka_unit_test(rsa_oaep_roundtrip_2048),
		cmocka_unit_test(rsa_oaep_decrypt_openssl_ciphertext),
		cmocka_unit_test(rsa_oaep_decrypt_wrong_label),
		cmocka_unit_test(rsa_oaep_decrypt_corrupted),
		cmocka_unit_test(rsa_oaep_length_limits),
		cmocka_unit_test(rsa_oaep_decrypt_public_key),
		cmocka_unit_test(rsa_pkcs1_roundtrip),
		cmocka_unit_test(rsa_pkcs1_decrypt_openssl_ciphertext),
		cmocka_unit_test(rsa_pkcs1_decrypt_corrupted),
		cmocka_unit_test(rsa_sign_sha1_openssl_verifies),
		cmocka_unit_test(rsa_sign_raw_digestinfo_equals_sign_sha1),
		cmocka_unit_test(rsa_sign_raw_length_limit),
		cmocka_unit_test(rsa_sign_sha1_cap_too_small),
		cmocka_unit_test(rsa_verify_sha1_modified_signature),
		cmocka_unit_test(rsa_verify_sha1_openssl_signature),
		cmocka_unit_test(rsa_sign_sha1_public_key),
		cmocka_unit_test(rsa_from_prime_verifies_with_public),
		cmocka_unit_test(rsa_from_prime_second_factor),
		cmocka_unit_test(rsa_from_prime_matches_openssl_key),
		cmocka_unit_test(rsa_from_prime_not_dividing),
		cmocka_unit_test(rsa_from_public_bad_key),
		cmocka_unit_test(rsa_public_raw_recovers_padding),
		cmocka_unit_test(rsa_public_raw_bad_input),
		cmocka_unit_test(rsa_get_modulus_cap_too_small),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
