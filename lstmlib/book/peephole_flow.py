"""Chapter 5's pictures: gradient flow through the peephole cell, and exact vs truncated training.

The measurements are the core's: ``lstmlib.peephole.cell_gradient_flow`` and
``lstmlib.rtrl.train_side_by_side``. ``draw_cell_gradient_flow`` is the
exploration, with the slider values ``FLOW_CONTROLS``; ``live_dashboard()`` is
its live version, over wide ranges with a readout.
"""
import matplotlib.pyplot as plt
import numpy as np

from ..peephole import cell_gradient_flow
from ..train import moving_average
from . import viz

FLOW_CONTROLS = {"peephole_weight": [-1.0, -0.5, 0.5, 1.0], "forget_bias": [0.0, 1.0, 2.0, 3.0]}
FLOW_YLIM = (1e-16, 1e2)  # fixed, so that the frames of the exploration compare


def draw_cell_gradient_flow(peephole_weight, forget_bias):
    """The exploration: ||dL/dc_t|| against t, plain LSTM and peephole LSTM. Returns the Figure."""
    flow = cell_gradient_flow(peephole_weight, forget_bias)
    # Fixed margins instead of constrained layout: every frame is drawn in advance.
    fig, ax = plt.subplots(figsize=viz.STYLE["figure.figsize"])
    fig.subplots_adjust(left=0.12, right=0.97, bottom=0.14, top=0.88)
    t = np.arange(len(flow.plain))
    ax.semilogy(t, flow.plain, color="0.4",
                label=f"no peepholes (mean f = {flow.mean_forget_plain:.2f})")
    ax.semilogy(t, flow.peephole, color="tab:purple", linestyle="--",
                label=f"peepholes $p = {peephole_weight:+.1f}$ "
                      f"(mean f = {flow.mean_forget_peephole:.2f})")
    ax.set_ylim(*FLOW_YLIM)
    ax.set_xlabel("t (the loss looks at $h_{T-1}$ only)")
    ax.set_ylabel(r"$\|\partial L / \partial c_t\|$")
    ax.set_title(f"forget-gate bias {forget_bias:+.1f}, peephole weight {peephole_weight:+.1f}")
    ax.legend(loc="lower right", fontsize=8)
    return fig


COLOURS = {"exact": "tab:blue", "truncated": "tab:orange"}
LABELS = {"exact": "exact gradient (BPTT)", "truncated": "truncated RTRL"}


def draw_training_comparison(experiments, window=25):
    """Loss curves (top row) and gradient agreement (bottom row), one column per task.

    experiments: dict title -> (runs, baseline), runs from ``train_side_by_side``,
    baseline the loss of a model that has learnt nothing (a dashed line) or None.
    The training loss is smoothed with a moving average over ``window`` updates.
    Returns the Figure.
    """
    fig, axes = viz.figure(ncols=len(experiments), nrows=2, figsize=(3.2 * len(experiments), 5.4),
                           sharex="col", squeeze=False)
    for column, (title, (runs, baseline)) in enumerate(experiments.items()):
        top, bottom = axes[0, column], axes[1, column]
        for gradient, run in runs.items():
            smooth = moving_average(run.loss, window)
            top.semilogy(np.arange(window, len(run.loss) + 1), smooth, color=COLOURS[gradient],
                         label=LABELS[gradient])
            bottom.plot(run.checked, run.cosine, "o-", ms=3, color=COLOURS[gradient],
                        label=f"along the {gradient} run")
        if baseline is not None:
            top.axhline(baseline, color="0.5", linestyle="--", linewidth=1, label="learnt nothing")
        top.set_title(title)
        bottom.set_ylim(-0.2, 1.05)
        bottom.set_xlabel("update")
        if column == 0:
            top.set_ylabel("training loss")
            bottom.set_ylabel("cosine(truncated, exact)")
            top.legend(fontsize=7)
            bottom.legend(fontsize=7)
    return fig



PEEPHOLE_LIVE_TITLE = "Gradient along the cell, with and without peepholes"


def live_dashboard():
    """Chapter 5's live dashboard: the cell's gradient, at any peephole weight and forget bias.

    Controls: the peephole weight -2...2 (step 0.05), the forget-gate bias
    -2...6 (step 0.1), T 10-200 and the seed. The readout gives the
    fraction of dL/dc that reaches the first step, with and without
    peepholes, and the mean forget gate of each. The figure is
    ``draw_cell_gradient_flow``'s, redrawn in place (only its two lines per
    frame). Returns a ``viz.Dashboard``.
    """
    live = viz.LiveFigure((6.6, 3.3))
    fig = live.fig
    ax = fig.subplots()
    fig.subplots_adjust(left=0.13, right=0.97, bottom=0.15, top=0.9)
    plain, = ax.semilogy([0], [1], color="0.4", label="no peepholes")
    peep, = ax.semilogy([0], [1], color="tab:purple", linestyle="--",
                        label="peepholes $p_i = p_f = p_o = p$")
    ax.set_ylim(*FLOW_YLIM)
    ax.set_xlabel("t (the loss looks at $h_{T-1}$ only)")
    ax.set_ylabel(r"$\|\partial L / \partial c_t\|$")
    ax.legend(loc="lower right", fontsize=8)
    live.animate(plain, peep, ax.title)

    def draw(peephole_weight, forget_bias, T, seed):
        flow = cell_gradient_flow(peephole_weight, forget_bias, T=T, seed=seed)
        t = np.arange(T)
        plain.set_data(t, flow.plain)
        peep.set_data(t, flow.peephole)
        ax.set_xlim(0, T - 1)
        ax.set_title(f"forget-gate bias {forget_bias:+.1f}, peephole weight "
                     f"{peephole_weight:+.2f}", fontsize=10)
        left = [values[0] / values[-1] for values in (flow.plain, flow.peephole)]
        readout = (f"<b>gradient left at t = 0</b> (||dL/dc<sub>0</sub>|| / "
                   f"||dL/dc<sub>{T - 1}</sub>||)<br>"
                   f"no peepholes: {left[0]:.1e}<br>peepholes: {left[1]:.1e}<br>"
                   f"<b>mean forget gate</b><br>no peepholes: {flow.mean_forget_plain:.3f}<br>"
                   f"peepholes: {flow.mean_forget_peephole:.3f}")
        return live.png(static_key=T), readout

    controls = {
        "peephole_weight": viz.float_slider("peephole weight p", 0.5, -2.0, 2.0, 0.05),
        "forget_bias": viz.float_slider("forget-gate bias", 1.0, -2.0, 6.0, 0.1, fmt=".1f"),
        "T": viz.int_slider("sequence length T", 60, 10, 200),
        "seed": viz.int_slider("seed", 0, 0, 99),
    }
    return viz.dashboard(draw, controls, title=PEEPHOLE_LIVE_TITLE)
