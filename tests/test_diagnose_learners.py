"""Issue 14: the diagnoser on learner-style code written without lstmlib.diagnose.variants.

Each class of the issue: a summed (or N*T-averaged) loss with the softmax mistake; three and
four mistakes at once; every plain-cell mistake inside a peephole cell; the tied-peephole
forward; a forward wrong on purpose, checked against itself; per-gate layouts via adapters.
"""
from collections import Counter

import numpy as np
import pytest
from learner_impls import cpp_port, forward_wrong, peephole_guesses, per_gate, summed_loss

from lstmlib import diagnose, lstm, peephole
from lstmlib.diagnose import adapters

DIAGNOSERS = {"step": diagnose.diagnose_step, "sequence": diagnose.diagnose_sequence,
              "loss": diagnose.diagnose_loss, "peephole_step": diagnose.diagnose_peephole_step}
MODULES = {"many_mistakes": cpp_port, "loss_convention": summed_loss,
           "peephole_plain_mistakes": peephole_guesses, "forward_mistakes": forward_wrong}
CASES = [(cls, impl) for cls, mod in MODULES.items() for impl in mod.IMPLEMENTATIONS]


def named_right(d, expect):
    if expect is None:
        return d.ok and not d.mistakes
    if expect == "forward":
        return (not d.ok and not d.mistakes and d.problem is not None
                and "forward disagrees" in d.problem)
    want = set(expect) if isinstance(expect, tuple) else {expect}
    return not d.ok and set(d.mistakes) == want and len(d.mistakes) == len(want)


@pytest.mark.parametrize("cls,impl", CASES, ids=[f"{c}.{i['name']}" for c, i in CASES])
def test_learner_code_is_named_exactly(cls, impl):
    d = DIAGNOSERS[impl["kind"]](*impl["functions"])
    assert named_right(d, impl["expect"]), str(d)
    if "convention" in impl:
        assert d.convention == impl["convention"]
        assert f"Your loss is the {impl['convention']}" in " ".join(str(d).split())
    if "own" in impl:
        assert d.backward_matches_own_forward is impl["own"], str(d)
        verdict = "is" if impl["own"] else "is NOT"
        assert f"Your backward {verdict} the true gradient of your own forward" in " ".join(
            str(d).split())


def test_the_first_posts_est_removed_backward_names_all_three():
    d = diagnose.diagnose_sequence(cpp_port.forward,
                                   cpp_port.make_backward(("tanh_c", "ones", "no_est")))
    assert set(d.mistakes) == {"tanh_grad_at_preactivation", "ones_initial_state",
                               "dropped_recurrent_h_grad"}
    report = " ".join(str(d).split())
    assert report.startswith("diagnose_sequence: three known mistakes found.")
    assert abs(sum(d.shares.values()) - 1) < 1e-9 and d.unexplained == 0
    # listed by the share of the error each one's fix removes, largest first
    assert [d.shares[m] for m in d.mistakes] == sorted(d.shares.values(), reverse=True)
    assert "% of the error)" in report


def test_four_mistakes_at_once():
    d = diagnose.diagnose_sequence(cpp_port.forward,
                                   cpp_port.make_backward(("tanh_c", "ones", "no_est", "no_f")))
    assert len(d.mistakes) == 4 and d.mistake == "missing_forget_in_dprev_c"
    assert "four known mistakes found" in str(d)


def test_peeling_leaves_off_catalogue_code_unnamed_but_says_what_remains():
    backward = cpp_port.make_backward(("tanh_c", "ones"))

    def plus_unknown(dh, cache):
        dx, dh0, dWx, dWh, db = backward(dh, cache)
        return dx, dh0, dWx, dWh * 1.3, db  # something no catalogued mistake does
    d = diagnose.diagnose_sequence(cpp_port.forward, plus_unknown)
    assert not d.ok and d.mistake is None and 0 < d.unexplained < 1
    assert "no catalogued mistake" in str(d) and "remains unexplained" in " ".join(str(d).split())


def test_where_for_cell_error_is_output_gate_error_blames_the_blocks_sent_back():
    d = diagnose.diagnose_peephole_step(peephole_guesses.forward,
                                        peephole_guesses.make_backward("cell_error_is_o"))
    assert d.wrong() == ["dx", "dprev_h"]
    report = " ".join(str(d).split())
    assert "dL/da itself is right (dWx, db pass)" in report
    assert "wrong in the gate block(s) i, f, g" in report
    assert "dL/da (seen through dx) is wrong" not in report


def test_every_step_mistake_has_a_peephole_learner_case():
    named = {i["expect"] for i in peephole_guesses.IMPLEMENTATIONS if i["expect"]}
    assert named == set(diagnose.catalogue.STEP_IDS)


