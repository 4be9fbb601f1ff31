"""Chapter 3's coding exercises: one LSTM step backward, and its dc line alone.

Both are checked the same two ways: by the clinic's ``diagnose_step``, which
compares the reader's gradients with lstmlib's on a probe chosen so that every
catalogued step mistake shows, and names the mistake with the section that
explains it; and by central differences of lstmlib's forward.
"""
import numpy as np

from ... import gradcheck
from ...activations import dsigmoid_from_output, dtanh_from_output
from ...diagnose import diagnose_step, step_probe
from ...lstm import lstm_step_forward
from . import Verdict, exercise, from_diagnosis, from_gradcheck


def _diagnose_then_gradcheck(backward, what):
    """The diagnosis first (it names a mistake); if it sees none, central differences."""
    verdict = from_diagnosis(diagnose_step(lstm_step_forward, backward))
    if not verdict.ok:
        return verdict
    inputs, _ = step_probe(seed=1)
    report = gradcheck.check_backward(lstm_step_forward, backward, inputs,
                                      np.random.default_rng(1))
    if not report.ok:
        return from_gradcheck(report, what)
    return Verdict("correct", f"the diagnoser sees no mistake, and {what} matches central "
                   f"differences (largest relative error {report.max_error:.1e}).")


@exercise("lstm-step-backward", chapter=3, section="sec-03-whole-step")
def check_step_backward(lstm_step_backward):
    """lstm_step_backward(dnext_h, dnext_c, cache) -> dx, dprev_h, dprev_c, dWx, dWh, db."""
    inputs, upstream = step_probe()
    _, _, cache = lstm_step_forward(*inputs.values())
    lstm_step_backward(*(u.copy() for u in upstream), cache)  # an untouched stub stops here
    return _diagnose_then_gradcheck(lstm_step_backward, "every gradient")


def step_backward_with_dc(cell_state_grad):
    """lstmlib's step backward, with the dc line replaced by ``cell_state_grad``.

    cell_state_grad(dnext_h, dnext_c, cache) -> dc (N, H), the gradient of c_t.
    Returns a backward(dnext_h, dnext_c, cache) in the classic signature.
    """
    def backward(dnext_h, dnext_c, cache):
        i, f, o, g, tanh_c = cache.i, cache.f, cache.o, cache.g, cache.tanh_c
        # Copies: a dc line that writes into its arguments must not change ours.
        dc = np.asarray(cell_state_grad(dnext_h.copy(), dnext_c.copy(), cache), dtype=float)
        if dc.shape != i.shape:
            raise ValueError(f"dc has shape {dc.shape}, expected {i.shape} (N, H)")
        do = dnext_h * tanh_c
        da = np.concatenate([dc * g * dsigmoid_from_output(i),
                             dc * cache.prev_c * dsigmoid_from_output(f),
                             do * dsigmoid_from_output(o),
                             dc * i * dtanh_from_output(g)], axis=1)
        return (da @ cache.Wx.T, da @ cache.Wh.T, dc * f,
                cache.x.T @ da, cache.prev_h.T @ da, da.sum(axis=0))
    return backward


@exercise("dc-line", chapter=3, section="sec-03-dc")
def check_dc_line(cell_state_grad):
    """cell_state_grad(dnext_h, dnext_c, cache) -> dc (N, H)."""
    inputs, upstream = step_probe()
    _, _, cache = lstm_step_forward(*inputs.values())
    dc = cell_state_grad(*(u.copy() for u in upstream), cache)  # the stub raises here
    if np.shape(dc) != cache.i.shape:
        return Verdict("wrong", f"dc has shape {np.shape(dc)}, expected {cache.i.shape} "
                       "(N, H): the shape of c_t.")
    return _diagnose_then_gradcheck(step_backward_with_dc(cell_state_grad),
                                    "the step backward built on your dc")
