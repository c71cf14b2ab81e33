#!/usr/bin/env bash
# Shared by the benchmarks: builds (once) the benchmark tree and the tools,
# and sets REPO, WORK, MODE, TREE, RUNS and BLASTMAP. Source it from the
# repository root: `. benches/tree.sh`.
#
# The tree is unpacked source packages from npm and PyPI (downloaded with the
# ordinary clients, nothing executed from them), kept in a git-ignored work
# folder and reused on later runs.
REPO=$PWD
WORK=${BENCH_WORK:-$REPO/bench-work}
RUNS=${RUNS:-5}
# BENCH_SDKS=1 adds vendor SDKs to the tree: nearly every file of an SDK
# names its vendor and imports its own package, so most files must be
# parsed. That is the scanner's worst case, unlike application code.
MODE=$([ "${BENCH_SDKS:-0}" = 1 ] && echo sdks || echo libs)
TREE=$WORK/tree-$MODE
mkdir -p "$WORK"

NPM_PACKAGES=(
  express koa fastify axios lodash moment dayjs date-fns react react-dom vue
  svelte mongoose pg sequelize knex jsonwebtoken passport socket.io ws
  commander yargs chalk eslint redux rxjs immer zod graphql @babel/core
  postcss vite rollup undici uuid ajv handlebars ejs marked d3 chart.js luxon
  validator
)
PYPI_PACKAGES=(
  requests flask django fastapi sqlalchemy celery redis click jinja2 werkzeug
  urllib3 httpx rich attrs starlette marshmallow alembic gunicorn uvicorn
  pyyaml tornado networkx
)
if [ "$MODE" = sdks ]; then
  NPM_PACKAGES+=(
    @sentry/browser @sentry/node @sentry/core mixpanel-browser posthog-js
    stripe openai twilio @segment/analytics-next @amplitude/analytics-browser
    launchdarkly-js-client-sdk algoliasearch @sendgrid/mail
  )
  PYPI_PACKAGES+=(
    sentry-sdk stripe openai twilio mixpanel boto3 posthog sendgrid
    segment-analytics-python
  )
fi

# 1. The tree.
if [ ! -f "$TREE/.complete" ]; then
  echo "== building the tree in $TREE" >&2
  DL=$WORK/dl-$MODE
  rm -rf "$TREE" "$DL"
  mkdir -p "$TREE/npm" "$TREE/pypi" "$DL/npm" "$DL/pypi"
  (cd "$DL/npm" && for p in "${NPM_PACKAGES[@]}"; do
      npm pack --silent "$p" >/dev/null 2>&1 || echo "   npm pack $p failed, skipped" >&2
    done)
  for t in "$DL"/npm/*.tgz; do
    d="$TREE/npm/$(basename "$t" .tgz)"; mkdir -p "$d"; tar -xzf "$t" -C "$d"
  done
  for p in "${PYPI_PACKAGES[@]}"; do
    # Source only for the package itself; its build tools may come as wheels.
    pip download --quiet --no-binary "$p" --no-deps --dest "$DL/pypi" "$p" >/dev/null 2>&1 \
      || echo "   pip download $p failed, skipped" >&2
  done
  for a in "$DL"/pypi/*; do
    d="$TREE/pypi/$(basename "$a")"; mkdir -p "$d"
    case "$a" in
      *.tar.gz|*.tgz) tar -xzf "$a" -C "$d" ;;
      *.zip) python3 -c 'import sys,zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$a" "$d" ;;
    esac
  done
  touch "$TREE/.complete"
fi

# 2. The tools.
export PATH="$WORK/tools/bin:$PATH"
if ! command -v rg >/dev/null; then
  echo "== installing ripgrep into $WORK/tools" >&2
  cargo install ripgrep --locked --quiet --root "$WORK/tools"
fi
echo "== building blastmap (release)" >&2
cargo build --release --quiet
BLASTMAP=${CARGO_TARGET_DIR:-$REPO/target}/release/blastmap

