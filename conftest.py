"""Settings every test shares, notebooks included (nbval starts kernels that inherit this environment).

Notebooks run in the smoke profile under the tests: ``ACGAN_PROFILE`` overrides the profile a stored
notebook asks for (see acgan_lib.notebook_setup).
"""

import os

os.environ["ACGAN_PROFILE"] = "smoke"
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