def test_correct_code_is_ok_and_names_nothing_under_every_convention():
    for fn in (summed_loss.loss_sum, summed_loss.loss_mean_NT):
        d = diagnose.diagnose_loss(fn)
        assert d.ok and d.mistakes == () and d.shares == {}
    assert diagnose.diagnose_peephole_step(peephole.peephole_step_forward,
                                           peephole.peephole_step_backward).ok


@pytest.mark.parametrize("name,bug,expect", per_gate.CASES)
def test_per_gate_dicts_on_h_x_columns(name, bug, expect):
    fwd, bwd = adapters.per_gate_step(per_gate.cell_forward, per_gate.make_cell_backward(bug),
                                      names=("Wi", "Wf", "Wo", "Wg"),
                                      bias_names=("bi", "bf", "bo", "bg"), order="hx",
                                      layout="rows")
    d = diagnose.diagnose_step(fwd, bwd)
    assert named_right(d, expect), str(d)


@pytest.mark.parametrize("name,bug,expect", per_gate.TORCH_CASES)
def test_pytorch_layout(name, bug, expect):
    d = diagnose.diagnose_step(*adapters.pytorch_step(per_gate.torch_forward,
                                                      per_gate.make_torch_backward(bug)))
    assert named_right(d, expect), str(d)


def test_adapter_layouts_round_trip_lstmlib_itself():
    """lstmlib's own step, rewritten into each layout by hand, comes back ok."""
    for order in ("hx", "xh"):
        for layout in ("rows", "cols"):
            for stacked, names, gate_order in ((False, ("i", "f", "o", "g"), "ifog"),
                                               (False, None, "ifgo"), (True, None, "ifgo")):
                def fwd(x, h, c, W, bias, order=order, layout=layout, stacked=stacked,
                        names=names, gate_order=gate_order):
                    H, D = h.shape[1], x.shape[1]
                    if stacked:
                        Ws = np.split(W, 4, axis=0 if layout == "rows" else 1)
                        bs = np.split(bias, 4)
                    elif names:
                        Ws, bs = [W[n] for n in names], [bias[n] for n in names]
                        gate_order = "ifog"
                    else:
                        Ws, bs = W, bias
                    blocks = dict(zip(gate_order, zip(Ws, bs)))
                    cols = []
                    for gate in "ifog":
                        w, bb = blocks[gate]
                        w = w.T if layout == "rows" else w
                        wh, wx = (w[:H], w[H:]) if order == "hx" else (w[D:], w[:D])
                        cols.append((wx, wh, bb))
                    Wx = np.concatenate([c_[0] for c_ in cols], axis=1)
                    Wh = np.concatenate([c_[1] for c_ in cols], axis=1)
                    b = np.concatenate([c_[2] for c_ in cols])
                    return lstm.lstm_step_forward(x, h, c, Wx, Wh, b)

                def bwd(dh, dc, cache, order=order, layout=layout, stacked=stacked,
                        names=names, gate_order=gate_order):
                    dx, dph, dpc, dWx, dWh, db = lstm.lstm_step_backward(dh, dc, cache)
                    H = dWh.shape[0]
                    per = {}
                    for k, gate in enumerate("ifog"):
                        sl = slice(k * H, (k + 1) * H)
                        w = np.concatenate([dWh[:, sl], dWx[:, sl]] if order == "hx"
                                           else [dWx[:, sl], dWh[:, sl]], axis=0)
                        per[gate] = (w.T if layout == "rows" else w, db[sl])
                    if stacked:
                        return (dx, dph, dpc,
                                np.concatenate([per[g][0] for g in gate_order],
                                               axis=0 if layout == "rows" else 1),
                                np.concatenate([per[g][1] for g in gate_order]))
                    if names:
                        return (dx, dph, dpc, {n: per[g][0] for n, g in zip(names, "ifog")},
                                {n: per[g][1] for n, g in zip(names, "ifog")})
                    return (dx, dph, dpc, [per[g][0] for g in gate_order],
                            [per[g][1] for g in gate_order])

                d = diagnose.diagnose_step(*adapters.per_gate_step(
                    fwd, bwd, names=names, gate_order=gate_order, order=order, layout=layout,
                    stacked=stacked))
                assert d.ok, (order, layout, stacked, names, str(d))


def test_adapter_rejects_bad_options():
    with pytest.raises(ValueError, match="order should be"):
        adapters.per_gate_step(None, None, order="xx")
    with pytest.raises(ValueError, match="gate_order"):
        adapters.per_gate_step(None, None, gate_order="iffo")


def test_accuracy_by_class(capsys):
    table = Counter()
    for cls, impl in CASES:
        d = DIAGNOSERS[impl["kind"]](*impl["functions"])
        table[cls, named_right(d, impl["expect"])] += 1
    with capsys.disabled():
        print("\nlearner implementations by class (class, right):", dict(sorted(table.items())))
    assert not any(v for (_, right), v in table.items() if not right)
