"""The workloads of `nn bench` in JAX (with `jit`, and the XOR loop compiled with `lax.scan`) and
in ONNX Runtime (inference of the MLP exported from PyTorch), for bench/compare_pytorch.py.

Each function returns one measurement in the unit of `nn bench`: seconds for training, samples
per second for inference. Compilation is done before the clock starts, as a user's first step
would pay it once. Thread counts: set XLA_FLAGS before JAX is imported (compare_pytorch.py does)
and ONNX Runtime's intra-op threads per session.
"""
import time

import numpy as np


def jax_available():
    try:
        import jax  # noqa: F401
        return True
    except ImportError:
        return False


def onnxruntime_available():
    try:
        import onnxruntime  # noqa: F401
        return True
    except ImportError:
        return False


# ---- JAX -------------------------------------------------------------------------------------

def _dense(key, fan_in, fan_out):
    import jax
    bound = 1 / np.sqrt(fan_in)  # PyTorch's default initialisation, for the same starting scale
    k1, k2 = jax.random.split(key)
    return (jax.random.uniform(k1, (fan_in, fan_out), minval=-bound, maxval=bound),
            jax.random.uniform(k2, (fan_out,), minval=-bound, maxval=bound))


def _adam(grads, params, state, step, lr=1e-3, b1=0.9, b2=0.999, eps=1e-7):
    import jax
    import jax.numpy as jnp
    m, v = state
    m = jax.tree_util.tree_map(lambda m, g: b1 * m + (1 - b1) * g, m, grads)
    v = jax.tree_util.tree_map(lambda v, g: b2 * v + (1 - b2) * g * g, v, grads)
    mh = 1 - b1 ** step
    vh = 1 - b2 ** step
    params = jax.tree_util.tree_map(lambda p, m, v: p - lr * (m / mh) / (jnp.sqrt(v / vh) + eps), params, m, v)
    return params, (m, v)


def _cross_entropy(logits, labels):
    import jax
    import jax.numpy as jnp
    return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(logits), labels[:, None], axis=1))


def _train_epoch(forward, params, x, y, batch=64):
    """One epoch of Adam over x (device arrays), a jitted step per batch that gathers its rows
    on the device; both batch shapes (full and last) compiled before timing."""
    import jax
    import jax.numpy as jnp
    x, y = jnp.asarray(x), jnp.asarray(y)
    state = (jax.tree_util.tree_map(jnp.zeros_like, params), jax.tree_util.tree_map(jnp.zeros_like, params))

    @jax.jit
    def step(params, state, count, index, x, y):
        loss, grads = jax.value_and_grad(lambda p: _cross_entropy(forward(p, x[index]), y[index]))(params)
        params, state = _adam(grads, params, state, count)
        return params, state, loss

    order = np.random.default_rng(1).permutation(len(x)).astype(np.int32)
    batches = [jnp.asarray(order[i:i + batch]) for i in range(0, len(order), batch)]
    for index in {b.shape[0]: b for b in batches}.values():  # compile each batch shape once
        jax.block_until_ready(step(params, state, 1.0, index, x, y))
    start = time.perf_counter()
    for count, index in enumerate(batches, start=1):
        params, state, loss = step(params, state, float(count), index, x, y)
    jax.block_until_ready(loss)
    return time.perf_counter() - start


def jax_mlp_train(train_x, train_y, widths=(784, 256, 128, 10)):
    """One epoch of the ReLU MLP with these layer widths (mlp-train; wide-mlp-train is
    784-2048-2048-10)."""
    import jax
    keys = jax.random.split(jax.random.PRNGKey(1), len(widths) - 1)
    params = [_dense(key, fan_in, fan_out) for key, fan_in, fan_out in zip(keys, widths, widths[1:])]

    def forward(params, x):
        h = x.reshape(x.shape[0], -1)
        for i, (w, b) in enumerate(params):
            h = h @ w + b
            if i < len(params) - 1:
                h = jax.nn.relu(h)
        return h
    return _train_epoch(forward, params, np.asarray(train_x, np.float32), np.asarray(train_y, np.int32))


