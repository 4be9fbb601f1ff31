"""The sequence contract (see ``lstmlib``'s docstring), walked through by all five families.

forward(x, h0, *weights, *, c0=..., ...) -> h, cache; backward(dh, cache) -> dx, dh0, *dweights;
backward_with_state(dh, cache) -> dx, dh0, [dc0,] *dweights; weights are checked first; the
upstream gradient's shape is checked against h; c0 (and k) are keyword-only.
"""
import inspect

import numpy as np
import pytest

from lstmlib import lstm, peephole, rnn, stacked, tbptt
from lstmlib.gradcheck import check_loss

N, T, D, H = 2, 4, 3, 3


def _family(name):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((N, T, D))
    h0, c0 = rng.standard_normal((N, H)), rng.standard_normal((N, H))
    if name == "rnn":
        weights = list(rnn.init_rnn_params(D, H, rng, spectral_radius=0.9))
        weights[2] = rng.standard_normal(H)
        return dict(forward=rnn.rnn_forward, backward=rnn.rnn_backward,
                    with_state=rnn.rnn_backward_with_state, x=x, states=[h0], weights=weights,
                    cell=False, extra={})
    if name == "stacked":
        params = stacked.init_stacked_params(D, [H, H], rng)
        h0s = [rng.standard_normal((N, H)) for _ in params]
        c0s = [rng.standard_normal((N, H)) for _ in params]
        return dict(forward=stacked.stacked_lstm_forward, backward=stacked.stacked_lstm_backward,
                    with_state=stacked.stacked_lstm_backward_with_state, x=x, states=[h0s, c0s],
                    weights=[params], cell=True, extra={})
    weights = list(lstm.init_lstm_params(D, H, rng))
    weights[2] = weights[2] + rng.uniform(-0.5, 0.5, 4 * H)
    if name == "peephole":
        weights.append(rng.uniform(-0.5, 0.5, (3, H)))
        return dict(forward=peephole.peephole_forward, backward=peephole.peephole_backward,
                    with_state=peephole.peephole_backward_with_state, x=x, states=[h0, c0],
                    weights=weights, cell=True, extra={})
    if name == "lstm":
        return dict(forward=lstm.lstm_forward, backward=lstm.lstm_backward,
                    with_state=lstm.lstm_backward_with_state, x=x, states=[h0, c0],
                    weights=weights, cell=True, extra={})
    # T >= k, so the first window's initial state still receives a gradient
    return dict(forward=tbptt.tbptt_forward, backward=tbptt.tbptt_backward,
                with_state=tbptt.tbptt_backward_with_state, x=x, states=[h0, c0],
                weights=weights, cell=True, extra={"k": 2})


FAMILIES = ["rnn", "lstm", "peephole", "tbptt", "stacked"]


def _run(fam, x=None, states=None, weights=None):
    x = fam["x"] if x is None else x
    states = fam["states"] if states is None else states
    weights = fam["weights"] if weights is None else weights
    kwargs = dict(fam["extra"])
    if fam["cell"]:
        kwargs["c0s" if fam["forward"] is stacked.stacked_lstm_forward else "c0"] = states[1]
    return fam["forward"](x, states[0], *weights, **kwargs)


@pytest.mark.parametrize("name", FAMILIES)
def test_signatures(name):
    fam = _family(name)
    params = inspect.signature(fam["forward"]).parameters
    positional = [p for p, v in params.items() if v.kind is v.POSITIONAL_OR_KEYWORD]
    keyword_only = [p for p, v in params.items() if v.kind is v.KEYWORD_ONLY]
    assert positional[:2] == ["x", "h0s" if name == "stacked" else "h0"]
    assert len(positional) == 2 + len(fam["weights"])
    if fam["cell"]:
        assert ("c0s" if name == "stacked" else "c0") in keyword_only
    for backward in (fam["backward"], fam["with_state"]):
        assert list(inspect.signature(backward).parameters)[:2] == ["dh", "cache"]


