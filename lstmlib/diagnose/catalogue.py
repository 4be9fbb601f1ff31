"""The mistake catalogue: known LSTM backprop mistakes, with where they come from.

``CATALOGUE`` maps a mistake's id to a ``Mistake``: a title, what goes wrong,
where it comes from (one of the learners' posts, or "common") and the
section that explains it: a label of ``SECTIONS``, which gives the section's chapter
and heading (chapter 6 for the mistakes of the first, second and fourth posts;
chapter 7 for the gallery of common mistakes and for checking your own code, where
the third post's short-cut is). ``STEP_IDS``, ``SEQUENCE_IDS``,
``LOSS_IDS``, ``HEAD_IDS`` and ``PEEPHOLE_IDS`` list the ids that exist as
runnable code in ``lstmlib.diagnose.variants``.
"""
from typing import NamedTuple


class Mistake(NamedTuple):
    id: str
    title: str        # one line, for tables and reports
    description: str  # what the wrong code does and what the right code does
    source: str       # "post 000" ... "post 003" (the learners' posts) or "common"
    level: str        # step, sequence, loss, head, peephole, model or setup
    section: str      # label of the section that explains it (a key of SECTIONS)


class Section(NamedTuple):
    """Where a mistake is explained: the chapter and the section's heading.

    ``section.reference()`` is how verdicts and reports point to it.
    """
    chapter: int      # the chapter the section is in
    title: str        # its heading

    def reference(self, say_section=False):
        """'chapter 6, "M1: ..."'; with say_section, 'chapter 6, section "M1: ..."'."""
        kind = "section " if say_section else ""
        return f'chapter {self.chapter}, {kind}"{self.title}"'


SECTIONS = {
    "clinic-m1": Section(6, "M1: the tanh derivative taken at the wrong place"),
    "clinic-m2": Section(6, "M2: a softmax derivative too many"),
    "clinic-m3": Section(6, "M3: the initial state the backward invents"),
    "clinic-m4": Section(6, "M4: the recurrent term est"),
    "clinic-peephole": Section(6, "The second post: a peephole cell built from guesses"),
    "clinic-fourth-post": Section(6, "The fourth post: a recurrent network that never recurs"),
    "clinic-gallery": Section(7, "A gallery of common mistakes"),
    "clinic-own-code": Section(7, "Diagnosing your own code"),
}


def _m(id, title, description, source, level, section):
    return id, Mistake(id, title, description, source, level, section)


