#!/usr/bin/env python3
"""Scores `blastmap scan` against hand-labelled real applications.

    python3 benches/realworld/score.py CHECKOUTS [--bin target/release/blastmap]
                                       [--app NAME] [--misses] [--json OUT]

CHECKOUTS holds one extracted checkout per application, named like its
label file: `CHECKOUTS/chatwoot/` for `labels/chatwoot.tsv`, at the commit
the label file names (`apps.md` says how to get them). Nothing is fetched
here and nothing of the applications runs: blastmap only reads them.

What is measured (LABELLING.md defines the labels):

- vendor recall: labelled vendors that the scan reports as a production
  integration; vendor precision: reported production vendors that are
  labelled. A miss is `not-in-catalog` (the catalog has no such vendor) or
  `not-found`.
- call-site recall: `call` labels with a field finding of the same vendor
  in the same file within the label's lines (one line of slack either
  side); field-finding precision: field findings at call sites (not what an
  SDK collects by itself, which is catalog knowledge) that fall in a
  labelled call of the same vendor with a related category (the same, or
  one within the other). Each missed call gets a cause: `vendor-not-found`,
  `not-in-catalog`, `file-not-linked` (the vendor is found, but nothing in
  that file), `call-not-resolved` (evidence in the file, no field at the
  call), `wrong-category`.
- near-miss hits: `near` labels where the scan reports production evidence
  or a field of that vendor on that line.

Prints one table per application and the totals, by language too.
"""
import argparse
import collections
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

LANG = {
    ".js": "javascript", ".jsx": "javascript", ".mjs": "javascript", ".cjs": "javascript",
    ".ts": "typescript", ".tsx": "typescript", ".vue": "javascript", ".svelte": "javascript",
    ".py": "python", ".rb": "ruby", ".erb": "ruby", ".go": "go", ".java": "java",
    ".kt": "kotlin", ".kts": "kotlin", ".php": "php", ".swift": "swift", ".m": "objc",
    ".html": "html", ".hbs": "html",
}


def lang_of(path):
    return LANG.get(os.path.splitext(path)[1].lower(), "other")


def within(a, b):
    """True when taxonomy key a is b or below it."""
    return a == b or a.startswith(b + ".")


def related(a, b):
    return within(a, b) or within(b, a)


def parse_lines(s):
    if "-" in s:
        a, b = s.split("-", 1)
        return int(a), int(b)
    return int(s), int(s)


def load_labels(path):
    meta, rows = {}, []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if not line.strip():
                continue
            if line.startswith("#"):
                if ":" in line:
                    k, v = line[1:].split(":", 1)
                    meta[k.strip()] = v.strip()
                continue
            cols = line.split("\t")
            if cols[0] == "kind":
                continue
            if len(cols) < 5:
                sys.exit(f"{path}:{n}: expected at least 5 tab-separated columns, found {len(cols)}")
            kind, vendor, cats, file, lines = cols[:5]
            note = cols[5] if len(cols) > 5 else ""
            if kind not in ("vendor", "call", "near"):
                sys.exit(f"{path}:{n}: unknown kind `{kind}`")
            a, b = parse_lines(lines)
            rows.append({
                "kind": kind, "vendor": vendor.strip(), "file": file.strip(), "a": a, "b": b,
                "cats": [] if cats.strip() in ("-", "") else [c.strip() for c in cats.split(",") if c.strip()],
                "note": note, "at": f"{os.path.basename(path)}:{n}",
            })
    return meta, rows


def catalog_ids(binary):
    out = subprocess.run([binary, "catalog", "--format", "json"], capture_output=True, text=True, check=True)
    data = json.loads(out.stdout)
    items = data if isinstance(data, list) else data.get("vendors", [])
    return {v["id"] for v in items}


def scan(binary, checkout):
    t = time.time()
    out = subprocess.run([binary, "scan", checkout, "--format", "json"], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"blastmap scan {checkout} failed ({out.returncode}):\n{out.stderr}")
    return json.loads(out.stdout), time.time() - t


