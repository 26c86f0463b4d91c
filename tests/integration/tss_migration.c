// SPDX-License-Identifier: GPL-2.0
/*
 * tss_migration: migrates a key between two TPMs through libtspi, printing
 * TAP.  TPM A is behind the tcsd on TSS_TCSD_PORT, TPM B behind the one on
 * TSS_TCSD_PORT_B (both on TSS_TCSD_HOSTNAME).  A migratable signing key
 * made on A is authorized for B's storage key (TPM_AuthorizeMigrationKey),
 * migrated out (TPM_CreateMigrationBlob), converted on B
 * (TPM_ConvertMigrationBlob), loaded there and used to sign; OpenSSL
 * verifies the signature under the public key A reported.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include <tss/tspi.h>
/* trousers.h uses size_t without including <stddef.h> (included above). */
#include <trousers/trousers.h>

#define SHA1_LEN 20 /* TPM_DIGEST, Part 2 5.4 */

#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

/* One TPM behind one tcsd. */
struct tss {
	const char *name;
	TSS_HCONTEXT ctx;
	TSS_HTPM tpm;
	TSS_HKEY srk;
};

static BYTE well_known[] = TSS_WELL_KNOWN_SECRET;
static BYTE key_secret[] = "tss-migration key";
static BYTE mig_secret[] = "tss-migration migration secret";
static BYTE dest_secret[] = "tss-migration destination";

static int n_pass, n_fail;

static void ok(const char *name)
{
	n_pass++;
	printf("ok - %s\n", name);
}

