#!/usr/bin/env bash
# flows4j vs PyTorch on the seed's workload (RealNVP, two moons): training steps/s, sampling and
# log-density of 100000 points, peak RSS; alternating runs, at 1 and 2 threads.
# Writes bench/results/<date>-moons.md. Usage: bench/moons.sh [REPS] (default 5).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
reps="${1:-5}"
py=/usr/bin/python3
torch_script=../shared/bench/moons_torch.py

need_apt=()
"$py" -c 'import torch, sklearn' 2>/dev/null || need_apt+=(python3-torch python3-sklearn)
[[ -x /usr/bin/time ]] || need_apt+=(time)
if ((${#need_apt[@]})); then
  echo "installing ${need_apt[*]} ..." >&2
  apt-get update -qq && apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

mvn -q -B -DskipTests -pl bench,cli -am package >/dev/null
jar=bench/target/flows4j-bench.jar
vec=(--add-modules jdk.incubator.vector)

load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
runs="$tmp/runs.jsonl"

# one timed run: label, threads, command...; appends {"label":..., "rss_kb":..., <program JSON>}
run() {
  local label="$1" threads="$2"
  shift 2
  /usr/bin/time -f '%M' -o "$tmp/rss" "$@" > "$tmp/out" 2> "$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
  local json
  json="$(grep '^{' "$tmp/out" | tail -1)"
  echo "{\"label\": \"$label\", \"bench_threads\": $threads, \"rss_kb\": $(tail -1 "$tmp/rss"), \"result\": $json}" >> "$runs"
  echo "  $label threads=$threads: $json" >&2
}

# thread counts alternate inside each repetition too, so that a drift of the machine's speed over
# the run (other tenants, clocks) does not fall on one thread count
for rep in $(seq 1 "$reps"); do
  for threads in 1 2; do
    echo "rep $rep/$reps threads=$threads" >&2
    run pytorch "$threads" "$py" "$torch_script" --threads "$threads"
    run flows4j-vector "$threads" java "${vec[@]}" -XX:+UseSerialGC -jar "$jar" --threads "$threads" --kernel best
    run flows4j-plain "$threads" java -XX:+UseSerialGC -jar "$jar" --threads "$threads" --kernel plain
  done
done

# peak RSS of the user-facing command; a launcher call first, so that a rebuild it may need (a
# source changed since the package above) is not what gets measured (Maven's own JVM is larger)
./flows4j --help > /dev/null 2>&1
/usr/bin/time -f '%M' -o "$tmp/rss_moons" ./flows4j moons --out "$tmp/moons" > "$tmp/moons.log" 2>&1
moons_rss="$(tail -1 "$tmp/rss_moons")"

mkdir -p bench/results
out="bench/results/$(date +%F)-moons.md"
# a second run on the same day keeps the first one's file
[[ -e "$out" ]] && out="bench/results/$(date +%F-%H%M)-moons.md"
cpu="$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
flags="$(grep -o -m1 -E 'avx512f|avx2' /proc/cpuinfo | sort -u | tr '\n' ' ')"
javav="$(java -version 2>&1 | head -1)"
torchv="$("$py" -c 'import torch; print(torch.__version__)' 2>/dev/null)"
load_end="$(cut -d' ' -f1-3 /proc/loadavg)"
"$py" - "$runs" "$out" "$cpu" "$flags" "$javav" "$torchv" "$reps" "$moons_rss" "$load_start" "$load_end" <<'PY'
import json, statistics, sys
runs_file, out, cpu, flags, javav, torchv, reps, moons_rss, load_start, load_end = sys.argv[1:]
runs = [json.loads(l) for l in open(runs_file)]
def med(label, threads, key):
    xs = [r["result"][key] if key != "rss_kb" else r["rss_kb"] for r in runs if r["label"] == label and r["bench_threads"] == threads]
    return statistics.median(xs), xs
lines = [f"# flows4j vs PyTorch: the seed's RealNVP on two moons", "",
         f"- CPU: {cpu} (2 cores; {flags.strip()}), Java: {javav}, PyTorch: {torchv} (Debian python3-torch)",
         f"- {reps} repetitions, each running both thread counts and all three programs in turn; medians shown, every run listed below.",
         f"- Load average (1, 5, 15 min) at start: {load_start}; at end: {load_end}. On a 2-core machine a load "
         "above 1 means other work shared the cores: absolute numbers then drop for both sides, ratios less so.",
         "- Workload (both sides): 2001 Adam steps of batch 256 on 2000 standardised points, 6 affine couplings "
         "with 2-64-64-4 ReLU networks; then 100000 samples and the log-density of those 100000 points.",
         "- flows4j trains on one thread at every --threads (a 256-row step is too small to split); "
         "sampling and density use --threads. `vector` = JDK Vector API kernels (`--add-modules jdk.incubator.vector`, "
         "what ./flows4j uses); `plain` = plain Java loops (what a library user gets without that flag). "
         "No native BLAS is used by either flows4j path.",
         "- Sampling and log-density: flows4j runs a 2-d coupling flow's networks through their exact piecewise-linear "
         "forms (each network sees one coordinate, so it is a piecewise-affine function of it: a table look-up per row, "
         "built from the trained weights inside the timed call); the `matrix products` rows time the same two jobs "
         "through the dense kernels (the path for flows of higher dimension), measured after them in the same process. "
         "PyTorch runs its matrix products in both rows.", ""]
for threads in (1, 2):
    lines += [f"## {threads} thread{'s' if threads > 1 else ''}", "",
              "| | PyTorch | flows4j vector | ratio | flows4j plain | ratio |", "|---|---|---|---|---|---|"]
    for key, name, higher in (("steps_per_s", "training steps/s", True), ("sample_100k_s", "sample 100k (s)", False),
                              ("logprob_100k_s", "log-density 100k (s)", False),
                              ("products_sample_100k_s", "sample 100k, matrix products (s)", False),
                              ("products_logprob_100k_s", "log-density 100k, matrix products (s)", False),
                              ("rss_kb", "peak RSS (MB)", False)):
        t, _ = med("pytorch", threads, key.replace("products_", ""))
        v, _ = med("flows4j-vector", threads, key)
        p, _ = med("flows4j-plain", threads, key)
        scale = 1 / 1024 if key == "rss_kb" else 1
        def ratio(x):
            return f"{x / t:.2f}x" if higher else f"{t / x:.2f}x faster"
        fmt = (lambda x: f"{x * scale:.0f}") if key == "rss_kb" else (lambda x: f"{x:.4g}")
        r1 = ratio(v) if key != "rss_kb" else f"{v / t:.2f}"
        r2 = ratio(p) if key != "rss_kb" else f"{p / t:.2f}"
        lines.append(f"| {name} | {fmt(t)} | {fmt(v)} | {r1} | {fmt(p)} | {r2} |")
    lines.append("")
lines += [f"Peak RSS of `./flows4j moons` (whole command, defaults): {int(moons_rss) / 1024:.0f} MB", "",
          "## Commands", "", "```",
          "python3 ../shared/bench/moons_torch.py --threads N",
          "java --add-modules jdk.incubator.vector -XX:+UseSerialGC -jar bench/target/flows4j-bench.jar --threads N --kernel best",
          "java -XX:+UseSerialGC -jar bench/target/flows4j-bench.jar --threads N --kernel plain",
          "./flows4j moons   # for its peak RSS", "(each under /usr/bin/time -f %M)", "```", "", "## Every run", "", "```"]
lines += [json.dumps(r) for r in runs]
lines += ["```", ""]
open(out, "w").write("\n".join(lines))
print("\n".join(lines[:40]))
print(f"\nwrote {out}")
PY
