/*-------------------------------------------------------------------------
 *
 * retention.c
 *		The background worker that erases what tables have kept past their
 *		retention (softdelete.set_retention), in the databases named by
 *		softdelete.retention_databases, every softdelete.retention_interval.
 *
 * A launcher, registered at server start when retention_databases is set,
 * wakes every interval and starts one worker per database, one after the
 * other.  The worker lists the tables that have a retention and purges each
 * in a transaction of its own, as softdelete.purge(tbl, retention) run by
 * that table's owner: the DELETE triggers of a table run with its owner's
 * rights, never with a superuser's (SECURITY_RESTRICTED_OPERATION, as
 * autovacuum runs an index's functions).  An error in one table is logged
 * and the others go on; every purge is logged with its table and count.
 * At shutdown the launcher stops between databases, and the worker at once:
 * the purge under way rolls back.
 *
 * Calls: state.c (the settings' values).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/varlena.h"
#include "utils/wait_event.h"

#include "retention.h"
#include "state.h"

PGDLLEXPORT void softdelete_retention_launcher(Datum arg);
PGDLLEXPORT void softdelete_retention_worker(Datum arg);

/* Register the launcher (from _PG_init, when the databases are set). */
void
sd_retention_register(void)
{
	BackgroundWorker worker;

	/*
	 * It connects to no database, as the logical replication launcher: it
	 * shows in pg_stat_activity, and has the SIGUSR1 handler that wakes it
	 * when a worker it started has started.
	 */
	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = 10;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "softdelete");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "softdelete_retention_launcher");
	snprintf(worker.bgw_name, BGW_MAXLEN, "softdelete retention launcher");
	snprintf(worker.bgw_type, BGW_MAXLEN, "softdelete retention launcher");
	RegisterBackgroundWorker(&worker);
}

/* Start the worker of database dbname and wait until it is done. */
static void
sd_retention_run_database(const char *dbname)
{
	BackgroundWorker worker;
	BackgroundWorkerHandle *handle;
	pid_t		pid;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "softdelete");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "softdelete_retention_worker");
	snprintf(worker.bgw_name, BGW_MAXLEN, "softdelete retention worker for %s", dbname);
	snprintf(worker.bgw_type, BGW_MAXLEN, "softdelete retention worker");
	strlcpy(worker.bgw_extra, dbname, BGW_EXTRALEN);
	worker.bgw_notify_pid = MyProcPid;
	if (!RegisterDynamicBackgroundWorker(&worker, &handle))
	{
		ereport(LOG,
				(errmsg("softdelete: could not start the retention worker for database \"%s\"",
						dbname),
				 errhint("Raise max_worker_processes.")));
		return;
	}
	if (WaitForBackgroundWorkerStartup(handle, &pid) != BGWH_STARTED)
		return;
	(void) WaitForBackgroundWorkerShutdown(handle);
}

/*
 * The launcher: every retention_interval seconds, a worker for each
 * database of retention_databases (re-read on SIGHUP).
 */
void
softdelete_retention_launcher(Datum arg)
{
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(NULL, NULL, 0);
	ereport(LOG,
			(errmsg("softdelete: retention launcher started (databases \"%s\", every %d s)",
					sd_retention_databases, sd_retention_interval)));

	while (!ShutdownRequestPending)
	{
		char	   *list = pstrdup(sd_retention_databases);
		List	   *names = NIL;
		ListCell   *lc;

		if (!SplitIdentifierString(list, ',', &names))
			ereport(LOG,
					(errmsg("softdelete: softdelete.retention_databases is not a list of names: \"%s\"",
							sd_retention_databases)));
		foreach(lc, names)
		{
			if (ShutdownRequestPending)
				break;
			sd_retention_run_database((const char *) lfirst(lc));
		}
		list_free(names);
		pfree(list);

		while (!ShutdownRequestPending)
		{
			int			rc = WaitLatch(MyLatch,
									   WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
									   sd_retention_interval * 1000L,
									   PG_WAIT_EXTENSION);

			ResetLatch(MyLatch);
			CHECK_FOR_INTERRUPTS();
			if (ConfigReloadPending)
			{
				ConfigReloadPending = false;
				ProcessConfigFile(PGC_SIGHUP);
				continue;		/* a new interval starts now */
			}
			if (rc & WL_TIMEOUT)
				break;
		}
	}
	ereport(LOG, (errmsg("softdelete: retention launcher stopped")));
	proc_exit(0);
}

/* A table to purge: its name for the log, its owner, how long it keeps. */
typedef struct SdRetained
{
	Oid			relid;
	char	   *name;
	Oid			owner;
	Datum		keep;			/* interval */
	char	   *keep_text;
} SdRetained;

