#!/usr/bin/env bash
# What a query costs as the number of enabled tables grows, in instructions
# (valgrind's callgrind, as bench/planner_overhead.sh counts them), so the
# figures do not depend on what else the machine is doing.
#
# One database grows to 2 (the table read and the one invalidated), 1,000,
# 10,000 and 100,000 enabled tables (flag mode; SCALES picks others).  At each size, in a single-user backend, less
# what the same session costs without the statements (start and exit):
#   steady      LOOKUPS (300) point lookups by primary key on acc2, an enabled
#               table of 100,000 rows, one statement per transaction
#   inval       the same lookups, each after an invalidation of another
#               enabled table: ALTER TABLE other_1 SET (fillfactor = ...)
#               (a pair of statements; the ALTER's own cost does not depend
#               on the number of tables)
#   first       a new backend's first statement, the same lookup
# "steady" leaves out the first lookup (a new backend's, measured apart).
# Each is counted with the library installed, with OLD_LIB=/path/to/.so (an
# older build, on the same database), and without the library (PostgreSQL's
# own cost, which grows a little with the catalogs).
# and, on the running server, the wall-clock time of a new connection's
# first lookup (median of 30 connections, psycopg2, after connecting).
# Prints a markdown table.  Run as root: bash bench/registry_scale.sh
# (about 15 minutes with 100,000 tables; SCALES="1 1000" for a quick try).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh
command -v valgrind >/dev/null || apt-get install -y -qq valgrind >/dev/null
make -s && make -s install

SCALES=${SCALES:-2 1000 10000 100000}
n=${LOOKUPS:-300}
n_old=${OLD_LOOKUPS:-30}	# the old build is slow with many tables
port=5597
dir=$(mktemp -d /tmp/softdelete-bench-scale.XXXXXX)
chown postgres: "$dir"
stop() { run_as_pg pg_ctl -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true; }
trap 'stop; rm -rf "$dir"' EXIT
run_as_pg initdb -D "$dir/data" -A trust >/dev/null
cat >> "$dir/data/postgresql.conf" <<CONF
shared_preload_libraries = 'softdelete'
port = $port
listen_addresses = ''
unix_socket_directories = '$dir'
fsync = off
autovacuum = off
max_locks_per_transaction = 256
CONF
start() { run_as_pg pg_ctl -D "$dir/data" -l "$dir/log" -w start >/dev/null; }
psql_() { run_as_pg psql -X -q -h "$dir" -p $port -d bench -v ON_ERROR_STOP=1 "$@"; }
start
run_as_pg psql -X -q -h "$dir" -p $port -d postgres -c "CREATE DATABASE bench"
psql_ -c "CREATE EXTENSION softdelete" \
	-c "CREATE TABLE acc2 (aid int PRIMARY KEY, abalance int)" \
	-c "INSERT INTO acc2 SELECT g, 0 FROM generate_series(1, 100000) g" \
	-c "SELECT softdelete.enable('acc2')" \
	-c "UPDATE acc2 SET deleted_at = now() WHERE aid % 10 = 0" \
	-c "VACUUM ANALYZE acc2" \
	-c "CREATE TABLE other_1 (id int, deleted_at timestamptz)" \
	-c "SELECT softdelete.enable('other_1')"

python3 - "$dir" "$n" "$n_old" <<'PY'
import random, sys
d = sys.argv[1]
for suffix, n in (("", int(sys.argv[2])), ("_old", int(sys.argv[3]))):
    random.seed(1)
    ids = [random.randint(1, 100000) for _ in range(n)]
    open(d + "/q_steady%s.sql" % suffix, "w").write("".join(
        "SELECT abalance FROM acc2 WHERE aid = %d;\n\n" % i for i in ids))
    open(d + "/q_inval%s.sql" % suffix, "w").write("".join(
        "ALTER TABLE other_1 SET (fillfactor = %d);\n\nSELECT abalance FROM acc2 WHERE aid = %d;\n\n"
        % (50 + k % 50, i) for k, i in enumerate(ids)))
