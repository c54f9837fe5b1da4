#!/usr/bin/env bash
# What deleted rows cost live queries (issue 25).  1M rows, a share of them
# deleted (50, 90, 99%), the application's ordinary indexes on customer and
# created, VACUUM ANALYZE; buffers read per query (EXPLAIN (ANALYZE,
# BUFFERS): shared hit + read, deterministic) and execution time (median of 5
# runs, after one that warms the cache), for five query shapes:
#   customer   sum(amount) WHERE customer = $1 (100 rows per customer)
#   latest     ORDER BY created DESC LIMIT 20
#   count      count(*)
#   day        count(*), sum(amount) for one day of created (1,000 rows a day)
#   key        point lookup of a live row by primary key
# and these tables, each with the same rows:
#   live       a plain table holding only the live rows (the goal's yardstick)
#   flag       flag mode, the ordinary indexes
#   live_ix    flag mode after enable(..., live_indexes => true)
#   flag_pk    the same, then softdelete.pack() (live rows together)
#   bool_pk    the same with a boolean flag (NOT NULL: "NOT is_deleted")
#   archive    archive mode (the deleted rows in the archive table)
#   arch_pk    archive mode, then softdelete.pack() (the live table compacted)
# Then the cost of the writes themselves (ms, median of 5, each rolled back):
# a soft DELETE of the live rows of 20,000 ids, and restore of the deleted
# rows of 20,000 ids, with the ordinary indexes and with live indexes.
# Which rows are deleted is fixed (hashint4 of the id), the same in every
# table.  Prints one table per share, blocks and milliseconds.
# Run as root: bash bench/deleted_rows.sh   (ROWS=1000000 SHARES="50 90 99")
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh
ROWS=${ROWS:-1000000}
SHARES=${SHARES:-"50 90 99"}
dir=$(mktemp -d /tmp/softdelete-bench.XXXXXX)
chown postgres: "$dir"
trap 'run_as_pg pg_ctl -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
run_as_pg initdb -D "$dir/data" -A trust >/dev/null
run_as_pg pg_ctl -D "$dir/data" -l "$dir/log" -w start \
	-o "-c shared_preload_libraries=softdelete -c port=5594 -c listen_addresses='' -c unix_socket_directories=$dir -c shared_buffers=512MB -c max_parallel_workers_per_gather=0 -c jit=off" >/dev/null
psql_() { run_as_pg psql -X -q -At -h "$dir" -p 5594 -d postgres "$@"; }
psql_ -c "CREATE EXTENSION softdelete" >/dev/null

# The rows: id, customer (id % (rows / 100)), created (1,000 a day), amount;
# deleted when abs(hashint4(id)) % 100 < share.
build() {	# $1 share
	local share=$1 customers=$(( ROWS / 100 ))
	psql_ >/dev/null <<SQL
SET client_min_messages = warning;
DROP TABLE IF EXISTS t_live, t_flag, t_live_ix, t_flag_pk, t_bool_pk, t_archive,
	t_archive_archive, t_arch_pk, t_arch_pk_archive;
CREATE TABLE src AS
	SELECT g AS id, g % $customers AS customer,
		   timestamptz '2020-01-01' + (g * interval '86.4 seconds') AS created,
		   (g % 1000)::numeric AS amount,
		   abs(hashint4(g)) % 100 < $share AS gone
	  FROM generate_series(1, $ROWS) g;
CREATE TABLE t_live (id int PRIMARY KEY, customer int, created timestamptz, amount numeric);
INSERT INTO t_live SELECT id, customer, created, amount FROM src WHERE NOT gone;
CREATE INDEX ON t_live (customer);
CREATE INDEX ON t_live (created);
CREATE TABLE t_flag (id int PRIMARY KEY, customer int, created timestamptz, amount numeric,
					 deleted_at timestamptz);
INSERT INTO t_flag SELECT id, customer, created, amount,
	   CASE WHEN gone THEN created + interval '1 day' END FROM src;
CREATE INDEX ON t_flag (customer);
CREATE INDEX ON t_flag (created);
SELECT softdelete.enable('t_flag');
CREATE TABLE t_live_ix (LIKE t_flag INCLUDING ALL);
SET softdelete.include_deleted = on;
INSERT INTO t_live_ix SELECT * FROM t_flag;
RESET softdelete.include_deleted;
SELECT softdelete.enable('t_live_ix', live_indexes => true);
CREATE TABLE t_flag_pk (LIKE t_live_ix INCLUDING ALL);
SET softdelete.include_deleted = on;
INSERT INTO t_flag_pk SELECT * FROM t_flag;
RESET softdelete.include_deleted;
SELECT softdelete.enable('t_flag_pk', live_indexes => true);
SELECT softdelete.pack('t_flag_pk');
CREATE TABLE t_bool_pk (id int PRIMARY KEY, customer int, created timestamptz, amount numeric,
						is_deleted boolean NOT NULL DEFAULT false);
INSERT INTO t_bool_pk SELECT id, customer, created, amount, gone FROM src;
CREATE INDEX ON t_bool_pk (customer);
CREATE INDEX ON t_bool_pk (created);
SELECT softdelete.enable('t_bool_pk', 'is_deleted', live_indexes => true);
SELECT softdelete.pack('t_bool_pk');
CREATE TABLE t_archive (id int PRIMARY KEY, customer int, created timestamptz, amount numeric);
INSERT INTO t_archive SELECT id, customer, created, amount FROM src;
CREATE INDEX ON t_archive (customer);
CREATE INDEX ON t_archive (created);
SELECT softdelete.enable_archive('t_archive');
DELETE FROM t_archive WHERE id IN (SELECT id FROM src WHERE gone);
CREATE TABLE t_arch_pk (id int PRIMARY KEY, customer int, created timestamptz, amount numeric);
INSERT INTO t_arch_pk SELECT id, customer, created, amount FROM src;
CREATE INDEX ON t_arch_pk (customer);
CREATE INDEX ON t_arch_pk (created);
SELECT softdelete.enable_archive('t_arch_pk');
DELETE FROM t_arch_pk WHERE id IN (SELECT id FROM src WHERE gone);
SELECT softdelete.pack('t_arch_pk');
DROP TABLE src;
VACUUM ANALYZE;
SQL
}

