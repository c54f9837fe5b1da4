# pg_dump keeps every row, soft-deleted ones included, and the registrations,
# in every format (plain, custom, directory, tar) restored in every mode
# (serial, parallel with -j, --single-transaction, --clean --if-exists over a
# database that changed since, --schema-only then --data-only, the three
# --section runs), and with --inserts / --column-inserts (which read through
# a cursor) and --load-via-partition-root; each restore exits 0 and yields
# the source's rows, stamps, registrations and triggers.  The restored
# database behaves like the original: SELECT hides the deleted rows, DELETE
# soft-deletes and cascades, TRUNCATE is refused.  Last, pg_restore --clean
# over the source database itself brings it back to exactly the dump.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;

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
# softdelete's grants name roles, which pg_dump does not carry (pg_dumpall
# --globals-only does): the restoring cluster has them
$src->safe_psql('postgres', 'CREATE ROLE dump_reader');
$dst->safe_psql('postgres', 'CREATE ROLE dump_reader');
$src->safe_psql('src', q{
	CREATE EXTENSION softdelete;

	-- a plain table
	CREATE TABLE item (id int PRIMARY KEY, name text);
	INSERT INTO item SELECT g, 'n' || g FROM generate_series(1, 20) g;
	SELECT softdelete.enable('item', deleted_by => 'deleted_by');
	SELECT softdelete.grant_access('item', 'dump_reader', 'read_deleted');
	GRANT SELECT ON item TO dump_reader;
	SET softdelete.actor = 'user:5';
	DELETE FROM item WHERE id IN (2, 5, 7);
	RESET softdelete.actor;
	DELETE FROM item WHERE id = 11;		-- another transaction, another stamp

	-- a partitioned table, deleted rows in every partition
	CREATE TABLE meas (id int, val int) PARTITION BY RANGE (id);
	CREATE TABLE meas_1 PARTITION OF meas FOR VALUES FROM (0) TO (100);
	CREATE TABLE meas_2 PARTITION OF meas FOR VALUES FROM (100) TO (200);
	INSERT INTO meas SELECT g, g * 10 FROM generate_series(1, 199, 7) g;
	SELECT softdelete.enable('meas');
	DELETE FROM meas WHERE id IN (8, 50, 113, 190);

	-- an existing flag column of another name and type
	-- (1.8) with live indexes
	CREATE TABLE doc (id int PRIMARY KEY, removed_at timestamp);
	CREATE INDEX doc_twice ON doc ((id * 2));
	INSERT INTO doc VALUES (1, NULL), (2, '2021-03-04 05:06:07.123456'), (3, NULL);
	SELECT softdelete.enable('doc', 'removed_at', live_indexes => true);
	DELETE FROM doc WHERE id = 3;

	-- archive mode with versions: the archive and its history must survive
	CREATE TABLE arch (id int PRIMARY KEY, v text);
	INSERT INTO arch SELECT g, 'v' || g FROM generate_series(1, 6) g;
	SELECT softdelete.enable_archive('arch', versions => true);
	UPDATE arch SET v = v || '+' WHERE id <= 2;
	DELETE FROM arch WHERE id IN (2, 3);

	-- foreign keys between enabled tables: a cascade, and its stamp
	CREATE TABLE cust (id int PRIMARY KEY);
	CREATE TABLE ord (id int PRIMARY KEY, cust int REFERENCES cust ON DELETE CASCADE);
	INSERT INTO cust SELECT generate_series(1, 4);
	INSERT INTO ord SELECT g, g % 4 + 1 FROM generate_series(1, 12) g;
	SELECT softdelete.enable('cust'), softdelete.enable('ord');
	DELETE FROM cust WHERE id = 2;

	-- a schema of its own, for the dumps of part of a database
	CREATE SCHEMA part;
	CREATE TABLE part.t (id int PRIMARY KEY, gone_at timestamptz);
	INSERT INTO part.t SELECT generate_series(1, 5);
	SELECT softdelete.enable('part.t', 'gone_at');
	DELETE FROM part.t WHERE id IN (2, 4);
	CREATE TABLE part.a (id int PRIMARY KEY, v int);
	INSERT INTO part.a SELECT g, g FROM generate_series(1, 4) g;
	SELECT softdelete.enable_archive('part.a', versions => true);
	UPDATE part.a SET v = 10 WHERE id = 1;
	DELETE FROM part.a WHERE id = 2;
	CREATE TABLE part.pt (id int, v int) PARTITION BY RANGE (id);
	CREATE TABLE part.pt_1 PARTITION OF part.pt FOR VALUES FROM (0) TO (10);
	CREATE TABLE part.pt_2 PARTITION OF part.pt FOR VALUES FROM (10) TO (20);
	INSERT INTO part.pt SELECT g, g FROM generate_series(1, 19, 3) g;
	SELECT softdelete.enable('part.pt');
	DELETE FROM part.pt WHERE id IN (4, 13);
	SELECT softdelete.set_retention('part.t', '30 days');
});

