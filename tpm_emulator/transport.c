// SPDX-License-Identifier: GPL-2.0
/*
 * Transport sessions (Part 1, 24; Part 3, 24): TPM_EstablishTransport,
 * TPM_ExecuteTransport, TPM_ReleaseTransportSigned, parameter encryption
 * (MGF1, AES-128 CTR/OFB), the session log and the exclusive-session rule.
 * Sessions live in the shared session table as SESS_TRANSPORT; the wrapped
 * command runs through dispatch (tpm_execute_wrapped()), never here.
 */
#include "internal.h"

/* Part 2, 13.1: TPM_TRANSPORT_ATTRIBUTES. */
#define TPM_TRANSPORT_ENCRYPT	0x00000001U
#define TPM_TRANSPORT_LOG	0x00000002U
#define TPM_TRANSPORT_EXCLUSIVE	0x00000004U
/* TPM_CURRENT_TICKS: tag, currentTicks (u64), tickRate, tickNonce. */
#define CURRENT_TICKS_SIZE	(2 + 8 + 2 + TPM_NONCE_SIZE)
/* AES-128: key is the first 16 bytes of authData; IV/CTR one block. */
#define TRANS_AES_KEY		16U
#define TRANS_AES_BLOCK		16U
/* Largest encrypted secret: one RSA block of the biggest key. */
#define TRANS_SECRET_MAX	TPM_MAX_KEY_BYTES
/* TPM_DSAP's parameters before entityValue (Part 3, 24.2 step 4.d):
 * entityType, keyHandle, nonceOddDSAP, entityValueSize. */
#define DSAP_CLEAR_PARAMS	(2 + 4 + TPM_NONCE_SIZE + 4)
/* ExecuteTransport's own output around wrappedRsp: currentTicks (u64),
 * locality, wrappedRspSize. */
#define EXEC_OUT_OVERHEAD	(8 + 4 + 4)

struct trans_public {
	uint32_t attrs;
	uint32_t alg;
	uint16_t es;
};

/* The exclusive transport session, if any (Part 1, 24.x). */
static struct tpm_session *exclusive_session(struct tpm_state *s)
{
	unsigned int i;

	if (!s->af.transport_exclusive)
		return NULL;
	for (i = 0; i < TPM_MAX_SESSIONS; i++) {
		struct tpm_session *t = &s->sessions[i];

		if (t->type == SESS_TRANSPORT &&
		    (t->transport_attrs & TPM_TRANSPORT_EXCLUSIVE))
			return t;
	}
	s->af.transport_exclusive = false;
	return NULL;
}

/* End the exclusive session unless it is @handle (0: end it anyway). */
static void exclusive_end_unless(struct tpm_state *s, uint32_t handle)
{
	struct tpm_session *t = exclusive_session(s);

	if (t && t->handle != handle) {
		tpm_session_free(t);
		s->af.transport_exclusive = false;
	}
}

void tpm_transport_notify(struct tpm_state *s, uint32_t ordinal)
{
	/* Part 3, 24.1 step 9.a: ExecuteTransport and ReleaseTransportSigned
	 * decide once they know the session they target. */
	if (ordinal == TPM_ORD_ExecuteTransport ||
	    ordinal == TPM_ORD_ReleaseTransportSigned)
		return;
	exclusive_end_unless(s, 0);
}

bool tpm_transport_wrappable(uint32_t ordinal)
{
	/* Part 3, 24.2 step 9: no nesting of transport commands. */
	return ordinal != TPM_ORD_EstablishTransport &&
	       ordinal != TPM_ORD_ExecuteTransport &&
	       ordinal != TPM_ORD_ReleaseTransportSigned;
}

/* Part 3, 24.1 step 3: the algorithms and modes this TPM offers. */
static TPM_RESULT check_enc(const struct tpm_state *s,
			    const struct trans_public *tp)
{
	switch (tp->alg) {
	case TPM_ALG_MGF1:
		/* 3.a: MGF1 is not a FIPS cipher.  The TPM MAY require
		 * TPM_ES_NONE for MGF1 (as libtpms does). */
		if (s->pf.fips || tp->es != TPM_ES_NONE)
			return TPM_INAPPROPRIATE_ENC;
		return TPM_SUCCESS;
	case TPM_ALG_AES128:
		/* 3.c: CTR and OFB are the stream modes Part 1 allows. */
		if (tp->es != TPM_ES_SYM_CNT && tp->es != TPM_ES_SYM_OFB)
			return TPM_INAPPROPRIATE_ENC;
		return TPM_SUCCESS;
	default:
		/* 3.b */
		return TPM_BAD_KEY_PROPERTY;
	}
}

