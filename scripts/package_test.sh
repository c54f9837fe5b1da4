#!/usr/bin/env bash
# The package postgresql-NN-softdelete (dist/, from scripts/package.sh NN)
# as a user gets it: installed with apt into a clean system of its suite (a
# fresh copy of a chroot with only debootstrap's minbase and PostgreSQL NN:
# no compiler, no build tree), a cluster started there with the library
# preloaded, the regression suite run against it (pg_regress from the build
# environment, over TCP: the server and every file it loads are the
# package's), then the package purged and every file it installed checked
# gone.  Then, for each earlier release package_previous names (1.3 and
# 1.8; 1.8 alone on 19; SD_PACKAGE_PREVIOUS), built by scripts/package.sh NN X.Y into dist/release-X.Y/): that
# package installed, data deleted under it, this package installed over it
# while the server runs; ALTER EXTENSION UPDATE must refuse until the server
# is restarted (it still runs the old library), then succeed, every row
# kept.  The pristine chroot is kept under $SD_CHROOT_ROOT (default
# /var/cache/softdelete) as clean-pgNN; each run works on a copy.
# Run as root: bash scripts/package_test.sh NN
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
. scripts/common.sh
major=${1:?usage: scripts/package_test.sh MAJOR}
cache=${SD_CHROOT_ROOT:-/var/cache/softdelete}
port=$((5580 + major))

case $major in
15) suite=bookworm extra= ;;
17) suite=trixie extra= ;;
18) suite=sid extra= ;;
19) suite=sid extra=experimental ;;
*) echo "package_test: PostgreSQL $major is not one of 15, 17, 18, 19" >&2; exit 2 ;;
esac
deb=$(ls "$top"/dist/postgresql-"$major"-softdelete_*.deb 2>/dev/null | tail -1)
[ -n "$deb" ] || { echo "package_test: no dist/postgresql-$major-softdelete_*.deb: run scripts/package.sh $major" >&2; exit 1; }
mirror=$( (cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null || true) |
	awk '/^URIs:/ || /^deb / {print $2}' | grep -v security | head -1 || true)
