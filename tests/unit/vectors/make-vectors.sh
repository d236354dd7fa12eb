#!/bin/sh
# make-vectors.sh - re-derive every expected value in tests/unit/test_crypto.c
# with the openssl command line tool, independently of our C code.
#
# Usage: sh tests/unit/vectors/make-vectors.sh
# Needs: openssl (1.1 or 3.x), xxd, printf, cut.  Prints NAME=hex lines; the
# same names appear next to the vectors in test_crypto.c.
#
# Spec: IPMI 2.0 section 13.31 (RAKP HMAC inputs, SIK), 13.32 (K1, K2),
# 13.29 (AES-CBC-128 payload), 13.28.4 (session trailer).
set -eu

# ---- helpers --------------------------------------------------------------
# hmac ALG KEYHEX DATAHEX -> hex MAC (ALG: sha1 | sha256)
hmac() {
    printf '%s' "$3" | xxd -r -p | openssl dgst -"$1" -mac HMAC -macopt hexkey:"$2" -r |
        cut -d' ' -f1
}
# aes KEYHEX IVHEX PLAINHEX -> hex ciphertext (no OpenSSL padding: IPMI pads itself)
aes() {
    printf '%s' "$3" | xxd -r -p | openssl enc -aes-128-cbc -nopad -K "$1" -iv "$2" |
        xxd -p -c 1000
}
# ipmipad LEN -> hex of the IPMI confidentiality pad 01 02 .. plus the pad length byte,
# so that LEN + pad + 1 is a multiple of 16
ipmipad() {
    n=$(((16 - ($1 + 1) % 16) % 16))
    i=1
    while [ $i -le $n ]; do
        printf '%02x' $i
        i=$((i + 1))
    done
    printf '%02x' $n
}
# strhex STRING -> hex
strhex() {
    printf '%s' "$1" | xxd -p -c 1000
}
# first N bytes of a hex string
head_bytes() {
    if [ "$1" -gt 0 ]; then
        printf '%s' "$2" | cut -c1-$(($1 * 2))
    fi
}
out() {
    printf '%s=%s\n' "$1" "$2"
}

# ---- fixed inputs -----------------------------------------------------------
RM=101112131415161718191a1b1c1d1e1f   # remote console random number Rm
RC=202122232425262728292a2b2c2d2e2f   # managed system random number Rc
GUID=303132333435363738393a3b3c3d3e3f # managed system GUID (wire order)
SIDM=78563412                         # console session ID 0x12345678, little endian
SIDC=d4c3b2a1                         # BMC session ID 0xa1b2c3d4, little endian
ROLE=14                               # ADMINISTRATOR (4) | name-only lookup (10h)
USER=$(strhex admin)                  # 61646d696e
ULEN=05
KUID=$(strhex password)               # 70617373776f7264 (HMAC zero-pads short keys)
KUID20=${KUID}000000000000000000000000 # the same password zero-padded to 20 bytes
KG=$(strhex KG-secret-0123456789)     # 20-byte K_G for the two-key login case
CONST1=0101010101010101010101010101010101010101 # 20 x 01h (section 13.32)
CONST2=0202020202020202020202020202020202020202 # 20 x 02h
out KUID "$KUID"
out KG "$KG"

# ---- HMAC inputs (section 13.31) -------------------------------------------
RAKP2_IN=$SIDM$SIDC$RM$RC$GUID$ROLE$ULEN$USER
RAKP3_IN=$RC$SIDM$ROLE$ULEN$USER
SIK_IN=$RM$RC$ROLE$ULEN$USER
RAKP4_IN=$RM$SIDC$GUID
# null user name, role 04h without name-only lookup: ULENGTHm 0, no UNAMEm
RAKP2_IN_NULL=$SIDM$SIDC$RM$RC${GUID}0400
out RAKP2_IN "$RAKP2_IN"
out RAKP3_IN "$RAKP3_IN"
out SIK_IN "$SIK_IN"
out RAKP4_IN "$RAKP4_IN"
out RAKP2_IN_NULL "$RAKP2_IN_NULL"

