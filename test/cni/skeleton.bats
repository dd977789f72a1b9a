#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The CNI skeleton every plugin shares, exercised through ipam-subnet.

load ../ipam/lib

setup() {
	nd_setup
	IPAM='{"type":"ipam-subnet","subnets":[{"subnet":"10.90.0.0/24"},{"subnet":"fd00:90::/64"}]}'
}
teardown() { nd_teardown; }

code_of() { jq -r .code <<<"$1"; }
msg_of() { jq -r .msg <<<"$1"; }
quiet() { "$@" 2>>"$ND_TMP/stderr"; }

@test "VERSION lists every supported spec version, with and without stdin" {
	run quiet env CNI_COMMAND=VERSION "$ND_BIN_DIR/ipam-subnet" </dev/null
	assert_success
	assert_equal "$(jq -c .supportedVersions <<<"$output")" '["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]'
	run quiet env CNI_COMMAND=VERSION "$ND_BIN_DIR/ipam-subnet" <<<'{"cniVersion":"1.0.0"}'
	assert_success
	assert_equal "$(jq -r .cniVersion <<<"$output")" "1.0.0"
}

@test "results follow the config's version: 0.3.x/0.4.0 carry ips[].version, 1.x not" {
	for v in 0.3.0 0.3.1 0.4.0 1.0.0 1.1.0; do
		c=$(ipam_conf "v${v//./}" "$IPAM" "$v")
		sed -i "s/10.90.0.0/10.9${v:2:1}.${v:4:1}.0/; s/fd00:90/fd00:9${v:2:1}${v:4:1}/" "$c"
		run ipam ADD "$c" c1
		assert_success
		assert_equal "$(jq -r .cniVersion <<<"$output")" "$v"
		if [[ $v == 1.* ]]; then
			assert_equal "$(jq -r '.ips[0] | has("version")' <<<"$output")" false
		else
			assert_equal "$(jq -r '[.ips[].version] | join(",")' <<<"$output")" "4,6"
		fi
	done
}

@test "an unsupported cniVersion is code 1" {
	c=$(ipam_conf n "$IPAM" 0.2.0)
	run ipam ADD "$c" c1
	assert_failure
	assert_equal "$(code_of "$output")" 1
	assert_equal "$(msg_of "$output")" 'cniVersion "0.2.0" is not supported (0.3.0 to 1.1.0)'
}

@test "CHECK needs 0.4.0 or later" {
	c=$(ipam_conf n "$IPAM" 0.3.1)
	run ipam CHECK "$c" c1
	assert_failure
	assert_equal "$(code_of "$output")" 1
}

@test "missing or invalid environment variables are code 4, named" {
	c=$(ipam_conf n "$IPAM")
	run quiet env -u CNI_COMMAND "$ND_BIN_DIR/ipam-subnet" <"$c"
	assert_failure
	assert_equal "$(code_of "$output")" 4
	assert_equal "$(msg_of "$output")" "CNI_COMMAND is not set"
	run quiet env CNI_COMMAND=ADD CNI_NETNS=/x CNI_IFNAME=eth0 CNI_PATH=/x "$ND_BIN_DIR/ipam-subnet" <"$c"
	assert_equal "$(msg_of "$output")" "CNI_CONTAINERID is not set"
	run quiet env CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_IFNAME=eth0 CNI_PATH=/x "$ND_BIN_DIR/ipam-subnet" <"$c"
	assert_equal "$(msg_of "$output")" "CNI_NETNS is not set"
	run quiet env CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/x CNI_PATH=/x "$ND_BIN_DIR/ipam-subnet" <"$c"
	assert_equal "$(msg_of "$output")" "CNI_IFNAME is not set"
	run quiet env -u CNI_PATH CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/x CNI_IFNAME=eth0 "$ND_BIN_DIR/ipam-subnet" <"$c"
	assert_equal "$(msg_of "$output")" "CNI_PATH is not set"
	run quiet env CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/x CNI_IFNAME=this-name-is-too-long CNI_PATH=/x "$ND_BIN_DIR/ipam-subnet" <"$c"
	assert_equal "$(code_of "$output")" 4
	[[ $(msg_of "$output") == "CNI_IFNAME \"this-name-is-too-long\" is not a valid interface name"* ]]
	run quiet env CNI_COMMAND=ADD CNI_CONTAINERID=../etc CNI_NETNS=/x CNI_IFNAME=eth0 CNI_PATH=/x "$ND_BIN_DIR/ipam-subnet" <"$c"
	assert_equal "$(code_of "$output")" 4
	run quiet env CNI_COMMAND=BOGUS "$ND_BIN_DIR/ipam-subnet" <"$c"
	assert_equal "$(code_of "$output")" 4
}

