"""Writes the small Hdf5Loader regression cases of test/fixtures/hdf5-loader-cases
(found by hdf5_gen.py), with expected/ from real ptypy through hdf5_harness.py.

Usage: PTYPY_SRC=<ptypy work tree> python3 hdf5_fixtures.py <out folder>
"""
import json
import os
import shutil
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hdf5_harness as harness  # noqa: E402

TOP = "raw/top_file.h5"


def frames(n, h, w, dtype, seed):
    r = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w]
    blob = 40 * np.exp(-((yy - h * 0.6) ** 2 + (xx - w * 0.3) ** 2) / 6.0)
    out = r.poisson(3 + blob, (n, h, w)).astype(np.float64)
    if np.dtype(dtype).kind == "f":
        out += r.random(out.shape)
    return out.astype(dtype)


def case(out, name, doc, datasets, params, calls, cls="Hdf5Loader"):
    folder = os.path.join(out, name)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(os.path.join(folder, "raw"))
    with h5py.File(os.path.join(folder, TOP), "w") as f:
        for key, value in datasets.items():
            f.create_dataset(key, data=value)
    params = dict(params, calls=calls, harness={"class": cls, "filters": []})
    with open(os.path.join(folder, "params.json"), "w") as f:
        json.dump(params, f, indent=1)
    with open(os.path.join(folder, "doc.txt"), "w") as f:
        f.write(doc + "\n")
    harness.run_case(folder)


def main(out):
    r = np.random.default_rng(7)
    n = 6
    base = {
        "entry/data": None,
        "entry/y": r.normal(0, 2, n),
        "entry/x": r.normal(0, 2, n),
    }
    io = {
        "intensities": {"file": TOP, "key": "entry/data"},
        "positions": {"file": TOP, "slow_key": "entry/y", "fast_key": "entry/x"},
    }

    def with_data(data, **more):
        d = dict(base, **more)
        d["entry/data"] = data
        return d

    case(out, "pad_float32_frames_weights",
         "float32 frames and a float32 mask on 10x12 frames; shape None and centre (7, 5) make "
         "PtyScan pad the 10x10 ROI: data and weights stay float32",
         with_data(frames(n, 10, 12, "float32", 1),
                   **{"entry/mask": (r.random((10, 12)) > 0.1).astype("float32")}),
         dict(io, mask={"file": TOP, "key": "entry/mask"}, center=[7, 5], auto_center=False),
         [4, 4, 1])
    case(out, "pad_int_frames_float32_weights",
         "uint16 frames (padded to float64) with a float32 mask (padded, kept float32), int shape 8 "
         "around centre (2, 9): the window is cut by the right edge and PtyScan pads it back",
         with_data(frames(n, 10, 12, "uint16", 2),
                   **{"entry/mask": (r.random((10, 12)) > 0.1).astype("float32")}),
         dict(io, mask={"file": TOP, "key": "entry/mask"}, shape=8, center=[5, 9]),
         [3, 3, 1])
    case(out, "framefilter_selects_nothing",
         "a frame filter of zeros: no frame, no positions (has_positions false), EOS at once",
         with_data(frames(n, 8, 8, "int32", 3), **{"entry/filter": np.zeros(n, "uint8")}),
         dict(io, framefilter={"file": TOP, "key": "entry/filter"}),
         [2, 2])
    case(out, "bbox_negative_fast_bound",
         "fast_axis_bounds (-4, -1) on 6 per-frame positions: ptypy reads frames 2..4 counted from "
         "the end; ours refuses the negative bound at construction (intended difference 11)",
         with_data(frames(n, 8, 8, "int32", 4)),
         dict(io, positions=dict(io["positions"], bounding_box={"fast_axis_bounds": [-4, -1]})),
         [2, 2, 1])
    case(out, "window_before_frame_with_mask",
         "shape 8 around centre (3, 6) starts a row before the 10x12 frame: with a mask ptypy fails "
         "at the first chunk with ValueError (not AssertionError); ours refuses at construction",
         with_data(frames(n, 10, 12, "int32", 5),
                   **{"entry/mask": (r.random((10, 12)) > 0.1).astype("int32")}),
         dict(io, mask={"file": TOP, "key": "entry/mask"}, shape=8, center=[3, 6]),
         [3, 3, 1])
    grid_y = np.repeat(np.arange(2.0)[:, None], 3, 1)
    grid_x = np.repeat(np.arange(3.0)[None, :], 2, 0)
    case(out, "normalisation_table_layout3",
         "layout 3 (6 frames, (2, 3) position grids) with a (2, 3, 2) normalisation table and a "
         "4x4 window from (2, 1): ptypy indexes the table with the flat frame number and the "
         "window, scales frames 0 and 1 by an unrelated value and the rest not at all; ours "
         "refuses the table at construction (intended difference 9)",
         {"entry/data": frames(6, 8, 8, "int32", 6), "entry/y": grid_y, "entry/x": grid_x,
          "entry/norm": r.normal(1000, 30, (2, 3, 2))},
         dict(io, normalisation={"file": TOP, "key": "entry/norm"}, shape=4, center=[4, 3]),
         [3, 3, 1])
    case(out, "autocenter_true_centre_outside",
         "auto_center true with a centre (-3, -4) outside the frame and shape None: ptypy uses the "
         "explicit centre and fails at the first chunk; ours uses the automatic one (difference 1)",
         with_data(frames(n, 10, 10, "int32", 7)),
         dict(io, center=[-3, -4], auto_center=True),
         [3, 3, 1])
    case(out, "fast_dark_dtype",
         "Hdf5LoaderFast, int16 10x10 frames minus a uint16 dark, whole frames (nothing to crop): "
         "ptypy's fast reader keeps int16 (its read buffer) where Hdf5Loader promotes to int32; "
         "ours gives Hdf5Loader's (difference 14)",
         with_data(frames(n, 10, 10, "int16", 8), **{"entry/dark": np.full((10, 10), 4, "uint16")}),
         dict(io, darkfield={"file": TOP, "key": "entry/dark"}, auto_center=False, center=None),
         [3, 3, 1], cls="Hdf5LoaderFast")
    case(out, "fast_negative_bound",
         "Hdf5LoaderFast with fast_axis_bounds (-4, -1): the negative bound is refused as for "
         "Hdf5Loader (differences 14 and 11 together)",
         with_data(frames(n, 8, 8, "int32", 9)),
         dict(io, positions=dict(io["positions"], bounding_box={"fast_axis_bounds": [-4, -1]})),
         [2, 2, 1], cls="Hdf5LoaderFast")
    case(out, "positions_int_multipliers",
         "int32 positions with integer multipliers (2, 3): ptypy's positions are int64, ours "
         "float64 with the same values (docs/compatibility.md)",
         with_data(frames(n, 8, 8, "int32", 10), **{"entry/y": np.arange(n, dtype="int32"),
                                                    "entry/x": np.arange(n, dtype="int32") * 5}),
         dict(io, positions=dict(io["positions"], slow_multiplier=2, fast_multiplier=3)),
         [4, 4])
    case(out, "window_before_frame_nothing_selected",
         "shape 8 around centre (2, 6) starts before the 10x12 frame, but the frame filter selects "
         "nothing: ptypy never reads a frame (EOS), so the window is no error",
         with_data(frames(n, 10, 12, "int32", 11), **{"entry/filter": np.zeros(n, "int32")}),
         dict(io, framefilter={"file": TOP, "key": "entry/filter"}, shape=8, center=[2, 6]),
         [2, 2])


if __name__ == "__main__":
    main(sys.argv[1])
