"""Chapter 1's pictures: how the gradient of a tanh RNN shrinks or grows with distance.

The measurements are the core's (``lstmlib.flow``); this module draws them.
Each function returns a matplotlib Figure; the exploration ``draw_rnn_flow``
takes only values that can be put on a slider, ``RNN_FLOW_CONTROLS``, for
``viz.scrubber``/``viz.dashboard``.

    draw_step_norms      any curves of per-step norms against the distance from the loss
    draw_rnn_decay       curves for several spectral radii, with the bound
    draw_rnn_flow        the exploration: spectral radius x T x input scale
"""
import numpy as np
from matplotlib.colors import LogNorm

from ..flow import rnn_gradient_profile
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
    image = right.imshow(np.abs(profile.dh[0]).T, aspect="auto", origin="lower", cmap="magma",
                         norm=LogNorm(*NORM_RANGE), interpolation="nearest")
    right.set_xlabel("step t (the loss reads the last step)")
    right.set_ylabel("hidden unit")
    right.grid(False)
    right.set_title("|dL/dh_t| of one sequence", fontsize=9)
    fig.colorbar(image, ax=right)
    return fig