# Everything that must survive: every row with its exact stamp (under
# include_deleted), what a plain query sees, and the registrations.
my $all_rows = q{
	SET TimeZone = 'UTC';
	SET softdelete.include_deleted = on;
	SELECT 'item', count(*), string_agg(id || '=' || coalesce(deleted_at::text, '-') || ':' || coalesce(deleted_by, '-'), ',' ORDER BY id) FROM item
	UNION ALL
	SELECT 'meas', count(*), string_agg(id || '=' || coalesce(deleted_at::text, '-'), ',' ORDER BY id) FROM meas
	UNION ALL
	SELECT 'doc', count(*), string_agg(id || '=' || coalesce(removed_at::text, '-'), ',' ORDER BY id) FROM doc
	UNION ALL
	SELECT 'arch', count(*), string_agg(id || '=' || v, ',' ORDER BY id) FROM arch
	UNION ALL
	SELECT 'arch_archive', count(*), string_agg(id || '=' || v || ':' || archive_op || ':' || archived_at || ':' || archive_id, ',' ORDER BY archive_id) FROM arch_archive
	UNION ALL
	SELECT 'ord', count(*), string_agg(id || '=' || coalesce(deleted_at::text, '-'), ',' ORDER BY id) FROM ord;
};
my $deleted_ids = q{
	SET softdelete.include_deleted = on;
	SELECT 'item', string_agg(id::text, ',' ORDER BY id) FROM item WHERE deleted_at IS NOT NULL
	UNION ALL
	SELECT 'meas', string_agg(id::text, ',' ORDER BY id) FROM meas WHERE deleted_at IS NOT NULL
	UNION ALL
	SELECT 'doc', string_agg(id::text, ',' ORDER BY id) FROM doc WHERE removed_at IS NOT NULL
	UNION ALL
	SELECT 'ord', string_agg(id::text, ',' ORDER BY id) FROM ord WHERE deleted_at IS NOT NULL;
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
	SELECT table_name, mode, column_name, archive, versions, enabled_at, deleted_by, live_indexes
	FROM softdelete.tables ORDER BY table_name::text;
	SELECT relid, live_indexes, deleted_indexes FROM softdelete.registry
	 WHERE live_indexes IS NOT NULL ORDER BY relid::text;
	SELECT relid, grantee, privilege FROM softdelete.access ORDER BY relid::text;
};
my $triggers = q{
	SELECT tgrelid::regclass, tgname, tgenabled FROM pg_trigger
	WHERE tgname LIKE 'softdelete%' ORDER BY tgrelid::regclass::text, tgname;
};
# The archive's identity goes on from where it was.
my $sequences = q{
	SELECT last_value FROM arch_archive_archive_id_seq;
};

