#!/usr/bin/env python3
"""Benchmark: does every command stay linear in the size of the map?

    cargo build --release && python3 benches/scale.py [--sizes 1000,5000,20000]
                                                      [--timeout 120] [--only CMD] [--runs 3]

Generates maps of N vendors (10 flows per vendor, 4 fields per vendor, N/5
components, some vendor-to-vendor forwarding) plus a variant where the
vendors form a ring of access grants (vendor i can read vendor i+1), runs
every command on each with the release binary, and prints wall time (the
median of --runs runs) and peak memory per size with the growth factor from
one size to the next. A command whose time or memory grows more than 1.5x faster than the map (a 4x larger
map costing more than 6x, once it costs more than 0.2 s or 64 MB) is marked
SUPER-LINEAR, and the script exits 1.

Standard library only; nothing is downloaded.
"""
import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "blastmap")
LEAVES = [
    "user.contact.email", "user.name", "user.contact.phone_number", "user.unique_id",
    "user.location.imprecise", "user.device.os", "user.device.ip_address",
    "user.authorization.credentials", "user.financial.credit_card", "user.content.private",
]
CATEGORIES = ["analytics", "crm", "email", "payments", "support", "ai", "error-monitoring", "other"]


def generate(path, n_vendors, ring=False, seed=11):
    rnd = random.Random(seed)
    n_fields = n_vendors * 4
    n_components = max(5, n_vendors // 5)
    out = ["version: 1", "system: generated", "subjects:"]
    for s in range(5):
        out.append(f"  s{s}: {{ count: {rnd.randint(1000, 2_000_000)}, regions: [eu, us] }}")
    out.append("fields:")
    for f in range(n_fields):
        out.append(f"  f{f}: {{ category: {rnd.choice(LEAVES)}, subject: s{rnd.randrange(5)} }}")
    out.append("components:")
    for c in range(n_components):
        holds = ", ".join(f"f{rnd.randrange(n_fields)}" for _ in range(rnd.randint(5, 30)))
        out.append(f"  c{c}: {{ kind: service, holds: [{holds}] }}")
    out.append("vendors:")
    for v in range(n_vendors):
        access = f", access: [v{(v + 1) % n_vendors}]" if ring else ""
        out.append(f"  v{v}: {{ name: Vendor {v}, category: {rnd.choice(CATEGORIES)}{access} }}")
    out.append("flows:")
    for _ in range(n_vendors * 10):
        if rnd.random() < 0.85:
            src, dst = f"c{rnd.randrange(n_components)}", f"v{rnd.randrange(n_vendors)}"
        else:
            src, dst = f"v{rnd.randrange(n_vendors)}", f"v{rnd.randrange(n_vendors)}"
            if src == dst:
                continue
        fields = ", ".join(f"f{rnd.randrange(n_fields)}" for _ in range(rnd.randint(1, 6)))
        out.append(f"  - {{ from: {src}, to: {dst}, fields: [{fields}] }}")
    with open(path, "w") as fh:
        fh.write("\n".join(out) + "\n")


def run(cmd, timeout):
    """Wall seconds and peak RSS (MB) of one command; None on a time-out."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        return None
    wall = time.perf_counter() - t
    if p.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}): {err.decode()[:500]}")
    return wall


def peak_rss(cmd, timeout):
    """Peak RSS in MB of one run, through a fresh Python child so that the
    running maximum of earlier children does not hide it."""
    code = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    try:
        out = subprocess.run([sys.executable, "-c", code] + cmd, capture_output=True, text=True,
                             timeout=timeout)
        return int(out.stdout.strip()) / 1024
    except (subprocess.TimeoutExpired, ValueError):
        return None


COMMANDS = [
    ("validate", lambda m: ["validate", m]),
    ("blast text", lambda m: ["blast", "v1", "--map", m]),
    ("blast json", lambda m: ["blast", "v1", "--map", m, "--format", "json"]),
    ("blast html", lambda m: ["blast", "v1", "--map", m, "--format", "html"]),
    ("rank text", lambda m: ["rank", "--map", m]),
    ("rank json", lambda m: ["rank", "--map", m, "--format", "json"]),
    ("graph html", lambda m: ["graph", "--map", m, "--format", "html"]),
    ("graph html --vendor", lambda m: ["graph", "--map", m, "--format", "html", "--vendor", "v1"]),
    ("graph mermaid", lambda m: ["graph", "--map", m, "--format", "mermaid"]),
    ("graph dot", lambda m: ["graph", "--map", m, "--format", "dot"]),
    ("graph json", lambda m: ["graph", "--map", m, "--format", "json"]),
    ("export cyclonedx", lambda m: ["export", "--map", m, "--format", "cyclonedx"]),
    ("export graphml", lambda m: ["export", "--map", m, "--format", "graphml"]),
    ("export cypher", lambda m: ["export", "--map", m, "--format", "cypher"]),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,5000,20000")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--only", action="append", help="only commands whose name starts with this")
    ap.add_argument("--bin", default=BIN)
    ap.add_argument("--runs", type=int, default=3,
                    help="timed runs per command and size; the median counts (one run on a shared "
                         "machine swings by 20%%)")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if not os.path.exists(args.bin):
        sys.exit(f"{args.bin} not found: run `cargo build --release` first")
    work = tempfile.mkdtemp(prefix="blastmap-scale-")
    maps = {}
    for n in sizes:
        for ring in (False, True):
            p = os.path.join(work, f"map-{n}{'-ring' if ring else ''}.yaml")
            generate(p, n, ring)
            maps[(n, ring)] = p
    print(f"maps in {work}: sizes {sizes} vendors, 10 flows per vendor; 'ring' adds an access ring")
    print()
    rows = []
    bad = []
    cmds = [(name + (" (ring)" if ring else ""), f, ring) for ring in (False, True) for name, f in COMMANDS
            if not ring or name.startswith(("blast", "rank", "graph html"))]
    if args.only:
        cmds = [c for c in cmds if c[0].startswith(tuple(args.only))]
    head = f"{'command':<28}" + "".join(f"{n:>10} s {'MB':>6}" for n in sizes) + "   growth (time, memory)"
    print(head)
    print("-" * len(head))
    for name, f, ring in cmds:
        cells, times, mems = [], [], []
        for n in sizes:
            cmd = [args.bin] + f(maps[(n, ring)])
            walls = [run(cmd, args.timeout) for _ in range(max(1, args.runs))]
            wall = None if None in walls else sorted(walls)[len(walls) // 2]
            mem = peak_rss(cmd, args.timeout) if wall is not None else None
            times.append(wall)
            mems.append(mem)
            cells.append(f"{wall:>12.2f} {mem:>6.0f}" if wall is not None else f"{'timeout':>12} {'-':>6}")
        growth = []
        flag = ""
        for i in range(1, len(sizes)):
            k = sizes[i] / sizes[i - 1]
            t0, t1, m0, m1 = times[i - 1], times[i], mems[i - 1], mems[i]
            if t1 is None:
                growth.append("timeout")
                flag = "SUPER-LINEAR"
                continue
            tg = t1 / max(t0, 1e-3)
            mg = (m1 or 0) / max(m0 or 1, 1)
            growth.append(f"{tg:.1f}x {mg:.1f}x")
            if (tg > 1.5 * k and t1 > 0.2) or (mg > 1.5 * k and (m1 or 0) > 64):
                flag = "SUPER-LINEAR"
        line = f"{name:<28}" + "".join(cells) + "   " + ", ".join(growth) + ("  " + flag if flag else "")
        print(line, flush=True)
        rows.append(line)
        if flag:
            bad.append(name)
    print()
    if bad:
        print("super-linear: " + ", ".join(bad))
        sys.exit(1)
    print("every command grows at most linearly (within 1.5x of the map's growth)")


if __name__ == "__main__":
    main()
