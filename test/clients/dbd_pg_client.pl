# Client script for test/clients/dbd-pg.test.ts: DBD::Pg (Debian's libdbd-pg-perl).
# Usage: perl dbd_pg_client.pl DSN-URL scenario|vector [rowsJson queryJson]. Prints a JSON transcript.
# DBD::Pg prepares server-side statements (pg_server_prepare), binds placeholders, and exposes
# DBI's catalog methods (table_info, column_info, primary_key_info) built on pg_catalog queries.
use strict;
use warnings;
use DBI;
use JSON::PP;

my ($url, $mode, $rows_json, $query_json) = @ARGV;
my ($user, $host, $port, $db) = $url =~ m{^postgres://([^@]+)@([^:]+):(\d+)/(.+)$} or die "bad url $url";
my $dbh = DBI->connect("dbi:Pg:dbname=$db;host=$host;port=$port", $user, '', { RaiseError => 1, PrintError => 0, AutoCommit => 1, pg_server_prepare => 1 });
$dbh->do('SET client_min_messages = warning');
my @out;
sub note { push @out, { label => $_[0], value => $_[1] } }
sub fails {
  my ($label, $code) = @_;
  eval { $code->(); note($label, 'no error'); 1 } or note($label, [$dbh->state, $dbh->errstr =~ /^ERROR:\s+([^\n]*)/ ? $1 : $dbh->errstr]);
}

if ($mode eq 'vector') {
  $dbh->do('CREATE EXTENSION IF NOT EXISTS vector');
  $dbh->do('CREATE TABLE emb (id int PRIMARY KEY, v vector(3))');
  $dbh->do('CREATE INDEX emb_v ON emb USING hnsw (v vector_l2_ops)');
  my $ins = $dbh->prepare('INSERT INTO emb VALUES (?, ?)');
  $ins->execute($_->{id}, encode_json($_->{v})) for @{ decode_json($rows_json) };
  my $ids = $dbh->selectcol_arrayref('SELECT id FROM emb ORDER BY v <-> ? LIMIT 5', undef, $query_json);
  print encode_json([map { $_ + 0 } @$ids]), "\n";
  exit 0;
}

$dbh->do(q{CREATE TABLE staff (id serial PRIMARY KEY, login varchar(20) NOT NULL UNIQUE, salary numeric(9,2) CHECK (salary > 0), hired date, active boolean DEFAULT true, bio text)});
my $ins = $dbh->prepare('INSERT INTO staff (login, salary, hired, bio) VALUES (?, ?, ?, ?) RETURNING id');
for my $i (1 .. 6) {
  $ins->execute("u$i", 1000 * $i + 0.5, "2020-01-0$i", $i % 3 ? "bio $i" : undef);
  note("insert $i", $ins->fetchrow_arrayref->[0]);
}
note('select', $dbh->selectall_arrayref('SELECT id, login, salary, hired, active, bio FROM staff WHERE salary > ? ORDER BY id', undef, 2500));
note('nulls', $dbh->selectcol_arrayref('SELECT login FROM staff WHERE bio IS NULL ORDER BY 1'));
note('hash', $dbh->selectrow_hashref('SELECT login, salary::text AS s FROM staff WHERE id = ?', undef, 2));
note('update', $dbh->do('UPDATE staff SET active = ? WHERE id % 2 = 0', undef, 0) + 0);
note('delete', $dbh->do('DELETE FROM staff WHERE id > ?', undef, 5) + 0);
$dbh->begin_work;
$dbh->do("INSERT INTO staff (login, salary) VALUES ('tmp', 1)");
$dbh->do('UPDATE staff SET salary = salary * 10');
$dbh->rollback;
note('after rollback', $dbh->selectall_arrayref('SELECT login, salary FROM staff ORDER BY id'));
fails('unique', sub { $dbh->do("INSERT INTO staff (login, salary) VALUES ('u1', 5)") });
fails('check', sub { $dbh->do('UPDATE staff SET salary = ? WHERE id = 1', undef, -1) });
fails('syntax', sub { $dbh->do('SELEC 1') });
note('usable', $dbh->selectrow_array('SELECT count(*) FROM staff') + 0);
# table_info's failure is reported as the step's value, so the other steps are still compared.
my $ti = eval { $dbh->table_info(undef, 'public', 'staff', 'TABLE')->fetchall_arrayref({ TABLE_SCHEM => 1, TABLE_NAME => 1, TABLE_TYPE => 1 }) };
note('table_info', $ti // [$dbh->state, $dbh->errstr]);
my $ci = $dbh->column_info(undef, 'public', 'staff', undef)->fetchall_arrayref({ COLUMN_NAME => 1, TYPE_NAME => 1, COLUMN_SIZE => 1, NULLABLE => 1, COLUMN_DEF => 1, ORDINAL_POSITION => 1, pg_type => 1 });
note('column_info', $ci);
note('primary_key', [$dbh->primary_key(undef, 'public', 'staff')]);
note('server version >= 150000', $dbh->{pg_server_version} >= 150000 ? 1 : 0);
$ins->finish;
$dbh->disconnect;
print JSON::PP->new->canonical->encode(\@out), "\n";
