"""The diagnoser over plain-text probe files: write_probe, check_files and the CLI."""
import subprocess
import sys

import numpy as np
import pytest

from lstmlib import diagnose, peephole
from lstmlib.diagnose import files, variants

KIND_FILES = {
    "step": ["x", "prev_h", "prev_c", "Wx", "Wh", "b", "dnext_h", "dnext_c"],
    "sequence": ["x", "h0", "Wx", "Wh", "b", "dh"],
    "peephole-step": ["x", "prev_h", "prev_c", "Wx", "Wh", "b", "p", "dnext_h", "dnext_c"],
    "loss": ["scores", "y", "scores_shifted"],
}


def reader_outputs(kind, *ids):
    """What a reader's program (here lstmlib's variants) writes back, name -> array."""
    _, inputs, upstream, outputs = files._spec(kind)
    a, u = list(inputs.values()), list(upstream.values())
    if kind == "step":
        h, c, cache = variants.step_forward(*a)
        res = [h, c, *variants.step_backward(*ids)(*u, cache)]
    elif kind == "sequence":
        h, cache = variants.sequence_forward(*a)
        res = [h, *variants.sequence_backward(*ids)(*u, cache)]
    elif kind == "peephole-step":
        h, c, cache = peephole.peephole_step_forward(*a)
        res = [h, c, *variants.peephole_step_backward(*ids)(*u, cache)]
    else:
        fn = variants.softmax_loss(*ids)
        loss, d = fn(a[0].copy(), a[1])
        with np.errstate(all="ignore"):
            loss2, d2 = fn(a[2].copy(), a[1])
        res = [np.array([loss]), d, np.array([loss2]), d2]
    return dict(zip(outputs, res))


def write_outputs(directory, arrays, fmt=None):
    for name, arr in arrays.items():
        if fmt is None:
            files.write_array(directory / f"{name}.txt", arr)
        else:
            np.savetxt(directory / f"{name}.txt", files._rows(arr), fmt=fmt)


@pytest.fixture
def step_dir(tmp_path):
    d = files.write_probe("step", tmp_path / "probe")
    write_outputs(d, reader_outputs("step"))
    return d


# --- the probe directory ----------------------------------------------------------------------

@pytest.mark.parametrize("kind", files.KINDS)
def test_write_probe_writes_every_input_exactly_and_documents_the_outputs(tmp_path, kind):
    d = files.write_probe(kind, tmp_path / kind)
    _, inputs, upstream, outputs = files._spec(kind)
    assert sorted(p.stem for p in d.glob("*.txt") if p.stem not in ("probe", "README")) == \
        sorted(KIND_FILES[kind])
    for name, arr in {**inputs, **upstream}.items():
        back = np.loadtxt(d / f"{name}.txt", ndmin=2)
        assert np.array_equal(back.reshape(arr.shape), arr), name  # repr-exact round trip
    readme = (d / "README.txt").read_text()
    assert "i, f, o, g" in readme and "n*T + t" in readme
    for name in [*inputs, *upstream, *outputs]:
        assert f"{name}.txt" in readme
    for template in ("template.cpp", "Template.java"):
        text = (d / template).read_text()
        assert "TODO: your LSTM here" in text
        assert all(f'"{name}"' in text for name in [*inputs, *upstream, *outputs])
    assert "raw_ascii" in (d / "template.cpp").read_text()
    assert f"kind {kind}" in (d / "probe.txt").read_text()


def test_the_sequence_layout_is_row_n_T_plus_t(tmp_path):
    d = files.write_probe("sequence", tmp_path)
    x = files._spec("sequence")[1]["x"]
    N, T, D = x.shape
    rows = np.loadtxt(d / "x.txt")
    assert rows.shape == (N * T, D)
    assert np.array_equal(rows[1 * T + 3], x[1, 3])


# --- the round trip -------------------------------------------------------------------------

