"""The chapters' coding exercises, checked by lstmlib.

Below each coding exercise a check cell runs the reader's function:

    from lstmlib.book.exercises import check
    check("rnn-step-backward", rnn_step_backward)

and prints one verdict: ``correct``; or what is wrong, with the mistake's name and
the section that explains it; or ``not attempted yet`` while the stub still raises
``NotImplementedError``. It never raises for the reader's code (what that raises,
or a missing ``return``, is a "wrong" verdict), so the notebook runs top to bottom
with the stubs untouched; an error of the checker itself is raised.

A solution cell calls ``check(..., must_pass=True)``: the same checker, but it
raises :class:`ExerciseFailed` unless the answer is correct, so every published
solution is proved in CI.

The exercises themselves live in one module per chapter (``ch01`` ... ), each
registering its checks with ``@exercise(id, chapter=..., section=...)``. A check
receives the reader's functions and returns a :class:`Verdict`, usually built from
a gradient check (:func:`from_gradcheck`), a comparison with lstmlib's own
function (:func:`from_comparison`) or a diagnosis (:func:`from_diagnosis`).
"""
import importlib
import inspect
import pkgutil
import textwrap
from itertools import combinations
from typing import Callable, NamedTuple

import numpy as np

TOLERANCE = 1e-8
WIDTH = 88  # the page's width in characters: a verdict is wrapped to fit it


class ExerciseFailed(AssertionError):
    """A solution the book publishes did not pass its own check."""


class Verdict(NamedTuple):
    status: str               # "correct", "wrong" or "not attempted"
    message: str              # what the reader reads
    mistakes: tuple = ()      # catalogue ids the diagnoser named, if any

    @property
    def ok(self):
        return self.status == "correct"

    def __str__(self):
        mark = {"correct": "✓ correct", "wrong": "✗ not yet right",
                "not attempted": "· not attempted yet"}[self.status]
        return f"{mark}: {self.message}" if self.message else mark

    def __repr__(self):
        return str(self)

    def _ipython_display_(self):
        # check() has printed the verdict already; a check cell ending in check(...)
        # would otherwise show it twice.
        pass


class Exercise(NamedTuple):
    id: str
    chapter: int
    section: str              # label of the section that teaches what it asks
    run: Callable             # reader's functions -> Verdict


REGISTRY = {}


def exercise(id, *, chapter, section):
    """Register ``run(*reader_functions) -> Verdict`` as the check of exercise ``id``."""
    def register(run):
        if id in REGISTRY:
            raise ValueError(f"exercise {id!r} is registered twice")
        REGISTRY[id] = Exercise(id, chapter, section, run)
        return run
    return register


def _load_all():
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("ch"):
            importlib.import_module(f"{__name__}.{info.name}")


class _NotAttempted(Exception):
    pass


class _ReturnedNone(Exception):
    """The reader's function returned None: most often a forgotten ``return``."""

    def __init__(self):
        super().__init__("your function returned None (is a `return` missing?)")


def _guard(fn, raised, returned):
    """Wrap a reader's function so that an untouched stub and a missing return are
    recognised; what it raises is appended to ``raised`` and what it returns to
    ``returned``, so that check() can tell the reader's errors from the checker's."""
    if not callable(fn):
        raise TypeError(f"check() expects your function, got {type(fn).__name__}")

    def guarded(*args, **kwargs):
        try:
            out = fn(*args, **kwargs)
        except NotImplementedError as err:
            raise _NotAttempted() from err
        except Exception as err:
            raised.append(err)
            raise
        if out is None:
            raise _ReturnedNone()
        returned.append(out)
        return out

    guarded.__name__ = getattr(fn, "__name__", "function")
    return guarded


