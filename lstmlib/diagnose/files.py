"""The diagnoser over plain-text files, for an LSTM written in any language.

    write_probe("step", "probe/")    # the probe's inputs, a README.txt, C++ and Java templates
    ...                              # the reader's program writes its outputs into probe/
    print(check_files("step", "probe/"))   # the same Diagnosis as diagnose_step

Kinds: ``step``, ``sequence``, ``peephole-step``, ``loss``.

The file format (stated again in every probe's README.txt):

- one array per file, ``NAME.txt``; one matrix row per line; numbers separated
  by spaces; full float64 precision (``repr``, ``%.17g``; written this way,
  every number reads back exactly);
- a 1-D array (b, y, the loss) is one row;
- a 3-D array (N, T, K) is N*T rows of K numbers: row ``n*T + t`` holds
  sample n at time step t;
- the gate order along every 4H axis is i, f, o, g;
- ``probe.txt`` records the kind, the seed and the dimensions.

``check_files`` reads the reader's outputs, checks names, shapes and values
(each problem raises a ``ProbeFileError`` subclass, a ``ValueError``, whose
message names the file and what was expected), then wraps them as a
forward/backward pair that returns them when called on the probe, and calls
``diagnose_step`` (or its siblings) on that pair: one matching code path for
Python functions and files. A program run once cannot be evaluated anywhere
else, so what the diagnosers learn by calling a function at other inputs
(central differences of the reader's own function) is not available from
files; such notes are dropped and a note says so.
"""
import math
import re
import textwrap
from pathlib import Path

import numpy as np

from ..compare import LOW_PRECISION_TOLERANCE
from . import diagnosers
from .probes import loss_probe, peephole_step_probe, sequence_probe, step_probe

KINDS = ("step", "sequence", "peephole-step", "loss")
SHIFT = 1000.0  # the loss probe's second scores: softmax ignores it, exp(1000) overflows
FULL_DIGITS = 15  # files whose numbers all have fewer significant digits count as low precision

__all__ = ["write_probe", "check_files", "read_array", "KINDS", "ProbeFileError",
           "ProbeDirError", "MissingFileError", "NotANumberError", "TruncatedRowError",
           "ShapeError", "TransposedError", "NonFiniteError", "InputChangedError"]


class ProbeFileError(ValueError):
    """A probe directory or one of its files is not what check_files expects."""


class ProbeDirError(ProbeFileError):
    """The directory holds no probe (probe.txt missing or wrong)."""


class MissingFileError(ProbeFileError):
    """An output file the reader's program must write is not there."""


class NotANumberError(ProbeFileError):
    """A token in a file is not a number."""


class TruncatedRowError(ProbeFileError):
    """A row has fewer (or more) numbers than the others."""


class ShapeError(ProbeFileError):
    """A file's rows and columns are not the expected shape."""


class TransposedError(ShapeError):
    """A file holds the transpose of the expected matrix."""


class NonFiniteError(ProbeFileError):
    """A file holds NaN or inf."""


class InputChangedError(ProbeFileError):
    """An input file no longer holds the probe's numbers."""


# --- what each kind reads and writes -------------------------------------------------------

