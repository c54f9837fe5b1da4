# Prepared statements over the extended protocol (pgbench -M prepared and
# -M extended) follow softdelete.include_deleted at execution time: the same
# named statement, executed many times (custom and generic plans), under a
# setting that flips between executions.  A wrong count divides by zero,
# which fails the pgbench run.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('extended');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'softdelete'");
$node->start;

$node->safe_psql('postgres', q{
	CREATE EXTENSION softdelete;
	CREATE TABLE item (id int PRIMARY KEY, name text);
	INSERT INTO item SELECT g, 'n' || g FROM generate_series(1, 10) g;
	SELECT softdelete.enable('item');
	DELETE FROM item WHERE id <= 3;
});

# :show is 0 or 1 at random; 7 live rows, 10 in all.  (The failing branch
# must not be a constant, or the planner folds it into an error.)
my $script = q{
\set show random(0, 1)
SELECT set_config('softdelete.include_deleted', CASE WHEN :show = 1 THEN 'on' ELSE 'off' END, false);
SELECT CASE WHEN count(*) = 7 + 3 * :show THEN 1 ELSE 1 / (count(*) * 0)::int END FROM item WHERE id > :show - 1;
};

for my $mode (qw(prepared extended))
{
	for my $cache (qw(auto force_generic_plan force_custom_plan))
	{
		local $ENV{PGOPTIONS} = "-c plan_cache_mode=$cache";
		$node->pgbench(
			"-n -M $mode -c 2 -t 60",
			0,
			[qr{processed: 120/120}],
			[qr{^$}],
			"visibility follows the setting: -M $mode, plan_cache_mode=$cache",
			{ "softdelete_flip_${mode}_$cache" => $script });
	}
}

# The check itself can fail: the same script against a count that is wrong.
my $wrong = $script =~ s/7 \+ 3/8 + 3/r;
$node->pgbench(
	"-n -M prepared -c 1 -t 5",
	2,
	[qr{}],
	[qr{division by zero}],
	"a wrong expectation is detected",
	{ 'softdelete_wrong' => $wrong });

# A DELETE prepared over the extended protocol is a soft delete, and its
# command tag says DELETE.
$node->pgbench(
	"-n -M prepared -c 1 -t 3",
	0,
	[qr{processed: 3/3}],
	[qr{^$}],
	"prepared DELETE",
	{ 'softdelete_delete' => q{
\set id random(4, 10)
DELETE FROM item WHERE id = :id;
} });
is($node->safe_psql('postgres',
		'SET softdelete.include_deleted = on; SELECT count(*) FROM item'),
	'10', 'no row was removed physically');
cmp_ok($node->safe_psql('postgres', 'SELECT count(*) FROM item'),
	'<', 7, 'prepared deletes are hidden');

$node->stop;
done_testing();
