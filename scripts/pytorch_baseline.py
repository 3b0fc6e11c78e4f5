#!/usr/bin/env python3
"""PyTorch implementation of docs/models.md, to time the baseline on *this* machine.

`cellfree bench models` compares against the PyTorch figures of docs/baselines.md, which
were measured on another machine of the project's kind. This script re-measures them here, back to
back with our engine, with the same protocol (5 warm-ups, median of 20; inference B = 1 in eval mode
with the clustering head; training step B = 128 with dropout, forward + loss + backward + AdamW).

    pip install torch h5py
    python3 scripts/pytorch_baseline.py --verify Tests/Fixtures/models   # check the models first (or a golden models directory)
    python3 scripts/pytorch_baseline.py --threads 1 2

Not part of the build or the tests (PyTorch is a 3 GB install).
"""
import argparse, json, math, statistics, time
import torch
import torch.nn.functional as F

torch.backends.mkldnn.enabled = True


class Dense(torch.nn.Module):
    """y = x·W + b with W stored [in, out] (models.md §0); PyTorch's default init (§0.2)."""
    def __init__(self, n_in, n_out):
        super().__init__()
        bound = 1 / math.sqrt(n_in)
        self.W = torch.nn.Parameter(torch.empty(n_in, n_out).uniform_(-bound, bound))
        self.b = torch.nn.Parameter(torch.empty(n_out).uniform_(-bound, bound))

    def forward(self, x):
        return torch.addmm(self.b, x.reshape(-1, x.shape[-1]), self.W).reshape(*x.shape[:-1], self.W.shape[1])


class LayerNorm(torch.nn.Module):
    def __init__(self, n):
        super().__init__()
        self.gamma = torch.nn.Parameter(torch.ones(n))
        self.beta = torch.nn.Parameter(torch.zeros(n))

    def forward(self, x):
        return F.layer_norm(x, x.shape[-1:], self.gamma, self.beta, 1e-5)


def cosformer_core(q, k, v, phi):
    """§3.2, linear form: q, k, v [B, H, M, dh]."""
    M = q.shape[2]
    theta = (math.pi / 2) * torch.arange(1, M + 1, dtype=q.dtype) / M
    c, s = torch.cos(theta)[:, None], torch.sin(theta)[:, None]
    fq, fk = phi(q), phi(k)
    qc, qs, kc, ks = fq * c, fq * s, fk * c, fk * s
    num = qc @ (kc.transpose(-1, -2) @ v) + qs @ (ks.transpose(-1, -2) @ v)
    den = (qc * kc.sum(2, keepdim=True)).sum(-1) + (qs * ks.sum(2, keepdim=True)).sum(-1) + 1e-6
    return num / den[..., None]


def softmax_core(q, k, v, window=None):
    z = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    if window is not None:
        i = torch.arange(q.shape[2])
        z = z.masked_fill((i[:, None] - i[None, :]).abs() > window, float("-inf"))
    return torch.softmax(z, -1) @ v


def performer_core(q, k, v, omega):
    dh, m = q.shape[-1], omega.shape[0]
    s = dh ** -0.25

    def feat(x):
        x = x * s
        return torch.exp(x @ omega.t() - 0.5 * (x * x).sum(-1, keepdim=True)) / math.sqrt(m)
    fq, fk = feat(q), feat(k)
    num = fq @ (fk.transpose(-1, -2) @ v)
    den = fq @ fk.sum(2)[..., None] + 1e-6
    return num / den