@test "malformed JSON is code 6, a missing name code 7" {
	printf '{"cniVersion":"1.0.0", "name": ' >"$ND_TMP/bad.json"
	run ipam ADD "$ND_TMP/bad.json" c1
	assert_failure
	assert_equal "$(code_of "$output")" 6
	[[ $(msg_of "$output") == *"not a JSON object"* ]]
	run ipam ADD <(echo '[1,2]') c1
	assert_equal "$(code_of "$output")" 6
	c=$(nd_conf nn.json '{"cniVersion":"1.0.0","type":"bridge","ipam":{}}')
	run ipam ADD "$c" c1
	assert_equal "$(code_of "$output")" 7
	[[ $(msg_of "$output") == "name must be"* ]]
}

@test "oversized stdin is refused, not read without bound" {
	head -c 5000000 /dev/zero | tr '\0' ' ' >"$ND_TMP/huge.json"
	run ipam ADD "$ND_TMP/huge.json" c1
	assert_failure
	assert_equal "$(code_of "$output")" 6
	[[ $(msg_of "$output") == *"exceeds"* ]]
}

@test "CNI_ARGS: unknown keys need IgnoreUnknown, malformed pairs are code 4" {
	c=$(ipam_conf n "$IPAM")
	CNI_ARGS="FOO=bar" run ipam ADD "$c" c1
	assert_failure
	assert_equal "$(code_of "$output")" 4
	assert_equal "$(msg_of "$output")" "CNI_ARGS key FOO is unknown (set IgnoreUnknown=1 to allow it)"
	CNI_ARGS="IgnoreUnknown=1;FOO=bar;K8S_POD_NAME=web" run ipam ADD "$c" c1
	assert_success
	CNI_ARGS="novalue" run ipam ADD "$c" c2
	assert_equal "$(code_of "$output")" 4
	CNI_ARGS="MAC=zz:zz" run ipam ADD "$c" c2
	assert_equal "$(code_of "$output")" 4
}

@test "runtimeConfig with wrong types is code 7 naming the path" {
	c=$(ipam_conf n "$IPAM")
	jq '.runtimeConfig = {"portMappings":[{"hostPort":"x","containerPort":80}]}' "$c" >"$ND_TMP/p.json"
	run ipam ADD "$ND_TMP/p.json" c1
	assert_equal "$(code_of "$output")" 7
	assert_equal "$(msg_of "$output")" "runtimeConfig.portMappings[0].hostPort must be a whole number, not \"x\""
	jq '.runtimeConfig = {"aliases":"web"}' "$c" >"$ND_TMP/a.json"
	run ipam ADD "$ND_TMP/a.json" c1
	assert_equal "$(code_of "$output")" 7
	jq '.runtimeConfig = {"portMappings":[{"containerPort":80,"protocol":"icmp"}]}' "$c" >"$ND_TMP/q.json"
	run ipam ADD "$ND_TMP/q.json" c1
	[[ $(msg_of "$output") == *'protocol "icmp" is not tcp, udp or sctp'* ]]
}

@test "a prevResult that is not a result is refused by ADD, and does not stop DEL" {
	c=$(ipam_conf n "$IPAM")
	jq '.prevResult = {"ips":[{"address":"nonsense"}]}' "$c" >"$ND_TMP/p.json"
	run ipam ADD "$ND_TMP/p.json" c1
	assert_failure
	assert_equal "$(code_of "$output")" 7
	[[ $(msg_of "$output") == 'prevResult.ips[0].address "nonsense" is not a CIDR'* ]]
	run ipam DEL "$ND_TMP/p.json" c1
	assert_success
}

@test "DEL without CNI_NETNS succeeds, as after the container is gone" {
	c=$(ipam_conf n "$IPAM")
	run quiet env CNI_COMMAND=DEL CNI_CONTAINERID=c1 CNI_IFNAME=eth0 CNI_PATH=/x "$ND_BIN_DIR/ipam-subnet" <"$c"
	assert_success
	assert_output ""
}
