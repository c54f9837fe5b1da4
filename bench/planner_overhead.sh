#!/usr/bin/env bash
# Planner-hook overhead, counted in instructions (valgrind's callgrind), so
# the figure does not depend on what else the machine is doing.
#
# 3000 point lookups by primary key, each planned (single-user backend, one
# statement per transaction), in five configurations:
#   nopreload_noext     library not loaded, extension not installed
#   preload_noext       library preloaded, extension not installed
#   nopreload_ext       library not loaded, database with enabled tables,
#                       query on a table that is not enabled
#   preload_ext         the same with the library preloaded
#   preload_enabled     query on an enabled table
#   byhand_enabled      the same query with the filter written by hand
#                       (include_deleted = on, so the hook adds nothing)
# Prints instructions per statement.  Run as root: bash bench/planner_overhead.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh
command -v valgrind >/dev/null || apt-get install -y -qq valgrind >/dev/null
make -s && make -s install

dir=$(mktemp -d /tmp/softdelete-bench.XXXXXX)
chown postgres: "$dir"
trap 'run_as_pg pg_ctl -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
run_as_pg initdb -D "$dir/data" -A trust >/dev/null
run_as_pg pg_ctl -D "$dir/data" -l "$dir/log" -w start \
	-o "-c shared_preload_libraries=softdelete -c port=5599 -c listen_addresses='' -c unix_socket_directories=$dir" >/dev/null
psql_() { run_as_pg psql -X -q -h "$dir" -p 5599 "$@"; }
psql_ -d postgres -c "CREATE DATABASE noext" -c "CREATE DATABASE ext"
for db in noext ext; do
	psql_ -d $db -c "CREATE TABLE acc (aid int PRIMARY KEY, abalance int)" \
		-c "INSERT INTO acc SELECT g, 0 FROM generate_series(1, 100000) g" -c "VACUUM ANALYZE acc"
done
psql_ -d ext -c "CREATE EXTENSION softdelete" -c "CREATE TABLE other (id int)" \
	-c "SELECT softdelete.enable('other')" \
	-c "CREATE TABLE acc2 AS SELECT * FROM acc" -c "ALTER TABLE acc2 ADD PRIMARY KEY (aid)" \
	-c "SELECT softdelete.enable('acc2')" -c "UPDATE acc2 SET deleted_at = now() WHERE aid % 10 = 0" \
	-c "VACUUM ANALYZE acc2" >/dev/null
run_as_pg pg_ctl -D "$dir/data" -w stop >/dev/null

n=3000
python3 - "$dir" "$n" <<'PY'
import random, sys
d, n = sys.argv[1], int(sys.argv[2])
random.seed(1)
ids = [random.randint(1, 100000) for _ in range(n)]
open(d + "/q_acc.sql", "w").write("".join("SELECT abalance FROM acc WHERE aid = %d;\n\n" % i for i in ids))
open(d + "/q_acc2.sql", "w").write("".join("SELECT abalance FROM acc2 WHERE aid = %d;\n\n" % i for i in ids))
open(d + "/q_hand.sql", "w").write("".join("SELECT abalance FROM acc2 WHERE aid = %d AND deleted_at IS NULL;\n\n" % i for i in ids))
PY
chmod 644 "$dir"/*.sql

count() {	# name preload(0/1) db script extra...
	local name=$1 pre=$2 db=$3 script=$4; shift 4
	local opts=()
	[ "$pre" = 1 ] && opts+=(-c shared_preload_libraries=softdelete)
	run_as_pg valgrind --tool=callgrind --callgrind-out-file="$dir/cg.$name" \
		postgres --single -j -D "$dir/data" "${opts[@]}" "$@" "$db" \
		< "$dir/$script" > "$dir/out.$name" 2> "$dir/err.$name"
	if grep -q ERROR "$dir/out.$name"; then echo "$name: query failed" >&2; exit 1; fi
	local total
	total=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$dir/err.$name")
	printf '| %-18s | %12d | %8d |\n' "$name" "$total" $((total / n))
}
echo "| configuration      | instructions | per stmt |"
echo "|--------------------|--------------|----------|"
count nopreload_noext 0 noext q_acc.sql
count preload_noext 1 noext q_acc.sql
count nopreload_ext 0 ext q_acc.sql
count preload_ext 1 ext q_acc.sql
count preload_enabled 1 ext q_acc2.sql
count byhand_enabled 1 ext q_hand.sql -c softdelete.include_deleted=on
