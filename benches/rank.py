#!/usr/bin/env python3
"""Benchmark: `blastmap rank` over a generated map of 100,000 flows, 20,000
fields and 5,000 vendors, side by side with a peer in the same run.

The peer is a straightforward Python implementation of the same received-set
fixed point (DESIGN.md) over the same file, loaded with PyYAML's C loader:
what a team would write by hand. Its per-vendor exposure counts are also
compared with blastmap's, so the benchmark doubles as a differential test.

    cargo build --release && python3 benches/rank.py [--flows N] [--runs R]

Prints wall time (best of R) and peak RSS for both, and the ratio.
"""
import argparse, json, os, random, resource, subprocess, sys, tempfile, time

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
    """The same fixed point, written plainly in Python."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(path) as fh:
        m = yaml.load(fh, Loader=loader)
    avail = {c: set(x.get("holds") or []) for c, x in m["components"].items()}
    for v in m["vendors"]:
        avail[v] = set()
    flows = m["flows"]
    for f in flows:  # a component sends what it lists
        if f["from"] in m["components"] and f["fields"] != "all":
            avail[f["from"]].update(f["fields"])
    out_edges = {}
    for f in flows:
        out_edges.setdefault(f["from"], []).append(f)
    work = list(avail)
    queued = set(work)
    while work:
        u = work.pop()
        queued.discard(u)
        for f in out_edges.get(u, []):
            add = avail[u] if f["fields"] == "all" else avail[u].intersection(f["fields"])
            before = len(avail[f["to"]])
            avail[f["to"]] |= add
            if len(avail[f["to"]]) != before and f["to"] not in queued:
                queued.add(f["to"])
                work.append(f["to"])
    return {v: len(avail[v]) for v in m["vendors"]}


def best_of(runs, fn):
    best, result = None, None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        d = time.perf_counter() - t
        best = d if best is None or d < best else best
    return best, result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--flows", type=int, default=100_000)
    ap.add_argument("--fields", type=int, default=20_000)
    ap.add_argument("--vendors", type=int, default=5_000)
    ap.add_argument("--components", type=int, default=2_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "blastmap"))
    a = ap.parse_args()
    if not os.path.exists(a.bin):
        sys.exit(f"{a.bin} not found: run `cargo build --release` first")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "blastmap.yaml")
        generate(path, a.flows, a.fields, a.vendors, a.components)
        size = os.path.getsize(path)
        print(f"map: {a.flows} flows, {a.fields} fields, {a.vendors} vendors, {a.components} components ({size / 1e6:.1f} MB)")

        def run_blastmap():
            p = subprocess.run([a.bin, "rank", "--map", path, "--format", "json"], capture_output=True)
            if p.returncode != 0:
                sys.exit(p.stderr.decode())
            return json.loads(p.stdout)

        t_bm, report = best_of(a.runs, run_blastmap)
        rss_bm = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        t_peer, counts = best_of(a.runs, lambda: peer(path))
        rss_peer = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        mine = {v["vendor"]: v["exposed"] for v in report["vendors"]}
        wrong = [v for v in counts if counts[v] != mine.get(v)]
        print(f"blastmap rank : {t_bm:7.3f} s   peak RSS {rss_bm:7.1f} MB   (ranks {len(mine)} vendors, scores and paths included)")
        print(f"python peer   : {t_peer:7.3f} s   peak RSS {rss_peer:7.1f} MB   (fixed point only, no scoring)")
        print(f"ratio blastmap/peer: {t_bm / t_peer:.2f}")
        print(f"exposure counts equal for {len(counts) - len(wrong)}/{len(counts)} vendors")
        if wrong:
            sys.exit(f"MISMATCH for {len(wrong)} vendors, e.g. {wrong[:5]}")


if __name__ == "__main__":
    main()
