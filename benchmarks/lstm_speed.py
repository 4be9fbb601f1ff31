"""How fast is lstm_forward + lstm_backward, and how close to the machine's matmul speed?

Run:  .venv/bin/python benchmarks/lstm_speed.py  [--repeats 9] [--torch]

For each size and dtype it times, in the same process and interleaved (so a
busy machine slows both alike), the vectorised pair ``lstm_forward`` +
``lstm_backward`` and the per-step loop ``lstm_forward_loop`` +
``lstm_backward_loop``, and reports:

- medians of each, and the speed-up: the median of the per-round ratios,
  with the smallest and largest round in brackets (how noisy the machine was);
- the achieved GFLOP/s (matrix-product flops only), and that rate as a
  fraction of numpy's own matrix-multiply rate on a product of the same
  shape, measured in the same run;
- the minor page faults per call (fresh memory the kernel had to hand over).
  The loop allocates new (N, 4H) arrays at every step; how often that costs
  page faults depends on glibc's malloc thresholds, which move with what the
  process allocated before. That is much of the loop's extra time, and why
  its time varies from run to run more than the vectorised version's.

With ``--torch`` it also times ``torch.nn.LSTM`` (forward + backward of the
same upstream gradient) for scale. torch is not a dependency of lstmlib:
install it with ``pip install -r benchmarks/requirements.txt``. It runs in a
separate process, after the numpy timings, because torch's OpenMP threads keep
spinning after each call and would slow the BLAS threads of numpy calls
interleaved with them.

Nothing here is asserted: speed is reported, not tested.
"""
import argparse
import os
import resource
import subprocess
import sys
import time

import numpy as np

from lstmlib import lstm

SIZES = [(32, 50, 64, 128), (64, 100, 128, 256)]  # (N, T, D, H)
DTYPES = ("float64", "float32")


def matmul_flops(N, T, D, H):
    """Flops of the matrix products of one forward + backward pass.

    Forward: x Wx and h Wh at every step, 2 N T (D + H) 4H. Backward: three
    products of the same size (dx/dWx, dprev_h/dWh each count twice that).
    """
    return 3 * 2 * N * T * (D + H) * 4 * H


def timed(fn):
    """Seconds and minor page faults of one call of fn."""
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    start = time.perf_counter()
    fn()
    seconds = time.perf_counter() - start
    return seconds, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults


def gemm_rate(N, T, D, H, dtype, repeats):
    """numpy's GFLOP/s on (N T, D + H) @ (D + H, 4H), the shape of the LSTM's products."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((N * T, D + H)).astype(dtype)
    b = rng.standard_normal((D + H, 4 * H)).astype(dtype)
    seconds = np.median([timed(lambda: a @ b)[0] for _ in range(repeats * 5)])
    return 2 * N * T * (D + H) * 4 * H / seconds / 1e9


def problem(N, T, D, H, dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((N, T, D)).astype(dtype)
    h0 = np.zeros((N, H), dtype=dtype)
    Wx, Wh, b = lstm.init_lstm_params(D, H, rng, dtype=dtype)
    dh = rng.standard_normal((N, T, H)).astype(dtype)
    return x, h0, Wx, Wh, b, dh


def bench(N, T, D, H, dtype, repeats):
    """Interleaved rounds of both versions: (seconds, faults) per round for each."""
    x, h0, Wx, Wh, b, dh = problem(N, T, D, H, dtype)

    def vectorised():
        h, cache = lstm.lstm_forward(x, h0, Wx, Wh, b)
        grads = lstm.lstm_backward(dh, cache)
        assert h.dtype == dtype and all(g.dtype == dtype for g in grads), "silent upcast"

    def loop():
        h, caches = lstm.lstm_forward_loop(x, h0, Wx, Wh, b)
        lstm.lstm_backward_loop(dh, caches)

    vectorised(), loop()  # warm up
    rounds = [(timed(vectorised), timed(loop)) for _ in range(repeats)]
    return np.array([r[0] for r in rounds]), np.array([r[1] for r in rounds])


def torch_times(repeats):
    """Median seconds of torch.nn.LSTM forward + backward for every size and dtype.

    Runs in this process, so call it in a process of its own (see ``--torch``).
    """
    import torch

    torch.set_num_threads(int(os.environ.get("OPENBLAS_NUM_THREADS", os.cpu_count())))
    times = {}
    for N, T, D, H in SIZES:
        for dtype in DTYPES:
            x, _, _, _, _, dh = problem(N, T, D, H, dtype)
            model = torch.nn.LSTM(D, H, batch_first=True).to(getattr(torch, dtype))
            x_t = torch.from_numpy(x).requires_grad_()
            dh_t = torch.from_numpy(dh)

            def forward_backward():
                h, _ = model(x_t)
                h.backward(dh_t)

            forward_backward()  # warm up
            times[f"{(N, T, D, H)} {dtype}"] = np.median(
                [timed(forward_backward)[0] for _ in range(repeats)])
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--torch", action="store_true",
                        help="also time torch.nn.LSTM, in a separate process")
    parser.add_argument("--torch-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.torch_only:  # the child process of --torch: print one line per case
        for case, seconds in torch_times(args.repeats).items():
            print(f"{case}\t{seconds}")
        return

    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    print(f"numpy {np.__version__}, OPENBLAS_NUM_THREADS={threads}, "
          f"medians of {args.repeats} interleaved rounds")
    print(f"{'(N, T, D, H)':<20} {'dtype':<8} {'vectorised':>10} {'step loop':>10} "
          f"{'speed-up (range)':>18} {'GFLOP/s':>8} {'matmul':>7} {'of matmul':>9} "
          f"{'faults/call vec, loop':>22}")
    medians = {}
    for size in SIZES:
        for dtype in DTYPES:
            vec, loop = bench(*size, np.dtype(dtype).type, args.repeats)
            t_vec, t_loop = np.median(vec[:, 0]), np.median(loop[:, 0])
            ratios = loop[:, 0] / vec[:, 0]
            rate = matmul_flops(*size) / t_vec / 1e9
            peak = gemm_rate(*size, dtype, args.repeats)
            medians[f"{size} {dtype}"] = t_vec, t_loop
            speed_up = f"{np.median(ratios):.2f}x ({ratios.min():.2f}-{ratios.max():.2f})"
            print(f"{str(size):<20} {dtype:<8} {t_vec * 1e3:8.1f}ms {t_loop * 1e3:8.1f}ms "
                  f"{speed_up:>18} {rate:8.1f} {peak:7.1f} {rate / peak:9.0%} "
                  f"{np.median(vec[:, 1]):>11.0f} {np.median(loop[:, 1]):>10.0f}")

    if args.torch:
        child = subprocess.run([sys.executable, __file__, "--torch-only",
                                "--repeats", str(args.repeats)],
                               capture_output=True, text=True, check=True)
        print("\ntorch.nn.LSTM, forward + backward, in a separate process "
              "(time ratios: below 1 means faster than torch)")
        print(f"{'case':<29} {'torch':>8} {'vectorised / torch':>19} {'step loop / torch':>18}")
        for line in child.stdout.splitlines():
            case, seconds = line.split("\t")
            t_vec, t_loop = medians[case]
            t_torch = float(seconds)
            print(f"{case:<29} {t_torch * 1e3:6.1f}ms {t_vec / t_torch:18.2f}x "
                  f"{t_loop / t_torch:17.2f}x")


if __name__ == "__main__":
    main()
