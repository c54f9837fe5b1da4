#!/usr/bin/env python3
"""The layers of src/, checked from the code (make layercheck).

The order is README's Development list (`src/<file>.c` lines, top first;
src/compat.h last).  From the code:

- calls: an edge a -> b when a function body in a.c names a function or
  global variable that only b.c defines.  Every edge must go down the list
  (which also means no loop).
- includes: each .c includes its own header (when it has one) and exactly
  the headers of the files whose declarations it names: none it does not
  use, none it reaches only through another header.  Every include goes
  down the list.
- comments: each .c's comment names exactly the files it calls.
- headers: x.h includes only headers of files listed below x whose
  declarations x.h itself names; it declares only what x.c defines; every
  .c that other files call has a header (those only SQL or core call, such
  as the top floor, need none), and no header is without its .c (compat.h
  aside).

Prints the call edges, then every violation; exits 1 when there is one.
Usage: layers.py SRC_DIR [README]"""
import glob
import os
import re
import sys

src = sys.argv[1] if len(sys.argv) > 1 else 'src'
readme = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(os.path.abspath(src)), 'README.md')
problems = []


def strip(t):
    t = re.sub(r'/\*.*?\*/', lambda m: '\n' * m.group(0).count('\n'), t, flags=re.S)
    t = re.sub(r'//[^\n]*', '', t)
    t = re.sub(r'"(\\.|[^"\\])*"', '""', t)
    t = re.sub(r"'(\\.|[^'\\])*'", "''", t)
    return t


def name(path):
    return os.path.splitext(os.path.basename(path))[0]


# the order: README's Development block
order = []
in_block = False
for line in open(readme):
    if line.startswith('## Development'):
        in_block = True
    elif in_block and line.startswith('## '):
        break
    m = in_block and re.match(r'^(?:top|API|mechanisms|helpers|ground)?\s+src/(\w+)\.[ch]\b', line)
    if m:
        order.append(m.group(1))
pos = {f: i for i, f in enumerate(order)}
cfiles = sorted(glob.glob(os.path.join(src, '*.c')))
hfiles = sorted(glob.glob(os.path.join(src, '*.h')))
for f in cfiles + hfiles:
    if name(f) not in pos:
        problems.append(f"{os.path.basename(f)} is not in README's Development list")
if problems:
    print('\n'.join(problems))
    sys.exit(1)

# calls
defs = {}
bodies = {}
for f in cfiles:
    t = strip(open(f).read())
    bodies[name(f)] = t
    for m in re.finditer(r'^([A-Za-z_]\w*)\s*\([^;]*?\)\s*\{', t, flags=re.M | re.S):
        defs.setdefault(m.group(1), set()).add(name(f))
    for m in re.finditer(r'^(?!static|extern|typedef|struct|#)[A-Za-z_][\w \t\*]*?\b([A-Za-z_]\w*)\s*(\[[^\]]*\])?\s*(=[^;]*)?;', t, flags=re.M):
        defs.setdefault(m.group(1), set()).add(name(f))
edges = {}
for f, t in bodies.items():
    for ident in set(re.findall(r'\b([A-Za-z_]\w*)\b', t)):
        for g in defs.get(ident, ()):
            if g != f and f not in defs[ident]:
                edges.setdefault(f, {}).setdefault(g, set()).add(ident)
for f in sorted(edges, key=pos.get):
    for g, names in sorted(edges[f].items(), key=lambda e: pos[e[0]]):
        print(f"{f}.c -> {g}.c: {', '.join(sorted(names))}")
        if pos[g] <= pos[f]:
            problems.append(f"{f}.c calls {g}.c, which is not below it: {', '.join(sorted(names))}")