def _spec(kind, seed=0, T=5):
    """The probe of a kind: dims, inputs and upstream arrays (name -> array),
    the outputs (name -> (shape, meaning of the shape)) and the diagnoser."""
    if kind in ("step", "peephole-step"):
        inputs, (dnext_h, dnext_c) = (step_probe if kind == "step" else peephole_step_probe)(seed)
        (N, D), H = inputs["x"].shape, inputs["prev_h"].shape[1]
        upstream = {"dnext_h": dnext_h, "dnext_c": dnext_c}
        outputs = {"next_h": ((N, H), "N x H"), "next_c": ((N, H), "N x H"),
                   "dx": ((N, D), "N x D"), "dprev_h": ((N, H), "N x H"),
                   "dprev_c": ((N, H), "N x H"), "dWx": ((D, 4 * H), "D x 4H"),
                   "dWh": ((H, 4 * H), "H x 4H"), "db": ((4 * H,), "one row of 4H")}
        dims = {"N": N, "D": D, "H": H}
        if kind == "peephole-step":
            outputs["dp"] = ((3, H), "3 x H, rows p_i, p_f, p_o")
    elif kind == "sequence":
        inputs, (dh,) = sequence_probe(seed, T=T)
        (N, T, D), H = inputs["x"].shape, inputs["h0"].shape[1]
        upstream = {"dh": dh}
        outputs = {"h": ((N, T, H), "N*T rows of H"), "dx": ((N, T, D), "N*T rows of D"),
                   "dh0": ((N, H), "N x H"), "dWx": ((D, 4 * H), "D x 4H"),
                   "dWh": ((H, 4 * H), "H x 4H"), "db": ((4 * H,), "one row of 4H")}
        dims = {"N": N, "T": T, "D": D, "H": H}
    elif kind == "loss":
        scores, y = loss_probe(seed)
        N, C = scores.shape
        inputs = {"scores": scores, "y": y, "scores_shifted": scores + SHIFT}
        upstream = {}
        outputs = {"loss": ((1,), "one number"), "dscores": ((N, C), "N x C"),
                   "loss_shifted": ((1,), "one number"),
                   "dscores_shifted": ((N, C), "N x C")}
        dims = {"N": N, "C": C}
    else:
        raise ProbeFileError(f"unknown probe kind {kind!r}; the kinds are {', '.join(KINDS)}")
    return dims, inputs, upstream, outputs


_SHAPE_WORDS = {"x": "N x D", "prev_h": "N x H", "prev_c": "N x H", "Wx": "D x 4H",
                "Wh": "H x 4H", "b": "one row of 4H", "p": "3 x H, rows p_i, p_f, p_o",
                "dnext_h": "N x H", "dnext_c": "N x H", "h0": "N x H",
                "scores": "N x C", "scores_shifted": "N x C (scores + 1000)",
                "y": "one row of N integer labels in 0..C-1"}


def _shape_words(name, arr):
    if name in ("x", "dh") and arr.ndim == 3:
        return "N*T rows of D, row n*T + t" if name == "x" else "N*T rows of H, row n*T + t"
    return _SHAPE_WORDS[name]


# --- writing --------------------------------------------------------------------------------

def _rows(arr):
    arr = np.asarray(arr)
    if arr.ndim == 3:
        return arr.reshape(-1, arr.shape[2])
    return arr.reshape(1, -1) if arr.ndim <= 1 else arr


def write_array(path, arr):
    """One matrix row per line, space-separated, every float64 exactly (``repr``)."""
    arr = np.asarray(arr)
    fmt = str if arr.dtype.kind in "iu" else (lambda v: repr(float(v)))
    text = "".join(" ".join(fmt(v) for v in row) + "\n" for row in _rows(arr))
    Path(path).write_text(text)


def write_probe(kind, directory, seed=0, T=5):
    """Write the probe of ``kind`` into ``directory`` (created if needed).

    Writes one ``NAME.txt`` per input and upstream gradient, ``probe.txt``
    (kind, seed, dimensions), ``README.txt`` (shapes, gate order, layout, the
    files to write back), and the templates ``template.cpp`` (Armadillo) and
    ``Template.java`` (plain Java). Returns the directory as a Path.
    """
    kind = _kind(kind)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    dims, inputs, upstream, outputs = _spec(kind, seed, T)
    for name, arr in {**inputs, **upstream}.items():
        write_array(directory / f"{name}.txt", arr)
    (directory / "probe.txt").write_text(
        f"kind {kind}\nseed {seed}\n" + "".join(f"{k} {v}\n" for k, v in dims.items()))
    (directory / "README.txt").write_text(_readme(kind, dims, inputs, upstream, outputs))
    from . import templates
    (directory / "template.cpp").write_text(templates.cpp(kind, dims, inputs, upstream, outputs))
    (directory / "Template.java").write_text(templates.java(kind, dims, inputs, upstream,
                                                            outputs))
    return directory


