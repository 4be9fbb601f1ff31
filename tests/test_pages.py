"""The cheat sheet and the four answer pages, checked without building the book.

* the cheat sheet exists, is a MyST notebook whose code cell builds the gate-order
  table with ``lstmlib.interop`` and claims the round trip is exact, and every line of
  its code fits the page;
* there is one answer page per learner's post, in that learner's language (Cyrillic
  for the C++ post, simplified Chinese for the other three), marked as such for fonts
  and screen readers, and of the length asked for;
* every ``{ref}``, ``{numref}`` and ``{eq}`` target of these pages is a label of a
  chapter, and every ``{doc}`` target is a file;
* every catalogue id a page mentions is in ``lstmlib.diagnose.catalogue.CATALOGUE``,
  and each answer names every mistake the catalogue traces to its post.

(That the built cheat sheet prints on two pages is a site test, in test_site.py.)
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import lstmlib.diagnose
from lstmlib import gradcheck, interop, lstm, peephole, rtrl, stacked
from lstmlib.diagnose.catalogue import CATALOGUE

ROOT = Path(__file__).resolve().parent.parent
CHEATSHEET = ROOT / "cheatsheet.md"
SEEDS = ("000", "001", "002", "003")
# seed -> (answer page, the page's language, the lang attribute of its wrapper)
ANSWERS = {
    "000": (ROOT / "answers" / "post_000_ru.md", "ru", "ru"),
    "001": (ROOT / "answers" / "post_001_zh.md", "zh", "zh-Hans"),
    "002": (ROOT / "answers" / "post_002_zh.md", "zh", "zh-Hans"),
    "003": (ROOT / "answers" / "post_003_zh.md", "zh", "zh-Hans"),
}
PAGES = [CHEATSHEET] + [page for page, _, _ in ANSWERS.values()]

# "About 300-500 words", with a little slack either side. Chinese is written without
# spaces, so its length is counted in characters: a translated English text needs
# about 1.7 Chinese characters per English word, so a Chinese "word" here is 1.7 Han
# characters (plus any Latin word in the prose).
WORDS = (270, 550)
# At the book's default width a code block is about 686 px wide and its 14 px monospace
# holds about 80 characters: keep a margin.
CODE_WIDTH = 78
HAN_PER_WORD = 1.7

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
LATIN = re.compile(r"[A-Za-z]")
CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff]+(?:-[\u0400-\u04ff]+)*")
LATIN_WORD = re.compile(r"[A-Za-z]+(?:['-][A-Za-z]+)*")

ROLE = re.compile(r"\{(?P<role>[\w:-]+)\}`(?P<body>[^`]*)`")
# a backticked name shaped like a catalogue id: three or more snake_case parts
ID_LIKE = re.compile(r"`([a-z][a-z0-9]*(?:_[a-z0-9]+){2,})`")


def prose(text: str) -> str:
    """The running text of a MyST page: no code, math, roles' targets, labels or tags."""
    text = re.sub(r"\A---\n.*?\n---\n", " ", text, flags=re.S)       # front matter
    text = re.sub(r"^(```|~~~).*?^\1", " ", text, flags=re.S | re.M)  # fenced blocks
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)              # display math
    text = re.sub(r"\$[^$\n]+\$", " ", text)                           # inline math
    text = ROLE.sub(lambda m: re.sub(r"<[^>]*>$", "", m["body"]), text)  # link text only
    text = re.sub(r"`[^`]*`", " ", text)                               # inline code
    text = re.sub(r"<[^>]+>", " ", text)                               # HTML tags
    return re.sub(r"^\([\w-]+\)=\s*$", " ", text, flags=re.M)          # labels


def role_targets(text: str, role: str) -> list[str]:
    """The targets of every {role}`...` in text: `text <target>` or `target`."""
    targets = []
    for m in ROLE.finditer(text):
        if m["role"] == role:
            explicit = re.search(r"<([^>]+)>\s*$", m["body"])
            targets.append(explicit[1] if explicit else m["body"].strip())
    return targets


def chapter_labels() -> tuple[set[str], set[str]]:
    """(section labels, equation labels) defined in the chapters' markdown cells."""
    sections, equations = set(), set()
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "markdown":
                continue
            source = "".join(cell["source"])
            sections.update(re.findall(r"^\(([\w-]+)\)=\s*$", source, flags=re.M))
            equations.update(re.findall(r"\$\$\s*\(([\w-]+)\)", source))
    return sections, equations


def words(text: str, language: str) -> float:
    """Length in words; for Chinese, Han characters / HAN_PER_WORD plus Latin words."""
    text = prose(text)
    latin = len(LATIN_WORD.findall(text))
    if language == "zh":
        return len(HAN.findall(text)) / HAN_PER_WORD + latin
    return len(CYRILLIC_WORD.findall(text)) + latin


def test_every_page_exists():
    missing = [str(p.relative_to(ROOT)) for p in PAGES if not p.is_file()]
    assert not missing, f"missing pages: {missing}"


def test_cheatsheet_computes_the_gate_order_table_with_interop():
    text = CHEATSHEET.read_text(encoding="utf-8")
    assert re.match(r"---\n(.*\n)*?file_format: mystnb\n", text), \
        "cheatsheet.md should be a MyST notebook (front matter with file_format: mystnb)"
    cells = re.findall(r"^```\{code-cell\}[^\n]*\n(.*?)^```", text, flags=re.S | re.M)
    assert cells, "the cheat sheet has no code cell"
    code = "\n".join(cells)
    for needed in ("interop.to_pytorch", "interop.from_pytorch", "interop.to_keras",
                   "interop.from_keras", "claim("):
        assert needed in code, f"the cheat sheet's code does not use {needed}"
    long_lines = [line for line in code.splitlines() if len(line) > CODE_WIDTH]
    assert not long_lines, f"code lines over {CODE_WIDTH} characters: {long_lines}"
    for heading in ("One step", "Through time", "Stacked", "Peephole", "Truncated RTRL",
                    "Gate order"):
        assert re.search(rf"^## .*{heading}", text, flags=re.M | re.I), \
            f"the cheat sheet has no section on {heading!r}"


