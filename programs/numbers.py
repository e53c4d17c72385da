"""How exact decimal numbers are written for people and for the API."""

from __future__ import annotations

from decimal import Decimal


def decimal_text(value: Decimal | None) -> str | None:
    """Trailing zeros dropped, but at least one decimal place, as the ministry writes points.

    90.200 → "90.2", 25.000 → "25.0", 28.560 → "28.56"; None stays None (not disclosed).
    """
    if value is None:
        return None
    normalized = value.normalize()
    exponent = normalized.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -1:
        return f"{value:.1f}"
    return format(normalized, "f")
