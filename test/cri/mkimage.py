#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Builds the cri suite's two images as one OCI image-layout archive, from the
# host's static busybox (no registry is reachable): a pause image for the pod
# sandboxes and a busybox image for the containers, sharing one layer.
#   mkimage.py OUT.tar PAUSE_REF BUSYBOX_REF
import hashlib
import io
import json
import platform
import subprocess
import sys
import tarfile

BUSYBOX = "/bin/busybox"
ARCH = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "ppc64le": "ppc64le",
        "s390x": "s390x", "riscv64": "riscv64"}[platform.machine()]


def entry(name, kind=tarfile.REGTYPE, mode=0o755, data=b"", link=""):
    ti = tarfile.TarInfo(name)
    ti.type, ti.mode, ti.linkname, ti.size = kind, mode, link, len(data)
    return ti, io.BytesIO(data) if data else None


def layer():
    """The root filesystem: busybox, a link per applet, the usual directories."""
    with open(BUSYBOX, "rb") as f:
        bb = f.read()
    applets = subprocess.run([BUSYBOX, "--list"], check=True, capture_output=True,
                             text=True).stdout.split()
    items = [entry(d, tarfile.DIRTYPE) for d in ("bin", "dev", "etc", "proc", "root", "sys", "var")]
    items.append(entry("tmp", tarfile.DIRTYPE, 0o1777))
    items.append(entry("bin/busybox", data=bb))
    items += [entry("bin/" + a, tarfile.SYMTYPE, 0o777, link="busybox")
              for a in sorted(set(applets)) if a != "busybox"]
    items.append(entry("etc/passwd", mode=0o644, data=b"root:x:0:0:root:/root:/bin/sh\n"))
    items.append(entry("etc/group", mode=0o644, data=b"root:x:0:\n"))
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for ti, data in items:
            t.addfile(ti, data)
    return buf.getvalue()


def main(out, pause_ref, busybox_ref):
    blobs = {}

    def blob(data, media):
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        blobs[digest] = data
        return {"mediaType": media, "digest": digest, "size": len(data)}

    lay = blob(layer(), "application/vnd.oci.image.layer.v1.tar")
    manifests = []
    for ref, cmd in ((pause_ref, ["/bin/sleep", "2147483647"]), (busybox_ref, ["/bin/sh"])):
        config = {"architecture": ARCH, "os": "linux",
                  "config": {"Env": ["PATH=/bin"], "Cmd": cmd, "WorkingDir": "/"},
                  "rootfs": {"type": "layers", "diff_ids": [lay["digest"]]}}
        cfg = blob(json.dumps(config, sort_keys=True).encode(),
                   "application/vnd.oci.image.config.v1+json")
        manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": cfg, "layers": [lay]}
        m = blob(json.dumps(manifest, sort_keys=True).encode(),
                 "application/vnd.oci.image.manifest.v1+json")
        m["annotations"] = {"io.containerd.image.name": ref,
                            "org.opencontainers.image.ref.name": ref.rsplit(":", 1)[1]}
        m["platform"] = {"architecture": ARCH, "os": "linux"}
        manifests.append(m)
    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
             "manifests": manifests}
    with tarfile.open(out, "w") as t:
        files = [("oci-layout", json.dumps({"imageLayoutVersion": "1.0.0"}).encode()),
                 ("index.json", json.dumps(index, sort_keys=True).encode())]
        files += [("blobs/sha256/" + d.split(":")[1], data) for d, data in sorted(blobs.items())]
        for d in ("blobs", "blobs/sha256"):
            ti, _ = entry(d, tarfile.DIRTYPE)
            t.addfile(ti)
        for name, data in files:
            ti, f = entry(name, mode=0o644, data=data)
            t.addfile(ti, f)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: mkimage.py OUT.tar PAUSE_REF BUSYBOX_REF")
    main(*sys.argv[1:])
