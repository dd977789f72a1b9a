/* SPDX-License-Identifier: MIT */
/*
 * libcurl, loaded on first use. Only a process that talks to etcd pays for
 * it: libcurl brings ~30 shared objects, and bridge, which carries the
 * same ipam-subnet code, runs once per attachment and never needs it.
 */
#ifndef ND_CURL_DL_H
#define ND_CURL_DL_H

#include <curl/curl.h>

struct nd_curl {
	void *dl;
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void (*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_add_handle)(CURLM *, CURL *);
	CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
	CURLMcode (*multi_perform)(CURLM *, int *);
	CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd *, unsigned, int, int *);
	CURLMsg *(*multi_info_read)(CURLM *, int *);
	CURLMcode (*multi_cleanup)(CURLM *);
};

/* Loads libcurl.so.4 and resolves every entry; -ENOENT (logged) when it is missing. */
int nd_curl_load(struct nd_curl *ret);
/* Forgets the entries (the library stays loaded); safe on a zeroed struct. */
void nd_curl_unload(struct nd_curl *c);

#endif
