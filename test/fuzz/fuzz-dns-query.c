// SPDX-License-Identifier: MIT
/* libFuzzer target: every byte a container can send to netdock-dnsd's listener. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dnsd/dnsd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A view with one network and one endpoint, so queries reach the answer code. */
static struct dnsd *fixture(void)
{
	static const char net[] = "{\"name\":\"n\",\"subnets\":[{\"subnet\":\"10.0.0.0/24\","
				  "\"gateway\":\"10.0.0.1\"}]}";
	static const char ep[] =
		"{\"containerID\":\"c\",\"ifname\":\"eth0\",\"name\":\"web\","
		"\"aliases\":[\"app\"],\"links\":[\"web:w\"],\"ips\":[\"10.0.0.2/24\"]}";
	struct dnsd *d = calloc(1, sizeof(*d));
	struct nd_endpoint_record rec;
	struct dnsd_ep *e = NULL;

	d->view.nets = calloc(1, sizeof(*d->view.nets));
	nd_net_record_parse(net, strlen(net), &d->view.nets[0].rec);
	d->view.n_nets = 1;
	nd_endpoint_record_parse(ep, strlen(ep), &rec);
	dnsd_ep_new(&rec, "c-eth0.json", 0, &e);
	nd_endpoint_record_clear(&rec);
	d->view.eps = calloc(1, sizeof(*d->view.eps));
	d->view.eps[0] = e;
	d->view.n_eps = d->view.cap_eps = 1;
	dnsd_view_rebuild_index(d);
	return d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dnsd *d;
	struct nd_addr src;
	uint8_t out[4096];
	size_t n;

	if (!d)
		d = fixture();
	nd_addr_parse("10.0.0.2", &src);
	n = dnsd_answer(d, 0, &src, data, size, out, sizeof(out), size & 1);
	/* Whatever is answered must itself be a parseable DNS message header. */
	if (n != 0 && n != SIZE_MAX && (n < 12 || n > ((size & 1) ? sizeof(out) : DNSD_EDNS_SIZE)))
		abort();
	return 0;
}
