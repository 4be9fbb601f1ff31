"""Chapter 1's pictures: how the gradient of a tanh RNN shrinks or grows with distance.

The measurements are the core's (``lstmlib.flow``); this module draws them.
Each function returns a matplotlib Figure; the exploration ``draw_rnn_flow``
takes only values that can be put on a slider, ``RNN_FLOW_CONTROLS``, for
``viz.scrubber``/``viz.dashboard``.

    draw_step_norms      any curves of per-step norms against the distance from the loss
    draw_rnn_decay       curves for several spectral radii, with the bound
    draw_rnn_flow        the exploration: spectral radius x T x input scale
    live_dashboard       the live version, over wide ranges, with a readout
    readout_decay_rate   the fitted decay per step a live readout shows (lstm_flow's too)
"""
import numpy as np
from matplotlib.colors import LogNorm

from ..flow import decay_rate, rnn_gradient_profile
from . import viz

NORM_RANGE = (1e-12, 1e8)  # fixed colour scale, so frames of an exploration compare


def draw_step_norms(curves, title="", ax=None):
    """Plot per-step norms against the distance k from the loss, on a log scale.

    curves: dict label -> (K,) norms indexed by distance (norms[k], k = 0, 1, ...).
    Returns the Figure.
    """
    if ax is None:
        fig, ax = viz.figure()
    else:
        fig = ax.figure
    for label, norms in curves.items():
        ax.semilogy(np.arange(len(norms)), norms, label=label)
    ax.set_xlabel("k = steps before the loss")
    ax.set_ylabel("gradient norm")
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    return fig


def draw_rnn_decay(spectral_radii, T=60, input_scale=0.1, weights="gaussian", ax=None):
    """||dL/dh_{T-1-k}|| for several spectral radii, each with its bound sigma_max^k.

    Solid lines are measured; dashed lines of the same colour are the bound
    sigma_max(Wh)^k (Pascanu, Mikolov & Bengio 2013, with gamma = 1 for tanh).
    Returns the Figure.
    """
    if ax is None:
        fig, ax = viz.figure()
    else:
        fig = ax.figure
    k = np.arange(T)
    for rho in spectral_radii:
        profile = rnn_gradient_profile(rho, T, input_scale, weights=weights)
        label = f"ρ = {rho:g} (σ_max = {profile.sigma_max:.2f})"
        line, = ax.semilogy(k, profile.norms, label=label)
        ax.semilogy(k, profile.sigma_max ** k, "--", color=line.get_color(), linewidth=1)
    ax.set_ylim(1e-20, 1e8)
    ax.set_xlabel("k = steps before the loss")
    ax.set_ylabel("||dL/dh||")
    ax.set_title(f"measured (solid) and bound σ_max^k (dashed), input scale {input_scale:g}")
    ax.legend(fontsize=8, loc="lower left")
    return fig


RNN_FLOW_CONTROLS = {
    "spectral_radius": [0.5, 1.0, 1.5, 3.0],
    "T": [20, 60],
    "input_scale": [0.1, 1.0, 3.0],
}


def draw_rnn_flow(spectral_radius, T, input_scale):
    """Chapter 1 exploration: the gradient-norm curve and a time x unit heatmap.

    Left: ``||dL/dh_t||`` against the distance k from the loss, with the bound
    sigma_max^k and the linear-regime reference rho^k. Right: ``|dL/dh_t|`` of
    the first sequence for every unit and step (log colour scale).
    """
    profile = rnn_gradient_profile(spectral_radius, T, input_scale)
    fig, (left, right) = viz.fast_figure(ncols=2, figsize=(8.4, 3.4))
    k = np.arange(T)
    left.semilogy(k, profile.norms, label="measured")
    left.semilogy(k, profile.sigma_max ** k, "--",
                  label=f"bound σ_max^k, σ_max = {profile.sigma_max:.2f}")
    left.semilogy(k, spectral_radius ** k, ":", label=f"ρ^k, ρ = {spectral_radius:g}")
    left.set_ylim(*NORM_RANGE)
    left.set_xlim(0, max(T - 1, 60))  # a fixed axis, so curves for different T compare
    left.set_xlabel("k = steps before the loss")
    left.set_ylabel("||dL/dh||")
    left.legend(fontsize=7, loc="lower left")
    saturated = np.mean(np.abs(profile.h) > 0.9)
    left.set_title(f"{100 * saturated:.0f}% of tanh units above 0.9", fontsize=9)
    _gradient_heatmap(fig, right, np.abs(profile.dh[0]).T)
    return fig


