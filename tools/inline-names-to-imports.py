#!/usr/bin/env python3
"""Replaces fully-qualified class names written inline in Java code with imports.

Usage: tools/inline-names-to-imports.py FILE...
A name is replaced only when its simple name is free in the file (no other import, type or
type parameter of that name). Strings, comments, package and import lines are left alone.
"""
import re
import sys

FQN = re.compile(r'(?<![\w.])((?:[a-z][a-z0-9_]*\.){2,}[A-Z][A-Za-z0-9_]*)((?:\.[A-Z][A-Za-z0-9_]*)*)')
TOKEN = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|//[^\n]*|/\*.*?\*/', re.S)


def code_spans(text):
    """Yields (start, end) of the parts of text that are code (not strings or comments)."""
    at = 0
    for m in TOKEN.finditer(text):
        yield at, m.start()
        at = m.end()
    yield at, len(text)


def fix(path):
    text = open(path).read()
    if '"""' in text:
        return False  # text blocks: leave the file alone
    lines = text.split('\n')
    header_end = 0
    imports = {}
    for i, line in enumerate(lines):
        m = re.match(r'import (static )?([\w.]+);', line)
        if m:
            header_end = i + 1
            if not m.group(1):
                imports[m.group(2).rsplit('.', 1)[1]] = m.group(2)
        elif line.startswith('package '):
            header_end = i + 1
    body = '\n'.join(lines[header_end:])
    declared = set(re.findall(r'\b(?:class|interface|enum|record)\s+([A-Z]\w*)', body))
    declared |= set(re.findall(r'<\s*([A-Z]\w*)\s*(?:extends|[,>])', body))
    wanted = {}
    for start, end in code_spans(body):
        for m in FQN.finditer(body, start, end):
            full = m.group(1)
            simple = full.rsplit('.', 1)[1]
            if simple in declared or (simple in imports and imports[simple] != full):
                continue
            if simple in wanted and wanted[simple] != full:
                wanted[simple] = None  # two classes of one simple name: keep both qualified
                continue
            wanted.setdefault(simple, full)
    wanted = {s: f for s, f in wanted.items() if f}
    if not wanted:
        return False
    out = []
    last = 0
    for start, end in code_spans(body):
        out.append(body[last:start])
        out.append(FQN.sub(lambda m: (m.group(1).rsplit('.', 1)[1] + m.group(2))
                           if wanted.get(m.group(1).rsplit('.', 1)[1]) == m.group(1) else m.group(0),
                           body[start:end]))
        last = end
    out.append(body[last:])
    new_imports = sorted(f for s, f in wanted.items() if s not in imports and not f.startswith('java.lang.')
                         or (f.startswith('java.lang.') and f.count('.') > 2 and s not in imports))
    head = lines[:header_end]
    all_imports = sorted(set([l for l in head if l.startswith('import ') and not l.startswith('import static')]
                             + ['import %s;' % f for f in new_imports]))
    statics = [l for l in head if l.startswith('import static')]
    pre = [l for l in head if not l.startswith('import ')]
    while pre and pre[-1] == '':
        pre.pop()
    header = pre + [''] + (statics + [''] if statics else []) + all_imports
    open(path, 'w').write('\n'.join(header) + '\n' + ''.join(out))
    return True


if __name__ == '__main__':
    changed = [p for p in sys.argv[1:] if fix(p)]
    print('%d files changed' % len(changed))