_WHAT = {
    "step": ("one LSTM step, forward and backward",
             "next_h, next_c = lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b), then the "
             "gradients of the loss L = sum(dnext_h * next_h) + sum(dnext_c * next_c)"),
    "peephole-step": ("one peephole LSTM step (diagonal peepholes: i and f see prev_c, "
                      "o sees next_c), forward and backward",
                      "next_h, next_c of the peephole step, then the gradients of "
                      "L = sum(dnext_h * next_h) + sum(dnext_c * next_c)"),
    "sequence": ("an LSTM over a whole sequence, forward and backward (BPTT)",
                 "h = lstm_forward(x, h0, Wx, Wh, b) with c0 = 0, then the gradients of "
                 "L = sum(dh * h)"),
    "loss": ("a softmax cross-entropy loss and its gradient",
             "loss = mean over the N samples of -log softmax(scores)[n, y[n]], and "
             "dscores = dloss/dscores; the same again for scores_shifted "
             "(scores + 1000: the same softmax, but exp overflows unless you shift)"),
}


def _readme(kind, dims, inputs, upstream, outputs):
    what, compute = _WHAT[kind]
    dim_text = ", ".join(f"{k} = {v}" for k, v in dims.items())
    lines = [f"lstmlib probe: {kind} ({what})", "",
             f"Dimensions: {dim_text}.",
             "Gate order along every 4H axis: i, f, o, g (input, forget, output, candidate):",
             "columns 0..H-1 are i, H..2H-1 are f, 2H..3H-1 are o, 3H..4H-1 are g.",
             "a = x Wx + h_prev Wh + b;  i, f, o = sigmoid(a_i, a_f, a_o);  g = tanh(a_g);",
             "c = f * c_prev + i * g;  h = o * tanh(c).", "",
             "File format: one array per file; one matrix row per line; numbers separated",
             "by spaces; write every number with 17 significant digits (C++:",
             "std::setprecision(17); Java: String.format(\"%.17g\", v); C: \"%.17g\").",
             "A 1-D array is one row. A 3-D array (N, T, K) is N*T rows of K numbers:",
             "row n*T + t holds sample n at time step t.", "",
             "Inputs (read these):"]
    for name, arr in {**inputs, **upstream}.items():
        lines.append(f"  {name + '.txt':<22} {_shape_words(name, arr)} "
                     f"({' x '.join(map(str, _rows(arr).shape))})")
    lines += ["", *textwrap.wrap(f"Compute {compute}.", 79), "",
              "Write back (your program creates these files in this directory):"]
    for name, (shape, words) in outputs.items():
        rows = _rows(np.empty(shape)).shape
        lines.append(f"  {name + '.txt':<22} {words} ({' x '.join(map(str, rows))})")
    lines += ["", "Then run:  python -m lstmlib.diagnose check DIR   (DIR: this directory)", "",
              "template.cpp (C++ with Armadillo) and Template.java (plain Java) read the",
              "inputs and write the outputs; put your LSTM where they say TODO.",
              "  g++ -O2 -std=c++14 template.cpp -o my_lstm -larmadillo && ./my_lstm DIR",
              "  javac Template.java && java Template DIR", ""]
    return "\n".join(lines)


# --- reading --------------------------------------------------------------------------------

_DIGITS = re.compile(r"[0-9]")


def _significant_digits(token):
    mantissa = re.split(r"[eE]", token)[0]
    digits = "".join(_DIGITS.findall(mantissa)).lstrip("0")
    return len(digits)


