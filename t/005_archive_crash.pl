# Archive mode survives a server crash: every row is in exactly one of the
# live table and its archive, whatever the moment of the crash.
#
# A "crash" here is SIGKILL to the postmaster and, at once, to every one of
# its processes (the backend running the DELETE included): nothing gets to
# finish, and the next start replays the WAL.  Checkpoints only happen when
# the test asks for one, so recovery replays the DELETE's own WAL records.
#
# (a) The DELETE of 400,000 rows is stopped halfway (a function in its WHERE
#     clause sleeps on the middle row): half the rows are already deleted and
#     archived, uncommitted, and a CHECKPOINT puts those pages on disk.
#     Crash.  After recovery every row is live and the archive shows none.
# (b) A plain DELETE of every row, crashed while it runs, once the archive
#     has grown by 2 MB.  After recovery every row is live again.
# (c) A DELETE of every row that has committed, crashed right after.  After
#     recovery (replaying the whole DELETE from the WAL) every row is in the
#     archive, each once.
# After each crash: no key is live and archived at once, no key is archived
# twice, the indexes of both tables pass amcheck, the table is still
# registered in archive mode, and a new DELETE still archives (and after (c)
# archive_id stays unique and restore brings every row back).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib $FindBin::Bin;
use SoftdeleteCrash qw(crash);

my $N = 400_000;
my $half = $N / 2;

my $node = PostgreSQL::Test::Cluster->new('archive_crash');
$node->init;
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'softdelete'
autovacuum = off
checkpoint_timeout = '1h'
max_wal_size = '8GB'
});
$node->start;

$node->safe_psql('postgres', qq{
	CREATE EXTENSION softdelete;
	CREATE EXTENSION amcheck;
	CREATE TABLE t (id int PRIMARY KEY, payload text);
	INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, $N) g;
	SELECT softdelete.enable_archive('t');
	-- true for every row; sleeps (until the crash) on the row id = at
	CREATE FUNCTION stall(id int, at int) RETURNS boolean LANGUAGE plpgsql AS \$\$
	BEGIN
		IF id = at THEN PERFORM pg_sleep(600); END IF;
		RETURN true;
	END \$\$;
	CHECKPOINT;
});

# The checks after each recovery.  $live and $archived: how many rows each
# side must hold.
sub check_consistent
{
	my ($node, $what, $live, $archived) = @_;
	is($node->safe_psql('postgres', q{
		SELECT (SELECT count(*) FROM t) || '/' ||
		       (SELECT count(*) FROM t_archive WHERE archive_op = 'delete') || '/' ||
		       (SELECT count(*) FROM t_archive)}),
		"$live/$archived/$archived",
		"$what: live/archived/archive rows");
	is($node->safe_psql('postgres', q{
		SELECT count(*) || '/' || count(DISTINCT id) || '/' || min(id) || '/' || max(id)
		FROM (SELECT id FROM t UNION ALL SELECT id FROM t_archive) s}),
		"$N/$N/1/$N",
		"$what: every id in exactly one of live and archive");
	is($node->safe_psql('postgres', q{
		SELECT count(*) FROM t JOIN t_archive USING (id)}),
		'0', "$what: no id both live and archived");
	is($node->safe_psql('postgres', q{
		SELECT count(*) FROM (SELECT id FROM t_archive GROUP BY id HAVING count(*) > 1) d}),
		'0', "$what: no id archived twice");
	# the same counts through the indexes, and the indexes against the heaps
	is($node->safe_psql('postgres', q{
		SET enable_seqscan = off; SET enable_bitmapscan = off;
		SELECT (SELECT count(*) FROM t WHERE id > 0) || '/' ||
		       (SELECT count(*) FROM t_archive WHERE id > 0)}),
		"$live/$archived", "$what: index scans find the same rows");
	is($node->safe_psql('postgres', q{
		SELECT count(bt_index_check(i.indexrelid, true)::text) FROM pg_index i
		WHERE i.indrelid IN ('t'::regclass, 't_archive'::regclass)}),
		'3', "$what: the indexes of both tables pass amcheck");	# t's key, the archive's key (archive_id) and its look-up index
	is($node->safe_psql('postgres', q{
		SELECT mode || ' ' || archive::regclass FROM softdelete.tables
		WHERE table_name = 't'::regclass}),
		'archive t_archive', "$what: t is still registered in archive mode");
	return;
}

