#!/usr/bin/env python3
"""Benchmark: `blastmap rank` over a generated map of 100,000 flows, 20,000
fields and 5,000 vendors, side by side with a peer in the same run.

The peer is a straightforward Python implementation of the same received-set
fixed point (ARCHITECTURE.md) over the same file, loaded with PyYAML's C loader:
what a team would write by hand. Its per-vendor exposure counts are also
compared with blastmap's, so the benchmark doubles as a differential test.

    cargo build --release && python3 benches/rank.py [--flows N] [--runs R]

Prints wall time (best of R) and peak RSS for both, and the ratio.
"""
import argparse, collections, json, os, random, resource, subprocess, sys, tempfile, time

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LEAVES = [
    "user.contact.email", "user.name", "user.contact.phone_number", "user.unique_id",
    "user.unique_id.organization", "user.location.imprecise", "user.location.precise",
    "user.device.os", "user.device.browser", "user.device.ip_address", "user.behavior.referrer",
    "user.authorization.credentials", "user.authorization.password", "user.content.private",
    "user.financial.credit_card", "user.demographic.date_of_birth", "user.government_id.passport_number",
    "user.contact.address.street", "user.health_and_medical", "user.device.device_id",
]


def generate(path, n_flows, n_fields, n_vendors, n_components, seed=7):
    rnd = random.Random(seed)
    out = ["version: 1", "system: generated", "subjects:"]
    for s in range(10):
        out.append(f"  s{s}: {{ count: {rnd.randint(1000, 5_000_000)}, regions: [{rnd.choice(['eu', 'us', 'in'])}] }}")
    out.append("fields:")
    for f in range(n_fields):
        out.append(f"  f{f}: {{ category: {rnd.choice(LEAVES)}, subject: s{rnd.randrange(10)} }}")
    out.append("components:")
    for c in range(n_components):
        holds = ", ".join(f"f{rnd.randrange(n_fields)}" for _ in range(rnd.randint(5, 40)))
        out.append(f"  c{c}: {{ kind: service, holds: [{holds}] }}")
    out.append("vendors:")
    for v in range(n_vendors):
        out.append(f"  v{v}: {{ name: Vendor {v}, category: other }}")
    out.append("flows:")
    for _ in range(n_flows):
        r = rnd.random()
        if r < 0.75:  # component -> vendor, explicit fields
            src, dst = f"c{rnd.randrange(n_components)}", f"v{rnd.randrange(n_vendors)}"
            fields = "[" + ", ".join(f"f{rnd.randrange(n_fields)}" for _ in range(rnd.randint(1, 8))) + "]"
        elif r < 0.95:  # vendor -> vendor forwarding
            src, dst = f"v{rnd.randrange(n_vendors)}", f"v{rnd.randrange(n_vendors)}"
            fields = "all" if rnd.random() < 0.1 else "[" + ", ".join(f"f{rnd.randrange(n_fields)}" for _ in range(rnd.randint(1, 8))) + "]"
        else:  # component -> component
            src, dst = f"c{rnd.randrange(n_components)}", f"c{rnd.randrange(n_components)}"
            fields = "all"
        if src == dst:
            continue
        out.append(f"  - {{ from: {src}, to: {dst}, fields: {fields} }}")
    with open(path, "w") as fh:
        fh.write("\n".join(out) + "\n")


def peer(path):
    """The same fixed point, written plainly in Python: field sets are Python
    integers used as bitsets, and a FIFO worklist revisits a node when its
    set grows."""
    if path.endswith(".json"):
        with open(path) as fh:
            m = json.load(fh)
    else:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        with open(path) as fh:
            m = yaml.load(fh, Loader=loader)
    bit = {f: 1 << i for i, f in enumerate(m["fields"])}
    for f in m["flows"]:  # categories used directly are fields too
        if f["fields"] != "all":
            for x in f["fields"]:
                if x not in bit:
                    bit[x] = 1 << len(bit)
    def mask(names):
        out = 0
        for n in names:
            out |= bit[n]
        return out
    avail = {c: mask(x.get("holds") or []) for c, x in m["components"].items()}
    for v in m["vendors"]:
        avail[v] = 0
    out_edges = {}
    for f in m["flows"]:
        sel = None if f["fields"] == "all" else mask(f["fields"])
        if sel is not None and f["from"] in m["components"]:
            avail[f["from"]] |= sel  # a component sends what it lists
        out_edges.setdefault(f["from"], []).append((f["to"], sel))
    work = collections.deque(avail)
    queued = set(work)
    while work:
        u = work.popleft()
        queued.discard(u)
        a = avail[u]
        for to, sel in out_edges.get(u, ()):
            add = a if sel is None else a & sel
            if add & ~avail[to]:
                avail[to] |= add
                if to not in queued:
                    queued.add(to)
                    work.append(to)
    return {v: bin(avail[v]).count("1") for v in m["vendors"]}


