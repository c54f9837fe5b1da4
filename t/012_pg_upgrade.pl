# pg_upgrade from an older major keeps every guarantee, with no step but
# pg_upgrade itself: flag mode with cascading and restricting foreign keys,
# a table that is not enabled referencing a flag-mode one, a boolean flag,
# archive mode with versions, a retention.  After the upgrade: every row,
# stamp, registration and archived image as before; deleted rows hidden; a
# new reference to a deleted row refused (on 19 by softdelete_ref, which
# 1.4 puts on every major so that pg_upgrade brings it along); soft deletes,
# cascades, restrictions, restores, archive restores, purge_expired and the
# TRUNCATE refusal work.  A database whose extension was still at 1.3 (no
# softdelete_ref below 19) refuses writes to such a table, saying to run
# ALTER EXTENSION softdelete UPDATE, and works once it ran.
#
# Runs when SD_UPGRADE_FROM names an older major's installation with
# softdelete installed (scripts/test.sh sets it on 19, whose chroot holds 18).
use strict;
use warnings;
use Cwd;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $from = $ENV{SD_UPGRADE_FROM} // '';
plan skip_all => 'SD_UPGRADE_FROM (an older major with softdelete installed) is not set: not tested'
  unless $from ne '' && -x "$from/bin/pg_ctl" && -f "$from/lib/softdelete.so";

my $preload = "shared_preload_libraries = 'softdelete'";
my $old = PostgreSQL::Test::Cluster->new('old', install_path => $from);
$old->init;
$old->append_conf('postgresql.conf', $preload);
$old->start;
my $oldversion = $old->safe_psql('postgres', 'SHOW server_version_num');

my $setup = q{
	CREATE TABLE p (id int PRIMARY KEY, v text);
	CREATE TABLE c (id int PRIMARY KEY, pid int REFERENCES p ON DELETE CASCADE);
	CREATE TABLE r (id int PRIMARY KEY, pid int REFERENCES p ON DELETE RESTRICT);
	CREATE TABLE plainref (id int PRIMARY KEY, pid int REFERENCES p);
	CREATE TABLE b (id int PRIMARY KEY, gone boolean NOT NULL DEFAULT false);
	CREATE TABLE a (id int PRIMARY KEY, v int);
	INSERT INTO p SELECT g, 'p' || g FROM generate_series(1, 6) g;
	INSERT INTO c SELECT g, g % 6 + 1 FROM generate_series(1, 12) g;
	INSERT INTO r VALUES (1, 5);
	INSERT INTO plainref VALUES (1, 4);
	INSERT INTO b SELECT generate_series(1, 4);
	INSERT INTO a SELECT g, g FROM generate_series(1, 4) g;
	SELECT softdelete.enable('c'), softdelete.enable('r'), softdelete.enable('p'),
		   softdelete.enable('b', 'gone');
	SELECT softdelete.enable_archive('a', versions => true);
	SELECT softdelete.set_retention('p', '1 day');
	DELETE FROM p WHERE id IN (1, 2);
	DELETE FROM b WHERE id = 1;
	UPDATE a SET v = v * 10 WHERE id <= 2;
	DELETE FROM a WHERE id = 3;
};
# the current extension, and one still at 1.3
$old->safe_psql('postgres', "CREATE DATABASE cur; CREATE DATABASE at13");
$old->safe_psql('cur', "CREATE EXTENSION softdelete; $setup");
$old->safe_psql('at13', "CREATE EXTENSION softdelete VERSION '1.3'; $setup");
# a grant (1.5) of the current extension: a role reads p's deleted rows
$old->safe_psql('postgres', 'CREATE ROLE up_reader');
$old->safe_psql('cur', q{GRANT SELECT ON p TO up_reader;
	SELECT softdelete.grant_access('p', 'up_reader', 'read_deleted')});
