#!/usr/bin/env bash
# Flag mode against what a user would write instead, side by side in one run on the
# same data (issue 5, workloads 1-4 and 6, plus memory).
#
# 1. Planning overhead with no enabled table involved: pgbench's built-in select-only
#    (-S -M simple, scale 10), server started with and without
#    shared_preload_libraries=softdelete (restarted before every run; the database has
#    the extension installed and one enabled table that the queries do not touch).
# 2. Reads on an enabled table (1M rows, 10% deleted) and a child table (200k rows,
#    10% deleted): point lookup, LEFT JOIN to the child for one key, sum over 1000 ids
#    (-M simple and -M prepared), and a LIKE prefix search (not leakproof), against
#      hand   the same query with `deleted_at IS NULL` written by hand, plain tables
#      view   views `SELECT * FROM t WHERE deleted_at IS NULL` over the plain tables
#      rls    an RLS policy `USING (deleted_at IS NULL)` (ENABLE + FORCE), queries run
#             by the owner, a role that is not superuser
#    Every variant has its own identical copy of the data (view shares hand's) with
#    the same partial indexes `WHERE deleted_at IS NULL`.
# 3. Soft DELETE by primary key, one id per transaction, ids never repeat
#    (permute() over a 1M-row table rebuilt before every run):
#      ours     enabled; DELETE FROM d WHERE id = :id
#      hand     UPDATE d SET deleted_at = now() WHERE id = :id AND deleted_at IS NULL
#      trigger  PL/pgSQL BEFORE DELETE row trigger doing that UPDATE, RETURN NULL
#      rule     CREATE RULE ... AS ON DELETE TO d DO INSTEAD UPDATE ...
#    and the same four for one statement deleting 100k rows (psql's \timing).
# 4. softdelete.restore / softdelete.purge of 100k rows (table of 1M rows, 200k
#    deleted) against the hand-written UPDATE / DELETE, timed by psql's \timing.
# 6. Planning time (EXPLAIN (SUMMARY ON)) of a 10-table join with 5 enabled tables and
#    of a point lookup, against the same queries written by hand on plain copies.
# M. Memory: RssAnon of one backend running 1M statements (point lookup + LEFT JOIN
#    on the enabled tables, -M simple), sampled every 0.5 s.
#
# Rounds alternate the order of the variants; figures are medians over the rounds.
# 5. (archive mode), 7. (foreign-key cascades) and the memory of a 1M-row soft DELETE:
#    runs bench/archive.sh, bench/cascade.sh and bench/memory.sh after the others
#    (OTHERS=0: use their last results) and includes their tables.
# Writes bench/results.md and bench/results.svg (and archive.md, cascade.md).
# Run as root: bash bench/compare.sh     (ROUNDS=5 DURATION=4 by default, ~32 min)
# Quick try:   ROUNDS=1 DURATION=3 PLAN_RUNS=20 MEM_STATEMENTS=100000 bash bench/compare.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

ROUNDS=${ROUNDS:-5}			# repetitions of every measurement
DURATION=${DURATION:-4}			# seconds per pgbench run
W1_ROUNDS=${W1_ROUNDS:-$((2 * ROUNDS))}	# workload 1 is the noisiest (1% target): more rounds
PGB_SCALE=${PGB_SCALE:-10}		# workload 1: pgbench scale
PLAN_RUNS=${PLAN_RUNS:-200}		# workload 6: EXPLAINs per query
MEM_STATEMENTS=${MEM_STATEMENTS:-1000000}	# memory run: statements through one connection
OUT=${OUT:-bench/results.md}
SVG=${SVG:-bench/results.svg}
ROWS=1000000				# workloads 2-4: rows of the big tables
CHILD_ROWS=200000			# workload 2: rows of the child table
port=5596
dir=/tmp/softdelete-bench-compare

[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
command -v gnuplot >/dev/null || apt-get install -y -qq gnuplot-nox >/dev/null
command -v pgbench >/dev/null || apt-get install -y -qq postgresql-client-15 >/dev/null
make -s && make -s install

stop_server() { [ -f "$dir/data/postmaster.pid" ] && run_as_pg pg_ctl -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true; }
# A previous run killed half-way may have left its server running.
stop_server
rm -rf "$dir"
mkdir -p "$dir/res" "$dir/scripts"
chown -R postgres: "$dir"
trap 'stop_server' EXIT

run_as_pg initdb -D "$dir/data" -A trust >/dev/null
# start_server PRELOAD: (re)start, with the library preloaded when PRELOAD is 1
start_server() {
	local pre=""
	[ "$1" = 1 ] && pre="-c shared_preload_libraries=softdelete"
	stop_server
	run_as_pg pg_ctl -D "$dir/data" -l "$dir/log" -w start -o "$pre \
		-c port=$port -c listen_addresses='' -c unix_socket_directories=$dir \
		-c shared_buffers=1GB -c max_wal_size=8GB -c checkpoint_timeout=1h -c autovacuum=off" >/dev/null
}
start_server 1

export PGOPTIONS="-c client_min_messages=warning"
psql_() { run_as_pg psql -X -q -v ON_ERROR_STOP=1 -h "$dir" -p $port "$@"; }
log() { echo "[$(date +%T)] $*" >&2; }
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
order() {	# order ROUND WORDS...: the words, reversed on even rounds
	local r=$1; shift
	if [ $((r % 2)) = 1 ]; then echo "$@"; else echo "$@" | tr ' ' '\n' | tac | tr '\n' ' '; fi
}
# pgb FILE-OR-OPTION... : one pgbench run, prints "tps processed"
pgb() {
	local out tps n
	out=$(run_as_pg pgbench -n -c 1 -j 1 -h "$dir" -p $port "$@" 2>&1) || { echo "pgbench failed: $out" >&2; exit 1; }
	tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' <<< "$out")
	n=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<< "$out")
	[ -n "$tps" ] && [ -n "$n" ] || { echo "no tps: $out" >&2; exit 1; }
	if grep -q "number of failed transactions: [1-9]" <<< "$out"; then echo "failed transactions: $out" >&2; exit 1; fi
	echo "$tps $n"
}
started=$(date +%s)

# ---------------------------------------------------------------- data
log "loading data"
psql_ -d postgres -c "CREATE ROLE bench LOGIN" -c "CREATE DATABASE pgb" \
	-c "CREATE DATABASE reads OWNER bench" -c "CREATE DATABASE del" -c "CREATE DATABASE plan"

