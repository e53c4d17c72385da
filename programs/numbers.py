"""How exact decimal numbers are written for people and for the API."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from programs.errors import DomainError


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


# --- Reading a mark typed by a person ------------------------------------------------------

# How a mark is stored (evaluations.Score.value): nine digits, three after the point. A mark with
# no maximum (an achieved benchmark score, normalised against a target) must still fit.
MARK_MAX_DIGITS = 9
MARK_DECIMALS = 3
MARK_LIMIT = Decimal(10) ** (MARK_MAX_DIGITS - MARK_DECIMALS) - Decimal(1).scaleb(-MARK_DECIMALS)

NOT_DISCLOSED_WORDS = frozenset({"비공개", "not disclosed", "undisclosed", "n/d"})
_PLAIN_NUMBER = re.compile(r"^(?:\d+(?:\.\d*)?|\.\d+)$")
# Only the full-width forms a Korean keyboard produces are mapped; anything else non-ASCII
# (superscripts, other scripts' digits, which NFKC or Decimal would quietly turn into digits)
# is refused.
_FULL_WIDTH = {0xFF10 + i: str(i) for i in range(10)} | {
    0xFF0E: ".",
    0xFF0C: ",",
    0xFF0D: "-",
}
_MINUS = ("-", "\u2212", "\u2012", "\u2013", "\u2014", "\ufe63", "\uff0d")


@dataclass(frozen=True)
class MarkInput:
    """A mark as typed: a number, or the explicit choice "not disclosed" (value None)."""

    value: Decimal | None
    not_disclosed: bool = False


def mark_parse(
    text: str,
    *,
    max_points: Decimal | None = None,
    max_decimals: int = 3,
    criterion: str = "",
) -> MarkInput:
    """Read a mark the way a person in Korea types it, or refuse it with a message; never guess.

    1. Full-width digits ０-９ and the full-width point, comma and minus become their ASCII
       forms; spaces around the number, including the ideographic space, are dropped.
    2. "비공개" / "not disclosed" is the explicit choice of not disclosed.
    3. A decimal comma is read as a decimal point when it cannot be a thousands separator:
       "12,5" → 12.5, "0,125" → 0.125. "12,125" could be either and is refused, as is any
       number with both a comma and a point or more than one comma.
    4. Only plain decimal digits are accepted: no sign, exponent, NaN, or other scripts' digits
       (which Python's Decimal would silently accept).
    5. Not above `max_points` when a maximum is given, and never above what a mark can hold
       (`MARK_LIMIT`); at most `max_decimals` decimal places (trailing zeros beyond that are
       harmless and dropped: Excel writes 12.5 as "12.5000" in a CSV when the cell shows four
       places), and not negative.

    Raises `DomainError` with field "value" and a code: empty, not_a_number, ambiguous_comma,
    too_many_decimals, negative, above_max, too_large.
    """
    # Spaces around the number go (str.strip knows the ideographic space); spaces inside it
    # ("1 234") are refused below rather than guessed at.
    normalized = (text or "").translate(_FULL_WIDTH).strip()
    if normalized == "":
        raise DomainError(
            _("Enter a mark, or choose “not disclosed”."), code="empty", field="value"
        )
    if normalized.lower() in NOT_DISCLOSED_WORDS or text.strip().lower() in NOT_DISCLOSED_WORDS:
        return MarkInput(value=None, not_disclosed=True)
    params = {"text": text.strip(), "criterion": criterion, "decimals": max_decimals}
    if normalized.startswith(_MINUS) and _PLAIN_NUMBER.match(normalized[1:].replace(",", ".")):
        raise DomainError(
            _("A mark cannot be negative."), code="negative", field="value", params=params
        )
    if "," in normalized:
        whole, _sep, fraction = normalized.partition(",")
        if "," in fraction or "." in normalized:
            raise DomainError(
                _("“%(text)s” mixes separators; write it with one decimal point, e.g. 12.5."),
                code="ambiguous_comma",
                field="value",
                params=params,
            )
        if len(fraction) == 3 and whole.lstrip("0") != "":
            raise DomainError(
                _(
                    "“%(text)s” could be a thousands separator or a decimal comma; write it with a "
                    "decimal point (e.g. 12.125) or without the comma."
                ),
                code="ambiguous_comma",
                field="value",
                params=params,
            )
        normalized = f"{whole}.{fraction}"
    if not _PLAIN_NUMBER.match(normalized) or not normalized.isascii():
        raise DomainError(
            _("“%(text)s” is not a number. Type digits with at most one decimal point."),
            code="not_a_number",
            field="value",
            params=params,
        )
    value = Decimal(normalized)
    # Sizes are checked before the decimals: quantizing (or normalising, to show it) a number of
    # thousands of digits raises instead of answering. Such a number is shown as typed.
    shown = decimal_text(value) if value <= MARK_LIMIT else f"{params['text']:.40}"
    if max_points is not None and value > max_points:
        raise DomainError(
            _("%(value)s is above the maximum of %(max)s points for “%(criterion)s”."),
            code="above_max",
            field="value",
            params={**params, "value": shown, "max": decimal_text(max_points)},
        )
    if value > MARK_LIMIT:
        raise DomainError(
            _("%(value)s is too large for a mark; a mark is at most %(limit)s."),
            code="too_large",
            field="value",
            params={**params, "value": shown, "limit": decimal_text(MARK_LIMIT)},
        )
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > max_decimals:
        rounded = value.quantize(Decimal(1).scaleb(-max_decimals))
        if rounded != value:
            raise DomainError(
                _("Enter at most %(decimals)s decimal places."),
                code="too_many_decimals",
                field="value",
                params=params,
            )
        value = rounded
    return MarkInput(value=value)
