# Client script for test/clients/ruby-pg.test.ts: ruby-pg (Debian's ruby-pg).
# Usage: ruby ruby_pg_client.rb URL scenario|vector [rowsJson queryJson]. Prints a JSON transcript.
# Covers exec_params with binary int8 parameters and binary result format (decoded with
# ruby-pg's own binary decoders), exec_prepared, transactions, errors, COPY, and introspection.
require 'pg'
require 'json'

def scenario(url)
  out = []
  note = ->(label, value) { out << { 'label' => label, 'value' => value } }
  fails = lambda do |label, &blk|
    begin
      blk.call
      note.call(label, 'no error')
    rescue PG::Error => e
      r = e.result
      note.call(label, [r&.error_field(PG::PG_DIAG_SQLSTATE), r&.error_field(PG::PG_DIAG_CONSTRAINT_NAME), r&.error_field(PG::PG_DIAG_MESSAGE_PRIMARY)])
    end
  end
  conn = PG.connect(url)
  conn.set_notice_receiver { |_| }
  conn.exec("SET TimeZone = 'UTC'")
  conn.exec('CREATE TABLE things (id int8 PRIMARY KEY, name text NOT NULL UNIQUE, n int4 CHECK (n <> 13), f float8, ok bool, note text)')
  # Binary int8 parameters: [value, type oid, format 1].
  8.times do |i|
    conn.exec_params('INSERT INTO things VALUES ($1, $2, $3, $4, $5, $6)',
                     [{ value: [i * 5_000_000_000 + 1].pack('q>'), type: 20, format: 1 }, "t#{i}", i * 2, i / 4.0, i.even?, i == 3 ? nil : "note #{i}"])
  end
  text = conn.exec_params('SELECT id, name, n, f, ok, note FROM things WHERE id > $1 ORDER BY id', [0])
  note.call('text rows', text.values)
  note.call('text types', text.fields.each_with_index.map { |f, i| [f, text.ftype(i), text.fmod(i)] })
  binary = conn.exec_params('SELECT id, n, f, ok, name, note FROM things WHERE n >= $1 ORDER BY id', [{ value: [4].pack('q>'), type: 20, format: 1 }], 1)
  decoded = binary.values.map do |row|
    id, n, f, ok, name, nt = row
    [id.unpack1('q>'), n.unpack1('l>'), f.unpack1('G'), ok.unpack1('C') == 1, name.force_encoding('UTF-8'), nt&.force_encoding('UTF-8')]
  end
  note.call('binary rows', decoded)
  note.call('binary formats', (0...binary.nfields).map { |i| binary.fformat(i) })
  conn.prepare('upd', 'UPDATE things SET n = n + $1 WHERE ok = $2')
  note.call('exec_prepared', conn.exec_prepared('upd', [100, 't']).cmd_tuples)
  note.call('delete', conn.exec_params('DELETE FROM things WHERE id > $1', [30_000_000_000]).cmd_tuples)
  conn.transaction do |c|
    c.exec("INSERT INTO things VALUES (99, 'tmp', 1, 1, true, null)")
    raise PG::Error, 'roll back please' if false
  end
  begin
    conn.transaction do |c|
      c.exec("UPDATE things SET name = 'x' || name")
      raise 'roll back please'
    end
  rescue RuntimeError => e
    note.call('rollback', e.message)
  end
  note.call('after rollback', conn.exec('SELECT id, name FROM things ORDER BY id').values)
  fails.call('unique') { conn.exec("INSERT INTO things VALUES (1000, 't1', 0, 0, false, null)") }
  fails.call('check') { conn.exec_params('UPDATE things SET n = $1 WHERE id = $2', [13, 1]) }
  fails.call('bad int8 text') { conn.exec_params('SELECT $1::int8', ['x']) }
  note.call('usable', conn.exec('SELECT count(*) FROM things').getvalue(0, 0))
  conn.copy_data('COPY things (id, name, n) FROM STDIN') do
    conn.put_copy_data("500\tcopied\t5\n")
    conn.put_copy_data("501\tcopied 2\t\\N\n")
  end
  rows = []
  conn.copy_data('COPY (SELECT id, name, n FROM things WHERE id >= 500 ORDER BY id) TO STDOUT') do
    while (line = conn.get_copy_data)
      rows << line
    end
  end
  note.call('copy', rows)
  note.call('introspection', conn.exec_params(
    "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0 ORDER BY a.attnum", ['things']).values)
  note.call('type map', PG::BasicTypeMapForResults.new(conn).class.name)
  conn.close
  out
end

def vector(url, rows_json, query_json)
  conn = PG.connect(url)
  conn.set_notice_receiver { |_| }
  conn.exec('CREATE EXTENSION IF NOT EXISTS vector')
  conn.exec('CREATE TABLE emb (id int PRIMARY KEY, v vector(3))')
  conn.exec('CREATE INDEX emb_v ON emb USING hnsw (v vector_l2_ops)')
  JSON.parse(rows_json).each { |r| conn.exec_params('INSERT INTO emb VALUES ($1, $2)', [r['id'], r['v'].to_json]) }
  ids = conn.exec_params('SELECT id FROM emb ORDER BY v <-> $1 LIMIT 5', [JSON.parse(query_json).to_json], 1).values.map { |r| r[0].unpack1('l>') }
  conn.close
  ids
end

result = ARGV[1] == 'vector' ? vector(ARGV[0], ARGV[2], ARGV[3]) : scenario(ARGV[0])
puts JSON.generate(result)