my %want = (
	all_rows => $src->safe_psql('src', $all_rows),
	deleted_ids => $src->safe_psql('src', $deleted_ids),
	visible => $src->safe_psql('src', $visible),
	registry => $src->safe_psql('src', $registry),
	triggers => $src->safe_psql('src', $triggers),
	sequences => $src->safe_psql('src', $sequences),
);
# (1.7) the log of deletions travels, marked as arrived by a restore
my $src_log = $src->safe_psql('src', q{SELECT count(*) || ':' || sum(rows) FROM softdelete.deletions});
my $src_xid = $src->safe_psql('src', q{SELECT min(xid) FROM softdelete.deletions});
like($src_log, qr/^[1-9]\d*:[1-9]/, 'source: the deletes are in the log');
my %query = (all_rows => $all_rows, deleted_ids => $deleted_ids,
	visible => $visible, registry => $registry, triggers => $triggers,
	sequences => $sequences);
# The source itself is what we expect (so the comparisons below mean something).
is($want{deleted_ids}, "item|2,5,7,11\nmeas|8,50,113,190\ndoc|2,3\nord|1,5,9",
	'source: the deleted rows');
like($want{all_rows}, qr/^item\|20\|.*\nmeas\|29\|.*\ndoc\|3\|1=-,2=2021-03-04 05:06:07.123456,3=2/,
	'source: every row');
like($want{visible}, qr/^item\|16\|1,3,4,6,8,9,10,12,.*\nmeas\|25\|.*\nmeas_2\|.*\ndoc\|1\|1$/,
	'source: SELECT hides the deleted rows');
like($want{all_rows}, qr/\narch\|4\|1=v1\+,4=v4,5=v5,6=v6\narch_archive\|4\|1=v1:update:.*,2=v2:update:.*,2=v2\+:delete:.*,3=v3:delete:/,
	'source: the archive holds the deleted rows and the old versions');
is(scalar(split /\n/, $want{registry}), 11, 'source: nine tables registered, one with live indexes, one grant');

my $tmp = PostgreSQL::Test::Utils::tempdir;
my $srcconn = $src->connstr('src');


# run_ok(NAME, CMD...): a client program that must exit 0, its stderr shown
sub run_ok
{
	my ($name, @cmd) = @_;
	my ($stdout, $stderr);
	my $ok = IPC::Run::run(\@cmd, '>', \$stdout, '2>', \$stderr);
	ok($ok, $name) or diag("@cmd\n$stderr");
	return $ok;
}

# Some changes after the dump, which a --clean restore must undo.
my $changes = q{
	INSERT INTO item VALUES (100, 'new');
	DELETE FROM item WHERE id IN (1, 3);
	DELETE FROM arch WHERE id = 5;
	UPDATE arch SET v = 'changed' WHERE id = 1;
	DELETE FROM cust WHERE id = 3;
};

# restore(FORMAT, MODE, DB): restore the source's dump in FORMAT into DB, a
# new database, in MODE.
sub restore
{
	my ($fmt, $mode, $db) = @_;
	my $tag = "$fmt/$mode";
	my $dbconn = $dst->connstr($db);
	my $ext = { p => 'sql', c => 'dump', d => 'dir', t => 'tar' }->{$fmt};
	my $dump = sub {
		my ($file, @opts) = @_;
		run_ok("$tag: pg_dump @opts", 'pg_dump', "-F$fmt", @opts, '-f', $file, '-d', $srcconn);
	};
	my $load = sub {
		my ($file, @opts) = @_;
		if ($fmt eq 'p')
		{
			return run_ok("$tag: psql @opts", 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1',
				@opts, '-d', $dbconn, '-f', $file);
		}
		return run_ok("$tag: pg_restore @opts", 'pg_restore', '--exit-on-error', @opts,
			'-d', $dbconn, $file);
	};
	my $file = "$tmp/$fmt-$mode.$ext";

	$dst->safe_psql('postgres', "CREATE DATABASE $db");
	if ($mode eq 'serial')
	{
		$dump->($file);
		$load->($file);
	}
	elsif ($mode eq 'parallel')
	{
		# pg_restore -j truncates each table it created before its COPY;
		# every table also gets its own connection and transaction
		$dump->($file, $fmt eq 'd' ? ('-j', '2') : ());
		run_ok("$tag: pg_restore -j 3", 'pg_restore', '-j', '3', '-d', $dbconn, $file);
	}
	elsif ($mode eq 'single')
	{
		$dump->($file);
		$load->($file, '--single-transaction');
	}
	elsif ($mode eq 'clean')
	{
		# restored once, changed, then restored again over it
		if ($fmt eq 'p')
		{
			$dump->($file, '--clean', '--if-exists');
			$load->($file);
			$dst->safe_psql($db, $changes);
			$load->($file);
		}
		else
		{
			$dump->($file);
			$load->($file);
			$dst->safe_psql($db, $changes);
			$load->($file, '--clean', '--if-exists');
		}
	}
	elsif ($mode eq 'data_only')
	{
		if ($fmt eq 'p')
		{
			$dump->("$file.schema", '--schema-only');
			$dump->("$file.data", '--data-only');
			$load->("$file.schema");
			$load->("$file.data");
		}
		else
		{
			$dump->($file);
			$load->($file, '--schema-only');
			$load->($file, '--data-only');
		}
	}
	elsif ($mode eq 'sections')
	{
		for my $section (qw(pre-data data post-data))
		{
			if ($fmt eq 'p')
			{
				$dump->("$file.$section", "--section=$section");
				$load->("$file.$section");
			}
			else
			{
				$dump->($file) if $section eq 'pre-data';
				$load->($file, "--section=$section");
			}
		}
	}
	else
	{
		# the options that read through a cursor or the root
		my %opts = (inserts => [ '--inserts' ], column_inserts => [ '--column-inserts' ],
			via_root => [ '--load-via-partition-root' ]);
		$dump->($file, @{ $opts{$mode} });
		$load->($file);
	}
}