# who deleted (1.6): c records it
$old->safe_psql('cur', q{SELECT softdelete.enable('c', deleted_by => 'deleted_by');
	SET softdelete.actor = 'user:8'; SET softdelete.reason = 'r8'; DELETE FROM c WHERE id = 3});
# which transaction (1.7): the log names it, and the rows keep their xmin
my $c3_xid = $old->safe_psql('cur', q{SELECT max(xid) FROM softdelete.deletions WHERE relid = 'c'::regclass});

my $state = q{
	SET TimeZone = 'UTC';
	SET softdelete.include_deleted = on;
	SELECT 'p', string_agg(id || '=' || coalesce(deleted_at::text, '-'), ',' ORDER BY id) FROM p
	UNION ALL SELECT 'c', string_agg(id || '=' || coalesce(deleted_at::text, '-'), ',' ORDER BY id) FROM c
	UNION ALL SELECT 'b', string_agg(id || '=' || gone, ',' ORDER BY id) FROM b
	UNION ALL SELECT 'a', string_agg(id || '=' || v, ',' ORDER BY id) FROM a
	UNION ALL SELECT 'a_archive', string_agg(id || '=' || v || ':' || archive_op || ':' || archived_at, ',' ORDER BY archive_id) FROM a_archive
	UNION ALL SELECT 'registry', string_agg(table_name || ':' || mode || ':' || coalesce(retention::text, '-'), ',' ORDER BY table_name::text) FROM softdelete.tables};
my %before = map { $_ => $old->safe_psql($_, $state) } qw(cur at13);
like($before{cur}, qr/^p\|1=2.*,2=2.*,3=-/, "PostgreSQL $oldversion: the rows before the upgrade");
$old->stop;

my $new = PostgreSQL::Test::Cluster->new('new');
$new->init;
$new->append_conf('postgresql.conf', $preload);
my $newbin = $new->config_data('--bindir');
my $tmp = PostgreSQL::Test::Utils::tempdir;
my $cwd = getcwd();
chdir $tmp;
command_ok(
	[ "$newbin/pg_upgrade", '--no-sync',
	  '-d', $old->data_dir, '-D', $new->data_dir,
	  '-b', "$from/bin", '-B', $newbin,
	  '-s', $new->host, '-p', $old->port, '-P', $new->port ],
	'pg_upgrade');
chdir $cwd;
$new->start;
note('PostgreSQL ' . $new->safe_psql('postgres', 'SHOW server_version_num'));

for my $db (qw(cur at13))
{
	is($new->safe_psql($db, $state), $before{$db}, "$db: every row, stamp, registration and archived image");
	is($new->safe_psql($db, 'SELECT string_agg(id::text, \',\' ORDER BY id) FROM p'), '3,4,5,6',
		"$db: deleted rows hidden");
}

# the current extension: every guarantee at once
my ($ret, $out, $err) = $new->psql('cur', 'INSERT INTO plainref VALUES (2, 1)');
isnt($ret, 0, 'cur: a new reference to a deleted row is refused (a table not enabled)');
like($err, qr/is not present in table "p"/, 'cur: with core\'s error');
($ret, $out, $err) = $new->psql('cur', 'INSERT INTO c VALUES (50, 2)');
isnt($ret, 0, 'cur: and from an enabled table');
$new->safe_psql('cur', 'INSERT INTO plainref VALUES (3, 3)');
($ret, $out, $err) = $new->psql('cur', 'DELETE FROM p WHERE id = 5');
isnt($ret, 0, 'cur: RESTRICT holds');
is($new->safe_psql('cur', q{
	DELETE FROM p WHERE id = 6;
	SELECT count(*) FROM c WHERE pid = 6}), '0', 'cur: a soft delete cascades');
is($new->safe_psql('cur', q{
	SELECT softdelete.restore('p', 'id IN (1, 6)');
	SELECT count(*) FROM c WHERE pid IN (1, 6)}), "2\n4", 'cur: restore brings the cascaded rows back');
