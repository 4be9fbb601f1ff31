"""The book never says what its code did not show.

A number in a sentence must come in through the {eval} role, from the kernel that
computed it; it may stay literal only when it is a parameter the reader can see in
a code cell. This test scans every chapter: a number in a markdown cell that some
code cell of the same chapter *prints* (and no code cell *writes*) is a result
restated by hand, and fails here.
"""
import math
import re
from pathlib import Path

import nbformat
import pytest

from lstmlib.book.claims import ClaimFailed, claim, pct, sci

CHAPTERS = sorted((Path(__file__).resolve().parent.parent / "chapters").glob("*.ipynb"))

_SUPERSCRIPTS = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")
# a number: 6.7×10³, 6.7\times 10^{3}, 8.5e-05, 0.401, 5%, 169 (thousands with commas too)
_NUMBER = re.compile(
    r"(?<![\w.])(?P<mant>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
    r"(?:(?:\s*(?:×|\\times|\\cdot)\s*10\^?\{?(?P<exp>[-−⁻]?[\d⁰¹²³⁴⁵⁶⁷⁸⁹]+)\}?)"
    r"|(?:[eE](?P<e>[-+]?\d+)))?(?P<pct>\s*(?:%|\\%))?(?![\w])"
)
# what is not prose: {eval}`...` (the mechanism), inline code, roles' targets, labels,
# directive lines, URLs and HTML tags
_NOT_PROSE = re.compile(
    r"\{eval\}`[^`]*`|``[^`]*``|`[^`]*`|\{[\w:-]+\}`[^`]*`|^\([\w-]+\)=\s*$|^(?::::*|```+).*$"
    r"|^:\w[\w-]*:.*$|https?://\S+|<[^>]+>|\([\w-]+\)$",
    re.M,
)


def _value(m):
    mant = float(m["mant"].replace(",", ""))
    exp = m["exp"] or m["e"]
    if exp:
        mant *= 10.0 ** int(exp.translate(_SUPERSCRIPTS).replace("−", "-"))
    return mant


def _sig_digits(m):
    digits = m["mant"].replace(",", "").replace(".", "").lstrip("0")
    return max(1, len(digits))


def _numbers(text):
    return list(_NUMBER.finditer(text))


def _is_candidate(m):
    """Numbers worth checking: decimals, powers of ten, percentages, integers >= 10."""
    if m["exp"] or m["e"] or m["pct"] or "." in m["mant"]:
        return True
    return _value(m) >= 10


def _outputs_text(cell):
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        elif "data" in out:
            parts.append(out["data"].get("text/plain", ""))
    return "\n".join(parts)


def restated_numbers(nb):
    """(cell index, number as written) for every result restated by hand."""
    printed_values, printed_pcts, written = [], set(), set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        written.update(_value(m) for m in _numbers(cell.source))
        for m in _numbers(_outputs_text(cell)):
            if m["pct"]:
                printed_pcts.add(m["mant"])
            printed_values.append(_value(m))
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        prose = _NOT_PROSE.sub(" ", cell.source)
        for m in _numbers(prose):
            if not _is_candidate(m) or _value(m) in written:
                continue
            if m["pct"]:
                hit = m["mant"] in printed_pcts
            else:
                want, digits = _value(m), _sig_digits(m)
                hit = any(v != 0 and math.isclose(float(f"{v:.{digits}g}"), want, rel_tol=1e-9)
                          for v in printed_values)
            if hit:
                found.append((index, m.group(0).strip()))
    return found


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_prose_restates_no_printed_number(path):
    found = restated_numbers(nbformat.read(path, as_version=4))
    assert not found, (
        f"{path.name}: these numbers in the prose are printed by a code cell but typed by "
        "hand; bring them in with {eval} from the cell that computed them: "
        + ", ".join(f"cell {i}: {n}" for i, n in found)
    )


def test_the_scan_finds_a_restated_number():
    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("loss = train()")
    code.outputs = [nbformat.v4.new_output("stream", text="last loss 0.401, spike 6.7e+03, 5%\n")]
    nb.cells = [code, nbformat.v4.new_markdown_cell(
        "It ends at 0.401 after a spike of $6.7\\times 10^{3}$ on 5% of steps; "
        "{eval}`f'{loss:.3f}'` is fine.")]
    assert [n for _, n in restated_numbers(nb)] == ["0.401", "6.7\\times 10^{3}", "5%"]


def test_parameters_written_in_code_may_stay_literal():
    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("T = 30\nrate = 0.25")
    code.outputs = [nbformat.v4.new_output("stream", text="T 30, rate 0.25\n")]
    nb.cells = [code, nbformat.v4.new_markdown_cell("With T = 30 and a rate of 0.25.")]
    assert restated_numbers(nb) == []


def test_claim_prints_what_holds_and_fails_loudly_on_what_does_not(capsys):
    claim(True, "the clipped run converges")
    assert capsys.readouterr().out == "✓ the clipped run converges\n"
    with pytest.raises(ClaimFailed, match="the unclipped run diverges"):
        claim(False, "the unclipped run diverges")


def test_claim_refuses_arrays_and_empty_sentences():
    import numpy as np
    with pytest.raises(ValueError, match=r"\.all\(\) or \.any\(\)"):
        claim(np.array([True, False]), "every seed solves it")
    with pytest.raises(ValueError, match="sentence"):
        claim(True, "")
    claim(np.bool_(True), "a numpy bool is fine")


def test_prose_formats():
    assert sci(6712.3) == "6.7×10³"
    assert sci(8.5e-5) == "8.5×10⁻⁵"
    assert sci(9.96) == "1.0×10¹"
    assert pct(0.0512) == "5%"


_EVAL = re.compile(r"\{eval\}`([^`]+)`")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_eval_was_evaluated_on_the_reference_platform(path):
    """scripts/execute-notebooks stores each {eval} result where jupyterlab-myst reads it.

    A missing or stale entry means the chapter was saved some other way; a repr such as
    np.float64(0.4) means the expression should format its number (f"{x:.3f}").
    """
    for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
        if cell.cell_type != "markdown":
            continue
        expressions = _EVAL.findall(cell.source)
        stored = cell.metadata.get("user_expressions", [])
        assert [e["expression"] for e in stored] == expressions, (
            f"{path.name} cell {index}: re-run bash scripts/execute-notebooks {path.name}")
        for entry in stored:
            text = entry["result"].get("data", {}).get("text/plain", "")
            assert entry["result"]["status"] == "ok", (path.name, index, entry)
            assert not re.match(r"\w+\(|array\(|np\.", text), (
                f"{path.name} cell {index}: {{eval}}`{entry['expression']}` gives {text}; "
                "format it for prose")
