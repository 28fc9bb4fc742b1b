#!/usr/bin/env python3
"""Runs NeuralNet's benchmark workloads in PyTorch, JAX and ONNX Runtime and prints them beside
NeuralNet's figures, with the best peer of each workload and NeuralNet's ratio to it.

    swift run -c release nn bench --json ours.json
    LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 bench/compare_pytorch.py ours.json

or, on a shared machine whose load drifts from minute to minute, one run of each side at a time,
alternating, so that both see the same load:

    swift build -c release
    LD_LIBRARY_PATH=... /usr/bin/python3 bench/compare_pytorch.py --alternate .build/release/nn

Needs `apt-get install python3-torch libopenblas0-openmp` (Debian's PyTorch falls back to the
reference BLAS without OpenBLAS), or PyTorch 2 from PyPI in a virtualenv (`/opt/venv/bin/python
bench/compare_pytorch.py ...`), and the Fashion-MNIST files (`apt-get install
dataset-fashion-mnist`, or --data DIR). Both sides use the same thread count (NEURALNET_THREADS,
or every core); the workloads are defined in `nn bench --help`. `--only lstm-train gpt-train`
runs the sequence models alone (the same architectures, optimizers and windows of the embedded
Shakespeare; PyTorch 2 uses its fused scaled_dot_product_attention).

JAX (`jit`; the XOR loop compiled whole with `lax.scan`) and ONNX Runtime (the trained PyTorch
MLP exported to ONNX, for infer-1 and infer-1000) join the table when installed in the same
environment: `/opt/venv/bin/pip install jax onnxruntime onnx` (see bench/peers.py). PyTorch
trains with its fused CPU Adam where it has one. Every peer gets the same thread count.

NumPy's OpenBLAS runs the kernel it picks for the CPU, as it does for users: the script drops
OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, which these machines set for older OpenBLAS builds
(with Debian's OpenBLAS on a CPU newer than it knows, keep them: --keep-openblas-coretype).
The first line of the table names the CPU, its vector instructions and NumPy's kernel.
`--acceptance` then reads the speed issue's acceptance off the table (bench/acceptance.py): a
PASS or FAIL line per criterion, including mlp-train's peak memory and the accuracy of the
`fashion-mlp` and `fashion-cnn` programs beside `nn`, and exit status 1 if any fails.

`--max-isa avx2` makes an AVX-512 machine stand in for an AVX2-only one: give it an `nn` built
without AVX-512 code (`swift build -c release -Xcc -DNN_MAX_ISA_AVX2 --scratch-path
.build-avx2`, then `--alternate .build-avx2/release/nn`); PyTorch (ATen, oneDNN, MKL), JAX
(XLA) and NumPy's OpenBLAS are capped at AVX2 through their own switches. ONNX Runtime has no
such switch: `bench/ort_avx2.py DEST` makes a copy of it held to AVX2, used when DEST is on
PYTHONPATH; otherwise it keeps its AVX-512 kernels. The table says which. Clocks, caches and the
cost of each instruction are still the host's, so this is a proxy for an AVX2 machine, not one.
"""
import argparse
import gzip
import json
import os
import sys

# These machines' environment may pin OpenBLAS to its Haswell (AVX2) kernel (OPENBLAS_CORETYPE,
# set for old OpenBLAS builds that misdetect new CPUs): NumPy's current OpenBLAS then runs at
# half its AVX-512 rate. A user's NumPy detects the CPU itself, so the pin is dropped here
# (read before NumPy loads); --keep-openblas-coretype keeps it.
# Every peer capped at AVX2 (see the docstring); each library reads its switch when it loads.
# Read as argparse reads it: `--max-isa avx2` or `--max-isa=avx2`.
MAX_ISA_AVX2 = "--max-isa=avx2" in sys.argv or (
    "--max-isa" in sys.argv and sys.argv[sys.argv.index("--max-isa") + 1:][:1] == ["avx2"])
if "--keep-openblas-coretype" not in sys.argv and not MAX_ISA_AVX2:
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        os.environ.pop(name, None)
if MAX_ISA_AVX2:
    os.environ.update({"OPENBLAS_CORETYPE": "Haswell", "ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2",
                       "MKL_ENABLE_INSTRUCTIONS": "AVX2"})
