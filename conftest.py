"""Settings every test shares, notebooks included (nbval starts kernels that inherit this environment).

Notebooks run in the smoke profile under the tests: ``ACGAN_PROFILE`` overrides the profile a stored
notebook asks for (see acgan_lib.notebook_setup).

Notebooks save figures and train their runs under the report folder (``acgan_lib.paths``). Each test
process gets a temporary one, removed when it ends, so tests never write into the checkout's report/ or
runs/; notebook 04's run in one process is then invisible to notebooks 06 and 07 in another, which use
the shipped generator instead (the runner's test checks the hand-over, in one process).
"""

import atexit
import os
import shutil
import tempfile

os.environ["ACGAN_PROFILE"] = "smoke"
os.environ["ACGAN_REPORT_DIR"] = tempfile.mkdtemp(prefix="acgan-test-report-")
atexit.register(shutil.rmtree, os.environ["ACGAN_REPORT_DIR"], ignore_errors=True)
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
