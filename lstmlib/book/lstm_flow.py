"""Chapters 2 and 4's explorations: an LSTM's gates over time, and gradients over time x layer.

Chapter 2: ``memory_lstm`` is a hand-set two-cell LSTM whose gates can be
read off its weights; ``draw_memory_lstm`` is the exploration over it, with
the slider values ``MEMORY_CONTROLS``.

Chapter 4: ``draw_flow_heatmap`` draws ``lstmlib.flow.stacked_gradient_norms``
as time x layer heatmaps, RNN or LSTM, with the slider values
``FLOW_HEATMAP_CONTROLS``.

The live dashboards, over wide ranges with a readout: ``live_memory_dashboard()``
(chapter 2) and ``live_flow_dashboard()`` (chapter 4).
"""
import itertools

import numpy as np
from matplotlib.colors import LogNorm

from ..activations import sigmoid
from ..flow import stacked_gradient_norms
from ..lstm import lstm_forward, split_gates
from . import viz
from .diagram import draw_gates
from .rnn_flow import NORM_RANGE, readout_decay_rate

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
                            f"(f = {sigmoid(forget_bias):.3f} between stores)")


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



MEMORY_LIVE_TITLE = "A hand-set LSTM: latch and counter"


def live_memory_dashboard():
    """Chapter 2's live dashboard: the hand-set latch/counter LSTM, at any forget bias.

    Controls: the pattern (a dropdown), the forget-gate bias -2...6 (step
    0.1), the first stored value -1...1 and the seed of the distractor
    values. The readout gives f between stores, the share of the stored
    value the latch still holds at the last query (f to the power of the
    steps between) and the counter's count. One figure per pattern (the
    shaded store and query steps differ), drawn once; a frame redraws only
    the lines. Returns a ``viz.Dashboard``.
    """
    x, _, cache = run_memory_lstm("store, then recall")  # every pattern has T = 24
    fig = draw_gates(x, cache, units=[0, 1], unit_names=list(MEMORY_UNITS),
                     input_names=list(MEMORY_INPUTS), title=" ")
    title = fig.suptitle(" ", fontsize=10)  # draw_gates's title, as a Text to update
    live = viz.LiveFigure(fig=fig, dpi=85)
    most = max(len(stores) + len(queries) for _, stores, queries in MEMORY_PATTERNS.values())
    # The shaded store and query steps move with the pattern: a pool of spans per axes,
    # placed and shown per frame, so one figure (one background) serves every pattern.
    spans = [[ax.axvspan(-0.5, 0.5, color="0.9", zorder=0) for _ in range(most)]
             for ax in fig.axes]
    lines = [line for ax in fig.axes for line in ax.lines]
    live.animate(*[span for pool in spans for span in pool], *lines, title)

    def draw(pattern, forget_bias, first_value, seed):
        x, stores, queries = memory_inputs(pattern, seed)
        x[0, stores[0], 0] = first_value
        Wx, Wh, b = memory_lstm(forget_bias)
        h, cache = lstm_forward(x, np.zeros((1, 2)), Wx, Wh, b)
        for pool in spans:
            for span, step in itertools.zip_longest(pool, stores + queries):
                span.set_visible(step is not None)
                if step is not None:
                    span.set_x(step - 0.5)
        i, f, o, g = (gate[0] for gate in split_gates(cache.gates))
        c = cache.c[0]
        series = [x[0, :, d] for d in range(3)]
        for unit in (0, 1):
            series += [i[:, unit], f[:, unit], o[:, unit], g[:, unit], c[:, unit], h[0, :, unit]]
        for line, values in zip(lines, series):
            line.set_ydata(values)
        forget = sigmoid(forget_bias)
        title.set_text(f"{pattern}; forget-gate bias {forget_bias:+.1f} "
                       f"(f = {forget:.3f} between stores)")
        last_store = max(s for s in stores if s < queries[-1])
        gap = queries[-1] - last_store
        stored_c = c[last_store, 0]
        if abs(stored_c) > 1e-3:
            kept = (f"<b>latch keeps</b> {c[queries[-1], 0] / stored_c:.1%} of what it "
                    f"stored at step {last_store} by the query at step {queries[-1]}")
        else:  # a stored value of 0 leaves nothing to keep
            kept = f"<b>latch</b> stored about 0 at step {last_store}, nothing to keep"
        count = c[-1, 1] / np.tanh(0.25)  # each store adds about i * tanh(0.25)
        readout = (f"<b>f between stores</b>: σ({forget_bias:+.1f}) = {forget:.3f}<br>"
                   f"{kept} (f<sup>{gap}</sup> = {forget ** gap:.1%})<br>"
                   f"<b>latch answers</b> h<sub>0</sub> = {h[0, queries[-1], 0]:+.3f} "
                   f"at the query<br>"
                   f"<b>counter</b> reads {count:.2f} stores at the end "
                   f"(the pattern has {len(stores)})")
        return live.png(static_key=None), readout

    patterns = list(MEMORY_PATTERNS)
    controls = {
        "pattern": viz.dropdown("pattern", patterns, patterns[0], width="330px"),
        "forget_bias": viz.float_slider("forget-gate bias", 6.0, -2.0, 6.0, 0.1, fmt=".1f"),
        "first_value": viz.float_slider("first stored value", 0.8, -1.0, 1.0, 0.05),
        "seed": viz.int_slider("seed of the distractors", 0, 0, 99),
    }
    return viz.dashboard(draw, controls, title=MEMORY_LIVE_TITLE)



