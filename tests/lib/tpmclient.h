/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tpmclient: an independent TPM 1.2 client for tests and benchmarks.  It does
 * its own SHA-1/HMAC/RSA with OpenSSL and never links the engine's crypto, so
 * that an engine bug cannot verify itself.  Not for production use.
 */
#ifndef TPMCLIENT_H
#define TPMCLIENT_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "marshal.h"

/* Largest command or response we build or accept (swtpm's is 4096). */
#define TC_BUF_MAX		8192
/* Part 2, 5.4: TPM_DIGEST, TPM_NONCE and TPM_AUTHDATA are all 20 bytes. */
#define TC_DIGEST_SIZE		20
/* Largest RSA modulus we handle: 2048 bits (TPM 1.2 maximum we use). */
#define TC_MAX_MODULUS		256
/* handle(4) + nonceOdd(20) + continueAuthSession(1) + HMAC(20) */
#define TC_AUTH_IN_SIZE		45
/* nonceEven(20) + continueAuthSession(1) + HMAC(20) */
#define TC_AUTH_OUT_SIZE	41
/* Default per-transaction timeout; RSA-2048 key generation can take long. */
#define TC_DEFAULT_TIMEOUT_MS	60000

/* Extra result codes (negative errno) beyond those of the system. */
/* The response authorization HMAC did not verify. */
#define TC_EBADAUTH		(-EPROTO)
/* A signature or checksum from the TPM did not verify. */
#define TC_EBADSIG		(-EKEYREJECTED)

struct tc_conn {
	int fd;
	int timeout_ms;
	/* A TPM character device: one write(), one read() per command. */
	bool chardev;
};

/*
 * An authorization session as the caller sees it.  @key is the HMAC key:
 * the entity's usage secret for OIAP, the shared secret for OSAP.  A new
 * session has @cont FALSE, so the TPM ends it after its first command; set
 * it TRUE to use the session again (the nonces roll in tc_call()).
 */
struct tc_session {
	uint32_t handle;
	bool open;
	bool osap;
	/* continueAuthSession to send with the next command. */
	bool cont;
	/* nonce_odd was chosen in advance (ADIP's second XOR pad uses it). */
	bool odd_ready;
	uint8_t key[TC_DIGEST_SIZE];
	uint8_t nonce_even[TC_DIGEST_SIZE];
	uint8_t nonce_odd[TC_DIGEST_SIZE];
};

/* A command under construction; errors are sticky and reported at send. */
struct tc_cmd {
	uint8_t data[TC_BUF_MAX];
	struct tpm_buf b;
	uint32_t ordinal;
	/* First byte covered by inParamDigest (after the handles). */
	size_t params_off;
	/* Bytes of handles leading the response, outside outParamDigest. */
	size_t rsp_handles;
	/* End of the parameters once tc_call() has appended trailers. */
	size_t trailers_at;
	int err;
};

/* A response; out params are data[10 .. params_end). */
struct tc_rsp {
	uint8_t data[TC_BUF_MAX];
	size_t len;
	uint16_t tag;
	uint32_t rc;
	size_t params_end;
	/* Sessions whose trailers were present and verified. */
	unsigned int nauth;
	/* continueAuthSession of each returned trailer. */
	bool cont[2];
};

/* An RSA public key as TPM_PUBKEY / TPM_KEY carry it. */
struct tc_pubkey {
	uint32_t alg;
	uint16_t enc_scheme;
	uint16_t sig_scheme;
	uint32_t key_bits;
	uint32_t exponent;
	uint8_t modulus[TC_MAX_MODULUS];
	uint32_t modulus_len;
};

/* Parameters for CreateWrapKey and TakeOwnership's srkParams. */
struct tc_key_template {
	uint16_t usage;
	uint32_t flags;
	uint8_t auth_usage;
	uint16_t enc_scheme;
	uint16_t sig_scheme;
	uint32_t key_bits;
	/* Marshal as TPM_KEY12 (tag 0x0028) rather than TPM_KEY (ver 1.1). */
	bool key12;
};

/* The well-known secret (20 zero bytes) tpm-tools' -z/-y select. */
extern const uint8_t tc_well_known[TC_DIGEST_SIZE];

/* ---- transport ---- */

/**
 * tc_connect() - open a connection to a TPM.
 * @c: connection to initialise.
 * @endpoint: "tcp:HOST:PORT", "unix:PATH", or the absolute path of a TPM
 *            character device ("/dev/tpm0").
 *
 * On a character device each command is one write() and its response one
 * read(), as the kernel's TPM core requires; the core's own per-ordinal
 * durations bound the wait there, not the connection's timeout.
 *
 * Return: 0, or a negative errno (-EINVAL for a malformed endpoint).
 */
