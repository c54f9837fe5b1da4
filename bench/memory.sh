#!/bin/bash
# Memory of the backend running one big flag-mode soft DELETE (issue 5: "a 1M-row
# DELETE keeps memory flat"; archive mode is measured by bench/archive.sh).
#
# Variants, each in a fresh session on freshly loaded tables:
#   ours       DELETE FROM t            1M rows, soft-deleted (a redirected UPDATE)
#   hand       UPDATE h SET deleted_at = now() WHERE deleted_at IS NULL   (plain table)
#   ours_fk    DELETE FROM p            1000 parents, each cascading to 1000 children
#                                       (1M children soft-deleted by softdelete_fk)
#   hand_fk    the same cascade by hand: WITH d AS (UPDATE hp ... RETURNING id) UPDATE hc ...
# RssAnon (the backend's own memory) is sampled every ~10 ms from outside; VmHWM is
# reset right before the statement.  Writes bench/memory.md.
# Run as root: bash bench/memory.sh   (~2 min)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

ROWS=${ROWS:-1000000}
OUT=${OUT:-bench/memory.md}
port=5599
dir=/tmp/softdelete-bench-memory

[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
make -s && make -s install

stop_server() { [ -f "$dir/data/postmaster.pid" ] && run_as_pg pg_ctl -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true; }
stop_server
rm -rf "$dir"
mkdir -p "$dir/res"
chown -R postgres: "$dir"
trap 'stop_server' EXIT
run_as_pg initdb -D "$dir/data" -A trust >/dev/null
run_as_pg pg_ctl -D "$dir/data" -l "$dir/log" -w start -o "-c shared_preload_libraries=softdelete \
	-c port=$port -c listen_addresses='' -c unix_socket_directories=$dir \
	-c shared_buffers=1GB -c max_wal_size=8GB -c checkpoint_timeout=1h -c autovacuum=off" >/dev/null
export PGOPTIONS="-c client_min_messages=warning"
psql_() { run_as_pg psql -X -q -v ON_ERROR_STOP=1 -h "$dir" -p $port -d mem "$@"; }
log() { echo "[$(date +%T)] $*" >&2; }
started=$(date +%s)
run_as_pg psql -X -q -h "$dir" -p $port -d postgres -c "CREATE DATABASE mem"
psql_ -c "CREATE EXTENSION softdelete"

setup() {	# setup VARIANT
	case $1 in
		ours|hand) psql_ <<SQL ;;
DROP TABLE IF EXISTS t, h;
CREATE TABLE t (id int PRIMARY KEY, a int, b text);
INSERT INTO t SELECT g, g % 1000, md5(g::text) FROM generate_series(1, $ROWS) g;
CREATE TABLE h AS SELECT *, NULL::timestamptz AS deleted_at FROM t;
ALTER TABLE h ADD PRIMARY KEY (id);
SELECT softdelete.enable('t');
VACUUM ANALYZE t; VACUUM ANALYZE h; CHECKPOINT;
SQL
		ours_fk|hand_fk) psql_ <<SQL ;;
DROP TABLE IF EXISTS c, p, hc, hp;
CREATE TABLE p (id int PRIMARY KEY);
CREATE TABLE c (id int PRIMARY KEY, pid int NOT NULL REFERENCES p ON DELETE CASCADE, b text);
INSERT INTO p SELECT generate_series(1, $((ROWS / 1000)));
INSERT INTO c SELECT g, 1 + (g - 1) / 1000, md5(g::text) FROM generate_series(1, $ROWS) g;
CREATE INDEX ON c (pid);
CREATE TABLE hp (id int PRIMARY KEY, deleted_at timestamptz);
CREATE TABLE hc (id int PRIMARY KEY, pid int NOT NULL REFERENCES hp, b text, deleted_at timestamptz);
INSERT INTO hp SELECT id FROM p;
INSERT INTO hc SELECT id, pid, b FROM c;
CREATE INDEX ON hc (pid);
SELECT softdelete.enable('c');
SELECT softdelete.enable('p');
VACUUM ANALYZE; CHECKPOINT;
SQL
	esac
}
stmt() {
	case $1 in
		ours) echo "DELETE FROM t" ;;
		hand) echo "UPDATE h SET deleted_at = now() WHERE deleted_at IS NULL" ;;
		ours_fk) echo "DELETE FROM p" ;;
		hand_fk) echo "WITH d AS (UPDATE hp SET deleted_at = now() WHERE deleted_at IS NULL RETURNING id) UPDATE hc SET deleted_at = now() FROM d WHERE hc.pid = d.id AND hc.deleted_at IS NULL" ;;
	esac
}
check() {	# the rows the statement must have deleted
	local got want=$ROWS
	case $1 in
		ours) got=$(psql_ -At -c "SET softdelete.include_deleted = on; SELECT count(*) FROM t WHERE deleted_at IS NOT NULL") ;;
		hand) got=$(psql_ -At -c "SELECT count(*) FROM h WHERE deleted_at IS NOT NULL") ;;
		ours_fk) got=$(psql_ -At -c "SET softdelete.include_deleted = on; SELECT count(*) FROM c WHERE deleted_at IS NOT NULL") ;;
		hand_fk) got=$(psql_ -At -c "SELECT count(*) FROM hc WHERE deleted_at IS NOT NULL") ;;
	esac
	got=$(tail -1 <<< "$got")
	[ "$got" = "$want" ] || { echo "$1: $got rows deleted, want $want" >&2; exit 1; }
}

