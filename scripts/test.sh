#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds with -Werror,
# installs, then runs pg_regress, the isolation specs and the TAP tests,
# each on temporary servers it starts itself (the library preloaded), as the
# unprivileged postgres user.  Run as root from anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
bash scripts/deps.sh
. scripts/common.sh

make -s clean
make -s
make -s install

# A copy of the tree the postgres user owns: the suites write results there.
# SD_TEST_DIR picks another work directory; SD_SUITES a subset of the
# suites; REGRESS / ISOLATION / PROVE_TESTS (make variables) a subset of tests;
# FUZZ_SEED / FUZZ_COUNT the fuzzer's seed and length (scripts/fuzz.sh).
work=$(pg_workdir "${SD_TEST_DIR:-$top/tmp/test}")
rm -rf "$work/tree"
mkdir -p "$work/tree"
tar --exclude=./tmp --exclude=./.git -cf - . | tar -C "$work/tree" -xf -
chown -R postgres: "$work" 2>/dev/null || true

failed=()
vars=()
for v in REGRESS ISOLATION PROVE_TESTS PROVE_FLAGS; do
	[ -n "${!v:-}" ] && vars+=("$v=${!v}")
done
for suite in ${SD_SUITES:-regresscheck isolationcheck tapcheck clientcheck fuzzcheck}; do
	echo "=== $suite"
	if ! run_as_pg make -s -C "$work/tree" "$suite" "${vars[@]}"; then
		failed+=("$suite")
		for f in "$work/tree/regression.diffs" "$work/tree/output_iso/regression.diffs"; do
			[ -s "$f" ] && [ "$suite" != tapcheck ] && head -c 20000 "$f"
		done
		if [ "$suite" = fuzzcheck ]; then
			head -c 20000 "$work/tree/tmp/fuzz/findings.jsonl" 2>/dev/null || true
		fi
		if [ "$suite" = tapcheck ]; then
			tail -n 60 "$work"/tree/tmp_check/log/regress_log_* 2>/dev/null || true
		fi
	fi
done

if [ ${#failed[@]} -gt 0 ]; then
	echo "FAILED: ${failed[*]} (outputs in $work/tree)"
	exit 1
fi
echo "all suites passed"
