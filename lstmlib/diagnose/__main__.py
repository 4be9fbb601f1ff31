"""The clinic from the command line (also installed as ``lstmlib-diagnose``).

    python -m lstmlib.diagnose probe KIND DIR     write a probe; KIND: step, sequence,
                                                  peephole-step or loss
    python -m lstmlib.diagnose check DIR          diagnose what your program wrote into DIR
    python -m lstmlib.diagnose my_lstm.py [...]   diagnose the functions in a Python file

Exit status: 0 when everything is right, 1 when something is wrong (a
mistake, a bad file), 2 for a usage error.
"""
import argparse
import importlib
import sys

USAGE = __doc__.split("\n\n")[1]


def _probe_and_check(argv):
    from . import files

    parser = argparse.ArgumentParser(prog="python -m lstmlib.diagnose",
                                     description="The LSTM clinic over plain-text files.")
    sub = parser.add_subparsers(dest="command", required=True)
    probe = sub.add_parser("probe", help="write a probe's inputs, README.txt and templates")
    probe.add_argument("kind", choices=files.KINDS)
    probe.add_argument("directory")
    probe.add_argument("--seed", type=int, default=0)
    probe.add_argument("-T", type=int, default=5, help="sequence length (sequence probes)")
    check = sub.add_parser("check", help="diagnose the outputs your program wrote")
    check.add_argument("directory")
    check.add_argument("--kind", choices=files.KINDS, default=None,
                       help="the probe's kind (default: as recorded in DIR/probe.txt)")
    args = parser.parse_args(argv)  # exits 2 on a usage error
    if args.command == "probe":
        if args.T < 1:
            parser.error("-T must be at least 1")
        try:
            directory = files.write_probe(args.kind, args.directory, seed=args.seed, T=args.T)
        except OSError as err:
            print(f"error: cannot write the probe into {args.directory}: {err}", file=sys.stderr)
            return 1
        print(f"wrote a {args.kind} probe into {directory}; read {directory / 'README.txt'}, "
              f"let your program write its outputs there, then run:\n"
              f"  python -m lstmlib.diagnose check {directory}")
        return 0
    try:
        diagnosis = files.check_files(args.kind, args.directory)
    except files.ProbeFileError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except OSError as err:
        print(f"error: cannot read {args.directory}: {err}", file=sys.stderr)
        return 1
    print(diagnosis)
    return 0 if diagnosis.ok else 1


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        print(USAGE, file=sys.stderr)
        return 2
    if argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    if argv[0] in ("probe", "check"):
        try:
            return _probe_and_check(argv)
        except SystemExit as done:  # argparse: --help (0) or a usage error (2)
            return done.code if isinstance(done.code, int) else 2
    try:
        pyfile = importlib.import_module(f"{__package__}.pyfile")
    except ModuleNotFoundError as err:
        if err.name != f"{__package__}.pyfile":
            raise
        print("error: checking a Python file (lstmlib.diagnose.pyfile) is not available in "
              "this version of lstmlib; use the probe files instead:\n" + USAGE,
              file=sys.stderr)
        return 2
    code = pyfile.main(argv)
    return 0 if code is None else code


if __name__ == "__main__":
    sys.exit(main())