/*
 * Encrypt or decrypt (the same operation: all modes are stream modes)
 * @n bytes at @p in place.  @label is "in" for commands, "out" for
 * responses; the nonces are the pair of Part 3, 24.2 steps 4 and 17.
 */
static TPM_RESULT trans_crypt(const struct tpm_session *t,
			      const uint8_t even[TPM_NONCE_SIZE],
			      const uint8_t odd[TPM_NONCE_SIZE],
			      const char *label, uint8_t *p, size_t n)
{
	uint8_t seed[2 * TPM_NONCE_SIZE + 3 + TPM_SECRET_SIZE];
	uint8_t pad[TPM_MAX_COMMAND_SIZE], iv[TRANS_AES_BLOCK];
	size_t llen = strlen(label), slen, i;
	int err;

	if (!n || !(t->transport_attrs & TPM_TRANSPORT_ENCRYPT))
		return TPM_SUCCESS;
	if (n > sizeof(pad))
		return TPM_FAIL;
	memcpy(seed, even, TPM_NONCE_SIZE);
	memcpy(seed + TPM_NONCE_SIZE, odd, TPM_NONCE_SIZE);
	memcpy(seed + 2 * TPM_NONCE_SIZE, label, llen);
	slen = 2 * TPM_NONCE_SIZE + llen;
	if (t->transport_alg == TPM_ALG_MGF1) {
		/* 4.a / 17.a: G = MGF1(even || odd || label || authData),
		 * XORed over the data. */
		memcpy(seed + slen, t->transport_key, TPM_SECRET_SIZE);
		slen += TPM_SECRET_SIZE;
		err = tpm_mgf1_sha1(pad, n, seed, slen);
		for (i = 0; !err && i < n; i++)
			p[i] ^= pad[i];
		tpm_wipe(pad, n);
	} else {
		/* 4.b / 17.b: IV or CTR = MGF1(even || odd || label), one
		 * block; key = the first bytes of authData. */
		err = tpm_mgf1_sha1(iv, sizeof(iv), seed, slen);
		if (!err && t->transport_es == TPM_ES_SYM_OFB)
			err = tpm_aes_ofb(t->transport_key, TRANS_AES_KEY, iv,
					  p, p, n);
		else if (!err)
			err = tpm_aes_ctr(t->transport_key, TRANS_AES_KEY, iv,
					  p, p, n);
	}
	tpm_wipe(seed, sizeof(seed));
	return err ? TPM_FAIL : TPM_SUCCESS;
}

/* transDigest = SHA1(transDigest || TPM_TRANSPORT_LOG_IN) (Part 2, 13.3). */
static int log_in(struct tpm_session *t, const uint8_t params[20],
		  const uint8_t pubkey_hash[20])
{
	uint8_t tag[2];

	tb_wr_be16(tag, TPM_TAG_TRANSPORT_LOG_IN);
	return tpm_sha1_v(t->transport_digest, t->transport_digest,
			  (size_t)TPM_DIGEST_SIZE, tag, sizeof(tag), params,
			  (size_t)TPM_DIGEST_SIZE, pubkey_hash,
			  (size_t)TPM_DIGEST_SIZE, NULL);
}

/* transDigest = SHA1(transDigest || TPM_TRANSPORT_LOG_OUT) (Part 2, 13.4). */
static int log_out(struct tpm_session *t, const uint8_t *ticks,
		   const uint8_t params[20], uint32_t locality)
{
	uint8_t tag[2], loc[4];

	tb_wr_be16(tag, TPM_TAG_TRANSPORT_LOG_OUT);
	tb_wr_be32(loc, locality);
	return tpm_sha1_v(t->transport_digest, t->transport_digest,
			  (size_t)TPM_DIGEST_SIZE, tag, sizeof(tag), ticks,
			  (size_t)CURRENT_TICKS_SIZE, params,
			  (size_t)TPM_DIGEST_SIZE, loc, sizeof(loc), NULL);
}

/* Serialise TPM_CURRENT_TICKS once, so the log and the output agree. */
static TPM_RESULT ticks_now(struct tpm_state *s,
			    uint8_t ticks[CURRENT_TICKS_SIZE])
{
	struct tpm_buf b;

	tb_init_write(&b, ticks, CURRENT_TICKS_SIZE);
	return tpm_current_ticks_put(s, &b) ? TPM_FAIL : TPM_SUCCESS;
}

