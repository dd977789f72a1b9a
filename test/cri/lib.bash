# SPDX-License-Identifier: MIT
# cri suite helpers: a private containerd (Debian's 1.6) whose CRI plugin runs
# netdock's conflist from build/bin, driven through the CRI gRPC API by
# test/cri/cri.py, as the kubelet would.
#
# The containerd of a suite runs in a network namespace standing for the node
# ($HOST: bridge, nft table, the node's address 10.254.0.1) next to a second
# one standing for another machine ($OUT, 10.254.0.2, also the upstream DNS
# server), and in a private mount namespace (test/cri/private-mounts) so that
# what it writes to fixed paths (libcni's cache in /var/lib/cni, the shim
# sockets in /run/containerd) never reaches the host. Its root, state, sockets,
# CNI conf dir and the pods' netns mounts live in the suite's temp dir.
#
# In a suite: setup_file() { cri_start; }  teardown_file() { cri_stop; }
#             teardown() { cri_teardown; }

load ../helpers

CRI_DIR=$ND_SRC/test/cri
CRI_PAUSE=localhost/netdock-test/pause:1
CRI_BUSYBOX=localhost/netdock-test/busybox:1
# The node's network: a /24 inside $HOST only, so it cannot meet the machine's routes.
CRI_SUBNET=10.89.0.0/24
CRI_GW=10.89.0.1
HOST_ADDR=10.254.0.1
OUT_ADDR=10.254.0.2

# cri CMD...: the suite's CRI client (see cri.py).
cri() { /usr/bin/python3 "$CRI_DIR/cri.py" --sock "$CRI/containerd.sock" --gen "$CRI/gen" "$@"; }

# ctr_ CMD...: containerd's own client, in its namespaces (ctr makes its fifos in /run/containerd).
ctr_() { nsenter --target "$CRI_PID" --mount --net ctr -a "$CRI/containerd.sock" "$@"; }

# cri_conflist: the network as a Kubernetes node would have it in /etc/cni/net.d.
cri_conflist() {
	jq -n --arg name "$CRI_NET" --arg subnet "$CRI_SUBNET" '{
		cniVersion: "1.0.0", name: $name,
		plugins: [
			{type: "bridge", capabilities: {ips: true, mac: true, aliases: true, dns: true,
				bandwidth: true, "io.kubernetes.cri.pod-annotations": true},
			 ipam: {type: "ipam-subnet", subnets: [{subnet: $subnet}]}},
			{type: "portmap", capabilities: {portMappings: true, bandwidth: true}}
		]}'
}

cri_config() {
	cat <<-TOML
		version = 2
		root = "$CRI/root"
		state = "$CRI/state"
		disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
		  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs",
		  "io.containerd.tracing.processor.v1.otlp",
		  "io.containerd.internal.v1.tracing"]
		[grpc]
		  address = "$CRI/containerd.sock"
		[ttrpc]
		  address = "$CRI/containerd.sock.ttrpc"
		[plugins."io.containerd.internal.v1.opt"]
		  path = "$CRI/opt"
		[plugins."io.containerd.grpc.v1.cri"]
		  sandbox_image = "$CRI_PAUSE"
		  netns_mounts_under_state_dir = true
		  disable_apparmor = true
		  # The sandbox's oom_score_adj is -998; below containerd's own it needs
		  # CAP_SYS_RESOURCE, which a root in a container may lack.
		  restrict_oom_score_adj = true
		  stream_server_address = "127.0.0.1"
		  stream_server_port = "0"
		  [plugins."io.containerd.grpc.v1.cri".cni]
		    bin_dir = "$CRI_BIN"
		    conf_dir = "$CRI/net.d"
		    max_conf_num = 1
		  [plugins."io.containerd.grpc.v1.cri".containerd]
		    snapshotter = "overlayfs"
		    default_runtime_name = "runc"
		    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
		      runtime_type = "io.containerd.runc.v2"
		      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
		        Root = "$CRI/runc"
	TOML
}

