#!/usr/bin/env python3
"""Differential write fuzzer for softdelete (issue 22, item 12).

Random writes run twice, in two schemas with the same tables and data:
schema e holds enabled tables (flag mode with cascading, restricting and
deferred foreign keys, a self-reference, a boolean flag, a unique key over
live rows, a partitioned table, archive mode with versions), schema h plain
tables on which each statement is carried out as the soft delete it stands
for, written by hand: a DELETE is an UPDATE of the flag of live rows, then
the cascades and the restrictions of the foreign keys; restore and purge are
UPDATE and DELETE of deleted rows (restore cascades by the parent's stamp);
archive mode moves rows to the archive table by hand; a new reference to a
deleted row is refused.

Kinds: DELETE (WHERE with sublinks, USING, RETURNING, under hard_delete),
UPDATE (of data, FROM another table, and of the flag itself with now() or a
stamp of the application's), INSERT (ON CONFLICT DO NOTHING, and DO UPDATE
on the key over live rows), MERGE (DELETE and UPDATE actions), a
data-modifying WITH, softdelete.restore, softdelete.purge; in transactions of one or more
statements with a savepoint before each, committed or rolled back, under
include_deleted off, on and 'only'.  After each statement: the command's
row count, the RETURNING rows, the error (by SQLSTATE class), and every
table's rows (id, value, trigger counter, deleted or not, and the stamps up
to their order) must agree.

    write_fuzz.py --setup ...            load both schemas (empty database)
    write_fuzz.py --seed N --count M     M statements from seed N; exit 1 on a finding
    write_fuzz.py --check-sensitivity    the comparison can fail: with schema e
                                         not enabled, states must differ

Connection: --host, --port, --dbname.  Findings: --findings (JSON lines).
"""
import argparse
import json
import random
import sys

import psycopg2

FLAG = {'p': 'deleted_at', 'c': 'deleted_at', 'r': 'deleted_at', 'd': 'deleted_at',
        't': 'deleted_at', 'u': 'deleted_at', 'pt': 'deleted_at', 'b': 'gone'}
ARCHIVE = 'a'
TABLES = list(FLAG) + [ARCHIVE]
# ON DELETE CASCADE children of a table: (child, key column)
CASCADE = {'p': [('c', 'pid'), ('d', 'pid')], 't': [('t', 'parent')]}
RESTRICT = {'p': [('r', 'pid')]}
# the table a row's key references: table -> (parent, key column)
PARENT = {'c': ('p', 'pid'), 'r': ('p', 'pid'), 'd': ('p', 'pid'), 't': ('t', 'parent')}


def schema_sql(s):
    return """
CREATE SCHEMA {s};
CREATE TABLE {s}.p (id int PRIMARY KEY, v int NOT NULL DEFAULT 0, n int NOT NULL DEFAULT 0,
    deleted_at timestamptz);
CREATE TABLE {s}.c (id int PRIMARY KEY, pid int REFERENCES {s}.p ON DELETE CASCADE,
    v int NOT NULL DEFAULT 0, deleted_at timestamptz);
CREATE TABLE {s}.r (id int PRIMARY KEY, pid int REFERENCES {s}.p ON DELETE RESTRICT,
    v int NOT NULL DEFAULT 0, deleted_at timestamptz);
CREATE TABLE {s}.d (id int PRIMARY KEY,
    pid int REFERENCES {s}.p ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    v int NOT NULL DEFAULT 0, deleted_at timestamptz);
CREATE TABLE {s}.t (id int PRIMARY KEY, parent int REFERENCES {s}.t ON DELETE CASCADE,
    v int NOT NULL DEFAULT 0, deleted_at timestamptz);
CREATE TABLE {s}.b (id int PRIMARY KEY, v int NOT NULL DEFAULT 0, gone boolean NOT NULL DEFAULT false);
CREATE TABLE {s}.u (id int PRIMARY KEY, code int NOT NULL, v int NOT NULL DEFAULT 0,
    deleted_at timestamptz);
CREATE TABLE {s}.pt (id int PRIMARY KEY, v int NOT NULL DEFAULT 0, deleted_at timestamptz)
    PARTITION BY RANGE (id);
CREATE TABLE {s}.pt1 PARTITION OF {s}.pt FOR VALUES FROM (0) TO (10);
CREATE TABLE {s}.pt2 PARTITION OF {s}.pt FOR VALUES FROM (10) TO (1000);
CREATE TABLE {s}.a (id int PRIMARY KEY, v int NOT NULL DEFAULT 0);
CREATE FUNCTION {s}.bump() RETURNS trigger LANGUAGE plpgsql AS
    'BEGIN NEW.n := OLD.n + 1; RETURN NEW; END';
CREATE TRIGGER bump BEFORE UPDATE ON {s}.p FOR EACH ROW EXECUTE FUNCTION {s}.bump();
INSERT INTO {s}.p (id, v) SELECT g, g % 3 FROM generate_series(1, 8) g;
INSERT INTO {s}.c (id, pid, v) SELECT g, g % 8 + 1, g % 4 FROM generate_series(1, 16) g;
INSERT INTO {s}.r (id, pid, v) SELECT g, g * 3 % 8 + 1, g % 2 FROM generate_series(1, 4) g;
INSERT INTO {s}.d (id, pid, v) SELECT g, g % 5 + 1, g % 3 FROM generate_series(1, 6) g;
INSERT INTO {s}.t (id, parent, v) SELECT g, CASE WHEN g > 2 THEN g / 2 END, g % 3
    FROM generate_series(1, 12) g;
INSERT INTO {s}.b (id, v) SELECT g, g % 4 FROM generate_series(1, 8) g;
INSERT INTO {s}.u (id, code, v) SELECT g, g, g % 2 FROM generate_series(1, 8) g;
INSERT INTO {s}.pt (id, v) SELECT g * 3, g % 3 FROM generate_series(1, 8) g;
INSERT INTO {s}.a (id, v) SELECT g, g % 5 FROM generate_series(1, 8) g;
""".format(s=s)


