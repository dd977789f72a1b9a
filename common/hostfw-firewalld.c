// SPDX-License-Identifier: MIT
/*
 * firewalld: each bridge goes into the built-in "trusted" zone (target
 * ACCEPT) as a runtime binding, through firewalld's D-Bus interface
 * (org.fedoraproject.FirewallD1.zone), the way Docker binds docker0 to its
 * zone. firewalld already accepts established and DNATed flows in
 * filter_FORWARD; traffic from other zones into the bridge stays refused.
 * The calls go through dbus-send, and only on hosts where firewalld's table
 * (inet firewalld) exists (hostfw.c's scan), so no D-Bus library is loaded
 * by every ADD.
 */
#include "hostfw-internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "exec.h"

#define ZONE "trusted"

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

/* firewalld's table is there, yet firewalld does not answer (crashed, or its bus is gone). */
static void note_silent(struct nd_hostfw_report *rep, const char *why)
{
	snprintf(rep->unknown, sizeof(rep->unknown),
		 "inet firewalld filter_FORWARD rejects unzoned traffic and firewalld does not "
		 "answer on D-Bus (%.120s)",
		 why);
}

int nd_hostfw_firewalld_sync(const struct nd_hostfw_scan *scan, const char *bridge,
			     enum nd_hostfw_mode mode, struct nd_hostfw_report *rep)
{
	char zone[64], why[160] = "";

	if (!scan->firewalld)
		return 0;
	/* A firewalld that does not answer cannot be served: STATUS and the ADD warning say so. */
	if (zone_of(bridge, zone, sizeof(zone), why, sizeof(why)) < 0) {
		if (!rep->unknown[0])
			note_silent(rep, why);
		return 0;
	}
	if (mode == ND_HOSTFW_RELEASE)
		return strcmp(zone, ZONE) ? 0 :
					    call("removeInterface", ZONE, bridge, NULL, rep->err,
						 sizeof(rep->err));
	/* In trusted already, or put in another zone by the operator: that is theirs. */
	if (zone[0])
		return 0;
	if (mode == ND_HOSTFW_VERIFY) {
		snprintf(rep->err, sizeof(rep->err), "firewalld: %s is in no zone (expected %s)",
			 bridge, ZONE);
		return -ENOENT;
	}
	return call("addInterface", ZONE, bridge, NULL, rep->err, sizeof(rep->err));
}

void nd_hostfw_firewalld_check(const struct nd_hostfw_scan *scan, struct nd_hostfw_report *rep)
{
	char zone[64], why[160] = "";

	if (scan->firewalld && zone_of("lo", zone, sizeof(zone), why, sizeof(why)) < 0)
		note_silent(rep, why);
}