# what a restored database must be and do
sub check_restored
{
	my ($tag, $db) = @_;

	for my $what (qw(all_rows deleted_ids visible registry triggers sequences))
	{
		is($dst->safe_psql($db, $query{$what}), $want{$what}, "$tag: $what as in the source");
	}

	# (1.7) The log came along, each row marked arrived: a transaction of the
	# source cannot be undone here (its rows carry other xmins now).
	is($dst->safe_psql($db, q{SELECT count(*) || ':' || sum(rows) || ':' || bool_and(arrived) FROM softdelete.deletions}),
		"$src_log:true", "$tag: the log of deletions, marked arrived");
	my ($uret, $uout, $uerr) = $dst->psql($db, "SELECT softdelete.undo('$src_xid')");
	like($uerr, qr/came from elsewhere/, "$tag: a transaction of the source is not undone here");

	# The restored database filters and soft-deletes.
	is($dst->safe_psql($db, q{
		SET softdelete.actor = 'after';
		WITH d AS (DELETE FROM item WHERE id IN (1, 2) RETURNING id) SELECT string_agg(id::text, ',') FROM d}),
		'1', "$tag: DELETE marks live rows only");
	is($dst->safe_psql($db, q{
		SET softdelete.include_deleted = on;
		SELECT string_agg(id || ':' || deleted_by, ',' ORDER BY id) FROM item WHERE id IN (1, 2)}),
		'1:after,2:user:5', "$tag: who deleted, before the dump and after the restore");
	is($dst->safe_psql($db, q{
		WITH d AS (DELETE FROM meas WHERE id IN (15, 106, 113) RETURNING id) SELECT string_agg(id::text, ',' ORDER BY id) FROM d}),
		'15,106', "$tag: DELETE on the partitioned table");
	is($dst->safe_psql($db, q{
		WITH d AS (DELETE FROM doc RETURNING id) SELECT string_agg(id::text, ',') FROM d}),
		'1', "$tag: DELETE with the other flag column");
	is($dst->safe_psql($db, q{
		DELETE FROM cust WHERE id = 3;
		SELECT string_agg(id::text, ',' ORDER BY id) FROM ord}),
		'3,4,7,8,11,12', "$tag: DELETE cascades");
	is($dst->safe_psql($db, q{
		SELECT (SELECT count(*) FROM item) || ' ' || (SELECT count(*) FROM meas) || ' ' || (SELECT count(*) FROM doc)}),
		'15 23 0', "$tag: the new deletes are hidden");
	is($dst->safe_psql($db, q{
		SET softdelete.include_deleted = on;
		SELECT (SELECT count(*) || '/' || count(deleted_at) FROM item) || ' ' ||
		       (SELECT count(*) || '/' || count(deleted_at) FROM meas) || ' ' ||
		       (SELECT count(*) || '/' || count(removed_at) FROM doc) || ' ' ||
		       (SELECT count(*) || '/' || count(deleted_at) FROM ord)}),
		'20/5 29/6 3/3 12/6', "$tag: nothing physically removed");
	# the grant came along: the role reads item's deleted rows, not doc's
	is($dst->safe_psql($db, q{
		SET ROLE dump_reader; SET softdelete.include_deleted = on;
		SELECT count(*) FROM item}), '20', "$tag: a role granted read_deleted reads deleted rows");
	# Archive mode still archives, after the archive's identity sequence.
	is($dst->safe_psql($db, q{
		DELETE FROM arch WHERE id = 4;
		SELECT string_agg(id || ':' || archive_op, ',' ORDER BY archive_id) FROM arch_archive
		 WHERE archive_id > (SELECT max(archive_id) - 2 FROM arch_archive)}),
		'3:delete,4:delete', "$tag: DELETE archives in archive mode");
	is($dst->safe_psql($db, q{SELECT softdelete.restore('arch', 'id = 2')}),
		'1', "$tag: restore from the archive works");
	my ($ret, $out, $err) = $dst->psql($db, 'TRUNCATE item');
	isnt($ret, 0, "$tag: TRUNCATE refused");
	is($dst->safe_psql($db, q{SELECT softdelete.restore('cust', 'id = 2')}),
		'1', "$tag: restore works");
	is($dst->safe_psql($db, q{SELECT count(*) FROM ord}), '9',
		"$tag: and brings back the cascaded rows");
	is($dst->safe_psql($db, q{
		DELETE FROM cust WHERE id = 4;
		SELECT string_agg(table_name || ' ' || restored, ',')
		  FROM softdelete.undo((SELECT max(xid) FROM softdelete.deletions WHERE NOT arrived))}),
		'cust 1,ord 3', "$tag: undo of a delete made after the restore");
	# (1.8) the live indexes came along, and disable gives the ordinary one back
	is($dst->safe_psql($db, q{
		SELECT string_agg(pg_get_indexdef(indexrelid), E'\n' ORDER BY indexrelid::regclass::text COLLATE "C")
		  FROM pg_index WHERE indrelid = 'doc'::regclass}),
		"CREATE UNIQUE INDEX doc_pkey ON public.doc USING btree (id)\n"
		. "CREATE INDEX doc_removed_at_deleted ON public.doc USING btree (removed_at) WHERE (removed_at IS NOT NULL)\n"
		. "CREATE INDEX doc_twice ON public.doc USING btree (((id * 2))) WHERE (removed_at IS NULL)",
		"$tag: live indexes as in the source");
	is($dst->safe_psql($db, q{
		BEGIN;
		SELECT softdelete.disable('doc');
		SELECT string_agg(pg_get_indexdef(indexrelid), E'\n' ORDER BY indexrelid::regclass::text COLLATE "C")
		  FROM pg_index WHERE indrelid = 'doc'::regclass;
		ROLLBACK}),
		"\nCREATE UNIQUE INDEX doc_pkey ON public.doc USING btree (id)\n"
		. "CREATE INDEX doc_twice ON public.doc USING btree (((id * 2)))",
		"$tag: disable gives the ordinary index back");
}

