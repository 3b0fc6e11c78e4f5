#!/usr/bin/env python3
"""What LA Figs. 5 and 8 summarise, per test K, from an `evaluate` result of a ClusterPowerNet:
Predicted / Optimal UC-CF max-min SE (UL, DL); with `baselines` results of the same drops, the learned
clusters' Optimal UC-CF over the distance-ranked and gain-ranked clusters; per-drop correlation of
log10 predicted with log10 optimal powers; the mean per-drop spread (decades, max − min) of both; the
two-sample KS distance of the predicted (and of the positions-only closed-form) powers from the optimal
ones, per K and pooled over K as Fig. 8, also with every drop's predicted log powers shifted by the
difference of the K's mean levels (what the level alone explains); and how
much of the optimum one positions feature explains: the correlation of log10 optimal (and of log10
predicted) powers with −log10 of the UE's path-loss gain Σ_l d_kl^(−3.67) over its predicted serving APs
(papers' 1 km wrap-around square, 10 m AP height; beside the closed form on positions, `ul_positions`).

    python3 scripts/la_power_analysis.py EVALUATE.h5 [BASELINES.h5 ...]      (files from `cellfree path`)

Needs h5py and NumPy (Debian: python3-h5py). Only the groups at the smallest σ present are read.
"""
import sys

import h5py
import numpy as np


def max_min(se):
    """Mean over drops of the minimum SE over the UEs (b/s/Hz)."""
    return float(np.mean(np.min(se, axis=1)))


def ks(a, b):
    """sup_x |F_a(x) − F_b(x)| of two samples."""
    a, b = np.sort(a), np.sort(b)
    x = np.concatenate([a, b])
    return float(np.max(np.abs(np.searchsorted(a, x, side="right") / len(a) - np.searchsorted(b, x, side="right") / len(b))))


def served_gain(g, side=1000.0, height=10.0, exponent=3.67):
    """−log10 Σ_l d_kl^(−α) over each UE's predicted serving APs, [drops, K] (papers' path loss)."""
    delta = np.abs(g["ue_m"][:][:, :, None, :] - g["ap_m"][:][:, None, :, :]) % side
    delta = np.minimum(delta, side - delta)
    gain = (np.sum(delta ** 2, axis=-1) + height ** 2) ** (-exponent / 2)
    return -np.log10(np.sum(gain * g["clusters"][:], axis=-1))


def mean_correlation(a, b):
    """Mean over drops of the correlation over the UEs."""
    return float(np.mean([np.corrcoef(x, y)[0, 1] for x, y in zip(a, b)]))


def main(evaluate_path, baseline_paths):
    evaluation = h5py.File(evaluate_path, "r")
    baselines = {}
    for path in baseline_paths:
        f = h5py.File(path, "r")
        baselines[f["distance-ranked/se_ul"].shape[1]] = f
    pooled = {f"{d}_{n}": [] for d in ("ul", "dl") for n in ("pred", "opt", "positions", "levelled", "logopt")}
    sigma = min(evaluation[g].attrs["sigma_m"] for g in evaluation)
    groups = sorted((g for g in evaluation if evaluation[g].attrs["sigma_m"] == sigma), key=lambda g: int(g[1:].split("_")[0]))
    for name in groups:
        g = evaluation[name]
        K = g["ul_opt"].shape[1]
        line = [f"K = {K:3d}"]
        weak = served_gain(g)   # of the predicted clusters, shared by UL and DL
        for d in ("ul", "dl"):
            optimal = max_min(g[f"se_{d}_opt"][:])
            line.append(f"{d.upper()} predicted/optimal {max_min(g[f'se_{d}_pred'][:]) / optimal:.3f}")
            if K in baselines:
                b = baselines[K]
                line.append(f"clusters/distance-ranked {optimal / max_min(b[f'distance-ranked/se_{d}'][:]):.3f}"
                            f" /gain-ranked {optimal / max_min(b[f'gain-ranked/se_{d}'][:]):.3f}")
            predicted, best, positions = (np.log10(np.maximum(g[f"{d}_{s}"][:], 1e-12)) for s in ("pred", "opt", "positions"))
            line.append(f"corr {mean_correlation(predicted, best):.2f} (positions closed form {mean_correlation(positions, best):.2f},"
                        f" served gain {mean_correlation(weak, best):.2f}; predicted/served gain {mean_correlation(predicted, weak):.2f})")
            levelled = predicted - predicted.mean() + best.mean()   # every drop moved by the K's mean level gap
            line.append(f"spread {np.mean(np.ptp(predicted, axis=1)):.2f}/{np.mean(np.ptp(best, axis=1)):.2f} dec"
                        f" mean {predicted.mean():.2f}/{best.mean():.2f} log10 mW"
                        f" KS {ks(g[f'{d}_pred'][:].ravel(), g[f'{d}_opt'][:].ravel()):.3f}"
                        f" (at the optimum's mean level {ks(levelled.ravel(), best.ravel()):.3f},"
                        f" positions closed form {ks(g[f'{d}_positions'][:].ravel(), g[f'{d}_opt'][:].ravel()):.3f})")
            pooled[f"{d}_levelled"].append(levelled.ravel())
            pooled[f"{d}_logopt"].append(best.ravel())
        for n in ("ul_pred", "ul_opt", "ul_positions", "dl_pred", "dl_opt", "dl_positions"):
            pooled[n].append(g[n][:].ravel())
        print(" | ".join(line))
    p = {n: np.concatenate(v) for n, v in pooled.items()}
    layer_summary(evaluation, groups)
    print(f"pooled over K: KS UL {ks(p['ul_pred'], p['ul_opt']):.3f}, DL {ks(p['dl_pred'], p['dl_opt']):.3f}"
          f" (at the optimum's mean level UL {ks(p['ul_levelled'], p['ul_logopt']):.3f}, DL {ks(p['dl_levelled'], p['dl_logopt']):.3f};"
          f" positions closed form UL {ks(p['ul_positions'], p['ul_opt']):.3f}, DL {ks(p['dl_positions'], p['dl_opt']):.3f})")


def layer_summary(evaluation, clean):
    """With `evaluate`'s power_layer: the max-min power layer's max-min SE over the optimum's, per σ and K,
    its wall time per drop, and its KS distance to the optimal powers pooled over K (lowest σ)."""
    if not all("ul_layer" in evaluation[n] for n in clean):
        return
    for name in sorted(evaluation, key=lambda n: (evaluation[n].attrs["sigma_m"], int(n[1:].split("_")[0]))):
        g = evaluation[name]
        ratios = " ".join(f"{d.upper()} {max_min(g[f'se_{d}_layer'][:]) / max_min(g[f'se_{d}_opt'][:]):.3f}" for d in ("ul", "dl"))
        print(f"power layer, sigma {g.attrs['sigma_m']:g} m, K = {g['ul_opt'].shape[1]:3d}: layer/optimal {ratios},"
              f" {np.mean(g['layer_ms'][:]):.1f} ms per drop (labels {np.mean(g['labels_ms'][:]):.1f} ms)")
    ks_text = ", ".join(f"{d.upper()} {ks(np.concatenate([evaluation[n][f'{d}_layer'][:].ravel() for n in clean]), np.concatenate([evaluation[n][f'{d}_opt'][:].ravel() for n in clean])):.3f}"
                        for d in ("ul", "dl"))
    print(f"power layer: KS to the optimal powers pooled over K: {ks_text}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
