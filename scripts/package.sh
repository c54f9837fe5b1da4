#!/usr/bin/env bash
# The Debian package postgresql-NN-softdelete, built from debian/ the way
# Debian and PGDG build extensions (dh with pg_buildext; its build runs the
# regression suite against the package on a throwaway cluster with the
# library preloaded).  NN=15 builds on this machine (bookworm); the .deb and
# its build log are left in dist/.  Run as root: bash scripts/package.sh 15
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
major=${1:?usage: scripts/package.sh MAJOR}
version=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" softdelete.control)
# the package's version follows softdelete.control
deb_version=$(dpkg-parsechangelog -S Version)
case $deb_version in
	"$version".0-*) ;;
	*) echo "package: debian/changelog says $deb_version, softdelete.control $version" >&2; exit 1 ;;
esac
[ "$major" = 15 ] || { echo "package: only 15 is built here so far" >&2; exit 1; }
missing=()
for p in debhelper postgresql-server-dev-all "postgresql-server-dev-$major"; do
	dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} = 0 ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null

# a clean copy of what is committed, readable by the build's test user
work=$(mktemp -d /tmp/softdelete-package.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir "$work/softdelete-$version.0"
git archive HEAD | tar -C "$work/softdelete-$version.0" -xf -
chmod -R a+rX "$work"
cd "$work/softdelete-$version.0"
# debian/control for the majors this system has (pgversions: 15+)
PG_SUPPORTED_VERSIONS=$major pg_buildext updatecontrol
mkdir -p "$top/dist"
PG_SUPPORTED_VERSIONS=$major dpkg-buildpackage -us -uc -b > "$work/build.log" 2>&1 ||
	{ cp "$work/build.log" "$top/dist/"; tail -n 80 "$work/build.log";
	  echo "package: the build failed (dist/build.log)" >&2; exit 1; }
cp "$work"/postgresql-"$major"-softdelete_*.deb "$work/build.log" "$top/dist/"
ls "$top/dist/"postgresql-"$major"-softdelete_*.deb
