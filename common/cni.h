/* SPDX-License-Identifier: MIT */
/* CNI skeleton: environment, bounded stdin, verb dispatch, the one error path. */
#ifndef ND_CNI_H
#define ND_CNI_H

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "cleanup.h"
#include "ip.h"
#include "strv.h"

/* Spec error codes (SPEC.md "Error") and netdock's own, all listed in README.md. */
enum cni_err {
	CNI_ERR_INCOMPATIBLE_VERSION = 1,
	CNI_ERR_UNSUPPORTED_FIELD = 2,
	CNI_ERR_UNKNOWN_CONTAINER = 3,
	CNI_ERR_INVALID_ENV = 4,
	CNI_ERR_IO = 5,
	CNI_ERR_DECODE = 6,
	CNI_ERR_INVALID_CONFIG = 7,
	CNI_ERR_TRY_AGAIN = 11,
	CNI_ERR_PLUGIN_NOT_AVAILABLE = 50,
	CNI_ERR_LIMITED_CONNECTIVITY = 51,
	ND_ERR_INTERNAL = 100, /* an unexpected failure; msg has the errno text */
	ND_ERR_KERNEL = 101, /* netlink refused a request; details has the kernel's words */
	ND_ERR_NFT = 102, /* nftables transaction refused */
	ND_ERR_ADDR_IN_USE = 103, /* a requested address is held by another attachment */
	ND_ERR_POOL_EXHAUSTED = 104, /* no free address in any subnet */
	ND_ERR_DELEGATE = 105, /* the IPAM plugin failed or could not be run */
	ND_ERR_PORT_IN_USE = 106, /* a host port is held by another attachment */
	ND_ERR_NETNS = 107, /* the container's netns cannot be entered */
	ND_ERR_CHECK = 108, /* CHECK found state that differs from the config */
	ND_ERR_SUBNET_OVERLAP = 109, /* subnet overlaps another network or a host route */
	ND_ERR_ADDR_NOT_LOCAL = 110, /* a host binding address is not on this host */
};

enum cni_verb { CNI_ADD, CNI_DEL, CNI_CHECK, CNI_VERSION, CNI_STATUS, CNI_GC };

#define CNI_MAX_IFACES 8
#define CNI_MAX_IPS 16
#define CNI_MAX_ROUTES 32
#define CNI_MAX_DNS 8
#define CNI_MAX_NAME 256

struct cni_iface {
	char name[IFNAMSIZ];
	char mac[18];
	char sandbox[PATH_MAX];
	unsigned mtu; /* 0: not reported */
};

struct cni_ip {
	struct nd_prefix address;
	struct nd_addr gateway; /* family 0 when absent */
	int interface; /* index into interfaces, -1 when absent */
};

struct cni_route {
	struct nd_prefix dst;
	struct nd_addr gw; /* family 0 when absent */
	int priority; /* 0: not set */
};

struct cni_dns {
	char nameservers[CNI_MAX_DNS][ND_ADDR_STRLEN];
	size_t n_nameservers;
	char domain[CNI_MAX_NAME];
	char search[CNI_MAX_DNS][CNI_MAX_NAME];
	size_t n_search;
	char options[CNI_MAX_DNS][CNI_MAX_NAME];
	size_t n_options;
};

struct cni_result {
	struct cni_iface interfaces[CNI_MAX_IFACES];
	size_t n_interfaces;
	struct cni_ip ips[CNI_MAX_IPS];
	size_t n_ips;
	struct cni_route routes[CNI_MAX_ROUTES];
	size_t n_routes;
	struct cni_dns dns;
};

struct cni_port_mapping {
	uint16_t host_port; /* 0: pick a free one (docker run -P) */
	uint16_t container_port;
	char protocol[8]; /* "tcp", "udp" or "sctp" */
	struct nd_addr host_ip; /* family 0: every local address */
};

struct cni_attachment {
	char container_id[CNI_MAX_NAME];
	char ifname[IFNAMSIZ];
};

/* What the runtime said about the container, merged from capabilities, args.cni and CNI_ARGS. */
struct cni_runtime {
	char name[CNI_MAX_NAME]; /* container name, "" when not given */
	char k8s_namespace[64]; /* CNI_ARGS K8S_POD_NAMESPACE, "" when not given */
	struct nd_strv ips; /* as given: bare addresses or CIDRs */
	char mac[18];
	struct nd_strv aliases; /* for this network only */
	struct nd_strv links; /* "target:alias" or "target" */
	struct cni_port_mapping *ports;
	size_t n_ports;
	struct cni_attachment *valid_attachments; /* GC only */
	size_t n_valid_attachments;
	bool has_valid_attachments;
};