# 1: pgbench tables, the extension installed, one enabled table not used by the queries
run_as_pg pgbench -i -q -s "$PGB_SCALE" -h "$dir" -p $port pgb >/dev/null 2>&1
psql_ -d pgb >/dev/null <<'SQL'
CREATE EXTENSION softdelete;
CREATE EXTENSION pg_prewarm;
CREATE TABLE other (id int PRIMARY KEY);
SELECT softdelete.enable('other');
VACUUM ANALYZE;
SQL

# 2: t (1M rows) and c (200k rows, child of t), 10% of each deleted, three copies
psql_ -d reads -c "CREATE EXTENSION softdelete" -c "CREATE EXTENSION pg_prewarm"
{
	cat <<SQL
CREATE TABLE t_src (id int, a int NOT NULL, b text NOT NULL, deleted_at timestamptz);
INSERT INTO t_src SELECT g, g % 1000, md5(g::text),
	CASE WHEN hashint4(g) % 10 = 0 THEN '2024-01-01'::timestamptz + g * interval '1 second' END
	FROM generate_series(1, $ROWS) g;
CREATE TABLE c_src (id int, t_id int NOT NULL, x int NOT NULL, deleted_at timestamptz);
INSERT INTO c_src SELECT g, (g * 7) % $ROWS + 1, g,
	CASE WHEN hashint4(g + 17) % 10 = 0 THEN '2024-01-01'::timestamptz + g * interval '1 second' END
	FROM generate_series(1, $CHILD_ROWS) g;
SQL
	for v in ours plain rls; do
		cat <<SQL
CREATE TABLE t_$v AS SELECT * FROM t_src;
ALTER TABLE t_$v ADD PRIMARY KEY (id);
CREATE INDEX t_${v}_live_id ON t_$v (id) INCLUDE (a) WHERE deleted_at IS NULL;
CREATE INDEX t_${v}_live_b ON t_$v (b text_pattern_ops) WHERE deleted_at IS NULL;
CREATE TABLE c_$v AS SELECT * FROM c_src;
ALTER TABLE c_$v ADD PRIMARY KEY (id);
CREATE INDEX c_${v}_live_t_id ON c_$v (t_id) WHERE deleted_at IS NULL;
-- ANALYZE then samples every row (300 x the largest target >= rows): identical statistics
-- on every copy; on id, whose histogram only costs a binary search to range estimates
ALTER TABLE t_$v ALTER COLUMN id SET STATISTICS $(( (ROWS + 299) / 300 ));
ALTER TABLE c_$v ALTER COLUMN id SET STATISTICS $(( (CHILD_ROWS + 299) / 300 ));
SQL
	done
	cat <<'SQL'
DROP TABLE t_src, c_src;
SELECT softdelete.enable('t_ours');
SELECT softdelete.enable('c_ours');
CREATE VIEW t_view AS SELECT * FROM t_plain WHERE deleted_at IS NULL;
CREATE VIEW c_view AS SELECT * FROM c_plain WHERE deleted_at IS NULL;
ALTER TABLE t_rls ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE c_rls ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY live ON t_rls USING (deleted_at IS NULL);
CREATE POLICY live ON c_rls USING (deleted_at IS NULL);
SQL
} | psql_ -d reads -U bench >/dev/null
psql_ -d reads -c "VACUUM ANALYZE" >/dev/null

# 3, 4: source table for the DELETE / restore / purge runs (copied before every run)
psql_ -d del >/dev/null <<SQL
CREATE EXTENSION softdelete;
CREATE TABLE d_src (id int, a int NOT NULL, b text NOT NULL, deleted_at timestamptz);
INSERT INTO d_src SELECT g, g % 1000, md5(g::text), NULL FROM generate_series(1, $ROWS) g;
SQL

# 6: ten tables j1..j10 (odd ones enabled) and plain copies h1..h10; jK.p -> parent's id
{
	echo "CREATE EXTENSION softdelete;"
	for k in $(seq 1 10); do
		for x in j h; do
			cat <<SQL
CREATE TABLE $x$k (id int PRIMARY KEY, p int NOT NULL, v int NOT NULL, deleted_at timestamptz);
INSERT INTO $x$k SELECT g, (g * 13) % 10000 + 1, g % 100,
	CASE WHEN hashint4(g + $k) % 10 = 0 THEN now() END FROM generate_series(1, 10000) g;
CREATE INDEX ON $x$k (p);
SQL
		done
		[ $((k % 2)) = 1 ] && echo "SELECT softdelete.enable('j$k');"
	done
	echo "VACUUM ANALYZE;"
} | psql_ -d plan >/dev/null

# ---------------------------------------------------------------- 2: the queries
# q2 QUERY VARIANT: the pgbench script
q2() {
	local q=$1 v=$2 T C TF="" CF="" F=""
	case $v in
	ours) T=t_ours C=c_ours ;;
	hand) T=t_plain C=c_plain F=" AND deleted_at IS NULL" TF=" AND t.deleted_at IS NULL" CF=" AND c.deleted_at IS NULL" ;;
	view) T=t_view C=c_view ;;
	rls) T=t_rls C=c_rls ;;
	esac
	case $q in
	point) echo "\\set id random(1, $ROWS)"
		echo "SELECT a, b FROM $T WHERE id = :id$F;" ;;
	join) echo "\\set id random(1, $ROWS)"
		echo "SELECT t.a, c.x FROM $T t LEFT JOIN $C c ON c.t_id = t.id$CF WHERE t.id = :id$TF;" ;;
	range) echo "\\set lo random(1, $((ROWS - 999)))"
		echo "SELECT sum(a) FROM $T WHERE id BETWEEN :lo AND :lo + 999$F;" ;;
	like) echo "\\set n random(4096, 65535)"
		echo "SELECT id, a FROM $T WHERE b LIKE to_hex(:n) || '%'$F;" ;;
	esac
}
for q in point join range like; do
	for v in ours hand view rls; do q2 $q $v > "$dir/scripts/$q.$v.sql"; done
done
chown -R postgres: "$dir/scripts"

