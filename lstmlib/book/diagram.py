"""Pictures of the LSTM: the cell's wiring, and its gates over time.

``draw_cell`` draws one LSTM cell from code (no image files) and can light
up any set of its wires. The nodes are the values of one step::

    c_prev, h_prev, x, W      inputs: c_{t-1}, h_{t-1}, x_t and the weights Wx, Wh, b
    a                          the pre-activations a = x_t Wx + h_{t-1} Wh + b  (N, 4H)
    i, f, o, g                 the gates (sigmoid, sigmoid, sigmoid, tanh), in 4H order
    fc, ig                     the products f * c_{t-1} and i * g
    c                          c_t = fc + ig
    tanh_c, h                  tanh(c_t) and h_t = o * tanh(c_t)
    c_next, h_next             c_t and h_t leaving the cell

An edge is named ``"src->dst"``, e.g. ``"c_prev->fc"``. The edges are::

    x->a  h_prev->a  W->a  a->i  a->f  a->o  a->g  c_prev->fc  f->fc  i->ig  g->ig
    fc->c  ig->c  c->c_next  c->tanh_c  tanh_c->h  o->h  h->h_next

and, with ``peepholes=True`` (Gers & Schmidhuber 2000), three more: ``c_prev->i``,
``c_prev->f`` (the input and forget gates peek at c_{t-1}) and ``c->o`` (the
output gate peeks at the new c_t).

Named paths (``PATHS``) are sets of edges. Forward paths:

    "cell carousel"   c_prev->fc, fc->c, c->c_next: the additive path through time
    "forget gate"     a->f, f->fc
    "input gate"      a->i, i->ig
    "candidate"       a->g, g->ig
    "write"           a->i, a->g, i->ig, g->ig, ig->c: what gets added to the cell
    "output gate"     a->o, o->h
    "hidden output"   c->tanh_c, tanh_c->h, o->h, h->h_next
    "gate inputs"     x->a, h_prev->a, W->a
    "peepholes"       c_prev->i, c_prev->f, c->o (needs peepholes=True)

Backward paths, named by the gradients they carry (draw them with
``backward=True``, which reverses the arrows):

    "dh->do"           h->h_next, o->h
    "dh->dc"           h->h_next, tanh_c->h, c->tanh_c
    "dc->dprev_c"      fc->c, c_prev->fc
    "dnext_c->dprev_c" c->c_next, fc->c, c_prev->fc: the carousel, backwards
    "dc->di", "dc->df", "dc->dg"   from c_t back to one gate
    "da"               a->i, a->f, a->o, a->g: the four gate gradients stacked
    "da->dx", "da->dprev_h", "da->dW"   x->a, h_prev->a, W->a
    "dprev_c"          both ways c_t reaches the loss, then back to c_{t-1}
    "dWx via da"       everything between the loss and the weights

``highlight`` takes path names and edge names, mixed; a dict maps each to
its own colour. With ``backward=True`` and ``derivatives=True`` each
highlighted edge is labelled with its local derivative.

``draw_gates`` plots the gates and states of an LSTM run over time
(chapter 2's exploration with it, over a hand-set LSTM, is in
``lstmlib.book.lstm_flow``).
"""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from ..lstm import split_gates

# name: (x, y, label, shape); shapes: "port" (text only), "box", "gate", "op" (circle)
NODES = {
    "c_prev": (0.0, 5.0, "$c_{t-1}$", "port"),
    "h_prev": (0.0, 0.6, "$h_{t-1}$", "port"),
    "x": (2.6, -0.7, "$x_t$", "port"),
    "W": (8.5, 0.6, "$W_x, W_h, b$", "port"),
    "a": (4.2, 0.6, "$a = x_t W_x + h_{t-1} W_h + b$", "box"),
    "f": (2.3, 2.5, "$f$\nσ", "gate"),
    "i": (3.5, 2.5, "$i$\nσ", "gate"),
    "g": (4.9, 2.5, "$g$\ntanh", "gate"),
    "o": (6.4, 2.5, "$o$\nσ", "gate"),
    "fc": (2.3, 5.0, "×", "op"),
    "ig": (4.2, 3.8, "×", "op"),
    "c": (4.2, 5.0, "+", "op"),
    "tanh_c": (7.8, 3.8, "tanh", "gate"),
    "h": (7.8, 2.5, "×", "op"),
    "c_next": (10.0, 5.0, "$c_t$", "port"),
    "h_next": (10.0, 2.5, "$h_t$", "port"),
}

