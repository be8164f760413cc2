"""Small validators for the desk forms, each named for its rule and taking `message=`."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from wtforms.validators import ValidationError

from notices.text import find_forbidden

MAX_AMOUNT_CENTS = 10_000_000_00     # ¥10,000,000: far above any notice; catches a typo of extra digits
_YUAN = re.compile(r"[¥￥]?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?\s*元?")


def parse_yuan(text: str | None) -> int | None:
    """An amount as an editor types it (320, 320.5, ¥1,280.00, 320元) in cents, else None."""
    m = _YUAN.fullmatch((text or "").strip())
    if not m:
        return None
    try:
        value = Decimal(m.group(1).replace(",", "") + "." + (m.group(2) or "0"))
    except InvalidOperation:
        return None
    cents = int(value * 100)
    return cents if 0 < cents <= MAX_AMOUNT_CENTS else None


class YuanAmount:
    """A positive amount in yuan with at most two decimals."""

    def __init__(self, message: str = "金额格式不对，请填写数字，例如：320 或 320.50。"):
        self.message = message

    def __call__(self, form, field):
        if parse_yuan(field.data) is None:
            raise ValidationError(self.message)


class NoInvisibleCharacters:
    """No control, bidi or zero-width characters (docs/reliability.md: 'Pay \\u202e0001' prints as 'Pay 1000')."""

    def __init__(self, message: str = "含有看不见的控制字符，请删除后重新输入。", multiline: bool = False):
        self.message = message
        self.multiline = multiline

    def __call__(self, form, field):
        if field.data and find_forbidden(str(field.data), multiline=self.multiline):
            raise ValidationError(self.message)


class WholeNumber:
    """Digits only: the notice version carried in editor forms."""

    def __init__(self, message: str = "页面数据不完整，请刷新页面后重试。"):
        self.message = message

    def __call__(self, form, field):
        if not re.fullmatch(r"\d{1,9}", field.data or ""):
            raise ValidationError(self.message)


class ClockTime:
    """HH:MM on a 24-hour clock, e.g. 15:00."""

    def __init__(self, message: str = "请按24小时制填写时间，例如：15:00。"):
        self.message = message

    def __call__(self, form, field):
        m = re.fullmatch(r"(\d{1,2})[:：](\d{2})", (field.data or "").strip())
        if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
            raise ValidationError(self.message)
        field.data = f"{int(m.group(1)):02d}:{m.group(2)}"
