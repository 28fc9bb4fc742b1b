"""Makes a copy of the installed ONNX Runtime whose float kernels stop at AVX2, so that
`compare_pytorch.py --max-isa avx2` can hold ONNX Runtime to AVX2 as it holds every other peer.

    /opt/venv/bin/python bench/ort_avx2.py /tmp/ort-avx2
    PYTHONPATH=/tmp/ort-avx2 /opt/venv/bin/python bench/compare_pytorch.py --max-isa avx2 ...

ONNX Runtime has no switch for its instruction set: MLAS, its math library, reads CPUID once
when it loads and picks its AVX-512 kernels when the CPU has AVX-512F and the OS saves the
vector registers. This script copies the `onnxruntime` package to DEST and, in the copy's
extension module, turns the one conditional jump that skips the AVX-512 set-up when AVX-512F
is absent into an unconditional jump. MLAS then keeps the AVX2 and FMA kernels it has already
chosen, as it does on an AVX2-only CPU. The installed package is not touched.

The jump is found by its shape, not by an address: `test $0x10000, reg` (CPUID leaf 7's
AVX-512F bit) followed by a `je`, followed within a few bytes by the test of XCR0's AVX-512
state bits (`0xe0`). The script refuses unless exactly one place matches, and then times a
1024 x 1024 MatMul on one thread with both packages: the copy should run at about half the
installed one's rate on an AVX-512 machine (AVX2's rate).
"""
import os
import re
import shutil
import subprocess
import sys
import textwrap

# test $0x10000 with eax (a9), another of the first eight registers (f7 c0+r) or r8d-r15d (41 f7
# c0+r), then je with an 8-bit (74) or 32-bit (0f 84) offset, then the test of XCR0's bits.
PATTERN = re.compile(rb"(?:\xa9|\x41?\xf7[\xc0-\xc7])\x00\x00\x01\x00(\x74.|\x0f\x84....)", re.DOTALL)
XCR0_TEST = re.compile(rb"\xa8\xe0|\x24\xe0|\xf6[\xc0-\xc7]\xe0")
MARKER = "NEURALNET_AVX2_ONLY"

MATMUL_RATE = textwrap.dedent("""
    import time, numpy as np, onnx, onnxruntime as ort
    from onnx import helper, TensorProto
    n = 1024
    value = lambda name: helper.make_tensor_value_info(name, TensorProto.FLOAT, [n, n])
    graph = helper.make_graph([helper.make_node("MatMul", ["a", "b"], ["c"])], "g", [value("a"), value("b")], [value("c")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    feeds = {"a": np.random.rand(n, n).astype(np.float32), "b": np.random.rand(n, n).astype(np.float32)}
    session.run(None, feeds)
    best = 0.0
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(5):
            session.run(None, feeds)
        best = max(best, 5 * 2 * n ** 3 / (time.perf_counter() - start) / 1e9)
    print(f"{best:.0f}")
""")


def patch(module_path):
    """Makes the AVX-512F test's jump unconditional in the file at `module_path`."""
    with open(module_path, "rb") as f:
        data = bytearray(f.read())
    places = [m for m in PATTERN.finditer(data) if XCR0_TEST.search(data, m.end(), m.end() + 16)]
    if len(places) != 1:
        raise ValueError(f"{module_path}: {len(places)} places look like MLAS's AVX-512F test, not one; "
                         "this ONNX Runtime is laid out differently")
    jump = places[0].start(1)
    if data[jump] == 0x74:
        data[jump] = 0xEB                      # je rel8 -> jmp rel8
    else:
        data[jump:jump + 2] = b"\x90\xe9"      # je rel32 -> nop; jmp rel32 (same end, same offset)
    with open(module_path, "wb") as f:
        f.write(data)
    return jump


def matmul_rate(pythonpath):
    """GFLOP/s of a 1024² MatMul on one thread, with the onnxruntime that `pythonpath` (or none:
    the installed one) gives, in a process of its own."""
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    if pythonpath:
        environment["PYTHONPATH"] = pythonpath
    # From /, so that no onnxruntime folder in the current one shadows the package asked for.
    output = subprocess.run([sys.executable, "-c", MATMUL_RATE], env=environment, capture_output=True, text=True,
                            cwd="/")
    return output.stdout.strip() or output.stderr.strip().splitlines()[-1]


def main():
    if len(sys.argv) != 2 or sys.argv[1].startswith("-"):
        sys.exit("usage: ort_avx2.py DEST   (then PYTHONPATH=DEST for compare_pytorch.py --max-isa avx2)")
    import onnxruntime
    source = os.path.dirname(onnxruntime.__file__)
    destination = os.path.join(os.path.abspath(sys.argv[1]), "onnxruntime")
    if os.path.realpath(destination) == os.path.realpath(source):
        sys.exit("DEST must not be the folder the installed onnxruntime lives in")
    shutil.rmtree(destination, ignore_errors=True)
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns("__pycache__"))
    modules = [os.path.join(destination, "capi", name) for name in os.listdir(os.path.join(destination, "capi"))
               if name.startswith("onnxruntime_pybind11_state") and name.endswith(".so")]
    if len(modules) != 1:
        sys.exit(f"expected one onnxruntime_pybind11_state*.so in {destination}/capi, found {len(modules)}")
    try:
        offset = patch(modules[0])
    except ValueError as error:
        shutil.rmtree(destination, ignore_errors=True)
        sys.exit(f"{error}; nothing was left at {destination}")
    with open(os.path.join(destination, MARKER), "w") as f:
        f.write(f"Made by NeuralNet's bench/ort_avx2.py from {source}: MLAS's AVX-512F test at file offset "
                f"{offset:#x} of {os.path.basename(modules[0])} always jumps past the AVX-512 kernels.\n")
    print(f"ONNX Runtime {onnxruntime.__version__} copied to {destination}, held to AVX2")
    print(f"1024 x 1024 MatMul, one thread, GFLOP/s: installed {matmul_rate(None)}, "
          f"copy {matmul_rate(os.path.dirname(destination))}")
    print(f"Use it with PYTHONPATH={os.path.dirname(destination)}")


if __name__ == "__main__":
    main()
