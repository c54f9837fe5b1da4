#!/usr/bin/env bash
# What access control (1.5) costs a statement, counted in instructions
# (valgrind's callgrind), with the library as installed (build and install
# the tree to measure first; an older build is compared by installing it in
# turn).  A single-user backend runs as a role that is not the table's
# owner, one statement per transaction, on a flag-mode table of 100,000
# rows (10% deleted):
#   read       point reads by primary key (no setting: no grant check)
#   update     UPDATEs of a data column by primary key (no check)
#   delete     soft DELETEs by primary key (no check)
#   granted    point reads under include_deleted = on by a role granted
#              read_deleted (one check per statement)
# Prints instructions per statement.  Run as root: bash bench/access_overhead.sh
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
run_as_pg psql -X -q -h "$dir" -p 5598 -d postgres >/dev/null <<'SQL'
CREATE EXTENSION softdelete;
CREATE ROLE app;
CREATE TABLE c (id int PRIMARY KEY, v int NOT NULL DEFAULT 0);
INSERT INTO c SELECT g, 0 FROM generate_series(1, 100000) g;
SELECT softdelete.enable('c');
DELETE FROM c WHERE id % 10 = 0;
GRANT SELECT, UPDATE, DELETE ON c TO app;
-- 1.5 on: the grant; before, every role read deleted rows
DO $$ BEGIN
	IF to_regproc('softdelete.grant_access') IS NOT NULL THEN
		PERFORM softdelete.grant_access('c', 'app', 'read_deleted');
	END IF;
END $$;
VACUUM ANALYZE;
SQL
run_as_pg pg_ctl -D "$dir/data" -w stop >/dev/null
# Each shape runs 500 and 1,500 statements: the difference over 1,000 is the
# marginal cost of one, without the backend's start and the library's load.
python3 - "$dir" <<'PY'
import sys
d = sys.argv[1]
for n in (500, 1500):
	role = "SET ROLE app;\n\n"
	open(d + "/read.%d.sql" % n, "w").write(role + "".join("SELECT v FROM c WHERE id = %d;\n\n" % (i * 7 + 1) for i in range(n)))
	open(d + "/update.%d.sql" % n, "w").write(role + "".join("UPDATE c SET v = v + 1 WHERE id = %d;\n\n" % (i * 7 + 2) for i in range(n)))
	open(d + "/delete.%d.sql" % n, "w").write(role + "".join("DELETE FROM c WHERE id = %d;\n\n" % (i * 7 + 3) for i in range(n)))
	open(d + "/granted.%d.sql" % n, "w").write(role + "SET softdelete.include_deleted = on;\n\n" +
		"".join("SELECT v FROM c WHERE id = %d;\n\n" % (i * 7 + 4) for i in range(n)))
PY
chmod 644 "$dir"/*.sql
count() {
	run_as_pg valgrind --tool=callgrind --callgrind-out-file="$dir/cg.$1" \
		postgres --single -j -D "$dir/data" -c shared_preload_libraries=softdelete postgres \
		< "$dir/$1.sql" > "$dir/out.$1" 2> "$dir/err.$1"
	if grep -q ERROR "$dir/out.$1"; then echo "$1: a statement failed" >&2; grep ERROR "$dir/out.$1" | head -3 >&2; exit 1; fi
	sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$dir/err.$1"
}
echo "| statement | instructions per statement |"
echo "|-----------|----------------------------|"
for name in read update delete granted; do
	a=$(count "$name.500")
	b=$(count "$name.1500")
	printf '| %-9s | %26d |\n' "$name" $(((b - a) / 1000))
done