def timed(cmd):
    """Runs a command; returns (wall seconds, peak RSS in MB, stdout)."""
    with tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err)
        out = p.stdout.read()
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t
        p.returncode = os.waitstatus_to_exitcode(status)
        if p.returncode != 0:
            err.seek(0)
            sys.exit(f"{cmd[0]} failed: {err.read().decode()}")
    return wall, usage.ru_maxrss / 1024, out


def best_of(runs, cmd):
    best = None
    for _ in range(runs):
        r = timed(cmd)
        if best is None or r[0] < best[0]:
            best = r
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--flows", type=int, default=100_000)
    ap.add_argument("--fields", type=int, default=20_000)
    ap.add_argument("--vendors", type=int, default=5_000)
    ap.add_argument("--components", type=int, default=2_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "blastmap"))
    ap.add_argument("--peer", metavar="MAP", help=argparse.SUPPRESS)
    ap.add_argument("--generate", metavar="DIR", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.generate:  # in its own process, so that the parent stays small
        yaml_path = os.path.join(a.generate, "blastmap.yaml")
        generate(yaml_path, a.flows, a.fields, a.vendors, a.components)
        with open(yaml_path) as fh:
            doc = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        with open(os.path.join(a.generate, "blastmap.json"), "w") as fh:
            json.dump(doc, fh)
        return
    if a.peer:  # the peer, as its own process so that its time and memory are its own
        json.dump(peer(a.peer), sys.stdout)
        return
    if not os.path.exists(a.bin):
        sys.exit(f"{a.bin} not found: run `cargo build --release` first")
    with tempfile.TemporaryDirectory() as tmp:
        sizes = ["--flows", str(a.flows), "--fields", str(a.fields), "--vendors", str(a.vendors), "--components", str(a.components)]
        subprocess.run([sys.executable, os.path.abspath(__file__), "--generate", tmp, *sizes], check=True)
        yaml_path = os.path.join(tmp, "blastmap.yaml")
        json_path = os.path.join(tmp, "blastmap.json")
        print(f"map: {a.flows} flows, {a.fields} fields, {a.vendors} vendors, {a.components} components")
        for path in (yaml_path, json_path):
            compare(a, path)


def compare(a, path):
    size = os.path.getsize(path)
    print(f"\n== {os.path.basename(path)} ({size / 1e6:.1f} MB), best of {a.runs}")
    t_bm, rss_bm, out = best_of(a.runs, [a.bin, "rank", "--map", path, "--format", "json"])
    report = json.loads(out)
    t_peer, rss_peer, out = best_of(a.runs, [sys.executable, os.path.abspath(__file__), "--peer", path])
    counts = json.loads(out)
    mine = {v["vendor"]: v["exposed"] for v in report["vendors"]}
    wrong = [v for v in counts if counts[v] != mine.get(v)]
    print(f"blastmap rank : {t_bm:7.3f} s   peak RSS {rss_bm:7.1f} MB   (load, validate, graph, fixed point, score every vendor)")
    print(f"python peer   : {t_peer:7.3f} s   peak RSS {rss_peer:7.1f} MB   (load and fixed point only)")
    print(f"ratio blastmap/peer: {t_bm / t_peer:.2f}")
    print(f"exposure counts equal for {len(counts) - len(wrong)}/{len(counts)} vendors")
    if wrong:
        sys.exit(f"MISMATCH for {len(wrong)} vendors, e.g. {wrong[:5]}")


if __name__ == "__main__":
    main()
