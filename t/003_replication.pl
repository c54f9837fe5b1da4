# Replication keeps every row.
# (a) A physical standby replays the soft deletes: its queries are filtered
#     like the primary's, and under include_deleted it has the same full set;
#     enabling a table on the primary reaches sessions already open on the
#     standby.
# (b) Logical replication: the initial table sync copies soft-deleted rows
#     too, also for a publication with a row filter (tablesync then runs
#     COPY (SELECT ...) in the walsender, which must not be filtered); a soft
#     DELETE on the publisher arrives as an UPDATE that sets deleted_at, and a
#     restore as an UPDATE that clears it; nothing is physically removed; an
#     enabled subscriber table hides the replicated deleted rows.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $preload = "shared_preload_libraries = 'softdelete'";

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 'logical');
$primary->append_conf('postgresql.conf', $preload);
$primary->start;

$primary->safe_psql('postgres', q{
	CREATE EXTENSION softdelete;
	CREATE TABLE item (id int PRIMARY KEY, name text);
	INSERT INTO item SELECT g, 'n' || g FROM generate_series(1, 10) g;
	SELECT softdelete.enable('item');
	DELETE FROM item WHERE id IN (2, 3);
	CREATE TABLE later (id int PRIMARY KEY);
	INSERT INTO later SELECT generate_series(1, 5);
});

# ---------------------------------------------------------------------------
# (a) physical streaming standby
# ---------------------------------------------------------------------------
$primary->backup('bk');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'bk', has_streaming => 1);
$standby->start;

# A session open on the standby before the next changes on the primary.
my $bg = $standby->background_psql('postgres');
is($bg->query_safe('SELECT string_agg(id::text, \',\' ORDER BY id) FROM later'),
	'1,2,3,4,5', 'standby session: table not enabled yet');

# More deletes after the backup, replayed from WAL; one table enabled now.
$primary->safe_psql('postgres', q{
	DELETE FROM item WHERE id = 5;
	SELECT softdelete.enable('later');
	DELETE FROM later WHERE id = 4;
});
$primary->wait_for_catchup($standby);

my $ids = q{SELECT string_agg(id::text, ',' ORDER BY id) FROM item};
my $full = q{
	SET softdelete.include_deleted = on;
	SELECT string_agg(id || '=' || coalesce(deleted_at::text, '-'), ',' ORDER BY id) FROM item};

is($primary->safe_psql('postgres', $ids), '1,4,6,7,8,9,10', 'primary: filtered');
is($standby->safe_psql('postgres', $ids), '1,4,6,7,8,9,10',
	'standby: the same filtered result');
my $primary_full = $primary->safe_psql('postgres', $full);
like($primary_full, qr/^1=-,2=2.*,3=2.*,4=-,5=2.*,6=-/, 'primary: every row');
is($standby->safe_psql('postgres', $full), $primary_full,
	'standby under include_deleted: the same full set, same stamps');
is($standby->safe_psql('postgres', q{
	SELECT count(*) FROM item i JOIN item j ON j.id = i.id + 1}),
	'4', 'standby: joins filtered (pairs 6-7, 7-8, 8-9, 9-10)');
is($standby->safe_psql('postgres', q{SELECT table_name FROM softdelete.tables ORDER BY table_name::text}),
	"item\nlater", 'standby: registrations replayed');

# The session that was open before 'later' was enabled sees the filter now.
is($bg->query_safe('SELECT string_agg(id::text, \',\' ORDER BY id) FROM later'),
	'1,2,3,5', 'standby session open before enable: filtered after replay');
is($bg->query_safe(q{SET softdelete.include_deleted = on;
	SELECT string_agg(id::text, ',' ORDER BY id) FROM later}),
	'1,2,3,4,5', 'standby session: include_deleted shows the deleted row');
$bg->query_safe('RESET softdelete.include_deleted');

# A restore and a disable on the primary are replayed as well.
$primary->safe_psql('postgres', q{
	SELECT softdelete.restore('item', 'id = 2');
	SELECT softdelete.disable('later');
});
$primary->wait_for_catchup($standby);
is($standby->safe_psql('postgres', $ids), '1,2,4,6,7,8,9,10',
	'standby: restore replayed');
is($bg->query_safe('SELECT string_agg(id::text, \',\' ORDER BY id) FROM later'),
	'1,2,3,4,5', 'standby session: disable replayed, every row visible');
$bg->quit;

my ($ret, $out, $err) = $standby->psql('postgres', 'DELETE FROM item WHERE id = 1');
isnt($ret, 0, 'standby: DELETE refused (read-only)');
$standby->stop;

