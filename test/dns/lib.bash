# SPDX-License-Identifier: MIT
# dnsd test helpers: networks from the bridge plugin, a netdock-dnsd on this
# test's run dir, and dig from inside containers.

load ../bridge/lib

# dnsd_start [ARGS...]: runs netdock-dnsd for this test's run dir; waits until it serves.
dnsd_start() {
	NETDOCK_LOG_LEVEL=${DNSD_LOG_LEVEL:-info} "$ND_BIN_DIR/netdock-dnsd" --run-dir "$NETDOCK_RUN_DIR" --resolv-conf "$ND_TMP/resolv.conf" \
		"$@" 2>>"$ND_TMP/dnsd.log" 3>&- &
	DNSD_PID=$!
	nd_track_pid "$DNSD_PID"
	nd_wait_for grep -q "serving" "$ND_TMP/dnsd.log"
}

# q CONTAINER NAME [TYPE] [SERVER]: the answers dig gets (addresses, sorted), or the status.
q() {
	local server=${4:-}
	[ -n "$server" ] || server=$(inside "$1" ip -4 route show default | awk '{print $3}' | head -1)
	[ -n "$server" ] || server=$(inside "$1" ip -4 route | awk '/proto kernel/ {print $1}' | head -1 | sed 's|0/.*|1|')
	inside "$1" dig +time=2 +tries=1 +short "@$server" "$2" "${3:-A}" | sort
}

# status CONTAINER NAME SERVER: the rcode dig reports.
status() {
	inside "$1" dig +time=2 +tries=1 "@$3" "$2" A | sed -n 's/.*status: \([A-Z]*\).*/\1/p'
}

# upstream_start: a resolver of the outside world in its own namespace (dnsmasq),
# answering ext.test with 192.0.2.7; dnsd forwards to it through resolv.conf.
upstream_start() {
	UP=$(nd_peer upstream 10.170.0.1/30 10.170.0.2/30)
	ip netns exec "$UP" /usr/sbin/dnsmasq -k --no-resolv --no-hosts --bind-interfaces \
		--listen-address=10.170.0.2 --address=/ext.test/192.0.2.7 --local=/test/ \
		--pid-file="$ND_TMP/dnsmasq.pid" --user=root 2>>"$ND_TMP/dnsmasq.log" 3>&- &
	nd_track_pid $!
	echo "nameserver 10.170.0.2" >"$ND_TMP/resolv.conf"
	nd_wait_for sh -c "ip netns exec $UP ss -lun | grep -q '10.170.0.2:53 '"
}

# named CONTAINER NET [IFNAME] [CNI_ARGS-extra] [CAP_ARGS]: attaches with a container name.
named() {
	CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAME=$1${4:+;$4}" CAP_ARGS="${5:-{\}}" \
		br_add "$2" "$1" "${3:-eth0}" >/dev/null
}

# addr_on CONTAINER NET_CONFLIST: the container's IPv4 address on that network.
addr_on() {
	jq -r '.ips[0]' "$NETDOCK_RUN_DIR/endpoints/$(jq -r .name "$2")/$(nd_cid "$1")-${3:-eth0}.json" | cut -d/ -f1
}

gw_of() { jq -r '.plugins[0].ipam.subnets[0].subnet' "$1" | sed 's|0/24|1|'; }
