#!/usr/bin/env python3
"""What ptypy hands a reconstruction from a .ptyd file, as one checksum.

Reads each file given with ptypy's PtydScan (source 'file'), as a
reconstruction would, chunk by chunk until EOS, and hashes every frame's
index, data (its values as float64: the dtype may differ), mask (> 0) and
position. Prints one JSON line per file: frames, checksum, data dtype.

Usage:
  PYTHONPATH=$PTYPY_SRC /usr/bin/python3 bench/ptyd-checksum.py FILE.ptyd [FILE.ptyd ...]
"""
import contextlib
import hashlib
import io
import json
import logging
import sys

import numpy as np

with contextlib.redirect_stdout(sys.stderr):
    from ptypy import utils as u
    from ptypy.core.data import PtydScan
u.verbose.set_level(0)
logging.getLogger('ptypy').setLevel(logging.ERROR)


def checksum(path):
    pars = u.Param()
    pars.source = 'file'
    pars.dfile = path
    digest = hashlib.sha256()
    frames = 0
    dtype = None
    with contextlib.redirect_stdout(io.StringIO()):
        scan = PtydScan(pars)
        scan.initialize()
        while True:
            out = scan.auto(100)
            if isinstance(out, str):
                if out == scan.EOS:
                    break
                continue
            for item in out['iterable']:
                data = np.asarray(item['data'])
                dtype = str(data.dtype)
                digest.update(np.int64(item['index']).tobytes())
                digest.update(np.ascontiguousarray(data, dtype='<f8').tobytes())
                digest.update(np.ascontiguousarray(np.asarray(item['mask']) > 0, dtype='u1').tobytes())
                digest.update(np.ascontiguousarray(item['position'], dtype='<f8').tobytes())
                frames += 1
    return {'file': path, 'frames': frames, 'checksum': digest.hexdigest(), 'dtype': dtype}


if __name__ == '__main__':
    for name in sys.argv[1:]:
        print(json.dumps(checksum(name)), flush=True)
