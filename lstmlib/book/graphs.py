"""Pictures of the backward pass over a whole sequence, drawn from code.

``diagram.draw_cell`` looks inside one step; these look at many steps at
once, each step a box, in the same colours (forward wires blue, gradients
red, zero gradients grey and dashed):

    draw_unrolled_backward(T, loss, truncate, mark_est, cell)
        the cells of one layer (an LSTM's, or with ``cell="rnn"`` a tanh
        RNN's, which has no c) side by side. Between step t and step t+1 the
        forward carries h_t and c_t to the right; the backward brings
        ``dprev_h`` and ``dprev_c`` (the gradients of h_t and c_t through step
        t+1) back to the left. Where step t has a loss, its local gradient
        ``dh[:, t]`` joins at a "+": ``dnext_h = dh[:, t] + dprev_h``.
        ``truncate=k`` shades the windows of truncated BPTT and cuts the
        backward at their borders; ``mark_est`` names ``dprev_h`` as the first
        post's C++ did, ``est``.
    draw_stacked_backward(layers, T)
        a grid of cells, layer 0 at the bottom. The backward runs the top
        layer's whole time loop first, then the layer below: each cell shows
        its place in that order, and ``dx`` of layer l+1 comes down as ``dh``
        of layer l.
    draw_heads()
        a many-to-one head against a many-to-many one: where ``dh`` enters.

Each returns a matplotlib Figure at most ``PAGE_WIDTH`` (760 px at the book's
80 dpi) wide; a picture with few steps is drawn narrower, at ``MAX_SCALE``
inches per data unit, rather than enlarged to the page width.
Every cell box has the gid "cell", every truncation window "window", so a
test can count them.
"""

from numbers import Integral

import matplotlib.pyplot as plt
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Rectangle
from matplotlib.path import Path

from .diagram import BACKWARD_COLOUR, BOX_FACE, DIM_COLOUR, FORWARD_COLOUR, GATE_FACE

CELL_FACE = BOX_FACE  # cells look like diagram.draw_cell's pre-activation box
LOSS_FACE = GATE_FACE  # losses like its gate boxes
WINDOW_FACES = ("#f4f4f4", "#e9e9e9")  # alternate, so neighbouring windows stand apart
EST_COLOUR = "tab:purple"  # the first post's name, set apart from the book's own names
PAGE_WIDTH = 9.5  # inches: ~760 px at the book's 80 dpi
MAX_SCALE = 0.6  # inches per data unit: a short sequence is drawn narrower, not larger

_FORWARD_WIDTH, _BACKWARD_WIDTH = 1.3, 2.4
_MONO = dict(family="monospace", fontsize=8)