ENABLE = """
ALTER TABLE e.u ADD CONSTRAINT u_code_key UNIQUE (code);
SELECT softdelete.enable('e.c'), softdelete.enable('e.r'), softdelete.enable('e.d'),
       softdelete.enable('e.p'), softdelete.enable('e.t'), softdelete.enable('e.b', 'gone'),
       softdelete.enable('e.u', replace_unique => true), softdelete.enable('e.pt');
SELECT softdelete.enable_archive('e.a', versions => true);
"""
HAND = """
CREATE UNIQUE INDEX u_code_live ON h.u (code) WHERE deleted_at IS NULL;
CREATE TABLE h.a_archive (archive_id bigserial PRIMARY KEY, id int, v int, archive_op text);
"""


class Simulated(Exception):
    """An error the hand-written side raises for what the server refuses."""
    def __init__(self, code, what):
        super().__init__(what)
        self.pgcode = code


class Hand:
    """The statements of schema h that stand for one statement of schema e."""
    def __init__(self, cur):
        self.cur = cur
        self.mode = 'off'

    def q(self, sql, args=None):
        self.cur.execute(sql, args)
        return self.cur.fetchall() if self.cur.description else []

    def live(self, x, alias=None):
        col = (alias + '.' if alias else '') + FLAG[x]
        return ('NOT %s' % col) if x == 'b' else ('%s IS NULL' % col)

    def deleted(self, x, alias=None):
        col = (alias + '.' if alias else '') + FLAG[x]
        return col if x == 'b' else ('%s IS NOT NULL' % col)

    def seen(self, x, alias=None):
        """What a read of table x sees under include_deleted (a condition)."""
        if x == ARCHIVE or self.mode == 'on':
            return 'true'
        return self.live(x, alias) if self.mode == 'off' else self.deleted(x, alias)

    def pred(self, p):
        """A predicate template: its sublinks read tables as the session does."""
        return p.format(**{'live_%s' % x: self.seen(x) for x in FLAG})

    def stamp_set(self, x, stamp):
        return 'gone = true' if x == 'b' else ('%s = %s' % (FLAG[x], stamp))

    # ---- soft deletes, their cascades and restrictions ----
    def soft_delete(self, x, where, stamp='now()'):
        rows = self.q('UPDATE %s SET %s WHERE (%s) AND %s RETURNING id'
                      % (x, self.stamp_set(x, stamp), where, self.live(x)))
        return [r[0] for r in rows]

    def follow(self, x, ids, stamp):
        """The cascades of a soft delete of rows ids of x, with their stamp."""
        todo = [(x, ids, stamp)]
        deleted = []
        while todo:
            tab, keys, st = todo.pop()
            if not keys:
                continue
            deleted.append((tab, keys))
            for child, col in CASCADE.get(tab, []):
                kids = self.q('UPDATE %s SET %s WHERE %s = ANY(%%s) AND %s RETURNING id'
                              % (child, self.stamp_set(child, st), col, self.live(child)),
                              (keys,))
                todo.append((child, [k[0] for k in kids], st))
        for tab, keys in deleted:
            for child, col in RESTRICT.get(tab, []):
                if self.q('SELECT 1 FROM %s WHERE %s = ANY(%%s) AND %s LIMIT 1'
                          % (child, col, self.live(child)), (keys,)):
                    raise Simulated('23503', 'restricted by %s' % child)

    def delete(self, x, where, hard):
        where = self.pred(where)
        if x == ARCHIVE:
            if hard:
                return [r[0] for r in self.q('DELETE FROM a WHERE %s RETURNING id' % where)]
            rows = self.q('DELETE FROM a WHERE %s RETURNING id, v' % where)
            for i, v in rows:
                self.q("INSERT INTO a_archive (id, v, archive_op) VALUES (%s, %s, 'delete')", (i, v))
            return [r[0] for r in rows]
        if hard:
            return [r[0] for r in self.q('DELETE FROM %s WHERE (%s) AND %s RETURNING id'
                                         % (x, where, self.seen(x)))]
        if self.mode == 'only':
            return []
        ids = self.soft_delete(x, where)
        self.follow(x, ids, 'now()')
        return ids

    def flag_update(self, x, where, stamp):
        """UPDATE x SET flag = stamp: a soft delete written by the application."""
        where = self.pred(where)
        was_live = set(r[0] for r in self.q('SELECT id FROM %s WHERE %s' % (x, self.live(x))))
        rows = [r[0] for r in self.q('UPDATE %s SET %s WHERE (%s) AND %s RETURNING id'
                                     % (x, self.stamp_set(x, stamp), where, self.seen(x)))]
        # only the rows that went from live to deleted cascade
        self.follow(x, [i for i in rows if i in was_live], stamp)
        return rows

    def update(self, x, setv, where):
        where = self.pred(where)
        if x == ARCHIVE:
            old = self.q('SELECT id, v FROM a WHERE %s ORDER BY id FOR UPDATE' % where)
            rows = self.q('UPDATE a SET v = %s WHERE %s RETURNING id' % (setv, where))
            for i, v in old:
                self.q("INSERT INTO a_archive (id, v, archive_op) VALUES (%s, %s, 'update')", (i, v))
            return [r[0] for r in rows]
        return [r[0] for r in self.q('UPDATE %s SET v = %s WHERE (%s) AND %s RETURNING id'
                                     % (x, setv, where, self.seen(x)))]

    def insert(self, x, vals, nothing):
        cols = {'p': '(id, v)', 'c': '(id, pid, v)', 'r': '(id, pid, v)', 'd': '(id, pid, v)',
                't': '(id, parent, v)', 'b': '(id, v)', 'u': '(id, code, v)', 'pt': '(id, v)',
                'a': '(id, v)'}[x]
        if nothing and self.q('SELECT 1 FROM %s WHERE id = %%s' % x, (vals[0],)):
            return []
        # (a row of t may reference itself: the check sees it)
        if x in PARENT and vals[1] is not None and not (x == 't' and vals[1] == vals[0]):
            par, _ = PARENT[x]
            if not self.q('SELECT 1 FROM %s WHERE id = %%s AND %s' % (par, self.live(par)),
                          (vals[1],)):
                raise Simulated('23503', 'references a deleted or missing row')
        return [r[0] for r in self.q('INSERT INTO %s %s VALUES (%s) RETURNING id'
                                     % (x, cols, ', '.join(['%s'] * len(vals))), vals)]

    def cte(self, where):
        """WITH x AS (DELETE FROM p ...) UPDATE c ... WHERE pid IN (SELECT id FROM x)."""
        where = self.pred(where)
        ids = [] if self.mode == 'only' else self.soft_delete('p', where)
        rows = self.q('UPDATE c SET v = v + 1 WHERE pid = ANY(%%s) AND %s RETURNING id'
                      % self.seen('c'), (ids,))
        self.follow('p', ids, 'now()')
        return [r[0] for r in rows]

    def delete_using(self, v):
        """DELETE FROM p USING c WHERE c.pid = p.id AND c.v = v."""
        return self.delete('p', 'id IN (SELECT pid FROM c WHERE v = %d AND {live_c})' % v, False)

    def update_from(self, v):
        """UPDATE c SET v = c.v + 1 FROM p WHERE p.id = c.pid AND p.v = v."""
        return [r[0] for r in self.q('UPDATE c SET v = v + 1 WHERE pid IN (SELECT id FROM p '
                                     'WHERE v = %d AND %s) AND %s RETURNING id'
                                     % (v, self.seen('p'), self.seen('c')))]

    def merge(self, v):
        """MERGE INTO c USING (p rows of value v) ON c.pid = p.id: DELETE when c.v > 1,
        else UPDATE; a row count (a deleted row matched under include_deleted
        counts, its stamp kept)."""
        rows = self.q('SELECT id, v, deleted_at IS NULL FROM c WHERE pid IN (SELECT id FROM p '
                      'WHERE v = %d AND %s) AND %s' % (v, self.seen('p'), self.seen('c')))
        for i, cv, live in rows:
            if cv > 1:
                if live:
                    self.q('UPDATE c SET deleted_at = now() WHERE id = %s', (i,))
            else:
                self.q('UPDATE c SET v = v + 1 WHERE id = %s', (i,))
        return len(rows)

    def upsert(self, i, code):
        """INSERT INTO u ... ON CONFLICT (code) DO UPDATE: the key over live rows."""
        return [r[0] for r in self.q('INSERT INTO u (id, code, v) VALUES (%s, %s, 1) '
                                     'ON CONFLICT (code) WHERE deleted_at IS NULL '
                                     'DO UPDATE SET v = u.v + 10 RETURNING id', (i, code))]

    def restore(self, x, where):
        if x == ARCHIVE:
            picked = self.q("SELECT DISTINCT ON (id) archive_id, id, v FROM a_archive "
                            "WHERE archive_op = 'delete' ORDER BY id, archive_id DESC")
            picked = [p for p in picked if self.q('SELECT (%s) FROM (SELECT %%s AS id, %%s AS v) x'
                                                  % where, (p[1], p[2]))[0][0]]
            for aid, i, v in picked:
                if self.q('SELECT 1 FROM a WHERE id = %s', (i,)):
                    raise Simulated('23505', 'key taken')
            for aid, i, v in picked:
                self.q("UPDATE a_archive SET archive_op = 'restored' WHERE archive_id = %s", (aid,))
                self.q('INSERT INTO a (id, v) VALUES (%s, %s)', (i, v))
            return len(picked)
        rows = self.q('SELECT id, %s FROM %s WHERE %s AND (%s)'
                      % (FLAG[x], x, self.deleted(x), where))
        ids = [r[0] for r in rows]
        self.q('UPDATE %s SET %s WHERE id = ANY(%%s)'
               % (x, 'gone = false' if x == 'b' else FLAG[x] + ' = NULL'), (ids,))
        # the rows deleted with them come back
        todo = [(x, r[0], r[1]) for r in rows]
        while todo:
            tab, key, st = todo.pop()
            if tab == 'b':
                continue
            for child, col in CASCADE.get(tab, []):
                kids = self.q('UPDATE %s SET deleted_at = NULL WHERE %s = %%s AND deleted_at = %%s '
                              'RETURNING id, %%s::timestamptz' % (child, col), (key, st, st))
                todo.extend((child, k[0], k[1]) for k in kids)
        # a restored row must not reference a deleted one
        for tab in [x] + [c for c, _ in CASCADE.get(x, [])]:
            if tab in PARENT:
                par, col = PARENT[tab]
                if self.q('SELECT 1 FROM %s k JOIN %s q ON q.id = k.%s WHERE %s AND %s LIMIT 1'
                          % (tab, par, col, self.live(tab, 'k'), self.deleted(par, 'q'))):
                    raise Simulated('23503', 'restored under a deleted row')
        return len(ids)

    def purge(self, x):
        if x == ARCHIVE:
            return len(self.q('DELETE FROM a_archive RETURNING 1'))
        return len(self.q('DELETE FROM %s WHERE %s RETURNING 1' % (x, self.deleted(x))))


