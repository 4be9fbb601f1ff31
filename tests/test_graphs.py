"""lstmlib.book.graphs: the sequence-level backward pictures, and what their options change."""
import math

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure

from lstmlib.book import graphs, viz

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    matplotlib.pyplot.close("all")


def patches(fig, gid):
    return [p for ax in fig.axes for p in ax.patches if p.get_gid() == gid]


def texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def legend_texts(fig):
    legends = [ax.get_legend() for ax in fig.axes] + list(fig.legends)
    return [t.get_text() for legend in legends if legend for t in legend.get_texts()]


@pytest.mark.parametrize("draw", [graphs.draw_unrolled_backward, graphs.draw_stacked_backward,
                                  graphs.draw_heads])
def test_each_drawing_is_a_figure_about_a_page_wide(draw):
    fig = draw()
    assert isinstance(fig, Figure)
    width_px = fig.get_size_inches()[0] * viz.STYLE["figure.dpi"]
    assert 600 <= width_px <= 800


@pytest.mark.parametrize("T", [1, 2, 4, 6])
def test_one_cell_per_step_and_a_loss_per_step_or_only_the_last(T):
    every = graphs.draw_unrolled_backward(T=T)
    assert len(patches(every, "cell")) == T
    assert len(patches(every, "loss")) == T
    assert {f"dh[:,{t}]" for t in range(T)} <= set(texts(every))
    last = graphs.draw_unrolled_backward(T=T, loss="last")
    assert len(patches(last, "cell")) == T
    assert len(patches(last, "loss")) == 1
    assert f"dh[:,{T - 1}]" in texts(last)
    assert not any(f"dh[:,{t}]" in texts(last) for t in range(T - 1))
    assert texts(last).count("no loss") == T - 1


@pytest.mark.parametrize("T, k", [(4, 1), (4, 2), (5, 2), (6, 4), (3, 3), (3, 7)])
def test_truncation_shades_ceil_T_over_k_windows_and_cuts_between_them(T, k):
    fig = graphs.draw_unrolled_backward(T=T, truncate=k)
    windows = math.ceil(T / k)
    assert len(patches(fig, "window")) == windows
    assert texts(fig).count("cut") == windows - 1
    # a cut gap has no dprev_h / dprev_c name: only the T - windows gaps inside a window do
    assert texts(fig).count("dprev_h") == T - windows
    assert texts(fig).count("dprev_c") == T - windows
    assert len(patches(graphs.draw_unrolled_backward(T=T), "window")) == 0


def test_est_names_dprev_h_only_when_asked():
    plain = graphs.draw_unrolled_backward(T=4)
    assert "est" not in texts(plain)
    assert texts(plain).count("dprev_h") == 3
    marked = graphs.draw_unrolled_backward(T=4, mark_est=True)
    assert texts(marked).count("est") == 3
    assert "dprev_h" not in texts(marked)
    assert texts(marked).count("dprev_c") == 3  # only h's gradient had a name in the post
    assert any(t.startswith("est:") for t in legend_texts(marked))
    assert not any(t.startswith("est:") for t in legend_texts(plain))


def test_the_rnn_has_no_cell_state_wires():
    fig = graphs.draw_unrolled_backward(T=3, cell="rnn", truncate=2)
    names = texts(fig)
    assert names.count("RNN\nstep 0") == 1 and not any(n.startswith("LSTM") for n in names)
    assert not {"dprev_c", "c0", "dc0"} & set(names)
    assert {"dprev_h", "h0", "dh0"} <= set(names)
    lstm = graphs.draw_unrolled_backward(T=3, truncate=2)
    assert {"dprev_c", "c0", "dc0"} <= set(texts(lstm))
    # one wire fewer each way in every gap: fewer arrows in all
    assert len(fig.axes[0].patches) < len(lstm.axes[0].patches)


def test_options_change_the_picture():
    pngs = {viz.to_png(graphs.draw_unrolled_backward(**options)) for options in (
        {}, {"loss": "last"}, {"truncate": 2}, {"mark_est": True}, {"T": 3}, {"cell": "rnn"})}
    assert len(pngs) == 6


