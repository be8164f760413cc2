"""The administrator's payment and documents settings (/desk/settings/paperwork, issue 14): the
对公转账 account and the payment deadline, which documents each notice asks for, how long the
files are kept, and the cancellation rule (notices/selfservice.py). Like the settings form
(forms/desk.py SettingsFormBase), the form shows and reads the publisher itself: `from_publisher`,
`to_publisher`.
"""
from __future__ import annotations

import functools

from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.validators import Length, ValidationError

from forms.desk import MultiCheckboxField, choices
from notices.documents import DOCUMENT_KINDS, NOTICE_DOCUMENT_KINDS, default_documents, document_keys
from notices.selfservice import CANCELLATION_RULES
from store.settings import Publisher

RETENTION_MIN, RETENTION_MAX = 1, 3650
HOURS_MAX = 72
NAME_MAX = 100
ACCOUNT_DIGITS_MIN, ACCOUNT_DIGITS_MAX = 8, 32


def whole_number(text: str | None, low: int, high: int) -> int | None:
    """`text` as a whole number from `low` to `high` (digits only, full-width ones too), else None."""
    text = (text or "").strip()
    # isdecimal, not isdigit: "²" is a digit that int() refuses.
    if not text.isdecimal():
        return None
    try:
        value = int(text)
    except ValueError:          # more digits than Python reads as a number (4300)
        return None
    return value if low <= value <= high else None


def account_digits(text: str | None) -> str:
    """An account number as stored: without the spaces it is grouped with."""
    return "".join((text or "").split())


def _stripped(value: str | None) -> str:
    return (value or "").strip()


class WholeNumberBetween:
    """A whole number from `low` to `high`, e.g. 90."""

    def __init__(self, low: int, high: int, message: str):
        self.low, self.high, self.message = low, high, message

    def __call__(self, form, field):
        if whole_number(field.data, self.low, self.high) is None:
            raise ValidationError(self.message)


_TEXT = {"maxlength": NAME_MAX, "autocomplete": "off"}


def _number(maxlength: int) -> dict[str, object]:
    return {"inputmode": "numeric", "maxlength": maxlength}


def _in_order(kinds) -> tuple[str, ...]:
    return tuple(k for k in NOTICE_DOCUMENT_KINDS if k in kinds)


