"""The speed issue's acceptance, read off compare_pytorch.py's table (`--acceptance`).

Every criterion gets one line, PASS or FAIL, with its figure:

- mlp-train, wide-mlp-train, cnn-train, lstm-train and gpt-train take at most the best peer's
  time; infer-1 and infer-1000 reach at least the best peer's rate; the multiply reaches at
  least the best peer's rate (NumPy's OpenBLAS, or PyTorch where it is ahead) at n = 512, 1024
  and 2048; xor-compiled takes at most JAX's compiled loop. So each ratio is at least 1, and the
  peer a criterion names (JAX, ONNX Runtime, NumPy) must be in the table.
- mlp-train's peak resident memory is at most 150 MB (from `nn bench --json`).
- `fashion-mlp` reaches at least 0.86 test accuracy and `fashion-cnn` at least 0.88: the example
  programs beside `nn` are run once each, after the timing, when they are there.

A criterion whose workload was left out (`--only`, or a peer not installed) reads "not
measured". The table is the evidence; these lines only read it.
"""
import os
import subprocess

RATIO_ROWS = ["mlp-train", "wide-mlp-train", "cnn-train", "lstm-train", "gpt-train", "infer-1", "infer-1000",
              "gemm-512", "gemm-1024", "gemm-2048", "xor-compiled"]
# The peer a criterion names, without which it is not measured.
NEEDED_PEER = {"xor-compiled": "JAX", "infer-1": "ORT", "infer-1000": "ORT",
               "gemm-512": "NumPy", "gemm-1024": "NumPy", "gemm-2048": "NumPy"}
MEMORY_ROW, MEMORY_LIMIT_MB = "mlp-train", 150
LEAST_ACCURACY = {"fashion-mlp": 0.86, "fashion-cnn": 0.88}


def example_accuracy(path, data):
    """The test accuracy an example program prints: its first line that is a bare number. It
    reads Fashion-MNIST from `data` (NEURALNET_DATA), as the table's runs did."""
    environment = dict(os.environ, NEURALNET_DATA=data) if data else None
    output = subprocess.run([path], capture_output=True, text=True, check=True, env=environment).stdout
    for line in output.splitlines():
        try:
            return float(line.strip())
        except ValueError:
            continue
    raise ValueError(f"{path} printed no accuracy")


def check(ratios, peer_figures, peak_memory_mb, nn, data=None):
    """Prints each criterion's line and returns whether every measured one passed.

    `ratios`: NeuralNet ÷ best peer per workload, above 1 ahead (as the table prints them);
    `peer_figures`: each workload's figures by peer (the table's columns);
    `peak_memory_mb`: NeuralNet's peak resident memory per workload; `nn`: the path of the
    `nn` measured, whose folder may hold the example programs (or None); `data`: the
    Fashion-MNIST folder the table used."""
    lines = []
    for row in RATIO_ROWS:
        needed = NEEDED_PEER.get(row)
        if row not in ratios:
            lines.append((None, f"{row}: not measured"))
        elif needed and needed not in peer_figures.get(row, {}):
            lines.append((None, f"{row}: not measured against {needed}, which the criterion names"))
        else:
            lines.append((ratios[row] >= 1, f"{row}: {ratios[row]:.2f}x the best peer (at least 1)"))
    if MEMORY_ROW in peak_memory_mb:
        peak = peak_memory_mb[MEMORY_ROW]
        lines.append((peak <= MEMORY_LIMIT_MB, f"{MEMORY_ROW} peak memory: {peak:.0f} MB (at most {MEMORY_LIMIT_MB})"))
    else:
        lines.append((None, f"{MEMORY_ROW} peak memory: not measured"))
    for example, least in LEAST_ACCURACY.items():
        path = os.path.join(os.path.dirname(nn), example) if nn else None
        if not path or not os.access(path, os.X_OK):
            lines.append((None, f"{example}: not run (no {example} beside nn: swift build -c release)"))
            continue
        accuracy = example_accuracy(path, data)
        lines.append((accuracy >= least, f"{example}: test accuracy {accuracy:.4f} (at least {least})"))
    print("Acceptance:")
    for passed, text in lines:
        print(f"  {'-   ' if passed is None else ('PASS' if passed else 'FAIL')}  {text}")
    return all(passed is not False for passed, _ in lines)
