# SPDX-License-Identifier: MIT
# The walkthrough's steps; sourced by test/demo/run, which defines the verbs.

step "Networks: the default bridge, isolated_nw (172.25.0.0/16), local_alias, my-network"
say "this run's namespaces and nftables table carry the id $ID"
say "each is a conflist in conf/examples; the bridge is created at the first container"
for n in bridge isolated_nw local_alias my-network; do say "$(net "$n")"; done

step "Containers: container1 and container2 on the default bridge, container2 also on isolated_nw"
run container1 "$(net bridge)" eth0
run container2 "$(net bridge)" eth0
run container2 "$(net isolated_nw)" eth1
step "container3 with --ip 172.25.3.3: Docker's MAC 02:42:ac:19:03:03"
run container3 "$(net isolated_nw)" eth0 '{}' "IP=172.25.3.3"
show ip -n "demo-$ID-container3" -br link show eth0
show ip -n "demo-$ID-container3" -br addr show eth0

step "Who reaches whom (same network yes, across networks no)"
ping_ container2 "$(addr container3 "$(net isolated_nw)")" container3
ping_ container2 "$(addr container1 "$(net bridge)")" container1
ping_ container1 172.25.3.3 container3
show nft list chain inet "$NETDOCK_NFT_TABLE" bridge-forward

step "Embedded DNS: netdock-dnsd follows the run dir"
upstream
say "upstream resolver: dnsmasq in this run's namespace at $UPSTREAM (nothing leaves the machine)"
"$ND_BIN_DIR/netdock-dnsd" --run-dir "$NETDOCK_RUN_DIR" --resolv-conf "$TMP/resolv.conf" 2>"$TMP/dnsd.log" &
PIDS+=($!)
for _ in $(seq 50); do inside container2 dig +short +time=1 +tries=1 @172.25.0.1 container3 | grep -q . && break; sleep 0.1; done
dig_ container2 172.25.0.1 container3
dig_ container2 172.17.0.1 container1
say "(the default bridge resolves no names, as in Docker)"
dig_ container2 172.25.0.1 container3.isolated_nw
dig_ container2 172.25.0.1 www.example.test

step "Links: container4 --link container5:c5 before container5 exists"
run container4 "$(net isolated_nw)" eth0 '{"links":["container5:c5"]}'
dig_ container4 172.25.0.1 c5
run container5 "$(net isolated_nw)" eth0 '{"links":["container4:c4"]}'
dig_ container4 172.25.0.1 c5
dig_ container5 172.25.0.1 c4

step "Network-scoped aliases: app on isolated_nw, scoped-app on local_alias"
run container6 "$(net isolated_nw)" eth0 '{"aliases":["app"]}'
run container6 "$(net local_alias)" eth1 '{"aliases":["scoped-app"]}'
run container4 "$(net local_alias)" eth1
dig_ container4 172.25.0.1 app
dig_ container4 172.26.0.1 scoped-app
dig_ container5 172.25.0.1 scoped-app
run container7 "$(net isolated_nw)" eth0 '{"aliases":["app"]}'
dig_ container4 172.25.0.1 app
disconnect container6 "$(net isolated_nw)"
say "container6 left isolated_nw"
dig_ container4 172.25.0.1 app

step "Publishing: a redis-like server on my-network, host binding 172.23.0.1, -P"
run redis "$(net my-network)" eth0 '{"portMappings":[{"hostPort":0,"containerPort":6379}]}'
ip netns exec "demo-$ID-redis" socat TCP-LISTEN:6379,fork,reuseaddr SYSTEM:'echo +PONG' 2>/dev/null &
PIDS+=($!)
port=$(jq -r '.ports[0].hostPort' "$NETDOCK_RUN_DIR/endpoints/my-network/$(cid redis)-eth0.json")
say "PORTS: 172.23.0.1:$port->6379/tcp"
for _ in $(seq 50); do inside redis ss -ltn | grep -q ':6379 ' && break; sleep 0.1; done
say "redis-cli -h 172.23.0.1 -p $port ping: $(socat -T2 - TCP:172.23.0.1:$port </dev/null)"
show nft list map inet "$NETDOCK_NFT_TABLE" portmap-addr4

step "Disconnect and remove"
disconnect container2 "$(net isolated_nw)" eth1
ping_ container2 172.25.3.3 container3
for f in "$NETDOCK_RUN_DIR"/endpoints/*/*.json; do
	n=$(basename "$(dirname "$f")")
	CNI_PATH=$ND_BIN_DIR "$SRC/test/cni-exec" DEL "$(net "$n")" "$(jq -r .containerID "$f")" \
		"$(jq -r .netns "$f")" "$(jq -r .ifname "$f")"
done
for n in bridge isolated_nw local_alias my-network; do
	GC_VALID='[]' "$SRC/test/cni-exec" GC "$(net "$n")"
done
say "all networks removed: $(ls "$NETDOCK_RUN_DIR/networks" | wc -l) left"
