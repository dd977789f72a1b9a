# SPDX-License-Identifier: MIT
# The walkthrough's steps; sourced by test/demo/run, which defines the verbs.

step "netdock network create simple-network: a subnet chosen at once, Docker's inspect"
say "this run's namespaces and nftables table carry the id $ID"
show netdock network create --subnet 172.17.0.0/16 -o com.docker.network.bridge.default_bridge=true bridge
show netdock network create simple-network
show netdock network inspect simple-network

step "Networks: isolated_nw (172.25.0.0/16), local_alias, my-network with host_binding_ipv4"
show netdock network create -d bridge --subnet 172.25.0.0/16 isolated_nw
show netdock network create -d bridge --subnet 172.26.0.0/24 local_alias
show netdock network create -o com.docker.network.bridge.host_binding_ipv4=172.23.0.1 --subnet 172.23.0.0/16 my-network
show netdock network ls
say "each is an ordinary conflist in $NETDOCK_CNI_CONF_DIR; the bridge is created at the first container"

step "Containers: container1 and container2 on the default bridge, container2 also on isolated_nw"
connect bridge container1
connect bridge container2
connect isolated_nw container2
show netdock network inspect -f '{{json .Containers}}' isolated_nw
step "container3 with --ip 172.25.3.3: Docker's MAC 02:42:ac:19:03:03"
connect isolated_nw container3 --ip 172.25.3.3
show ip -n "demo-$ID-container3" -br link show eth0
show ip -n "demo-$ID-container3" -br addr show eth0

step "Who reaches whom (same network yes, across networks no)"
ping_ container2 "$(addr container3 isolated_nw)" container3
ping_ container2 "$(addr container1 bridge)" container1
ping_ container1 172.25.3.3 container3
show nft list chain inet "$NETDOCK_NFT_TABLE" bridge-forward

step "Embedded DNS: netdock-dnsd follows the run dir"
"$ND_BIN_DIR/netdock-dnsd" --run-dir "$NETDOCK_RUN_DIR" 2>"$TMP/dnsd.log" &
PIDS+=($!)
for _ in $(seq 50); do inside container2 dig +short +time=1 +tries=1 @172.25.0.1 container3 | grep -q . && break; sleep 0.1; done
dig_ container2 172.25.0.1 container3
dig_ container2 172.17.0.1 container1
say "(the default bridge resolves no names, as in Docker)"

step "Links: container4 --link container5:c5 before container5 exists"
connect isolated_nw container4 --link container5:c5
dig_ container4 172.25.0.1 c5
connect isolated_nw container5 --link container4:c4
dig_ container4 172.25.0.1 c5
dig_ container5 172.25.0.1 c4

step "Network-scoped aliases: app on isolated_nw, scoped-app on local_alias"
connect isolated_nw container6 --alias app
connect local_alias container6 --alias scoped-app
connect local_alias container4
dig_ container4 172.25.0.1 app
dig_ container4 172.26.0.1 scoped-app
dig_ container5 172.25.0.1 scoped-app
connect isolated_nw container7 --alias app
dig_ container4 172.25.0.1 app
disconnect isolated_nw container6
say "container6 left isolated_nw"
dig_ container4 172.25.0.1 app

step "Publishing: a redis-like server on my-network, host binding 172.23.0.1, -P"
run redis my-network '{"portMappings":[{"hostPort":0,"containerPort":6379}]}'
ip netns exec "demo-$ID-redis" socat TCP-LISTEN:6379,fork,reuseaddr SYSTEM:'echo +PONG' 2>/dev/null &
PIDS+=($!)
port=$(jq -r '.ports[0].hostPort' "$NETDOCK_RUN_DIR/endpoints/my-network/$(cid redis)-eth0.json")
say "PORTS: 172.23.0.1:$port->6379/tcp"
for _ in $(seq 50); do inside redis ss -ltn | grep -q ':6379 ' && break; sleep 0.1; done
say "redis-cli -h 172.23.0.1 -p $port ping: $(socat -T2 - TCP:172.23.0.1:$port </dev/null)"
show nft list map inet "$NETDOCK_NFT_TABLE" portmap-addr4
show netdock network inspect -f '{{range .Containers}}{{.Name}} {{.IPv4Address}}{{end}}' my-network

step "Disconnect and remove"
disconnect isolated_nw container2
ping_ container2 172.25.3.3 container3
show netdock network rm isolated_nw || say "(refused: containers are still attached)"
for f in "$NETDOCK_RUN_DIR"/endpoints/*/*.json; do
	netdock network disconnect "$(basename "$(dirname "$f")")" "$(jq -r .containerID "$f")"
done
show netdock network rm bridge simple-network isolated_nw local_alias my-network
show netdock network ls
say "all networks removed: $(ls "$NETDOCK_RUN_DIR/networks" | wc -l) left"
