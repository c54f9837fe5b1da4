#!/usr/bin/env python3
"""Differential query fuzzer for softdelete (issue 6).

Random SELECTs over a schema of enabled tables (schema public: plain tables, a
partitioned table with a partition attached after enabling and a different
column order, an inheritance tree, a view, SQL functions) run twice: once on
the enabled tables, once on copies in schema live that hold only the live
rows, under the same unqualified names.  The answers must be equal as
multisets; an error on one side only, or a server crash, is a finding too.
Shapes: nested inner / LEFT / RIGHT / FULL / CROSS joins, self-joins, LATERAL,
subqueries in FROM, correlated and uncorrelated sublinks (EXISTS, IN, ANY,
ALL, scalar), CTEs (recursive, MATERIALIZED or not), set operations,
aggregates, GROUP BY / HAVING, window functions, DISTINCT, ORDER BY / LIMIT,
written-in "deleted_at IS [NOT] NULL" conditions; random planner settings,
the same on both sides.

    fuzz.py --setup ...            load the schema (into an empty database)
    fuzz.py --seed N --count M     run M queries from seed N; exit 1 on a finding
    fuzz.py --check-sensitivity    show that the comparison can fail: with the
                                   filter off, answers must differ

Connection: --host, --port, --dbname (psql is run as the current user).
Findings go to --findings (JSON lines: the query, the settings, both answers).
"""
import argparse
import json
import random
import subprocess
import sys

TABLES = {
    'a': (['id', 'k', 'parent', 'v'], True),
    'b': (['id', 'k', 'w'], True),
    'c': (['id', 'k', 'x'], True),
    'p': (['id', 'k', 'y'], True),
    'p1': (['id', 'k', 'y'], True),
    'p2': (['id', 'k', 'y'], True),
    'p3': (['id', 'k', 'y'], True),
    'v': (['id', 'k', 'w', 'bid'], False),
    'ip': (['id', 'k'], True),
    'ic': (['id', 'k', 'extra'], True),
}
TW = {'a': 4, 'b': 4, 'c': 3, 'p': 3, 'p1': 1, 'p2': 1, 'p3': 1, 'v': 2, 'ip': 1, 'ic': 1}