/*
 * Verify the transport session's authorization of area @idx over
 * @digest (HMAC keyed with authData: Part 3, 24.2 step 7) and hand the
 * session to dispatch for the response authorization.
 */
static TPM_RESULT trans_auth_check(struct tpm_cmd *c, unsigned int idx,
				   struct tpm_session *t,
				   const uint8_t digest[TPM_DIGEST_SIZE],
				   TPM_RESULT fail)
{
	const struct tpm_auth_in *ai = &c->auth_in[idx];
	uint8_t mac[TPM_AUTH_SIZE], cont = ai->cont;

	if (tpm_hmac_sha1_v(t->transport_key, TPM_SECRET_SIZE, mac, digest,
			    (size_t)TPM_DIGEST_SIZE, t->nonce_even,
			    (size_t)TPM_NONCE_SIZE, ai->nonce_odd,
			    (size_t)TPM_NONCE_SIZE, &cont, (size_t)1, NULL))
		return TPM_FAIL;
	if (tpm_memcmp_ct(mac, ai->auth, TPM_AUTH_SIZE))
		return fail;
	c->sess[idx] = t;
	memcpy(c->res_secret[idx], t->transport_key, TPM_SECRET_SIZE);
	return TPM_SUCCESS;
}

static struct tpm_session *trans_find(struct tpm_state *s, uint32_t handle)
{
	struct tpm_session *t = tpm_session_find(s, handle);

	return t && t->type == SESS_TRANSPORT ? t : NULL;
}

/* Part 3, 24.1 steps 1-2: the session secret A1, in clear or decrypted
 * from a TPM_TRANSPORT_AUTH under encHandle. */
static TPM_RESULT establish_secret(struct tpm_cmd *c, uint32_t enc_handle,
				   const struct trans_public *tp,
				   const uint8_t *secret, uint32_t secret_len,
				   uint8_t a1[TPM_SECRET_SIZE])
{
	uint8_t plain[TRANS_SECRET_MAX];
	struct tpm_key *k;
	struct tpm_buf b;
	size_t plen;
	uint16_t tag;
	TPM_RESULT rc;

	if (enc_handle == TPM_KH_TRANSPORT) {
		/* 1.a-c: clear secret, no auth, no encryption. */
		if (c->nauth)
			return TPM_BADTAG;
		if (tp->attrs & TPM_TRANSPORT_ENCRYPT)
			return TPM_BAD_SCHEME;
		if (secret_len != TPM_SECRET_SIZE)
			return TPM_BAD_PARAM_SIZE;
		memcpy(a1, secret, TPM_SECRET_SIZE);
		return TPM_SUCCESS;
	}
	rc = tpm_key_lookup(c->s, enc_handle, &k);
	if (rc)
		return rc;
	/* 2.a: a storage or legacy key, else TPM_INVALID_KEYUSAGE. */
	if (k->usage != TPM_KEY_STORAGE && k->usage != TPM_KEY_LEGACY)
		return TPM_INVALID_KEYUSAGE;
	/* 2.b-c: the key's authorization (TPM_AUTHFAIL when needed and
	 * missing). */
	rc = tpm_key_authorize(c, 0, k);
	if (rc)
		return rc;
	/* 2.d-f: K1 = TPM_TRANSPORT_AUTH decrypted by the key. */
	if (!k->rsa || tpm_rsa_oaep_decrypt(k->rsa, secret, secret_len, plain,
					     sizeof(plain), &plen))
		return TPM_DECRYPT_ERROR;
	tb_init_read(&b, plain, plen);
	if (tb_get_u16(&b, &tag) || tag != TPM_TAG_TRANSPORT_AUTH ||
	    tb_get_bytes(&b, a1, TPM_SECRET_SIZE) || tb_expect_end(&b))
		rc = TPM_INVALID_STRUCTURE;
	tpm_wipe(plain, sizeof(plain));
	return rc;
}

