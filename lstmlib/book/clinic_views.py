"""Chapter 6's pictures: where a mistake sits (gate x time-step error maps), and what it does.

The diagnoses come from the clinic (``lstmlib.diagnose``); the training runs
from ``lstmlib.diagnose.mistakes.train_char_model``. This module only draws.
"""
import numpy as np

from ..compare import GATES
from ..diagnose import diagnose_loss, diagnose_sequence, mistakes
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
