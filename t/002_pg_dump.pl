# pg_dump keeps every row, soft-deleted ones included, and the registrations:
# plain, custom and directory formats (and plain with --inserts /
# --column-inserts, which read through a cursor, and --load-via-partition-root),
# each restored into a fresh database on a second server.  The restored
# database behaves like the original: SELECT hides the deleted rows, DELETE
# soft-deletes, TRUNCATE is refused.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $preload = "shared_preload_libraries = 'softdelete'";

my $src = PostgreSQL::Test::Cluster->new('dump_src');
$src->init;
$src->append_conf('postgresql.conf', $preload);
$src->start;

my $dst = PostgreSQL::Test::Cluster->new('dump_dst');
$dst->init;
$dst->append_conf('postgresql.conf', $preload);
$dst->start;

$src->safe_psql('postgres', 'CREATE DATABASE src');
$src->safe_psql('src', q{
	CREATE EXTENSION softdelete;

	-- a plain table
	CREATE TABLE item (id int PRIMARY KEY, name text);
	INSERT INTO item SELECT g, 'n' || g FROM generate_series(1, 20) g;
	SELECT softdelete.enable('item');
	DELETE FROM item WHERE id IN (2, 5, 7);
	DELETE FROM item WHERE id = 11;		-- another transaction, another stamp

	-- a partitioned table, deleted rows in every partition
	CREATE TABLE meas (id int, val int) PARTITION BY RANGE (id);
	CREATE TABLE meas_1 PARTITION OF meas FOR VALUES FROM (0) TO (100);
	CREATE TABLE meas_2 PARTITION OF meas FOR VALUES FROM (100) TO (200);
	INSERT INTO meas SELECT g, g * 10 FROM generate_series(1, 199, 7) g;
	SELECT softdelete.enable('meas');
	DELETE FROM meas WHERE id IN (8, 50, 113, 190);

	-- an existing flag column of another name and type
	CREATE TABLE doc (id int PRIMARY KEY, removed_at timestamp);
	INSERT INTO doc VALUES (1, NULL), (2, '2021-03-04 05:06:07.123456'), (3, NULL);
	SELECT softdelete.enable('doc', 'removed_at');
	DELETE FROM doc WHERE id = 3;

	-- archive mode with versions: the archive and its history must survive
	CREATE TABLE arch (id int PRIMARY KEY, v text);
	INSERT INTO arch SELECT g, 'v' || g FROM generate_series(1, 6) g;
	SELECT softdelete.enable_archive('arch', versions => true);
	UPDATE arch SET v = v || '+' WHERE id <= 2;
	DELETE FROM arch WHERE id IN (2, 3);
});

# Everything that must survive: every row with its exact stamp (under
# include_deleted), what a plain query sees, and the registrations.
my $all_rows = q{
	SET TimeZone = 'UTC';
	SET softdelete.include_deleted = on;
	SELECT 'item', count(*), string_agg(id || '=' || coalesce(deleted_at::text, '-'), ',' ORDER BY id) FROM item
	UNION ALL
	SELECT 'meas', count(*), string_agg(id || '=' || coalesce(deleted_at::text, '-'), ',' ORDER BY id) FROM meas
	UNION ALL
	SELECT 'doc', count(*), string_agg(id || '=' || coalesce(removed_at::text, '-'), ',' ORDER BY id) FROM doc
	UNION ALL
	SELECT 'arch', count(*), string_agg(id || '=' || v, ',' ORDER BY id) FROM arch
	UNION ALL
	SELECT 'arch_archive', count(*), string_agg(id || '=' || v || ':' || archive_op || ':' || archived_at || ':' || archive_id, ',' ORDER BY archive_id) FROM arch_archive;
};
my $deleted_ids = q{
	SET softdelete.include_deleted = on;
	SELECT 'item', string_agg(id::text, ',' ORDER BY id) FROM item WHERE deleted_at IS NOT NULL
	UNION ALL
	SELECT 'meas', string_agg(id::text, ',' ORDER BY id) FROM meas WHERE deleted_at IS NOT NULL
	UNION ALL
	SELECT 'doc', string_agg(id::text, ',' ORDER BY id) FROM doc WHERE removed_at IS NOT NULL;
};
my $visible = q{
	SELECT 'item', count(*), string_agg(id::text, ',' ORDER BY id) FROM item
	UNION ALL
	SELECT 'meas', count(*), string_agg(id::text, ',' ORDER BY id) FROM meas
	UNION ALL
	SELECT 'meas_2', count(*), string_agg(id::text, ',' ORDER BY id) FROM meas_2
	UNION ALL
	SELECT 'doc', count(*), string_agg(id::text, ',' ORDER BY id) FROM doc;
};
my $registry = q{
	SET TimeZone = 'UTC';
	SELECT table_name, mode, column_name, archive, versions, enabled_at
	FROM softdelete.tables ORDER BY table_name::text;
};
my $triggers = q{
	SELECT tgrelid::regclass, tgname, tgenabled FROM pg_trigger
	WHERE tgname LIKE 'softdelete%' ORDER BY tgrelid::regclass::text, tgname;
};

