#!/usr/bin/env bash
# Times `blastmap scan` against ripgrep searching the same tree for the same
# catalog names, in the same run, and prints the ratio and blastmap's peak
# memory. See benches/README.md.
#
#   benches/scan_vs_rg.sh            # build the tree once, then time
#   BENCH_SDKS=1 benches/scan_vs_rg.sh   # worst case: vendor SDK sources too
#   BENCH_WORK=/tmp/bw RUNS=10 benches/scan_vs_rg.sh
#
# The tree is unpacked source packages from npm and PyPI (downloaded with the
# ordinary clients, nothing executed from them), kept in a git-ignored work
# folder and reused on later runs.
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/tree.sh

# 3. The patterns: the same catalog names the prefilter searches for.
python3 benches/apps_vs_rg.py --print-patterns --bin "$BLASTMAP" > "$WORK/patterns.txt"

FILES=$(find "$TREE" -type f | wc -l)
LINES=$(find "$TREE" -type f \( -name '*.js' -o -name '*.mjs' -o -name '*.cjs' -o -name '*.ts' \
  -o -name '*.tsx' -o -name '*.jsx' -o -name '*.py' -o -name '*.json' -o -name '*.md' -o -name '*.html' \
  -o -name '*.txt' -o -name '*.cfg' -o -name '*.toml' -o -name '*.yml' -o -name '*.yaml' \) -print0 \
  | xargs -0 cat | wc -l)
BYTES=$(du -sb "$TREE" | cut -f1)
PATTERNS=$(wc -l < "$WORK/patterns.txt")
echo "tree ($MODE): $FILES files, $LINES lines of text and code, $((BYTES / 1024 / 1024)) MiB; $PATTERNS patterns"

# ripgrep gets blastmap's default excludes and size limit, so both read the
# same files; its output goes to a file (rg stops early when writing to /dev/null).
RG=(rg --hidden --no-ignore -F -f "$WORK/patterns.txt" --max-filesize 2M
    -g '!node_modules' -g '!vendor' -g '!dist' -g '!build' -g '!target' -g '!.git'
    -g '!*.min.js' -g '!*.min.css' -g '!*.map' "$TREE")
SCAN=("$BLASTMAP" scan "$TREE" --format json)

# 4. Time both, alternating, RUNS times each after one warm-up.
"${SCAN[@]}" > "$WORK/scan.json"
"${RG[@]}" > "$WORK/rg.out" || true
q() { printf '%q ' "$@"; }
if command -v hyperfine >/dev/null; then
  hyperfine --warmup 1 --runs "$RUNS" --export-json "$WORK/hyperfine.json" \
    --command-name blastmap "$(q "${SCAN[@]}") > $(q "$WORK/scan.json")" \
    --command-name rg "$(q "${RG[@]}") > $(q "$WORK/rg.out") || true" >&2
  read -r T_SCAN T_RG < <(python3 -c '
import json, sys
r = {x["command"]: x["median"] for x in json.load(open(sys.argv[1]))["results"]}
print(r["blastmap"], r["rg"])' "$WORK/hyperfine.json")
else
  times_scan=(); times_rg=()
  for _ in $(seq "$RUNS"); do
    s=$(date +%s.%N); "${SCAN[@]}" > "$WORK/scan.json"; e=$(date +%s.%N)
    times_scan+=("$(echo "$e - $s" | bc)")
    s=$(date +%s.%N); "${RG[@]}" > "$WORK/rg.out" || true; e=$(date +%s.%N)
    times_rg+=("$(echo "$e - $s" | bc)")
  done
  median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
  T_SCAN=$(median "${times_scan[@]}"); T_RG=$(median "${times_rg[@]}")
fi

# 5. Peak memory.
/usr/bin/time -v "${SCAN[@]}" > /dev/null 2> "$WORK/time.txt"
RSS_KB=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")

python3 - "$T_SCAN" "$T_RG" "$RSS_KB" "$WORK/scan.json" <<'EOF'
import json, sys
t_scan, t_rg, rss = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
r = json.load(open(sys.argv[4]))
print(f"blastmap scan: {t_scan:.3f} s (median)   rg -F -f: {t_rg:.3f} s (median)")
print(f"ratio: {t_scan / t_rg:.2f}x rg (target <= 3x)")
print(f"blastmap peak RSS: {rss / 1024:.0f} MB (target < 300 MB)")
st = r.get("stats", {})
print(f"blastmap read {st.get('files_read')} files, analysed {st.get('files_analysed')}, "
      f"found {len(r['integrations'])} integrations, skipped {r['skipped']['total']}")
EOF
