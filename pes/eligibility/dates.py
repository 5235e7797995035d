"""Dates as people type them in the core languages.

Supported (and documented in docs/eligibility.md):

- day, month, year with dots, slashes or dashes: ``3.2.2026``, ``3. 2. 2026``,
  ``03/02/2026``, ``3-2-26``, ISO ``2026-02-03`` (day first: the European order);
- a month name (in any core language, inflected or abbreviated, Afghan
  names of the Western months such as ``جنوری``/``مارچ`` included) with a year,
  with or without a day: ``3 March 2026``, ``marec 2026``, ``3 березня 2026``,
  ``марта 2026``, ``شباط ٢٠٢٦``, ``فبراير 2026``;
- Arabic-Indic and Persian digits: ``٣/٢/٢٠٢٦``, ``۳/۲/۲۰۲۶``;
- the Solar Hijri calendar used in Iran and Afghanistan, with numbers
  (``۱۴۰۴/۱۱/۱۴``: a year from 1300 to 1499 means Solar Hijri) or with Iranian
  or Afghan (Dari) month names (``بهمن ۱۴۰۴``, ``دلو ۱۴۰۴``).

A date without a day is taken as the **last** day of that month: for the
right to work, a date too late is safe, a date too early could cost someone
their income.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import re
import unicodedata
from dataclasses import dataclass

from common.text import fold_letters

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")

# Month stems: a word starting with one of these names that month.
_GREGORIAN_STEMS: dict[int, tuple[str, ...]] = {
    1: ("jan", "січ", "январ", "янв", "يناير", "كانونالثاني", "ژانویه", "ژانوی", "جنوری"),
    2: ("feb", "лют", "феврал", "фев", "فبرایر", "فبراير", "شباط", "فوریه", "فبروری"),
    3: ("mar", "берез", "март", "مارس", "اذار", "مارچ"),
    4: ("apr", "квіт", "апрел", "ابریل", "ابريل", "نیسان", "نيسان", "اوریل", "اوريل", "اپریل"),
    5: ("may", "maj", "трав", "مایو", "مايو", "ایار", "ايار"),
    6: ("jun", "черв", "июн", "يونيو", "یونیو", "حزیران", "حزيران", "ژوئن", "جون"),
    7: ("jul", "лип", "июл", "يوليو", "یولیو", "تموز", "ژوئیه", "جولای"),
    8: ("aug", "avg", "серп", "август", "اغسطس", "اوت", "اگست"),
    9: ("sep", "вер", "сентяб", "سبتمبر", "سپتامبر", "ایلول", "ايلول", "سپتمبر"),
    10: ("oct", "okt", "жовт", "октяб", "اکتبر", "اكتوبر", "اکتوبر", "تشرینالاول", "تشرينالاول"),
    11: ("nov", "листоп", "нояб", "نوفمبر", "نوامبر", "تشرینالثانی", "تشرينالثاني", "نومبر"),
    12: ("dec", "груд", "декаб", "ديسمبر", "دیسمبر", "دسامبر", "کانونالاول", "كانونالاول", "دسمبر"),
}
# Short names that are whole words only ("май" is May, "майже" is not).
_EXACT_NAMES = {"май": 5, "мая": 5, "مه": 5, "اب": 8}
_SOLAR_STEMS: dict[int, tuple[str, ...]] = {
    1: ("فروردین", "حمل"),
    2: ("اردیبهشت", "ثور"),
    3: ("خرداد", "جوزا"),
    4: ("تیر", "سرطان"),
    5: ("مرداد", "اسد"),
    6: ("شهریور", "سنبله"),
    7: ("مهر", "میزان"),
    8: ("ابان", "عقرب"),
    9: ("اذر", "قوس"),
    10: ("دی", "جدی"),
    11: ("بهمن", "دلو"),
    12: ("اسفند", "حوت"),
}


def _normal(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_DIGITS).lower()
    return fold_letters(text).replace("\u200c", "")


_GREGORIAN = {m: tuple(_normal(s) for s in stems) for m, stems in _GREGORIAN_STEMS.items()}
_SOLAR = {m: tuple(_normal(s) for s in stems) for m, stems in _SOLAR_STEMS.items()}
_EXACT_NAMES = {_normal(k): v for k, v in _EXACT_NAMES.items()}
_NUMERIC = re.compile(r"(\d{1,4})\s*[./\-]\s*(\d{1,2})\s*[./\-]\s*(\d{1,4})")
_WORD = re.compile(r"[^\W\d_]+|\d+", re.UNICODE)
# "month 2 2026" in words: بشهر ٢ ٢٠٢٦, ماه ۱۱ ۱۴۰۴, mesec 2 2026
_MONTH_NUMBER = re.compile(
    r"(?:شهر|ماه|month|mesec|mesca|месяц|місяць)\D{0,3}?(\d{1,2})\D{1,6}?(\d{4})"
)
_PREFIXES = ("بال", "وب", "ب", "في", "ف", "و", "ل", "در")


class DateNotUnderstood(ValueError):
    """The text holds no date we can read with certainty."""


class DateOutOfRange(ValueError):
    """A readable date that cannot be an application date (in the future, or too old)."""


@dataclass(frozen=True)
class ParsedDate:
    date: dt.date
    exact: bool  # False when no day was given and the month's last day was taken
    solar_hijri: bool


def jalali_to_gregorian(year: int, month: int, day: int) -> dt.date:
    """Solar Hijri (Jalali) date to Gregorian; raises ValueError for impossible dates."""
    if not 1 <= month <= 12 or not 1 <= day <= jalali_month_length(year, month):
        raise ValueError("no such Solar Hijri date")
    return _jalali_unchecked(year, month, day)


def _jalali_unchecked(year: int, month: int, day: int) -> dt.date:
    # Days since the epoch by the 33-year-cycle arithmetic of the Iranian calendar.
    jy = year + 1595
    days = -355668 + 365 * jy + (jy // 33) * 8 + ((jy % 33) + 3) // 4 + day
    days += (month - 1) * 31 if month < 7 else (month - 7) * 30 + 186
    gy = 400 * (days // 146097)
    days %= 146097
    if days > 36524:
        days -= 1
        gy += 100 * (days // 36524)
        days %= 36524
        if days >= 365:
            days += 1
    gy += 4 * (days // 1461)
    days %= 1461
    if days > 365:
        gy += (days - 1) // 365
        days = (days - 1) % 365
    return dt.date(gy, 1, 1) + dt.timedelta(days=days)


def _jalali_leap(year: int) -> bool:
    """366 days from this Nowruz to the next."""
    return (_jalali_unchecked(year + 1, 1, 1) - _jalali_unchecked(year, 1, 1)).days == 366


def jalali_month_length(year: int, month: int) -> int:
    if month <= 6:
        return 31
    if month <= 11:
        return 30
    return 30 if _jalali_leap(year) else 29


def _year(raw: str) -> int:
    value = int(raw)
    return 2000 + value if len(raw) == 2 else value


def _month_from_words(words: list[str]) -> tuple[int, bool] | None:
    """(month, solar) from the first word that names a month; two-word Arabic names joined."""
    joined = [a + b for a, b in itertools.pairwise(words)]
    for word in joined + words:
        if word.isdigit():
            continue
        for option in _without_prefix(word):
            if option in _EXACT_NAMES:
                return _EXACT_NAMES[option], False
            for month, stems in _SOLAR.items():
                if option in stems:
                    return month, True
            for month, stems in _GREGORIAN.items():
                if any(option.startswith(stem) for stem in stems):
                    return month, False
    return None


def _without_prefix(word: str) -> list[str]:
    """The word, then the word without an attached Arabic preposition (بشباط → شباط)."""
    options = [word]
    if not word.isascii():
        options += [
            word[len(p) :] for p in _PREFIXES if word.startswith(p) and len(word) - len(p) >= 2
        ]
    return options


def parse_date(text: str, today: dt.date) -> ParsedDate:
    """Read an application date; raises DateNotUnderstood or DateOutOfRange."""
    normal = _normal(text)
    numeric = _NUMERIC.search(normal)
    by_number = _MONTH_NUMBER.search(normal)
    if by_number and not numeric:
        parsed = _build(int(by_number.group(2)), int(by_number.group(1)), None)
    elif numeric:
        a, b, c = numeric.groups()
        if len(a) == 4:  # year first: ISO 2026-02-03 or Solar Hijri 1404/11/14
            year, month, day = int(a), int(b), int(c)
        else:
            day, month, year = int(a), int(b), _year(c)
        parsed = _build(year, month, day)
    else:
        words = _WORD.findall(normal)
        numbers = [w for w in words if w.isdigit()]
        years = [n for n in numbers if len(n) == 4]
        found = _month_from_words(words)
        if not years or found is None:
            raise DateNotUnderstood(text)
        month, solar = found
        year = int(years[0])
        if solar != (1300 <= year < 1500):
            raise DateNotUnderstood(text)
        days = [int(n) for n in numbers if len(n) <= 2 and 1 <= int(n) <= 31]
        parsed = _build(year, month, days[0] if days else None)
    if parsed.date > today:
        raise DateOutOfRange("in the future")
    if parsed.date < dt.date(1990, 1, 1):
        raise DateOutOfRange("too long ago")
    return parsed


def _build(year: int, month: int, day: int | None) -> ParsedDate:
    solar = 1300 <= year < 1500
    try:
        if solar:
            if day is None:
                return ParsedDate(
                    jalali_to_gregorian(year, month, jalali_month_length(year, month)), False, True
                )
            return ParsedDate(jalali_to_gregorian(year, month, day), True, True)
        if day is None:
            return ParsedDate(
                dt.date(year, month, calendar.monthrange(year, month)[1]), False, False
            )
        return ParsedDate(dt.date(year, month, day), True, False)
    except ValueError:
        raise DateNotUnderstood(f"{year}-{month}-{day}") from None
