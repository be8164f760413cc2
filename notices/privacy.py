"""ID numbers (居民身份证号码) in what advertisers type: found however they are written, masked for print.

A notice is public for ever, and a 居民身份证号码 printed in full is enough to impersonate its
holder. The ID-number field prints masked (the newspaper's setting, store/settings.py
``Publisher.print_id_numbers``), but people also type the number into a name, a note or the body:
"张三（身份证号 440106 19900307 7510）遗失…", "ID４４０１０６１９９００３０７７５１０". This module
finds those too, so that nothing prints a number the field would have hidden.

What counts as an ID number here (see ``scan``):

- Digits as typed, in groups: half- or full-width (０–９), separated by spaces (ASCII, U+3000,
  no-break and the typographic spaces), hyphens and dashes (- ‐ ‑ ‒ – — ― − －) or dots
  (. · ． ・), up to three such characters between two groups; letters or Chinese characters
  right beside it do not matter ("身份证号440106199003077510遗失", "ID440106199003077510").
- 18 characters (17 digits, then a digit or X/x: GB 11643-1999) or 15 digits (the numbers
  issued before 1999, GB 11643-1989), starting and ending where a group starts and ends. Digits
  that run on without a separator are most often some other number (a bank card has 16–19), so
  a number starting or ending inside a group needs a label before it, or a right check digit
  on top of the marks below (the wording glues fields to dates: "…号码：440106…75102026年").
- Any check digit: a number with a typo is still, but for one digit, someone's number.
- Plausible as an ID number: its first four digits are a province and prefecture of the GB/T 2260
  division table (python-stdnum's cn/loc, with the codes withdrawn since, as on old cards; or
  830000, the code of Taiwan residents' residence permits, which are numbered the same way), and
  it carries a birth date: YYYYMMDD at positions 7–14 (1890 to this year), or 19YYMMDD from
  YYMMDD at positions 7–12 of a 15-digit number. Of random digit strings, about 3.5 in 100 000
  of 18 digits pass both, and 1 in 460 of 15.
- Labelled: a number that the text introduces as an ID number (身份证, 身份号码, 证件号码, ID … up to
  30 characters before it, in the same sentence, with no other number between but those listed
  with it by 、) is masked whatever its digits: an advertiser who wrote 身份证号码 before it
  means one, typos and all.

What is never masked, although it has the shape: the business codes notices print in full.

- 统一社会信用代码 (GB 32100-2015) of 18 digits, or 17 and an X (all-digit codes exist: an
  organisation code of digits and a check character that happens to be a digit). Kept when it
  passes its mod-31 check (as ``check_uscc`` decides ``valid``) and positions 3–8 are a division
  code, as every registrar's code is. About 1 ID number in 3 000 passes both.
- 15-digit 注册号 (GS 15-2006): kept when it passes ISO 7064 MOD 11,10 (``check_regno``). It can
  look like an old ID number: 440121600403804 of the seed page reads as born 1960-04-03.

Either is kept unless the text labels it an ID number (then the label decides: nobody writes a
credit code after 身份证号码). A kept code that could also be an ID number and carries no label is
*ambiguous*: ``scan`` reports it (``masked`` False), so that the check can ask the advertiser to
say which it is. Hence the order of the rules: a code a registrar issued is never altered; short
of that, when in doubt, a number is masked.

The identifiers themselves: docs/law.md §3. No Flask here: this is the domain, used by the checks
(notices/checks.py) and the print glue
(press/printing.py ``printable_text``).
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from functools import lru_cache

from stdnum import numdb
from stdnum.cn import ric
from stdnum.iso7064 import mod_11_10

from notices.identifiers import REGISTRAR_CODES, mask_id_card, uscc_check_character

__all__ = ["Found", "find_id_numbers", "mask_id_numbers", "scan"]

ID_LENGTH, OLD_ID_LENGTH = 18, 15
EARLIEST_BIRTH_YEAR = 1890
# Residence permits of Taiwan residents (港澳台居民居住证, 2018) are numbered like ID cards with
# 830000 in front; Hong Kong's and Macao's (810000, 820000) are in the division table already.
EXTRA_REGIONS = ("8300",)

# One character typed stands for one character read, so positions found in the translated text
# are positions in what was typed.
_TRANSLATE = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)} | {0xFF38: ord("X"), 0xFF58: ord("x")}
_SEPARATOR_CHARS = (" \t\u00a0\u3000\u2002-\u200a\u202f"      # spaces
                    "\\-\u2010-\u2015\u2212\ufe63\uff0d"        # hyphens and dashes
                    ".\u00b7\u2027\u30fb\uff0e")                # dots
_GROUP = re.compile(r"[0-9]+")
MAX_GAP = 3
_GAP = re.compile(f"[{_SEPARATOR_CHARS}]{{1,{MAX_GAP}}}")

# Labels: what a text says before a number. The nearest one before the number decides, so that
# "注册号：440121600403804，身份证号码：440106199003077510" labels each number with its own.
_ID_LABEL = re.compile(r"身份证|身份證|身份号码|证件号码|证件号|(?<![A-Za-z])I\.?D(?![A-Za-z])", re.IGNORECASE)
_BUSINESS_LABEL = re.compile(r"注册号|注册码|信用代码|执照号|执照编号|营业执照|工商登记")
LABEL_REACH = 30
# A label reaches the first number after it and those listed with it (、和及与), no further: in
# "身份证号码：440106199003077510，914401013210446023" the second number is unlabelled (and kept:
# a valid credit code); in "身份证号码：440121600403804、440121600212958" both are labelled.
_LISTED_AFTER = re.compile(r"[0-9\uff10-\uff19][0-9\uff10-\uff19Xx\uff38\uff58"
                           r" \u00a0\u3000\-\u2010-\u2015\uff0d.\u00b7\uff0e]*[、和及与]\s*$")
_LABEL_STOP = re.compile(r"[。；;！!？?\n0-9\uff10-\uff19]")


@dataclass(frozen=True)
class Found:
    """A number of the shape of an ID number, as typed in ``text[start:end]``."""
    start: int
    end: int
    number: str          # its characters without separators, half-width, X upper-case
    masked: bool         # True: an ID number, masked in print; False: kept (a business code)
    kept_as: str = ""    # when kept: "uscc" or "regno", the code it was taken for

    @property
    def shown(self) -> str:
        """How it prints when masked (440106********7510): the one mask, ``mask_id_card``."""
        return mask_id_card(self.number)


def scan(text: str) -> list[Found]:
    """Every ID number in ``text`` (masked=True), and every business code that could also be one
    but is kept (masked=False: ambiguous, no label said which). Left to right, not overlapping."""
    plain = text.translate(_TRANSLATE)
    found: list[Found] = []
    for run in _runs(plain):
        found += _scan_run(text, plain, run)
    return found


def find_id_numbers(text: str) -> list[Found]:
    """The ID numbers in ``text`` (those that print masked)."""
    return [f for f in scan(text) if f.masked]


def mask_id_numbers(text: str) -> str:
    """``text`` with every ID number replaced by its masked form (440106********7510).

    The separators typed inside a number go with it: the masked form is the one
    ``mask_id_card`` gives the field, so that the same number prints the same wherever it was typed.
    """
    out, last = [], 0
    for f in find_id_numbers(text):
        out += [text[last:f.start], f.shown]
        last = f.end
    return "".join(out) + text[last:] if out else text


# ---------------------------------------------------------------------------------------------
def _runs(plain: str) -> list[list[tuple[int, int]]]:
    """Digit groups joined by separators (at most MAX_GAP of them between two groups): each run
    is a list of (start, end) of its groups. An X right after a group ends the run."""
    runs: list[list[tuple[int, int]]] = []
    for m in _GROUP.finditer(plain):
        if runs and _GAP.fullmatch(plain[runs[-1][-1][1]:m.start()]):
            runs[-1].append(m.span())
        else:
            runs.append([m.span()])
    return runs


# A year of this century or the last, then 年: what ends a run of digits typed into a date.
_YEAR_AFTER = re.compile(r"(?:19|20)\d\d年")


def _scan_run(text: str, plain: str, run: list[tuple[int, int]]) -> list[Found]:
    """The numbers in one run of digit groups, tried from each digit on, the longest first.

    A number that starts where a group starts and ends where one ends ("aligned") is judged by
    ``_decide``. One that starts or ends inside a group (digits run on: "身份证号码：440106…7510
    2026年", composed as "…75102026年") needs more: a label before it, or every mark of a real
    18-digit number (region, birth date, and a right check digit: a random digit string has
    all three about 3 times in a million).
    """
    digits = "".join(plain[start:end] for start, end in run)
    where = [i for start, end in run for i in range(start, end)]       # digit -> index in text
    starts, ends, at = set(), set(), 0
    for start, end in run:
        starts.add(at)
        at += end - start
        ends.add(at)
    x_after = plain[run[-1][1]:run[-1][1] + 1] in ("X", "x")
    if _YEAR_AFTER.match(plain, max(0, run[-1][1] - 4)) and run[-1][1] - run[-1][0] > 4:
        # The run's last four digits are the year of a date ("…5311042026年11月20日"): a
        # number may end before them, as if the year were a group of its own.
        starts.add(len(digits) - 4)
        ends.add(len(digits) - 4)
    found: list[Found] = []
    a = 0
    while a < len(digits):
        windows = _windows(digits, a, where, starts, ends, run[-1][1] if x_after else None)
        start = where[a] if a < len(where) else 0
        # Only a number starting a group can have a label: inside a group, a digit precedes it.
        label = _label_before(text, start) if windows and a in starts else None
        hit = next((found_ for number, end, aligned in windows if aligned
                    and (found_ := _decide(start, end, number, label)) is not None), None)
        if hit is None:
            hit = _run_on(start, [(number, end) for number, end, aligned in windows if not aligned], label)
        if hit is None:
            a += 1
        else:
            found.append(hit)
            a += len(hit.number)
    return found


def _windows(digits: str, a: int, where: list[int], starts: set[int], ends: set[int],
             x_at: int | None) -> list[tuple[str, int, bool]]:
    """The numbers that can start at digit ``a``: (number, end in text, aligned), the longest
    first. ``x_at``: where an X follows the run's last digit (the check digit of an 18-digit
    number), else None."""
    windows = []
    for length in (ID_LENGTH, OLD_ID_LENGTH):
        if a + length <= len(digits):
            windows.append((digits[a:a + length], where[a + length - 1] + 1, a in starts and a + length in ends))
        elif length == ID_LENGTH and a + length - 1 == len(digits) and x_at is not None:
            windows.append((digits[a:] + "X", x_at + 1, a in starts))
    return windows


def _run_on(start: int, loose: list[tuple[str, int]], label: str | None) -> Found | None:
    """A number whose digits run on into others: a certain ID number, or a labelled one that
    reads as one (the right length: "…号码：6101135704258712026年" is 15 digits born 1957, not
    18); failing that, labelled, the longest (what is masked can't be told, what is shown must
    not)."""
    pick = next(((number, end) for number, end in loose
                 if _certain_id(number) or (label == "id" and _plausible_id(number))), None)
    if pick is None and label == "id" and loose:
        pick = loose[0]
    return _decide(start, pick[1], pick[0], label) if pick is not None else None


def _decide(start: int, end: int, number: str, label: str | None) -> Found | None:
    """The number at text[start:end], given the label before it (see the module's docstring)."""
    if label == "id":
        return Found(start, end, number, True)
    business = _business_code(number)
    plausible = _plausible_id(number)
    if business:
        # A labelled code is the code; an unlabelled one that could be an ID number too is
        # kept and reported, so that the check asks the advertiser.
        return None if label == "business" or not plausible else Found(start, end, number, False, business)
    return Found(start, end, number, True) if plausible else None


def _certain_id(number: str) -> bool:
    """All the marks of an 18-digit ID number, the check digit (GB 11643-1999) included."""
    return len(number) == ID_LENGTH and _plausible_id(number) and ric.calc_check_digit(number) == number[-1]


def _label_before(text: str, start: int) -> str | None:
    """"id", "business" or None: the nearest label before ``start`` in the same sentence, with
    no other number between it and ``start`` — unless that number is listed with this one
    (“身份证号码：440106…、110105…”: 、 lists things of one kind)."""
    while (listed := _LISTED_AFTER.search(text, max(0, start - LABEL_REACH), start)) is not None:
        start = listed.start()
    before = text[max(0, start - LABEL_REACH):start]
    ends = list(_LABEL_STOP.finditer(before))
    if ends:
        before = before[ends[-1].end():]
    best, where = None, -1
    for kind, pattern in (("id", _ID_LABEL), ("business", _BUSINESS_LABEL)):
        for m in pattern.finditer(before):
            if m.end() > where:
                best, where = kind, m.end()
    return best


def _business_code(number: str) -> str:
    """"uscc" or "regno" when ``number`` is a valid code of that kind, else ""."""
    if len(number) == ID_LENGTH:
        if uscc_check_character(number[:17]) == number[17] and _is_division(number[2:8]):
            return "uscc"
    elif number.isdigit() and mod_11_10.is_valid(number):
        return "regno"
    return ""


def _plausible_id(number: str) -> bool:
    if number[:4] not in _prefectures():
        return False
    if len(number) == ID_LENGTH:
        born = _date(number[6:14])
        return born is not None and EARLIEST_BIRTH_YEAR <= born.year <= datetime.date.today().year
    return _date("19" + number[6:12]) is not None


def _date(yyyymmdd: str) -> datetime.date | None:
    try:
        return datetime.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return None


@lru_cache(maxsize=1)
def _prefectures() -> frozenset[str]:
    """The first four digits of every code in the division table (province + prefecture)."""
    prefixes = set(EXTRA_REGIONS)
    for length, low, high, _props, children in numdb.get("cn/loc").prefixes:
        for province in range(int(low), int(high) + 1):
            for c_length, c_low, c_high, _p, _c in children:
                for code in range(int(c_low), int(c_high) + 1):
                    prefixes.add(f"{province:0{length}d}{code:0{c_length}d}"[:4])
    return frozenset(prefixes)


@lru_cache(maxsize=4096)
def _is_division(code: str) -> bool:
    """A division code of the table (any era), or a registrar's code that is not a division."""
    if code in REGISTRAR_CODES:
        return True
    if not code.isdigit():
        return False
    info: dict[str, str] = {}
    for _part, props in numdb.get("cn/loc").info(code):
        info.update(props)
    return "county" in info
