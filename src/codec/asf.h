/*
 * asf.h - RMCP/ASF Presence Ping and Pong (DMTF ASF 2.0 section 3.2.4.1
 * and 3.2.4.3; IPMI 2.0 section 13.2.3): a session-less "are you there"
 * that a BMC answers without any login.  The poller sends one before it
 * tries to log in to a BMC that was unreachable.
 *
 * Wire: RMCP header (version 06h, reserved, sequence FFh = no RMCP ACK,
 * class 06h = ASF), then the ASF message header (IANA enterprise number
 * 4542 most significant byte first, message type, message tag, reserved,
 * data length) and the data: none for a ping, 16 bytes for a pong.
 */
#ifndef IPMI_BRIDGE_ASF_H
#define IPMI_BRIDGE_ASF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "codec_err.h"
#include "layout.h"

#define ASF_RMCP_CLASS    0x06
#define ASF_IANA          4542u
#define ASF_TYPE_PING     0x80
#define ASF_TYPE_PONG     0x40
#define ASF_PING_LEN      12
#define ASF_PONG_DATA_LEN 16
#define ASF_PONG_LEN      (12 + ASF_PONG_DATA_LEN)
#define ASF_ENTITY_IPMI   0x80 /* supported entities bit 7: IPMI */

/* One RMCP/ASF message (header and, for a pong, its data). */
struct asf_msg {
    uint8_t version;  /* 06h */
    uint8_t rmcp_seq; /* FFh: no RMCP ACK wanted */
    uint8_t rmcp_class;
    uint8_t iana[4]; /* big endian on the wire */
    uint8_t type;
    uint8_t tag;
    uint8_t data_len;
    uint8_t data[ASF_PONG_DATA_LEN];
    size_t data_n;
};
extern const struct layout asf_msg_layout;

/* What a pong says (the pong data, ASF 2.0 Table 15). */
struct asf_pong {
    uint8_t tag;
    uint32_t oem_iana; /* 4542 unless an OEM extension */
    uint32_t oem_defined;
    uint8_t entities; /* bit 7: IPMI supported; bits 3:0: ASF version */
    uint8_t interactions;
};

/* A Presence Ping with `tag` (00h..FEh); returns ASF_PING_LEN or -1. */
ssize_t asf_ping_encode(uint8_t tag, uint8_t *buf, size_t cap, enum codec_err *err);
/* A Presence Pong answering `tag` (what a BMC sends); returns ASF_PONG_LEN or -1. */
ssize_t asf_pong_encode(uint8_t tag, uint8_t entities, uint8_t *buf, size_t cap,
                        enum codec_err *err);
/* Is this datagram RMCP class ASF (rather than IPMI)? */
bool asf_is_asf(const uint8_t *buf, size_t len);
/* Decode a ping: 0 (tag in *tag) or -1 (*err). */
int asf_ping_decode(const uint8_t *buf, size_t len, uint8_t *tag, enum codec_err *err);
/* Decode a pong: 0 or -1 (*err: CODEC_E_TRUNCATED, CODEC_E_FIELD...). */
int asf_pong_decode(const uint8_t *buf, size_t len, struct asf_pong *out, enum codec_err *err);

#endif