# Same answers from every variant (as role bench, like the benchmark).
check2() {
	local v got ref=""
	for v in ours hand view rls; do
		got=$(psql_ -d reads -U bench -At <<SQL
\set id 0
\set lo 0
\set n 0
SELECT count(*), sum(a), sum(hashtext(b)) FROM ($(tail -1 "$dir/scripts/point.$v.sql" | sed 's/ WHERE id = :id/ WHERE true/; s/;$//')) x;
SELECT count(*), count(x), sum(x) FROM ($(tail -1 "$dir/scripts/join.$v.sql" | sed 's/ WHERE t.id = :id/ WHERE t.id <= 200000/; s/;$//')) x;
SELECT count(*), sum(id) FROM ($(tail -1 "$dir/scripts/like.$v.sql" | sed "s/to_hex(:n) || '%'/'ab%'/; s/;\$//")) x;
SQL
)
		[ -z "$ref" ] && ref=$got
		[ "$got" = "$ref" ] || { echo "variant $v answers differently: $got vs $ref" >&2; exit 1; }
	done
	echo "$ref"
}

# ---------------------------------------------------------------- 1. preload or not
log "workload 1: select-only, preloaded vs not"
for r in $(seq 1 "$W1_ROUNDS"); do
	for v in $(order "$r" preload nopreload); do
		if [ $v = preload ]; then start_server 1; else start_server 0; fi
		loaded=$(psql_ -d pgb -Atc "SELECT count(*) FROM pg_settings WHERE name = 'shared_preload_libraries' AND setting = 'softdelete'")
		[ "$loaded" = "$([ $v = preload ] && echo 1 || echo 0)" ] || { echo "server not in state $v" >&2; exit 1; }
		psql_ -d pgb -c "SELECT sum(pg_prewarm(oid)) FROM pg_class WHERE relname LIKE 'pgbench%' AND relkind IN ('r', 'i')" >/dev/null
		pgb -S -M simple -T 1 pgb >/dev/null	# warm-up
		res=$(pgb -S -M simple -T "$DURATION" pgb)
		read -r tps _ <<< "$res"
		echo "$tps" >> "$dir/res/w1_$v"
		log "w1 round $r $v: $tps tps"
	done
done
start_server 1
psql_ -d reads -c "SELECT sum(pg_prewarm(oid)) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'i')" >/dev/null

# ---------------------------------------------------------------- 2. reads
log "workload 2: reads"
check2_result=$(check2)
# The plans (one key), and whether ours has exactly the plan of the query written by hand.
for v in ours hand view rls; do
	for q in point join range like; do
		psql_ -d reads -U bench -At > "$dir/res/plan_${q}_$v" <<SQL
EXPLAIN (COSTS OFF) $(tail -1 "$dir/scripts/$q.$v.sql" | sed 's/:id/4242/; s/:lo/4242/g; s/:n/40000/')
SQL
	done
done
plans2=$(for v in ours hand view rls; do for q in point join range like; do echo "-- $q, $v"; cat "$dir/res/plan_${q}_$v"; done; done)
same_plan=""
for q in point join range like; do
	if diff <(sed 's/_ours/_X/g' "$dir/res/plan_${q}_ours") <(sed 's/_plain/_X/g' "$dir/res/plan_${q}_hand") >/dev/null; then
		same_plan="$same_plan $q: same;"
	else
		same_plan="$same_plan $q: DIFFERENT;"
		log "w2 $q: ours and hand-written plans differ"
	fi
done
for r in $(seq 1 "$ROUNDS"); do
	for q in point join range like; do
		modes="simple prepared"
		[ $q = like ] && modes=simple
		for m in $modes; do
			for v in $(order "$r" ours hand view rls); do
				res=$(pgb -U bench -M $m -T "$DURATION" -f "$dir/scripts/$q.$v.sql" reads)
				read -r tps _ <<< "$res"
				echo "$tps" >> "$dir/res/w2_${q}_${m}_$v"
				log "w2 round $r $q $m $v: $tps tps"
			done
		done
	done
done

# time_sql SQL: run it, print "ms rows" (rows: the function's result or the command tag's count)
time_sql() {
	local out ms n
	out=$(run_as_pg psql -X -v ON_ERROR_STOP=1 -h "$dir" -p $port -d del -At <<SQL
\timing on
$1;
SQL
)
	ms=$(sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' <<< "$out")
	n=$(grep -v '^Time:\|^Timing is on' <<< "$out" | head -1 | awk '{ print $NF }')
	[ -n "$ms" ] && [ -n "$n" ] || { echo "no timing for $1: $out" >&2; exit 1; }
	echo "$ms $n"
}
# ---------------------------------------------------------------- 3. soft DELETE by key
log "workload 3: soft DELETE"
cat > "$dir/scripts/del_by_key.sql" <<'SQL'
\set i :i + 1
\set id permute(:i, 1000000, 5) + 1
DELETE FROM d WHERE id = :id;
SQL
cat > "$dir/scripts/upd_by_key.sql" <<'SQL'
\set i :i + 1
\set id permute(:i, 1000000, 5) + 1
UPDATE d SET deleted_at = now() WHERE id = :id AND deleted_at IS NULL;
SQL
chown -R postgres: "$dir/scripts"
[ "$ROWS" = 1000000 ] || { echo "the pgbench scripts assume ROWS=1000000" >&2; exit 1; }
# rows and deleted rows of d, the deleted ones included whatever the variant
count_d() { PGOPTIONS="$PGOPTIONS -c softdelete.include_deleted=on" psql_ -d del -At -F' ' -c "SELECT count(*), count(deleted_at) FROM d"; }
setup_del() {	# setup_del VARIANT: table d, a fresh copy of d_src, ready for VARIANT
	local extra=""
	case $1 in
	ours) extra="SELECT softdelete.enable('d');" ;;
	hand) ;;
	trigger) extra="CREATE FUNCTION d_soft() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN
	UPDATE d SET deleted_at = now() WHERE id = OLD.id AND deleted_at IS NULL;
	RETURN NULL;
END \$\$;
CREATE TRIGGER d_soft BEFORE DELETE ON d FOR EACH ROW EXECUTE FUNCTION d_soft();" ;;
	rule) extra="CREATE RULE d_soft AS ON DELETE TO d DO INSTEAD
	UPDATE d SET deleted_at = now() WHERE id = OLD.id AND deleted_at IS NULL;" ;;
	esac
	psql_ -d del >/dev/null <<SQL
DROP TABLE IF EXISTS d CASCADE;
DROP FUNCTION IF EXISTS d_soft();
CREATE TABLE d AS SELECT * FROM d_src;
ALTER TABLE d ADD PRIMARY KEY (id);
$extra
VACUUM ANALYZE d;
CHECKPOINT;
SQL
}
for r in $(seq 1 "$ROUNDS"); do
	for m in simple prepared; do
		for v in $(order "$r" ours hand trigger rule); do
			setup_del $v
			script=del_by_key.sql
			[ $v = hand ] && script=upd_by_key.sql
			res=$(PGOPTIONS="$PGOPTIONS -c synchronous_commit=off" \
				pgb -M $m -T "$DURATION" -D i=-1 -f "$dir/scripts/$script" del)
			read -r tps n <<< "$res"
			got=$(count_d)
			[ "$got" = "$ROWS $n" ] || { echo "w3 $v: after $n deletes, table has (rows, deleted) $got" >&2; exit 1; }
			echo "$tps" >> "$dir/res/w3_${m}_$v"
			log "w3 round $r $m $v: $tps tps ($n rows deleted)"
		done
	done