@pytest.mark.parametrize("kind", files.KINDS)
def test_correct_outputs_come_back_ok(tmp_path, kind):
    d = files.write_probe(kind, tmp_path)
    write_outputs(d, reader_outputs(kind))
    diagnosis = files.check_files(kind, d)
    assert diagnosis.ok, str(diagnosis)
    assert diagnosis.mistakes == ()
    assert files.check_files(None, d).ok  # the kind recorded in probe.txt


@pytest.mark.parametrize("kind, ids", [
    ("step", ("tanh_grad_at_preactivation",)),
    ("step", ("bias_grad_scaled_by_sigmoid",)),
    ("step", ("missing_forget_in_dprev_c",)),
    ("sequence", ("tanh_grad_at_preactivation", "ones_initial_state")),
    ("sequence", ("dropped_recurrent_h_grad",)),
    ("peephole-step", ("peephole_o_path_missing_in_dc",)),
    ("loss", ("softmax_grad_on_cross_entropy",)),
    ("loss", ("softmax_not_shifted",)),
])
def test_a_catalogued_mistake_is_named_exactly(tmp_path, kind, ids):
    d = files.write_probe(kind, tmp_path)
    write_outputs(d, reader_outputs(kind, *ids))
    diagnosis = files.check_files(kind, d)
    assert not diagnosis.ok
    assert set(diagnosis.mistakes) == set(ids), str(diagnosis)
    assert "nan" not in str(diagnosis).replace("NaN", "")  # no note computed from NaNs


def test_files_and_functions_go_through_one_diagnoser(tmp_path):
    """The same mistakes and the same errors as diagnose_step on the functions themselves."""
    d = files.write_probe("step", tmp_path)
    write_outputs(d, reader_outputs("step", "tanh_grad_at_preactivation"))
    from_files = files.check_files("step", d)
    from_code = diagnose.diagnose_step(variants.step_forward,
                                       variants.step_backward("tanh_grad_at_preactivation"))
    assert from_files.mistakes == from_code.mistakes
    assert from_files.errors == from_code.errors
    assert from_files.where() == from_code.where()


def test_a_forward_mistake_in_the_files_is_reported(tmp_path):
    d = files.write_probe("step", tmp_path)
    out = reader_outputs("step")
    out["next_c"] = out["next_c"] * 1.01
    write_outputs(d, out)
    diagnosis = files.check_files("step", d)
    assert not diagnosis.ok and "next_c" in str(diagnosis)


def test_six_digits_are_compared_at_low_precision_with_a_note(tmp_path):
    d = files.write_probe("step", tmp_path)
    write_outputs(d, reader_outputs("step"), fmt="%.6g")
    diagnosis = files.check_files("step", d)
    assert diagnosis.ok, str(diagnosis)
    assert any("17 digits" in note for note in diagnosis.notes)


def test_a_column_vector_db_is_the_same_numbers(tmp_path):
    d = files.write_probe("step", tmp_path)
    out = reader_outputs("step")
    write_outputs(d, out)
    np.savetxt(d / "db.txt", out["db"].reshape(-1, 1), fmt="%.17g")
    assert files.check_files("step", d).ok


# --- bad files: each error names the file and what was expected ------------------------------

def test_missing_file(step_dir):
    (step_dir / "dWh.txt").unlink()
    with pytest.raises(files.MissingFileError, match=r"dWh\.txt is missing.*3 row\(s\) of 12 "
                       r"number\(s\) \(H x 4H\)"):
        files.check_files("step", step_dir)


def test_wrong_shape(step_dir):
    np.savetxt(step_dir / "dx.txt", np.zeros((2, 14)))
    with pytest.raises(files.ShapeError, match=r"dx\.txt has 2 row\(s\) of 14, expected 3 "
                       r"row\(s\) of 14 number\(s\) \(N x D\)"):
        files.check_files("step", step_dir)


def test_nan(step_dir):
    out = reader_outputs("step")
    out["dprev_c"][1, 2] = np.nan
    write_outputs(step_dir, {"dprev_c": out["dprev_c"]})
    with pytest.raises(files.NonFiniteError, match=r"dprev_c\.txt, line 2: nan .*3 row\(s\) of "
                       r"3 number\(s\) \(N x H\) of finite numbers"):
        files.check_files("step", step_dir)