# edge name -> the corner points the wire passes between its two nodes. A wire
# in BRANCHES leaves another wire at its first corner (drawn as a dot) instead
# of leaving its source node, e.g. c_t goes on to c_next *and* down to tanh.
EDGES = {
    "x->a": (), "h_prev->a": (), "W->a": (),
    "a->i": (), "a->f": (), "a->o": (), "a->g": (),
    "c_prev->fc": (), "f->fc": (), "i->ig": (), "g->ig": (),
    "fc->c": (), "ig->c": (), "c->c_next": (),
    "c->tanh_c": ((7.8, 5.0),), "tanh_c->h": (), "o->h": (), "h->h_next": (),
}
PEEPHOLE_EDGES = {
    "c_prev->f": ((1.1, 5.0), (1.1, 3.3)),
    "c_prev->i": ((1.1, 5.0), (1.1, 3.3), (2.9, 3.3)),
    "c->o": ((6.4, 5.0),),
}
BRANCHES = {"c->tanh_c", "c_prev->f", "c_prev->i", "c->o"}

# The local derivative d(dst)/d(src) along each edge, for backward labels,
# with where its label goes (x, y, horizontal alignment).
DERIVATIVES = {
    "x->a": ("$W_x^T$", (2.25, -0.25, "right")),
    "h_prev->a": ("$W_h^T$", (0.95, 0.85, "center")),
    "W->a": ("$x_t^T,\\ h_{t-1}^T$", (7.3, 0.95, "center")),
    "a->i": ("$i(1-i)$", (3.4, 1.7, "center")),
    "a->f": ("$f(1-f)$", (2.3, 1.7, "center")),
    "a->o": ("$o(1-o)$", (6.4, 1.7, "center")),
    "a->g": ("$1-g^2$", (4.9, 1.7, "center")),
    "c_prev->fc": ("$f$", (1.5, 5.25, "center")),
    "f->fc": ("$c_{t-1}$", (2.2, 4.05, "right")),
    "i->ig": ("$g$", (3.7, 3.35, "right")),
    "g->ig": ("$i$", (4.7, 3.35, "left")),
    "fc->c": ("1", (3.25, 5.25, "center")),
    "ig->c": ("1", (4.35, 4.45, "left")),
    "c->c_next": ("1", (9.0, 5.25, "center")),
    "c->tanh_c": ("$1-\\tanh^2 c_t$", (7.95, 4.6, "left")),
    "tanh_c->h": ("$o$", (7.95, 3.15, "left")),
    "o->h": ("$\\tanh c_t$", (7.15, 2.8, "center")),
    "h->h_next": ("1", (8.9, 2.75, "center")),
    "c_prev->f": ("$p_f$", (1.0, 4.1, "right")),
    "c_prev->i": ("$p_i$", (2.6, 3.5, "center")),
    "c->o": ("$p_o$", (6.5, 4.2, "left")),
}

# The gradient held at each node, and where its label goes (x, y, alignment),
# for backward drawings. A gate shows its gradient inside its box instead.
GRADIENT_NAMES = {
    "c_prev": ("dprev_c", (0.0, 4.6, "center")),
    "h_prev": ("dprev_h", (0.0, 0.2, "center")),
    "x": ("dx", (2.95, -0.7, "left")),
    "W": ("dWx, dWh, db", (8.5, 0.2, "center")),
    "a": ("da", (6.75, 0.1, "left")),
    "c": ("dc", (4.55, 5.4, "left")),
    "c_next": ("dnext_c", (10.0, 4.6, "center")),
    "h_next": ("dnext_h", (10.0, 2.1, "center")),
    "i": ("di", None), "f": ("df", None), "o": ("do", None), "g": ("dg", None),
}

_LOSS_TO_C = ("h->h_next", "tanh_c->h", "c->tanh_c", "c->c_next")
PATHS = {
    "cell carousel": ("c_prev->fc", "fc->c", "c->c_next"),
    "forget gate": ("a->f", "f->fc"),
    "input gate": ("a->i", "i->ig"),
    "candidate": ("a->g", "g->ig"),
    "write": ("a->i", "a->g", "i->ig", "g->ig", "ig->c"),
    "output gate": ("a->o", "o->h"),
    "hidden output": ("c->tanh_c", "tanh_c->h", "o->h", "h->h_next"),
    "gate inputs": ("x->a", "h_prev->a", "W->a"),
    "peepholes": ("c_prev->i", "c_prev->f", "c->o"),
    "dh->do": ("h->h_next", "o->h"),
    "dh->dc": ("h->h_next", "tanh_c->h", "c->tanh_c"),
    "dc->dprev_c": ("fc->c", "c_prev->fc"),
    "dnext_c->dprev_c": ("c->c_next", "fc->c", "c_prev->fc"),
    "dc->di": ("ig->c", "i->ig"),
    "dc->df": ("fc->c", "f->fc"),
    "dc->dg": ("ig->c", "g->ig"),
    "da": ("a->i", "a->f", "a->o", "a->g"),
    "da->dx": ("x->a",),
    "da->dprev_h": ("h_prev->a",),
    "da->dW": ("W->a",),
    "dprev_c": _LOSS_TO_C + ("fc->c", "c_prev->fc"),
    "dWx via da": _LOSS_TO_C + ("o->h", "fc->c", "ig->c", "f->fc", "i->ig", "g->ig",
                                "a->i", "a->f", "a->o", "a->g", "W->a"),
}