/* Part 3, 24.1 step 8: the first two log entries. */
static TPM_RESULT establish_log(struct tpm_cmd *c, struct tpm_session *t,
				const uint8_t *pub_wire, size_t pub_len,
				const uint8_t *secret, uint32_t secret_len,
				const uint8_t *ticks)
{
	uint8_t ord[4], size[4], rc[4] = { 0 }, loc[4], params[20];
	static const uint8_t zero[TPM_DIGEST_SIZE];

	tb_wr_be32(ord, c->ordinal);
	tb_wr_be32(size, secret_len);
	tb_wr_be32(loc, c->s->locality);
	/* 8.a.i: SHA-1(ordinal || transPublic || secretSize || secret). */
	if (tpm_sha1_v(params, ord, sizeof(ord), pub_wire, pub_len, size,
		       sizeof(size), secret, (size_t)secret_len, NULL) ||
	    log_in(t, params, zero))
		return TPM_FAIL;
	/* 8.b.i: SHA-1(returnCode || ordinal || locality || currentTicks ||
	 * transNonceEven). */
	if (tpm_sha1_v(params, rc, sizeof(rc), ord, sizeof(ord), loc,
		       sizeof(loc), ticks, (size_t)CURRENT_TICKS_SIZE,
		       t->nonce_even, (size_t)TPM_NONCE_SIZE, NULL) ||
	    log_out(t, ticks, params, c->s->locality))
		return TPM_FAIL;
	return TPM_SUCCESS;
}

/* Part 3, 24.1 TPM_EstablishTransport */
TPM_RESULT tpm_cmd_establish_transport(struct tpm_cmd *c, struct tpm_buf *in,
				       struct tpm_buf *out)
{
	uint8_t a1[TPM_SECRET_SIZE], ticks[CURRENT_TICKS_SIZE];
	const uint8_t *secret, *pub_wire;
	struct trans_public tp;
	struct tpm_session *t;
	uint32_t enc_handle, secret_len;
	uint16_t tag;
	TPM_RESULT rc;

	if (tb_get_u32(in, &enc_handle))
		return TPM_BAD_PARAM_SIZE;
	pub_wire = tb_cursor(in);
	if (tb_get_u16(in, &tag) || tb_get_u32(in, &tp.attrs) ||
	    tb_get_u32(in, &tp.alg) || tb_get_u16(in, &tp.es) ||
	    tb_get_sized(in, &secret, &secret_len, TRANS_SECRET_MAX) ||
	    tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	if (tag != TPM_TAG_TRANSPORT_PUBLIC)
		return TPM_INVALID_STRUCTURE;
	/* Steps 1-2: the session secret. */
	rc = establish_secret(c, enc_handle, &tp, secret, secret_len, a1);
	if (rc)
		goto out_wipe;
	/* Step 3: a cipher this TPM has. */
	if (tp.attrs & TPM_TRANSPORT_ENCRYPT) {
		rc = check_enc(c->s, &tp);
		if (rc)
			goto out_wipe;
	}
	/* Steps 4-5: T1 with a fresh transNonceEven (TPM_RESOURCES when
	 * the table is full). */
	rc = tpm_session_alloc(c->s, SESS_TRANSPORT, &t);
	if (rc)
		goto out_wipe;
	t->transport_attrs = tp.attrs;
	t->transport_alg = tp.alg;
	t->transport_es = tp.es;
	memcpy(t->transport_key, a1, TPM_SECRET_SIZE);
	/* Steps 6-8: currentTicks, and the log when asked for. */
	rc = ticks_now(c->s, ticks);
	if (!rc && (tp.attrs & TPM_TRANSPORT_LOG))
		rc = establish_log(c, t, pub_wire,
				   2 + 4 + 4 + 2, secret, secret_len, ticks);
	if (!rc && (tb_put_u32(out, t->handle) ||
		    tb_put_u32(out, c->s->locality) ||
		    tb_put_bytes(out, ticks, sizeof(ticks)) ||
		    tb_put_bytes(out, t->nonce_even, TPM_NONCE_SIZE)))
		rc = TPM_SIZE;
	if (rc) {
		tpm_session_free(t);
		goto out_wipe;
	}
	/* Step 9: an exclusive session (any other exclusive one already
	 * ended when this command arrived: tpm_transport_notify()). */
	if (tp.attrs & TPM_TRANSPORT_EXCLUSIVE)
		c->s->af.transport_exclusive = true;
out_wipe:
	tpm_wipe(a1, sizeof(a1));
	return rc;
}

/* Where DATAw lies in a wrapped command or response (Part 3, 24.2 steps
 * 2 and 13). */
struct dataw {
	size_t off;
	size_t len;
};

/* Part 3, 24.2 steps 2-3: E1/LEN1 of the wrapped command. */
static TPM_RESULT wrapped_cmd_dataw(const uint8_t *w, uint32_t wlen,
				    const struct tpm_cmd_desc **desc,
				    struct dataw *d)
{
	size_t fixed;
	uint16_t tag;

