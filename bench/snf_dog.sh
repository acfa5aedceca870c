#!/usr/bin/env bash
# flows4j vs PyTorch on issue 7's speed workload: the SNF paper's RealNVP at depth 5 trained on
# the dog (2000 iterations of batch 250, one thread), alternating runs on the same machine.
# flows4j: `./flows4j snf image --method rnvp --depth 5` (train_seconds from its metrics.json:
# a fresh JVM, so JIT compilation counts); PyTorch: bench/snf/rnvp_dog_torch.py (the same model
# from SNF.md's description, one thread in total). Writes bench/results/<date>-snf-dog.md.
# Usage: bench/snf_dog.sh [REPS] (default 5).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
reps="${1:-5}"
if ! [[ "$reps" =~ ^[1-9][0-9]*$ ]]; then
  echo "snf_dog.sh: REPS must be a whole number >= 1, got '$reps'" >&2
  exit 2
fi
py=/usr/bin/python3
if ! "$py" -c 'import torch, numpy' 2>/dev/null; then
  echo "installing python3-torch ..." >&2
  apt-get update -qq && apt-get install -y -qq python3-torch python3-numpy >/dev/null
fi
./flows4j --help > /dev/null 2>&1 # builds the tool if a source changed
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
runs="$tmp/runs.jsonl"
for rep in $(seq 1 "$reps"); do
  echo "rep $rep/$reps: pytorch" >&2
  "$py" bench/snf/rnvp_dog_torch.py --threads 1 | sed 's/^/{"label": "pytorch", "result": /; s/$/}/' >> "$runs"
  echo "rep $rep/$reps: flows4j" >&2
  ./flows4j snf image --image ../shared/images/labrador.jpg --method rnvp --depth 5 --out "$tmp/out" > "$tmp/log" 2>&1 \
    || { cat "$tmp/log" >&2; exit 1; }
  "$py" -c 'import json,sys; m=json.load(open(sys.argv[1])); m=m[0] if isinstance(m,list) else m; print(json.dumps({"label": "flows4j", "result": m}))' \
    "$tmp/out/metrics.json" >> "$runs"
  tail -1 "$runs" >&2
done
load_end="$(cut -d' ' -f1-3 /proc/loadavg)"
mkdir -p bench/results
out="bench/results/$(date +%F-%H%M)-snf-dog.md"
"$py" - "$runs" "$out" "$reps" "$load_start" "$load_end" "$(java -version 2>&1 | head -1)" \
  "$("$py" -c 'import torch; print(torch.__version__)')" <<'PY'
import json, statistics, sys
runs_file, out, reps, load_start, load_end, javav, torchv = sys.argv[1:]
runs = [json.loads(l) for l in open(runs_file)]
torch_s = [r["result"]["train_seconds"] for r in runs if r["label"] == "pytorch"]
ours = [r["result"] for r in runs if r["label"] == "flows4j"]
ours_s = [m["train_seconds"] for m in ours]
pairs = [t / o for t, o in zip(torch_s, ours_s)]
kls = ", ".join("%.4f" % m["kl"] for m in ours)
lines = ["# flows4j vs PyTorch: the SNF paper's RealNVP on the dog, depth 5, training", "",
         f"- Java: {javav}; PyTorch {torchv} (Debian python3-torch), one thread in total (OMP/OpenBLAS/MKL at 1).",
         f"- {reps} repetitions, PyTorch then flows4j in each; load average (1, 5, 15 min) at start {load_start}, at end {load_end}.",
         "- Both: 10 couplings (depth 5) with [64, 64, 64] ReLU nets for shift and log-scale, Adam 1e-3, batch 250, 2000 iterations.",
         "- flows4j: `./flows4j snf image --method rnvp --depth 5`, train_seconds of its metrics.json (a fresh JVM each run: "
         "JIT compilation inside the time); PyTorch: bench/snf/rnvp_dog_torch.py, the model written from SNF.md "
         "(not the paper's code; SNF.md's re-run of that code: 25 s).", "",
         "| | PyTorch (s) | flows4j (s) | ratio |", "|---|---|---|---|",
         f"| median | {statistics.median(torch_s):.2f} | {statistics.median(ours_s):.2f} | "
         f"{statistics.median(torch_s) / statistics.median(ours_s):.2f}x |",
         f"| per repetition | {', '.join(f'{x:.2f}' for x in torch_s)} | {', '.join(f'{x:.2f}' for x in ours_s)} | "
         f"{', '.join(f'{x:.2f}' for x in pairs)} |", "",
         f"flows4j KL (dog, 500000 samples): {kls}", "",
         "## Every run", "", "```"] + [json.dumps(r) for r in runs] + ["```", ""]
import os
with open(out + ".tmp", "w") as f:  # then moved: no half-written result file
    f.write("\n".join(lines))
os.replace(out + ".tmp", out)
print("\n".join(lines[:12]))
print(f"\nwrote {out}")
PY
