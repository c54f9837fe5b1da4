#!/usr/bin/env bash
# Runs the pg_regress suite against a server running under valgrind
# (memcheck, every backend traced), then reports the errors valgrind saw,
# leaving out the known false positives of an unannotated PostgreSQL build
# (WAL buffers written with padding bytes) and of glibc's loader.
# Slow (minutes).  Run as root: bash scripts/valgrind.sh
# (REGRESS="archive_delete dml" runs only those files).
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
bash scripts/deps.sh
. scripts/common.sh
command -v valgrind >/dev/null || apt-get install -y -qq valgrind >/dev/null
make -s && make -s install

dir=$(mktemp -d /tmp/softdelete-valgrind.XXXXXX)
chown postgres: "$dir"
port=${SD_VALGRIND_PORT:-5533}
stop() { run_as_pg pg_ctl -D "$dir/data" -m fast stop >/dev/null 2>&1 || true; }
trap stop EXIT
run_as_pg initdb -D "$dir/data" -A trust >/dev/null
cat >> "$dir/data/postgresql.conf" <<CONF
shared_preload_libraries = 'softdelete'
port = $port
unix_socket_directories = '$dir'
listen_addresses = ''
fsync = off
max_prepared_transactions = 10
CONF
run_as_pg bash -c "valgrind --quiet --trace-children=yes --error-limit=no \
	--log-file='$dir/vg.%p.log' postgres -D '$dir/data' > '$dir/server.log' 2>&1 &"
for _ in $(seq 1 120); do
	pg_isready -h "$dir" -p "$port" -q && break
	sleep 1
done

mkdir -p "$dir/tree"
tar --exclude=./tmp --exclude=./.git -cf - . | tar -C "$dir/tree" -xf -
chown -R postgres: "$dir/tree"
tests=${REGRESS:-$(cd sql && ls *.sql | sed 's/\.sql$//')}
status=0
(cd "$dir/tree" && run_as_pg "$(pg_config --pgxs | xargs dirname)/../test/regress/pg_regress" \
	--inputdir=. --bindir="$(pg_config --bindir)" --host="$dir" --port="$port" \
	--load-extension=softdelete --dbname=valgrind_regression $tests) || status=1
stop
sleep 2

# Error blocks, less the known false positives.
python3 - "$dir" <<'PY' || status=1
import glob, re, sys
known = ("pwrite64(buf) points to uninitialised", "write(buf) points to uninitialised",
         "dl-load.c", "dl-open.c", "dl-deps.c")
errors = 0
for f in glob.glob(sys.argv[1] + "/vg.*.log"):
    blocks = re.split(r"\n==\d+== \n", open(f).read())
    for b in blocks:
        if not re.search(r"(Invalid|uninitialised|Mismatched|overlap|definitely lost)", b):
            continue
        if any(k in b for k in known):
            continue
        errors += 1
        print(b)
print("valgrind: %d error(s) outside the known false positives" % errors)
sys.exit(1 if errors else 0)
PY
[ $status = 0 ] && rm -rf "$dir"
exit $status