def test_a_window_without_a_loss_carries_only_zero_gradients():
    # loss at the last step, windows of 2 over 5 steps: windows 0 and 1 see no loss
    fig = graphs.draw_unrolled_backward(T=5, loss="last", truncate=2)
    ax = fig.axes[0]
    red = [p for p in ax.patches if matplotlib.colors.same_color(p.get_edgecolor(),
                                                                  graphs.BACKWARD_COLOUR)]
    # red wires: L -> "+", "+" -> cell 4, and the two stubs from cell 4 to the cut
    assert len(red) == 4
    assert next(t for t in ax.texts if t.get_text() == "dh0").get_color() == "0.5"


@pytest.mark.parametrize("layers, T", [(1, 1), (2, 3), (3, 4), (4, 5)])
def test_stacked_cells_carry_the_order_the_code_runs_them(layers, T):
    fig = graphs.draw_stacked_backward(layers=layers, T=T)
    assert len(patches(fig, "cell")) == layers * T
    badges = patches(fig, "order")
    assert len(badges) == layers * T
    ax = fig.axes[0]
    numbers = {t.get_text(): t.get_position() for t in ax.texts if t.get_text().isdigit()
               and t.get_text() != "0"}
    assert set(numbers) == {str(n) for n in range(1, layers * T + 1)}
    # the order of stacked_lstm_backward_with_state: top layer first, each time loop T-1 .. 0
    half_w, half_h = graphs.STACK_W / 2, graphs.STACK_H / 2
    order = 1
    for layer in reversed(range(layers)):
        for t in reversed(range(T)):
            x, y = t * graphs.STACK_STEP - half_w, layer * graphs.STACK_RISE + half_h
            assert np.allclose(numbers[str(order)], (x, y)), (layer, t)
            order += 1
    assert sum(f"dx of layer {layer}\n= dh of layer {layer - 1}" in texts(fig)
               for layer in range(1, layers)) == layers - 1


def test_heads_show_where_dh_enters():
    fig = graphs.draw_heads()
    one, many = fig.axes
    one_texts = [t.get_text() for t in one.texts]
    many_texts = [t.get_text() for t in many.texts]
    assert len(patches(fig, "cell")) == 2 * graphs.HEAD_STEPS
    assert one_texts.count("affine") == 1 and many_texts.count("affine") == graphs.HEAD_STEPS
    last = graphs.HEAD_STEPS - 1
    assert f"dh[:,{last}]" in one_texts
    zeros = [f"dh[:,{t}] = 0" for t in range(last)]
    missing = [label for label in zeros if label not in one_texts]
    assert not missing, f"no label {missing} among {one_texts}"
    assert {f"dh[:,{t}]" for t in range(graphs.HEAD_STEPS)} <= set(many_texts)
    assert not any(text.endswith("= 0") for text in many_texts)


def test_draw_into_given_axes():
    fig = Figure()
    ax = fig.add_subplot()
    assert graphs.draw_unrolled_backward(T=2, ax=ax, title="t") is fig
    assert ax.get_title() == "t"
    fig = Figure()
    assert graphs.draw_stacked_backward(ax=fig.add_subplot()) is fig


@pytest.mark.parametrize("call, message", [
    (lambda: graphs.draw_unrolled_backward(T=0), "T should be a positive integer, got 0"),
    (lambda: graphs.draw_unrolled_backward(T=2.5), "T should be a positive integer"),
    (lambda: graphs.draw_unrolled_backward(T=True), "T should be a positive integer"),
    (lambda: graphs.draw_unrolled_backward(T=7), "T should be at most 6"),
    (lambda: graphs.draw_unrolled_backward(loss="first"), 'loss should be "every" or "last"'),
    (lambda: graphs.draw_unrolled_backward(truncate=0), "truncate should be a positive integer"),
    (lambda: graphs.draw_unrolled_backward(truncate=-2), "truncate should be a positive"),
    (lambda: graphs.draw_unrolled_backward(cell="gru"), 'cell should be "lstm" or "rnn"'),
    (lambda: graphs.draw_stacked_backward(layers=0), "layers should be a positive integer"),
    (lambda: graphs.draw_stacked_backward(T=0), "T should be a positive integer"),
    (lambda: graphs.draw_stacked_backward(layers=5), "layers should be at most 4"),
])
def test_bad_arguments_say_what_was_expected(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_numpy_integers_are_counts_too():
    assert len(patches(graphs.draw_unrolled_backward(T=np.int64(3), truncate=np.int32(2)),
                       "window")) == 2
