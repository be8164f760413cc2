"""Dates as advertisers write them: 2020年09月19日, 2020年9月19日, 二〇二〇年九月十九日, 2020-09-19."""
from __future__ import annotations

import re
from datetime import date

_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CN = "〇零○Ｏ一二三四五六七八九十"

DATE_PATTERN = re.compile(
    # Only real spaces may sit inside a date (not \s: it also matches controls such as U+0085).
    r"(?P<y>\d{4})[ 　]*(?:年|-|/|\.)[ 　]*(?P<m>\d{1,2})[ 　]*(?:月|-|/|\.)[ 　]*(?P<d>\d{1,2})(?:[ 　]*日|号)?"
    rf"|(?P<cy>[{_CN}]{{4}})年(?P<cm>[{_CN}]{{1,2}})月(?P<cd>[{_CN}]{{1,3}})[日号]")


def _cn_number(text: str) -> int:
    """Small Chinese numerals of a date: 九 → 9, 十九 → 19, 二十 → 20, 三十一 → 31."""
    if "十" in text:
        tens, _, units = text.partition("十")
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)
    return int("".join(str(_CN_DIGITS[c]) for c in text))


# The dates a notice can name. A real but far date (0001-01-01, 9999-12-31) is not one: the
# deadline arithmetic (a copy deadline the day before, a 45-day window, the publishing calendar
# searched three years ahead) would step outside Python's dates and fail.
EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)


def in_range(d: date) -> bool:
    return EARLIEST <= d <= LATEST


def _from_match(m: re.Match[str]) -> date | None:
    try:
        if m.group("y"):
            d = date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
        else:
            d = date(_cn_number(m.group("cy")), _cn_number(m.group("cm")), _cn_number(m.group("cd")))
    except (ValueError, KeyError):
        return None
    return d if in_range(d) else None


def parse_date(value: str) -> date | None:
    """One date, the whole value; None if it is not a real date (or outside EARLIEST–LATEST)."""
    value = (value or "").strip(" 　")
    m = DATE_PATTERN.fullmatch(value)
    return _from_match(m) if m else None


def find_dates(text: str) -> list[tuple[int, int, date]]:
    """Every real date written in a text, with its span."""
    found = []
    for m in DATE_PATTERN.finditer(text or ""):
        d = _from_match(m)
        if d:
            found.append((m.start(), m.end(), d))
    return found


def parse_dates(value: str) -> list[date] | None:
    """A list of dates separated by 、，, ; or spaces; None when any part is not a date."""
    parts = [p for p in re.split(r"[、，,；;\s和及]+", (value or "").strip()) if p]
    dates = [d for d in (parse_date(p) for p in parts) if d is not None]
    if not dates or len(dates) < len(parts):
        return None
    return dates


def format_date(d: date) -> str:
    """A date as the paper prints it: 2026年10月9日, month and day without a leading zero
    (2026年10月09日 reads machine-made). Typed texts keep the advertiser's own form (the seed
    page has 2020年09月19日); what we compose or normalise is written this way."""
    return f"{d.year}年{d.month}月{d.day}日"