FORWARD_COLOUR = "tab:blue"
BACKWARD_COLOUR = "tab:red"
DIM_COLOUR = "0.75"  # wires that carry nothing in the case drawn
BOX_FACE = "#e8eef6"  # pre-activation and cell boxes
GATE_FACE = "#f3f0e6"  # gate boxes


def highlighted_edges(highlight, peepholes=False):
    """Resolve path and edge names to a dict edge name -> colour (None = default colour).

    highlight: one name, an iterable of names, or a dict name -> colour.
    Raises ValueError for an unknown name, or a peephole edge without ``peepholes``.
    """
    if isinstance(highlight, str):
        highlight = [highlight]
    items = highlight.items() if isinstance(highlight, dict) else ((n, None) for n in highlight)
    known = {**EDGES, **(PEEPHOLE_EDGES if peepholes else {})}
    edges = {}
    for name, colour in items:
        members = PATHS.get(name, (name,))
        for edge in members:
            if edge not in known:
                hint = (" (peephole edges need peepholes=True)" if edge in PEEPHOLE_EDGES
                        else f"; known paths: {', '.join(PATHS)}; known edges: {', '.join(known)}")
                raise ValueError(f"unknown path or edge {name!r}{hint}")
            edges[edge] = colour
    return edges


def _node_patch(ax, name, gradient=None):
    x, y, label, shape = NODES[name]
    if shape == "op":
        patch = Circle((x, y), 0.28, facecolor="white", edgecolor="0.2", linewidth=1.2, zorder=3)
        size = 14
    elif shape in ("gate", "box"):
        width = 4.6 if shape == "box" else 0.9
        patch = FancyBboxPatch((x - width / 2, y - 0.4), width, 0.8, boxstyle="round,pad=0.05",
                               facecolor=GATE_FACE if shape == "gate" else BOX_FACE,
                               edgecolor="0.2", linewidth=1.0, zorder=3)
        size = 9
    else:  # a port: text with an invisible patch as wide as the text, so wires stop short of it
        width = 1.6 if name == "W" else 0.7
        patch = FancyBboxPatch((x - width / 2, y - 0.25), width, 0.5, boxstyle="square,pad=0",
                               facecolor="none", edgecolor="none", zorder=3)
        size = 12
    ax.add_patch(patch)
    if "\n" in label:  # a gate: its name large, its nonlinearity small below
        name, function = label.split("\n")
        ax.text(x, y + 0.12, name, ha="center", va="center", fontsize=12, zorder=4)
        if gradient:  # backward: the gradient's name replaces the nonlinearity
            ax.text(x, y - 0.22, gradient, ha="center", va="center", fontsize=8, zorder=4,
                    color=BACKWARD_COLOUR, family="monospace")
        else:
            ax.text(x, y - 0.22, function, ha="center", va="center", fontsize=8, zorder=4)
    else:
        ax.text(x, y, label, ha="center", va="center", fontsize=size, zorder=4)
    return patch


def _draw_wire(ax, patches, edge, points, colour, width, backward, style="-"):
    src, dst = edge.split("->")
    ends = [src, dst]
    points = [NODES[src][:2], *points, NODES[dst][:2]]
    if edge in BRANCHES:  # start at the branch point on the wire it leaves
        points = points[1:]
        ends[0] = None
        ax.add_patch(Circle(points[0], 0.07, color=colour, zorder=2.5))
    if backward:  # the gradient travels from dst back to src
        points, ends = points[::-1], ends[::-1]
    highlighted = colour != DIM_COLOUR
    for k, (start, end) in enumerate(zip(points[:-1], points[1:])):
        last = k == len(points) - 2
        first_patch = patches.get(ends[0]) if k == 0 else None
        last_patch = patches.get(ends[1]) if last else None
        ax.add_patch(FancyArrowPatch(
            start, end, arrowstyle="-|>" if last else "-", mutation_scale=12,
            patchA=first_patch, patchB=last_patch, shrinkA=1, shrinkB=1, color=colour,
            linewidth=width, linestyle=style, zorder=2.2 if highlighted else 2))