# ---------------------------------------------------------------------------
# (b) logical replication
# ---------------------------------------------------------------------------
$primary->safe_psql('postgres', q{
	CREATE TABLE litem (id int PRIMARY KEY, name text);
	INSERT INTO litem SELECT g, 'n' || g FROM generate_series(1, 10) g;
	SELECT softdelete.enable('litem');
	DELETE FROM litem WHERE id IN (3, 4);

	CREATE TABLE lfilt (id int PRIMARY KEY, name text);
	INSERT INTO lfilt SELECT g, 'n' || g FROM generate_series(1, 10) g;
	SELECT softdelete.enable('lfilt');
	DELETE FROM lfilt WHERE id IN (5, 6);

	CREATE PUBLICATION pub_item FOR TABLE litem;
	CREATE PUBLICATION pub_filt FOR TABLE lfilt WHERE (id > 0);
});

my $sub = PostgreSQL::Test::Cluster->new('subscriber');
$sub->init;
$sub->append_conf('postgresql.conf', $preload);
$sub->start;
# litem is a plain table on the subscriber, lfilt is enabled there.
$sub->safe_psql('postgres', q{
	CREATE EXTENSION softdelete;
	CREATE TABLE litem (id int PRIMARY KEY, name text, deleted_at timestamptz);
	CREATE TABLE lfilt (id int PRIMARY KEY, name text, deleted_at timestamptz);
	SELECT softdelete.enable('lfilt');
});
my $pubconn = $primary->connstr . ' dbname=postgres';
$sub->safe_psql('postgres',
	"CREATE SUBSCRIPTION sub CONNECTION '$pubconn' PUBLICATION pub_item, pub_filt");
$sub->wait_for_subscription_sync($primary, 'sub');

my $lfull = q{
	SET softdelete.include_deleted = on;
	SELECT count(*) || ':' || string_agg(id || '=' || coalesce(deleted_at::text, '-'), ',' ORDER BY id) FROM %s};
my $lids = q{SELECT string_agg(id::text, ',' ORDER BY id) FROM %s};

my $pub_litem = $primary->safe_psql('postgres', sprintf($lfull, 'litem'));
like($pub_litem, qr/^10:1=-,2=-,3=2.*,4=2.*,5=-/, 'publisher: litem, every row');
is($sub->safe_psql('postgres', sprintf($lfull, 'litem')), $pub_litem,
	'initial sync copied every row, deleted ones with their stamps');
is($sub->safe_psql('postgres', sprintf($lids, 'litem')), '1,2,3,4,5,6,7,8,9,10',
	'subscriber litem is not enabled: every row visible');

my $pub_lfilt = $primary->safe_psql('postgres', sprintf($lfull, 'lfilt'));
like($pub_lfilt, qr/^10:.*,5=2.*,6=2.*,7=-/, 'publisher: lfilt, every row');
is($sub->safe_psql('postgres', sprintf($lfull, 'lfilt')), $pub_lfilt,
	'initial sync with a row filter copied the deleted rows too');
is($sub->safe_psql('postgres', sprintf($lids, 'lfilt')), '1,2,3,4,7,8,9,10',
	'enabled subscriber table hides the deleted rows');

# Changes after the sync: soft deletes arrive as updates.
$primary->safe_psql('postgres', q{
	DELETE FROM litem WHERE id = 7;
	DELETE FROM lfilt WHERE id IN (1, 5);	-- 5 already deleted: untouched
});
$primary->wait_for_catchup('sub');
$pub_litem = $primary->safe_psql('postgres', sprintf($lfull, 'litem'));
like($pub_litem, qr/^10:.*,7=2/, 'publisher: row 7 soft-deleted');
is($sub->safe_psql('postgres', sprintf($lfull, 'litem')), $pub_litem,
	'soft DELETE replicated as an update of deleted_at, same stamp');
is($sub->safe_psql('postgres', q{SELECT count(*) FROM litem WHERE deleted_at IS NOT NULL}),
	'3', 'subscriber (not enabled): rows 3, 4, 7 present with deleted_at set');
$pub_lfilt = $primary->safe_psql('postgres', sprintf($lfull, 'lfilt'));
is($sub->safe_psql('postgres', sprintf($lfull, 'lfilt')), $pub_lfilt,
	'lfilt: soft DELETE replicated, nothing removed');
is($sub->safe_psql('postgres', sprintf($lids, 'lfilt')), '2,3,4,7,8,9,10',
	'enabled subscriber table hides the newly deleted row');

# Enabling the subscriber's litem hides the replicated deleted rows; a
# restore on the publisher brings a row back on the subscriber.
$sub->safe_psql('postgres', q{SELECT softdelete.enable('litem')});
is($sub->safe_psql('postgres', sprintf($lids, 'litem')), '1,2,5,6,8,9,10',
	'subscriber litem enabled: deleted rows hidden');