# cri_start: the node (two namespaces), its containerd, the images, dnsd and an upstream.
cri_start() {
	nd_setup
	CRI=$ND_TMP/cri
	CRI_NET=k8s-$ND_ID
	mkdir -p "$CRI"/{net.d,gen,scratch,opt}
	export CRI CRI_NET
	# netdock's plugins alone: the CRI runs its loopback from the same directory.
	CRI_BIN=$ND_BIN_DIR
	export CRI_BIN
	HOST=$(nd_ns node)
	OUT=$(nd_ns other)
	export HOST OUT
	ip -n "$HOST" link add "n$ND_ID" type veth peer name eth0 netns "$OUT"
	ip -n "$HOST" addr add "$HOST_ADDR/24" dev "n$ND_ID"
	ip -n "$OUT" addr add "$OUT_ADDR/24" dev eth0
	ip -n "$HOST" link set "n$ND_ID" up
	ip -n "$OUT" link set eth0 up

	/usr/bin/python3 -m grpc_tools.protoc -I "$CRI_DIR" --python_out="$CRI/gen" \
		--grpc_python_out="$CRI/gen" "$CRI_DIR/cri.proto"
	"$CRI_DIR/mkimage.py" "$CRI/images.tar" "$CRI_PAUSE" "$CRI_BUSYBOX"
	cri_conflist >"$CRI/net.d/10-netdock.conflist"
	cri_config >"$CRI/config.toml"

	# The plugins containerd runs see this environment (the test's run dir,
	# lib dir, nft table and log file, ASAN_OPTIONS on the asan build).
	NETDOCK_LOG_LEVEL=debug nsenter --net="/run/netns/$HOST" unshare --mount --propagation private \
		"$CRI_DIR/private-mounts" "$CRI/scratch" --tmpfs /var/lib/cni --tmpfs /run/containerd -- \
		containerd --config "$CRI/config.toml" --log-level info \
		>"$CRI/containerd.log" 2>&1 3>&- &
	CRI_PID=$!
	export CRI_PID
	wait_long test -S "$CRI/containerd.sock"
	# Its mount namespace names what it started (shims and their containers), for cri_stop.
	readlink "/proc/$CRI_PID/ns/mnt" >"$CRI/mntns"
	ctr_ -n k8s.io images import "$CRI/images.tar" >/dev/null
	cri ready
	nd_wait_for cri image "$CRI_PAUSE" >/dev/null
	nd_wait_for cri image "$CRI_BUSYBOX" >/dev/null

	# The upstream resolver of the node: dnsmasq on the other machine.
	ip netns exec "$OUT" /usr/sbin/dnsmasq -k --no-resolv --no-hosts --bind-interfaces \
		--listen-address="$OUT_ADDR" --address=/ext.test/192.0.2.7 --local=/test/ \
		--pid-file="$CRI/dnsmasq.pid" --user=root 2>>"$CRI/dnsmasq.log" 3>&- &
	nd_track_pid $!
	echo "nameserver $OUT_ADDR" >"$CRI/resolv.conf"
	NETDOCK_LOG_LEVEL=info nsenter --net="/run/netns/$HOST" "$ND_BIN_DIR/netdock-dnsd" \
		--run-dir "$NETDOCK_RUN_DIR" --resolv-conf "$CRI/resolv.conf" 2>>"$CRI/dnsd.log" 3>&- &
	nd_track_pid $!
	nd_wait_for grep -q serving "$CRI/dnsd.log"
}

# wait_long CMD...: nd_wait_for over 30 s, for containerd's start on a busy machine.
wait_long() {
	local i
	for i in 1 2 3 4 5 6; do
		nd_wait_for "$@" && return 0
	done
	return 1
}

# cri_clean_pods: every pod left by a test is stopped and removed through the CRI.
cri_clean_pods() {
	local pod
	for pod in $(cri pods 2>/dev/null); do
		cri stop "$pod" || true
		cri rm "$pod" || true
	done
}

# cri_teardown: after each test: the logs of a failed one, its pods removed, the
# original conflist back.
cri_teardown() {
	if [ -z "${BATS_TEST_COMPLETED:-}" ]; then
		echo "# containerd errors:" >&3
		grep 'level=error' "$CRI/containerd.log" | tail -n 5 | cut -c1-400 | sed 's/^/#   /' >&3
		echo "# netdock log:" >&3
		tail -n 20 "$NETDOCK_LOG_FILE" 2>/dev/null | sed 's/^/#   /' >&3
	fi
	cri_clean_pods
	if [ -e "$CRI/conf-changed" ]; then
		conf_set .
		rm -f "$CRI/conf-changed"
	fi
}

# descendants PID...: every process below PID (the shims' containers).
descendants() {
	local p kids
	for p in "$@"; do
		kids=$(ps -o pid= --ppid "$p" 2>/dev/null | tr -d ' ')
		[ -n "$kids" ] && descendants $kids
		echo $kids
	done
}

# cri_stop: pods removed, then containerd and everything in its mount namespace
# (the shims and their containers), each by PID; then nd_teardown.
cri_stop() {
	local mnt pid p procs=()
	[ -n "${CRI:-}" ] || return 0
	if [ -n "${CRI_PID:-}" ] && kill -0 "$CRI_PID" 2>/dev/null; then
		cri_clean_pods
	fi
	mnt=$(cat "$CRI/mntns" 2>/dev/null)
	# (never the test's own mount namespace, should containerd have run in it)
	if [ -n "$mnt" ] && [ "$mnt" != "$(readlink /proc/self/ns/mnt)" ]; then
		for p in /proc/[0-9]*; do
			[ "$(readlink "$p/ns/mnt" 2>/dev/null)" = "$mnt" ] && procs+=("${p#/proc/}")
		done
	fi
	if [ -n "${CRI_PID:-}" ]; then
		kill "$CRI_PID" 2>/dev/null
		wait "$CRI_PID" 2>/dev/null
	fi
	for pid in $(descendants "${procs[@]}") "${procs[@]}"; do
		[ "$pid" = "${CRI_PID:-}" ] || kill -9 "$pid" 2>/dev/null
	done
	BATS_TEST_COMPLETED=1 nd_teardown
}

