#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# A network made by `netdock network create` keeps its subnet until `rm`, as
# Docker's does: a runtime's GC of the idle network must not free it for the
# next `create`.

load lib

setup() { cli_setup; }
teardown() { nd_teardown; }

@test "GC of an idle created network keeps its subnet; rm frees it" {
	a=$(net keep-a)
	nd network create "$a" >/dev/null
	sub=$(field "$a" '.IPAM.Config[0].Subnet')
	nd network connect "$a" "$(ns c1)" >/dev/null
	nd network disconnect "$a" "$(ns c1)"
	# what containerd or Podman send when the network has no attachments left
	GC_VALID='[]' CNI_CACHE_DIR=$ND_TMP/cache run "$ND_SRC/test/cni-exec" GC "$NETDOCK_CNI_CONF_DIR/$a.conflist"
	assert_success
	[ -f "$NETDOCK_LIB_DIR/subnets/$a" ]
	b=$(net keep-b)
	nd network create "$b" >/dev/null
	[ "$(field "$b" '.IPAM.Config[0].Subnet')" != "$sub" ]
	nd network rm "$a" >/dev/null
	[ ! -e "$NETDOCK_LIB_DIR/subnets/$a" ]
	c=$(net keep-c)
	nd network create "$c" >/dev/null
	assert_equal "$(field "$c" '.IPAM.Config[0].Subnet')" "$sub"
}
