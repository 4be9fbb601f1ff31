"""A training loop small enough to read in one sitting.

``fit`` repeats four things for a given number of steps: compute the loss and
its gradients on the next batch, measure (and optionally clip) the global
gradient norm, apply an update rule from ``lstmlib.optim`` to every
parameter, and call the callbacks. A model is just a dict of arrays and a
function ``loss_and_grads(params, batch) -> loss, grads`` (``lstmlib.models``
has two).

Callbacks are plain functions ``callback(step, params, history)``, called
after every update with ``step`` counting updates from 1.
``lstmlib.book.progress.live_progress`` is one that shows the loss while a
notebook cell runs; this module imports nothing but numpy.
"""
import numpy as np

from . import optim

_EXHAUSTED = object()  # what next(batches, ...) gives once they run out


def fit(params, loss_and_grads, batches, steps, rule=optim.adam,
        config=None, clip=None, callbacks=()):
    """Train ``params`` in place for ``steps`` updates; return the history.

    params: dict name -> array, updated in place (entries are replaced).
    loss_and_grads: ``loss_and_grads(params, batch) -> (loss, grads)``,
    grads a dict with the keys of ``params``.
    batches: an iterable yielding at least ``steps`` batches; seed what
    makes them (e.g. ``np.random.default_rng(0)``) to repeat a run.
    rule: an update rule ``rule(w, dw, config) -> next_w, config``.
    config: hyperparameters of the rule, e.g. ``{"learning_rate": 3e-3}``;
    each parameter gets its own copy (Adam keeps moments per array).
    clip: None, or the largest global gradient norm allowed; larger
    gradients are scaled down together, keeping their direction.
    callbacks: functions ``callback(step, params, history)``.

    Returns the history, a dict of arrays (steps,): ``loss`` at each step
    and ``grad_norm``, the global gradient norm *before* clipping.
    """
    if steps < 1:
        raise ValueError(f"steps should be a positive count, got {steps}")
    if clip is not None and clip <= 0:
        raise ValueError(f"clip should be None or positive, got {clip}")
    configs = {name: dict(config or {}) for name in params}
    history = {"loss": [], "grad_norm": []}
    batches = iter(batches)
    for step in range(1, steps + 1):
        batch = next(batches, _EXHAUSTED)
        if batch is _EXHAUSTED:
            raise ValueError(f"batches ran out after {step - 1} steps "
                             f"of {steps}")
        loss, grads = loss_and_grads(params, batch)
        if not np.isfinite(loss):
            raise FloatingPointError(
                f"the loss is {loss} at step {step}: training diverged "
                "(try a smaller learning rate or a clip norm)")
        if clip is None:
            norm = optim.global_norm(grads)
        else:
            grads, norm = optim.clip_by_global_norm(grads, clip)
        optim.update(params, grads, rule, configs)
        history["loss"].append(loss)
        history["grad_norm"].append(norm)
        for callback in callbacks:
            callback(step, params, history)
    return {name: np.array(values) for name, values in history.items()}


def moving_average(values, window, partial_start=False):
    """Means of runs of ``window`` consecutive values.

    Per-batch losses are noisy; their moving average shows the trend.
    partial_start=False: only full windows, (K,) -> (K - window + 1,).
    partial_start=True: one mean per value, (K,) -> (K,), over the last
    ``window`` values or all of them so far where fewer have been seen.
    """
    values = np.asarray(values, dtype=np.float64)
    if not 1 <= window <= len(values) and not (partial_start and window >= 1):
        raise ValueError(f"window should lie in [1, {len(values)}], got {window}")
    sums = np.cumsum(np.insert(values, 0, 0.0))
    ends = np.arange(1, len(values) + 1)
    if not partial_start:
        ends = ends[window - 1:]
    starts = np.maximum(ends - window, 0)
    return (sums[ends] - sums[starts]) / (ends - starts)
