"""Writes random-but-valid Hdf5Loader cases in the hdf5-loader corpus format
(params.json, raw/*.h5 written with h5py, expected/ from real ptypy through
hdf5_harness.py), for `npm run conformance -- <out>` to judge.

Usage: PTYPY_SRC=<ptypy work tree> python3 hdf5_gen.py <out> <first seed> <count> [<fast share>]
"""
import json
import os
import shutil
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hdf5_harness as harness  # noqa: E402

try:
    import hdf5plugin  # noqa: F401
except ImportError:
    pass
os.environ.setdefault("HDF5_PLUGIN_PATH", "/usr/lib/x86_64-linux-gnu/hdf5/serial/plugins")

FAST_SHARE = 0.0  # share of cases run as Hdf5LoaderFast (4th argument)
REBIN_SHARE = float(os.environ.get("DIFF_REBIN_SHARE", "0.1"))
FRAME_DTYPES = ["uint16", "uint32", "int32", "float32", "float64", "int64", "int16", "uint8",
                "float32", "uint32", "int8", "uint64"]


class Gen:
    def __init__(self, seed, folder):
        self.r = np.random.default_rng(seed)
        self.seed = seed
        self.dir = folder
        self.raw = os.path.join(folder, "raw")
        os.makedirs(self.raw)
        self.top = h5py.File(os.path.join(self.raw, "top_file.h5"), "w")
        self.filters = set()
        self.doc = []

    def p(self, x):
        return self.r.random() < x

    def choice(self, xs):
        return xs[int(self.r.integers(len(xs)))]

    def compression(self, shape):
        kind = self.choice(["none", "none", "gzip", "shuffle-gzip", "lzf", "bslz4"])
        kw = {}
        if len(shape) >= 2 and kind != "none":
            kw["chunks"] = tuple([1] * (len(shape) - 2) + list(shape[-2:]))
            if self.p(0.3) and len(shape) >= 3:
                c = list(kw["chunks"])
                c[-2] = max(1, shape[-2] // 2)
                c[0] = min(shape[0], 2)
                kw["chunks"] = tuple(c)
        if kind == "gzip":
            kw["compression"] = "gzip"
            self.filters.add("gzip")
        elif kind == "shuffle-gzip":
            kw.update(compression="gzip", shuffle=True)
            self.filters.add("gzip")
        elif kind == "lzf":
            kw["compression"] = "lzf"
            self.filters.add("lzf")
        elif kind == "bslz4" and len(shape) >= 2:
            kw.update(compression=32008, compression_opts=(0, 2))
            self.filters.add("bitshuffle-lz4")
        return kw

    def put(self, name, array, big=False):
        """Stores `array` as entry/<name>, directly in top_file.h5 or through an external link."""
        key = "entry/" + name
        kw = self.compression(array.shape) if big else {}
        if self.p(0.5):
            fname = name + ".h5"
            with h5py.File(os.path.join(self.raw, fname), "w") as f:
                f.create_dataset(key, data=array, **kw)
            self.top[key] = h5py.ExternalLink(fname, key)
        else:
            self.top.create_dataset(key, data=array, **kw)
        return {"file": "raw/top_file.h5", "key": key}

    def put_vds(self, name, array):
        """Stores a frame stack as a virtual dataset over two source files (split on axis 0)."""
        key = "entry/" + name
        n = array.shape[0]
        cut = int(self.r.integers(1, n)) if n > 1 else 1
        layout = h5py.VirtualLayout(shape=array.shape, dtype=array.dtype)
        for i, (a, b) in enumerate([(0, cut), (cut, n)]):
            if b <= a:
                continue
            fname = "%s_%06d.h5" % (name, i + 1)
            with h5py.File(os.path.join(self.raw, fname), "w") as f:
                f.create_dataset("entry/data/data", data=array[a:b], **self.compression(array[a:b].shape))
            layout[a:b] = h5py.VirtualSource(fname, "entry/data/data", shape=array[a:b].shape)
        self.top.create_virtual_dataset(key, layout, fillvalue=0)
        return {"file": "raw/top_file.h5", "key": key}

    def frames(self, lead, H, W, dtype):
        n = int(np.prod(lead))
        yy, xx = np.mgrid[0:H, 0:W]
        out = np.empty((n, H, W), dtype=np.float64)
        for k in range(n):
            cy, cx = self.r.uniform(0.2 * H, 0.8 * H), self.r.uniform(0.2 * W, 0.8 * W)
            lam = 3 + 200 * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * (1 + H / 6) ** 2))
            out[k] = self.r.poisson(lam)
        if dtype.startswith("float"):
            out = out + self.r.random(out.shape)
        if dtype == "uint8":
            out = np.minimum(out, 255)
        return out.astype(dtype).reshape(tuple(lead) + (H, W))

    def build(self):
        r = self.r
        par = {}
        H, W = int(r.integers(8, 21)), int(r.integers(8, 21))
        dtype = self.choice(FRAME_DTYPES)
        layout = int(r.integers(1, 6))
        spectro = self.p(0.1)
        E = int(r.integers(2, 4)) if spectro else 0
        pos_dtype = self.choice(["float64", "float64", "float32", "int64", "int32"])
        self.doc.append("layout %d %s %dx%d" % (layout, dtype, H, W))
        if layout in (1, 4):
            A, B = int(r.integers(2, 6)), int(r.integers(2, 6))
            lead = (A, B)
        elif layout == 3:
            A, B = int(r.integers(2, 6)), int(r.integers(2, 6))
            lead = (A * B,)
        elif layout == 5:
            A, B = int(r.integers(2, 6)), int(r.integers(2, 6))
            lead = (A * B,)
        else:
            A = int(r.integers(4, 21))
            B = None
            lead = (A,)
        if layout in (4, 5) and self.p(0.3):
            B = A
            lead = (A, B) if layout == 4 else (A * B,)
        if layout in (1, 3):
            pshape = (A, B)
            slow = np.repeat(np.arange(A)[:, None], B, 1) * 1.5 + r.normal(0, 0.1, (A, B))
            fast = np.repeat(np.arange(B)[None, :], A, 0) * 1.25 + r.normal(0, 0.1, (A, B))
            sshape = fshape = pshape
        elif layout in (4, 5):
            slow = np.arange(A) * 1.5 + r.normal(0, 0.1, A)
            fast = np.arange(B) * 1.25 + r.normal(0, 0.1, B)
            sshape, fshape = (A,), (B,)
        else:
            slow = r.normal(0, 5, A)
            fast = r.normal(0, 5, A)
            sshape = fshape = (A,)
        if pos_dtype.startswith("int"):
            slow = np.round(slow * 10)
            fast = np.round(fast * 10)
        slow = slow.astype(pos_dtype)
        fast = fast.astype(pos_dtype)
        trailing = layout == 1 and self.p(0.15)
        if trailing:
            slow = slow.reshape(slow.shape + (1, 1))
            fast = fast.reshape(fast.shape + (1, 1))
        data = self.frames(((E,) if spectro else ()) + lead, H, W, dtype)
        if spectro:
            slow = np.stack([slow + e * 0.01 for e in range(E)]).astype(pos_dtype)
            fast = np.stack([fast - e * 0.01 for e in range(E)]).astype(pos_dtype)
        vds = (not spectro) and len(lead) == 1 and self.p(0.12)
        par["intensities"] = self.put_vds("intensity", data) if vds else self.put("intensity", data, big=True)
        if vds:
            self.doc.append("vds")
        pos = {"file": "raw/top_file.h5"}
        if layout == 2 and not spectro and self.p(0.15):
            table = np.stack([fast, r.normal(0, 1, A).astype(pos_dtype), slow], axis=1)
            loc = self.put("motors", table)
            pos.update(slow_key=loc["key"], fast_key=loc["key"], slow_index=2, fast_index=0)
            self.doc.append("index columns")
        else:
            pos["slow_key"] = self.put("positions_slow", slow)["key"]
            pos["fast_key"] = self.put("positions_fast", fast)["key"]
        if self.p(0.4):
            pos["slow_multiplier"] = self.choice([1e-6, 2, 0.5, 1e-3, -1.0, 3])
        if self.p(0.4):
            pos["fast_multiplier"] = self.choice([1e-6, 2, 0.5, 1e-3, -1.0, 3])
        if self.p(0.3):
            pos["skip"] = int(r.integers(1, 4))
        nslow = A
        nfast = B if B is not None else A
        bb = {}
        if self.p(0.35):
            bb["fast_axis_bounds"] = self.bound(nfast)
        if self.p(0.35):
            bb["slow_axis_bounds"] = self.bound(nslow)
        if bb:
            pos["bounding_box"] = bb
        par["positions"] = pos
        if spectro:
            energies = (7.1 + 0.02 * np.arange(E)).astype(self.choice(["float64", "float32"]))
            par["recorded_energy"] = self.put("energy", energies)
            if self.p(0.5):
                par["recorded_energy"]["multiplier"] = self.choice([1.0, 0.001, 2])
            if self.p(0.7):
                par["outer_index"] = int(r.integers(0, E))
            self.doc.append("spectro")
        elif self.p(0.3):
            par["recorded_energy"] = self.put("energy", self.one_value(self.choice([8700.0, 9.1, 7, 12000])))
            if self.p(0.5):
                par["recorded_energy"]["multiplier"] = self.choice([0.001, 1.0, 2, 1e-3])
            if self.p(0.4):
                par["recorded_energy"]["offset"] = self.choice([0.5, 1, -0.25])
        if self.p(0.3):
            par["recorded_distance"] = self.put("distance", self.one_value(self.choice([2.35, 1503.7, 7, 0.5])))
            if self.p(0.5):
                par["recorded_distance"]["multiplier"] = self.choice([0.001, 1.0, 2, 1e-3])
        if self.p(0.3):
            par["recorded_psize"] = self.put("psize", self.one_value(self.choice([75e-6, 55.0, 172, 0.000172])))
            if self.p(0.5):
                par["recorded_psize"]["multiplier"] = self.choice([1e-6, 1.0, 2])
        frame_lead = lead
        full = ((E,) if spectro else ()) + lead + (H, W)
        if layout in (1, 2) and self.p(0.25):
            fshape_ = (sshape if layout == 2 else pshape)
            ff = r.random(((E,) if spectro else ()) + fshape_) > 0.3
            ff = self.choice([ff, ff.astype("uint8") * 2, ff.astype("float32"), ff.astype("int32") - 0])
            par["framefilter"] = self.put("framefilter", ff)
            self.doc.append("framefilter")
        if self.p(0.3):
            dd = self.choice(["same", "int32", "float64", "float32", "uint16"])
            ddt = dtype if dd == "same" else dd
            kind = self.choice(["hw", "1hw", "like"]) if not spectro or self.p(0.2) else self.choice(["hw", "1hw"])
            base = np.full((H, W), 4.0) + r.integers(0, 4, (H, W))
            if kind == "hw":
                dark = base
            elif kind == "1hw":
                dark = base[None]
            else:
                dark = np.broadcast_to(base, lead + (H, W)) + r.integers(0, 3, lead + (H, W))
            if ddt.startswith("float"):
                dark = dark + 0.5
            par["darkfield"] = self.put("dark", np.ascontiguousarray(dark).astype(ddt), big=kind == "like")
            self.doc.append("dark %s %s" % (kind, ddt))
        if self.p(0.3):
            fdt = self.choice(["float32", "float64", "float64", "int32"])
            kind = self.choice(["hw", "like"]) if not spectro else "hw"
            shp = (H, W) if kind == "hw" else lead + (H, W)
            flat = r.uniform(0.5, 1.5, shp) if not fdt.startswith("int") else r.integers(1, 3, shp)
            par["flatfield"] = self.put("flat", flat.astype(fdt), big=kind == "like")
            self.doc.append("flat %s %s" % (kind, fdt))
        if self.p(0.3) and (layout in (1, 2, 3) or A == B):
            ndt = self.choice(["float64", "float32", "int32"])
            kind = self.choice(["pos", "pos", "posk"]) if layout in (1, 3) else "pos"
            shp = (slow.shape[1:] if spectro else slow.shape) if layout in (1, 2) else (sshape if layout != 3 else pshape)
            if layout in (4, 5):
                shp = (A,)
            if kind == "posk":
                shp = tuple(shp) + (int(r.integers(1, 3)),)
            nv = r.normal(1000, 50, shp)
            if self.p(0.2):
                nv.flat[0] = 2000
            par["normalisation"] = self.put("normalisation", nv.astype(ndt))
            if self.p(0.4):
                par["normalisation"]["sigma"] = self.choice([1, 2, 0.5, 3.0])
            self.doc.append("norm %s %s" % (kind, ndt))
        if self.p(0.35):
            mdt = self.choice(["bool", "int32", "uint8", "uint32", "float32", "int64"])
            kind = self.choice(["hw", "hw", "like"]) if not spectro or self.p(0.2) else "hw"
            shp = (H, W) if kind == "hw" else lead + (H, W)
            m = r.random(shp) > 0.1
            if mdt != "bool" and self.p(0.1):
                m = m.astype(mdt) * 2  # weights of 2 are kept as they are
            par["mask"] = self.put("mask", m.astype(mdt), big=kind == "like")
            if self.p(0.4):
                par["mask"]["invert"] = True
            self.doc.append("mask %s %s" % (kind, mdt))
        if self.p(0.25):
            par["padding"] = self.choice([[0, 0, 0, 0], [int(x) for x in r.integers(0, 4, 4)]])
        if self.p(0.6):
            m = min(H, W)
            if self.p(0.5):
                par["shape"] = int(r.integers(4, m + 1))
            else:
                par["shape"] = [int(r.integers(4, H + 1)), int(r.integers(4, W + 1))]
        if self.p(0.5):
            c = self.choice(["fftshift", "geometric", None, "ints", "ints", "neg", "float"])
            if c == "ints":
                par["center"] = [int(r.integers(H // 3, H - H // 3 + 1)), int(r.integers(W // 3, W - W // 3 + 1))]
            elif c == "neg":
                par["center"] = [-int(r.integers(H // 3, H - H // 3 + 1)), -int(r.integers(W // 3, W - W // 3 + 1))]
            elif c == "float":
                par["center"] = [float(r.integers(H // 3, H - H // 3 + 1)) + 0.5, float(r.integers(W // 3, W - W // 3 + 1))]
            else:
                par["center"] = c
        ac = self.choice(["absent", "absent", None, False, True])
        if ac != "absent":
            par["auto_center"] = ac
        if self.p(0.1):
            par["electron_data"] = True
            par["energy"] = self.choice([300, 200.0, 80])
        if self.p(0.15):
            par["orientation"] = (int(r.integers(0, 8)) if self.p(0.7)
                                  else [bool(x) for x in r.integers(0, 2, 3)])
        if self.p(REBIN_SHARE):
            par["rebin"] = self.choice([2, 2, 3])
            r_ = par["rebin"]
            m = min(H, W) // r_ * r_
            if m >= 2 * r_:
                par["shape"] = m if self.p(0.5) else [m, m + 1]
        if self.p(0.2):
            par["psize"] = self.choice([55e-6, [1e-4, 2e-4], 75e-6])
        if self.p(0.1):
            par["num_frames"] = int(r.integers(1, 10))
        if self.p(0.15):
            par["distance"] = self.choice([2, 3.5])
        if self.p(0.15):
            par["energy"] = self.choice([9, 8.7])
        if self.p(0.1):
            self.inject_error(par, H, W, lead)
        self.top.close()
        return par, full

    def inject_error(self, par, H, W, lead):
        """One invalid input, for the error classes."""
        kind = self.choice(["key", "file", "link", "dark", "mask", "flat", "distance", "padding",
                            "posshape", "psize2", "ffshape"])
        self.doc.append("error " + kind)
        if kind == "key":
            par["intensities"] = dict(par["intensities"], key="entry/nothere")
        elif kind == "file":
            par["mask"] = {"file": "raw/nothere.h5", "key": "entry/mask"}
        elif kind == "link":
            self.top["entry/dangling"] = h5py.ExternalLink("gone.h5", "entry/data")
            par["darkfield"] = {"file": "raw/top_file.h5", "key": "entry/dangling"}
        elif kind == "dark":
            par["darkfield"] = self.put("baddark", np.ones((H + 1, W), "int32"))
        elif kind == "mask":
            par["mask"] = self.put("badmask", np.ones((H, W + 2), "int32"))
        elif kind == "flat":
            par["flatfield"] = self.put("badflat", np.ones((2, H, W), "float32"))
        elif kind == "distance":
            par["recorded_distance"] = self.put("baddist", np.array([1.0, 2.0]))
        elif kind == "psize2":
            par["recorded_psize"] = self.put("badpsize", np.array([[55e-6, 55e-6]]))
        elif kind == "padding":
            par["padding"] = self.choice([2, [1, 2]])
        elif kind == "posshape":
            par["positions"] = dict(par["positions"], slow_key=self.put("short", np.arange(2.0))["key"])
        else:
            par["framefilter"] = self.put("badff", np.ones((3, 7), "uint8"))

    def bound(self, n):
        k = self.choice(["int", "pair", "pair", "neg"])
        if k == "int":
            return int(self.r.integers(0, max(1, n - 1)))
        if k == "neg":
            return int(-self.r.integers(1, max(2, n)))
        lo = int(self.r.integers(0, max(1, n - 1)))
        hi = int(self.r.integers(lo + 1, n + 1))
        return [lo, hi]

    def one_value(self, v):
        shape = self.choice([(), (), (1,), (1, 1)])
        dt = self.choice(["float64", "float32", "int64"]) if float(v) == int(v) else self.choice(["float64", "float32"])
        return np.full(shape, v, dtype=dt)


def count_frames(folder):
    """Number of frames ptypy selects (construct only), or None when it fails."""
    old = os.getcwd()
    os.chdir(folder)
    try:
        with open("params.json") as f:
            params = json.load(f)
        scan = harness.Hdf5Loader(harness.to_python(params))
        n = scan.num_frames
        scan._finalize()
        return n
    except Exception:  # noqa: BLE001
        return None
    finally:
        os.chdir(old)


def make_case(out, seed):
    folder = os.path.join(out, "g%05d" % seed)
    shutil.rmtree(folder, ignore_errors=True)
    g = Gen(seed, folder)
    par, _full = g.build()
    par["calls"] = [1]
    fast = g.r.random() < FAST_SHARE
    par["harness"] = {"class": "Hdf5LoaderFast" if fast else "Hdf5Loader", "filters": sorted(g.filters)}
    with open(os.path.join(folder, "params.json"), "w") as f:
        json.dump(par, f, indent=1)
    n = count_frames(folder)
    r = g.r
    if n and r.random() < 0.2:
        kind = g.choice(["perm", "subset", "repeat"])
        if kind == "perm":
            idx = r.permutation(n)
        elif kind == "subset":
            idx = r.choice(n, size=max(1, n // 2), replace=False)
        else:
            idx = r.integers(0, n, size=n)
        par["frameorder"] = {"indices": [int(i) for i in idx]}
        g.doc.append("frameorder " + kind)
        with open(os.path.join(folder, "params.json"), "w") as f:
            json.dump(par, f, indent=1)
        n = count_frames(folder) or n
    calls = []
    total = 0
    while n is not None and total < n:
        c = int(r.integers(1, max(2, n // 2 + 2)))
        calls.append(c)
        total += c
    calls += [int(r.integers(1, 5))]
    par["calls"] = calls
    with open(os.path.join(folder, "params.json"), "w") as f:
        json.dump(par, f, indent=1)
    with open(os.path.join(folder, "doc.txt"), "w") as f:
        f.write("; ".join(g.doc) + "\n")
    try:
        harness.run_case(folder)
    except Exception as e:  # noqa: BLE001 (a record the corpus format cannot hold)
        print("g%05d: dropped (%s: %s)" % (seed, type(e).__name__, e))
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    out, first, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    FAST_SHARE = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
    os.makedirs(out, exist_ok=True)
    for s in range(first, first + count):
        make_case(out, s)
