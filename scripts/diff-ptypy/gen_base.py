"""Random PtyScan configurations run through real ptypy, written as base-corpus case folders.

    PTYPY_SRC=<ptypy work tree> /usr/bin/python3 scripts/diff-ptypy/gen_base.py OUT [COUNT] [SEED]

Each case folder (params.json, raw/, expected/) follows
../shared/conformance/ptypy-cases/README.md: the loader is the README's harness
(frames, positions and weights from raw/, the reveal schedule in check()), and
expected/ records what ptypy returned from initialize() and every auto() call.
Judge the folder with `npx tsx scripts/conformance.ts OUT`.
"""
import contextlib
import hashlib
import io
import json
import os
import shutil
import sys

import numpy as np

if 'PTYPY_SRC' not in os.environ:
    sys.exit('set PTYPY_SRC to a ptypy 0.9 work tree')
sys.path.insert(0, os.environ['PTYPY_SRC'])
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    from ptypy.core.data import PtyScan  # noqa: E402
    from ptypy import utils as u  # noqa: E402
import logging  # noqa: E402

logging.getLogger('ptypy').setLevel(logging.CRITICAL)
for name in list(logging.root.manager.loggerDict):
    logging.getLogger(name).setLevel(logging.CRITICAL)

TUPLE_KEYS = ('shape', 'center', 'orientation', 'psize')


def to_plain(v):
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, (tuple, list)):
        return [to_plain(x) for x in v]
    if isinstance(v, dict):
        return {k: to_plain(x) for k, x in v.items()}
    return v


def tstr(v):
    if isinstance(v, np.ndarray):
        return 'ndarray<%s>[%s]' % (v.dtype, ', '.join(str(s) for s in v.shape))
    if isinstance(v, (tuple, list)):
        kinds = sorted(set(tstr(x) for x in v))
        return '%s[%s]' % (type(v).__name__, ', '.join(kinds))
    if isinstance(v, np.generic):
        return 'numpy.' + type(v).__name__
    return type(v).__name__


def sha(a):
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def dump(path, obj):
    with open(path, 'w') as f:
        json.dump(obj, f, indent=1, allow_nan=False)


def ptyd_scan(pars):
    from ptypy.core.data import PtydScan
    return PtydScan(pars)


class CaseScan(PtyScan):
    """The README's harness loader."""

    def __init__(self, pars, raw, harness, reveal):
        self.raw = raw
        self.harness = harness
        self.reveal = reveal
        self.nchecks = 0
        super().__init__(pars)

    def load_weight(self):
        kind = self.harness['weight2d']
        if kind == 'raw':
            return self.raw['weight2d']
        if kind == 'none':
            return None
        return super().load_weight()

    def load_positions(self):
        if self.harness['positions'] == 'load_positions':
            return self.raw['positions']
        return None

    def load(self, indices):
        frames = self.raw['frames']
        data = {i: frames[i] for i in indices}
        pos = {}
        if self.harness['positions'] == 'load':
            pos = {i: self.raw['positions'][i] for i in indices}
        weights = {}
        if self.harness['per_frame_weights']:
            weights = {i: self.raw['weights'][i] for i in indices}
        return data, pos, weights

    def check(self, frames=None, start=None):
        if self.reveal is None:
            return super().check(frames, start)
        r = self.reveal[min(self.nchecks, len(self.reveal) - 1)]
        self.nchecks += 1
        return min(frames, r - start), None


