#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Mutation sweep: every field of a plugin config and every CNI_* variable,
replaced by values of the wrong type, control characters, NULs, non-ASCII,
paths and oversized strings. Each case must end in success or in a CNI error
object with an allowed code whose msg names the field; a successful ADD is
DELeted again. Usage: sweep.py PLUGIN CONF_JSON NETNS_PATH VERBS [ENV_ONLY]
Prints one line per bad case and a summary "sweep: N cases, M bad"."""
import json, os, subprocess, sys, threading
from concurrent.futures import ThreadPoolExecutor

BIN = os.environ["ND_BIN_DIR"]
MUTATIONS = [12345, True, [], "", "a\u0000b\u0001\n\t", "\u00e9\u6f22\u5b57\U0001f642\u202e",
             "../x", "x" * 300]
# SWEEP_SHORT=1 (verbs swept a second time, the IPv6 config): one of each kind.
if os.environ.get("SWEEP_SHORT"):
    MUTATIONS = [12345, [], "a\u0000b\u0001\n\t", "\u00e9\u6f22\u5b57\U0001f642\u202e", "x" * 300]
ENV_MUTATIONS = ["", "a\x01b", "\u00e9\u6f22", "../x", "x" * 300, "/etc/passwd", "a b", ".", ".."]
if os.environ.get("SWEEP_SHORT"):
    ENV_MUTATIONS = ["", "a\x01b", "\u00e9\u6f22", "/etc/passwd", ".."]
# Codes a refusal of bad input may carry (README): never 100-102 (internal, kernel, nft).
ALLOWED = {1, 2, 3, 4, 6, 7, 103, 104, 105, 106, 107, 108, 109, 110}


def leaves(obj, path):
    """(path tuple, printable JSON path) for every key and list element."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            p = path + (k,)
            yield p
            yield from leaves(v, p)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            p = path + (i,)
            yield p
            yield from leaves(v, p)


def json_path(p):
    out = ""
    for k in p:
        out += "[%d]" % k if isinstance(k, int) else ("." if out else "") + k
    return out


def set_at(obj, p, value):
    for k in p[:-1]:
        obj = obj[k]
    obj[p[-1]] = value


def run(plugin, verb, conf, env, cid, ifname="eth0"):
    e = dict(os.environ)
    e.update({"CNI_COMMAND": verb, "CNI_CONTAINERID": cid, "CNI_IFNAME": ifname,
              "CNI_PATH": BIN})
    e.update(env)
    e = {k: v for k, v in e.items() if v is not None}
    text = conf if isinstance(conf, (bytes, str)) else json.dumps(conf)
    if isinstance(text, str):
        text = text.encode("utf-8", "surrogatepass")
    try:
        p = subprocess.run([os.path.join(BIN, plugin)], input=text, capture_output=True,
                           env=e, timeout=30, cwd=os.environ["SWEEP_CWD"])
    except ValueError:  # an environment string with a NUL cannot be passed at all
        return None
    return p


def judge(p, names, verb, base_msg):
    """None when fine, else a reason. names None: any field may be named."""
    if p is None:
        return None
    out = p.stdout.decode("utf-8", "replace").strip()
    if p.returncode == 0:
        if verb == "ADD":
            try:
                json.loads(out)
            except ValueError:
                return "success without a JSON result: %r" % out[:200]
        return None
    try:
        err = json.loads(out)
    except ValueError:
        return "exit %d without an error object: %r %r" % (p.returncode, out[:200], p.stderr[-300:])
    code, msg = err.get("code"), err.get("msg", "")
    if code not in ALLOWED:
        return "code %s: %s" % (code, msg)
    if msg == base_msg.get(verb):
        return None  # the unmutated config fails the same way: not this field's doing
    if names and code in (1, 2, 4, 6, 7) and not any(n in msg for n in names):
        return "code %s does not name %s: %s" % (code, names[0], msg)
    return None


