#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds with -Werror (and
# -DUSE_ASSERT_CHECKING, so that softdelete's own assertions and those of
# the inline functions it takes from PostgreSQL's headers run even against
# a release server), installs, then runs pg_regress, the isolation specs,
# the TAP tests, the client applications and the fuzzer, each on temporary
# servers it starts itself (the library preloaded), as the unprivileged
# postgres user.  Run as root from anywhere.
#
# PG_MAJOR=17|18|19 runs the suites against that major instead, in the
# chroot scripts/pg.sh prepares (regresscheck, isolationcheck and tapcheck
# by default there, and on 19 clientcheck: the clients here, its server in
# the chroot).  PG_CONFIG picks another build of 15 (an assert-enabled
# one, say).  SD_TEST_DIR picks another work directory; SD_SUITES a subset
# of the suites; REGRESS / ISOLATION / PROVE_TESTS (make variables) a subset
# of tests; FUZZ_SEED / FUZZ_COUNT the fuzzer's seed and length.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
bash scripts/deps.sh
. scripts/common.sh
# the major: PG_MAJOR's chroot, or the local build PG_CONFIG names
major=${PG_MAJOR:-$("$PG_CONFIG" --version | sed 's/^PostgreSQL \([0-9]*\).*/\1/')}
build_flags=(SD_EXTRA_CFLAGS=-DUSE_ASSERT_CHECKING)

vars=()
for v in REGRESS ISOLATION PROVE_TESTS PROVE_FLAGS; do
	[ -n "${!v:-}" ] && vars+=("$v=${!v}")
done
failed=()

# package_suite MAJOR: the Debian package built (its build runs the suite
# against it) with the earlier releases the upgrade test starts from, then
# installed into a clean system, tested there, upgraded to and purged
package_suite() {
	local r
	bash scripts/package.sh "$1" || return 1
	for r in $(package_previous "$1"); do
		bash scripts/package.sh "$1" "$r" >/dev/null || return 1
	done
	bash scripts/package_test.sh "$1"
}

# report SUITE DIR: what a failed suite left in tree DIR
report() {
	local suite=$1 tree=$2 f
	for f in "$tree/regression.diffs" "$tree/output_iso/regression.diffs"; do
		[ -s "$f" ] && [ "$suite" != tapcheck ] && head -c 20000 "$f"
	done
	if [ "$suite" = fuzzcheck ]; then
		head -c 20000 "$tree/tmp/fuzz/findings.jsonl" 2>/dev/null || true
		head -c 20000 "$tree/tmp/fuzz/write_findings.jsonl" 2>/dev/null || true
	fi
	if [ "$suite" = tapcheck ]; then
		tail -n 60 "$tree"/tmp_check/log/regress_log_* 2>/dev/null || true
	fi
}

if [ -z "${PG_MAJOR:-}" ] || [ "$PG_MAJOR" = 15 ]; then
	make -s clean
	make -s "${build_flags[@]}"
	make -s install

	# A copy of the tree the postgres user owns: the suites write results there.
	work=$(pg_workdir "${SD_TEST_DIR:-$top/tmp/test}")
	rm -rf "$work/tree"
	mkdir -p "$work/tree"
	tar --exclude=./tmp --exclude=./.git -cf - . | tar -C "$work/tree" -xf -
	chown -R postgres: "$work" 2>/dev/null || true
	for suite in ${SD_SUITES:-layercheck regresscheck isolationcheck tapcheck clientcheck fuzzcheck distcheck packagecheck}; do
		echo "=== $suite"
		if [ "$suite" = distcheck ]; then
			# the PGXN zip, built and tested unpacked (it installs a build without
			# assertions over the one above: late)
			SD_TEST_DIR="$work" bash scripts/dist.sh --check || failed+=("$suite")
			continue
		fi
		if [ "$suite" = packagecheck ]; then
			# the Debian package (its build runs the suite against it), then
			# installed into a clean system, tested there and purged
			package_suite 15 || failed+=("$suite")
			continue
		fi
		if ! run_as_pg make -s -C "$work/tree" "$suite" "${vars[@]}"; then
			failed+=("$suite")
			report "$suite" "$work/tree"
		fi
	done
	where="$work/tree"
else
	root=$(bash scripts/pg.sh "$major")
	pgc=/usr/lib/postgresql/$major/bin/pg_config
	# the tree, owned by the chroot's postgres user; built and installed there
	rm -rf "$root/build"
	mkdir -p "$root/build/tree"
	tar --exclude=./tmp --exclude=./.git -cf - . | tar -C "$root/build/tree" -xf -
	# an older major in the same chroot (18 in 19's): softdelete built for it
	# too, and t/012 upgrades from it with pg_upgrade
	upgrade_from=
	old=$((major - 1))
	if [ -x "$root/usr/lib/postgresql/$old/bin/pg_config" ]; then
		upgrade_from=/usr/lib/postgresql/$old
		opgc=$upgrade_from/bin/pg_config
		chroot "$root" bash -c "cd /build/tree && make -s clean PG_CONFIG=$opgc >/dev/null &&
			make -s PG_CONFIG=$opgc ${build_flags[*]} && make -s install PG_CONFIG=$opgc >/dev/null"
	fi
	chroot "$root" bash -c "cd /build/tree && make -s clean PG_CONFIG=$pgc >/dev/null &&
		make -s PG_CONFIG=$pgc ${build_flags[*]} && make -s install PG_CONFIG=$pgc >/dev/null &&
		chown -R postgres: /build"
	# the client applications run here, against that major's server in the
	# chroot: on the newest major by default
	default_suites="regresscheck isolationcheck tapcheck"
	[ "$major" = 19 ] && default_suites+=" clientcheck"
	default_suites+=" packagecheck"
	for suite in ${SD_SUITES:-$default_suites}; do
		echo "=== $suite (PostgreSQL $major)"
		if [ "$suite" = packagecheck ]; then
			package_suite "$major" || failed+=("$suite")
			continue
		fi
		if [ "$suite" = clientcheck ]; then
			if ! CLIENTS_MAJOR=$major bash scripts/clients.sh; then
				failed+=("$suite")
			fi
			continue
		fi
		if ! chroot "$root" runuser -u postgres -- env PATH="/usr/lib/postgresql/$major/bin:/usr/bin:/bin" \
			SD_UPGRADE_FROM="$upgrade_from" \
			make -s -C /build/tree "$suite" PG_CONFIG="$pgc" "${vars[@]}"; then
			failed+=("$suite")
			report "$suite" "$root/build/tree"
		fi
	done
	where="$root/build/tree"
fi

if [ ${#failed[@]} -gt 0 ]; then
	echo "FAILED on PostgreSQL $major: ${failed[*]} (outputs in $where)"
	exit 1
fi
echo "all suites passed (PostgreSQL $major)"