def _count(name, value, largest):
    """value as an int in [1, largest], or a ValueError that says what was expected."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise ValueError(f"{name} should be a positive integer, got {value!r}")
    if value > largest:
        raise ValueError(f"{name} should be at most {largest} to fit the page, got {value}")
    return int(value)


# --- drawing primitives, in diagram.draw_cell's style --------------------------------------------

def _box(ax, x, y, width, height, text, face=CELL_FACE, fontsize=9, gid="cell"):
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                boxstyle="round,pad=0.05", facecolor=face, edgecolor="0.2",
                                linewidth=1.0, zorder=3, gid=gid))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=4)


def _plus(ax, x, y, radius=0.2):
    ax.add_patch(Circle((x, y), radius, facecolor="white", edgecolor="0.2", linewidth=1.2,
                        zorder=3))
    ax.text(x, y, "+", ha="center", va="center", fontsize=11, zorder=4)


def _wire(ax, points, colour, width, style="-", head=True):
    """A wire through ``points`` (corners included), with an arrowhead at the last one."""
    ax.add_patch(FancyArrowPatch(path=Path(points), arrowstyle="-|>" if head else "-",
                                 mutation_scale=12, color=colour, linewidth=width,
                                 linestyle=style, capstyle="butt", joinstyle="miter",
                                 zorder=2.2 if colour == BACKWARD_COLOUR else 2))


def _gradient(ax, points, live=True):
    """A backward wire: red when it carries a gradient, grey and dashed when that is zero."""
    if live:
        _wire(ax, points, BACKWARD_COLOUR, _BACKWARD_WIDTH)
    else:
        _wire(ax, points, DIM_COLOUR, _FORWARD_WIDTH, style="--")


def _name(ax, x, y, text, colour=BACKWARD_COLOUR, ha="center", va="center", **style):
    ax.text(x, y, text, ha=ha, va=va, color=colour, zorder=5, **{**_MONO, **style})


def _legend(where, zero=False, plus=False, est=False, extra=(), ncol=None,
            gradient="gradient"):
    """The colour key, at the bottom of ``where`` (Axes or Figure); one row unless ncol."""
    handles = [Line2D([], [], color=FORWARD_COLOUR, lw=_FORWARD_WIDTH, label="forward"),
               Line2D([], [], color=BACKWARD_COLOUR, lw=_BACKWARD_WIDTH, label=gradient),
               *extra]
    if zero:
        handles.append(Line2D([], [], color=DIM_COLOUR, lw=_FORWARD_WIDTH, ls="--",
                              label="zero gradient"))
    if plus:
        handles.append(Line2D([], [], color="0.2", marker="$\\oplus$", markersize=11, ls="none",
                              label="dnext_h = dh[:,t] + dprev_h"))
    if est:
        handles.append(Line2D([], [], color="none", label="est: the first post's dprev_h"))
    legend = where.legend(handles=handles, loc="lower center", ncol=ncol or len(handles),
                          fontsize=8, frameon=False, handlelength=2.5, borderaxespad=0.1)
    if est:
        legend.get_texts()[-1].set_color(EST_COLOUR)


def _canvas(ax, xlim, ylim, title):
    """Axes with equal units over xlim x ylim; a new page-wide figure unless ax is given."""
    if ax is None:
        scale = min(PAGE_WIDTH / (xlim[1] - xlim[0]), MAX_SCALE)
        width, height = scale * (xlim[1] - xlim[0]), scale * (ylim[1] - ylim[0])
        fig, ax = plt.subplots(figsize=(width, height + (0.35 if title else 0)))
        fig.subplots_adjust(left=0, right=1, bottom=0, top=height / (height + 0.35) if title else 1)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=10)
    return ax.figure, ax


# --- one layer, unrolled -------------------------------------------------------------------------

# Geometry of the unrolled drawing, in data units: step t's cell is centred at (t * STEP, 0),
# its "+" (where dh[:, t] joins) at (t * STEP + PLUS, Y_DH), a truncation cut at t * STEP + CUT.
STEP, CELL_W, CELL_H = 3.8, 1.2, 2.0
PLUS, CUT = 1.05, 2.2
Y_DH, Y_H, Y_C, Y_DC = 0.74, 0.26, -0.26, -0.74  # the four wires between two cells
Y_LOSS = 3.0
MAX_STEPS = 6  # more steps than this do not fit the page width legibly


def _windows(T, truncate):
    """The truncation windows as (first, last) steps; one window without truncation."""
    k = T if truncate is None else truncate
    return [(start, min(start + k, T) - 1) for start in range(0, T, k)]


def draw_unrolled_backward(T=4, loss="every", truncate=None, mark_est=False, cell="lstm",
                           title=None, ax=None):
    """One LSTM (or tanh RNN) layer unrolled over T steps, with its backward pass drawn in.

    T: the number of steps (1..6), x_0 .. x_{T-1}.
    loss: "every" (a loss L_t on every h_t, so ``dh[:, t]`` joins at every step) or
    "last" (one loss L on h_{T-1}; the other h_t get gradients only through the
    recurrence).
    truncate: None (full BPTT) or k >= 1: truncated BPTT in windows of k steps,
    [0, k), [k, 2k), ...; the windows are shaded and no gradient crosses their
    borders, so the backward wires there are cut and each window starts from zeros.
    mark_est: name ``dprev_h`` ``est``, the first post's variable for it.
    cell: "lstm" or "rnn" (the tanh RNN has no cell state: no c, ``dprev_c``, c0, dc0).
    ax: draw into these Axes instead of a new figure.
    Returns the Figure.
    """
    T = _count("T", T, MAX_STEPS)
    if cell not in ("lstm", "rnn"):
        raise ValueError(f'cell should be "lstm" or "rnn", got {cell!r}')
    lstm = cell == "lstm"
    # the RNN carries h alone: its two wires sit where the LSTM's h and c are
    y_dh, y_h = (Y_DH, Y_H) if lstm else (Y_DH - 0.3, Y_H - 0.5)
    states = ((y_h, "h0"), (Y_C, "c0")) if lstm else ((y_h, "h0"),)
    gradients = ((y_dh, "dh0"), (Y_DC, "dc0")) if lstm else ((y_dh, "dh0"),)
    if loss not in ("every", "last"):
        raise ValueError(f'loss should be "every" or "last", got {loss!r}')
    if truncate is not None:
        truncate = _count("truncate", truncate, 10 ** 9)
    windows = _windows(T, truncate)
    window_of = {t: w for w, (first, last) in enumerate(windows) for t in range(first, last + 1)}
    has_loss = [loss == "every" or t == T - 1 for t in range(T)]
    # The wires out of step t carry a non-zero gradient if a loss at a step >= t
    # lies in t's window: the backward of the steps after it starts from zeros.
    live = [any(has_loss[s] for s in range(t, windows[window_of[t]][1] + 1)) for t in range(T)]
    small = 8 if T <= 4 else 7  # the cells get narrower with T, and so do the names
    half = CELL_W / 2
    fig, ax = _canvas(ax, (-half - 1.65, (T - 1) * STEP + 2.95), (-3.05, Y_LOSS + 0.8), title)

    for w, (first, last) in enumerate(windows if truncate is not None else ()):
        x0 = first * STEP - STEP + CUT + 0.04
        x1 = last * STEP + CUT - 0.04
        ax.add_patch(Rectangle((x0, -1.6), x1 - x0, Y_LOSS + 2.35, zorder=0,
                               facecolor=WINDOW_FACES[w % 2], edgecolor="none", gid="window"))
        steps = f"step {first}" if first == last else f"steps {first}–{last}"
        ax.text(x0 + 0.12, Y_LOSS + 0.42, f"window {w}: {steps}", ha="left", va="bottom",
                fontsize=small, color="0.3", zorder=1)

    for t in range(T):
        x = t * STEP
        edge = x + half + 0.04  # where wires meet the right side of step t's cell
        _box(ax, x, 0, CELL_W, CELL_H, f"{cell.upper()}\nstep {t}")
        # forward: x_t in from below, h_t out to the top, h_t and c_t on to the right
        _wire(ax, [(x, -1.85), (x, -CELL_H / 2 - 0.05)], FORWARD_COLOUR, _FORWARD_WIDTH)
        ax.text(x, -2.12, f"$x_{t}$", ha="center", va="center", fontsize=12)
        x_up = x - 0.3
        _wire(ax, [(x_up, CELL_H / 2 + 0.05), (x_up, Y_LOSS - 0.3 if has_loss[t] else Y_LOSS)],
              FORWARD_COLOUR, _FORWARD_WIDTH)
        ax.text(x_up - 0.08, 1.75, f"$h_{t}$", ha="right", va="center", fontsize=11)
        onward = (t + 1) * STEP - half - 0.04 if t < T - 1 else x + 2.35
        for y, _ in states:
            _wire(ax, [(x + half + 0.04, y), (onward, y)], FORWARD_COLOUR, _FORWARD_WIDTH)

        # backward: the gradient of h_t is dh[:, t] from this step's loss, if it has
        # one, plus dprev_h from step t+1: dnext_h = dh[:, t] + dprev_h
        if has_loss[t]:
            x_plus = x + PLUS
            _box(ax, x, Y_LOSS, 1.1, 0.6, f"$L_{t}$" if loss == "every" else "$L$",
                 face=LOSS_FACE, fontsize=12, gid="loss")
            _gradient(ax, [(x + 0.6, Y_LOSS), (x_plus, Y_LOSS), (x_plus, y_dh + 0.22)])
            _name(ax, x_plus + 0.08, 1.75, f"dh[:,{t}]", ha="left", fontsize=small)
            _plus(ax, x_plus, y_dh)  # out of it, into the cell: dnext_h
            _gradient(ax, [(x_plus - 0.2, y_dh), (edge, y_dh)], live[t])
            h_into = x_plus + 0.2
        else:
            ax.text(x_up, Y_LOSS + 0.05, "no loss", ha="center", va="bottom", fontsize=small,
                    color="0.4")
            h_into = edge
        # where the gradients from the right end: the "+" (or the cell), and the cell
        into = ((y_dh, h_into), (Y_DC, edge)) if lstm else ((y_dh, h_into),)
        if t == T - 1:  # the backward starts from zeros: nothing comes from the right
            for y, end in into:
                _wire(ax, [(x + 2.45, y), (end, y)], DIM_COLOUR, _FORWARD_WIDTH, style="--")
                _name(ax, x + 2.5, y, "0", "0.4", ha="left", fontsize=9)
            continue
        source = (t + 1) * STEP - half - 0.04
        if window_of[t] == window_of[t + 1]:
            # step t+1 sends back dprev_h and dprev_c: the gradients of h_t and c_t
            for y, end in into:
                _gradient(ax, [(source, y), (end, y)], live[t + 1])
            colour = BACKWARD_COLOUR if live[t + 1] else "0.5"
            if mark_est:
                _name(ax, (source + h_into) / 2, y_dh + 0.07, "est", EST_COLOUR, va="bottom",
                      fontsize=small + 1, weight="bold")
            else:
                _name(ax, (source + h_into) / 2, y_dh + 0.07, "dprev_h", colour, va="bottom",
                      fontsize=small)
            if lstm:
                _name(ax, (source + edge) / 2, Y_DC - 0.07, "dprev_c", colour, va="top",
                      fontsize=small)
            continue
        # a truncation border: the gradients from step t+1 stop at the cut, and
        # step t, the last of its window, starts its backward from zeros
        cut = x + CUT
        ax.plot([cut, cut], [-1.25, 1.25], color="0.3", lw=1.0, ls=":", zorder=2.5)
        ax.text(cut, -1.3, "cut", ha="center", va="top", fontsize=small, color="0.2")
        for y, end in into:
            if live[t + 1]:
                _wire(ax, [(source, y), (cut, y)], BACKWARD_COLOUR, _BACKWARD_WIDTH, head=False)
            else:
                _wire(ax, [(source, y), (cut, y)], DIM_COLOUR, _FORWARD_WIDTH, "--", head=False)
            ax.plot([cut], [y], marker="x", color="0.15", markersize=7, mew=2, zorder=5)
            _wire(ax, [(cut - 0.12, y), (end, y)], DIM_COLOUR, _FORWARD_WIDTH, style="--")

    # the state before step 0, and the gradients the backward hands back for it
    for y, name in states:
        _wire(ax, [(-half - 1.05, y), (-half - 0.04, y)], FORWARD_COLOUR, _FORWARD_WIDTH)
        _name(ax, -half - 1.1, y, name, FORWARD_COLOUR, ha="right", fontsize=small)
    for y, name in gradients:
        _gradient(ax, [(-half - 0.04, y), (-half - 1.05, y)], live[0])
        _name(ax, -half - 1.1, y, name, BACKWARD_COLOUR if live[0] else "0.5", ha="right",
              fontsize=small)
    _legend(ax, zero=True, plus=True, est=mark_est, ncol=None if T > 2 else 2)
    return fig


# --- stacked layers ------------------------------------------------------------------------------

# Step t of layer l is centred at (t * STACK_STEP, l * STACK_RISE), layer 0 at the bottom.
STACK_STEP, STACK_RISE, STACK_W, STACK_H = 3.6, 3.1, 1.3, 1.5
MAX_LAYERS, MAX_STACK_STEPS = 4, 5


def _ordinal(n):
    return f"{n}{'st' if n == 1 else 'nd' if n == 2 else 'rd' if n == 3 else 'th'}"


def draw_stacked_backward(layers=2, T=3, title=None, ax=None):
    """The backward pass of a stacked LSTM: the layer loop around the time loop.

    layers: 1..4 layers, layer 0 at the bottom; T: 1..5 steps.
    Every cell is labelled with its place in the order the code runs them
    (``stacked_lstm_backward_with_state``): the top layer's whole time loop,
    t = T-1 down to 0, then the layer below, whose upstream ``dh`` is the ``dx``
    the layer above has just handed down at every step.
    ax: draw into these Axes instead of a new figure.
    Returns the Figure.
    """
    L = _count("layers", layers, MAX_LAYERS)
    T = _count("T", T, MAX_STACK_STEPS)
    half_w, half_h = STACK_W / 2, STACK_H / 2
    top = (L - 1) * STACK_RISE
    y_head = top + half_h + 1.45
    x_last = (T - 1) * STACK_STEP
    fig, ax = _canvas(ax, (-half_w - 1.9, x_last + half_w + 3.6), (-2.9, y_head + 0.7), title)

    _box(ax, x_last / 2, y_head, max(x_last + STACK_W, 2.4), 0.6,
         "head and loss  $L$", face=LOSS_FACE, fontsize=10, gid="loss")
    for layer in range(L):
        y = layer * STACK_RISE
        runs = L - 1 - layer  # how many layers' backward passes come before this one
        for t in range(T):
            x = t * STACK_STEP
            _box(ax, x, y, STACK_W, STACK_H, f"layer {layer}\nstep {t}")
            order = runs * T + (T - 1 - t) + 1
            ax.add_patch(Circle((x - half_w, y + half_h), 0.27, facecolor="white",
                                edgecolor=BACKWARD_COLOUR, linewidth=1.5, zorder=5, gid="order"))
            ax.text(x - half_w, y + half_h, str(order), ha="center", va="center", fontsize=9,
                    color=BACKWARD_COLOUR, weight="bold", zorder=6)
            # up: the input from below (x_t, or h_t of the layer below); the top
            # layer's h_t goes on to the head, whose dh[:, t] comes back down
            below = y - STACK_RISE + half_h + 0.05 if layer else y - half_h - 1.25
            _wire(ax, [(x - 0.3, below), (x - 0.3, y - half_h - 0.05)], FORWARD_COLOUR,
                  _FORWARD_WIDTH)
            if layer == L - 1:
                head = y_head - 0.35
                _wire(ax, [(x - 0.3, y + half_h + 0.05), (x - 0.3, head)], FORWARD_COLOUR,
                      _FORWARD_WIDTH)
                _gradient(ax, [(x + 0.3, head), (x + 0.3, y + half_h + 0.05)])
                _name(ax, x + 0.4, (head + y + half_h) / 2, f"dh[:,{t}]", ha="left")
            # down: dx out of the cell, the dh of the layer below (or out of the stack)
            end = y - STACK_RISE + half_h + 0.05 if layer else y - half_h - 1.25
            _gradient(ax, [(x + 0.3, y - half_h - 0.05), (x + 0.3, end)])
            _name(ax, x + 0.4, (y - half_h + end) / 2, f"dx[:,{t}]", ha="left")
            # back in time: dprev_h and dprev_c from step t+1 (zeros after the last)
            edge = x + half_w + 0.04
            source = x + STACK_STEP - half_w - 0.04
            for dy, name in ((0.45, "dprev_h"), (-0.45, "dprev_c")):
                if t < T - 1:
                    _gradient(ax, [(source, y + dy), (edge, y + dy)])
                    _name(ax, (source + edge) / 2, y + dy + (0.06 if dy > 0 else -0.06), name,
                          va="bottom" if dy > 0 else "top")
                    _wire(ax, [(edge, y + dy / 3), (source, y + dy / 3)], FORWARD_COLOUR,
                          _FORWARD_WIDTH)
                else:
                    _wire(ax, [(x + half_w + 0.9, y + dy), (edge, y + dy)], DIM_COLOUR,
                          _FORWARD_WIDTH, style="--")
                    _name(ax, x + half_w + 0.95, y + dy, "0", "0.4", ha="left", fontsize=9)
        for dy, name in ((0.45, f"dh0s[{layer}]"), (-0.45, f"dc0s[{layer}]")):
            _gradient(ax, [(-half_w - 0.04, y + dy), (-half_w - 0.8, y + dy)])
            _name(ax, -half_w - 0.85, y + dy, name, ha="right")
        if layer:  # what comes down between this layer and the one below
            _name(ax, x_last + half_w + 1.45, y - STACK_RISE / 2,
                  f"dx of layer {layer}\n= dh of layer {layer - 1}", ha="left", linespacing=1.3)
        ax.text(x_last + half_w + 1.45, y, f"layer {layer}\nruns {_ordinal(runs + 1)}:\n"
                f"t = {', '.join(str(t) for t in reversed(range(T)))}", ha="left",
                va="center", fontsize=9, color="0.2", linespacing=1.3)
    for t in range(T):
        ax.text(t * STACK_STEP - 0.3, -half_h - 1.5, f"$x_{t}$", ha="center", va="center",
                fontsize=12)
    _legend(ax, zero=True, extra=[Line2D([], [], color=BACKWARD_COLOUR, marker="o", ls="none",
                              markerfacecolor="white", markersize=9,
                              label="the order the code runs the steps")])
    return fig


# --- heads ---------------------------------------------------------------------------------------

HEAD_STEPS, HEAD_STEP, HEAD_W, HEAD_H = 3, 2.6, 1.1, 1.2


def _head_panel(ax, many_to_many):
    """One layer over HEAD_STEPS steps under a many-to-one or a many-to-many head."""
    T, half_w, half_h = HEAD_STEPS, HEAD_W / 2, HEAD_H / 2
    x_last = (T - 1) * HEAD_STEP
    y_affine, y_loss = 2.2, 3.7
    ax.set_xlim(-half_w - 0.9, x_last + half_w + 1.1)
    ax.set_ylim(-2.9, y_loss + 0.55)
    ax.set_aspect("equal")
    ax.set_axis_off()
    if many_to_many:
        ax.set_title("many-to-many: a loss at every step", fontsize=10)
        _box(ax, x_last / 2, y_loss, x_last + HEAD_W, 0.55, "temporal_softmax_loss  $L$",
             face=LOSS_FACE, gid="loss")
    else:
        ax.set_title("many-to-one: one loss, at the last step", fontsize=10)
        _box(ax, x_last, y_loss, 2.3, 0.55, "softmax_loss  $L$", face=LOSS_FACE, gid="loss")
    for t in range(T):
        x = t * HEAD_STEP
        _box(ax, x, 0, HEAD_W, HEAD_H, f"LSTM\nstep {t}")
        _wire(ax, [(x, -half_h - 0.85), (x, -half_h - 0.05)], FORWARD_COLOUR, _FORWARD_WIDTH)
        ax.text(x, -half_h - 1.1, f"$x_{t}$", ha="center", va="center", fontsize=12)
        headed = many_to_many or t == T - 1
        if headed:  # h_t -> affine -> loss; the gradient comes back down the same way
            _box(ax, x, y_affine, 1.0, 0.5, "affine", face=LOSS_FACE, gid="head")
            _wire(ax, [(x - 0.25, half_h + 0.05), (x - 0.25, y_affine - 0.3)], FORWARD_COLOUR,
                  _FORWARD_WIDTH)
            _wire(ax, [(x - 0.25, y_affine + 0.3), (x - 0.25, y_loss - 0.33)], FORWARD_COLOUR,
                  _FORWARD_WIDTH)
            _gradient(ax, [(x + 0.25, y_loss - 0.33), (x + 0.25, y_affine + 0.3)])
            _gradient(ax, [(x + 0.25, y_affine - 0.3), (x + 0.25, half_h + 0.05)])
            _name(ax, x + 0.35, 1.2, f"dh[:,{t}]", ha="left")
        else:  # h_t goes on to the next step only; nothing enters here from a loss
            _wire(ax, [(x + 0.25, 1.75), (x + 0.25, half_h + 0.05)], DIM_COLOUR, _FORWARD_WIDTH,
                  style="--")
            _name(ax, x + 0.25, 1.8, f"dh[:,{t}] = 0", "0.4", va="bottom")
        if t < T - 1:
            edge, source = x + half_w + 0.04, x + HEAD_STEP - half_w - 0.04
            _wire(ax, [(edge, -0.2), (source, -0.2)], FORWARD_COLOUR, _FORWARD_WIDTH)
            _gradient(ax, [(source, 0.2), (edge, 0.2)])
    code = ("dh = temporal_affine_backward(dscores, ...)\n# every step gets its own dh"
            if many_to_many else
            "dh = last_step_backward(dlast, ...)\n# zero but at the last step")
    ax.text(x_last / 2, -2.35, code, ha="center", va="center", color="0.2", linespacing=1.3,
            multialignment="left", **_MONO)


def draw_heads(title=None):
    """A many-to-one head (one loss, on h_{T-1}) beside a many-to-many one (a loss per step).

    Both over three steps of one LSTM layer, showing where the upstream gradient
    ``dh`` enters the layer's backward: at the last step only (``dh`` is zero
    elsewhere; the earlier steps learn through ``dprev_h`` and ``dprev_c``), or
    at every step. Returns the Figure.
    """
    fig = plt.figure(figsize=(PAGE_WIDTH, 3.9 + (0.3 if title else 0)))
    top = 1 - (0.3 / 4.2 if title else 0)
    left = fig.add_axes((0.0, 0.08, 0.49, top - 0.08))
    right = fig.add_axes((0.51, 0.08, 0.49, top - 0.08))
    _head_panel(left, many_to_many=False)
    _head_panel(right, many_to_many=True)
    _legend(fig, zero=True, gradient="gradient (between steps: dprev_h and dprev_c)")
    if title:
        fig.suptitle(title, fontsize=10)
    return fig