int tc_connect(struct tc_conn *c, const char *endpoint);

/* Close the connection; idempotent. */
void tc_disconnect(struct tc_conn *c);

/**
 * tc_transact() - send one command and read one framed response.
 * @c: connection.
 * @cmd: command bytes, sent as they are.
 * @len: number of command bytes.
 * @rsp: response buffer.
 * @cap: its size.
 * @rsp_len: set to the response length (header paramSize).
 *
 * Reads the 10-byte header, then paramSize - 10 bytes, within the
 * connection's timeout.
 *
 * Return: 0; -ETIMEDOUT; -ECONNRESET when the TPM closed the connection;
 * -EBADMSG when paramSize is below 10; -EMSGSIZE when it exceeds @cap.
 */
int tc_transact(struct tc_conn *c, const void *cmd, size_t len,
		uint8_t *rsp, size_t cap, size_t *rsp_len);

/* Send @len raw bytes and fill @r (header parsed, no auth processing). */
int tc_send_raw(struct tc_conn *c, const void *cmd, size_t len,
		struct tc_rsp *r);

/* ---- command builder ---- */

void tc_cmd_init(struct tc_cmd *cmd, uint32_t ordinal);
/* Handles precede the parameters and are not part of inParamDigest. */
void tc_cmd_handle(struct tc_cmd *cmd, uint32_t handle);
void tc_cmd_u8(struct tc_cmd *cmd, uint8_t v);
void tc_cmd_u16(struct tc_cmd *cmd, uint16_t v);
void tc_cmd_u32(struct tc_cmd *cmd, uint32_t v);
void tc_cmd_bytes(struct tc_cmd *cmd, const void *p, size_t n);
/* u32 length, then the bytes. */
void tc_cmd_sized(struct tc_cmd *cmd, const void *p, uint32_t n);

/**
 * tc_call() - authorize, send and check one command.
 * @c: connection.
 * @cmd: built command (tag and paramSize are filled in here); it may be
 *       sent again, with fresh authorization trailers.
 * @sess: @nsess open sessions (0, 1 or 2), in the order of the trailers.
 * @nsess: number of sessions.
 * @r: response.
 *
 * Computes each session's HMAC over inParamDigest, sends, and on success
 * verifies each response HMAC and rolls the session nonces; a returned
 * continueAuthSession FALSE marks the session closed.  After a failed
 * command the TPM may or may not have ended the session: it stays marked
 * open, and tc_session_close() flushes it either way.
 *
 * Return: the TPM return code (>= 0), or a negative errno: transport errors
 * as tc_transact(), -EBADMSG for a malformed response, TC_EBADAUTH when a
 * response HMAC does not verify, -ENOSPC when the command did not fit.
 */
int tc_call(struct tc_conn *c, struct tc_cmd *cmd, struct tc_session *sess,
	    unsigned int nsess, struct tc_rsp *r);

/* View of the response's out params (excluding auth trailers). */
void tc_rsp_params(const struct tc_rsp *r, struct tpm_buf *b);

/* ---- sessions ---- */

/* Open an OIAP session whose HMAC key is @auth. Return: TPM rc or -errno. */
int tc_oiap(struct tc_conn *c, struct tc_session *s,
	    const uint8_t auth[TC_DIGEST_SIZE], struct tc_rsp *r);
/*
 * Open an OSAP session for entity (@et, @ev) whose usage secret is @auth;
 * the shared secret becomes the HMAC key.
 */
int tc_osap(struct tc_conn *c, struct tc_session *s, uint16_t et,
	    uint32_t ev, const uint8_t auth[TC_DIGEST_SIZE],
	    struct tc_rsp *r);
/* FlushSpecific the session if it may still be open; errors ignored. */
int tc_session_close(struct tc_conn *c, struct tc_session *s);
/*
 * ADIP XOR encryption of @auth (Part 1, 13.8): the first value of a command
 * is padded with SHA1(sharedSecret || nonceEven); the second (@second) with
 * SHA1(sharedSecret || nonceOdd), which is then fixed for the next command.
 */
void tc_adip_encrypt(struct tc_session *s, bool second,
		     const uint8_t auth[TC_DIGEST_SIZE],
		     uint8_t out[TC_DIGEST_SIZE]);

/* ---- crypto helpers (OpenSSL) ---- */

void tc_sha1(const void *p, size_t n, uint8_t out[TC_DIGEST_SIZE]);
/* SHA-1 of a NUL-terminated secret, as tpm-tools derives auth values. */
void tc_auth_from_string(const char *s, uint8_t out[TC_DIGEST_SIZE]);
/* RSAES-OAEP (SHA-1, MGF1, label "TCPA") under @pk. Return: 0 or -errno. */
int tc_rsa_oaep_encrypt(const struct tc_pubkey *pk, const void *in,
			size_t n, uint8_t *out, size_t *out_len);