PREDS = ['mod(id, 3) = 1', 'id < 4', 'id > 5', 'v = 1', 'mod(id, 2) = 0 AND v < 2', 'true',
         'id IN (SELECT pid FROM c WHERE v > 1 AND {live_c})',
         'EXISTS (SELECT 1 FROM r WHERE r.pid = p.id AND {live_r})']
SIMPLE = ['mod(id, 3) = 1', 'id < 4', 'id > 5', 'v = 1', 'true', 'id = 2']


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.next_id = 100

    def ch(self, xs):
        return self.r.choice(xs)

    def statement(self):
        """(kind, args, sql on schema e)"""
        k = self.r.random()
        x = self.ch(TABLES)
        if k < 0.25:
            pred = self.ch(PREDS if x == 'p' else SIMPLE)
            hard = self.r.random() < 0.08
            e_pred = pred.format(**{'live_%s' % t: 'true' for t in FLAG})
            return ('delete', (x, pred, hard), 'DELETE FROM %s WHERE %s RETURNING id'
                    % (x, e_pred))
        if k < 0.40:
            pred = self.ch(SIMPLE)
            setv = self.ch(['v + 1', '0', 'v * 2'])
            return ('update', (x, setv, pred), 'UPDATE %s SET v = %s WHERE %s RETURNING id'
                    % (x, setv, pred))
        if k < 0.48 and x in FLAG and x != 'b':
            pred = self.ch(SIMPLE)
            stamp = self.ch(['now()', "'2020-06-06 10:00+00'", "'2021-01-01 00:00+00'"])
            return ('flag', (x, pred, stamp), 'UPDATE %s SET %s = %s WHERE %s RETURNING id'
                    % (x, FLAG[x], stamp, pred))
        if k < 0.66:
            nothing = self.r.random() < 0.3
            i = self.r.randint(1, 12) if self.r.random() < 0.3 else self.next_id
            self.next_id += 1
            ref = self.r.randint(1, 9)
            if x == 'pt':
                i = i % 999
            vals = {'p': (i, 1), 'c': (i, ref, 1), 'r': (i, ref, 1), 'd': (i, ref, 1),
                    't': (i, self.r.randint(1, 12), 1), 'b': (i, 1),
                    'u': (i, self.r.randint(1, 10), 1), 'pt': (i, 1), 'a': (i, 1)}[x]
            return ('insert', (x, vals, nothing), None)
        if k < 0.72:
            pred = self.ch(PREDS)
            e_pred = pred.format(**{'live_%s' % t: 'true' for t in FLAG})
            return ('cte', (pred,), 'WITH x AS (DELETE FROM p WHERE %s RETURNING id) '
                    'UPDATE c SET v = v + 1 WHERE pid IN (SELECT id FROM x) RETURNING id'
                    % e_pred)
        if k < 0.78:
            v = self.r.randint(0, 3)
            w = self.ch(['using', 'updfrom', 'merge', 'upsert'])
            if w == 'using':
                return ('using', (v,), 'DELETE FROM p USING c WHERE c.pid = p.id AND c.v = %d '
                        'RETURNING p.id' % v)
            if w == 'updfrom':
                return ('updfrom', (v,), 'UPDATE c SET v = c.v + 1 FROM p WHERE p.id = c.pid '
                        'AND p.v = %d RETURNING c.id' % v)
            if w == 'merge':
                return ('merge', (v,), 'MERGE INTO c USING (SELECT id FROM p WHERE v = %d) s '
                        'ON c.pid = s.id WHEN MATCHED AND c.v > 1 THEN DELETE '
                        'WHEN MATCHED THEN UPDATE SET v = c.v + 1' % v)
            i = self.r.randint(1, 12) if self.r.random() < 0.3 else self.next_id
            self.next_id += 1
            code = self.r.randint(1, 12)
            return ('upsert', (i, code), 'INSERT INTO u (id, code, v) VALUES (%d, %d, 1) '
                    'ON CONFLICT (code) DO UPDATE SET v = u.v + 10 RETURNING id' % (i, code))
        if k < 0.92:
            pred = self.ch(SIMPLE)
            return ('restore', (x, pred), 'SELECT softdelete.restore(%%s, %%s)')
        return ('purge', (x,), 'SELECT softdelete.purge(%s)')