done

# 3b: one statement soft-deleting 100k rows
declare -A W3B_SQL=(
	[ours]="DELETE FROM d WHERE id <= 100000"
	[hand]="UPDATE d SET deleted_at = now() WHERE id <= 100000 AND deleted_at IS NULL"
	[trigger]="DELETE FROM d WHERE id <= 100000"
	[rule]="DELETE FROM d WHERE id <= 100000"
)
for r in $(seq 1 "$ROUNDS"); do
	for v in $(order "$r" ours hand trigger rule); do
		setup_del $v
		res=$(time_sql "${W3B_SQL[$v]}")
		read -r ms _ <<< "$res"
		got=$(count_d)
		[ "$got" = "$ROWS 100000" ] || { echo "w3b $v: table (rows, deleted) $got" >&2; exit 1; }
		echo "$ms" >> "$dir/res/w3b_$v"
		log "w3b round $r $v: $ms ms"
	done
done

# ---------------------------------------------------------------- 4. restore and purge
log "workload 4: restore and purge"
# 200k deleted rows (id % 5 = 0): the 100k with id <= 500000 a year ago, the others now
setup_rp() {	# setup_rp ENABLE(0/1)
	local extra=""
	[ "$1" = 1 ] && extra="SELECT softdelete.enable('d');"
	psql_ -d del >/dev/null <<SQL
DROP TABLE IF EXISTS d CASCADE;
CREATE TABLE d AS SELECT id, a, b, CASE WHEN id % 5 = 0 THEN
	CASE WHEN id <= 500000 THEN now() - interval '1 year' ELSE now() END END AS deleted_at FROM d_src;
ALTER TABLE d ADD PRIMARY KEY (id);
$extra
VACUUM ANALYZE d;
CHECKPOINT;
SQL
}
declare -A W4_SQL=(
	[restore_ours]="SELECT softdelete.restore('d', 'id <= 500000')"
	[restore_hand]="UPDATE d SET deleted_at = NULL WHERE deleted_at IS NOT NULL AND id <= 500000"
	[purge_ours]="SELECT softdelete.purge('d', '30 days')"
	[purge_hand]="DELETE FROM d WHERE deleted_at IS NOT NULL AND deleted_at <= now() - interval '30 days'"
)
for r in $(seq 1 "$ROUNDS"); do
	for op in restore purge; do
		for v in $(order "$r" ours hand); do
			setup_rp "$([ $v = ours ] && echo 1 || echo 0)"
			res=$(time_sql "${W4_SQL[${op}_$v]}")
			read -r ms n <<< "$res"
			got=$(count_d)
			if [ $op = restore ]; then want="$ROWS 100000"; else want="900000 100000"; fi
			[ "$n" = 100000 ] && [ "$got" = "$want" ] || { echo "w4 $op $v: $n rows, table (rows, deleted) $got, want $want" >&2; exit 1; }
			echo "$ms" >> "$dir/res/w4_${op}_$v"
			log "w4 round $r $op $v: $ms ms"
		done
	done
done

# ---------------------------------------------------------------- 6. planning time
log "workload 6: planning time"
# q6 SHAPE j|h: the query; on h (plain copies) the filters of the odd tables by hand
q6() {
	local shape=$1 x=$2 k kind parent
	f() { [ "$x" = h ] && [ $(($1 % 2)) = 1 ] && echo " AND $x$1.deleted_at IS NULL"; true; }
	if [ "$shape" = point ]; then
		echo "SELECT v FROM ${x}1 WHERE id = 42$(f 1)"
		return
	fi
	echo "SELECT count(*) FROM ${x}1"
	# tree: 2->1 3->2 4->3 5->4 (LEFT) 6->4 7->6 8->7 9->8 (LEFT) 10->8 (LEFT)
	for k in 2 3 4 5 6 7 8 9 10; do
		case $k in 5|9|10) kind="LEFT JOIN" ;; *) kind="JOIN" ;; esac
		case $k in 6) parent=4 ;; 10) parent=8 ;; *) parent=$((k - 1)) ;; esac
		echo "$kind $x$k ON $x$k.p = $x$parent.id$(f $k)"
	done
	echo "WHERE ${x}1.v < 5$(f 1)"
}
for shape in point join10; do
	a=$(psql_ -d plan -Atc "$(q6 $shape j)"); b=$(psql_ -d plan -Atc "$(q6 $shape h)")
	[ "$a" = "$b" ] || { echo "w6 $shape: enabled gives $a, hand-written $b" >&2; exit 1; }
	{
		for i in $(seq 1 10); do echo "EXPLAIN $(q6 $shape j);"; echo "EXPLAIN $(q6 $shape h);"; done	# warm-up
		for i in $(seq 1 "$PLAN_RUNS"); do
			for x in $(order "$i" j h); do
				echo "SELECT 'variant $x';"
				echo "EXPLAIN (SUMMARY ON) $(q6 $shape $x);"
			done
		done
	} > "$dir/scripts/plan_$shape.sql"
	chown postgres: "$dir/scripts/plan_$shape.sql"
	psql_ -d plan -At -f "$dir/scripts/plan_$shape.sql" |
		awk -v res="$dir/res/w6_$shape" '/^variant / { v = $2 } /^Planning Time:/ && v != "" { print $3 >> (res "_" v) }'
	[ "$(wc -l < "$dir/res/w6_${shape}_j")" = "$PLAN_RUNS" ] && [ "$(wc -l < "$dir/res/w6_${shape}_h")" = "$PLAN_RUNS" ] ||
		{ echo "w6 $shape: missing planning times" >&2; exit 1; }
	log "w6 $shape: median planning $(median < "$dir/res/w6_${shape}_j") ms enabled, $(median < "$dir/res/w6_${shape}_h") ms by hand"
done
plan6=$(psql_ -d plan -At -c "EXPLAIN (COSTS OFF) $(q6 join10 j)")
plan6h=$(psql_ -d plan -At -c "EXPLAIN (COSTS OFF) $(q6 join10 h)")