/*
 * Verify an RSASSA-PKCS1-v1_5 signature whose DigestInfo is SHA-1 of value
 * @digest. Return: 0 when valid, TC_EBADSIG when not, other -errno on error.
 */
int tc_rsa_verify_sha1(const struct tc_pubkey *pk,
		       const uint8_t digest[TC_DIGEST_SIZE],
		       const uint8_t *sig, size_t sig_len);

/* ---- structure parsing ---- */

/* Parse TPM_KEY_PARMS + TPM_STORE_PUBKEY (a TPM_PUBKEY). */
int tc_get_pubkey(struct tpm_buf *b, struct tc_pubkey *pk);
/* Parse a TPM_KEY or TPM_KEY12; @pk gets its public part. */
int tc_get_key(struct tpm_buf *b, struct tc_pubkey *pk);
/* Marshal a key template as TPM_KEY/TPM_KEY12 (no PCR info, no blobs). */
void tc_cmd_key_template(struct tc_cmd *cmd,
			 const struct tc_key_template *t);
/*
 * TPM_PCR_COMPOSITE digest of the PCRs in @mask (bit n = PCR n, n < 24)
 * whose values are @values[n].
 */
void tc_pcr_composite_digest(uint32_t mask,
			     const uint8_t values[][TC_DIGEST_SIZE],
			     uint8_t out[TC_DIGEST_SIZE]);
/* A TPM_PCR_SELECTION with sizeOfSelect 3 for @mask. */
void tc_cmd_pcr_selection(struct tc_cmd *cmd, uint32_t mask);

/* ---- commands ---- *
 * Each returns the TPM return code (>= 0) or a negative errno, as
 * tc_call().  Out parameters are written only on TPM_SUCCESS.  Commands
 * needing authorization open their own sessions (continueAuthSession FALSE)
 * from the secrets given.
 */
int tc_startup(struct tc_conn *c, uint16_t type, struct tc_rsp *r);
int tc_get_random(struct tc_conn *c, uint32_t want, uint8_t *out,
		  uint32_t *got, struct tc_rsp *r);
int tc_pcr_read(struct tc_conn *c, uint32_t pcr,
		uint8_t out[TC_DIGEST_SIZE], struct tc_rsp *r);
int tc_extend(struct tc_conn *c, uint32_t pcr,
	      const uint8_t in[TC_DIGEST_SIZE], uint8_t out[TC_DIGEST_SIZE],
	      struct tc_rsp *r);
int tc_pcr_reset(struct tc_conn *c, uint32_t mask, struct tc_rsp *r);
/* The answer is left in @r; tc_rsp_params() then reads respSize, resp. */
int tc_get_capability(struct tc_conn *c, uint32_t area, const void *sub,
		      uint32_t sub_len, struct tc_rsp *r);
/* GetCapability with a u32 sub-cap; *val gets a u32 (or BOOL) answer. */
int tc_get_cap_u32(struct tc_conn *c, uint32_t area, uint32_t sub,
		   uint32_t *val, struct tc_rsp *r);
/*
 * Read pubEK; the checksum over (pubkey || antiReplay) is verified
 * (TC_EBADSIG when it does not match).
 */
int tc_read_pubek(struct tc_conn *c, struct tc_pubkey *pk, struct tc_rsp *r);
int tc_owner_read_pubek(struct tc_conn *c,
			const uint8_t owner[TC_DIGEST_SIZE],
			struct tc_pubkey *pk, struct tc_rsp *r);
int tc_create_ek(struct tc_conn *c, uint32_t bits, struct tc_pubkey *pk,
		 struct tc_rsp *r);
int tc_physical_presence(struct tc_conn *c, uint16_t bits, struct tc_rsp *r);
/* Convenience: CMD_ENABLE then PRESENT. */
int tc_assert_pp(struct tc_conn *c, struct tc_rsp *r);
int tc_physical_enable(struct tc_conn *c, struct tc_rsp *r);
int tc_physical_disable(struct tc_conn *c, struct tc_rsp *r);
int tc_physical_set_deactivated(struct tc_conn *c, bool state,
				struct tc_rsp *r);
int tc_force_clear(struct tc_conn *c, struct tc_rsp *r);
/* @ek is the TPM's EK; @srk_pub (may be NULL) gets the new SRK's key. */
int tc_take_ownership(struct tc_conn *c, const struct tc_pubkey *ek,
		      const uint8_t owner[TC_DIGEST_SIZE],
		      const uint8_t srk[TC_DIGEST_SIZE], bool key12,
		      struct tc_pubkey *srk_pub, struct tc_rsp *r);
