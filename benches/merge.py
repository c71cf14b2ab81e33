#!/usr/bin/env python3
"""Benchmark: `blastmap merge` of 1,000 repository outputs (generated scan
JSON for every repository, plus a blastmap.yaml for 30% of them), then
`blastmap rank` over the merged organisation map; side by side with peers
on the same files in the same run:

- a plain Python merge of the same files with the same semantics (ids
  namespaced by repository, sets united, scan categories resolved to the one
  declared field of that category), followed by the same received-set fixed
  point; its per-vendor exposure counts are compared with blastmap's, so the
  benchmark doubles as a differential test;
- `jq -s .` over the scan files only (no YAML, no semantics): a floor for
  "read every JSON file and write one".

    cargo build --release && python3 benches/merge.py [--repos N] [--runs R]

Prints wall time (best of R) for each, and the ratios.
"""
import argparse, json, os, random, shutil, subprocess, sys, tempfile, time

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LEAVES = [
    "user.contact.email", "user.name", "user.contact.phone_number", "user.unique_id",
    "user.unique_id.organization", "user.location.imprecise", "user.device.os",
    "user.device.browser", "user.device.ip_address", "user.behavior.referrer",
    "user.authorization.credentials", "user.content.private", "user.financial.credit_card",
]
SUBJECTS = ["customer", "employee", "api_user", "partner", "visitor"]


def catalog_ids(binary):
    p = subprocess.run([binary, "catalog", "--format", "json"], capture_output=True, check=True)
    return sorted(v["id"] for v in json.loads(p.stdout)["vendors"])


def generate(root, n_repos, vendors, seed=11):
    rnd = random.Random(seed)
    pool = rnd.sample(vendors, min(80, len(vendors)))
    files = []
    for i in range(n_repos):
        repo = f"r{i:04d}"
        d = os.path.join(root, repo)
        os.makedirs(d)
        comps = rnd.sample(["web", "api", "worker", "mobile"], rnd.randint(1, 3))
        integrations = []
        for v in sorted(rnd.sample(pool, rnd.randint(2, 8))):
            comp = rnd.choice(comps)
            scope = "production" if rnd.random() < 0.9 else "test"
            ev = [{"kind": "manifest", "file": f"{comp}/package.json", "line": rnd.randint(2, 60),
                   "text": f"\"{v}-sdk\": \"^1.0.0\"", "scope": scope}]
            uses = []
            for _ in range(rnd.randint(0, 5)):
                line = rnd.randint(1, 400)
                f = f"{comp}/src/{rnd.choice(['a', 'b', 'c'])}.ts"
                cat = rnd.choice(LEAVES)
                uses.append({"category": cat, "name": "user." + cat.rsplit(".", 1)[1], "file": f, "line": line})
                ev.append({"kind": "call", "file": f, "line": line, "text": f"{v}.track(user)", "scope": scope})
            integrations.append({"vendor": v, "component": comp, "scope": scope,
                                 "evidence": sorted(ev, key=lambda e: (e["file"], e["line"], e["kind"])),
                                 "fields": sorted(uses, key=lambda u: (u["file"], u["line"], u["category"]))})
        skipped = [{"path": f"vendor/big{k}.min.js", "reason": "minified"} for k in range(rnd.randint(0, 2))]
        scan = {"version": 1, "integrations": integrations,
                "skipped": {"total": len(skipped), "by_reason": {"minified": len(skipped)} if skipped else {},
                            "files": skipped}}
        p = os.path.join(d, "scan.json")
        with open(p, "w") as fh:
            json.dump(scan, fh, indent=1)
        files.append(p)
        if rnd.random() < 0.3:
            subj = rnd.choice(SUBJECTS)
            out = ["version: 1", f"system: {repo}", "subjects:",
                   f"  {subj}: {{ count: {rnd.randint(1000, 2_000_000)}, regions: [{rnd.choice(['eu', 'us'])}] }}",
                   "fields:"]
            fields = {}
            for k in range(rnd.randint(3, 10)):
                fields[f"f{k}"] = rnd.choice(LEAVES)
                out.append(f"  f{k}: {{ category: {fields[f'f{k}']}, subject: {subj} }}")
            out.append("components:")
            for c in comps:
                holds = ", ".join(rnd.sample(sorted(fields), rnd.randint(1, len(fields))))
                out.append(f"  {c}: {{ kind: service, holds: [{holds}] }}")
            used = sorted(rnd.sample(pool, rnd.randint(1, 4)))
            out.append("vendors:")
            for v in used:
                out.append(f"  {v}: {{}}")
            out.append("flows:")
            for v in used:
                fl = ", ".join(rnd.sample(sorted(fields), rnd.randint(1, 3)))
                out.append(f"  - {{ from: {rnd.choice(comps)}, to: {v}, fields: [{fl}] }}")
            if len(used) >= 2 and rnd.random() < 0.3:
                out.append(f"  - {{ from: {used[0]}, to: {used[1]}, fields: all }}")
            p = os.path.join(d, "blastmap.yaml")
            with open(p, "w") as fh:
                fh.write("\n".join(out) + "\n")
            files.append(p)
    return files


