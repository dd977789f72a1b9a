// SPDX-License-Identifier: MIT
/*
 * Ownership ledger in <run>/portmap/, every change under portmap/lock:
 *   claims/<proto>-<port>/<address|any4|any6>  "cid ifname": who holds a host port
 *   owners/<cid>-<ifname>                      "@cid ifname" then one entry per line
 *   subnets/<address>-<length>/<cid>-<ifname>  who holds a hairpin subnet (subnets.c)
 * A DEL frees exactly what its owner file lists; the reference plugin gave up
 * its maps over exactly this question of ownership.
 */
#include "portmap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"
#include "lock.h"
#include "rundir.h"

struct portmap_ledger {
	int dir_fd, claims_fd, owners_fd, subnets_fd, lock_fd;
};

void portmap_ledger_close(struct portmap_ledger *l)
{
	if (!l)
		return;
	closep(&l->claims_fd);
	closep(&l->owners_fd);
	closep(&l->subnets_fd);
	closep(&l->dir_fd);
	closep(&l->lock_fd);
	free(l);
}

ND_CLEANUP(struct portmap_ledger *, portmap_ledger_close)

int portmap_ledger_open(struct cni_ctx *ctx, struct portmap_ledger **ret)
{
	_cleanup_(portmap_ledger_closep) struct portmap_ledger *l = calloc(1, sizeof(*l));
	_cleanup_(closep) int run_fd = nd_dir_open(nd_run_dir_path(ctx), true);

	if (!l)
		return -ENOMEM;
	l->dir_fd = l->claims_fd = l->owners_fd = l->subnets_fd = l->lock_fd = -1;
	if (run_fd < 0)
		return run_fd;
	l->dir_fd = nd_subdir_open(run_fd, "portmap", true);
	if (l->dir_fd < 0)
		return l->dir_fd;
	l->lock_fd = nd_lock_take(l->dir_fd, "lock");
	if (l->lock_fd < 0)
		return l->lock_fd;
	l->claims_fd = nd_subdir_open(l->dir_fd, "claims", true);
	l->owners_fd = nd_subdir_open(l->dir_fd, "owners", true);
	l->subnets_fd = nd_subdir_open(l->dir_fd, "subnets", true);
	if (l->claims_fd < 0 || l->owners_fd < 0 || l->subnets_fd < 0)
		return l->claims_fd < 0 ? l->claims_fd :
		       l->owners_fd < 0 ? l->owners_fd :
					  l->subnets_fd;
	*ret = steal_ptr(l);
	return 0;
}

static void port_dir_name(uint8_t proto, uint16_t port, char *buf, size_t size)
{
	snprintf(buf, size, "%s-%u", portmap_proto_name(proto), port);
}

static void claim_name(const struct portmap_entry *e, char *buf, size_t size)
{
	if (nd_addr_is_set(&e->host_ip))
		nd_addr_to_str(&e->host_ip, buf);
	else
		snprintf(buf, size, "any%d", e->family == AF_INET6 ? 6 : 4);
}

/* A claim's family from its name: "any6", or an IPv6 address (it holds a colon). */
static int claim_family(const char *name)
{
	return strchr(name, ':') || !strcmp(name, "any6") ? AF_INET6 : AF_INET;
}

/* Another owner's claim in the port's directory that overlaps e (the same address, or "any"). */
static int find_conflict(int port_fd, const struct portmap_entry *e, const char *me, char *holder,
			 size_t size)
{
	_cleanup_(closedirp) DIR *d = NULL;
	char mine[ND_ADDR_STRLEN];
	struct dirent *de;
	int r = nd_dir_stream(port_fd, ".", &d);

	if (r < 0)
		return r;
	claim_name(e, mine, sizeof(mine));
	while ((de = readdir(d))) {
		_cleanup_(freep) char *who = NULL;
		bool overlaps = !strcmp(de->d_name, mine) ||
				(claim_family(de->d_name) == e->family &&
				 (!nd_addr_is_set(&e->host_ip) || !strncmp(de->d_name, "any", 3)));

		if (de->d_name[0] == '.' || !overlaps ||
		    nd_file_read(port_fd, de->d_name, 1024, &who, NULL) < 0)
			continue;
		who[strcspn(who, "\n")] = '\0';
		if (strcmp(who, me)) {
			snprintf(holder, size, "%s (%s)", who, de->d_name);
			return -EADDRINUSE;
		}
	}
	return 0;
}

