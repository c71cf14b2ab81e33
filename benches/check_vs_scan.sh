#!/usr/bin/env bash
# Times `blastmap check --base HEAD~1` against `blastmap scan` of the same
# repository, in the same run, and prints the ratio (target: about 2x or
# less: a check is a scan of the work tree plus a scan of the base revision
# read through git). See benches/README.md.
#
#   benches/check_vs_scan.sh
#   BENCH_SDKS=1 RUNS=10 benches/check_vs_scan.sh
#
# The repository is the benchmark tree of benches/scan_vs_rg.sh committed
# once, plus a second commit that adds PostHog to an application file, as a
# pull request would.
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/tree.sh

GITREPO=$WORK/repo-$MODE
if [ ! -f "$GITREPO/.complete" ]; then
  echo "== committing the tree to $GITREPO" >&2
  rm -rf "$GITREPO"
  mkdir -p "$GITREPO"
  cp -r "$TREE/." "$GITREPO/"
  rm -f "$GITREPO/.complete"
  g() { git -C "$GITREPO" -c user.name=bench -c user.email=bench@example.com -c commit.gpgsign=false "$@"; }
  g init -q
  g add -A -f
  g commit -q -m "base"
  mkdir -p "$GITREPO/app/src"
  cat > "$GITREPO/app/package.json" <<'JSON'
{ "name": "app", "dependencies": { "posthog-js": "^1.180.0" } }
JSON
  cat > "$GITREPO/app/src/analytics.ts" <<'TS'
import posthog from "posthog-js";

posthog.init(import.meta.env.VITE_POSTHOG_KEY, { api_host: "https://eu.i.posthog.com" });

export function identify(user: { id: string; email: string }) {
  posthog.identify(user.id, { email: user.email });
}
TS
  g add -A -f
  g commit -q -m "add PostHog"
  # A clone's objects arrive packed; fresh commits leave them loose.
  g repack -adq
  touch "$GITREPO/.complete"
fi

FILES=$(git -C "$GITREPO" ls-files | wc -l)
echo "repository ($MODE): $FILES tracked files"

SCAN=("$BLASTMAP" scan "$GITREPO" --format json)
CHECK=("$BLASTMAP" check --scan "$GITREPO" --base HEAD~1 --format json --exit-zero)
"${SCAN[@]}" > "$WORK/scan.json"
"${CHECK[@]}" > "$WORK/check.json"
q() { printf '%q ' "$@"; }
if command -v hyperfine >/dev/null; then
  hyperfine --warmup 1 --runs "$RUNS" --export-json "$WORK/hyperfine-check.json" \
    --command-name scan "$(q "${SCAN[@]}") > /dev/null" \
    --command-name check "$(q "${CHECK[@]}") > /dev/null" >&2
  read -r T_SCAN T_CHECK < <(python3 -c '
import json, sys
r = {x["command"]: x["median"] for x in json.load(open(sys.argv[1]))["results"]}
print(r["scan"], r["check"])' "$WORK/hyperfine-check.json")
else
  ts=(); tc=()
  for _ in $(seq "$RUNS"); do
    s=$(date +%s.%N); "${SCAN[@]}" > /dev/null; e=$(date +%s.%N); ts+=("$(echo "$e - $s" | bc)")
    s=$(date +%s.%N); "${CHECK[@]}" > /dev/null; e=$(date +%s.%N); tc+=("$(echo "$e - $s" | bc)")
  done
  median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
  T_SCAN=$(median "${ts[@]}"); T_CHECK=$(median "${tc[@]}")
fi

python3 - "$T_SCAN" "$T_CHECK" "$WORK/check.json" <<'EOF'
import json, sys
t_scan, t_check = float(sys.argv[1]), float(sys.argv[2])
r = json.load(open(sys.argv[3]))
codes = sorted({f["code"] for f in r["findings"]})
print(f"blastmap scan: {t_scan:.3f} s (median)   blastmap check --base HEAD~1: {t_check:.3f} s (median)")
print(f"ratio: {t_check / t_scan:.2f}x scan (target <= ~2x)")
print(f"check found {len(r['findings'])} findings ({', '.join(codes)}); passed={r['passed']}")
EOF