int tc_owner_clear(struct tc_conn *c, const uint8_t owner[TC_DIGEST_SIZE],
		   struct tc_rsp *r);
/*
 * CreateWrapKey under @parent (TPM_KH_SRK or a loaded storage key); the
 * wrapped TPM_KEY blob is copied to @blob (cap TC_BUF_MAX).
 */
int tc_create_wrap_key(struct tc_conn *c, uint32_t parent,
		       const uint8_t parent_auth[TC_DIGEST_SIZE],
		       const struct tc_key_template *t,
		       const uint8_t usage[TC_DIGEST_SIZE],
		       const uint8_t migration[TC_DIGEST_SIZE],
		       uint8_t *blob, size_t *blob_len, struct tc_rsp *r);
int tc_load_key2(struct tc_conn *c, uint32_t parent,
		 const uint8_t parent_auth[TC_DIGEST_SIZE],
		 const uint8_t *blob, size_t blob_len, uint32_t *handle,
		 struct tc_rsp *r);
/* GetPubKey; @auth NULL sends it without authorization. */
int tc_get_pub_key(struct tc_conn *c, uint32_t key,
		   const uint8_t auth[TC_DIGEST_SIZE], struct tc_pubkey *pk,
		   struct tc_rsp *r);
int tc_sign(struct tc_conn *c, uint32_t key,
	    const uint8_t auth[TC_DIGEST_SIZE], const void *area,
	    uint32_t area_len, uint8_t *sig, uint32_t *sig_len,
	    struct tc_rsp *r);
/* Seal to the PCRs in @mask (0: none) at their current @values. */
int tc_seal(struct tc_conn *c, uint32_t key,
	    const uint8_t key_auth[TC_DIGEST_SIZE],
	    const uint8_t data_auth[TC_DIGEST_SIZE], uint32_t mask,
	    const uint8_t values[][TC_DIGEST_SIZE], const void *data,
	    uint32_t len, uint8_t *blob, size_t *blob_len, struct tc_rsp *r);
int tc_unseal(struct tc_conn *c, uint32_t key,
	      const uint8_t key_auth[TC_DIGEST_SIZE],
	      const uint8_t data_auth[TC_DIGEST_SIZE], const uint8_t *blob,
	      size_t blob_len, uint8_t *out, uint32_t *out_len,
	      struct tc_rsp *r);
/*
 * Quote the PCRs in @mask with @nonce.  The signature is verified against
 * @pk when given (TC_EBADSIG if it does not verify).
 */
int tc_quote(struct tc_conn *c, uint32_t key,
	     const uint8_t auth[TC_DIGEST_SIZE],
	     const uint8_t nonce[TC_DIGEST_SIZE], uint32_t mask,
	     const struct tc_pubkey *pk, struct tc_rsp *r);
int tc_flush_specific(struct tc_conn *c, uint32_t handle, uint32_t type,
		      struct tc_rsp *r);
/*
 * NV_DefineSpace of a TPM_NV_DATA_PUBLIC without PCR restrictions; @owner
 * NULL sends it unauthorized.  @size 0 releases the index.
 */
int tc_nv_define(struct tc_conn *c, const uint8_t owner[TC_DIGEST_SIZE],
		 uint32_t index, uint32_t perm, uint32_t size,
		 const uint8_t auth[TC_DIGEST_SIZE], struct tc_rsp *r);
/* @owner NULL: unauthorized write/read. */
int tc_nv_write(struct tc_conn *c, const uint8_t owner[TC_DIGEST_SIZE],
		uint32_t index, uint32_t off, const void *data, uint32_t len,
		struct tc_rsp *r);
int tc_nv_read(struct tc_conn *c, const uint8_t owner[TC_DIGEST_SIZE],
	       uint32_t index, uint32_t off, uint32_t len, uint8_t *out,
	       uint32_t *got, struct tc_rsp *r);
int tc_create_counter(struct tc_conn *c, const uint8_t owner[TC_DIGEST_SIZE],
		      const uint8_t auth[TC_DIGEST_SIZE], const char label[4],
		      uint32_t *id, uint32_t *value, struct tc_rsp *r);
int tc_increment_counter(struct tc_conn *c, uint32_t id,
			 const uint8_t auth[TC_DIGEST_SIZE], uint32_t *value,
			 struct tc_rsp *r);
int tc_read_counter(struct tc_conn *c, uint32_t id, uint32_t *value,
		    struct tc_rsp *r);
int tc_release_counter(struct tc_conn *c, uint32_t id,
		       const uint8_t auth[TC_DIGEST_SIZE], struct tc_rsp *r);
