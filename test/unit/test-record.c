// SPDX-License-Identifier: MIT
/* Run-dir records: format then parse gives back what went in; hostile input is refused. */
#include "record.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"
#include "conf.h"
#include "rundir.h"
#include "tap.h"

static void net_round_trip(struct tap *t)
{
	struct nd_net_record in = { .name = "isolated_nw", .driver = "bridge", .bridge = "br-iso" };
	struct nd_net_record out = { 0 };
	char *text;
	char buf[ND_PREFIX_STRLEN];

	nd_prefix_parse("172.25.0.0/16", &in.subnets[0].subnet);
	nd_addr_parse("172.25.0.1", &in.subnets[0].gateway);
	nd_prefix_parse("fd00:25::/64", &in.subnets[1].subnet);
	in.n_subnets = 2;
	in.internal = true;
	in.mtu = 9001;
	in.dns.enabled = true;
	in.dns.names = false;
	strcpy(in.dns.domain, "dns.netdock");
	nd_addr_parse("192.0.2.53", &in.dns.servers[0]);
	in.dns.n_servers = 1;
	nd_strv_push(&in.option_keys, "com.docker.network.bridge.enable_icc");
	nd_strv_push(&in.option_values, "false");

	text = nd_net_record_format(&in);
	TAP_OK(t, text && nd_net_record_parse(text, strlen(text), &out) == 0,
	       "network record parses");
	TAP_STR_EQ(t, out.name, "isolated_nw", "name");
	TAP_OK(t, out.n_subnets == 2, "two subnets");
	TAP_STR_EQ(t, nd_prefix_to_str(&out.subnets[1].subnet, buf), "fd00:25::/64", "v6 subnet");
	TAP_OK(t, !nd_addr_is_set(&out.subnets[1].gateway), "absent gateway stays absent");
	TAP_OK(t, out.internal && out.mtu == 9001 && !out.dns.names, "flags");
	TAP_STR_EQ(t, nd_addr_to_str(&out.dns.servers[0], buf), "192.0.2.53", "dns server");
	TAP_OK(t, out.option_keys.n == 1 && !strcmp(out.option_values.v[0], "false"), "options");
	free(text);
	nd_net_record_clear(&in);
	nd_net_record_clear(&out);
}

static void endpoint_round_trip(struct tap *t)
{
	struct nd_endpoint_record in = { .container_id = "c0ffee",
					 .ifname = "eth1",
					 .name = "container2",
					 .mac = "02:42:ac:19:00:02" };
	struct nd_endpoint_record out = { 0 };
	struct nd_port_record port = { .host_port = 32770,
				       .container_port = 6379,
				       .protocol = "tcp" };
	char *text;

	nd_strv_push(&in.aliases, "app");
	nd_strv_push(&in.links, "container5:c5");
	nd_prefix_parse("172.25.0.2/16", &in.ips[0]);
	in.n_ips = 1;
	in.ports = &port;
	in.n_ports = 1;
	text = nd_endpoint_record_format(&in);
	TAP_OK(t, text && nd_endpoint_record_parse(text, strlen(text), &out) == 0,
	       "endpoint record parses");
	TAP_STR_EQ(t, out.links.n ? out.links.v[0] : NULL, "container5:c5", "link kept");
	TAP_OK(t, out.n_ips == 1 && out.ips[0].len == 16, "address with its prefix length");
	TAP_OK(t, out.n_ports == 1 && out.ports[0].host_port == 32770, "published port");
	free(text);
	nd_strv_clear(&in.aliases);
	nd_strv_clear(&in.links);
	nd_endpoint_record_clear(&out);
}

static void hostile(struct tap *t)
{
	static const char *const bad[] = {
		"",
		"[]",
		"{\"name\":\"../etc\"}",
		"{\"name\":\"n\",\"subnets\":{}}",
		"{\"name\":\"n\",\"subnets\":[{\"subnet\":\"10.0.0.0/99\"}]}",
		"{\"name\":\"n\",\"mtu\":-1}",
		"{\"name\":\"n\",\"dns\":{\"servers\":[1]}}",
	};
	struct nd_net_record n;

	for (size_t i = 0; i < ND_ARRAY_SIZE(bad); i++)
		TAP_OK(t, nd_net_record_parse(bad[i], strlen(bad[i]), &n) == -EINVAL,
		       "network record refused: %s", bad[i]);
}

static void names(struct tap *t)
{
	char buf[300];

	TAP_OK(t, nd_name_valid("my-network") && nd_name_valid("isolated_nw"), "docker names ok");
	TAP_OK(t,
	       !nd_name_valid("..") && !nd_name_valid("a/b") && !nd_name_valid(".hidden") &&
		       !nd_name_valid("") && !nd_name_valid("-x"),
	       "path-escaping names refused");
	TAP_OK(t,
	       nd_endpoint_record_filename("abc", "eth0", buf, sizeof(buf)) == 0 &&
		       !strcmp(buf, "abc-eth0.json"),
	       "endpoint filename");
	TAP_OK(t, nd_endpoint_record_filename("../x", "eth0", buf, sizeof(buf)) == -EINVAL,
	       "endpoint filename refuses traversal");
	TAP_OK(t, nd_edit_distance("subnte", "subnet", 2) == 2, "typo distance");
	TAP_OK(t, nd_edit_distance("gateway", "routes", 2) == 3, "distance is capped at limit+1");
}

static void files(struct tap *t)
{
	char dir[] = "/tmp/nd-unit-XXXXXX";
	struct nd_endpoint_record e = { .container_id = "abc", .ifname = "eth0" }, back = { 0 };
	int fd;

	if (!mkdtemp(dir))
		return;
	fd = nd_dir_open(dir, false);
	TAP_OK(t, nd_endpoint_record_write(fd, "net1", &e) == 0, "endpoint written");
	TAP_OK(t, nd_endpoint_record_read(fd, "net1", "abc", "eth0", &back) == 0,
	       "endpoint read back");
	TAP_OK(t,
	       nd_endpoint_record_remove(fd, "net1", "abc", "eth0") == 0 &&
		       nd_endpoint_record_remove(fd, "net1", "abc", "eth0") == 0,
	       "remove is idempotent");
	TAP_OK(t, nd_endpoint_record_read(fd, "net1", "abc", "eth0", &back) == -ENOENT,
	       "gone after remove");
	nd_endpoint_record_clear(&back);
	close(fd);
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	TAP_OK(t, system(cmd) == 0, "cleanup");
}

int main(void)
{
	struct tap t = { 0 };

	net_round_trip(&t);
	endpoint_round_trip(&t);
	hostile(&t);
	names(&t);
	files(&t);
	return tap_done(&t);
}
