"""Name the mistake in your own LSTM backward: the clinic (numpy only).

Pass your own functions, in the classic signatures (your cache is your own
business):

    diagnose_step(lstm_step_forward, lstm_step_backward)
    diagnose_sequence(lstm_forward, lstm_backward)      # lstm_forward(x, h0, Wx, Wh, b), c0 = 0
    diagnose_loss(softmax_loss)                         # softmax_loss(scores, y) -> loss, dscores
    diagnose_peephole_step(peephole_step_forward, peephole_step_backward)

Each builds a small probe in float64 whose values make every catalogued
mistake visible (``|c| > 1`` somewhere, h0 far from ones, biases away from zero,
every upstream gradient nonzero, D >= 4H), runs your forward and compares
its outputs with lstmlib's, runs your backward, and compares your gradients
with the correct ones. If they differ, it computes what the mistakes in
``lstmlib.diagnose.mistakes.CATALOGUE`` would return on the same probe, alone,
in pairs, and peeled one after another (any number of them at once), and names
the set that reproduces your gradients, largest share of the error first. A
loss is matched under your own convention (summed, or averaged over N or N·T);
a forward mistake is named from the forward's outputs, and your backward is
then checked against your own forward by central differences.

The result is a ``Diagnosis``: ``.ok``, ``.mistake`` (a catalogue id or None),
``.errors`` (gradient name -> relative error against the correct gradient),
``.gate_errors`` (where, by gate and time step) and a readable report when
printed.

Where a mistake sits is found from dx alone: dx = da @ Wx.T, and with
D >= 4H the probe's Wx has full column rank, so ``da = dx @ pinv(Wx.T)``
recovers the gradient of every gate's pre-activation at every step.

Inside: ``catalogue`` (the mistakes), ``variants`` (each as code),
``mistakes`` (both in one namespace, plus ``training``), ``probes``,
``matching``, ``report`` (``Diagnosis``), ``diagnosers``, ``adapters``
(per-gate and PyTorch weight layouts), ``files`` (``write_probe`` /
``check_files``: the same diagnosis for a program in any language, through
plain-text probe files) and ``pyfile`` (``python -m lstmlib.diagnose my_lstm.py``). The pictures
of a diagnosis are in the book layer, ``lstmlib.book.clinic_views``.
"""
from . import catalogue, mistakes, variants
from .diagnosers import (
    PEEPHOLE_GRADS,
    SEQUENCE_GRADS,
    STEP_GRADS,
    diagnose_loss,
    diagnose_peephole_step,
    diagnose_sequence,
    diagnose_step,
)
from .files import check_files, write_probe
from .matching import gate_time_errors
from .probes import loss_probe, peephole_step_probe, sequence_probe, step_probe
from .report import Diagnosis

__all__ = [
    "diagnose_step", "diagnose_sequence", "diagnose_peephole_step", "diagnose_loss",
    "Diagnosis", "step_probe", "sequence_probe", "peephole_step_probe", "loss_probe",
    "gate_time_errors", "STEP_GRADS", "SEQUENCE_GRADS", "PEEPHOLE_GRADS",
    "catalogue", "variants", "mistakes", "write_probe", "check_files",
]
