#!/usr/bin/env bash
# The suites on every other supported major: regresscheck, isolationcheck
# and tapcheck against PostgreSQL 17, 18 and 19 from Debian's packages, each
# in the chroot scripts/pg.sh prepares (and keeps, for later runs).  Reports
# every major, fails if any failed.  Run as root.  SD_MAJORS picks a subset.
set -uo pipefail
cd "$(dirname "$0")/.."
failed=()
for major in ${SD_MAJORS:-17 18 19}; do
	echo "##### PostgreSQL $major"
	PG_MAJOR=$major bash scripts/test.sh || failed+=("$major")
done
if [ ${#failed[@]} -gt 0 ]; then
	echo "FAILED on PostgreSQL ${failed[*]}"
	exit 1
fi
echo "all suites passed on PostgreSQL ${SD_MAJORS:-17 18 19}"
