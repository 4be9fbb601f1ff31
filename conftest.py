"""Pin every nbval kernel to the reference numeric platform.

nbval's kernels inherit this process's environment. This file sits at the root so
that pytest loads it whatever paths it is given (`pytest --nbval chapters/...`
too), and the stored outputs, made on that platform, reproduce whatever the
caller's shell or CPU would pick (scripts/reference_platform.py says why).
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "scripts"))
import reference_platform  # noqa: E402

reference_platform.apply()