# NumPy's OpenBLAS reads its thread count when it is loaded: the same count as every other side.
os.environ.setdefault("OPENBLAS_NUM_THREADS", os.environ.get("NEURALNET_THREADS", str(os.cpu_count())))
import statistics
import struct
import subprocess
import tempfile
import time

import numpy as np
import torch

import acceptance
import peers


def ort_held_to_avx2():
    """Whether the onnxruntime imported is a copy made by bench/ort_avx2.py."""
    if not peers.onnxruntime_available():
        return False
    import onnxruntime
    return os.path.exists(os.path.join(os.path.dirname(onnxruntime.__file__), "NEURALNET_AVX2_ONLY"))


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    rank = data[3]
    shape = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(shape)


def load(directory):
    def find(name):
        for candidate in (name, name + ".gz"):
            path = os.path.join(directory, candidate)
            if os.path.exists(path):
                return path
        raise SystemExit(f"{name} not found in {directory}")
    images = lambda n: torch.from_numpy(read_idx(find(n)).astype(np.float32) / 255).unsqueeze(1)
    labels = lambda n: torch.from_numpy(read_idx(find(n)).astype(np.int64))
    return (images("train-images-idx3-ubyte"), labels("train-labels-idx1-ubyte"),
            images("t10k-images-idx3-ubyte"), labels("t10k-labels-idx1-ubyte"))


def mlp(widths=(784, 256, 128, 10)):
    """The ReLU MLP with these layer widths (mlp-train; wide-mlp-train is 784-2048-2048-10)."""
    layers = [torch.nn.Flatten()]
    for fan_in, fan_out in zip(widths, widths[1:]):
        layers += [torch.nn.Linear(fan_in, fan_out), torch.nn.ReLU()]
    return torch.nn.Sequential(*layers[:-1])


WIDE = (784, 2048, 2048, 10)


def cnn():
    return torch.nn.Sequential(torch.nn.Conv2d(1, 32, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                               torch.nn.Conv2d(32, 64, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                               torch.nn.Flatten(), torch.nn.Linear(1600, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))


def train_epoch(model, x, y, batch=64):
    try:  # PyTorch 2's fused CPU Adam (one kernel for every parameter) where it exists
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
    except (RuntimeError, TypeError):
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_function = torch.nn.CrossEntropyLoss()
    order = torch.randperm(len(x))
    start = time.perf_counter()
    for i in range(0, len(x), batch):
        index = order[i:i + batch]
        optimizer.zero_grad()
        loss = loss_function(model(x[index]), y[index])
        loss.backward()
        optimizer.step()
    return time.perf_counter() - start


def xor():
    x = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
    y = torch.tensor([[0.], [1.], [1.], [0.]])
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1), torch.nn.Tanh())
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_function = torch.nn.MSELoss()
    start = time.perf_counter()
    for _ in range(1000):
        for i in torch.randperm(4).tolist():
            optimizer.zero_grad()
            loss = loss_function(model(x[i:i + 1]), y[i:i + 1])
            loss.backward()
            optimizer.step()
    return time.perf_counter() - start


CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "NeuralNet", "Resources", "Shakespeare",
                      "shakespeare.txt.gz")


def text_windows(context=128, stride=8, count=105 * 32):
    """Windows of the embedded Shakespeare as NeuralNet's TextDataset makes them: inputs and next characters."""
    with gzip.open(CORPUS, "rt") as f:
        text = f.read()
    vocabulary = sorted(set(text))
    index = {c: i for i, c in enumerate(vocabulary)}
    ids = torch.tensor([index[c] for c in text], dtype=torch.int64)
    starts = torch.arange(0, len(ids) - context - 1, stride)[:count]
    x = torch.stack([ids[s:s + context] for s in starts.tolist()])
    y = torch.stack([ids[s + 1:s + context + 1] for s in starts.tolist()])
    return x, y, len(vocabulary)


