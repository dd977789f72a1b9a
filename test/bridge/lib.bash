# SPDX-License-Identifier: MIT
# bridge test helpers: networks as conflists, containers as namespaces.

load ../helpers

# br_net NAME SUBNETS_JSON [EXTRA_JSON]: a bridge network conflist named NAME-$ND_ID
# (the id keeps the derived bridge name unique); prints its path.
br_net() {
	local name="$1-$ND_ID" extra=${3:-"{}"}
	jq -n --arg name "$name" --argjson subnets "$2" --argjson extra "$extra" '{
		cniVersion: "1.0.0", name: $name,
		plugins: [({type: "bridge",
			capabilities: {ips: true, mac: true, aliases: true, links: true},
			ipam: {type: "ipam-subnet", subnets: $subnets}} + $extra)]
	}' >"$ND_TMP/conf/$1.conflist"
	echo "$ND_TMP/conf/$1.conflist"
}

# br_add CONFLIST CONTAINER [IFNAME]: attaches namespace nd-$ND_ID-CONTAINER (created on
# first use) as a runtime would; CNI_ARGS and CAP_ARGS pass through. Use with `run`.
br_add() {
	local ns="nd-$ND_ID-$2"
	[ -e "/var/run/netns/$ns" ] || nd_ns "$2" >/dev/null
	nd_list ADD "$1" "$(nd_cid "$2")" "$ns" "${3:-eth0}"
}

# br_del CONFLIST CONTAINER [IFNAME]
br_del() {
	nd_list DEL "$1" "$(nd_cid "$2")" "nd-$ND_ID-$2" "${3:-eth0}"
}

# inside CONTAINER CMD...: runs CMD inside the container's namespace.
inside() {
	local ns="nd-$ND_ID-$1"
	shift
	ip netns exec "$ns" "$@"
}

# ip_of RESULT [N]: the address of ips[N] without its prefix length.
ip_of() { jq -r ".ips[${2:-0}].address" <<<"$1" | cut -d/ -f1; }

# reaches CONTAINER ADDRESS: one ping answered within a second.
reaches() { inside "$1" ping -c1 -W1 "$2" >/dev/null 2>&1; }

# bridge_of CONFLIST: the bridge the network's record names.
bridge_of() { jq -r .bridge "$NETDOCK_RUN_DIR/networks/$(jq -r .name "$1").json"; }

# br_check_del_gc CONFLIST NAME: CHECK, DEL, then GC with no valid attachment
# left; each must succeed (the last container of a network goes).
br_check_del_gc() {
	run nd_list CHECK "$1" "$(nd_cid "$2")" "nd-$ND_ID-$2"
	assert_success
	run br_del "$1" "$2"
	assert_success
	GC_VALID='[]' run nd_list GC "$1"
	assert_success
}
