from __future__ import annotations

import datetime as dt

import pytest

from pes.eligibility.dates import (
    DateNotUnderstood,
    DateOutOfRange,
    dates_in,
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


# --- dates_in: every date of a message, as far as it is written (the console's gist) ----


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pridem 3. marca", ["--03-03"]),
        ("next Monday or 12/03/2026", ["2026-03-12"]),
        ("bil sem 12. 5. in 3. 4. 2025", ["--05-12", "2025-04-03"]),
        ("March 3, 2026", ["2026-03-03"]),
        ("marec 2026", ["2026-03"]),
        ("3 березня", ["--03-03"]),
        ("в марте 2026", ["2026-03"]),
        ("جئت في ٣ مارس ٢٠٢٥", ["2025-03-03"]),
        ("كانون الثاني 2026", ["2026-01"]),
        ("بشهر ٢ ٢٠٢٦", ["2026-02"]),
        ("۳/۲/۲۰۲۶ یعنی ۱۴ بهمن ۱۴۰۴", ["2026-02-03"]),  # the same day, once
        ("۱۴۰۴/۱۲/۱۲", ["2026-03-03"]),
        ("2030-01-05", ["2030-01-05"]),  # the future too: the reader judges
    ],
)
def test_dates_in_reads_every_date_as_far_as_written(text: str, expected: list[str]) -> None:
    assert [m.iso() for m in dates_in(text)] == expected


@pytest.mark.parametrize(
    "text",
    ["Maribor 2026", "v Mariboru 3", "march", "31 April", "۱۲ اسفند", "2 + 2 = 4", "ob 9.30"],
)
def test_dates_in_guesses_nothing(text: str) -> None:
    assert dates_in(text) == []
