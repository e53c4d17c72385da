"""Reading a typed mark: read correctly or refused with a message, never misread."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from programs.errors import DomainError
from programs.numbers import mark_parse


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("12", "12"),
        ("12.5", "12.5"),
        ("  7.25 ", "7.25"),
        ("0", "0"),
        ("0.125", "0.125"),
        (".5", "0.5"),
        ("5.", "5"),
        ("12,5", "12.5"),  # decimal comma
        ("12,50", "12.50"),
        ("0,125", "0.125"),  # a leading zero is never followed by a thousands separator
        ("１２．５", "12.5"),  # full-width digits and point
        ("１２，５", "12.5"),
        ("３０", "30"),
        ("\u3000８\u3000", "8"),  # ideographic spaces around
        ("12.5000", "12.5"),  # trailing zeros past three decimals change nothing
        ("40", "40"),
    ],
)
def test_reads_what_was_meant(typed, value):
    parsed = mark_parse(typed, max_points=Decimal("40"))
    assert parsed.value == Decimal(value)
    assert not parsed.not_disclosed


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("12,125", "ambiguous_comma"),  # 12125 or 12.125?
        ("1,234", "ambiguous_comma"),
        ("1,234.5", "ambiguous_comma"),
        ("1,2,3", "ambiguous_comma"),
        ("12.1255", "too_many_decimals"),
        ("0.0001", "too_many_decimals"),
        ("-3", "negative"),
        ("－３", "negative"),  # full-width minus
        ("\u22123", "negative"),  # minus sign
        ("40.001", "above_max"),
        ("41", "above_max"),
        ("abc", "not_a_number"),
        ("1e2", "not_a_number"),  # Decimal would read 100
        ("NaN", "not_a_number"),
        ("Infinity", "not_a_number"),
        ("+5", "not_a_number"),
        ("٣", "not_a_number"),  # Arabic-Indic three: Decimal would read 3
        ("²", "not_a_number"),  # superscript two: NFKC would read 2
        ("12..5", "not_a_number"),
        ("1 234", "not_a_number"),
        ("0x10", "not_a_number"),
        ("12점", "not_a_number"),
        ("-", "not_a_number"),
    ],
)
def test_refuses_what_it_cannot_read_for_sure(typed, code):
    with pytest.raises(DomainError) as caught:
        mark_parse(typed, max_points=Decimal("40"), criterion="expert")
    assert caught.value.code == code
    assert caught.value.field == "value"
    assert caught.value.message  # a sentence a person can act on


@pytest.mark.parametrize(
    "typed", ["비공개", "not disclosed", "Not Disclosed", " 비공개 ", "undisclosed", "n/d"]
)
def test_not_disclosed_is_an_explicit_word(typed):
    parsed = mark_parse(typed, max_points=Decimal("40"))
    assert parsed.not_disclosed and parsed.value is None


def test_above_max_names_the_maximum_and_criterion():
    with pytest.raises(DomainError) as caught:
        mark_parse("45", max_points=Decimal("40.00"), criterion="벤치마크")
    assert "40.0" in caught.value.message and "벤치마크" in caught.value.message


def test_without_a_maximum_only_the_form_is_checked():
    assert mark_parse("1234.5").value == Decimal("1234.5")


def test_without_a_maximum_a_mark_still_fits_its_column():
    assert mark_parse("999999.999").value == Decimal("999999.999")
    for typed in ("1000000", "9" * 400, "1" + "0" * 40 + ".0000"):
        with pytest.raises(DomainError) as caught:
            mark_parse(typed)
        assert (caught.value.code, caught.value.field) == ("too_large", "value")
        assert "999999.999" in caught.value.message


def test_a_number_of_hundreds_of_digits_is_above_the_maximum_not_a_crash():
    with pytest.raises(DomainError) as caught:
        mark_parse("9" * 400 + ".00000", max_points=Decimal("40"), criterion="expert")
    assert caught.value.code == "above_max"


def test_fewer_decimals_allowed_when_asked():
    with pytest.raises(DomainError):
        mark_parse("1.25", max_decimals=1)


@given(st.decimals(min_value=0, max_value=100, places=3, allow_nan=False, allow_infinity=False))
def test_any_written_mark_reads_back_exactly(value):
    text = format(value, "f")
    assert mark_parse(text, max_points=Decimal(100)).value == value
    # The same number written with a decimal comma, or in full-width digits, reads the same
    # unless the comma is ambiguous, which is refused rather than misread.
    full_width = text.translate({ord(str(i)): chr(0xFF10 + i) for i in range(10)})
    assert mark_parse(full_width, max_points=Decimal(100)).value == value
    with_comma = text.replace(".", ",")
    try:
        assert mark_parse(with_comma, max_points=Decimal(100)).value == value
    except DomainError as err:
        assert err.code == "ambiguous_comma"
