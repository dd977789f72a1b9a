# SPDX-License-Identifier: MIT
# netdock (the command) test helpers: a private CNI conf dir and result cache per
# test, containers as namespaces, and a snapshot of everything on disk.

load ../helpers

cli_setup() {
	nd_setup
	export NETDOCK_CNI_CONF_DIR=$ND_TMP/net.d NETDOCK_CNI_CACHE_DIR=$ND_TMP/cni
	mkdir -p "$NETDOCK_CNI_CONF_DIR"
}

# nd CMD...: the command under test.
nd() { "$ND_BIN_DIR/netdock" "$@"; }

# ns NAME: the namespace nd-$ND_ID-NAME (a container), created on first use; prints its name.
ns() {
	local n="nd-$ND_ID-$1"
	[ -e "/run/netns/$n" ] || nd_ns "$1" >/dev/null
	echo "$n"
}

# net NAME: a network name unique to this test (bridge names derive from it).
net() { echo "$1-$ND_ID"; }

# inside NAME CMD...: runs CMD in the container's namespace.
inside() {
	local n="nd-$ND_ID-$1"
	shift
	ip netns exec "$n" "$@"
}

# disk_state: every file under the conf dir, lib dir, run dir and cache, with size and mtime.
disk_state() {
	find "$NETDOCK_CNI_CONF_DIR" "$NETDOCK_LIB_DIR" "$NETDOCK_RUN_DIR" "$ND_TMP/cni" \
		-printf '%p %s %T@\n' 2>/dev/null | sort
}

# field NET JQ: one value of `netdock network inspect NET`.
field() { nd network inspect "$1" | jq -r ".[0]$2"; }