def jax_cnn_train(train_x, train_y):
    import jax
    import jax.numpy as jnp
    from jax import lax
    keys = jax.random.split(jax.random.PRNGKey(1), 4)

    def conv(key, k, c_in, c_out):
        bound = 1 / np.sqrt(k * k * c_in)
        k1, k2 = jax.random.split(key)
        return (jax.random.uniform(k1, (k, k, c_in, c_out), minval=-bound, maxval=bound),
                jax.random.uniform(k2, (c_out,), minval=-bound, maxval=bound))
    params = [conv(keys[0], 3, 1, 32), conv(keys[1], 3, 32, 64), _dense(keys[2], 1600, 128), _dense(keys[3], 128, 10)]

    def forward(params, x):
        h = x
        for w, b in params[:2]:
            h = lax.conv_general_dilated(h, w, (1, 1), "VALID", dimension_numbers=("NHWC", "HWIO", "NHWC")) + b
            h = lax.reduce_window(jax.nn.relu(h), -jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")
        h = h.reshape(h.shape[0], -1)
        (w1, b1), (w2, b2) = params[2:]
        return jax.nn.relu(h @ w1 + b1) @ w2 + b2
    images = np.asarray(train_x, np.float32).reshape(-1, 28, 28, 1)
    return _train_epoch(forward, params, images, np.asarray(train_y, np.int32))


def jax_xor():
    """1,000 epochs of 4 single-sample SGD steps of the 2-3-1 tanh network, the whole loop one
    compiled `lax.scan`."""
    import jax
    import jax.numpy as jnp
    from jax import lax
    x = jnp.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
    y = jnp.array([[0.], [1.], [1.], [0.]])
    rng = np.random.default_rng(1)
    order = jnp.asarray(np.concatenate([rng.permutation(4) for _ in range(1000)]).astype(np.int32))
    keys = jax.random.split(jax.random.PRNGKey(1), 2)
    params = [_dense(keys[0], 2, 3), _dense(keys[1], 3, 1)]

    def loss(params, i):
        h = jnp.tanh(x[i][None] @ params[0][0] + params[0][1])
        out = jnp.tanh(h @ params[1][0] + params[1][1])
        return jnp.mean((out - y[i][None]) ** 2)

    @jax.jit
    def run(params):
        def step(params, i):
            grads = jax.grad(loss)(params, i)
            return jax.tree_util.tree_map(lambda p, g: p - 0.1 * g, params, grads), None
        return lax.scan(step, params, order)[0]
    jax.block_until_ready(run(params))  # compile
    start = time.perf_counter()
    jax.block_until_ready(run(params))
    return time.perf_counter() - start


# ---- NumPy ------------------------------------------------------------------------------------

def numpy_gemm(n):
    """GFLOP/s of an n×n float32 multiply through NumPy's BLAS (OpenBLAS in the PyPI wheel),
    about 40 ms a measurement as in `nn bench`; the thread count comes from OPENBLAS_NUM_THREADS,
    set before NumPy is imported."""
    rng = np.random.default_rng(3)
    a, b = rng.random((n, n), dtype=np.float32), rng.random((n, n), dtype=np.float32)
    c = np.empty((n, n), dtype=np.float32)
    repeats = max(1, int(2e10 / (2 * n ** 3)))
    np.matmul(a, b, out=c)
    start = time.perf_counter()
    for _ in range(repeats):
        np.matmul(a, b, out=c)
    return 2 * n ** 3 / ((time.perf_counter() - start) / repeats) / 1e9


# ---- ONNX Runtime ----------------------------------------------------------------------------

def onnx_session(model, threads, path):
    """`model` (a PyTorch module taking [batch, 1, 28, 28]) exported to ONNX at `path`, in an
    ONNX Runtime session with `threads` intra-op threads and full graph optimisation."""
    import onnxruntime
    import torch
    model.eval()
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), path, input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}}, dynamo=False)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    return onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def onnx_infer(session, x, batch):
    images = np.ascontiguousarray(np.asarray(x, np.float32))
    batches = [images[i:i + batch] for i in range(0, len(images), batch)]
    session.run(None, {"x": batches[0]})  # first run allocates
    start = time.perf_counter()
    for b in batches:
        session.run(None, {"x": b})
    return len(images) / (time.perf_counter() - start)