int portmap_ledger_claim(struct portmap_ledger *l, const struct cni_ctx *ctx,
			 const struct portmap_entry *e, char *holder, size_t size)
{
	_cleanup_(closep) int port_fd = -1;
	char dir[32], name[ND_ADDR_STRLEN], me[2 * CNI_MAX_NAME];
	int r;

	snprintf(me, sizeof(me), "%s %s", ctx->container_id, ctx->ifname);
	port_dir_name(e->proto, e->host_port, dir, sizeof(dir));
	port_fd = nd_subdir_open(l->claims_fd, dir, true);
	if (port_fd < 0)
		return port_fd;
	r = find_conflict(port_fd, e, me, holder, size);
	if (r < 0)
		return r;
	claim_name(e, name, sizeof(name));
	strcat(me, "\n");
	return nd_file_replace(port_fd, name, me, strlen(me));
}

bool portmap_ledger_port_taken(struct portmap_ledger *l, uint8_t proto, uint16_t port)
{
	char dir[32];
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;

	port_dir_name(proto, port, dir, sizeof(dir));
	if (nd_dir_stream(l->claims_fd, dir, &d) < 0)
		return false;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			return true;
	return false;
}

static int owner_name(const char *cid, const char *ifname, char *buf, size_t size)
{
	if (!nd_name_valid(cid) || !nd_name_valid(ifname))
		return -EINVAL;
	return (size_t)snprintf(buf, size, "%s-%s", cid, ifname) >= size ? -ENAMETOOLONG : 0;
}

static int parse_entry(char *line, struct portmap_entry *e)
{
	char host[ND_ADDR_STRLEN], target[ND_ADDR_STRLEN];
	unsigned fam, proto, hp, cp, mapping;

	if (sscanf(line, "%u %45s %u %u %45s %u %u", &fam, host, &proto, &hp, target, &cp,
		   &mapping) != 7 ||
	    hp > 65535 || cp > 65535 || proto > 255)
		return -EINVAL;
	memset(e, 0, sizeof(*e));
	e->family = fam == 6 ? AF_INET6 : AF_INET;
	if (strcmp(host, "-") && nd_addr_parse(host, &e->host_ip) < 0)
		return -EINVAL;
	if (nd_addr_parse(target, &e->target) < 0)
		return -EINVAL;
	e->proto = (uint8_t)proto;
	e->host_port = (uint16_t)hp;
	e->container_port = (uint16_t)cp;
	e->mapping = mapping;
	return 0;
}

int portmap_ledger_owned(struct portmap_ledger *l, const char *cid, const char *ifname,
			 struct portmap_entry **ret)
{
	_cleanup_(freep) char *text = NULL;
	_cleanup_(freep) struct portmap_entry *e = NULL;
	char name[2 * ND_NAME_MAX], *save = NULL;
	size_t n = 0, lines = 1;
	int r = owner_name(cid, ifname, name, sizeof(name));

	*ret = NULL;
	if (r < 0)
		return r;
	r = nd_file_read(l->owners_fd, name, 16u << 20, &text, NULL);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	e = calloc(lines, sizeof(*e));
	if (!e)
		return -ENOMEM;
	for (char *ln = strtok_r(text, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save))
		if (ln[0] != '@' && parse_entry(ln, &e[n]) == 0)
			n++;
	*ret = steal_ptr(e);
	return (int)n;
}

bool portmap_ledger_holds(struct portmap_ledger *l, const char *cid, const char *ifname,
			  const struct portmap_entry *e)
{
	_cleanup_(closep) int port_fd = -1;
	_cleanup_(freep) char *who = NULL;
	char dir[32], name[ND_ADDR_STRLEN], me[2 * CNI_MAX_NAME];

	snprintf(me, sizeof(me), "%s %s", cid, ifname);
	port_dir_name(e->proto, e->host_port, dir, sizeof(dir));
	port_fd = nd_subdir_open(l->claims_fd, dir, false);
	claim_name(e, name, sizeof(name));
	if (port_fd < 0 || nd_file_read(port_fd, name, 1024, &who, NULL) < 0)
		return false;
	who[strcspn(who, "\n")] = '\0';
	return !strcmp(who, me);
}