# pod NAME [cri run options] [-- CMD...]: runs a pod and its container; their ids
# and the pod's address are kept in files (bats `run` forks) for pod_id NAME,
# ctr_id NAME and pod_ip NAME.
pod() {
	local out pod ctr ip
	out=$(cri run "$@") || { echo "$out"; return 1; }
	read -r pod ctr ip <<<"$out"
	echo "$pod" >"$CRI/pod-$1"
	echo "$ctr" >"$CRI/ctr-$1"
	echo "$ip" >"$CRI/ip-$1"
}
pod_id() { cat "$CRI/pod-$1"; }
ctr_id() { cat "$CRI/ctr-$1"; }
pod_ip() { cat "$CRI/ip-$1"; }

# in_pod NAME CMD...: ExecSync in the pod's container.
in_pod() {
	local n=$1
	shift
	cri exec "$(ctr_id "$n")" -- "$@"
}

# endpoints: endpoint records of the node's network.
endpoints() { find "$NETDOCK_RUN_DIR/endpoints/$CRI_NET" -name '*.json' 2>/dev/null | wc -l; }
# leases: addresses leased on the node's network.
leases() { find "$NETDOCK_LIB_DIR/ipam/$CRI_NET/addr" -type f 2>/dev/null | wc -l; }
# claims: host ports portmap holds.
claims() { find "$NETDOCK_RUN_DIR/portmap/claims" -type f 2>/dev/null | wc -l; }
# host_veths: veths on the node's bridge.
host_veths() { ip -n "$HOST" -o link show type veth | grep -vc "n$ND_ID@" || true; }
# map_elements: elements in portmap's maps in the node's table.
map_elements() {
	ip netns exec "$HOST" nft -j list table inet "$NETDOCK_NFT_TABLE" 2>/dev/null |
		jq '[.nftables[] | .map? // empty | select(.name | startswith("portmap")) | .elem // [] | length] | add // 0'
}

# fetch [NS] ADDR PORT: what the HTTP server at ADDR:PORT answers, from NS (default: the node).
fetch() {
	local ns=$HOST
	[ $# -eq 3 ] && { ns=$1; shift; }
	ip netns exec "$ns" socat -T3 - "TCP:$1:$2,connect-timeout=3" 2>/dev/null <<<$'GET / HTTP/1.0\r\n\r' |
		tail -n 1
}

# pod_fetch NAME ADDR PORT: what the HTTP server at ADDR:PORT answers, from the
# pod's container (busybox nc: the static busybox's wget crashes without NSS).
pod_fetch() {
	in_pod "$1" sh -c "printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 3 $2 $3" | tail -n 1
}

# web NAME: a container script serving "hello-NAME" over HTTP on port 80
# (run it with `pod ... --wait-tcp 80`).
web() { echo "mkdir -p /www && echo hello-$1 >/www/index.html && exec httpd -f -p 80 -h /www"; }

# conf_set JQ_FILTER: rewrites the node's conflist (from the original) and waits
# until the CRI plugin has loaded it, as it reports in its status. containerd
# 1.6 reloads on write, rename and remove events in the conf dir but not on
# create, and a write may catch the file half written: the new file is renamed
# over the old one from a name libcni does not load.
conf_set() {
	[ "$1" = . ] || : >"$CRI/conf-changed"
	cri_conflist | jq -c "$1" >"$CRI/net.d/10-netdock.conflist.new"
	mv "$CRI/net.d/10-netdock.conflist.new" "$CRI/net.d/10-netdock.conflist"
	nd_wait_for conf_loaded
}
conf_loaded() {
	cri cniconf | jq -e --rawfile src "$CRI/net.d/10-netdock.conflist" \
		'any(.Networks[]; .Config.Source == $src)' >/dev/null
}

# ctr_cni NAME CMD...: a container of ctr's own (`ctr run --rm --cni`) on the node's
# network. ctr reads /etc/cni/net.d and /opt/cni/bin only, so it gets the suite's
# conf and bin dirs bind-mounted there in a mount namespace of its own.
ctr_cni() {
	mkdir -p "$CRI/ctr-scratch"
	nsenter --target "$CRI_PID" --mount --net unshare --mount --propagation private \
		"$CRI_DIR/private-mounts" "$CRI/ctr-scratch" --bind "$CRI/net.d:/etc/cni/net.d" \
		--bind "$CRI_BIN:/opt/cni/bin" -- \
		ctr -a "$CRI/containerd.sock" -n k8s.io run --rm --cni "$CRI_BUSYBOX" "ctr-$ND_ID-$1" "${@:2}"
}