# each file's comment says what it calls: a paragraph "Calls: a.c, b.c"
# ("Top floor: calls ..."; "Ground floor: calls nothing of softdelete's")
for f in cfiles:
    n = name(f)
    text = open(f).read()
    head = text[:text.index('*/')]
    m = re.search(r'^ \* (?:Calls:|Top floor: calls|Ground floor: calls)(.*?)(?:\n \*\n|\Z)', head,
                  flags=re.M | re.S)
    if m is None:
        problems.append(f"{n}.c's comment has no paragraph \"Calls: ...\"")
        continue
    said = set(re.findall(r'(\w+)\.c\b', m.group(1)))
    real = set(edges.get(n, {}))
    if said - real:
        problems.append(f"{n}.c's comment says it calls {', '.join(sorted(s + '.c' for s in said - real))}, which it does not")
    if real - said:
        problems.append(f"{n}.c's comment does not say it calls {', '.join(sorted(s + '.c' for s in real - said))}")


# what each header declares
def declared(t):
    ids = set(re.findall(r'^#define\s+(\w+)', t, flags=re.M))
    for m in re.finditer(r'\bextern\b[^;]*?\b(\w+)\s*(\(|;|\[)', t):
        ids.add(m.group(1))
    for m in re.finditer(r'^\}\s*(\w+)\s*;', t, flags=re.M):
        ids.add(m.group(1))
    for m in re.finditer(r'typedef\s+[^;{]*?\b(\w+)\s*;', t):
        ids.add(m.group(1))
    for m in re.finditer(r'typedef\s+\w+\s*\(\*\s*(\w+)\)', t):
        ids.add(m.group(1))
    for m in re.finditer(r'\benum\b\s*\w*\s*\{([^}]*)\}', t, flags=re.S):
        ids.update(re.findall(r'^\s*(\w+)', m.group(1), flags=re.M))
    for m in re.finditer(r'^static inline[^(]*?\b(\w+)\s*\(', t, flags=re.M):
        ids.add(m.group(1))
    return ids


htext = {name(h): open(h).read() for h in hfiles}
decl = {}
for h, t in htext.items():
    guard = re.search(r'^#ifndef\s+(\w+)', t, flags=re.M)
    decl[h] = declared(strip(t)) - ({guard.group(1)} if guard else set())
externs = {}
for h, t in htext.items():
    externs[h] = {m.group(1) for m in re.finditer(r'\bextern\b[^;]*?\b(\w+)\s*(\(|;|\[)', strip(t))}


def includes(text):
    return [m.group(1) for m in re.finditer(r'^#include\s+"(\w+)\.h"', text, flags=re.M)
            if m.group(1) in htext]


def used(text, own):
    words = set(re.findall(r'\b\w+\b', strip(text)))
    return {h for h, ids in decl.items() if h != own and words & ids}


for f in cfiles:
    n = name(f)
    text = open(f).read()
    inc = includes(text)
    need = used(text, n)
    if n in htext and n not in inc:
        problems.append(f"{n}.c does not include its own header {n}.h")
    for h in sorted(set(inc) - need - {n}):
        problems.append(f"{n}.c includes {h}.h but names nothing it declares")
    for h in sorted(need - set(inc)):
        problems.append(f"{n}.c names what {h}.h declares without including it")
    for h in inc:
        if h != n and pos[h] <= pos[n]:
            problems.append(f"{n}.c includes {h}.h, which is not below it")
    if n not in htext:
        callers = sorted(g for g in edges if n in edges[g])
        if callers:
            problems.append(f"{n}.c has no header {n}.h, and {', '.join(c + '.c' for c in callers)} call it")
for h, text in htext.items():
    inc = includes(text)
    need = used(text, h)
    for g in inc:
        if g not in need:
            problems.append(f"{h}.h includes {g}.h but names nothing it declares")
        if pos[g] <= pos[h]:
            problems.append(f"{h}.h includes {g}.h, which is not below it")
        if h in bodies and g not in includes(open(os.path.join(src, h + '.c')).read()):
            problems.append(f"{h}.h includes {g}.h, which its own {h}.c does not")
    if h == 'compat':
        continue
    if h not in bodies:
        problems.append(f"{h}.h has no {h}.c")
        continue
    for ident in sorted(externs[h]):
        if h not in defs.get(ident, ()):
            problems.append(f"{h}.h declares {ident}, which {h}.c does not define")

for p in problems:
    print("LAYERS:", p)
print("problems:", len(problems))
sys.exit(1 if problems else 0)
