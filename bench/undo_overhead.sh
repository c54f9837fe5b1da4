#!/usr/bin/env bash
# Who deleted, why and which transaction (1.7): a soft DELETE with
# softdelete.actor and softdelete.reason set, which records the actor in the
# table's deleted_by column and, as the transaction commits, one row of the
# log softdelete.deletions (its xid8, subtransactions, row count, actor,
# reason), counting each row on the way.  Against the UPDATE written by hand
# that records the same in columns of a plain table:
#   by hand, 4 columns  deleted_at, deleted_by, deleted_reason, deleted_xid
#   by hand, 2 columns  deleted_at, deleted_by (the 1.6 comparison)
# Counted in instructions (valgrind's callgrind), single-user backend, the
# library as installed:
#   one row    point DELETEs, one per transaction (500 and 1,500: the
#              difference over 1,000 is the cost of one)
#   100k rows  one DELETE of 100,000 rows (less the same backend running
#              SELECT 1: its start and the library's load)
# Prints instructions and by hand / softdelete (the issue's goal: at least
# 0.97).  Run as root: bash bench/undo_overhead.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh
command -v valgrind >/dev/null || apt-get install -y -qq valgrind >/dev/null
dir=$(mktemp -d /tmp/softdelete-bench.XXXXXX)
chown postgres: "$dir"
trap 'run_as_pg pg_ctl -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
run_as_pg initdb -D "$dir/data" -A trust >/dev/null
run_as_pg pg_ctl -D "$dir/data" -l "$dir/log" -w start \
	-o "-c shared_preload_libraries=softdelete -c port=5597 -c listen_addresses='' -c unix_socket_directories=$dir" >/dev/null
run_as_pg psql -X -q -h "$dir" -p 5597 -d postgres >/dev/null <<'SQL'
CREATE EXTENSION softdelete;
CREATE TABLE s (id int PRIMARY KEY, v int NOT NULL DEFAULT 0);
CREATE TABLE h (id int PRIMARY KEY, v int NOT NULL DEFAULT 0, deleted_at timestamptz,
				deleted_by text, deleted_reason text, deleted_xid xid8);
CREATE TABLE h2 (id int PRIMARY KEY, v int NOT NULL DEFAULT 0, deleted_at timestamptz, deleted_by text);
INSERT INTO s SELECT g FROM generate_series(1, 200000) g;
INSERT INTO h SELECT g FROM generate_series(1, 200000) g;
INSERT INTO h2 SELECT g FROM generate_series(1, 200000) g;
SELECT softdelete.enable('s', deleted_by => 'deleted_by');
VACUUM ANALYZE;
SQL
run_as_pg pg_ctl -D "$dir/data" -w stop >/dev/null
python3 - "$dir" <<'PY'
import sys
d = sys.argv[1]
head = "SET softdelete.actor = 'user:42';\n\nSET softdelete.reason = 'cleanup';\n\n"
hand4 = "UPDATE h SET deleted_at = now(), deleted_by = 'user:42', deleted_reason = 'cleanup', deleted_xid = pg_current_xact_id() WHERE %s AND deleted_at IS NULL;\n\n"
hand2 = "UPDATE h2 SET deleted_at = now(), deleted_by = 'user:42' WHERE %s AND deleted_at IS NULL;\n\n"
for n in (500, 1500):
	ids = ["id = %d" % (i * 7 + 1) for i in range(n)]
	open(d + "/soft.%d.sql" % n, "w").write(head + "".join("DELETE FROM s WHERE %s;\n\n" % w for w in ids))
	open(d + "/hand4.%d.sql" % n, "w").write(head + "".join(hand4 % w for w in ids))
	open(d + "/hand2.%d.sql" % n, "w").write(head + "".join(hand2 % w for w in ids))
open(d + "/soft.big.sql", "w").write(head + "DELETE FROM s WHERE id > 100000;\n\n")
open(d + "/hand4.big.sql", "w").write(head + hand4 % "id > 100000")
open(d + "/hand2.big.sql", "w").write(head + hand2 % "id > 100000")
open(d + "/base.sql", "w").write(head + "SELECT 1;\n\n")
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
h41=$(( ($(count hand4.1500) - $(count hand4.500)) / 1000 ))
h21=$(( ($(count hand2.1500) - $(count hand2.500)) / 1000 ))
sb=$(( $(count soft.big) - base ))
h4b=$(( $(count hand4.big) - base ))
h2b=$(( $(count hand2.big) - base ))
# the log really was written, once per transaction
logged=$(run_as_pg postgres --single -j -D "$dir/data" postgres <<<"SELECT count(*) AS n, sum(rows) AS r FROM softdelete.deletions;" | sed -n 's/.*n = "\([0-9]*\)".*/\1/p; s/.*r = "\([0-9]*\)".*/\1/p' | paste -sd/)
ratio() { python3 -c "print('%.3f' % ($1 / $2))"; }
echo "| delete | softdelete (actor, reason, xid) | by hand, 4 columns | by hand / softdelete | by hand, 2 columns | by hand / softdelete |"
echo "|--------|------:|------:|------:|------:|------:|"
printf '| one row | %d | %d | %s | %d | %s |\n' "$s1" "$h41" "$(ratio $h41 $s1)" "$h21" "$(ratio $h21 $s1)"
printf '| 100k rows | %d | %d | %s | %d | %s |\n' "$sb" "$h4b" "$(ratio $h4b $sb)" "$h2b" "$(ratio $h2b $sb)"
echo "log rows written / rows counted: $logged"
