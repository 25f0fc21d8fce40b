#!/bin/bash
# Load benchmark of the HTTP service (docs/performance.md, "HTTP service"): starts
# `smematch serve` on an empty audit database, runs wrk against POST /v1/screen with
# bench/wrk_screen.lua, and prints one Markdown table row: screens/s, p50, p90, p99, RSS at 10 s
# and at the end, the most the audit queue file and the WAL held (sampled every second), and
# wrk's error counts.
#
#   ./build-release/smematch generate --count 2000 -o /tmp/smematch-bench.jsonl
#   bench/http_load.sh "audit on" --audit-db /tmp/smematch-load/a.db
#   EXPLAIN=true bench/http_load.sh "audit on, reasons" --audit-db /tmp/smematch-load/a.db
#   bench/http_load.sh "audit off" --no-audit
#   DUR=60 bench/http_load.sh "60 s" --audit-db /tmp/smematch-load/a.db
#
# Environment: BIN (./build-release/smematch), BODIES (/tmp/smematch-bench.jsonl), EXPLAIN
# (false), C (connections, 16), DUR (seconds, 15), PORT (18080). Run it on a quiet machine, as
# root if the page cache is to be dropped first (it is tried, and skipped when not allowed).
# The server is stopped at the end; /tmp/smematch-load is emptied before each run.
set -euo pipefail
label=$1; shift
cd "$(dirname "$0")/.."
BIN=${BIN:-./build-release/smematch}
PORT=${PORT:-18080}
DUR=${DUR:-15}
rm -rf /tmp/smematch-load && mkdir -p /tmp/smematch-load
sync; (echo 1 > /proc/sys/vm/drop_caches) 2>/dev/null || true; sleep 2
"$BIN" serve --port "$PORT" "$@" >/tmp/smematch-load/serve.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
SMEMATCH_BODIES=${BODIES:-/tmp/smematch-bench.jsonl} SMEMATCH_EXPLAIN=${EXPLAIN:-false} \
  wrk -t2 -c"${C:-16}" -d"${DUR}s" --latency -s bench/wrk_screen.lua \
  "http://127.0.0.1:$PORT/v1/screen" >/tmp/smematch-load/wrk.out &
wrk=$!
rss() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$server/status"; }
max_queue=0; max_wal=0; rss10=
for t in $(seq "$DUR"); do
  sleep 1
  q=$(curl -s "http://127.0.0.1:$PORT/metrics" | awk '/^smematch_audit_queue_bytes/ {print $2}')
  w=$(find /tmp/smematch-load -name '*-wal' -printf '%s\n' 2>/dev/null | head -1)
  (( ${q:-0} > max_queue )) && max_queue=${q:-0}
  (( ${w:-0} > max_wal )) && max_wal=${w:-0}
  [ "$t" = 10 ] && rss10=$(rss)
done
wait $wrk || true
rss_end=$(rss)
out=/tmp/smematch-load/wrk.out
pct() { awk -v p="$1%" '$1 == p {print $2}' $out; }
echo "| $label | $(awk '/Requests\/sec/ {print $2}' $out) | $(pct 50) | $(pct 90) | $(pct 99)" \
     "| ${rss10:-?} → ${rss_end} MB | queue ≤ $((max_queue >> 20)) MiB | WAL ≤ $((max_wal >> 20)) MiB" \
     "| $(sed -n 's/non-2xx or socket errors: //p' $out) |"