def connect(a):
    conn = psycopg2.connect(host=a.host, port=a.port, dbname=a.dbname)
    conn.autocommit = True
    return conn


def state(cur):
    """Every table's rows, the stamps replaced by their rank."""
    out = {}
    stamps = set()
    for x in TABLES:
        if x == ARCHIVE:
            cur.execute('SET LOCAL softdelete.include_deleted = on')
            cur.execute('SELECT id, v FROM a ORDER BY id')
            out['a'] = cur.fetchall()
            cur.execute('SELECT id, v, archive_op FROM a_archive ORDER BY 1, 2, 3')
            out['a_archive'] = cur.fetchall()
            continue
        cur.execute('SET LOCAL softdelete.include_deleted = on')
        extra = ', n' if x == 'p' else ''
        cur.execute('SELECT id, v%s, %s FROM %s ORDER BY id' % (extra, FLAG[x], x))
        rows = cur.fetchall()
        out[x] = rows
        if x != 'b':
            stamps.update(r[-1] for r in rows if r[-1] is not None)
    rank = {s: i for i, s in enumerate(sorted(stamps))}
    for x in FLAG:
        if x != 'b':
            out[x] = [tuple(r[:-1]) + (rank.get(r[-1]),) for r in out[x]]
    return {k: [list(r) for r in v] for k, v in out.items()}