CATALOGUE = dict([
    # --- the first post (000): a C++ char model whose backward has three mistakes -------------
    _m("tanh_grad_at_preactivation", "tanh' of the cell taken at c instead of tanh(c)",
       "dc gets dnext_h * o * (1 - c**2); the derivative of tanh written in terms of its "
       "output needs 1 - tanh(c)**2. The factor is wrong everywhere and negative once |c| > 1.",
       "post 000", "step", "clinic-m1"),
    _m("softmax_grad_on_cross_entropy", "softmax derivative applied on top of cross-entropy",
       "dscores gets (p - onehot) * p * (1 - p); softmax followed by cross-entropy already has "
       "the gradient p - onehot, with no further factor.",
       "post 000", "loss", "clinic-m2"),
    _m("ones_initial_state", "the backward assumes h and c started at ones",
       "At t = 0 the backward uses h_{-1} = c_{-1} = 1 (in dWh and in the forget gate's "
       "gradient) while the forward started from h0 and c0 = 0.",
       "post 000", "sequence", "clinic-m3"),
    _m("dropped_recurrent_h_grad", "dL/dh_{t-1} (the post's est) is dropped",
       "Each step receives only the loss's own dh[:, t]; the gradient dprev_h that step t+1 "
       "sends back through Wh is thrown away, so h_t learns nothing about its effect on later "
       "steps. It should be dnext_h = dh[:, t] + dprev_h.",
       "post 000", "sequence", "clinic-m4"),
    # --- the second post (001): a peephole cell with a guessed, gate-as-neuron backward -------
    _m("peephole_tied_to_input_weight", "peephole as weight * (x + c)",
       "Each gate adds the cell state to its input under the same weight, so a unit's peephole "
       "weight is forced to be the sum of its input weights. Peepholes need weights of their "
       "own: one diagonal weight per unit and gate.",
       "post 001", "model", "clinic-peephole"),
    _m("output_gate_missing_tanh_c", "the output gate's error misses the tanh(c) factor",
       "do = dnext_h, where h = o * tanh(c) gives do = dnext_h * tanh(c).",
       "post 001", "step", "clinic-peephole"),
    _m("bias_grad_scaled_by_sigmoid", "bias gradient multiplied by sigmoid(bias)",
       "db = sum(da) * sigmoid(b), treating the bias like a weight whose input is its own "
       "sigmoid. A bias's input is the constant 1: db = sum(da).",
       "post 001", "step", "clinic-peephole"),
    _m("cell_error_is_output_gate_error", "the error sent back is the output gate's alone",
       "dx and dprev_h are computed from the output gate's block of da only; the input, forget "
       "and candidate blocks also feed x and h_{t-1} and their gradients add: dx = da @ Wx.T "
       "over all four blocks.",
       "post 001", "step", "clinic-peephole"),
    _m("truncated_rtrl_as_bptt", "truncated RTRL taken for the full gradient",
       "Carrying running partials scaled by the forget gate (the Java answer) is truncated "
       "real-time recurrent learning: a valid algorithm, but its gradient ignores every path "
       "through h_{t-1}, so it is not the BPTT gradient.",
       "post 001", "model", "clinic-peephole"),
    _m("peephole_output_gate_sees_prev_cell", "the output gate peeks at c_{t-1}",
       "o is computed after c_t exists, so its peephole reads c_t. A cell whose o reads "
       "c_{t-1} is a different model: its forward disagrees with the peephole LSTM's.",
       "post 001", "peephole", "clinic-peephole"),
    _m("peephole_o_path_missing_in_dc", "dc misses the output gate's peephole path",
       "o peeks at c_t, so dL/dc_t needs + da_o * p_o besides the path through tanh(c_t).",
       "common", "peephole", "clinic-peephole"),
    _m("peephole_paths_missing_in_dprev_c", "dprev_c misses the input and forget peephole paths",
       "i and f peek at c_{t-1}, so dprev_c = dc * f + da_i * p_i + da_f * p_f, not dc * f.",
       "common", "peephole", "clinic-peephole"),
    # --- the fourth post (003): T = 1 and many-to-one heads ---------------------------------
    _m("sequence_length_one", "a recurrent network trained on sequences of length 1",
       "With T = 1 no gradient ever crosses a time step, so every mistake in the recurrent "
       "paths passes a gradient check and the net is a feed-forward one. Check with T >= 3.",
       "post 003", "setup", "clinic-fourth-post"),
    _m("many_to_one_grad_at_every_step", "a many-to-one loss sends dh to every step",
       "When only h_{T-1} feeds the loss, dh is zero at every other step; copying the last "
       "step's gradient to all steps trains the earlier states on a loss they do not affect.",
       "post 003", "head", "clinic-fourth-post"),
    # --- common mistakes ----------------------------------------------------------------------
    _m("missing_forget_in_dprev_c", "dprev_c = dc, without the forget gate",
       "c_t = f * c_{t-1} + i * g, so dprev_c = dc * f.",
       "common", "step", "clinic-gallery"),
    _m("gate_blocks_swapped", "the i and f blocks of da exchanged",
       "da must be stacked in the forward's gate order (i, f, o, g); here the input gate's "
       "block sits where the forget gate's belongs and vice versa.",
       "common", "step", "clinic-gallery"),
    _m("cell_grad_missing_h_path", "dc ignores the path through h_t",
       "c_t reaches the loss through h_t = o * tanh(c_t) and through c_{t+1}: "
       "dc = dnext_c + dnext_h * o * (1 - tanh(c)**2), not dnext_c alone.",
       "common", "step", "clinic-gallery"),
    _m("cell_grad_missing_next_c", "dc ignores the incoming dnext_c",
       "The gradient arriving from c_{t+1} must be added: dc = dnext_c + dnext_h * o * "
       "(1 - tanh(c)**2).",
       "common", "step", "clinic-gallery"),
    _m("forget_grad_uses_new_cell", "the forget gate's gradient uses c_t instead of c_{t-1}",
       "f multiplies c_{t-1}, so df = dc * c_{t-1}.",
       "common", "step", "clinic-gallery"),
    _m("sigmoid_grad_applied_twice", "sigmoid' of a gate computed from its output as input",
       "The gates i, f, o are already sigmoid outputs: their derivative is i * (1 - i). "
       "Passing them to a derivative that applies sigmoid again gives sigmoid(i) * "
       "(1 - sigmoid(i)).",
       "common", "step", "clinic-gallery"),
    _m("recurrent_weight_blocks_transposed", "each gate's block of dWh transposed",
       "Per gate, dWh_gate = prev_h.T @ da_gate (H, H); writing da_gate.T @ prev_h gives the "
       "same shape, so nothing fails, but the block is transposed.",
       "common", "step", "clinic-gallery"),
    _m("bias_grad_averaged", "db averaged over the batch while dW is summed",
       "Every gradient must treat the batch alike: db = da.sum(axis=0) to match dW = x.T @ da.",
       "common", "step", "clinic-gallery"),
    _m("modifies_upstream_in_place", "the backward changes the caller's upstream gradient",
       "The gradients are right, but the backward adds into the array it was given (e.g. "
       "dnext_c += ...). Any caller that uses that array again, such as a gradient check, "
       "then works with a different number. Write dc = dnext_c + ... instead.",
       "post 002", "step", "clinic-own-code"),
    _m("dropped_recurrent_c_grad", "dL/dc_{t-1} is not carried to the previous step",
       "dprev_c from step t is the dnext_c of step t-1; starting each step from zero cuts the "
       "cell's own path, the one the LSTM was designed to keep open.",
       "common", "sequence", "clinic-gallery"),
    _m("recurrent_grad_assigned_not_added", "dh[:, t-1] = dprev_h instead of +=",
       "h_{t-1} feeds the loss and step t, so the two gradients add; assigning overwrites the "
       "loss's own gradient at every step but the last.",
       "common", "sequence", "clinic-gallery"),
    _m("weight_grads_assigned_not_accumulated", "dWx = dWx_t instead of dWx += dWx_t",
       "The weights are shared by every step and each step adds its share; assigning keeps "
       "only the last step processed (t = 0).",
       "common", "sequence", "clinic-gallery"),
    _m("backward_loop_runs_forward_in_time", "the backward loop runs t = 0, 1, ..., T-1",
       "Step t needs dprev_h and dprev_c from step t+1, so the loop must run backward in time.",
       "common", "sequence", "clinic-gallery"),
    _m("recurrent_weight_grad_uses_h_t", "dWh uses h_t instead of h_{t-1}",
       "a_t = x_t Wx + h_{t-1} Wh + b, so step t contributes h_{t-1}.T @ da_t to dWh.",
       "common", "sequence", "clinic-gallery"),
    _m("dh0_left_zero", "dh0 returned as zeros",
       "The gradient of the initial state is what step 0 sends back: dh0 = dprev_h after the "
       "loop.",
       "common", "sequence", "clinic-gallery"),
    _m("loss_grad_not_divided_by_batch", "loss averaged over the batch, gradient summed",
       "loss = mean over N, so dscores = (p - onehot) / N.",
       "common", "loss", "clinic-gallery"),
    _m("loss_grad_sign_flipped", "dscores = onehot - p",
       "That is the direction to move the scores (the negative gradient). A backward returns "
       "the gradient, p - onehot; the update rule subtracts it.",
       "common", "loss", "clinic-gallery"),
    _m("loss_grad_forgets_target", "dscores = p, without subtracting the target",
       "d(-log p_y)/dscores = p - onehot(y).",
       "common", "loss", "clinic-gallery"),
    _m("softmax_not_shifted", "softmax overflows at large scores",
       "exp(1000) is inf in floating point; subtract each row's maximum before exp (it does "
       "not change the softmax), or use log_softmax.",
       "common", "loss", "clinic-gallery"),
])

STEP_IDS = tuple(k for k, m in CATALOGUE.items() if m.level == "step")
SEQUENCE_IDS = tuple(k for k, m in CATALOGUE.items() if m.level == "sequence")
LOSS_IDS = tuple(k for k, m in CATALOGUE.items() if m.level == "loss")
HEAD_IDS = tuple(k for k, m in CATALOGUE.items() if m.level == "head")
# The step mistakes that also make sense in a peephole cell.
PEEPHOLE_IDS = tuple(k for k, m in CATALOGUE.items() if m.level == "peephole") + (
    "tanh_grad_at_preactivation", "output_gate_missing_tanh_c", "missing_forget_in_dprev_c",
    "gate_blocks_swapped", "forget_grad_uses_new_cell")