open(d + "/q_first.sql", "w").write("SELECT abalance FROM acc2 WHERE aid = 17;\n\n")
open(d + "/q_empty.sql", "w").write("")
PY
chmod 644 "$dir"/*.sql

# grow to WANT enabled tables: acc2 and other_1 .. other_{WANT-1}
# (other_1, the table the invalidations hit, is there from the start)
have=2
grow() {
	local want=$1
	[ "$want" -le "$have" ] && return
	python3 - "$have" "$want" > "$dir/grow.sql" <<'PY'
import sys
have, want = int(sys.argv[1]), int(sys.argv[2])
print("BEGIN;")
for i in range(have, want):
    print("CREATE TABLE other_%d (id int, deleted_at timestamptz);" % i)
    print("SELECT softdelete.enable('other_%d');" % i)
    if i % 500 == 0:
        print("COMMIT; BEGIN;")
print("COMMIT;")
PY
	chmod 644 "$dir/grow.sql"
	psql_ -o /dev/null -f "$dir/grow.sql"
	have=$want
}

count() {	# script [library] -> total instructions of a single-user session
	local lib=()
	[ "${2:-}" = none ] && lib=(-c "shared_preload_libraries=")
	[ -n "${2:-}" ] && [ "$2" != none ] && lib=(-c "shared_preload_libraries=$2")
	run_as_pg valgrind --tool=callgrind --callgrind-out-file="$dir/cg.out" \
		postgres --single -j -D "$dir/data" "${lib[@]}" bench < "$dir/$1" > "$dir/out" 2> "$dir/err"
	if grep -q ERROR "$dir/out"; then echo "$1: query failed" >&2; cat "$dir/out" >&2; exit 1; fi
	sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$dir/err"
}

first_ms() {	# median wall-clock ms of a new connection's first lookup
	run_as_pg python3 - "$dir" "$port" <<'PY'
import sys, time, statistics, psycopg2
d, port = sys.argv[1], sys.argv[2]
times = []
for _ in range(30):
    c = psycopg2.connect(host=d, port=port, dbname="bench")
    cur = c.cursor()
    t = time.perf_counter()
    cur.execute("SELECT abalance FROM acc2 WHERE aid = 17")
    cur.fetchall()
    times.append((time.perf_counter() - t) * 1000)
    c.close()
print("%.3f" % statistics.median(times))
PY
}

# OLD_LIB=/path/to/softdelete.so: measure that build of the library too, on
# the same database (before/after tables; its first-connection time is not
# measured, the server keeps the installed library).
report() {	# label [library]
	echo
	echo "$1"
	echo
	echo "| enabled tables | steady, per lookup (after the first) | after an invalidation of another enabled table, per pair (ALTER + lookup) | first statement of a new backend |"
	echo "|---:|---:|---:|---:|"
	cat "$dir/rows.$1"
}
for s in $SCALES; do
	grow "$s"
	ms=$(first_ms)
	stop
	for which in installed ${OLD_LIB:+old} none; do
		lib= suffix= k=$n
		[ "$which" = old ] && lib=$OLD_LIB suffix=_old k=$n_old
		[ "$which" = none ] && lib=none
		empty=$(count q_empty.sql "$lib")
		steady=$(count "q_steady$suffix.sql" "$lib")
		inval=$(count "q_inval$suffix.sql" "$lib")
		first=$(count q_first.sql "$lib")
		printf '| %s | %d | %d | %d |\n' "$s" $(((steady - first) / (k - 1))) \
			$(((inval - empty) / k)) $((first - empty)) >> "$dir/rows.$which"
	done
	printf '| %s | %s |\n' "$s" "$ms" >> "$dir/rows.ms"
	start
done
report installed
[ -n "${OLD_LIB:-}" ] && report old
report none
echo
echo "| enabled tables | first lookup of a new connection, ms (median of 30) |"
echo "|---:|---:|"
cat "$dir/rows.ms"