class G:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.n = 0
    def alias(self):
        self.n += 1
        return 't%d' % self.n
    def ch(self, xs):
        return self.r.choice(xs)
    def p(self, x):
        return self.r.random() < x

    # ---- expressions ----
    def colref(self, scope):
        al, cols, _ = self.ch(scope)
        return '%s.%s' % (al, self.ch(cols))

    def const(self):
        return str(self.r.randint(0, 8))

    def expr(self, scope, depth, outer):
        x = self.r.random()
        if not scope or x < 0.1:
            return self.const()
        if x < 0.75:
            return self.colref(scope)
        if x < 0.85:
            return 'coalesce(%s, %s)' % (self.colref(scope), self.const())
        if x < 0.92:
            return '(%s + %s)' % (self.colref(scope), self.const())
        if depth > 0:
            # scalar sublink, aggregate so at most one row, possibly correlated
            sq, _ = self.simple_sub(scope + outer, depth - 1, agg=True)
            return '(%s)' % sq
        return self.colref(scope)

    def pred(self, scope, depth, outer, allow_sublink=True):
        x = self.r.random()
        if x < 0.12 and depth > 0:
            return '(%s %s %s)' % (self.pred(scope, depth - 1, outer, allow_sublink), self.ch(['AND', 'OR']),
                                   self.pred(scope, depth - 1, outer, allow_sublink))
        if x < 0.16 and depth > 0:
            return 'NOT (%s)' % self.pred(scope, depth - 1, outer, allow_sublink)
        if x < 0.26:
            fl = [s for s in scope if s[2]]
            if fl:
                al = self.ch(fl)[0]
                return '%s.deleted_at IS %sNULL' % (al, self.ch(['', '', '', 'NOT ']))
        if x < 0.33:
            return '%s IS %sNULL' % (self.colref(scope), self.ch(['', 'NOT ']))
        if allow_sublink and depth > 0 and x < 0.55:
            kind = self.ch(['EXISTS', 'NOT EXISTS', 'IN', 'NOT IN', 'ANY', 'ALL'])
            if kind in ('EXISTS', 'NOT EXISTS'):
                sq, _ = self.simple_sub(scope + outer, depth - 1, corr=True)
                return '%s (%s)' % (kind, sq)
            sq, _ = self.simple_sub(scope + outer, depth - 1, one=True)
            e = self.expr(scope, 0, outer)
            if kind in ('IN', 'NOT IN'):
                return '%s %s (%s)' % (e, kind, sq)
            return '%s %s %s (%s)' % (e, self.ch(['=', '<', '>', '<>']), kind, sq)
        op = self.ch(['=', '=', '=', '<', '>', '<>', '<=', 'IS DISTINCT FROM', 'IS NOT DISTINCT FROM'])
        return '%s %s %s' % (self.expr(scope, depth, outer), op, self.expr(scope, depth, outer))

    # ---- from items ----
    def base_item(self, depth, outer, ctes, lateral_scope):
        x = self.r.random()
        al = self.alias()
        if ctes and x < 0.15:
            name, cols = self.ch(ctes)
            return '%s %s' % (name, al), [(al, cols, False)]
        if x < 0.22:
            return 'f(%s) %s' % (self.const(), al), [(al, ['id', 'k', 'w'], True)]
        if x < 0.27:
            return 'g(%s) %s' % (self.const(), al), [(al, ['id', 'k'], False)]
        if depth > 0 and x < 0.42:
            lat = lateral_scope and self.p(0.4)
            sq, n = self.select(depth - 1, outer + (lateral_scope if lat else []), ctes)
            cols = ['c%d' % i for i in range(n)]
            return '%s(%s) %s(%s)' % ('LATERAL ' if lat else '', sq, al, ', '.join(cols)), [(al, cols, False)]
        names = list(TW)
        t = self.r.choices(names, weights=[TW[n] for n in names])[0]
        cols, fl = TABLES[t]
        only = 'ONLY ' if t in ('p', 'ip') and self.p(0.2) else ''
        return '%s%s %s' % (only, t, al), [(al, cols, fl)]

    def join_tree(self, depth, outer, ctes, size, lateral_scope=None):
        if size <= 1:
            return self.base_item(depth, outer, ctes, lateral_scope or [])
        ls = self.r.randint(1, size - 1)
        lsql, lsc = self.join_tree(depth, outer, ctes, ls, lateral_scope)
        jt = self.ch(['JOIN', 'JOIN', 'LEFT JOIN', 'LEFT JOIN', 'LEFT JOIN', 'RIGHT JOIN', 'RIGHT JOIN', 'FULL JOIN', 'FULL JOIN', 'CROSS JOIN'])
        # lateral only valid for inner/left joins
        lat = (lateral_scope or []) + lsc if jt in ('JOIN', 'LEFT JOIN', 'CROSS JOIN') else None
        rsql, rsc = self.join_tree(depth, outer, ctes, size - ls, lat)
        if size - ls > 1:
            rsql = '(%s)' % rsql
        sc = lsc + rsc
        if jt == 'CROSS JOIN':
            return '%s CROSS JOIN %s' % (lsql, rsql), sc
        if jt == 'FULL JOIN':
            # hash/merge joinable: equality conjuncts between sides
            conds = ['%s = %s' % (self.colref(lsc), self.colref(rsc))]
            if self.p(0.3):
                conds.append('%s = %s' % (self.colref(lsc), self.colref(rsc)))
            if self.p(0.3):
                fl = [s for s in sc if s[2]]
                if fl:
                    conds.append('%s.deleted_at IS NULL' % self.ch(fl)[0])
            if self.p(0.2):
                conds.append('%s %s %s' % (self.colref(sc), self.ch(['<', '>', '<>']), self.const()))
            return '%s FULL JOIN %s ON %s' % (lsql, rsql, ' AND '.join(conds)), sc
        conds = ['%s = %s' % (self.colref(lsc), self.colref(rsc))] if self.p(0.85) else []
        for _ in range(self.r.randint(0, 2)):
            conds.append(self.pred(sc, 1, outer, allow_sublink=self.p(0.3)))
        if not conds:
            conds = ['true']
        return '%s %s %s ON %s' % (lsql, jt, rsql, ' AND '.join(conds)), sc

    def from_clause(self, depth, outer, ctes):
        items = []
        scope = []
        for i in range(self.ch([1, 1, 1, 1, 2, 2]) if depth > 0 else self.ch([1, 1, 1, 2])):
            size = self.ch([1, 1, 2, 2, 3, 4]) if depth > 0 and i == 0 else self.ch([1, 1, 2])
            sql, sc = self.join_tree(depth, outer, ctes, size, scope if i > 0 else None)
            items.append(sql)
            scope = scope + sc
        return ', '.join(items), scope

    # ---- selects ----
    def simple_sub(self, outer, depth, agg=False, one=False, corr=False):
        """Sublink body: one column if agg/one."""
        fsql, sc = self.from_clause(depth, outer, self.ctes)
        where = []
        if (corr or self.p(0.5)) and outer:
            where.append('%s = %s' % (self.colref(sc), self.colref(outer)))
        if self.p(0.4):
            where.append(self.pred(sc, depth, outer))
        w = (' WHERE ' + ' AND '.join(where)) if where else ''
        if agg:
            return 'SELECT %s(%s) FROM %s%s' % (self.ch(['max', 'min', 'count', 'sum']), self.colref(sc), fsql, w), 1
        if one:
            return 'SELECT %s FROM %s%s' % (self.colref(sc), fsql, w), 1
        return 'SELECT %s FROM %s%s' % (self.ch(['1', '*', self.colref(sc)]), fsql, w), 1

    def select(self, depth, outer, ctes, ncols=None):
        x = self.r.random()
        if depth > 0 and x < 0.15:
            n = ncols or self.r.randint(1, 3)
            l, _ = self.select(depth - 1, outer, ctes, n)
            rr, _ = self.select(depth - 1, outer, ctes, n)
            op = self.ch(['UNION', 'UNION ALL', 'INTERSECT', 'INTERSECT ALL', 'EXCEPT', 'EXCEPT ALL'])
            return '(%s) %s (%s)' % (l, op, rr), n
        saved = self.ctes
        self.ctes = ctes
        try:
            return self.plain_select(depth, outer, ctes, ncols)
        finally:
            self.ctes = saved

    def plain_select(self, depth, outer, ctes, ncols):
        fsql, sc = self.from_clause(depth, outer, ctes)
        where = ''
        if self.p(0.6):
            where = ' WHERE ' + self.pred(sc, min(depth, 2), outer)
        n = ncols or self.r.randint(1, 4)
        mode = self.r.random()
        if mode < 0.2:
            gcols = [self.colref(sc) for _ in range(self.r.randint(0, 2))]
            outs = list(gcols)
            while len(outs) < n:
                outs.append(self.ch(['count(*)', 'count(%s)' % self.colref(sc), 'sum(%s)' % self.colref(sc),
                                     'min(%s)' % self.colref(sc), 'max(%s)' % self.colref(sc),
                                     'count(DISTINCT %s)' % self.colref(sc)]))
            outs = outs[:n]
            # if gcols truncated, still group by them all (valid)
            s = 'SELECT %s FROM %s%s' % (', '.join(outs), fsql, where)
            if gcols:
                s += ' GROUP BY ' + ', '.join(gcols)
                if self.p(0.3):
                    s += ' HAVING count(*) %s %s' % (self.ch(['>', '>=', '<']), self.r.randint(1, 3))
        elif mode < 0.3:
            outs = [self.expr(sc, depth, outer) for _ in range(n)]
            pc = self.colref(sc)
            oc = self.colref(sc)
            wf = self.ch(['rank() OVER (PARTITION BY %s ORDER BY %s)' % (pc, oc),
                          'dense_rank() OVER (ORDER BY %s)' % oc,
                          'count(*) OVER (PARTITION BY %s)' % pc,
                          'sum(%s) OVER (PARTITION BY %s)' % (oc, pc),
                          'max(%s) OVER ()' % oc])
            outs[-1] = wf
            s = 'SELECT %s FROM %s%s' % (', '.join(outs), fsql, where)
        else:
            outs = [self.expr(sc, depth, outer) for _ in range(n)]
            s = 'SELECT %s%s FROM %s%s' % ('DISTINCT ' if self.p(0.15) else '', ', '.join(outs), fsql, where)
        if self.p(0.15):
            s += ' ORDER BY %s LIMIT %d' % (', '.join(str(i + 1) for i in range(n)), self.r.randint(0, 6))
        return s, n

    def cte_prefix(self, depth):
        ctes = []
        parts = []
        rec = False
        for i in range(self.ch([0, 0, 1, 1, 2])):
            name = 'w%d' % i
            if self.p(0.3):
                rec = True
                v = self.r.randint(0, 3)
                if v == 0:
                    body = ("SELECT id, parent, 0 FROM a WHERE parent IS NULL UNION ALL "
                            "SELECT x.id, x.parent, r.d + 1 FROM a x JOIN %s r ON x.parent = r.id WHERE r.d < 6" % name)
                elif v == 1:
                    body = ("SELECT id, parent, 0 FROM a WHERE %s UNION ALL "
                            "SELECT x.id, x.parent, r.d + 1 FROM %s r JOIN a x ON x.id = r.parent WHERE r.d < 6" %
                            (self.ch(['id > 15', 'k = 2', 'v IS NULL', 'true']), name))
                elif v == 2:
                    body = ("SELECT b.id, b.k, 0 FROM b UNION "
                            "SELECT r.id, c.k, r.d + 1 FROM %s r JOIN c ON c.id = r.parent LEFT JOIN p ON p.k = c.k WHERE r.d < 3" % name)
                else:
                    body = ("SELECT id, parent, 0 FROM a WHERE parent IS NULL UNION ALL "
                            "SELECT x.id, x.parent, r.d + 1 FROM %s r, LATERAL (SELECT * FROM a y WHERE y.parent = r.id "
                            "AND NOT EXISTS (SELECT 1 FROM b WHERE b.id = y.id)) x WHERE r.d < 6" % name)
                parts.append('%s(id, parent, d) AS (%s)' % (name, body))
                ctes.append((name, ['id', 'parent', 'd']))
            else:
                sq, n = self.select(max(depth - 1, 0), [], list(ctes))
                cols = ['c%d' % j for j in range(n)]
                parts.append('%s(%s) AS %s(%s)' % (name, ', '.join(cols), self.ch(['', 'MATERIALIZED ', 'NOT MATERIALIZED ']), sq))
                ctes.append((name, cols))
        if not parts:
            return '', []
        return 'WITH %s%s ' % ('RECURSIVE ' if rec else '', ', '.join(parts)), ctes

    def query(self):
        self.n = 0
        self.ctes = []
        depth = self.ch([1, 2, 2, 3])
        pre, ctes = self.cte_prefix(depth)
        sq, n = self.select(depth, [], ctes)
        if self.p(0.3):
            return 'SELECT count(*), sum(hashtext(z::text)) FROM (%s%s) z' % (pre, sq)
        return pre + sq



