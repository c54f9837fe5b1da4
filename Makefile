# softdelete: PGXS build.  The version lives in softdelete.control only.
EXTENSION    = softdelete
EXTVERSION   = $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" $(EXTENSION).control)
MODULE_big   = softdelete
OBJS         = src/softdelete.o src/functions.o src/restore_purge.o src/ddl.o src/ddl_alter.o src/ddl_tree.o src/inlining.o \
               src/visibility.o src/subquery.o src/redirect.o src/redirect_exec.o src/fkeys.o src/fk_trigger.o src/fk_exec.o src/archive_restore.o \
               src/archive.o src/archive_schema.o src/triggers.o src/keys.o \
               src/stamp.o src/access.o src/registry.o src/catalog.o src/statement.o src/sql.o src/state.o \
               src/retention.o src/deletions.o src/undo.o src/indexes.o
DATA         = $(wildcard $(EXTENSION)--*.sql)
PG_CONFIG   ?= pg_config

# pg_regress and the isolation tester start their own throwaway instance with
# the library preloaded (test/regress.conf), so they never touch a real server.
REGRESS      = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
ifdef SD_INSTALLED
# against a running server that preloads the library (a package's
# installcheck: pg_buildext starts it with the settings of test/regress.conf)
REGRESS_OPTS = --load-extension=$(EXTENSION)
else
REGRESS_OPTS = --temp-instance=tmp_check --temp-config=test/regress.conf \
               --load-extension=$(EXTENSION)
endif
ISOLATION    = $(patsubst specs/%.spec,%,$(sort $(wildcard specs/*.spec)))
ifdef SD_INSTALLED
ISOLATION_OPTS = --load-extension=$(EXTENSION)
else
ISOLATION_OPTS = --temp-instance=tmp_check_iso --temp-config=test/regress.conf \
               --load-extension=$(EXTENSION)
# (the TAP tests start servers of their own from the build tree's install)
TAP_TESTS    = 1
endif

# the library says its version (softdelete.library_version), which the SQL
# scripts check
PG_CPPFLAGS += -DSD_EXTVERSION=\"$(EXTVERSION)\"
PG_CFLAGS   += -Wall -Wextra -Werror -Wno-unused-parameter \
               -Wno-missing-field-initializers $(SD_EXTRA_CFLAGS)

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# Every object depends on the headers (each .c includes those of the files it calls).
$(OBJS): $(wildcard src/*.h)

# The suites one at a time (scripts/test.sh runs all three and reports each).
.PHONY: regresscheck isolationcheck tapcheck fuzzcheck clientcheck layercheck dist
regresscheck:
	$(pg_regress_installcheck) $(REGRESS_OPTS) $(REGRESS)
isolationcheck:
	$(pg_isolation_regress_installcheck) $(ISOLATION_OPTS) $(ISOLATION)
tapcheck:
	$(prove_installcheck)
fuzzcheck:
	bash scripts/fuzz.sh
clientcheck:
	bash scripts/clients.sh
layercheck:
	python3 scripts/layers.py src
	python3 scripts/layers_test.py src README.md

# The PGXN distribution softdelete-X.Y.Z.zip (git archive of HEAD), META.json
# checked first; scripts/dist.sh --check also builds and tests it unpacked.
dist:
	bash scripts/dist.sh
