# SPDX-License-Identifier: MIT
# The seeds' multi-host walkthrough on two simulated hosts: my-multihost-network
# as an overlay over etcd. Sourced by test/demo/run after the single-host part;
# uses its verbs (step, say, show, inside) and its cleanup (NS, PIDS, TMP).

mh_host() { # mh_host I: host I at 10.98.0.I on the demo's underlay
	local ns="demo-$ID-host$1"
	ip netns add "$ns"
	NS+=("host$1")
	ip -n "$ns" link set lo up
	ip link add "mh$1" netns "demo-$ID-underlay" type veth peer name eth0 netns "$ns"
	ip -n "demo-$ID-underlay" link set "mh$1" master ul0 up
	ip -n "$ns" addr add "10.98.0.$1/24" dev eth0
	ip -n "$ns" link set eth0 up
	mkdir -p "$TMP/host$1/run" "$TMP/host$1/lib" "$TMP/host$1/cache"
}
on() { (on_exec "$@"); } # on I CMD...: CMD on host I, with that host's run dir, lib dir, table and name
on_exec() { # the same replacing the shell, so that "on_exec ... &" leaves the daemon's PID in $!
	local i=$1
	shift
	exec ip netns exec "demo-$ID-host$i" env NETDOCK_RUN_DIR="$TMP/host$i/run" \
		NETDOCK_LIB_DIR="$TMP/host$i/lib" NETDOCK_NFT_TABLE="netdock_demo_$ID" \
		NETDOCK_HOSTNAME="host$i" CNI_CACHE_DIR="$TMP/host$i/cache" "$@"
}
mh_run() { # mh_run HOST NAME [CNI_ARGS extra]: docker run --network my-multihost-network on HOST
	local ns="demo-$ID-$2"
	ip netns add "$ns"
	NS+=("$2")
	ip -n "$ns" link set lo up
	CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAME=$2${3:+;$3}" on "$1" "$SRC/test/cni-exec" ADD \
		"$TMP/mh.conflist" "$(cid "$2")" "/var/run/netns/$ns" eth0 >"$TMP/last"
	say "$2 on host$1: $(jq -r '[.ips[].address] | join(", ")' "$TMP/last")"
}
mh_wait() { for _ in $(seq 100); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }

step "Multi-host: two hosts on one underlay, etcd on host1 (the key-value store)"
ip netns add "demo-$ID-underlay"
NS+=("underlay")
ip -n "demo-$ID-underlay" link add ul0 type bridge
ip -n "demo-$ID-underlay" link set ul0 up
mh_host 1
mh_host 2
ip netns exec "demo-$ID-host1" etcd --name mh --data-dir "$TMP/etcd" \
	--listen-client-urls http://10.98.0.1:2379 --advertise-client-urls http://10.98.0.1:2379 \
	--listen-peer-urls http://10.98.0.1:2380 --initial-advertise-peer-urls http://10.98.0.1:2380 \
	--initial-cluster mh=http://10.98.0.1:2380 >"$TMP/etcd.log" 2>&1 &
PIDS+=($!) MH_PIDS=($!)
mh_wait ip netns exec "demo-$ID-host1" etcdctl --endpoints=http://10.98.0.1:2379 endpoint health
say "etcd answers on 10.98.0.1:2379"
for i in 1 2; do
	on_exec "$i" "$ND_BIN_DIR/netdock-overlayd" --endpoints http://10.98.0.1:2379 \
		2>"$TMP/overlayd$i.log" &
	PIDS+=($!) MH_PIDS+=($!)
	on_exec "$i" "$ND_BIN_DIR/netdock-dnsd" --run-dir "$TMP/host$i/run" --resolv-conf /dev/null \
		2>"$TMP/dnsd$i.log" &
	PIDS+=($!) MH_PIDS+=($!)
done
say "netdock-overlayd and netdock-dnsd run on each host"

step "netdock network create -d overlay: the seed's my-multihost-network, its store from the environment"
NETDOCK_ETCD_ENDPOINTS=http://10.98.0.1:2379 show netdock network create -d overlay \
	--subnet=192.168.0.0/16 --subnet=192.170.0.0/16 --gateway=192.168.0.100 \
	--gateway=192.170.0.100 --ip-range=192.168.1.0/24 --aux-address="my-router=192.168.1.5" \
	my-multihost-network
cp "$(net my-multihost-network)" "$TMP/mh.conflist"
show jq -c '.plugins[0] | {type, store, subnets: [.ipam.subnets[] | .subnet]}' "$TMP/mh.conflist"

step "docker run --network my-multihost-network on each host"
mh_run 1 web
web=$(jq -r '.ips[0].address' "$TMP/last" | cut -d/ -f1)
mh_run 2 client
client=$(jq -r '.ips[0].address' "$TMP/last" | cut -d/ -f1)
mh_run 2 static "IP=192.170.3.3"
vx=$(jq -r .vxlan "$TMP/host1/run/overlay/my-multihost-network.json")
show on 1 ip -d -br link show "$vx"
show on 1 ip -d link show "$vx"

step "Every container reaches every other, wherever it runs, by address and by name"
mh_wait inside client ping -c1 -W1 "$web"
ping_ client "$web" "web (host1)"
ping_ web "$client" "client (host2)"
ping_ web 192.170.3.3 "static (host2, the second subnet)"
mh_wait inside web dig +short +time=1 +tries=1 @192.168.0.100 client
dig_ web 192.168.0.100 client
mh_wait inside client dig +short +time=1 +tries=1 @192.168.0.100 web
dig_ client 192.168.0.100 web
say "host1's forwarding entries for the remote container (VXLAN to host2's VTEP):"
show on 1 bridge fdb show dev "$vx"
show on 1 ip neigh show dev "$vx"
show ip netns exec "demo-$ID-host1" etcdctl --endpoints=http://10.98.0.1:2379 get --prefix /netdock --keys-only

step "client leaves: host1 forgets it"
CNI_ARGS="IgnoreUnknown=1" on 2 "$SRC/test/cni-exec" DEL "$TMP/mh.conflist" "$(cid client)" \
	"/var/run/netns/demo-$ID-client" eth0
mh_wait sh -c "! ip netns exec demo-$ID-host1 ip neigh show dev $vx | grep -q '$client '"
ping_ web "$client" "client (gone)"
for p in "${MH_PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
say "multi-host: done"
