import json
import re

from acgan_lib.monitoring import FAILURE_NOTEBOOK, SECTIONS, WINDOW, diagnose
from acgan_lib.paths import PROJECT_ROOT


def history(steps=WINDOW, **columns):
    """A crafted history: every row has the given values (callables get the step)."""
    base = {"d_accuracy": 0.75, "g_accuracy": 0.3, "g_loss": 1.0, "real_spread": 0.2, "fake_spread": 0.18}
    base.update(columns)
    return [
        {"step": step, **{name: value(step) if callable(value) else value for name, value in base.items()}}
        for step in range(1, steps + 1)
    ]


def names(rows):
    return [finding.name for finding in diagnose(rows)]


def test_a_balanced_run_raises_nothing():
    assert names(history()) == []


def test_the_seeds_failure_is_named_with_a_pointer_to_the_notebook():
    findings = diagnose(history(d_accuracy=0.5, g_accuracy=0.99))
    assert [finding.name for finding in findings] == ["seed_failure"]
    assert FAILURE_NOTEBOOK in findings[0].message and findings[0].step == WINDOW


def test_d_overpowering_needs_a_climbing_generator_loss():
    assert names(history(d_accuracy=0.99, g_accuracy=0.01, g_loss=lambda step: 1.0 + step / 10)) == ["d_overpowering"]
    assert names(history(d_accuracy=0.99, g_accuracy=0.01, g_loss=lambda step: 5.0 - step / 100)) == []


def test_collapse_is_fakes_varying_far_less_than_reals():
    assert names(history(fake_spread=0.01)) == ["collapse"]


def test_a_short_history_is_not_judged():
    assert names(history(steps=WINDOW - 1, d_accuracy=0.5, g_accuracy=1.0)) == []


def test_every_finding_points_at_a_section_that_exists_in_the_failure_notebook():
    notebook = json.loads((PROJECT_ROOT / FAILURE_NOTEBOOK).read_text())
    headings = [line for cell in notebook["cells"] if cell["cell_type"] == "markdown"
                for line in "".join(cell["source"]).splitlines() if line.startswith("#")]
    numbers = {line.split()[1].rstrip(".") for line in headings if len(line.split()) > 1}
    for name, where in SECTIONS.items():
        cited = re.findall(r"\b(\d[a-z]?),", where.replace(" and ", ", ") + ",")
        assert cited and set(cited) <= numbers, (name, cited, sorted(numbers))
    findings = diagnose(history(d_accuracy=0.5, g_accuracy=0.99, fake_spread=0.01))
    assert all(SECTIONS[finding.name] in finding.message for finding in findings) and len(findings) == 2


def test_each_finding_needs_every_one_of_its_conditions():
    """A healthy equilibrium (D and G both near 0.5) is not the seed's failure: G's "accuracy" near 1 is
    part of it, which is the confusion notebook 05 teaches against."""
    assert names(history(d_accuracy=0.5, g_accuracy=0.5)) == []
    assert names(history(d_accuracy=0.75, g_accuracy=0.99)) == []  # G near 1, but D not pinned at 0.5
    assert names(history(d_accuracy=0.99, g_accuracy=0.5, g_loss=lambda step: 1.0 + step / 10)) == []  # G not near 0
    assert names(history(d_accuracy=0.7, g_accuracy=0.01, g_loss=lambda step: 1.0 + step / 10)) == []  # D not near 1
    assert names(history(fake_spread=0.06)) == []  # 0.3 of the real spread: not collapse