my %modes = (
	p => [qw(serial single clean data_only sections inserts via_root)],
	c => [qw(serial parallel single clean data_only sections column_inserts)],
	d => [qw(serial parallel single clean data_only sections)],
	t => [qw(serial single clean data_only sections)],
);
for my $fmt (qw(p c d t))
{
	for my $mode (@{ $modes{$fmt} })
	{
		my $db = "r_${fmt}_$mode";

		restore($fmt, $mode, $db);
		check_restored("$fmt/$mode", $db);
	}
}

# Part of a database: pg_dump -t, -n and --schema-only carry no registry row
# (core's rule for an extension's configuration table).  A table's TRUNCATE
# guard says how it was registered, and its restore registers it again once
# its rows are there: deleted rows stay hidden, DELETE stays soft, archive
# mode keeps archiving, partitions are covered.  (The retention and the time
# of enabling are the registry's: they do not travel.)  An empty table
# (--schema-only) is left, with a warning, for its data to register it.
my $hidden = q{
	SELECT 'item', string_agg(id::text, ',' ORDER BY id) FROM item
	UNION ALL SELECT 'doc', string_agg(id::text, ',' ORDER BY id) FROM doc
	UNION ALL SELECT 'part.t', string_agg(id::text, ',' ORDER BY id) FROM part.t
	UNION ALL SELECT 'part.pt', string_agg(id::text, ',' ORDER BY id) FROM part.pt
	UNION ALL SELECT 'part.a', string_agg(id::text, ',' ORDER BY id) FROM part.a};
