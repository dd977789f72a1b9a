# SPDX-License-Identifier: MIT
# Host firewall helpers: a network namespace stands for a host that runs
# dockerd, ufw or firewalld; the plugins run inside it, containers and an
# "outside" machine are namespaces wired to it. One host per .bats file
# (setup_file), torn down with everything in it by teardown_file.

load ../portmap/lib

# fw_host_new KIND: the host namespace and its scratch dir ($FW_HOST, $FW_DIR).
fw_host_new() {
	FW_ID=$(printf '%04x' $((RANDOM)))
	FW_HOST="ndfw-$FW_ID-$1"
	FW_DIR=$(mktemp -d "/tmp/ndfw-$FW_ID.XXXXXX")
	ip netns add "$FW_HOST"
	ip -n "$FW_HOST" link set lo up
	: >"$FW_DIR/pids"
	export FW_ID FW_HOST FW_DIR
}

# fw_host_del: stops the daemons started for the host (by PID), then removes it.
fw_host_del() {
	local pid i
	[ -n "${FW_DIR:-}" ] || return 0
	while read -r pid; do
		[ -n "$pid" ] || continue
		kill "$pid" 2>/dev/null
		for i in $(seq 1 300); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
		kill -9 "$pid" 2>/dev/null
	done < <(tac "$FW_DIR/pids")
	ip netns del "$FW_HOST" 2>/dev/null
	rm -rf "$FW_DIR"
}

fw_track_pid() { echo "$1" >>"$FW_DIR/pids"; }

# on_host CMD...: runs CMD inside the host namespace (its own /sys, as a host has).
on_host() { ip netns exec "$FW_HOST" "$@"; }

# fw_dockerd [PATH_PREFIX]: dockerd 20.10 inside the host, its state in $FW_DIR; returns
# once its API answers. nsenter keeps the machine's cgroup mounts, which dockerd needs.
fw_dockerd() {
	local d=$FW_DIR/docker
	mkdir -p "$d"
	# As on a freshly booted host: dockerd turns routing on, and then sets FORWARD to DROP.
	on_host sysctl -qw net.ipv4.ip_forward=0
	PATH="${1:+$1:}$PATH" nsenter --net="/run/netns/$FW_HOST" dockerd --storage-driver vfs \
		--data-root "$d/data" --exec-root "$d/exec" --pidfile "$d/pid" -H "unix://$d/sock" \
		--containerd-namespace "ndfw$FW_ID" --containerd-plugins-namespace "ndfwp$FW_ID" \
		>"$d/log" 2>&1 3>&- &
	fw_track_pid $!
	for _ in $(seq 1 300); do
		curl -sf --unix-socket "$d/sock" http://d/_ping >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	cat "$d/log" >&2
	return 1
}

# fw_firewalld: firewalld (nftables backend) inside the host, on a private system bus of
# its own (dbus-daemon on a socket in $FW_DIR, exported as DBUS_SYSTEM_BUS_ADDRESS), its
# configuration a copy of /etc/firewalld; returns once it answers on D-Bus.
fw_firewalld() {
	local d=$FW_DIR/firewalld
	mkdir -p "$d/etc"
	cp -a /etc/firewalld "$d/etc/"
	cat >"$d/bus.conf" <<-EOF
		<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
		 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
		<busconfig>
		  <type>system</type>
		  <listen>unix:path=$d/bus</listen>
		  <auth>EXTERNAL</auth>
		  <policy context="default">
		    <allow user="root"/>
		    <allow own="*"/>
		    <allow send_destination="*" eavesdrop="true"/>
		    <allow eavesdrop="true"/>
		  </policy>
		</busconfig>
	EOF
	dbus-daemon --config-file="$d/bus.conf" --nofork >"$d/bus.log" 2>&1 3>&- &
	fw_track_pid $!
	export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$d/bus
	nd_wait_for test -S "$d/bus"
	nsenter --net="/run/netns/$FW_HOST" firewalld --nofork --nopid \
		--system-config "$d/etc/firewalld" --log-target file --log-file "$d/log" \
		>"$d/out" 2>&1 3>&- &
	fw_track_pid $!
	for _ in $(seq 1 300); do
		fw_zone lo >/dev/null 2>&1 && on_host nft list table inet firewalld >/dev/null 2>&1 &&
			return 0
		sleep 0.05
	done
	cat "$d/out" "$d/log" >&2
	return 1
}

# fw_zone IFNAME: the firewalld zone the interface is bound to ("" for none), over D-Bus.
fw_zone() {
	dbus-send --system --print-reply --dest=org.fedoraproject.FirewallD1 \
		/org/fedoraproject/FirewallD1 org.fedoraproject.FirewallD1.zone.getZoneOfInterface \
		"string:$1" | sed -n 's/^ *string "\(.*\)"$/\1/p'
	return "${PIPESTATUS[0]}"
}

