// SPDX-License-Identifier: MIT
/* dlopen of libcurl and the few entries the etcd client calls. */
#include "curl-dl.h"

#include <dlfcn.h>
#include <errno.h>
#include <string.h>

#include "log.h"

#define RESOLVE(c, field, sym)                                \
	do {                                                  \
		*(void **)&(c)->field = dlsym((c)->dl, #sym); \
		if (!(c)->field)                              \
			missing = #sym;                       \
	} while (0)

int nd_curl_load(struct nd_curl *ret)
{
	struct nd_curl c = { .dl = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL) };
	const char *missing = NULL;

	if (!c.dl) {
		nd_err("etcd client: cannot load libcurl.so.4 (package libcurl4): %s", dlerror());
		return -ENOENT;
	}
	RESOLVE(&c, easy_init, curl_easy_init);
	RESOLVE(&c, easy_setopt, curl_easy_setopt);
	RESOLVE(&c, easy_perform, curl_easy_perform);
	RESOLVE(&c, easy_getinfo, curl_easy_getinfo);
	RESOLVE(&c, easy_cleanup, curl_easy_cleanup);
	RESOLVE(&c, easy_strerror, curl_easy_strerror);
	RESOLVE(&c, slist_append, curl_slist_append);
	RESOLVE(&c, slist_free_all, curl_slist_free_all);
	RESOLVE(&c, multi_init, curl_multi_init);
	RESOLVE(&c, multi_add_handle, curl_multi_add_handle);
	RESOLVE(&c, multi_remove_handle, curl_multi_remove_handle);
	RESOLVE(&c, multi_perform, curl_multi_perform);
	RESOLVE(&c, multi_poll, curl_multi_poll);
	RESOLVE(&c, multi_info_read, curl_multi_info_read);
	RESOLVE(&c, multi_cleanup, curl_multi_cleanup);
	if (missing) {
		nd_err("etcd client: libcurl.so.4 lacks %s", missing);
		dlclose(c.dl);
		return -ENOENT;
	}
	*ret = c;
	return 0;
}

void nd_curl_unload(struct nd_curl *c)
{
	/*
	 * No dlclose: libcurl's one-time global state (TLS library) stays
	 * reachable for the leak checker, and a later client reuses it.
	 */
	memset(c, 0, sizeof(*c));
}
