// SPDX-License-Identifier: MIT
/*
 * firewalld: each bridge goes into the built-in "trusted" zone (target
 * ACCEPT) as a runtime binding, through firewalld's D-Bus interface
 * (org.fedoraproject.FirewallD1.zone), the way Docker binds docker0 to its
 * zone. firewalld already accepts established and DNATed flows in
 * filter_FORWARD; traffic from other zones into the bridge stays refused.
 * The calls go through dbus-send, and only on hosts where firewalld's table
 * (inet firewalld) exists, so no D-Bus library is loaded by every ADD.
 */
#include "hostfw-internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "exec.h"
#include "nft-dump.h"

#define ZONE "trusted"

static bool running(void)
{
	return nd_nft_table_exists(NFPROTO_INET, "firewalld");
}

/* One method call with string arguments; *ret_out gets dbus-send's printed reply. */
static int call(const char *method, const char *arg1, const char *arg2, char **ret_out, char *err,
		size_t size)
{
	char m[96], a1[64], a2[64];
	const char *argv[] = { "dbus-send",
			       "--system",
			       "--print-reply",
			       "--reply-timeout=5000",
			       "--dest=org.fedoraproject.FirewallD1",
			       "/org/fedoraproject/FirewallD1",
			       m,
			       a1,
			       arg2 ? a2 : NULL,
			       NULL };
	_cleanup_(freep) char *stderr_text = NULL;
	int r;

	snprintf(m, sizeof(m), "org.fedoraproject.FirewallD1.zone.%s", method);
	snprintf(a1, sizeof(a1), "string:%s", arg1);
	snprintf(a2, sizeof(a2), "string:%s", arg2 ? arg2 : "");
	r = nd_exec(argv, ret_out, &stderr_text);
	if (r != 0 && err)
		snprintf(err, size, "firewalld %s: %s", method,
			 r < 0			   ? strerror(-r) :
			 strtok(stderr_text, "\n") ?:
						     "failed");
	return r == 0 ? 0 : r < 0 ? r : -EIO;
}

/* The zone a bridge is bound to ("" for none), from a reply line `   string "trusted"`. */
static int zone_of(const char *bridge, char *zone, size_t zsize, char *err, size_t size)
{
	_cleanup_(freep) char *out = NULL;
	const char *q;
	int r = call("getZoneOfInterface", bridge, NULL, &out, err, size);

	if (r < 0)
		return r;
	q = strstr(out, "string \"");
	if (!q)
		return -EPROTO;
	q += strlen("string \"");
	snprintf(zone, zsize, "%.*s", (int)strcspn(q, "\""), q);
	return 0;
}

int nd_hostfw_firewalld_sync(const char *bridge, bool remove, char *err, size_t size)
{
	char zone[64];
	int r;

	if (!running())
		return 0;
	r = zone_of(bridge, zone, sizeof(zone), err, size);
	if (r < 0)
		return r;
	if (remove)
		return strcmp(zone, ZONE) ? 0 :
					    call("removeInterface", ZONE, bridge, NULL, err, size);
	if (!strcmp(zone, ZONE))
		return 0;
	/* The operator put it elsewhere: that is theirs to decide. */
	if (zone[0])
		return 0;
	return call("addInterface", ZONE, bridge, NULL, err, size);
}

int nd_hostfw_firewalld_unknown(char *what, size_t size)
{
	char zone[64], err[160] = "";

	if (!running() || zone_of("lo", zone, sizeof(zone), err, sizeof(err)) == 0)
		return 0;
	snprintf(what, size,
		 "inet firewalld filter_FORWARD rejects unzoned traffic and firewalld does not "
		 "answer on D-Bus (%s)",
		 err);
	return 1;
}
