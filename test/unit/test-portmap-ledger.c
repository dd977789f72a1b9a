// SPDX-License-Identifier: MIT
/* portmap's ownership ledger, -P port choice and mapping resolution, against a private run dir. */
#include "plugins/portmap/portmap.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"
#include "tap.h"

/* A context as the plugin gets it: container c, eth0, chained after an IPv4 result. */
static struct cni_ctx *ctx_for(const char *cid, const char *ports)
{
	struct cni_ctx *ctx = calloc(1, sizeof(*ctx));
	char conf[1024];

	if (!ctx)
		abort();
	snprintf(
		conf, sizeof(conf),
		"{\"cniVersion\":\"1.0.0\",\"name\":\"pm\",\"type\":\"portmap\","
		"\"runtimeConfig\":{\"portMappings\":%s},"
		"\"prevResult\":{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.9.0.2/24\"}]}}",
		ports);
	setenv("CNI_CONTAINERID", cid, 1);
	ctx->verb = CNI_ADD;
	if (cni_ctx_load(ctx, conf, strlen(conf)) < 0)
		abort();
	return ctx;
}

static void ctx_free(struct cni_ctx *ctx)
{
	cni_ctx_done(ctx);
	free(ctx);
}

static struct portmap_entry entry(const char *host, uint16_t port)
{
	struct portmap_entry e = { .family = AF_INET, .proto = IPPROTO_TCP, .host_port = port };

	if (host)
		nd_addr_parse(host, &e.host_ip);
	nd_addr_parse("10.9.0.2", &e.target);
	e.container_port = 80;
	return e;
}

static void claims(struct tap *t, struct portmap_ledger *l)
{
	struct cni_ctx *a = ctx_for("aaa", "[]"), *b = ctx_for("bbb", "[]");
	struct portmap_entry any = entry(NULL, 8080), one = entry("127.0.0.1", 8081);
	struct portmap_entry two = entry("127.0.0.2", 8081);
	char holder[256] = "";

	TAP_OK(t, portmap_ledger_claim(l, a, &any, holder, sizeof(holder)) == 0, "a claims *:8080");
	TAP_OK(t, portmap_ledger_claim(l, a, &any, holder, sizeof(holder)) == 0,
	       "claiming again is idempotent for the holder");
	TAP_OK(t, portmap_ledger_claim(l, b, &any, holder, sizeof(holder)) == -EADDRINUSE,
	       "b cannot claim *:8080");
	TAP_STR_EQ(t, holder, "aaa eth0 (any4)", "the holder is named");
	TAP_OK(t, portmap_ledger_claim(l, b, &one, holder, sizeof(holder)) == 0,
	       "b claims 127.0.0.1:8081");
	TAP_OK(t, portmap_ledger_claim(l, a, &two, holder, sizeof(holder)) == 0,
	       "a claims 127.0.0.2:8081: another address, no conflict");
	any.host_port = 8081;
	TAP_OK(t, portmap_ledger_claim(l, a, &any, holder, sizeof(holder)) == -EADDRINUSE,
	       "*:8081 overlaps b's 127.0.0.1:8081");
	one.host_port = 8082;
	one.family = AF_INET6;
	nd_addr_parse("::1", &one.host_ip);
	TAP_OK(t, portmap_ledger_claim(l, b, &one, holder, sizeof(holder)) == 0,
	       "b claims [::1]:8082");
	any.host_port = 8082;
	TAP_OK(t, portmap_ledger_claim(l, a, &any, holder, sizeof(holder)) == 0,
	       "a claims *:8082 on IPv4: the families do not overlap");
	one.family = AF_INET;
	nd_addr_parse("127.0.0.1", &one.host_ip);
	one.host_port = 8081;
	TAP_OK(t, portmap_ledger_holds(l, "bbb", "eth0", &one), "b holds its claim");
	TAP_OK(t, !portmap_ledger_holds(l, "aaa", "eth0", &one), "a does not hold b's claim");
	TAP_OK(t, portmap_ledger_port_taken(l, IPPROTO_TCP, 8080), "tcp 8080 taken");
	TAP_OK(t, !portmap_ledger_port_taken(l, IPPROTO_UDP, 8080), "udp 8080 free");
	ctx_free(a);
	ctx_free(b);
}

