"""Chapters 6 and 7's pictures: where a mistake sits (gate x step error maps), and what it does.

The diagnoses come from the clinic (``lstmlib.diagnose``); the training runs
from ``lstmlib.diagnose.mistakes.train_char_model``. This module only draws.

    mistake_explorer   one mistake on or off, for ``viz.scrubber`` (drawn in advance)
    live_clinic        the live view: any set of mistakes at once, error map and training
"""
import ipywidgets as widgets
import numpy as np

from ..compare import GATES
from ..diagnose import catalogue, diagnose_loss, diagnose_sequence, gate_time_errors, mistakes
from ..diagnose.probes import sequence_probe
from ..gradcheck import rel_error
from ..train import moving_average
from . import viz


def smooth(values, window=10):
    """Moving mean of ``values`` over ``window`` steps (shorter at the start), same length.

    ``train.moving_average(values, window, partial_start=True)``.
    """
    return moving_average(values, window, partial_start=True)


def plot_gate_errors(gate_errors, ax, title="", vmax=1.0):
    """Draw a (4, T) gate x time-step error map (e.g. ``Diagnosis.gate_errors``) on ``ax``."""
    image = ax.imshow(np.clip(gate_errors, 0.0, vmax), cmap="magma_r", vmin=0.0, vmax=vmax,
                      aspect="auto")
    ax.set_yticks(range(4), [f"gate {g}" for g in GATES])
    ax.set_xticks(range(gate_errors.shape[1]))
    ax.set_xlabel("time step t")
    ax.grid(False)
    ax.set_title(title, fontsize=9)
    return image