def is_collected(field):
    return field["name"].startswith("collected by the SDK")


def score_app(name, rows, result, catalog):
    prod = [i for i in result["integrations"] if i["scope"] == "production"]
    reported = {i["vendor"] for i in prod}
    # Everything the scan says per vendor, production only.
    evidence = collections.defaultdict(list)   # vendor -> [(file, line)]
    fields = collections.defaultdict(list)     # vendor -> [field]
    for i in prod:
        for e in i["evidence"]:
            if e.get("scope", "production") == "production":
                evidence[i["vendor"]].append((e["file"], e["line"]))
        for f in i["fields"]:
            if not is_collected(f):
                fields[i["vendor"]].append(f)

    r = {"app": name, "misses": [], "false_vendors": [], "false_fields": [], "near_hits": []}
    vendors = {x["vendor"]: x for x in rows if x["kind"] == "vendor"}
    r["vendors"] = len(vendors)
    r["vendors_found"] = sum(1 for v in vendors if v in reported)
    for v, x in sorted(vendors.items()):
        if v not in reported:
            cause = "not-in-catalog" if v not in catalog or x["note"].startswith("not-in-catalog") else "not-found"
            r["misses"].append(("vendor", cause, v, x["file"], x["a"], x["note"]))
    r["reported"] = len(reported)
    r["reported_true"] = sum(1 for v in reported if v in vendors)
    for v in sorted(reported - set(vendors)):
        ev = sorted(evidence[v]) or [("?", 0)]
        r["false_vendors"].append((v, ev[0][0], ev[0][1]))

    calls = [x for x in rows if x["kind"] == "call"]
    r["calls"] = len(calls)
    r["calls_found"] = 0
    r["by_lang"] = collections.defaultdict(lambda: [0, 0])
    for x in calls:
        lang = lang_of(x["file"])
        r["by_lang"][lang][1] += 1
        here = [f for f in fields[x["vendor"]]
                if f["file"] == x["file"] and x["a"] - 1 <= f["line"] <= x["b"] + 1]
        good = [f for f in here if not x["cats"] or any(related(f["category"], c) for c in x["cats"])]
        if good:
            r["calls_found"] += 1
            r["by_lang"][lang][0] += 1
            continue
        if x["vendor"] not in reported:
            cause = "not-in-catalog" if x["vendor"] not in catalog else "vendor-not-found"
        elif here:
            cause = "wrong-category"
        elif any(f == x["file"] for f, _ in evidence[x["vendor"]]) or any(
                f["file"] == x["file"] for f in fields[x["vendor"]]):
            cause = "call-not-resolved"
        else:
            cause = "file-not-linked"
        r["misses"].append(("call", cause, x["vendor"], x["file"], x["a"], ",".join(x["cats"])))

    # Field findings at call sites: each must fall in a labelled call.
    r["fields"] = 0
    r["fields_true"] = 0
    for v, fs in fields.items():
        for f in fs:
            r["fields"] += 1
            ok = any(
                x["vendor"] == v and x["file"] == f["file"] and x["a"] - 1 <= f["line"] <= x["b"] + 1
                and (not x["cats"] or any(related(f["category"], c) for c in x["cats"]))
                for x in calls)
            if ok:
                r["fields_true"] += 1
            else:
                r["false_fields"].append((v, f["file"], f["line"], f["category"], f["name"]))

    nears = [x for x in rows if x["kind"] == "near"]
    r["nears"] = len(nears)
    for x in nears:
        at = [(f, l) for f, l in evidence[x["vendor"]] if f == x["file"] and x["a"] <= l <= x["b"]]
        at += [(f["file"], f["line"]) for f in fields[x["vendor"]]
               if f["file"] == x["file"] and x["a"] <= f["line"] <= x["b"]]
        if at:
            r["near_hits"].append((x["vendor"], x["file"], x["a"], x["note"]))
    return r