def make_raw(rng, n, h, w, dtype, weight_kind):
    yy, xx = np.indices((h, w))
    frames = []
    for k in range(n):
        cy = rng.uniform(0.2, 0.8) * h
        cx = rng.uniform(0.2, 0.8) * w
        s = rng.uniform(1.5, 4.0)
        lam = 2 + 400 * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * s * s))
        frames.append(rng.poisson(lam))
    frames = np.array(frames)
    if dtype in ('float32', 'float64') and rng.random() < 0.5:
        # non-integer values (as after a dark subtraction)
        frames = frames - rng.random(frames.shape) * 3.3
    frames = frames.astype(dtype)
    mask = np.ones((h, w), bool)
    if weight_kind == 'dead':
        mask[rng.random((h, w)) < 0.03] = False
        mask[:, int(0.7 * w)] = False
        mask[h // 3:h // 3 + 2, w // 4:w // 4 + 2] = False
    elif weight_kind == 'zeros':
        mask[:] = False
    elif weight_kind == 'many':
        mask[rng.random((h, w)) < 0.4] = False
    positions = rng.normal(0, 2e-6, (n, 2))
    weights = rng.random((n, h, w)) * 2
    weights[rng.random((n, h, w)) < 0.05] = 0.0
    return {'frames': frames, 'positions': positions, 'weight2d': mask, 'weights': weights}


def pick(rng, options):
    return options[rng.integers(len(options))]


def num(rng, lo, hi, kind):
    v = rng.uniform(lo, hi)
    if kind == 'int':
        return int(round(v))
    if kind == 'half':
        return round(v * 2) / 2
    return round(v, 3)


def random_config(rng):
    n = int(rng.integers(3, 21))
    h = int(rng.integers(12, 61))
    w = int(rng.integers(12, 61)) if rng.random() < 0.7 else h
    p = {}
    r = rng.random()
    if r < 0.15:
        p['shape'] = None
    elif r < 0.7:
        p['shape'] = int(rng.integers(6, 72))
    else:
        p['shape'] = [int(rng.integers(6, 72)), int(rng.integers(6, 72))]
    r = rng.random()
    if r < 0.15:
        p['center'] = pick(rng, ['fftshift', 'geometric', 'fft'])
    elif r < 0.35:
        p['center'] = None
    elif r < 0.5:
        pass  # default 'fftshift'
    else:
        kind = pick(rng, ['int', 'half', 'float'])
        c = [num(rng, -3, h + 3, kind), num(rng, -3, w + 3, kind)]
        if rng.random() < 0.15:
            c = [num(rng, -3, 40, kind)] + c
        elif rng.random() < 0.08:
            c = [c[0]]
        p['center'] = c
    p['auto_center'] = pick(rng, [None, True, False, 'absent'])
    if p['auto_center'] == 'absent':
        del p['auto_center']
    r = rng.random()
    if r < 0.4:
        p['orientation'] = int(rng.integers(0, 8))
    elif r < 0.55:
        p['orientation'] = [bool(rng.integers(2)) for _ in range(3)]
    elif r < 0.6:
        p['orientation'] = [int(rng.integers(2)) for _ in range(3)]
    elif r < 0.7:
        p['orientation'] = None
    r = rng.random()
    if r < 0.45:
        p['rebin'] = pick(rng, [None, 1, 2, 2, 4, 3, 5, 8])
    p['min_frames'] = int(pick(rng, [1, 1, 1, 2, 3, 4, 6]))
    if rng.random() < 0.2:
        del p['min_frames']
    harness = {
        'class': 'PtyScan',
        'raw': 'random',
        'weight2d': pick(rng, ['raw', 'raw', 'raw', 'none', 'roi']),
        'per_frame_weights': bool(rng.random() < 0.2),
        'positions': pick(rng, ['load_positions', 'load_positions', 'load', 'none']),
    }
    r = rng.random()
    if r < 0.3:
        p['num_frames'] = int(rng.integers(1, n + 1))
    elif r < 0.4:
        p['num_frames'] = int(rng.integers(n, n + 5))
    elif r < 0.5:
        p['num_frames'] = None
    if harness['positions'] != 'load_positions' and 'num_frames' not in p and rng.random() < 0.8:
        p['num_frames'] = int(rng.integers(1, n + 1))
    if rng.random() < 0.1:
        m = int(rng.integers(1, n + 1))
        p['positions_theory'] = (np.arange(2 * m).reshape(m, 2) * 1e-6).tolist()
    r = rng.random()
    if r < 0.3:
        p['psize'] = pick(rng, [1, 2, 7.5e-05, 5.5e-05, 0.000172])
    elif r < 0.5:
        p['psize'] = pick(rng, [[5.5e-05, 7.5e-05], [1, 2], [1, 2.5], [7.5e-05, 7.5e-05, 1e-5]])
    elif r < 0.55:
        p['psize'] = None
    if rng.random() < 0.4:
        p['energy'] = pick(rng, [9, 6.2, 12, 8.0])
    if rng.random() < 0.4:
        p['distance'] = pick(rng, [5, 2.5, 3, 7.0])
    if rng.random() < 0.3:
        p['label'] = pick(rng, ['scanA', 'r%d' % rng.integers(100), None])
    calls = [int(rng.integers(1, n + 4)) for _ in range(int(rng.integers(1, 8)))]
    p['calls'] = calls
    if rng.random() < 0.15:
        p['save'] = pick(rng, ['append', 'append', 'link'])
        p['dfile'] = 'out.ptyd'
    if rng.random() < 0.2:
        rev = sorted(int(rng.integers(0, n + 1)) for _ in range(int(rng.integers(1, 6))))
        rev.append(n)
        p['reveal'] = rev
    p['harness'] = harness
    dtype = pick(rng, ['int32', 'int32', 'uint16', 'float32', 'float64'])
    weight_kind = pick(rng, ['dead', 'dead', 'dead', 'ones', 'many', 'zeros'])
    return p, (n, h, w, dtype, weight_kind)


def python_pars(p):
    pars = {}
    for k, v in p.items():
        if k in ('calls', 'reveal', 'harness'):
            continue
        if k == 'positions_theory' and v is not None:
            v = np.array(v, dtype=np.float64)
        elif k in TUPLE_KEYS and isinstance(v, list):
            v = tuple(v)
        pars[k] = v
    return pars


def run_case(folder, p, raw):
    exp = os.path.join(folder, 'expected')
    os.makedirs(exp, exist_ok=True)
    harness = p['harness']
    try:
        if harness['class'] == 'PtydScan':
            scan = ptyd_scan(python_pars(p))
        else:
            scan = CaseScan(python_pars(p), raw, harness, p.get('reveal'))
        scan.initialize()
    except Exception as e:  # noqa: BLE001
        dump(os.path.join(exp, 'init.json'), {'error': type(e).__name__, 'message': str(e)})
        return 'INIT:' + type(e).__name__
    w2 = scan.weight2d
    dump(os.path.join(exp, 'init.json'), {
        'num_frames': to_plain(scan.num_frames),
        'has_weight2d': bool(scan.has_weight2d),
        'has_positions': bool(scan.has_positions),
        'weight2d_shape': None if w2 is None else list(np.shape(w2)),
        'meta': to_plain(dict(scan.meta)),
        'meta_types': {k: tstr(v) for k, v in scan.meta.items()},
    })
    sequence = []
    for i, frames in enumerate(p['calls']):
        try:
            out = scan.auto(frames)
        except Exception as e:  # noqa: BLE001
            dump(os.path.join(exp, 'call_%d.json' % i), {'error': type(e).__name__, 'message': str(e)})
            sequence.append('ERR:' + type(e).__name__)
            break
        if not isinstance(out, dict):
            from ptypy.core.data import EOS, WAIT
            msg = 'WAIT' if out == WAIT else 'EOS' if out == EOS else str(out)
            dump(os.path.join(exp, 'call_%d.json' % i), {'msg': msg})
            sequence.append(msg)
            continue
        chunk = out['chunk']
        idx = list(chunk.indices)
        data = np.array([chunk.data[k] for k in idx])
        mask = np.array([f['mask'] for f in out['iterable']])
        weights = np.array([chunk.weights[k] for k in idx])
        common = out['common']
        rec = {
            'indices': [int(k) for k in idx],
            'chunk_num': int(chunk.num),
            'common': to_plain(dict(common)),
            'common_types': {k: tstr(v) for k, v in common.items()},
            'positions': to_plain(chunk.positions),
            'positions_type': tstr(chunk.positions),
            'data_dtype': str(data.dtype),
            'data_shape': list(data.shape),
            'mask_dtype': str(mask.dtype),
            'weights_dtype': str(weights.dtype),
            'weights_shape': list(weights.shape),
            'data_sha256': sha(data),
            'mask_sha256': sha(mask),
            'weights_sha256': sha(weights),
        }
        dump(os.path.join(exp, 'call_%d.json' % i), rec)
        np.save(os.path.join(exp, 'call_%d_data.npy' % i), data)
        np.save(os.path.join(exp, 'call_%d_mask.npy' % i), mask)
        np.save(os.path.join(exp, 'call_%d_weights.npy' % i), weights)
        sequence.append(str(len(idx)))
    dump(os.path.join(exp, 'final.json'), {
        'info_center': to_plain(scan.info.center),
        'info_center_type': tstr(scan.info.center),
        'info_shape': to_plain(scan.info.shape),
        'info_shape_type': tstr(scan.info.shape),
        'num_frames': to_plain(scan.num_frames),
        'framestart': to_plain(scan.framestart),
        'chunknum': to_plain(scan.chunknum),
        'sequence': sequence,
    })
    return ' '.join(sequence)


def structure(path):
    """The listing compareSavedFile reads: path, kind, type attribute, dtype, shape, filters."""
    import h5py
    entries = []

    def walk(group, prefix):
        for name in group:
            child = prefix + '/' + name
            link = group.get(name, getlink=True)
            if isinstance(link, h5py.ExternalLink):
                entries.append({'path': child, 'kind': 'external_link'})
                try:
                    walk(group[name], child)
                except KeyError:
                    pass
                continue
            obj = group[name]
            attrs = {}
            if 'type' in obj.attrs:
                t = obj.attrs['type']
                attrs['type'] = {'value': t.decode() if isinstance(t, bytes) else str(t)}
            if isinstance(obj, h5py.Group):
                entries.append({'path': child, 'kind': 'group', 'attrs': attrs})
                walk(obj, child)
            else:
                entries.append({
                    'path': child, 'kind': 'dataset', 'attrs': attrs,
                    'numpy_dtype': str(obj.dtype), 'shape': list(obj.shape),
                    'compression': obj.compression, 'compression_opts': obj.compression_opts,
                    'shuffle': bool(obj.shuffle), 'fletcher32': bool(obj.fletcher32),
                })

    with h5py.File(path, 'r') as f:
        walk(f, '')
    return {'file': os.path.basename(path), 'entries': entries}


def run_saving(folder, p, raw):
    """Runs a save case in an empty working folder and keeps what ptypy wrote in expected/."""
    import tempfile
    work = tempfile.mkdtemp(prefix='ptypy-save-')
    cwd = os.getcwd()
    os.chdir(work)
    try:
        outcome = run_case(folder, p, raw)
        for name in sorted(os.listdir(work)):
            shutil.copy(os.path.join(work, name), os.path.join(folder, 'expected', name))
        if os.path.exists('out.ptyd'):
            dump(os.path.join(folder, 'expected', 'out.ptyd.structure.json'), structure('out.ptyd'))
    finally:
        os.chdir(cwd)
        shutil.rmtree(work)
    return outcome


def write_reader_case(rng, out, name, source):
    """A PtydScan case reading what ptypy saved in `source`, with other orientation/rebin/chunks."""
    folder = os.path.join(out, name)
    os.makedirs(os.path.join(folder, 'raw'), exist_ok=True)
    exp = os.path.join(out, source, 'expected')
    for f in os.listdir(exp):
        if f.startswith('out.ptyd'):
            shutil.copy(os.path.join(exp, f), os.path.join(folder, 'raw', f))
    p = {'dfile': 'raw/out.ptyd', 'source': 'file'}
    if rng.random() < 0.4:
        p['orientation'] = int(rng.integers(0, 8))
    if rng.random() < 0.4:
        p['rebin'] = pick(rng, [1, 2, 3, 4])
    if rng.random() < 0.3:
        p['shape'] = int(rng.integers(4, 40))
    if rng.random() < 0.3:
        p['min_frames'] = int(rng.integers(1, 5))
    p['calls'] = [int(rng.integers(1, 12)) for _ in range(int(rng.integers(1, 7)))]
    p['harness'] = {'class': 'PtydScan', 'source_case': source}
    dump(os.path.join(folder, 'params.json'), p)
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        with np.errstate(all='ignore'):
            return run_case(folder, p, None)
    except ValueError as e:
        shutil.rmtree(folder)
        return 'GENFAIL:' + str(e)
    finally:
        os.chdir(cwd)


def main():
    out = os.path.abspath(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    rng = np.random.default_rng(seed)
    os.makedirs(out, exist_ok=True)
    index = []
    for k in range(count):
        p, (n, h, w, dtype, weight_kind) = random_config(rng)
        name = 'gen_%d_%04d' % (seed, k)
        folder = os.path.join(out, name)
        os.makedirs(os.path.join(folder, 'raw'), exist_ok=True)
        raw = make_raw(rng, n, h, w, dtype, weight_kind)
        np.save(os.path.join(folder, 'raw/frames.npy'), raw['frames'])
        np.save(os.path.join(folder, 'raw/positions.npy'), raw['positions'])
        if p['harness']['weight2d'] == 'raw':
            np.save(os.path.join(folder, 'raw/weight2d.npy'), raw['weight2d'])
        if p['harness']['per_frame_weights']:
            np.save(os.path.join(folder, 'raw/weights.npy'), raw['weights'])
        p['harness']['raw'] = '%dx%dx%d %s mask=%s' % (n, h, w, dtype, weight_kind)
        dump(os.path.join(folder, 'params.json'), p)
        cwd = os.getcwd()
        os.chdir(folder)
        try:
            with np.errstate(all='ignore'):
                run = run_saving if 'save' in p else run_case
                outcome = run(folder, p, raw)
        except ValueError as e:  # NaN in a record: JSON cannot hold it
            outcome = 'GENFAIL:' + str(e)
        finally:
            os.chdir(cwd)
        if outcome.startswith('GENFAIL'):
            shutil.rmtree(folder)
        index.append({'name': name, 'doc': p['harness']['raw'], 'outcome': outcome})
        print(name, outcome)
        if os.path.exists(os.path.join(folder, 'expected', 'out.ptyd')):
            reader = name + '_read'
            outcome = write_reader_case(rng, out, reader, name)
            index.append({'name': reader, 'doc': 'PtydScan of ' + name, 'outcome': outcome})
            print(reader, outcome)
    dump(os.path.join(out, 'index.json'), index)


if __name__ == '__main__':
    main()