def draw_gate_error_maps(maps, ncols=3, vmax=1.0):
    """A grid of gate x time error maps: ``maps`` maps panel titles to (4, T) arrays."""
    nrows = -(-len(maps) // ncols)
    fig, axes = viz.figure(ncols=ncols, nrows=nrows, figsize=(3.0 * ncols + 1.0, 1.9 * nrows),
                           squeeze=False)
    for ax, (title, errors) in zip(axes.flat, maps.items()):
        image = plot_gate_errors(errors, ax, title, vmax)
    for ax in list(axes.flat)[len(maps):]:
        ax.set_visible(False)
    fig.colorbar(image, ax=axes, label="error of dL/da\n(share of its largest entry)", shrink=0.9)
    return fig


def mistake_explorer(text_ids, V, mistake_ids, steps=300, seed=0, runs=None):
    """An exploration: pick a mistake, switch it on or off, see the gradient check and the training.

    text_ids: (L,) integer ids of a training text over V characters.
    mistake_ids: catalogue ids of step, sequence or loss mistakes to offer.
    Each frame shows the gate x time-step error map that ``diagnose_sequence``
    finds (for a loss mistake, the error of dscores) and the loss curve of the
    char model trained for ``steps`` Adam steps with that backward, beside
    the correct backward's curve. Training runs happen once and are cached;
    runs: a dict (tuple of ids) -> loss history of runs already made with
    ``mistakes.train_char_model`` and the same settings, to reuse.
    Returns ``draw(mistake, switched) -> Figure`` and the controls dict.
    """
    offered = mistakes.STEP_IDS + mistakes.SEQUENCE_IDS + mistakes.LOSS_IDS
    unknown = [mid for mid in mistake_ids if mid not in offered]
    if unknown or not mistake_ids:
        raise ValueError(f"mistake_ids should be a non-empty list of step, sequence or loss "
                         f"mistakes from lstmlib.mistakes.CATALOGUE; unknown: {unknown}")
    runs = {ids: smooth(history) for ids, history in (runs or {}).items()}

    def curve(ids):
        if ids not in runs:
            _, history = mistakes.train_char_model(text_ids, V, ids, steps=steps, seed=seed)
            runs[ids] = smooth(history["loss"])
        return runs[ids]

    def draw(mistake, switched):
        ids = (mistake,) if switched == "on" else ()
        fig, (ax_map, ax_loss) = viz.figure(ncols=2, figsize=(8.4, 3.0))
        if mistake in mistakes.LOSS_IDS:
            diagnosis = diagnose_loss(mistakes.softmax_loss(*ids))
            ax_map.bar(["loss", "dscores"], [diagnosis.errors["loss"], diagnosis.errors["dscores"]],
                       color="tab:red")
            ax_map.set_ylim(0, 1)
            ax_map.set_ylabel("rel. error vs correct")
        else:
            diagnosis = diagnose_sequence(mistakes.sequence_forward,
                                          mistakes.sequence_backward(*ids))
            image = plot_gate_errors(diagnosis.gate_errors, ax_map)
            fig.colorbar(image, ax=ax_map, shrink=0.8)
        worst = max(diagnosis.errors.values())
        ax_map.set_title(f"gradient check: worst rel. error {worst:.1e}", fontsize=9)
        ax_loss.plot(curve(()), color="0.6", label="correct backward")
        if ids:
            ax_loss.plot(curve(ids), color="tab:red", label=mistake)
        ax_loss.set_ylim(0, 3.0)
        ax_loss.set_xlabel("training step")
        ax_loss.set_ylabel("loss (nats/char)")
        ax_loss.legend(loc="upper right", fontsize=8)
        named = diagnosis.mistake or ("none" if diagnosis.ok else "unknown")
        fig.suptitle(f"mistake {mistake}: {switched}   (the diagnoser names: {named})",
                     fontsize=10)
        return fig

    return draw, {"mistake": list(mistake_ids), "switched": ["off", "on"]}



CLINIC_TEXT = ("the cat sat on the mat. the dog sat on the log. "
               "a cat and a dog met on the mat. "
               "the dog ran to the cat and the cat ran to the log. ") * 2  # chapter 6's text
CLINIC_LIVE_TITLE = "Any set of mistakes: where the gradient is wrong, and what training does"
LIVE_MISTAKE_IDS = catalogue.STEP_IDS + catalogue.SEQUENCE_IDS  # all ``sequence_backward`` takes
SEQUENCE_GRAD_NAMES = ("dx", "dh0", "dWx", "dWh", "db")


def _probe_errors(ids, probe):
    """Relative errors (dict) and the (4, T) gate x step error map of a backward with ``ids``."""
    inputs, (dh,) = probe
    _, cache = mistakes.sequence_forward(*(inputs[k] for k in ("x", "h0", "Wx", "Wh", "b")))
    right = mistakes.sequence_backward()(dh.copy(), cache)
    got = mistakes.sequence_backward(*ids)(dh.copy(), cache)
    errors = {name: rel_error(g, w) for name, g, w in zip(SEQUENCE_GRAD_NAMES, got, right)}
    return errors, gate_time_errors(got[0], right[0], inputs["Wx"])


def live_clinic(text=CLINIC_TEXT, steps=100, probe_T=8):
    """Chapter 7's live clinic: switch on any SET of mistakes, see both of their effects at once.

    Why this view: the pre-drawn explorer can show one mistake at a time,
    because every combination must be drawn in advance (two to the 21
    sets). Real backwards carry several mistakes at once (the first post's
    had three), and whether two mistakes add up, mask each other or make a
    harmless one harmful is the question a learner cannot answer from the
    page. Here a toggle per catalogued step or sequence mistake (everything
    ``variants.sequence_backward`` takes) switches it into one backward, and
    the same frame shows, side by side, where that backward's gradient is
    wrong (the gate x time-step error map of ``gate_time_errors`` on the
    clinic's sequence probe, with the relative error of every gradient in
    the readout) and what it does to learning: ``steps`` Adam steps of a
    small char model on ``text`` trained with that backward, beside the
    same model trained with the correct one. The learning rate and the
    seed are sliders.

    Cost: the error map takes milliseconds; a training run (H = 16, N = 8,
    T = 12) about half a second, once per (set, learning rate, seed): runs
    are cached, so a set seen before redraws at once, and the figure is
    drawn once, its image and lines updated per frame.
    Returns a ``viz.Dashboard``; its controls are one ToggleButton per mistake id
    plus ``learning_rate`` and ``seed``.
    """
    from .. import data

    vocab = data.char_vocab(text)
    text_ids, V = data.encode(text, vocab), len(vocab.chars)
    freq = np.bincount(text_ids, minlength=V) / len(text_ids)
    floor = float(-(freq * np.log(freq)).sum())  # knowing only the character frequencies
    probe = sequence_probe(T=probe_T)
    runs = {}  # (ids, learning rate, seed) -> smoothed loss curve (steps,)

    def curve(ids, learning_rate, seed):
        key = (ids, round(learning_rate, 6), seed)
        if key not in runs:
            _, history = mistakes.train_char_model(text_ids, V, ids, H=16, N=8, T=12,
                                                   steps=steps, learning_rate=learning_rate,
                                                   seed=seed)
            runs[key] = smooth(history["loss"])
        return runs[key]

    live = viz.LiveFigure((7.0, 3.0))
    fig = live.fig
    ax_map, ax_loss = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.1, 1]})
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.16, top=0.88, wspace=0.45)
    image = plot_gate_errors(np.zeros((4, probe_T)), ax_map)
    fig.colorbar(image, ax=ax_map, shrink=0.9, label="error of dL/da")
    step = np.arange(1, steps + 1)
    ax_loss.axhline(floor, color="0.5", linestyle=":", linewidth=1,
                    label="character frequencies only")
    right_line, = ax_loss.plot(step, np.full(steps, np.nan), color="0.55",
                               label="correct backward")
    wrong_line, = ax_loss.plot(step, np.full(steps, np.nan), color="tab:red",
                               label="with the mistakes switched on")
    ax_loss.set(xlim=(0, steps), ylim=(0, 4.0), xlabel="training step",
                ylabel="loss (nats/char)")
    ax_loss.legend(loc="upper right", fontsize=7)
    ax_loss.set_title(f"{steps} Adam steps of a small char model", fontsize=9)
    live.animate(image, right_line, wrong_line, ax_map.title)

    def draw(learning_rate, seed, **switched):
        ids = tuple(mid for mid in LIVE_MISTAKE_IDS if switched.get(mid))
        errors, gate_errors = _probe_errors(ids, probe)
        image.set_data(np.clip(gate_errors, 0.0, 1.0))
        worst = max(errors.values())
        ax_map.set_title(f"gradient check: worst rel. error {worst:.1e}", fontsize=9)
        right = curve((), learning_rate, seed)
        right_line.set_ydata(right)
        wrong = curve(ids, learning_rate, seed) if ids else np.full(steps, np.nan)
        wrong_line.set_ydata(wrong)
        final_right = right[-1]
        rows = "".join(f"<tr><td>{name}</td><td style='text-align:right'>{errors[name]:.1e}"
                       f"</td></tr>" for name in SEQUENCE_GRAD_NAMES)
        note = ""
        if ids and worst == 0:
            note = "<em>every gradient comes out right on the probe</em><br>"
        elif ids and not gate_errors.any():
            note = ("<em>the map is blank: dL/da is right at every step; "
                    "the mistake is in a gradient computed from it</em><br>")
        readout = (f"<b>switched on</b>: {len(ids)} mistake{'s' * (len(ids) != 1)}<br>{note}"
                   f"<b>relative error</b> vs the correct backward<br>"
                   f"<table style='margin-left:1em'>{rows}</table>"
                   f"<b>loss after {steps} steps</b> (smoothed)<br>"
                   f"correct: {final_right:.3f}<br>")
        if ids:
            readout += (f"with the mistakes: {wrong[-1]:.3f} "
                        f"({wrong[-1] - final_right:+.3f})<br>")
        readout += f"frequencies only: {floor:.3f}"
        return live.png(), readout

    controls = {
        "learning_rate": viz.float_slider("Adam learning rate", 0.01, 0.001, 0.05, 0.001,
                                          fmt=".3f"),
        "seed": viz.int_slider("training seed", 0, 0, 20),
    }
    toggles = {}
    for mid in LIVE_MISTAKE_IDS:
        toggles[mid] = widgets.ToggleButton(value=False, description=mid,
                                            tooltip=catalogue.CATALOGUE[mid].title,
                                            layout=widgets.Layout(width="auto"))
    controls.update(toggles)

    def show_state(change):  # a switched-on mistake is red, so the set is visible at a glance
        change["owner"].button_style = "danger" if change["new"] else ""
    for toggle in toggles.values():
        toggle.observe(show_state, names="value")
    row = {"display": "flex", "flex_flow": "row wrap", "grid_gap": "3px 4px"}
    clear = widgets.Button(description="switch all off", layout=widgets.Layout(width="auto"))
    panel = widgets.VBox([
        widgets.HTML("<b>step mistakes</b> (in every step of the loop)"),
        widgets.Box([toggles[mid] for mid in catalogue.STEP_IDS], layout=widgets.Layout(**row)),
        widgets.HTML("<b>sequence mistakes</b> (in the loop over time)"),
        widgets.Box([toggles[mid] for mid in catalogue.SEQUENCE_IDS],
                    layout=widgets.Layout(**row)),
        widgets.HBox([clear, controls["learning_rate"], controls["seed"]],
                     layout=widgets.Layout(flex_flow="row wrap", grid_gap="2px 1.5em")),
    ])
    dash = viz.dashboard(draw, controls, title=CLINIC_LIVE_TITLE, panel=panel)
    dash.runs = runs
    dash.caches.append(runs)
    clear.on_click(lambda _: dash.set_values(**{mid: False for mid in toggles}))
    return dash
