"""show_mistake keeps the inner indentation of a marked run of lines."""
import pytest

from lstmlib.book import source


def test_a_marked_def_keeps_its_body_indented():
    _, wrong = source.marked_lines("sigmoid_grad_applied_twice")
    assert wrong[0].startswith("def dsig(")
    assert wrong[1].startswith("    return ")


def test_a_continued_call_keeps_its_continuation_indent():
    _, wrong = source.marked_lines("ones_initial_state")
    assert wrong[0].startswith("step = step._replace(")
    assert wrong[1].startswith(" " * len("step = step._replace(") + "prev_c=")


def test_separate_runs_are_dedented_each_on_its_own():
    text = ("def f():\n"
            "        a = 1  # mistake: ones_initial_state\n"
            "        b = 2\n"
            "    c = 3  # mistake: ones_initial_state\n")
    _, wrong = source.marked_lines("ones_initial_state", text)
    assert wrong == ["a = 1", "c = 3"]


def test_no_marked_line_names_where_it_looked():
    with pytest.raises(ValueError, match="lstmlib.diagnose.variants or lstmlib.peephole"):
        source.marked_lines("sequence_length_one")
    with pytest.raises(ValueError, match="no line of the given source"):
        source.marked_lines("ones_initial_state", "x = 1\n")
