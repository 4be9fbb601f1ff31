"""lstmlib.diagnose: names every catalogued mistake, and only those, on code it has never seen."""
from collections import Counter

import numpy as np
import pytest
from independent_impls import all_implementations

from lstmlib import data, diagnose, layers, lstm, peephole
from lstmlib.book import clinic_views, viz
from lstmlib.diagnose import mistakes

DIAGNOSERS = {"step": diagnose.diagnose_step, "sequence": diagnose.diagnose_sequence,
              "loss": diagnose.diagnose_loss, "peephole_step": diagnose.diagnose_peephole_step}


def verdict(d):
    """What a diagnosis says, in the vocabulary of the independent implementations' ``expect``."""
    if d.ok:
        return None
    if d.problem is not None and "forward disagrees" in d.problem:
        return "forward"
    if not d.mistakes:
        return "unknown"
    return d.mistakes[0] if len(d.mistakes) == 1 else tuple(d.mistakes)


IMPLEMENTATIONS = all_implementations()


@pytest.mark.parametrize("impl", IMPLEMENTATIONS, ids=[i["name"] for i in IMPLEMENTATIONS])
def test_independent_implementation_is_diagnosed_right(impl):
    d = DIAGNOSERS[impl["kind"]](*impl["functions"])
    expect = impl["expect"]
    got = verdict(d)
    if isinstance(expect, tuple):
        assert set(got) == set(expect), str(d)
    else:
        assert got == expect or expect in d.equivalent, str(d)
    assert d.ok == (expect is None)


def test_confusion_over_independent_implementations(capsys):
    """Summary: correct ones called ok, buggy ones named right, unknown ones left unnamed."""
    table = Counter()
    for impl in IMPLEMENTATIONS:
        d = DIAGNOSERS[impl["kind"]](*impl["functions"])
        truth = ("correct" if impl["expect"] is None else
                 "off-catalogue" if impl["expect"] in ("unknown", "forward") else "catalogued")
        got = verdict(d)
        expect = impl["expect"]
        right = set(got) == set(expect) if isinstance(expect, tuple) else got == expect
        table[truth, "right" if right else "wrong"] += 1
    with capsys.disabled():
        print("\nindependent implementations:", dict(sorted(table.items())))
    assert table["correct", "right"] >= 10 and table["catalogued", "right"] >= 30
    assert sum(v for (_, outcome), v in table.items() if outcome == "wrong") == 0


@pytest.mark.parametrize("mid", mistakes.STEP_IDS)
def test_every_step_mistake_is_named_alone_and_inside_a_sequence(mid):
    d = diagnose.diagnose_step(mistakes.step_forward, mistakes.step_backward(mid))
    assert d.mistakes == (mid,) and not d.ok
    d = diagnose.diagnose_sequence(mistakes.sequence_forward, mistakes.sequence_backward(mid))
    assert mid in d.mistakes + d.equivalent and not d.ok


@pytest.mark.parametrize("mid", mistakes.SEQUENCE_IDS + mistakes.LOSS_IDS + mistakes.PEEPHOLE_IDS)
def test_every_other_mistake_is_named(mid):
    if mid in mistakes.SEQUENCE_IDS:
        d = diagnose.diagnose_sequence(mistakes.sequence_forward, mistakes.sequence_backward(mid))
    elif mid in mistakes.LOSS_IDS:
        d = diagnose.diagnose_loss(mistakes.softmax_loss(mid))
    else:
        forward = mistakes.peephole_step_forward(
            *[m for m in (mid,) if m == "peephole_output_gate_sees_prev_cell"])
        d = diagnose.diagnose_peephole_step(forward, mistakes.peephole_step_backward(mid))
    assert d.mistakes == (mid,), str(d)
    section = mistakes.SECTIONS[mistakes.CATALOGUE[mid].section]
    report = " ".join(str(d).split())  # the report is wrapped to 78 columns
    where = f'Explained in chapter {section.chapter}, section "{section.title}".'
    assert where in report and mid in report


def test_lstmlib_itself_is_ok_in_float64_and_float32():
    assert diagnose.diagnose_step(lstm.lstm_step_forward, lstm.lstm_step_backward).ok
    assert diagnose.diagnose_sequence(lstm.lstm_forward, lstm.lstm_backward).ok
    assert diagnose.diagnose_loss(layers.softmax_loss).ok
    assert diagnose.diagnose_peephole_step(peephole.peephole_step_forward,
                                           peephole.peephole_step_backward).ok

    def forward32(x, h0, Wx, Wh, b):
        return lstm.lstm_forward(*(a.astype(np.float32) for a in (x, h0, Wx, Wh, b)))

    def backward32(dh, cache):
        return lstm.lstm_backward(dh.astype(np.float32), cache)

    d = diagnose.diagnose_sequence(forward32, backward32)
    assert d.ok and d.tolerance == 1e-4 and 0 < max(d.errors.values()) < 1e-5


def test_where_the_mistake_sits_by_gate_and_time():
    d = diagnose.diagnose_sequence(mistakes.sequence_forward,
                                   mistakes.sequence_backward("ones_initial_state"))
    wrong = d.gate_errors > 1e-7
    assert wrong[1, 0] and wrong.sum() == 1  # the forget gate, at t = 0 only
    d = diagnose.diagnose_sequence(mistakes.sequence_forward,
                                   mistakes.sequence_backward("dropped_recurrent_h_grad"))
    assert d.gate_errors[:, -1].max() < 1e-12 and d.gate_errors[:, :-1].min(axis=0).max() > 1e-3
    d = diagnose.diagnose_step(mistakes.step_forward, mistakes.step_backward("gate_blocks_swapped"))
    assert set(np.flatnonzero(d.gate_errors[:, 0] > 1e-7)) == {0, 1}
    assert "dWx, dWh, db are wrong in the gate block(s) i, f only" in " ".join(str(d).split())