mirror=${mirror:-http://deb.debian.org/debian}
apt_in() {	# apt_in ROOT ARGS...
	chroot "$1" env DEBIAN_FRONTEND=noninteractive \
		apt-get -o Acquire::Check-Valid-Until=false -y -qq "${@:2}"
}

# the pristine system, made once
clean=$cache/clean-pg$major
mkdir -p "$cache"
exec 9>"$cache/clean-pg$major.lock"
flock 9
if [ ! -f "$clean/.ready" ]; then
	echo "package_test: preparing a clean $suite${extra:+ + $extra} with PostgreSQL $major in $clean" >&2
	command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
	rm -rf "$clean"
	debootstrap --variant=minbase "$suite" "$clean" "$mirror" >"$cache/clean-pg$major.log" 2>&1 ||
		{ tail -20 "$cache/clean-pg$major.log" >&2; exit 1; }
	[ -n "$extra" ] && echo "deb $mirror $extra main" >"$clean/etc/apt/sources.list.d/$extra.list"
	# bookworm: this machine's sources (its updates and security archives), whose
	# PostgreSQL the package was built against
	if [ "$suite" = bookworm ]; then
		cp /etc/apt/sources.list.d/*.sources "$clean/etc/apt/sources.list.d/" 2>/dev/null || true
		[ -f /etc/apt/sources.list ] && cp /etc/apt/sources.list "$clean/etc/apt/sources.list"
	fi
	printf '#!/bin/sh\nexit 101\n' >"$clean/usr/sbin/policy-rc.d"
	chmod +x "$clean/usr/sbin/policy-rc.d"
	mkdir -p "$clean/etc/postgresql-common"
	echo "create_main_cluster = false" >"$clean/etc/postgresql-common/createcluster.conf"
	mount -t proc proc "$clean/proc"
	apt_in "$clean" update
	pg=postgresql-$major
	[ -n "$extra" ] && pg="postgresql-$major/$extra postgresql-client-$major/$extra libpq5/$extra"
	# shellcheck disable=SC2086
	ok=1
	apt_in "$clean" install --no-install-recommends $pg >>"$cache/clean-pg$major.log" 2>&1 || ok=0
	umount "$clean/proc"
	[ $ok = 1 ] || { tail -20 "$cache/clean-pg$major.log" >&2; exit 1; }
	touch "$clean/.ready"
fi
# (it is copied, never used: no /proc mounted there)
umount "$clean/proc" 2>/dev/null || true
exec 9>&-

# a fresh copy for this run
run=$cache/clean-pg$major.run
umount "$run/proc" 2>/dev/null || true
rm -rf "$run"
cp -a "$clean" "$run"
mount -t proc proc "$run/proc"
cleanup() {
	chroot "$run" su postgres -c "/usr/lib/postgresql/$major/bin/pg_ctl -D /tmp/pkgtest/data -m immediate stop" >/dev/null 2>&1 || true
	umount "$run/proc" 2>/dev/null || true
	rm -rf "$run"
}
trap cleanup EXIT
if chroot "$run" sh -c 'command -v gcc || command -v cc || command -v make' >/dev/null; then
	echo "package_test: the clean system has a compiler or make" >&2; exit 1
fi

cp "$deb" "$run/tmp/"
apt_in "$run" install --no-install-recommends "/tmp/$(basename "$deb")" >/dev/null 2>&1 ||
	{ apt_in "$run" update >/dev/null && apt_in "$run" install --no-install-recommends "/tmp/$(basename "$deb")" >/dev/null; }
files=$(chroot "$run" dpkg -L "postgresql-$major-softdelete")
echo "package_test: installed $(basename "$deb") into a clean $suite"

# a cluster of the installed server, the library preloaded
chroot "$run" su postgres -s /bin/sh -c "
	set -e
	rm -rf /tmp/pkgtest && mkdir -p /tmp/pkgtest
	/usr/lib/postgresql/$major/bin/initdb -A trust -U postgres -D /tmp/pkgtest/data >/tmp/pkgtest/initdb.log
	/usr/lib/postgresql/$major/bin/pg_ctl -D /tmp/pkgtest/data -l /tmp/pkgtest/log -w start \
		-o \"-c shared_preload_libraries=softdelete -c max_prepared_transactions=10 -c port=$port -c listen_addresses=localhost -c unix_socket_directories=/tmp/pkgtest\"" >/dev/null

# the regression suite, from the build environment, against that server
broot=$(bash scripts/pg.sh "$major")
inner=/build/pkgtest
[ "$broot" = / ] && inner=/tmp/softdelete-pkgtest-$major
btree=$broot$inner
rm -rf "$btree"
mkdir -p "$btree"
git archive HEAD | tar -C "$btree" -xf -
chroot "$broot" chown -R postgres: "$inner"
if ! chroot "$broot" su postgres -s /bin/sh -c "cd $inner && make -s installcheck SD_INSTALLED=1 \
		PG_CONFIG=/usr/lib/postgresql/$major/bin/pg_config PGHOST=localhost PGPORT=$port PGUSER=postgres" \
		> "$btree/installcheck.log" 2>&1; then
	tail -n 60 "$btree/installcheck.log"
	head -c 20000 "$btree/regression.diffs" 2>/dev/null || true
	head -c 20000 "$btree/output_iso/regression.diffs" 2>/dev/null || true
	echo "package_test: the suite failed against the installed package on $major" >&2
	exit 1
fi
grep -E "tests passed" "$btree/installcheck.log" | sed 's/^[# ]*/package_test: /'
rm -rf "$btree"

# purged: nothing of it left
chroot "$run" su postgres -s /bin/sh -c "/usr/lib/postgresql/$major/bin/pg_ctl -D /tmp/pkgtest/data -w stop" >/dev/null
apt_in "$run" purge "postgresql-$major-softdelete" >/dev/null 2>&1
left=()
while read -r f; do
	[ -n "$f" ] && [ -e "$run$f" ] && [ ! -d "$run$f" ] && left+=("$f")
done <<< "$files"
if [ ${#left[@]} -gt 0 ]; then
	printf 'package_test: left after purge: %s\n' "${left[@]}" >&2
	exit 1
fi
[ -z "$(chroot "$run" dpkg -l "postgresql-$major-softdelete" 2>/dev/null | grep '^[ir]')" ] ||
	{ echo "package_test: the package is still known to dpkg after purge" >&2; exit 1; }
echo "package_test: purged, none of its $(grep -c . <<< "$files") paths left but directories"

# upgrades from earlier releases' packages
pg_in() {	# pg_in SQL: psql as postgres in the clean system, one value per line
	chroot "$run" su postgres -s /bin/sh -c "psql -X -q -At -v ON_ERROR_STOP=1 -h /tmp/pkgtest -p $port -d postgres" <<< "$1"
}
server() {	# server start|stop|restart
	chroot "$run" su postgres -s /bin/sh -c "/usr/lib/postgresql/$major/bin/pg_ctl -D /tmp/pkgtest/data -l /tmp/pkgtest/log -w $1 \
		-o \"-c shared_preload_libraries=softdelete -c port=$port -c listen_addresses='' -c unix_socket_directories=/tmp/pkgtest\"" >/dev/null
}
expect() {	# expect WHAT GOT WANTED
	[ "$2" = "$3" ] || { printf 'package_test: %s: got\n%s\nwanted\n%s\n' "$1" "$2" "$3" >&2; exit 1; }
}
# what the data look like: live and deleted rows of each table, the archive
state_sql="SELECT string_agg(x, ' ') FROM (
	SELECT 'item=' || count(*) FROM item UNION ALL SELECT 'part=' || count(*) FROM part
	UNION ALL SELECT 'note=' || count(*) FROM note) s(x);
SET softdelete.include_deleted = on;
SELECT string_agg(x, ' ') FROM (
	SELECT 'item=' || count(*) || '/' || count(deleted_at) FROM item
	UNION ALL SELECT 'part=' || count(*) || '/' || count(*) FILTER (WHERE gone) FROM part
	UNION ALL SELECT 'archived=' || count(*) FROM note_archive) s(x);"
new_version=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" softdelete.control)
for previous in $(package_previous "$major"); do
	[ "$previous" = "$new_version" ] && continue
	old=$(ls "$top"/dist/release-"$previous"/postgresql-"$major"-softdelete_*.deb 2>/dev/null | tail -1)
	[ -n "$old" ] || { echo "package_test: no dist/release-$previous/postgresql-$major-softdelete_*.deb: run scripts/package.sh $major $previous" >&2; exit 1; }
	chroot "$run" su postgres -s /bin/sh -c "rm -rf /tmp/pkgtest/data && /usr/lib/postgresql/$major/bin/initdb -A trust -U postgres -D /tmp/pkgtest/data >/tmp/pkgtest/initdb.log"
	cp "$old" "$deb" "$run/tmp/"
	apt_in "$run" install --no-install-recommends "/tmp/$(basename "$old")" >/dev/null 2>&1
	server start
	pg_in "CREATE EXTENSION softdelete;
		CREATE TABLE item (id int PRIMARY KEY, kind int);
		CREATE TABLE part (id int PRIMARY KEY, item int REFERENCES item ON DELETE CASCADE,
						   gone boolean NOT NULL DEFAULT false);
		CREATE TABLE note (id int PRIMARY KEY, body text);
		INSERT INTO item SELECT g, g % 3 FROM generate_series(1, 30) g;
		INSERT INTO part SELECT g, g FROM generate_series(1, 30) g;
		INSERT INTO note SELECT g, 'n' || g FROM generate_series(1, 5) g;
		SELECT softdelete.enable('part', 'gone');
		SELECT softdelete.enable('item');
		SELECT softdelete.enable_archive('note', versions => true);
		UPDATE note SET body = 'changed' WHERE id = 2;
		DELETE FROM item WHERE id <= 10;
		DELETE FROM note WHERE id <= 2;" >/dev/null
	expect "$previous: extension version" "$(pg_in "SELECT extversion FROM pg_extension WHERE extname = 'softdelete'")" "$previous"
	before=$(pg_in "$state_sql")
	expect "$previous: rows under $previous" "$before" "item=20 part=20 note=3
item=30/10 part=30/10 archived=3"

	# the new package over the old one, the server running: it still runs the
	# old library, which must not run the new objects
	apt_in "$run" install --no-install-recommends "/tmp/$(basename "$deb")" >/dev/null 2>&1
	expect "$previous: rows after the package, before a restart" "$(pg_in "$state_sql")" "$before"
	if refused=$(pg_in "ALTER EXTENSION softdelete UPDATE" 2>&1); then
		echo "package_test: $previous: ALTER EXTENSION UPDATE ran under the old library" >&2; exit 1
	fi
	expect "$previous: version after the refused update" "$(pg_in "SELECT extversion FROM pg_extension WHERE extname = 'softdelete'")" "$previous"
	expect "$previous: rows after the refused update" "$(pg_in "$state_sql")" "$before"
	# from 1.8 on, the first script of the update is one that checks the
	# library; from earlier releases, an earlier script fails first, looking
	# for a C function the old library does not have
	case $previous in
	1.[0-7]) want="could not find function" ;;
	*) want="needs the softdelete library of version" ;;
	esac
	grep -q "$want" <<< "$refused" ||
		{ printf 'package_test: %s: the update was refused for another reason:\n%s\n' "$previous" "$refused" >&2; exit 1; }
	echo "package_test: $previous: the update refused before a restart: $(head -1 <<< "$refused")"

	server restart
	expect "$previous: the library after a restart" "$(pg_in "SHOW softdelete.library_version")" "$new_version"
	expect "$previous: rows under the new library" "$(pg_in "$state_sql")" "$before"
	pg_in "ALTER EXTENSION softdelete UPDATE" >/dev/null
	expect "$previous: extension version" "$(pg_in "SELECT extversion FROM pg_extension WHERE extname = 'softdelete'")" "$new_version"
	expect "$previous: rows after the update" "$(pg_in "$state_sql")" "$before"
	# what was deleted under the old release comes back; a new delete is
	# undone; the new release's features work on tables enabled under the old
	got=$(pg_in "SET client_min_messages = warning;
		SELECT softdelete.restore('item', 'id <= 5');
		SELECT softdelete.restore('note', 'id = 1');
		SELECT body FROM note WHERE id = 1;
		SELECT 'live indexes' FROM softdelete.enable('item', live_indexes => true);
		BEGIN; DELETE FROM item WHERE id > 25; SELECT pg_current_xact_id() AS x \\gset
		COMMIT;
		SELECT count(*) FROM item;
		SELECT string_agg(table_name || ':' || restored, ',' ORDER BY table_name::text) FROM softdelete.undo(:'x');
		SELECT count(*) FROM item;" 2>&1) || { echo "$got" >&2; exit 1; }
	expect "$previous: restore, delete and undo after the update" "$got" "5
1
n1
live indexes
20
item:5,part:5
25"
	expect "$previous: rows at the end" "$(pg_in "$state_sql")" "item=25 part=25 note=4
item=30/5 part=30/5 archived=3"
	server stop
	apt_in "$run" purge "postgresql-$major-softdelete" >/dev/null 2>&1
	echo "package_test: upgraded from $(basename "$old"): refused before a restart, then every row kept, restored and undone"
done