static PRINTF_LIKE(2, 3) void not_ok(const char *name, const char *fmt, ...)
{
	va_list ap;

	n_fail++;
	printf("not ok - %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* A failed TSS call fails check @name; returns true when @r is success. */
static bool tss_call(const char *name, const char *call, TSS_RESULT r)
{
	if (r == TSS_SUCCESS)
		return true;
	not_ok(name, "%s: 0x%x (%s)", call, r, Trspi_Error_String(r));
	return false;
}

/* An RSA public key (exponent 65537) from a big-endian modulus. */
static EVP_PKEY *rsa_pub(const BYTE *mod, size_t mod_len)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM *n = BN_bin2bn(mod, (int)mod_len, NULL), *e = BN_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	EVP_PKEY *pk = NULL;

	if (!n || !e || !bld || !BN_set_word(e, 65537) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	pctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (!params || !pctx || EVP_PKEY_fromdata_init(pctx) <= 0 ||
	    EVP_PKEY_fromdata(pctx, &pk, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pk = NULL;
out:
	EVP_PKEY_CTX_free(pctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(e);
	BN_free(n);
	return pk;
}

/* TPM_SS_RSASSAPKCS1v15_SHA1 over the 20-byte @digest. */
static bool rsa_verify(EVP_PKEY *pk, const BYTE *digest, const BYTE *sig,
		       size_t sig_len)
{
	EVP_PKEY_CTX *c;
	bool good;

	if (!pk)
		return false;
	c = EVP_PKEY_CTX_new(pk, NULL);
	good = c && EVP_PKEY_verify_init(c) > 0 &&
	       EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) > 0 &&
	       EVP_PKEY_CTX_set_signature_md(c, EVP_sha1()) > 0 &&
	       EVP_PKEY_verify(c, sig, sig_len, digest, SHA1_LEN) == 1;
	EVP_PKEY_CTX_free(c);
	return good;
}

static TSS_RESULT set_secret(struct tss *t, TSS_HOBJECT obj, TSS_FLAG type,
			     TSS_FLAG mode, BYTE *secret, UINT32 len)
{
	TSS_HPOLICY pol;
	TSS_RESULT r;

	r = Tspi_Context_CreateObject(t->ctx, TSS_OBJECT_TYPE_POLICY, type,
				      &pol);
	if (!r)
		r = Tspi_Policy_SetSecret(pol, mode, len, secret);
	if (!r)
		r = Tspi_Policy_AssignToObject(pol, obj);
	return r;
}

/* Take ownership with well-known secrets unless the TPM is owned. */
static bool ensure_owned(struct tss *t, const char *name)
{
	UINT32 sub = TSS_TPMCAP_PROP_OWNER, len;
	TSS_HKEY ek, srk;
	TSS_RESULT r;
	BYTE *resp;

	if (!tss_call(name, "Tspi_TPM_GetCapability(PROP_OWNER)",
		      Tspi_TPM_GetCapability(t->tpm, TSS_TPMCAP_PROPERTY,
					     sizeof(sub), (BYTE *)&sub, &len,
					     &resp)))
		return false;
	if (len >= 1 && resp[0])
		return true;
	r = Tspi_TPM_GetPubEndorsementKey(t->tpm, FALSE, NULL, &ek);
	if (r == TPM_E_NO_ENDORSEMENT) {
		if (!tss_call(name, "EK object",
			      Tspi_Context_CreateObject(
				  t->ctx, TSS_OBJECT_TYPE_RSAKEY,
				  TSS_KEY_SIZE_2048 | TSS_KEY_TYPE_LEGACY,
				  &ek)) ||
		    !tss_call(name, "Tspi_TPM_CreateEndorsementKey",
			      Tspi_TPM_CreateEndorsementKey(t->tpm, ek, NULL)))
			return false;
	} else if (!tss_call(name, "Tspi_TPM_GetPubEndorsementKey", r)) {
		return false;
	}
	return tss_call(name, "SRK object",
			Tspi_Context_CreateObject(
				t->ctx, TSS_OBJECT_TYPE_RSAKEY,
				TSS_KEY_TSP_SRK | TSS_KEY_AUTHORIZATION,
				&srk)) &&
	       tss_call(name, "SRK policy",
			set_secret(t, srk, TSS_POLICY_USAGE,
				   TSS_SECRET_MODE_SHA1, well_known,
				   sizeof(well_known))) &&
	       tss_call(name, "Tspi_TPM_TakeOwnership",
			Tspi_TPM_TakeOwnership(t->tpm, srk, 0));
}

/* Connect to the tcsd on @port, own the TPM, load the SRK. */
static bool setup(struct tss *t, const char *port)
{
	char name[96];
	TSS_UUID srk_uuid = TSS_UUID_SRK;
	TSS_HPOLICY pol;

	snprintf(name, sizeof(name), "TPM %s: connect, own, load the SRK",
		 t->name);
	/* libtspi reads the port from the environment when it connects. */
	if (!port || setenv("TSS_TCSD_PORT", port, 1)) {
		not_ok(name, "no tcsd port given");
		return false;
	}
	if (!tss_call(name, "Tspi_Context_Create",
		      Tspi_Context_Create(&t->ctx)) ||
	    !tss_call(name, "Tspi_Context_Connect",
		      Tspi_Context_Connect(t->ctx, NULL)) ||
	    !tss_call(name, "Tspi_Context_GetTpmObject",
		      Tspi_Context_GetTpmObject(t->ctx, &t->tpm)) ||
	    !tss_call(name, "owner policy",
		      Tspi_GetPolicyObject(t->tpm, TSS_POLICY_USAGE, &pol)) ||
	    !tss_call(name, "owner secret",
		      Tspi_Policy_SetSecret(pol, TSS_SECRET_MODE_SHA1,
					    sizeof(well_known), well_known)) ||
	    !ensure_owned(t, name) ||
	    !tss_call(name, "Tspi_Context_LoadKeyByUUID(SRK)",
		      Tspi_Context_LoadKeyByUUID(t->ctx, TSS_PS_TYPE_SYSTEM,
						 srk_uuid, &t->srk)) ||
	    !tss_call(name, "SRK secret",
		      set_secret(t, t->srk, TSS_POLICY_USAGE,
				 TSS_SECRET_MODE_SHA1, well_known,
				 sizeof(well_known))))
		return false;
	ok(name);
	return true;
}

/* Everything the migration hands from one step to the next. */
struct mig {
	TSS_HKEY dest_b;	/* storage key on B, loaded */
	TSS_HKEY dest_in_a;	/* its public part, as an object of A */
	TSS_HKEY key_a;		/* the migratable key on A */
	EVP_PKEY *pub;		/* its public half, as A reported it */
	BYTE *ticket, *rnd, *blob;
	UINT32 ticket_len, rnd_len, blob_len;
	TSS_HKEY key_b;		/* the key converted on B */
};

/* A 2048-bit storage key on B, and a copy of its blob in A's context. */
static bool make_destination(struct tss *a, struct tss *b, struct mig *m)
{
	const char *name = "TPM B: storage key to migrate to";
	UINT32 len;
	BYTE *blob;

	return tss_call(name, "Tspi_Context_CreateObject",
			Tspi_Context_CreateObject(
				b->ctx, TSS_OBJECT_TYPE_RSAKEY,
				TSS_KEY_TYPE_STORAGE | TSS_KEY_SIZE_2048 |
				    TSS_KEY_AUTHORIZATION |
				    TSS_KEY_NOT_MIGRATABLE,
				&m->dest_b)) &&
	       tss_call(name, "usage policy",
			set_secret(b, m->dest_b, TSS_POLICY_USAGE,
				   TSS_SECRET_MODE_PLAIN, dest_secret,
				   sizeof(dest_secret) - 1)) &&
	       tss_call(name, "Tspi_Key_CreateKey",
			Tspi_Key_CreateKey(m->dest_b, b->srk, 0)) &&
	       tss_call(name, "Tspi_Key_LoadKey",
			Tspi_Key_LoadKey(m->dest_b, b->srk)) &&
	       tss_call(name, "key blob",
			Tspi_GetAttribData(m->dest_b, TSS_TSPATTRIB_KEY_BLOB,
					   TSS_TSPATTRIB_KEYBLOB_BLOB, &len,
					   &blob)) &&
	       tss_call(name, "object in A's context",
			Tspi_Context_CreateObject(a->ctx,
						  TSS_OBJECT_TYPE_RSAKEY,
						  TSS_KEY_SIZE_2048,
						  &m->dest_in_a)) &&
	       tss_call(name, "set the blob",
			Tspi_SetAttribData(m->dest_in_a, TSS_TSPATTRIB_KEY_BLOB,
					   TSS_TSPATTRIB_KEYBLOB_BLOB, len,
					   blob));
}

/* A migratable 1024-bit signing key on A with a migration secret. */
static bool make_migratable(struct tss *a, struct mig *m)
{
	const char *name = "TPM A: migratable signing key";
	UINT32 len;
	BYTE *mod;

	if (!tss_call(name, "Tspi_Context_CreateObject",
		      Tspi_Context_CreateObject(
			  a->ctx, TSS_OBJECT_TYPE_RSAKEY,
			  TSS_KEY_TYPE_SIGNING | TSS_KEY_SIZE_1024 |
			      TSS_KEY_AUTHORIZATION | TSS_KEY_MIGRATABLE,
			  &m->key_a)) ||
	    !tss_call(name, "usage policy",
		      set_secret(a, m->key_a, TSS_POLICY_USAGE,
				 TSS_SECRET_MODE_PLAIN, key_secret,
				 sizeof(key_secret) - 1)) ||
	    !tss_call(name, "migration policy",
		      set_secret(a, m->key_a, TSS_POLICY_MIGRATION,
				 TSS_SECRET_MODE_PLAIN, mig_secret,
				 sizeof(mig_secret) - 1)) ||
	    !tss_call(name, "Tspi_Key_CreateKey (TPM_CreateWrapKey)",
		      Tspi_Key_CreateKey(m->key_a, a->srk, 0)) ||
	    !tss_call(name, "modulus",
		      Tspi_GetAttribData(m->key_a, TSS_TSPATTRIB_RSAKEY_INFO,
					 TSS_TSPATTRIB_KEYINFO_RSA_MODULUS,
					 &len, &mod)))
		return false;
	m->pub = rsa_pub(mod, len);
	if (!m->pub || len != 128) {
		not_ok(name, "no 1024-bit public key in the blob");
		return false;
	}
	ok(name);
	return true;
}

static bool migrate_out(struct tss *a, struct mig *m)
{
	const char *name = "TPM A: TPM_AuthorizeMigrationKey";

	if (!tss_call(name, "Tspi_TPM_AuthorizeMigrationTicket",
		      Tspi_TPM_AuthorizeMigrationTicket(
			  a->tpm, m->dest_in_a, TSS_MS_MIGRATE,
			  &m->ticket_len, &m->ticket)))
		return false;
	ok(name);
	name = "TPM A: TPM_CreateMigrationBlob";
	if (!tss_call(name, "Tspi_Key_CreateMigrationBlob",
		      Tspi_Key_CreateMigrationBlob(m->key_a, a->srk,
						   m->ticket_len, m->ticket,
						   &m->rnd_len, &m->rnd,
						   &m->blob_len, &m->blob)))
		return false;
	if (!m->rnd_len) {
		not_ok(name, "TPM_MS_MIGRATE returned no random string");
		return false;
	}
	ok(name);
	return true;
}

static bool migrate_in(struct tss *b, struct mig *m)
{
	const char *name = "TPM B: TPM_ConvertMigrationBlob";

	if (!tss_call(name, "Tspi_Context_CreateObject",
		      Tspi_Context_CreateObject(
			  b->ctx, TSS_OBJECT_TYPE_RSAKEY,
			  TSS_KEY_TYPE_SIGNING | TSS_KEY_SIZE_1024 |
			      TSS_KEY_AUTHORIZATION | TSS_KEY_MIGRATABLE,
			  &m->key_b)) ||
	    !tss_call(name, "destination usage policy",
		      set_secret(b, m->dest_b, TSS_POLICY_USAGE,
				 TSS_SECRET_MODE_PLAIN, dest_secret,
				 sizeof(dest_secret) - 1)) ||
	    !tss_call(name, "Tspi_Key_ConvertMigrationBlob",
		      Tspi_Key_ConvertMigrationBlob(m->key_b, m->dest_b,
						    m->rnd_len, m->rnd,
						    m->blob_len, m->blob)))
		return false;
	ok(name);
	name = "TPM B: load the migrated key (TPM_LoadKey2)";
	if (!tss_call(name, "usage policy",
		      set_secret(b, m->key_b, TSS_POLICY_USAGE,
				 TSS_SECRET_MODE_PLAIN, key_secret,
				 sizeof(key_secret) - 1)) ||
	    !tss_call(name, "Tspi_Key_LoadKey",
		      Tspi_Key_LoadKey(m->key_b, m->dest_b)))
		return false;
	ok(name);
	return true;
}

/* The migrated key signs on B; OpenSSL checks it under A's public key. */
static void sign_on_b(struct tss *b, struct mig *m)
{
	const char *name = "TPM B: the migrated key signs, A's public key "
			   "verifies";
	BYTE d[SHA1_LEN], *sig;
	unsigned int n = SHA1_LEN;
	const char msg[] = "tss_migration";
	UINT32 sig_len;
	TSS_HHASH h;

	if (!EVP_Digest(msg, strlen(msg), d, &n, EVP_sha1(), NULL))
		memset(d, 0, sizeof(d));
	if (!tss_call(name, "hash object",
		      Tspi_Context_CreateObject(b->ctx, TSS_OBJECT_TYPE_HASH,
						TSS_HASH_SHA1, &h)) ||
	    !tss_call(name, "Tspi_Hash_SetHashValue",
		      Tspi_Hash_SetHashValue(h, SHA1_LEN, d)) ||
	    !tss_call(name, "Tspi_Hash_Sign",
		      Tspi_Hash_Sign(h, m->key_b, &sig_len, &sig)))
		return;
	if (rsa_verify(m->pub, d, sig, sig_len))
		ok(name);
	else
		not_ok(name, "signature does not verify");
}

static void close_tss(struct tss *t)
{
	if (!t->ctx)
		return;
	Tspi_Context_FreeMemory(t->ctx, NULL);
	Tspi_Context_Close(t->ctx);
}

int main(void)
{
	struct tss a = { .name = "A" }, b = { .name = "B" };
	const char *port_a = getenv("TSS_TCSD_PORT");
	const char *port_b = getenv("TSS_TCSD_PORT_B");
	char pa[16] = "";
	struct mig m = { 0 };
	int ret = 2;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* setenv() below would change what getenv() returned. */
	if (port_a)
		snprintf(pa, sizeof(pa), "%s", port_a);
	if (!setup(&a, port_a ? pa : NULL) || !setup(&b, port_b)) {
		printf("Bail out! two TPMs behind two tcsds are needed\n");
		goto out;
	}
	if (make_destination(&a, &b, &m)) {
		ok("TPM B: storage key to migrate to");
		if (make_migratable(&a, &m) && migrate_out(&a, &m) &&
		    migrate_in(&b, &m))
			sign_on_b(&b, &m);
	}
	printf("# tss_migration: %d passed, %d failed\n", n_pass, n_fail);
	ret = n_fail ? 1 : 0;
out:
	EVP_PKEY_free(m.pub);
	close_tss(&b);
	close_tss(&a);
	return ret;
}
