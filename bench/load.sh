#!/usr/bin/env bash
# Parley's load benchmark: builds Parley and parley-load, starts Parley on a
# fresh database on 127.0.0.1, seeds a 1,000-comment and a 100-comment debate,
# then measures reads (hot and distinct, beside a static-file ceiling),
# sustained posting, memory after 10,000 comments and time to first page on
# restart. Bounded: every step has a duration; nothing leaves this machine.
#
#   bench/load.sh [READ_SECONDS] [POST_SECONDS] [DATABASE_URL]
set -euo pipefail
cd "$(dirname "$0")/.."
read_for=${1:-10}s
post_for=${2:-60}s
database=${3:-}
port=${PARLEY_BENCH_PORT:-18181}
target=http://127.0.0.1:$port
metrics_addr=127.0.0.1:${PARLEY_BENCH_METRICS_PORT:-18182}
tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

go build -o "$tmp/parley" ./cmd/parley
go build -o "$tmp/parley-load" ./cmd/parley-load
db_args=(--data-dir "$tmp/data")
[ -n "$database" ] && db_args+=(--database "$database")

for n in 1000 100; do
  cat > "$tmp/bench-$n.md" <<MD
---
title: Benchmark debate with $n comments
slug: bench-$n
question: Is this fast enough?
status: published
---
A debate for measuring Parley.
MD
  "$tmp/parley" debate import "${db_args[@]}" "$tmp/bench-$n.md" >/dev/null
done

start() {
  local t0 t1
  t0=$(date +%s%N)
  "$tmp/parley" serve "${db_args[@]}" --demo=false --post-rate 0 --addr "127.0.0.1:$port" --metrics-addr "$metrics_addr" --log-level warn >/dev/null 2>"$tmp/parley.log" &
  pid=$!
  until curl -fs -o /dev/null "$target/"; do sleep 0.005; done
  t1=$(date +%s%N)
  echo "first page served $(( (t1 - t0) / 1000000 )) ms after start"
}
stop() { kill -TERM "$pid"; wait "$pid" || true; pid=; }
rss() { curl -fs "http://$metrics_addr/metrics" | awk '/^process_resident_memory_bytes/ { printf "%.1f MB\n", $2 / 1048576 }'; }

start
"$tmp/parley-load" seed --target "$target" --debate bench-1000 --comments 1000
"$tmp/parley-load" seed --target "$target" --debate bench-100 --comments 100
echo
echo "== reads, 16 clients, $read_for each"
for mode in hot distinct; do
  "$tmp/parley-load" read --target "$target" --path "/api/v1/debates/bench-1000/comments?limit=1000" --mode $mode --duration "$read_for" --ceiling
  "$tmp/parley-load" read --target "$target" --path "/debates/bench-1000" --mode $mode --duration "$read_for" --ceiling
  "$tmp/parley-load" read --target "$target" --path "/api/v1/debates/bench-100/comments?limit=1000" --mode $mode --duration "$read_for" --ceiling
  "$tmp/parley-load" read --target "$target" --path "/debates/bench-100" --mode $mode --duration "$read_for" --ceiling
done
echo
echo "== memory"
"$tmp/parley-load" seed --target "$target" --debate bench-1000 --comments 8900 >/dev/null
echo "resident memory after 10,000 comments: $(rss)"
echo
echo "== posting, 16 clients, $post_for"
"$tmp/parley-load" post --target "$target" --debate bench-1000 --duration "$post_for"
echo "resident memory after posting: $(rss)"
stop
echo
echo "== restart on the existing database"
start
stop
