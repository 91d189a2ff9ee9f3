import pytest

from acgan_lib.notebook_setup import check_injected_parameters

PARAMETERS = 'profile_name = "quick"  # smoke, quick or full\nseed = 0\nrate = 1e-4\nrun_root = None\nlong = True\n'


def injected(*lines):
    return "# Parameters\n" + "\n".join(lines) + "\n"


@pytest.mark.parametrize("lines", [
    ('profile_name = "smoke"', "seed = 3"),
    ("rate = 3", 'run_root = "../runs/x"', "long = False"),  # an int for a float; anything for None
])
def test_parameters_the_notebook_defines_pass(lines):
    check_injected_parameters(["import os", PARAMETERS, injected(*lines), "print(seed)"])


@pytest.mark.parametrize("lines, message", [
    (("sed = 3",), r"unknown notebook parameter 'sed'; this notebook's parameters: profile_name \(str\), seed \(int\), "
                   r"rate \(float\), run_root \(NoneType\), long \(bool\)"),
    (('seed = "3"',), r"parameter 'seed' must be of type int, like its default 0; got '3'"),
    (("seed = 1.5",), "parameter 'seed' must be of type int"),
    (("long = 1",), "parameter 'long' must be of type bool"),
])
def test_an_unknown_or_ill_typed_parameter_names_what_is_allowed(lines, message):
    with pytest.raises(ValueError, match=message):
        check_injected_parameters([PARAMETERS, injected(*lines)])


def test_without_papermill_there_is_nothing_to_check():
    check_injected_parameters([PARAMETERS, "sed = 3"])
    check_injected_parameters([])
