"""lstmlib: backpropagation through RNNs and LSTMs, by hand, in numpy.

The companion library of the book *LSTM Backprop, by Hand*. Every layer is a
``*_forward`` / ``*_backward`` pair with a named cache; gate order along the
4H axis is i, f, o, g everywhere.

To check your own LSTM:  ``lstmlib.gradcheck.check_backward(...)`` says
whether a backward pass is right; ``lstmlib.diagnose.diagnose_step(...)``
(and ``diagnose_sequence``, ``diagnose_loss``) says which known mistake it makes.

Three layers, each importing only the ones before it:

- the core, numpy only: the modules directly in ``lstmlib`` (``rnn``, ``lstm``,
  ``peephole``, ``stacked``, ``tbptt``, ``rtrl``, ``layers``, ``optim``,
  ``gradcheck``, ``compare``, ``data``, ``models``, ``train``, ``flow``, ``interop``...);
- the clinic, numpy only: ``lstmlib.diagnose`` (the mistake catalogue, its
  runnable variants, the probes and the diagnosers);
- the book's apparatus: ``lstmlib.book`` (figures, explorations, live
  progress; needs matplotlib, ipywidgets and IPython, ``pip install lstmlib[book]``).

``import lstmlib`` loads nothing but this file: the submodules and the
functions below are imported the first time they are used.

**The sequence contract.** The five sequence families (``rnn``, ``lstm``, ``peephole``, ``tbptt``,
``stacked``) take and return their arguments in one order:

- forward: ``*_forward(x, h0, *weights, *, c0=None, ...) -> h, cache``:
  positional x (N, T, D), then the initial hidden state h0 (N, H) (required;
  pass zeros for a zero start), then the weights (``Wx, Wh, b``, the peephole
  LSTM also ``p``). Everything else is keyword-only: the initial cell state
  ``c0`` (N, H) where there is one (None: zeros), the TBPTT window ``k``. The
  stacked LSTM takes one state per layer: ``(x, h0s, params, *, c0s=None)``.
- backward: ``*_backward(dh, cache) -> dx, dh0, *dweights``, dh (N, T, H)
  the upstream gradient of every h_t, checked against the forward's h.
- with state: ``*_backward_with_state(dh, cache) -> dx, dh0, dc0, *dweights``,
  the initial-state gradients in the order of the forward's states, right
  after dx (no dc0 for the RNN, which has no cell state; lists ``dh0s, dc0s``
  for the stack, whose classic ``stacked_lstm_backward`` returns
  ``dx, dh0s, dparams`` whether or not its forward was given ``c0s``).
- shape errors name the weights first: a weight fixes H (and D), so a wrong x
  or state is the one blamed.

The classic one-step functions keep the course signatures exactly:
``lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b) -> next_h, next_c, cache``,
``lstm_step_backward(dnext_h, dnext_c, cache) -> dx, dprev_h, dprev_c, dWx, dWh, db``,
and likewise ``rnn_step_*`` and ``peephole_step_*``.
"""
import importlib

_SUBMODULES = (
    "activations", "book", "compare", "data", "diagnose", "flow", "gradcheck", "interop",
    "layers", "lstm", "models", "optim", "peephole", "rnn", "rtrl", "stacked", "tbptt", "train",
)

# name -> the submodule that defines it
_FUNCTIONS = {
    **dict.fromkeys(("lstm_step_forward", "lstm_step_backward", "lstm_forward", "lstm_backward",
                     "lstm_backward_with_state"), "lstm"),
    **dict.fromkeys(("rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward",
                     "rnn_backward_with_state"), "rnn"),
    **dict.fromkeys(("peephole_step_forward", "peephole_step_backward", "peephole_forward",
                     "peephole_backward", "peephole_backward_with_state"), "peephole"),
    **dict.fromkeys(("stacked_lstm_forward", "stacked_lstm_backward",
                     "stacked_lstm_backward_with_state"), "stacked"),
    **dict.fromkeys(("tbptt_forward", "tbptt_backward", "tbptt_backward_with_state"), "tbptt"),
    **dict.fromkeys(("check_backward", "check_loss", "rel_error"), "gradcheck"),
    **dict.fromkeys(("diagnose_step", "diagnose_sequence", "diagnose_peephole_step",
                     "diagnose_loss"), "diagnose"),
}

# ``from lstmlib import *`` takes the numpy-only layers; ``lstmlib.book`` stays an explicit import.
__all__ = [*(name for name in _SUBMODULES if name != "book"), *_FUNCTIONS]


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _FUNCTIONS:
        value = getattr(importlib.import_module(f".{_FUNCTIONS[name]}", __name__), name)
        globals()[name] = value  # resolved once
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
