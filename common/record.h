/* SPDX-License-Identifier: MIT */
/*
 * The run-dir contract (DESIGN.md, README "Run dir"): networks/<net>.json and
 * endpoints/<net>/<containerID>-<ifname>.json, written by interface plugins,
 * read by netdock-dnsd and tools.
 */
#ifndef ND_RECORD_H
#define ND_RECORD_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cni.h"
#include "ip.h"
#include "strv.h"

#define ND_RECORD_MAX_SUBNETS 8
#define ND_RECORD_MAX_IPS 16
#define ND_RECORD_MAX_SERVERS 8
#define ND_RECORD_FILE_MAX (1u << 20)
#define ND_DNS_DOMAIN_DEFAULT "dns.netdock"

struct nd_subnet_record {
	struct nd_prefix subnet;
	struct nd_addr gateway; /* family 0: none */
};

struct nd_dns_settings {
	bool enabled; /* a listener on the gateways; nameserver in results */
	bool names; /* container names and aliases resolve (false on the default bridge) */
	char domain[254];
	struct nd_addr servers[ND_RECORD_MAX_SERVERS]; /* upstreams; none: host resolv.conf */
	size_t n_servers;
};

struct nd_net_record {
	char name[CNI_MAX_NAME];
	char driver[16]; /* "bridge" or "overlay" */
	char bridge[IFNAMSIZ];
	struct nd_subnet_record subnets[ND_RECORD_MAX_SUBNETS];
	size_t n_subnets;
	bool internal;
	bool ipv6;
	unsigned mtu;
	struct nd_dns_settings dns;
	struct nd_strv option_keys; /* options map, as parallel lists */
	struct nd_strv option_values;
};

struct nd_port_record {
	struct nd_addr host_ip; /* family 0: every address */
	uint16_t host_port;
	uint16_t container_port;
	char protocol[8];
};

struct nd_endpoint_record {
	char container_id[CNI_MAX_NAME];
	char ifname[IFNAMSIZ];
	char netns[512]; /* a netns path; runtimes use /run/netns/<name> or /proc/<pid>/ns/net */
	char name[CNI_MAX_NAME]; /* "" when the runtime gave none */
	/*
	 * Kubernetes namespace of a pod (K8S_POD_NAMESPACE), "" otherwise. Pod
	 * names repeat across namespaces: name answers only queriers of the same
	 * namespace, and "<name>.<namespace>" (one of aliases) everyone.
	 */
	char namespace[64];
	struct nd_strv aliases;
	struct nd_strv links; /* "target:alias" */
	struct nd_prefix ips[ND_RECORD_MAX_IPS];
	size_t n_ips;
	char mac[18];
	char host_ifname[IFNAMSIZ];
	char host[256]; /* overlay: the VTEP address of the host; "" for local */
	struct nd_port_record *ports; /* published ports (portmap) */
	size_t n_ports;
	char ports_note[128]; /* why asked-for ports are not published ("" when they are) */
};

/* Filename "<containerID>-<ifname>.json" into buf (size >= 300). -EINVAL on unsafe names. */
int nd_endpoint_record_filename(const char *container_id, const char *ifname, char *buf,
				size_t size);

/* Serialise to a new JSON text (caller frees); NULL on ENOMEM. */
char *nd_net_record_format(const struct nd_net_record *n);
char *nd_endpoint_record_format(const struct nd_endpoint_record *e);

/*
 * Parse a record from untrusted text. Unknown keys are ignored; wrong types
 * and over-long values are -EINVAL. On error *ret holds nothing to free.
 */
int nd_net_record_parse(const char *text, size_t len, struct nd_net_record *ret);
int nd_endpoint_record_parse(const char *text, size_t len, struct nd_endpoint_record *ret);

void nd_net_record_clear(struct nd_net_record *n);
void nd_endpoint_record_clear(struct nd_endpoint_record *e);

/* Run-dir I/O. run_dirfd is the run dir; subdirectories are created as needed. */
int nd_net_record_write(int run_dirfd, const struct nd_net_record *n);
int nd_net_record_read(int run_dirfd, const char *net, struct nd_net_record *ret);
/* Removing a record removes the temporaries of its killed writers too. */
int nd_net_record_remove(int run_dirfd, const char *net);
int nd_endpoint_record_write(int run_dirfd, const char *net, const struct nd_endpoint_record *e);
int nd_endpoint_record_read(int run_dirfd, const char *net, const char *container_id,
			    const char *ifname, struct nd_endpoint_record *ret);
/* Reads one endpoint file by name from an endpoints/<net>/ directory fd. */
int nd_endpoint_record_read_file(int net_dirfd, const char *filename,
				 struct nd_endpoint_record *ret);
int nd_endpoint_record_remove(int run_dirfd, const char *net, const char *container_id,
			      const char *ifname);

#endif
