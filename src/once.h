/*
 * once.h - "--once": poll every configured BMC one time, concurrently, and
 * print what was read (a human table or JSON).
 */
#ifndef IPMI_BRIDGE_ONCE_H
#define IPMI_BRIDGE_ONCE_H

#include <stdbool.h>
#include <stdio.h>

struct cfg;

/* Returns the process exit status: 0 if every BMC answered, 1 otherwise. */
int once_run(const struct cfg *cfg, bool json, FILE *out);

#endif
