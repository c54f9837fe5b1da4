#!/usr/bin/env bash
# softdelete.trash (1.7) with 1,000 enabled tables: how long one read of
# the view takes, and how much of it is per table.  Each table has 200 rows;
# tables are:
#   none       no deleted rows
#   deleted    10 deleted rows each
#   indexed    10 deleted rows each, and a partial index WHERE deleted_at IS
#              NOT NULL (what the reads of deleted rows use)
# Milliseconds, the median of 5 reads in one session (after one read that
# warms the caches), as a superuser, and as a role allowed to read
# deleted rows of 10 of the tables.  Run as root: bash bench/trash_scale.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh
dir=$(mktemp -d /tmp/softdelete-bench.XXXXXX)
chown postgres: "$dir"
trap 'run_as_pg pg_ctl -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
run_as_pg initdb -D "$dir/data" -A trust >/dev/null
run_as_pg pg_ctl -D "$dir/data" -l "$dir/log" -w start \
	-o "-c shared_preload_libraries=softdelete -c port=5598 -c listen_addresses='' -c unix_socket_directories=$dir -c max_locks_per_transaction=256" >/dev/null
psql_() { run_as_pg psql -X -q -At -h "$dir" -p 5598 "$@"; }
for kind in none deleted indexed; do
	psql_ -d postgres -c "CREATE DATABASE $kind" >/dev/null
	psql_ -d "$kind" >/dev/null <<SQL
CREATE EXTENSION softdelete;
CREATE ROLE reader_$kind;
DO \$\$
BEGIN
	FOR i IN 1..1000 LOOP
		EXECUTE format('CREATE TABLE t%s (id int PRIMARY KEY, v text)', i);
		EXECUTE format('INSERT INTO t%s SELECT g, ''v'' || g FROM generate_series(1, 200) g', i);
		PERFORM softdelete.enable(format('t%s', i)::regclass);
		IF '$kind' <> 'none' THEN
			EXECUTE format('DELETE FROM t%s WHERE id %% 20 = 0', i);
		END IF;
		IF '$kind' = 'indexed' THEN
			EXECUTE format('CREATE INDEX ON t%s (deleted_at) WHERE deleted_at IS NOT NULL', i);
		END IF;
		IF i <= 10 THEN
			EXECUTE format('GRANT SELECT ON t%s TO reader_$kind', i);
			PERFORM softdelete.grant_access(format('t%s', i)::regclass, 'reader_$kind', 'read_deleted');
		END IF;
	END LOOP;
END
\$\$;
VACUUM ANALYZE;
SQL
done
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
read_ms() {
	local db=$1 role=$2
	psql_ -d "$db" <<SQL | grep -o 'Time: [0-9.]*' | awk '{print $2}' | tail -n 5 | median
SET ROLE $role;
SELECT count(*) FROM softdelete.trash;
\timing on
SELECT count(*) FROM softdelete.trash;
SELECT count(*) FROM softdelete.trash;
SELECT count(*) FROM softdelete.trash;
SELECT count(*) FROM softdelete.trash;
SELECT count(*) FROM softdelete.trash;
SQL
}
echo "| tables | rows in trash | superuser, ms | per table, µs | role with 10 tables, ms |"
echo "|---|---:|---:|---:|---:|"
for kind in none deleted indexed; do
	rows=$(psql_ -d "$kind" -c "SELECT count(*) FROM softdelete.trash")
	su=$(read_ms "$kind" postgres)
	role=$(read_ms "$kind" "reader_$kind")
	printf '| %s | %s | %s | %s | %s |\n' "$kind" "$rows" "$su" \
		"$(python3 -c "print('%.0f' % ($su * 1000 / 1000))")" "$role"
done