def setup_sql():
    """The fuzz schema, deterministic (its own random seed)."""
    r = random.Random(12345)
    out = []
    P = out.append
    P("CREATE EXTENSION IF NOT EXISTS softdelete;")
    P("CREATE TABLE a (id int PRIMARY KEY, k int, parent int, v int);")
    P("CREATE TABLE b (id int PRIMARY KEY, k int, w int);")
    P("CREATE TABLE c (id int, k int, x int);")
    P("CREATE TABLE p (id int, k int, y int) PARTITION BY RANGE (id);")
    P("CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10);")
    P("CREATE TABLE p2 PARTITION OF p FOR VALUES FROM (10) TO (20);")
    # p3: another column order and a dropped column, attached after enable
    P("CREATE TABLE p3 (junk int, y int, deleted_at timestamptz, k int, id int); ALTER TABLE p3 DROP COLUMN junk;")
    P("CREATE TABLE ip (id int, k int); CREATE TABLE ic (extra int) INHERITS (ip);")

    def nk(n, nullp=0.2):
        return 'NULL' if r.random() < nullp else str(r.randint(1, n))
    rows = {}
    rows['a'] = [(i, nk(6), ('NULL' if i <= 3 or r.random() < 0.15 else str(r.randint(1, i - 1))), nk(10, 0.1))
                 for i in range(1, 25)]
    rows['b'] = [(i, nk(6), nk(10, 0.1)) for i in range(1, 21)]
    rows['c'] = [(r.choice(['NULL'] + [str(x) for x in range(1, 9)]), nk(6), nk(10, 0.1)) for i in range(1, 16)]
    rows['p'] = [(i, nk(6), nk(10, 0.1)) for i in range(0, 30) if r.random() < 0.85]
    for t in ['a', 'b', 'c']:
        P("INSERT INTO %s VALUES %s;" % (t, ", ".join("(%s)" % ", ".join(map(str, x)) for x in rows[t])))
    P("INSERT INTO p VALUES %s;" % ", ".join("(%s)" % ", ".join(map(str, x)) for x in rows['p'] if x[0] < 20))
    P("INSERT INTO p3 (id, k, y) VALUES %s;" % ", ".join("(%s)" % ", ".join(map(str, x)) for x in rows['p'] if x[0] >= 20))
    P("INSERT INTO ip VALUES (1, 1), (2, 2), (3, NULL), (4, 4); INSERT INTO ic VALUES (10, 1, 0), (11, 2, 0), (12, NULL, 0), (13, 4, 1);")
    for t in ['a', 'b', 'c', 'p', 'ip']:
        P("SELECT softdelete.enable('%s');" % t)
    P("ALTER TABLE p ATTACH PARTITION p3 FOR VALUES FROM (20) TO (30);")
    # soft-delete about a third
    for t in ['a', 'b', 'p']:
        ids = [x[0] for x in rows[t]]
        P("DELETE FROM %s WHERE id IN (%s);" % (t, ", ".join(str(i) for i in ids if r.random() < 0.34)))
    P("DELETE FROM c WHERE ctid IN (SELECT ctid FROM c ORDER BY ctid OFFSET 1 LIMIT 5);")
    P("DELETE FROM ip WHERE id IN (2, 11, 13);")
    P("SET softdelete.include_deleted = on;")
    P("CREATE SCHEMA live;")
    P("CREATE TABLE live.a AS SELECT * FROM a WHERE deleted_at IS NULL; ALTER TABLE live.a ADD PRIMARY KEY (id);")
    P("CREATE TABLE live.b AS SELECT * FROM b WHERE deleted_at IS NULL; ALTER TABLE live.b ADD PRIMARY KEY (id);")
    P("CREATE TABLE live.c AS SELECT * FROM c WHERE deleted_at IS NULL;")
    P("CREATE TABLE live.p (id int, k int, y int, deleted_at timestamptz) PARTITION BY RANGE (id);")
    P("CREATE TABLE live.p1 PARTITION OF live.p FOR VALUES FROM (0) TO (10);")
    P("CREATE TABLE live.p2 PARTITION OF live.p FOR VALUES FROM (10) TO (20);")
    P("CREATE TABLE live.p3 PARTITION OF live.p FOR VALUES FROM (20) TO (30);")
    P("INSERT INTO live.p SELECT id, k, y, deleted_at FROM p WHERE deleted_at IS NULL;")
    P("CREATE TABLE live.ip (id int, k int, deleted_at timestamptz); CREATE TABLE live.ic (extra int) INHERITS (live.ip);")
    P("INSERT INTO live.ip SELECT id, k, deleted_at FROM ONLY ip WHERE deleted_at IS NULL;")
    P("INSERT INTO live.ic SELECT id, k, deleted_at, extra FROM ic WHERE deleted_at IS NULL;")
    P("RESET softdelete.include_deleted;")
    for s in ['public', 'live']:
        P("SET search_path = %s;" % s)
        P("CREATE VIEW v AS SELECT a.id, a.k, b.w, b.id AS bid FROM a LEFT JOIN b ON a.k = b.k;")
        P("CREATE FUNCTION f(n int) RETURNS SETOF b LANGUAGE sql STABLE AS $$ SELECT * FROM %s.b WHERE k IS DISTINCT FROM n $$;" % s)
        P("CREATE FUNCTION g(n int) RETURNS TABLE(id int, k int) LANGUAGE sql STABLE AS $$ SELECT c.id, c.k FROM %s.c WHERE c.x > n $$;" % s)
    P("RESET search_path;")
    P("ANALYZE;")
    return "\n".join(out) + "\n"


