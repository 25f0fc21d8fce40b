#!/usr/bin/env bash
# End-to-end tests of the officer web page (issue 6) in a real browser.
#
# Starts the built `smematch serve` on a free loopback port with the repository's rules and a
# temporary audit database, waits for /readyz, runs tests/e2e/*.test.mjs (node's test runner
# driving Debian's /usr/bin/chromium through playwright-core), and stops the server.
#
# Usage: tests/e2e/run.sh [--screenshots DIR] [path/to/smematch]
#   --screenshots DIR  where the tests save screenshots of the main pages (default: a temporary
#                      folder that is removed). `--screenshots docs/screenshots` refreshes the
#                      README's pictures.
# Environment: SMEMATCH_CHROMIUM (default /usr/bin/chromium); SMEMATCH_E2E_REQUIRED=1 turns a
# skip into a failure (CI, where tools/install-deps.sh has installed everything);
# SMEMATCH_E2E_TIMEOUT (default 420) seconds for all tests. The server and the browser are stopped
# on every exit path (trap), also when the time runs out.
# Exit status: 0 passed, 1 failed, 77 skipped (no chromium or no node: CTest SKIP_RETURN_CODE).
set -euo pipefail

skip() {
  if [ "${SMEMATCH_E2E_REQUIRED:-0}" = "1" ]; then
    echo "e2e: FAILED (SMEMATCH_E2E_REQUIRED=1): $1" >&2
    exit 1
  fi
  echo "e2e: skipped: $1"
  exit 77
}

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
screenshots=""
if [ "${1:-}" = "--screenshots" ]; then
  screenshots=$(mkdir -p "$2" && cd "$2" && pwd)
  shift 2
fi
bin=${1:-$repo/build/smematch}
chromium=${SMEMATCH_CHROMIUM:-/usr/bin/chromium}

if [ ! -x "$chromium" ]; then
  skip "$chromium not found (tools/install-deps.sh installs chromium)"
fi
if ! command -v node >/dev/null 2>&1; then
  skip "node not found (tools/install-deps.sh installs nodejs and npm)"
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 18 ]; then
  skip "node $(node --version) is older than 18 (playwright-core needs 18 or later)"
fi
if [ ! -x "$bin" ]; then
  echo "e2e: $bin not found; build it first (cmake --build build --target smematch)" >&2
  exit 1
fi

# playwright-core from package-lock.json; installed again only when the lock file changed.
if [ ! -f "$here/node_modules/playwright-core/package.json" ] ||
   [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    skip "npm not found to install playwright-core (tools/install-deps.sh installs it)"
  fi
  echo "e2e: npm ci in tests/e2e"
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/smematch-e2e.XXXXXX")
server_pid=""
node_pid=""
# Processes this run started whose command line names $work (the server's audit db, chromium's
# profile folder: node runs with TMPDIR=$work/tmp). Listed by pid, so only our own are touched.
our_pids() {
  local p
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    [ "$p" = "$$" ] && continue
    [ "$p" = "$server_pid" ] && continue
    if { tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null | grep -qF -- "$work/"; then echo "$p"; fi
  done
}
# Always runs (normal end, failure, timeout, Ctrl-C, TERM from CTest): stops the browser and the
# server this script started, then removes the temporary folder.
cleanup() {
  trap - EXIT INT TERM
  if [ -n "$node_pid" ] && kill -0 "$node_pid" 2>/dev/null; then
    kill -TERM "$node_pid" 2>/dev/null || true
    sleep 1
    kill -KILL "$node_pid" 2>/dev/null || true
  fi
  local pids
  pids=$(our_pids)
  if [ -n "$pids" ]; then
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
  fi
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$work/tmp"

# Port 0: the server binds a free port and prints it ("listening on http://127.0.0.1:PORT").
# 16 threads (the default): each worker stays with one keep-alive connection for up to 5 s and
# chromium opens up to 6 per host, so with fewer threads every page load waits ~5 s.
: >"$work/serve.log"  # exists before the port is looked for (the server opens it later)
"$bin" serve --host 127.0.0.1 --port 0 --threads 16 --rules "$repo/rules" \
  --mentors "$repo/data/demo/mentors.json" --channels "$repo/data/demo/channels.json" \
  --audit-db "$work/audit.db" 2>"$work/serve.log" &
server_pid=$!

port=""
for _ in $(seq 1 300); do
  port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p' "$work/serve.log" | head -n 1)
  [ -n "$port" ] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "e2e: smematch serve exited before listening:" >&2
    cat "$work/serve.log" >&2
    exit 1
  fi
  sleep 0.1
done
if [ -z "$port" ]; then
  echo "e2e: smematch serve did not report its port within 30 s:" >&2
  cat "$work/serve.log" >&2
  exit 1
fi
base="http://127.0.0.1:$port"

if ! node "$here/wait-ready.mjs" "$base/readyz" 30; then
  echo "e2e: $base/readyz did not answer 200 within 30 s:" >&2
  cat "$work/serve.log" >&2
  exit 1
fi

# One test at a time (one browser, one page), under a time limit: chromium is heavy and the
# machine is shared. The wait is interruptible, so a TERM from CTest reaches the trap at once.
# Test files run one after the other with --test-concurrency=1 (node >= 20.10); node 18 has no
# such option and may run units.test.mjs (no browser) next to web.test.mjs, which is harmless.
# Inside a file, node runs the tests one at a time in both versions.
concurrency=()
if node --help 2>/dev/null | grep -q -- '--test-concurrency'; then
  concurrency=(--test-concurrency=1)
fi
status=0
TMPDIR="$work/tmp" SMEMATCH_URL="$base" SMEMATCH_BIN="$bin" SMEMATCH_REPO="$repo" \
SMEMATCH_CHROMIUM="$chromium" SMEMATCH_SCREENSHOTS="${screenshots:-$work/screenshots}" \
  timeout --kill-after=10 "${SMEMATCH_E2E_TIMEOUT:-420}" \
  node --test "${concurrency[@]}" "$here"/tests/*.test.mjs &
node_pid=$!
wait "$node_pid" || status=$?
node_pid=""
if [ "$status" -eq 124 ]; then
  echo "e2e: tests did not finish within ${SMEMATCH_E2E_TIMEOUT:-420} s" >&2
fi
if [ "$status" -ne 0 ]; then
  echo "e2e: server log:" >&2
  tail -n 50 "$work/serve.log" >&2
  exit 1
fi
exit 0
