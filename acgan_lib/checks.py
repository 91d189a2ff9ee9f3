"""The checks every module runs on its arguments, in one place, so they agree and say the same things.

Each raises ValueError naming the argument, what is allowed and what was given. A bool is not a count,
although Python counts ``True`` as the integer 1; NumPy integers are counts.
"""

from __future__ import annotations

import numbers


def check_count(name: str, value, minimum: int = 1, maximum: int | None = None) -> None:
    """``value`` must be a whole number (not a bool) from ``minimum`` (1: "positive") up to ``maximum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum or (
            maximum is not None and value > maximum):
        if maximum is not None:
            allowed = f"an integer in [{minimum}, {maximum}]"
        else:
            allowed = {1: "a positive integer", 0: "a non-negative integer"}.get(minimum, f"an integer of at least {minimum}")
        raise ValueError(f"{name} must be {allowed}; got {value!r}")


def check_choice(name: str, value, allowed) -> None:
    """``value`` must be one of ``allowed``."""
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(str, allowed))}; got {value!r}")
