"""The seed's two-moons RealNVP trained in PyTorch float64: a step-by-step trajectory for flows4j to replay.

Builds the model of /work/shared/bench/moons_torch.py (6 affine couplings, s = tanh, alternating
masks, conditioners Linear(2,64)-ReLU-Linear(64,64)-ReLU-Linear(64,4)) after torch.manual_seed(seed),
exactly as the seed does (float32 construction, so the initial weights are the seed's own), then
casts it to float64. The data are make_moons(2000, noise .05, random_state 0) in float64,
standardised with the mean and unbiased std. The batch indices come from torch.randint(0, 2000,
(256,)) once per step, drawn from the same generator after the model's construction as in the
seed, so this is the seed's run, in float64. Adam lr 1e-3 (PyTorch's defaults, torch 1.13's
single-tensor path).

Writes a gzipped safetensors file (flows4j's reader handles F32 and F64 only; the integers are
stored as F32, exact below 2^24):
  init.<state_dict name>   the initial weights (F32: the seed builds in float32; exact in float64)
  data                     [2000, 2] F64, the standardised training data
  indices                  [steps, 256] F32, the rows of each step's batch
  loss                     [steps] F64, the batch NLL of each step before its update
  final.<name>             F64 final weights; for the 64x64 hidden weights only the rows listed
                           in metadata final_rows (to keep the file small), all of every other tensor
Metadata: torch version, seed, steps, lr, batch, final_rows.

Usage: python3 moons_torch_trajectory.py [--steps 50] [--seed 0] [--out FILE] [--full]
--full stores all final weights (for a long run kept outside the repository).
"""
import argparse, gzip, json, struct
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_moons

p = argparse.ArgumentParser()
p.add_argument("--steps", type=int, default=50)
p.add_argument("--seed", type=int, default=0)
p.add_argument("--batch", type=int, default=256)
p.add_argument("--lr", type=float, default=1e-3)
p.add_argument("--out", default="core/src/test/resources/torch/moons_trajectory_f64.safetensors.gz")
p.add_argument("--full", action="store_true", help="store every final weight")
p.add_argument("--float32", action="store_true",
               help="train in float32 as the seed does (data standardised in float32 too); stored tensors keep their dtype")
a = p.parse_args()
torch.set_num_threads(1)
torch.manual_seed(a.seed)


class CouplingLayer(nn.Module):
    """The seed's layer, unchanged."""

    def __init__(self, mask, hidden_dim=64):
        super().__init__()
        self.register_buffer("mask", torch.tensor(mask, dtype=torch.float32))
        self.net = nn.Sequential(
            nn.Linear(2, hidden_dim), nn.ReLU(),
            nn.Linear(hidden_dim, hidden_dim), nn.ReLU(),
            nn.Linear(hidden_dim, 4),
        )

    def _st(self, x_in):
        st = self.net(self.mask * x_in)
        s, t = st.chunk(2, dim=-1)
        s = torch.tanh(s) * (1 - self.mask)
        t = t * (1 - self.mask)
        return s, t

    def forward(self, x):
        s, t = self._st(x)
        z = self.mask * x + (1 - self.mask) * (x * torch.exp(s) + t)
        return z, s.sum(-1)


class RealNVP(nn.Module):
    def __init__(self, n_layers=6):
        super().__init__()
        masks = [[1.0, 0.0], [0.0, 1.0]] * (n_layers // 2)
        self.layers = nn.ModuleList(CouplingLayer(m) for m in masks)

    def forward(self, x):
        log_det = 0.0
        for layer in self.layers:
            x, ld = layer(x)
            log_det = log_det + ld
        return x, log_det

    def log_prob(self, x):
        z, log_det = self.forward(x)
        return -0.5 * (z ** 2).sum(-1) - np.log(2 * np.pi) + log_det


flow = RealNVP(6)  # float32, consuming the generator exactly as the seed's construction does
init = {k: v.detach().clone() for k, v in flow.state_dict().items() if not k.endswith("mask")}
dtype = torch.float32 if a.float32 else torch.float64
flow = flow.to(dtype)

X, _ = make_moons(n_samples=2000, noise=0.05, random_state=0)
X = torch.tensor(X, dtype=dtype)
X = (X - X.mean(0)) / X.std(0)

opt = torch.optim.Adam(flow.parameters(), lr=a.lr)
indices = torch.empty(a.steps, a.batch, dtype=torch.float32)
losses = torch.empty(a.steps, dtype=torch.float64)
for step in range(a.steps):
    idx = torch.randint(0, len(X), (a.batch,))
    indices[step] = idx.to(torch.float32)
    loss = -flow.log_prob(X[idx]).mean()
    losses[step] = loss.item()
    opt.zero_grad(); loss.backward(); opt.step()

final_rows = list(range(0, 64, 9))  # 0, 9, ..., 63
tensors = {}
for k, v in init.items():
    tensors["init." + k] = v
tensors["data"] = X
tensors["indices"] = indices
tensors["loss"] = losses
for k, v in flow.state_dict().items():
    if k.endswith("mask"):
        continue
    v = v.detach()
    if not a.full and tuple(v.shape) == (64, 64):
        v = v[final_rows]
    tensors["final." + k] = v


def safetensors_bytes(tensors, metadata):
    header = {"__metadata__": metadata}
    blobs, offset = [], 0
    for name, t in tensors.items():
        t = t.contiguous()
        dtype = {torch.float32: "F32", torch.float64: "F64"}[t.dtype]
        b = t.numpy().astype("<f4" if dtype == "F32" else "<f8").tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + b"".join(blobs)


meta = {"torch": torch.__version__, "dtype": str(dtype).replace("torch.", ""), "seed": str(a.seed), "steps": str(a.steps), "lr": repr(a.lr),
        "batch": str(a.batch), "final_rows": "all" if a.full else ",".join(map(str, final_rows)),
        "generator": "bench/equivalence/moons_torch_trajectory.py"}
raw = safetensors_bytes(tensors, meta)
with open(a.out, "wb") as f:
    f.write(gzip.compress(raw, compresslevel=9, mtime=0) if a.out.endswith(".gz") else raw)
print(json.dumps({"out": a.out, "steps": a.steps, "first_loss": losses[0].item(),
                  "last_loss": losses[-1].item(), "bytes_raw": len(raw)}))
