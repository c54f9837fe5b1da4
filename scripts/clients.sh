#!/usr/bin/env bash
# Real clients that know nothing about soft delete (test/clients): the seeds'
# SQLAlchemy scenario and a Django application, unchanged but for enabling
# their tables, on a throwaway server with the library preloaded.
# Runs as root (then as postgres) or as postgres (make clientcheck).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh
dir=$(pg_workdir "${CLIENTS_DIR:-$PWD/tmp/clients}")
port=${CLIENTS_PORT:-5542}
stop() { run_as_pg pg_ctl -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true; }
stop
rm -rf "$dir/data"
trap stop EXIT
run_as_pg initdb -D "$dir/data" -A trust >/dev/null
run_as_pg pg_ctl -D "$dir/data" -l "$dir/server.log" -w start -o "-c shared_preload_libraries=softdelete \
	-c port=$port -c listen_addresses='' -c unix_socket_directories=$dir" >/dev/null
run_as_pg psql -X -q -h "$dir" -p "$port" -d postgres -c "CREATE EXTENSION softdelete"
user=$(run_as_pg whoami)
run_as_pg /usr/bin/python3 test/clients/sqlalchemy_seed.py "postgresql://$user@/postgres?host=$dir&port=$port"
run_as_pg /usr/bin/python3 test/clients/django_shop.py postgres "$dir" "$port" "$user"