int tc_get_ticks(struct tc_conn *c, uint64_t *ticks, struct tc_rsp *r);

/* Name of a TPM return code ("TPM_AUTHFAIL"), or "TPM_0x..." if unknown. */
const char *tc_rc_name(uint32_t rc);

/* ---- migration family (Part 3, 11) ---- */

/* Marshal @pk as a TPM_PUBKEY (default exponent). */
void tc_cmd_pubkey(struct tc_cmd *cmd, const struct tc_pubkey *pk);
/* Split a TPM_KEY/TPM_KEY12 blob: @head_len bytes before encDataSize,
 * and encData itself. Return: 0 or -EBADMSG. */
int tc_key_split(const uint8_t *blob, size_t len, size_t *head_len,
		 const uint8_t **enc, uint32_t *enc_len);
/* AuthorizeMigrationKey; @ticket (cap TC_BUF_MAX) gets the
 * TPM_MIGRATIONKEYAUTH. */
int tc_authorize_migration_key(struct tc_conn *c,
			       const uint8_t owner[TC_DIGEST_SIZE],
			       uint16_t scheme, const struct tc_pubkey *pk,
			       uint8_t *ticket, size_t *ticket_len,
			       struct tc_rsp *r);
/* CreateMigrationBlob with two OIAP sessions (parent, migration secret);
 * @random and @out hold TC_MAX_MODULUS bytes. */
int tc_create_migration_blob(struct tc_conn *c, uint32_t parent,
			     const uint8_t parent_auth[TC_DIGEST_SIZE],
			     const uint8_t mig_auth[TC_DIGEST_SIZE],
			     uint16_t type, const uint8_t *ticket,
			     size_t ticket_len, const uint8_t *enc,
			     uint32_t enc_len, uint8_t *random,
			     uint32_t *random_len, uint8_t *out,
			     uint32_t *out_len, struct tc_rsp *r);
int tc_convert_migration_blob(struct tc_conn *c, uint32_t parent,
			      const uint8_t parent_auth[TC_DIGEST_SIZE],
			      const uint8_t *in, uint32_t in_len,
			      const uint8_t *random, uint32_t random_len,
			      uint8_t *out, uint32_t *out_len,
			      struct tc_rsp *r);

/* ---- keysmisc (issue 3) ---- */
/* Sealx with no PCR binding; the data is masked with the OSAP session
 * (MGF1 XOR) on the way in.  @blob (cap TC_BUF_MAX) gets the
 * TPM_STORED_DATA12. */
int tc_sealx(struct tc_conn *c, uint32_t key,
	     const uint8_t key_auth[TC_DIGEST_SIZE],
	     const uint8_t data_auth[TC_DIGEST_SIZE], const void *data,
	     uint32_t len, uint8_t *blob, size_t *blob_len, struct tc_rsp *r);
/* Unseal a Sealx blob: OSAP for the key, OIAP for the data; the masked
 * output is unmasked into @out (cap TC_BUF_MAX). */
int tc_unsealx(struct tc_conn *c, uint32_t key,
	       const uint8_t key_auth[TC_DIGEST_SIZE],
	       const uint8_t data_auth[TC_DIGEST_SIZE], const uint8_t *blob,
	       size_t blob_len, uint8_t *out, uint32_t *out_len,
	       struct tc_rsp *r);
/* CertifyKey2 with an OIAP area per non-NULL secret (keyAuth first);
 * the signature over the TPM_CERTIFY_INFO2 is verified against
 * @cert_pub when given; *info_len gets its length. */
int tc_certify_key2(struct tc_conn *c, uint32_t key,
		    const uint8_t *key_auth, uint32_t cert,
		    const uint8_t *cert_auth,
		    const uint8_t msa[TC_DIGEST_SIZE],
		    const uint8_t nonce[TC_DIGEST_SIZE],
		    const struct tc_pubkey *cert_pub, size_t *info_len,
		    struct tc_rsp *r);
/* MakeIdentity (zero label digest); @blob (cap TC_BUF_MAX) gets idKey. */
int tc_make_identity(struct tc_conn *c, const uint8_t owner[TC_DIGEST_SIZE],
		     const uint8_t srk[TC_DIGEST_SIZE],
		     const uint8_t id_auth[TC_DIGEST_SIZE], uint32_t bits,
		     uint8_t *blob, size_t *blob_len, struct tc_rsp *r);
/* ChangeAuthAsymStart for an RSA-@bits OAEP ephemeral key; the
 * certifyInfo signature is verified against @id_pub when given. */
