#!/bin/bash
# The extra cost of foreign keys that understand soft delete (issue 4): a soft
# delete (and a restore) of a parent that cascades to 10,000 children, ours
# against the same cascade written by hand in SQL on plain tables.
#
# Workloads (times of one statement, its own transaction, psql \timing):
# A. flag mode, one parent with 10k children:
#    ours   DELETE FROM p WHERE id = k        (softdelete_fk cascades)
#    hand   WITH p AS (UPDATE p ... RETURNING id) UPDATE c ... FROM p
# B. flag mode, restore of that parent and its 10k children:
#    ours   SELECT softdelete.restore('p', 'id = k')
#    hand   the two UPDATEs that set deleted_at back to NULL, matching the stamp
# C. flag mode, bulk: 100 parents with 100 children each in one statement
#    (our trigger runs one cascade statement per parent; by hand it is one join)
# D. archive mode, one parent with 10k children: ours (core's cascade, the
#    archive trigger) against a CTE that deletes both and inserts into two
#    archive tables
#
# Rounds alternate the order of ours and hand; every round uses new parents.
# Writes bench/cascade.md.   Run as root: bash bench/cascade.sh  (~3 min)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

ROUNDS=${ROUNDS:-7}
OUT=${OUT:-bench/cascade.md}
CHILDREN=10000
port=5598
dir=/tmp/softdelete-bench-cascade

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
psql_() { run_as_pg psql -X -q -v ON_ERROR_STOP=1 -h "$dir" -p $port -d casc "$@"; }
log() { echo "[$(date +%T)] $*" >&2; }
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
order() {
	local r=$1; shift
	if [ $((r % 2)) = 1 ]; then echo "$@"; else echo "$@" | tr ' ' '\n' | tac | tr '\n' ' '; fi
}
# time_sql SQL: "ms" of the statement, run in its own transaction after a checkpoint
time_sql() {
	local out ms
	out=$(run_as_pg psql -X -v ON_ERROR_STOP=1 -h "$dir" -p $port -d casc -At <<SQL
CHECKPOINT;
\timing on
$1;
SQL
)
	ms=$(sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' <<< "$out" | tail -1)
	[ -n "$ms" ] || { echo "no timing for $1: $out" >&2; exit 1; }
	echo "$ms"
}
count() { psql_ -At -c "$1"; }
started=$(date +%s)

log "loading data"
run_as_pg psql -X -q -h "$dir" -p $port -d postgres -c "CREATE DATABASE casc"
psql_ <<SQL
CREATE EXTENSION softdelete;
-- A, B: $((ROUNDS + 1)) parents with $CHILDREN children each, ours and by hand
CREATE TABLE p (id int PRIMARY KEY, v text);
CREATE TABLE c (id int PRIMARY KEY, pid int NOT NULL REFERENCES p ON DELETE CASCADE, v text);
CREATE TABLE hp (id int PRIMARY KEY, v text, deleted_at timestamptz);
CREATE TABLE hc (id int PRIMARY KEY, pid int NOT NULL REFERENCES hp ON DELETE CASCADE, v text,
	deleted_at timestamptz);
INSERT INTO p SELECT g, md5(g::text) FROM generate_series(1, $((ROUNDS + 1))) g;
INSERT INTO c SELECT g, 1 + (g - 1) / $CHILDREN, md5(g::text) FROM generate_series(1, $(((ROUNDS + 1) * CHILDREN))) g;
INSERT INTO hp SELECT id, v FROM p;
INSERT INTO hc SELECT id, pid, v FROM c;
-- C: $((ROUNDS + 1)) groups of 100 parents with 100 children each
CREATE TABLE bp (id int PRIMARY KEY, v text);
CREATE TABLE bc (id int PRIMARY KEY, pid int NOT NULL REFERENCES bp ON DELETE CASCADE, v text);
CREATE TABLE hbp (id int PRIMARY KEY, v text, deleted_at timestamptz);
CREATE TABLE hbc (id int PRIMARY KEY, pid int NOT NULL REFERENCES hbp ON DELETE CASCADE, v text,
	deleted_at timestamptz);
INSERT INTO bp SELECT g, md5(g::text) FROM generate_series(1, $(((ROUNDS + 1) * 100))) g;
INSERT INTO bc SELECT g, 1 + (g - 1) / 100, md5(g::text) FROM generate_series(1, $(((ROUNDS + 1) * CHILDREN))) g;
INSERT INTO hbp SELECT id, v FROM bp;
INSERT INTO hbc SELECT id, pid, v FROM bc;
-- D: archive mode, and by hand: the same tables with archive tables beside them
CREATE TABLE ap (id int PRIMARY KEY, v text);
CREATE TABLE ac (id int PRIMARY KEY, pid int NOT NULL REFERENCES ap ON DELETE CASCADE, v text);
CREATE TABLE hap (id int PRIMARY KEY, v text);
CREATE TABLE hac (id int PRIMARY KEY, pid int NOT NULL REFERENCES hap, v text);
CREATE TABLE hap_archive (id int, v text, archived_at timestamptz, archive_id bigint GENERATED ALWAYS AS IDENTITY);
CREATE TABLE hac_archive (id int, pid int, v text, archived_at timestamptz, archive_id bigint GENERATED ALWAYS AS IDENTITY);
CREATE INDEX ON hap_archive (id, archive_id);
CREATE INDEX ON hac_archive (id, archive_id);
INSERT INTO ap SELECT id, v FROM p;
INSERT INTO ac SELECT id, pid, v FROM c;
INSERT INTO hap SELECT id, v FROM p;
INSERT INTO hac SELECT id, pid, v FROM c;
-- the index every child table needs for its cascade, and for hand-written queries
CREATE INDEX ON c (pid); CREATE INDEX ON hc (pid);
CREATE INDEX ON bc (pid); CREATE INDEX ON hbc (pid);
CREATE INDEX ON ac (pid); CREATE INDEX ON hac (pid);
SELECT softdelete.enable('c');
SELECT softdelete.enable('p');
SELECT softdelete.enable('bc');
SELECT softdelete.enable('bp');
SELECT softdelete.enable_archive('ac');
SELECT softdelete.enable_archive('ap');
VACUUM ANALYZE;
SQL

declare -A SQL
for r in $(seq 1 "$ROUNDS"); do
	lo=$(((r - 1) * 100 + 1)); hi=$((r * 100))
	SQL[A_ours]="DELETE FROM p WHERE id = $r"
	SQL[A_hand]="WITH d AS (UPDATE hp SET deleted_at = now() WHERE id = $r AND deleted_at IS NULL RETURNING id)
UPDATE hc SET deleted_at = now() FROM d WHERE hc.pid = d.id AND hc.deleted_at IS NULL"
	SQL[B_ours]="SELECT softdelete.restore('p', 'id = $r')"
	SQL[B_hand]="WITH d AS (SELECT id, deleted_at FROM hp WHERE id = $r AND deleted_at IS NOT NULL),
r AS (UPDATE hp SET deleted_at = NULL FROM d WHERE hp.id = d.id)
UPDATE hc SET deleted_at = NULL FROM d WHERE hc.pid = d.id AND hc.deleted_at = d.deleted_at"
	SQL[C_ours]="DELETE FROM bp WHERE id BETWEEN $lo AND $hi"
	SQL[C_hand]="WITH d AS (UPDATE hbp SET deleted_at = now() WHERE id BETWEEN $lo AND $hi AND deleted_at IS NULL RETURNING id)
UPDATE hbc SET deleted_at = now() FROM d WHERE hbc.pid = d.id AND hbc.deleted_at IS NULL"
	SQL[D_ours]="DELETE FROM ap WHERE id = $r"
	SQL[D_hand]="WITH dc AS (DELETE FROM hac WHERE pid = $r RETURNING *),
ic AS (INSERT INTO hac_archive (id, pid, v, archived_at) SELECT id, pid, v, now() FROM dc),
dp AS (DELETE FROM hap WHERE id = $r RETURNING *)
INSERT INTO hap_archive (id, v, archived_at) SELECT id, v, now() FROM dp"
	for w in A B C D; do
		for v in $(order "$r" ours hand); do
			ms=$(time_sql "${SQL[${w}_$v]}")
			echo "$ms" >> "$dir/res/${w}_$v"
			log "round $r $w $v: $ms ms"
		done
	done
done

# every variant did the same work
check=$(count "SET softdelete.include_deleted = on;
SELECT concat_ws(' ',
	(SELECT count(*) FROM c WHERE deleted_at IS NOT NULL), (SELECT count(*) FROM hc WHERE deleted_at IS NOT NULL),
	(SELECT count(*) FROM bc WHERE deleted_at IS NOT NULL), (SELECT count(*) FROM hbc WHERE deleted_at IS NOT NULL),
	(SELECT count(*) FROM ac_archive), (SELECT count(*) FROM hac_archive),
	(SELECT count(DISTINCT deleted_at) FROM bc WHERE deleted_at IS NOT NULL))")
read -r c_del hc_del bc_del hbc_del ac_arch hac_arch bc_stamps <<< "$check"
[ "$c_del" = 0 ] && [ "$hc_del" = 0 ] || { echo "restore left deleted children: $check" >&2; exit 1; }
[ "$bc_del" = "$hbc_del" ] && [ "$bc_del" = $((ROUNDS * CHILDREN)) ] || { echo "bulk: $check" >&2; exit 1; }
[ "$ac_arch" = "$hac_arch" ] && [ "$ac_arch" = $((ROUNDS * CHILDREN)) ] || { echo "archive: $check" >&2; exit 1; }
[ "$bc_stamps" = "$ROUNDS" ] || { echo "bulk stamps: $check" >&2; exit 1; }
elapsed=$(( $(date +%s) - started ))

m() { median < "$dir/res/$1"; }
all() { tr '\n' ' ' < "$dir/res/$1"; }
name() {
	case $1 in
		A) echo "flag mode: soft delete of 1 parent, $CHILDREN children" ;;
		B) echo "flag mode: restore of that parent and its $CHILDREN children" ;;
		C) echo "flag mode: soft delete of 100 parents, 100 children each, one statement" ;;
		D) echo "archive mode: delete of 1 parent, $CHILDREN children archived" ;;
	esac
}
{
	echo "# Cascades over 10,000 children: ours against the same cascade by hand"
	echo
	echo "Command: \`bash bench/cascade.sh\` (as root; ROUNDS=$ROUNDS)."
	echo "Measured $(date -u '+%Y-%m-%d %H:%M') UTC on $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo),"
	echo "$(run_as_pg psql -X -At -h "$dir" -p $port -d casc -c 'SELECT version()' | sed 's/ on x86_64.*//'); the run took $elapsed s."
	echo "Server: its own throwaway cluster, shared_buffers=1GB, autovacuum=off. Each statement runs"
	echo "alone in its own transaction after a CHECKPOINT; times from psql's \`\\timing\`. Figures are"
	echo "medians of $ROUNDS rounds, each round on parents not touched before, ours and hand-written in"
	echo "alternating order. Every child table has an index on its foreign-key column. The run checks"
	echo "that both sides deleted, archived and restored the same number of rows, and that each bulk"
	echo "delete gave its 10,000 children one stamp."
	echo
	echo "| workload | ours (ms) | by hand (ms) | ours ÷ by hand |"
	echo "|----------|----------:|-------------:|---------------:|"
	for w in A B C D; do
		o=$(m "${w}_ours"); h=$(m "${w}_hand")
		echo "| $(name $w) | $o | $h | $(awk -v o="$o" -v h="$h" 'BEGIN { printf "%.2f", o / h }') |"
	done
	echo
	echo "What runs:"
	echo
	for w in A B C D; do
		echo "- $w, ours: \`$(sed -n 1p <<< "${SQL[${w}_ours]}")\`"
		echo "- $w, by hand: \`$(tr '\n' ' ' <<< "${SQL[${w}_hand]}")\`"
	done
	echo
	echo "Ours, for A and C, is the redirected UPDATE of the parent plus, for every parent row, the"
	echo "trigger \`softdelete_fk\` running \`DELETE FROM ONLY c x WHERE x.pid = \$1\` (itself soft, so"
	echo "also filtered and recursive), with the row lock of a delete. B runs the restore's UPDATE and"
	echo "one \`UPDATE … SET deleted_at = NULL WHERE pid = \$1 AND deleted_at = stamp\` per restored"
	echo "parent. D is core's own \`ON DELETE CASCADE\`, with the archive trigger on both tables."
	echo
	echo "## All runs (ms)"
	echo
	for w in A B C D; do echo "- $w ours: $(all "${w}_ours"); by hand: $(all "${w}_hand")"; done
} > "$OUT"
log "wrote $OUT"
cat "$OUT"
