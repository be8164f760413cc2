"""The editor desk's forms. Every one is a FlaskForm, so every POST carries the CSRF token.

Forms that change a notice carry its version (a hidden field): the operation updates the row only
`WHERE version = :v`, so a form loaded before someone else's change cannot overwrite it.
"""
from __future__ import annotations

import dataclasses
import functools
import re
import typing

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FloatField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; types-WTForms 3.2 lacks it
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from forms.notice import notice_form_class
from forms.validators import ClockTime, NoInvisibleCharacters, WholeNumber, YuanAmount, parse_yuan
from notices.catalogue import CATALOGUE, NoticeType, price_categories
from notices.dates import parse_date
from store.accounts import PASSWORD_MAX, ROLE_LABELS
from store.settings import Publisher
from store.workflow import PAYMENT_METHODS, RECEIPT_MAX

REASON_MAX = 500
NOTE_MAX = 200
NEWSPAPER_MAX = 30
CONTACT_LINES_MAX = 6
CONTACT_LINE_MAX = 40
PAPER_LEVELS = ("国家级", "省级", "市级")
WEEKDAY_LABELS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms 3.3 wants them (tuples are deprecated, and warnings fail tests)."""
    return [SelectChoice(value, label) for value, label in pairs]


class LoginForm(FlaskForm):
    username = StringField("账号", validators=[DataRequired("请填写账号。"), Length(max=60)])
    password = PasswordField("密码", validators=[DataRequired("请填写密码。"), Length(max=PASSWORD_MAX)])


class PasswordChangeForm(FlaskForm):
    current = PasswordField("当前密码", validators=[DataRequired("请填写当前密码。")])
    new = PasswordField("新密码", validators=[DataRequired("请填写新密码。")])
    confirm = PasswordField("再输一次新密码", validators=[EqualTo("new", "两次输入的新密码不一致。")])


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class VersionedForm(FlaskForm):
    version = HiddenField(validators=[WholeNumber()])

    def version_number(self) -> int:
        """The version the form was loaded at. Only after validate(): WholeNumber has checked it
        is there and a number (the field's data is Optional to the type checker)."""
        return int(self.version.data or "")


class DecisionForm(VersionedForm):
    reason = TextAreaField("原因（广告客户会看到）",
                           validators=[Optional(), Length(max=REASON_MAX, message=f"原因最多{REASON_MAX}字。"),
                                       NoInvisibleCharacters(multiline=True)])


class ScheduleForm(VersionedForm):
    # The choice is checked by workflow.schedule (a publishing day, not past, not published), so
    # that a date beyond the menu (an issue page further ahead) can be posted too.
    issue_date = SelectField("刊登日期", choices=[], validate_choice=False,
                             validators=[DataRequired("请选择刊登日期。")])
    override_reason = StringField("不付款先排期的理由（未付款时必填，记入日志）",
                                  validators=[Optional(), Length(max=REASON_MAX), NoInvisibleCharacters()])


class PaymentForm(VersionedForm):
    amount = StringField("金额（元）", validators=[DataRequired("请填写金额，例如：320。"), YuanAmount()])
    method = RadioField("付款方式", choices=choices(PAYMENT_METHODS.items()), default="counter",
                        validators=[InputRequired("请选择付款方式。")])
    receipt_no = StringField("收据号或流水号", validators=[
        DataRequired("请填写收据号或流水号，例如：GZ2026-001234。"),
        Length(max=RECEIPT_MAX, message=f"最多{RECEIPT_MAX}个字。"), NoInvisibleCharacters()])


class EditorCreateForm(FlaskForm):
    username = StringField("账号", validators=[DataRequired("请填写账号，例如：zhang.wei 或 张伟。"), Length(max=30)])
    password = PasswordField("初始密码", validators=[DataRequired("请填写初始密码。")])
    confirm = PasswordField("再输一次", validators=[EqualTo("password", "两次输入的密码不一致。")])
    role = RadioField("角色", choices=choices(ROLE_LABELS.items()), default="editor")


class ResetPasswordForm(FlaskForm):
    password = PasswordField("新密码", validators=[DataRequired("请填写新密码。")])
    confirm = PasswordField("再输一次", validators=[EqualTo("password", "两次输入的密码不一致。")])


# ---------------------------------------------------------------------------------------------
# Editing a notice: the advertiser's form of its type (same fields, same checks) plus version and note.

_EDIT_CLASSES: dict[tuple[str, str | None], type] = {}


def edit_form_class(notice_type: NoticeType, variant: str | None):
    key = (notice_type.code, variant)
    base = notice_form_class(notice_type, variant)
    cached = _EDIT_CLASSES.get(key)
    if cached is None or base not in cached.__bases__:   # built again with its base (forms/notice.py)
        attrs = {
            "version": HiddenField(validators=[WholeNumber()]),
            "note": StringField("修改说明（记入日志，例如：按客户电话更正地址）",
                                validators=[Optional(), Length(max=NOTE_MAX), NoInvisibleCharacters()]),
        }
        cached = _EDIT_CLASSES[key] = type(f"DeskEdit_{notice_type.code}_{variant}", (base,), attrs)
    return cached


# ---------------------------------------------------------------------------------------------
# Publisher settings. The layout and rate-card inputs are derived from the typesetting dataclasses
# (declared once there); a field's Chinese label comes from its metadata["label"] when the engine
# gives one, else from LABELS below, else its name.

LABELS = {
    "area_width_mm": "版心宽度（毫米）", "area_height_mm": "版心高度（毫米）", "columns": "栏数",
    "gutter_mm": "栏间距（毫米）", "column_rules": "栏与栏之间加线", "column_rule_weight_pt": "栏线粗细（磅）",
    "body_font": "正文字体", "body_size_pt": "正文字号（磅）", "leading_pt": "行距（磅）",
    "title_font": "标题字体", "title_weight": "标题字重（400–900）", "header_text": "栏头文字",
    "header_height_mm": "栏头高度（毫米）", "notice_spacing_pt": "公告间距（磅）", "bleed_mm": "出血（毫米）",
    "crop_marks": "印裁切标记", "currency_symbol": "货币符号",
    "paragraph_indent_em": "分段公告段首缩进（字，通常为2，0为不缩进）",
    "notice_rule_weight_pt": "公告之间加线的粗细（磅，细线为0.25，0为不加线）",
    "notice_rule_space_pt": "公告间线上下的空白（磅）",
    "pdf_standard": "印刷用PDF标准（服务器配置了输出ICC色彩配置文件时生效）",
    # PriceRule
    "model": "计价方式", "flat_cents": "每则（元）", "per_line_cents": "每行（元）", "min_lines": "起价行数",
    "chars_per_line": "每行字数", "line_basis": "计行方式", "base_cents": "起价（元）", "base_chars": "起价含字数",
    "per_extra_char_cents": "超出每字（元）",
}
DEFAULT_RULE_LABEL = "其他公告（默认）"   # the other categories are named by the catalogue
RULE_CHOICES = {
    "model": (("per_line", "按行"), ("flat", "按则"), ("block", "按字数")),
    "line_basis": (("typeset", "按实际排出的行数"), ("characters", "按字数折算行数")),
}
EXCLUDED_SETTINGS = {"newspaper_name", "newspaper", "contact_lines", "type_order", "icc_profile_path"}
# Layout settings that take one of a few values: a choice, not a text box.
LAYOUT_CHOICES = {
    "pdf_standard": (("pdf/x-4", "PDF/X-4（可含透明，PDF 1.6）"),
                     ("pdf/x-1a", "PDF/X-1a:2001（无透明，PDF 1.3，许多报社的广告收稿标准）")),
}


def _label(f: dataclasses.Field) -> str:
    return f.metadata.get("label") or LABELS.get(f.name) or f.name


def labelled(message: str) -> str:
    """An engine message with its field names (gutter_mm …) put as the form labels them."""
    # ASCII word edges: a Chinese character next to a name is a word character to \b.
    return re.sub(r"(?<![A-Za-z0-9_])[a-z]+(?:_[a-z]+)*(?![A-Za-z0-9_])",
                  lambda m: LABELS.get(m.group(), m.group()), message)


def settings_fields(cls) -> list[tuple[str, str, type, object, str]]:
    """(name, label, python type, default, help) of a settings dataclass, for the fields an editor
    can set in a form (numbers, text and switches). Lists, optional paths and nested objects are
    left out; the newspaper's name and contact lines are the publisher's own fields."""
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        kind = hints.get(f.name)
        if f.name in EXCLUDED_SETTINGS or kind not in (int, float, str, bool):
            continue
        default = f.default if f.default is not dataclasses.MISSING else (
            f.default_factory() if f.default_factory is not dataclasses.MISSING else None)
        out.append((f.name, _label(f), kind, default, f.metadata.get("help", "")))
    return out


def rule_fields(rule_cls) -> list[tuple[str, str]]:
    """(name, label) of a rate-card rule's fields (PriceRule), in declaration order."""
    return [(f.name, _label(f)) for f in dataclasses.fields(rule_cls)]


def rate_rules(rate_cls=None) -> list[tuple[str, str]]:
    """(rule key, label): the default rule, then each price category the catalogue names
    (notices/catalogue.py, price_categories), labelled as the home page names its notices."""
    return [("default", DEFAULT_RULE_LABEL)] + [(code, label) for code, (label, _cents) in price_categories().items()]


def cents_text(cents: int) -> str:
    return f"{cents // 100}" if cents % 100 == 0 else f"{cents / 100:.2f}"


def parse_price(text: str | None) -> int | None:
    """A price in yuan, zero allowed (a rule that does not use it), as cents."""
    value = (text or "").strip().lstrip("¥￥").rstrip("元")
    if value in ("0", "0.0", "0.00"):
        return 0
    return parse_yuan(value)


class PriceInYuan:
    def __init__(self, message: str = "请填写金额（元），例如：50 或 1.80；不用的填0。"):
        self.message = message

    def __call__(self, form, field):
        if parse_price(field.data) is None:
            raise ValidationError(self.message)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SettingsFormBase(FlaskForm):
    newspaper = StringField("报纸名称", validators=[DataRequired("请填写报纸名称，例如：广州日报。"),
                                                 Length(max=NEWSPAPER_MAX), NoInvisibleCharacters()])
    office_phone = StringField("报社联系电话（显示给客户）", validators=[
        DataRequired("请填写联系电话，例如：87750217 87133731。"), Length(max=60), NoInvisibleCharacters()])
    # Who the paper is, on every public page (views/paper.py).
    cn_number = StringField("国内统一连续出版物号（刊号）", validators=[
        Optional(), Regexp(r"^\s*CN\s?\d{2}\s?-\s?\d{4}(/[A-Za-z0-9]{1,4})?\s*$", flags=re.IGNORECASE,
                           message="刊号的写法是 CN 加两位地区号、短横和四位序号，例如：CN44-0001。")])
    level = RadioField("报纸级别", choices=choices([("", "不显示"), *((v, v) for v in PAPER_LEVELS)]),
                       default="", validate_choice=True)
    address = StringField("报社地址（选填）", validators=[Optional(), Length(max=80), NoInvisibleCharacters()])
    office_hours = StringField("受理时间（选填）", validators=[Optional(), Length(max=60), NoInvisibleCharacters()])
    area_code = StringField("电话区号", validators=[
        Optional(), Regexp(r"^\s*0\d{2,3}\s*$", message="区号是 0 开头的三到四位数字，例如：020。")])
    page_labels = StringField("分类公告所在版面（选填）",
                              validators=[Optional(), Length(max=120), NoInvisibleCharacters()])
    contact_lines = TextAreaField("栏末联系方式（每行一条）", validators=[
        Optional(), NoInvisibleCharacters(multiline=True)])
    weekdays = MultiCheckboxField("出版日", choices=choices((str(i), label) for i, label in enumerate(WEEKDAY_LABELS)),
                                  validators=[DataRequired("至少选一个出版日。")])
    copy_deadline = StringField("截稿时间", validators=[DataRequired("请填写截稿时间，例如：15:00。"), ClockTime()])
    days_before = IntegerField("提前天数（截稿在出版日前几天）",
                               validators=[InputRequired("请填写天数，例如：1。"),
                                           NumberRange(0, 14, "提前天数应为0到14。")])
    closed_dates = TextAreaField("休刊日期（每行一个，例如：2027-02-10）", validators=[Optional()])
    print_id_numbers = RadioField("身份证号码见报方式",
                                  choices=choices([("masked", "隐去中间部分（440106********123X）"),
                                                   ("full", "全号刊登")]), default="masked")
    print_creditor_last_day = BooleanField("债权人期限后注明截止日期")
    # Set on each class settings_form_class builds: the engine's classes its inputs were made from.
    layout_cls: typing.Any = None
    rate_cls: typing.Any = None

    @classmethod
    def from_publisher(cls, publisher: Publisher, card: dict) -> "SettingsFormBase":
        """The form showing `publisher`'s settings (the inverse of to_publisher); `card` is its
        rate card as the engine reads it (RateCard.to_dict())."""
        data = {"newspaper": publisher.newspaper, "contact_lines": "\n".join(publisher.contact_lines),
                "page_labels": "、".join(publisher.page_labels), "weekdays": [str(d) for d in publisher.weekdays],
                "closed_dates": "\n".join(publisher.closed_dates),
                **{name: getattr(publisher, name) for name in _PLAIN_SETTINGS}}
        positions = [c for c in publisher.type_order if c in CATALOGUE]
        for i, code in enumerate(positions + [c for c in CATALOGUE if c not in positions], start=1):
            data[f"order__{code}"] = i
        for name, _label, _kind, default, _hint in settings_fields(cls.layout_cls):
            data[f"layout__{name}"] = publisher.layout.get(name, default)
        data["rate__currency_symbol"] = card["currency_symbol"]
        for rule, _label in rate_rules(cls.rate_cls):
            values = card["default"] if rule == "default" else card["categories"].get(rule, card["default"])
            for name, _l in rule_fields(type(cls.rate_cls().default)):
                value = values.get(name)
                data[f"rate__{rule}__{name}"] = cents_text(value) if name.endswith("_cents") else value
        return cls(data=data)

    def to_publisher(self, before: Publisher) -> Publisher | None:
        """The settings this form says, on top of `before`; or None with the problems filed under
        the inputs (in Chinese). Called after validate(), which has required the fields read with
        `or` below. The engine's own check of layout and prices is the caller's
        (views/desk/settings.py): forms do not typeset."""
        lines, closed, positions = self._contact_lines(), self._closed_dates(), self._type_positions()
        if lines is None or closed is None or positions is None:
            return None
        after = Publisher(**before.as_dict())
        for name in ("newspaper", "office_phone", "address", "office_hours", "area_code"):
            setattr(after, name, (self[name].data or "").strip())
        after.cn_number = re.sub(r"\s", "", self.cn_number.data or "").upper()
        after.level = self.level.data if self.level.data in PAPER_LEVELS else ""
        after.page_labels = [p for p in re.split(r"[、，,\s]+", self.page_labels.data or "") if p]
        after.contact_lines = lines
        after.weekdays = sorted(int(x) for x in self.weekdays.data or ())
        after.copy_deadline = self.copy_deadline.data or ""
        after.days_before = self.days_before.data or 0
        after.closed_dates = closed
        after.print_id_numbers = "full" if self.print_id_numbers.data == "full" else "masked"
        after.print_creditor_last_day = bool(self.print_creditor_last_day.data)
        after.type_order = sorted(CATALOGUE, key=lambda c: positions[c])
        after.layout = self._layout()
        after.rate_card = self._rate_card()
        return after

    def _contact_lines(self) -> list[str] | None:
        lines = [ln.strip() for ln in (self.contact_lines.data or "").splitlines() if ln.strip()]
        if not lines or len(lines) > CONTACT_LINES_MAX or any(len(ln) > CONTACT_LINE_MAX for ln in lines):
            self.contact_lines.errors = [f"联系方式1到{CONTACT_LINES_MAX}行，每行不超过{CONTACT_LINE_MAX}字，"
                                         "例如：联系电话：87750217 87133731"]
            return None
        return lines

    def _closed_dates(self) -> list[str] | None:
        closed, bad = [], []
        for item in (self.closed_dates.data or "").split():
            d = parse_date(item.strip("，,"))
            (closed.append(d.isoformat()) if d else bad.append(item))
        if bad:
            self.closed_dates.errors = [f"无法识别的日期：{'、'.join(bad[:5])}。请每行写一个日期，例如：2027-02-10。"]
            return None
        return sorted(set(closed))

    def _type_positions(self) -> dict[str, int] | None:
        positions = {code: self[f"order__{code}"].data for code in CATALOGUE}
        if len(set(positions.values())) != len(positions):
            self[f"order__{next(iter(CATALOGUE))}"].errors = ["各类公告的顺序号不能重复。"]
            return None
        return positions

    def _layout(self) -> dict:
        """Only what differs from the engine's default is stored: a setting the admin never
        touched follows the engine when its default improves."""
        layout = {}
        for name, _label, _kind, default, _hint in settings_fields(self.layout_cls):
            value = self[f"layout__{name}"].data
            value = value.strip() if isinstance(value, str) else value
            if value != default:
                layout[name] = value
        return layout

    def _rate_card(self) -> dict:
        rule_cls = type(self.rate_cls().default)
        rules = {}
        for rule, _label in rate_rules(self.rate_cls):
            rules[rule] = {name: (parse_price(self[f"rate__{rule}__{name}"].data) if name.endswith("_cents")
                                  else self[f"rate__{rule}__{name}"].data)
                           for name, _l in rule_fields(rule_cls)}
        default = rules.pop("default")
        # A category the catalogue gives no starting price (priced per line: 拍卖公告 …) that is
        # left as the default rule follows the default rule: not stored as a price of its own.
        starting = {code for code, (_label, cents) in price_categories().items() if cents is not None}
        rules = {code: rule for code, rule in rules.items() if code in starting or rule != default}
        card = {"default": default, "categories": rules,
                "currency_symbol": self.rate__currency_symbol.data.strip()}
        return {} if card == self.rate_cls().to_dict() else card


# Settings shown and read as they are stored (from_publisher; to_publisher trims the text ones).
_PLAIN_SETTINGS = ("office_phone", "cn_number", "level", "address", "office_hours", "area_code", "copy_deadline",
                   "days_before", "print_id_numbers", "print_creditor_last_day")


def settings_form_class(layout_cls, rate_cls):
    """The settings form: the fixed publisher fields, one input per notice type for its position
    in the column, one per layout setting, and one per field of each rate-card rule."""
    # Built again when the catalogue's types or price categories are not those it was built for.
    catalogue = tuple((code, t.title) for code, t in CATALOGUE.items()) + tuple(rate_rules())
    return _settings_form_class(layout_cls, rate_cls, catalogue)


@functools.lru_cache(maxsize=4)
def _settings_form_class(layout_cls, rate_cls, _catalogue):
    attrs = {}
    for code, t in CATALOGUE.items():
        attrs[f"order__{code}"] = IntegerField(f"{t.title}", validators=[
            InputRequired("请填写顺序号。"), NumberRange(1, 99, "顺序号为1到99。")])
    for name, label, kind, _default, hint in settings_fields(layout_cls):
        key = f"layout__{name}"
        if kind is bool:
            attrs[key] = BooleanField(label, description=hint)
        elif kind is int:
            attrs[key] = IntegerField(label, description=hint, validators=[InputRequired(f"请填写{label}。")])
        elif kind is float:
            attrs[key] = FloatField(label, description=hint, validators=[InputRequired(f"请填写{label}。")])
        elif name in LAYOUT_CHOICES:
            attrs[key] = SelectField(label, description=hint, choices=choices(LAYOUT_CHOICES[name]))
        else:
            attrs[key] = StringField(label, description=hint, validators=[
                DataRequired(f"请填写{label}。"), Length(max=60), NoInvisibleCharacters()])
    rule_cls = type(rate_cls().default)
    for rule, rule_label in rate_rules(rate_cls):
        for name, label in rule_fields(rule_cls):
            key = f"rate__{rule}__{name}"
            full = f"{rule_label}：{label}"
            if name in RULE_CHOICES:
                attrs[key] = SelectField(full, choices=choices(RULE_CHOICES[name]))
            elif name.endswith("_cents"):
                attrs[key] = StringField(full, validators=[PriceInYuan()])
            else:
                attrs[key] = IntegerField(full, validators=[InputRequired(f"请填写{full}。"),
                                                            NumberRange(0, 10_000, "应为0到10000的整数。")])
    attrs["rate__currency_symbol"] = StringField("货币符号", default="¥", validators=[
        DataRequired("请填写货币符号，例如：¥。"), Length(max=3), NoInvisibleCharacters()])
    attrs["layout_cls"], attrs["rate_cls"] = layout_cls, rate_cls
    return type("SettingsForm", (SettingsFormBase,), attrs)