/* The tables of this database that have a retention (in cxt). */
static List *
sd_retention_tables(MemoryContext cxt, const char *dbname)
{
	List	   *tables = NIL;
	uint64		i;

	if (SPI_execute("SELECT 1 FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_extension e "
					"ON e.extname = 'softdelete' AND a.attrelid = pg_catalog.to_regclass('softdelete.registry') "
					"AND a.attname = 'retention' AND NOT a.attisdropped",
					true, 1) != SPI_OK_SELECT || SPI_processed == 0)
	{
		ereport(LOG,
				(errmsg("softdelete: extension softdelete 1.3 or later is not installed in database \"%s\": nothing to purge",
						dbname)));
		return NIL;
	}
	if (SPI_execute("SELECT r.relid::pg_catalog.oid, c.relowner, r.retention, r.relid::pg_catalog.text, r.retention::pg_catalog.text "
					"FROM softdelete.registry r JOIN pg_catalog.pg_class c ON c.oid = r.relid "
					"WHERE r.retention IS NOT NULL ORDER BY 4",
					true, 0) != SPI_OK_SELECT)
		elog(ERROR, "softdelete: reading the registry failed");
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		MemoryContext old = MemoryContextSwitchTo(cxt);
		SdRetained *r = palloc(sizeof(SdRetained));
		bool		isnull;

		r->relid = DatumGetObjectId(SPI_getbinval(tup, desc, 1, &isnull));
		r->owner = DatumGetObjectId(SPI_getbinval(tup, desc, 2, &isnull));
		r->keep = datumCopy(SPI_getbinval(tup, desc, 3, &isnull), false, 16);
		r->name = SPI_getvalue(tup, desc, 4);
		r->keep_text = SPI_getvalue(tup, desc, 5);
		tables = lappend(tables, r);
		MemoryContextSwitchTo(old);
	}
	return tables;
}

/* Purge one table as its owner, in the transaction the caller started. */
static int64
sd_retention_purge(const SdRetained *r)
{
	Oid			argtypes[2] = {REGCLASSOID, INTERVALOID};
	Datum		args[2];
	Oid			save_userid;
	int			save_sec;
	bool		isnull;
	int64		count;

	args[0] = ObjectIdGetDatum(r->relid);
	args[1] = r->keep;
	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(r->owner, save_sec | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	if (SPI_execute_with_args("SELECT softdelete.purge($1, $2)", 2, argtypes,
							  args, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "softdelete: purge of table \"%s\" failed", r->name);
	count = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
										SPI_tuptable->tupdesc, 1, &isnull));
	SetUserIdAndSecContext(save_userid, save_sec);
	return count;
}

/*
 * One table, in a transaction of its own.  False when it failed: the error
 * is logged, the transaction rolled back, and the next table goes on.
 */
static bool
sd_retention_one(const SdRetained *r, MemoryContext cxt)
{
	volatile bool ok = true;

	StartTransactionCommand();
	PG_TRY();
	{
		int64		count;

		SPI_connect();
		PushActiveSnapshot(GetTransactionSnapshot());
		pgstat_report_activity(STATE_RUNNING, psprintf("purging %s", r->name));
		count = sd_retention_purge(r);
		SPI_finish();
		PopActiveSnapshot();
		CommitTransactionCommand();
		ereport(LOG,
				(errmsg("softdelete: purged %lld rows of table %s (retention %s)",
						(long long) count, r->name, r->keep_text)));
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		EmitErrorReport();
		FlushErrorState();
		AbortCurrentTransaction();
		ok = false;
	}
	PG_END_TRY();
	return ok;
}

/* The worker of one database (bgw_extra names it). */
void
softdelete_retention_worker(Datum arg)
{
	char		dbname[NAMEDATALEN];
	MemoryContext cxt;
	List	   *tables;
	ListCell   *lc;

	/* a shutdown stops the purge under way: its transaction rolls back */
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	strlcpy(dbname, MyBgworkerEntry->bgw_extra, sizeof(dbname));
	BackgroundWorkerInitializeConnection(dbname, NULL, 0);

	cxt = AllocSetContextCreate(TopMemoryContext, "softdelete retention",
								ALLOCSET_DEFAULT_SIZES);
	StartTransactionCommand();
	SPI_connect();
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, "listing the tables with a retention");
	tables = sd_retention_tables(cxt, dbname);
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();

	foreach(lc, tables)
	{
		SdRetained *r = lfirst(lc);

		CHECK_FOR_INTERRUPTS();
		if (!sd_retention_one(r, cxt))
			ereport(LOG,
					(errmsg("softdelete: purge of table %s failed; the other tables go on",
							r->name)));
	}
	pgstat_report_activity(STATE_IDLE, NULL);
	proc_exit(0);
}