FLOW_LIVE_TITLE = "Gradient norms over time × layer"


def live_flow_dashboard():
    """Chapter 4's live dashboard: gradient norms over time x layer, any depth and length.

    Controls: the model (tanh RNN with spectral radius 1, or LSTM), the
    LSTM's forget-gate bias -2...6 (step 0.1; greyed out for the RNN), T
    5-200, layers 1-6 and the seed. The readout gives the fraction of the
    gradient that reaches the first step of the top layer and of the bottom
    layer, and the decay per step along the top layer. The figure is
    ``draw_flow_heatmap``'s, redrawn in place; its axes are drawn again only
    when the model, T or the number of layers change. Returns a ``viz.Dashboard``.
    """
    live = viz.LiveFigure((7.0, 3.0))
    fig = live.fig
    axes = fig.subplots(1, 2)
    fig.subplots_adjust(left=0.1, right=0.9, bottom=0.16, top=0.89, wspace=0.45)
    images = []
    for ax in axes:
        ax.grid(False)
        images.append(ax.imshow(np.ones((1, 2)), aspect="auto", origin="lower", cmap="magma",
                                norm=LogNorm(*NORM_RANGE), interpolation="nearest"))
        ax.set_xlabel("step t (loss at the top layer's last step)")
    no_cell = axes[1].text(0.5, 0.5, "a tanh RNN has no cell state", ha="center",
                           va="center", transform=axes[1].transAxes)
    fig.colorbar(images[0], ax=list(axes), fraction=0.04)
    titles = [ax.title for ax in axes]
    live.animate(*images, *titles)

    def draw(model, forget_bias, T, layers, seed):
        norms = stacked_gradient_norms(model, T, layers, forget_bias, seed)
        setting = f"LSTM, forget bias {forget_bias:+.1f}" if model == "lstm" else "tanh RNN, ρ = 1"
        for ax, image, label, values in zip(axes, images, ["||dL/dh_t||", "||dL/dc_t||"],
                                            [norms.dh, norms.dc]):
            ax.set_title(f"{label}: {setting}", fontsize=9)
            shown = values is not None
            image.set_visible(shown)
            ax.set_axis_on() if shown else ax.set_axis_off()
            if shown:
                image.set_data(np.maximum(values, NORM_RANGE[0] / 10))
                image.set_extent((-0.5, T - 0.5, -0.5, layers - 0.5))
                ax.set_xlim(-0.5, T - 0.5)
                ax.set_ylim(-0.5, layers - 0.5)
                ax.set_yticks(range(layers), [f"layer {layer}" for layer in range(layers)])
        axes[1].title.set_visible(norms.dc is not None)
        no_cell.set_visible(norms.dc is None)
        top, bottom = norms.dh[-1], norms.dh[0]
        rate = readout_decay_rate(top[::-1])  # by distance from the loss
        readout = (f"<b>gradient left at step 0</b> (||dL/dh_0||; 1 at the loss)<br>"
                   f"top layer: {top[0]:.1e}<br>bottom layer: {bottom[0]:.1e}<br>"
                   f"<b>decay per step</b> along the top layer: {rate:.3f}")
        if norms.dc is not None:
            readout += f"<br><b>||dL/dc_0||</b>, bottom layer: {norms.dc[0, 0]:.1e}"
        return live.png(static_key=(model, T, layers)), readout

    controls = {
        "model": viz.toggle_buttons("model", {"tanh RNN": "rnn", "LSTM": "lstm"}, "lstm"),
        "forget_bias": viz.float_slider("LSTM forget-gate bias", 1.0, -2.0, 6.0, 0.1, fmt=".1f"),
        "T": viz.int_slider("sequence length T", 50, 5, 200),
        "layers": viz.int_slider("layers", 3, 1, 6),
        "seed": viz.int_slider("seed", 0, 0, 99),
    }

    def grey_out(change):  # outside draw: a frame from the cache does not call draw
        controls["forget_bias"].disabled = change["new"] != "lstm"
    controls["model"].observe(grey_out, names="value")
    return viz.dashboard(draw, controls, title=FLOW_LIVE_TITLE)