def run(a, enabled=True):
    e_conn, h_conn = connect(a), connect(a)
    ec, hc = e_conn.cursor(), h_conn.cursor()
    ec.execute('SET search_path = e, public')
    hc.execute('SET search_path = h, public')
    hc.execute('SET softdelete.include_deleted = on')	# the hand side is plain SQL
    hand = Hand(hc)
    g = Gen(a.seed)
    findings = 0
    n = 0
    stats = {}
    out = open(a.findings, 'a') if a.findings else None

    def attempt(cur, fn):
        cur.execute('SAVEPOINT s')
        try:
            res = fn()
            cur.execute('RELEASE SAVEPOINT s')
            return ('ok', res)
        except (psycopg2.Error, Simulated) as err:
            cur.execute('ROLLBACK TO SAVEPOINT s')
            return ('error', (getattr(err, 'pgcode', None) or '??')[:2])

    while n < a.count:
        length = 1 if g.r.random() < 0.5 else g.r.randint(2, 6)
        ec.execute('BEGIN')
        hc.execute('BEGIN')
        log = []
        for _ in range(length):
            n += 1
            kind, args, sql = g.statement()
            mode = g.ch(['off'] * 6 + ['on', 'only'])
            hard = kind == 'delete' and args[2]
            ec.execute("SET LOCAL softdelete.include_deleted = '%s'" % mode)
            ec.execute('SET LOCAL softdelete.hard_delete = %s' % ('on' if hard else 'off'))
            hand.mode = mode
            if kind in ('delete', 'update', 'flag', 'cte', 'using', 'updfrom', 'upsert'):
                def e_fn():
                    ec.execute(sql)
                    # DELETE USING returns a parent once per matching child
                    return sorted(set(r[0] for r in ec.fetchall())) if kind == 'using' else \
                        sorted(r[0] for r in ec.fetchall())
            elif kind == 'merge':
                def e_fn():
                    ec.execute(sql)
                    return ec.rowcount
            elif kind == 'insert':
                x, vals, nothing = args
                if x == 'd':
                    # a deferred key: its new reference is checked at commit
                    # (end of statement on 19): the test keeps to live parents
                    live = [r[0] for r in hand.q('SELECT id FROM p WHERE deleted_at IS NULL ORDER BY id')]
                    if not live:
                        continue
                    vals = (vals[0], g.ch(live), vals[2])
                    args = (x, vals, nothing)
                cols = {'p': '(id, v)', 'c': '(id, pid, v)', 'r': '(id, pid, v)',
                        'd': '(id, pid, v)', 't': '(id, parent, v)', 'b': '(id, v)',
                        'u': '(id, code, v)', 'pt': '(id, v)', 'a': '(id, v)'}[x]
                e_sql = 'INSERT INTO %s %s VALUES (%s)%s RETURNING id' % (
                    x, cols, ', '.join(['%s'] * len(vals)),
                    ' ON CONFLICT (id) DO NOTHING' if nothing else '')
                sql = e_sql % tuple(vals)

                def e_fn():
                    ec.execute(e_sql, vals)
                    return sorted(r[0] for r in ec.fetchall())
            elif kind == 'restore':
                sql = "SELECT softdelete.restore('%s', '%s')" % (args[0], args[1])

                def e_fn():
                    ec.execute('SELECT softdelete.restore(%s, %s)', (args[0], args[1]))
                    return ec.fetchone()[0]
            else:
                sql = "SELECT softdelete.purge('%s')" % args[0]

                def e_fn():
                    ec.execute('SELECT softdelete.purge(%s)', (args[0],))
                    return ec.fetchone()[0]

            def h_fn():
                if kind == 'delete':
                    return sorted(hand.delete(*args))
                if kind == 'update':
                    return sorted(hand.update(*args))
                if kind == 'flag':
                    return sorted(hand.flag_update(*args))
                if kind == 'cte':
                    return sorted(hand.cte(*args))
                if kind == 'using':
                    return sorted(hand.delete_using(*args))
                if kind == 'updfrom':
                    return sorted(hand.update_from(*args))
                if kind == 'merge':
                    return hand.merge(*args)
                if kind == 'upsert':
                    return sorted(hand.upsert(*args))
                if kind == 'insert':
                    return sorted(hand.insert(*args))
                if kind == 'restore':
                    return hand.restore(args[0], args[1])
                return hand.purge(*args)

            er = attempt(ec, e_fn)
            hr = attempt(hc, h_fn)
            key = '%s %s' % (kind, er[0])
            stats[key] = stats.get(key, 0) + 1
            es, hs = state(ec), state(hc)
            step = {'sql': sql, 'mode': mode, 'hard': hard, 'e': er, 'h': hr}
            log.append(step)
            if er != hr or (enabled and es != hs) or (not enabled and (er != hr or es != hs)):
                findings += 1
                if out:
                    diff = {k: {'e': es.get(k), 'h': hs.get(k)} for k in es if es.get(k) != hs.get(k)}
                    out.write(json.dumps({'seed': a.seed, 'n': n, 'transaction': log,
                                          'tables': diff}, default=str) + '\n')
                    out.flush()
                if enabled and findings <= 5:
                    print('finding at statement %d: %s (%s): e %s, h %s'
                          % (n, sql, mode, er, hr), file=sys.stderr)
                # the two sides are no longer comparable: start again from here
                ec.execute('ROLLBACK')
                hc.execute('ROLLBACK')
                break
        else:
            end = g.ch(['COMMIT'] * 3 + ['ROLLBACK'])
            eok = hok = 'ok'
            try:
                ec.execute(end)
            except psycopg2.Error as err:
                eok = err.pgcode[:2]
            try:
                hc.execute(end)
            except psycopg2.Error as err:
                hok = err.pgcode[:2]
            if eok != hok:
                findings += 1
                if out:
                    out.write(json.dumps({'seed': a.seed, 'n': n, 'transaction': log,
                                          'commit': [eok, hok]}, default=str) + '\n')
                print('finding at the end of a transaction: %s: e %s, h %s'
                      % (end, eok, hok), file=sys.stderr)
                if enabled:
                    break
            if a.reset_every and n % a.reset_every < length:
                pass
    if a.stats:
        print(' '.join('%s:%d' % kv for kv in sorted(stats.items())))
    return findings, n