def ratio(a, b):
    return f"{a / b:.2f}" if b else "-"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkouts")
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "blastmap"))
    ap.add_argument("--app", action="append", help="only these applications")
    ap.add_argument("--misses", action="store_true", help="list every miss, false finding and near-miss hit")
    ap.add_argument("--json", help="write the figures as JSON")
    args = ap.parse_args()
    if not os.path.exists(args.bin):
        sys.exit(f"{args.bin} not found: build it with `cargo build --release`")
    catalog = catalog_ids(args.bin)
    label_dir = os.path.join(HERE, "labels")
    apps = sorted(f[:-4] for f in os.listdir(label_dir) if f.endswith(".tsv"))
    if args.app:
        apps = [a for a in apps if a in args.app]
    results = []
    for app in apps:
        checkout = os.path.join(args.checkouts, app)
        meta, rows = load_labels(os.path.join(label_dir, app + ".tsv"))
        if not os.path.isdir(checkout):
            print(f"skip {app}: no checkout at {checkout} (commit {meta.get('commit', '?')})", file=sys.stderr)
            continue
        result, secs = scan(args.bin, checkout)
        r = score_app(app, rows, result, catalog)
        r["seconds"] = round(secs, 2)
        r["commit"] = meta.get("commit", "")
        results.append(r)
    if not results:
        sys.exit("no application scored")

    head = f"{'app':<20} {'vendors':>9} {'v.recall':>8} {'v.prec':>7} {'calls':>7} {'recall':>7} {'f.prec':>7} {'near':>6} {'scan s':>7}"
    print(head)
    print("-" * len(head))
    tot = collections.Counter()
    langs = collections.defaultdict(lambda: [0, 0])
    for r in results:
        print(f"{r['app']:<20} {r['vendors_found']:>4}/{r['vendors']:<4} {ratio(r['vendors_found'], r['vendors']):>8} "
              f"{ratio(r['reported_true'], r['reported']):>7} {r['calls_found']:>3}/{r['calls']:<3} "
              f"{ratio(r['calls_found'], r['calls']):>7} {ratio(r['fields_true'], r['fields']):>7} "
              f"{len(r['near_hits']):>2}/{r['nears']:<3} {r['seconds']:>7}")
        for k in ("vendors", "vendors_found", "reported", "reported_true", "calls", "calls_found", "fields", "fields_true", "nears"):
            tot[k] += r[k]
        tot["near_hits"] += len(r["near_hits"])
        for lang, (a, b) in r["by_lang"].items():
            langs[lang][0] += a
            langs[lang][1] += b
    print("-" * len(head))
    print(f"{'total':<20} {tot['vendors_found']:>4}/{tot['vendors']:<4} {ratio(tot['vendors_found'], tot['vendors']):>8} "
          f"{ratio(tot['reported_true'], tot['reported']):>7} {tot['calls_found']:>3}/{tot['calls']:<3} "
          f"{ratio(tot['calls_found'], tot['calls']):>7} {ratio(tot['fields_true'], tot['fields']):>7} "
          f"{tot['near_hits']:>2}/{tot['nears']:<3}")
    print()
    print("call-site recall by language: " + ", ".join(
        f"{lang} {a}/{b} ({ratio(a, b)})" for lang, (a, b) in sorted(langs.items())))
    causes = collections.Counter(m[1] for r in results for m in r["misses"])
    print("misses by cause: " + ", ".join(f"{c} {n}" for c, n in causes.most_common()))
    if args.misses:
        for r in results:
            print(f"\n== {r['app']}")
            for m in r["misses"]:
                print(f"  miss {m[0]:<6} {m[1]:<18} {m[2]:<22} {m[3]}:{m[4]}  {m[5]}")
            for v, f, l in r["false_vendors"]:
                print(f"  false vendor {v:<22} {f}:{l}")
            for v, f, l, c, n in r["false_fields"]:
                print(f"  false field  {v:<22} {f}:{l}  {c}  {n[:80]}")
            for v, f, l, note in r["near_hits"]:
                print(f"  near hit     {v:<22} {f}:{l}  {note}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"apps": results, "total": dict(tot), "by_language": langs}, fh, indent=2, default=list)


if __name__ == "__main__":
    main()
