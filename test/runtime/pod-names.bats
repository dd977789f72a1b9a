#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Kubernetes pod names through netdock-dnsd: the same pod name in two
# namespaces, kept apart (README "Kubernetes pods").

load ../dns/lib

setup() {
	nd_setup
	upstream_start
}
teardown() { nd_teardown; }

pod() { # CONTAINER NAMESPACE POD NET
	CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAMESPACE=$2;K8S_POD_NAME=$3;K8S_POD_INFRA_CONTAINER_ID=$(nd_cid "$1")" \
		br_add "$4" "$1" >/dev/null
}

@test "a bare pod name answers its own namespace; <pod>.<namespace> answers everyone" {
	N=$(br_net pods '[{"subnet":"10.247.0.0/24"}]')
	pod web-prod prod web "$N"
	pod web-dev dev web "$N"
	pod client-prod prod client "$N"
	pod plain-ctr "" plain "$N"
	dnsd_start
	prod=$(addr_on web-prod "$N")
	dev=$(addr_on web-dev "$N")
	gw=10.247.0.1
	assert_equal "$(q client-prod web A "$gw")" "$prod"
	assert_equal "$(q client-prod web.dev A "$gw")" "$dev"
	assert_equal "$(q client-prod web.prod A "$gw")" "$prod"
	assert_equal "$(q web-dev web A "$gw")" "$dev"
	# a container outside Kubernetes sees no bare pod name, only the qualified ones
	assert_equal "$(q plain-ctr web A "$gw")" ""
	assert_equal "$(q plain-ctr web.prod A "$gw")" "$prod"
}
