#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Compares every host's overlay state with etcd: FDB, neighbour and flood
entries, mirrored run-dir records, and the endpoints each host publishes.
Prints the stale and missing counts per host and in total; exits 0 only
when both totals are 0.
  converge.py --id ID --tmp DIR --prefix /nd --hosts "1 2 3" -- ETCDCTL...
"""
import argparse, base64, glob, json, os, subprocess, sys

ZERO = "00:00:00:00:00:00"


def etcd_endpoints(cmd, prefix):
    out = subprocess.run(cmd + ["get", "--prefix", prefix + "/endpoints/", "-w", "json"],
                         check=True, capture_output=True, text=True).stdout
    kvs = json.loads(out).get("kvs", [])
    res = []
    for kv in kvs:
        key = base64.b64decode(kv["key"]).decode()
        val = base64.b64decode(kv.get("value", "")).decode()
        parts = key[len(prefix + "/endpoints/"):].split("/")
        if len(parts) != 3:
            continue
        try:
            rec = json.loads(val)
        except ValueError:
            continue
        res.append((parts[0], parts[1], parts[2], rec))
    return res


def host_json(ns, args):
    out = subprocess.run(["ip", "netns", "exec", ns] + args, capture_output=True,
                         text=True).stdout
    return json.loads(out) if out.strip() else []


def local_nets(run):
    nets = {}
    for f in glob.glob(run + "/overlay/*.json"):
        o = json.load(open(f))
        nets[o["name"]] = o
    return nets


def records(run, nets):
    remote, local = set(), set()
    for net in nets:
        for f in glob.glob("%s/endpoints/%s/*.json" % (run, net)):
            rec = json.load(open(f))
            name = os.path.basename(f)
            if rec.get("host"):
                remote.add((net, name, rec["host"], rec.get("mac", "")))
            else:
                local.add((net, name))
    return remote, local


def diff(label, want, have, counts, verbose):
    stale, missing = have - want, want - have
    counts[0] += len(stale)
    counts[1] += len(missing)
    if verbose and (stale or missing):
        print("  %s stale=%s missing=%s" % (label, sorted(stale)[:5], sorted(missing)[:5]))
    return "%s %d/%d" % (label, len(stale), len(missing))


def check_host(i, args, eps, total):
    ns = "nd-%s-h%s" % (args.id, i)
    run = "%s/h%s/run" % (args.tmp, i)
    me = "h%s" % i
    nets = local_nets(run)
    vx = {o["vxlan"]: o for o in nets.values()}
    want_fdb, want_neigh, want_rec, want_pub = set(), set(), set(), set()
    for net, host, name, rec in eps:
        if host == me:
            want_pub.add((net, name))
            continue
        if net not in nets:
            continue
        dev = nets[net]["vxlan"]
        want_fdb.add((dev, rec["mac"], rec["host"]))
        want_fdb.add((dev, ZERO, rec["host"]))
        for a in rec.get("ips", []):
            want_neigh.add((dev, a.split("/")[0], rec["mac"]))
        want_rec.add((net, name, rec["host"], rec["mac"]))
    have_fdb = set()
    for e in host_json(ns, ["bridge", "-j", "fdb", "show"]):
        if e.get("ifname") in vx and e.get("dst") and "self" in e.get("flags", []):
            have_fdb.add((e["ifname"], e["mac"], e["dst"]))
    have_neigh = set()
    for e in host_json(ns, ["ip", "-j", "neigh", "show"]):
        if e.get("dev") in vx and e.get("lladdr"):
            have_neigh.add((e["dev"], e["dst"], e["lladdr"]))
    have_rec, have_local = records(run, nets)
    # Only networks with a VTEP publish (one with no store stays local).
    have_local = {(n, f) for n, f in have_local if nets[n].get("vtep")}
    counts = [0, 0]
    parts = [diff("fdb", want_fdb, have_fdb, counts, args.verbose),
             diff("neigh", want_neigh, have_neigh, counts, args.verbose),
             diff("records", want_rec, have_rec, counts, args.verbose),
             diff("published", have_local, want_pub, counts, args.verbose)]
    print("%s: %s (stale/missing); %d fdb, %d neigh, %d records" %
          (me, ", ".join(parts), len(want_fdb), len(want_neigh), len(want_rec)))
    total[0] += counts[0]
    total[1] += counts[1]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--id", required=True)
    p.add_argument("--tmp", required=True)
    p.add_argument("--prefix", required=True)
    p.add_argument("--hosts", required=True)
    p.add_argument("--verbose", action="store_true")
    p.add_argument("cmd", nargs=argparse.REMAINDER)
    args = p.parse_args()
    cmd = args.cmd[1:] if args.cmd and args.cmd[0] == "--" else args.cmd
    eps = etcd_endpoints(cmd, args.prefix)
    total = [0, 0]
    for i in args.hosts.split():
        check_host(i, args, eps, total)
    print("stale=%d missing=%d" % tuple(total))
    sys.exit(0 if total == [0, 0] else 1)


main()