# ---------------------------------------------------------------- memory
log "memory: $MEM_STATEMENTS statements through one connection"
{
	echo "\\set id random(1, $ROWS)"
	echo "SELECT a, b FROM t_ours WHERE id = :id;"
	echo "SELECT t.a, c.x FROM t_ours t LEFT JOIN c_ours c ON c.t_id = t.id WHERE t.id = :id;"
} > "$dir/scripts/mem.sql"
chown postgres: "$dir/scripts/mem.sql"
mem_txns=$((MEM_STATEMENTS / 2))
run_as_pg env PGAPPNAME=sdmem pgbench -n -c 1 -j 1 -M simple -t "$mem_txns" -U bench -f "$dir/scripts/mem.sql" \
	-h "$dir" -p $port reads > "$dir/mem.out" 2>&1 &
bg=$!
bpid=""
for _ in $(seq 1 500); do
	bpid=$(psql_ -d postgres -Atc "SELECT pid FROM pg_stat_activity WHERE application_name = 'sdmem'")
	[ -n "$bpid" ] && break
	sleep 0.02
done
[ -n "$bpid" ] || { echo "memory run: no backend" >&2; exit 1; }
t0=$(date +%s.%N)
: > "$dir/res/mem"
while kill -0 "$bg" 2>/dev/null; do
	kb=$(awk '/^RssAnon:/ { print $2 }' "/proc/$bpid/status" 2>/dev/null) || true
	[ -n "$kb" ] && echo "$(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN { printf "%.1f", a - b }') $kb" >> "$dir/res/mem"
	sleep 0.5
done
wait "$bg" || { cat "$dir/mem.out" >&2; exit 1; }
mem_done=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$dir/mem.out")
mem_tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' "$dir/mem.out")
[ "$mem_done" = "$mem_txns" ] || { cat "$dir/mem.out" >&2; exit 1; }
[ "$(wc -l < "$dir/res/mem")" -ge 3 ] || { echo "memory run too short to sample" >&2; exit 1; }
# baseline: the first sample after 2 s (catalog caches warmed), else the second one
read -r base_t mem_base < <(awk '$1 >= 2 { print; exit }' "$dir/res/mem")
[ -n "${mem_base:-}" ] || read -r base_t mem_base < <(sed -n 2p "$dir/res/mem")
read -r last_t mem_last < <(tail -1 "$dir/res/mem")
mem_first=$(awk 'NR == 1 { print $2 }' "$dir/res/mem")
mem_peak=$(awk '$2 > m { m = $2 } END { print m }' "$dir/res/mem")
mem_growth=$((mem_last - mem_base))
log "memory: RssAnon $mem_first kB at start, $mem_base at $base_t s, $mem_last at $last_t s, peak $mem_peak"

# ---------------------------------------------------------------- 5 and 7: the other scripts
pgver=$(psql_ -d postgres -Atc "SELECT setting FROM pg_settings WHERE name = 'server_version'")
# Archive mode (workload 5) and foreign-key cascades have scripts of their own, which
# write bench/archive.md and bench/cascade.md; this run includes them (OTHERS=0 skips
# them and reports what those files hold).  Our server stops first: one at a time.
stop_server
if [ "${OTHERS:-1}" = 1 ]; then
	log "workload 5: bench/archive.sh"
	bash bench/archive.sh > "$dir/archive.log" 2>&1 || { tail -20 "$dir/archive.log" >&2; exit 1; }
	log "cascades: bench/cascade.sh"
	bash bench/cascade.sh > "$dir/cascade.log" 2>&1 || { tail -20 "$dir/cascade.log" >&2; exit 1; }
	log "memory of a 1M-row soft DELETE: bench/memory.sh"
	bash bench/memory.sh > "$dir/memory.log" 2>&1 || { tail -20 "$dir/memory.log" >&2; exit 1; }
fi

# ---------------------------------------------------------------- report
mem_gib=$(awk '/MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)
cpu=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)
elapsed=$(( $(date +%s) - started ))
med() { median < "$dir/res/$1" | awk '{ printf "%.1f", $1 }'; }
med3() { median < "$dir/res/$1" | awk '{ printf "%.3f", $1 }'; }
all() { awk '{ printf "%s%s", (NR > 1 ? " " : ""), $1 }' "$dir/res/$1"; }
# rratio tps|time OURS ALT: median over the rounds of the per-round ratio (speed of ours)
rratio() {
	paste "$dir/res/$2" "$dir/res/$3" | awk -v k="$1" '{ print (k == "tps") ? $1 / $2 : $2 / $1 }' |
		median | awk '{ printf "%.3f", $1 }'
}
# target RATIO OP LIMIT: "OP LIMIT: met" or "... NOT met"
target() { awk -v x="$1" -v op="$2" -v l="$3" 'BEGIN { ok = (op == ">=") ? (x >= l) : (x > l); printf "%s %s: %s", op, l, ok ? "met" : "NOT met" }'; }
: > "$dir/plot.dat"
# plot LABEL RATIO TARGET: a bar of the plot (TARGET as printed by target, or -)
plot() {
	local m=1 tv=NaN
	case $3 in *NOT*) m=0 ;; -) m=2 ;; esac
	[ "$3" = - ] || tv=$(awk '{ sub(":", "", $2); print $2 }' <<< "$3")
	echo "\"$1\" $2 $m $tv" >> "$dir/plot.dat"
}
qname() { case $1 in point) echo "point lookup" ;; join) echo "LEFT JOIN, one key" ;; range) echo "sum over 1000 ids" ;; like) echo "LIKE prefix" ;; esac; }
vname() { case $1 in hand) echo "filter by hand" ;; view) echo "view" ;; rls) echo "RLS policy" ;; trigger) echo "PL/pgSQL BEFORE DELETE trigger" ;; rule) echo "DO INSTEAD rule" ;; esac; }

