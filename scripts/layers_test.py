#!/usr/bin/env python3
"""make layercheck can fail: each rule of scripts/layers.py, broken once in a
copy of src/ and README.md, must be reported (exit 1, with its message).
Usage: layers_test.py [SRC_DIR [README]]"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
src = sys.argv[1] if len(sys.argv) > 1 else 'src'
readme = sys.argv[2] if len(sys.argv) > 2 else 'README.md'


def edit(path, old, new):
    text = open(path).read()
    if old not in text:
        sys.exit(f"layers_test: {os.path.basename(path)} no longer holds {old!r}: update the test")
    open(path, 'w').write(text.replace(old, new, 1))


# (what is broken, the edit, what layers.py must say)
cases = [
    ('an include nothing in the file uses, going up a layer',
     lambda d: edit(f'{d}/src/stamp.c', '#include "stamp.h"\n', '#include "stamp.h"\n#include "ddl.h"\n'),
     'stamp.c includes ddl.h but names nothing it declares'),
    ('an include going up a layer',
     lambda d: edit(f'{d}/src/stamp.c', '#include "stamp.h"\n', '#include "stamp.h"\n#include "ddl.h"\n'),
     'stamp.c includes ddl.h, which is not below it'),
    ('a name reached through another header',
     lambda d: edit(f'{d}/src/stamp.c', '#include "catalog.h"\n', ''),
     'stamp.c names what catalog.h declares without including it'),
    ('a header including what it does not use',
     lambda d: edit(f'{d}/src/stamp.h', '#include "catalog.h"\n', '#include "catalog.h"\n#include "sql.h"\n'),
     'stamp.h includes sql.h but names nothing it declares'),
    ('a header including what its own file does not',
     lambda d: edit(f'{d}/src/stamp.h', '#include "catalog.h"\n', '#include "catalog.h"\n#include "sql.h"\n'),
     'stamp.h includes sql.h, which its own stamp.c does not'),
    ('a declaration without its definition',
     lambda d: edit(f'{d}/src/sql.h', '#endif', 'extern void sd_nothing(void);\n\n#endif'),
     'sql.h declares sd_nothing, which sql.c does not define'),
    ('a call going up a layer',
     lambda d: open(f'{d}/src/catalog.c', 'a').write('void sd_up(void);\nvoid\nsd_up(void)\n{\n\tsd_pack(0, NULL);\n}\n'),
     'catalog.c calls indexes.c, which is not below it'),
    ('a file missing from README',
     lambda d: edit(f'{d}/README.md', 'src/stamp.c ', 'src/stampx.c'),
     "stamp.c is not in README's Development list"),
    ('a Calls: paragraph that leaves a callee out',
     lambda d: edit(f'{d}/src/stamp.c', ' * Calls: catalog.c, state.c.', ' * Calls: catalog.c.'),
     "stamp.c's comment does not say it calls state.c"),
]

# the tree as it is passes
r = subprocess.run([sys.executable, f'{here}/layers.py', src, readme], capture_output=True, text=True)
if r.returncode != 0:
    sys.exit('layers_test: the tree itself fails layercheck:\n' + r.stdout[-2000:])
failed = 0
for what, change, message in cases:
    with tempfile.TemporaryDirectory() as d:
        shutil.copytree(src, f'{d}/src')
        shutil.copy(readme, f'{d}/README.md')
        change(d)
        r = subprocess.run([sys.executable, f'{here}/layers.py', f'{d}/src', f'{d}/README.md'],
                           capture_output=True, text=True)
        if r.returncode == 0 or message not in r.stdout:
            print(f'layers_test: not caught: {what} (wanted "{message}")')
            failed += 1
print(f'layers_test: {len(cases) - failed} of {len(cases)} broken rules caught')
sys.exit(1 if failed else 0)