def main():
    plugin, conf_file, netns, verbs = sys.argv[1:5]
    env_only = len(sys.argv) > 5
    base = json.load(open(conf_file))
    verbs = verbs.split(",")
    cases = bad = 0
    n = 0
    base_msg = {}
    fixed_cid = None
    if "CHECK" in verbs:
        # CHECK needs an attachment and its result: ADD one, CHECK it under every mutation.
        fixed_cid = "sweepbase"
        a = run(plugin, "ADD", base, {"CNI_NETNS": netns}, fixed_cid)
        if a.returncode != 0:
            print("BAD base ADD failed: %r" % a.stdout[:300])
            return 1
        base["prevResult"] = json.loads(a.stdout)
    for verb in verbs:
        b = run(plugin, verb, base, {"CNI_NETNS": netns}, fixed_cid or "sweepbase0")
        if b.returncode != 0:
            base_msg[verb] = json.loads(b.stdout).get("msg")
        elif verb == "ADD" and not fixed_cid:
            run(plugin, "DEL", base, {"CNI_NETNS": netns}, "sweepbase0")

    jobs = []
    lock = threading.Lock()
    local = threading.local()
    ids = iter(range(1, 1 << 30))
    workers_seen = iter(range(0, 64))

    def case(conf, env, names, what):
        jobs.append((conf, env, names, what))

    def one(job):
        nonlocal cases, bad
        conf, env, names, what = job
        if not hasattr(local, "ifname"):
            with lock:
                local.ifname = "eth%d" % next(workers_seen)
        for verb in verbs:
            with lock:
                k = next(ids)
            cid = fixed_cid if verb != "ADD" and fixed_cid else "sweep%d" % k
            env2 = {"CNI_NETNS": netns}
            env2.update(env)
            p = run(plugin, verb, conf, env2, env2.get("CNI_CONTAINERID", cid), local.ifname)
            why = judge(p, names, verb, base_msg)
            d = None
            if verb == "ADD" and p is not None and p.returncode == 0:
                d = run(plugin, "DEL", base, {"CNI_NETNS": netns}, cid, local.ifname)
            with lock:
                cases += 1
                if why:
                    bad += 1
                    print("BAD %s %s %s: %s" % (plugin, verb, what, why), flush=True)
                if d is not None and d.returncode != 0:
                    bad += 1
                    print("BAD %s DEL after %s: %r" % (plugin, what, d.stdout[:200]), flush=True)

    if not env_only:
        for p in leaves(base, ()):
            jp = json_path(p)
            keys = [k for k in p if not isinstance(k, int)]
            names = [jp, keys[-1]] if keys else [jp]
            for m in MUTATIONS:
                conf = json.loads(json.dumps(base))
                set_at(conf, p, m)
                # An emptied field is an absent one: what needed it may report it.
                empty = m in ([], {}, None)
                case(conf, {}, None if empty else names, "%s=%s" % (jp, json.dumps(m)[:40]))
            conf = json.loads(json.dumps(base))
            parent = conf
            for k in p[:-1]:
                parent = parent[k]
            del parent[p[-1]]
            # A missing field may be reported by what needed it (hostIP without ips).
            case(conf, {}, None, "%s removed" % jp)
        text = json.dumps(base)
        case(text + "garbage", {}, ["after the JSON"], "trailing garbage")
        case(text[:len(text) // 2], {}, ["JSON"], "truncated")
    for var in ("CNI_CONTAINERID", "CNI_IFNAME", "CNI_NETNS", "CNI_ARGS", "CNI_PATH"):
        for m in ENV_MUTATIONS:
            case(base, {var: m}, [var], "%s=%r" % (var, m[:20]))
    # ADD-only sweeps run two at a time (each worker its own CNI_IFNAME in the
    # one netns, concurrency that is legal CNI); GC and CHECK share state, one at a time.
    workers = int(os.environ.get("SWEEP_WORKERS", "2")) if verbs == ["ADD"] else 1
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(one, jobs))
    if fixed_cid:
        run(plugin, "DEL", base, {"CNI_NETNS": netns}, fixed_cid)
    print("sweep: %s %d cases, %d bad" % (plugin, cases, bad))
    return 1 if bad else 0


sys.exit(main())
