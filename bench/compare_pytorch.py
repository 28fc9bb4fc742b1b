#!/usr/bin/env python3
"""Runs NeuralNet's benchmark workloads in PyTorch and prints them beside NeuralNet's figures.

    swift run -c release nn bench --json ours.json
    LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 bench/compare_pytorch.py ours.json

or, on a shared machine whose load drifts from minute to minute, one run of each side at a time,
alternating, so that both see the same load:

    swift build -c release
    LD_LIBRARY_PATH=... /usr/bin/python3 bench/compare_pytorch.py --alternate .build/release/nn

Needs `apt-get install python3-torch libopenblas0-openmp` (Debian's PyTorch falls back to the
reference BLAS without OpenBLAS) and the Fashion-MNIST files (`apt-get install
dataset-fashion-mnist`, or --data DIR). Both sides use the same thread count (NEURALNET_THREADS,
or every core); the workloads are defined in `nn bench --help`.
"""
import argparse
import gzip
import json
import os
import statistics
import struct
import subprocess
import tempfile
import time

import numpy as np
import torch


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


def mlp():
    return torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 256), torch.nn.ReLU(),
                               torch.nn.Linear(256, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))


def cnn():
    return torch.nn.Sequential(torch.nn.Conv2d(1, 32, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                               torch.nn.Conv2d(32, 64, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                               torch.nn.Flatten(), torch.nn.Linear(1600, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))


def train_epoch(model, x, y, batch=64):
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


def ours_once(nn, workload, data):
    """One run of `workload` by NeuralNet's `nn bench`."""
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "ours.json")
        subprocess.run([nn, "bench", "--only", workload, "--runs", "1", "--cnn-runs", "1", "--data", data, "--json", path],
                       check=True, stdout=subprocess.DEVNULL)
        with open(path) as f:
            return json.load(f)["results"][workload]["value"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("ours", nargs="?", help="the JSON written by `nn bench --json`")
    parser.add_argument("--alternate", metavar="NN",
                        help="NeuralNet's `nn` binary: run it one run at a time, alternating with PyTorch's runs")
    parser.add_argument("--data", default=os.environ.get("NEURALNET_DATA", "/usr/share/datasets/fashion-mnist"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cnn-runs", type=int, default=3)
    parser.add_argument("--json", help="write PyTorch's figures here")
    args = parser.parse_args()

    threads = int(os.environ.get("NEURALNET_THREADS", os.cpu_count()))
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    train_x, train_y, test_x, test_y = load(args.data)
    trained = mlp()
    train_epoch(trained, train_x, train_y)
    # Each workload: one PyTorch run, and how many runs give the median.
    workloads = {
        "mlp-train": (lambda: train_epoch(mlp(), train_x, train_y), args.runs),
        "cnn-train": (lambda: train_epoch(cnn(), train_x, train_y), args.cnn_runs),
        "xor": (xor, args.runs),
        "infer-1": (lambda: infer(trained, test_x, 1), args.runs),
        "infer-1000": (lambda: infer(trained, test_x, 1000), args.runs),
    }
    for n in (256, 512, 1024, 2048):
        workloads[f"gemm-{n}"] = (lambda n=n: gemm(n, 1), args.runs)

    results, ours = {}, {}
    for name, (once, runs) in workloads.items():
        if args.alternate:
            pairs = [(ours_once(args.alternate, name, args.data), once()) for _ in range(runs)]
            ours[name] = statistics.median(mine for mine, _ in pairs)
            results[name] = statistics.median(theirs for _, theirs in pairs)
        else:
            results[name] = statistics.median(once() for _ in range(runs))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"threads": threads, "torch": torch.__version__, "results": results}, f, indent=2)

    if args.ours and not args.alternate:
        with open(args.ours) as f:
            ours = {k: v["value"] for k, v in json.load(f)["results"].items()}
    how = "medians of single runs, alternating" if args.alternate else "medians"
    print(f"PyTorch {torch.__version__} and NeuralNet, {threads} threads, {how}")
    print(f"{'workload':12} {'unit':>10} {'NeuralNet':>12} {'PyTorch':>12} {'speed-up':>9}")
    for name, theirs in results.items():
        unit = "s" if name.endswith("train") or name == "xor" else ("GFLOP/s" if name.startswith("gemm") else "samples/s")
        mine = ours.get(name)
        if mine is None:
            print(f"{name:12} {unit:>10} {'-':>12} {theirs:12.4g} {'-':>9}")
            continue
        # A speed-up above 1 means NeuralNet is faster: a time ratio for seconds, a rate ratio otherwise.
        speedup = theirs / mine if unit == "s" else mine / theirs
        print(f"{name:12} {unit:>10} {mine:12.4g} {theirs:12.4g} {speedup:8.2f}x")


if __name__ == "__main__":
    main()