def _check_arity(ex, functions):
    """Raise a TypeError naming what ``ex`` checks unless it is given that many."""
    expected = list(inspect.signature(ex.run).parameters)
    if len(functions) != len(expected):
        plural = "s" if len(expected) != 1 else ""
        raise TypeError(f"exercise {ex.id!r} checks {len(expected)} function{plural}, "
                        f"{', '.join(expected)}; check() was given {len(functions)}: "
                        f"call check({ex.id!r}, {', '.join(expected)})")


def check(exercise_id, *functions, must_pass=False):
    """Check the reader's answer to ``exercise_id``; print and return the Verdict.

    must_pass: raise ExerciseFailed unless the verdict is correct (solution cells).
    """
    if exercise_id not in REGISTRY:
        _load_all()
    if exercise_id not in REGISTRY:
        raise KeyError(f"no exercise {exercise_id!r}; the exercises are: "
                       f"{', '.join(sorted(REGISTRY))}")
    ex = REGISTRY[exercise_id]
    _check_arity(ex, functions)
    raised, returned = [], []
    guarded = [_guard(fn, raised, returned) for fn in functions]
    try:
        verdict = ex.run(*guarded)
    except _NotAttempted:
        verdict = Verdict("not attempted", "replace `raise NotImplementedError` "
                          "with your code, then run this cell again.")
    except _ReturnedNone as err:
        verdict = Verdict("wrong", f"{err}.")
    except Exception as err:
        if any(err is own for own in raised):  # the reader's code raised: say so
            verdict = Verdict("wrong", f"your code raised {type(err).__name__}: {err}")
        elif returned:  # what it returned broke the check: ragged, wrong types, ...
            verdict = Verdict("wrong", "what your function returned could not be "
                              f"checked ({type(err).__name__}: {err}); check its "
                              "shapes and types against the docstring.")
        else:
            raise  # a bug of the checker before any of the reader's code ran
    print(textwrap.fill(str(verdict), WIDTH, subsequent_indent="  "))
    if must_pass and not verdict.ok:
        raise ExerciseFailed(f"the published solution to {exercise_id!r} fails: {verdict}")
    return verdict


# --- building verdicts ---------------------------------------------------------------------

_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight",
                 "nine", "ten", "eleven", "twelve")


def number_word(n):
    """``n`` as the verdicts write it: "five" up to twelve, digits beyond."""
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else str(n)


def shape_problem(name, value, shape):
    """"name has shape (..), expected (..)" when ``value``'s shape is not ``shape``;
    "" when it is."""
    if np.shape(value) == tuple(shape):
        return ""
    return f"{name} has shape {np.shape(value)}, expected {tuple(shape)}"


def from_gradcheck(report, what="every gradient"):
    """A Verdict from a ``gradcheck.GradReport`` (central differences in float64)."""
    if report.ok:
        return Verdict("correct", f"{what} matches central differences "
                       f"(largest relative error {report.max_error:.1e}).")
    bad = [f"{row.name} (relative error {row.error:.1e})" for row in report.rows if not row.ok]
    return Verdict("wrong", "these gradients disagree with central differences: "
                   + ", ".join(bad) + ".")


def from_comparison(got, want, tolerance=TOLERANCE):
    """A Verdict from named arrays compared with lstmlib's: dicts name -> array."""
    from ...gradcheck import rel_error

    bad = []
    for name, expected in want.items():
        value = np.asarray(got[name], dtype=float)
        problem = shape_problem(name, value, np.shape(expected))
        if problem:
            bad.append(problem)
            continue
        err = rel_error(value, expected)
        if not err < tolerance:
            bad.append(f"{name} (relative error {err:.1e})")
    if not bad:
        return Verdict("correct", f"{', '.join(want)} match lstmlib's to {tolerance:.0e}.")
    return Verdict("wrong", "these differ from lstmlib's: " + ", ".join(bad) + ".")