# ---- per auth algorithm: RAKP 2/3 codes, SIK, K1, K2, RAKP 4 ICV ------------
for alg in sha1 sha256; do
    A=$(echo $alg | tr a-z A-Z)
    if [ $alg = sha1 ]; then icv=12; else icv=16; fi
    out RAKP2_$A "$(hmac $alg "$KUID" "$RAKP2_IN")"
    out RAKP2_PAD20_$A "$(hmac $alg "$KUID20" "$RAKP2_IN")" # must equal RAKP2_$A
    out RAKP3_$A "$(hmac $alg "$KUID" "$RAKP3_IN")"
    SIK=$(hmac $alg "$KUID" "$SIK_IN")
    out SIK_$A "$SIK"
    out K1_$A "$(hmac $alg "$SIK" "$CONST1")"
    out K2_$A "$(hmac $alg "$SIK" "$CONST2")"
    out RAKP4_$A "$(head_bytes $icv "$(hmac $alg "$SIK" "$RAKP4_IN")")"
    SIKG=$(hmac $alg "$KG" "$SIK_IN")
    out SIK_KG_$A "$SIKG"
    out K1_KG_$A "$(hmac $alg "$SIKG" "$CONST1")"
    out K2_KG_$A "$(hmac $alg "$SIKG" "$CONST2")"
    out RAKP4_KG_$A "$(head_bytes $icv "$(hmac $alg "$SIKG" "$RAKP4_IN")")"
done
out RAKP2_NULL_SHA1 "$(hmac sha1 "$KUID" "$RAKP2_IN_NULL")"

# ---- AES-CBC-128 payload (section 13.29) -------------------------------------
AES_KEY=2b7e151628aed2a6abf7158809cf4f3c
AES_IV=000102030405060708090a0b0c0d0e0f
PT=a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf
for n in 0 1 14 15 16 17 31 32; do
    p=$(head_bytes $n "$PT")$(ipmipad $n)
    out AES_PT_$n "$p"
    out AES_CT_$n "$AES_IV$(aes $AES_KEY $AES_IV "$p")"
done
# malformed pads for rmcpp_aes_open (CODEC_E_PAD):
# last pad byte 09 instead of 08
out AES_BADPAD_BYTE "$AES_IV$(aes $AES_KEY $AES_IV a0a1a2a3a4a5a6010203040506070908)"
# first pad byte 00 instead of 01
out AES_BADPAD_FIRST "$AES_IV$(aes $AES_KEY $AES_IV a0a1a2a3a4a5a6000203040506070808)"
# pad length 10h: more pad than the 15 bytes in front of it
out AES_BADPAD_LEN16 "$AES_IV$(aes $AES_KEY $AES_IV 0102030405060708090a0b0c0d0e0f10)"
# pad length 1Eh with a well-formed 01..1E run: the pad is 0-15 bytes, never 30
out AES_BADPAD_LEN30 "$AES_IV$(aes $AES_KEY $AES_IV a00102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1e)"

# ---- session trailer (section 13.28.4, Table 13-8) ---------------------------
# The payload is a Get Device ID request: rsAddr 20h, netFn App (06h) LUN 0,
# checksum, rqAddr 81h, rqSeq 1 LUN 0, cmd 01h, checksum.
MSG=2018c88104017a
SEQ=03000000
PKT_IV=f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff
for alg in sha1 sha256; do
    A=$(echo $alg | tr a-z A-Z)
    SIK=$(hmac $alg "$KUID" "$SIK_IN")
    K1=$(hmac $alg "$SIK" "$CONST1")
    K2=$(hmac $alg "$SIK" "$CONST2")
    if [ $alg = sha1 ]; then mac=12; suite=3; else mac=16; suite=17; fi
    AESK=$(head_bytes 16 "$K2")
    # encrypted + authenticated IPMI payload: 16 IV + 16 ciphertext = 32 (0020h)
    ENC=$PKT_IV$(aes "$AESK" $PKT_IV "$MSG$(ipmipad 7)")
    # auth type 06h, payload type C0h, SID, seq, length, payload: 44 bytes,
    # + 2 x FFh + pad length 02h + next header 07h = 48, a multiple of 4
    AUTH=06c0$SIDC${SEQ}2000${ENC}ffff0207
    out PKT_S${suite} "0600ff07$AUTH$(head_bytes $mac "$(hmac $alg "$K1" "$AUTH")")"
done
# suite 2 (HMAC-SHA1-96, no encryption): 12 + 7 payload bytes + 3 x FFh + 03h + 07h = 24
SIK=$(hmac sha1 "$KUID" "$SIK_IN")
K1=$(hmac sha1 "$SIK" "$CONST1")
AUTH=0640$SIDC${SEQ}0700${MSG}ffffff0307
out PKT_S2 "0600ff07$AUTH$(head_bytes 12 "$(hmac sha1 "$K1" "$AUTH")")"