SETTINGS = ['enable_hashjoin', 'enable_mergejoin', 'enable_nestloop', 'enable_seqscan', 'enable_hashagg',
            'enable_material', 'enable_memoize', 'enable_sort', 'enable_indexscan', 'enable_bitmapscan']


class Runner:
    def __init__(self, args):
        self.cmd = ['psql', '-X', '-At', '-F|', '-v', 'ON_ERROR_STOP=0']
        for opt, val in (('-h', args.host), ('-p', args.port), ('-d', args.dbname)):
            if val:
                self.cmd += [opt, str(val)]

    def run(self, sql):
        return subprocess.run(self.cmd, input=sql, capture_output=True, text=True)

    def batch(self, path, queries, prelude):
        """Run queries on search_path path; {index: output lines}, ended normally?"""
        lines = ['SET search_path = %s;' % path, 'SET statement_timeout = 2000;'] + prelude
        for i, q in enumerate(queries):
            lines.append('\\echo @@Q %d' % i)
            lines.append(q + ';')
            lines.append('\\if :ERROR\n\\echo @@ERR :LAST_ERROR_SQLSTATE :LAST_ERROR_MESSAGE\n\\endif')
        lines.append('\\echo @@END')
        p = self.run('\n'.join(lines) + '\n')
        res = {}
        cur = None
        for ln in p.stdout.split('\n'):
            if ln.startswith('@@Q '):
                cur = int(ln[4:])
                res[cur] = []
            elif ln == '@@END':
                cur = None
            elif cur is not None:
                res[cur].append(ln)
        return res, '@@END' in p.stdout, p.stderr