status_sql="SELECT string_agg(m[1] || '=' || m[2], ' ') FROM regexp_matches(pg_read_file('/proc/self/status'),
	'(VmHWM|RssAnon|RssShmem):\s+(\d+) kB', 'g') m"
for v in ours hand ours_fk hand_fk; do
	setup "$v"
	rm -f "$dir/pid" "$dir/before" "$dir/after"
	start=$(date +%s%N)
	psql_ -At >/dev/null <<SQL &
\o $dir/pid
SELECT pg_backend_pid();
\o
SELECT count(*) FROM pg_class;
COPY (SELECT 5) TO '/proc/self/clear_refs';
\o $dir/before
$status_sql;
\o
SELECT pg_sleep(0.3);
$(stmt "$v");
\o $dir/after
$status_sql;
\o
SQL
	bg=$!
	until [ -s "$dir/pid" ]; do sleep 0.01; done
	bpid=$(cat "$dir/pid")
	peak=0
	while kill -0 "$bg" 2>/dev/null; do
		while read -r key val _; do
			[ "$key" = RssAnon: ] && [ "$val" -gt "$peak" ] && peak=$val
		done 2>/dev/null < "/proc/$bpid/status" || true
		sleep 0.01
	done
	wait "$bg"
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	check "$v"
	echo "$v $(sed 's/=/_before=/g' "$dir/before") $(cat "$dir/after") RssAnon_peak=$peak ms=$ms" >> "$dir/res/mem"
	log "$(tail -1 "$dir/res/mem")"
done
elapsed=$(( $(date +%s) - started ))

kv() { tr ' ' '\n' <<< "$1" | sed -n "s/^$2=//p"; }
name() {
	case $1 in
		ours) echo "ours: DELETE of $ROWS rows (flag mode)" ;;
		hand) echo "by hand: UPDATE of $ROWS rows (plain table)" ;;
		ours_fk) echo "ours: DELETE of $((ROWS / 1000)) parents cascading to $ROWS children" ;;
		hand_fk) echo "by hand: the same cascade, one CTE" ;;
	esac
}
{
	echo "# Memory of one big soft DELETE (flag mode)"
	echo
	echo "Command: \`bash bench/memory.sh\` (as root). Measured $(date -u '+%Y-%m-%d %H:%M') UTC on $(nproc) cores,"
	echo "$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(run_as_pg psql -X -At -h "$dir" -p $port -d mem -c 'SELECT version()' | sed 's/ on x86_64.*//'); the run took $elapsed s."
	echo "Server: shared_buffers=1GB, autovacuum=off. One session per variant, on tables loaded"
	echo "just before. RssAnon, the backend's own memory, is sampled every ~10 ms from outside"
	echo "while the statement runs; VmHWM (reset by \`/proc/self/clear_refs\` right before) also"
	echo "counts the shared buffers the backend touches (RssShmem), which grow with the data"
	echo "touched whatever the method. The run checks that each statement deleted $ROWS rows."
	echo "Archive mode: [archive.md](archive.md)."
	echo
	echo "| workload | RssAnon before (kB) | RssAnon peak (kB) | RssAnon after (kB) | VmHWM after (kB) | RssShmem after (kB) | time incl. session (ms) |"
	echo "|----------|--------------------:|------------------:|-------------------:|-----------------:|--------------------:|------------------------:|"
	while read -r v line; do
		echo "| $(name "$v") | $(kv "$line" RssAnon_before) | $(kv "$line" RssAnon_peak) | $(kv "$line" RssAnon) | $(kv "$line" VmHWM) | $(kv "$line" RssShmem) | $(kv "$line" ms) |"
	done < "$dir/res/mem"
	echo
	echo "A soft DELETE is one UPDATE: its memory does not grow with the row count. With foreign"
	echo "keys, \`softdelete_fk\` queues one AFTER trigger event per parent row (core's own"
	echo "foreign keys do the same) and runs one cascade statement per parent, whose own events"
	echo "are fired and freed at the end of that statement."
} > "$OUT"
log "wrote $OUT"
cat "$OUT"
