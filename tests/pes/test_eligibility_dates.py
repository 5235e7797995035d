from __future__ import annotations

import datetime as dt

import pytest

from pes.eligibility.dates import (
    DateNotUnderstood,
    DateOutOfRange,
    jalali_month_length,
    jalali_to_gregorian,
    parse_date,
)

TODAY = dt.date(2026, 11, 25)


@pytest.mark.parametrize(
    ("text", "expected", "exact"),
    [
        ("3.2.2026", dt.date(2026, 2, 3), True),
        ("3. 2. 2026", dt.date(2026, 2, 3), True),
        ("03/02/2026", dt.date(2026, 2, 3), True),
        ("3-2-26", dt.date(2026, 2, 3), True),
        ("2026-02-03", dt.date(2026, 2, 3), True),
        ("٣/٢/٢٠٢٦", dt.date(2026, 2, 3), True),
        ("۳/۲/۲۰۲۶", dt.date(2026, 2, 3), True),
        ("۱۴۰۴/۱۱/۱۴", dt.date(2026, 2, 3), True),
        ("I applied on 3 February 2026", dt.date(2026, 2, 3), True),
        ("3. februarja 2026", dt.date(2026, 2, 3), True),
        ("3 лютого 2026", dt.date(2026, 2, 3), True),
        ("3 февраля 2026 года", dt.date(2026, 2, 3), True),
        ("3 شباط 2026", dt.date(2026, 2, 3), True),
        ("٣ فبراير ٢٠٢٦", dt.date(2026, 2, 3), True),
        ("۱۴ بهمن ۱۴۰۴", dt.date(2026, 2, 3), True),
        ("۱۴ دلو ۱۴۰۴", dt.date(2026, 2, 3), True),
        ("February 2026", dt.date(2026, 2, 28), False),
        ("marec 2026", dt.date(2026, 3, 31), False),
        ("в марте 2026", dt.date(2026, 3, 31), False),
        ("كانون الثاني 2026", dt.date(2026, 1, 31), False),
        ("بهمن ۱۴۰۴", dt.date(2026, 2, 19), False),
        ("قدمت بشباط ٢٠٢٦", dt.date(2026, 2, 28), False),
        ("بشهر ٢ ٢٠٢٦", dt.date(2026, 2, 28), False),
        ("ماه ۱۱ ۱۴۰۴", dt.date(2026, 2, 19), False),
        ("۳ فبروری ۲۰۲۶", dt.date(2026, 2, 3), True),
        ("مارچ ۲۰۲۶", dt.date(2026, 3, 31), False),
    ],
)
def test_dates_people_write(text: str, expected: dt.date, exact: bool) -> None:
    parsed = parse_date(text, TODAY)
    assert parsed.date == expected
    assert parsed.exact is exact


@pytest.mark.parametrize(
    "text", ["yesterday", "last year", "2026", "31.2.2026", "۱۴۰۴/۱۳/۰۱", "hello"]
)
def test_not_understood(text: str) -> None:
    with pytest.raises(DateNotUnderstood):
        parse_date(text, TODAY)


@pytest.mark.parametrize("text", ["1.1.2027", "1.1.1980"])
def test_out_of_range(text: str) -> None:
    with pytest.raises(DateOutOfRange):
        parse_date(text, TODAY)


def test_solar_hijri_calendar() -> None:
    assert jalali_to_gregorian(1404, 1, 1) == dt.date(2025, 3, 21)  # Nowruz
    assert jalali_to_gregorian(1403, 12, 30) == dt.date(2025, 3, 20)  # 1403 is a leap year
    assert jalali_month_length(1403, 12) == 30
    assert jalali_month_length(1404, 12) == 29
    with pytest.raises(ValueError, match="Solar Hijri"):
        jalali_to_gregorian(1404, 12, 30)