	if (wlen < TPM_HEADER_SIZE)
		return TPM_BAD_PARAMETER;
	tag = tb_be16(w);
	*desc = tpm_dispatch_lookup(tb_be32(w + 6));
	if (!*desc || tag < TPM_TAG_RQU_COMMAND ||
	    tag > TPM_TAG_RQU_AUTH2_COMMAND)
		return TPM_BAD_PARAMETER;
	fixed = TPM_HEADER_SIZE + (size_t)(*desc)->in_handles * 4 +
		(size_t)(tag - TPM_TAG_RQU_COMMAND) * TPM_AUTH_IN_SIZE;
	if (fixed > wlen)
		return TPM_BAD_PARAMETER;
	d->off = TPM_HEADER_SIZE + (size_t)(*desc)->in_handles * 4;
	d->len = wlen - fixed;
	switch ((*desc)->ordinal) {
	case TPM_ORD_OIAP:
	case TPM_ORD_OSAP:
		/* 4.c: no parameters encrypted. */
		d->len = 0;
		break;
	case TPM_ORD_DSAP:
		/* 4.d: only entityValue is encrypted. */
		if (d->len < DSAP_CLEAR_PARAMS)
			return TPM_BAD_PARAMETER;
		d->off += DSAP_CLEAR_PARAMS;
		d->len -= DSAP_CLEAR_PARAMS;
		break;
	default:
		break;
	}
	return TPM_SUCCESS;
}

/* Part 3, 24.2 step 13: S2/LEN2 of the wrapped response. */
static void wrapped_rsp_dataw(const struct tpm_cmd_desc *desc,
			      const uint8_t *r, size_t rlen, struct dataw *d)
{
	size_t nauth, fixed;

	d->off = TPM_HEADER_SIZE;
	d->len = 0;
	if (rlen <= TPM_HEADER_SIZE || tb_be32(r + 6) != TPM_SUCCESS)
		return;
	switch (desc->ordinal) {
	case TPM_ORD_OIAP:
	case TPM_ORD_OSAP:
	case TPM_ORD_DSAP:
		return;		/* 4.c-d: session set-up stays in clear */
	default:
		break;
	}
	nauth = tb_be16(r) > TPM_TAG_RSP_COMMAND ?
		(size_t)(tb_be16(r) - TPM_TAG_RSP_COMMAND) : 0;
	fixed = TPM_HEADER_SIZE + (size_t)desc->out_handles * 4 +
		nauth * TPM_AUTH_OUT_SIZE;
	if (fixed > rlen)
		return;
	d->off = TPM_HEADER_SIZE + (size_t)desc->out_handles * 4;
	d->len = rlen - fixed;
}

/* K = SHA-1(TPM_STORE_PUBKEY) of the key named by a wrapped handle. */
static TPM_RESULT key_pub_hash(struct tpm_state *s, const uint8_t *h,
			       uint8_t out[TPM_DIGEST_SIZE])
{
	struct tpm_key *k;
	uint8_t len[4];

	/* Step 10.g: a key handle of the wrapped command must be loaded. */
	if (tpm_key_lookup(s, tb_be32(h), &k))
		return TPM_INVALID_KEYHANDLE;
	tb_wr_be32(len, k->n_len);
	return tpm_sha1_v(out, len, sizeof(len), k->n, (size_t)k->n_len,
			  NULL) ? TPM_FAIL : TPM_SUCCESS;
}

/* Part 3, 24.2 step 10: L2 with pubKeyHash over the wrapped command's key
 * handles (none for DAA, whose handle names a DAA session). */
static TPM_RESULT execute_log_in(struct tpm_state *s, struct tpm_session *t,
				 const struct tpm_cmd_desc *desc,
				 const uint8_t *w, const uint8_t h1[20])
{
	uint8_t k[2][TPM_DIGEST_SIZE], pkh[TPM_DIGEST_SIZE] = { 0 };
	unsigned int i, n = desc->in_handles;
	TPM_RESULT rc;

	if (desc->ordinal == TPM_ORD_DAA_Join ||
	    desc->ordinal == TPM_ORD_DAA_Sign || n > 2)
		n = 0;
	for (i = 0; i < n; i++) {
		rc = key_pub_hash(s, w + TPM_HEADER_SIZE + 4 * i, k[i]);
		if (rc)
			return rc;
	}
	/* 10.d-e: pubKeyHash = SHA-1(K2 [|| K3]); 10.c: NULL without keys. */
	if (n && tpm_sha1_v(pkh, k, (size_t)n * TPM_DIGEST_SIZE, NULL))
		return TPM_FAIL;
	return log_in(t, h1, pkh) ? TPM_FAIL : TPM_SUCCESS;
}

/* The state ExecuteTransport carries from the wrapped command to its
 * response. */
struct exec_ctx {
	struct tpm_session *t;
	uint32_t handle;
	const struct tpm_cmd_desc *desc;
	uint32_t ordw;
	uint8_t h1[TPM_DIGEST_SIZE];
	uint8_t rsp[TPM_MAX_COMMAND_SIZE];
	size_t rsp_len;
};

/* Steps 2-9: decrypt, H1, the outer authorization, the nesting rule. */
static TPM_RESULT execute_unwrap(struct tpm_cmd *c, struct exec_ctx *x,
				 uint8_t *w, uint32_t wlen)
{
	uint8_t ord[4], size[4], digest[TPM_DIGEST_SIZE];
	struct dataw d;
	TPM_RESULT rc;

	rc = wrapped_cmd_dataw(w, wlen, &x->desc, &d);
	if (rc)
		return rc;
	x->ordw = x->desc->ordinal;
	/* Steps 4-5: C1, the decrypted DATAw (nonces: the last even one
	 * and this command's odd one). */
	rc = trans_crypt(x->t, x->t->nonce_even, c->auth_in[0].nonce_odd,
			 "in", w + d.off, d.len);
	if (rc)
		return rc;
	/* Step 6: H1 = SHA-1(ORDw || C1). */
	tb_wr_be32(ord, x->ordw);
	if (tpm_sha1_v(x->h1, ord, sizeof(ord), w + d.off, d.len, NULL))
		return TPM_FAIL;
	/* Step 7: inParamDigest = SHA-1(ORDet || wrappedCmdSize || H1),
	 * HMAC under authData, else TPM_AUTHFAIL. */
	tb_wr_be32(ord, c->ordinal);
	tb_wr_be32(size, wlen);
	if (tpm_sha1_v(digest, ord, sizeof(ord), size, sizeof(size), x->h1,
		       (size_t)TPM_DIGEST_SIZE, NULL))
		return TPM_FAIL;
	rc = trans_auth_check(c, 0, x->t, digest, TPM_AUTHFAIL);
	if (rc)
		return rc;
	/* Step 9: no transport command inside a transport session. */
	if (!tpm_transport_wrappable(x->ordw))
		return TPM_NO_WRAP_TRANSPORT;
	/* Step 10: the input half of the log. */
	if (x->t->transport_attrs & TPM_TRANSPORT_LOG)
		return execute_log_in(c->s, x->t, x->desc, w, x->h1);
	return TPM_SUCCESS;
}

/* Steps 12-18: H2, the outgoing digest, the log, the encryption. */
static TPM_RESULT execute_wrap(struct tpm_cmd *c, struct exec_ctx *x,
			       struct tpm_buf *out)
{
	uint8_t ticks[CURRENT_TICKS_SIZE], h2[TPM_DIGEST_SIZE], hdr[8];
	uint8_t loc[4], size[4], rcw[4];
	uint32_t locality = c->s->locality;
	struct tpm_session *t = x->t;
	struct dataw d;
	TPM_RESULT rc;

