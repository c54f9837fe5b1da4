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

# committed_tree REV DIR: what is committed at REV (no build products, no
# local edits), unpacked into DIR, made anew.
committed_tree() {
	rm -rf "$2"
	mkdir -p "$2"
	git archive "$1" | tar -C "$2" -xf -
}

# release_commit X.Y: the last commit of the first-parent history whose
# softdelete.control says default_version X.Y (a release is what main held
# when its version changed to the next one).  Fails when there is none, as
# in a shallow clone.
release_commit() {
	local prev="" c v
	for c in $(git rev-list --first-parent HEAD -- softdelete.control); do
		v=$(git show "$c:softdelete.control" | sed -n "s/^default_version *= *'\(.*\)'/\1/p")
		if [ "$v" = "$1" ]; then
			if [ -z "$prev" ]; then git rev-parse HEAD; else git rev-parse "$prev^"; fi
			return 0
		fi
		prev=$c
	done
	echo "no commit in this history says version $1 (a shallow clone?)" >&2
	return 1
}

# package_previous MAJOR: the earlier releases whose packages the upgrade
# test starts from ($SD_PACKAGE_PREVIOUS when set).  1.3's source does not
# build against 19 as experimental has it now (table_beginscan took another
# argument after 1.3), so there is no 1.3 package for 19 to upgrade from.
package_previous() {
	if [ -n "${SD_PACKAGE_PREVIOUS+set}" ]; then
		echo "$SD_PACKAGE_PREVIOUS"
	elif [ "$1" = 19 ]; then
		echo "1.8"
	else
		echo "1.3 1.8"
	fi
}
