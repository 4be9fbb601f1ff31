"""Sentences the book states, checked by the code that computed them.

A chapter writes its verdicts ("the unclipped run diverges", "every seed solves
T = 100") as ``claim(condition, "the sentence")`` in the cell above the prose. On
the page the cell prints ``✓ the sentence``; on a machine where the experiment
comes out otherwise, it raises :class:`ClaimFailed`, naming the sentence, so the
build and nbval fail instead of the text going quietly wrong.

``sci`` and ``pct`` format numbers for the prose the same way everywhere.
"""
import math
import textwrap


class ClaimFailed(AssertionError):
    """A sentence the book states did not hold in this run."""


def claim(holds, statement):
    """Check one stated outcome; print it when it holds, raise when it does not.

    holds: a truth value, a Python or numpy bool. Arrays must be reduced first
    with .all() or .any(), since "every" and "some" are different claims.

    statement: the sentence as the prose says it.
    """
    if not isinstance(statement, str) or not statement.strip():
        raise ValueError("claim() needs the sentence it checks, as a non-empty string")
    if hasattr(holds, "shape") and getattr(holds, "shape", ()) != ():
        raise ValueError(f"claim({statement!r}): got an array of shape {holds.shape}; "
                         "reduce it with .all() or .any() first")
    if not bool(holds):
        raise ClaimFailed(f"the book claims {statement!r}, but in this run it does not hold")
    # wrapped to the page's 88 characters, so a long sentence does not scroll sideways
    print(textwrap.fill(f"✓ {statement}", 88, subsequent_indent="  "))


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def sci(x, digits=1):
    """x in scientific notation for prose: sci(6712.3) -> '6.7×10³'."""
    if x == 0 or not math.isfinite(x):
        return f"{x:.{digits}f}"
    exponent = math.floor(math.log10(abs(x)))
    mantissa = x / 10 ** exponent
    if round(abs(mantissa), digits) >= 10:  # 9.96 -> 10.0: carry into the exponent
        mantissa, exponent = mantissa / 10, exponent + 1
    return f"{mantissa:.{digits}f}×10{str(exponent).translate(_SUPERSCRIPT)}"


def pct(fraction, digits=0):
    """A fraction as a percentage for prose: pct(0.0512) -> '5%'."""
    return f"{100 * fraction:.{digits}f}%"