class PaperworkFormBase(FlaskForm):
    payee_name = StringField("收款单位", description="例如：某某日报社", filters=[_stripped], render_kw=_TEXT,
                             validators=[Length(max=NAME_MAX, message=f"不超过{NAME_MAX}字。")])
    payee_bank = StringField("开户银行", description="例如：中国工商银行广州某某支行", filters=[_stripped],
                             render_kw=_TEXT, validators=[Length(max=NAME_MAX, message=f"不超过{NAME_MAX}字。")])
    payee_account = StringField("账号", description="8到32位数字，可用空格分组，例如：3602 0001 0900 1234 567",
                                filters=[_stripped], render_kw=_number(40) | {"autocomplete": "off"})
    payment_hours_before = StringField(
        "付款期限：截稿前几小时到账", filters=[_stripped], render_kw=_number(2),
        description=f"0 即刊登日的截稿时间；例如填 2，截稿 15:00 时须 13:00 前到账。最多 {HOURS_MAX}。",
        validators=[WholeNumberBetween(0, HOURS_MAX, f"请填写0到{HOURS_MAX}的整数，例如：2（截稿前2小时须到账）；"
                                                     "0 即截稿时间。")])
    document_retention_days = StringField(
        "材料保存天数（见报后）", filters=[_stripped], render_kw=_number(4),
        description="见报后满这么多天删除材料文件（未通过或撤回的，从决定之日起算）。"
                    "由 flask purge-documents 每天执行，例如：90。",
        validators=[WholeNumberBetween(RETENTION_MIN, RETENTION_MAX,
                                       f"请填写{RETENTION_MIN}到{RETENTION_MAX}的整数，例如：90。")])
    # The cancellation rule (notices/selfservice.py): refuse, or refund a share of the price.
    late_withdrawal = RadioField("截稿后撤回", choices=choices(CANCELLATION_RULES.items()), filters=[_stripped],
                                 validate_choice=False)    # its own message, in Chinese: validate_late_withdrawal
    late_refund_percent = StringField(
        "截稿后撤回时退还价格的百分比", filters=[_stripped], render_kw=_number(3),
        description="选“按比例退款”时有效，0 到 100 的整数，"
                    "例如：50（价格 ¥700 退 ¥350，报社从已付款中留下其余部分）。",
        validators=[WholeNumberBetween(0, 100, "请填写0到100的整数，例如：50（退还价格的一半）。")])
    # Set on each class paperwork_form_class builds: (key, title) of the notices, one
    # `docs__<key>` checkbox field each.
    rows: tuple[tuple[str, str], ...] = ()
    document_kinds = [DOCUMENT_KINDS[k] for k in NOTICE_DOCUMENT_KINDS]

    @classmethod
    def from_publisher(cls, publisher: Publisher) -> PaperworkFormBase:
        """The form showing `publisher`'s settings (the inverse of to_publisher)."""
        data: dict[str, object] = {
            "payee_name": publisher.payee_name, "payee_bank": publisher.payee_bank,
            "payee_account": publisher.payee_account, "late_withdrawal": publisher.late_withdrawal,
            "payment_hours_before": str(publisher.payment_hours_before),
            "document_retention_days": str(publisher.document_retention_days),
            "late_refund_percent": str(publisher.late_refund_percent)}
        for key, _title in cls.rows:
            data[f"docs__{key}"] = list(publisher.documents.get(key, default_documents(key)))
        return cls(formdata=None, data=data)

    @classmethod
    def posted(cls, formdata, before: Publisher) -> PaperworkFormBase:
        """The form as posted. A page from before the cancellation rule existed posts neither of
        its inputs: the rule stays as `before` has it."""
        form = cls(formdata=formdata)
        form.late_withdrawal.data = form.late_withdrawal.data or before.late_withdrawal
        form.late_refund_percent.data = form.late_refund_percent.data or str(before.late_refund_percent)
        return form

    def validate_payee_account(self, field):
        """Digits (grouped by spaces or not), given together with the payee's name or not at
        all: one message at a time."""
        account = account_digits(field.data)
        if account and not (account.isdigit() and ACCOUNT_DIGITS_MIN <= len(account) <= ACCOUNT_DIGITS_MAX):
            raise ValidationError("账号应为8到32位数字（可用空格分组），例如：3602 0001 0900 1234 567。")
        if bool(self.payee_name.data) != bool(account):
            raise ValidationError("收款单位和账号要么都填，要么都不填（不填时，客户看到的是“请联系报社”）。")

    def validate_late_withdrawal(self, field):
        if field.data not in CANCELLATION_RULES:
            raise ValidationError("请选择截稿后能否撤回：“截稿后不能撤回”或“按比例退款”。")

    def to_publisher(self, before: Publisher) -> Publisher:
        """The settings this form says, on top of `before`. Called after validate(), which has
        checked the numbers read below."""
        after = Publisher(**before.as_dict())
        after.payee_name, after.payee_bank = self.payee_name.data or "", self.payee_bank.data or ""
        after.payee_account = account_digits(self.payee_account.data)
        after.payment_hours_before = whole_number(self.payment_hours_before.data, 0, HOURS_MAX) or 0
        after.document_retention_days = (whole_number(self.document_retention_days.data, RETENTION_MIN, RETENTION_MAX)
                                         or before.document_retention_days)
        after.late_withdrawal = self.late_withdrawal.data or before.late_withdrawal
        after.late_refund_percent = whole_number(self.late_refund_percent.data, 0, 100) or 0
        after.documents = self._documents()
        return after

    def _documents(self) -> dict[str, list[str]]:
        """The documents ticked for each notice, only where they differ from notices/documents.py:
        a better default reaches every notice the administrator never chose for. A kind that does
        not exist is left out."""
        ticked = {key: [k for k in self[f"docs__{key}"].data or () if k in NOTICE_DOCUMENT_KINDS]
                  for key, _title in self.rows}
        return {key: kinds for key, kinds in ticked.items() if tuple(kinds) != _in_order(default_documents(key))}


def paperwork_form_class() -> type[PaperworkFormBase]:
    """The form, with a row of checkboxes for each notice the home page offers."""
    # Built again when the catalogue's notices are not those it was built for.
    return _paperwork_form_class(tuple(document_keys()))


@functools.lru_cache(maxsize=4)
def _paperwork_form_class(rows: tuple[tuple[str, str], ...]) -> type[PaperworkFormBase]:
    kinds = choices((k, DOCUMENT_KINDS[k].label) for k in NOTICE_DOCUMENT_KINDS)
    attrs: dict[str, object] = {f"docs__{key}": MultiCheckboxField(title, choices=kinds, validate_choice=False)
                                for key, title in rows}
    attrs["rows"] = rows
    return type("PaperworkForm", (PaperworkFormBase,), attrs)