def draw_cell(highlight=(), backward=False, peepholes=False, derivatives=False, title=None,
              ax=None):
    """Draw one LSTM cell, lighting up the paths or edges in ``highlight``.

    highlight: path names (see ``PATHS``) and/or edge names ("c_prev->fc"),
    or a dict mapping each to a colour.
    backward: draw highlighted wires as gradients (arrows reversed, red,
    gradient names at their nodes); derivatives: with ``backward``, label
    each highlighted wire with its local derivative.
    peepholes: add the three diagonal peephole connections (dashed).
    Returns the Figure.
    """
    lit = highlighted_edges(highlight, peepholes)
    if ax is None:
        fig, ax = plt.subplots(figsize=(7.2, 4.2))
        fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.93 if title else 0.99)
    else:
        fig = ax.figure
    ax.set_xlim(-0.6, 10.6)
    ax.set_ylim(-1.2, 5.7)
    ax.set_aspect("equal")
    ax.set_axis_off()
    touched = {node for edge in lit for node in edge.split("->")} if backward else set()
    patches = {}
    for name in NODES:
        gradient, where = GRADIENT_NAMES.get(name, ("", None)) if name in touched else ("", None)
        patches[name] = _node_patch(ax, name, gradient if where is None else None)
        if gradient and where is not None:
            x, y, align = where
            ax.text(x, y, gradient, ha=align, va="center", fontsize=8, color=BACKWARD_COLOUR,
                    family="monospace", zorder=5)
    default = BACKWARD_COLOUR if backward else FORWARD_COLOUR
    wires = {**EDGES, **(PEEPHOLE_EDGES if peepholes else {})}
    for edge, points in wires.items():
        style = "--" if edge in PEEPHOLE_EDGES else "-"
        if edge in lit:
            _draw_wire(ax, patches, edge, points, lit[edge] or default, 2.6, backward, style)
        else:
            _draw_wire(ax, patches, edge, points, DIM_COLOUR, 1.2, False, style)
        if edge in lit and backward and derivatives:
            label, (x, y, align) = DERIVATIVES[edge]
            ax.text(x, y, label, ha=align, va="center", fontsize=8, color="0.15", zorder=5,
                    bbox=dict(boxstyle="round,pad=0.1", facecolor="white", edgecolor="none"))
    if title:
        ax.set_title(title, fontsize=10)
    return fig


# --- gates over time -----------------------------------------------------------------------------

def draw_gates(x, cache, units, unit_names=None, input_names=None, marks=(), title=None):
    """Plot an LSTM run over time: the inputs, then for each unit its gates and states.

    x: (1, T, D) the input of one sequence; cache: from ``lstm_forward`` on it;
    units: the hidden units to show, one column each; marks: steps to shade.
    Rows: the inputs (across all columns); the gates i, f, o; the candidate
    g, the cell c and the output h.
    Returns the Figure.
    """
    if x.ndim != 3 or x.shape[0] != 1:
        raise ValueError(f"x should be one sequence of shape (1, T, D), got {x.shape}")
    T, D = x.shape[1], x.shape[2]
    i, f, o, g = (gate[0] for gate in split_gates(cache.gates))  # each (T, H)
    c, h = cache.c[0], cache.h[0]
    unit_names = unit_names or [f"unit {u}" for u in units]
    input_names = input_names or [f"x[{d}]" for d in range(D)]
    fig = plt.figure(figsize=(8.4, 6.0))
    grid = fig.add_gridspec(3, len(units), left=0.07, right=0.82, bottom=0.08,
                            top=0.9 if title else 0.95, hspace=0.45, wspace=0.15)
    top = fig.add_subplot(grid[0, :])
    t = np.arange(T)
    for d in range(D):
        top.step(t, x[0, :, d], where="mid", label=input_names[d])
    top.set_title("input", fontsize=9)
    rows = [top]
    for column, (unit, name) in enumerate(zip(units, unit_names)):
        mid = fig.add_subplot(grid[1, column], sharex=top)
        bottom = fig.add_subplot(grid[2, column], sharex=top)
        for values, label in ((i, "i, input gate"), (f, "f, forget gate"), (o, "o, output gate")):
            mid.plot(t, values[:, unit], marker=".", markersize=4, label=label)
        mid.set_ylim(-0.05, 1.05)
        mid.set_title(name, fontsize=9)
        for values, label in ((g, "g, candidate"), (c, "c, cell state"), (h, "h, hidden state")):
            bottom.plot(t, values[:, unit], marker=".", markersize=4, label=label)
        bottom.set_ylim(-1.05, 1.05)
        bottom.set_xlabel("step t")
        if column:
            mid.tick_params(labelleft=False)
            bottom.tick_params(labelleft=False)
        rows += [mid, bottom]
    for ax in rows:
        for step in marks:
            ax.axvspan(step - 0.5, step + 0.5, color="0.9", zorder=0)
    for ax in (top, rows[-2], rows[-1]):  # legends outside, right of the last column
        ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.02, 0.5), frameon=False)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


# --- a hand-set LSTM to look at -------------------------------------------------------------------