int tc_change_auth_asym_start(struct tc_conn *c, uint32_t id,
			      const uint8_t id_auth[TC_DIGEST_SIZE],
			      const uint8_t nonce[TC_DIGEST_SIZE],
			      uint32_t bits, const struct tc_pubkey *id_pub,
			      uint32_t *eph, struct tc_pubkey *eph_pub,
			      struct tc_rsp *r);
/* ChangeAuthAsymFinish of encData @enc (entity @et with secret
 * @cur_auth) to @new_auth; changeProof is verified (TC_EBADSIG) and the
 * new encData copied to @out (cap TC_BUF_MAX). */
int tc_change_auth_asym_finish(struct tc_conn *c, uint32_t parent,
			       const uint8_t parent_auth[TC_DIGEST_SIZE],
			       uint32_t eph, const struct tc_pubkey *eph_pub,
			       uint16_t et,
			       const uint8_t cur_auth[TC_DIGEST_SIZE],
			       const uint8_t new_auth[TC_DIGEST_SIZE],
			       const uint8_t *enc, uint32_t enc_len,
			       uint8_t *out, uint32_t *out_len,
			       struct tc_rsp *r);


/* ---- daa (issue 3): DAA_Join / DAA_Sign ---- */

/* One TPM_DAA_Join or TPM_DAA_Sign (@ord) stage under a fresh owner OIAP
 * session; outputData is copied to @out (cap TC_BUF_MAX) when not NULL. */
int tc_daa_stage(struct tc_conn *c, uint32_t ord,
		 const uint8_t owner[TC_DIGEST_SIZE], uint32_t handle,
		 uint8_t stage, const void *in0, uint32_t len0,
		 const void *in1, uint32_t len1, uint8_t *out,
		 uint32_t *out_len, struct tc_rsp *r);
/* A DAA issuer's RSA-2048 signing key (stages 1-2 of DAA_Join). */
struct tc_issuer_key;
/* New key; its 256-byte modulus to @n.  NULL on failure. */
struct tc_issuer_key *tc_issuer_key_new(uint8_t n[256]);
/* PKCS#1 v1.5 SHA-1 signature of (@d, @len) to @sig (256 bytes). */
int tc_issuer_sign(struct tc_issuer_key *k, const void *d, size_t len,
		   uint8_t sig[256]);
void tc_issuer_key_free(struct tc_issuer_key *k);


/* ---- delegation (issue 3): DSAP ---- */

/*
 * Open a DSAP session on entity @et (TPM_ET_DEL_OWNER_BLOB,
 * TPM_ET_DEL_KEY_BLOB with key @key, TPM_ET_DEL_ROW with a 4-byte index)
 * whose entityValue is @ev; @auth is the delegation's secret.  The shared
 * secret becomes the HMAC key, as for OSAP.
 */
int tc_dsap(struct tc_conn *c, struct tc_session *s, uint16_t et,
	    uint32_t key, const void *ev, uint32_t ev_len,
	    const uint8_t auth[TC_DIGEST_SIZE], struct tc_rsp *r);

/* ---- transport (issue 3): transport sessions ---- */

/* Part 2, 13.1 TPM_TRANSPORT_ATTRIBUTES. */
#define TC_TRANSPORT_ENCRYPT	0x00000001U
#define TC_TRANSPORT_LOG	0x00000002U
#define TC_TRANSPORT_EXCLUSIVE	0x00000004U

/* The caller's side of a transport session, with its own model of the
 * session log (transDigest) to check ReleaseTransportSigned against. */
struct tc_transport {
	uint32_t handle;
	uint32_t attrs, alg;
	uint16_t enc_scheme;
	bool cont;
	uint8_t key[TC_DIGEST_SIZE];	/* the session's authData */
	uint8_t nonce_even[TC_DIGEST_SIZE];
	uint8_t nonce_odd[TC_DIGEST_SIZE];
	uint8_t ticks[32];		/* TPM_CURRENT_TICKS at Establish */
	uint8_t log[TC_DIGEST_SIZE];
};

/*
 * EstablishTransport with authData @secret: in clear (TPM_KH_TRANSPORT)
 * when @enc is NULL, else OAEP-encrypted to @enc, the loaded key @key
 * (authorized by OIAP with @key_auth).  The session continues.
 */
int tc_establish_transport(struct tc_conn *c, struct tc_transport *t,
			   uint32_t key, const struct tc_pubkey *enc,
			   const uint8_t key_auth[TC_DIGEST_SIZE],
			   uint32_t attrs, uint32_t alg, uint16_t es,
			   const uint8_t secret[TC_DIGEST_SIZE],
			   struct tc_rsp *r);