static void ownership(struct tap *t, struct portmap_ledger *l)
{
	struct portmap_entry mine[2] = { entry(NULL, 8080), entry("127.0.0.2", 8081) };
	struct portmap_entry b_one = entry("127.0.0.1", 8081);
	_cleanup_(freep) struct portmap_entry *got = NULL;
	struct nd_strv owners = { 0 };

	TAP_OK(t, portmap_ledger_set_owned(l, "aaa", "eth0", mine, 2) == 0, "a's entries recorded");
	TAP_OK(t, portmap_ledger_set_owned(l, "bbb", "eth0", &b_one, 1) == 0, "b's recorded");
	TAP_OK(t, portmap_ledger_owned(l, "aaa", "eth0", &got) == 2, "a owns two entries");
	TAP_OK(t,
	       got && got[1].host_port == 8081 && nd_addr_equal(&got[1].host_ip, &mine[1].host_ip),
	       "entries round-trip through the owner file");
	TAP_OK(t, portmap_ledger_owners(l, &owners) == 0 && owners.n == 2, "two owners listed");
	TAP_OK(t, portmap_ledger_set_owned(l, "aaa", "eth0", NULL, 0) == 0, "a forgotten");
	TAP_OK(t, !portmap_ledger_port_taken(l, IPPROTO_TCP, 8080), "a's claim on 8080 released");
	TAP_OK(t, portmap_ledger_holds(l, "bbb", "eth0", &b_one), "b's claim left alone");
	TAP_OK(t, portmap_ledger_set_owned(l, "aaa", "eth0", NULL, 0) == 0,
	       "forgetting twice is fine (DEL is idempotent)");
	TAP_OK(t, portmap_ledger_set_owned(l, "../x", "eth0", NULL, 0) == -EINVAL,
	       "a hostile container id is refused");
	nd_strv_clear(&owners);
}

static void pick(struct tap *t, struct portmap_ledger *l)
{
	struct cni_ctx *a = ctx_for("ccc", "[]");
	uint16_t p1 = 0, p2 = 0;
	struct portmap_entry e;
	char holder[256];

	TAP_OK(t, portmap_pick_port(l, IPPROTO_TCP, &p1) == 0 && p1 >= 1024, "-P picks a port");
	e = entry(NULL, p1);
	portmap_ledger_claim(l, a, &e, holder, sizeof(holder));
	TAP_OK(t, portmap_pick_port(l, IPPROTO_TCP, &p2) == 0 && p2 != p1,
	       "the next -P port differs from a claimed one");
	ctx_free(a);
}

static void resolve(struct tap *t)
{
	struct cni_ctx *ctx = ctx_for("ddd", "[{\"hostPort\":80,\"containerPort\":8080,"
					     "\"protocol\":\"udp\"},{\"hostPort\":81,"
					     "\"containerPort\":81,\"hostIP\":\"192.0.2.77\"}]");
	struct portmap_conf c;
	_cleanup_(freep) struct portmap_entry *e = NULL;

	TAP_OK(t, portmap_conf_parse(ctx, &c) == 0 && c.n_subnets == 1, "conf parses");
	ctx->rt.n_ports = 1;
	TAP_OK(t, portmap_entries(ctx, &c, &e) == 1, "one IPv4 entry (the container has no v6)");
	TAP_OK(t,
	       e && e[0].proto == IPPROTO_UDP && e[0].container_port == 8080 &&
		       !nd_addr_is_set(&e[0].host_ip),
	       "udp, every host address");
	free(steal_ptr(e));
	ctx->rt.n_ports = 2;
	TAP_OK(t, portmap_entries(ctx, &c, &e) < 0 && ctx->err_code == ND_ERR_ADDR_NOT_LOCAL,
	       "a hostIP not on this host: code %d", ND_ERR_ADDR_NOT_LOCAL);
	ctx_free(ctx);
}

int main(void)
{
	struct tap t = { 0 };
	char dir[] = "/tmp/nd-test-portmap-XXXXXX", cmd[64];
	struct cni_ctx *ctx;
	struct portmap_ledger *l = NULL;

	if (!mkdtemp(dir))
		return 2;
	setenv("NETDOCK_RUN_DIR", dir, 1);
	setenv("CNI_IFNAME", "eth0", 1);
	setenv("CNI_NETNS", "/proc/self/ns/net", 1);
	setenv("CNI_PATH", "/nonexistent", 1);
	ctx = ctx_for("aaa", "[]");
	TAP_OK(&t, portmap_ledger_open(ctx, &l) == 0, "ledger opens in a fresh run dir");
	if (l) {
		claims(&t, l);
		ownership(&t, l);
		pick(&t, l);
		portmap_ledger_close(l);
	}
	resolve(&t);
	ctx_free(ctx);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		t.failed++;
	return tap_done(&t);
}
