# Shared by the scripts: the PostgreSQL tools first in PATH (Debian's 15, or
# the build whose pg_config PG_CONFIG names, such as an assert-enabled one),
# and a helper that makes a directory the unprivileged postgres user can work in.
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
PATH=$("$PG_CONFIG" --bindir):$PATH
export PATH

# run_as_pg CMD...: PostgreSQL refuses to run as root; run as postgres.
run_as_pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- env PATH="$PATH" PG_CONFIG="$PG_CONFIG" "$@"
	else
		"$@"
	fi
}

# pg_workdir DIR: create DIR (or reuse it) owned by postgres; print its path.
# Falls back to a directory under /tmp when postgres cannot reach DIR.
pg_workdir() {
	local dir=$1
	mkdir -p "$dir"
	[ "$(id -u)" = 0 ] && chown postgres: "$dir"
	if ! run_as_pg test -w "$dir"; then
		dir=$(mktemp -d /tmp/softdelete.XXXXXX)
		[ "$(id -u)" = 0 ] && chown postgres: "$dir"
	fi
	echo "$dir"
}
