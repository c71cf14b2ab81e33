#!/usr/bin/env python3
"""The scan against ripgrep on application repositories, side by side.

    python3 benches/apps_vs_rg.py CHECKOUTS [--bin target/release/blastmap]
                                  [--rg PATH] [--runs 5]

CHECKOUTS is a folder of application checkouts, one per sub-folder (the
labelled applications of benches/realworld/, extracted at the commits that
benches/realworld/apps.md records). For each one, `blastmap scan DIR
--format json` and `rg --hidden --no-ignore -F -f PATTERNS` (the catalog's
names, as benches/scan_vs_rg.sh builds them, with blastmap's default
excludes and size limit) run alternately RUNS times after one warm-up of
each; the medians and their ratio are printed, then the totals. Both write
their output to a file (ripgrep stops at the first match when its output
is /dev/null).

Nothing from the checkouts is executed. ripgrep comes from the PATH or
from bench-work/tools/bin (benches/scan_vs_rg.sh installs it there).
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def patterns(binary):
    data = json.loads(subprocess.run([binary, "catalog", "--format", "json"],
                                     check=True, capture_output=True).stdout)
    names = set()
    for v in data["vendors"]:
        for lst in (v.get("packages") or {}).values():
            names.update(lst)
        for lang, lst in (v.get("imports") or {}).items():
            if lang != "js":  # JS "imports" are global objects, not searched
                names.update(lst)
        for key in ("domains", "config_keys", "snippets"):
            names.update(v.get(key) or [])
    return sorted(x.strip() for x in names if x.strip())


def timed(cmd, out):
    with open(out, "wb") as f:
        t = time.perf_counter()
        subprocess.run(cmd, stdout=f, stderr=subprocess.DEVNULL)
        return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("checkouts", nargs="?")
    ap.add_argument("--print-patterns", action="store_true",
                    help="print the catalog's names, one per line, and stop "
                    "(benches/scan_vs_rg.sh searches for the same)")
    ap.add_argument("--bin", default=os.path.join(REPO, "target/release/blastmap"))
    ap.add_argument("--rg", default=shutil.which("rg")
                    or os.path.join(REPO, "bench-work/tools/bin/rg"))
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    if a.print_patterns:
        print("\n".join(patterns(a.bin)))
        return
    if not a.checkouts:
        ap.error("CHECKOUTS is required")
    if not os.path.exists(a.rg):
        sys.exit(f"ripgrep not found at {a.rg}: install it, or run benches/scan_vs_rg.sh once")
    work = tempfile.mkdtemp(prefix="apps-vs-rg-")
    pat = os.path.join(work, "patterns.txt")
    with open(pat, "w") as f:
        f.write("\n".join(patterns(a.bin)) + "\n")
    apps = sorted(d for d in os.listdir(a.checkouts)
                  if os.path.isdir(os.path.join(a.checkouts, d)))
    print(f"{'app':<18} {'files':>7} {'blastmap s':>10} {'rg s':>7} {'ratio':>6}")
    tot_b = tot_r = 0.0
    for app in apps:
        tree = os.path.join(a.checkouts, app)
        files = sum(len(fs) for _, _, fs in os.walk(tree))
        scan = [a.bin, "scan", tree, "--format", "json"]
        rg = [a.rg, "--hidden", "--no-ignore", "-F", "-f", pat, "--max-filesize", "2M",
              "-g", "!node_modules", "-g", "!vendor", "-g", "!dist", "-g", "!build",
              "-g", "!target", "-g", "!.git", "-g", "!*.min.js", "-g", "!*.min.css",
              "-g", "!*.map", tree]
        timed(scan, os.path.join(work, "scan.json"))
        timed(rg, os.path.join(work, "rg.out"))
        bs, rs = [], []
        for _ in range(a.runs):
            bs.append(timed(scan, os.path.join(work, "scan.json")))
            rs.append(timed(rg, os.path.join(work, "rg.out")))
        b, r = statistics.median(bs), statistics.median(rs)
        tot_b += b
        tot_r += r
        print(f"{app:<18} {files:>7} {b:>10.3f} {r:>7.3f} {b / r:>6.2f}")
    print(f"{'total':<18} {'':>7} {tot_b:>10.3f} {tot_r:>7.3f} {tot_b / tot_r:>6.2f}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