/*
 * ExecuteTransport of the complete command @w (@in_handles handles lead
 * its parameters, @out_handles its response's).  On TPM_SUCCESS the
 * decrypted wrapped response goes to @wr (cap TC_BUF_MAX), the outer
 * authorization is verified (TC_EBADAUTH) and the log model extended,
 * with pubKeyHash @pkh (NULL: none).
 */
int tc_execute_transport(struct tc_conn *c, struct tc_transport *t,
			 const uint8_t *w, size_t wlen,
			 unsigned int in_handles, unsigned int out_handles,
			 const uint8_t pkh[TC_DIGEST_SIZE], uint8_t *wr,
			 size_t *wr_len, struct tc_rsp *r);
/*
 * ReleaseTransportSigned with signing key @key (OIAP with @key_auth);
 * the signature must verify with @pk over the log model (TC_EBADSIG).
 */
int tc_release_transport_signed(struct tc_conn *c, struct tc_transport *t,
				uint32_t key,
				const uint8_t key_auth[TC_DIGEST_SIZE],
				const struct tc_pubkey *pk,
				const uint8_t anti[TC_DIGEST_SIZE],
				struct tc_rsp *r);
/* pubKeyHash of the log for one key (Part 3, 24.2 step 10.d). */
void tc_transport_pubkey_hash(const struct tc_pubkey *pk,
			      uint8_t out[TC_DIGEST_SIZE]);

/* ---- migration family, CMK part (Part 3, 11.5-11.10) ---- */
/* SHA-1 of @pk marshalled as a TPM_PUBKEY (default exponent). */
void tc_pubkey_digest(const struct tc_pubkey *pk, uint8_t out[TC_DIGEST_SIZE]);
/* CMK_ApproveMA: @approval gets HMAC(tpmProof, TPM_CMK_MA_APPROVAL). */
int tc_cmk_approve_ma(struct tc_conn *c, const uint8_t owner[TC_DIGEST_SIZE],
		      const uint8_t msa_digest[TC_DIGEST_SIZE],
		      uint8_t approval[TC_DIGEST_SIZE], struct tc_rsp *r);
int tc_cmk_set_restrictions(struct tc_conn *c,
			    const uint8_t owner[TC_DIGEST_SIZE],
			    uint32_t restriction, struct tc_rsp *r);
/* CMK_CreateKey under @parent with an OSAP session (OIAP when @oiap);
 * @blob (cap TC_BUF_MAX) gets the TPM_KEY12. */
int tc_cmk_create_key(struct tc_conn *c, uint32_t parent,
		      const uint8_t parent_auth[TC_DIGEST_SIZE], bool oiap,
		      const struct tc_key_template *t,
		      const uint8_t usage[TC_DIGEST_SIZE],
		      const uint8_t approval[TC_DIGEST_SIZE],
		      const uint8_t msa_digest[TC_DIGEST_SIZE],
		      uint8_t *blob, size_t *blob_len, struct tc_rsp *r);
/* CMK_CreateTicket of a signature by @pk over @signed_data. */
int tc_cmk_create_ticket(struct tc_conn *c,
			 const uint8_t owner[TC_DIGEST_SIZE],
			 const struct tc_pubkey *pk,
			 const uint8_t signed_data[TC_DIGEST_SIZE],
			 const uint8_t *sig, uint32_t sig_len,
			 uint8_t ticket[TC_DIGEST_SIZE], struct tc_rsp *r);
/* CMK_CreateBlob (OIAP for the parent); @random and @out hold
 * TC_MAX_MODULUS bytes. */
int tc_cmk_create_blob(struct tc_conn *c, uint32_t parent,
		       const uint8_t parent_auth[TC_DIGEST_SIZE],
		       uint16_t type, const uint8_t *mka, size_t mka_len,
		       const uint8_t src[TC_DIGEST_SIZE],
		       const uint8_t *msa, uint32_t msa_len,
		       const uint8_t *rt, uint32_t rt_len,
		       const uint8_t *st, uint32_t st_len,
		       const uint8_t *enc, uint32_t enc_len,
		       uint8_t *random, uint32_t *random_len,
		       uint8_t *out, uint32_t *out_len, struct tc_rsp *r);
/* CMK_ConvertMigration of @enc as the encData of the key whose public
 * part is the @head_len bytes at @head; @out holds TC_MAX_MODULUS. */
int tc_cmk_convert_migration(struct tc_conn *c, uint32_t parent,
			     const uint8_t parent_auth[TC_DIGEST_SIZE],
			     const uint8_t rt[3 * TC_DIGEST_SIZE],
			     const uint8_t st[TC_DIGEST_SIZE],
			     const uint8_t *head, size_t head_len,
			     const uint8_t *enc, uint32_t enc_len,
			     const uint8_t *msa, uint32_t msa_len,
			     const uint8_t *random, uint32_t random_len,
			     uint8_t *out, uint32_t *out_len,
			     struct tc_rsp *r);


