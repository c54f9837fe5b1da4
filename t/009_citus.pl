# Citus (when its library is installed; skipped, saying so, otherwise): a
# coordinator and two workers, softdelete preloaded after Citus on each.
# - Flag mode on hash-distributed (co-located) tables and a reference table, enabled
#   from the coordinator (enable lets its triggers through to the shards):
#   router and multi-shard reads filtered on every shard, joins between
#   them including outer joins, DELETE as a soft delete, restore, purge (in
#   a transaction block), include_deleted on and only, prepared statements.
# - The shards on the workers, reached directly: a physical DELETE is
#   refused by the guard; so is one sent by a coordinator restarted without
#   softdelete.
# - The other order of shared_preload_libraries: Citus refuses to start.
# - Foreign keys between co-located distributed tables and to reference
#   tables: cascades (router, multi-shard, from a reference table into a
#   distributed one), RESTRICT and NO ACTION, restore cascades, refused new
#   references to deleted rows and restores under deleted parents, purge,
#   a key added later.  The shards run them on their own node.
# - Refused, saying why: archive mode, renaming the flag column, Citus local
#   tables.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $pkglibdir = `pg_config --pkglibdir`;
chomp $pkglibdir;
if (!-e "$pkglibdir/citus.so")
{
	plan skip_all => "Citus is not installed ($pkglibdir/citus.so): not tested";
}

