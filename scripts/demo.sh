#!/usr/bin/env bash
# The demo: installs what is missing, builds and installs softdelete, starts
# a throwaway PostgreSQL 15 cluster under tmp/demo with the library
# preloaded, runs demo/demo.sql with its output, then stops and removes the
# cluster.  Run as root from anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
bash scripts/deps.sh
. scripts/common.sh

make -s
make -s install

dir=$(pg_workdir "$top/tmp/demo")
sock=$(mktemp -d /tmp/softdelete-demo-sock.XXXXXX)
[ "$(id -u)" = 0 ] && chown postgres: "$sock"
port=${SD_DEMO_PORT:-54329}
cleanup() {
	run_as_pg pg_ctl -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$dir/data" "$sock"
}
trap cleanup EXIT
rm -rf "$dir/data"
run_as_pg initdb -D "$dir/data" -A trust -U postgres >/dev/null
cat >> "$dir/data/postgresql.conf" <<CONF
shared_preload_libraries = 'softdelete'
port = $port
listen_addresses = ''
unix_socket_directories = '$sock'
fsync = off
CONF
run_as_pg pg_ctl -D "$dir/data" -l "$dir/server.log" -w start >/dev/null
run_as_pg psql -X -h "$sock" -p "$port" -U postgres -d postgres \
	-v ON_ERROR_STOP=1 --echo-all -f - < demo/demo.sql