{
	echo "# softdelete against the alternatives"
	echo
	echo "Command: \`bash bench/compare.sh\` (as root; ROUNDS=$ROUNDS DURATION=$DURATION PGB_SCALE=$PGB_SCALE"
	echo "PLAN_RUNS=$PLAN_RUNS MEM_STATEMENTS=$MEM_STATEMENTS)."
	echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores ($cpu), $mem_gib GiB"
	echo "(MemTotal $(awk '/MemTotal/ { print $2 }' /proc/meminfo) kB), PostgreSQL $pgver; the run took ${elapsed} s."
	echo "Server: its own throwaway cluster, shared_buffers=1GB, max_wal_size=8GB, autovacuum=off,"
	echo "other settings default. pgbench runs use 1 client (\`-c 1 -j 1\`, $DURATION s each), so the"
	echo "client and the backend each have a core. Every figure is the median of $ROUNDS rounds ($W1_ROUNDS for"
	echo "workload 1); rounds alternate the order of the variants. **ratio** is always the speed of ours"
	echo "relative to the alternative, tps(ours) / tps(alt) or time(alt) / time(ours), computed in each"
	echo "round (runs a few seconds apart) and then the median over the rounds; above 1 means ours is"
	echo "faster. This machine is a 2-core VM whose speed drifts by up to ~10% between runs seconds"
	echo "apart (the same pgbench run repeated gives 16.8k-19.6k tps): a single ratio carries a few"
	echo "percent of noise, so a 1-2% target can only be read from the medians and the rounds below."
	echo
	echo "![ratios](results.svg)"
	echo
	echo "## 1. Planning overhead with no enabled table involved (pgbench tps, higher is better)"
	echo
	echo "\`pgbench -S -M simple\` (built-in select-only; every statement parsed and planned), scale"
	echo "$PGB_SCALE. The server is restarted before every run, with or without"
	echo "\`shared_preload_libraries = softdelete\`, then the tables are prewarmed and pgbench runs 1 s"
	echo "of warm-up. The database has the extension installed and one enabled table (\`other\`)"
	echo "that the queries do not touch."
	echo
	echo "| workload | ours (tps) | alternative | alternative (tps) | ratio | target |"
	echo "|----------|-----------:|-------------|------------------:|------:|--------|"
	o=$(med w1_preload); a=$(med w1_nopreload); x=$(rratio tps w1_preload w1_nopreload); t=$(target "$x" ">=" 0.99)
	echo "| select-only, library preloaded | $o | library not loaded | $a | $x | $t |"
	plot "1 select-only, preloaded vs not" "$x" "$t"
	echo
	echo "## 2. Reads on an enabled table (pgbench tps, higher is better)"
	echo
	echo "\`t (id int PRIMARY KEY, a int, b text /* md5 */, deleted_at timestamptz)\`, $ROWS rows, 10% deleted;"
	echo "\`c (id int PRIMARY KEY, t_id int, x int, deleted_at timestamptz)\`, $CHILD_ROWS rows, 10% deleted."
	echo "Indexes on every copy: \`t (id) INCLUDE (a) WHERE deleted_at IS NULL\`,"
	echo "\`t (b text_pattern_ops) WHERE deleted_at IS NULL\`, \`c (t_id) WHERE deleted_at IS NULL\`."
	echo "ours: both tables enabled. filter by hand: plain copies. view: \`CREATE VIEW t_view AS"
	echo "SELECT * FROM t_plain WHERE deleted_at IS NULL\` (and \`c_view\`). RLS: copies with"
	echo "\`ENABLE\` + \`FORCE ROW LEVEL SECURITY\` and \`CREATE POLICY live ... USING (deleted_at IS NULL)\`."
	echo "All variants run as role \`bench\`, owner of the tables, not superuser (RLS applies to it"
	echo "through FORCE). Scripts (ours; the others change only the table names or add the filter):"
	echo
	echo '```'
	for q in point join range like; do grep -v '^\\' "$dir/scripts/$q.ours.sql"; done
	echo '```'
	echo
	echo "with \`:id\` random in 1..$ROWS, \`:lo\` random, \`:n\` random in 4096..65535 (a 4-hex-digit prefix,"
	echo "~15 rows). The LIKE search runs in simple mode only (with a parameter instead of a"
	echo "constant pattern every variant re-plans it each time anyway). Before the runs every variant"
	echo "was checked to return the same rows (count, sums: \`$(tr '\n' ' ' <<< "$check2_result")\`)."
	echo "Statistics: \`t.id\` and \`c.id\` have a statistics target high enough for ANALYZE to read every"
	echo "row, so every copy gets the same statistics (with the default 30000-row sample, two copies"
	echo "got different estimates for the LIKE search and different plans; other columns keep the"
	echo "default statistics target, now computed from all rows). Plan of ours compared with the plan of the"
	echo "hand-written query (table names aside; plans under \"Plans\" below):$same_plan"
	echo
	echo "| workload | ours (tps) | alternative | alternative (tps) | ratio | target |"
	echo "|----------|-----------:|-------------|------------------:|------:|--------|"
	for q in point join range like; do
		modes="simple prepared"
		[ $q = like ] && modes=simple
		for m in $modes; do
			o=$(med "w2_${q}_${m}_ours")
			for v in hand view rls; do
				a=$(med "w2_${q}_${m}_$v"); x=$(rratio tps "w2_${q}_${m}_ours" "w2_${q}_${m}_$v")
				case $v in hand) t=$(target "$x" ">=" 0.98) ;; rls) t=$(target "$x" ">" 1) ;; *) t=- ;; esac
				echo "| $(qname $q), -M $m | $o | $(vname $v) | $a | $x | $t |"
				plot "2 $(qname $q) -M $m vs $v" "$x" "$t"
			done
		done
	done
	echo
	echo "## 3. Soft DELETE by primary key (pgbench tps, higher is better)"
	echo
	echo "\`d (id int PRIMARY KEY, a int, b text, deleted_at timestamptz)\`, $ROWS live rows, rebuilt"
	echo "(\`CREATE TABLE AS\`, primary key, VACUUM ANALYZE, CHECKPOINT) before every run. One id per"
	echo "transaction; the ids never repeat within a run (\`\\set i :i + 1\`, \`\\set id permute(:i, 1000000, 5) + 1\`,"
	echo "\`-D i=-1\`). \`synchronous_commit = off\` (with it on every variant waits for this disk's fdatasync"
	echo "and they all measure the disk). After every run the table holds exactly as many deleted rows"
	echo "as transactions ran. ours: \`DELETE FROM d WHERE id = :id\` on the enabled table; filter by"
	echo "hand: \`UPDATE d SET deleted_at = now() WHERE id = :id AND deleted_at IS NULL\`; trigger:"
	echo "\`BEFORE DELETE ... FOR EACH ROW\`, PL/pgSQL doing that UPDATE for OLD.id and \`RETURN NULL\`;"
	echo "rule: \`CREATE RULE d_soft AS ON DELETE TO d DO INSTEAD UPDATE d SET deleted_at = now() WHERE"
	echo "id = OLD.id AND deleted_at IS NULL\`. Trigger and rule run \`DELETE FROM d WHERE id = :id\`."
	echo
	echo "| workload | ours (tps) | alternative | alternative (tps) | ratio | target |"
	echo "|----------|-----------:|-------------|------------------:|------:|--------|"
	for m in simple prepared; do
		o=$(med "w3_${m}_ours")
		for v in hand trigger rule; do
			a=$(med "w3_${m}_$v"); x=$(rratio tps "w3_${m}_ours" "w3_${m}_$v")
			case $v in hand) t=$(target "$x" ">=" 0.95) ;; trigger) t=$(target "$x" ">=" 1.5) ;; *) t=- ;; esac
			echo "| DELETE by key, -M $m | $o | $(vname $v) | $a | $x | $t |"
			plot "3 DELETE by key -M $m vs $v" "$x" "$t"
		done
	done
	echo
	echo "### 3b. One statement soft-deleting 100k rows (ms, lower is better)"
	echo
	echo "Same fresh table; one statement marks ids 1..100000 (psql \`\\timing\`, round trip, commit included,"
	echo "\`synchronous_commit\` on). Trigger and rule: \`${W3B_SQL[trigger]}\`; ours \`${W3B_SQL[ours]}\`;"
	echo "by hand \`${W3B_SQL[hand]}\`. Checked afterwards: 100000 rows deleted."
	echo
	echo "| workload | ours (ms) | alternative | alternative (ms) | ratio | target |"
	echo "|----------|----------:|-------------|-----------------:|------:|--------|"
	o=$(med w3b_ours)
	for v in hand trigger rule; do
		a=$(med "w3b_$v"); x=$(rratio time w3b_ours "w3b_$v")
		case $v in hand) t=$(target "$x" ">=" 0.95) ;; trigger) t=$(target "$x" ">=" 1.5) ;; *) t=- ;; esac
		echo "| DELETE 100k rows, one statement | $o | $(vname $v) | $a | $x | $t |"
		plot "3b DELETE 100k rows vs $v" "$x" "$t"
	done
	echo
	echo "## 4. Restore and purge of 100k rows (ms, lower is better)"
	echo
	echo "\`d\` as above with 200k deleted rows (every 5th id): the 100k with id <= 500000 deleted a year"
	echo "ago, the others now. Rebuilt before every run. Time: psql \`\\timing\` (round trip, commit included)."
	echo
	echo "- restore, ours: \`${W4_SQL[restore_ours]}\`"
	echo "- restore, by hand (plain table): \`${W4_SQL[restore_hand]}\`"
	echo "- purge, ours: \`${W4_SQL[purge_ours]}\`"
	echo "- purge, by hand (plain table): \`${W4_SQL[purge_hand]}\`"
	echo
	echo "Both report 100000 rows every time, and the table is checked afterwards."
	echo
	echo "| workload | ours (ms) | alternative | alternative (ms) | ratio | target |"
	echo "|----------|----------:|-------------|-----------------:|------:|--------|"
	for op in restore purge; do
		o=$(med "w4_${op}_ours"); a=$(med "w4_${op}_hand"); x=$(rratio time "w4_${op}_ours" "w4_${op}_hand")
		echo "| $op 100k rows | $o | hand-written $([ $op = restore ] && echo UPDATE || echo DELETE) | $a | $x | - |"
		plot "4 $op 100k vs by hand" "$x" -
	done
	echo
	echo "## 6. Planning time per query shape (ms, lower is better)"
	echo
	echo "\`EXPLAIN (SUMMARY ON)\` \"Planning Time\", median of $PLAN_RUNS runs each, both queries alternating in"
	echo "one psql session after 10 warm-up runs. Ten tables of 10000 rows \`(id int PRIMARY KEY, p int"
	echo "/* indexed */, v int, deleted_at timestamptz)\`, 10% deleted; j1, j3, j5, j7, j9 enabled; the"
	echo "hand-written query runs on plain copies h1..h10 with \`AND hK.deleted_at IS NULL\` for the"
	echo "same five (in the ON clause, for the LEFT JOINs on the nullable side). Both give the same answer."
	echo
	echo '```sql'
	q6 join10 j
	echo '```'
	echo
	echo "| workload | ours (ms) | alternative | alternative (ms) | ratio | target |"
	echo "|----------|----------:|-------------|-----------------:|------:|--------|"
	for shape in point join10; do
		o=$(med3 "w6_${shape}_j"); a=$(med3 "w6_${shape}_h"); x=$(rratio time "w6_${shape}_j" "w6_${shape}_h")
		case $shape in point) lab="point lookup, 1 enabled table" ;; join10) lab="10-table join, 5 enabled" ;; esac
		echo "| planning, $lab | $o | filters by hand | $a | $x | - |"
		plot "6 planning $shape vs by hand" "$x" -
	done
	echo
	echo "## 5. Archive mode (from [archive.md](archive.md), \`bash bench/archive.sh\`)"
	echo
	sed -n 's/^Measured /Measured /p' bench/archive.md | head -1
	echo
	echo "Bulk DELETE of every row (ms, lower is better); (a) and (b) archive into a table made by hand:"
	echo
	sed -n '/^## Bulk DELETE/,/^Work behind/p' bench/archive.md | grep '^|'
	echo
	echo "Single-row UPDATE with row versions (pgbench tps, higher is better):"
	echo
	sed -n '/^## Single-row UPDATE/,/^## Memory/p' bench/archive.md | grep '^|'
	echo
	echo "## 7. Foreign-key cascades (from [cascade.md](cascade.md), \`bash bench/cascade.sh\`)"
	echo
	sed -n 's/^Measured /Measured /p' bench/cascade.md | head -1
	echo
	echo "One statement each (ms, lower is better), against the same cascade written by hand in SQL:"
	echo
	grep '^|' bench/cascade.md
	echo
	echo "## Memory: $MEM_STATEMENTS statements through one connection"
	echo
	echo "\`pgbench -M simple -c 1 -t $mem_txns\` as role bench, each transaction the point lookup and the"
	echo "LEFT JOIN of workload 2 on the enabled tables (so $MEM_STATEMENTS statements, each planned"
	echo "through the hook; $(printf %.0f "$mem_tps") transactions/s). RssAnon (the backend's private memory) read from"
	echo "\`/proc/<pid>/status\` every 0.5 s, the pid found by \`application_name\` in \`pg_stat_activity\`."
	echo
	echo "| samples | RssAnon first (kB) | at ${base_t} s (kB) | peak (kB) | last, at ${last_t} s (kB) | growth from ${base_t} s (kB) | target |"
	echo "|--------:|-------------------:|------------:|----------:|----------:|------------------:|--------|"
	echo "| $(wc -l < "$dir/res/mem") | $mem_first | $mem_base | $mem_peak | $mem_last | $mem_growth | no growth (<= 256 kB): $([ "$mem_growth" -le 256 ] && echo met || echo "NOT met") |"
	echo
	echo "Samples every 0.5 s (seconds since start: RssAnon kB), every 10th shown:"
	echo "$(awk 'NR % 10 == 1 { printf "%s%s: %s", (NR > 1 ? ", " : ""), $1, $2 }' "$dir/res/mem")."
	echo
	echo "## Memory of one 1M-row soft DELETE (from [memory.md](memory.md), \`bash bench/memory.sh\`)"
	echo
	sed -n 's/^Command: .*Measured /Measured /p' bench/memory.md | head -1
	echo
	grep '^|' bench/memory.md
	echo
	echo "Archive mode: the memory table of [archive.md](archive.md)."
	echo
	echo "## Every round"
	echo
	echo "- 1 preloaded (tps): $(all w1_preload); not loaded: $(all w1_nopreload)"
	for q in point join range like; do
		modes="simple prepared"
		[ $q = like ] && modes=simple
		for m in $modes; do
			echo "- 2 $q -M $m (tps): $(for v in ours hand view rls; do printf '%s: %s; ' $v "$(all "w2_${q}_${m}_$v")"; done)"
		done
	done
	for m in simple prepared; do
		echo "- 3 DELETE -M $m (tps): $(for v in ours hand trigger rule; do printf '%s: %s; ' $v "$(all "w3_${m}_$v")"; done)"
	done
	echo "- 3b DELETE 100k (ms): $(for v in ours hand trigger rule; do printf '%s: %s; ' $v "$(all "w3b_$v")"; done)"
	for op in restore purge; do echo "- 4 $op (ms): ours: $(all "w4_${op}_ours"); hand: $(all "w4_${op}_hand")"; done
	echo
	echo "## Plans"
	echo
	echo "Workload 2 (\`:id\` = \`:lo\` = 4242, \`:n\` = 40000):"
	echo
	echo '```'
	echo "$plans2"
	echo '```'
	echo
	echo "Workload 6, 10-table join, enabled tables:"
	echo
	echo '```'
	echo "$plan6"
	echo '```'
	echo
	echo "and the hand-written query on the plain copies:"
	echo
	echo '```'
	echo "$plan6h"
	echo '```'
} > "$OUT"

