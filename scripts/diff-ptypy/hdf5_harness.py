"""Runs real ptypy's Hdf5Loader on one case folder of the hdf5-loader corpus format
and writes its expected/ record (init.json, call_<i>.json + .npy, final.json).

Usage: PTYPY_SRC=<ptypy work tree> python3 hdf5_harness.py <case> [<case> ...]

The JSON -> Python conversion and the record format follow
../shared/conformance/hdf5-loader-cases/README.md (tuples for shape, center,
orientation, psize, padding and the bounding boxes; frameorder.indices as an
int64 ndarray; source_index from the index each frame was read with).
Saving cases are not supported (the generator makes none).
"""
import hashlib
import json
import os
import shutil
import sys
import tempfile

if "PTYPY_SRC" not in os.environ:
    sys.exit("set PTYPY_SRC to a ptypy 0.9 work tree")
sys.path.insert(0, os.environ["PTYPY_SRC"])

import numpy as np  # noqa: E402
from ptypy import utils as u  # noqa: E402
from ptypy.core import data as ptydata  # noqa: E402
from ptypy.experiment.hdf5_loader import Hdf5Loader, Hdf5LoaderFast  # noqa: E402

u.verbose.set_level(0)

TUPLE_TOP = {"shape", "center", "orientation", "psize", "padding"}


def to_python(params):
    out = {}
    for k, v in params.items():
        if k in ("calls", "harness"):
            continue
        if k in TUPLE_TOP and isinstance(v, list):
            v = tuple(v)
        if k == "positions" and isinstance(v, dict) and isinstance(v.get("bounding_box"), dict):
            bb = dict(v["bounding_box"])
            for a in ("slow_axis_bounds", "fast_axis_bounds"):
                if isinstance(bb.get(a), list):
                    bb[a] = tuple(bb[a])
            v = dict(v, bounding_box=bb)
        if k == "frameorder" and isinstance(v, dict) and isinstance(v.get("indices"), list):
            v = dict(v, indices=np.array(v["indices"], dtype=np.int64))
        out[k] = v
    return to_param(out)


def to_param(d):
    p = u.Param()
    for k, v in d.items():
        p[k] = to_param(v) if isinstance(v, dict) else v
    return p


def tstr(v):
    if v is None:
        return "NoneType"
    if isinstance(v, np.ndarray):
        return "ndarray<%s>[%s]" % (v.dtype, ", ".join(str(s) for s in v.shape))
    if isinstance(v, (tuple, list)):
        kinds = sorted(set(tstr(x) for x in v))
        return "%s[%s]" % (type(v).__name__, ", ".join(kinds))
    if type(v).__module__ == "numpy":
        return "numpy." + type(v).__name__
    if isinstance(v, dict):
        return "dict"
    return type(v).__name__


def plain(v):
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, (tuple, list)):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, np.generic):
        return v.item()
    return v


def sha(a):
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def dump(path, obj):
    with open(path, "w") as f:
        json.dump(plain(obj), f, indent=1)


def err(e):
    return {"error": type(e).__name__, "message": str(e)}


def run_case(case):
    case = os.path.abspath(case)
    with open(os.path.join(case, "params.json")) as f:
        params = json.load(f)
    exp = os.path.join(case, "expected")
    shutil.rmtree(exp, ignore_errors=True)
    os.makedirs(exp)
    cls = Hdf5LoaderFast if params.get("harness", {}).get("class") == "Hdf5LoaderFast" else Hdf5Loader
    work = tempfile.mkdtemp(prefix="h5case")
    os.symlink(os.path.join(case, "raw"), os.path.join(work, "raw"))
    old = os.getcwd()
    os.chdir(work)
    sources = []
    try:
        stage = "construct"
        try:
            scan = cls(to_python(params))
            orig = scan.get_corrected_intensities

            def spy(*args, **kw):
                if cls is Hdf5Loader:
                    index = args[-1]
                    idx = list(index) if hasattr(index, "__iter__") else [index]
                    idx = [int(i) for i in idx]
                    if scan._is_spectro_scan and scan.p.outer_index is not None:
                        idx = [int(scan.p.outer_index)] + idx
                else:  # Hdf5LoaderFast: the read's index tuple, outer index included
                    idx = [int(i) for i in args[3] if not isinstance(i, slice)]
                sources.append(idx)
                return orig(*args, **kw)

            scan.get_corrected_intensities = spy
            stage = "initialize"
            scan.initialize()
        except Exception as e:  # noqa: BLE001
            dump(os.path.join(exp, "init.json"), dict(err(e), stage=stage))
            return
        meta = scan.meta
        dump(os.path.join(exp, "init.json"), {
            "num_frames": scan.num_frames,
            "has_weight2d": bool(scan.has_weight2d),
            "has_positions": bool(scan.has_positions),
            "weight2d_shape": None if scan.weight2d is None else list(np.shape(scan.weight2d)),
            "meta": plain(dict(meta)),
            "meta_types": {k: tstr(v) for k, v in meta.items()},
        })
        sequence = []
        for i, n in enumerate(params["calls"]):
            del sources[:]
            try:
                out = scan.auto(n)
            except Exception as e:  # noqa: BLE001
                dump(os.path.join(exp, "call_%d.json" % i), err(e))
                sequence.append("ERR:" + type(e).__name__)
                break
            if out == ptydata.WAIT:
                dump(os.path.join(exp, "call_%d.json" % i), {"msg": "WAIT"})
                sequence.append("WAIT")
                continue
            if out == ptydata.EOS:
                dump(os.path.join(exp, "call_%d.json" % i), {"msg": "EOS"})
                sequence.append("EOS")
                continue
            chunk = out["chunk"]
            it = out["iterable"]
            data = np.array([f["data"] for f in it])
            mask = np.array([f["mask"] for f in it])
            weights = np.array([chunk.weights[idx] for idx in chunk.indices])
            pos = np.array(chunk.positions)
            sequence.append(str(len(chunk.indices)))
            common = out["common"]
            rec = {
                "indices": [int(x) for x in chunk.indices],
                "chunk_num": int(chunk.num),
                "common": plain(dict(common)),
                "common_types": {k: tstr(v) for k, v in common.items()},
                "positions": plain(pos),
                "positions_type": tstr(pos),
                "data_dtype": str(data.dtype),
                "data_shape": list(data.shape),
                "mask_dtype": str(mask.dtype),
                "weights_dtype": str(weights.dtype),
                "weights_shape": list(weights.shape),
                "data_sha256": sha(data),
                "mask_sha256": sha(mask),
                "weights_sha256": sha(weights),
                "source_index": list(sources),
            }
            dump(os.path.join(exp, "call_%d.json" % i), rec)
            np.save(os.path.join(exp, "call_%d_data.npy" % i), data)
            np.save(os.path.join(exp, "call_%d_mask.npy" % i), mask)
            np.save(os.path.join(exp, "call_%d_weights.npy" % i), weights)
        info = scan.info
        dump(os.path.join(exp, "final.json"), {
            "info_center": plain(info.center),
            "info_center_type": tstr(info.center),
            "info_shape": plain(info.shape),
            "info_shape_type": tstr(info.shape),
            "num_frames": scan.num_frames,
            "framestart": scan.framestart,
            "chunknum": scan.chunknum,
            "sequence": sequence,
        })
        try:
            scan._finalize()
        except Exception:  # noqa: BLE001
            pass
    finally:
        os.chdir(old)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    for c in sys.argv[1:]:
        run_case(c)