my $regs = q{SELECT string_agg(table_name || ':' || mode || ':' || coalesce(column_name, archive::text) || ':' || versions || coalesce(':' || deleted_by, ''), ',' ORDER BY table_name::text) FROM softdelete.tables};
my @partial = (
	# item records who deleted (1.6): its guard carries that column too
	[ 'tables', [ '-t', 'item', '-t', 'doc' ], "doc:flag:removed_at:false,item:flag:deleted_at:false:deleted_by" ],
	[ 'schema', [ '-n', 'part' ], "part.a:archive:part.a_archive:true,part.pt:flag:deleted_at:false,part.t:flag:gone_at:false" ],
	# (empty tables: their data, with the registry, registers them later)
	[ 'schema_only', [ '--schema-only', '-n', 'part' ], '' ],
);
for my $v (@partial)
{
	my ($name, $opts, $want_regs) = @$v;
	my $db = "partial_$name";
	my $file = "$tmp/partial_$name.dump";
	run_ok("partial $name: pg_dump @$opts", 'pg_dump', '-Fc', @$opts, '-f', $file, '-d', $srcconn);
	$dst->safe_psql('postgres', "CREATE DATABASE $db");
	$dst->safe_psql($db, 'CREATE EXTENSION softdelete');
	run_ok("partial $name: pg_restore", 'pg_restore', '--exit-on-error', '-d', $dst->connstr($db), $file);
	is($dst->safe_psql($db, $regs), $want_regs, "partial $name: the tables are registered again");
	next if $name eq 'schema_only';
	my @tabs = $name eq 'tables' ? qw(item doc) : ('part.t', 'part.pt', 'part.a');
	for my $t (@tabs)
	{
		is($dst->safe_psql($db, "SELECT string_agg(id::text, ',' ORDER BY id) FROM $t"),
			$src->safe_psql('src', "SELECT string_agg(id::text, ',' ORDER BY id) FROM $t"),
			"partial $name: $t hides its deleted rows");
	}
	if ($name eq 'tables')
	{
		is($dst->safe_psql($db, q{DELETE FROM item WHERE id = 1; SET softdelete.include_deleted = on;
			SELECT count(*) || '/' || count(deleted_at) FROM item}), '20/5', "partial $name: DELETE stays soft");
	}
	else
	{
		is($dst->safe_psql($db, q{SELECT string_agg(id || ':' || v || ':' || archive_op, ',' ORDER BY archive_id) FROM part.a_archive}),
			'1:1:update,2:2:delete', "partial $name: the archive and its history came along");
		is($dst->safe_psql($db, q{DELETE FROM part.a WHERE id = 3; SELECT softdelete.restore('part.a', 'id = 2');
			SELECT string_agg(id::text, ',' ORDER BY id) FROM part.a}), "1\n1,2,4", "partial $name: archive mode archives and restores");
		is($dst->safe_psql($db, q{DELETE FROM part.pt_2; SET softdelete.include_deleted = on;
			SELECT count(*) || '/' || count(deleted_at) FROM part.pt}), '7/5', "partial $name: a partition deletes softly");
	}
}
# --exclude-table of an enabled table: the registry's rows cannot load (one
# names the table left out) and pg_restore says so; the other tables
# register again from their triggers
{
	my $db = 'partial_exclude';
	my $file = "$tmp/exclude.dump";
	run_ok('exclude: pg_dump --exclude-table doc', 'pg_dump', '-Fc', '--exclude-table', 'doc',
		'-f', $file, '-d', $srcconn);
	$dst->safe_psql('postgres', "CREATE DATABASE $db");
	my ($ok, $stdout, $stderr);
	$ok = IPC::Run::run([ 'pg_restore', '-d', $dst->connstr($db), $file ], '>', \$stdout, '2>', \$stderr);
	like($stderr, qr/COPY failed for table "registry"/, 'exclude: pg_restore reports the registry rows it cannot load');
	is($dst->safe_psql($db, q{SELECT string_agg(table_name::text, ',' ORDER BY table_name::text) FROM softdelete.tables}),
		'arch,cust,item,meas,ord,part.a,part.pt,part.t', 'exclude: every other table registered again');
	is($dst->safe_psql($db, $visible =~ s/\n\tUNION ALL\n\tSELECT 'doc'.*//sr),
		$src->safe_psql('src', $visible =~ s/\n\tUNION ALL\n\tSELECT 'doc'.*//sr),
		'exclude: deleted rows hidden');
}

# a schema-only restore, then the data of the full dump: the registry
# rows of the dump
{
	my $db = 'partial_then_data';
	my $file = "$tmp/full_for_data.dump";
	run_ok('schema then data: pg_dump', 'pg_dump', '-Fc', '-f', $file, '-d', $srcconn);
	$dst->safe_psql('postgres', "CREATE DATABASE $db");
	run_ok('schema then data: --schema-only', 'pg_restore', '--exit-on-error', '--schema-only', '-d', $dst->connstr($db), $file);
	run_ok('schema then data: --data-only', 'pg_restore', '--exit-on-error', '--data-only', '-d', $dst->connstr($db), $file);
	is($dst->safe_psql($db, $registry), $want{registry}, 'schema then data: the registry of the dump (retention and times included)');
}

# A restored database, dumped and restored with --clean over itself: the
# dependency of each archive-mode table on its archive, which orders --clean,
# was recorded again when the registry was loaded.
{
	my $file = "$tmp/second.dump";
	my $db = 'r_c_serial';
	run_ok('second generation: pg_dump', 'pg_dump', '-Fc', '-f', $file, '-d', $dst->connstr($db));
	my $before = $dst->safe_psql($db, $all_rows);
	run_ok('second generation: pg_restore --clean --if-exists', 'pg_restore', '--exit-on-error',
		'--clean', '--if-exists', '-d', $dst->connstr($db), $file);
	is($dst->safe_psql($db, $all_rows), $before, 'second generation: exactly the dump again');
}

# pg_restore -j several times more: its workers race the registry's load
# against the triggers and keys they create
for my $i (1 .. 5)
{
	my $db = "r_race_$i";
	$dst->safe_psql('postgres', "CREATE DATABASE $db");
	run_ok("race $i: pg_restore -j 4", 'pg_restore', '-j', '4', '-d', $dst->connstr($db), "$tmp/d-parallel.dir");
	is($dst->safe_psql($db, $registry) . $dst->safe_psql($db, $triggers),
		$want{registry} . $want{triggers}, "race $i: registrations and triggers as in the source");
}

# pg_restore --clean over the database the dump came from, after changes:
# exactly the dump again (the archive's history not doubled).
my $file = "$tmp/self.dump";
run_ok('self: pg_dump', 'pg_dump', '-Fc', '-f', $file, '-d', $srcconn);
$src->safe_psql('src', $changes);
run_ok('self: pg_restore --clean --if-exists', 'pg_restore', '--exit-on-error',
	'--clean', '--if-exists', '-d', $srcconn, $file);
for my $what (qw(all_rows deleted_ids visible registry triggers sequences))
{
	is($src->safe_psql('src', $query{$what}), $want{$what}, "self: $what as in the dump");
}

$src->stop;
$dst->stop;
done_testing();
