"""LSTM implementations written the way readers write them, to test lstmlib.diagnose.

Each module here was written from scratch, without lstmlib.mistakes, in its own
style (tuple or dict caches, per-gate matrices, [h, x] concatenation, float32,
explicit loops). Each exposes ``IMPLEMENTATIONS``: a list of dicts with

    name      a short label
    kind      "step", "sequence", "loss" or "peephole_step" (which diagnoser applies)
    functions the (forward, backward) pair, or (loss_fn,)
    expect    None for a correct implementation, a catalogue id for one with that
              single known mistake, "unknown" for a mistake outside the catalogue,
              "forward" for a wrong forward pass
"""
import importlib
import pkgutil


def all_implementations():
    """Every entry of every module's IMPLEMENTATIONS, with its module name prefixed."""
    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for impl in module.IMPLEMENTATIONS:
            found.append({**impl, "name": f"{info.name}.{impl['name']}"})
    return found
