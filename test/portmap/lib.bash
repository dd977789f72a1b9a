# SPDX-License-Identifier: MIT
# portmap test helpers: a network with portmap chained, listeners in containers,
# and an "outside" machine on a point-to-point link with the host.

load ../bridge/lib

# pm_net NAME SUBNETS_JSON [BRIDGE_EXTRA] [PORTMAP_EXTRA]: bridge + portmap conflist.
pm_net() {
	local c
	c=$(br_net "$1" "$2" "${3:-"{}"}")
	jq --argjson pm "${4:-"{}"}" '.plugins += [({type: "portmap", capabilities: {portMappings: true}} + $pm)]' \
		"$c" >"$c.tmp" && mv "$c.tmp" "$c"
	echo "$c"
}

# A UDP server answering every datagram at once, and a client that prints the first answer
# (socat's client waits out its -t timeout after stdin's EOF, and a slow answer is lost).
UDP_SERVER='
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", int(sys.argv[1])))
while True:
    _, peer = s.recvfrom(2048)
    s.sendto(sys.argv[2].encode() + b"\n", peer)
'
UDP_CLIENT='
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.settimeout(3)
s.sendto(b"ping\n", (sys.argv[1], int(sys.argv[2])))
print(s.recv(2048).decode().strip())
'

# listen CONTAINER PORT [udp]: a server answering "hello-CONTAINER" inside the container.
listen() {
	local ns="nd-$ND_ID-$1"
	if [ "${3:-}" = udp ]; then
		# socat's UDP fork mode lets a finishing child swallow the next client's datagram.
		ip netns exec "$ns" python3 -c "$UDP_SERVER" "$2" "hello-$1" 2>/dev/null 3>&- &
	else
		ip netns exec "$ns" socat "TCP6-LISTEN:$2,ipv6only=0,fork,reuseaddr" \
			SYSTEM:"echo hello-$1" 2>/dev/null 3>&- &
	fi
	nd_track_pid $!
	if [ "${3:-}" = udp ]; then
		nd_wait_for sh -c "ip netns exec $ns ss -lun | grep -q ':$2 '"
	else
		nd_wait_for sh -c "ip netns exec $ns ss -ltn | grep -q ':$2 '"
	fi
}

# fetch [NS|-] HOST PORT [udp]: what the server at HOST:PORT says (NS "-": from the host).
fetch() {
	local pre=() addr=$2
	[ "$1" != - ] && pre=(ip netns exec "$1")
	[[ $addr == *:* ]] && addr="[$addr]"
	if [ "${4:-}" = udp ]; then
		"${pre[@]}" python3 -c "$UDP_CLIENT" "$2" "$3" 2>/dev/null
	else
		"${pre[@]}" socat -T2 - "TCP:$addr:$3,connect-timeout=2" </dev/null 2>/dev/null
	fi
}

outside_setup() {
	OUT=$(nd_peer outside 10.250.0.1/30 10.250.0.2/30 fd00:250::2/64)
	ip addr add fd00:250::1/64 dev "o$ND_ID" nodad
}

# map_count MAP: elements in one of portmap's maps.
map_count() {
	nft -j list map inet "$NETDOCK_NFT_TABLE" "$1" | jq '[.nftables[] | .map? // empty | .elem // [] | length] | add // 0'
}
