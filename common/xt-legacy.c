// SPDX-License-Identifier: MIT
/*
 * Reads the legacy (x_tables) filter table straight from the kernel, as
 * iptables-legacy-save does (IPT_SO_GET_INFO, then IPT_SO_GET_ENTRIES), and
 * walks the blob just far enough for hostfw: the FORWARD policy, which user
 * chains exist, and how many rules in them carry a given comment. One
 * getsockopt pair instead of an exec of iptables-legacy-save (8 ms here).
 */
#include "xt-legacy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_comment.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>

#include "cleanup.h"

/* The two families' entries differ only in the address header before these fields. */
struct entry_view {
	size_t header; /* sizeof(struct ipt_entry) or sizeof(struct ip6t_entry) */
	uint16_t target_offset, next_offset;
};

static bool entry_at(const uint8_t *blob, size_t size, size_t off, bool v6, struct entry_view *ret)
{
	if (v6) {
		const struct ip6t_entry *e = (const void *)(blob + off);

		if (off + sizeof(*e) > size)
			return false;
		*ret = (struct entry_view){ sizeof(*e), e->target_offset, e->next_offset };
	} else {
		const struct ipt_entry *e = (const void *)(blob + off);

		if (off + sizeof(*e) > size)
			return false;
		*ret = (struct entry_view){ sizeof(*e), e->target_offset, e->next_offset };
	}
	return ret->next_offset >= ret->header && ret->target_offset >= ret->header &&
	       ret->target_offset + sizeof(struct xt_entry_target) <= ret->next_offset &&
	       off + ret->next_offset <= size;
}

/* The rule's comment match text (NUL-terminated copy in buf), or NULL. */
static const char *comment_of(const uint8_t *e, const struct entry_view *v,
			      char buf[XT_MAX_COMMENT_LEN])
{
	for (size_t m = v->header; m + sizeof(struct xt_entry_match) <= v->target_offset;) {
		const struct xt_entry_match *match = (const void *)(e + m);
		const struct xt_comment_info *c = (const void *)match->data;

		if (match->u.match_size < sizeof(*match) ||
		    m + match->u.match_size > v->target_offset)
			return NULL;
		if (!strcmp(match->u.user.name, "comment") &&
		    match->u.match_size >= sizeof(*match) + sizeof(*c)) {
			snprintf(buf, XT_MAX_COMMENT_LEN, "%.*s", (int)sizeof(c->comment),
				 (const char *)c->comment);
			return buf;
		}
		m += match->u.match_size;
	}
	return NULL;
}

struct wanted {
	const char *const *chains;
	const char *tag, *prefix;
};

static void note_rule(const uint8_t *e, const struct entry_view *v, size_t chain,
		      const struct wanted *w, struct nd_xt_legacy_view *ret)
{
	char buf[XT_MAX_COMMENT_LEN];
	const char *c = comment_of(e, v, buf);

	if (!c)
		return;
	if (!strcmp(c, w->tag)) {
		ret->ours[chain]++;
	} else if (w->prefix && !strncmp(c, w->prefix, strlen(w->prefix)) &&
		   ret->n_others < ND_XT_MAX_OTHERS) {
		ret->others[ret->n_others].chain = chain;
		snprintf(ret->others[ret->n_others++].comment, sizeof(ret->others[0].comment),
			 "%.63s", c);
	}
}

static int chain_index(const char *name, const char *const *chains)
{
	for (int i = 0; chains[i] && i < ND_XT_MAX_CHAINS; i++)
		if (!strncmp(name, chains[i], XT_EXTENSION_MAXNAMELEN))
			return i;
	return -1;
}

static void walk(const uint8_t *blob, size_t size, const struct ipt_getinfo *info, bool v6,
		 const struct wanted *w, struct nd_xt_legacy_view *ret)
{
	struct entry_view v;
	int cur = -1;

	for (size_t off = 0; entry_at(blob, size, off, v6, &v); off += v.next_offset) {
		const uint8_t *e = blob + off;
		const struct xt_entry_target *t = (const void *)(e + v.target_offset);

		for (int h = 0; h < NF_INET_NUMHOOKS; h++)
			if ((info->valid_hooks & (1u << h)) && info->hook_entry[h] == off)
				cur = -1; /* a built-in chain starts here */
		if (!strcmp(t->u.user.name, XT_ERROR_TARGET)) {
			/* A user chain's head: its name is the error target's data. */
			cur = chain_index((const char *)t->data, w->chains);
			if (cur >= 0)
				ret->has_chain[cur] = true;
			continue;
		}
		if (off == info->underflow[NF_INET_FORWARD] && !t->u.user.name[0])
			ret->forward_drop = ((const struct xt_standard_target *)t)->verdict ==
					    -NF_DROP - 1;
		if (cur >= 0)
			note_rule(e, &v, (size_t)cur, w, ret);
	}
}

int nd_xt_legacy_read(bool v6, const char *const *chains, const char *tag, const char *prefix,
		      struct nd_xt_legacy_view *ret)
{
	const struct wanted w = { .chains = chains, .tag = tag, .prefix = prefix };
	_cleanup_(closep) int fd =
		socket(v6 ? AF_INET6 : AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	int level = v6 ? IPPROTO_IPV6 : IPPROTO_IP;
	struct ipt_getinfo info = { .name = "filter" };
	_cleanup_(freep) struct ipt_get_entries *entries = NULL;
	socklen_t len = sizeof(info);

	if (fd < 0)
		return -errno;
	/* IP6T_SO_GET_* equal IPT_SO_GET_*, and the info and entries headers are the same. */
	if (getsockopt(fd, level, IPT_SO_GET_INFO, &info, &len) < 0)
		return -errno;
	entries = calloc(1, sizeof(*entries) + info.size);
	if (!entries)
		return -ENOMEM;
	memcpy(entries->name, "filter", sizeof("filter"));
	entries->size = info.size;
	len = (socklen_t)(sizeof(*entries) + info.size);
	if (getsockopt(fd, level, IPT_SO_GET_ENTRIES, entries, &len) < 0)
		return -errno;
	memset(ret, 0, sizeof(*ret));
	walk((const uint8_t *)entries->entrytable, info.size, &info, v6, &w, ret);
	return 0;
}