class Attention(torch.nn.Module):
    def __init__(self, d, heads, variant, m=256, window=4):
        super().__init__()
        self.heads, self.variant, self.window = heads, variant, window
        self.W_qkv = torch.nn.Parameter(torch.empty(d, 3 * d).uniform_(-1 / math.sqrt(d), 1 / math.sqrt(d)))
        self.b_qkv = torch.nn.Parameter(torch.empty(3 * d).uniform_(-1 / math.sqrt(d), 1 / math.sqrt(d)))
        self.W_o = torch.nn.Parameter(torch.empty(d, d).uniform_(-1 / math.sqrt(d), 1 / math.sqrt(d)))
        self.b_o = torch.nn.Parameter(torch.empty(d).uniform_(-1 / math.sqrt(d), 1 / math.sqrt(d)))
        if variant == "performer":
            self.register_buffer("omega", torch.randn(m, d // heads))

    def forward(self, y):
        B, M, d = y.shape
        H, dh = self.heads, d // self.heads
        qkv = (y.reshape(-1, d) @ self.W_qkv + self.b_qkv).reshape(B, M, 3, H, dh).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        if self.variant == "elu_cosformer":
            o = cosformer_core(q, k, v, lambda x: F.elu(x) + 1)
        elif self.variant == "cosformer_relu":
            o = cosformer_core(q, k, v, F.relu)
        elif self.variant == "transformer_softmax":
            o = softmax_core(q, k, v)
        elif self.variant == "longformer":
            o = softmax_core(q, k, v, self.window)
        else:
            o = performer_core(q, k, v, self.omega)
        o = o.permute(0, 2, 1, 3).reshape(B * M, d)
        return (o @ self.W_o + self.b_o).reshape(B, M, d)


class Layer(torch.nn.Module):
    def __init__(self, d, heads, d_ff, variant, m, window):
        super().__init__()
        self.ln1, self.attn, self.ln2 = LayerNorm(d), Attention(d, heads, variant, m, window), LayerNorm(d)
        self.ffn = torch.nn.ModuleDict({"l1": Dense(d, d_ff), "l2": Dense(d_ff, d)})


class ClusterPowerNet(torch.nn.Module):
    """models.md §1: pre-LN encoder, clustering / UL / DL heads, loss (30)."""
    def __init__(self, variant, L=16, d=64, heads=4, layers=2, d_ff=256, tau_p=10, mu=0.5, m=256, window=4,
                 p_ap=0.2, dl_min=0.0, dl_max=1.0, lam=0.1, temp=1.0, dropout=0.1):
        super().__init__()
        self.embed = Dense(2 * (L + 1), d)
        self.layers = torch.nn.ModuleList([Layer(d, heads, d_ff, variant, m, window) for _ in range(layers)])
        self.cluster_head, self.ul_head, self.dl_head = Dense(d, L), Dense(d, 1), Dense(d, L)
        self.tau_p, self.mu, self.p_ap, self.dl_min, self.dl_max = tau_p, mu, p_ap, dl_min, dl_max
        self.lam, self.temp, self.p = lam, temp, dropout

    def forward(self, ue, ap):
        B, K, _ = ue.shape
        x = torch.cat([ue, ap.reshape(B, 1, -1).expand(B, K, ap.shape[1] * 2)], -1)
        e = self.embed(x)
        for layer in self.layers:
            e = e + F.dropout(layer.attn(layer.ln1(e)), self.p, self.training)
            f = layer.ffn["l2"](F.relu(layer.ffn["l1"](layer.ln2(e))))
            e = e + F.dropout(f, self.p, self.training)
        S = torch.sigmoid(self.cluster_head(e))
        with torch.no_grad():   # (16): stable top-τ_p per AP, then strictly above μ
            keep = min(self.tau_p, K)
            order = torch.sort(S, dim=1, descending=True, stable=True).indices[:, :keep, :]
            mask = torch.zeros_like(S).scatter_(1, order, 1.0) * (S > self.mu)
        ul_norm = torch.sigmoid(self.ul_head(e))[..., 0]
        a = torch.sigmoid(self.dl_head(e)) * mask
        load = a.sum(1, keepdim=True)
        den = torch.where(load > 1, load, torch.ones_like(load))
        dl_per_ap = self.p_ap * a / den
        dl_norm = (dl_per_ap.sum(-1) - self.dl_min) / (self.dl_max - self.dl_min + 1e-8)
        return S, mask, ul_norm, dl_norm

    def loss(self, out, y_ul, y_dl, se):
        S, _, ul_norm, dl_norm = out
        mse = 0.5 * (((ul_norm - y_ul) ** 2).mean() + ((dl_norm - y_dl) ** 2).mean())
        w = torch.softmax(-se / self.temp, -1)
        fair = (w * (1 - S.mean(-1))).sum() / S.shape[0]
        return mse + self.lam * fair


class TreeLayer(torch.nn.Module):
    def __init__(self, d, heads, d_ff):
        super().__init__()
        self.attn = Attention(d, heads, "transformer_softmax")
        self.ln1, self.ln2 = LayerNorm(d), LayerNorm(d)
        self.ffn = torch.nn.ModuleDict({"l1": Dense(d, d_ff), "l2": Dense(d_ff, d)})


class TreeTransformer(torch.nn.Module):
    """models.md §5."""
    def __init__(self, d_enc=32, d_mod=64, heads=4, layers=2, d_ff=2048, dropout=0.1):
        super().__init__()
        self.ap_l1, self.ap_l2, self.ue_embed = Dense(2, d_enc), Dense(d_enc, d_enc), Dense(2, d_enc)
        self.tree_in, self.tree_merge = Dense(2 * d_enc, d_mod), Dense(2 * d_mod, d_mod)
        self.layers = torch.nn.ModuleList([TreeLayer(d_mod, heads, d_ff) for _ in range(layers)])
        self.dec_l1, self.dec_l2 = Dense(2 * d_enc + d_mod, d_mod), Dense(d_mod, 2)
        self.p = dropout

    def forward(self, ue, ap):
        B, K, _ = ue.shape
        e_ap = self.ap_l2(F.relu(self.ap_l1(ap))).mean(1)
        z = torch.cat([self.ue_embed(ue), e_ap[:, None, :].expand(B, K, e_ap.shape[-1])], -1)
        t = self.tree_in(z)
        while t.shape[1] > 1:
            if t.shape[1] % 2:
                t = torch.cat([t, torch.zeros_like(t[:, :1])], 1)
            t = self.tree_merge(t.reshape(B, t.shape[1] // 2, -1))
        r = t
        for layer in self.layers:
            r = layer.ln1(r + F.dropout(layer.attn(r), self.p, self.training))
            f = layer.ffn["l2"](F.dropout(F.relu(layer.ffn["l1"](r)), self.p, self.training))
            r = layer.ln2(r + F.dropout(f, self.p, self.training))
        h = torch.cat([z, r.expand(B, K, r.shape[-1])], -1)
        p = torch.sigmoid(self.dec_l2(F.relu(self.dec_l1(h))))
        return p[..., 0], p[..., 1]

    def loss(self, out, y_ul, y_dl, se):
        ul, dl = out
        return 0.5 * (((ul - y_ul) ** 2).mean() + ((dl - y_dl) ** 2).mean())


MODELS = [("ELU-CosFormer", lambda: ClusterPowerNet("elu_cosformer")),
          ("Transformer (softmax)", lambda: ClusterPowerNet("transformer_softmax")),
          ("Performer (m=256)", lambda: ClusterPowerNet("performer")),
          ("Tree-Transformer", lambda: TreeTransformer())]


def grid_aps(B):
    g = torch.tensor([[x / 3, y / 3] for y in range(4) for x in range(4)], dtype=torch.float32)
    return g[None].expand(B, 16, 2).contiguous()


def median_ms(fn, warmups=5, runs=20):
    for _ in range(warmups):
        fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), min(times)


def bench(threads, ues, train_ues, runs):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    print(f"\n#### PyTorch {torch.__version__}, {threads} thread(s): median ms (min ms)")
    print("Inference, B = 1: " + " | ".join(f"K={k}" for k in ues))
    for name, make in MODELS:
        model = make().eval()
        cells = []
        for K in ues:
            ue, ap = torch.rand(1, K, 2), grid_aps(1)
            with torch.no_grad():
                med, mn = median_ms(lambda: model(ue, ap), runs=runs)
            cells.append(f"{med:.2f} ({mn:.2f})")
        print(f"| {name} | " + " | ".join(cells) + " |")
    print("Training step, B = 128: " + " | ".join(f"K={k}" for k in train_ues))
    for name, make in MODELS:
        model = make().train()
        opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
        cells = []
        for K in train_ues:
            B = 128
            ue, ap = torch.rand(B, K, 2), grid_aps(B)
            y_ul, y_dl, se = torch.rand(B, K), torch.rand(B, K), torch.rand(B, K)

            def step():
                opt.zero_grad(set_to_none=True)
                loss = model.loss(model(ue, ap), y_ul, y_dl, se)
                loss.backward()
                opt.step()
            med, mn = median_ms(step, runs=runs)
            cells.append(f"{med:.1f} ({mn:.1f})")
        print(f"| {name} | " + " | ".join(cells) + " |")


def verify(directory):
    """Loads each golden *_paper.h5 / *_small.h5 model of the four benchmarked kinds and compares the forward outputs."""
    import h5py, os
    for variant in ["elu_cosformer", "transformer_softmax", "performer", "tree_transformer"]:
        for size in ["small", "paper"]:
            path = os.path.join(directory, f"{variant}_{size}.h5")
            if not os.path.exists(path):   # Tests/Fixtures/models holds the small files only
                print(f"{path}: absent, skipped")
                continue
            with h5py.File(path, "r") as f:
                c = json.loads(f.attrs["config"])
                if variant == "tree_transformer":
                    model = TreeTransformer(c["d_enc"], c["d_model"], c["n_heads"], c["n_layers"], c["d_ff"])
                else:
                    model = ClusterPowerNet(variant, c["L"], c["d_model"], c["n_heads"], c["n_layers"], c["d_ff"], c["tau_p"],
                                            c["mu"], c.get("performer_m", 256), c.get("window", 4), c["p_ap_dl"],
                                            c["dl_norm_min"], c["dl_norm_max"], c["lam"], c["fair_temp"])
                with torch.no_grad():
                    for name, p in model.named_parameters():
                        p.copy_(torch.from_numpy(f["params"][name][()]))
                    for name, b in model.named_buffers():
                        b.copy_(torch.from_numpy(f["buffers"][name][()]))
                model.eval()
                ue, ap = torch.from_numpy(f["inputs/ue_pos"][()]), torch.from_numpy(f["inputs/ap_pos"][()])
                with torch.no_grad():
                    out = model(ue, ap)
                worst = 0.0
                if variant == "tree_transformer":
                    pairs = [(out[0], "outputs/ul_norm"), (out[1], "outputs/dl_norm")]
                else:
                    pairs = [(out[0], "outputs/cluster_scores"), (out[1], "outputs/cluster_mask"), (out[2], "outputs/ul_norm"),
                             (out[3], "outputs/dl_norm")]
                for ours, key in pairs:
                    ref = torch.from_numpy(f[key][()])
                    worst = max(worst, float((ours - ref).abs().max() / ref.abs().max().clamp_min(1e-30)))
                print(f"{variant}_{size}: max relative output error {worst:.2e}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--ues", type=int, nargs="+", default=[10, 50, 100, 200, 500, 1000, 2000])
    ap.add_argument("--train-ues", type=int, nargs="+", default=[10, 40])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--verify", metavar="DIR")
    a = ap.parse_args()
    if a.verify:
        verify(a.verify)
    else:
        for t in a.threads:
            bench(t, a.ues, a.train_ues, a.runs)
