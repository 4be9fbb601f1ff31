"""Chapters 2 and 4's explorations: an LSTM's gates over time, and gradients over time x layer.

Chapter 2: ``memory_lstm`` is a hand-set two-cell LSTM whose gates can be
read off its weights; ``draw_memory_lstm`` is the exploration over it, with
the slider values ``MEMORY_CONTROLS``.

Chapter 4: ``draw_flow_heatmap`` draws ``lstmlib.flow.stacked_gradient_norms``
as time x layer heatmaps, RNN or LSTM, with the slider values
``FLOW_HEATMAP_CONTROLS``.
"""
import numpy as np
from matplotlib.colors import LogNorm

from ..flow import stacked_gradient_norms
from ..lstm import lstm_forward
from . import viz
from .diagram import draw_gates
from .rnn_flow import NORM_RANGE

MEMORY_INPUTS = ("value", "store", "query")
MEMORY_UNITS = ("unit 0: latch (remembers the stored value)", "unit 1: counter (counts stores)")
MEMORY_PATTERNS = {
    # name: (T, {step: stored value}, [query steps])
    "store, then recall": (24, {2: 0.8}, [20]),
    "overwrite": (24, {2: 0.8, 11: -0.6}, [20]),
    "recall twice": (24, {2: 0.8}, [8, 20]),
    "count four stores": (24, {2: 0.8, 6: -0.4, 10: 0.6, 14: 0.3}, [21]),
}


MEMORY_CONTROLS = {
    "pattern": list(MEMORY_PATTERNS),
    "forget_bias": [6.0, 4.0, 3.0, 2.0, 1.0, 0.0],  # from remembering to forgetting
}


def memory_inputs(pattern, seed=0):
    """The input of the hand-set LSTM for a named pattern: x (1, T, 3).

    Features: a value in [-1, 1] at every step (random distractors except at
    the store steps), a store marker and a query marker (0 or 1).
    Returns x and the store and query steps.
    """
    if pattern not in MEMORY_PATTERNS:
        raise ValueError(f"pattern should be one of {list(MEMORY_PATTERNS)}, got {pattern!r}")
    T, stores, queries = MEMORY_PATTERNS[pattern]
    x = np.zeros((1, T, 3))
    x[0, :, 0] = np.random.default_rng(seed).uniform(-1, 1, size=T)
    for step, value in stores.items():
        x[0, step, 0] = value
        x[0, step, 1] = 1.0
    x[0, queries, 2] = 1.0
    return x, sorted(stores), list(queries)


def memory_lstm(forget_bias=6.0):
    """A two-unit LSTM with hand-set weights: Wx (3, 8), Wh (2, 8), b (8,).

    Inputs (value, store, query); gate order i, f, o, g along 4H = 8, unit 0
    then unit 1 inside each gate. Every pre-activation is a marker times 12,
    shifted by 6, so a gate is either open (sigmoid(6) = 0.998) or shut
    (sigmoid(-6) = 0.002):

    - unit 0, a latch: i opens on store; f = sigmoid(forget_bias - 12 store)
      clears the old content on store and otherwise keeps it; g = tanh(2 value);
      o opens only on query, so h_0 shows the memory only when asked.
    - unit 1, a counter: i opens on store; f = sigmoid(forget_bias), never
      cleared; g = tanh(0.25) each time, so c_1 grows by about 0.245 per store;
      o is always open.

    Wh is zero: all memory lives in the cell state.
    """
    H = 2
    Wx, Wh, b = np.zeros((3, 4 * H)), np.zeros((H, 4 * H)), np.zeros(4 * H)
    value, store, query = 0, 1, 2
    i, f, o, g = (slice(k * H, (k + 1) * H) for k in range(4))
    Wx[store, i] = 12.0          # both units write on store ...
    b[i] = -6.0                  # ... and are shut otherwise
    Wx[store, f.start] = -12.0   # the latch forgets its old value on store
    b[f] = forget_bias
    Wx[query, o.start] = 12.0    # the latch shows its content on query only
    b[o] = [-6.0, 6.0]           # the counter always shows it
    Wx[value, g.start] = 2.0     # the latch's candidate is the value
    b[g.start + 1] = 0.25        # the counter's candidate is a constant
    return Wx, Wh, b


def run_memory_lstm(pattern, forget_bias=6.0):
    """Run the hand-set LSTM on a pattern: returns x (1, T, 3), h (1, T, 2) and the cache."""
    x, _, _ = memory_inputs(pattern)
    Wx, Wh, b = memory_lstm(forget_bias)
    h, cache = lstm_forward(x, np.zeros((1, 2)), Wx, Wh, b)
    return x, h, cache


def draw_memory_lstm(pattern, forget_bias):
    """Chapter 2 exploration: the hand-set LSTM's gates, cell and output over time."""
    x, _, cache = run_memory_lstm(pattern, forget_bias)
    _, stores, queries = memory_inputs(pattern)
    return draw_gates(x, cache, units=[0, 1], unit_names=list(MEMORY_UNITS),
                      input_names=list(MEMORY_INPUTS), marks=stores + queries,
                      title=f"{pattern}; forget-gate bias {forget_bias:g} "
                            f"(f = {1 / (1 + np.exp(-forget_bias)):.3f} between stores)")


FLOW_HEATMAP_CONTROLS = {
    "model": ["rnn", "lstm"],
    "forget_bias": [0.0, 1.0, 3.0],
    "T": [25, 75],
    "layers": [2, 4],
}


def draw_flow_heatmap(model, forget_bias, T, layers):
    """Chapter 4 exploration: ||dL/dh_t^(l)|| over time x layer (and ||dL/dc|| for the LSTM).

    model: "rnn" or "lstm"; the loss reads the top layer's last step (see
    ``stacked_gradient_norms``). Colours use one fixed log scale for every
    setting, so a darker cell always means a smaller gradient.
    """
    norms = stacked_gradient_norms(model, T, layers, forget_bias)
    fig, axes = viz.fast_figure(ncols=2, figsize=(8.4, 3.2))
    setting = f"LSTM, forget bias {forget_bias:g}" if model == "lstm" else "tanh RNN, ρ = 1"
    panels = zip(axes, ["||dL/dh_t||", "||dL/dc_t||"], [norms.dh, norms.dc])
    for ax, label, values in panels:
        ax.set_title(f"{label}: {setting}", fontsize=9)
        ax.grid(False)
        if values is None:  # keep the layout of every frame the same
            ax.text(0.5, 0.5, "a tanh RNN has no cell state", ha="center", va="center",
                    transform=ax.transAxes)
            ax.set_axis_off()
            continue
        image = ax.imshow(np.maximum(values, NORM_RANGE[0]), aspect="auto", origin="lower",
                          cmap="magma", norm=LogNorm(*NORM_RANGE), interpolation="nearest")
        ax.set_yticks(range(layers), [f"layer {layer}" for layer in range(layers)])
        ax.set_xlabel("step t (loss at the top layer's last step)")
    fig.colorbar(image, ax=list(axes))
    return fig