def from_catalogue(mistakes):
    """A "wrong" Verdict naming catalogued mistakes (ids of ``lstmlib.diagnose``'s
    CATALOGUE), each with the section that explains it."""
    from ...diagnose.catalogue import CATALOGUE, SECTIONS

    named = [f"{m} ({CATALOGUE[m].title}; see "
             f"{SECTIONS[CATALOGUE[m].section].reference()})" for m in mistakes]
    return Verdict("wrong", "your code makes the mistake " + "; and ".join(named) + ".",
                   tuple(mistakes))


def from_diagnosis(diagnosis):
    """A Verdict from a ``lstmlib.diagnose`` Diagnosis, naming mistakes and sections."""
    if diagnosis.ok:
        return Verdict("correct", "outputs and gradients agree with lstmlib's, "
                       "and the diagnoser sees no mistake.")
    if diagnosis.problem:
        return Verdict("wrong", diagnosis.problem)
    if diagnosis.mistakes:
        return from_catalogue(diagnosis.mistakes)
    wrong = [name for name, err in diagnosis.errors.items() if not err < diagnosis.tolerance]
    return Verdict("wrong", "no catalogued mistake explains it; wrong: "
                   + ", ".join(wrong) + ".")


MEAN_OVER_N = "mean over N"  # diagnose_loss's name for lstmlib's and the course's loss


def from_loss_convention(diagnosis, correct):
    """For a loss the diagnoser found right (``diagnosis.ok``): "correct" with the
    message ``correct`` if it is the mean over the batch, else "wrong", saying which."""
    if diagnosis.convention == MEAN_OVER_N:
        return Verdict("correct", correct)
    return Verdict("wrong", f"your loss and its gradient agree, but your loss is the "
                   f"{diagnosis.convention}; this exercise asks for the mean over the "
                   "batch, the N rows of x (lstmlib's and the course's convention): "
                   "divide the loss and dx by N.")


def from_sequence_diagnosis(lstm_backward):
    """A Verdict for a reader's ``lstm_backward(dh, caches) -> dx, dh0, dWx, dWh, db``
    over the caches of ``lstm.lstm_forward_loop``, from the sequence diagnoser."""
    from ...diagnose import diagnose_sequence, sequence_probe
    from ...lstm import lstm_forward_loop

    inputs, (dh,) = sequence_probe()
    _, caches = lstm_forward_loop(*inputs.values())
    lstm_backward(dh.copy(), caches)  # an untouched stub stops here
    return from_diagnosis(diagnose_sequence(lstm_forward_loop, lstm_backward))


def name_mistakes(got, wrong, ids, exclusive=(), most=3):
    """The smallest set of mistakes (at most ``most``) whose results equal ``got``.

    got: the reader's arrays, a tuple; wrong: ``mistakes -> arrays`` in the same order
    (the right code with those mistakes switched on); ids: the mistakes to try;
    exclusive: sets of ids that are alternatives for one line (never two of a set at
    once). Returns a tuple of ids, () when no set fits to ``TOLERANCE``.
    """
    from ...gradcheck import rel_error

    for size in range(1, most + 1):
        for combo in combinations(ids, size):
            if any(len(set(combo) & set(alt)) > 1 for alt in exclusive):
                continue
            want = wrong(combo)
            if all(np.shape(g) == np.shape(w) and rel_error(g, w) < TOLERANCE
                   for g, w in zip(got, want)):
                return combo
    return ()


def from_named_mistakes(message, mistakes, explained, what="gradients"):
    """A "wrong" Verdict: ``message``, then the mistakes that reproduce the reader's
    ``what`` exactly; ``explained``: id -> (what the wrong code does, section title)."""
    if not mistakes:
        return Verdict("wrong", message + " No mistake this check knows explains it.")
    said = [f"{explained[m][0]} (see \"{explained[m][1]}\")" for m in mistakes]
    plural = "these mistakes" if len(mistakes) > 1 else "this mistake"
    return Verdict("wrong", f"{message} Your {what} are exactly those of {plural}: "
                   + "; and ".join(said) + ".", tuple(mistakes))
