#!/usr/bin/env python3
"""File-level call graph of src/*.c: an edge a->b when a function body in a
calls a function (or reads a variable) that only b defines.  Prints edges and
any cycle (strongly connected component of more than one file)."""
import re, sys, glob, os
src = sys.argv[1] if len(sys.argv) > 1 else 'src'
files = sorted(glob.glob(os.path.join(src, '*.c')))
def strip(t):
    t = re.sub(r'/\*.*?\*/', lambda m: '\n' * m.group(0).count('\n'), t, flags=re.S)
    t = re.sub(r'//[^\n]*', '', t)
    t = re.sub(r'"(\\.|[^"\\])*"', '""', t)
    t = re.sub(r"'(\\.|[^'\\])*'", "''", t)
    return t
defs = {}   # name -> file
bodies = {}
for f in files:
    t = strip(open(f).read())
    bodies[f] = t
    # function definitions: identifier( at line start (PG style: type on previous line)
    for m in re.finditer(r'^([A-Za-z_]\w*)\s*\([^;]*?\)\s*\{', t, flags=re.M | re.S):
        defs.setdefault(m.group(1), set()).add(f)
    # global variable definitions (non-static, at top level, with or without init)
    for m in re.finditer(r'^(?!static|extern|typedef|struct|#)[A-Za-z_][\w \t\*]*?\b([A-Za-z_]\w*)\s*(\[[^\]]*\])?\s*(=[^;]*)?;', t, flags=re.M):
        defs.setdefault(m.group(1), set()).add(f)
edges = {}
for f, t in bodies.items():
    for name in set(re.findall(r'\b([A-Za-z_]\w*)\b', t)):
        for g in defs.get(name, ()):
            if g != f and f not in defs[name]:
                edges.setdefault(f, {}).setdefault(g, set()).add(name)
b = lambda p: os.path.basename(p)
for f in files:
    for g, names in sorted(edges.get(f, {}).items()):
        print(f"{b(f)} -> {b(g)}: {', '.join(sorted(names))}")
# Tarjan SCC
idx = {}; low = {}; st = []; on = set(); sccs = []; n = [0]
def sc(v):
    idx[v] = low[v] = n[0]; n[0] += 1; st.append(v); on.add(v)
    for w in edges.get(v, {}):
        if w not in idx:
            sc(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], idx[w])
    if low[v] == idx[v]:
        c = []
        while True:
            w = st.pop(); on.discard(w); c.append(w)
            if w == v: break
        sccs.append(c)
for f in files:
    if f not in idx: sc(f)
cyc = [c for c in sccs if len(c) > 1]
for c in cyc:
    print("CYCLE:", ' '.join(sorted(b(x) for x in c)))
print("cycles:", len(cyc))
sys.exit(1 if cyc else 0)