def norm(lines):
    err = [ln for ln in lines if ln.startswith('@@ERR')]
    if err:
        return ('ERR', err[0][:200])
    return ('OK', sorted(ln for ln in lines if ln != ''))


def fuzz(args, runner, prelude_extra=()):
    g = G(args.seed)
    r = random.Random(args.seed + 1)
    stats = {'queries': 0, 'both_error': 0, 'timeout': 0, 'mismatch': 0, 'crash': 0, 'differ': 0}
    findings = open(args.findings, 'a') if args.findings else None
    done = 0
    while done < args.count:
        queries = [g.query() for _ in range(min(args.batch, args.count - done))]
        prelude = ['SET %s = off;' % s for s in SETTINGS if r.random() < 0.15]
        if r.random() < 0.2:
            prelude.append('SET join_collapse_limit = 1; SET from_collapse_limit = 1;')
        if r.random() < 0.1:
            prelude.append('SET force_parallel_mode = on; SET parallel_setup_cost = 0; '
                           'SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;')
        prelude += list(prelude_extra)
        start = 0
        while start < len(queries):
            sub = queries[start:]
            ra, ea, sa = runner.batch('public', sub, prelude)
            rb, eb, sb = runner.batch('live', sub, prelude)
            last = len(sub)
            if not ea or not eb:
                # the server (or psql) died: the last query started is the culprit
                k = min(max(x) if x else 0 for x, e in ((ra, ea), (rb, eb)) if not e)
                stats['crash'] += 1
                rec = {'kind': 'crash', 'query': sub[k], 'settings': prelude,
                       'stderr': (sa if not ea else sb)[-500:]}
                print('CRASH: %s' % json.dumps(rec), file=sys.stderr)
                if findings:
                    findings.write(json.dumps(rec) + '\n')
                last = k
                import time
                time.sleep(3)
            for i in range(last):
                A, B = norm(ra.get(i, [])), norm(rb.get(i, []))
                stats['queries'] += 1
                if A[0] == 'ERR' and B[0] == 'ERR':
                    stats['both_error'] += 1
                    continue
                # a statement timeout on either side decides nothing (the
                # enabled tables hold more rows to filter): not compared
                if any(X[0] == 'ERR' and ' 57014 ' in X[1] for X in (A, B)):
                    stats['timeout'] += 1
                    continue
                if A != B:
                    stats['differ'] += 1
                    if not args.check_sensitivity:
                        stats['mismatch'] += 1
                        rec = {'kind': 'mismatch', 'query': sub[i], 'settings': prelude,
                               'enabled': str(A)[:3000], 'live_copies': str(B)[:3000]}
                        print('MISMATCH: %s' % json.dumps(rec), file=sys.stderr)
                        if findings:
                            findings.write(json.dumps(rec) + '\n')
            start += last + (1 if last < len(sub) else 0)
        done += len(queries)
        if args.verbose:
            print('seed %d: %d queries, %s' % (args.seed, done, stats), file=sys.stderr, flush=True)
    return stats


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--host')
    ap.add_argument('--port')
    ap.add_argument('--dbname')
    ap.add_argument('--setup', action='store_true', help='load the fuzz schema and exit')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--count', type=int, default=1000)
    ap.add_argument('--batch', type=int, default=100)
    ap.add_argument('--findings')
    ap.add_argument('--check-sensitivity', action='store_true',
                    help='run with softdelete.include_deleted = on: the answers must differ often')
    ap.add_argument('--verbose', action='store_true')
    args = ap.parse_args()
    runner = Runner(args)
    if args.setup:
        p = runner.run('\\set ON_ERROR_STOP 1\nSET client_min_messages = warning;\n' + setup_sql())
        if p.returncode != 0:
            print(p.stderr, file=sys.stderr)
            sys.exit(1)
        return
    extra = ['SET softdelete.include_deleted = on;'] if args.check_sensitivity else []
    stats = fuzz(args, runner, extra)
    print(json.dumps(dict(stats, seed=args.seed)))
    if args.check_sensitivity:
        # the filter must matter: a fuzzer whose answers never change checks nothing
        sys.exit(0 if stats['differ'] >= stats['queries'] // 10 else 1)
    sys.exit(1 if stats['mismatch'] or stats['crash'] else 0)


if __name__ == '__main__':
    main()