def read_array(path, shape, words="", allow_nonfinite=False):
    """Read a probe file into an array of ``shape``; raise a ProbeFileError naming the
    file and the expected shape when it is missing, malformed or the wrong shape.

    Returns (array, the largest count of significant digits among the file's nonzero
    numbers; 17 when it holds only zeros).
    """
    path = Path(path)
    name = path.name
    want_rows = _rows(np.empty(shape)).shape
    expect = f"{want_rows[0]} row(s) of {want_rows[1]} number(s)" + (f" ({words})" if words
                                                                     else "")
    if not path.is_file():
        raise MissingFileError(f"{name} is missing: your program should write {expect} "
                               f"into {path}")
    text_lines = path.read_text(errors="replace").splitlines()
    while text_lines and not text_lines[-1].strip():
        text_lines.pop()
    rows, digits = [], 0
    for number, line in enumerate(text_lines, 1):
        tokens = line.replace(",", " ").split()
        if not tokens:
            raise TruncatedRowError(f"{name}, line {number} is empty; expected {expect}")
        row = []
        for token in tokens:
            try:
                value = float(token)
            except ValueError:
                raise NotANumberError(f"{name}, line {number}: {token!r} is not a number; "
                                      f"expected {expect}") from None
            if not math.isfinite(value) and not allow_nonfinite:
                raise NonFiniteError(f"{name}, line {number}: {token} (NaN or inf) where "
                                     f"{expect} of finite numbers belong")
            if value != 0.0 and math.isfinite(value):  # a zero is exact in any format
                digits = max(digits, _significant_digits(token))
            row.append(value)
        rows.append(row)
    if not rows:
        raise ShapeError(f"{name} is empty; expected {expect}")
    if not any(v != 0.0 and math.isfinite(v) for row in rows for v in row):
        digits = 17
    widths = [len(row) for row in rows]
    if len(shape) == 1 and all(w == 1 for w in widths) and len(rows) == shape[0]:
        rows = [[row[0] for row in rows]]  # a column vector: the same numbers
        widths = [shape[0]]
    got = (len(rows), max(widths))
    if got == (want_rows[1], want_rows[0]) and got != want_rows and len(set(widths)) == 1:
        raise TransposedError(f"{name} is {got[0]} x {got[1]}, expected {expect}: it looks "
                              "transposed (one matrix row per line, please)")
    if len(set(widths)) != 1 or widths[0] != want_rows[1]:
        bad = next(i for i, w in enumerate(widths) if w != want_rows[1])
        if len(rows) == want_rows[0]:
            raise TruncatedRowError(f"{name}, line {bad + 1} has {widths[bad]} number(s), "
                                    f"expected {want_rows[1]}: the file should be {expect}")
        raise ShapeError(f"{name} has {len(rows)} line(s) of {sorted(set(widths))} "
                         f"number(s), expected {expect}")
    if len(rows) != want_rows[0]:
        raise ShapeError(f"{name} has {len(rows)} row(s) of {widths[0]}, expected {expect}")
    return np.array(rows, dtype=np.float64).reshape(shape), digits


def _kind(kind):
    kind = str(kind).replace("_", "-")
    if kind not in KINDS:
        raise ProbeFileError(f"unknown probe kind {kind!r}; the kinds are {', '.join(KINDS)}")
    return kind


def read_probe_info(directory):
    """(kind, seed, dims) recorded by write_probe in ``directory/probe.txt``."""
    path = Path(directory) / "probe.txt"
    if not path.is_file():
        raise ProbeDirError(f"{directory} holds no probe.txt: make one first with "
                            f"`python -m lstmlib.diagnose probe step {directory}`")
    info = {}
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) == 2:
            info[parts[0]] = parts[1]
    try:
        return _kind(info["kind"]), int(info["seed"]), {k: int(v) for k, v in info.items()
                                                         if k not in ("kind", "seed")}
    except (KeyError, ValueError, ProbeFileError):
        raise ProbeDirError(f"{path} is not a probe.txt written by write_probe (it should "
                            "hold 'kind ...' and 'seed ...' lines)") from None


# --- checking -------------------------------------------------------------------------------

class _OnlyAtTheProbe:
    """Answers a call with the files' arrays when the arguments are the probe's;
    anywhere else (a central difference, say) it has no answer and returns NaNs."""

    def __init__(self):
        self.asked_elsewhere = False

    def answer(self, args, expected, results):
        same = len(args) == len(expected) and all(
            np.shape(a) == np.shape(e) and np.array_equal(np.asarray(a), e)
            for a, e in zip(args, expected))
        if same:
            return [np.array(r, copy=True) for r in results]
        self.asked_elsewhere = True
        return [np.full_like(np.asarray(r, dtype=np.float64), np.nan) for r in results]


_CACHE = object()  # what the file "forward" returns as its cache


