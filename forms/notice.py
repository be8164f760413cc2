"""The advertiser's notice form, built from the catalogue declaration of its type.

WTForms renders the inputs, carries the CSRF token and coerces values; the rules themselves live in
notices.checks (one source for form, API and desk), and `run_checks` files each finding under the
input it concerns, so the page shows every message next to what has to be corrected.
"""
from __future__ import annotations

import re
import uuid
from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; types-WTForms 3.2 lacks it
from wtforms.validators import Optional

from notices import catalogue as cat, contact
from notices.catalogue import NoticeType
from notices.checks import DATE_FIELD, TEXT_FIELD, CheckResult, check_notice


class NoticeFormBase(FlaskForm):
    submission_key = HiddenField()
    composed_hash = HiddenField()     # hash of the text we composed: unchanged text is recomposed
    preview_token = HiddenField()     # what the advertiser saw (text, date, price) before confirming
    publication_date = SelectField("刊登日期", choices=[], validate_choice=False)
    # Further dates of one order (each its own notice, priced on its own): views/submit.py.
    more_dates = SelectMultipleField("另加刊登日期", choices=[], validate_choice=False)
    text = TextAreaField("公告正文", validators=[Optional()])
    advertiser_name = StringField("联系人姓名（必填）")
    advertiser_phone = StringField("联系电话（必填）")
    advertiser_email = StringField("电子邮箱（选填）")

    notice_type: NoticeType
    variant: str | None = None

    def ensure_submission_key(self) -> str:
        key = self.submission_key.data or ""
        if not re.fullmatch(r"[0-9a-f]{32}", key):
            key = self.submission_key.data = uuid.uuid4().hex
        return key

    def type_fields(self):
        """(catalogue field, WTForms field) for the inputs of this type and variant, in order."""
        return [(f, self[f.name]) for f in self.notice_type.form_fields(self.variant)]

    def field_values(self) -> dict[str, str]:
        values = {}
        for f, wt in self.type_fields():
            data = wt.data
            values[f.name] = ("1" if data else "") if f.kind == cat.BOOL else (data or "")
        if self.variant:
            values[cat.VARIANT] = self.variant
        return values

    def run_checks(self, text: str | None, **kwargs) -> CheckResult:
        result = check_notice(self.notice_type.code, self.field_values(), text, self.publication_date.data or None,
                              **kwargs)
        by_name = {f.name: wt for f, wt in self.type_fields()}
        for finding in result.errors:
            if finding.field is None:       # a finding about the notice as a whole has no input to mark
                continue
            target = by_name.get(finding.field) or {TEXT_FIELD: self.text, DATE_FIELD: self.publication_date}.get(
                finding.field)
            if target is not None:
                target.errors = list(target.errors or []) + [finding.message]
        # Show the normalised values back in the inputs.
        for name, wt in by_name.items():
            if name in result.fields and not isinstance(wt, BooleanField) and not wt.errors:
                if cat.DATE == self.notice_type.field(name).kind:
                    continue
                wt.data = result.fields[name]
        return result

    def check_advertiser(self, required: bool = True) -> bool:
        """The contact fields: filled in (when confirming) and well formed (whenever typed)."""
        ok = True
        for field in (self.advertiser_name, self.advertiser_phone, self.advertiser_email):
            # Refused with a control character, else normalised (notices/contact.py).
            field.data, found = contact.clean(field.data or "")
            if found:
                field.errors = ["含有看不见的控制字符，请删除后重新输入。"]
                ok = False
        for field, limit, label in ((self.advertiser_name, contact.NAME_MAX, "联系人姓名"),
                                    (self.advertiser_phone, contact.PHONE_MAX, "联系电话")):
            if field.errors:
                continue
            typed = field.data
            if not typed:
                if required:
                    field.errors = [f"请填写{label}，报社审核时可能需要与您联系。"]
                    ok = False
            elif len(typed) > limit:
                field.errors = [f"{label}最多{limit}个字。"]
                ok = False
        phone = self.advertiser_phone.data
        if phone and not self.advertiser_phone.errors and not contact.phone_digits_ok(phone):
            self.advertiser_phone.errors = ["电话号码位数不对，例如：13800138000 或 020-87750217。"]
            ok = False
        email = self.advertiser_email.data
        if email and not self.advertiser_email.errors and not contact.email_ok(email):
            self.advertiser_email.errors = ["电子邮箱格式不对，例如：name@example.com。"]
            ok = False
        return ok


def _wtforms_field(f: cat.Field):
    kwargs: dict[str, Any] = {"default": f.default or None}
    if f.kind == cat.CHOICE:
        return RadioField(f.label, choices=[SelectChoice(value, label) for value, label in f.choices],
                          validate_choice=False, **kwargs)
    if f.kind == cat.BOOL:
        return BooleanField(f.label)
    if f.kind == cat.LONGTEXT:
        return TextAreaField(f.label, **kwargs)
    return StringField(f.label, **kwargs)


_FORM_CLASSES: dict[tuple[str, str | None], type[NoticeFormBase]] = {}


def notice_form_class(notice_type: NoticeType, variant: str | None = None) -> type[NoticeFormBase]:
    """A form class for one type (and, for 遗失声明, one variant), built once and cached (built
    again if the catalogue now declares the type otherwise: a test may declare one)."""
    key = (notice_type.code, variant)
    cached = _FORM_CLASSES.get(key)
    if cached is None or cached.notice_type is not notice_type:
        attrs = {"notice_type": notice_type, "variant": variant}
        for f in notice_type.form_fields(variant):
            attrs[f.name] = _wtforms_field(f)
        cached = _FORM_CLASSES[key] = type(f"NoticeForm_{notice_type.code}_{variant}", (NoticeFormBase,), attrs)
    return cached
