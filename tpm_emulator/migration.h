/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private to the migration family: the plaintext structures migration.c
 * owns and the helpers cmk.c (certified migration keys) shares with it.
 * Only migration.c and cmk.c include this header.
 */
#ifndef TPM_MIGRATION_H
#define TPM_MIGRATION_H

#include "internal.h"

/* Part 3, 11.2 step 5a: K1 is the first 20 bytes of TPM_STORE_PRIVKEY,
 * carried in the OAEP seed. */
#define MIG_K1_SIZE		TPM_DIGEST_SIZE
/* o1 with an empty padding string (198 bytes in all for a 2048-bit key,
 * Part 3, 11.2 step 5c). */
#define MIG_O1_MAX		(TPM_OAEP_SEEDED_OVERHEAD + \
				 TPM_MIGRATE_ASYMKEY_FIXED + \
				 TPM_STORE_PRIVKEY_MAX)
/* Part 3, 11.1 step 1: a migration destination is at least RSA-2048. */
#define MIG_KEY_MIN_BITS	2048U

/* Part 2, 5.7: TPM_MIGRATIONKEYAUTH, with the TPM_PUBKEY bytes as sent
 * (they are hashed as received). */
struct tpm_mig_key_auth {
	struct tpm_key key;		/* public part; rsa is public */
	const uint8_t *pub;
	size_t pub_len;
	uint16_t scheme;
	uint8_t digest[TPM_DIGEST_SIZE];
};

/* tpm_store_asymkey_decrypt() of a key to migrate: also
 * TPM_INVALID_STRUCTURE when privKey is too short to give K1. */
TPM_RESULT tpm_mig_decrypt_asymkey(const struct tpm_key *k,
				   const uint8_t *enc, uint32_t elen,
				   struct tpm_store_asymkey *a);
/* Encrypt @a under @k and write u32 size || blob to @out. */
TPM_RESULT tpm_mig_asymkey_encrypt_put(const struct tpm_key *k,
				       const struct tpm_store_asymkey *a,
				       struct tpm_buf *out);
/* Parse a TPM_MIGRATIONKEYAUTH (Part 2, 5.7); m->pub points into @in. */
TPM_RESULT tpm_mig_key_auth_get(struct tpm_buf *in,
				struct tpm_mig_key_auth *m);
/* Part 3, 11.1 steps 7-8: SHA-1(migrationKey || scheme || tpmProof). */
int tpm_mig_key_auth_digest(const struct tpm_state *s,
			    const struct tpm_mig_key_auth *m,
			    uint8_t out[TPM_DIGEST_SIZE]);
/*
 * tpm_mig_blob_put() - Part 3, 11.2 step 5 / 11.9 steps 11-17: K1 as the
 * OAEP seed, d1->migration_auth as pHash, TPM_MIGRATE_ASYMKEY of
 * @payload, XORed with a fresh random string; writes u32 randomSize ||
 * random || u32 outDataSize || outData (encrypted under @mig_key).
 */
TPM_RESULT tpm_mig_blob_put(const struct tpm_key *mig_key,
			    const struct tpm_store_asymkey *d1,
			    uint8_t payload, struct tpm_buf *out);
/*
 * tpm_mig_blob_open() - Part 3, 11.3 steps 3-7 / 11.10 steps 3-8: undo
 * tpm_mig_blob_put() under @parent.  d2->migration_auth receives pHash;
 * d2->payload is TPM_PT_ASYM.  TPM_BAD_MIGRATION when the blob's payload
 * is not @payload.
 */
TPM_RESULT tpm_mig_blob_open(const struct tpm_key *parent,
			     const uint8_t *enc, uint32_t elen,
			     const uint8_t *random, uint32_t rlen,
			     uint8_t payload, struct tpm_store_asymkey *d2);

#endif /* TPM_MIGRATION_H */