	/* Step 12: currentTicks. */
	rc = ticks_now(c->s, ticks);
	if (rc)
		return rc;
	/* Steps 13-14: H2 = SHA-1(RCw || ORDw || S2). */
	wrapped_rsp_dataw(x->desc, x->rsp, x->rsp_len, &d);
	memcpy(rcw, x->rsp + 6, 4);
	tb_wr_be32(hdr, x->ordw);
	if (tpm_sha1_v(h2, rcw, sizeof(rcw), hdr, (size_t)4,
		       x->rsp + d.off, d.len, NULL))
		return TPM_FAIL;
	/* Step 15.a: the new transNonceEven, before the encryption uses
	 * it; dispatch sends it as it is (c->out_digest_set). */
	if (tpm_rand(t->nonce_even, TPM_NONCE_SIZE))
		return TPM_FAIL;
	/* 15.b: outParamDigest = SHA-1(RCet || ORDet || currentTicks ||
	 * locality || wrappedRspSize || H2). */
	tb_wr_be32(hdr, TPM_SUCCESS);
	tb_wr_be32(hdr + 4, c->ordinal);
	tb_wr_be32(loc, locality);
	tb_wr_be32(size, (uint32_t)x->rsp_len);
	if (tpm_sha1_v(c->out_digest, hdr, sizeof(hdr), ticks + 2, (size_t)8,
		       loc, sizeof(loc), size, sizeof(size), h2,
		       (size_t)TPM_DIGEST_SIZE, NULL))
		return TPM_FAIL;
	c->out_digest_set = true;
	/* Step 16: the output half of the log. */
	if ((t->transport_attrs & TPM_TRANSPORT_LOG) &&
	    log_out(t, ticks, h2, locality))
		return TPM_FAIL;
	/* Step 17: E2, the encrypted S2. */
	rc = trans_crypt(t, t->nonce_even, c->auth_in[0].nonce_odd, "out",
			 x->rsp + d.off, d.len);
	if (rc)
		return rc;
	if (tb_put_bytes(out, ticks + 2, 8) || tb_put_u32(out, locality) ||
	    tb_put_sized(out, x->rsp, (uint32_t)x->rsp_len))
		return TPM_SIZE;
	return TPM_SUCCESS;
}

/*
 * Steps 12-21 when the wrapped command ended this very session
 * (FlushSpecific, OwnerClear): answer from a copy taken before it ran,
 * with continueTransSession FALSE; the slot only carries the nonce to
 * dispatch, which then frees it for good.
 */
static TPM_RESULT execute_wrap_ended(struct tpm_cmd *c, struct exec_ctx *x,
				     struct tpm_session *copy,
				     struct tpm_buf *out)
{
	struct tpm_session *slot = x->t;
	TPM_RESULT rc;

