#!/usr/bin/env python3
"""The stochastic-normalizing-flows paper's RealNVP for its image densities (SNF.md), as a timed
PyTorch training run: depth 5 (10 couplings of split halves, shift t(x_a) and log-scale
alpha * tanh(s(x_a)) with a trainable alpha = exp(log_alpha) per layer, log_alpha = -1 at start,
ReLU nets [64, 64, 64]), maximum likelihood, Adam 1e-3, batch 250, 2000 iterations, one thread.

Written for flows4j's bench/snf_dog.sh from SNF.md's description (not the paper's code): the
time of dense PyTorch layers does not depend on the data, so the data are the training file's
points if given, else 50000 uniform points in the dog's box. Prints one JSON line."""
import argparse
import json
import os
import sys
import time

# one thread in total, as SNF.md's re-run: the BLAS and OpenMP pools read these at load time
# (torch.set_num_threads alone left a second OpenBLAS thread busy: CPU time twice the wall time)
if "--threads" not in sys.argv or sys.argv[sys.argv.index("--threads") + 1] == "1":
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"

import torch  # noqa: E402
from torch import nn


class Coupling(nn.Module):
    def __init__(self, hidden):
        super().__init__()

        def mlp():
            layers, width = [], 1
            for h in hidden:
                layers += [nn.Linear(width, h), nn.ReLU()]
                width = h
            layers.append(nn.Linear(width, 1))
            return nn.Sequential(*layers)

        self.s = mlp()
        self.t = mlp()
        self.log_alpha = nn.Parameter(torch.tensor(-1.0))

    def forward(self, x):
        """Data to latent: (x_a, (x_b - t) exp(-s)), log det = -sum s."""
        xa, xb = x[:, :1], x[:, 1:]
        s = self.log_alpha.exp() * torch.tanh(self.s(xa))
        y = torch.cat([xa, (xb - self.t(xa)) * torch.exp(-s)], dim=1)
        return y.flip(1), -s.sum(dim=1)  # then swap the halves


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--depth", type=int, default=5)
    ap.add_argument("--iterations", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=250)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data", help="whitespace-separated x y rows (default: uniform in [-3.5, 3.5]^2)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    if a.data:
        import numpy as np
        try:
            data = torch.tensor(np.loadtxt(a.data, dtype="float32", ndmin=2))
        except (OSError, ValueError) as e:
            ap.exit(2, f"rnvp_dog_torch.py: cannot read --data {a.data}: {e}\n")
        if data.shape[1] != 2 or data.shape[0] < 1:
            ap.exit(2, f"rnvp_dog_torch.py: --data {a.data} needs rows of two numbers, got shape {tuple(data.shape)}\n")
    else:
        data = torch.rand(50000, 2) * 7.0 - 3.5
    layers = nn.ModuleList([Coupling([64, 64, 64]) for _ in range(2 * a.depth)])
    opt = torch.optim.Adam(layers.parameters(), lr=1e-3)
    t0 = time.perf_counter()
    c0 = time.process_time()
    for _ in range(a.iterations):
        x = data[torch.randint(0, data.shape[0], (a.batch,))]
        logdet = torch.zeros(a.batch)
        for layer in layers:
            x, ld = layer(x)
            logdet = logdet + ld
        loss = (0.5 * (x * x).sum(dim=1) - logdet).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(json.dumps({"train_seconds": time.perf_counter() - t0, "cpu_seconds": time.process_time() - c0,
                      "final_loss": loss.item(), "threads": a.threads, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
