#!/usr/bin/env python3
"""Reads a cellfree result as a Python user would, without our code: the HDF5 file with h5py and the
CSV of `cellfree export` with the csv module (pandas reads the same file). Prints one JSON object:

  {"dataset": {"shape", "dims", "labels", "units", "first"}, "csv": {"header", "rows", "first"}}

("labels": h5py's dset.dims[i].label, the HDF5 dimension labels.)

Usage: read_result.py FILE.h5 GROUP/DATASET EXPORT.csv   (SmokeManifestTests runs it on the smoke outputs)
"""
import csv
import json
import sys

import h5py


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def main(h5_path, dataset, csv_path):
    with h5py.File(h5_path, "r") as f:
        d = f[dataset]
        out = {"dataset": {"shape": list(d.shape), "dims": text(d.attrs["dims"]), "units": text(d.attrs["units"]),
                           "labels": [dim.label for dim in d.dims],
                           "first": float(d[(0,) * d.ndim])}}
    with open(csv_path, newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = list(reader)
    out["csv"] = {"header": header, "rows": len(rows), "first": float(rows[0][-1])}
    print(json.dumps(out))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