is($new->safe_psql('cur', q{SELECT softdelete.restore('a', 'id = 3')}), '1', 'cur: archive restore');
is($new->safe_psql('cur', q{SELECT softdelete.restore('b')}), '1', 'cur: boolean flag restore');
is($new->safe_psql('cur', q{
	SET softdelete.include_deleted = on;
	UPDATE p SET deleted_at = now() - interval '2 days' WHERE id = 2;
	RESET softdelete.include_deleted;
	SELECT purged FROM softdelete.purge_expired() WHERE table_name = 'p'::regclass}), '1',
	'cur: retention');
is($new->safe_psql('cur', q{
	SELECT string_agg(relid || ':' || grantee || ':' || privilege, ',') FROM softdelete.access;
	SET ROLE up_reader; SET softdelete.include_deleted = on; SELECT count(*) FROM p}),
	"p:up_reader:read_deleted\n5", 'cur: the grant came along, and works');
is($new->safe_psql('cur', q{
	SELECT deleted_by FROM softdelete.tables WHERE table_name = 'c'::regclass;
	SET softdelete.actor = 'user:9'; DELETE FROM c WHERE id = 4;
	SET softdelete.include_deleted = on;
	SELECT string_agg(id || ':' || deleted_by, ',' ORDER BY id) FROM c WHERE id IN (3, 4)}),
	"deleted_by\n3:user:8,4:user:9", 'cur: who deleted, before the upgrade and after');
is($new->safe_psql('cur', qq{
	SELECT reason || ':' || (xid = '$c3_xid') FROM softdelete.trash
	 WHERE table_name = 'c'::regclass AND key->>'id' = '3';
	SELECT string_agg(table_name || ' ' || restored, ',') FROM softdelete.undo('$c3_xid');
	SELECT count(*) FROM c WHERE id = 3}),
	"r8:true\nc 1\n1", 'cur: a delete from before the upgrade: its reason and transaction, and undo');
($ret, $out, $err) = $new->psql('cur', q{SET softdelete.include_deleted = on; SET ROLE up_reader; SELECT count(*) FROM c});
like($err, qr/permission denied to read the deleted rows of table "c"/, 'cur: and grants nothing else');
($ret, $out, $err) = $new->psql('cur', 'TRUNCATE c');
isnt($ret, 0, 'cur: TRUNCATE refused');

# at 1.3: writes to the referencing table wait for ALTER EXTENSION UPDATE
($ret, $out, $err) = $new->psql('at13', 'INSERT INTO plainref VALUES (2, 1)');
isnt($ret, 0, 'at13: a new reference to a deleted row is refused');
($ret, $out, $err) = $new->psql('at13', 'INSERT INTO plainref VALUES (2, 3)');
if ($new->safe_psql('postgres', 'SHOW server_version_num') >= 190000 && $oldversion < 190000)
{
	isnt($ret, 0, 'at13 on 19: any write to the referencing table is refused until the update');
	like($err, qr/ALTER EXTENSION softdelete UPDATE/, 'at13 on 19: saying what to run');
}
else
{
	is($ret, 0, 'at13: a live reference is accepted');
	$new->safe_psql('at13', 'DELETE FROM plainref WHERE id = 2');
}
$new->safe_psql('at13', 'ALTER EXTENSION softdelete UPDATE');
is($new->safe_psql('at13', q{SELECT count(*) FROM pg_trigger WHERE tgname = 'softdelete_ref' AND tgrelid IN ('plainref'::regclass, 'c'::regclass, 'r'::regclass)}),
	'3', 'at13: the update gives the referencing tables softdelete_ref');
($ret, $out, $err) = $new->psql('at13', 'INSERT INTO plainref VALUES (4, 1)');
isnt($ret, 0, 'at13 updated: a new reference to a deleted row is refused');
$new->safe_psql('at13', 'INSERT INTO plainref VALUES (5, 3)');
pass('at13 updated: a live reference is accepted');

$new->stop;
done_testing();