@pytest.mark.parametrize("name", FAMILIES)
def test_backward_and_with_state_return_the_documented_order(name):
    fam = _family(name)
    h, cache = _run(fam)
    assert h.shape == (N, T, H)
    dh = np.random.default_rng(1).standard_normal(h.shape)
    full = fam["with_state"](dh, cache)
    short = fam["backward"](dh, cache)
    n_states = 2 if fam["cell"] else 1
    dx, state_grads, weight_grads = full[0], full[1:1 + n_states], full[1 + n_states:]
    assert dx.shape == fam["x"].shape
    if name == "stacked":
        # the classic backward is the with-state one without dc0s, given c0s or not
        assert len(short) == len(full) - 1
        weight_grads = weight_grads[0]
        flat_weights = [w for layer in fam["weights"][0] for w in layer]
        flat_grads = [g for layer in weight_grads for g in layer]
        for got, state in zip(state_grads, fam["states"]):
            assert [g.shape for g in got] == [s.shape for s in state]
        flat = [short[0], *short[1], *(g for layer in short[2] for g in layer)]
        expected = [full[0], *full[1], *(g for layer in full[3] for g in layer)]
        for a, b in zip(flat, expected, strict=True):
            np.testing.assert_array_equal(a, b)
        no_c0, no_c0_cache = stacked.stacked_lstm_forward(fam["x"], fam["states"][0],
                                                          fam["weights"][0])
        assert len(stacked.stacked_lstm_backward(dh, no_c0_cache)) == 3  # dx, dh0s, dparams
    else:
        flat_weights, flat_grads = fam["weights"], list(weight_grads)
        assert len(short) == len(full) - (n_states - 1)
        for got, state in zip(state_grads, fam["states"]):
            assert got.shape == state.shape
        # backward = with_state without dc0
        for a, b in zip(short, [full[0], full[1], *full[1 + n_states:]]):
            np.testing.assert_array_equal(a, b)
    assert [g.shape for g in flat_grads] == [w.shape for w in flat_weights]


@pytest.mark.parametrize("name", FAMILIES)
def test_state_gradients_are_the_gradients_of_the_initial_states(name):
    fam = _family(name)
    h, cache = _run(fam)
    dh = np.random.default_rng(2).standard_normal(h.shape)
    full = fam["with_state"](dh, cache)
    n_states = 2 if fam["cell"] else 1
    states = fam["states"]
    if name == "stacked":
        arrays = {f"{kind}{layer}": states[k][layer]
                  for k, kind in enumerate(("h0_", "c0_")) for layer in range(2)}
        grads = {f"{kind}{layer}": full[1 + k][layer]
                 for k, kind in enumerate(("h0_", "c0_")) for layer in range(2)}
    else:
        arrays = dict(zip(("h0", "c0")[:n_states], states))
        grads = dict(zip(("h0", "c0")[:n_states], full[1:1 + n_states]))
    # TBPTT's dh0, dc0 are truncated too: exact for the loss of the first window only.
    window = slice(0, fam["extra"].get("k", T))
    report = check_loss(lambda: float(np.sum(_run(fam)[0][:, window] * dh[:, window])),
                        arrays, grads)
    assert report.ok, report


@pytest.mark.parametrize("name", FAMILIES)
def test_wrong_upstream_shape_is_named(name):
    fam = _family(name)
    h, cache = _run(fam)
    for backward in (fam["backward"], fam["with_state"]):
        with pytest.raises(ValueError, match="dh should have shape"):
            backward(np.zeros((N, T + 1, H)), cache)


@pytest.mark.parametrize("name", FAMILIES)
def test_weights_are_checked_first(name):
    # A bad x together with a transposed Wh: the weight is the one blamed.
    fam = _family(name)
    bad_x = np.zeros((N, T, D + 1))
    if name == "stacked":
        (Wx, Wh, b), second = fam["weights"][0]
        weights = [[(Wx, np.ascontiguousarray(Wh.T), b), second]]
    else:
        weights = list(fam["weights"])
        weights[1] = np.ascontiguousarray(weights[1].T)
    if name == "rnn":
        weights[1] = np.zeros((H + 1, H))
    with pytest.raises(ValueError, match="Wh should have shape"):
        _run(fam, x=bad_x, weights=weights)


@pytest.mark.parametrize("name", ["lstm", "peephole", "tbptt"])
def test_c0_is_keyword_only(name):
    fam = _family(name)
    with pytest.raises(TypeError):
        fam["forward"](fam["x"], fam["states"][0], *fam["weights"], fam["states"][1])