def setup(a, enabled=True):
    conn = connect(a)
    cur = conn.cursor()
    cur.execute('DROP SCHEMA IF EXISTS e CASCADE; DROP SCHEMA IF EXISTS h CASCADE')
    cur.execute('CREATE EXTENSION IF NOT EXISTS softdelete')
    cur.execute(schema_sql('e'))
    cur.execute(schema_sql('h'))
    cur.execute(HAND)
    if enabled:
        cur.execute(ENABLE)
    else:
        # the same archive table, filled by nothing
        cur.execute('CREATE TABLE e.a_archive (archive_id bigserial PRIMARY KEY, id int, v int, '
                    'archive_op text)')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--host')
    ap.add_argument('--port')
    ap.add_argument('--dbname', default='postgres')
    ap.add_argument('--setup', action='store_true')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--count', type=int, default=1000)
    ap.add_argument('--findings')
    ap.add_argument('--reset-every', type=int, default=0)
    ap.add_argument('--stats', action='store_true', help='print what ran, by kind and outcome')
    ap.add_argument('--check-sensitivity', action='store_true')
    a = ap.parse_args()
    if a.setup:
        setup(a)
        return 0
    if a.check_sensitivity:
        setup(a, enabled=False)
        findings, n = run(a, enabled=False)
        setup(a)
        print('write fuzz: with schema e not enabled, %d of %d statements differ' % (findings, n))
        return 0 if findings > 0 else 1
    findings, n = run(a)
    print('write fuzz: seed %d, %d statements, %d findings' % (a.seed, n, findings))
    return 1 if findings else 0


if __name__ == '__main__':
    sys.exit(main())
