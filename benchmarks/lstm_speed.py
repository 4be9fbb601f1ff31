"""How fast is lstm_forward + lstm_backward, and how close to the machine's matmul speed?

Run:  .venv/bin/python benchmarks/lstm_speed.py  [--repeats 7]

For each size and dtype it times, in the same process and interleaved (so a
busy machine slows both alike), the vectorised pair ``lstm_forward`` +
``lstm_backward`` and the per-step loop ``lstm_forward_loop`` +
``lstm_backward_loop``, and reports medians, the speed-up, the achieved
GFLOP/s (matrix-product flops only) and that rate as a fraction of numpy's
own matrix-multiply rate on a product of the same shape, measured in the same run.
Nothing here is asserted: speed is reported, not tested.
"""
import argparse
import os
import time

import numpy as np

from lstmlib import lstm

SIZES = [(32, 50, 64, 128), (64, 100, 128, 256)]  # (N, T, D, H)


def matmul_flops(N, T, D, H):
    """Flops of the matrix products of one forward + backward pass.

    Forward: x Wx and h Wh at every step, 2 N T (D + H) 4H. Backward: three
    products of the same size (dx/dWx, dprev_h/dWh each count twice that).
    """
    return 3 * 2 * N * T * (D + H) * 4 * H


def median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def gemm_rate(N, T, D, H, dtype, repeats):
    """numpy's GFLOP/s on (N T, D + H) @ (D + H, 4H), the shape of the LSTM's products."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((N * T, D + H)).astype(dtype)
    b = rng.standard_normal((D + H, 4 * H)).astype(dtype)
    t = median_time(lambda: a @ b, repeats * 5)
    return 2 * N * T * (D + H) * 4 * H / t / 1e9


def bench(N, T, D, H, dtype, repeats):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((N, T, D)).astype(dtype)
    h0 = np.zeros((N, H), dtype=dtype)
    Wx, Wh, b = lstm.init_lstm_params(D, H, rng, dtype=dtype)
    dh = rng.standard_normal((N, T, H)).astype(dtype)

    def vectorised():
        h, cache = lstm.lstm_forward(x, h0, Wx, Wh, b)
        grads = lstm.lstm_backward(dh, cache)
        assert h.dtype == dtype and all(g.dtype == dtype for g in grads), "silent upcast"

    def loop():
        h, caches = lstm.lstm_forward_loop(x, h0, Wx, Wh, b)
        lstm.lstm_backward_loop(dh, caches)

    vectorised(), loop()  # warm up
    t_vec, t_loop = [], []
    for _ in range(repeats):  # interleaved
        t_vec.append(median_time(vectorised, 1))
        t_loop.append(median_time(loop, 1))
    return float(np.median(t_vec)), float(np.median(t_loop))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    print(f"numpy {np.__version__}, OPENBLAS_NUM_THREADS={threads}")
    header = (f"{'(N, T, D, H)':<20} {'dtype':<8} {'vectorised':>11} {'step loop':>10} "
              f"{'speed-up':>9} {'GFLOP/s':>8} {'matmul GFLOP/s':>15} {'of matmul':>10}")
    print(header)
    for size in SIZES:
        for dtype in (np.float64, np.float32):
            t_vec, t_loop = bench(*size, dtype, args.repeats)
            rate = matmul_flops(*size) / t_vec / 1e9
            peak = gemm_rate(*size, dtype, args.repeats)
            print(f"{str(size):<20} {np.dtype(dtype).name:<8} {t_vec * 1e3:9.1f}ms "
                  f"{t_loop * 1e3:8.1f}ms {t_loop / t_vec:8.2f}x {rate:8.1f} {peak:15.1f} "
                  f"{rate / peak:9.0%}")


if __name__ == "__main__":
    main()
