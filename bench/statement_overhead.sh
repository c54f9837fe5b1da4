#!/usr/bin/env bash
# What softdelete costs a statement that touches no enabled table, in a
# database that has enabled tables: point reads by primary key of a plain
# table, one per transaction, in a single-user backend, counted in
# instructions (valgrind's callgrind), with the library preloaded and
# without.  The marginal cost: (5,000 reads - 1,000 reads) / 4,000, so the
# backend's start and the library's one-time load drop out.  Prints
# instructions per statement and the library's share (issue 25's goal: at
# most 0.25%).  KEEP=1 keeps the callgrind files (their directory is printed).
# Run as root: bash bench/statement_overhead.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh
command -v valgrind >/dev/null || apt-get install -y -qq valgrind >/dev/null
dir=$(mktemp -d /tmp/softdelete-bench.XXXXXX)
chown postgres: "$dir"
if [ -z "${KEEP:-}" ]; then
	trap 'run_as_pg pg_ctl -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
fi
run_as_pg initdb -D "$dir/data" -A trust >/dev/null
run_as_pg pg_ctl -D "$dir/data" -l "$dir/log" -w start \
	-o "-c shared_preload_libraries=softdelete -c port=${SO_PORT:-5595} -c listen_addresses='' -c unix_socket_directories=$dir" >/dev/null
run_as_pg psql -X -q -h "$dir" -p ${SO_PORT:-5595} -d postgres >/dev/null <<'SQL'
CREATE EXTENSION softdelete;
CREATE TABLE plain (id int PRIMARY KEY, v text);
INSERT INTO plain SELECT g, 'v' || g FROM generate_series(1, 10000) g;
DO $$ BEGIN
	FOR i IN 1..20 LOOP
		EXECUTE format('CREATE TABLE enabled%s (id int PRIMARY KEY)', i);
		PERFORM softdelete.enable(format('enabled%s', i)::regclass);
	END LOOP;
END $$;
VACUUM ANALYZE;
SQL
run_as_pg pg_ctl -D "$dir/data" -w stop >/dev/null
python3 - "$dir" <<'PY'
import sys
d = sys.argv[1]
for n in (1000, 5000):
	open(d + "/reads.%d.sql" % n, "w").write("".join(
		"SELECT v FROM plain WHERE id = %d;\n\n" % (i * 7 % 10000 + 1) for i in range(n)))
PY
chmod 644 "$dir"/*.sql
count() {	# $1: reads.N, $2: preload setting
	run_as_pg valgrind --tool=callgrind --callgrind-out-file="$dir/cg.$1.$3" \
		postgres --single -j -D "$dir/data" -c shared_preload_libraries="$2" postgres \
		< "$dir/$1.sql" > "$dir/out.$1.$3" 2> "$dir/err.$1.$3"
	if grep -q ERROR "$dir/out.$1.$3"; then echo "$1: a statement failed" >&2; exit 1; fi
	sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$dir/err.$1.$3"
}
without=$(( ($(count reads.5000 "" without) - $(count reads.1000 "" without)) / 4000 ))
with=$(( ($(count reads.5000 softdelete with) - $(count reads.1000 softdelete with)) / 4000 ))
echo "| point read of a table that is not enabled | instructions per statement |"
echo "|---|---:|"
echo "| library not loaded | $without |"
echo "| library preloaded | $with |"
echo "| softdelete's share | $(( with - without )) ($(python3 -c "print('%.2f%%' % (100.0 * ($with - $without) / $without))")) |"
[ -n "${KEEP:-}" ] && echo "kept: $dir"
true