# A DELETE after recovery still archives: with a transaction rolled back,
# so that the table keeps its state for the next scenario.
sub check_delete_archives
{
	my ($node, $what) = @_;
	is($node->safe_psql('postgres', q{
		BEGIN;
		INSERT INTO t VALUES (-1, 'new'), (-2, 'new');
		WITH d AS (DELETE FROM t WHERE id < 0 RETURNING id) SELECT count(*) FROM d;
		SELECT count(*) FROM t_archive WHERE id < 0 AND archive_op = 'delete';
		SELECT count(*) FROM t WHERE id < 0;
		ROLLBACK;}),
		"2\n2\n0", "$what: a new DELETE archives its rows");
	return;
}

# ---------------------------------------------------------------------------
# (a) crash with the DELETE stopped halfway, its pages checkpointed
# ---------------------------------------------------------------------------
my $bg = $node->background_psql('postgres', on_error_stop => 0);
$bg->query_until(qr/started/,
	"\\echo started\nDELETE FROM t WHERE stall(id, $half);\n");
$node->poll_query_until('postgres', q{
	SELECT count(*) = 1 FROM pg_stat_activity
	WHERE query LIKE 'DELETE FROM t WHERE stall%' AND wait_event = 'PgSleep'})
  or die 'the DELETE did not reach the middle row';
# rows 1 .. half-1 are deleted and archived, not committed
ok($node->safe_psql('postgres', q{SELECT pg_relation_size('t_archive')}) > 4_000_000,
	'(a) the archive was written before the crash');
is($node->safe_psql('postgres', q{SELECT count(*) FROM t_archive}), '0',
	'(a) the uncommitted archive rows are invisible to others');
$node->safe_psql('postgres', 'CHECKPOINT');
crash($node);
eval { $bg->quit };
$node->start;
check_consistent($node, '(a) after the crash halfway', $N, 0);
check_delete_archives($node, '(a)');

# ---------------------------------------------------------------------------
# (b) crash while a plain DELETE runs
# ---------------------------------------------------------------------------
my $size0 = $node->safe_psql('postgres', q{SELECT pg_relation_size('t_archive')});
$bg = $node->background_psql('postgres', on_error_stop => 0);
$bg->query_until(qr/started/, "\\echo started\nDELETE FROM t;\n");
$node->safe_psql('postgres', qq{
	SET statement_timeout = '60s';
	DO \$\$ BEGIN
		WHILE pg_relation_size('t_archive') < $size0 + 2000000 LOOP
			PERFORM pg_sleep(0.002);
		END LOOP;
	END \$\$;});
ok($node->safe_psql('postgres', q{
	SELECT count(*) FROM pg_stat_activity WHERE query ~ '^DELETE FROM t;?$' AND state = 'active'}) == 1,
	'(b) the DELETE is still running');
crash($node);
eval { $bg->quit };
$node->start;
check_consistent($node, '(b) after the crash during the DELETE', $N, 0);
check_delete_archives($node, '(b)');

# ---------------------------------------------------------------------------
# (c) crash right after the DELETE committed
# ---------------------------------------------------------------------------
$node->safe_psql('postgres', 'CHECKPOINT');
is($node->safe_psql('postgres', q{
	WITH d AS (DELETE FROM t RETURNING id) SELECT count(*) FROM d}),
	$N, '(c) the DELETE committed');
crash($node);
$node->start;
check_consistent($node, '(c) after the crash after the commit', 0, $N);
check_delete_archives($node, '(c)');
is($node->safe_psql('postgres', q{
	SELECT count(DISTINCT archived_xid) FROM t_archive}),
	'1', '(c) the archive rows carry the one transaction that deleted them');

# New archive rows after recovery get fresh archive_id values.
$node->safe_psql('postgres', q{
	INSERT INTO t VALUES (-1, 'new'), (-2, 'new');
	DELETE FROM t WHERE id < 0;
});
is($node->safe_psql('postgres', q{
	SELECT count(*) - count(DISTINCT archive_id) FROM t_archive}),
	'0', '(c) archive_id is still unique after recovery');
is($node->safe_psql('postgres', q{
	SELECT softdelete.restore('t');
	SELECT count(*) FROM t;
	SELECT count(*) FROM t_archive;}),
	($N + 2) . "\n" . ($N + 2) . "\n0", '(c) restore brings every row back');
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM t WHERE payload = md5(id::text)}),
	$N, '(c) with their contents');

$node->stop;
done_testing();