# fw_legacy_bin: a PATH directory where iptables and ip6tables are the legacy ones.
fw_legacy_bin() {
	mkdir -p "$FW_DIR/legacy-bin"
	ln -sf /usr/sbin/iptables-legacy "$FW_DIR/legacy-bin/iptables"
	ln -sf /usr/sbin/ip6tables-legacy "$FW_DIR/legacy-bin/ip6tables"
	echo "$FW_DIR/legacy-bin"
}

# h_list VERB CONFLIST CONTAINER [IFNAME]: a conflist run inside the host, as libcni would.
h_list() {
	local ns="nd-$ND_ID-$3"
	[ -e "/var/run/netns/$ns" ] || nd_ns "$3" >/dev/null
	CNI_CACHE_DIR=$ND_TMP/cache ip netns exec "$FW_HOST" "$ND_SRC/test/cni-exec" "$1" "$2" \
		"$(nd_cid "$3")" "/var/run/netns/$ns" "${4:-eth0}" 2>>"$ND_TMP/stderr"
}

# h_gc CONFLIST: GC with no valid attachment left, as `network rm` does.
h_gc() {
	ip netns exec "$FW_HOST" env CNI_COMMAND=GC CNI_PATH="$CNI_PATH" "$ND_BIN_DIR/bridge" \
		< <(jq -c '.plugins[0] + {cniVersion, name, "cni.dev/valid-attachments": []}' "$1") \
		2>>"$ND_TMP/stderr"
}

# h_status CONFLIST: STATUS of the bridge plugin inside the host.
h_status() {
	ip netns exec "$FW_HOST" env CNI_COMMAND=STATUS CNI_PATH="$CNI_PATH" "$ND_BIN_DIR/bridge" \
		< <(jq -c '.plugins[0] + {cniVersion: "1.1.0", name}' "$1") 2>>"$ND_TMP/stderr"
}

# h_outside: a namespace on a point-to-point link with the host (10.250.0.1 host side).
h_outside() {
	local link="o$ND_ID"
	OUT=$(nd_ns outside)
	ip link add "$link" netns "$FW_HOST" type veth peer name eth0 netns "$OUT"
	on_host ip addr add 10.250.0.1/30 dev "$link"
	on_host ip link set "$link" up
	ip -n "$OUT" addr add 10.250.0.2/30 dev eth0
	ip -n "$OUT" link set eth0 up
}

# who_connects CONTAINER: the source address the outside machine sees for a TCP connection.
who_connects() {
	ip netns exec "$OUT" socat -T3 TCP-LISTEN:7000,reuseaddr SYSTEM:'echo $SOCAT_PEERADDR' >/dev/null 2>&1 3>&- &
	nd_track_pid $!
	nd_wait_for sh -c "ip netns exec $OUT ss -ltn | grep -q ':7000 '"
	inside "$1" socat -T3 - TCP:10.250.0.2:7000,connect-timeout=2 </dev/null
}

# tcp_reaches CONTAINER ADDRESS PORT: a TCP connection to a listener there is answered.
tcp_reaches() {
	[ -n "$(inside "$1" socat -T2 - "TCP:$2:$3,connect-timeout=2" </dev/null 2>/dev/null)" ]
}

# fw_rules CMD CHAIN: the rules netdock put in a chain (iptables -S, as a user lists them).
fw_rules() { on_host "$1" -w -S "$2" 2>/dev/null | grep -- '--comment "netdock ' || true; }

# fw_count: how many netdock rules the host's user chain ($FW_IPT, $FW_CHAIN) holds for net A.
fw_count() {
	local br
	br=$(bridge_of "$A")
	fw_rules "$FW_IPT" "$FW_CHAIN" | grep -c -- "--comment \"netdock $br\"" || true
}

# fw_networks: network A (portmap chained), B, and internal I, with subnets unique in the host.
fw_networks() {
	A=$(pm_net fa '[{"subnet":"10.231.0.0/24"}]')
	B=$(br_net fb '[{"subnet":"10.232.0.0/24"}]')
	I=$(br_net fi '[{"subnet":"10.233.0.0/24"}]' '{"internal":true}')
}

# fw_teardown: the test's networks leave the host (GC, as `network rm`), then the rest.
fw_teardown() {
	local n
	for n in "${A:-}" "${B:-}" "${I:-}"; do
		[ -n "$n" ] && h_gc "$n" >/dev/null
	done
	nd_teardown
}

# fw_check_rule_lines IPTABLES CHAIN: the chain holds netdock's two rules for A's bridge,
# exactly as iptables prints them back to a user.
fw_check_rule_lines() {
	local br
	br=$(bridge_of "$A")
	run fw_rules "$1" "$2"
	assert_line "-A $2 -i $br -m comment --comment \"netdock $br\" -j ACCEPT"
	assert_line "-A $2 -o $br -m conntrack --ctstate RELATED,ESTABLISHED,DNAT -m comment --comment \"netdock $br\" -j ACCEPT"
	assert_equal "${#lines[@]}" 2
	# and `iptables -L` (which stops at a rule it cannot parse) lists them too
	run on_host "$1" -w -L "$2" -n
	assert_success
	assert_equal "$(grep -c "/\* netdock $br \*/" <<<"$output")" 2
}

