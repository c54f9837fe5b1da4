#!/usr/bin/env bash
# The Debian package postgresql-NN-softdelete, built from debian/ the way
# Debian and PGDG build extensions (dh with pg_buildext; its build runs the
# regression suite against the package on a throwaway cluster with the
# library preloaded).  NN=15 builds on this machine (bookworm); 17, 18 and 19
# in the chroot of their suite that scripts/pg.sh prepares (trixie, sid,
# experimental), with the packaging tools added there.  The .deb and its
# build log are left in dist/.  Run as root: bash scripts/package.sh NN
#
# bash scripts/package.sh NN X.Y builds release X.Y instead, for the upgrade
# test (scripts/package_test.sh): the source as main held it last at that
# version (release_commit), packaged with today's debian/ as X.Y.0-1, without
# the build's test (that source was tested when it was main).  Left in
# dist/release-X.Y/.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
. scripts/common.sh
major=${1:?usage: scripts/package.sh MAJOR [RELEASE]}
release=${2:-}
if [ -z "$release" ]; then
	rev=HEAD
	version=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" softdelete.control)
	# the package's version follows softdelete.control
	deb_version=$(dpkg-parsechangelog -S Version)
	case $deb_version in
		"$version".0-*) ;;
		*) echo "package: debian/changelog says $deb_version, softdelete.control $version" >&2; exit 1 ;;
	esac
	out=$top/dist
	build_options=
else
	rev=$(release_commit "$release")
	version=$release
	out=$top/dist/release-$release
	build_options=nocheck
fi
root=$(bash scripts/pg.sh "$major")
tools=(build-essential debhelper dpkg-dev postgresql-server-dev-all "postgresql-server-dev-$major")
missing=()
for p in "${tools[@]}"; do
	chroot "$root" dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	chroot "$root" env DEBIAN_FRONTEND=noninteractive \
		apt-get -o Acquire::Check-Valid-Until=false install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null 2>&1 ||
		{ chroot "$root" env DEBIAN_FRONTEND=noninteractive \
			apt-get -o Acquire::Check-Valid-Until=false update -qq &&
		  chroot "$root" env DEBIAN_FRONTEND=noninteractive \
			apt-get -o Acquire::Check-Valid-Until=false install -y -qq --no-install-recommends \
			"${missing[@]}" >/dev/null; }
fi

# a clean copy of what is committed, readable by the build's test user
inner=/build/package
[ "$root" = / ] && inner=/tmp/softdelete-package-$major
work=$root$inner
rm -rf "$work"
src=$work/softdelete-$version.0
committed_tree "$rev" "$src"
if [ -n "$release" ]; then
	# today's packaging over the release's source, as its version
	rm -rf "$src/debian"
	git archive HEAD debian | tar -C "$src" -xf -
	{
		printf 'softdelete (%s.0-1) unstable; urgency=medium\n\n' "$release"
		printf '  * Release %s (commit %s), packaged for the upgrade test.\n\n' "$release" "$(git rev-parse --short "$rev")"
		printf ' -- %s  %s\n' "$(dpkg-parsechangelog -S Maintainer)" "$(git show -s --format=%aD "$rev")"
	} >"$src/debian/changelog"
fi
chmod -R a+rX "$work"
mkdir -p "$out"
# debian/control for this major alone (pgversions: 15+)
if ! chroot "$root" env -u PG_CONFIG PG_SUPPORTED_VERSIONS="$major" \
	DEB_BUILD_OPTIONS="$build_options" sh -c \
	"cd $inner/softdelete-$version.0 && pg_buildext updatecontrol &&
	 dpkg-buildpackage -us -uc -b" > "$work/build.log" 2>&1; then
	cp "$work/build.log" "$out/build-$major.log"
	tail -n 80 "$work/build.log"
	echo "package: the build for $major failed ($out/build-$major.log)" >&2
	exit 1
fi
rm -f "$out"/postgresql-"$major"-softdelete_*.deb
cp "$work"/postgresql-"$major"-softdelete_*.deb "$out/"
cp "$work/build.log" "$out/build-$major.log"
rm -rf "$work"
ls "$out/"postgresql-"$major"-softdelete_*.deb
