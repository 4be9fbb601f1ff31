"""lstmlib.train: the loop learns, clips, calls back, and repeats itself exactly with a seed."""
import itertools

import numpy as np
import pytest

from lstmlib import data, models, optim, train
from lstmlib.book import progress


def least_squares(params, batch):
    """loss = mean((x w - y)^2) over a batch, for a 3-vector w."""
    x, y = batch
    residual = x @ params["w"] - y
    return float(np.mean(residual ** 2)), {"w": 2 * x.T @ residual / len(y)}


def least_squares_batches(rng, w_true=np.array([1.0, -2.0, 0.5])):
    while True:
        x = rng.standard_normal((16, 3))
        yield x, x @ w_true


def test_loss_falls_on_least_squares():
    params = {"w": np.zeros(3)}
    history = train.fit(params, least_squares, least_squares_batches(np.random.default_rng(0)),
                        300, config={"learning_rate": 0.05})
    assert history["loss"].shape == history["grad_norm"].shape == (300,)
    assert history["loss"][-10:].mean() < 1e-3 * history["loss"][0]
    np.testing.assert_allclose(params["w"], [1.0, -2.0, 0.5], atol=0.02)


def test_loss_falls_for_a_tiny_char_lstm():
    text = "hello world, hello lstm. " * 4
    vocab = data.char_vocab(text)
    ids = data.encode(text, vocab)
    rng = np.random.default_rng(1)
    params = models.init_char_lm(len(vocab.chars), [16], rng)
    batches = (data.text_windows(ids, 8, 10, rng) for _ in range(150))
    history = train.fit(params, models.char_lm_loss_and_grads, batches, 150,
                        config={"learning_rate": 2e-2}, clip=5.0)
    assert history["loss"][0] > 2.0  # about log(V) at the start
    assert history["loss"][-20:].mean() < 0.5


def big_gradient(params, batch):
    return 1.0, {"a": np.full(3, 30.0), "b": np.full((2, 2), 40.0)}


def test_clipping_scales_the_whole_update_to_the_clip_norm():
    params = {"a": np.zeros(3), "b": np.zeros((2, 2))}
    history = train.fit(params, big_gradient, itertools.repeat(None), 1, rule=optim.sgd,
                        config={"learning_rate": 1.0}, clip=2.0)
    norm = np.sqrt(3 * 30.0 ** 2 + 4 * 40.0 ** 2)
    assert history["grad_norm"][0] == pytest.approx(norm)  # recorded before clipping
    step = np.concatenate([params["a"], params["b"].ravel()])
    assert np.linalg.norm(step) == pytest.approx(2.0)
    # Same direction as the unclipped gradient: every entry scaled by 2 / norm.
    np.testing.assert_allclose(params["b"], -40.0 * 2.0 / norm)


def test_without_clip_the_full_gradient_is_applied():
    params = {"a": np.zeros(3), "b": np.zeros((2, 2))}
    train.fit(params, big_gradient, itertools.repeat(None), 1, rule=optim.sgd,
              config={"learning_rate": 1.0})
    np.testing.assert_allclose(params["a"], -30.0)
    np.testing.assert_allclose(params["b"], -40.0)


def test_callbacks_are_called_after_every_update_with_the_history_so_far():
    calls = []

    def record(step, params, history):
        calls.append((step, len(history["loss"]), len(history["grad_norm"]), params["w"].copy()))

    params = {"w": np.zeros(3)}
    train.fit(params, least_squares, least_squares_batches(np.random.default_rng(0)), 5,
              callbacks=[record, record])
    assert [c[0] for c in calls] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert all(step == n_loss == n_norm for step, n_loss, n_norm, _ in calls)
    assert not np.array_equal(calls[0][3], np.zeros(3))  # called after the update
    np.testing.assert_array_equal(calls[-1][3], params["w"])


def train_adding(seed, steps=15):
    rng = np.random.default_rng(seed)
    params = models.init_regressor("lstm", 2, 4, rng, dtype=np.float32)
    batches = (data.adding_problem(8, 6, rng, dtype=np.float32) for _ in range(steps))
    history = train.fit(params, models.regressor_loss_and_grads, batches, steps,
                        config={"learning_rate": 1e-2}, clip=1.0)
    return params, history


