"""Diagnose the functions in a Python file: ``python -m lstmlib.diagnose my_lstm.py``.

``main(argv)`` imports the file, finds the functions by their classic names
(or by the names given with flags), runs every diagnoser that applies and
prints the reports::

    diagnose_step            lstm_step_forward, lstm_step_backward
                             (flags --step-forward NAME, --step-backward NAME)
    diagnose_sequence        lstm_forward, lstm_backward (--forward, --backward)
    diagnose_peephole_step   peephole_step_forward, peephole_step_backward
                             (--peephole-forward, --peephole-backward)
    diagnose_loss            softmax_loss (--loss)

A diagnoser applies when both of its functions are in the file (for the loss,
the one). ``--only step,loss`` restricts the run; ``-T`` and ``--seed`` are passed on.

Exit codes: 0 when every report is ok; 1 when a report names a mistake or finds
the code wrong; 2 when the file could not be checked: bad arguments, the file
is missing or does not import, a function named with a flag is missing, no
function applies, or a function's signature does not fit the call the
diagnoser makes. Those cases print one clear message (with the line of *your*
file where the import failed) and no traceback from inside lstmlib.
"""
import argparse
import importlib.util
import inspect
import sys
import traceback
from pathlib import Path

from .diagnosers import diagnose_loss, diagnose_peephole_step, diagnose_sequence, diagnose_step

# kind -> (diagnoser, [(flag dest, classic name, the call it must accept)])
PAIRS = {
    "step": (diagnose_step, [
        ("step_forward", "lstm_step_forward", "forward(x, prev_h, prev_c, Wx, Wh, b)"),
        ("step_backward", "lstm_step_backward", "backward(dnext_h, dnext_c, cache)")]),
    "sequence": (diagnose_sequence, [
        ("forward", "lstm_forward", "forward(x, h0, Wx, Wh, b)"),
        ("backward", "lstm_backward", "backward(dh, cache)")]),
    "peephole_step": (diagnose_peephole_step, [
        ("peephole_forward", "peephole_step_forward", "forward(x, prev_h, prev_c, Wx, Wh, b, p)"),
        ("peephole_backward", "peephole_step_backward", "backward(dnext_h, dnext_c, cache)")]),
    "loss": (diagnose_loss, [("loss", "softmax_loss", "softmax_loss(scores, y)")]),
}


class _Usage(Exception):
    """Something that stops the file from being checked (exit code 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise _Usage(f"{message}\n{self.format_usage().rstrip()}")


def _parser():
    p = _Parser(prog="python -m lstmlib.diagnose", description="Name the mistakes in the "
                "LSTM functions of a Python file.")
    p.add_argument("file", help="your Python file, e.g. my_lstm.py")
    for kind, (_, funcs) in PAIRS.items():
        for dest, classic, _ in funcs:
            p.add_argument("--" + dest.replace("_", "-"), dest=dest, metavar="NAME",
                           help=f"the name of your {classic} (default: {classic})")
    p.add_argument("--only", default=None,
                   help="comma-separated diagnosers to run: " + ", ".join(PAIRS))
    p.add_argument("-T", type=int, default=5, help="sequence length of the sequence probe")
    p.add_argument("--seed", type=int, default=0, help="the probes' seed")
    return p


def _import(path):
    """Import the reader's file as a module; _Usage with a readable message if it fails."""
    path = Path(path)
    if not path.is_file():
        raise _Usage(f"no such file: {path}")
    name = "_lstmlib_reader_" + "".join(c if c.isalnum() else "_" for c in path.stem)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.resolve().parent))  # so the file can import its neighbours
    try:
        spec.loader.exec_module(module)
    except BaseException as err:  # SyntaxError, ImportError, SystemExit, anything at import
        if isinstance(err, KeyboardInterrupt):
            raise
        where = ""
        if isinstance(err, SyntaxError) and err.lineno:
            where = f" (line {err.lineno})"
        else:
            frames = [f for f in traceback.extract_tb(err.__traceback__)
                      if Path(f.filename).resolve() == path.resolve()]
            if frames:
                where = f" (line {frames[-1].lineno}: {frames[-1].line})"
        message = "".join(traceback.format_exception_only(type(err), err)).strip()
        raise _Usage(f"{path} does not import{where}: {message}") from None
    finally:
        if str(path.resolve().parent) in sys.path:
            sys.path.remove(str(path.resolve().parent))
    return module


def _fits(fn, call):
    """None if fn can be called as ``call`` (positionally), else a sentence saying why not."""
    n = call.count(",") + 1
    try:
        inspect.signature(fn).bind(*range(n))
    except TypeError as err:
        return f"it cannot be called as {call}: {err}"
    except ValueError:  # no signature (a builtin): let the diagnoser try
        return None
    return None


def _select(module, args):
    """[(kind, diagnoser, functions)] that apply, or _Usage."""
    chosen = []
    only = None
    if args.only:
        only = [k.strip() for k in args.only.split(",") if k.strip()]
        unknown = [k for k in only if k not in PAIRS]
        if unknown:
            raise _Usage(f"--only: unknown diagnoser {unknown[0]!r}; choose from "
                         + ", ".join(PAIRS))
    for kind, (diagnoser, funcs) in PAIRS.items():
        if only is not None and kind not in only:
            continue
        found, missing, flagged = [], [], False
        for dest, classic, call in funcs:
            given = getattr(args, dest)
            flagged |= given is not None
            name = given or classic
            fn = getattr(module, name, None)
            if fn is None or not callable(fn):
                missing.append(name)
                if given is not None:
                    raise _Usage(f"{args.file} has no function {name!r} (given with "
                                 f"--{dest.replace('_', '-')})")
                continue
            problem = _fits(fn, call)
            if problem:
                raise _Usage(f"{name} in {args.file}: {problem}")
            found.append(fn)
        if missing and (found or flagged or (only and kind in only)):
            raise _Usage(f"{args.file} has {', '.join(f.__name__ for f in found) or 'none'} "
                         f"of the {kind} functions but no {', '.join(map(repr, missing))} "
                         "(name it with a flag, see --help)")
        if not missing:
            chosen.append((kind, diagnoser, found))
    if not chosen:
        names = ", ".join(classic for _, funcs in PAIRS.values() for _, classic, _ in funcs)
        raise _Usage(f"{args.file} has none of the functions the diagnosers look for "
                     f"({names}); name yours with flags, see --help")
    return chosen


def main(argv=None):
    """Run the diagnosers on a Python file; return the exit code (0 ok, 1 wrong, 2 unusable)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        try:
            args = _parser().parse_args(argv)
        except SystemExit as done:  # --help
            return done.code if isinstance(done.code, int) else 0
        module = _import(args.file)
        chosen = _select(module, args)
    except _Usage as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    wrong = 0
    for kind, diagnoser, functions in chosen:
        kwargs = {"seed": args.seed}
        if kind == "sequence":
            kwargs["T"] = args.T
        diagnosis = diagnoser(*functions, **kwargs)
        print(diagnosis)
        print()
        wrong += not diagnosis.ok
    total = len(chosen)
    print(f"{total - wrong} of {total} checks ok." if wrong else f"all {total} checks ok.")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
