#!/usr/bin/env bash
# Writes on enabled tables that hold foreign keys, counted in instructions
# (valgrind's callgrind), with the library as installed (build and install
# the tree to measure first; OLD and new builds are compared by installing
# each in turn).  A single-user backend runs, one statement per transaction:
#   update   1000 UPDATEs of a flag-mode child's data by primary key
#   delete   1000 soft DELETEs of such a child by primary key
#   cascade  1000 soft DELETEs of a flag-mode parent with 10 children each
# Prints instructions per statement.  Run as root: bash bench/write_overhead.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh
command -v valgrind >/dev/null || apt-get install -y -qq valgrind >/dev/null
dir=$(mktemp -d /tmp/softdelete-bench.XXXXXX)
chown postgres: "$dir"
trap 'run_as_pg pg_ctl -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
run_as_pg initdb -D "$dir/data" -A trust >/dev/null
run_as_pg pg_ctl -D "$dir/data" -l "$dir/log" -w start \
	-o "-c shared_preload_libraries=softdelete -c port=5598 -c listen_addresses='' -c unix_socket_directories=$dir" >/dev/null
run_as_pg psql -X -q -h "$dir" -p 5598 -d postgres <<'SQL'
CREATE EXTENSION softdelete;
CREATE TABLE p (id int PRIMARY KEY);
CREATE TABLE c (id int PRIMARY KEY, pid int REFERENCES p ON DELETE CASCADE, v int NOT NULL DEFAULT 0);
INSERT INTO p SELECT generate_series(1, 10000);
INSERT INTO c SELECT g, (g - 1) / 10 + 1, 0 FROM generate_series(1, 100000) g;
CREATE INDEX ON c (pid);
SELECT softdelete.enable('c'), softdelete.enable('p');
VACUUM ANALYZE;
SQL
run_as_pg pg_ctl -D "$dir/data" -w stop >/dev/null
n=1000
python3 - "$dir" "$n" <<'PY'
import sys
d, n = sys.argv[1], int(sys.argv[2])
open(d + "/update.sql", "w").write("".join("UPDATE c SET v = v + 1 WHERE id = %d;\n\n" % (i * 7 + 1) for i in range(n)))
open(d + "/delete.sql", "w").write("".join("DELETE FROM c WHERE id = %d;\n\n" % (i * 7 + 3) for i in range(n)))
open(d + "/cascade.sql", "w").write("".join("DELETE FROM p WHERE id = %d;\n\n" % (i * 3 + 2) for i in range(n)))
PY
chmod 644 "$dir"/*.sql
echo "| statement | instructions | per stmt |"
echo "|-----------|--------------|----------|"
for name in update delete cascade; do
	run_as_pg valgrind --tool=callgrind --callgrind-out-file="$dir/cg.$name" \
		postgres --single -j -D "$dir/data" -c shared_preload_libraries=softdelete postgres \
		< "$dir/$name.sql" > "$dir/out.$name" 2> "$dir/err.$name"
	if grep -q ERROR "$dir/out.$name"; then echo "$name: a statement failed" >&2; exit 1; fi
	total=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$dir/err.$name")
	printf '| %-9s | %12d | %8d |\n' "$name" "$total" $((total / n))
done
