# SPDX-License-Identifier: MIT
# overlay test helpers: hosts are network namespaces on one underlay bridge (in
# its own namespace), with a real etcd cluster on the hosts' addresses, one
# netdock-overlayd and one netdock-dnsd per host, each host with its own run
# dir, lib dir and nftables table. Containers are namespaces attached by
# running the plugins inside a host's namespace.

load ../bridge/lib # helpers, and inside / ip_of / reaches for containers

OV_TTL=2

# ov_wait_for SECONDS CMD...: retries CMD every 50 ms for up to SECONDS.
ov_wait_for() {
	local n=$(($1 * 20)) i
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.05
	done
	"$@"
}

# ov_hosts N: hosts h1..hN at 10.99.0.<i>/24 on the underlay.
ov_hosts() {
	local ul i
	ul=$(nd_ns ul)
	ip -n "$ul" link add ul0 type bridge
	ip -n "$ul" link set ul0 up
	for i in $(seq 1 "$1"); do ov_host_add "$i"; done
	: >"$ND_TMP/resolv.conf"
	echo "nameserver 10.99.0.254" >"$ND_TMP/resolv.conf" # inside the underlay: answers nothing
}

ov_host_add() {
	local i=$1 ns
	ns=$(nd_ns "h$i")
	ip link add "u$i" netns "nd-$ND_ID-ul" type veth peer name eth0 netns "$ns"
	ip -n "nd-$ND_ID-ul" link set "u$i" master ul0 up
	ip -n "$ns" addr add "10.99.0.$i/24" dev eth0
	ip -n "$ns" link set eth0 up
	mkdir -p "$ND_TMP/h$i/run" "$ND_TMP/h$i/lib" "$ND_TMP/h$i/cache"
}

