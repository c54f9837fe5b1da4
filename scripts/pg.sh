#!/usr/bin/env bash
# scripts/pg.sh NN: makes PostgreSQL NN ready to build and test against,
# from Debian's packages, and prints the root it runs in ("/" for 15).
#
# 15 is bookworm's, on this machine.  17, 18 and 19 are the packages of
# newer Debian suites (trixie, sid, experimental), which need a newer libc:
# they run in a chroot made with debootstrap from the archive this machine's
# apt uses, kept under $SD_CHROOT_ROOT (default /var/cache/softdelete), so
# later runs reuse it.  Run as root.
set -euo pipefail
major=${1:?usage: scripts/pg.sh MAJOR}
cache=${SD_CHROOT_ROOT:-/var/cache/softdelete}

case $major in
15)
	echo /
	exit 0
	;;
17) suite=trixie extra= ;;
18) suite=sid extra= ;;
19) suite=sid extra=experimental ;;
*)
	echo "scripts/pg.sh: PostgreSQL $major is not one of 15, 17, 18, 19" >&2
	exit 2
	;;
esac

# The archive this machine's apt uses (deb822 sources, or a one-line list).
mirror=$( (cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null || true) |
	awk '/^URIs:/ || /^deb / {print $2}' | grep -v security | head -1 || true)
mirror=${mirror:-http://deb.debian.org/debian}

root=$cache/pg$major
mkdir -p "$cache"
exec 9>"$cache/pg$major.lock"
flock 9

if [ ! -f "$root/.ready" ]; then
	echo "scripts/pg.sh: preparing PostgreSQL $major ($suite${extra:+ + $extra}) in $root" >&2
	command -v debootstrap >/dev/null ||
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
	umount "$root/proc" 2>/dev/null || true
	rm -rf "$root"
	debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$cache/pg$major.debootstrap.log" 2>&1 ||
		{ tail -20 "$cache/pg$major.debootstrap.log" >&2; exit 1; }
	[ -n "$extra" ] && echo "deb $mirror $extra main" >"$root/etc/apt/sources.list.d/$extra.list"
	# no service starts inside the chroot, and no default cluster is made
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod +x "$root/usr/sbin/policy-rc.d"
	mkdir -p "$root/etc/postgresql-common"
	echo "create_main_cluster = false" >"$root/etc/postgresql-common/createcluster.conf"
	mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
	chroot "$root" env DEBIAN_FRONTEND=noninteractive \
		apt-get -o Acquire::Check-Valid-Until=false update -qq
	# from $extra only PostgreSQL itself (the rest of experimental would
	# replace the suite's perl, among others)
	pg="postgresql-$major postgresql-server-dev-$major"
	[ -n "$extra" ] && pg=$(for p in postgresql-$major postgresql-client-$major postgresql-server-dev-$major libpq5 libpq-dev; do printf "%s/%s " "$p" "$extra"; done)
	chroot "$root" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends make gcc libc6-dev libipc-run-perl $pg \
		>"$cache/pg$major.apt.log" 2>&1 || { tail -20 "$cache/pg$major.apt.log" >&2; exit 1; }
	touch "$root/.ready"
fi
mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
# 19's chroot holds 18 too (sid's), for the pg_upgrade test (t/012): made
# here when missing, also in a chroot kept from before
if [ "$major" = 19 ] && [ ! -x "$root/usr/lib/postgresql/18/bin/pg_config" ]; then
	echo "scripts/pg.sh: adding PostgreSQL 18 to $root (pg_upgrade 18 to 19)" >&2
	chroot "$root" env DEBIAN_FRONTEND=noninteractive \
		apt-get -o Acquire::Check-Valid-Until=false update -qq
	chroot "$root" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends postgresql-18 postgresql-server-dev-18 \
		>"$cache/pg$major.apt18.log" 2>&1 || { tail -20 "$cache/pg$major.apt18.log" >&2; exit 1; }
fi
echo "$root"
