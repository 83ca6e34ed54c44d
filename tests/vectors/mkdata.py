#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""mkdata.py OUTDIR - the datasets the vector suite imports.

d8.{fvecs,npy,csv,jsonl}: the same 100 vectors of dimension 8 (csv and
jsonl name them item0..item99); bad.csv: a record of the wrong length on
line 3.  Deterministic, and written without numpy.
"""
import json
import random
import struct
import sys

out = sys.argv[1]
rnd = random.Random(42)
vecs = [[struct.unpack('<f', struct.pack('<f', rnd.uniform(-10, 10)))[0]
         for _ in range(8)] for _ in range(100)]

with open(f'{out}/d8.fvecs', 'wb') as f:
    for v in vecs:
        f.write(struct.pack('<i', 8) + struct.pack('<8f', *v))

hdr = "{'descr': '<f4', 'fortran_order': False, 'shape': (100, 8), }"
hdr += ' ' * (64 - (10 + len(hdr) + 1) % 64) + '\n'
with open(f'{out}/d8.npy', 'wb') as f:
    f.write(b'\x93NUMPY\x01\x00' + struct.pack('<H', len(hdr)) + hdr.encode())
    for v in vecs:
        f.write(struct.pack('<8f', *v))

with open(f'{out}/d8.csv', 'w') as f:
    f.write('# name,v1..v8\n')
    for i, v in enumerate(vecs):
        f.write(f'item{i},' + ','.join(repr(x) for x in v) + '\n')

with open(f'{out}/d8.jsonl', 'w') as f:
    for i, v in enumerate(vecs):
        f.write(json.dumps({'name': f'item{i}', 'vector': v}) + '\n')

with open(f'{out}/bad.csv', 'w') as f:
    f.write('a,1,2,3,4,5,6,7,8\n')
    f.write('b,1,2,3,4,5,6,7,8\n')
    f.write('c,1,2,3,4,5,6,7\n')
