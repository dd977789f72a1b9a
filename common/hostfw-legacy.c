// SPDX-License-Identifier: MIT
/*
 * iptables-legacy's user chains, through iptables-legacy itself: the legacy
 * tables are binary blobs swapped whole through setsockopt, and only
 * libiptc (not a Debian development package) or the tool writes them safely
 * against a concurrent dockerd or ufw (both take the xtables lock, -w).
 * Whether anything must change is read without exec (xt-legacy.h), and only
 * when this netns has a legacy filter table (/proc/net/ip_tables_names).
 */
#include "hostfw-internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "exec.h"
#include "lock.h"
#include "xt-legacy.h"

/* Enough -D calls to clear a chain of duplicates made by hand. */
#define MAX_DELETES 8

struct legacy {
	const char *tool, *names;
	bool v6;
};

static const struct legacy families[] = {
	{ "iptables-legacy", "/proc/net/ip_tables_names", false },
	{ "ip6tables-legacy", "/proc/net/ip6_tables_names", true },
};

/* The legacy filter table exists in this netns once anything has used it. */
static bool in_use(const struct legacy *l)
{
	_cleanup_(fclosep) FILE *f = fopen(l->names, "re");
	char line[64];

	while (f && fgets(line, sizeof(line), f))
		if (!strcmp(line, "filter\n"))
			return true;
	return false;
}

static int run(const struct legacy *l, const char *verb, const char *chain, const char *bridge,
	       const char *tag, bool into, char *err, size_t size)
{
	const char *out_rule[] = { l->tool,   "-w",	   verb, chain, "-i",	  bridge, "-m",
				   "comment", "--comment", tag,	 "-j",	"ACCEPT", NULL };
	const char *in_rule[] = { l->tool,  "-w",      verb,	    chain,	 "-o",
				  bridge,   "-m",      "conntrack", "--ctstate", ND_HOSTFW_CTSTATE,
				  "-m",	    "comment", "--comment", tag,	 "-j",
				  "ACCEPT", NULL };
	_cleanup_(freep) char *stderr_text = NULL;
	int r = nd_exec(into ? in_rule : out_rule, NULL, &stderr_text);

	if (r != 0 && err && stderr_text)
		snprintf(err, size, "%s %s %s: %s", l->tool, verb, chain,
			 r < 0 ? strerror(-r) : stderr_text);
	return r;
}

static int chain_sync(const struct legacy *l, const char *chain, const char *bridge, bool remove,
		      char *err, size_t size)
{
	char tag[64];
	int r = 0;

	snprintf(tag, sizeof(tag), ND_HOSTFW_TAG_FMT, bridge);
	/* -D deletes the first rule equal to the spec; it fails once none is left. */
	for (int into = 0; into < 2; into++)
		for (int i = 0; i < MAX_DELETES; i++)
			if (run(l, "-D", chain, bridge, tag, into, NULL, 0) != 0)
				break;
	for (int into = 0; !remove && r == 0 && into < 2; into++)
		r = run(l, "-I", chain, bridge, tag, into, err, size);
	return r == 0 ? 0 : r < 0 ? r : -EIO;
}

/* FORWARD drops and no user chain is there: netdock cannot open it. */
static void note_unknown(const struct legacy *l, const struct nd_xt_legacy_view *view,
			 struct nd_hostfw_report *rep)
{
	const char *const *chains = nd_hostfw_user_chains(l->v6);

	if (!view->forward_drop || rep->unknown[0])
		return;
	for (size_t c = 0; chains[c]; c++)
		if (view->has_chain[c])
			return;
	snprintf(rep->unknown, sizeof(rep->unknown), "%s: filter FORWARD policy DROP", l->tool);
}

static int family_sync(const struct legacy *l, const char *bridge, int lock_dir,
		       enum nd_hostfw_mode mode, struct nd_hostfw_report *rep)
{
	char *err = rep->err;
	size_t size = sizeof(rep->err);
	const char *const *chains = nd_hostfw_user_chains(l->v6);
	struct nd_xt_legacy_view view;
	_cleanup_(closep) int lock = -1;
	char tag[64];
	int r;

	snprintf(tag, sizeof(tag), ND_HOSTFW_TAG_FMT, bridge);
	r = nd_xt_legacy_read(l->v6, chains, tag, "netdock ", &view);
	if (r < 0) {
		snprintf(err, size, "%s filter table: %s", l->tool, strerror(-r));
		return r;
	}
	note_unknown(l, &view, rep);
	/* Rules of netdock bridges that are gone (their network left without GC). */
	for (size_t i = 0; r >= 0 && mode != ND_HOSTFW_VERIFY && i < view.n_others; i++) {
		const char *gone = view.others[i].comment + strlen("netdock ");

		if (!nd_hostfw_tag_stale(view.others[i].comment))
			continue;
		if (lock < 0 && lock_dir >= 0)
			lock = nd_lock_take(lock_dir, ".hostfw.lock");
		r = chain_sync(l, chains[view.others[i].chain], gone, true, err, size);
	}
	for (size_t c = 0; r >= 0 && chains[c]; c++) {
		if (!view.has_chain[c])
			continue;
		if (mode == ND_HOSTFW_RELEASE ? view.ours[c] == 0 : view.ours[c] == ND_HOSTFW_RULES)
			continue;
		if (mode == ND_HOSTFW_VERIFY) {
			snprintf(err, size, "%s filter %s holds %zu of netdock's %d rules for %s",
				 l->tool, chains[c], view.ours[c], ND_HOSTFW_RULES, bridge);
			return -ENOENT;
		}
		if (lock < 0 && lock_dir >= 0)
			lock = nd_lock_take(lock_dir, ".hostfw.lock");
		r = chain_sync(l, chains[c], bridge, mode == ND_HOSTFW_RELEASE, err, size);
	}
	return r;
}

int nd_hostfw_legacy_sync(const char *bridge, int lock_dir, enum nd_hostfw_mode mode,
			  struct nd_hostfw_report *rep)
{
	int r = 0;

	for (size_t i = 0; r >= 0 && i < ND_ARRAY_SIZE(families); i++)
		if (in_use(&families[i]))
			r = family_sync(&families[i], bridge, lock_dir, mode, rep);
	return r;
}

void nd_hostfw_legacy_check(struct nd_hostfw_report *rep)
{
	for (size_t i = 0; i < ND_ARRAY_SIZE(families); i++) {
		const struct legacy *l = &families[i];
		struct nd_xt_legacy_view view;

		if (in_use(l) &&
		    nd_xt_legacy_read(l->v6, nd_hostfw_user_chains(l->v6), "", NULL, &view) >= 0)
			note_unknown(l, &view, rep);
	}
}