def test_inf(step_dir):
    (step_dir / "next_h.txt").write_text("inf 0 0\n0 0 0\n0 0 0\n")
    with pytest.raises(files.NonFiniteError, match=r"next_h\.txt, line 1"):
        files.check_files("step", step_dir)


def test_truncated_row(step_dir):
    lines = (step_dir / "dWx.txt").read_text().splitlines()
    lines[4] = " ".join(lines[4].split()[:7])
    (step_dir / "dWx.txt").write_text("\n".join(lines) + "\n")
    with pytest.raises(files.TruncatedRowError, match=r"dWx\.txt, line 5 has 7 number\(s\), "
                       r"expected 12.*14 row\(s\) of 12 number\(s\) \(D x 4H\)"):
        files.check_files("step", step_dir)


def test_transposed_matrix(step_dir):
    np.savetxt(step_dir / "dWx.txt", reader_outputs("step")["dWx"].T, fmt="%.17g")
    with pytest.raises(files.TransposedError, match=r"dWx\.txt is 12 x 14, expected 14 row\(s\) "
                       r"of 12 number\(s\) \(D x 4H\): it looks transposed"):
        files.check_files("step", step_dir)


def test_not_a_number(step_dir):
    (step_dir / "db.txt").write_text("0.1 0.2 abc" + " 0" * 9 + "\n")
    with pytest.raises(files.NotANumberError, match=r"db\.txt, line 1: 'abc' is not a number"):
        files.check_files("step", step_dir)


def test_a_changed_input(step_dir):
    (step_dir / "prev_c.txt").write_text("0 0 0\n0 0 0\n0 0 0\n")
    with pytest.raises(files.InputChangedError, match=r"prev_c\.txt no longer holds"):
        files.check_files("step", step_dir)


def test_no_probe_and_the_wrong_kind(tmp_path, step_dir):
    with pytest.raises(files.ProbeDirError, match="holds no probe.txt"):
        files.check_files("step", tmp_path / "empty")
    with pytest.raises(files.ProbeDirError, match="holds a step probe, not a loss probe"):
        files.check_files("loss", step_dir)
    with pytest.raises(files.ProbeFileError, match="unknown probe kind 'lstm'"):
        files.write_probe("lstm", tmp_path / "x")


def test_every_file_error_is_a_value_error():
    for cls in (files.MissingFileError, files.ShapeError, files.TransposedError,
                files.TruncatedRowError, files.NonFiniteError, files.NotANumberError,
                files.InputChangedError, files.ProbeDirError):
        assert issubclass(cls, files.ProbeFileError) and issubclass(cls, ValueError)


# --- the command line ---------------------------------------------------------------------------

def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "lstmlib.diagnose", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, timeout=120)


def test_cli_probe_then_check(tmp_path):
    d = tmp_path / "p"
    run = cli("probe", "sequence", d)
    assert run.returncode == 0 and "check" in run.stdout
    write_outputs(d, reader_outputs("sequence"))
    run = cli("check", d)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "no mistake found" in run.stdout
    write_outputs(d, reader_outputs("sequence", "ones_initial_state"))
    run = cli("check", d)
    assert run.returncode == 1 and "ones_initial_state" in run.stdout


def test_cli_bad_files_and_usage_give_messages_not_tracebacks(tmp_path, step_dir):
    (step_dir / "dx.txt").unlink()
    run = cli("check", step_dir)
    assert run.returncode == 1 and "dx.txt is missing" in run.stderr
    assert "Traceback" not in run.stderr
    run = cli("check", tmp_path / "nothing")
    assert run.returncode == 1 and "no probe.txt" in run.stderr and "Traceback" not in run.stderr
    for args in [(), ("probe", "lstm", tmp_path), ("check",), ("probe", "step")]:
        run = cli(*args)
        assert run.returncode == 2, args
        assert "Traceback" not in run.stderr
    assert cli("--help").returncode == 0


def test_cli_dispatches_a_python_file_to_pyfile(tmp_path):
    run = cli(tmp_path / "no_such_file.py")
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
