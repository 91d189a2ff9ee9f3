from acgan_lib.monitoring import FAILURE_NOTEBOOK, WINDOW, diagnose


def history(steps=WINDOW, **columns):
    """A crafted history: every row has the given values (callables get the step)."""
    base = {"d_accuracy": 0.75, "g_accuracy": 0.3, "g_loss": 1.0, "real_diversity": 0.2, "fake_diversity": 0.18}
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
    assert names(history(fake_diversity=0.01)) == ["collapse"]


def test_a_short_history_is_not_judged():
    assert names(history(steps=WINDOW - 1, d_accuracy=0.5, g_accuracy=1.0)) == []
