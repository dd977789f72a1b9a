// SPDX-License-Identifier: MIT
/*
 * iptables-legacy's user chains, through iptables-legacy itself: the legacy
 * tables are binary blobs swapped whole through setsockopt, and only
 * libiptc (not a Debian development package) or the tool writes them safely
 * against a concurrent dockerd or ufw (both take the xtables lock, -w).
 * Nothing is run unless this netns has a legacy filter table
 * (/proc/net/ip_tables_names), so hosts without one pay nothing.
 */
#include "hostfw-internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "exec.h"
#include "lock.h"

/* Enough -D calls to clear a chain of duplicates made by hand. */
#define MAX_DELETES 8

struct legacy {
	const char *tool, *save, *names;
	bool v6;
};

static const struct legacy families[] = {
	{ "iptables-legacy", "iptables-legacy-save", "/proc/net/ip_tables_names", false },
	{ "ip6tables-legacy", "ip6tables-legacy-save", "/proc/net/ip6_tables_names", true },
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

static int save(const struct legacy *l, char **ret)
{
	const char *argv[] = { l->save, "-t", "filter", NULL };
	_cleanup_(freep) char *err = NULL;
	int r = nd_exec(argv, ret, &err);

	return r == 0 ? 0 : r < 0 ? r : -EIO;
}

static bool has_chain(const char *dump, const char *chain)
{
	char want[96];
	size_t n = (size_t)snprintf(want, sizeof(want), "\n:%s ", chain);

	return strstr(dump, want) || !strncmp(dump, want + 1, n - 1);
}

/* Lines "-A <chain> ... --comment "netdock <bridge>" ..." in the dump. */
static size_t count_ours(const char *dump, const char *chain, const char *tag)
{
	char head[96], quoted[80];
	size_t n = 0;

	snprintf(head, sizeof(head), "-A %s ", chain);
	snprintf(quoted, sizeof(quoted), "--comment \"%s\"", tag);
	for (const char *line = dump; line && *line; line = strchr(line, '\n')) {
		const char *end;

		line += *line == '\n';
		end = strchrnul(line, '\n');
		if (!strncmp(line, head, strlen(head))) {
			const char *q = memmem(line, (size_t)(end - line), quoted, strlen(quoted));

			n += q != NULL;
		}
	}
	return n;
}

static int run(const struct legacy *l, const char *verb, const char *chain, const char *bridge,
	       const char *tag, bool into, char *err, size_t size)
{
	const char *out_rule[] = { l->tool, "-w", verb,	     chain, "-i",	bridge,	  "-m",
				   "comment", "--comment", tag, "-j",	"ACCEPT", NULL };
	const char *in_rule[] = { l->tool,   "-w", verb,     chain,	    "-o",
				  bridge,    "-m", "conntrack", "--ctstate", ND_HOSTFW_CTSTATE,
				  "-m",	     "comment", "--comment", tag,	    "-j",
				  "ACCEPT",  NULL };
	_cleanup_(freep) char *stderr_text = NULL;
	int r = nd_exec(into ? in_rule : out_rule, NULL, &stderr_text);

	if (r != 0 && err && stderr_text)
		snprintf(err, size, "%s %s %s: %s", l->tool, verb, chain,
			 r < 0 ? strerror(-r) : stderr_text);
	return r;
}

static int chain_sync(const struct legacy *l, const char *chain, const char *bridge,
		      bool remove, char *err, size_t size)
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

static int family_sync(const struct legacy *l, const char *bridge, int lock_dir, bool remove,
		       char *err, size_t size)
{
	const char *const *chains = nd_hostfw_user_chains(l->v6);
	_cleanup_(freep) char *dump = NULL;
	_cleanup_(closep) int lock = -1;
	char tag[64];
	int r;

	snprintf(tag, sizeof(tag), ND_HOSTFW_TAG_FMT, bridge);
	r = save(l, &dump);
	if (r < 0) {
		snprintf(err, size, "%s: %s", l->save, strerror(-r));
		return r;
	}
	for (size_t c = 0; r >= 0 && chains[c]; c++) {
		size_t n;

		if (!has_chain(dump, chains[c]))
			continue;
		n = count_ours(dump, chains[c], tag);
		if (remove ? n == 0 : n == ND_HOSTFW_RULES)
			continue;
		if (lock < 0 && lock_dir >= 0)
			lock = nd_lock_take(lock_dir, ".hostfw.lock");
		r = chain_sync(l, chains[c], bridge, remove, err, size);
	}
	return r;
}

int nd_hostfw_legacy_sync(const char *bridge, int lock_dir, bool remove, char *err, size_t size)
{
	int r = 0;

	for (size_t i = 0; r >= 0 && i < ND_ARRAY_SIZE(families); i++)
		if (in_use(&families[i]))
			r = family_sync(&families[i], bridge, lock_dir, remove, err, size);
	return r;
}

int nd_hostfw_legacy_unknown(char *what, size_t size)
{
	for (size_t i = 0; i < ND_ARRAY_SIZE(families); i++) {
		const struct legacy *l = &families[i];
		const char *const *chains = nd_hostfw_user_chains(l->v6);
		_cleanup_(freep) char *dump = NULL;
		bool known = false;

		if (!in_use(l) || save(l, &dump) < 0 || !strstr(dump, ":FORWARD DROP"))
			continue;
		for (size_t c = 0; chains[c]; c++)
			known = known || has_chain(dump, chains[c]);
		if (known)
			continue;
		snprintf(what, size, "%s: filter FORWARD policy DROP", l->tool);
		return 1;
	}
	return 0;
}
