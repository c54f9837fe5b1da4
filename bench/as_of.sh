#!/usr/bin/env bash
# softdelete.as_of against the same queries written by hand, on one server.
#
# Data: f, flag mode, 1M rows, 10% deleted at stamps spread over 2025;
#       v, archive mode with versions, 200k rows updated three times (so the
#       archive holds 600k images), the second round of updates at time T2.
# Queries, each under SET softdelete.as_of = T (ours) and written by hand over
# the live table and the archive (hand, run with include_deleted = on so that
# the hook adds nothing):
#   point_f   SELECT * FROM f WHERE id = :id
#             hand: the columns with CASE WHEN deleted_at > T THEN NULL ...,
#             WHERE id = :id AND (deleted_at IS NULL OR deleted_at > T)
#   point_v   SELECT * FROM v WHERE id = :id
#             hand: live WHERE valid_from <= T UNION ALL archive WHERE
#             valid_from <= T AND archived_at > T
#   join      SELECT f.id, f.b, v.x, v.valid_from FROM f JOIN v ON v.id = f.id
#             WHERE f.id = :id (both tables at T), and the same by hand
# Before timing, the results of ours and hand are compared for 200 keys.
# pgbench, 1 client each, ours and hand at the same time, -M simple and
# -M prepared, DURATION seconds a run, ROUNDS rounds; ratio = ours / hand of
# each round, and its median.
# Results go to bench/as_of.md.
# Run as root: bash bench/as_of.sh      (ROUNDS=5 DURATION=15 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-15}
OUT=${OUT:-bench/as_of.md}
port=5596
dir=/tmp/softdelete-bench-as-of

