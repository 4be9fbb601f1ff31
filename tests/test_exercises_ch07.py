"""Chapter 7's exercises, and where the catalogue's sections now live (chapters 6 and 7)."""
import json
import re
from pathlib import Path

import numpy as np

from lstmlib import layers, lstm
from lstmlib.book.exercises import ch07, check
from lstmlib.diagnose import mistakes

CHAPTERS = Path(__file__).resolve().parent.parent / "chapters"


def test_the_mystery_backward_is_named_and_the_fix_passes():
    verdict = check("gallery-mystery-backward", ch07.mystery_backward)
    assert verdict.status == "wrong" and verdict.mistakes == ("forget_grad_uses_new_cell",)
    assert check("gallery-mystery-backward", lstm.lstm_backward_loop).ok


def test_a_sequence_mistake_in_the_answer_is_named():
    def assigned(dh, caches):  # a loop of lstmlib's steps, but dWx = dWx_t instead of +=
        dprev_h, dprev_c = np.zeros_like(caches[0].prev_h), np.zeros_like(caches[0].prev_c)
        dx = [None] * len(caches)
        for t in reversed(range(len(caches))):
            dx[t], dprev_h, dprev_c, dWx, dWh, db = lstm.lstm_step_backward(
                dh[:, t] + dprev_h, dprev_c, caches[t])
        return np.stack(dx, axis=1), dprev_h, dWx, dWh, db

    verdict = check("gallery-mystery-backward", assigned)
    assert verdict.status == "wrong"
    assert verdict.mistakes == ("weight_grads_assigned_not_accumulated",)


def test_the_loss_check_wants_the_mean_and_names_loss_mistakes():
    assert check("softmax-loss-mean", layers.softmax_loss).ok

    def summed(x, y):  # right gradient of a summed loss: the wrong convention here
        loss, dx = layers.softmax_loss(x, y)
        return loss * len(y), dx * len(y)

    verdict = check("softmax-loss-mean", summed)
    assert verdict.status == "wrong" and "the sum" in verdict.message
    for mid in ("loss_grad_not_divided_by_batch", "softmax_grad_on_cross_entropy",
                "loss_grad_forgets_target"):
        verdict = check("softmax-loss-mean", mistakes.softmax_loss(mid))
        assert verdict.status == "wrong" and verdict.mistakes == (mid,)


def test_every_section_of_the_catalogue_is_in_the_chapter_it_names():
    """The report says "Explained in chapter N, section ...": the label and the heading
    must be in chapter N's notebook."""
    notebooks = {int(p.name[:2]): p for p in CHAPTERS.glob("0[67]_*.ipynb")}
    for label, section in mistakes.SECTIONS.items():
        cells = json.loads(notebooks[section.chapter].read_text())["cells"]
        text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        match = re.search(rf"^\({re.escape(label)}\)=\n#+ (.+)$", text, re.M)
        assert match, f"({label})= is not in chapter {section.chapter}"
        heading = match.group(1).replace("`", "")
        assert heading == section.title, (label, heading, section.title)