def _gradient_heatmap(fig, ax, magnitudes):
    """|dL/dh_t| (H, T) of one sequence on a log colour scale; returns the image."""
    image = ax.imshow(magnitudes, aspect="auto", origin="lower", cmap="magma",
                      norm=LogNorm(*NORM_RANGE), interpolation="nearest")
    ax.set_xlabel("step t (the loss reads the last step)")
    ax.set_ylabel("hidden unit")
    ax.grid(False)
    ax.set_title("|dL/dh_t| of one sequence", fontsize=9)
    fig.colorbar(image, ax=ax)
    return image


RNN_LIVE_TITLE = "Gradient flow in a tanh RNN"


def readout_decay_rate(norms, skip=5):
    """``flow.decay_rate`` of the positive ``norms`` (by distance k), for a live readout.

    Norms that underflowed to 0 are left out; with fewer than ``skip + 2``
    left (a short T, or most of them underflowed) there is nothing to fit and
    the rate is nan, where ``decay_rate`` would raise a ValueError.
    """
    positive = norms[norms > 0]
    return decay_rate(positive, skip) if len(positive) >= skip + 2 else float("nan")


def _fraction(value):
    return f"{value:.1e}" if value > 0 else "0 (underflow)"


def live_dashboard():
    """Chapter 1's live dashboard: gradient flow in a tanh RNN, over any setting.

    Controls: spectral radius 0.1-3.0 (step 0.05), T 5-200, input scale
    0.05-5, the recurrent weights (Gaussian or orthogonal) and the seed.
    The figure is ``draw_rnn_flow``'s, redrawn in place (one figure, its
    lines and heatmap updated), and the readout gives the fitted decay per
    step, the fraction of the gradient left T-1 steps back and sigma_max.
    Returns a ``viz.Dashboard``.
    """
    live = viz.LiveFigure((6.8, 3.0))
    fig = live.fig
    left, right = fig.subplots(1, 2)
    fig.subplots_adjust(left=0.115, right=0.97, bottom=0.15, top=0.88, wspace=0.32)
    measured, = left.semilogy([0], [1], label="measured")
    bound, = left.semilogy([0], [1], "--", label="bound σ_max^k")
    linear, = left.semilogy([0], [1], ":", label="ρ^k")
    left.set_ylim(*NORM_RANGE)
    left.set_xlabel("k = steps before the loss")
    left.set_ylabel("||dL/dh||")
    # The legend sits above the axes and stays the same (its numbers are in the readout),
    # so it is drawn once, with the axes, and never per frame.
    left.legend(fontsize=8, loc="lower left", bbox_to_anchor=(0.0, 1.01), ncol=3,
                frameon=False, borderaxespad=0.0, handlelength=1.6, columnspacing=1.0)
    heat = _gradient_heatmap(fig, right, np.ones((32, 2)))
    live.animate(measured, bound, linear, heat)

    def draw(spectral_radius, T, input_scale, weights, seed):
        profile = rnn_gradient_profile(spectral_radius, T, input_scale, seed=seed,
                                       weights=weights)
        k = np.arange(T)
        with np.errstate(over="ignore", under="ignore"):
            measured.set_data(k, profile.norms)
            bound.set_data(k, profile.sigma_max ** k)
            linear.set_data(k, spectral_radius ** k)
        left.set_xlim(0, max(T - 1, 10))
        saturated = np.mean(np.abs(profile.h) > 0.9)
        heat.set_data(np.maximum(np.abs(profile.dh[0]).T, NORM_RANGE[0] / 10))
        heat.set_extent((-0.5, T - 0.5, -0.5, profile.dh.shape[2] - 0.5))
        rate = readout_decay_rate(profile.norms)
        readout = (f"<b>decay per step</b>: {rate:.3f}<br>"
                   f"(fitted; below 1 vanishes, above 1 explodes)<br>"
                   f"<b>gradient left {T - 1} steps back</b>: {_fraction(profile.norms[-1])}<br>"
                   f"<b>σ_max(Wh)</b>: {profile.sigma_max:.2f} for ρ = {spectral_radius:g}<br>"
                   f"<b>saturated units</b> (|h| > 0.9): {100 * saturated:.0f}%")
        return live.png(static_key=T), readout  # the axes change with T only

    controls = {
        "spectral_radius": viz.float_slider("spectral radius ρ of Wh", 1.0, 0.1, 3.0, 0.05),
        "T": viz.int_slider("sequence length T", 60, 5, 200),
        "input_scale": viz.float_slider("input scale", 1.0, 0.05, 5.0, 0.05),
        "weights": viz.toggle_buttons("Wh drawn", {"Gaussian": "gaussian",
                                                   "orthogonal": "orthogonal"}),
        "seed": viz.int_slider("seed", 0, 0, 99),
    }
    return viz.dashboard(draw, controls, title=RNN_LIVE_TITLE)
