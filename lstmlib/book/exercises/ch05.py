"""Chapter 5's coding exercises: the peephole gradients.

- ``peephole-dp``: ``peephole_dp(da_i, da_f, da_o, cache) -> dp (3, H)``, the
  gradient of the three peephole weight vectors from the gates' pre-activation
  gradients. Checked against lstmlib's, with the usual mistakes named (a gate
  looking at the wrong cell state, the batch averaged or not summed, the rows
  out of order), then inside a whole step by central differences.
- ``peephole-step-backward``: the full ``peephole_step_backward(dnext_h,
  dnext_c, cache)`` on lstmlib's forward cache. Checked by the clinic's
  ``diagnose_peephole_step`` (which names catalogued mistakes, e.g. a missing
  peephole path) and by central differences.
"""
import numpy as np

from ... import gradcheck, peephole
from ...activations import dsigmoid_from_output, dtanh_from_output
from ...diagnose import diagnose_peephole_step
from . import TOLERANCE, Verdict, exercise, from_diagnosis, from_gradcheck

CHAPTER = 5
ROWS = ("p_i", "p_f", "p_o")


def _probe(seed=0, N=3, D=4, H=5):
    """One peephole step with every peephole term visible: |c| > 1, |p| ~ 1."""
    rng = np.random.default_rng(seed)
    Wx, Wh, b, p = peephole.init_peephole_params(D, H, rng, peephole_scale=1.0)
    inputs = dict(x=rng.standard_normal((N, D)), prev_h=rng.standard_normal((N, H)),
                  prev_c=2 * rng.standard_normal((N, H)), Wx=Wx, Wh=Wh, b=b, p=p)
    upstream = rng.standard_normal((N, H)), rng.standard_normal((N, H))
    return inputs, upstream


def gate_gradients(dnext_h, dnext_c, cache):
    """da_i, da_f, da_o (N, H) each: the equations of chapter 5's backward pass."""
    da_o = dnext_h * cache.tanh_c * dsigmoid_from_output(cache.o)
    dc = dnext_c + dnext_h * cache.o * dtanh_from_output(cache.tanh_c) + da_o * cache.p[2]
    da_i = dc * cache.g * dsigmoid_from_output(cache.i)
    da_f = dc * cache.prev_c * dsigmoid_from_output(cache.f)
    return da_i, da_f, da_o


def _dp_candidates(da_i, da_f, da_o, cache):
    """Known wrong answers: name -> (what it does, dp)."""
    prev_c, next_c = cache.prev_c, cache.next_c
    N = prev_c.shape[0]

    def rows(c_i, c_f, c_o, reduce=np.sum):
        return np.stack([reduce(da_i * c_i, axis=0), reduce(da_f * c_f, axis=0),
                         reduce(da_o * c_o, axis=0)])

    right = rows(prev_c, prev_c, next_c)
    return {
        "o sees c_{t-1}": ("dp_o uses c_{t-1}, but the output gate peeks at c_t, which "
                           "exists by then", rows(prev_c, prev_c, prev_c)),
        "i, f see c_t": ("dp_i and dp_f use c_t, but the input and forget gates can only "
                         "peek at c_{t-1}", rows(next_c, next_c, next_c)),
        "all swapped": ("each gate uses the other cell state: i and f see c_{t-1}, o sees "
                        "c_t", rows(next_c, next_c, prev_c)),
        "batch mean": ("dp is averaged over the batch; like every weight gradient it is "
                       "a sum over the N examples", right / N),
        "no cell": ("dp is the sum of the gate gradients alone (that is db's block); the "
                    "peephole multiplies a cell state, so dp needs that cell state",
                    rows(1.0, 1.0, 1.0)),
        "rows reversed": ("the rows are in the order p_o, p_f, p_i; p holds p_i, p_f, p_o",
                          right[::-1]),
    }