# bars of workloads 5 and 7: speed = time(alternative) / time(ours), or tps(ours) / tps(alt)
while IFS='|' read -r _ w o a av _ t _; do
	w=$(xargs <<< "$w"); a=$(xargs <<< "$a")
	case $a in
		"(a)"*) lab="5 archive $w vs CTE"; lim=0.833 ;;
		"(b)"*) lab="5 archive $w vs row trigger"; lim=2 ;;
		*) continue ;;
	esac
	x=$(awk -v o="$o" -v a="$av" 'BEGIN { printf "%.3f", a / o }')
	plot "$lab" "$x" "$(target "$x" ">=" "$lim")"
done < <(sed -n '/^## Bulk DELETE/,/^Work behind/p' bench/archive.md | grep '^| DELETE')
while IFS='|' read -r _ w o a av _ t _; do
	case $a in *periods*) ;; *) continue ;; esac
	x=$(awk -v o="$o" -v a="$av" 'BEGIN { printf "%.3f", o / a }')
	plot "5 versioned UPDATE vs periods" "$x" "$(target "$x" ">" 1)"
done < <(sed -n '/^## Single-row UPDATE/,/^## Memory/p' bench/archive.md | grep '^| versioned')
while IFS='|' read -r _ w o h _; do
	case $w in *workload*|*---*) continue ;; esac
	x=$(awk -v o="$o" -v h="$h" 'BEGIN { printf "%.3f", h / o }')
	case $w in
		*"restore"*) lab="7 cascade restore, 10k children" ;;
		*"100 parents"*) lab="7 cascade 100x100, one statement" ;;
		*archive*) lab="7 cascade archive, 10k children" ;;
		*) lab="7 cascade soft delete, 10k children" ;;
	esac
	plot "$lab vs by hand" "$x" -
