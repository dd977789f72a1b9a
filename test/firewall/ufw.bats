#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# A host with ufw enabled on its default rules (DEFAULT_FORWARD_POLICY="DROP"); ufw
# itself runs inside the host with its files copied to a private root (--rootdir).

load lib

setup_file() {
	fw_host_new ufw
	export FW_UFW_ROOT=$FW_DIR/ufw
	mkdir -p "$FW_UFW_ROOT/etc/default" "$FW_UFW_ROOT/lib" "$FW_UFW_ROOT/usr/share"
	cp -a /etc/ufw "$FW_UFW_ROOT/etc/"
	cp /etc/default/ufw "$FW_UFW_ROOT/etc/default/"
	cp -a /lib/ufw "$FW_UFW_ROOT/lib/"
	cp -a /usr/share/ufw "$FW_UFW_ROOT/usr/share/"
	on_host sysctl -qw net.ipv4.ip_forward=1
	on_host ufw --rootdir="$FW_UFW_ROOT" --datadir="$FW_UFW_ROOT" --force enable >/dev/null 2>&1
	export FW_IPT=iptables-nft FW_CHAIN=ufw-user-forward
}
teardown_file() { fw_host_del; }
setup() { nd_setup; }
teardown() { fw_teardown; }

@test "ufw: its FORWARD drops; the containers of a network still reach each other" {
	run on_host iptables-nft -S FORWARD
	assert_line "-P FORWARD DROP"
	run on_host ip6tables-nft -S FORWARD
	assert_line "-P FORWARD DROP"
	fw_check_same_network
	fw_check_rule_lines iptables-nft ufw-user-forward
	fw_check_rule_lines ip6tables-nft ufw6-user-forward
}

@test "ufw: egress through masquerade" { fw_check_egress; }
@test "ufw: a published port from another machine, an unpublished one stays closed" { fw_check_published; }
@test "ufw: two networks stay isolated" { fw_check_isolation; }
@test "ufw: an internal network stays closed" { fw_check_internal; }
@test "ufw: icc=false keeps a network's containers apart" { fw_check_icc; }
@test "ufw: rules never doubled, re-added after ufw reload, gone with the last network" {
	fw_check_owned ufw --rootdir="$FW_UFW_ROOT" --datadir="$FW_UFW_ROOT" reload
	assert_equal "$(fw_rules ip6tables-nft ufw6-user-forward)" ""
}