def _dp_in_a_step(peephole_dp):
    """peephole_step_backward with dp computed by the reader's function."""
    def backward(dnext_h, dnext_c, cache):
        dx, dprev_h, dprev_c, dWx, dWh, db, _ = peephole.peephole_step_backward(
            dnext_h, dnext_c, cache)
        dp = peephole_dp(*gate_gradients(dnext_h, dnext_c, cache), cache)
        return dx, dprev_h, dprev_c, dWx, dWh, db, dp
    return backward


@exercise("peephole-dp", chapter=CHAPTER, section="ch05-backward")
def check_peephole_dp(peephole_dp):
    inputs, upstream = _probe()
    _, _, cache = peephole.peephole_step_forward(*inputs.values())
    da = gate_gradients(*upstream, cache)
    got = np.asarray(peephole_dp(*(a.copy() for a in da), cache), dtype=float)
    H = cache.prev_c.shape[1]
    if got.shape != (3, H):
        if got.shape in ((3, cache.prev_c.shape[0], H), (cache.prev_c.shape[0], 3, H)):
            return Verdict("wrong", f"dp has shape {got.shape}, expected (3, H) = (3, {H}): "
                           "sum over the batch axis (see \"The backward pass\").")
        return Verdict("wrong", f"dp has shape {got.shape}, expected (3, H) = (3, {H}).")
    want = peephole.peephole_step_backward(*upstream, cache)[-1]
    # One tolerance for passing, for naming a slip and for the rows flagged below: the
    # row holding the largest difference is off by at least the whole's relative error,
    # so a dp that fails always names a row.
    if gradcheck.rel_error(got, want) < TOLERANCE:
        report = gradcheck.check_backward(peephole.peephole_step_forward,
                                          _dp_in_a_step(peephole_dp), inputs,
                                          np.random.default_rng(1))
        if report.ok:
            return from_gradcheck(report, "the step's every gradient, with your dp,")
        return from_gradcheck(report)
    for name, (what, candidate) in _dp_candidates(*da, cache).items():
        if gradcheck.rel_error(got, candidate) < TOLERANCE:
            return Verdict("wrong", f"{what} (see the equations for the peephole weights "
                           "in \"The backward pass\").", (name,))
    bad = [f"{row} (relative error {gradcheck.rel_error(got[k], want[k]):.1e})"
           for k, row in enumerate(ROWS)
           if not gradcheck.rel_error(got[k], want[k]) < TOLERANCE]
    return Verdict("wrong", "these rows differ from lstmlib's: " + ", ".join(bad)
                   + ". Each row is the gate's da times the cell state that gate sees, "
                   "summed over the batch.")


@exercise("peephole-step-backward", chapter=CHAPTER, section="ch05-backward")
def check_peephole_step_backward(peephole_step_backward):
    inputs, upstream = _probe()
    _, _, cache = peephole.peephole_step_forward(*inputs.values())
    # A first call outside the diagnoser, so that an untouched stub reads
    # "not attempted" rather than "your backward raised".
    peephole_step_backward(*(u.copy() for u in upstream), cache)
    diagnosis = diagnose_peephole_step(peephole.peephole_step_forward, peephole_step_backward)
    report = gradcheck.check_backward(peephole.peephole_step_forward, peephole_step_backward,
                                      inputs, np.random.default_rng(1))
    if diagnosis.ok and report.ok:
        return Verdict("correct", "the diagnoser sees no mistake, and every gradient matches "
                       f"central differences (largest relative error {report.max_error:.1e}).")
    verdict = from_diagnosis(diagnosis) if not diagnosis.ok else from_gradcheck(report)
    wrong = [row.name for row in report.rows if not row.ok]
    tail = (f" Central differences disagree on {', '.join(wrong)}." if wrong else "")
    return Verdict("wrong", verdict.message + tail
                   + " The equations are in \"The backward pass\" of chapter 5.",
                   verdict.mistakes)