@pytest.mark.parametrize("seed", SEEDS)
def test_answer_is_in_the_learners_language_and_marked_so(seed):
    page, language, lang_attr = ANSWERS[seed]
    text = page.read_text(encoding="utf-8")
    assert f'<div lang="{lang_attr}">' in text and text.rstrip().endswith("</div>"), \
        f'{page.name}: wrap the answer in <div lang="{lang_attr}"> ... </div>'
    body = prose(text)
    han, cyrillic, latin = (len(p.findall(body)) for p in (HAN, CYRILLIC, LATIN))
    if language == "ru":
        assert han == 0, f"{page.name}: Chinese characters in the Russian answer"
        assert cyrillic + latin, f"{page.name}: no letters in the Russian answer"
        assert cyrillic / (cyrillic + latin) > 0.85, \
            f"{page.name}: only {cyrillic} of {cyrillic + latin} letters are Cyrillic"
    else:
        assert cyrillic == 0, f"{page.name}: Cyrillic letters in a Chinese answer"
        assert han + latin, f"{page.name}: no letters in the Chinese answer"
        assert han / (han + latin / 4) > 0.85, \
            f"{page.name}: too little Chinese ({han} Han characters, {latin} Latin letters)"
        # simplified, not traditional: a few characters that differ and are common here
        traditional = set("們這個對錯誤數權層傳遞計從與來時")
        assert not traditional & set(body), \
            f"{page.name}: traditional characters {sorted(traditional & set(body))}"


@pytest.mark.parametrize("seed", SEEDS)
def test_answer_code_fits_the_page(seed):
    page, _, _ = ANSWERS[seed]
    blocks = re.findall(r"^```[^\n]*\n(.*?)^```", page.read_text(encoding="utf-8"),
                        flags=re.S | re.M)
    long_lines = [line for block in blocks for line in block.splitlines() if len(line) > CODE_WIDTH]
    assert not long_lines, f"{page.name}: code lines over {CODE_WIDTH} characters: {long_lines}"


@pytest.mark.parametrize("seed", SEEDS)
def test_answer_length(seed):
    page, language, _ = ANSWERS[seed]
    n = words(page.read_text(encoding="utf-8"), language)
    assert WORDS[0] <= n <= WORDS[1], f"{page.name}: {n:.0f} words, expected about 300-500"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_link_target_exists(page):
    text = page.read_text(encoding="utf-8")
    sections, equations = chapter_labels()
    refs, numrefs, eqs, docs = (role_targets(text, role)
                                for role in ("ref", "numref", "eq", "doc"))
    refs += numrefs  # the cheat sheet links by number (§3.6) to stay short in print
    assert refs, f"{page.name} links to no section"
    assert not set(refs) - sections, \
        f"{page.name}: {{ref}} targets not defined in chapters/: {sorted(set(refs) - sections)}"
    assert not set(eqs) - equations, \
        f"{page.name}: {{eq}} targets not defined in chapters/: {sorted(set(eqs) - equations)}"
    missing_docs = [d for d in docs
                    if not any((ROOT / d).with_suffix(s).is_file() for s in (".md", ".ipynb"))]
    assert not missing_docs, f"{page.name}: {{doc}} targets that are no file: {missing_docs}"


# Names of other libraries that the cheat sheet's gate-order table spells out.
FOREIGN_NAMES = {"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"}


def _library_names() -> set[str]:
    modules = (lstmlib.diagnose, gradcheck, interop, lstm, peephole, rtrl, stacked)
    return {name for module in modules for name in dir(module)} | FOREIGN_NAMES


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_mentioned_catalogue_ids_exist(page):
    named = set(ID_LIKE.findall(page.read_text(encoding="utf-8")))
    unknown = named - set(CATALOGUE) - _library_names()
    assert not unknown, (f"{page.name}: {sorted(unknown)} are neither catalogue ids "
                         "(lstmlib.diagnose.catalogue.CATALOGUE) nor lstmlib names")


@pytest.mark.parametrize("seed", SEEDS)
def test_answer_names_and_links_every_mistake_of_its_post(seed):
    page, _, _ = ANSWERS[seed]
    named = set(ID_LIKE.findall(page.read_text(encoding="utf-8")))
    expected = {mid for mid, m in CATALOGUE.items() if m.source == f"post {seed}"}
    assert expected, f"the catalogue traces no mistake to post {seed}"
    assert expected <= named, f"{page.name} does not name {sorted(expected - named)}"
    linked = set(role_targets(page.read_text(encoding="utf-8"), "ref"))
    unlinked = sorted(mid for mid in expected if CATALOGUE[mid].section not in linked)
    assert not unlinked, (f"{page.name} does not link the sections that explain "
                          f"{unlinked}: {[CATALOGUE[mid].section for mid in unlinked]}")


@pytest.mark.parametrize("seed", SEEDS)
def test_answer_types_in_no_computed_result(seed):
    # The answers compute nothing, so they quote no result: no decimals, no percentages,
    # no powers of ten in the prose (results are linked to where the book computes them).
    page, _, _ = ANSWERS[seed]
    body = prose(page.read_text(encoding="utf-8"))
    typed = re.findall(r"\d+[.,]\d+|\d+\s*%|\d+(?:\.\d+)?[eE][-+]?\d+|10\^|×\s*10", body)
    assert not typed, f"{page.name}: results typed in by hand: {typed}"