$primary->safe_psql('postgres', q{
	SELECT softdelete.restore('litem', 'id = 3');
	DELETE FROM litem WHERE id = 8;
	UPDATE litem SET name = 'changed' WHERE id = 9;
	INSERT INTO litem VALUES (11, 'n11');
});
$primary->wait_for_catchup('sub');
is($sub->safe_psql('postgres', sprintf($lids, 'litem')), '1,2,3,5,6,9,10,11',
	'restore, delete and insert on the publisher reach the enabled subscriber');
is($sub->safe_psql('postgres', q{SELECT name FROM litem WHERE id = 9}),
	'changed', 'an ordinary update is applied');
is($sub->safe_psql('postgres', sprintf($lfull, 'litem')),
	$primary->safe_psql('postgres', sprintf($lfull, 'litem')),
	'subscriber and publisher hold the same rows and stamps');

# (c) A publication of every table, as README advises for archive mode, in a
# database of its own: restore, purge and versioned updates work on the
# publisher (the archive's primary key archive_id is its replica identity),
# and the subscriber, made from pg_dump --schema-only with the registry
# replicated, ends with exactly the publisher's rows, deleted rows and
# archive.
$primary->safe_psql('postgres', 'CREATE DATABASE every');
$primary->safe_psql('every', q{
	CREATE EXTENSION softdelete;
	CREATE TABLE acct (id int PRIMARY KEY, balance int);
	INSERT INTO acct SELECT g, g * 100 FROM generate_series(1, 6) g;
	SELECT softdelete.enable_archive('acct', versions => true);
	CREATE TABLE memo (id int PRIMARY KEY, body text);
	INSERT INTO memo SELECT g, 'm' || g FROM generate_series(1, 6) g;
	SELECT softdelete.enable('memo');
	CREATE PUBLICATION every FOR ALL TABLES;
});
$sub->safe_psql('postgres', 'CREATE DATABASE every');
my $tmp = PostgreSQL::Test::Utils::tempdir;
$primary->command_ok([ 'pg_dump', '--schema-only', '-f', "$tmp/every.sql",
	'-d', $primary->connstr('every') ], 'pg_dump --schema-only of the publisher');
$sub->command_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', "$tmp/every.sql",
	'-d', $sub->connstr('every') ], 'schema restored on the subscriber');
my $everyconn = $primary->connstr . ' dbname=every';
$sub->safe_psql('every', "CREATE SUBSCRIPTION sub_every CONNECTION '$everyconn' PUBLICATION every");
$sub->wait_for_subscription_sync($primary, 'sub_every');

$primary->safe_psql('every', q{
	UPDATE acct SET balance = balance + 1 WHERE id <= 3;
	DELETE FROM acct WHERE id IN (2, 4, 5);
	DELETE FROM memo WHERE id IN (1, 2, 3);
});
is($primary->safe_psql('every', q{SELECT softdelete.restore('acct', 'id = 2')}), '1',
	'publisher: archive restore under a publication of every table');
is($primary->safe_psql('every', q{SELECT softdelete.purge('acct')}), '6',
	'publisher: archive purge under it (the history too)');
is($primary->safe_psql('every', q{SELECT softdelete.restore('memo', 'id = 1')}), '1',
	'publisher: flag-mode restore');
is($primary->safe_psql('every', q{SET softdelete.hard_delete = on; DELETE FROM memo WHERE id = 6;
	SELECT softdelete.purge('memo', '0')}), '2', 'publisher: flag-mode purge and a hard delete');
$primary->safe_psql('every', q{
	UPDATE acct SET balance = 0 WHERE id = 1;
	DELETE FROM acct WHERE id = 6;
});
$primary->wait_for_catchup('sub_every');
my $every = q{
	SET softdelete.include_deleted = on;
	SELECT 'acct', string_agg(id || '=' || balance, ',' ORDER BY id) FROM acct
	UNION ALL
	SELECT 'acct_archive', string_agg(id || '=' || balance || ':' || archive_op || ':' || archive_id || ':' || archived_at, ',' ORDER BY archive_id) FROM acct_archive
	UNION ALL
	SELECT 'memo', string_agg(id || '=' || coalesce(deleted_at::text, '-'), ',' ORDER BY id) FROM memo
	UNION ALL
	SELECT 'registry', string_agg(relid::text || ':' || mode, ',' ORDER BY relid::text) FROM softdelete.registry};
my $pub_every = $primary->safe_psql('every', $every);
like($pub_every, qr/^acct\|1=0,2=201,3=301\nacct_archive\|1=101:update:\d+:.*,6=600:delete:/,
	'publisher: live rows, the restored row, the archive after purge');
is($sub->safe_psql('every', $every), $pub_every,
	'subscriber: the same live rows, deleted rows, archive and registrations');
is($sub->safe_psql('every', q{SELECT string_agg(id::text, ',' ORDER BY id) FROM memo}), '1,4,5',
	'subscriber: its enabled table hides the deleted rows');

$sub->stop;
$primary->stop;
done_testing();
