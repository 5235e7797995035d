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

:func:`dates_in` reads every date of a message as far as it is written (a day
and a month without a year, "3. marca", included), for the counsellor console's
automatic summary (``pes/gist.py``); it guesses nothing it was not told.
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
        found = _month_of(word)
        if found:
            return found
    return None


def _month_of(word: str) -> tuple[int, bool] | None:
    """(month, solar) when ``word`` names a month."""
    if word.isdigit():
        return None
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


@dataclass(frozen=True)
class Mention:
    """A date as far as a message writes it: always a month; a year, a day or both.
    Solar Hijri dates with a year are Gregorian here; one without a year is left out."""

    year: int | None
    month: int
    day: int | None

    def iso(self) -> str:
        """ISO 8601: ``2026-03-12``, ``2026-03`` (no day), ``--03-12`` (no year)."""
        if self.year is None:
            return f"--{self.month:02d}-{self.day:02d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


def _day(token: str | None) -> int | None:
    return (
        int(token)
        if token and token.isdigit() and len(token) <= 2 and 1 <= int(token) <= 31
        else None
    )


def _mention(year: int | None, month: int, day: int | None, solar: bool) -> Mention | None:
    """The mention, checked (no 31 April) and Solar Hijri turned Gregorian; None if impossible."""
    if year is None:
        if solar or day is None or not 1 <= month <= 12:
            return None
        return Mention(None, month, day) if day <= calendar.monthrange(2024, month)[1] else None
    try:
        built = _build(year, month, day)
    except DateNotUnderstood:
        return None
    if built.solar_hijri:
        return Mention(built.date.year, built.date.month, built.date.day if day else None)
    return Mention(year, month, day)


# Whole month names in Latin letters (English, Slovenian with its case endings): a Latin
# word names a month in a message only as one of these or an abbreviation of one, so
# "Maribor" and "Marko" are not March. Other scripts keep the stems above.
_LATIN_MONTHS = (
    "january", "januar", "february", "februar", "march", "marec", "marc", "april",
    "may", "maj", "june", "junij", "july", "julij", "august", "avgust", "september",
    "october", "oktober", "november", "december",
)  # fmt: skip
_DAY_MONTH = re.compile(r"(?<![\d.])(\d{1,2})\.\s?(\d{1,2})\.(?!\s*\d)")  # 12. 5.


def _latin_month(word: str) -> bool:
    return any(
        (word.startswith(name) and len(word) - len(name) <= 3)
        or (len(word) >= 3 and name.startswith(word))
        for name in _LATIN_MONTHS
    )


def _named_month(tokens: list[str], i: int) -> tuple[int, bool, int] | None:
    """(month, solar, words used) for a month named at ``tokens[i]``, alone or as two
    words (كانون الثاني)."""
    if i + 1 < len(tokens):
        pair = _month_of(tokens[i] + tokens[i + 1])
        if pair and _month_of(tokens[i]) is None:
            return (*pair, 2)
    one = _month_of(tokens[i])
    if one is None or (tokens[i].isascii() and not _latin_month(tokens[i])):
        return None
    return (*one, 1)


def dates_in(text: str) -> list[Mention]:
    """Every date written in ``text``, in the order written, each once. Numbers with dots,
    slashes or dashes (day first, or year first; "12. 5." without a year), "month 2 2026",
    and month names with a day, a year or both beside them ("3. marca", "March 2026",
    "۱۴ بهمن ۱۴۰۴"). A month name alone is not a date; whether a date is in the future
    or the past is not checked: that is for whoever reads it."""
    normal = _normal(text)
    found: list[tuple[int, Mention | None]] = []
    for match in _NUMERIC.finditer(normal):
        a, b, c = match.groups()
        if len(a) == 4:
            found.append((match.start(), _mention(int(a), int(b), int(c), False)))
        else:
            found.append((match.start(), _mention(_year(c), int(b), int(a), False)))
    for match in _MONTH_NUMBER.finditer(normal):
        found.append(
            (match.start(), _mention(int(match.group(2)), int(match.group(1)), None, False))
        )
    rest = normal
    for pattern in (_NUMERIC, _MONTH_NUMBER):
        rest = pattern.sub(lambda m: " " * len(m.group()), rest)
    for match in _DAY_MONTH.finditer(rest):
        found.append(
            (match.start(), _mention(None, int(match.group(2)), int(match.group(1)), False))
        )
    rest = _DAY_MONTH.sub(lambda m: " " * len(m.group()), rest)
    spans = list(_WORD.finditer(rest))
    tokens = [m.group() for m in spans]
    for i in range(len(tokens)):
        named = _named_month(tokens, i)
        if named is None:
            continue
        month, solar, used = named
        day = _day(tokens[i - 1]) if i else None
        after = tokens[i + used : i + used + 2]
        if day is None and after and _day(after[0]) is not None:
            day, after = _day(after[0]), after[1:]
        year = int(after[0]) if after and after[0].isdigit() and len(after[0]) == 4 else None
        if (day is None and year is None) or (year is not None and solar != (1300 <= year < 1500)):
            continue
        found.append((spans[i].start(), _mention(year, month, day, solar)))
    ordered = [m for _, m in sorted(found, key=lambda pair: pair[0]) if m is not None]
    return list(dict.fromkeys(ordered))