# fw_check_docker IPTABLES: dockerd's FORWARD drops and jumps to DOCKER-USER first, and
# a network's containers reach each other through netdock's rules there.
fw_check_docker() {
	run on_host "$1" -S FORWARD
	assert_line "-P FORWARD DROP"
	assert_line --index 1 "-A FORWARD -j DOCKER-USER"
	fw_check_same_network
	fw_check_rule_lines "$1" DOCKER-USER
}

# The behaviours each host firewall must keep (called by each suite's tests).
fw_check_same_network() {
	fw_networks
	run h_list ADD "$A" c1
	assert_success
	run h_list ADD "$A" c2
	assert_success
	c2=$(ip_of "$output")
	listen c2 80
	reaches c1 "$c2"
	assert_equal "$(fetch "nd-$ND_ID-c1" "$c2" 80)" hello-c2
}

fw_check_egress() {
	h_outside
	fw_networks
	run h_list ADD "$A" c1
	assert_success
	run who_connects c1
	assert_success
	assert_output "10.250.0.1"
}

fw_check_published() {
	h_outside
	fw_networks
	CAP_ARGS='{"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}]}' \
		run h_list ADD "$A" c1
	assert_success
	listen c1 80
	listen c1 81
	assert_equal "$(fetch "$OUT" 10.250.0.1 8080)" hello-c1
	# a port not published stays closed, even to a machine routing to the network
	ip -n "$OUT" route add 10.231.0.0/24 via 10.250.0.1
	assert_equal "$(fetch "$OUT" 10.231.0.2 81)" ""
}

fw_check_isolation() {
	fw_networks
	run h_list ADD "$A" c1
	assert_success
	run h_list ADD "$B" c3
	assert_success
	c3=$(ip_of "$output")
	listen c3 80
	# B's own container reaches c3, A's does not
	run h_list ADD "$B" c2
	assert_success
	reaches c2 "$c3"
	run reaches c1 "$c3"
	assert_failure
	assert_equal "$(fetch "nd-$ND_ID-c1" "$c3" 80)" ""
}

fw_check_internal() {
	h_outside
	fw_networks
	run h_list ADD "$I" c4
	assert_success
	inside c4 ip route add default via 10.233.0.1
	run reaches c4 10.250.0.2
	assert_failure
	reaches c4 10.233.0.1
	# while a container of a non-internal network gets out
	run h_list ADD "$A" c1
	assert_success
	reaches c1 10.250.0.2
}

# fw_check_owned FLUSH_CMD...: never duplicated, re-added after FLUSH_CMD, gone after GC.
fw_check_owned() {
	fw_networks
	run h_list ADD "$A" c1
	assert_success
	run h_list ADD "$A" c2
	assert_success
	assert_equal "$(fw_count)" 2
	run h_list CHECK "$A" c1
	assert_success
	run h_list ADD "$B" c3
	assert_success
	on_host "$@"
	assert_equal "$(fw_count)" 0
	# CHECK names the chain that lost them, then the next ADD puts them back
	run h_list CHECK "$A" c1
	assert_failure
	assert_equal "$(jq -r .code <<<"$output")" 108
	assert_output --partial "$FW_CHAIN holds 0 of netdock's 2 rules for $(bridge_of "$A")"
	run h_list ADD "$A" c5
	assert_success
	assert_equal "$(fw_count)" 2
	run h_list DEL "$A" c5
	run h_gc "$A"
	assert_success
	run h_gc "$B"
	assert_success
	assert_equal "$(fw_rules "$FW_IPT" "$FW_CHAIN")" ""
	assert_equal "$(on_host ip -o link show type bridge | grep -c ' br-')" 0
}

# fw_check_stale: a network whose bridge was deleted without GC (as Podman's `network rm`
# does) loses its rules at the next ADD of another network on the host.
fw_check_stale() {
	fw_networks
	run h_list ADD "$A" c1
	assert_success
	assert_equal "$(fw_count)" 2
	on_host ip link del "$(bridge_of "$A")"
	run h_list ADD "$B" c3
	assert_success
	assert_equal "$(fw_count)" 0
	assert_equal "$(fw_rules "$FW_IPT" "$FW_CHAIN" | grep -c "netdock $(bridge_of "$B")")" 2
}

# fw_check_icc: icc=false keeps two containers of one network apart under the host's
# firewall too, while both still reach the outside.
fw_check_icc() {
	h_outside
	N=$(br_net fc '[{"subnet":"10.235.0.0/24"}]' '{"options":{"com.docker.network.bridge.enable_icc":"false"}}')
	A=$N
	run h_list ADD "$N" c1
	assert_success
	run h_list ADD "$N" c2
	assert_success
	c2=$(ip_of "$output")
	listen c2 80
	run reaches c1 "$c2"
	assert_failure
	assert_equal "$(fetch "nd-$ND_ID-c1" "$c2" 80)" ""
	reaches c1 10.250.0.2
	reaches c2 10.250.0.2
}
