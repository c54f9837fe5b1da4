#!/usr/bin/env bash
# Who deleted (1.6): a soft delete that records its actor in a deleted_by
# column, against the same UPDATE written by hand that writes the same
# columns (deleted_at, deleted_by) of a plain table, counted in
# instructions (valgrind's callgrind), with the library as installed.  A
# single-user backend, softdelete.actor set:
#   one row    point soft DELETEs, one per transaction (500 and 1,500: the
#              difference over 1,000 is the cost of one)
#   100k rows  one soft DELETE of 100,000 rows (less the same backend
#              running SELECT 1, its start and the library's load)
# Prints instructions, and the hand-written cost over softdelete's (the
# issue's goal: at least 0.97).  Run as root: bash bench/actor_overhead.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh
command -v valgrind >/dev/null || apt-get install -y -qq valgrind >/dev/null
dir=$(mktemp -d /tmp/softdelete-bench.XXXXXX)
chown postgres: "$dir"
trap 'run_as_pg pg_ctl -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
run_as_pg initdb -D "$dir/data" -A trust >/dev/null
run_as_pg pg_ctl -D "$dir/data" -l "$dir/log" -w start \
	-o "-c shared_preload_libraries=softdelete -c port=5596 -c listen_addresses='' -c unix_socket_directories=$dir" >/dev/null
run_as_pg psql -X -q -h "$dir" -p 5596 -d postgres >/dev/null <<'SQL'
CREATE EXTENSION softdelete;
CREATE TABLE s (id int PRIMARY KEY, v int NOT NULL DEFAULT 0);
CREATE TABLE h (id int PRIMARY KEY, v int NOT NULL DEFAULT 0, deleted_at timestamptz, deleted_by text);
INSERT INTO s SELECT g FROM generate_series(1, 200000) g;
INSERT INTO h SELECT g FROM generate_series(1, 200000) g;
SELECT softdelete.enable('s', deleted_by => 'deleted_by');
VACUUM ANALYZE;
SQL
run_as_pg pg_ctl -D "$dir/data" -w stop >/dev/null
python3 - "$dir" <<'PY'
import sys
d = sys.argv[1]
actor = "SET softdelete.actor = 'user:42';\n\n"
for n in (500, 1500):
	open(d + "/soft.%d.sql" % n, "w").write(actor + "".join(
		"DELETE FROM s WHERE id = %d;\n\n" % (i * 7 + 1) for i in range(n)))
	open(d + "/hand.%d.sql" % n, "w").write(actor + "".join(
		"UPDATE h SET deleted_at = now(), deleted_by = 'user:42' WHERE id = %d AND deleted_at IS NULL;\n\n" % (i * 7 + 1) for i in range(n)))
open(d + "/soft.big.sql", "w").write(actor + "DELETE FROM s WHERE id > 100000;\n\n")
open(d + "/hand.big.sql", "w").write(actor + "UPDATE h SET deleted_at = now(), deleted_by = 'user:42' WHERE id > 100000 AND deleted_at IS NULL;\n\n")
open(d + "/base.sql", "w").write(actor + "SELECT 1;\n\n")
PY
chmod 644 "$dir"/*.sql
count() {
	run_as_pg valgrind --tool=callgrind --callgrind-out-file="$dir/cg.$1" \
		postgres --single -j -D "$dir/data" -c shared_preload_libraries=softdelete postgres \
		< "$dir/$1.sql" > "$dir/out.$1" 2> "$dir/err.$1"
	if grep -q ERROR "$dir/out.$1"; then echo "$1: a statement failed" >&2; grep ERROR "$dir/out.$1" | head -3 >&2; exit 1; fi
	sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$dir/err.$1"
}
base=$(count base)
s1=$(( ($(count soft.1500) - $(count soft.500)) / 1000 ))
h1=$(( ($(count hand.1500) - $(count hand.500)) / 1000 ))
sb=$(( $(count soft.big) - base ))
hb=$(( $(count hand.big) - base ))
echo "| delete | softdelete (actor recorded) | by hand (same columns) | by hand / softdelete |"
echo "|--------|----------------------------:|-----------------------:|---------------------:|"
printf '| one row | %d | %d | %s |\n' "$s1" "$h1" "$(python3 -c "print('%.3f' % ($h1 / $s1))")"
printf '| 100k rows | %d | %d | %s |\n' "$sb" "$hb" "$(python3 -c "print('%.3f' % ($hb / $sb))")"
