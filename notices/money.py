"""Money amounts in notices: read what advertisers write, find the amounts in a notice, print them.

A 减资公告 states the registered capital before and after (docs/law.md §2); advertisers write
it in digits (1000万元), in financial uppercase (伍佰万元整), in traditional characters (伍佰萬)
or mixed, and the form's fields must agree with the text. Every form parses to a ``Decimal``
in 元 so that 500万元 and 伍佰万元人民币 compare equal.

Amounts in foreign currency (100万美元, 港元, 欧元 …) are not 元: they parse to None and are not
reported by :func:`find_amounts`.
"""

from __future__ import annotations

import re
from decimal import Decimal

import cn2an

__all__ = ["find_amounts", "format_amount", "format_yuan", "parse_amount"]

# Chinese numerals cn2an reads: common and financial (大写) digits, simplified and traditional
# (cn2an maps traditional to simplified itself), small units and the big units 万/亿.
CN_DIGITS = "零〇一二两三四五六七八九壹贰貳叁參肆伍陆陸柒捌玖"
CN_UNITS = "十拾百佰千仟万萬亿億"
CN_NUMERALS = CN_DIGITS + CN_UNITS
UNIT_VALUES = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000,
               "万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}

ASCII_DIGITS = "0123456789"  # not str.isdigit(): that also takes ², ①, ٣
TEN_THOUSAND = Decimal(10**4)
HUNDRED_MILLION = Decimal(10**8)

# Words around a number that say "this is money in 元"; stripped before the number is read.
CURRENCY_PREFIXES = ("人民币", "RMB", "CNY", "¥", "￥")
CURRENCY_SUFFIXES = ("(人民币)", "人民币", "整", "元", "圆")
FOREIGN_CURRENCIES = ("美元", "美金", "港元", "港币", "欧元", "日元", "英镑", "澳门元", "新台币")

# Full-width ASCII (U+FF01–U+FF5E) and the ideographic space, one-to-one to half-width, so an
# index into the normalised text is an index into the original.
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}

# Digits, with optional thousands separators and decimals, then at most one small and one big
# unit: 1000万, 1.5亿, 5,000,000, 1千万.
_DIGIT_AMOUNT = re.compile(
    r"(?P<integer>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.(?P<fraction>[0-9]+))?"
    r"(?P<small>[十拾百佰千仟])?(?P<big>[万萬亿億])?"
)

# A candidate amount in running text. A number on its own is not money: find_amounts keeps a
# candidate only when 元/圆 follows or 人民币/¥ stands beside it, which is what keeps dates
# (2024年5月1日), periods (45日), phone numbers and codes out. The look-behind keeps a match
# from starting inside a longer run of digits, letters or numerals (a code, 91440101…).
_AMOUNT_IN_TEXT = re.compile(
    r"(?P<prefix>(?:人民币|RMB|CNY|[¥￥])\s*)?"
    rf"(?<![0-9A-Za-z.{CN_NUMERALS}])"
    rf"(?P<number>(?:[0-9]{{1,3}}(?:,[0-9]{{3}})+|[0-9]+)(?:\.[0-9]+)?[{CN_NUMERALS}]*"
    rf"|[{CN_NUMERALS}]+)"
    r"(?P<suffix>[元圆](?:人民币)?整?|人民币整?)?"
)


def _normalise(text: str) -> str:
    return text.translate(_HALF_WIDTH)


