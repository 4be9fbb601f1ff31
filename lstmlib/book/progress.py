"""Live training progress in a notebook, for ``lstmlib.train.fit``'s callbacks.

``live_progress(steps)`` is a callback ``callback(step, params, history)``.
While ``fit`` runs it rewrites one display in place with the step, the mean
loss of the last updates and (with ``plot=True``) the loss curve so far.
When training ends it leaves its final state in the cell's output: the
last line and the last loss curve, as a display of their own.

Why two displays: a saved notebook keeps a display's *last* content, while
nbval compares a re-run with the *first* content each display had (it does
not apply in-place updates). So the live display starts and ends with the
same heading line (``label: N steps``), and the final state is a separate
display whose first content is its last. The stored output and a re-run
then agree, and a static page shows the heading, the final line and the
final curve.
"""
import base64
import html

import numpy as np
from IPython.display import HTML, display

from . import viz


def progress_display(text="<pre>training</pre>"):
    """Open a live display showing ``text`` (HTML); returns its handle, for ``live_progress``.

    Every training that shares the handle puts ``text`` back when it ends.
    """
    handle = display(HTML(text), display_id=True)
    handle.first_html = text
    return handle


def _heading(label, steps):
    return f"<pre>{html.escape(label)}: {steps} steps</pre>"


def _state(label, step, steps, every, history, plot):
    recent = np.mean(history["loss"][-every:])
    text = (f"<pre>{html.escape(label)}: step {step}/{steps}, "
            f"mean loss of the last {every} steps {recent:.4f}</pre>")
    if plot:
        fig, ax = viz.figure(figsize=(4.8, 2.4))
        ax.plot(np.arange(1, step + 1), history["loss"], lw=0.8)
        ax.set(xlim=(0, steps), xlabel="step", ylabel="loss")
        png = base64.b64encode(viz.to_png(fig)).decode()
        text += (f'<img class="lstm-progress-curve" src="data:image/png;base64,{png}" '
                 f'alt="loss curve, {step} steps">')
    return text


def live_progress(steps, every=None, plot=False, label="training", handle=None):
    """A callback that shows the loss in a notebook while ``fit`` runs, and the final state after.

    Every ``every`` steps (default: 20 updates in all) it rewrites the live
    display with the step and the mean loss since the last update, plus the
    loss curve so far if ``plot``. After the last step the live display shows
    its first content again (its heading, ``label: N steps``) and the final
    line (and curve) is displayed below it.

    handle: None to open a live display at the first update, or one opened
    before with ``progress_display()``, to share it between several
    trainings in one cell.
    """
    every = every or max(1, steps // 20)
    heading = _heading(label, steps)

    def callback(step, params, history):
        nonlocal handle
        if step % every and step != steps:
            return
        if handle is None:
            handle = progress_display(heading)
        first = getattr(handle, "first_html", heading)
        state = _state(label, step, steps, every, history, plot)
        if step == steps:
            handle.update(HTML(first))  # the live display ends as it began
            display(HTML(state))          # and the final state stays in the output
            return
        handle.update(HTML(state))

    return callback
