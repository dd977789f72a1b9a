# SPDX-License-Identifier: MIT
# ipam-subnet test helpers: run the plugin alone, as bridge would delegate to it.

load ../helpers

# ipam_conf NAME IPAM_JSON [VERSION]: a network config whose ipam section is IPAM_JSON.
ipam_conf() {
	nd_conf "$1.json" "{\"cniVersion\":\"${3:-1.0.0}\",\"name\":\"$1\",\"type\":\"bridge\",\"ipam\":$2}"
}

# ipam VERB CONF CID [IFNAME]: runs ipam-subnet; use with bats `run`.
ipam() {
	nd_plugin ipam-subnet "$1" "$2" "$3" /var/run/netns/none "${4:-eth0}"
}

# ipam_addr OUTPUT [N]: the address (without prefix) of ips[N] in a result.
ipam_addr() {
	jq -r ".ips[${2:-0}].address" <<<"$1" | cut -d/ -f1
}
