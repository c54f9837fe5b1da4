# Retention scheduled with pg_cron instead of softdelete's own worker
# (README, Retention): a job that runs SELECT softdelete.purge_expired()
# every minute purges what is past its retention.  Runs when pg_cron is
# installed (Debian's postgresql-NN-cron; scripts/deps.sh installs it for 15),
# and is skipped, saying so, otherwise.  It waits for the next minute.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

my $pkglibdir = `pg_config --pkglibdir`;
my $sharedir = `pg_config --sharedir`;
chomp($pkglibdir, $sharedir);
if (!-e "$pkglibdir/pg_cron.so" || !-e "$sharedir/extension/pg_cron.control")
{
	plan skip_all => "pg_cron is not installed for this server ($pkglibdir/pg_cron.so, $sharedir/extension/pg_cron.control): not tested";
}

my $node = PostgreSQL::Test::Cluster->new('pg_cron');
$node->init;
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'pg_cron, softdelete'
cron.database_name = 'postgres'
cron.use_background_workers = on
max_worker_processes = 16
});
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION softdelete;
	CREATE EXTENSION pg_cron;
	CREATE TABLE notes (id int PRIMARY KEY, deleted_at timestamptz);
	SELECT softdelete.enable('notes');
	INSERT INTO notes SELECT g FROM generate_series(1, 4) g;
	DELETE FROM notes WHERE id <= 3;
	SET softdelete.include_deleted = on;
	UPDATE notes SET deleted_at = now() - interval '100 days' WHERE id <= 2;
	RESET softdelete.include_deleted;
	SELECT softdelete.set_retention('notes', '90 days');
});
$node->safe_psql('postgres', q{SELECT cron.schedule('softdelete retention', '* * * * *', 'SELECT softdelete.purge_expired()')});
my $left;
for (my $i = 0; $i < 900; $i++)
{
	$left = $node->safe_psql('postgres', q{SET softdelete.include_deleted = on; SELECT string_agg(id::text, ',' ORDER BY id) FROM notes});
	last if $left eq '3,4';
	usleep(100_000);
}
is($left, '3,4', 'the pg_cron job purged the rows deleted longer ago than the retention, and kept the rest');
is($node->safe_psql('postgres', q{SELECT status FROM cron.job_run_details ORDER BY runid LIMIT 1}),
	'succeeded', 'the job succeeded');
done_testing();
