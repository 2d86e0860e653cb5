#!/usr/bin/env bash
# Compares Parley on SQLite, on PostgreSQL, and as two nodes sharing one
# PostgreSQL database, on this machine: posting and page views (p50/p99)
# under parley-load, 16 clients, bounded in time. PostgreSQL must answer on
# 127.0.0.1:5432 (trust auth); each run uses a fresh database it drops after.
#
#   bench/nodes.sh [READ_SECONDS] [POST_SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
read_for=${1:-10}s
post_for=${2:-20}s
admin=${PARLEY_BENCH_PG:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
tmp=$(mktemp -d)
pids=()
dbs=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for db in "${dbs[@]}"; do psql -q "$admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

go build -o "$tmp/parley" ./cmd/parley
go build -o "$tmp/parley-load" ./cmd/parley-load
cat > "$tmp/bench.md" <<MD
---
title: Benchmark debate
slug: bench
question: Is this fast enough?
status: published
---
A debate for measuring Parley.
MD

# measure NAME DATABASE NODES: start NODES servers on DATABASE, seed, measure.
measure() {
  local name=$1 database=$2 nodes=$3 targets="" port
  "$tmp/parley" debate import --database "$database" --data-dir "$tmp/data-$name" "$tmp/bench.md" >/dev/null
  pids=()
  for i in $(seq "$nodes"); do
    port=$((18300 + i))
    "$tmp/parley" serve --database "$database" --data-dir "$tmp/data-$name-$i" --demo=false --post-rate 0 --addr "127.0.0.1:$port" --log-level warn \
      >/dev/null 2>"$tmp/$name-$i.log" &
    pids+=($!)
    until curl -fs -o /dev/null "http://127.0.0.1:$port/healthz"; do sleep 0.02; done
    targets="$targets${targets:+,}http://127.0.0.1:$port"
  done
  echo "== $name"
  "$tmp/parley-load" seed --target "${targets%%,*}" --debate bench --comments 100 >/dev/null
  "$tmp/parley-load" read --target "$targets" --path /debates/bench --mode hot --duration "$read_for"
  "$tmp/parley-load" read --target "$targets" --path /debates/bench --mode distinct --duration "$read_for"
  "$tmp/parley-load" post --target "$targets" --debate bench --duration "$post_for"
  for p in "${pids[@]}"; do kill -TERM "$p"; wait "$p" || true; done
  pids=()
}

newdb() {
  local db="parley_bench_$$_$1"
  psql -q "$admin" -c "CREATE DATABASE $db" >/dev/null
  [ -n "${PARLEY_BENCH_PG_SETTINGS:-}" ] && psql -q "$admin" -c "ALTER DATABASE $db SET $PARLEY_BENCH_PG_SETTINGS" >/dev/null
  dbs+=("$db")
  echo "postgres://postgres@127.0.0.1:5432/$db?sslmode=disable"
}

measure sqlite "sqlite:$tmp/sqlite.db" 1
measure postgres "$(newdb one)" 1
measure postgres-2-nodes "$(newdb two)" 2
