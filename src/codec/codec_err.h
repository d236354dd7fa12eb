/*
 * codec_err.h - reason codes for every inbound decoder.  A decoder that
 * refuses input says why, so tests (and logs) can tell a truncated packet
 * from a forged one.
 */
#ifndef IPMI_BRIDGE_CODEC_ERR_H
#define IPMI_BRIDGE_CODEC_ERR_H

enum codec_err {
    CODEC_OK = 0,
    CODEC_E_TRUNCATED,    /* shorter than its layout requires */
    CODEC_E_OVERSIZE,     /* longer than its layout or our buffer allows */
    CODEC_E_NOT_RMCP,     /* RMCP version/class byte wrong */
    CODEC_E_AUTH_TYPE,    /* session auth type we do not speak */
    CODEC_E_LENGTH,       /* a length field disagrees with the data */
    CODEC_E_CHECKSUM,     /* IPMI message checksum wrong */
    CODEC_E_PAD,          /* integrity or confidentiality pad malformed */
    CODEC_E_INTEGRITY,    /* authentication code mismatch */
    CODEC_E_DECRYPT,      /* confidentiality layer failed */
    CODEC_E_PAYLOAD_TYPE, /* payload type not expected here */
    CODEC_E_SECURITY,     /* auth/encryption flags not what the session requires */
    CODEC_E_FIELD,        /* a field holds a value the spec does not allow */
    CODEC_E_CRYPTO,       /* the crypto library failed (not the peer's fault) */
    CODEC_E_ENTERPRISE,   /* a trap from an enterprise that is not the one expected */
    CODEC_E_OEM_CHAIN,    /* a type/length field chain runs past its data */
    CODEC_E__COUNT
};

const char *codec_err_name(enum codec_err e);

#endif