def peer(files):
    """The same merge and fixed point, written plainly in Python."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    fields, comps, vendors, flows, subjects = {}, {}, set(), {}, {}

    def flow(a, b, fl):
        cur = flows.get((a, b))
        if cur == "all" or fl == "all":
            flows[(a, b)] = "all"
        else:
            flows[(a, b)] = (cur or set()) | set(fl)

    for path in files:
        repo = os.path.basename(os.path.dirname(path))
        if path.endswith(".json"):
            with open(path) as fh:
                s = json.load(fh)
            for it in s["integrations"]:
                if it["scope"] != "production":
                    continue
                c = f"{repo}/{it['component'] or 'code'}"
                comps.setdefault(c, set())
                vendors.add(it["vendor"])
                ids = set()
                for u in it["fields"]:
                    fid = f"{repo}/{u['category']}"
                    fields.setdefault(fid, (u["category"], True))
                    ids.add(fid)
                flow(c, it["vendor"], ids)
        else:
            with open(path) as fh:
                m = yaml.load(fh, Loader=loader)
            for s in m.get("subjects") or {}:
                subjects.setdefault(s, set()).add(repo)
            for f, x in (m.get("fields") or {}).items():
                fields[f"{repo}/{f}"] = (x["category"], False)
            for c, x in (m.get("components") or {}).items():
                comps.setdefault(f"{repo}/{c}", set()).update(f"{repo}/{h}" for h in x.get("holds") or [])
            vendors.update(m.get("vendors") or {})
            for f in m.get("flows") or []:
                ns = lambda n: f"{repo}/{n}" if n in (m.get("components") or {}) else n
                fl = f["fields"] if f["fields"] == "all" else [f"{repo}/{x}" for x in f["fields"]]
                flow(ns(f["from"]), ns(f["to"]), fl)
    # Read-time reconciliation, as blastmap does it.
    declared = {}
    for fid, (cat, implicit) in fields.items():
        if not implicit:
            declared.setdefault((fid.rsplit("/", 1)[0], cat), []).append(fid)
    alias = {}
    for fid, (cat, implicit) in fields.items():
        repo, tail = fid.rsplit("/", 1)
        if implicit and tail == cat and len(declared.get((repo, cat), [])) == 1:
            alias[fid] = declared[(repo, cat)][0]
    res = lambda s: {alias.get(x, x) for x in s}
    avail = {c: res(h) for c, h in comps.items()}
    for v in vendors:
        avail.setdefault(v, set())
    out_edges = {}
    for (a, b), fl in flows.items():
        fl = fl if fl == "all" else res(fl)
        if a in comps and fl != "all":
            avail[a] |= fl
        out_edges.setdefault(a, []).append((b, fl))
    work, queued = list(avail), set(avail)
    while work:
        u = work.pop()
        queued.discard(u)
        for b, fl in out_edges.get(u, []):
            add = avail[u] if fl == "all" else avail[u] & fl
            before = len(avail[b])
            avail[b] |= add
            if len(avail[b]) != before and b not in queued:
                queued.add(b)
                work.append(b)
    return {v: len(avail[v]) for v in vendors}, len(flows)


def best_of(runs, fn):
    best, result = None, None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        d = time.perf_counter() - t
        best = d if best is None or d < best else best
    return best, result


def main():
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    ap = argparse.ArgumentParser()
    ap.add_argument("--repos", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--bin", default=os.path.join(target, "release", "blastmap"))
    a = ap.parse_args()
    if not os.path.exists(a.bin):
        sys.exit(f"{a.bin} not found: run `cargo build --release` first")
    with tempfile.TemporaryDirectory() as tmp:
        files = generate(tmp, a.repos, catalog_ids(a.bin))
        scans = [f for f in files if f.endswith(".json")]
        size = sum(os.path.getsize(f) for f in files)
        print(f"inputs: {a.repos} repositories, {len(scans)} scan outputs + {len(files) - len(scans)} "
              f"declaration files ({size / 1e6:.1f} MB)")
        merged = os.path.join(tmp, "org.json")

        def run(args):
            p = subprocess.run(args, capture_output=True)
            if p.returncode != 0:
                sys.exit(p.stderr.decode())
            return p.stdout

        t_merge, _ = best_of(a.runs, lambda: run([a.bin, "merge", *files, "-o", merged]))
        t_rank, out = best_of(a.runs, lambda: run([a.bin, "rank", "--map", merged, "--format", "json"]))
        report = json.loads(out)
        with open(merged) as fh:
            doc = json.load(fh)
        t_peer, (counts, n_flows) = best_of(a.runs, lambda: peer(files))
        jq = shutil.which("jq")
        t_jq = None
        if jq:
            t_jq, _ = best_of(a.runs, lambda: run([jq, "-s", ".", *scans]))
        mine = {v["vendor"]: v["exposed"] for v in report["vendors"]}
        wrong = [v for v in counts if counts[v] != mine.get(v)]
        total = t_merge + t_rank
        print(f"merged map    : {len(doc['components'])} components, {len(doc['vendors'])} vendors, "
              f"{len(doc['flows'])} flows, {len(doc['fields'])} fields ({os.path.getsize(merged) / 1e6:.1f} MB)")
        print(f"blastmap merge: {t_merge:7.3f} s")
        print(f"blastmap rank : {t_rank:7.3f} s   (over the merged map; scores, scenarios)")
        print(f"blastmap total: {total:7.3f} s")
        print(f"python peer   : {t_peer:7.3f} s   (same merge semantics + fixed point, no output written)")
        if t_jq is not None:
            print(f"jq -s .       : {t_jq:7.3f} s   (concatenates the scan JSON only)")
        print(f"ratio blastmap/python: {total / t_peer:.2f}")
        if t_jq is not None:
            print(f"ratio blastmap merge/jq: {t_merge / t_jq:.2f}")
        print(f"flows equal: {len(doc['flows']) == n_flows} ({len(doc['flows'])} vs {n_flows}); "
              f"exposure counts equal for {len(counts) - len(wrong)}/{len(counts)} vendors")
        if wrong or len(doc["flows"]) != n_flows:
            sys.exit(f"MISMATCH for {len(wrong)} vendors, e.g. {[(v, counts[v], mine.get(v)) for v in wrong[:5]]}")


if __name__ == "__main__":
    main()