def _file_pair(kind, inputs, upstream, got, guard):
    """The reader's files as the functions the diagnoser of ``kind`` calls."""
    ins, ups = list(inputs.values()), list(upstream.values())
    if kind == "loss":
        scores, y, shifted = ins

        def loss_fn(s, labels):
            if np.array_equal(np.asarray(s), shifted):
                loss, d = got["loss_shifted"], got["dscores_shifted"]
            else:
                loss, d = guard.answer([s, labels], [scores, y], [got["loss"], got["dscores"]])
                return float(loss[0]), d
            return float(loss[0]), np.array(d, copy=True)
        return (loss_fn,)
    fwd_names = ("h",) if kind == "sequence" else ("next_h", "next_c")
    bwd_names = [n for n in got if n not in fwd_names]

    def forward(*args):
        outs = guard.answer(args, ins, [got[n] for n in fwd_names])
        return (*outs, _CACHE)

    def backward(*args):
        *sent, cache = args
        if cache is not _CACHE:
            guard.asked_elsewhere = True
        return tuple(guard.answer(sent, ups, [got[n] for n in bwd_names]))
    return forward, backward


def check_files(kind, directory):
    """Diagnose the outputs a reader's program wrote into a probe directory.

    kind: ``step``, ``sequence``, ``peephole-step``, ``loss``, or None for the
    kind recorded in ``directory/probe.txt``. Raises a ProbeFileError (a
    ValueError) naming the file when a file is missing, malformed, the wrong
    shape or not finite, or when an input file was changed. Otherwise returns
    the Diagnosis of ``diagnose_step`` (``diagnose_sequence``,
    ``diagnose_peephole_step``, ``diagnose_loss``) on the files' arrays.
    """
    directory = Path(directory)
    recorded, seed, dims = read_probe_info(directory)
    if kind is not None and _kind(kind) != recorded:
        raise ProbeDirError(f"{directory} holds a {recorded} probe, not a {_kind(kind)} probe")
    kind = recorded
    T = dims.get("T", 5)
    _, inputs, upstream, outputs = _spec(kind, seed, T)
    for name, arr in {**inputs, **upstream}.items():
        words = _shape_words(name, arr)
        on_disk, _ = read_array(directory / f"{name}.txt", arr.shape, words)
        if not np.array_equal(on_disk, arr):
            raise InputChangedError(f"{name}.txt no longer holds the probe's {name} (did your "
                                    f"program write into it?); write the probe again with "
                                    f"`python -m lstmlib.diagnose probe {kind} {directory}`")
    got, digits = {}, {}
    for name, (shape, words) in outputs.items():
        got[name], digits[name] = read_array(directory / f"{name}.txt", shape, words,
                                             allow_nonfinite=name.endswith("_shifted"))
    short = sorted(name for name, d in digits.items()
                   if d < FULL_DIGITS and not name.endswith("_shifted"))
    if short:  # compared as lower precision: the diagnosers read the dtype
        got = {name: arr.astype(np.float32) for name, arr in got.items()}
    guard = _OnlyAtTheProbe()
    pair = _file_pair(kind, inputs, upstream, got, guard)
    if kind == "step":
        diagnosis = diagnosers.diagnose_step(*pair, seed=seed)
    elif kind == "peephole-step":
        diagnosis = diagnosers.diagnose_peephole_step(*pair, seed=seed)
    elif kind == "sequence":
        diagnosis = diagnosers.diagnose_sequence(*pair, T=T, seed=seed)
    else:
        diagnosis = diagnosers.diagnose_loss(*pair, seed=seed)
    notes = list(diagnosis.notes)
    if guard.asked_elsewhere:
        notes = [n for n in notes  # computed from the NaNs answered away from the probe
                 if "central differences" not in n and not re.search(r"\bnan\b", n)]
        notes.append("From files, your program answers at the probe only, so nothing here "
                     "compares your gradients with central differences of your own code.")
    if short:
        notes.append(f"{', '.join(f + '.txt' for f in short)} hold(s) fewer than "
                     f"{FULL_DIGITS} significant digits, so everything was compared at the "
                     f"low-precision tolerance {LOW_PRECISION_TOLERANCE:g}; write 17 digits.")
    diagnosis.notes = tuple(notes)
    diagnosis.source = str(directory)
    return diagnosis
