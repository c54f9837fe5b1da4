# Flag mode survives a server crash: every row is present exactly once, live
# or soft-deleted, whatever the moment of the crash, and the registrations
# hold.  Crashes as in t/005 (SIGKILL to the postmaster and every process).
#
# (a) A soft DELETE of 400,000 rows stopped halfway (a function in its WHERE
#     clause sleeps on the middle row), its pages checkpointed.  Crash.  After
#     recovery every row is live.
# (b) A soft DELETE of every row crashed while it runs.  Every row is live.
# (c) A soft DELETE of every parent that cascades to 400,000 children,
#     committed, then a crash.  After recovery every parent and child is
#     there, deleted, with one stamp; restore brings them all back.
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

my $node = PostgreSQL::Test::Cluster->new('flag_crash');
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
	SELECT softdelete.enable('t');
	CREATE TABLE parent (id int PRIMARY KEY);
	CREATE TABLE child (id int PRIMARY KEY, pid int NOT NULL REFERENCES parent ON DELETE CASCADE);
	INSERT INTO parent SELECT generate_series(1, 400);
	INSERT INTO child SELECT g, 1 + (g - 1) / 1000 FROM generate_series(1, $N) g;
	CREATE INDEX ON child (pid);
	SELECT softdelete.enable('child');
	SELECT softdelete.enable('parent');
	CREATE FUNCTION stall(id int, at int) RETURNS boolean LANGUAGE plpgsql AS \$\$
	BEGIN
		IF id = at THEN PERFORM pg_sleep(600); END IF;
		RETURN true;
	END \$\$;
	CHECKPOINT;
});

# Every row once; $deleted of them soft-deleted; indexes sound; registered.
sub check_consistent
{
	my ($node, $what, $tbl, $deleted) = @_;
	is($node->safe_psql('postgres', qq{
		SET softdelete.include_deleted = on;
		SELECT count(*) || '/' || count(DISTINCT id) || '/' || count(deleted_at) FROM $tbl}),
		"$N/$N/$deleted", "$what: $tbl rows / distinct ids / deleted");
	is($node->safe_psql('postgres', qq{SELECT count(*) FROM $tbl}),
		$N - $deleted, "$what: queries see the live rows of $tbl");
	is($node->safe_psql('postgres', qq{
		SET enable_seqscan = off; SET enable_bitmapscan = off; SET softdelete.include_deleted = on;
		SELECT count(*) FROM $tbl WHERE id > 0}),
		$N, "$what: an index scan of $tbl finds every row");
	is($node->safe_psql('postgres', qq{
		SELECT count(bt_index_check(i.indexrelid, true)::text) FROM pg_index i
		WHERE i.indrelid = '$tbl'::regclass}),
		$tbl eq 'child' ? '2' : '1', "$what: the indexes of $tbl pass amcheck");
	is($node->safe_psql('postgres', qq{
		SELECT mode || ' ' || column_name FROM softdelete.tables WHERE table_name = '$tbl'::regclass}),
		'flag deleted_at', "$what: $tbl is still registered");
	return;
}

# After recovery a DELETE is still soft (rolled back: the state stays).
sub check_soft
{
	my ($node, $what) = @_;
	is($node->safe_psql('postgres', q{
		BEGIN;
		DELETE FROM t WHERE id <= 10;
		SET LOCAL softdelete.include_deleted = on;
		SELECT count(*) FROM t WHERE id <= 10 AND deleted_at IS NOT NULL;
		ROLLBACK;}),
		'10', "$what: a new DELETE is a soft delete");
	return;
}

# (a) stopped halfway, checkpointed, crash
my $bg = $node->background_psql('postgres', on_error_stop => 0);
$bg->query_until(qr/started/, "\\echo started\nDELETE FROM t WHERE stall(id, $half);\n");
$node->poll_query_until('postgres', q{
	SELECT count(*) = 1 FROM pg_stat_activity
	WHERE query LIKE 'DELETE FROM t WHERE stall%' AND wait_event = 'PgSleep'})
  or die 'the DELETE did not reach the middle row';
$node->safe_psql('postgres', 'CHECKPOINT');
crash($node);
eval { $bg->quit };
$node->start;
check_consistent($node, '(a) after the crash halfway', 't', 0);
check_soft($node, '(a)');

# (b) crash while the DELETE of every row runs
my $size0 = $node->safe_psql('postgres', q{SELECT pg_relation_size('t')});
$bg = $node->background_psql('postgres', on_error_stop => 0);
$bg->query_until(qr/started/, "\\echo started\nDELETE FROM t;\n");
$node->safe_psql('postgres', qq{
	SET statement_timeout = '60s';
	DO \$\$ BEGIN
		WHILE pg_relation_size('t') < $size0 + 2000000 LOOP
			PERFORM pg_sleep(0.002);
		END LOOP;
	END \$\$;});
ok($node->safe_psql('postgres', q{
	SELECT count(*) FROM pg_stat_activity WHERE query ~ '^DELETE FROM t;?$' AND state = 'active'}) == 1,
	'(b) the DELETE is still running');
crash($node);
eval { $bg->quit };
$node->start;
check_consistent($node, '(b) after the crash during the DELETE', 't', 0);
check_soft($node, '(b)');

# (c) a cascade to 400,000 children, committed, then a crash
$node->safe_psql('postgres', 'CHECKPOINT');
is($node->safe_psql('postgres', q{DELETE FROM parent}), '', '(c) the cascade committed');
crash($node);
$node->start;
check_consistent($node, '(c) after the crash after the commit', 'child', $N);
is($node->safe_psql('postgres', q{
	SET softdelete.include_deleted = on;
	SELECT count(*) || '/' || count(deleted_at) FROM parent}),
	'400/400', '(c) every parent is there, deleted');
is($node->safe_psql('postgres', q{
	SET softdelete.include_deleted = on;
	SELECT count(DISTINCT deleted_at) FROM (SELECT deleted_at FROM parent UNION ALL SELECT deleted_at FROM child) s}),
	'1', '(c) parents and children carry the one stamp');
is($node->safe_psql('postgres', q{
	SELECT softdelete.restore('parent');
	SELECT count(*) FROM child;}),
	"400\n$N", '(c) restore brings every parent and child back');

$node->stop;
done_testing();
