/*
 * hex.h - the value of one hexadecimal digit, for the few places that read
 * hex text back (K_G files, state files, the store's byte texts).
 */
#ifndef IPMI_BRIDGE_HEX_H
#define IPMI_BRIDGE_HEX_H

/* 0-15, or -1 when `c` is not a hex digit (either case). */
static inline int hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

#endif
