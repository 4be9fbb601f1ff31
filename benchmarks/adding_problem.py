"""The adding problem: does an LSTM learn a long time lag that a tanh RNN cannot?

Hochreiter & Schmidhuber (1997, experiment 4): each sequence holds T random
values in [0, 1], two of them marked (one in each half); the target is the sum
of the two marked values. Predicting the mean, 1, gives a mean squared error of
1/6 ~ 0.167; a model that finds only the nearer marked value gets 1/12 ~ 0.083.

For each sequence length, this trains many-to-one regressors from
``lstmlib.models`` with Adam and gradient clipping: an LSTM, and a tanh RNN
with about as many parameters at several learning rates (the LSTM gets one
learning rate, the RNN the best of several: any tuning advantage goes to the
RNN). Every run is measured on the same 2000 test sequences per T. The table
gives the test MSE and the step at which the training loss (mean of the last
100 steps) first fell below a tenth of the baseline ("solved at").

    python benchmarks/adding_problem.py --save

(``--save`` writes the table to the package data that the capstone (chapter 8) reads,
``lstmlib/book/results/adding_problem.txt``, via
``lstmlib.book.benchmark_results``; ``--out FILE`` writes it anywhere else)

takes about eight minutes on one core; ``--T 50 --seeds 1 --steps 500`` is a
quick look. Seeds 0, 1, 2 and batches of 64 match the short runs of chapter 8,
whose runs are the first steps of the runs here. Training runs in float32
(lstmlib keeps float32 end to end).
"""
import argparse
import time

import numpy as np

from lstmlib import data, models, train
from lstmlib.book.benchmark_results import results_path

BASELINE = 1 / 6  # the error of always predicting the mean target, 1
SOLVED = BASELINE / 10
WINDOW = 100


def run(cell, H, T, steps, seed, batch_size, learning_rate, clip, test):
    """Train one regressor; return (test MSE, solved-at step or None, seconds)."""
    rng = np.random.default_rng(seed)
    params = models.init_regressor(cell, 2, H, rng, dtype=np.float32)
    batches = (data.adding_problem(batch_size, T, rng, dtype=np.float32) for _ in range(steps))
    start = time.perf_counter()
    history = train.fit(params, models.regressor_loss_and_grads, batches, steps,
                        config={"learning_rate": learning_rate}, clip=clip)
    seconds = time.perf_counter() - start
    below = np.flatnonzero(train.moving_average(history["loss"], WINDOW) < SOLVED)
    solved_at = int(below[0]) + WINDOW if below.size else None
    x_test, y_test = test
    pred, _ = models.regressor_predict(params, x_test)
    return float(np.mean((pred - y_test) ** 2)), solved_at, seconds


def comparable_rnn_hidden(lstm_hidden):
    """The RNN hidden size whose parameter count is closest to the LSTM's."""
    def count(cell, H):
        return models.count_params(models.init_regressor(cell, 2, H, np.random.default_rng(0)))
    target = count("lstm", lstm_hidden)
    return min(range(1, 8 * lstm_hidden), key=lambda H: abs(count("rnn", H) - target))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--T", type=int, nargs="+", default=[50, 100, 200],
                        help="sequence lengths")
    parser.add_argument("--steps", type=int, default=3000, help="Adam updates per run")
    parser.add_argument("--seeds", type=int, default=3, help="runs per setting (seeds 0, 1, ...)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--clip", type=float, default=1.0, help="global gradient-norm clip")
    parser.add_argument("--lstm-hidden", type=int, default=16)
    parser.add_argument("--lstm-learning-rate", type=float, default=1e-2)
    parser.add_argument("--rnn-learning-rates", type=float, nargs="+", default=[1e-3, 3e-3, 1e-2])
    parser.add_argument("--out", help="also write the table to this file")
    parser.add_argument("--save", action="store_true",
                        help="also write the table where chapter 8 reads it "
                             "(lstmlib/book/results/adding_problem.txt)")
    args = parser.parse_args()

    rnn_hidden = comparable_rnn_hidden(args.lstm_hidden)
    settings = [("lstm", args.lstm_hidden, args.lstm_learning_rate)]
    settings += [("rnn", rnn_hidden, lr) for lr in args.rnn_learning_rates]
    counts = {cell: models.count_params(models.init_regressor(cell, 2, H, np.random.default_rng(0)))
              for cell, H, _ in settings}

    lines = [f"adding problem: {args.steps} steps of Adam, batch {args.batch_size}, "
             f"clip {args.clip}, float32, seeds 0..{args.seeds - 1}",
             f"LSTM H={args.lstm_hidden}: {counts['lstm']} parameters; "
             f"tanh RNN H={rnn_hidden}: {counts['rnn']} parameters",
             f"test MSE on 2000 sequences per T; baseline (predict 1) = {BASELINE:.3f}; "
             f"'solved at' = first step with mean training loss of the last {WINDOW} steps "
             f"< {SOLVED:.4f}",
             "", f"{'T':>4} {'cell':<5} {'lr':>6} {'seed':>4} {'test MSE':>9} {'solved at':>10} "
             f"{'time':>9}"]
    print("\n".join(lines), flush=True)
    summary = ["", "summary over seeds (test MSE):",
               f"{'T':>4} {'cell':<5} {'lr':>6} {'mean':>7} {'min':>7} {'max':>7} {'solved':>7}"]
    for T in args.T:
        test = data.adding_problem(2000, T, np.random.default_rng(10_000), dtype=np.float32)
        for cell, H, lr in settings:
            errors, solved = [], 0
            for seed in range(args.seeds):
                mse, solved_at, seconds = run(cell, H, T, args.steps, seed, args.batch_size, lr,
                                              args.clip, test)
                errors.append(mse)
                solved += solved_at is not None
                at = "-" if solved_at is None else str(solved_at)
                lines.append(f"{T:>4} {cell:<5} {lr:>6g} {seed:>4} {mse:>9.4f} {at:>10} "
                             f"{seconds:>7.2f} s")
                print(lines[-1], flush=True)
            summary.append(f"{T:>4} {cell:<5} {lr:>6g} {np.mean(errors):>7.4f} "
                           f"{np.min(errors):>7.4f} {np.max(errors):>7.4f} "
                           f"{solved:>3} of {args.seeds}")
    lines += summary
    print("\n".join(summary))
    outs = [args.out] if args.out else []
    if args.save:
        outs.append(str(results_path("adding_problem")))
    for out in outs:
        with open(out, "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
