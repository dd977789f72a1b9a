#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# A small CRI client for the cri suite: drives containerd's CRI plugin over its
# gRPC socket as the kubelet would, with the stubs generated from cri.proto.
#   cri.py --sock SOCK --gen DIR ready
#   cri.py ... run NAME [--namespace NS] [--pod-name POD] [--dns IP] [--annotation K=V]
#                  [--port HOST:CTR[/udp|/sctp][@HOSTIP]]... [--wait-tcp PORT] [-- CMD...]
#              a pod and its container; prints "POD CONTAINER POD_IP"
#   cri.py ... netns POD | pods | cniconf | image REF
#   cri.py ... exec CONTAINER -- CMD...    the command's output and exit status
#   cri.py ... stop POD | rm POD
# A refused call prints the runtime's own message on stderr and exits 1.
import argparse
import json
import sys
import time
import uuid

IMAGE = "localhost/netdock-test/busybox:1"


def pod_config(pb, a):
    cfg = pb.PodSandboxConfig(
        metadata=pb.PodSandboxMetadata(name=a.pod_name or a.name, namespace=a.namespace,
                                       uid=str(uuid.uuid4()), attempt=0),
        hostname=a.pod_name or a.name)
    if a.dns:
        cfg.dns_config.servers.append(a.dns)
    for p in a.port or []:
        proto, hostip = pb.TCP, ""
        if "@" in p:
            p, hostip = p.split("@", 1)
        if "/" in p:
            p, proto = p.split("/")[0], pb.Protocol.Value(p.split("/")[1].upper())
        host, ctr = p.split(":")
        cfg.port_mappings.add(protocol=proto, host_port=int(host), container_port=int(ctr),
                              host_ip=hostip)
    for kv in a.annotation or []:
        k, v = kv.split("=", 1)
        cfg.annotations[k] = v
    return cfg


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sock", required=True)
    ap.add_argument("--gen", required=True)
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("ready")
    sub.add_parser("cniconf")
    sub.add_parser("pods")
    r = sub.add_parser("run")
    r.add_argument("name")
    r.add_argument("--namespace", default="default")
    r.add_argument("--pod-name", help="the pod's name in Kubernetes (default NAME)")
    r.add_argument("--port", action="append")
    r.add_argument("--dns")
    r.add_argument("--annotation", action="append")
    r.add_argument("--wait-tcp", type=int, help="wait until the container listens on this port")
    sub.add_parser("image").add_argument("ref")
    for c in ("netns", "stop", "rm"):
        sub.add_parser(c).add_argument("pod")
    sub.add_parser("exec").add_argument("container")
    # A command follows "--" (argparse would take its options for ours).
    argv = sys.argv[1:]
    command = argv[argv.index("--") + 1:] if "--" in argv else []
    a = ap.parse_args(argv[:argv.index("--")] if "--" in argv else argv)
    a.command = command

    sys.path.insert(0, a.gen)
    import grpc
    import cri_pb2 as pb
    import cri_pb2_grpc as pbg

    ch = grpc.insecure_channel("unix://" + a.sock)
    rt, im = pbg.RuntimeServiceStub(ch), pbg.ImageServiceStub(ch)
    try:
        if a.cmd == "ready":
            # RuntimeReady and NetworkReady (the CNI conf is loaded), within 30 s.
            deadline = time.monotonic() + 30
            while True:
                try:
                    st = rt.Status(pb.StatusRequest(), timeout=2)
                    conds = {c.type: c for c in st.status.conditions}
                    if all(t in conds and conds[t].status for t in ("RuntimeReady", "NetworkReady")):
                        return 0
                    why = "; ".join(f"{c.type}={c.status} {c.reason} {c.message}" for c in conds.values())
                except grpc.RpcError as err:
                    why = err.details()
                if time.monotonic() > deadline:
                    print(f"cri.py: runtime not ready: {why}", file=sys.stderr)
                    return 1
                time.sleep(0.1)
        if a.cmd == "cniconf":
            # The CNI configuration the CRI plugin has loaded, as it reports it.
            print(rt.Status(pb.StatusRequest(verbose=True), timeout=10).info.get("cniconfig", ""))
            return 0
        if a.cmd == "image":
            # The image as the CRI plugin knows it (exit 1 if it does not yet).
            img = im.ImageStatus(pb.ImageStatusRequest(image=pb.ImageSpec(image=a.ref)), timeout=10).image
            print(img.id)
            return 0 if img.id else 1
        if a.cmd == "pods":
            for p in rt.ListPodSandbox(pb.ListPodSandboxRequest(), timeout=30).items:
                print(p.id)
            return 0
        if a.cmd == "run":
            cfg = pod_config(pb, a)
            pod = rt.RunPodSandbox(pb.RunPodSandboxRequest(config=cfg), timeout=60).pod_sandbox_id
            # The pod is reported at once, so that a failed container still gets removed.
            print(pod, end=" ", flush=True)
            cmd = a.command or ["sleep", "2147483647"]
            cc = pb.ContainerConfig(metadata=pb.ContainerMetadata(name="main"),
                                    image=pb.ImageSpec(image=IMAGE), command=cmd)
            ctr = rt.CreateContainer(pb.CreateContainerRequest(
                pod_sandbox_id=pod, config=cc, sandbox_config=cfg), timeout=60).container_id
            rt.StartContainer(pb.StartContainerRequest(container_id=ctr), timeout=60)
            if a.wait_tcp:
                deadline = time.monotonic() + 10
                while f":{a.wait_tcp} " not in rt.ExecSync(pb.ExecSyncRequest(
                        container_id=ctr, cmd=["netstat", "-ltn"], timeout=5), timeout=10).stdout.decode():
                    if time.monotonic() > deadline:
                        print(f"\ncri.py run: nothing listens on port {a.wait_tcp}", file=sys.stderr)
                        return 1
                    time.sleep(0.05)
            st = rt.PodSandboxStatus(pb.PodSandboxStatusRequest(pod_sandbox_id=pod), timeout=30)
            print(ctr, st.status.network.ip)
            return 0
        if a.cmd == "netns":
            # The sandbox's network namespace, from the OCI spec in the verbose info.
            st = rt.PodSandboxStatus(pb.PodSandboxStatusRequest(pod_sandbox_id=a.pod, verbose=True),
                                     timeout=30)
            spec = json.loads(st.info.get("info", "{}")).get("runtimeSpec", {})
            print(next((n.get("path", "") for n in spec.get("linux", {}).get("namespaces", [])
                        if n.get("type") == "network"), ""))
            return 0
        if a.cmd == "exec":
            res = rt.ExecSync(pb.ExecSyncRequest(container_id=a.container, cmd=a.command, timeout=20),
                              timeout=30)
            sys.stdout.write(res.stdout.decode(errors="replace"))
            sys.stderr.write(res.stderr.decode(errors="replace"))
            return res.exit_code
        if a.cmd == "stop":
            rt.StopPodSandbox(pb.StopPodSandboxRequest(pod_sandbox_id=a.pod), timeout=60)
            return 0
        if a.cmd == "rm":
            rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=a.pod), timeout=60)
            return 0
    except grpc.RpcError as err:
        print(f"\ncri.py {a.cmd}: {err.code().name}: {err.details()}", file=sys.stderr)
        return 1
    return 2


if __name__ == "__main__":
    sys.exit(main())
