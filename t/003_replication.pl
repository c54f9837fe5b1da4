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

$sub->stop;
$primary->stop;
done_testing();
