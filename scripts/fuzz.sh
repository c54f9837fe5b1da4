#!/usr/bin/env bash
# The differential query fuzzer (test/fuzz/fuzz.py) on a throwaway server with
# the library preloaded: loads the fuzz schema, checks that the comparison can
# fail (with the filter off the answers must differ), then runs FUZZ_COUNT
# queries from FUZZ_SEED and fails on any mismatch, one-sided error or crash.
#   FUZZ_SEED (default 1), FUZZ_COUNT (default 3000, ~12 min): CI runs the defaults;
#   any seed and count by hand, e.g. FUZZ_SEED=$RANDOM FUZZ_COUNT=20000.
#   SQLSMITH_COUNT (default 3000, 0 to skip): sqlsmith queries afterwards, for crashes.
#   WRITE_FUZZ_COUNT (default 5000): statements of the write fuzzer (test/fuzz/write_fuzz.py).
#   FUZZ_DIR: work directory (default tmp/fuzz); findings in $FUZZ_DIR/findings.jsonl.
# Runs as root (then as postgres) or as postgres (the test suite's make fuzzcheck).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh
seed=${FUZZ_SEED:-1}
count=${FUZZ_COUNT:-3000}
dir=$(pg_workdir "${FUZZ_DIR:-$PWD/tmp/fuzz}")
port=${FUZZ_PORT:-5541}

stop() { run_as_pg pg_ctl -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true; }
stop
rm -rf "$dir/data" "$dir/findings.jsonl" "$dir/write_findings.jsonl"
trap stop EXIT
run_as_pg initdb -D "$dir/data" -A trust >/dev/null
cat >> "$dir/data/postgresql.conf" <<CONF
shared_preload_libraries = 'softdelete'
port = $port
unix_socket_directories = '$dir'
listen_addresses = ''
fsync = off
statement_timeout = '2s'
max_worker_processes = 8
max_parallel_workers_per_gather = 2
CONF
run_as_pg pg_ctl -D "$dir/data" -l "$dir/server.log" -w start >/dev/null
fz() { run_as_pg python3 test/fuzz/fuzz.py --host "$dir" --port "$port" --dbname postgres "$@"; }

fz --setup
echo "fuzz: the comparison can fail (200 queries with the filter off must differ often)"
fz --seed "$seed" --count 200 --check-sensitivity
echo "fuzz: seed $seed, $count queries"
fz --seed "$seed" --count "$count" --findings "$dir/findings.jsonl"
# The write fuzzer: random writes on enabled tables against the same
# writes done by hand on plain tables, in a database of its own; first it
# shows that it can fail (schema e not enabled), then WRITE_FUZZ_COUNT
# statements from the same seed.
wcount=${WRITE_FUZZ_COUNT:-5000}
run_as_pg psql -X -q -h "$dir" -p "$port" -d postgres -c 'CREATE DATABASE writes'
wf() { run_as_pg python3 test/fuzz/write_fuzz.py --host "$dir" --port "$port" --dbname writes "$@"; }
echo "write fuzz: the comparison can fail (200 statements with schema e not enabled must differ)"
wf --seed "$seed" --count 200 --check-sensitivity
echo "write fuzz: seed $seed, $wcount statements"
wf --setup
wf --seed "$seed" --count "$wcount" --stats --findings "$dir/write_findings.jsonl"
# sqlsmith: random queries of every kind over the same schema (and the
# catalogs); errors are expected, a crash is not.
if command -v sqlsmith >/dev/null && [ "${SQLSMITH_COUNT:-3000}" -gt 0 ]; then
	echo "sqlsmith: seed $seed, ${SQLSMITH_COUNT:-3000} queries"
	run_as_pg sqlsmith --target="host=$dir port=$port dbname=postgres" --seed="$seed" \
		--max-queries="${SQLSMITH_COUNT:-3000}" --verbose > "$dir/sqlsmith.log" 2>&1 || {
		echo "sqlsmith failed:" >&2; tail -20 "$dir/sqlsmith.log" >&2; exit 1; }
	# its closing report: queries run, and the errors by kind
	tr '\r' '\n' < "$dir/sqlsmith.log" | grep -E '^(queries|[0-9]+\s)' | tail -8
	run_as_pg pg_isready -h "$dir" -p "$port" -q || { echo "sqlsmith: the server is down" >&2; exit 1; }
fi
if grep -q 'server process .* was terminated\|PANIC' "$dir/server.log"; then
	echo "fuzz: the server log shows a crash" >&2
	grep -B2 -A5 'was terminated\|PANIC' "$dir/server.log" >&2
	exit 1
fi
