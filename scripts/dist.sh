#!/usr/bin/env bash
# `make dist`: the PGXN distribution softdelete-X.Y.Z.zip, from `git archive`
# of HEAD (what is committed, nothing else), after checking META.json against
# softdelete.control: the version (the control file's X.Y as X.Y.Z), what it
# provides (the install script of that version, which must be in the
# archive), its prerequisites (PostgreSQL 15 or later) and the fields PGXN
# requires.
#
# --check also unpacks the zip in a temporary directory, builds and installs
# softdelete from there alone (PG_CONFIG, Debian's 15 by default) and runs
# the regression suite against that installed build, on a temporary server
# with the library preloaded.  Run as root (make install, and the server runs
# as postgres): bash scripts/dist.sh [--check]
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
. scripts/common.sh

git rev-parse --git-dir >/dev/null 2>&1 ||
	{ echo "dist: not a git checkout: make dist packs what git has" >&2; exit 1; }

version=$(python3 - <<'PY'
import json, re, subprocess, sys
def fail(msg):
    sys.exit("dist: META.json: " + msg)
meta = json.load(open("META.json"))
control = open("softdelete.control").read()
m = re.search(r"^default_version\s*=\s*'([0-9]+)\.([0-9]+)'", control, re.M)
if not m:
    sys.exit("dist: softdelete.control has no default_version X.Y")
want = "%s.%s.0" % m.groups()
tracked = set(subprocess.run(["git", "ls-files"], capture_output=True, text=True,
                             check=True).stdout.split("\n"))
for key in ("name", "abstract", "version", "maintainer", "license", "provides", "meta-spec"):
    if key not in meta:
        fail("missing %r" % key)
if meta["name"] != "softdelete":
    fail("name is %r" % meta["name"])
if meta["version"] != want:
    fail("version %s, but softdelete.control says %s" % (meta["version"], want))
if meta["meta-spec"].get("version") != "1.0.0":
    fail("meta-spec version is not 1.0.0")
if not re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", meta["version"]):
    fail("version %r is not X.Y.Z" % meta["version"])
provides = meta["provides"].get("softdelete")
if provides is None or set(meta["provides"]) != {"softdelete"}:
    fail("provides must name the one extension softdelete")
if provides.get("version") != want:
    fail("provides.softdelete.version %s, want %s" % (provides.get("version"), want))
script = "softdelete--%s.%s.sql" % m.groups()
if provides.get("file") != script:
    fail("provides.softdelete.file %s, want %s" % (provides.get("file"), script))
for f in (script, provides.get("docfile", "README.md"), "Makefile", "softdelete.control"):
    if f not in tracked:
        fail("%s is not committed" % f)
req = meta.get("prereqs", {}).get("runtime", {}).get("requires", {})
if req.get("PostgreSQL") != "15.0.0":
    fail("prereqs.runtime.requires.PostgreSQL is %r, want 15.0.0" % req.get("PostgreSQL"))
print(want)
PY
)

zip="softdelete-$version.zip"
git archive --format=zip --prefix="softdelete-$version/" -o "$zip" HEAD
# what a build from it needs is there
for f in Makefile softdelete.control META.json README.md "softdelete--${version%.0}.sql" src/softdelete.c; do
	unzip -l "$zip" "softdelete-$version/$f" >/dev/null ||
		{ echo "dist: $zip lacks $f" >&2; exit 1; }
done
echo "dist: wrote $zip (META.json checked: version $version)"

[ "${1:-}" = --check ] || exit 0

# Build, install and test from the unpacked zip alone.
work=$(pg_workdir "${SD_TEST_DIR:-$top/tmp/test}/dist")
rm -rf "$work/softdelete-$version"
unzip -q "$zip" -d "$work"
chown -R postgres: "$work"
tree=$work/softdelete-$version
make -s -C "$tree" PG_CONFIG="$PG_CONFIG"
make -s -C "$tree" PG_CONFIG="$PG_CONFIG" install
run_as_pg make -s -C "$tree" PG_CONFIG="$PG_CONFIG" regresscheck
echo "dist: $zip builds, installs and passes the regression suite"