my $conf = qq{
shared_preload_libraries = 'citus,softdelete'
max_prepared_transactions = 20
wal_level = logical
};
# a citus.so built for another server (another minor, another build) does
# not load: that is no Citus to test against either
my $probe = PostgreSQL::Test::Cluster->new('probe');
$probe->init;
$probe->append_conf('postgresql.conf', "shared_preload_libraries = 'citus'");
if (!$probe->start(fail_ok => 1))
{
	my ($why) = slurp_file($probe->logfile) =~ /(could not load library.*)/;
	plan skip_all => 'Citus cannot be loaded by this server (' . ($why // 'see its log') . '): not tested';
}
$probe->stop;

my @nodes;
for my $name ('coordinator', 'worker1', 'worker2')
{
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init;
	$node->append_conf('postgresql.conf', $conf);
	$node->start;
	$node->safe_psql('postgres', 'CREATE EXTENSION citus');
	push @nodes, $node;
}
my ($coord, @workers) = @nodes;

# the other order: Citus itself refuses to start
my $wrong = PostgreSQL::Test::Cluster->new('wrong_order');
$wrong->init;
$wrong->append_conf('postgresql.conf', "shared_preload_libraries = 'softdelete,citus'");
ok(!$wrong->start(fail_ok => 1), "shared_preload_libraries = 'softdelete,citus' does not start");
like(slurp_file($wrong->logfile), qr/Citus has to be loaded first/, 'Citus says so');
# the nodes reach each other over their Unix sockets (a directory is a host)
$coord->safe_psql('postgres', "SELECT citus_set_coordinator_host('" . $coord->host . "', " . $coord->port . ')');
$coord->safe_psql('postgres', "SELECT citus_add_node('" . $_->host . "', " . $_->port . ')') for @workers;
is($coord->safe_psql('postgres', 'SELECT count(*) FROM citus_get_active_worker_nodes()'), '2',
	'a coordinator and two workers');
note('Citus ' . $coord->safe_psql('postgres', q{SELECT extversion FROM pg_extension WHERE extname = 'citus'}));

my $q = sub { $coord->safe_psql('postgres', $_[0]) };
$q->(q{
	CREATE EXTENSION softdelete;
	CREATE TABLE orders (id int PRIMARY KEY, country text, deleted_at timestamptz);
	SELECT create_distributed_table('orders', 'id');
	CREATE TABLE countries (code text PRIMARY KEY, name text);
	SELECT create_reference_table('countries');
	INSERT INTO orders SELECT g, CASE WHEN g % 2 = 0 THEN 'fr' ELSE 'de' END FROM generate_series(1, 100) g;
	INSERT INTO countries VALUES ('fr', 'France'), ('de', 'Germany'), ('it', 'Italy');
	CREATE TABLE lines (order_id int, n int, deleted_at timestamptz, PRIMARY KEY (order_id, n));
	SELECT create_distributed_table('lines', 'order_id', colocate_with => 'orders');
	INSERT INTO lines SELECT g, k FROM generate_series(1, 100) g, generate_series(1, 2) k;
	SELECT softdelete.enable('orders');
	SELECT softdelete.enable('countries');
	SELECT softdelete.enable('lines');
});
is($q->(q{SELECT count(*) FROM pg_attribute WHERE attrelid = 'countries'::regclass AND attname = 'deleted_at'}),
	'1', 'enable added the flag column to the reference table');

# DELETE is a soft delete, router and multi-shard
is($q->('DELETE FROM orders WHERE id = 7'), '', 'a router DELETE');
is($q->(q{DELETE FROM orders WHERE id BETWEEN 11 AND 20; DELETE FROM countries WHERE code = 'it'; SELECT 1}), '1',
	'a multi-shard DELETE and one on a reference table');
is($q->('SELECT count(*) FROM orders'), '89', 'multi-shard reads see live rows');
is($q->('SELECT count(*) FROM orders WHERE id = 7'), '0', 'a router read does not see the deleted row');
like($q->('EXPLAIN (COSTS OFF) SELECT * FROM orders WHERE id = 8'), qr/Filter: \(deleted_at IS NULL\)/,
	'the filter goes to the shard');
is($q->('SET softdelete.include_deleted = on; SELECT count(*) FROM orders'), '100', 'every row is kept');
is($q->(q{SET softdelete.include_deleted = 'only'; SELECT string_agg(code, ',') FROM countries}), 'it',
	"include_deleted = 'only'");

# joins, outer joins
is($q->(q{SELECT count(*) FROM orders o JOIN countries c ON c.code = o.country}), '89', 'a join to a reference table');
is($q->(q{SELECT string_agg(c.code || ':' || n, ',' ORDER BY c.code) FROM
		  (SELECT c.code, count(o.id) AS n FROM countries c LEFT JOIN orders o ON o.country = c.code GROUP BY 1) c}),
	'de:44,fr:45', 'a LEFT JOIN from the reference table: the deleted country is absent, deleted orders are not counted');
$q->(q{DELETE FROM countries WHERE code = 'de'});
is($q->(q{SELECT count(*) FROM orders o LEFT JOIN countries c ON c.code = o.country WHERE c.code IS NULL}), '44',
	'a LEFT JOIN to it: orders of a deleted country are NULL-extended');

# co-located distributed tables: router and multi-shard joins
$q->(q{DELETE FROM lines WHERE order_id = 8 AND n = 1; DELETE FROM lines WHERE order_id = 9});
is($q->(q{SELECT count(l.n) FROM orders o JOIN lines l ON l.order_id = o.id WHERE o.id = 8}), '1', 'a router join');
is($q->(q{SELECT count(*) FROM orders o JOIN lines l ON l.order_id = o.id}), '175',
	'a multi-shard join: live lines of live orders');
is($q->(q{SELECT count(*) FROM orders o LEFT JOIN lines l ON l.order_id = o.id WHERE l.n IS NULL}), '1',
	'a LEFT JOIN: the order whose lines are all deleted is NULL-extended');

# prepared statements follow the setting
is($q->(q{PREPARE n(int) AS SELECT count(*) FROM orders WHERE id = $1;
		  EXECUTE n(7); EXECUTE n(7); EXECUTE n(7); EXECUTE n(7); EXECUTE n(7); EXECUTE n(7);
		  SET softdelete.include_deleted = on; EXECUTE n(7); RESET softdelete.include_deleted; EXECUTE n(7)}),
	"0\n0\n0\n0\n0\n0\n1\n0", 'a prepared router query follows the setting at each execution');

# restore
is($q->(q{SELECT softdelete.restore('countries', $$code = 'de'$$)}), '1', 'restore of a reference table row');
is($q->(q{SELECT softdelete.restore('orders', 'id BETWEEN 11 AND 15')}), '5', 'restore on the shards');
is($q->('SELECT count(*) FROM orders'), '94', 'the rows are back');

# the shards, reached on a worker directly
my $w = $workers[0];
my $shard = $w->safe_psql('postgres', q{SET citus.override_table_visibility = off;
	SELECT relname FROM pg_class WHERE relname LIKE 'orders\_1%' AND relkind = 'r' ORDER BY 1 LIMIT 1});
my ($ret, $stdout, $stderr) = $w->psql('postgres', "SET citus.override_table_visibility = off; DELETE FROM $shard");
isnt($ret, 0, "a DELETE on shard $shard on a worker is refused");
like($stderr, qr/cannot delete rows of shard "$shard" physically: soft delete is enabled on its table "orders"/, 'saying why');

# purge: in a transaction block, erases the deleted rows on every shard
($ret, $stdout, $stderr) = $coord->psql('postgres', q{SELECT softdelete.purge('orders')});
like($stderr, qr/must run in a transaction block/, 'purge outside a transaction block is refused');
is($q->(q{BEGIN; SELECT softdelete.purge('orders'); COMMIT}), '6', 'purge in a block erases the deleted rows');
is($q->('SET softdelete.include_deleted = on; SELECT count(*) FROM orders'), '94', 'on the shards');
is($q->(q{DELETE FROM orders WHERE id = 30; SELECT count(*) FROM orders}), '93',
	'after purge, a DELETE is a soft delete again');

# a coordinator restarted without softdelete: its DELETE reaches the shards
# as a DELETE, and the guard there refuses it
$coord->append_conf('postgresql.conf', "shared_preload_libraries = 'citus'");
$coord->restart;
($ret, $stdout, $stderr) = $coord->psql('postgres', 'DELETE FROM orders WHERE id = 40');
isnt($ret, 0, 'a coordinator without softdelete cannot delete rows of an enabled distributed table');
like($stderr, qr/cannot delete rows of shard "orders_\d+" physically/, 'the guard on the worker refuses');
($ret, $stdout, $stderr) = $coord->psql('postgres', 'DELETE FROM countries');
isnt($ret, 0, 'nor of an enabled reference table');
like($stderr, qr/physically|must be loaded via shared_preload_libraries/,
	'refused on the shards (on the coordinator its own copy\'s guard cannot even load)');
is($coord->safe_psql('postgres', 'SELECT count(*) FROM orders'), '94', 'every row is kept, deleted ones included (none is filtered now)');
$coord->append_conf('postgresql.conf', "shared_preload_libraries = 'citus,softdelete'");
$coord->restart;
is($q->('SELECT count(*) FROM orders'), '93', 'with softdelete back, the same rows are live');

# Foreign keys where Citus has them: co-located distributed tables, and from
# distributed (or reference) tables to reference tables.  The shards run
# the cascades, restrictions and restore cascades themselves, on their node.
$q->(q{
	CREATE TABLE regions (code text PRIMARY KEY);
	SELECT create_reference_table('regions');
	CREATE TABLE accounts (id int PRIMARY KEY, region text REFERENCES regions ON DELETE RESTRICT);
	SELECT create_reference_table('accounts');
	CREATE TABLE carts (account int, id int, region text REFERENCES regions ON DELETE CASCADE,
		PRIMARY KEY (account, id));
	SELECT create_distributed_table('carts', 'account');
	CREATE TABLE cart_lines (account int, cart int, n int, PRIMARY KEY (account, cart, n),
		FOREIGN KEY (account, cart) REFERENCES carts ON DELETE CASCADE);
	SELECT create_distributed_table('cart_lines', 'account', colocate_with => 'carts');
	CREATE TABLE cart_notes (account int, cart int, note text, PRIMARY KEY (account, cart),
		FOREIGN KEY (account, cart) REFERENCES carts);
	SELECT create_distributed_table('cart_notes', 'account', colocate_with => 'carts');
	CREATE TABLE cart_tags (account int, cart int, tag text, is_deleted boolean NOT NULL DEFAULT false,
		PRIMARY KEY (account, cart, tag), FOREIGN KEY (account, cart) REFERENCES carts ON DELETE CASCADE);
	SELECT create_distributed_table('cart_tags', 'account', colocate_with => 'carts');
	INSERT INTO regions VALUES ('north'), ('south'), ('east');
	INSERT INTO accounts VALUES (1, 'north');
	INSERT INTO carts SELECT a, c, CASE WHEN c = 1 THEN 'north' WHEN c = 2 THEN 'south' ELSE 'east' END
		FROM generate_series(1, 20) a, generate_series(1, 3) c;
	INSERT INTO cart_lines SELECT account, id, k FROM carts, generate_series(1, 2) k;
	INSERT INTO cart_tags SELECT account, id, 'gift' FROM carts;
	INSERT INTO cart_notes VALUES (5, 3, 'call first');
	SELECT softdelete.enable('cart_lines');
	SELECT softdelete.enable('cart_tags', 'is_deleted');
	SELECT softdelete.enable('cart_notes');
	SELECT softdelete.enable('carts');
	SELECT softdelete.enable('accounts');
	SELECT softdelete.enable('regions');
});
my $counts = q{SELECT (SELECT count(*) FROM carts) || '/' || (SELECT count(*) FROM cart_lines) || '/' || (SELECT count(*) FROM cart_tags)};
is($q->($counts), '60/120/60', 'foreign keys between enabled Citus tables are accepted by enable');

# a cascade, router and multi-shard, with the parent's stamp
$q->('DELETE FROM cart_lines WHERE account = 3 AND cart = 1 AND n = 2');
$q->('DELETE FROM carts WHERE account = 3 AND id = 1');
is($q->($counts), '59/118/59', 'a router DELETE cascades to the lines and tags of the cart, on its shard');
is($q->(q{SET softdelete.include_deleted = on;
		  SELECT count(*) FROM cart_lines l JOIN carts c ON (c.account, c.id) = (l.account, l.cart)
		  WHERE c.account = 3 AND c.id = 1 AND l.deleted_at = c.deleted_at}), '1',
	'the line deleted with the cart has the cart\'s stamp (the one deleted before keeps its own)');
$q->('DELETE FROM carts WHERE id = 2 AND account BETWEEN 11 AND 20');
is($q->($counts), '49/98/49', 'a multi-shard DELETE cascades on every shard');

# restore brings back what was deleted with the row, not what was deleted before
is($q->(q{SELECT softdelete.restore('carts', 'account = 3 AND id = 1')}), '1', 'restore of the cart');
is($q->(q{SELECT count(*) FROM cart_lines WHERE account = 3 AND cart = 1}), '1',
	'the line deleted with it is back, the one deleted before is not');
is($q->(q{SELECT count(*) FROM cart_tags WHERE account = 3 AND cart = 1}), '1', 'the boolean-flag tag is back');

# NO ACTION and RESTRICT: the delete fails, nothing changes
($ret, $stdout, $stderr) = $coord->psql('postgres', 'DELETE FROM carts WHERE account = 5 AND id = 3', on_error_stop => 1);
like($stderr, qr/delete on table "carts" violates foreign key constraint "cart_notes_account_cart_fkey" on table "cart_notes"/,
	'NO ACTION: a cart with a live note cannot be deleted');
($ret, $stdout, $stderr) = $coord->psql('postgres', q{DELETE FROM regions WHERE code = 'north'});
like($stderr, qr/delete on table "regions" violates foreign key constraint "accounts_region_fkey" on table "accounts"/,
	'RESTRICT from a reference table to a reference table');
is($q->($counts), '50/99/50', 'nothing changed');
$q->(q{DELETE FROM cart_notes; DELETE FROM carts WHERE account = 5 AND id = 3});
is($q->('SELECT count(*) FROM carts WHERE account = 5'), '2', 'once the note is deleted, the cart can be');

# a reference table cascading into a distributed table, on every worker
$q->(q{DELETE FROM regions WHERE code = 'east'});
is($q->($counts), '30/59/30', 'deleting a region soft-deletes its carts on every worker, and their lines and tags');
is($q->(q{SELECT softdelete.restore('regions', $$code = 'east'$$)}), '1', 'restore of the region');
is($q->($counts), '49/97/49', 'its carts come back with it, and theirs (the cart deleted before stays deleted)');

# new references to deleted rows, and restores of rows whose parent is deleted
$q->('DELETE FROM carts WHERE account = 7 AND id = 1');
($ret, $stdout, $stderr) = $coord->psql('postgres', 'INSERT INTO cart_lines VALUES (7, 1, 9)');
like($stderr, qr/insert or update on table "cart_lines" violates foreign key constraint "cart_lines_account_cart_fkey".*\n.*Key \(account, cart\)=\(7, 1\) is not present in table "carts"/,
	'a new line of a deleted cart is refused on the shard');
$q->('DELETE FROM cart_lines WHERE account = 8 AND cart = 1 AND n = 1; DELETE FROM carts WHERE account = 8 AND id = 1');
$q->('SELECT softdelete.restore(\'carts\', \'account = 8 AND id = 1\')');
$q->('DELETE FROM carts WHERE account = 8 AND id = 1');
($ret, $stdout, $stderr) = $coord->psql('postgres', q{SELECT softdelete.restore('cart_lines', 'account = 8 AND cart = 1')});
like($stderr, qr/cannot restore a row of table "cart_lines": it references a deleted row of table "carts"/,
	'a line of a deleted cart cannot be restored on its own');

# purge: the physical delete cascades through Citus's own keys on the shards
($ret, $stdout, $stderr) = $coord->psql('postgres', q{BEGIN; SELECT softdelete.purge('carts'); COMMIT});
like($stderr, qr/violates foreign key constraint "cart_notes_account_cart_fkey_\d+"/,
	'purge of a cart a deleted note (NO ACTION) still references fails on the shard, and erases nothing');
is($q->(q{BEGIN; SELECT softdelete.purge('cart_notes'); SELECT softdelete.purge('carts'); COMMIT}), "1\n13",
	'purge of the deleted note, then of the deleted carts');
is($q->(q{SET softdelete.include_deleted = on; SELECT count(*) FROM cart_lines l
		  WHERE NOT EXISTS (SELECT 1 FROM carts c WHERE (c.account, c.id) = (l.account, l.cart))}), '0',
	'their lines went with them');

# a key added later gets its checks on the shards too
$q->(q{CREATE TABLE cart_gifts (account int, cart int, PRIMARY KEY (account, cart));
	SELECT create_distributed_table('cart_gifts', 'account', colocate_with => 'carts');
	ALTER TABLE cart_gifts ADD FOREIGN KEY (account, cart) REFERENCES carts;
	DELETE FROM carts WHERE account = 9 AND id = 1});
($ret, $stdout, $stderr) = $coord->psql('postgres', 'INSERT INTO cart_gifts VALUES (9, 1)');
like($stderr, qr/is not present in table "carts"/, 'a key added by ALTER TABLE refuses a reference to a deleted cart');
is($q->('INSERT INTO cart_gifts VALUES (9, 2) RETURNING cart'), '2', 'and accepts a live one');

# a table enabled by an older softdelete, whose shards' guard does not name
# the flag column: its shards refuse to guess, enable again sets it right
$q->(q{SET citus.enable_unsafe_triggers = on; DROP TRIGGER softdelete_guard ON carts;
	CREATE TRIGGER softdelete_guard BEFORE DELETE ON carts FOR EACH ROW EXECUTE FUNCTION softdelete.guard()});
($ret, $stdout, $stderr) = $coord->psql('postgres', 'DELETE FROM carts WHERE account = 10 AND id = 1');
like($stderr, qr/cannot follow the foreign keys of shard "carts_\d+" of table "carts".*\n.*enabled by an older softdelete/,
	'an old guard without the column: the cascade fails loudly');
$q->(q{SELECT softdelete.enable('carts'); DELETE FROM carts WHERE account = 10 AND id = 1});
is($q->(q{SELECT count(*) FROM cart_lines WHERE account = 10 AND cart = 1}), '0', 'after enable again, it cascades');

# refused, saying why
for my $case (
	[ q{ALTER TABLE orders RENAME COLUMN deleted_at TO removed_at},
	  qr/renaming the soft-delete flag column is not supported on table "orders": it is a Citus distributed table/ ],
	[ q{SELECT softdelete.disable('orders'); SELECT softdelete.enable_archive('orders')}, qr/archive mode is not supported on table "orders": it is a Citus distributed table/ ],
	[ q{CREATE TABLE notes (id int PRIMARY KEY); SELECT citus_add_local_table_to_metadata('notes');
		SELECT softdelete.enable('notes')}, qr/soft delete is not supported on table "notes": it is a Citus local table/ ])
{
	($ret, $stdout, $stderr) = $coord->psql('postgres', $case->[0]);
	like($stderr, $case->[1], 'refused: ' . (split /\n/, $case->[0])[-1]) or diag($stderr);
}

done_testing();