static void release_claims(struct portmap_ledger *l, const char *me, const struct portmap_entry *e,
			   size_t n)
{
	for (size_t i = 0; i < n; i++) {
		_cleanup_(closep) int port_fd = -1;
		_cleanup_(freep) char *who = NULL;
		char dir[32], name[ND_ADDR_STRLEN];

		port_dir_name(e[i].proto, e[i].host_port, dir, sizeof(dir));
		port_fd = nd_subdir_open(l->claims_fd, dir, false);
		claim_name(&e[i], name, sizeof(name));
		if (port_fd < 0 || nd_file_read(port_fd, name, 1024, &who, NULL) < 0)
			continue;
		who[strcspn(who, "\n")] = '\0';
		if (!strcmp(who, me))
			unlinkat(port_fd, name, 0);
		unlinkat(l->claims_fd, dir, AT_REMOVEDIR); /* only succeeds when empty */
	}
}

static int write_owned(struct portmap_ledger *l, const char *name, const char *me,
		       const struct portmap_entry *e, size_t n)
{
	size_t cap = (n + 1) * 160, len = 0;
	_cleanup_(freep) char *text = malloc(cap);

	if (!text)
		return -ENOMEM;
	len += (size_t)snprintf(text, cap, "@%s\n", me);
	for (size_t i = 0; i < n; i++) {
		char host[ND_ADDR_STRLEN] = "-", target[ND_ADDR_STRLEN];

		if (nd_addr_is_set(&e[i].host_ip))
			nd_addr_to_str(&e[i].host_ip, host);
		len += (size_t)snprintf(text + len, cap - len, "%d %s %u %u %s %u %u\n",
					e[i].family == AF_INET6 ? 6 : 4, host, e[i].proto,
					e[i].host_port, nd_addr_to_str(&e[i].target, target),
					e[i].container_port, e[i].mapping);
	}
	return nd_file_replace(l->owners_fd, name, text, len);
}

int portmap_ledger_set_owned(struct portmap_ledger *l, const char *cid, const char *ifname,
			     const struct portmap_entry *e, size_t n)
{
	_cleanup_(freep) struct portmap_entry *old = NULL;
	char name[2 * ND_NAME_MAX], me[2 * CNI_MAX_NAME];
	int r = owner_name(cid, ifname, name, sizeof(name)), n_old;

	if (r < 0)
		return r;
	snprintf(me, sizeof(me), "%s %s", cid, ifname);
	if (n)
		return write_owned(l, name, me, e, n);
	n_old = portmap_ledger_owned(l, cid, ifname, &old);
	if (n_old > 0)
		release_claims(l, me, old, (size_t)n_old);
	return nd_file_remove(l->owners_fd, name);
}

int portmap_ledger_owners(struct portmap_ledger *l, struct nd_strv *ret)
{
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;
	int r = nd_dir_stream(l->owners_fd, ".", &d);

	if (r < 0)
		return r;
	while (r >= 0 && (de = readdir(d))) {
		_cleanup_(freep) char *text = NULL;

		if (de->d_name[0] == '.' ||
		    nd_file_read(l->owners_fd, de->d_name, 16u << 20, &text, NULL) < 0 ||
		    text[0] != '@')
			continue;
		text[strcspn(text, "\n")] = '\0';
		r = nd_strv_push(ret, text + 1);
	}
	return r;
}

int portmap_ledger_subnets_fd(const struct portmap_ledger *l)
{
	return l->subnets_fd;
}

int portmap_ledger_sweep(struct portmap_ledger *l, const char *cid, const char *ifname)
{
	char name[2 * ND_NAME_MAX];
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;
	int r;

	/* DEL: the owner file's temporaries, whoever wrote them. */
	if (cid) {
		r = owner_name(cid, ifname, name, sizeof(name));
		return r < 0 ? r : nd_tmp_sweep(l->owners_fd, name);
	}
	/* GC: every temporary whose writer is dead, owners and claims alike. */
	r = nd_tmp_sweep(l->owners_fd, NULL);
	if (r >= 0)
		r = nd_dir_stream(l->claims_fd, ".", &d);
	while (r >= 0 && (de = readdir(d))) {
		_cleanup_(closep) int fd = -1;

		if (de->d_name[0] == '.')
			continue;
		fd = nd_subdir_open(l->claims_fd, de->d_name, false);
		if (fd >= 0)
			nd_tmp_sweep(fd, NULL);
		unlinkat(l->claims_fd, de->d_name, AT_REMOVEDIR); /* an empty port directory */
	}
	return r < 0 ? r : 0;
}
