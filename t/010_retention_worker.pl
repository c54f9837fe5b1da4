# The retention background worker (softdelete.retention_databases,
# softdelete.retention_interval), with a short interval:
# - off by default: a server without the setting has no worker;
# - it purges each table past its retention, every interval, in every
#   database named (one without the extension is logged and skipped), and
#   logs every purge with its table and count;
# - it purges as the table's owner: a DELETE trigger of the table sees its
#   owner as current_user, who is no superuser;
# - an error in one table (its owner's trigger fails) is logged, the other
#   tables are purged, and the worker keeps its interval;
# - it starts again after a restart, and stops cleanly at shutdown.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

# off by default
my $off = PostgreSQL::Test::Cluster->new('retention_off');
$off->init;
$off->append_conf('postgresql.conf', "shared_preload_libraries = 'softdelete'");
$off->start;
is($off->safe_psql('postgres', q{SELECT count(*) FROM pg_stat_activity WHERE backend_type LIKE 'softdelete%'}),
	'0', 'without softdelete.retention_databases no worker runs');
$off->stop;

my $node = PostgreSQL::Test::Cluster->new('retention');
$node->init;
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'softdelete'
softdelete.retention_databases = 'postgres, other'
softdelete.retention_interval = 1
});
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE other');
$node->safe_psql('postgres', q{
	CREATE EXTENSION softdelete;
	CREATE ROLE alice LOGIN;
	CREATE ROLE bob LOGIN;
	CREATE SCHEMA a AUTHORIZATION alice;
	CREATE SCHEMA b AUTHORIZATION bob;
	SET ROLE alice;
	CREATE TABLE a.notes (id int PRIMARY KEY, deleted_at timestamptz);
	CREATE TABLE a.log (who text, super text);
	CREATE FUNCTION a.note_gone() RETURNS trigger LANGUAGE plpgsql AS $$
	BEGIN
		INSERT INTO a.log SELECT current_user, rolsuper::text FROM pg_roles WHERE rolname = current_user;
		RETURN OLD;
	END $$;
	CREATE TRIGGER note_gone BEFORE DELETE ON a.notes FOR EACH ROW EXECUTE FUNCTION a.note_gone();
	SELECT softdelete.enable('a.notes');
	INSERT INTO a.notes SELECT g FROM generate_series(1, 5) g;
	CREATE TABLE a.docs (id int PRIMARY KEY, body text);
	SELECT softdelete.enable_archive('a.docs');
	INSERT INTO a.docs VALUES (1, 'one'), (2, 'two');
	RESET ROLE;
	SET ROLE bob;
	CREATE TABLE b.items (id int PRIMARY KEY, deleted_at timestamptz);
	CREATE FUNCTION b.refuse() RETURNS trigger LANGUAGE plpgsql AS $$
	BEGIN
		RAISE EXCEPTION 'items of bob may not be erased';
	END $$;
	CREATE TRIGGER refuse BEFORE DELETE ON b.items FOR EACH ROW EXECUTE FUNCTION b.refuse();
	SELECT softdelete.enable('b.items');
	INSERT INTO b.items SELECT g FROM generate_series(1, 3) g;
	RESET ROLE;
});
# deleted long ago (stamps set by hand), and just now
$node->safe_psql('postgres', q{
	DELETE FROM a.notes WHERE id <= 3;
	DELETE FROM b.items WHERE id <= 2;
	DELETE FROM a.docs WHERE id = 1;
	SET softdelete.include_deleted = on;
	UPDATE a.notes SET deleted_at = now() - interval '10 days' WHERE id <= 2;
	UPDATE b.items SET deleted_at = now() - interval '10 days' WHERE id <= 2;
	UPDATE a.docs_archive SET archived_at = now() - interval '10 days';
	RESET softdelete.include_deleted;
	SET ROLE alice;
	SELECT softdelete.set_retention('a.notes', '1 day');
	SELECT softdelete.set_retention('a.docs', '1 day');
	RESET ROLE;
	SET ROLE bob;
	SELECT softdelete.set_retention('b.items', '1 day');
});

# wait for a line of the server log to match
sub wait_for_log
{
	my ($re, $offset, $what) = @_;
	for (my $i = 0; $i < 300; $i++)
	{
		return 1 if substr(slurp_file($node->logfile), $offset) =~ $re;
		usleep(100_000);
	}
	fail("timed out waiting for $what");
	return 0;
}

my $offset = 0;
ok(wait_for_log(qr/purged 2 rows of table a\.notes \(retention 1 day\)/, $offset, 'the purge of a.notes'),
	'the worker purges a flag-mode table past its retention, and logs table and count');
ok(wait_for_log(qr/purged 1 rows of table a\.docs/, $offset, 'the purge of a.docs'),
	'and an archive-mode table');
is($node->safe_psql('postgres', q{SET softdelete.include_deleted = on; SELECT string_agg(id::text, ',' ORDER BY id) FROM a.notes}),
	'3,4,5', 'the rows deleted longer ago than the retention are gone, the recent one is kept');
is($node->safe_psql('postgres', 'SELECT count(*) FROM a.docs_archive'), '0', 'the archive rows are gone');
is($node->safe_psql('postgres', 'SELECT DISTINCT who || \'/\' || super FROM a.log'), 'alice/false',
	'the table\'s DELETE trigger ran as its owner, who is no superuser');

# an error in one table: logged, the others go on, the interval is kept
ok(wait_for_log(qr/items of bob may not be erased/, $offset, 'the error of b.items'), 'the error in b.items is logged');
like(slurp_file($node->logfile), qr/purge of table b\.items failed; the other tables go on/, 'saying the others go on');
is($node->safe_psql('postgres', q{SET softdelete.include_deleted = on; SELECT count(*) FROM b.items}), '3',
	'nothing of b.items is erased');
like(slurp_file($node->logfile), qr/extension softdelete 1\.3 or later is not installed in database "other"/,
	'a database without the extension is logged and skipped');
$offset = length(slurp_file($node->logfile));
$node->safe_psql('postgres', q{
	DELETE FROM a.notes WHERE id = 4;
	SET softdelete.include_deleted = on;
	UPDATE a.notes SET deleted_at = now() - interval '2 days' WHERE id = 4;
});
ok(wait_for_log(qr/purged 1 rows of table a\.notes/, $offset, 'the next purge of a.notes'),
	'after the error, the worker goes on at its interval');
is($node->safe_psql('postgres', q{SET softdelete.include_deleted = on; SELECT string_agg(id::text, ',' ORDER BY id) FROM a.notes}),
	'3,5', 'the row that expired since is gone too');

# a restart: the worker starts again; a shutdown stops it cleanly
$offset = length(slurp_file($node->logfile));
$node->restart;
# (the launcher logs its start a moment after the server accepts connections)
ok(wait_for_log(qr/retention launcher started/, $offset, 'the launcher after the restart'),
	'the launcher started again after the restart');
my $log = slurp_file($node->logfile);
like($log, qr/retention launcher stopped/, 'and stopped cleanly at the shutdown');
$offset = length($log);
$node->safe_psql('postgres', q{
	SET softdelete.include_deleted = on;
	UPDATE a.notes SET deleted_at = now() - interval '2 days' WHERE id = 3;
});
ok(wait_for_log(qr/purged 1 rows of table a\.notes/, $offset, 'a purge after the restart'),
	'and purges again');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'softdelete retention launcher'}),
	'1', 'one launcher runs');
$node->stop;
unlike(slurp_file($node->logfile), qr/terminating background worker "softdelete retention launcher"/,
	'the launcher is not killed at shutdown');

done_testing();
