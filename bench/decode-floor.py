#!/usr/bin/env python3
"""The floor of decoding an Eiger-style bitshuffle-LZ4 source, for bench/side-by-side.ts.

Reads every chunk of each data file's /entry/data/data as stored
(read_direct_chunk, untimed), then decodes them with the bitshuffle
library's own C decoder (Debian's python3 bitshuffle, as the HDF5 filter
plugin uses it) on THREADS threads, timed. Prints one JSON line: seconds,
frames, threads.

Usage: /usr/bin/python3 bench/decode-floor.py THREADS DATA.h5 [DATA.h5 ...]
"""
import json
import struct
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import bitshuffle
import h5py
import numpy as np

threads = int(sys.argv[1])
chunks = []
for name in sys.argv[2:]:
    with h5py.File(name, 'r') as f:
        d = f['entry/data/data']
        shape = d.chunks
        for i in range(d.shape[0]):
            _, raw = d.id.read_direct_chunk((i, 0, 0))
            chunks.append((raw, shape, d.dtype))


def decode(item):
    raw, shape, dtype = item
    # The filter's header: the uncompressed size (8 bytes) and the block size in bytes (4), big-endian.
    _, block = struct.unpack('>QI', raw[:12])
    buf = np.frombuffer(raw, dtype=np.uint8, offset=12)
    return bitshuffle.decompress_lz4(buf, shape, dtype, block // dtype.itemsize).nbytes


t0 = time.perf_counter()
with ThreadPoolExecutor(threads) as pool:
    total = sum(pool.map(decode, chunks))
t1 = time.perf_counter()
print(json.dumps({'seconds': t1 - t0, 'frames': len(chunks), 'threads': threads, 'bytes': total}))