	x->t = copy;
	c->terminate[0] = true;
	rc = execute_wrap(c, x, out);
	memcpy(slot->nonce_even, copy->nonce_even, TPM_NONCE_SIZE);
	return rc;
}

/* Steps 1-21 after parsing; @w holds the wrapped command (decrypted in
 * place). */
static TPM_RESULT execute(struct tpm_cmd *c, struct exec_ctx *x,
			  uint8_t *w, uint32_t wlen, struct tpm_buf *out)
{
	struct tpm_session copy;
	TPM_RESULT rc;

	rc = execute_unwrap(c, x, w, wlen);
	if (rc)
		return rc;
	copy = *x->t;
	/* Step 11: the wrapped command through the normal parser. */
	if (tpm_execute_wrapped(c->s, w, wlen, x->rsp, &x->rsp_len))
		rc = TPM_FAIL;
	else if (x->rsp_len + EXEC_OUT_OVERHEAD > out->cap - out->len)
		rc = TPM_SIZE;
	else if (trans_find(c->s, x->handle) != x->t)
		rc = execute_wrap_ended(c, x, &copy, out);
	else
		rc = execute_wrap(c, x, out);
	tpm_wipe(&copy, sizeof(copy));
	return rc;
}

/* Part 3, 24.2 TPM_ExecuteTransport */
TPM_RESULT tpm_cmd_execute_transport(struct tpm_cmd *c, struct tpm_buf *in,
				     struct tpm_buf *out)
{
	uint8_t w[TPM_MAX_COMMAND_SIZE];
	struct exec_ctx x;
	const uint8_t *wire;
	uint32_t wlen;
	TPM_RESULT rc;

	if (tb_get_sized(in, &wire, &wlen, TPM_MAX_COMMAND_SIZE) ||
	    tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	memset(&x, 0, sizeof(x));
	x.handle = c->auth_in[0].handle;
	/* Part 1, 24.x: a command outside the exclusive session ends it. */
	exclusive_end_unless(c->s, x.handle);
	/* Step 1: T1 by transHandle. */
	x.t = trans_find(c->s, x.handle);
	if (!x.t)
		return TPM_INVALID_AUTHHANDLE;
	memcpy(w, wire, wlen);
	rc = execute(c, &x, w, wlen, out);
	tpm_wipe(w, wlen);
	tpm_wipe(x.rsp, x.rsp_len);
	/* Step 19: continueTransSession FALSE ends the session; so does an
	 * error of ExecuteTransport itself (Part 1, 24.x: as for any
	 * authorization session). */
	if (rc || !c->auth_in[0].cont)
		c->terminate[0] = true;
	return rc;
}

/* Part 3, 24.3 steps 6-8: the last log entry and the signed TPM_SIGN_INFO
 * "TRAN" over the log. */
static TPM_RESULT release_sign(struct tpm_cmd *c, struct tpm_session *t,
			       const struct tpm_key *k,
			       const uint8_t anti_replay[TPM_NONCE_SIZE],
			       struct tpm_buf *out)
{
	uint8_t ticks[CURRENT_TICKS_SIZE], info[2 + 4 + 20 + 4 + 20];
	uint8_t digest[TPM_DIGEST_SIZE];
	struct tpm_buf b;
	TPM_RESULT rc;

