/*
 * report.h - views of the store (src/store/store.h): the --once JSON and the
 * human table.  They read snapshots only.
 */
#ifndef IPMI_BRIDGE_REPORT_H
#define IPMI_BRIDGE_REPORT_H

#include <stdbool.h>
#include <stdio.h>

struct store;
struct store_bmc;
struct json_object;

/* Every BMC of the store, in index order. */
void report_json(const struct store *st, bool compact, FILE *out);
void report_human(const struct store *st, FILE *out);

/* One BMC's object of report_json() (the caller owns it: json_object_put).
 * The daemon's status file adds its own fields to it. */
struct json_object *report_json_bmc(const struct store_bmc *b);

#endif