my %want = (
	all_rows => $src->safe_psql('src', $all_rows),
	deleted_ids => $src->safe_psql('src', $deleted_ids),
	visible => $src->safe_psql('src', $visible),
	registry => $src->safe_psql('src', $registry),
	triggers => $src->safe_psql('src', $triggers),
);
# The source itself is what we expect (so the comparisons below mean something).
is($want{deleted_ids}, "item|2,5,7,11\nmeas|8,50,113,190\ndoc|2,3",
	'source: the deleted rows');
like($want{all_rows}, qr/^item\|20\|.*\nmeas\|29\|.*\ndoc\|3\|1=-,2=2021-03-04 05:06:07.123456,3=2/,
	'source: every row');
like($want{visible}, qr/^item\|16\|1,3,4,6,8,9,10,12,.*\nmeas\|25\|.*\nmeas_2\|.*\ndoc\|1\|1$/,
	'source: SELECT hides the deleted rows');
like($want{all_rows}, qr/\narch\|4\|1=v1\+,4=v4,5=v5,6=v6\narch_archive\|4\|1=v1:update:.*,2=v2:update:.*,2=v2\+:delete:.*,3=v3:delete:/,
	'source: the archive holds the deleted rows and the old versions');
is(scalar(split /\n/, $want{registry}), 4, 'source: four tables registered');

my $tmp = PostgreSQL::Test::Utils::tempdir;
my $srcconn = $src->connstr('src');

my @variants = (
	[ 'plain', [ '-Fp' ], 'psql' ],
	[ 'custom', [ '-Fc' ], 'pg_restore' ],
	[ 'directory', [ '-Fd', '-j', '2' ], 'pg_restore' ],
	[ 'inserts', [ '-Fp', '--inserts' ], 'psql' ],
	[ 'column_inserts', [ '-Fc', '--column-inserts' ], 'pg_restore' ],
	[ 'via_root', [ '-Fp', '--load-via-partition-root' ], 'psql' ],
);

for my $v (@variants)
{
	my ($name, $opts, $how) = @$v;
	my $file = "$tmp/$name.dump";
	my $db = "r_$name";

	$src->command_ok([ 'pg_dump', @$opts, '-f', $file, '-d', $srcconn ],
		"$name: pg_dump");
	$dst->safe_psql('postgres', "CREATE DATABASE $db");
	if ($how eq 'psql')
	{
		$dst->command_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1',
			'-d', $dst->connstr($db), '-f', $file ], "$name: restore with psql");
	}
	else
	{
		$dst->command_ok([ 'pg_restore', '--exit-on-error',
			'-d', $dst->connstr($db), $file ], "$name: pg_restore");
	}

	for my $what (qw(all_rows deleted_ids visible registry triggers))
	{
		my $q = { all_rows => $all_rows, deleted_ids => $deleted_ids,
			visible => $visible, registry => $registry,
			triggers => $triggers }->{$what};
		is($dst->safe_psql($db, $q), $want{$what}, "$name: $what as in the source");
	}

	# The restored database filters and soft-deletes.
	is($dst->safe_psql($db, q{
		WITH d AS (DELETE FROM item WHERE id IN (1, 2) RETURNING id) SELECT string_agg(id::text, ',') FROM d}),
		'1', "$name: DELETE marks live rows only");
	is($dst->safe_psql($db, q{
		WITH d AS (DELETE FROM meas WHERE id IN (15, 106, 113) RETURNING id) SELECT string_agg(id::text, ',' ORDER BY id) FROM d}),
		'15,106', "$name: DELETE on the partitioned table");
	is($dst->safe_psql($db, q{
		WITH d AS (DELETE FROM doc RETURNING id) SELECT string_agg(id::text, ',') FROM d}),
		'1', "$name: DELETE with the other flag column");
	is($dst->safe_psql($db, q{
		SELECT (SELECT count(*) FROM item) || ' ' || (SELECT count(*) FROM meas) || ' ' || (SELECT count(*) FROM doc)}),
		'15 23 0', "$name: the new deletes are hidden");
	is($dst->safe_psql($db, q{
		SET softdelete.include_deleted = on;
		SELECT (SELECT count(*) || '/' || count(deleted_at) FROM item) || ' ' ||
		       (SELECT count(*) || '/' || count(deleted_at) FROM meas) || ' ' ||
		       (SELECT count(*) || '/' || count(removed_at) FROM doc)}),
		'20/5 29/6 3/3', "$name: nothing physically removed");
	# Archive mode still archives, after the archive's identity sequence.
	is($dst->safe_psql($db, q{
		DELETE FROM arch WHERE id = 4;
		SELECT string_agg(id || ':' || archive_op, ',' ORDER BY archive_id) FROM arch_archive
		 WHERE archive_id > (SELECT max(archive_id) - 2 FROM arch_archive)}),
		'3:delete,4:delete', "$name: DELETE archives in archive mode");
	is($dst->safe_psql($db, q{SELECT softdelete.restore('arch', 'id = 2')}),
		'1', "$name: restore from the archive works");
	my ($ret, $out, $err) = $dst->psql($db, 'TRUNCATE item');
	isnt($ret, 0, "$name: TRUNCATE refused");
	is($dst->safe_psql($db, q{SELECT softdelete.restore('item', 'id = 1')}),
		'1', "$name: restore works");
}

$src->stop;
$dst->stop;
done_testing();