def _tidy(value: Decimal) -> Decimal:
    """1.5 × 10^8 is Decimal('150000000.0'); show whole amounts as whole numbers."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def _strip_currency(text: str) -> str:
    text = re.sub(r"\s+", "", text).upper()  # upper(): rmb → RMB; no effect on Chinese
    changed = True
    while changed and text:
        changed = False
        for prefix in CURRENCY_PREFIXES:
            if text.startswith(prefix):
                text, changed = text[len(prefix):], True
        for suffix in CURRENCY_SUFFIXES:
            if text.endswith(suffix):
                text, changed = text[: -len(suffix)], True
    return text


def parse_amount(text: str) -> Decimal | None:
    """The value in 元 of an amount as advertisers write it, or None when it is not an amount.

    >>> parse_amount("1000万元"), parse_amount("人民币伍佰万元整"), parse_amount("1.5亿元")
    (Decimal('10000000'), Decimal('5000000'), Decimal('150000000'))
    """
    text = _normalise(text)
    if any(currency in text for currency in FOREIGN_CURRENCIES):
        return None
    number = _strip_currency(text)
    if not number:
        return None

    # Digits (with at most a unit) are read here, exactly, rather than by cn2an: its smart mode
    # returns floats for decimals (1e+17 for 100000000000000001) and truncates digit+unit
    # decimals to whole 元 (1.23456万 → 12345, losing 0.6 元).
    match = _DIGIT_AMOUNT.fullmatch(number)
    if match:
        value = Decimal(match["integer"].replace(",", "") + "." + (match["fraction"] or "0"))
        for unit in (match["small"], match["big"]):
            if unit:
                value *= UNIT_VALUES[unit]
        return _tidy(value)

    # Chinese numerals (伍佰万, 壹拾万, 三百万, 伍佰萬), possibly mixed with digits in ways the
    # pattern above does not take (1千5百万): cn2an's "smart" mode reads both; "normal" and
    # "strict" refuse any digit. No "." here, so no float and no cn2an precision warning.
    if not all(char in CN_NUMERALS or char in ASCII_DIGITS for char in number):
        return None
    try:
        value = cn2an.cn2an(number, "smart")
    except ValueError:  # cn2an's way of saying "not a number I can read" (万, 拾拾)
        return None
    # cn2an gives int for whole amounts; str() keeps a float's shortest repr, not its binary noise.
    return _tidy(Decimal(str(value)))


def find_amounts(text: str) -> list[tuple[int, int, Decimal]]:
    """Every money amount in a notice text, as (start, end, value in 元), in order of appearance.

    The span covers the currency words with the number (人民币伍佰万元整, 1000万元人民币), so a
    caller can highlight or replace the whole phrase.

    >>> [value for _, _, value in find_amounts("注册资本由原来伍佰万元人民币减少至壹拾万元人民币")]
    [Decimal('5000000'), Decimal('100000')]
    """
    found = []
    for match in _AMOUNT_IN_TEXT.finditer(_normalise(text)):
        prefix, number, suffix = match["prefix"], match["number"], match["suffix"]
        if not (prefix or suffix):
            continue  # no currency word: a date, a period, a phone number, a code
        if not prefix and len(number) == 1 and number not in ASCII_DIGITS:
            # A lone numeral before 元 is usually a name, not money: 三元里, 百元汇, 一元复始.
            continue
        value = parse_amount(number)
        if value is None:
            continue
        end = match.end("suffix") if suffix else match.end("number")
        found.append((match.start(), end, value))
    return found


def format_amount(value: Decimal) -> str:
    """Newspaper style: 10000000 → "1000万元", 150000000 → "1.5亿元", 1234.5 → "1234.5元".

    亿 when the amount is at least 1亿 and a whole number of 百万 (so at most two decimals show),
    万 likewise from 1万 in whole 百元, otherwise plain 元. The output parses back to the same
    value with :func:`parse_amount`.
    """
    value = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    sign, magnitude = ("-" if value < 0 else ""), abs(value)
    if magnitude >= HUNDRED_MILLION and magnitude % 10**6 == 0:
        number, unit = magnitude / HUNDRED_MILLION, "亿元"
    elif magnitude >= TEN_THOUSAND and magnitude % 100 == 0:
        number, unit = magnitude / TEN_THOUSAND, "万元"
    else:
        number, unit = magnitude, "元"
    # normalize() drops trailing zeros; format "f" keeps 1E+3 from printing as 1E+3.
    return f"{sign}{format(number.normalize(), 'f')}{unit}"


def format_yuan(cents: int) -> str:
    """A price or a payment as the pages show it, from fen: 25000 → "¥250", 180 → "¥1.80".

    The one way the app writes an amount of money for people (the template filter `yuan`, the
    desk's messages and audit log): whole yuan without decimals, as on a rate card, else two.
    Integer arithmetic, not cents / 100, so a large amount cannot pick up a float's rounding.
    The JSON API gives amounts as numbers ({"amount": 2.5}), not through this.
    """
    sign = "-" if cents < 0 else ""
    whole, fen = divmod(abs(cents), 100)
    return f"¥{sign}{whole}" if fen == 0 else f"¥{sign}{whole}.{fen:02d}"
