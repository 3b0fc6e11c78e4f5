#!/usr/bin/env python3
"""How well can the Tree paper's labels be fitted at all? A PyTorch cross-check of `train-tree`.

Reads the cached `layouts` and `baselines` files of a training set (by their `stage` attribute, e.g.
`tree-layouts` / `tree-labels`), normalises the labels as TrainStage does by default (UL p/P̄_UL,
DL min-max over the training set; PowerLabelScale `linear`), splits 90/10 per K, and trains, with the
paper code's recipe (AdamW 1e-3, weight decay 0.01, cosine to 1e-6, batch 128, batches of one K
interleaved), one of:

- `tree`: the Tree-Transformer of models.md §5 on the positions the model sees (ue_seen, ap_seen);
- `beta-set`: an oracle of much more information and capacity: one token per UE holding its 16
  large-scale gains β_lk [dB] from the *true* positions and shadowing (what the labels are a function
  of, up to Monte-Carlo noise), 3 softmax-attention layers over the UEs of the drop, d = 128; with
  `--seen`, the gains the model's own inputs allow: path loss of the positions under error, no shadowing;
- `pos-set`: the same set model on what the Tree sees, one token per UE of its own position and all L AP
  positions (2(L + 1) features, as the Table II baselines);
- `dist-set`: the same set model on a fixed map of those positions, each UE's L log-distances to the APs
  (no learned weights in the map: whether the networks fail at learning it from coordinates).

`--scale log` min-max normalises log10 of the powers instead (PowerLabelScale `log`).

It prints the validation MSE per epoch and the per-K constant predictor's MSE (the floor a model that
ignores its inputs reaches). Not part of the build or the tests (PyTorch is a 3 GB install):

    pip install torch h5py
    python3 scripts/tree_fit_check.py --layouts tree-layouts --labels tree-labels --model tree --epochs 10
"""
import argparse, glob, json, math, os, sys, time
import h5py, numpy as np, torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from pytorch_baseline import TreeTransformer  # noqa: E402


def stage_files(cache, kind, stage):
    files = {}
    for f in glob.glob(os.path.join(cache, kind, "*.h5")):
        with h5py.File(f, "r") as h:
            name = h.attrs.get("stage", "")
            name = name.decode() if isinstance(name, bytes) else name
            if name.split("[")[0] == stage:
                files[json.loads(h.attrs["params"])["K"]] = f
    return files


def beta_db(ue, ap, shadow_z, params):
    """(5.42) with the stored shadowing: β_lk [dB] = −30.5 − 36.7 log10(d_lk / 1 m) + 4 dB · z_lk."""
    d = np.sqrt(((ap[:, :, None, :] - ue[:, None, :, :]) ** 2).sum(-1) + 10.0 ** 2)   # [n, L, K]
    return -30.5 - 36.7 * np.log10(d) + params["shadowing_db"] * shadow_z


def load(cache, layouts, labels, val_fraction, seen):
    lf, bf = stage_files(cache, "layouts", layouts), stage_files(cache, "baselines", labels)
    groups = []
    for K in sorted(lf):
        with h5py.File(lf[K], "r") as h, h5py.File(bf[K], "r") as b:
            params = json.loads(h.attrs["params"])
            side = params["side"]
            ue_seen, ap_seen = h["ue_seen"][()] / side, h["ap_seen"][()] / side
            if seen:   # what a model of the positions can know: path loss of the positions under error
                beta = beta_db(h["ue_seen"][()], h["ap_seen"][()], 0.0, params)
            else:
                beta = beta_db(h["ue"][()], h["ap"][()], h["shadow_z"][()], params)
            beta = beta.transpose(0, 2, 1)  # [n, K, L]
            groups.append(dict(K=K, ue=ue_seen, ap=ap_seen, beta=(beta + 100) / 20,
                               ul=b["cf/ul_power"][()], dl=b["cf/dl_power_total"][()]))
    dl_min = min(g["dl"].min() for g in groups); dl_max = max(g["dl"].max() for g in groups)
    for g in groups:
        g["y_ul"] = g["ul"] / 100.0
        g["y_dl"] = (g["dl"] - dl_min) / (dl_max - dl_min)
        g["n_train"] = g["ue"].shape[0] - int(round(val_fraction * g["ue"].shape[0]))
    return groups