def test_the_same_seed_gives_the_same_run_and_another_seed_does_not():
    params_a, history_a = train_adding(3)
    params_b, history_b = train_adding(3)
    params_c, history_c = train_adding(4)
    np.testing.assert_array_equal(history_a["loss"], history_b["loss"])
    for name in params_a:
        np.testing.assert_array_equal(params_a[name], params_b[name])
        assert params_a[name].dtype == np.float32  # float32 end to end
    assert not np.array_equal(history_a["loss"], history_c["loss"])


def test_bad_arguments_raise():
    params = {"w": np.zeros(3)}
    batches = least_squares_batches(np.random.default_rng(0))
    with pytest.raises(ValueError, match="steps"):
        train.fit(params, least_squares, batches, 0)
    with pytest.raises(ValueError, match="clip"):
        train.fit(params, least_squares, batches, 3, clip=0.0)
    with pytest.raises(ValueError, match="ran out after 2 steps of 5"):
        train.fit(params, least_squares, [next(batches), next(batches)], 5)


def test_a_diverging_loss_stops_training():
    def diverging(params, batch):
        return float("nan"), {"w": np.zeros(3)}

    with pytest.raises(FloatingPointError, match="step 1"):
        train.fit({"w": np.zeros(3)}, diverging, itertools.repeat(None), 3)


def test_moving_average():
    values = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    np.testing.assert_allclose(train.moving_average(values, 2), [1.5, 2.5, 3.5, 4.5])
    np.testing.assert_allclose(train.moving_average(values, 5), [3.0])
    np.testing.assert_allclose(train.moving_average(values, 1), values)
    with pytest.raises(ValueError, match="window"):
        train.moving_average(values, 6)


class FakeHandle:
    def __init__(self, log, obj):
        self.log = log
        log.append(("display", obj.data))

    def update(self, obj):
        self.log.append(("update", obj.data))


def fake_display(log):
    def display(obj, display_id=None):
        if display_id:
            return FakeHandle(log, obj)
        log.append(("final", obj.data))
    return display


def test_live_progress_ends_with_its_first_content_and_leaves_the_final_state(monkeypatch):
    log = []
    monkeypatch.setattr(progress, "display", fake_display(log))
    params = {"w": np.zeros(3)}
    train.fit(params, least_squares, least_squares_batches(np.random.default_rng(0)), 10,
              callbacks=[progress.live_progress(10, every=4, plot=True, label="demo")])
    kinds = [kind for kind, _ in log]
    assert kinds == ["display", "update", "update", "update", "final"]  # steps 4, 8, the last
    # What nbval sees first is what a saved notebook keeps last: the heading, both times.
    assert log[0][1] == log[-2][1] == "<pre>demo: 10 steps</pre>"
    assert "demo: step 4/10" in log[1][1] and "step 8/10" in log[2][1]
    assert "data:image/png;base64," in log[1][1]
    # The final state stays in the output: the last line and the last loss curve.
    assert "demo: step 10/10, mean loss of the last 4 steps" in log[-1][1]
    assert "data:image/png;base64," in log[-1][1]
    assert "was shown here" not in log[-1][1]


def test_live_progress_can_share_one_display(monkeypatch):
    log = []
    monkeypatch.setattr(progress, "display", fake_display(log))
    handle = progress.progress_display()
    for label in ("first", "second"):
        train.fit({"w": np.zeros(3)}, least_squares,
                  least_squares_batches(np.random.default_rng(0)), 6,
                  callbacks=[progress.live_progress(6, every=3, label=label, handle=handle)])
    kinds = [kind for kind, _ in log]
    assert kinds == ["display", "update", "update", "final", "update", "update", "final"]
    texts = [text for _, text in log]
    assert "first: step 3/6" in texts[1] and "second: step 3/6" in texts[4]
    assert texts[0] == texts[2] == texts[5]  # the shared display ends as it began
    assert "first: step 6/6" in texts[3] and "second: step 6/6" in texts[6]
