# Load: pgbench with 8 clients running soft deletes, restores, reads,
# updates and inserts at once against enabled tables (flag mode with an
# ON DELETE CASCADE child, archive mode), then the invariants: no row lost or
# duplicated, every key live or deleted exactly once, no live child of a
# deleted parent, no key both live and archived, and every client ran
# without an error.  LOAD_SECONDS sets the length (CI: 20 s; by hand, for
# instance LOAD_SECONDS=300 for five minutes).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $secs = $ENV{LOAD_SECONDS} || 20;
my $N = 10_000;

my $node = PostgreSQL::Test::Cluster->new('load');
$node->init;
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'softdelete'
max_connections = 30
});
$node->start;
$node->safe_psql('postgres', qq{
	CREATE EXTENSION softdelete;
	CREATE TABLE acct (id int PRIMARY KEY, balance int NOT NULL DEFAULT 0);
	CREATE TABLE txn (id bigserial PRIMARY KEY,
		acct_id int NOT NULL REFERENCES acct ON DELETE CASCADE, amount int);
	CREATE INDEX ON txn (acct_id);
	CREATE TABLE arch (id int PRIMARY KEY, v int NOT NULL DEFAULT 0);
	INSERT INTO acct SELECT generate_series(1, $N);
	INSERT INTO txn (acct_id, amount) SELECT 1 + g % $N, g FROM generate_series(1, 3 * $N) g;
	INSERT INTO arch SELECT generate_series(1, $N);
	SELECT softdelete.enable('txn');
	SELECT softdelete.enable('acct');
	SELECT softdelete.enable_archive('arch');
	CREATE TABLE inserted (n int);
	-- a new txn for an account: when the account is deleted between the
	-- SELECT and the foreign-key check, the check refuses it, exactly as a
	-- plain table refuses a child of a parent deleted at that moment; such
	-- races are counted, not errors of the test
	CREATE TABLE races (n int);
	CREATE FUNCTION add_txn(a int) RETURNS void LANGUAGE plpgsql AS \$\$
	DECLARE k int;
	BEGIN
		INSERT INTO txn (acct_id, amount) SELECT id, 1 FROM acct WHERE id = a;
		GET DIAGNOSTICS k = ROW_COUNT;
		INSERT INTO inserted VALUES (k);
	EXCEPTION WHEN foreign_key_violation THEN
		INSERT INTO races VALUES (1);
	END \$\$;
});

my $dir = PostgreSQL::Test::Utils::tempdir;
my %scripts = (
	'delete' => "\\set id random(1, $N)\nDELETE FROM acct WHERE id = :id;\n",
	'restore' => "\\set id random(1, $N)\nSELECT softdelete.restore('acct', 'id = ' || :id);\n",
	'read' => "\\set id random(1, $N)\nSELECT a.id, count(t.id) FROM acct a LEFT JOIN txn t ON t.acct_id = a.id WHERE a.id BETWEEN :id AND :id + 20 GROUP BY a.id;\n",
	'update' => "\\set id random(1, $N)\nUPDATE acct SET balance = balance + 1 WHERE id = :id;\nUPDATE arch SET v = v + 1 WHERE id = :id;\n",
	# a new child of a parent that may be deleted meanwhile (add_txn)
	'insert' => "\\set id random(1, $N)\nSELECT add_txn(:id);\n",
	'archive' => "\\set id random(1, $N)\nDELETE FROM arch WHERE id = :id;\n",
	'unarchive' => "\\set id random(1, $N)\nSELECT softdelete.restore('arch', 'id = ' || :id);\n",
);
my @files;
for my $name (sort keys %scripts)
{
	my $f = "$dir/$name.sql";
	open my $fh, '>', $f or die $!;
	print $fh $scripts{$name};
	close $fh;
	my $w = $name eq 'read' ? 4 : 2;
	push @files, '-f', "$f\@$w";
}

# --max-tries retries what a plain table also gives under this load
# (deadlocks between cascades); any other error aborts a client and fails.
my ($out, $err) = ('', '');
my $ok = IPC::Run::run(
	[ 'pgbench', '-n', '-c', '8', '-j', '2', '-T', $secs, '--max-tries', '10',
	  '-h', $node->host, '-p', $node->port, @files, 'postgres' ],
	'>', \$out, '2>', \$err);
ok($ok, "pgbench ran $secs s with 8 clients") or diag("$out\n$err");
like($out, qr/number of failed transactions: 0 /, 'no transaction failed') or diag($out);
unlike($err, qr/aborted|ERROR/, 'no client aborted, no error') or diag($err);
my ($tx) = $out =~ /number of transactions actually processed: (\d+)/;
ok(defined $tx && $tx > 100, "work was done (" . ($tx // 0) . " transactions)");
my ($retried) = $out =~ /number of transactions retried: (\d+)/;
note("pgbench: " . ($tx // 0) . " transactions in $secs s, " . ($retried // 0) . " retried");

# the invariants
is($node->safe_psql('postgres', q{
	SET softdelete.include_deleted = on;
	SELECT count(*) || '/' || count(DISTINCT id) FROM acct}),
	"$N/$N", 'acct: every row there once, live or deleted');
my $inserted = $node->safe_psql('postgres', 'SELECT coalesce(sum(n), 0) FROM inserted');
note('children refused because their parent was deleted concurrently: '
	  . $node->safe_psql('postgres', 'SELECT count(*) FROM races'));
is($node->safe_psql('postgres', q{
	SET softdelete.include_deleted = on;
	SELECT count(*) FROM txn}),
	3 * $N + $inserted, "txn: every row there, the initial ones and the $inserted inserted");
is($node->safe_psql('postgres', q{
	SET softdelete.include_deleted = on;
	SELECT count(*) FROM txn t JOIN acct a ON a.id = t.acct_id
	WHERE t.deleted_at IS NULL AND a.deleted_at IS NOT NULL}),
	'0', 'no live txn of a deleted acct');
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM txn t LEFT JOIN acct a ON a.id = t.acct_id WHERE a.id IS NULL}),
	'0', 'queries see no orphan');
is($node->safe_psql('postgres', q{
	SELECT count(*) || '/' || count(DISTINCT id) FROM
		(SELECT id FROM arch UNION ALL SELECT id FROM arch_archive WHERE archive_op = 'delete') s}),
	"$N/$N", 'arch: every key live or archived, exactly once');
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM arch JOIN arch_archive USING (id)}),
	'0', 'arch: no key both live and archived');
is($node->safe_psql('postgres', q{
	SELECT softdelete.restore('acct') >= 0;
	SELECT softdelete.restore('arch') >= 0;
	SELECT count(*) FROM acct;
	SELECT count(*) FROM arch;}),
	"t\nt\n$N\n$N", 'restore brings every row back');

$node->stop;
done_testing();