class Block(torch.nn.Module):
    """A pre-norm causal transformer block, as NeuralNet's TransformerBlock (GELU, 4x feed-forward)."""

    def __init__(self, width=128, heads=4):
        super().__init__()
        self.heads = heads
        self.norm1, self.norm2 = torch.nn.LayerNorm(width), torch.nn.LayerNorm(width)
        self.qkv, self.out = torch.nn.Linear(width, 3 * width), torch.nn.Linear(width, width)
        self.up, self.down = torch.nn.Linear(width, 4 * width), torch.nn.Linear(4 * width, width)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(self.norm1(x)).view(b, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        if hasattr(torch.nn.functional, "scaled_dot_product_attention"):
            context = torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:  # PyTorch 1.13
            scores = q @ k.transpose(-2, -1) / (d // self.heads) ** 0.5
            mask = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)
            context = scores.masked_fill(mask, float("-inf")).softmax(-1) @ v
        x = x + self.out(context.transpose(1, 2).reshape(b, t, d))
        return x + self.down(torch.nn.functional.gelu(self.up(self.norm2(x))))


class GPT(torch.nn.Module):
    def __init__(self, vocabulary, width=128, context=128, blocks=4):
        super().__init__()
        self.tokens = torch.nn.Embedding(vocabulary, width)
        self.positions = torch.nn.Parameter(torch.randn(context, width) * 0.02)
        self.blocks = torch.nn.Sequential(*[Block(width) for _ in range(blocks)])
        self.norm, self.head = torch.nn.LayerNorm(width), torch.nn.Linear(width, vocabulary)

    def forward(self, x):
        return self.head(self.norm(self.blocks(self.tokens(x) + self.positions[:x.shape[1]])))


class CharLSTM(torch.nn.Module):
    def __init__(self, vocabulary):
        super().__init__()
        self.tokens = torch.nn.Embedding(vocabulary, 64)
        self.lstm = torch.nn.LSTM(64, 256, num_layers=2, batch_first=True)
        self.head = torch.nn.Linear(256, vocabulary)

    def forward(self, x):
        return self.head(self.lstm(self.tokens(x))[0])


def text_steps(kind, windows, steps=100, batch=32):
    """Seconds for `steps` training steps of NeuralNet's charlstm or chargpt preset (after 5 untimed ones)."""
    x, y, vocabulary = windows
    def run(count):
        model = GPT(vocabulary) if kind == "gpt" else CharLSTM(vocabulary)
        optimizer = (torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01) if kind == "gpt"
                     else torch.optim.Adam(model.parameters(), lr=2e-3))
        loss_function = torch.nn.CrossEntropyLoss()
        start = time.perf_counter()
        for i in range(count):
            xb, yb = x[i * batch:(i + 1) * batch], y[i * batch:(i + 1) * batch]
            optimizer.zero_grad()
            loss = loss_function(model(xb).reshape(-1, vocabulary), yb.reshape(-1))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
        return time.perf_counter() - start
    run(5)
    return run(steps)


def infer(model, x, batch):
    model.eval()
    batches = [x[i:i + batch] for i in range(0, len(x), batch)]
    start = time.perf_counter()
    with torch.no_grad():
        for b in batches:
            model(b)
    return len(x) / (time.perf_counter() - start)


def gemm(n, runs):
    a, b = torch.rand(n, n), torch.rand(n, n)
    repeats = max(1, int(2e10 / (2 * n ** 3)))  # about 40 ms a measurement, as nn bench
    def once():
        start = time.perf_counter()
        for _ in range(repeats):
            torch.mm(a, b)
        return (time.perf_counter() - start) / repeats
    once()
    return 2 * n ** 3 / statistics.median(once() for _ in range(runs)) / 1e9


def machine():
    """The CPU model and vector instruction set, and the kernel NumPy's OpenBLAS chose."""
    model, flags = "unknown CPU", set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() == "model name" and model == "unknown CPU":
                    model = value.strip()
                elif key.strip() == "flags":
                    flags = set(value.split())
    except OSError:
        pass
    isa = "AVX-512" if "avx512f" in flags else ("AVX2+FMA" if "avx2" in flags else "no AVX2")
    blas = ""
    try:
        from threadpoolctl import threadpool_info
        kernels = [f"{i['internal_api']} {i.get('architecture', '?')}" for i in threadpool_info() if i.get("user_api") == "blas"]
        blas = f"; NumPy's BLAS: {', '.join(kernels)}" if kernels else ""
    except ImportError:
        pass
    return f"Machine: {model}, {isa}, {os.cpu_count()} cores{blas}"


