"""A training loop small enough to read in one sitting.

``fit`` repeats four things for a given number of steps: compute the loss and
its gradients on the next batch, measure (and optionally clip) the global
gradient norm, apply an update rule from ``lstmlib.optim`` to every
parameter, and call the callbacks. A model is just a dict of arrays and a
function ``loss_and_grads(params, batch) -> loss, grads`` (``lstmlib.models``
has two).

Callbacks are plain functions ``callback(step, params, history)``, called
after every update with ``step`` counting updates from 1. ``live_progress``
is one that shows the loss while a notebook cell runs.
"""
import base64
import html

import numpy as np
from IPython.display import HTML, display

from . import optim, viz

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


def moving_average(values, window):
    """Means of runs of ``window`` consecutive values: (K,) -> (K - window + 1,).

    Per-batch losses are noisy; their moving average shows the trend.
    """
    values = np.asarray(values, dtype=np.float64)
    if not 1 <= window <= len(values):
        raise ValueError(f"window should lie in [1, {len(values)}], got {window}")
    sums = np.cumsum(np.concatenate([[0.0], values]))
    return (sums[window:] - sums[:-window]) / window


RESTING_TEXT = "<p><em>Training progress was shown here while the cell ran.</em></p>"


def progress_display():
    """Open a display for ``live_progress``; it shows ``RESTING_TEXT``.

    A saved notebook keeps a display's *last* content and nbval compares a
    re-run with the *first* one it sees, so a live display must start and
    end with the same content for the stored outputs to be reproducible:
    this resting text (not an empty output, which a static page would show
    as a blank area).
    """
    return display(HTML(RESTING_TEXT), display_id=True)


def live_progress(steps, every=None, plot=False, label="training", handle=None):
    """A callback that shows the loss in a notebook while ``fit`` runs.

    Every ``every`` steps (default: 20 updates in all) it rewrites one display
    in place with the step and the mean loss since the last update, plus the
    loss curve so far if ``plot``. After the last step the display goes back
    to ``RESTING_TEXT``, so print the final numbers after training.

    handle: None to open a ``progress_display()`` at the first update, or one
    opened before, to share it between several trainings in one cell.
    """
    every = every or max(1, steps // 20)

    def callback(step, params, history):
        nonlocal handle
        if step % every and step != steps:
            return
        if handle is None:
            handle = progress_display()
        if step == steps:
            handle.update(HTML(RESTING_TEXT))
            return
        recent = np.mean(history["loss"][-every:])
        text = (f"<pre>{html.escape(label)}: step {step}/{steps}, "
                f"mean loss of the last {every} steps {recent:.4f}</pre>")
        if plot:
            fig, ax = viz.figure(figsize=(4.8, 2.4))
            ax.plot(np.arange(1, step + 1), history["loss"], lw=0.8)
            ax.set(xlim=(0, steps), xlabel="step", ylabel="loss")
            png = base64.b64encode(viz.to_png(fig)).decode()
            text += f'<img src="data:image/png;base64,{png}" alt="loss so far">'
        handle.update(HTML(text))

    return callback