[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
command -v pgbench >/dev/null || apt-get install -y -qq postgresql-client-15 >/dev/null
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

psql_() { run_as_pg psql -X -q -v ON_ERROR_STOP=1 -h "$dir" -p $port "$@"; }
log() { echo "[$(date +%T)] $*" >&2; }
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

log "loading"
psql_ -d postgres >/dev/null <<'SQL'
CREATE EXTENSION softdelete;
CREATE TABLE f (id int PRIMARY KEY, a int, b text, deleted_at timestamptz);
INSERT INTO f SELECT g, g % 1000, md5(g::text),
	CASE WHEN g % 10 = 0 THEN '2025-01-01'::timestamptz + (g % 365) * interval '1 day' END
	FROM generate_series(1, 1000000) g;
SELECT softdelete.enable('f');
CREATE TABLE v (id int PRIMARY KEY, x int NOT NULL, b text);
INSERT INTO v SELECT g, 0, md5(g::text) FROM generate_series(1, 200000) g;
SELECT softdelete.enable_archive('v', versions => true);
SQL
psql_ -d postgres -c "UPDATE v SET x = x + 1"
sleep 1
T=$(psql_ -d postgres -Atc "SELECT to_json(now()) #>> '{}'")	# ISO, no spaces (PGOPTIONS)
psql_ -d postgres -c "UPDATE v SET x = x + 1"
psql_ -d postgres -c "UPDATE v SET x = x + 1"
psql_ -d postgres -c "VACUUM ANALYZE" -c "CHECKPOINT"
TF='2025-07-01T00:00:00+00:00'
log "as_of for v: $T; for f: $TF"

cat > "$dir/ours_point_f.sql" <<'SQL'
\set id random(1, 1000000)
SELECT * FROM f WHERE id = :id;
SQL
cat > "$dir/hand_point_f.sql" <<SQL
\set id random(1, 1000000)
SELECT id, a, b, CASE WHEN deleted_at > '$TF' THEN NULL ELSE deleted_at END AS deleted_at
  FROM f WHERE id = :id AND (deleted_at IS NULL OR deleted_at > '$TF');
SQL
cat > "$dir/ours_point_v.sql" <<'SQL'
\set id random(1, 200000)
SELECT * FROM v WHERE id = :id;
SQL
cat > "$dir/hand_point_v.sql" <<SQL
\set id random(1, 200000)
SELECT id, x, b, valid_from FROM v WHERE id = :id AND valid_from <= '$T'
UNION ALL
SELECT id, x, b, valid_from FROM ONLY v_archive WHERE id = :id AND valid_from <= '$T' AND archived_at > '$T';
SQL
cat > "$dir/ours_join.sql" <<'SQL'
\set id random(1, 200000)
SELECT f.id, f.b, v.x, v.valid_from FROM f JOIN v ON v.id = f.id WHERE f.id = :id;
SQL
cat > "$dir/hand_join.sql" <<SQL
\set id random(1, 200000)
SELECT f.id, f.b, v.x, v.valid_from
  FROM (SELECT id, a, b, CASE WHEN deleted_at > '$TF' THEN NULL ELSE deleted_at END AS deleted_at
          FROM f WHERE deleted_at IS NULL OR deleted_at > '$TF') f
  JOIN (SELECT id, x, b, valid_from FROM v WHERE valid_from <= '$T'
        UNION ALL
        SELECT id, x, b, valid_from FROM ONLY v_archive WHERE valid_from <= '$T' AND archived_at > '$T') v
    ON v.id = f.id
 WHERE f.id = :id;
SQL
chown postgres: "$dir"/*.sql

# as_of for f and v differ (f's stamps are in 2025): ours reads f at TF in
# point_f, v at T in point_v; the join reads both at one time in ours, so
# its hand version must too: join uses T for both (f at T shows every row
# not deleted by now, as the CASE at T does).
sed -i "s/'$TF'/'$T'/g" "$dir/hand_join.sql"
ours_opts() { case $1 in point_f) echo "-c softdelete.as_of=$TF" ;; *) echo "-c softdelete.as_of=$T" ;; esac; }
hand_opts="-c softdelete.include_deleted=on"

# the same rows, ours and hand, for 200 keys of each query
for q in point_f point_v join; do
	for k in $(seq 1 997 199000); do
		o=$(PGOPTIONS="$(ours_opts $q)" psql_ -d postgres -At -v id=$k -c "$(sed 1d "$dir/ours_$q.sql" | sed "s/:id/$k/g") " | sort)
		h=$(PGOPTIONS="$hand_opts" psql_ -d postgres -At -c "$(sed 1d "$dir/hand_$q.sql" | sed "s/:id/$k/g")" | sort)
		[ "$o" = "$h" ] || { echo "results differ for $q id=$k:"; echo "$o"; echo "--"; echo "$h"; exit 1; } >&2
	done
	log "$q: ours and hand agree on 200 keys"
done

# ours and hand run at the same time, each its own pgbench with one client,
# so that both see the same machine: this VM's speed drifts by a factor of
# two within seconds, which runs one after the other would measure instead.
for r in $(seq 1 "$ROUNDS"); do
	for q in point_f point_v join; do
		for mode in simple prepared; do
			for v in ours hand; do
				if [ $v = ours ]; then opts=$(ours_opts $q); else opts=$hand_opts; fi
				PGOPTIONS="$opts" run_as_pg pgbench -n -h "$dir" -p $port -M $mode -c 1 -T "$DURATION" \
					-f "$dir/${v}_$q.sql" postgres > "$dir/out_$v" 2>&1 &
			done
			wait
			for v in ours hand; do
				tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$dir/out_$v")
				[ -n "$tps" ] || { echo "pgbench failed: $v $q $mode"; cat "$dir/out_$v"; exit 1; } >&2
				echo "$tps" >> "$dir/res/${q}_${mode}_$v"
			done
			ratio=$(awk -v o="$(tail -1 "$dir/res/${q}_${mode}_ours")" -v h="$(tail -1 "$dir/res/${q}_${mode}_hand")" 'BEGIN { printf "%.4f", o / h }')
			echo "$ratio" >> "$dir/res/${q}_${mode}_ratio"
			log "round $r $q $mode: ours $(tail -1 "$dir/res/${q}_${mode}_ours") tps, hand $(tail -1 "$dir/res/${q}_${mode}_hand") tps, ratio $ratio"
		done
	done
done

{
	echo "# softdelete.as_of against the same queries written by hand"
	echo
	echo "Measured $(date -u +%F) by \`bash bench/as_of.sh\` (ROUNDS=$ROUNDS, DURATION=$DURATION s),"
	echo "PostgreSQL $(run_as_pg pg_config --version | sed 's/PostgreSQL //'), $(nproc) cores; pgbench, 1 client;"
	echo "ours and hand run at the same time (two pgbench, one client each), $ROUNDS rounds;"
	echo "medians. Ratio = ours / hand in the same round, its median (at least 0.95 is the goal)."
	echo "f: flag mode, 1M rows, 10% deleted; v: archive mode with versions, 200k rows, 600k"
	echo "archived versions. The queries are in the script; ours and hand return the same rows"
	echo "(checked for 200 keys of each before timing)."
	echo
	echo "| query | protocol | ours tps | hand tps | ratio (median) | ratios of the rounds |"
	echo "|---|---|---:|---:|---:|---|"
	for q in point_f point_v join; do
		for mode in simple prepared; do
			o=$(median < "$dir/res/${q}_${mode}_ours")
			h=$(median < "$dir/res/${q}_${mode}_hand")
			echo "| $q | $mode | $o | $h | $(median < "$dir/res/${q}_${mode}_ratio") | $(tr '\n' ' ' < "$dir/res/${q}_${mode}_ratio") |"
		done
	done
	echo
	echo "Plans (ours, then hand) of the join:"
	echo
	echo '```'
	PGOPTIONS="$(ours_opts join)" psql_ -d postgres -c "EXPLAIN (COSTS OFF) $(sed 1d "$dir/ours_join.sql" | sed 's/:id/1000/g')"
	PGOPTIONS="$hand_opts" psql_ -d postgres -c "EXPLAIN (COSTS OFF) $(sed 1d "$dir/hand_join.sql" | sed 's/:id/1000/g')"
	echo '```'
} > "$OUT"
cat "$OUT"
