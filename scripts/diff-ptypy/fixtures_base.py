"""Writes the regression cases of test/conformance/fixtures/base-diff/ with real ptypy.

    PTYPY_SRC=<ptypy work tree> /usr/bin/python3 scripts/diff-ptypy/fixtures_base.py test/conformance/fixtures/base-diff

Each is a minimal configuration where ptyscan once differed from ptypy (found
by gen_base.py), with tiny raw inputs (5 frames of 12x14 unless given, seeded by the case name).
"""
import os
import shutil
import sys
import zlib

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_base  # noqa: E402

H = {'class': 'PtyScan', 'raw': '', 'weight2d': 'raw', 'per_frame_weights': False,
     'positions': 'load_positions'}

CASES = {
    # float32 frames padded: float32, not float64
    'pad_float32': ({'shape': 16, 'auto_center': False, 'calls': [3, 3, 3]}, 'float32', H),
    # psize an int: meta psize int64; a 3-tuple psize: its first two entries
    'psize_int': ({'shape': 8, 'psize': 2, 'rebin': 2, 'auto_center': False, 'calls': [5, 5]},
                  'int32', H),
    'psize_three': ({'shape': 8, 'psize': [5.5e-05, 7.5e-05, 1e-05], 'auto_center': False,
                     'calls': [5, 5]}, 'int32', H),
    # an integer centre's last two entries give the frozen centre's dtype
    'center_three_int_last': ({'shape': 8, 'center': [1.5, 6, 7], 'auto_center': False,
                               'calls': [5, 5]}, 'int32', H),
    # frames past num_frames (a check() that reports them): positions from all loaded ones
    'reveal_past_num_frames': ({'shape': 8, 'num_frames': 2, 'auto_center': False,
                                'calls': [2, 3, 3], 'reveal': [2, 5]}, 'int32', H),
    # ... and past positions_theory: ptypy's IndexError
    'reveal_past_theory_error': ({'shape': 8, 'auto_center': False, 'calls': [2, 3],
                                  'positions_theory': [[0.0, 0.0], [1e-06, 0.0], [2e-06, 0.0]],
                                  'reveal': [2, 5]}, 'int32', H),
    # positions_theory without loaded positions: has_positions False
    'theory_no_loaded_positions': ({'shape': 8, 'auto_center': False, 'calls': [4, 4],
                                    'positions_theory': [[0.0, 0.0], [1e-06, 0.0], [2e-06, 0.0],
                                                         [3e-06, 0.0]]},
                                   'int32', dict(H, positions='none')),
    # ptypy's default load_weight() without a shape: None
    'roi_weight_shape_none': ({'shape': None, 'auto_center': False, 'calls': [5]}, 'int32',
                              dict(H, weight2d='roi')),
    # link mode stopped before EOS: info holds the parameters (centre 'fftshift'), as at initialize
    'save_link_partial': ({'shape': 8, 'auto_center': False, 'save': 'link', 'dfile': 'out.ptyd',
                           'calls': [2, 2]}, 'int32', H),
    # an int psize saved: meta/psize INT64
    'save_append_psize_int': ({'shape': 8, 'psize': 2, 'energy': 9, 'auto_center': False,
                               'save': 'append', 'dfile': 'out.ptyd', 'calls': [3, 3, 3]},
                              'int32', H),
    # orientation (False, False, False) on a square raw frame of the ROI's size: no processing
    'orientation_all_false_noop': ({'shape': 12, 'center': [5, 2], 'auto_center': False,
                                    'orientation': [False, False, False], 'calls': [5]},
                                   'int32', H, (5, 12, 12)),
    # auto_center True with the default centre ('fftshift'): intended difference 1
    'autocenter_true_default_center': ({'shape': 8, 'auto_center': True, 'calls': [5]}, 'int32', H),
    # ... with per-frame weights masking each frame
    'autocenter_true_per_frame_weights': ({'shape': 8, 'auto_center': True, 'center': [6, 7],
                                           'calls': [5]}, 'int32',
                                          dict(H, per_frame_weights=True)),
    # no num_frames, no positions, a check() without an end flag: ptypy's TypeError, ours
    # open-ended (intended difference 7)
    'num_frames_none_open_ended': ({'shape': 8, 'auto_center': False, 'calls': [2, 3],
                                    'reveal': [3]}, 'int32', dict(H, positions='none')),
}


def main():
    out = os.path.abspath(sys.argv[1])
    for name, (p, dtype, harness, *size) in CASES.items():
        n, h, w = size[0] if size else (5, 12, 14)
        rng = np.random.default_rng(zlib.crc32(name.encode()))
        folder = os.path.join(out, name)
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(os.path.join(folder, 'raw'))
        p = dict(p, harness=dict(harness, raw='%dx%dx%d %s' % (n, h, w, dtype)))
        raw = gen_base.make_raw(rng, n, h, w, dtype, 'dead')
        np.save(os.path.join(folder, 'raw/frames.npy'), raw['frames'])
        np.save(os.path.join(folder, 'raw/positions.npy'), raw['positions'])
        if harness['weight2d'] == 'raw':
            np.save(os.path.join(folder, 'raw/weight2d.npy'), raw['weight2d'])
        if harness['per_frame_weights']:
            np.save(os.path.join(folder, 'raw/weights.npy'), raw['weights'])
        gen_base.dump(os.path.join(folder, 'params.json'), p)
        cwd = os.getcwd()
        os.chdir(folder)
        try:
            with np.errstate(all='ignore'):
                run = gen_base.run_saving if 'save' in p else gen_base.run_case
                print(name, run(folder, p, raw))
        finally:
            os.chdir(cwd)


if __name__ == '__main__':
    main()
