"""Checks for the identifiers printed in notices: USCC, 注册号, 身份证号码, 印章编码, 营业执照编号.

Each check takes what the advertiser typed and returns an :class:`IdentifierCheck` whose message
speaks Chinese to the advertiser: what is wrong, at which (1-based) position, what to do, with an
example. ``valid`` is False only for a *definite* error (wrong length, a character the standard
never uses, a failed check character, an impossible birth date). Anything a real, correctly
copied identifier could still show (an unlisted registration department, a historical division
code, an embedded organisation code that does not follow GB 11714) is a warning: the newspaper
prints what the licence says, and the tool must never refuse a real code.

Sources (see docs/law.md §3):

- 统一社会信用代码: GB 32100-2015 (check character, mod 31), embedding an organisation code
  per GB 11714 (check character, mod 11).
- 15-digit 注册号: GS 15-2006 (ISO 7064 MOD 11,10), authority code per GB/T 2260.
- 居民身份证号码: GB 11643-1999 (ISO 7064 MOD 11-2).
- 印章编码, 营业执照编号: no public check digit; a loose format check that only warns.

No Flask imports here: this module is the domain, used by forms, the API and the editors' desk.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

from stdnum import numdb
from stdnum.cn import ric
from stdnum.iso7064 import mod_11_10

__all__ = [
    "CHECKS",
    "IdentifierCheck",
    "check_id_card",
    "check_licence_serial",
    "check_regno",
    "check_seal_code",
    "check_uscc",
    "mask_id_card",
    "org_code_check_character",
    "uscc_check_character",
    "uscc_holder_kind",
]


@dataclass(frozen=True)
class IdentifierCheck:
    kind: str  # "uscc" | "regno" | "id-card" | "seal-code" | "licence-serial"
    value: str  # normalised input (strip, full-width → half-width, upper-case)
    valid: bool  # False only for a definite error
    severity: str  # "ok" | "warning" | "error"
    message: str  # Simplified Chinese, for the advertiser
    position: int | None = None  # 1-based position of the offending character, when known
    expected: str | None = None  # expected check character, when the check character is wrong


# Examples quoted in messages: real codes from the seed page (docs/law.md §3).
USCC_EXAMPLE = "91440101340230099E"
REGNO_EXAMPLE = "440106601059045"
SEAL_CODE_EXAMPLE = "4417810013412"
LICENCE_SERIAL_EXAMPLE = "S2612019050774G"

DIGITS = "0123456789"  # not str.isdigit(), which also takes ² and ① (int() refuses them) and ٣
USCC_LENGTH = 18
REGNO_LENGTH = 15
ID_CARD_LENGTH = 18
OLD_ID_CARD_LENGTH = 15
SEAL_CODE_LENGTH = 13
LICENCE_SERIAL_MIN, LICENCE_SERIAL_MAX = 8, 20

# GB 32100-2015 §4: the 31-character set, value = index (0–9, A=10 … Y=30). I, O, S, V, Z are left
# out because they are too easily read as 1, 0, 5, U, 2.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_EXCLUDED = "IOSVZ"
# GB 32100-2015 §5: weight of position i (1-based) is 3^(i−1) mod 31.
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(USCC_LENGTH - 1))
# GB 32100-2015 table 1 and later assignments: 1–9, A, N, Y. The list is maintained by the national
# code centre and has grown since 2015, so an unlisted department (with a good check character) is
# a warning, not an error.
REGISTRATION_DEPARTMENTS = frozenset("123456789ANY")
# Organisation type (position 2) for registration department 9 (工商 / 市场监管), GB 32100-2015 table 2.
MARKET_REGULATION_TYPES = {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}
# Who registered what, by the first two characters (GB 32100-2015 table 2, docs/law.md §3): the
# kinds a notice's name or entity kind can contradict (notices/rules.py `code_fits_the_name`).
# Departments not listed (外交, 司法行政, 宗教, 工会 …) are left alone: a code is never judged by a
# table that does not know it.
USCC_HOLDER_KINDS = {
    "11": "机关", "12": "事业单位", "13": "群众团体", "19": "机构编制部门登记的其他机构",
    "51": "社会团体", "52": "民办非企业单位", "53": "基金会", "59": "民政部门登记的其他社会组织",
    "91": "企业", "92": "个体工商户", "93": "农民专业合作社",
}

# GB 11714: weights for the 8 body characters of an organisation code; characters are read in
# base 36 (0–9, A=10 … Z=35).
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

# Characters people type for the five letters GB 32100-2015 never uses: a hint, never a correction
# applied silently.
USCC_LOOKALIKES = {"O": "0", "I": "1", "Z": "2", "S": "5"}

# GS 15-2006: the first digit of the 8-digit sequence (position 7) is 6–9 for 个体工商户.
REGNO_INDIVIDUAL_DIGITS = frozenset("6789")
# Registrar codes that are not GB/T 2260 divisions (GS 15-2006: the national bureau uses 100000).
REGISTRAR_CODES = {"100000": "国家工商行政管理总局"}

# Full-width ASCII (U+FF01–U+FF5E) and the ideographic space, mapped one-to-one to half-width so
# that positions in the normalised value are positions in what was typed.
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


# Typed as printed on a licence or card, codes come grouped: "9144 0106 MA9X K3T2 12",
# "440106 19850317 2317", "91440101-MA5C…". None of these codes contains a blank or a dash.
_SEPARATORS = re.compile(r"[\s\u00a0\u3000\-\u2010-\u2015\u2212\uff0d]+")


def _normalise(value: str, separators: bool = True) -> str:
    """Half-width, upper case, and (unless told otherwise) without blanks and dashes."""
    value = value.translate(_HALF_WIDTH).strip().upper()
    return _SEPARATORS.sub("", value) if separators else value


def _all_digits(text: str) -> bool:
    return all(char in DIGITS for char in text)


def _show(char: str) -> str:
    """A character quoted for a message; a blank would be invisible between quotes."""
    return "空格" if char.isspace() else f"“{char}”"


def _ok(kind: str, value: str, message: str) -> IdentifierCheck:
    return IdentifierCheck(kind, value, True, "ok", message)


def _error(kind: str, value: str, message: str, position: int | None = None,
           expected: str | None = None) -> IdentifierCheck:
    return IdentifierCheck(kind, value, False, "error", message, position, expected)


def _warning(kind: str, value: str, message: str, position: int | None = None) -> IdentifierCheck:
    return IdentifierCheck(kind, value, True, "warning", message, position)


def _division(code: str) -> str | None:
    """Name of a GB/T 2260 division code, from python-stdnum's table with history.

    The table keeps withdrawn codes with their years (440126 "[-1992]番禺县"), so historical codes
    on old licences and ID cards are found; the years are shown with the name.
    Returns None when the code is not in the table.
    """
    if code in REGISTRAR_CODES:
        return REGISTRAR_CODES[code]
    if len(code) != 6 or not _all_digits(code):
        return None
    info: dict[str, str] = {}
    for _part, props in numdb.get("cn/loc").info(code):
        info.update(props)
    if "county" not in info:
        return None
    if code[4:] != "00" and code[2:] != "0000":
        # The table names a county without its prefecture (440106 → 天河区); the prefecture is
        # the same code ending in 00 (440100 → 广州市).
        prefecture = _division_name_only(code[:4] + "00")
        if prefecture and prefecture != info.get("province"):
            info["prefecture"] = prefecture
    names: list[tuple[int | None, int | None, str]] = []
    for entry in info["county"].split(","):
        if not entry.startswith("["):
            names.append((None, None, entry))
            continue
        span, name = entry[1:].split("]", 1)
        start, end = (int(part) if part else None for part in span.split("-"))
        names.append((start, end, name))
    return "、".join(_place(info, name, start, end) for start, end, name in names)


def _division_name_only(code: str) -> str | None:
    info: dict[str, str] = {}
    for _part, props in numdb.get("cn/loc").info(code):
        info.update(props)
    county = info.get("county")
    if not county:
        return None
    return county.split(",")[-1].split("]")[-1]


def _place(info: dict[str, str], name: str, start: int | None, end: int | None) -> str:
    province = info.get("province", "")
    prefecture = info.get("prefecture", "")
    place = name if name.startswith(province) else province + (
        "" if not prefecture or name.startswith(prefecture) else prefecture) + name
    if end is not None:
        place += f"（{start}–{end}年）" if start is not None else f"（{end}年前）"
    return place


# --------------------------------------------------------------------------------------------
# 统一社会信用代码, GB 32100-2015


def uscc_check_character(first17: str) -> str:
    """The 18th character of a USCC, GB 32100-2015 §5: (31 − Σ vᵢ·3^(i−1) mod 31) mod 31."""
    total = sum(USCC_ALPHABET.index(char) * weight for char, weight in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_holder_kind(code: str) -> str | None:
    """What a credit code's first two characters say its holder is (企业, 个体工商户, 事业单位 …),
    or None where USCC_HOLDER_KINDS does not know them."""
    return USCC_HOLDER_KINDS.get(_normalise(code)[:2])


def org_code_check_character(body8: str) -> str:
    """The 9th character of a GB 11714 organisation code: c = 11 − Σ mod 11; 10 → X, 11 → 0."""
    total = sum(int(char, 36) * weight for char, weight in zip(body8, ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def check_uscc(value: str) -> IdentifierCheck:
    """Check a 统一社会信用代码 (GB 32100-2015).

    Errors: wrong length, a character outside the 31-character set, a wrong 18th character. The
    mod-31 check catches every single-character substitution and every swap of neighbours (31 is
    prime and the weights are distinct and non-zero), so it alone decides ``valid``.

    Warnings only (the code passed its own check, so these are most likely real codes):
    an unlisted registration department (position 1), a non-numeric division code (3–8) and an
    embedded organisation code (9–17) that fails GB 11714 — see the comment in the body.
    The division code (3–8) is the *registrar's*, not the business's address, and a code unknown to
    the division table says nothing about the code's validity: it is not looked up.
    """
    kind, code = "uscc", _normalise(value)
    if not code:
        return _error(kind, code, f"请填写统一社会信用代码（18位），例如 {USCC_EXAMPLE}")

    bad = next(((i, c) for i, c in enumerate(code, 1) if c not in USCC_ALPHABET), None)
    if bad is not None:
        position, char = bad
        rule = ("不用 I、O、S、V、Z" if char in USCC_EXCLUDED
                else "只用数字和大写字母，不用 I、O、S、V、Z")
        bad_message = f"第{position}位{_show(char)}不是统一社会信用代码可用的字符（{rule}）"
    if len(code) != USCC_LENGTH:
        message = f"统一社会信用代码应为18位，现为{len(code)}位"
        if len(code) == REGNO_LENGTH and _all_digits(code):
            message += "；15位数字是旧的注册号，请填入注册号一栏，或填写营业执照上的18位代码"
        if bad is not None:
            message += "；" + bad_message
        return _error(kind, code, f"{message}。请对照营业执照逐位核对，例如 {USCC_EXAMPLE}")
    if bad is not None:
        return _error(kind, code, f"{bad_message}，{_lookalike_hint(code)}", position=bad[0])

    expected = uscc_check_character(code[:17])
    org_expected = org_code_check_character(code[8:16])
    if code[17] != expected:
        where = ("，第9–17位组织机构代码校验也不符，请逐位核对，尤其是第9–17位"
                 if code[16] != org_expected else "，请对照营业执照逐位核对")
        return _error(kind, code,
                      f"第18位校验码应为 {expected}，现为 {code[17]}，说明代码中有字符写错{where}",
                      position=18, expected=expected)

    warnings: list[tuple[str, int]] = []
    if code[0] not in REGISTRATION_DEPARTMENTS:
        warnings.append((f"第1位{_show(code[0])}不是已知的登记管理部门代码（1–9、A、N、Y），"
                         "请核对营业执照", 1))
    non_digit = next((i for i in range(2, 8) if code[i] not in DIGITS), None)
    if non_digit is not None:
        warnings.append((f"第{non_digit + 1}位{_show(code[non_digit])}：第3–8位应为登记机关的"
                         "6位行政区划代码，请核对营业执照", non_digit + 1))
    # The embedded organisation code is a warning, never an error. Every single wrong character
    # (and every swap of neighbours) is already caught by the mod-31 check above, so GB 11714 adds
    # no power against typos; a code that passes mod 31 yet fails GB 11714 is far more likely one
    # the registrar issued that way than two compensating typos (chance about 1 in 31). Such
    # codes were reported to us (individual businesses, departments other than 9) but none is
    # confirmed: all six seed codes pass GB 11714, 92440101MA5ACCGH4P included; docs/law.md:
    # unconfirmed → warn. Telling the advertiser to "fix" character 17 would break a code that
    # is right, hence no ``expected``.
    if code[16] != org_expected:
        warnings.append(("第9–17位组织机构代码校验不符（GB 11714），但18位代码的校验已通过；"
                         "如与营业执照上的一致，可照常填写", 17))
    if warnings:
        return _warning(kind, code, "；".join(text for text, _ in warnings), warnings[0][1])

    message = "统一社会信用代码校验通过"
    if code[0] == "9" and code[1] in MARKET_REGULATION_TYPES:
        message += f"（{MARKET_REGULATION_TYPES[code[1]]}）"
    return _ok(kind, code, message)


def _lookalike_hint(code: str) -> str:
    """Suggest 0 for O, 1 for I … only when that substitution makes the whole code check out."""
    bad = [c for c in code if c not in USCC_ALPHABET]
    if all(c in USCC_LOOKALIKES for c in bad):
        fixed = "".join(USCC_LOOKALIKES.get(c, c) for c in code)
        if uscc_check_character(fixed[:17]) == fixed[17]:
            swaps = "、".join(f"“{c}”改为“{USCC_LOOKALIKES[c]}”" for c in dict.fromkeys(bad))
            return f"把{swaps}后校验通过：{fixed}，请对照营业执照核对"
    return f"请对照营业执照逐位核对，例如 {USCC_EXAMPLE}"


# --------------------------------------------------------------------------------------------
# 15-digit 注册号, GS 15-2006


def check_regno(value: str) -> IdentifierCheck:
    """Check a 15-digit 注册号 (GS 15-2006): 6-digit authority code, 8-digit sequence, check digit.

    The check digit is ISO 7064 MOD 11,10, which catches every single-digit substitution.
    The authority code is looked up in the GB/T 2260 table *with history* (440126 番禺县 until
    1992, 440121 花县 until 1993 are on real licences); an unknown one is a warning, since
    registrars also used codes that are not divisions.
    """
    kind, number = "regno", _normalise(value)
    if not number:
        return _error(kind, number, f"请填写15位注册号，例如 {REGNO_EXAMPLE}")
    if len(number) != REGNO_LENGTH:
        message = f"注册号应为15位数字，现为{len(number)}位"
        if len(number) == USCC_LENGTH:
            message += "；18位的是统一社会信用代码，请填入统一社会信用代码一栏"
        return _error(kind, number, f"{message}。请对照营业执照核对，例如 {REGNO_EXAMPLE}")
    bad = next((i for i, c in enumerate(number, 1) if c not in DIGITS), None)
    if bad is not None:
        return _error(kind, number,
                      f"第{bad}位{_show(number[bad - 1])}不是数字：注册号只有数字，"
                      f"请对照营业执照核对，例如 {REGNO_EXAMPLE}", position=bad)
    expected = mod_11_10.calc_check_digit(number[:-1])
    if number[-1] != expected:
        return _error(kind, number,
                      f"第15位校验位应为 {expected}，现为 {number[-1]}：注册号中有数字写错，"
                      "请对照营业执照逐位核对", position=15, expected=expected)

    individual = "，个体工商户" if number[6] in REGNO_INDIVIDUAL_DIGITS else ""
    authority = _division(number[:6])
    if authority is None:
        return _warning(kind, number,
                        f"注册号校验通过{individual}，但第1–6位登记机关代码 {number[:6]} "
                        "不在行政区划代码表中，请核对营业执照", position=1)
    return _ok(kind, number,
               f"注册号校验通过（登记机关代码 {number[:6]}：{authority}{individual}）")


# --------------------------------------------------------------------------------------------
# 居民身份证号码, GB 11643-1999


def check_id_card(value: str) -> IdentifierCheck:
    """Check an 18-character 居民身份证号码 (GB 11643-1999).

    python-stdnum's cn.ric supplies the MOD 11-2 arithmetic; the messages are ours. Its birth
    place check insists the division existed in the birth year, but the code is where the
    number was first *issued* (often years after birth: 440106 天河区 dates from 1985), and its
    table may lag: an unknown or anachronistic region is a warning. A 15-digit number (issued
    before 1999) is a warning asking for the 18-digit one.
    """
    kind, number = "id-card", _normalise(value)
    example = "例如 11010519491231002X（GB 11643-1999 的示例号码）"
    if not number:
        return _error(kind, number, f"请填写18位居民身份证号码，{example}")
    if len(number) not in (ID_CARD_LENGTH, OLD_ID_CARD_LENGTH):
        return _error(kind, number,
                      f"居民身份证号码应为18位，现为{len(number)}位，请对照身份证核对，{example}")
    last_may_be_x = len(number) == ID_CARD_LENGTH
    for position, char in enumerate(number, 1):
        if char in DIGITS or (char == "X" and position == ID_CARD_LENGTH and last_may_be_x):
            continue
        if not last_may_be_x:
            rule = "15位旧号码只有数字"
        elif char == "X":
            rule = "只有最后一位可以是 X"
        else:
            rule = "身份证号码只有数字，最后一位可以是 X"
        return _error(kind, number, f"第{position}位{_show(char)}不对：{rule}，请对照身份证核对",
                      position=position)

    if len(number) == OLD_ID_CARD_LENGTH:
        # Old numbers carry YYMMDD; every 15-digit number was issued to someone born 19xx.
        if _birth_date("19" + number[6:12]) is None:
            return _error(kind, number,
                          f"第7–12位出生日期 {number[6:12]} 不是有效日期，请对照身份证核对",
                          position=7)
        return _warning(kind, number,
                        "这是15位的旧身份证号码，请填写现行的18位号码（见第二代身份证）")

    birth = _birth_date(number[6:14])
    if birth is None:
        return _error(kind, number,
                      f"第7–14位出生日期 {number[6:14]} 不是有效日期，请对照身份证核对",
                      position=7)
    if birth > datetime.date.today():
        return _error(kind, number,
                      f"第7–14位出生日期 {number[6:14]} 晚于今天，请对照身份证核对", position=7)
    expected = ric.calc_check_digit(number)
    if number[-1] != expected:
        return _error(kind, number,
                      f"第18位校验码应为 {expected}，现为 {number[-1]}：号码中有数字写错，"
                      "请对照身份证逐位核对", position=18, expected=expected)
    if _division(number[:6]) is None:
        return _warning(kind, number,
                        f"身份证号码校验通过，但第1–6位地区代码 {number[:6]} 不在行政区划代码表中，"
                        "请核对", position=1)
    return _ok(kind, number, "居民身份证号码校验通过")


def _birth_date(yyyymmdd: str) -> datetime.date | None:
    try:
        return datetime.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return None


def mask_id_card(value: str) -> str:
    """Mask an ID number for print: keep the first 6 and last 4 characters (440106********123X).

    Printing a full number is the newspaper's decision (a setting); masking is the default.
    Anything of 10 characters or fewer is masked entirely: keeping 6 + 4 would show it all.
    """
    number = _normalise(value)
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


# --------------------------------------------------------------------------------------------
# 印章编码 and 营业执照编号: no public check digit, so warnings only


def check_seal_code(value: str) -> IdentifierCheck:
    """Check a 印章编码 loosely: typically 13 digits, the first 6 a GB/T 2260 division code.

    Local public-security bureaus issue these and no check digit is published, so this never
    returns an error: a seal code in another format may be genuine.
    """
    kind, code = "seal-code", _normalise(value)
    if not code:
        return _warning(kind, code, f"未填写印章编码（通常为13位数字，例如 {SEAL_CODE_EXAMPLE}），"
                                    "请按印章或备案回执填写")
    if len(code) != SEAL_CODE_LENGTH or not _all_digits(code):
        found = f"现为{len(code)}位" + ("" if _all_digits(code) else "，含非数字字符")
        return _warning(kind, code,
                        f"印章编码通常为13位数字（{found}），例如 {SEAL_CODE_EXAMPLE}，"
                        "请核对印章或备案回执")
    place = _division(code[:6])
    return _ok(kind, code, "印章编码格式正确" + (f"（{place}）" if place else ""))


def check_licence_serial(value: str) -> IdentifierCheck:
    """Check a 营业执照编号 (the serial printed on the licence, e.g. S2612019050774G) loosely.

    The format has changed over the years and no check digit is published: 8–20 digits and
    capital letters pass; anything else is a warning, never an error.
    """
    kind, serial = "licence-serial", _normalise(value)
    if (LICENCE_SERIAL_MIN <= len(serial) <= LICENCE_SERIAL_MAX
            and all(c.isascii() and c.isalnum() for c in serial)):
        return _ok(kind, serial, "营业执照编号格式正确")
    if not serial:
        return _warning(kind, serial, f"未填写营业执照编号（例如 {LICENCE_SERIAL_EXAMPLE}），"
                                      "如执照上有“编号”请照填")
    return _warning(kind, serial,
                    f"营业执照编号通常为8–20位数字和大写字母（现为{len(serial)}位），"
                    f"例如 {LICENCE_SERIAL_EXAMPLE}，请对照营业执照上的“编号”核对")


CHECKS: dict[str, Callable[[str], IdentifierCheck]] = {
    "uscc": check_uscc,
    "regno": check_regno,
    "id-card": check_id_card,
    "seal-code": check_seal_code,
    "licence-serial": check_licence_serial,
}
