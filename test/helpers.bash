# SPDX-License-Identifier: MIT
# Shared bats helpers: namespaces as containers, plugins run as a runtime
# would, unique names per run, and cleanup of everything on every exit path.
#
# In a suite:   setup() { nd_setup; }   teardown() { nd_teardown; }
# Everything created through these helpers is recorded and removed by
# nd_teardown, also when the test failed half way.

load_lib() {
	local d
	for d in /usr/lib/bats /usr/lib/bats-core /usr/share/bats; do
		if [ -f "$d/$1/load.bash" ]; then
			load "$d/$1/load.bash"
			return
		fi
	done
	echo "bats library $1 is missing (make deps)" >&2
	return 1
}
load_lib bats-support
load_lib bats-assert

ND_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${ND_BIN_DIR:=$ND_SRC/build/bin}"

# nd_setup: a private run dir, lib dir and nftables table for this test.
nd_setup() {
	ND_ID=$(printf '%04x%02x' $((RANDOM)) $((BATS_TEST_NUMBER % 256)))
	ND_TMP=$(mktemp -d "/tmp/nd-$ND_ID.XXXXXX")
	# dnsd reads the run dir after dropping to an unprivileged user, as from /run/netdock.
	chmod 0755 "$ND_TMP"
	mkdir -p "$ND_TMP/run" "$ND_TMP/lib" "$ND_TMP/conf"
	: >"$ND_TMP/netns" && : >"$ND_TMP/links" && : >"$ND_TMP/pids"
	export ND_ID ND_TMP
	export NETDOCK_RUN_DIR=$ND_TMP/run NETDOCK_LIB_DIR=$ND_TMP/lib
	export NETDOCK_NFT_TABLE=nd_$ND_ID NETDOCK_LOG_FILE=$ND_TMP/netdock.log
	export CNI_PATH=$ND_BIN_DIR:/usr/lib/cni
}

nd_teardown() {
	local ns link pid
	[ -n "${ND_TMP:-}" ] || return 0
	if [ -n "${BATS_TEST_COMPLETED:-}" ] || [ ! -s "$ND_TMP/netdock.log" ]; then :; else
		echo "# netdock log:" >&3
		sed 's/^/#   /' "$ND_TMP/netdock.log" | tail -n 30 >&3
	fi
	while read -r pid; do
		[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done <"$ND_TMP/pids"
	while read -r ns; do
		[ -n "$ns" ] && ip netns del "$ns" 2>/dev/null
	done <"$ND_TMP/netns"
	while read -r link; do
		[ -n "$link" ] && ip link del "$link" 2>/dev/null
	done <"$ND_TMP/links"
	# Bridges the plugins made for this test's networks, as their records name them.
	for link in $(cat "$NETDOCK_RUN_DIR"/networks/*.json 2>/dev/null | jq -r '.bridge // empty'); do
		ip link del "$link" 2>/dev/null
	done
	# Links made by hand for this test carry the test's id.
	for link in $(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -- "$ND_ID"); do
		ip link del "$link" 2>/dev/null
	done
	nft delete table inet "$NETDOCK_NFT_TABLE" 2>/dev/null
	nft delete table ip "$NETDOCK_NFT_TABLE" 2>/dev/null
	nft delete table bridge "$NETDOCK_NFT_TABLE" 2>/dev/null
	rm -rf "$ND_TMP"
	return 0
}

# nd_ns NAME: a network namespace standing for a container; prints its name.
nd_ns() {
	local ns="nd-$ND_ID-$1"
	ip netns add "$ns"
	echo "$ns" >>"$ND_TMP/netns"
	ip -n "$ns" link set lo up
	echo "$ns"
}

# nd_peer NAME HOST_CIDR PEER_CIDR...: a namespace on a point-to-point veth with the
# host (another machine, an upstream resolver); the first CIDR goes on the host end,
# the others inside. Prints the namespace.
nd_peer() {
	local ns link="${1:0:1}$ND_ID" cidr
	ns=$(nd_ns "$1")
	ip link add "$link" type veth peer name eth0 netns "$ns"
	nd_track_link "$link"
	ip addr add "$2" dev "$link" nodad 2>/dev/null || ip addr add "$2" dev "$link"
	for cidr in "${@:3}"; do
		ip -n "$ns" addr add "$cidr" dev eth0 nodad 2>/dev/null || ip -n "$ns" addr add "$cidr" dev eth0
	done
	ip link set "$link" up
	ip -n "$ns" link set eth0 up
	echo "$ns"
}

# nd_track_link NAME / nd_track_pid PID: removed or killed by nd_teardown.
nd_track_link() { echo "$1" >>"$ND_TMP/links"; }
nd_track_pid() { echo "$1" >>"$ND_TMP/pids"; }

# nd_conf NAME JSON: writes $ND_TMP/conf/NAME and prints its path.
nd_conf() {
	printf '%s\n' "$2" >"$ND_TMP/conf/$1"
	echo "$ND_TMP/conf/$1"
}

# nd_plugin PLUGIN VERB CONF_FILE CONTAINERID NETNS IFNAME: one plugin, as a runtime runs it.
# CNI_ARGS passes through from the caller. Use with bats `run`: stdout is the
# result or error object; stderr (the plugin's log) goes to $ND_TMP/stderr.
nd_plugin() {
	local netns=$5
	[ -n "$netns" ] && [ "${netns#/}" = "$netns" ] && netns=/var/run/netns/$netns
	CNI_COMMAND=$2 CNI_CONTAINERID=$4 CNI_NETNS=$netns CNI_IFNAME=$6 \
		"$ND_BIN_DIR/$1" <"$3" 2>>"$ND_TMP/stderr"
}

# nd_list VERB CONFLIST CONTAINERID NETNS [IFNAME]: a whole .conflist, as libcni runs it.
nd_list() {
	local netns=${4:-}
	[ -n "$netns" ] && [ "${netns#/}" = "$netns" ] && netns=/var/run/netns/$netns
	CNI_CACHE_DIR=$ND_TMP/cache "$ND_SRC/test/cni-exec" "$1" "$2" "${3:-}" "$netns" "${5:-eth0}" \
		2>>"$ND_TMP/stderr"
}

# nd_cid NAME: a 64-hex container id derived from NAME and the test id.
nd_cid() {
	printf '%s' "$ND_ID-$1" | sha256sum | cut -c1-64
}

# nd_json_get JSON FILTER: jq -r shorthand.
nd_json_get() { jq -r "$2" <<<"$1"; }

# nd_wait_for CMD...: retries CMD for up to 5 s (no fixed sleeps in tests).
nd_wait_for() {
	local i
	for i in $(seq 1 100); do
		"$@" && return 0
		sleep 0.05
	done
	"$@"
}
