"""lstmlib.diagram: the cell drawing's paths, and the hand-set memory LSTM."""
import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure

from lstmlib.book import diagram, lstm_flow, viz
from lstmlib.lstm import init_lstm_params, lstm_step_forward

matplotlib.use("Agg")


def test_every_path_is_made_of_known_edges():
    everything = {**diagram.EDGES, **diagram.PEEPHOLE_EDGES}
    for name, edges in diagram.PATHS.items():
        assert set(edges) <= set(everything), name
        assert set(diagram.highlighted_edges([name], peepholes=True)) == set(edges)


def test_every_edge_joins_two_nodes_and_has_a_derivative_label():
    for edge in {**diagram.EDGES, **diagram.PEEPHOLE_EDGES}:
        src, dst = edge.split("->")
        assert src in diagram.NODES and dst in diagram.NODES
        assert edge in diagram.DERIVATIVES
    assert set(diagram.GRADIENT_NAMES) <= set(diagram.NODES)


def test_highlight_mixes_paths_edges_and_colours():
    edges = diagram.highlighted_edges({"cell carousel": "green", "o->h": None})
    assert edges == {"c_prev->fc": "green", "fc->c": "green", "c->c_next": "green", "o->h": None}
    assert diagram.highlighted_edges("dh->do") == {"h->h_next": None, "o->h": None}


def test_unknown_names_and_peepholes_without_the_option_are_errors():
    with pytest.raises(ValueError, match="known paths: cell carousel"):
        diagram.highlighted_edges(["carousel"])
    with pytest.raises(ValueError, match="peepholes=True"):
        diagram.highlighted_edges(["peepholes"])
    with pytest.raises(ValueError, match="peepholes=True"):
        diagram.draw_cell(["c->o"])


def test_highlighting_changes_the_picture():
    plain = viz.to_png(diagram.draw_cell())
    carousel = viz.to_png(diagram.draw_cell(["cell carousel"]))
    backward = viz.to_png(diagram.draw_cell(["cell carousel"], backward=True))
    labelled = viz.to_png(diagram.draw_cell(["cell carousel"], backward=True, derivatives=True))
    peep = viz.to_png(diagram.draw_cell(peepholes=True))
    assert len({plain, carousel, backward, labelled, peep}) == 5


def test_draw_cell_on_given_axes_with_peepholes():
    fig = Figure()
    ax = fig.add_subplot()
    assert diagram.draw_cell(["peepholes", "dWx via da"], backward=True, derivatives=True,
                             peepholes=True, title="t", ax=ax) is fig
    texts = {text.get_text() for text in ax.texts}
    assert {"dWx, dWh, db", "$p_o$", "df"} <= texts


# --- the hand-set memory LSTM --------------------------------------------------------------------

def test_memory_lstm_latches_and_counts():
    x, h, cache = lstm_flow.run_memory_lstm("count four stores", forget_bias=6.0)
    _, stores, queries = lstm_flow.memory_inputs("count four stores")
    latch, counter = cache.c[0, :, 0], cache.c[0, :, 1]
    last_value = x[0, stores[-1], 0]
    assert latch[queries[0]] == pytest.approx(np.tanh(2 * last_value), abs=0.02)
    assert counter[-1] == pytest.approx(4 * np.tanh(0.25), abs=0.03)
    assert abs(h[0, queries[0] - 1, 0]) < 0.01  # the latch's output gate is shut until queried
    assert not cache.Wh.any()


def test_memory_fades_with_a_small_forget_bias():
    _, _, cache = lstm_flow.run_memory_lstm("store, then recall", forget_bias=0.0)
    _, _, queries = lstm_flow.memory_inputs("store, then recall")
    assert abs(cache.c[0, queries[0], 0]) < 0.01


def test_cell_path_jacobian_is_diag_f():
    # d c_t / d c_{t-1} with h_{t-1} held fixed: the carousel's Jacobian is diag(f_t)
    rng = np.random.default_rng(0)
    Wx, Wh, b = init_lstm_params(3, 2, rng)  # Wh != 0: h_{t-1} is an input held fixed
    x, prev_h, prev_c = (rng.standard_normal((1, n)) for n in (3, 2, 2))
    _, next_c, cache = lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b)
    def nudged_c(k):
        nudge = 1e-6 * np.eye(2)[k:k + 1]
        return lstm_step_forward(x, prev_h, prev_c + nudge, Wx, Wh, b)[1]

    jac = np.stack([(nudged_c(k) - next_c)[0] / 1e-6 for k in range(2)], axis=1)
    assert np.allclose(jac, np.diag(cache.f[0]), atol=1e-8)


def test_memory_errors_and_figures():
    with pytest.raises(ValueError, match="pattern should be one of"):
        lstm_flow.memory_inputs("nothing")
    _, _, cache = lstm_flow.run_memory_lstm("overwrite")
    with pytest.raises(ValueError, match=r"\(1, T, D\)"):
        diagram.draw_gates(np.zeros((2, 24, 3)), cache, units=[0])
    fig = lstm_flow.draw_memory_lstm("overwrite", 3.0)
    assert len(fig.axes) == 5  # inputs, then gates and states for two units