struct cni_ctx {
	const struct cni_plugin *plugin; /* the plugin this invocation runs */
	enum cni_verb verb;
	const char *container_id; /* borrowed from environ; NULL for STATUS/GC */
	const char *netns;
	const char *ifname;
	const char *cni_path;
	const char *cni_args;

	char *stdin_buf; /* the whole config as received, for delegation */
	size_t stdin_len;
	cJSON *conf; /* parsed stdin; plugins read their keys from here */
	char cni_version[16];
	char net_name[CNI_MAX_NAME];
	char type[CNI_MAX_NAME];

	struct cni_runtime rt;
	struct cni_result *prev_result; /* NULL when the config has none */

	struct cni_result result; /* what ADD prints */
	bool has_result;

	int err_code; /* first recorded failure, 0 when none */
	char err_msg[512];
	char err_details[1024];
};

struct cni_plugin {
	const char *name;
	int (*add)(struct cni_ctx *ctx);
	int (*del)(struct cni_ctx *ctx);
	int (*check)(struct cni_ctx *ctx);
	int (*status)(struct cni_ctx *ctx); /* NULL: always available */
	int (*gc)(struct cni_ctx *ctx); /* NULL: nothing to collect */
	/*
	 * NULL-terminated: plugins linked into this binary, which a delegation
	 * to their name runs in-process instead of exec'ing (delegate.h).
	 */
	const struct cni_plugin *const *carried;
};

/*
 * Runs one CNI invocation and returns the process exit code: prints the result
 * or the error object on stdout. The only caller is main().
 */
int cni_main(const struct cni_plugin *plugin);

/*
 * Records a failure (the first one wins) and returns err, which must be a
 * negative errno (a non-negative err becomes -EINVAL). msg names the field
 * and value at fault: "ipam.subnets[0].gateway 10.1.0.1 is outside 10.2.0.0/16".
 */
int cni_fail(struct cni_ctx *ctx, int code, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/*
 * DEL must never strand an attachment: a configuration, runtime argument or
 * prevResult that ADD would refuse (codes 1, 2, 6, 7, and 4 for anything but
 * the container's identity), or an IPAM plugin missing from CNI_PATH (105
 * with -ENOENT), is logged as a warning and forgotten, so DEL goes
 * on with what it can find by container ID and ifname. Returns 0 then;
 * otherwise (another verb, another code) returns r with the failure kept.
 */
int cni_forgive(struct cni_ctx *ctx, int r);

/* Sets the details string of the recorded failure (the kernel's ext-ack text). */
void cni_fail_details(struct cni_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* True when the config's cniVersion is at least major.minor.patch. */
bool cni_version_at_least(const struct cni_ctx *ctx, int major, int minor, int patch);

/* Result (de)serialisation, cni-result.c. Parse errors are recorded with path. */
int cni_result_parse(struct cni_ctx *ctx, const cJSON *json, const char *path,
		     struct cni_result *ret);
/* Returns a new JSON text of r in the config's version; caller frees. NULL on ENOMEM. */
char *cni_result_format(const struct cni_ctx *ctx, const struct cni_result *r);
/* Parses the stdout of another plugin (a delegate) into ret. */
int cni_result_parse_text(struct cni_ctx *ctx, const char *text, const char *who,
			  struct cni_result *ret);

/* Parses stdin and env into ctx without dispatching (also used by the fuzzer). */
int cni_ctx_load(struct cni_ctx *ctx, const char *buf, size_t len);
void cni_ctx_done(struct cni_ctx *ctx);
/* cni_ctx_done, then frees ctx itself. */
void cni_ctx_free(struct cni_ctx *ctx);
ND_CLEANUP(struct cni_ctx *, cni_ctx_free)
/* Runs ctx->verb of plugin on a loaded ctx (no printing). */
int cni_dispatch(const struct cni_plugin *plugin, struct cni_ctx *ctx);

/* The kernel's rule for an interface name (dev_valid_name): 1..15 bytes, no '/', ':', space. */
bool cni_ifname_valid(const char *name);

/*
 * Refuses a CNI_NETNS that cannot be opened (107) or is not a network
 * namespace (4), naming it; for plugins that enter it, before they make anything.
 */
int cni_netns_check(struct cni_ctx *ctx);
/*
 * Switches the calling thread into CNI_NETNS (failures recorded as for
 * cni_netns_check, or 107 when it cannot be entered); *ret_orig is for
 * nd_netns_leave().
 */
int cni_netns_enter(struct cni_ctx *ctx, int *ret_orig);

/* True when (container_id, ifname) is listed in cni.dev/valid-attachments. */
bool cni_attachment_valid(const struct cni_ctx *ctx, const char *container_id, const char *ifname);

#endif