done < <(grep '^|' bench/cascade.md)

# ---------------------------------------------------------------- plot
# One bar per comparison, from 1 to the ratio; green = target met, red = missed, grey = no
# target; the black tick on a row is its target. Bars beyond the scale are cut, labelled.
n=$(wc -l < "$dir/plot.dat")
xmax=2.5
gnuplot <<GP
set terminal svg size 1000,$((140 + 22 * n)) dynamic font "sans,11" background "white"
set output "$SVG"
set title "softdelete: speed relative to each alternative (above 1 = ours faster)\\ngreen: target met, red: target missed, grey: no target; black tick: the target"
set xrange [0.5:$xmax]
set xtics 0.1 format "%.1f"
set grid x
set ytics nomirror
set yrange [$n + 0.5:0.5]
set style fill solid 0.8 border -1
set arrow from 1, graph 0 to 1, graph 1 nohead lw 2 lc rgb "black"
set xlabel "ratio = tps(ours) / tps(alternative), or time(alternative) / time(ours); median of per-round ratios"
set key off
unset colorbox
set lmargin 40
set palette defined (0 "#d62728", 1 "#2ca02c", 2 "#9e9e9e")
set cbrange [0:2]
clip(x) = x > $xmax ? $xmax : (x < 0.5 ? 0.5 : x)
plot "$dir/plot.dat" using (1):(\$0 + 1):(clip(\$2 > 1 ? 1 : \$2)):(clip(\$2 > 1 ? \$2 : 1)):(\$0 + 1 - 0.35):(\$0 + 1 + 0.35):3:ytic(1) \\
	with boxxyerror lc palette, \\
	"$dir/plot.dat" using 4:(\$0 + 1 - 0.45):(0):(0.9) with vectors nohead lw 3 lc rgb "black", \\
	"$dir/plot.dat" using (clip(\$2)):(\$0 + 1):(\$2 > $xmax ? "" : sprintf(" %.3f", \$2)) with labels font "sans,9" left, \\
	"$dir/plot.dat" using ($xmax):(\$0 + 1):(\$2 > $xmax ? sprintf("%.0fx, off scale ", \$2) : "") \\
		with labels font "sans,9" right textcolor rgb "white"
GP
log "wrote $OUT and $SVG"