def ours_once(nn, workload, data):
    """One run of `workload` by NeuralNet's `nn bench`: its figure and its peak memory in MB."""
    # OpenBLAS's threads spin for a while after a multiply; let them sleep before NeuralNet runs.
    time.sleep(1)
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "ours.json")
        subprocess.run([nn, "bench", "--only", workload, "--runs", "1", "--cnn-runs", "1", "--data", data, "--json", path],
                       check=True, stdout=subprocess.DEVNULL)
        with open(path) as f:
            report = json.load(f)
        if MAX_ISA_AVX2 and "512" in report["kernel"]:
            sys.exit(f"--max-isa avx2, but {nn} runs the {report['kernel']} kernel: build it with -Xcc -DNN_MAX_ISA_AVX2")
        result = report["results"][workload]
        return result["value"], result.get("peakResidentMB")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("ours", nargs="?", help="the JSON written by `nn bench --json`")
    parser.add_argument("--alternate", metavar="NN",
                        help="NeuralNet's `nn` binary: run it one run at a time, alternating with PyTorch's runs")
    parser.add_argument("--data", default=os.environ.get("NEURALNET_DATA", "/usr/share/datasets/fashion-mnist"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cnn-runs", type=int, default=3)
    parser.add_argument("--json", help="write PyTorch's figures here")
    parser.add_argument("--only", nargs="+", help="run only these workloads")
    parser.add_argument("--no-jax", action="store_true", help="leave JAX out even when it is installed")
    parser.add_argument("--keep-openblas-coretype", action="store_true",
                        help="keep OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE from the environment (read at start)")
    parser.add_argument("--acceptance", action="store_true",
                        help="after the table, check the speed issue's acceptance (bench/acceptance.py); exit 1 if any fails")
    parser.add_argument("--max-isa", choices=["avx2"],
                        help="cap every peer at AVX2, as on an AVX2-only machine (read at start; see above)")
    args = parser.parse_args()
    if ort_held_to_avx2() and not MAX_ISA_AVX2:
        sys.exit("the onnxruntime on PYTHONPATH is held to AVX2 (bench/ort_avx2.py): add --max-isa avx2, or drop it")

    threads = int(os.environ.get("NEURALNET_THREADS", os.cpu_count()))
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    # JAX reads its thread count when it is first imported (by peers, below).
    os.environ.setdefault("XLA_FLAGS", f"--xla_cpu_multi_thread_eigen={'true' if threads > 1 else 'false'} "
                                       f"intra_op_parallelism_threads={threads}")
    if MAX_ISA_AVX2:
        os.environ["XLA_FLAGS"] += " --xla_cpu_max_isa=AVX2"
    text_only = bool(args.only) and all(name in ("lstm-train", "gpt-train") for name in args.only)
    train_x = train_y = test_x = trained = session = None
    if not text_only:
        train_x, train_y, test_x, test_y = load(args.data)
        trained = mlp()
        train_epoch(trained, train_x, train_y)
        if peers.onnxruntime_available():
            session = peers.onnx_session(trained, threads, os.path.join(tempfile.mkdtemp(), "mlp.onnx"))
    # Each workload: one run per peer that has it, and how many runs give the median.
    peer_runs = {
        "mlp-train": {"PyTorch": lambda: train_epoch(mlp(), train_x, train_y),
                      "JAX": lambda: peers.jax_mlp_train(train_x.numpy(), train_y.numpy())},
        "wide-mlp-train": {"PyTorch": lambda: train_epoch(mlp(WIDE), train_x, train_y),
                           "JAX": lambda: peers.jax_mlp_train(train_x.numpy(), train_y.numpy(), WIDE)},
        "cnn-train": {"PyTorch": lambda: train_epoch(cnn(), train_x, train_y),
                      "JAX": lambda: peers.jax_cnn_train(train_x.numpy(), train_y.numpy())},
        "xor": {"PyTorch": xor, "JAX": peers.jax_xor},
        "xor-compiled": {"PyTorch": xor, "JAX": peers.jax_xor},
        "infer-1": {"PyTorch": lambda: infer(trained, test_x, 1), "ORT": lambda: peers.onnx_infer(session, test_x.numpy(), 1)},
        "infer-1000": {"PyTorch": lambda: infer(trained, test_x, 1000),
                       "ORT": lambda: peers.onnx_infer(session, test_x.numpy(), 1000)},
    }
    for n in (256, 512, 1024, 2048):
        peer_runs[f"gemm-{n}"] = {"PyTorch": lambda n=n: gemm(n, 1), "NumPy": lambda n=n: peers.numpy_gemm(n)}
    windows = text_windows()
    peer_runs["lstm-train"] = {"PyTorch": lambda: text_steps("lstm", windows)}
    peer_runs["gpt-train"] = {"PyTorch": lambda: text_steps("gpt", windows)}
    if not peers.jax_available() or args.no_jax:
        for runs in peer_runs.values():
            runs.pop("JAX", None)
    if session is None:
        for runs in peer_runs.values():
            runs.pop("ORT", None)
    if args.only:
        peer_runs = {name: peer_runs[name] for name in args.only}
    slow = {"cnn-train", "wide-mlp-train", "lstm-train", "gpt-train"}

    results, ours, peaks = {}, {}, {}
    for name, runs_by_peer in peer_runs.items():
        runs = args.cnn_runs if name in slow else args.runs
        figures = {peer: [] for peer in runs_by_peer}
        mine, mine_peaks = [], []
        for _ in range(runs):
            # Alternating: NeuralNet's run, then each peer's, so that all see the same load.
            if args.alternate:
                value, peak = ours_once(args.alternate, name, args.data)
                mine.append(value)
                if peak is not None:
                    mine_peaks.append(peak)
            for peer, once in runs_by_peer.items():
                figures[peer].append(once())
        results[name] = {peer: statistics.median(values) for peer, values in figures.items()}
        if mine:
            ours[name] = statistics.median(mine)
        if mine_peaks:
            peaks[name] = max(mine_peaks)
    versions = {"PyTorch": torch.__version__, "NumPy": np.__version__}
    if peers.jax_available() and not args.no_jax:
        import jax
        versions["JAX"] = jax.__version__
    if session is not None:
        import onnxruntime
        versions["ORT"] = onnxruntime.__version__
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"threads": threads, "versions": versions, "results": results}, f, indent=2)

    if args.ours and not args.alternate:
        with open(args.ours) as f:
            report = json.load(f)
        if MAX_ISA_AVX2 and "512" in report["kernel"]:
            sys.exit(f"--max-isa avx2, but {args.ours} was measured with the {report['kernel']} kernel")
        ours = {k: v["value"] for k, v in report["results"].items()}
        peaks = {k: v["peakResidentMB"] for k, v in report["results"].items() if "peakResidentMB" in v}
    how = "medians of single runs, alternating" if args.alternate else "medians"
    print(machine())
    if MAX_ISA_AVX2:
        print("Capped at AVX2: NeuralNet as built, PyTorch, JAX and NumPy by their switches; "
              + ("ONNX Runtime by a copy held to AVX2 (bench/ort_avx2.py)" if ort_held_to_avx2()
                 else "ONNX Runtime not (it has no switch; see bench/ort_avx2.py)"))
    print(f"NeuralNet against {', '.join(f'{k} {v}' for k, v in versions.items())}; {threads} threads, {how}")
    columns = list(versions)
    print(f"{'workload':15} {'unit':>10} {'NeuralNet':>11} " + " ".join(f"{c:>11}" for c in columns)
          + f" {'best peer':>10} {'NN vs best':>10}")
    ratios = {}
    for name, theirs in results.items():
        unit = "s" if name.endswith("train") or name.startswith("xor") else ("GFLOP/s" if name.startswith("gemm") else "samples/s")
        mine = ours.get(name)
        cells = " ".join(f"{theirs[c]:11.4g}" if c in theirs else f"{'-':>11}" for c in columns)
        # The best peer: the least time, or the highest rate. Above 1 NeuralNet is ahead of it.
        best = (min if unit == "s" else max)(theirs, key=theirs.get)
        if mine is not None:
            ratios[name] = theirs[best] / mine if unit == "s" else mine / theirs[best]
        ratio = "-" if mine is None else f"{ratios[name]:.2f}x"
        print(f"{name:15} {unit:>10} {('-' if mine is None else f'{mine:.4g}'):>11} {cells} {best:>10} {ratio:>10}")
    if args.acceptance and not acceptance.check(ratios, results, peaks, args.alternate, args.data):
        sys.exit(1)


if __name__ == "__main__":
    main()
