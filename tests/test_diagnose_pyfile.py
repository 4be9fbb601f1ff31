"""lstmlib.diagnose.pyfile: diagnosing the functions in a reader's .py file."""
import subprocess
import sys
from pathlib import Path

from lstmlib.diagnose import pyfile

ROOT = Path(__file__).resolve().parents[1]

CELL = '''
import numpy as np

def sig(z):
    return 1 / (1 + np.exp(-z))

def {fwd}(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    a = x @ Wx + prev_h @ Wh + b
    i, f, o, g = sig(a[:, :H]), sig(a[:, H:2*H]), sig(a[:, 2*H:3*H]), np.tanh(a[:, 3*H:])
    c = f * prev_c + i * g
    return o * np.tanh(c), c, dict(x=x, h=prev_h, c0=prev_c, Wx=Wx, Wh=Wh, i=i, f=f, o=o, g=g, c=c)

def {bwd}(dh, dc, k):
    t = np.tanh(k["c"])
    dc = dc + dh * k["o"] * ({slope})
    da = np.hstack([dc * k["g"] * k["i"] * (1 - k["i"]), dc * k["c0"] * k["f"] * (1 - k["f"]),
                    dh * t * k["o"] * (1 - k["o"]), dc * k["i"] * (1 - k["g"] ** 2)])
    return da @ k["Wx"].T, da @ k["Wh"].T, dc * k["f"], k["x"].T @ da, k["h"].T @ da, da.sum(0)

def softmax_loss(scores, y):
    p = np.exp(scores - scores.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    d = p.copy()
    d[np.arange(len(y)), y] -= 1
    return -np.log(p[np.arange(len(y)), y]).sum(), d{loss_extra}
'''


def write(tmp_path, name, slope="1 - t ** 2", loss_extra="", fwd="lstm_step_forward",
          bwd="lstm_step_backward", head=""):
    path = tmp_path / name
    path.write_text(head + CELL.format(slope=slope, loss_extra=loss_extra, fwd=fwd, bwd=bwd))
    return path


def run(argv, capsys):
    code = pyfile.main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_correct_file_exits_0(tmp_path, capsys):
    code, out, err = run([write(tmp_path, "good.py")], capsys)
    assert code == 0, out + err
    assert "diagnose_step: no mistake found" in out and "diagnose_loss: no mistake found" in out
    assert "all 2 checks ok." in out


def test_buggy_file_exits_1_and_names_the_mistakes(tmp_path, capsys):
    path = write(tmp_path, "buggy.py", slope="1 - k['c'] ** 2",
                 loss_extra=" * p * (1 - p)")
    code, out, err = run([path], capsys)
    assert code == 1, out + err
    assert "tanh_grad_at_preactivation" in out and "softmax_grad_on_cross_entropy" in out
    assert "Your loss is the sum" in " ".join(out.split())
    assert "0 of 2 checks ok." in out


def test_names_given_with_flags_and_only(tmp_path, capsys):
    path = write(tmp_path, "named.py", fwd="my_forward", bwd="my_backward")
    code, out, _ = run([path, "--step-forward", "my_forward", "--step-backward", "my_backward",
                        "--only", "step"], capsys)
    assert code == 0 and "diagnose_step: no mistake found" in out and "loss" not in out
    code, _, err = run([path, "--step-forward", "nope", "--step-backward", "my_backward"],
                       capsys)
    assert code == 2 and "has no function 'nope'" in err and "Traceback" not in err


def test_broken_import_exits_2_with_a_clear_message(tmp_path, capsys):
    path = write(tmp_path, "broken.py", head="import no_such_module_anywhere\n")
    code, out, err = run([path], capsys)
    assert code == 2 and out == ""
    assert "broken.py does not import (line 1: import no_such_module_anywhere)" in err
    assert "ModuleNotFoundError" in err and "Traceback" not in err
    syntax = tmp_path / "syntax.py"
    syntax.write_text("def f(:\n    pass\n")
    code, _, err = run([syntax], capsys)
    assert code == 2 and "does not import (line 1)" in err and "SyntaxError" in err


def test_missing_function_and_bad_signature_exit_2(tmp_path, capsys):
    half = tmp_path / "half.py"
    half.write_text("def lstm_forward(x, h0, Wx, Wh, b):\n    return x, None\n")
    code, _, err = run([half], capsys)
    assert code == 2 and "no 'lstm_backward'" in err
    empty = tmp_path / "empty.py"
    empty.write_text("x = 1\n")
    code, _, err = run([empty], capsys)
    assert code == 2 and "has none of the functions" in err
    sig = tmp_path / "sig.py"
    sig.write_text("def softmax_loss(scores):\n    return 0.0, scores\n")
    code, _, err = run([sig], capsys)
    assert code == 2 and "cannot be called as softmax_loss(scores, y)" in err
    code, _, err = run([tmp_path / "missing.py"], capsys)
    assert code == 2 and "no such file" in err
    code, _, err = run([], capsys)
    assert code == 2 and "usage" in err
    code, _, err = run([empty, "--only", "bogus"], capsys)
    assert code == 2 and "unknown diagnoser 'bogus'" in err


def test_runs_as_a_module_from_the_command_line(tmp_path):
    path = write(tmp_path, "buggy.py", slope="1 - k['c'] ** 2")
    done = subprocess.run([sys.executable, "-m", "lstmlib.diagnose", str(path), "--only", "step"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "tanh_grad_at_preactivation" in done.stdout
