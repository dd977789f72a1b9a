// SPDX-License-Identifier: MIT
/* "store": {"endpoints", "prefix", "cacert", "cert", "key", "username", "password"}. */
#include "etcd-conf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"

#define MAX_ENDPOINTS 16

static const char *const store_keys[] = { "endpoints", "prefix",   "cacert",	"cert", "key",
					  "username",  "password", "timeoutMs", NULL };

/* A URL goes into a request line: printable, no space, quote or CR/LF. */
static bool url_safe(const char *s)
{
	for (; *s; s++)
		if (*s <= ' ' || *s >= 127 || strchr("\"<>\\^`{|}", *s))
			return false;
	return true;
}

static int parse_endpoints(struct cni_ctx *ctx, const cJSON *store, const char *path,
			   struct nd_etcd_conf *c)
{
	struct nd_strv raw = { 0 };
	size_t i = 0;
	int r = nd_conf_strv(ctx, store, path, "endpoints", &raw);

	if (r >= 0 && (raw.n == 0 || raw.n > MAX_ENDPOINTS))
		r = cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EINVAL,
			     "%s.endpoints must list 1 to %d etcd URLs", path, MAX_ENDPOINTS);
	nd_strv_foreach(s, &raw) {
		char url[300];

		if (r < 0)
			break;
		if (!s[0] || strlen(s) > 250 || !url_safe(s)) {
			r = cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EINVAL,
				     "%s.endpoints[%zu] \"%s\" is not an etcd URL", path, i, s);
			break;
		}
		if (strstr(s, "://"))
			snprintf(url, sizeof(url), "%s", s);
		else
			snprintf(url, sizeof(url), "%s://%s", c->cacert[0] ? "https" : "http", s);
		if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
			r = cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EINVAL,
				     "%s.endpoints[%zu] \"%s\": only http:// and https://", path, i,
				     s);
		else
			r = nd_strv_push(&c->endpoints, url);
		i++;
	}
	nd_strv_clear(&raw);
	return r;
}

int nd_etcd_conf_parse(struct cni_ctx *ctx, const cJSON *store, const char *path,
		       struct nd_etcd_conf *ret)
{
	struct nd_etcd_conf *c = ret;
	int r;

	*c = (struct nd_etcd_conf){ .timeout_ms = 2000 };
	snprintf(c->prefix, sizeof(c->prefix), "%s", ND_ETCD_PREFIX_DEFAULT);
	r = nd_conf_check_keys(ctx, store, path, store_keys);
	if (r >= 0)
		r = nd_conf_string_buf(ctx, store, path, "prefix", c->prefix, sizeof(c->prefix));
	if (r >= 0)
		r = nd_conf_string_buf(ctx, store, path, "cacert", c->cacert, sizeof(c->cacert));
	if (r >= 0)
		r = nd_conf_string_buf(ctx, store, path, "cert", c->cert, sizeof(c->cert));
	if (r >= 0)
		r = nd_conf_string_buf(ctx, store, path, "key", c->key, sizeof(c->key));
	if (r >= 0)
		r = nd_conf_string_buf(ctx, store, path, "username", c->username,
				       sizeof(c->username));
	if (r >= 0)
		r = nd_conf_string_buf(ctx, store, path, "password", c->password,
				       sizeof(c->password));
	if (r >= 0)
		r = nd_conf_uint(ctx, store, path, "timeoutMs", 10, 60000, &c->timeout_ms);
	if (r >= 0)
		r = parse_endpoints(ctx, store, path, c);
	/* Keys are "<prefix>/...": one leading slash, none trailing. */
	while (r >= 0 && strlen(c->prefix) > 1 && c->prefix[strlen(c->prefix) - 1] == '/')
		c->prefix[strlen(c->prefix) - 1] = '\0';
	if (r >= 0 && (c->prefix[0] != '/' || strlen(c->prefix) < 2 || !url_safe(c->prefix)))
		r = cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EINVAL,
			     "%s.prefix \"%s\" must be a key path such as /netdock", path,
			     c->prefix);
	if (r < 0)
		nd_etcd_conf_clear(c);
	return r;
}

const cJSON *nd_etcd_conf_find(const cJSON *conf, const char **ret_path)
{
	const cJSON *ipam = cJSON_GetObjectItemCaseSensitive(conf, "ipam");
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(ipam, "store");

	*ret_path = "ipam.store";
	if (s && !cJSON_IsNull(s))
		return s;
	*ret_path = "store";
	s = cJSON_GetObjectItemCaseSensitive(conf, "store");
	return s && !cJSON_IsNull(s) ? s : NULL;
}
