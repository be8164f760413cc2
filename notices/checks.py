"""Everything checked about a notice before anyone at the newspaper sees it.

`check_notice` is the one entry point, used by the web form, the JSON API, the editor's desk
(re-checks after an edit) and the typesetting CLI. It returns the normalised fields and text and
a list of findings: errors block, warnings are shown and kept with the notice for the editor,
info says what was (or was not) checked.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field as dc_field
from datetime import date, datetime, timedelta
from typing import Any, Callable, Mapping, Sequence

from notices import catalogue as cat
from notices.catalogue import CATALOGUE, Field, NoticeType
from notices.dates import find_dates, format_date, parse_date, parse_dates
from notices.deadlines import (
    PublishingCalendar,
    Window,
    copy_deadline_for,
    format_date_cn,
    is_open,
    statutory_window,
)
from notices.identifiers import CHECKS
from notices.money import find_amounts, parse_amount
from notices.privacy import scan as scan_id_numbers
from notices.reading import range_ends, read_notice, report as report_reading, without_signature
from notices.rules import truthy
from notices.text import find_forbidden, forbidden_message, normalise_field, normalise_text
from notices.wording import compose_text

ERROR, WARNING, INFO = "error", "warning", "info"
TEXT_FIELD = "text"                 # findings about the notice body
DATE_FIELD = "publication_date"     # findings about the chosen issue date


@dataclass(frozen=True)
class Finding:
    level: str
    code: str
    message: str
    field: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"level": self.level, "code": self.code, "message": self.message, "field": self.field}


@dataclass
class CheckResult:
    notice_type: NoticeType | None
    fields: dict[str, str]
    text: str
    title: str
    composed: bool
    publication_date: date | None
    findings: list[Finding] = dc_field(default_factory=list)
    changes: list[str] = dc_field(default_factory=list)     # what normalisation changed
    windows: list[Window] = dc_field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.level == WARNING]

    @property
    def infos(self) -> list[Finding]:
        return [f for f in self.findings if f.level == INFO]

    @property
    def ok(self) -> bool:
        return not self.errors

    def errors_by_field(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for f in self.errors:
            out.setdefault(f.field or "_notice", []).append(f.message)
        return out

    def add(self, level: str, code: str, message: str, field: str | None = None) -> None:
        self.findings.append(Finding(level, code, message, field))

    # What the rules of notices/rules.py report with.
    def error(self, code: str, message: str, field: str | None = None) -> None:
        self.add(ERROR, code, message, field)

    def warning(self, code: str, message: str, field: str | None = None) -> None:
        self.add(WARNING, code, message, field)

    @property
    def failed_fields(self) -> set[str | None]:
        """The fields with an error already: a rule between fields leaves them alone."""
        return {f.field for f in self.errors}

    def as_json(self) -> dict[str, Any]:
        return {
            "type": self.notice_type.code if self.notice_type else None,
            "title": self.title, "text": self.text, "composed": self.composed,
            "fields": self.fields,
            "publication_date": self.publication_date.isoformat() if self.publication_date else None,
            "errors": [f.as_json() for f in self.errors],
            "warnings": [f.as_json() for f in self.warnings],
            "info": [f.as_json() for f in self.infos],
            "changes": list(self.changes),
            "windows": [{"label": w.label, "starts": w.starts.isoformat(), "ends": w.ends.isoformat(),
                         "days": w.days, "article": w.article} for w in self.windows],
        }


# ---------------------------------------------------------------------------------------------
def _numbers(value: str) -> list[str]:
    """The phone numbers in a field: runs of digits, a hyphen allowed inside (020-87750217)."""
    return [re.sub(r"\D", "", m) for m in re.findall(r"\d[\d\-－]*\d", value)]


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def _check_field(result: CheckResult, f: Field, raw: object) -> None:
    value = _take_field(result, f, raw)
    if value is None:
        return
    if f.kind in cat.IDENTIFIER_KINDS:
        _check_identifier(result, f, value)
    elif f.kind in _CHECK_BY_KIND:
        _CHECK_BY_KIND[f.kind](result, f, value)


def _take_field(result: CheckResult, f: Field, raw: object) -> str | None:
    """Store the field's normalised value in result.fields and check what every kind of field
    must be (not too long, no forbidden character, there if required). Returns the value when
    its kind has more to check, None when there is nothing more to check."""
    value = "" if raw is None else str(raw)
    if len(value) > 4 * f.max_length + 100:
        # Far beyond the limit: refused before the character-by-character checks.
        result.add(ERROR, "too-long", f"{f.label}最多{f.max_length}个字，现为{len(value)}个字。", f.name)
        result.fields[f.name] = ""
        return None
    if f.kind == cat.BOOL:
        result.fields[f.name] = "1" if truthy(value) or raw is True else ""
        return None
    forbidden = find_forbidden(value)
    if forbidden:
        result.add(ERROR, "forbidden-character", forbidden_message(forbidden, f.label), f.name)
        result.fields[f.name] = value
        return None
    norm = normalise_field(value)
    value = norm.text
    result.changes.extend(f"{f.label}：{c}" for c in norm.changes)
    result.fields[f.name] = value
    if len(value) > f.max_length:
        result.add(ERROR, "too-long", f"{f.label}最多{f.max_length}个字，现为{len(value)}个字。", f.name)
        return None
    if not value:
        if f.required:
            example = f"，{f.help}" if f.help.startswith("例如") else ""
            verb = "请选择" if f.kind == cat.CHOICE else "请填写"
            result.add(ERROR, "required", f"{verb}{f.label}{example}。", f.name)
        return None
    return value


def _check_choice(result: CheckResult, f: Field, value: str) -> None:
    if value not in [v for v, _ in f.choices]:
        labels = "、".join(label for _, label in f.choices)
        result.add(ERROR, "choice", f"{f.label}请从以下选项中选择：{labels}。", f.name)


def _check_date_field(result: CheckResult, f: Field, value: str) -> None:
    d = parse_date(value)
    if d is None:
        result.add(ERROR, "date", f"{f.label}不是有效日期，例如：2026-11-01 或 2026年11月1日。", f.name)
    else:
        result.fields[f.name] = d.isoformat()


def _check_dates_field(result: CheckResult, f: Field, value: str) -> None:
    ds = parse_dates(value)
    if ds is None:
        result.add(ERROR, "dates", f"{f.label}中有无法识别的日期，例如：2020年9月19日、2020年9月20日。", f.name)
    else:
        # As people write them (the form shows the value back): 2020年9月19日、2020年9月26日.
        result.fields[f.name] = "、".join(format_date_cn(d) for d in ds)


def _check_money_field(result: CheckResult, f: Field, value: str) -> None:
    if parse_amount(value) is None:
        result.add(ERROR, "money", f"{f.label}无法识别为金额，例如：1000万元 或 壹仟万元。", f.name)


def _check_identifier(result: CheckResult, f: Field, value: str) -> None:
    check = CHECKS[f.kind](value)
    result.fields[f.name] = check.value
    # "统一社会信用代码：校验码不符…"; a message that names its field already is left as it is.
    message = check.message if check.message.startswith(f.label) else f"{f.label}：{check.message}"
    if check.severity == "error":
        result.add(ERROR, f.kind, message, f.name)
    elif check.severity == "warning":
        result.add(WARNING, f.kind, message, f.name)


def _check_phone(result: CheckResult, f: Field, value: str) -> None:
    if not re.fullmatch(r"[\d\s()（）+\-－—转、,，/]{7,30}", value) or not 7 <= len(_digits(value)) <= 24:
        result.add(WARNING, "phone",
                   f"{f.label}“{value}”看起来不像电话号码，例如：020-87750217 或 13800138000。", f.name)
    elif any(re.fullmatch(r"1\d{7,9}|1\d{11,}", number) for number in _numbers(value)):
        # A mainland mobile number has 11 digits; 138001380 is one missing or mistyped.
        result.add(WARNING, "phone", f"{f.label}“{value}”中的手机号码不是11位，请核对。", f.name)


# What each kind of field is checked for beyond _take_field (identifiers: _check_identifier).
_CHECK_BY_KIND: dict[str, Callable[[CheckResult, Field, str], None]] = {
    cat.CHOICE: _check_choice, cat.DATE: _check_date_field, cat.DATES: _check_dates_field,
    cat.MONEY: _check_money_field, cat.PHONE: _check_phone,
}


def _check_type_rules(result: CheckResult, t: NoticeType) -> None:
    """The rules between fields that the type declares: at least one of a group of fields, then
    its named rules (notices/rules.py), in the order declared."""
    f = result.fields
    variant = t.variant_of(f)
    for names, message, variants in t.group_rules:
        if (not variants or variant in variants) and not any(f.get(n) for n in names):
            result.add(ERROR, "one-of", message, names[0])
    for rule in t.rules:
        rule(result, t)


def _strip_title(result: CheckResult, text: str, t: NoticeType) -> str:
    for title in (t.titles or (t.title,)):
        if text.startswith(title):
            result.changes.append(f"删除了正文开头的标题“{title}”（标题会自动加粗印在公告开头）")
            return text[len(title):].lstrip(" 　:：\n")
    return text


def _field_in_text(f: Field, value: str, text: str) -> bool:
    if f.kind == cat.MONEY:
        amount = parse_amount(value)
        return amount is None or any(a == amount for _, _, a in find_amounts(text))
    if f.kind == cat.DATE:
        d = parse_date(value)
        # …also the end of a range written short: 2026年12月4日至7日 (notices/reading.py).
        return d is None or any(x == d for _, _, x in find_dates(text) + range_ends(text))
    if f.kind == cat.DATES:
        wanted = parse_dates(value) or []
        found = [x for _, _, x in find_dates(text)]
        return all(d in found for d in wanted)
    if f.kind == cat.PHONE:
        return _digits(value) in _digits(text)
    if f.kind in cat.IDENTIFIER_KINDS:
        return value.upper() in text.upper()
    return any(form in text for form in (value, *dict(f.written).get(value, ())))


def _check_text(result: CheckResult, t: NoticeType) -> None:
    text, fields = result.text, result.fields
    variant = t.variant_of(fields)
    failed = {x.field for x in result.errors}
    for f in t.fields_for(variant):
        value = fields.get(f.name, "")
        if not f.in_text or not value or f.name in failed:
            continue
        if not _field_in_text(f, value, text):
            shown = value if f.kind not in (cat.DATE, cat.DATES) else value.replace("-", "年", 1)
            if f.kind == cat.DATE and (day := parse_date(value)):
                shown = format_date(day)
            result.add(ERROR, "field-not-in-text",
                       f"正文与所填“{f.label}”不一致：正文中找不到“{shown}”。请在正文中写明，或改正所填内容。",
                       TEXT_FIELD)
    for phrase in t.required:
        if phrase.applies(fields) and not phrase.pattern.search(text):
            result.add(ERROR, f"missing:{phrase.code}", phrase.message, TEXT_FIELD)
    # A signature printed after the closing (落款: name, date) is not part of it (notices/reading.py).
    tail = re.sub(r"[。！!.\s]+$", "", without_signature(text, t.closings))[-24:]
    if not any(c in tail for c in t.closings):
        result.add(ERROR, "closing", f"正文应以{'、'.join('“' + c + '”' for c in t.closings)}结尾。", TEXT_FIELD)
    for phrase in t.warns:
        if phrase.applies(fields) and phrase.pattern.search(text):
            result.add(WARNING, phrase.code, phrase.message, TEXT_FIELD)
    for phrase in t.recommended:
        if phrase.applies(fields) and not phrase.pattern.search(text):
            result.add(WARNING, f"missing:{phrase.code}", phrase.message, TEXT_FIELD)


# Fields where an ID number may be typed without being asked for: names, notes, addresses, the
# body; a phone field too (a number typed one field off). Identifier fields have their own checks.
ID_NUMBER_FIELD_KINDS = (cat.TEXT, cat.LONGTEXT, cat.PHONE)
_KEPT_AS = {"uscc": "统一社会信用代码", "regno": "注册号"}


def _check_id_numbers(result: CheckResult, t: NoticeType, variant: str | None, print_id_numbers: str) -> None:
    """A warning for every ID number typed outside an ID field (notices/privacy.py finds them), so
    the advertiser sees before confirming that it prints masked, or in full where the newspaper
    prints ID numbers in full; and one for a number that could be an ID number or a business
    code, printed as the code unless the text says which.

    A number is pointed out once: in the field it was typed in, not again in the body composed
    from that field, and not at all where it is the ID field's own value (it prints masked).
    """
    fields = t.fields_for(variant)
    id_field = next((f for f in fields if f.kind == cat.ID_CARD), None)
    seen = {result.fields.get(f.name, "") for f in fields if f.kind == cat.ID_CARD}
    places = [(f.label, f.name, result.fields.get(f.name, "")) for f in fields
              if f.kind in ID_NUMBER_FIELD_KINDS]
    if not any(x.code == "forbidden-character" and x.field == TEXT_FIELD for x in result.errors):
        places.append(("公告正文", TEXT_FIELD, result.text))
    for label, name, value in places:
        found = [x for x in scan_id_numbers(value) if x.number not in seen]
        seen.update(x.number for x in found)
        ids = list(dict.fromkeys(x.shown for x in found if x.masked))
        if ids:
            if print_id_numbers == "full":
                outcome = ("本报设定为全号刊登身份证号码，见报时将印出全部号码。如非身份证号码，请核对；"
                           "如不宜全号见报，请与本报联系。")
            else:
                outcome = "见报时将隐去中间部分。如非身份证号码，请核对。"
            if id_field is not None and name != TEXT_FIELD:
                outcome += f"身份证号码请填在“{id_field.label}”一栏。"
            result.add(WARNING, "id-number", f"{label}中含有身份证号码（{'、'.join(ids)}），{outcome}", name)
        for x in found:
            if not x.masked:
                code = _KEPT_AS[x.kept_as]
                result.add(WARNING, "id-number-ambiguous",
                           f"{label}中的 {x.number} 可能是身份证号码，也可能是{code}，见报时按{code}全号刊登。"
                           f"如是身份证号码，请在号码前写明“身份证号码”（例如：身份证号码：{x.number}）；"
                           f"如是{code}，请在号码前写明“{code}”。", name)


# Web or template markup pasted from elsewhere: an HTML tag (<b>, </b>, <img …>, with ASCII or
# full-width angle brackets around a Latin tag name), a template's {{ … }} or {% … %}, an HTML
# entity (&nbsp; &#160;). The column escapes it, so it prints as typed: a warning, not an error
# (a notice may mean "<" or "{"). Chinese brackets (《书名号》, 〈〉) are not markup.
_MARKUP = re.compile(
    r"[<＜]/?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>＜＞\n]*)?/?[>＞]"
    r"|[{｛][{｛][^\n]*?[}｝][}｝]|[{｛][%％][^\n]*?[%％][}｝]"
    r"|&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6})[;；]")
# Kinds of field an advertiser types words into (codes, dates and amounts have their own checks).
MARKUP_FIELD_KINDS = (cat.TEXT, cat.LONGTEXT)


def find_markup(value: str) -> list[str]:
    """The pieces of web or template markup in a value, each once, in order."""
    return list(dict.fromkeys(m.group(0) for m in _MARKUP.finditer(value)))


def _check_markup(result: CheckResult, t: NoticeType, variant: str | None) -> None:
    """A warning where a field or the body carries markup (`find_markup`), said once: in the
    field it was typed in, not again in the body composed from that field."""
    failed = {x.field for x in result.errors if x.code == "forbidden-character"}
    places = [(f.label, f.name, result.fields.get(f.name, "")) for f in t.fields_for(variant)
              if f.kind in MARKUP_FIELD_KINDS and f.name not in failed]
    if TEXT_FIELD not in failed:
        places.append(("公告正文", TEXT_FIELD, result.text))
    seen: set[str] = set()
    for label, name, value in places:
        found = [m for m in find_markup(value) if m not in seen]
        seen.update(found)
        if not found:
            continue
        shown = "”“".join(found[:3]) + ("”等" if len(found) > 3 else "”")
        result.add(WARNING, "markup-in-text",
                   f"{label}中有网页或模板格式代码“{shown}，见报时尖括号、花括号和“&…;”会照原样印出。"
                   "如是从网页、微信或其他软件复制来的文字，请删去这些格式代码，"
                   "例如“<b>王小明</b>”应改为“王小明”，“&nbsp;”应改为空格或删去。", name)


def _check_dates(result: CheckResult, t: NoticeType, calendar: PublishingCalendar, now: datetime,
                 require_open: bool) -> None:
    if result.publication_date is not None and require_open:
        _check_issue_open(result, result.publication_date, calendar, now)
    # The windows the fields call for (an entity kind's own statute: notices/entities.py).
    deadline = t.deadline_for(result.fields)
    if deadline:
        _check_statutory_deadline(result, t, deadline)
    period = t.creditor_period_for(result.fields)
    if period and result.publication_date is not None:
        window = statutory_window(result.publication_date, period.days, period.label, period.article)
        result.windows.append(window)
        result.add(INFO, "creditor-window", f"{period.said}，至{format_date_cn(window.ends)}。", DATE_FIELD)
    _note_provisional_window(result)
    if result.publication_date is not None:
        _check_date_flags(result, t, result.publication_date, now)


def _check_issue_open(result: CheckResult, pub: date, calendar: PublishingCalendar, now: datetime) -> None:
    """The issue of that date still takes notices: the paper comes out that day, the issue is
    not printed yet and its copy deadline has not passed."""
    if is_open(calendar, pub, now):
        return
    deadline = copy_deadline_for(calendar, pub)
    if pub.weekday() not in calendar.weekdays or pub in calendar.closed_dates:
        message = f"{format_date_cn(pub)}本报不出版，请另选刊登日期。"
    elif pub in calendar.printed_dates:
        message = f"{format_date_cn(pub)}这一期已经付印，不能再加登，请另选刊登日期。"
    else:
        message = (f"{format_date_cn(pub)}的截稿时间（{format_date_cn(deadline.date())} "
                   f"{deadline:%H:%M}）已过，请另选刊登日期。")
    result.add(ERROR, "issue-closed", message, DATE_FIELD)


def _check_statutory_deadline(result: CheckResult, t: NoticeType, deadline: cat.Deadline) -> None:
    """The notice is published within the days the law gives from the date in a field (e.g.
    thirty days from the decision), and not before that date."""
    pub = result.publication_date
    start = parse_date(result.fields.get(deadline.from_field, ""))
    label = t.field(deadline.from_field).label
    if start is None:
        result.add(INFO, "window-not-checked",
                   f"未填写{label}，未核对{deadline.label}（{deadline.article}）。", deadline.from_field)
        return
    if deadline.before:
        _check_notice_before(result, deadline, start, label)
        return
    window = statutory_window(start, deadline.days, deadline.label, deadline.article)
    result.windows.append(window)
    if pub is None:
        return
    if pub < start:
        result.add(ERROR, "date-order", f"刊登日期不能早于{label}（{format_date_cn(start)}）。",
                   deadline.from_field)
    elif pub > window.ends:
        result.add(WARNING, "late",
                   f"计划刊登日期{format_date_cn(pub)}已超过{deadline.label}：{label}{format_date_cn(start)}起"
                   f"{deadline.days}日，截至{format_date_cn(window.ends)}（{deadline.article}）。"
                   "逾期公告可能不被登记机关认可，请尽快刊登或咨询登记机关。", DATE_FIELD)
    else:
        result.add(INFO, "window-ok", f"{deadline.label}截至{format_date_cn(window.ends)}，"
                                      f"计划刊登日期在期限内。", DATE_FIELD)


def _check_notice_before(result: CheckResult, deadline: cat.Deadline, event: date, label: str) -> None:
    """A notice due at least `days` days before the event in a field (拍卖法 Art. 45: 拍卖日七日
    前): the last issue it may appear in is event − days. A later issue is an error: the notice
    would announce what the law does not allow any more (a sale fewer than seven days away).
    Its window ends before it starts: it ends on that last issue (the desk's urgency reads `ends`)
    and starts at the event it counts back from (the form and the desk print it so)."""
    last = event - timedelta(days=deadline.days)
    result.windows.append(Window(label=deadline.label, starts=event, ends=last, nominal_end=last,
                                 days=deadline.days, article=deadline.article))
    pub = result.publication_date
    if pub is None:
        return
    if pub > last:
        result.add(ERROR, "too-late-before",
                   f"刊登日期{format_date_cn(pub)}距{label}{format_date_cn(event)}不足{deadline.days}日。"
                   f"{deadline.article}规定应在{label}{deadline.days}日前刊登，即最迟{format_date_cn(last)}。"
                   f"请改选{format_date_cn(last)}以前的刊登日期，或推迟{label}。", DATE_FIELD)
    else:
        result.add(INFO, "window-ok", f"{deadline.label}：最迟{format_date_cn(last)}刊登，计划刊登日期在期限内。",
                   DATE_FIELD)


def _note_provisional_window(result: CheckResult) -> None:
    """Say so, once, when a deadline falls in a year whose holidays are not published yet."""
    for window in result.windows:
        if window.provisional:
            result.add(INFO, "window-provisional",
                       f"{window.ends.year}年的法定节假日调休安排尚未公布，“{window.label}”截止日按周末顺延估算"
                       f"（{format_date_cn(window.ends)}），请以公布的安排为准。", DATE_FIELD)
            break


def _check_date_flags(result: CheckResult, t: NoticeType, pub: date, now: datetime) -> None:
    """The date rules declared as flags on the fields (notices/catalogue.py, Field)."""
    fields = result.fields
    failed = result.failed_fields
    for f in t.fields:
        if f.before_publication and fields.get(f.name) and f.name not in failed:
            if any(d >= pub for d in parse_dates(fields[f.name]) or []):
                result.add(ERROR, "date-order", f"{f.label}应早于本次刊登日期（{format_date_cn(pub)}）。", f.name)
    failed = result.failed_fields
    for f in t.fields:
        d = parse_date(fields.get(f.name, "")) if f.not_future else None
        if d and d > now.date() and f.name not in failed:
            result.add(WARNING, "future-date", f"{f.label}{format_date_cn(d)}晚于今天，请核对。", f.name)


def check_notice(type_code: str, fields: Mapping[str, object] | None, text: str | None = None,
                 publication_date: str | date | None = None, *, calendar: PublishingCalendar | None = None,
                 now: datetime | None = None, require_open: bool = True,
                 missing_glyphs: Callable[[str], Sequence[str]] | None = None,
                 print_id_numbers: str = "masked") -> CheckResult:
    """Check a notice as submitted. `text` None or blank means: compose it from the fields.

    `require_open` is off where an editor re-checks a notice already scheduled into an issue.
    `missing_glyphs(text) -> str` (from the typesetting engine) reports characters no font prints.
    `print_id_numbers` is the newspaper's setting (store/settings.py), for what the findings about
    ID numbers typed outside the ID field say will print.
    """
    calendar = calendar or PublishingCalendar()
    now = now or datetime.now().astimezone()
    fields = fields or {}
    t = CATALOGUE.get(type_code or "")
    result = CheckResult(t, {}, "", t.title if t else "", composed=False, publication_date=None)
    if t is None:
        result.add(ERROR, "unknown-type", f"没有“{type_code}”这种公告类型，可选：{'、'.join(CATALOGUE)}。", "type")
        return result

    _check_publication_date(result, publication_date)
    # A finished text: what it says fills the fields the client left out (notices/reading.py).
    given = fields
    reading = read_notice(t, str(text)) if text and len(str(text)) <= 2 * cat.BODY_MAX else None
    fields = reading.fill(given) if reading else given
    variant = _check_fields(result, t, fields)

    raw_text = "" if text is None else str(text)
    if len(raw_text) > 2 * cat.BODY_MAX:
        # Refused before the normalisation passes, which cost time in proportion to the length.
        result.add(ERROR, "too-long", f"公告正文最多{cat.BODY_MAX}个字，现为{len(raw_text)}个字。", TEXT_FIELD)
        _check_dates(result, t, calendar, now, require_open)
        return result
    _take_text(result, t, raw_text)
    _check_body(result, t, missing_glyphs)
    _check_id_numbers(result, t, variant, print_id_numbers)
    _check_markup(result, t, variant)
    _check_dates(result, t, calendar, now, require_open)
    report_reading(result, t, reading, given)
    for note in (n for n in t.notes_for(variant) if n.applies(result.fields)):
        result.add(INFO, "note", note.text)
    return result


def _check_publication_date(result: CheckResult, publication_date: str | date | None) -> None:
    if isinstance(publication_date, str) and find_forbidden(publication_date):
        result.add(ERROR, "forbidden-character",
                   forbidden_message(find_forbidden(publication_date), "刊登日期"), DATE_FIELD)
        publication_date = None
    if isinstance(publication_date, date):
        result.publication_date = publication_date
    elif publication_date:
        result.publication_date = parse_date(str(publication_date))
        if result.publication_date is None:
            result.add(ERROR, "date", "刊登日期不是有效日期，例如：2026-12-01。", DATE_FIELD)


def _check_fields(result: CheckResult, t: NoticeType, fields: Mapping[str, object]) -> str | None:
    """Each field on its own (the variant first: it decides which fields the notice has), the
    title that prints, then the rules between fields. Returns the variant."""
    variant_field = t.variant_field
    if variant_field:
        _check_field(result, variant_field, fields.get(variant_field.name))
    variant = t.variant_of(result.fields)
    for f in t.fields_for(variant):
        if f is not variant_field:
            _check_field(result, f, fields.get(f.name, f.default if f.name not in fields else None))
    result.title = t.printed_title(result.fields)
    _check_type_rules(result, t)
    return variant


def _take_text(result: CheckResult, t: NoticeType, raw_text: str) -> None:
    """The body as it will print: composed from the fields when none was typed (and the fields
    are right), else the typed text normalised, without a title typed at its start."""
    if not raw_text.strip():
        result.composed = True
        result.text = "" if result.errors else compose_text(t, result.fields)
        return
    forbidden = find_forbidden(raw_text, multiline=True)
    if forbidden:
        result.add(ERROR, "forbidden-character", forbidden_message(forbidden, "公告正文"), TEXT_FIELD)
        result.text = raw_text
        return
    norm = normalise_text(raw_text)
    result.changes.extend(f"公告正文：{c}" for c in norm.changes)
    result.text = _strip_title(result, norm.text, t)


def _check_body(result: CheckResult, t: NoticeType,
                missing_glyphs: Callable[[str], Sequence[str]] | None) -> None:
    if len(result.text) > cat.BODY_MAX:
        result.add(ERROR, "too-long", f"公告正文最多{cat.BODY_MAX}个字，现为{len(result.text)}个字。", TEXT_FIELD)
    if not result.text or any(x.code == "forbidden-character" and x.field == TEXT_FIELD for x in result.errors):
        return
    _check_text(result, t)
    if missing_glyphs:
        missing = missing_glyphs(result.title + result.text)
        if missing:
            result.add(ERROR, "missing-glyph",
                       f"正文中的“{'”“'.join(missing)}”字本报字库没有，印出来会是空框。请改用常用字，"
                       "或与本报联系造字。", TEXT_FIELD)