# ov_teardown: nd_teardown, after the etcd members' tmpfs is let go.
ov_teardown() {
	local f
	if [ -z "${BATS_TEST_COMPLETED:-}" ]; then
		for f in "$ND_TMP"/h*/overlayd.log "$ND_TMP/converge.out"; do
			[ -s "$f" ] || continue
			echo "# $f:" >&3
			grep -E "Sanitizer|runtime error|warning|error" "$f" | tail -n 8 | sed 's/^/#   /' >&3
			tail -n 4 "$f" | sed 's/^/#   /' >&3
		done
	fi
	for f in "$ND_TMP"/etcd/*.pid; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null && wait "$(cat "$f")" 2>/dev/null
	done
	[ -s "$ND_TMP/mounts" ] && umount -l "$(cat "$ND_TMP/mounts")"
	nd_teardown
}

# on_host I CMD...: CMD in host I's namespace with its run dir, lib dir, table and name.
on_host() { (on_host_exec "$@"); }
# on_host_exec I CMD...: the same, replacing the shell: "on_host_exec ... &" makes $! the
# daemon's own PID (ip netns exec and env exec in turn), which teardown can stop.
on_host_exec() {
	local i=$1
	shift
	exec ip netns exec "nd-$ND_ID-h$i" env NETDOCK_RUN_DIR="$ND_TMP/h$i/run" \
		NETDOCK_LIB_DIR="$ND_TMP/h$i/lib" NETDOCK_NFT_TABLE="nd_h$i" \
		NETDOCK_HOSTNAME="h$i" NETDOCK_LOG_FILE="$ND_TMP/h$i/netdock.log" \
		CNI_CACHE_DIR="$ND_TMP/h$i/cache" "$@"
}

# ov_endpoints N [SCHEME]: the client URLs of members 1..N.
ov_endpoints() {
	local i out=""
	for i in $(seq 1 "$1"); do out+="${2:-http}://10.99.0.$i:2379,"; done
	echo "${out%,}"
}

# ov_etcd_member I N [ARGS...]: starts member I of an N-member cluster in host I
# (OV_SCHEME=https and OV_ETCD_ARGS for TLS).
ov_etcd_member() {
	local i=$1 n=$2 scheme=${OV_SCHEME:-http} cluster="" j
	shift 2
	for j in $(seq 1 "$n"); do cluster+="e$j=http://10.99.0.$j:2380,"; done
	mkdir -p "$ND_TMP/etcd"
	ip netns exec "nd-$ND_ID-h$i" etcd --name "e$i" --data-dir "$ND_TMP/etcd/e$i" \
		--listen-client-urls "$scheme://10.99.0.$i:2379" \
		--advertise-client-urls "$scheme://10.99.0.$i:2379" \
		--listen-peer-urls "http://10.99.0.$i:2380" \
		--initial-advertise-peer-urls "http://10.99.0.$i:2380" \
		--initial-cluster "${cluster%,}" --initial-cluster-token "nd-$ND_ID" \
		${OV_ETCD_ARGS:-} "$@" \
		>>"$ND_TMP/etcd/e$i.log" 2>&1 3>&- &
	echo $! >"$ND_TMP/etcd/e$i.pid"
	nd_track_pid $!
}

# ov_etcd_kill I: stops member I by its PID.
ov_etcd_kill() {
	local pid
	pid=$(cat "$ND_TMP/etcd/e$1.pid")
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true
}

# ov_etcdctl CMD...: etcdctl from host 1 against every member.
ov_etcdctl() {
	ip netns exec "nd-$ND_ID-h1" etcdctl --endpoints="$OV_EPS" --dial-timeout=1s \
		--command-timeout=2s ${OV_ETCDCTL_TLS:-} "$@"
}

ov_etcd_healthy() { ov_etcdctl endpoint health >/dev/null 2>&1; }

# ov_etcd N: an N-member cluster on hosts 1..N; waits until every member is healthy.
# The data dirs are on a tmpfs of the test's own (sized for three 64 MB WAL
# segments, which etcd preallocates): on this shared machine a
# member's fsync can stall for seconds, and a cluster that keeps electing
# leaders is not what the tests are about.
ov_etcd() {
	local i
	mkdir -p "$ND_TMP/etcd"
	mount -t tmpfs -o size=1g "nd-$ND_ID-etcd" "$ND_TMP/etcd"
	echo "$ND_TMP/etcd" >"$ND_TMP/mounts"
	OV_EPS=$(ov_endpoints "$1" "${OV_SCHEME:-http}")
	for i in $(seq 1 "$1"); do ov_etcd_member "$i" "$1"; done
	ov_wait_for 20 ov_etcd_healthy
}

# ov_agent I [ARGS...]: netdock-overlayd on host I.
ov_agent() {
	local i=$1
	shift
	NETDOCK_LOG_LEVEL=${OV_LOG_LEVEL:-info} on_host_exec "$i" "$ND_BIN_DIR/netdock-overlayd" --endpoints "$OV_EPS" \
		--prefix /nd --ttl "$OV_TTL" ${OV_AGENT_TLS:-} "$@" 2>>"$ND_TMP/h$i/overlayd.log" 3>&- &
	echo $! >"$ND_TMP/h$i/overlayd.pid"
	nd_track_pid $!
}

ov_agent_kill() {
	local pid
	pid=$(cat "$ND_TMP/h$1/overlayd.pid")
	kill "-${2:-TERM}" "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true
}

# ov_dnsd I: netdock-dnsd on host I's run dir.
ov_dnsd() {
	local i=$1
	NETDOCK_LOG_LEVEL=info on_host_exec "$i" "$ND_BIN_DIR/netdock-dnsd" --run-dir "$ND_TMP/h$i/run" \
		--resolv-conf "$ND_TMP/resolv.conf" 2>>"$ND_TMP/h$i/dnsd.log" 3>&- &
	nd_track_pid $!
	nd_wait_for grep -q "serving" "$ND_TMP/h$i/dnsd.log"
}

# ov_cluster N: N hosts, an N-member etcd, an overlayd and a dnsd on each.
ov_cluster() {
	local i
	ov_hosts "$1"
	ov_etcd "$1"
	for i in $(seq 1 "$1"); do
		ov_agent "$i"
		ov_dnsd "$i"
	done
}

# ov_net NAME SUBNETS_JSON [EXTRA_JSON]: an overlay conflist (store on this test's etcd).
ov_net() {
	local extra=${3:-"{}"} eps
	eps=$(tr ',' '\n' <<<"$OV_EPS" | jq -R . | jq -s .)
	jq -n --arg name "$1" --argjson subnets "$2" --argjson extra "$extra" \
		--argjson eps "$eps" --argjson tls "${OV_STORE_TLS:-{\}}" '{
		cniVersion: "1.0.0", name: $name,
		plugins: [({type: "overlay",
			capabilities: {ips: true, mac: true, aliases: true, links: true},
			store: ({endpoints: $eps, prefix: "/nd"} + $tls),
			ipam: {type: "ipam-subnet", subnets: $subnets, blockSize: 28}} + $extra),
			{type: "portmap", capabilities: {portMappings: true}}]
	}' >"$ND_TMP/conf/$1.conflist"
	echo "$ND_TMP/conf/$1.conflist"
}

# ov_add HOST CONFLIST NAME [IFNAME] [CNI_ARGS-extra]: attaches container NAME (a namespace)
# on HOST as a runtime there would. Use with `run`.
ov_add() {
	local ns="nd-$ND_ID-$3"
	[ -e "/var/run/netns/$ns" ] || nd_ns "$3" >/dev/null
	CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAME=$3${5:+;$5}" on_host "$1" "$ND_SRC/test/cni-exec" \
		ADD "$2" "$(nd_cid "$3")" "/var/run/netns/$ns" "${4:-eth0}" 2>>"$ND_TMP/stderr"
}

ov_del() {
	CNI_ARGS="IgnoreUnknown=1" on_host "$1" "$ND_SRC/test/cni-exec" DEL "$2" "$(nd_cid "$3")" \
		"/var/run/netns/nd-$ND_ID-$3" "${4:-eth0}" 2>>"$ND_TMP/stderr"
}

# dig_on CONTAINER NAME: the A answers of the container's DNS server (its gateway).
dig_on() {
	local gw
	gw=$(inside "$1" ip -4 route show default | awk '{print $3}' | head -1)
	inside "$1" dig +time=1 +tries=1 +short "@$gw" "$2" A | sort
}

# ov_converged: every host's FDB, neighbour table and run dir equal etcd (prints the counts).
ov_check() {
	/usr/bin/python3 "$ND_SRC/test/overlay/converge.py" --id "$ND_ID" --tmp "$ND_TMP" \
		--prefix /nd --hosts "${OV_HOSTS:-1 2 3}" ${OV_VERBOSE:+--verbose} -- ip netns exec "nd-$ND_ID-h1" etcdctl \
		--endpoints="$OV_EPS" ${OV_ETCDCTL_TLS:-}
}
ov_converged() { ov_check >"$ND_TMP/converge.out" 2>&1; }

# ov_no_trace HOST_I VTEP: host I holds no FDB entry, neighbour or record of that VTEP.
ov_no_trace() {
	! on_host "$1" bridge fdb show | grep -q "dst $2 " &&
		! grep -lqs "\"host\":\"$2\"" "$ND_TMP/h$1"/run/endpoints/*/*.json
}

# ov_status HOST CONFLIST: the list's STATUS on HOST. Use with `run`.
ov_status() { on_host "$1" "$ND_SRC/test/cni-exec" STATUS "$2" 2>>"$ND_TMP/stderr"; }
