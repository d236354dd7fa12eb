/*
 * unit.h - tiny shared runner for the CUnit test programs.  Each test
 * program defines its suites as a CU_SuiteInfo array and calls unit_run().
 */
#ifndef IPMI_BRIDGE_UNIT_H
#define IPMI_BRIDGE_UNIT_H

#include <CUnit/CUnit.h>

/* Runs every suite in basic mode; returns the process exit status (0 = all passed). */
int unit_run(const char *program, CU_SuiteInfo *suites);

/* Hex string ("0a 1b..." or "0a1b..") into bytes; returns byte count or -1. */
int unit_hex(const char *hex, unsigned char *out, int cap);

#endif
