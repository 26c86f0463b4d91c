#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tpm_tools.sh: drives the unmodified tpm-tools and tpm-quote-tools through a
# private tcsd against a fresh TPM under test (TAP).  Every check looks at the
# real result: contents are compared, expected failures must fail with the
# expected TPM return code, and the quote is verified here with OpenSSL
# (tpm_verifyquote is broken in libtspi).  Usage: TPM_UNDER_TEST=swtpm|tpmd.

set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

it_setup
W=$IT_DIR/work
mkdir "$W"

# tool_failed_with CODE: the last tool failed, and tpm-tools reported the
# TPM return code CODE (4 hex digits) as the reason.
tool_failed_with()
{
	[ "$IT_RC" -ne 0 ] && [[ "$IT_ERR $IT_OUT" == *"layer=tpm, code=$1"* ]]
}

# last_ok NAME: ok when the last tool exited 0, else not ok with its output.
last_ok()
{
	if [ "$IT_RC" -eq 0 ]; then
		ok "$1"
	else
		not_ok "$1" "$(it_why)"
	fi
}

# last_failed_with NAME CODE
last_failed_with()
{
	if tool_failed_with "$2"; then
		ok "$1"
	else
		not_ok "$1" "expected TPM code 0x$2; $(it_why)"
	fi
}

sha1_hex()
{
	xxd -r -p | openssl dgst -sha1 -binary | xxd -p -c 256
}

# The modulus printed by tpm_getpubek, as one lowercase hex string.
pubek_modulus()
{
	sed -n '/Public Key:/,$p' | tail -n +2 | tr -d ' \t\n' |
		tr 'A-F' 'a-f'
}

it_tpm_start
if it_assert_pp; then
	ok "physical presence asserted by TSC_PhysicalPresence"
else
	not_ok "physical presence asserted by TSC_PhysicalPresence" \
		"see the lines above"
fi

# Give PCR 10 a known value before tcsd takes the TPM's only connection, so
# that the quote below covers a value computed here, not just zeros.
PCR10_DATA=$(printf 'vtpm integration pcr 10' | openssl dgst -sha1 -binary |
	xxd -p -c 256)
PCR10_WANT=$(printf '%040x%s' 0 "$PCR10_DATA" | sha1_hex)
r=$(it_tpm_raw "00c100000022000000140000000a$PCR10_DATA")
# TPM_Extend response: header, then outDigest.
if [ "$(it_rc "$r")" -eq 0 ] && [ "${r:20:40}" = "$PCR10_WANT" ]; then
	ok "raw TPM_Extend(10) returns SHA1(old || data)"
else
	not_ok "raw TPM_Extend(10) returns SHA1(old || data)" \
		"got $r, want digest $PCR10_WANT"
fi

it_tcsd_start

# --- identification -------------------------------------------------------
it_tool "" tpm_version
if [ "$IT_RC" -eq 0 ] && [[ $IT_OUT == *"TPM 1.2 Version Info"* ]] &&
	grep -Eq 'Chip Version: +1\.2\.' <<<"$IT_OUT"; then
	ok "tpm_version reports a TPM 1.2"
else
	not_ok "tpm_version reports a TPM 1.2" "$(it_why)"
fi

it_tool "" tpm_selftest
if [ "$IT_RC" -eq 0 ] && [[ $IT_OUT == *"TPM Test Results:"* ]]; then
	ok "tpm_selftest"
else
	not_ok "tpm_selftest" "$(it_why)"
fi

# --- endorsement key and ownership ----------------------------------------
it_tool "" tpm_getpubek
last_failed_with "tpm_getpubek without an EK fails with TPM_NO_ENDORSEMENT" \
	0023

it_tool "" tpm_createek
last_ok "tpm_createek"

it_tool "" tpm_createek
last_failed_with "second tpm_createek fails with TPM_DISABLED_CMD" 0008