/* ---- diffA: ChangeAuth, ChangeAuthOwner, DIR, UnBind, LoadKey,
 * EvictKey, MigrateKey, CertifyKey ---- */
/* ChangeAuth of encData @enc under @parent (OSAP, ADIP) with the
 * entity's OIAP session on @cur_auth; the new encData goes to @out
 * (cap TC_BUF_MAX). */
int tc_change_auth(struct tc_conn *c, uint32_t parent,
		   const uint8_t parent_auth[TC_DIGEST_SIZE], uint16_t et,
		   const uint8_t cur_auth[TC_DIGEST_SIZE],
		   const uint8_t new_auth[TC_DIGEST_SIZE], const uint8_t *enc,
		   uint32_t enc_len, uint8_t *out, uint32_t *out_len,
		   struct tc_rsp *r);
/* ChangeAuthOwner of entity @et (owner or SRK) to @new_auth. */
int tc_change_auth_owner(struct tc_conn *c,
			 const uint8_t owner[TC_DIGEST_SIZE], uint16_t et,
			 const uint8_t new_auth[TC_DIGEST_SIZE],
			 struct tc_rsp *r);
int tc_dir_write_auth(struct tc_conn *c, const uint8_t owner[TC_DIGEST_SIZE],
		      uint32_t index, const uint8_t value[TC_DIGEST_SIZE],
		      struct tc_rsp *r);
int tc_dir_read(struct tc_conn *c, uint32_t index,
		uint8_t out[TC_DIGEST_SIZE], struct tc_rsp *r);
/* UnBind; @out holds TC_MAX_MODULUS bytes. */
int tc_unbind(struct tc_conn *c, uint32_t key,
	      const uint8_t auth[TC_DIGEST_SIZE], const uint8_t *in,
	      uint32_t in_len, uint8_t *out, uint32_t *out_len,
	      struct tc_rsp *r);
/* The deprecated TPM_LoadKey (Part 3, 27.8). */
int tc_load_key(struct tc_conn *c, uint32_t parent,
		const uint8_t parent_auth[TC_DIGEST_SIZE],
		const uint8_t *blob, size_t blob_len, uint32_t *handle,
		struct tc_rsp *r);
int tc_evict_key(struct tc_conn *c, uint32_t key, struct tc_rsp *r);
/* MigrateKey of @in under the TPM_KEY_MIGRATE key @ma to @pk; @out holds
 * TC_MAX_MODULUS bytes. */
int tc_migrate_key(struct tc_conn *c, uint32_t ma,
		   const uint8_t auth[TC_DIGEST_SIZE],
		   const struct tc_pubkey *pk, const uint8_t *in,
		   uint32_t in_len, uint8_t *out, uint32_t *out_len,
		   struct tc_rsp *r);
/* CertifyKey of @key by @cert (an OIAP area each, certHandle first);
 * the signature over the TPM_CERTIFY_INFO is verified against @cert_pub
 * when given, and @info (cap TC_BUF_MAX, may be NULL) gets a copy. */
int tc_certify_key(struct tc_conn *c, uint32_t cert,
		   const uint8_t cert_auth[TC_DIGEST_SIZE], uint32_t key,
		   const uint8_t key_auth[TC_DIGEST_SIZE],
		   const uint8_t nonce[TC_DIGEST_SIZE],
		   const struct tc_pubkey *cert_pub, uint8_t *info,
		   size_t *info_len, struct tc_rsp *r);

/* ---- diffB: authorized administration commands and Quote2 ---- */
/* Run @cmd under one fresh OIAP session keyed by @auth; without
 * authorization when @auth is NULL. */
int tc_call_auth(struct tc_conn *c, struct tc_cmd *cmd,
		 const uint8_t *auth, struct tc_rsp *r);
/*
 * Quote2 of the PCRs in @mask with @nonce at locality 0.  With @pk the
 * signature must verify over the TPM_QUOTE_INFO2 built from @values (the
 * caller's own reading of the PCRs) and @nonce, followed by the returned
 * TPM_CAP_VERSION_INFO when @add_version (TC_EBADSIG if not).
 */
int tc_quote2(struct tc_conn *c, uint32_t key,
	      const uint8_t auth[TC_DIGEST_SIZE],
	      const uint8_t nonce[TC_DIGEST_SIZE], uint32_t mask,
	      bool add_version, const uint8_t values[][TC_DIGEST_SIZE],
	      const struct tc_pubkey *pk, struct tc_rsp *r);

#endif /* TPMCLIENT_H */
