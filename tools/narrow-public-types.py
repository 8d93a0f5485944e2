#!/usr/bin/env python3
"""Drops `public` from top-level main types that nothing outside their package uses.

Usage: tools/narrow-public-types.py ROOT MODULE...
A type stays public when another package (main or test code of any module) names it, when it has
a main method, or when a non-Java file names it (logback.xml, services, launch scripts).
Prints what it changed; compile and test afterwards.
"""
import os
import re
import subprocess
import sys

root = sys.argv[1]
modules = sys.argv[2:]
DECL = re.compile(r'^public ((?:final |abstract |sealed |non-sealed )*)(class|interface|record|enum|@interface) (\w+)', re.M)


def java_files(base):
    for dirpath, _, files in os.walk(base):
        if '/target' in dirpath or '/node_modules' in dirpath:
            continue
        for f in files:
            if f.endswith('.java'):
                yield os.path.join(dirpath, f)


all_files = list(java_files(root))
texts = {p: open(p).read() for p in all_files}
packages = {p: (re.search(r'^package ([\w.]+);', t, re.M) or [None, ''])[1] for p, t in texts.items()}
named_elsewhere = subprocess.run(
    ['grep', '-rhoE', r'io\.kodiak\.[A-Za-z0-9_.]+', root, '--include=*.xml', '--include=*.properties',
     '--include=*.sh', '--include=*.conf', '--include=*Extension', '--include=kodiak-*', '-r'],
    capture_output=True, text=True).stdout.split()
named_elsewhere += subprocess.run(['grep', '-rhoE', r'io\.kodiak\.[A-Za-z0-9_.]+', os.path.join(root, 'bin')],
                                  capture_output=True, text=True).stdout.split()
services = subprocess.run(['bash', '-c', 'cat %s/*/src/*/resources/META-INF/services/* 2>/dev/null' % root],
                          capture_output=True, text=True).stdout.split()
external = set(named_elsewhere) | set(services)
changed = []
for module in modules:
    for path in java_files(os.path.join(root, module, 'src/main/java')):
        text = texts[path]
        m = DECL.search(text)
        if not m or 'static void main(' in text:
            continue
        name, package = m.group(3), packages[path]
        fqn = package + '.' + name
        if fqn in external or any(e.startswith(fqn + '$') or e.startswith(fqn + '.') for e in external):
            continue
        used = False
        word = re.compile(r'\b' + re.escape(name) + r'\b')
        for other, other_text in texts.items():
            if other == path or packages[other] == package:
                continue
            if (fqn in other_text) or (package + '.*' in other_text and word.search(other_text)):
                used = True
                break
        if not used:
            texts[path] = text[:m.start()] + text[m.start() + len('public '):]
            open(path, 'w').write(texts[path])
            changed.append(fqn)
print('\n'.join(changed))
print('%d types narrowed' % len(changed), file=sys.stderr)