it_tool "" tpm_getpubek
EK_MOD=$(pubek_modulus <<<"$IT_OUT")
if [ "$IT_RC" -eq 0 ] && [[ $IT_OUT == *"Key Size:          2048 bits"* ]] &&
	[ ${#EK_MOD} -eq 512 ] && [[ $EK_MOD != *[!0-9a-f]* ]]; then
	ok "tpm_getpubek shows a 2048-bit EK"
else
	not_ok "tpm_getpubek shows a 2048-bit EK" \
		"modulus of ${#EK_MOD} hex digits; $(it_why)"
fi

it_tool "" tpm_takeownership -y -z
last_ok "tpm_takeownership -y -z"

# libtspi reads the public EK first; once owned, TPM_ReadPubek is disabled.
it_tool "" tpm_takeownership -y -z
last_failed_with "second tpm_takeownership refused (TPM_DISABLED_CMD)" 0008

it_tool "" tpm_getpubek -z
if [ "$IT_RC" -eq 0 ] && [ "$(pubek_modulus <<<"$IT_OUT")" = "$EK_MOD" ]
then
	ok "tpm_getpubek -z (owner read) returns the same EK"
else
	not_ok "tpm_getpubek -z (owner read) returns the same EK" "$(it_why)"
fi

# --- sealing --------------------------------------------------------------
head -c 200 /dev/urandom >"$W/plain"
it_tool "" tpm_sealdata -z -i "$W/plain" -o "$W/sealed"
if [ "$IT_RC" -eq 0 ] && grep -q -- '-----BEGIN TSS-----' "$W/sealed"; then
	ok "tpm_sealdata"
else
	not_ok "tpm_sealdata" "$(it_why)"
fi
it_tool "" tpm_unsealdata -z -i "$W/sealed" -o "$W/unsealed"
if [ "$IT_RC" -eq 0 ] && cmp -s "$W/plain" "$W/unsealed"; then
	ok "tpm_unsealdata returns the sealed bytes"
else
	not_ok "tpm_unsealdata returns the sealed bytes" "$(it_why)"
fi

it_tool "" tpm_sealdata -z -p 10 -p 16 -i "$W/plain" -o "$W/sealed-pcr"
last_ok "tpm_sealdata bound to PCRs 10 and 16"
it_tool "" tpm_unsealdata -z -i "$W/sealed-pcr" -o "$W/unsealed-pcr"
if [ "$IT_RC" -eq 0 ] && cmp -s "$W/plain" "$W/unsealed-pcr"; then
	ok "tpm_unsealdata of PCR-bound data, PCRs unchanged"
else
	not_ok "tpm_unsealdata of PCR-bound data, PCRs unchanged" "$(it_why)"
fi

# --- NV storage -----------------------------------------------------------
NV_OWNER=0x00011000
NV_AUTH=0x00011001
printf 'nv area written under owner auth' >"$W/nv-owner.in"
printf 'sixteen bytes!!!' >"$W/nv-auth.in"

it_tool "" tpm_nvdefine -y -i $NV_OWNER -s 32 -p 'OWNERWRITE|OWNERREAD'
last_ok "tpm_nvdefine (owner read/write, 32 bytes)"

it_tool "" tpm_nvinfo -i $NV_OWNER
if [ "$IT_RC" -eq 0 ] &&
	grep -q 'Permissions *: 0x00020002 (OWNERREAD|OWNERWRITE)' \
		<<<"$IT_OUT" &&
	grep -q 'Size *: 32 (0x20)' <<<"$IT_OUT"; then
	ok "tpm_nvinfo shows the permissions and size defined"
else
	not_ok "tpm_nvinfo shows the permissions and size defined" \
		"$(it_why)"
fi

it_tool "" tpm_nvwrite -z -i $NV_OWNER -f "$W/nv-owner.in"
last_ok "tpm_nvwrite with owner auth"
it_tool "" tpm_nvread -z -i $NV_OWNER -s 32 -f "$W/nv-owner.out"
if [ "$IT_RC" -eq 0 ] && cmp -s "$W/nv-owner.in" "$W/nv-owner.out"; then
	ok "tpm_nvread with owner auth returns what was written"
else
	not_ok "tpm_nvread with owner auth returns what was written" \
		"$(it_why)"
fi

it_tool "" tpm_nvdefine -y -a areapass -i $NV_AUTH -s 16 \
	-p 'AUTHWRITE|AUTHREAD'
last_ok "tpm_nvdefine (own auth, 16 bytes)"

# -p without a value prompts: the secret goes through getpass() on stdin.
it_tool "areapass" tpm_nvwrite -p -i $NV_AUTH -f "$W/nv-auth.in"
last_ok "tpm_nvwrite with the area's own password"
it_tool "" tpm_nvread --password=areapass -i $NV_AUTH -s 16 \
	-f "$W/nv-auth.out"
if [ "$IT_RC" -eq 0 ] && cmp -s "$W/nv-auth.in" "$W/nv-auth.out"; then
	ok "tpm_nvread with the area's password returns what was written"
else
	not_ok "tpm_nvread with the area's password returns what was written" \
		"$(it_why)"
fi
it_tool "wrongpass" tpm_nvread -p -i $NV_AUTH -s 16 -f "$W/nv-wrong.out"
last_failed_with "tpm_nvread with a wrong area password: TPM_AUTHFAIL" 0001

it_tool "" tpm_nvinfo -n
if [ "$IT_RC" -eq 0 ] && [[ $IT_OUT == *0x00011000* ]] &&
	[[ $IT_OUT == *0x00011001* ]]; then
	ok "tpm_nvinfo -n lists both areas"
else
	not_ok "tpm_nvinfo -n lists both areas" "$(it_why)"
fi

it_tool "" tpm_nvrelease -y -i $NV_OWNER
last_ok "tpm_nvrelease of the owner area"
it_tool "" tpm_nvrelease -y -i $NV_AUTH
last_ok "tpm_nvrelease of the own-auth area"
it_tool "" tpm_nvinfo -n
if [ "$IT_RC" -eq 0 ] && [[ $IT_OUT != *0x0001100[01]* ]]; then
	ok "released areas are gone from tpm_nvinfo -n"
else
	not_ok "released areas are gone from tpm_nvinfo -n" "$(it_why)"
fi

# --- owner password -------------------------------------------------------
# tpm_getpubek reads the EK with owner auth once the TPM is owned, which
# makes it a side-effect-free probe of the owner secret.
owner_reads_ek()
{
	[ "$IT_RC" -eq 0 ] && [ "$(pubek_modulus <<<"$IT_OUT")" = "$EK_MOD" ]
}

it_tool $'ownerpass\nownerpass' tpm_changeownerauth -o -z
last_ok "tpm_changeownerauth from the well-known secret"
it_tool "" tpm_getpubek -z
last_failed_with "old (well-known) owner secret now fails: TPM_AUTHFAIL" \
	0001
it_tool "ownerpass" tpm_getpubek
check "new owner password works (tpm_getpubek)" "$(it_why)" owner_reads_ek
it_tool "ownerpass" tpm_changeownerauth -o -r
last_ok "tpm_changeownerauth back to the well-known secret"
it_tool "" tpm_getpubek -z
check "well-known owner secret works again" "$(it_why)" owner_reads_ek
it_tool "not-the-owner" tpm_getpubek
last_failed_with "wrong owner password: TPM_AUTHFAIL" 0001
# Clears the failure count left by the wrong secrets above.  No failed
# TPM_ResetLockValue comes first: after one, Part 3 5.3 refuses the command
# (disableResetLock) until the lockout period ends, which TPMs time apart.
it_tool "" tpm_resetdalock -z
last_ok "tpm_resetdalock with the owner secret"

# --- attestation: tpm-quote-tools -----------------------------------------
# verify_quote2 PUBKEY_PEM NONCE_HEX SIG_FILE PCR=VALUE...: rebuild the
# TPM_QUOTE_INFO2 that TPM_Quote2 signs and check the PKCS#1 v1.5 SHA-1
# signature.  The selection is 3 bytes (24 PCRs), as libtspi sends it.
# Returns 0 when it verifies, 2 when only the mistaken layout with the nonce
# after TPM_PCR_INFO_SHORT does (to name that bug), else 1.
verify_quote2()
{
	local pem=$1 nonce=$2 sig=$3 sel=(0 0 0) vals="" n=0 pv i comp

	shift 3
	for pv in "$@"; do
		i=${pv%%=*}
		((sel[i / 8] |= 1 << (i % 8)))
		vals=$vals${pv#*=}
		n=$((n + 1))
	done
	sel=$(printf '0003%02x%02x%02x' "${sel[0]}" "${sel[1]}" "${sel[2]}")
	# TPM_PCR_COMPOSITE: select, valueSize, values (PCR order)
	comp=$(printf '%s%08x%s' "$sel" $((20 * n)) "$vals" | sha1_hex)
	# TPM_QUOTE_INFO2: tag 0x0036, "QUT2", nonce, TPM_PCR_INFO_SHORT
	# with localityAtRelease = TPM_LOC_ZERO
	printf '0036%s%s%s01%s' "$(printf QUT2 | xxd -p)" "$nonce" "$sel" \
		"$comp" | xxd -r -p >"$W/quoteinfo2"
	openssl dgst -sha1 -verify "$pem" -signature "$sig" \
		"$W/quoteinfo2" >/dev/null 2>&1 && return 0
	printf '0036%s%s01%s%s' "$(printf QUT2 | xxd -p)" "$sel" "$comp" \
		"$nonce" | xxd -r -p >"$W/quoteinfo2-alt"
	openssl dgst -sha1 -verify "$pem" -signature "$sig" \
		"$W/quoteinfo2-alt" >/dev/null 2>&1 && return 2
	return 1
}

# aik_to_pem DER PEM: tpm_mkaik writes a TSS_BLOB (ASN.1) holding a
# TPM_PUBKEY; turn it into a PEM public key OpenSSL can use.
aik_to_pem()
{
	local h psize parms esize exp rest mlen mod

	h=$(openssl asn1parse -inform DER -in "$1" 2>/dev/null |
		sed -n 's/.*OCTET STRING *\[HEX DUMP\]://p' | tr 'A-F' 'a-f')
	# TPM_PUBKEY: algorithmParms { algorithmID, encScheme, sigScheme,
	# parmSize, TPM_RSA_KEY_PARMS }, pubKey { keyLength, key }
	[ "${h:0:8}" = 00000001 ] || return 1
	[ "${h:12:4}" = 0002 ] || return 1	# TPM_SS_RSASSAPKCS1v15_SHA1
	psize=$((16#${h:16:8}))
	parms=${h:24:$((2 * psize))}
	[ "$((16#${parms:0:8}))" -eq 2048 ] || return 1
	esize=$((16#${parms:16:8}))
	exp=${parms:24:$((2 * esize))}
	[ -n "$exp" ] || exp=010001	# size 0 means the default 2^16+1
	rest=${h:$((24 + 2 * psize))}
	mlen=$((16#${rest:0:8}))
	mod=${rest:8:$((2 * mlen))}
	[ ${#mod} -eq 512 ] || return 1
	printf 'asn1=SEQUENCE:rsa\n[rsa]\nn=INTEGER:0x%s\ne=INTEGER:0x%s\n' \
		"$mod" "$exp" >"$W/aik.cnf"
	openssl asn1parse -genconf "$W/aik.cnf" -noout -out "$W/aik.rsa" \
		>/dev/null 2>&1 &&
		openssl rsa -RSAPublicKey_in -inform DER -in "$W/aik.rsa" \
			-pubout -out "$2" >/dev/null 2>&1
}

tpm_mkuuid "$W/aik.uuid"
it_tool "" tpm_mkaik -z "$W/aik.blob" "$W/aik.der"
last_ok "tpm_mkaik"
check "AIK public key is a 2048-bit RSA PKCS#1 v1.5 SHA-1 signing key" \
	"could not parse $(xxd -p "$W/aik.der" 2>&1 | head -c 80)..." \
	aik_to_pem "$W/aik.der" "$W/aik.pem"
it_tool "" tpm_loadkey "$W/aik.blob" "$W/aik.uuid"
last_ok "tpm_loadkey registers the AIK"

head -c 20 /dev/urandom >"$W/nonce"
NONCE=$(xxd -p -c 256 "$W/nonce")
it_tool "" tpm_getquote -p "$W/pcrvals" "$W/aik.uuid" "$W/nonce" \
	"$W/quote" 0 10 16
last_ok "tpm_getquote of PCRs 0, 10, 16"

ZERO=$(printf '%040x' 0)
got10=$(sed -n 's/^10=//p' "$W/pcrvals" 2>/dev/null | tr 'A-F' 'a-f')
if [ "$got10" = "$PCR10_WANT" ] && grep -qx "0=$ZERO" "$W/pcrvals" &&
	grep -qx "16=$ZERO" "$W/pcrvals"; then
	ok "PCR values reported with the quote are the expected ones"
else
	not_ok "PCR values reported with the quote are the expected ones" \
		"$(tr '\n' ' ' <"$W/pcrvals" 2>/dev/null)"
fi
# The composite is rebuilt from values computed here, not from pcrvals.
verify_quote2 "$W/aik.pem" "$NONCE" "$W/quote" "0=$ZERO" \
	"10=$PCR10_WANT" "16=$ZERO"
case $? in
0) ok "quote signature verifies over TPM_QUOTE_INFO2 with our nonce" ;;
2) not_ok "quote signature verifies over TPM_QUOTE_INFO2 with our nonce" \
	"the TPM signed externalData after infoShort" ;;
*) not_ok "quote signature verifies over TPM_QUOTE_INFO2 with our nonce" \
	"openssl rejected the signature" ;;
esac
if ! verify_quote2 "$W/aik.pem" "$ZERO" "$W/quote" "0=$ZERO" \
	"10=$PCR10_WANT" "16=$ZERO"; then
	ok "the same quote does not verify with another nonce"
else
	not_ok "the same quote does not verify with another nonce" \
		"verifier accepted a wrong nonce"
fi

# --- clearing the owner ---------------------------------------------------
it_tool "" tpm_clear -z
if [ "$IT_RC" -eq 0 ] && [[ $IT_OUT == *"Cleared"* ]]; then
	ok "tpm_clear with the owner secret"
else
	not_ok "tpm_clear with the owner secret" "$(it_why)"
fi
# TPM_OwnerClear leaves the TPM disabled: tpm-tools now see TPM_DISABLED.
it_tool "" tpm_getpubek
last_failed_with "after tpm_clear the TPM is disabled (TPM_DISABLED)" 0007

# Ask the TPM itself, then re-enable it by physical presence; both need
# the TPM's only connection, so tcsd steps aside meanwhile.
it_tcsd_stop
owned=$(it_tpm_owned)
if [ "$owned" = 0 ]; then
	ok "after tpm_clear TPM_CAP_PROP_OWNER is FALSE"
else
	not_ok "after tpm_clear TPM_CAP_PROP_OWNER is FALSE" "got '$owned'"
fi
if it_assert_pp; then
	ok "physical presence re-enables the cleared TPM"
else
	not_ok "physical presence re-enables the cleared TPM" \
		"see the lines above"
fi
it_tcsd_start

it_tool "" tpm_getpubek
if [ "$IT_RC" -eq 0 ] && [ "$(pubek_modulus <<<"$IT_OUT")" = "$EK_MOD" ]
then
	ok "unowned again: tpm_getpubek needs no owner, EK kept"
else
	not_ok "unowned again: tpm_getpubek needs no owner, EK kept" \
		"$(it_why)"
fi
it_tool "" tpm_takeownership -y -z
last_ok "tpm_takeownership works again after tpm_clear"

it_summary "tpm_tools.sh ($TPM_UNDER_TEST)"
