"""How long does each live dashboard take to redraw when a control moves?

Run:  .venv/bin/python benchmarks/dashboard_latency.py  [--repeats 7] [--only rnn,clinic]

For every chapter's live dashboard (``lstmlib.book.*.live_*``) it times a
redraw, ``Dashboard.redraw()`` after a control moves (the simulation, the
figure and the PNG, everything a reader waits for), at the dashboard's
default setting and at its most expensive one (longest T, most layers, a
mistake set never trained before), with the caches cleared before each
redraw so that no frame or simulation is reused; only the clinic's
correct-backward runs are kept (its first frame trained them already), except
when the learning rate moves (see ``clear``). Each case alternates a control
between two values ``--repeats`` times and reports the median, the fastest and
the slowest. "axes" rows move a control that changes the axes (T, the layers):
the figure is then drawn in full, not only its lines and images.

One BLAS thread, as the notebooks run. The machine's load average is printed
first: other processes on the 2 cores slow every wall-clock row alike. The
last column, the median CPU time of this process per redraw, is what a
redraw costs on a quiet machine (near its wall-clock time there). The aim is a
median under 250 ms. After a frame drawn in under 100 ms a numeric slider
redraws while it is dragged; after one over 200 ms, only when it is let go;
in between it keeps what it did (``viz.Dashboard``'s default
``while_dragging=(0.10, 0.20)``).

Nothing here is asserted: speed is reported, not tested.
"""
import argparse
import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
os.environ.setdefault("MPLBACKEND", "Agg")

import statistics  # noqa: E402
import time  # noqa: E402

from lstmlib.book import clinic_views, lstm_flow, peephole_flow, rnn_flow, viz  # noqa: E402

DASHBOARDS = {
    "rnn": ("ch 1", rnn_flow.live_dashboard),
    "memory": ("ch 2", lstm_flow.live_memory_dashboard),
    "flow": ("ch 4", lstm_flow.live_flow_dashboard),
    "peephole": ("ch 5", peephole_flow.live_dashboard),
    "clinic": ("ch 7", clinic_views.live_clinic),
}

# name -> [(setting, {control: value} set first, control moved, (value a, value b))]
CASES = {
    "rnn": [
        ("default", {}, "spectral_radius", (1.0, 1.05)),
        ("T 200, scale 5, ρ 3", {"T": 200, "input_scale": 5.0, "spectral_radius": 3.0},
         "spectral_radius", (2.95, 3.0)),
        ("T 200 (axes)", {"spectral_radius": 3.0}, "T", (199, 200)),
    ],
    "memory": [
        ("default", {}, "forget_bias", (6.0, 5.9)),
        ("count four stores", {"pattern": "count four stores"}, "forget_bias", (-2.0, -1.9)),
        ("pattern switch", {}, "pattern", ("store, then recall", "count four stores")),
    ],
    "flow": [
        ("default", {}, "forget_bias", (1.0, 1.1)),
        ("LSTM, T 200, 6 layers", {"T": 200, "layers": 6}, "forget_bias", (5.9, 6.0)),
        ("T 200, 6 layers (axes)", {"T": 200, "layers": 6}, "T", (199, 200)),
    ],
    "peephole": [
        ("default", {}, "peephole_weight", (0.5, 0.55)),
        ("T 200", {"T": 200}, "peephole_weight", (-2.0, -1.95)),
        ("T 200 (axes)", {}, "T", (199, 200)),
    ],
    "clinic": [
        ("one mistake, new", {}, "tanh_grad_at_preactivation", (True, False)),
        ("four mistakes, new", {"tanh_grad_at_preactivation": True,
                                "dropped_recurrent_h_grad": True,
                                "gate_blocks_swapped": True},
         "backward_loop_runs_forward_in_time", (True, False)),
        ("new learning rate", {"tanh_grad_at_preactivation": True},
         "learning_rate", (0.02, 0.021)),
    ],
}


def clear(dash, keep_correct_runs):
    """Forget every cache; the clinic may keep its correct-backward runs (one per rate, seed).

    Switching a mistake on trains only the set's run: the correct run of the
    same learning rate and seed is already there, from the first frame.
    """
    runs = getattr(dash, "runs", None)
    kept = {key: run for key, run in runs.items() if key[0] == ()} if runs else {}
    dash.clear_caches()
    if keep_correct_runs and runs is not None:
        runs.update(kept)


def time_case(dash, setting, control, values, repeats):
    """Wall-clock and CPU seconds of ``repeats`` redraws, the control alternating ``values``."""
    dash.set_values(**setting)
    keep = control != "learning_rate"  # a new rate needs its correct run too
    wall, cpu = [], []
    for repeat in range(repeats):
        clear(dash, keep)
        start, start_cpu = time.perf_counter(), time.process_time()
        dash.controls[control].value = values[repeat % 2]
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--only", default=",".join(DASHBOARDS),
                        help="comma-separated dashboards: " + ", ".join(DASHBOARDS))
    args = parser.parse_args()
    viz.use_book_style()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"dashboard redraw latency: median of {args.repeats}, caches cleared, "
          f"1 BLAS thread, {os.cpu_count()} cores, load average {load:.1f}")
    print(f"{'dashboard':<15} {'setting':<24} {'control moved':<34} "
          f"{'median':>8} {'fastest':>8} {'slowest':>8} {'CPU med.':>8}")
    for name in args.only.split(","):
        chapter, build = DASHBOARDS[name]
        start = time.perf_counter()
        dash = build()
        built = time.perf_counter() - start
        print(f"{chapter + ' ' + name:<15} {'(built, first frame)':<24} {'':<34} "
              f"{1000 * built:>6.0f}ms")
        for setting, values, control, pair in CASES[name]:
            base = {key: dash.controls[key].value for key in dash.controls}
            # move away from the first value so that the first timed move is a change
            dash.set_values(**{control: pair[1]})
            seconds, cpu = time_case(dash, values, control, pair, args.repeats)
            dash.set_values(**base)
            moved = f"{control} {pair[0]} <-> {pair[1]}"
            print(f"{'':<15} {setting:<24} {moved[:34]:<34} "
                  f"{1000 * statistics.median(seconds):>6.0f}ms "
                  f"{1000 * min(seconds):>6.0f}ms {1000 * max(seconds):>6.0f}ms "
                  f"{1000 * statistics.median(cpu):>6.0f}ms")


if __name__ == "__main__":
    main()
