#!/usr/bin/env bash
# Real clients that know nothing about soft delete (test/clients), each
# unchanged but for enabling its tables, on a throwaway server with the
# library preloaded: the seeds' SQLAlchemy scenario, a Django application,
# the two boolean-flag seeds as Flask-SQLAlchemy applications (their own
# soft-delete code kept, then removed), an ActiveRecord application, a
# Sequelize application and a JDBC client with server-side prepared
# statements.  They connect over TCP on 127.0.0.1.
#
# CLIENTS_MAJOR=NN runs the server of that major in its chroot
# (scripts/pg.sh; softdelete must be installed there, as PG_MAJOR=NN
# scripts/test.sh does) and the clients here, on this machine.
# Runs as root (then as postgres) or as postgres (make clientcheck, 15 only).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh
major=${CLIENTS_MAJOR:-}
port=${CLIENTS_PORT:-5542}
if [ -n "$major" ] && [ "$major" != 15 ]; then
	root=$(bash scripts/pg.sh "$major")
	bin=/usr/lib/postgresql/$major/bin
	cdir=/tmp/clients		# inside the chroot
	dir=$root$cdir
	mkdir -p "$dir" && chown postgres: "$dir"
	# pg CMD...: a PostgreSQL tool of that major, in its chroot, as postgres
	pg() { chroot "$root" runuser -u postgres -- "$@"; }
else
	major=$("$PG_CONFIG" --version | sed 's/^PostgreSQL \([0-9]*\).*/\1/')
	bin=$("$PG_CONFIG" --bindir)
	dir=$(pg_workdir "${CLIENTS_DIR:-$PWD/tmp/clients}")
	cdir=$dir
	pg() { run_as_pg "$@"; }
fi
stop() { pg "$bin/pg_ctl" -D "$cdir/data" -m fast -w stop >/dev/null 2>&1 || true; }
stop
rm -rf "$dir/data"
trap stop EXIT
pg "$bin/initdb" -D "$cdir/data" -A trust >/dev/null
pg "$bin/pg_ctl" -D "$cdir/data" -l "$cdir/server.log" -w start -o "-c shared_preload_libraries=softdelete \
	-c port=$port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$cdir" >/dev/null
user=postgres
# psql_db DB SQL: run SQL in DB (the client machine's psql, over TCP)
psql_db() { run_as_pg psql -X -q -h 127.0.0.1 -p "$port" -U "$user" -d "$1" -c "$2"; }
# fresh_db NAME: a database with the extension
fresh_db() {
	psql_db postgres "DROP DATABASE IF EXISTS $1"
	psql_db postgres "CREATE DATABASE $1"
	psql_db "$1" "CREATE EXTENSION softdelete"
}
echo "clients against PostgreSQL $major"
psql_db postgres "CREATE EXTENSION softdelete"
export SQLALCHEMY_SILENCE_UBER_WARNING=1
run_as_pg /usr/bin/python3 test/clients/sqlalchemy_seed.py "postgresql://$user@127.0.0.1:$port/postgres"
run_as_pg /usr/bin/python3 test/clients/django_shop.py postgres 127.0.0.1 "$port" "$user"
run_as_pg /usr/bin/python3 test/clients/flask_seeds.py "postgresql://$user@127.0.0.1:$port"
fresh_db rails_shop
run_as_pg ruby test/clients/rails_shop.rb 127.0.0.1 "$port" "$user" rails_shop
fresh_db sequelize_app
(cd test/clients/sequelize && run_as_pg node app.js 127.0.0.1 "$port" "$user" sequelize_app)
fresh_db jdbc_app
classes=$(pg_workdir "$PWD/tmp/jdbc")
run_as_pg javac -d "$classes" -cp /usr/share/java/postgresql.jar test/clients/jdbc/SoftDeleteJdbc.java
run_as_pg java -cp "/usr/share/java/postgresql.jar:$classes" SoftDeleteJdbc \
	"jdbc:postgresql://127.0.0.1:$port/jdbc_app?user=$user"