# blocks and milliseconds of query $2 on table $1
measure() {
	local table=$1 q=$2 i out blocks ms=()
	q=${q//TBL/$table}
	for i in 0 1 2 3 4 5; do
		out=$(psql_ -c "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) $q")
		if [ "$i" -gt 0 ]; then
			ms+=("$(python3 -c "import json,sys; print(json.loads(sys.stdin.read())[0]['Execution Time'])" <<<"$out")")
		fi
	done
	blocks=$(python3 -c "import json,sys; p=json.loads(sys.stdin.read())[0]['Plan']; print(p['Shared Hit Blocks'] + p['Shared Read Blocks'])" <<<"$out")
	printf '%s %s' "$blocks" "$(printf '%s\n' "${ms[@]}" | sort -g | sed -n 3p)"
}

# rows and milliseconds of write $1, in a transaction rolled back
measure_write() {
	local stmt=$1 i out n ms=()
	for i in 0 1 2 3 4 5; do
		out=$(run_as_pg psql -X -q -At -h "$dir" -p 5594 -d postgres \
			-c 'BEGIN' -c '\timing on' -c "$stmt" -c 'ROLLBACK' 2>&1)
		if [ "$i" -gt 0 ]; then
			ms+=("$(sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' <<<"$out" | head -1)")
		fi
	done
	n=$(sed -n '/^Time:/!p' <<<"$out" | grep -E '^[0-9]+$' | head -1)
	printf '%s %s' "${n:-?}" "$(printf '%s\n' "${ms[@]}" | sort -g | sed -n 3p)"
}

live_key=$(( ROWS / 2 ))
for share in $SHARES; do
	build "$share"
	# a live row to look up: the first live id from the middle on
	key=$(psql_ -c "SELECT min(id) FROM t_live WHERE id >= $live_key")
	day=$(psql_ -c "SELECT date_trunc('day', created) FROM t_live WHERE id = $key")
	cust=$(psql_ -c "SELECT customer FROM t_live WHERE id = $key")
	declare -A Q=(
		[customer]="SELECT sum(amount) FROM TBL WHERE customer = $cust"
		[latest]="SELECT id, created FROM TBL ORDER BY created DESC LIMIT 20"
		[count]="SELECT count(*) FROM TBL"
		[day]="SELECT count(*), sum(amount) FROM TBL WHERE created >= '$day' AND created < timestamptz '$day' + interval '1 day'"
		[key]="SELECT * FROM TBL WHERE id = $key"
	)
	echo
	echo "### $share% deleted ($ROWS rows)"
	echo
	echo "| query | live only: blocks | ms | flag, ordinary indexes: blocks | ms | flag, live_indexes: blocks | ms | flag, live_indexes + pack: blocks | ms | boolean, live_indexes + pack: blocks | ms | archive: blocks | ms | archive + pack: blocks | ms |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	for q in customer latest count day key; do
		row="| $q"
		for t in t_live t_flag t_live_ix t_flag_pk t_bool_pk t_archive t_arch_pk; do
			read -r b m <<<"$(measure "$t" "${Q[$q]}")"
			row+=" | $b | $m"
		done
		echo "$row |"
	done
	# the writes: ms of each, median of 5 after one, rolled back
	lo=$(( ROWS / 4 )); hi=$(( lo + 20000 ))
	echo
	echo "| write | flag, ordinary indexes: rows | ms | flag, live_indexes: rows | ms | boolean, live_indexes + pack: rows | ms |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	for w in delete restore; do
		row="| $w"
		for t in t_flag t_live_ix t_bool_pk; do
			if [ "$w" = delete ]; then
				stmt="WITH d AS (DELETE FROM $t WHERE id BETWEEN $lo AND $hi RETURNING 1) SELECT count(*) FROM d"
			else
				stmt="SELECT softdelete.restore('$t', 'id BETWEEN $lo AND $hi')"
			fi
			read -r n m <<<"$(measure_write "$stmt")"
			row+=" | $n | $m"
		done
		echo "$row |"
	done
done