class BetaSet(torch.nn.Module):
    def __init__(self, L=16, d=128, heads=4, layers=3):
        super().__init__()
        self.embed = torch.nn.Linear(L, d)
        layer = torch.nn.TransformerEncoderLayer(d, heads, 4 * d, dropout=0.0, batch_first=True)
        self.encoder = torch.nn.TransformerEncoder(layer, layers)
        self.head = torch.nn.Sequential(torch.nn.Linear(d, d), torch.nn.ReLU(), torch.nn.Linear(d, 2))

    def forward(self, beta):
        p = torch.sigmoid(self.head(self.encoder(self.embed(beta))))
        return p[..., 0], p[..., 1]


class PositionSet(torch.nn.Module):
    """`pos-set` (raw positions) or `dist-set` (log10 of the UE–AP distances, height 10 m)."""
    def __init__(self, distances, L=16):
        super().__init__()
        self.distances, self.inner = distances, BetaSet(L=L if distances else 2 * (L + 1))

    def forward(self, ue, ap):
        B, K, _ = ue.shape
        if self.distances:   # positions are in units of the side (500 m)
            d = torch.sqrt(((ap[:, None, :, :] - ue[:, :, None, :]) ** 2).sum(-1) + (10 / 500) ** 2)
            return self.inner(-torch.log10(d) - 1)
        return self.inner(torch.cat([ue, ap.reshape(B, 1, -1).expand(B, K, ap.shape[1] * 2)], -1))


def tensors(g, rows, model):
    t = lambda a: torch.tensor(a[rows], dtype=torch.float32)
    x = (t(g["beta"]),) if model == "beta-set" else (t(g["ue"]), t(g["ap"]))
    return x, t(g["y_ul"]), t(g["y_dl"])


def mse(out, y_ul, y_dl):
    return 0.5 * (F.mse_loss(out[0], y_ul) + F.mse_loss(out[1], y_dl))


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--cache", default="outputs/cache")
    a.add_argument("--layouts", default="tree-layouts"); a.add_argument("--labels", default="tree-labels")
    a.add_argument("--model", choices=["tree", "beta-set", "pos-set", "dist-set"], default="tree")
    a.add_argument("--scale", choices=["linear", "log"], default="linear")
    a.add_argument("--epochs", type=int, default=10); a.add_argument("--threads", type=int, default=1)
    a.add_argument("--seed", type=int, default=0)
    a.add_argument("--seen", action="store_true", help="beta-set: β from the positions under error, no shadowing")
    o = a.parse_args()
    torch.set_num_threads(o.threads); torch.manual_seed(o.seed); rng = np.random.default_rng(o.seed)
    groups = load(o.cache, o.layouts, o.labels, 0.1, o.seen)
    if o.scale == "log":   # min-max of log10 p: UL up to P̄_UL = 100 mW, DL over the training set
        lo_ul = min(np.log10(g["ul"]).min() for g in groups)
        lo_dl, hi_dl = (f(np.log10(g["dl"]).min() if f is min else np.log10(g["dl"]).max() for g in groups) for f in (min, max))
        for g in groups:
            g["y_ul"] = (np.log10(g["ul"]) - lo_ul) / (2 - lo_ul)
            g["y_dl"] = (np.log10(g["dl"]) - lo_dl) / (hi_dl - lo_dl)
    val = [tensors(g, slice(g["n_train"], None), o.model) for g in groups]
    const = np.mean([0.5 * (((g["y_ul"][g["n_train"]:] - g["y_ul"][:g["n_train"]].mean()) ** 2).mean()
                            + ((g["y_dl"][g["n_train"]:] - g["y_dl"][:g["n_train"]].mean()) ** 2).mean()) for g in groups])
    print(f"{o.layouts}/{o.labels}: K = {[g['K'] for g in groups]}, per-K constant predictor validation MSE {const:.4f}")
    model = {"tree": TreeTransformer, "beta-set": BetaSet, "pos-set": lambda: PositionSet(False),
             "dist-set": lambda: PositionSet(True)}[o.model]()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=o.epochs, eta_min=1e-6)
    for epoch in range(1, o.epochs + 1):
        start, batches = time.time(), []
        model.train()
        for gi, g in enumerate(groups):
            order = rng.permutation(g["n_train"])
            batches += [(gi, order[i:i + 128]) for i in range(0, g["n_train"], 128)]
        rng.shuffle(batches)
        total = 0.0
        for gi, rows in batches:
            x, y_ul, y_dl = tensors(groups[gi], rows, o.model)
            loss = mse(model(*x), y_ul, y_dl)
            opt.zero_grad(); loss.backward(); opt.step(); total += loss.item()
        sched.step(); model.eval()
        with torch.no_grad():
            v = np.mean([mse(model(*x), yu, yd).item() for x, yu, yd in val])
        print(f"epoch {epoch:3d}  train {total / len(batches):.4f}  validation {v:.4f}  ({time.time() - start:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
