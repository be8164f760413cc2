"""Paying for a notice by 对公转账, and the 发票 asked for it: the payment deadline, what to write
in the transfer's 附言, and the checks of an invoice request (抬头, 税号).

No Flask here. The payee's account and the deadline's lead time are the publisher's settings
(store/settings.py); docs/law.md, "Documents, payment, invoices",
says why the 税号 is checked the way it is.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from notices.deadlines import PublishingCalendar, copy_deadline_for
from notices.identifiers import USCC_EXAMPLE, check_id_card, check_uscc

__all__ = [
    "INVOICE_TITLE_MAX",
    "TaxNumberCheck",
    "check_invoice_title",
    "check_tax_number",
    "payment_deadline",
    "transfer_memo",
]

INVOICE_TITLE_MAX = 100
TAX_NUMBER_LENGTHS = (15, 18, 20)
_TAX_CHARS = re.compile(r"[0-9A-Z]+")
# Typed as printed: full-width, lower case, grouped with blanks or dashes.
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_SEPARATORS = re.compile(r"[\s\u00a0\u3000\-\u2010-\u2015\u2212\uff0d]+")


@dataclass(frozen=True)
class TaxNumberCheck:
    value: str       # normalised: half-width, upper case, no blanks
    valid: bool
    message: str     # Chinese; for an error, what to do with an example


def check_tax_number(value: str) -> TaxNumberCheck:
    """A 纳税人识别号 as a 发票 carries it. Since 2015 a unit's is its 统一社会信用代码 (18
    characters, checked by its check character); before, 15 characters (a 6-digit area and the
    organisation code) or 20 (an 18-character ID number and 2 digits, for 个体工商户), still on
    some old registrations. An 18-character number that fails the USCC check but is a valid ID
    number is an individual's. Empty is allowed: an individual's invoice needs none."""
    code = _SEPARATORS.sub("", value.translate(_HALF_WIDTH)).upper()
    if not code:
        return TaxNumberCheck(code, True, "")
    if not _TAX_CHARS.fullmatch(code):
        bad = next(c for c in code if not ("0" <= c <= "9" or "A" <= c <= "Z"))
        return TaxNumberCheck(code, False, f"税号只含数字和大写字母，“{bad}”不是。"
                                           f"请对照营业执照或税务登记证填写，例如 {USCC_EXAMPLE}")
    if len(code) not in TAX_NUMBER_LENGTHS:
        return TaxNumberCheck(code, False, f"税号应为15、18或20位，现为{len(code)}位。"
                                           f"单位的税号就是统一社会信用代码（18位），例如 {USCC_EXAMPLE}")
    if len(code) == 18:
        uscc = check_uscc(code)
        if uscc.valid:
            return TaxNumberCheck(code, True, "税号校验通过（统一社会信用代码）")
        if check_id_card(code).valid:
            return TaxNumberCheck(code, True, "税号为个人身份证号码")
        return TaxNumberCheck(code, False, f"税号（统一社会信用代码）有误：{uscc.message}")
    if len(code) == 20:
        if not check_id_card(code[:18]).valid or not code[18:].isdigit():
            return TaxNumberCheck(code, False, "20位税号应为18位身份证号码加2位数字，请核对，"
                                               f"或填写18位统一社会信用代码，例如 {USCC_EXAMPLE}")
        return TaxNumberCheck(code, True, "税号格式正确（个体工商户的旧税号）")
    if not code[:6].isdigit():
        return TaxNumberCheck(code, False, "15位税号的前6位应为数字（行政区划代码），请核对，"
                                           f"或填写18位统一社会信用代码，例如 {USCC_EXAMPLE}")
    return TaxNumberCheck(code, True, "税号格式正确（旧的15位税号）")


def check_invoice_title(title: str) -> str | None:
    """None when the 抬头 will do, else what is wrong (Chinese, with an example)."""
    text = " ".join(title.split())
    if not text:
        return "请填写发票抬头：单位全称或个人姓名，例如：广州市某某贸易有限公司"
    if len(text) > INVOICE_TITLE_MAX:
        return f"发票抬头不超过{INVOICE_TITLE_MAX}字（现为{len(text)}字），请填写单位全称，例如：广州市某某贸易有限公司"
    return None


def payment_deadline(calendar: PublishingCalendar, issue: date, hours_before: int) -> datetime:
    """By when the transfer must have arrived for the notice to appear on `issue`: the issue's
    copy deadline, `hours_before` hours earlier (a bank needs time to show a transfer)."""
    return copy_deadline_for(calendar, issue) - timedelta(hours=hours_before)


def transfer_memo(reference: str) -> str:
    """What the advertiser writes in the transfer's 附言 so the paper can match the money to the
    notice: the notice's reference and nothing else (banks cut 附言 at 20 to 30 characters);
    typed back without its dashes it is still found (store/workflow.py clean_reference)."""
    return reference
