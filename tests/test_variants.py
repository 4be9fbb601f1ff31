"""lstmlib.diagnose.variants: the plain and the peephole cell share one linear backward."""
import numpy as np
import pytest

from lstmlib import lstm, peephole
from lstmlib.book import source
from lstmlib.diagnose import variants
from lstmlib.diagnose.catalogue import STEP_IDS

# modifies_upstream_in_place is about the caller's array, not a gradient: the peephole
# candidate does not model it.
SHARED_STEP_IDS = [i for i in STEP_IDS if i != "modifies_upstream_in_place"]


def _step_inputs(seed=0, N=3, D=4, H=5):
    rng = np.random.default_rng(seed)
    Wx, Wh, b = lstm.init_lstm_params(D, H, rng)
    b = b + rng.standard_normal(b.shape)  # sigmoid(b) far from 1/2 for every gate
    return dict(x=rng.standard_normal((N, D)), prev_h=rng.standard_normal((N, H)),
                prev_c=rng.standard_normal((N, H)), Wx=Wx, Wh=Wh, b=b), \
        (rng.standard_normal((N, H)), rng.standard_normal((N, H)))


@pytest.mark.parametrize("mid", SHARED_STEP_IDS)
def test_a_peephole_cell_without_peepholes_makes_each_step_mistake_as_the_plain_one(mid):
    inputs, (dnext_h, dnext_c) = _step_inputs()
    H = inputs["prev_h"].shape[1]
    _, _, plain_cache = variants.step_forward(*inputs.values())
    _, _, peep_cache = peephole.peephole_step_forward(*inputs.values(), np.zeros((3, H)))
    plain = variants.step_backward(mid)(dnext_h.copy(), dnext_c.copy(), plain_cache)
    peep = variants.peephole_backward_with(dnext_h.copy(), dnext_c.copy(), peep_cache,
                                           frozenset([mid]), b=inputs["b"])
    for name, want, got in zip(["dx", "dprev_h", "dprev_c", "dWx", "dWh", "db"], plain, peep):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14, err_msg=name)


def test_peephole_backward_with_asks_for_b_when_the_mistake_reads_it():
    inputs, upstream = _step_inputs()
    H = inputs["prev_h"].shape[1]
    _, _, cache = peephole.peephole_step_forward(*inputs.values(), np.ones((3, H)))
    with pytest.raises(ValueError, match="b is needed for bias_grad_scaled_by_sigmoid"):
        variants.peephole_backward_with(*upstream, cache, frozenset(["bias_grad_scaled_by_sigmoid"]))
    # every other mistake, and the correct backward, does without b
    right = variants.peephole_backward_with(*upstream, cache, frozenset())
    for want, got in zip(peephole.peephole_step_backward(*upstream, cache), right):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)
    variants.peephole_backward_with(*upstream, cache, frozenset(["bias_grad_averaged"]))


def test_the_linear_half_is_marked_once_for_both_cells():
    right, wrong = source.marked_lines("bias_grad_scaled_by_sigmoid")
    assert right == ["db = da.sum(axis=0)"]
    assert wrong == ["db = db * sigmoid(cache.b)"]
    _, wrong = source.marked_lines("cell_error_is_output_gate_error")
    assert wrong == ["da_sent_back = np.zeros_like(da)",
                     "da_sent_back[:, 2 * H:3 * H] = da[:, 2 * H:3 * H]"]