	rc = ticks_now(c->s, ticks);
	if (rc)
		return rc;
	/* 6.a-e: A1 = TPM_TRANSPORT_LOG_OUT with parameters =
	 * SHA-1(ordinal || antiReplay), i.e. the inParamDigest. */
	if (log_out(t, ticks, c->in_digest, c->s->locality))
		return TPM_FAIL;
	/* 8: H1 = TPM_SIGN_INFO { "TRAN", antiReplay, transDigest }. */
	tb_init_write(&b, info, sizeof(info));
	if (tb_put_u16(&b, TPM_TAG_SIGNINFO) || tb_put_bytes(&b, "TRAN", 4) ||
	    tb_put_bytes(&b, anti_replay, TPM_NONCE_SIZE) ||
	    tb_put_sized(&b, t->transport_digest, TPM_DIGEST_SIZE) ||
	    tpm_sha1(b.data, b.len, digest))
		return TPM_FAIL;
	if (tb_put_u32(out, c->s->locality) ||
	    tb_put_bytes(out, ticks, sizeof(ticks)))
		return TPM_SIZE;
	return tpm_key_sign_put(k, digest, sizeof(digest), out);
}

/* Part 3, 24.3 TPM_ReleaseTransportSigned */
TPM_RESULT tpm_cmd_release_transport_signed(struct tpm_cmd *c,
					    struct tpm_buf *in,
					    struct tpm_buf *out)
{
	uint8_t anti_replay[TPM_NONCE_SIZE];
	/* The transport session authorizes the last area. */
	unsigned int tidx = c->nauth - 1;
	struct tpm_session *t;
	struct tpm_key *k;
	uint32_t handle;
	TPM_RESULT rc;

	if (tb_get_u32(in, &handle) ||
	    tb_get_bytes(in, anti_replay, sizeof(anti_replay)) ||
	    tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	exclusive_end_unless(c->s, c->auth_in[tidx].handle);
	/* Step 1: T1 by transHandle. */
	t = trans_find(c->s, c->auth_in[tidx].handle);
	if (!t)
		return TPM_INVALID_AUTHHANDLE;
	/* Errors from here on end the transport session (Part 1, 24.x). */
	c->terminate[tidx] = true;
	rc = tpm_key_lookup(c->s, handle, &k);
	if (rc)
		return rc;
	/* Step 2: an SHA-1 or INFO signature scheme. */
	if (k->parms.sig_scheme != TPM_SS_RSASSAPKCS1v15_SHA1 &&
	    k->parms.sig_scheme != TPM_SS_RSASSAPKCS1v15_INFO)
		return TPM_INAPPROPRIATE_SIG;
	/* Step 3: a signing key. */
	if (k->usage != TPM_KEY_SIGNING)
		return TPM_INVALID_KEYUSAGE;
	/* Step 4: the key's authorization: area 0 with AUTH2; with AUTH1
	 * only a TPM_AUTH_NEVER key, else TPM_AUTHFAIL. */
	if (c->nauth == 1 && k->auth_usage != TPM_AUTH_NEVER)
		return TPM_AUTHFAIL;
	rc = tpm_key_authorize(c, c->nauth == 2 ? 0 : 1, k);
	if (rc)
		return rc;
	/* Step 5: the session's authorization, else TPM_AUTH2FAIL. */
	rc = trans_auth_check(c, tidx, t, c->in_digest, TPM_AUTH2FAIL);
	if (rc)
		return rc;
	/* Step 7: nothing to sign without a log. */
	if (!(t->transport_attrs & TPM_TRANSPORT_LOG))
		return TPM_BAD_MODE;
	/* Steps 6, 8-10; the session ends after the response
	 * (c->terminate, continueTransSession FALSE). */
	return release_sign(c, t, k, anti_replay, out);
}