def test_sequence_length_one_hides_the_recurrent_mistakes():
    hidden = [mid for mid in mistakes.SEQUENCE_IDS
              if diagnose.diagnose_sequence(mistakes.sequence_forward,
                                            mistakes.sequence_backward(mid), T=1).ok]
    assert {"dropped_recurrent_h_grad", "dropped_recurrent_c_grad",
            "recurrent_grad_assigned_not_added", "backward_loop_runs_forward_in_time",
            "weight_grads_assigned_not_accumulated"} <= set(hidden)
    assert "ones_initial_state" not in hidden


def test_two_mistakes_at_once_are_both_named():
    d = diagnose.diagnose_sequence(
        mistakes.sequence_forward,
        mistakes.sequence_backward("tanh_grad_at_preactivation", "dropped_recurrent_h_grad"))
    assert set(d.mistakes) == {"tanh_grad_at_preactivation", "dropped_recurrent_h_grad"}
    assert str(d).startswith("diagnose_sequence: two known mistakes found.")


def test_problems_are_reported_not_raised():
    def broken_backward(dh, cache):
        raise IndexError("tuple index out of range")
    d = diagnose.diagnose_sequence(lstm.lstm_forward, broken_backward)
    assert not d.ok and "IndexError" in d.problem

    def too_few(dnext_h, dnext_c, cache):
        return lstm.lstm_step_backward(dnext_h, dnext_c, cache)[:5]
    d = diagnose.diagnose_step(lstm.lstm_step_forward, too_few)
    assert "should return 6 values" in d.problem

    def transposed_dWx(dnext_h, dnext_c, cache):
        dx, dh, dc, dWx, dWh, db = lstm.lstm_step_backward(dnext_h, dnext_c, cache)
        return dx, dh, dc, dWx.T, dWh, db
    d = diagnose.diagnose_step(lstm.lstm_step_forward, transposed_dWx)
    assert "dWx" in d.problem and "shape" in d.problem

    def keepdims_db(dnext_h, dnext_c, cache):
        *rest, db = lstm.lstm_step_backward(dnext_h, dnext_c, cache)
        return (*rest, db[None, :])
    assert diagnose.diagnose_step(lstm.lstm_step_forward, keepdims_db).ok
    assert "(next_h, next_c, cache)" in diagnose.diagnose_step(lambda *a: a[0],
                                                               lstm.lstm_step_backward).problem


def test_unknown_mistake_says_what_and_where():
    def half_db(dnext_h, dnext_c, cache):
        *rest, db = lstm.lstm_step_backward(dnext_h, dnext_c, cache)
        db = db.copy()
        db[6:9] *= 0.5  # the output gate's block, H = 3
        return (*rest, db)
    d = diagnose.diagnose_step(lstm.lstm_step_forward, half_db)
    assert not d.ok and d.mistake is None and d.wrong() == ["db"]
    report = " ".join(str(d).split())
    assert "db is wrong in the gate block(s) o only" in report
    assert "no catalogued mistake" in report


def test_diagnosis_is_deterministic():
    run = [str(diagnose.diagnose_sequence(mistakes.sequence_forward,
                                          mistakes.sequence_backward("gate_blocks_swapped")))
           for _ in range(2)]
    assert run[0] == run[1]


def test_probes_expose_what_they_promise():
    inputs, _ = diagnose.step_probe()
    _, next_c, _ = lstm.lstm_step_forward(*inputs.values())
    assert np.abs(next_c).max() > 1.2
    inputs, _ = diagnose.sequence_probe()
    _, cache = lstm.lstm_forward(*inputs.values())
    assert np.abs(cache.c).max() > 1.5 and np.abs(inputs["h0"] - 1).min() > 0.05
    D, H4 = inputs["Wx"].shape
    assert D >= H4 and np.linalg.matrix_rank(inputs["Wx"]) == H4


TEXT = "abcab cabca bcabc " * 3


def _explorer():
    vocab = data.char_vocab(TEXT)
    return clinic_views.mistake_explorer(data.encode(TEXT, vocab), len(vocab.chars),
                                     ["gate_blocks_swapped", "softmax_grad_on_cross_entropy"],
                                     steps=15)


def test_explorer_dashboard_redraws_when_a_control_moves():
    draw, controls = _explorer()
    dash = viz.dashboard(draw, controls)
    before = dash.image.value
    dash.controls["switched"].value = "on"
    assert dash.image.value != before
    after_switch = dash.image.value
    dash.controls["mistake"].value = "softmax_grad_on_cross_entropy"
    assert dash.image.value != after_switch


def test_explorer_scrubber_frames_differ():
    draw, controls = _explorer()
    frames = viz.scrubber(draw, {"mistake": controls["mistake"][:1], "switched": ["off", "on"]}
                          ).frames
    assert len(frames) == 2 and len(set(frames.values())) == 2


def test_bad_arguments_raise_value_errors():
    with pytest.raises(ValueError, match="T should be"):
        diagnose.diagnose_sequence(lstm.lstm_forward, lstm.lstm_backward, T=0)
    with pytest.raises(ValueError, match="unknown: \\['no_such_mistake'\\]"):
        clinic_views.mistake_explorer(np.arange(10) % 3, 3, ["no_such_mistake"])
    with pytest.raises(ValueError, match="non-empty"):
        clinic_views.mistake_explorer(np.arange(10) % 3, 3, [])


def test_smooth():
    np.testing.assert_allclose(clinic_views.smooth([1, 2, 3, 4], window=2), [1, 1.5, 2.5, 3.5])
