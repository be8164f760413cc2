"""The notice catalogue: every notice type declared once.

Everything else reads these declarations: the home page and the web form (views/submit.py,
forms/notice.py), the API schema (views/api.py), the checks (notices/checks.py), the desk's
labels, the default order of the types in the column, and the rate card's categories with their
starting prices (press/printing.py, forms/desk.py).

Adding a notice type: a NoticeType here, registered in CATALOGUE, naming its fields, its wording
(a function of the fields, in notices/wording.py), its rules between fields (named functions in
notices/rules.py) and its statutory sentences; and its sample in tests/data/samples.json, which
the tests of every type use. Nothing else names a type. docs/architecture.md says where the other
kinds of change go.

Sources: docs/law.md (statutes as revised 2023-12-29, in force 2024-07-01).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Callable, Mapping

from notices import entities, wording
from notices.rules import (
    addresses_differ,
    amounts_are_plausible,
    apology_parties_differ,
    assignment_parties_differ,
    board_merger,
    capital_is_reduced,
    case_number_is_written_as_courts_write_it,
    code_fits_the_name,
    consultation_runs_ten_working_days,
    continues_in_business,
    correction_changes_something,
    dissolution_can_be_revoked,
    division_capitals_have_names,
    division_results_differ,
    foundling_is_announced_by_an_office,
    invoice_numbers_agree,
    liquidation_fits_the_entity,
    lost_item_is_not_a_bill,
    lost_item_may_be_outdated,
    merger_by_board_fits,
    merger_codes_have_names,
    merger_parties_differ,
    names_differ,
    new_division_dissolves_the_company,
    new_merger_names_the_new_company,
    organisation_declares_as_organisation,
    printed_twice_in_consultation,
    revoked_reduction_names_its_resolution,
    revokes_dissolution,
    revokes_reduction,
    sale_fits_its_viewing,
    seal_codes_match_seals,
    seeker_is_not_the_sought,
    truthy,
)

if TYPE_CHECKING:   # only for the annotations: checks.py imports this module
    from notices.checks import CheckResult

# Field kinds. Identifier kinds carry the name of their check in notices.identifiers.CHECKS.
TEXT, LONGTEXT, DATE, DATES, MONEY, CHOICE, BOOL, PHONE = (
    "text", "longtext", "date", "dates", "money", "choice", "bool", "phone")
USCC, REGNO, ID_CARD, SEAL_CODE, LICENCE_SERIAL = (
    "uscc", "regno", "id-card", "seal-code", "licence-serial")
IDENTIFIER_KINDS = (USCC, REGNO, ID_CARD, SEAL_CODE, LICENCE_SERIAL)

# The field that holds a type's variant (遗失声明: licence, seal, document), made from the type's
# `variants`: the name the stored fields, the form's address (?variant=seal) and the API use.
VARIANT = "variant"

# Form limits come from named domain constants (SecureDrop habit), not bare numbers.
NAME_MAX = 60          # longest registered company names are ~40 characters
SHORT_MAX = 40
LONG_MAX = 200
BODY_MAX = 1500        # a classified notice is a paragraph; the longest merger notices ~800 字


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = TEXT
    required: bool = True
    help: str = ""                       # an example, shown under the input
    choices: tuple[tuple[str, str], ...] = ()   # (value, label); value is what is stored
    suggestions: tuple[str, ...] = ()    # free text with common values offered (datalist)
    max_length: int = SHORT_MAX
    variants: tuple[str, ...] = ()       # lost-document: only for these variants
    in_text: bool = False                # the value must appear in the notice text
    default: str = ""
    # Other ways a text may write a choice ("正、副本" as "正副本"), for the in_text check.
    written: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Date rules (DATE and DATES fields), checked by notices/checks.py:
    before_publication: bool = False     # an earlier publication: must be before this issue (error)
    not_future: bool = False             # a decision already taken: later than today is asked about

    def applies_to(self, variant: str | None) -> bool:
        return not self.variants or variant in self.variants

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "label": self.label, "kind": self.kind,
                "required": self.required, "max_length": self.max_length}
        if self.help:
            data["help"] = self.help
        if self.choices:
            data["choices"] = [{"value": v, "label": label} for v, label in self.choices]
        if self.suggestions:
            data["suggestions"] = list(self.suggestions)
        if self.variants:
            data["variants"] = list(self.variants)
        if self.default:
            data["default"] = self.default
        return data


@dataclass(frozen=True)
class Phrase:
    """A sentence the text must carry (required) or should not carry (warning).

    Any equivalent wording that carries the same facts passes, so patterns match the facts
    (who, how many days, from when, what right), not one exact sentence.
    """
    code: str
    label: str
    pattern: re.Pattern[str]
    message: str
    applies: Callable[[Mapping[str, str]], bool] = lambda fields: True


@dataclass(frozen=True)
class Deadline:
    """A statutory window: publish within `days` of the date in `from_field`; with `before`, at
    least `days` days before it (拍卖法 Art. 45: 拍卖日七日前), a later issue being an error."""
    from_field: str
    days: int
    label: str
    article: str
    applies: Callable[[Mapping[str, str]], bool] = lambda fields: True
    before: bool = False


@dataclass(frozen=True)
class CreditorPeriod:
    """The creditors' period counted from publication, shown to the advertiser with its last day."""
    days: int
    label: str                           # 债权人期限（自公告之日起四十五日）
    article: str
    said: str                            # the info's words: 债权人期限自刊登之日起四十五日
    applies: Callable[[Mapping[str, str]], bool] = lambda fields: True


@dataclass(frozen=True)
class Note:
    """Advice shown with the form and kept with the notice (info, never blocks)."""
    text: str
    variants: tuple[str, ...] = ()     # lost-document: only for these variants
    # Kept with the notice only where its fields say it applies (an entity kind's, say).
    applies: Callable[[Mapping[str, str]], bool] = lambda fields: True

    def applies_to(self, variant: str | None) -> bool:
        return not self.variants or variant in self.variants


@dataclass(frozen=True)
class Variant:
    """One kind of a type that has its own form, entry on the home page and price (遗失营业执照)."""
    code: str                            # the stored value of the variant field: licence
    label: str                           # the choice as the API lists it: 营业执照
    entry_title: str                     # the home page's entry and the form's heading: 遗失营业执照
    blurb: str                           # the line under the entry on the home page
    price_category: str                  # the rate card's category: licence
    flat_price_cents: int | None = None  # the rate card's starting price per notice (按件); None: per line


@dataclass(frozen=True)
class Entry:
    """A notice as the home page offers it: a type, or one variant of it."""
    code: str
    variant: str | None
    title: str
    blurb: str


def _always(fields: Mapping[str, str]) -> bool:
    return True


@dataclass(frozen=True)
class NoticeType:
    code: str
    title: str
    label: str                           # the catalogue's one-line description
    fields: tuple[Field, ...]
    compose: Callable[[Mapping[str, str]], str]   # the standard wording: the body after the title
    required: tuple[Phrase, ...] = ()
    warns: tuple[Phrase, ...] = ()        # warn when the text says this
    recommended: tuple[Phrase, ...] = ()  # warn when the text does not say this
    closings: tuple[str, ...] = ("特此公告",)
    deadline: Deadline | None = None
    # Windows that take the place of `deadline` where they apply (an entity kind's own statute):
    # the first that applies to the fields is checked (deadline_for).
    deadlines: tuple[Deadline, ...] = ()
    creditor_days: int | None = None     # creditors' window from publication, shown to the advertiser
    creditor_article: str = ""           # …and the article that gives it: 《公司法》第二百二十四条第二款
    creditors_when: Callable[[Mapping[str, str]], bool] = _always   # …unless the fields say there is none
    creditor_periods: tuple[CreditorPeriod, ...] = ()   # likewise in place of creditor_days
    titles: tuple[str, ...] = ()         # alternative printed titles (清算公告 / 注销公告)
    # The rate card's category (None: the card's default rule, per line) and its starting price
    # per notice; a type with variants is priced by its variant's.
    price_category: str | None = None
    flat_price_cents: int | None = None
    notes: tuple[Note, ...] = ()
    group_rules: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = ()
    # (fields of which at least one is needed, message, variants it applies to)
    rules: tuple[Callable[[CheckResult, NoticeType], None], ...] = ()   # notices/rules.py
    variants: tuple[Variant, ...] = ()
    variant_label: str = ""              # the variant choice's label: 遗失物品类别
    entry_title: str = ""                # the home page's entry (default: the title)
    blurb: str = ""                      # the line under it (default: the label)
    # A date field that names the notice's other printing (环评公示: printed twice): in an order of
    # several dates, each date's notice gets its nearest other date there (store/workflow.py
    # order_fields), so that the order is checked as the one publication it is.
    order_date_field: str = ""

    def __post_init__(self) -> None:
        # The variant is a choice like any other field (stored with the fields, listed by the
        # API, checked), made here from the declared variants so that they are declared once.
        if self.variants and not any(f.name == VARIANT for f in self.fields):
            choice = Field(VARIANT, self.variant_label, CHOICE, choices=tuple((v.code, v.label) for v in self.variants))
            object.__setattr__(self, "fields", (choice,) + tuple(self.fields))
        # A mistake in a declaration is found when the app starts, not by an advertiser.
        names = [f.name for f in self.fields]
        codes = {v.code for v in self.variants}
        problems = [f"field {n!r} declared twice" for n in sorted({n for n in names if names.count(n) > 1})]
        problems += [f"field {f.name!r} names unknown variants {f.variants}" for f in self.fields
                     if not set(f.variants) <= codes]
        problems += [f"a note names unknown variants {n.variants}" for n in self.notes if not set(n.variants) <= codes]
        problems += [f"group rule names unknown fields {group}" for group, _message, _v in self.group_rules
                     if not set(group) <= set(names)]
        if self.order_date_field and self.order_date_field not in names:
            problems.append(f"order_date_field names unknown field {self.order_date_field!r}")
        for deadline in (self.deadline, *self.deadlines):
            if deadline and deadline.from_field not in names:
                problems.append(f"deadline counts from unknown field {deadline.from_field!r}")
        if not callable(self.compose) or not all(callable(rule) for rule in self.rules):
            problems.append("compose and every rule must be functions")
        if problems:
            raise ValueError(f"notice type {self.code!r}: " + "; ".join(problems))

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def fields_for(self, variant: str | None) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.applies_to(variant))

    def form_fields(self, variant: str | None) -> tuple[Field, ...]:
        """The inputs of the form of one variant: the variant itself is the page's (?variant=seal)."""
        return tuple(f for f in self.fields_for(variant) if f.name != VARIANT)

    @property
    def variant_field(self) -> Field | None:
        return next((f for f in self.fields if f.name == VARIANT), None) if self.variants else None

    def variant_of(self, fields: Mapping[str, str]) -> str | None:
        if not self.variants:
            return None
        return fields.get(VARIANT) or None

    def variant(self, code: str | None) -> Variant | None:
        return next((v for v in self.variants if v.code == code), None)

    def entries(self) -> tuple[Entry, ...]:
        """The home page's entries of this type: one, or one per variant."""
        if self.variants:
            return tuple(Entry(self.code, v.code, v.entry_title, v.blurb) for v in self.variants)
        return (Entry(self.code, None, self.entry_title or self.title, self.blurb or self.label),)

    def entry(self, variant: str | None) -> Entry:
        entries = self.entries()
        return next((e for e in entries if e.variant == variant), entries[0])

    def notes_for(self, variant: str | None) -> tuple[Note, ...]:
        return tuple(n for n in self.notes if n.applies_to(variant))

    def printed_title(self, fields: Mapping[str, str]) -> str:
        chosen = fields.get("heading")
        if chosen and chosen in self.titles:
            return chosen
        return self.title

    def deadline_for(self, fields: Mapping[str, str]) -> Deadline | None:
        """The statutory window to publish in that applies to these fields, if any."""
        return next((d for d in (*self.deadlines, self.deadline) if d and d.applies(fields)), None)

    def creditor_period_for(self, fields: Mapping[str, str]) -> CreditorPeriod | None:
        """The creditors' period from publication that applies to these fields, if any."""
        if self.creditor_periods:
            return next((p for p in self.creditor_periods if p.applies(fields)), None)
        if self.creditor_days and self.creditors_when(fields):
            return CreditorPeriod(self.creditor_days, "债权人期限（自公告之日起四十五日）", self.creditor_article,
                                  "债权人期限自刊登之日起四十五日")
        return None

    def price_category_for(self, fields: Mapping[str, str]) -> str | None:
        variant = self.variant(self.variant_of(fields))
        return variant.price_category if variant else self.price_category

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "title": self.title, "label": self.label,
                "fields": [f.as_json() for f in self.fields],
                "closings": list(self.closings),
                "required_phrases": [{"code": p.code, "label": p.label} for p in self.required]}
        if self.titles:
            data["titles"] = list(self.titles)
        if self.deadline:
            data["deadline"] = {"from_field": self.deadline.from_field, "days": self.deadline.days,
                                "label": self.deadline.label, "article": self.deadline.article}
        if self.creditor_days:
            data["creditor_days"] = self.creditor_days
        if any(f.name == entities.ENTITY for f in self.fields):
            # Each entity kind's statute, titles and windows (its own in place of the above).
            data["entities"] = [k.as_json() for k in entities.KINDS.values()]
        return data


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.S)


# ---------------------------------------------------------------------------------------------
# Statutory sentences. Day counts may be written 四十五日 / 45日 / 45天; the start may be the
# notice, its publication (见报、刊登、登报、公告、发布、披露) or "本公告", counted 之日起, or 后 as
# published notices also write it (见报后45日内, 刊登后四十五日内); the creditors may be named
# before the period or after it (自本公告见报之日起四十五日内，债权人有权…): creditors_within.
DAYS_45 = r"(?:四十五|45)\s*(?:日|天|个自然日)"
FROM_PUBLICATION = r"(?:公告|见报|刊登|刊发|刊载|登报|发布|公示|披露)"
SINCE_PUBLICATION = rf"{FROM_PUBLICATION}(?:.{{0,12}}?之日起|之?后的?|起)"


def creditors_within(days_rx: str, then: str = "") -> str:
    """债权人, the period since publication and `then`, with 债权人 before the period or after it."""
    return (rf"债权人.{{0,60}}?{SINCE_PUBLICATION}.{{0,6}}?{days_rx}{then}"
            rf"|{SINCE_PUBLICATION}.{{0,6}}?{days_rx}.{{0,12}}?债权人{then}")


def _creditor_demand(article: str, **kw: Any) -> Phrase:
    """The creditors' 45 days of a 减资 (CL 224 ¶2) or a 合并 (CL 220), citing the type's article."""
    return Phrase(
        "creditor-45-days", "债权人自公告之日起四十五日内有权要求清偿债务或者提供担保",
        _rx(creditors_within(DAYS_45)),
        f"缺少{article}规定的债权人权利语句：债权人自公告之日起四十五日内，有权要求公司清偿债务或者提供相应的担保。",
        **kw)
# CL 235: creditors declare claims to the 清算组 within 45 days of publication.
CREDITOR_CLAIMS_45 = Phrase(
    "creditor-claims-45-days", "债权人自公告之日起四十五日内向清算组申报债权",
    _rx(creditors_within(DAYS_45, r".{0,30}?申报.{0,4}债权")),
    "缺少《公司法》第二百三十五条规定的语句：债权人自公告之日起四十五日内向清算组申报债权。",
)
JOINT_LIABILITY = Phrase(
    "joint-liability", "分立前的债务由分立后的公司承担连带责任",
    _rx(r"分立.{0,40}?债务.{0,40}?连带责任"),
    "缺少《公司法》第二百二十三条规定的语句：公司分立前的债务由分立后的公司承担连带责任（另有书面约定的除外）。",
)
MERGER_SUCCESSION = Phrase(
    "merger-succession", "合并各方的债权债务由存续或新设的公司承继",
    _rx(r"债权.{0,3}债务.{0,40}?(?:承继|承担|继受)|(?:承继|承担|继受).{0,20}?债权.{0,3}债务"),
    "正文未写明合并各方的债权、债务由合并后存续的公司或者新设的公司承继（《公司法》第二百二十一条），建议补上。",
)
CORRECTION_SENTENCE = Phrase(
    "correction-sentence", "“错误文字”应为“正确文字”",
    _rx(r"应为"),
    "更正声明须写明原文错误之处及正确内容，例如：“广州甲公司”应为“广州甲有限公司”。",
)

# Warnings (show, don't block) — docs/law.md §2.
WAIVER_ON_LATE_CLAIMS = Phrase(
    "late-claims-waiver", "逾期不申报，视为放弃权利",
    _rx(r"逾期.{0,6}?(?:不|未).{0,4}?申报.{0,8}?(?:视为|即为|视作).{0,4}?放弃"),
    "“逾期不申报，视为放弃权利”与最高人民法院《公司法》司法解释（二）第十三条不符：债权人在清算结束前补充申报的，"
    "清算组仍应登记。建议删除这句话。",
)
# The creditor's right, as texts write it (CL 224 ¶2 减资, CL 220 合并): the period alone is not the statutory
# sentence; the text must say what creditors may do in it. Common phrasings: 有权要求本公司清偿债务
# 或者提供相应的担保 / 可要求公司清偿债务或提供担保 / 提出清偿债务或提供相应担保的请求 / 凭有效债权
# 文件要求公司清偿债务. "申报债权" (declare claims) passes here, with its own warning (claims-in-reduction): many
# papers print it and the creditor still comes forward, but it is not the statute's right.
_DEMAND = (r"(?:要求|请求|主张|有权|可以|可)[^。；]{0,30}?(?:清偿|偿还|偿付|担保)"
           r"|(?:清偿|偿还|偿付|担保)[^。；]{0,10}?(?:请求|要求)")
_DECLARE = r"申报[^。；]{0,4}?债权|债权[^。；]{0,2}申报"
# "申报债权" where the text does not state the right itself: a listed company's notice that states
# the right and then how to 申报 is sound and is not warned.
_DECLARE_INSTEAD = rf"\A(?![\s\S]*(?:{_DEMAND}))[\s\S]*?(?:{_DECLARE})"
CLAIMS_IN_REDUCTION = Phrase(
    "claims-in-reduction", "减资公告中的“申报债权”",
    _rx(_DECLARE_INSTEAD),
    "正文只请债权人“申报债权”，没有写明债权人的权利。“申报债权”是清算用语；减资时《公司法》"
    "第二百二十四条第二款给债权人的权利是“要求公司清偿债务或者提供相应的担保”。建议改为：有权要求"
    "本公司清偿债务或者提供相应的担保。",
    applies=lambda f: f.get("covers_losses") not in ("1", "true", "y", "on"),
)
def _outdated(article: str, claims: bool = True) -> tuple[Phrase, Phrase]:
    """The wording of the Company Law in force until 2006 (three announcements, ninety days),
    each warning citing the article in force for the type (`claims`: whether it gives creditors
    a period at all; a 分立's does not)."""
    now = (f"现行《公司法》{article}为自公告之日起四十五日，请改正" if claims
           else f"现行《公司法》{article}没有规定自公告之日起的债权人期限，请删去或改正")
    return (
        Phrase("outdated-three-times", "公告三次", _rx(r"(?:公告|刊登|登报)\s*(?:三|3)\s*次"),
               f"“公告三次”是2006年以前施行的旧公司法的要求，现行《公司法》{article}只要求公告一次，请确认是否需要。"),
        Phrase("outdated-90-days", "九十日/90日", _rx(r"(?:九十|90)\s*(?:日|天)"),
               f"“九十日”是2006年以前施行的旧公司法的期限，{now}。"),
    )


# A company's 清算公告 (CL 235); the other types take theirs through _warns_with.
OUTDATED_THREE_TIMES, OUTDATED_90_DAYS = _outdated("第二百三十五条")
COMMON_WARNS = (WAIVER_ON_LATE_CLAIMS, OUTDATED_THREE_TIMES, OUTDATED_90_DAYS)

# A sense check (docs/law.md §8): creditors told to declare claims (清算) or to demand payment or
# security (减资) need to know where: a phone number or an address in the text. The composed text
# has them when the contact fields are filled in.
CREDITOR_CONTACT = Phrase(
    "creditor-contact", "债权人联系的地址或电话",
    _rx(r"电话|手机|地址|住所|通讯处|邮寄|联系方式"),
    "正文没有写明债权人向何处申报债权或联系（电话或地址），债权人无从联系。请填写联系电话或联系地址，"
    "例如：联系电话：020-87750217，地址：广州市天河区某路1号。",
)


# ---------------------------------------------------------------------------------------------
# The law as written (docs/law.md §6).
#
# The creditor's right (CL 224 ¶2 减资, CL 220 合并): the period alone is not the statutory
# sentence; the text must say what creditors may do in it (_DEMAND, _DECLARE above).


def _creditor_right(article: str) -> Phrase:
    return Phrase(
        "creditor-right", "债权人有权要求公司清偿债务或者提供相应的担保",
        _rx(rf"{_DEMAND}|{_DECLARE}"),
        f"正文写了期限，没有写债权人在期限内的权利：《公司法》{article}规定，债权人有权要求公司"
        "清偿债务或者提供相应的担保。请写明，例如：债权人自本公告见报之日起四十五日内，"
        "有权要求本公司清偿债务或者提供相应的担保。",
        applies=lambda fields: not truthy(fields.get("covers_losses")))


CREDITOR_RIGHT_IN_REDUCTION = _creditor_right("第二百二十四条第二款")
CREDITOR_RIGHT_IN_MERGER = _creditor_right("第二百二十条")
CLAIMS_IN_MERGER = Phrase(
    "claims-in-reduction", "合并公告中的“申报债权”",
    _rx(_DECLARE_INSTEAD),
    "正文只请债权人“申报债权”，没有写明债权人的权利。“申报债权”是清算用语；合并时《公司法》"
    "第二百二十条给债权人的权利是“要求公司清偿债务或者提供相应的担保”。建议改为：有权要求"
    "本公司清偿债务或者提供相应的担保。",
)

# "逾期……视为放弃" with the reason that holds for each type (one code, as API clients know it).
# In a 减资 or 合并 the window is for demanding early payment or security; the claim itself
# survives it. A waiver that names that right ("视为放弃要求提前清偿或者提供担保的权利") is sound.
_WAIVER = r"逾期[^。]{0,16}?(?:视为|视作|即为|作为|按)[^。，；]{0,6}?放弃(?![^。；]{0,16}?(?:提前|清偿|担保))"
WAIVER_IN_REDUCTION = Phrase(
    "late-claims-waiver", "逾期……视为放弃权利",
    _rx(_WAIVER),
    "减资不消灭债权：“逾期……视为放弃权利”会被读成放弃债权。债权人逾期未提出要求的，只是不能再依"
    "《公司法》第二百二十四条第二款要求本公司提前清偿债务或者提供担保，债权仍按原约定清偿。"
    "建议删除这句话，或改为：逾期未提出的，不影响其债权，本公司将按原约定清偿。",
)
WAIVER_IN_MERGER = Phrase(
    "late-claims-waiver", "逾期……视为放弃权利",
    _rx(_WAIVER),
    "合并不消灭债权：“逾期……视为放弃权利”会被读成放弃债权。债权人逾期未提出要求的，只是不能再依"
    "《公司法》第二百二十条要求提前清偿债务或者提供担保，其债权由合并后存续的公司或者新设的公司"
    "承继（第二百二十一条）。建议删除这句话。",
)
WAIVER_IN_DIVISION = Phrase(
    "late-claims-waiver", "逾期……视为放弃权利",
    _rx(_WAIVER),
    "分立不消灭债权，法律也没有给分立公告设申报期：分立前的债务由分立后的公司承担连带责任"
    "（《公司法》第二百二十三条），债权人未在公告后提出的，债权仍然存在。建议删除这句话。",
)


def _warns_with(waiver: Phrase, article: str, claims: bool = True) -> tuple[Phrase, ...]:
    """COMMON_WARNS with a type's own waiver warning and article in place of the liquidation's."""
    return (waiver, *_outdated(article, claims))


def _decided_since_new_law(fields: Mapping[str, str]) -> bool:
    """A resolution taken before 2024-07-01 was a 股东大会's in a 股份有限公司: its name may stay."""
    return (fields.get("resolved_on") or "9999") >= "2024-07-01"


# Who decides, in the law's words: a 股东会 (and a 董事会) resolves, 决议 (CL 66, 73); a sole
# shareholder decides, 决定 (CL 60), as do all shareholders agreeing in writing without a meeting
# (CL 59 ¶3). Since 2024-07-01 a 股份有限公司's meeting is the 股东会 too (CL 111).
DECISION_VERB = Phrase(
    "decision-verb", "股东会决定",
    _rx(r"(?:股东会|股东大会|董事会)(?:会议)?决定"),
    "股东会、董事会作出的是“决议”（《公司法》第六十六条、第七十三条）；“决定”是一人公司的股东"
    "作出的（第六十条），或全体股东书面一致同意、不开会时作出的（第五十九条第三款）。"
    "请改为“股东会决议”，一人公司写“股东决定”。",
)
OLD_MEETING_NAME = Phrase(
    "old-meeting-name", "股东大会",
    _rx(r"股东大会"),
    "自2024年7月1日起施行的《公司法》（2023年修订）第一百一十一条把股份有限公司的“股东大会”"
    "改称“股东会”。决议在这之后作出的，请写“股东会决议”；决议作于2024年7月1日以前的，"
    "可以保留原称。",
    applies=_decided_since_new_law,
)
# The company speaks in its own notice: 本公司, not 该公司 (the voice of a newspaper or registrar).
THIRD_PERSON = Phrase(
    "third-person", "该公司",
    _rx(r"该公司"),
    "公告是公司以自己的名义发布的，应写“本公司”，例如：本公司继续经营。",
)
# Reduction and division are the 股东会's (CL 59 ¶1, 66 ¶3); a board resolves them only where the
# articles or the 股东会 delegate (a listed company's buy-back, CL 162): asked, not refused.
BOARD_DECIDES = Phrase(
    "board-decides", "董事会决议（无股东会决议）",
    _rx(r"\A(?![\s\S]*股东(?:会|大会|决定))[\s\S]*?董事会(?:会议)?决议"),
    "正文只写了董事会决议。减少注册资本、分立须经股东会决议（《公司法》第五十九条、第六十六条），"
    "一人公司为股东决定。请写明股东会决议；如确有章程或股东会的授权，请在正文中写明。",
)
BOARD_MERGER_UNDECLARED = Phrase(
    "board-merger-undeclared", "董事会决议（未选第二百一十九条的情形）",
    _rx(r"董事会(?:会议)?决议"),
    "正文写了董事会决议。合并须经股东会决议（《公司法》第六十六条），只有第二百一十九条的情形"
    "（吸收持股百分之九十以上的公司，或者合并支付的价款不超过本公司净资产百分之十）可以由董事会"
    "决议。属于这种情形的，请在“可不经股东会决议的合并”中选择；否则请改为股东会决议。",
    applies=lambda f: not board_merger(f),
)
BOARD_MERGER_STATED = Phrase(
    "board-merger-stated", "董事会决议（第二百一十九条）",
    _rx(r"董事会(?:会议)?决议"),
    "已选择按《公司法》第二百一十九条由董事会决议合并，正文却没有写董事会决议。请写明，例如："
    "……经董事会决议，由……吸收合并……。",
    applies=lambda f: bool(board_merger(f)),
)
# 撤销公告: "继续经营" only where CL 230 allows it and the fields say so.
CONTINUATION_UNCONFIRMED = Phrase(
    "continuation-unconfirmed", "继续经营（未确认《公司法》第二百三十条的条件）",
    _rx(r"继续(?:经营|存续)|恢复经营|不再解散"),
    "正文写了公司继续经营。公司解散后继续经营须符合《公司法》第二百三十条：解散原因是营业期限届满、"
    "章程规定的解散事由出现或者股东会决议解散，尚未向股东分配财产，并经股东会决议或者修改公司章程"
    "（三分之二以上表决权通过）。符合的，请勾选“公司继续经营”并填写解散原因和决议；否则请删去这句话。",
    applies=lambda f: revokes_dissolution(f) and not continues_in_business(f),
)
RESCINDING_RESOLUTION = Phrase(
    "rescinding-resolution", "撤销减资的决议",
    _rx(r"决议|决定"),
    "撤销减资公告，正文须写明撤销减资的决议，例如：本公司于2026年11月20日经股东会决议，"
    "撤销……刊登的减资公告。",
    applies=revokes_reduction,
)


# ---------------------------------------------------------------------------------------------
# Entity kinds (notices/entities.py): the field that names one, and what each kind's statute makes
# of a 清算公告 / 注销公告: its sentence, its windows. A notice that names no kind is a company's,
# and only a company's notice gets the Company Law's findings.
def entity_field(**kw: Any) -> Field:
    kw.setdefault("help", "按营业执照或登记证书上的类型选择；不选即为公司")
    # Not required: a notice that names no kind (an empty value too) is a company's.
    return Field(entities.ENTITY, "主体类型", CHOICE, required=False, choices=entities.CHOICES,
                 default=entities.DEFAULT, **kw)


def _for_companies(phrase: Phrase) -> Phrase:
    return replace(phrase, applies=lambda f: entities.kind_of(f).company_law and phrase.applies(f))


def _claims_phrase(kind: entities.EntityKind) -> Phrase:
    """The kind's sentence: creditors declare their claims within its days of the announcement."""
    assert kind.claims is not None
    days = kind.claims.from_announcement
    start = "第一次公告" if kind.claims.first_announcement else "公告"
    days_rx = rf"(?:{entities.numeral_cn(days)}|{days})\s*(?:日|天|个自然日)"
    return Phrase(
        f"creditor-claims-{days}-days", kind.claims.words,
        _rx(creditors_within(days_rx, r".{0,30}?申报.{0,4}债权")),
        f"缺少{kind.claims.article}规定的语句：债权人自{start}之日起{entities.days_cn(days)}内向{kind.liquidator}申报债权。",
        applies=entities.is_kind(kind.code))


def _creditor_period(kind: entities.EntityKind) -> CreditorPeriod:
    assert kind.claims is not None
    days = entities.days_cn(kind.claims.from_announcement)
    if kind.claims.first_announcement:
        return CreditorPeriod(kind.claims.from_announcement, f"债权人期限（自第一次公告之日起{days}）",
                              kind.claims.article, f"本次如为第一次公告，债权人期限自刊登之日起{days}",
                              applies=entities.is_kind(kind.code))
    return CreditorPeriod(kind.claims.from_announcement, f"债权人期限（自公告之日起{days}）", kind.claims.article,
                          f"债权人期限自刊登之日起{days}", applies=entities.is_kind(kind.code))


def _publication_deadline(kind: entities.EntityKind) -> Deadline:
    assert kind.publish is not None
    return Deadline("group_formed_on", kind.publish.days, kind.publish.label, kind.publish.article,
                    applies=entities.is_kind(kind.code))


# A branch's notice says who answers for its debts: the company it belongs to (CL 13).
BRANCH_LIABILITY = Phrase(
    "branch-liability", "分公司的债权债务由所属公司承担",
    _rx(r"(?:债权|债务|民事责任).{0,40}?由.{0,60}?公司.{0,8}?(?:承担|承继|负责|清偿)"),
    "正文未写明分公司的债权债务由谁承担。分公司不具有法人资格，其民事责任由所属公司承担（《公司法》第十三条），"
    "建议写明，例如：本分公司的债权债务由广州某某有限公司承担。",
    applies=entities.is_kind("branch"),
)
_WITH_CLAIMS = tuple(k for k in entities.KINDS.values() if k.claims)
_WITH_WINDOW = tuple(k for k in entities.KINDS.values() if k.publish and k is not entities.COMPANY)


def creditors_have_claims(fields: Mapping[str, str]) -> bool:
    """CL 225: a reduction that makes good losses pays nothing out; creditors have no 45-day claim."""
    return not truthy(fields.get("covers_losses"))


# ---------------------------------------------------------------------------------------------
# Reusable field declarations.
def company(name: str = "company", label: str = "公司名称", **kw: Any) -> Field:
    kw.setdefault("help", "与营业执照一致，例如：广州某某科技有限公司")
    return Field(name, label, TEXT, max_length=NAME_MAX, in_text=True, **kw)


def uscc(name: str = "uscc", label: str = "统一社会信用代码", **kw: Any) -> Field:
    kw.setdefault("help", "18位，例如：91440101MA5ACCGH4T")
    return Field(name, label, USCC, max_length=18 + 4, in_text=True, **kw)


def money(name: str, label: str, **kw: Any) -> Field:
    kw.setdefault("help", "例如：1000万元 或 壹仟万元")
    return Field(name, label, MONEY, max_length=SHORT_MAX, in_text=True, **kw)


def date(name: str, label: str, **kw: Any) -> Field:
    return Field(name, label, DATE, max_length=12, **kw)


# Who may decide a reduction (公司法 2023, Arts. 59, 60, 112, 172): the 股东会 (the name of both
# kinds of company's meeting since 2024-07-01; 股东大会 is the old name some articles still use),
# the sole shareholder, or for a 国有独资公司 the body acting as its investor. Not the board.
DECISIONS = (("股东会决议", "股东会决议"), ("股东决定", "股东决定（一人公司）"),
             ("股东大会决议", "股东大会决议（章程仍用旧称的股份有限公司）"),
             ("履行出资人职责的机构决定", "履行出资人职责的机构决定（国有独资公司）"))

CONTACT_FIELDS = (
    Field("contact_person", "联系人", required=False, help="例如：王先生", in_text=True),
    Field("contact_phone", "联系电话", PHONE, required=False, help="例如：020-87750217 或 13800138000",
          max_length=30, in_text=True),
    Field("contact_address", "联系地址", required=False, max_length=LONG_MAX,
          help="例如：广州市天河区某路1号", in_text=True),
)

# ---------------------------------------------------------------------------------------------
LOST_DOCUMENT = NoticeType(
    code="lost-document", title="遗失声明",
    label="遗失营业执照、印章、证件或其他文件",
    # Lost-item notices are priced per item (docs/law.md §4): a licence or seal ¥300, a personal
    # document half that.
    variant_label="遗失物品类别",
    variants=(
        Variant("licence", "营业执照", "遗失营业执照", "营业执照正本、副本遗失，登报声明作废", "licence", 30000),
        Variant("seal", "印章", "遗失印章", "公章、财务章、合同章、发票章、法人名章遗失", "seal", 30000),
        Variant("document", "证件或其他文件（个人）", "遗失证件或文件", "个人证件、收据、认购书、房产证明等遗失",
                "document", 15000),
        # An organisation's permit, certificate or other paper: declared void under its credit
        # code, priced as a licence (docs/law.md §2, 遗失声明).
        Variant("org-document", "单位的许可证、资质证书或其他证照、文件", "遗失许可证、资质证书",
                "单位的许可证、资质证书、开户许可证、收据等遗失，登报声明作废", "org-document", 30000),
        Variant("invoice", "发票", "遗失发票", "增值税发票、普通发票遗失，登报声明作废", "invoice", 30000),
    ),
    fields=(
        Field("holder", "单位名称或姓名", TEXT, max_length=NAME_MAX, in_text=True,
              help="单位写营业执照上的名称，个人写身份证上的姓名"),
        Field("licence_copy", "遗失的执照", CHOICE, variants=("licence",), in_text=True,
              choices=(("正本", "正本"), ("副本", "副本"), ("正、副本", "正本和副本")),
              written=(("正、副本", ("正副本", "正本和副本", "正本及副本", "正本、副本")),)),
        uscc(required=False, variants=("licence", "seal", "org-document", "invoice"),
             help="18位，例如：91440101MA5ACCGH4T；旧执照、旧印章备案上没有的可不填"),
        Field("regno", "注册号", REGNO, required=False, variants=("licence",), max_length=19, in_text=True,
              help="旧营业执照的15位注册号，例如：440106601059045"),
        Field("licence_serial", "执照编号", LICENCE_SERIAL, required=False, variants=("licence",),
              max_length=24, in_text=True, help="执照右上角的编号，例如：S2612019050774G"),
        Field("seal_kind", "印章名称", TEXT, variants=("seal",), in_text=True, max_length=LONG_MAX,
              suggestions=("法定名称章（公章）", "财务专用章", "合同专用章", "发票专用章", "法人名章", "报关专用章"),
              help="例如：法定名称章（公章）；几枚一起遗失的用顿号隔开，例如：公章、财务专用章"),
        Field("seal_code", "印章编码", SEAL_CODE, required=False, variants=("seal",), max_length=17,
              in_text=True, help="13位数字，见印章备案回执，例如：4417810013412；几枚印章时填第一枚的"),
        Field("seal_code_2", "第二枚印章编码", SEAL_CODE, required=False, variants=("seal",), max_length=17,
              in_text=True, help="按印章名称的顺序，例如：4417810013413"),
        Field("seal_code_3", "第三枚印章编码", SEAL_CODE, required=False, variants=("seal",), max_length=17,
              in_text=True, help="按印章名称的顺序，例如：4417810013414"),
        Field("document_name", "遗失的证件或文件", TEXT, variants=("document",), max_length=LONG_MAX,
              in_text=True, help="例如：居民身份证、不动产权证书、某公司开具的认购书"),
        Field("document_note", "补充说明", TEXT, required=False, variants=("document",),
              max_length=LONG_MAX, in_text=True, help="例如：房号：某花园1栋101房"),
        Field("document_number", "证件或文件编号", TEXT, required=False, variants=("document",),
              max_length=SHORT_MAX, in_text=True, help="例如：0000334"),
        Field("id_card", "身份证号码", ID_CARD, required=False, variants=("document",), max_length=22,
              in_text=False, help="遗失身份证时填写；是否全号刊登由报社决定，默认隐去中间部分"),
        # An organisation's permit or paper (org-document).
        Field("org_document_name", "遗失的证照或文件", TEXT, variants=("org-document",), max_length=LONG_MAX,
              in_text=True, suggestions=("食品经营许可证正本", "开户许可证", "建筑业企业资质证书", "道路运输经营许可证",
                                         "医疗机构执业许可证", "收据"),
              help="写证照上的名称，例如：食品经营许可证正本"),
        Field("permit_number", "证照编号", TEXT, required=False, variants=("org-document",), max_length=SHORT_MAX,
              in_text=True, help="许可证编号、证书编号等，例如：JY14401060123456"),
        Field("issuer", "发证机关", TEXT, required=False, variants=("org-document",), max_length=NAME_MAX,
              in_text=True, help="例如：广州市天河区市场监督管理局"),
        # 发票: its kind, the copies lost, code, number and count identify it (docs/law.md §2).
        Field("invoice_kind", "发票种类", TEXT, variants=("invoice",), max_length=SHORT_MAX, in_text=True,
              suggestions=("增值税专用发票", "增值税普通发票", "机动车销售统一发票", "通用机打发票"),
              help="例如：增值税专用发票"),
        Field("invoice_part", "遗失的联次", TEXT, required=False, variants=("invoice",), max_length=SHORT_MAX,
              in_text=True, suggestions=("发票联", "抵扣联", "发票联和抵扣联", "记账联"), help="例如：发票联和抵扣联"),
        Field("invoice_issuer", "开票单位", TEXT, required=False, variants=("invoice",), max_length=NAME_MAX,
              in_text=True, help="遗失的是收到的发票时填写开票单位，例如：广州市某某物流有限公司"),
        Field("invoice_code", "发票代码", TEXT, required=False, variants=("invoice",), max_length=SHORT_MAX,
              in_text=True, help="10位或12位数字，例如：4400191130；数电发票没有发票代码，可不填"),
        Field("invoice_number", "发票号码", TEXT, variants=("invoice",), max_length=LONG_MAX, in_text=True,
              help="8位数字（数电发票20位），例如：01234567；几份用顿号隔开或写起止号码：01234567至01234569"),
        Field("invoice_count", "份数", TEXT, variants=("invoice",), max_length=6, in_text=True,
              help="例如：1"),
    ),
    closings=("声明作废", "特此声明", "现声明作废"),
    group_rules=((("uscc", "regno"), "统一社会信用代码和注册号至少填写一项，例如：91440101MA5ACCGH4T", ("licence",)),
                 (("uscc",), "单位遗失证照请填写本单位的统一社会信用代码，例如：91440101MA5ACCGH4T",
                  ("org-document",))),
    rules=(lost_item_is_not_a_bill, lost_item_may_be_outdated, organisation_declares_as_organisation,
           seal_codes_match_seals, invoice_numbers_agree, code_fits_the_name),
    notes=(Note("营业执照遗失，法定途径是在国家企业信用信息公示系统公示声明作废（《市场主体登记管理条例》第三十七条）；"
                "登报声明仍可作为补充。", ("licence",)),
           Note("印章遗失一般还需向当地公安机关报备，并按要求重新刻制。", ("seal",)),
           # 发票管理办法实施细则 Art. 31: a written report to the tax office the day the loss is found
           # (docs/law.md §8: the newspaper declaration it once also required has been dropped).
           Note("发票丢失，应于发现丢失的当日书面报告主管税务机关（《发票管理办法实施细则》）；现行规定不再要求登报，"
                "税务机关或对方单位要求登报声明的，本报照常刊登。", ("invoice",))),
    price_category="document",    # a lost-document notice given as text only (flask typeset)
    compose=wording.compose_lost_document,
)

REVOCATION = NoticeType(
    code="revocation", title="撤销公告",
    label="撤销此前公示或刊登的清算组备案、债权人公告、减资公告等",
    blurb="撤销此前公示的清算组备案、债权人公告等",
    fields=(
        # A partnership, an institution … may withdraw its own 清算/注销 announcement: only a
        # company's notice is held to CL 229–230 and the Company-Law wording (docs/law.md §7).
        entity_field(),
        company(label="名称", help="与营业执照或登记证书一致，例如：广州某某科技有限公司"),
        uscc(required=False),
        Field("original_dates", "原公示（刊登）日期", DATES, max_length=LONG_MAX, in_text=True,
              before_publication=True, help="一个或多个日期，用顿号隔开，例如：2020年9月19日、2020年9月26日"),
        Field("original_channel", "原公示（刊登）渠道", TEXT, max_length=SHORT_MAX, in_text=True,
              default="国家企业信用信息公示系统",
              suggestions=("国家企业信用信息公示系统",), help="例如：国家企业信用信息公示系统 或 《某某报》"),
        Field("revoked_items", "撤销的事项", TEXT, max_length=LONG_MAX, in_text=True,
              suggestions=("清算组备案及债权人公告", "减资公告", "注销公告", "清算组备案"),
              help="例如：清算组备案及债权人公告"),
        Field("dissolve_group", "同时解散清算组", BOOL, required=False),
        # A revoked dissolution: may the company go on (CL 229 ¶1, 230; 市监注〔2020〕107号)?
        Field("continues", "公司继续经营（不再解散）", BOOL, required=False),
        Field("dissolution_cause", "原解散原因", CHOICE, required=False, choices=(
            ("term", "营业期限届满或者章程规定的其他解散事由出现"),
            ("resolution", "股东会决议解散（一人公司为股东决定）"),
            ("revoked", "依法被吊销营业执照、责令关闭或者被撤销"), ("court", "人民法院判决解散"))),
        Field("assets_distributed", "已向股东分配财产", BOOL, required=False),
        # The resolution to go on (CL 230), or to rescind a reduction: its body and its date.
        Field("decision", "撤销所依据的决议", CHOICE, required=False, in_text=True, choices=(
            ("股东会决议", "股东会决议（三分之二以上表决权通过）"), ("股东决定", "股东决定（一人公司）"),
            ("修改公司章程", "修改公司章程（三分之二以上表决权通过）"),
            ("履行出资人职责的机构决定", "履行出资人职责的机构决定（国有独资公司）")),
            written=(("修改公司章程", ("修改章程", "章程修正案")),)),
        date("resolved_on", "决议日期", required=False, not_future=True, help="例如：2026-11-20"),
    ),
    required=(Phrase("revocation-sentence", "撤销……（事项）", _rx(r"撤销"),
                     "正文须写明撤销的事项，例如：撤销2020年9月19日在国家企业信用信息公示系统公示的清算组备案。"),
              _for_companies(RESCINDING_RESOLUTION)),
    warns=tuple(_for_companies(p) for p in (CONTINUATION_UNCONFIRMED, THIRD_PERSON, DECISION_VERB, OLD_MEETING_NAME)),
    closings=("特此公告",),
    rules=(dissolution_can_be_revoked, revoked_reduction_names_its_resolution, code_fits_the_name),
    compose=wording.compose_revocation,
)

LIQUIDATION = NoticeType(
    code="liquidation", title="清算公告", titles=entities.all_titles(),
    label="公司、分公司、个体工商户、合伙企业、事业单位等解散清算或注销，通知债权人（清算公告或注销公告）",
    entry_title="清算公告／注销公告", blurb="公司、分公司、个体工商户、合伙企业、事业单位等注销或清算",
    fields=(
        # Each kind's statute, sentence and windows: notices/entities.py; a notice without one is
        # a company's (API clients from before the kinds send none).
        entity_field(),
        Field("heading", "公告标题", CHOICE, choices=tuple((t, t) for t in entities.all_titles())),
        company(label="名称", help="与营业执照或登记证书一致，例如：广州某某科技有限公司、某某市某某研究所"),
        uscc(required=False),
        Field("cause", "解散原因", TEXT, max_length=LONG_MAX, suggestions=entities.all_causes(),
              help="例如：经股东会决议解散；合伙企业：经全体合伙人决定解散；事业单位：经举办单位决定撤销"),
        date("group_formed_on", "清算组（清算人）成立日期", required=False, not_future=True,
             help="用来核对法定的公告期限（公司、合伙企业、农民专业合作社六十日内）；不填则不核对"),
        Field("claims_days", "债权申报期限（日）", required=False, max_length=4,
              help="法律未规定期限的（个体工商户、社会组织）可填清算组织自定的期限，例如：60；其他类型按法定期限，不必填写"),
        *CONTACT_FIELDS,
    ),
    required=(_for_companies(CREDITOR_CLAIMS_45),
              *(_claims_phrase(k) for k in _WITH_CLAIMS if k.claims and k.claims.confirmed and not k.company_law)),
    recommended=(CREDITOR_CONTACT, BRANCH_LIABILITY,
                 *(_claims_phrase(k) for k in _WITH_CLAIMS if k.claims and not k.claims.confirmed)),
    warns=tuple(_for_companies(p) for p in COMMON_WARNS + (THIRD_PERSON, DECISION_VERB, OLD_MEETING_NAME)),
    closings=("特此公告", "申请注销登记"),
    # CL 235: 清算组应当自成立之日起十日内通知债权人，并于六十日内在报纸上或者国家企业信用信息公示系统公告。
    deadline=Deadline("group_formed_on", 60, "法定刊登期限（清算组成立之日起六十日内）", "《公司法》第二百三十五条",
                      applies=entities.is_kind("company")),
    deadlines=tuple(_publication_deadline(k) for k in _WITH_WINDOW),
    creditor_days=45,
    creditor_periods=tuple(_creditor_period(k) for k in _WITH_CLAIMS),
    notes=(Note("简易注销须在国家企业信用信息公示系统公示（《公司法》第二百四十条），本报公告不能替代。",
                applies=entities.is_kind("company")),),
    rules=(liquidation_fits_the_entity, code_fits_the_name),
    compose=wording.compose_liquidation,
)

CAPITAL_REDUCTION = NoticeType(
    code="capital-reduction", title="减资公告",
    label="公司减少注册资本，通知债权人",
    fields=(
        company(),
        uscc(),
        Field("decision", "决议方式", CHOICE, choices=DECISIONS),
        date("resolved_on", "决议日期", required=False, not_future=True,
             help="用来核对三十日内公告的期限；不填则不核对"),
        money("capital_before", "原注册资本"),
        money("capital_after", "减资后注册资本"),
        Field("covers_losses", "减资用于弥补亏损（《公司法》第二百二十五条，无需债权人语句）", BOOL, required=False),
        *CONTACT_FIELDS,
    ),
    required=(_creditor_demand("《公司法》第二百二十四条第二款", applies=creditors_have_claims),
              CREDITOR_RIGHT_IN_REDUCTION),
    recommended=(Phrase(CREDITOR_CONTACT.code, CREDITOR_CONTACT.label, CREDITOR_CONTACT.pattern,
                        CREDITOR_CONTACT.message.replace("申报债权或联系", "要求清偿债务或者提供担保"),
                        applies=creditors_have_claims),),
    warns=(CLAIMS_IN_REDUCTION,) + _warns_with(WAIVER_IN_REDUCTION, "第二百二十四条第二款") + (
        THIRD_PERSON, DECISION_VERB, OLD_MEETING_NAME, BOARD_DECIDES),
    closings=("特此公告", "申请变更登记"),
    # CL 224: 公司应当自股东会作出减少注册资本决议之日起十日内通知债权人，并于三十日内在报纸上……公告。
    deadline=Deadline("resolved_on", 30, "法定刊登期限（决议之日起三十日内）", "《公司法》第二百二十四条"),
    creditor_days=45, creditor_article="《公司法》第二百二十四条第二款", creditors_when=creditors_have_claims,
    rules=(capital_is_reduced, amounts_are_plausible, code_fits_the_name),
    compose=wording.compose_capital_reduction,
)

MERGER = NoticeType(
    code="merger", title="合并公告",
    label="公司吸收合并或新设合并，通知债权人",
    blurb="吸收合并或新设合并",
    fields=(
        Field("merger_form", "合并方式", CHOICE, choices=(("吸收合并", "吸收合并"), ("新设合并", "新设合并"))),
        # A one-person company decides by 股东决定, not by a shareholders' meeting (公司法 第六十条).
        Field("decision", "决议方式", CHOICE, default="股东会决议", choices=(
            ("股东会决议", "各方均由股东会决议"), ("股东会决议或股东决定", "有一人公司参与（股东会决议或股东决定）"),
            ("股东决定", "各方均为一人公司（股东决定）"))),
        # CL 219: no 股东会决议 but a 董事会决议 where the survivor absorbs a ≥ 90 % subsidiary (the
        # subsidiary's board) or pays ≤ 10 % of its net assets (its own board, unless its articles say not).
        Field("board_merger", "可不经股东会决议的合并（《公司法》第二百一十九条）", CHOICE, required=False,
              default="none", choices=(
                  ("none", "不适用：各方均经股东会决议（一人公司为股东决定）"),
                  ("subsidiary", "存续公司持有被合并公司百分之九十以上股权：被合并公司由董事会决议"),
                  ("small", "合并支付的价款不超过存续公司净资产百分之十：存续公司由董事会决议"),
                  ("both", "以上两种情形兼有：合并各方均由董事会决议"))),
        company("party1_name", "合并方一（吸收合并时为存续公司）"),
        uscc("party1_uscc", "合并方一统一社会信用代码"),
        company("party2_name", "合并方二"),
        uscc("party2_uscc", "合并方二统一社会信用代码"),
        company("party3_name", "合并方三", required=False),
        uscc("party3_uscc", "合并方三统一社会信用代码", required=False),
        company("new_company", "新设公司名称", required=False, help="新设合并时填写"),
        money("capital_after", "合并后注册资本", required=False),
        date("resolved_on", "合并决议日期", required=False, not_future=True,
             help="用来核对三十日内公告的期限；不填则不核对"),
        *CONTACT_FIELDS,
    ),
    required=(_creditor_demand("《公司法》第二百二十条"), CREDITOR_RIGHT_IN_MERGER),
    recommended=(MERGER_SUCCESSION, BOARD_MERGER_STATED),
    warns=(CLAIMS_IN_MERGER,) + _warns_with(WAIVER_IN_MERGER, "第二百二十条") + (
        DECISION_VERB, OLD_MEETING_NAME, BOARD_MERGER_UNDECLARED),
    # CL 220: 自作出合并决议之日起十日内通知债权人，并于三十日内在报纸上……公告。
    deadline=Deadline("resolved_on", 30, "法定刊登期限（合并决议之日起三十日内）", "《公司法》第二百二十条"),
    creditor_days=45, creditor_article="《公司法》第二百二十条",
    rules=(new_merger_names_the_new_company, merger_parties_differ, merger_codes_have_names,
           merger_by_board_fits, amounts_are_plausible, code_fits_the_name),
    compose=wording.compose_merger,
)

DIVISION = NoticeType(
    code="division", title="分立公告",
    label="公司存续分立或新设分立",
    blurb="存续分立或新设分立",
    fields=(
        Field("division_form", "分立方式", CHOICE, choices=(("存续分立", "存续分立"), ("新设分立", "新设分立"))),
        company(),
        Field("decision", "决议方式", CHOICE, choices=DECISIONS, default="股东会决议"),
        uscc(),
        company("result1_name", "分立后公司一", help="存续分立时为原公司"),
        money("result1_capital", "分立后公司一注册资本", required=False),
        company("result2_name", "分立后公司二"),
        money("result2_capital", "分立后公司二注册资本", required=False),
        company("result3_name", "分立后公司三", required=False),
        money("result3_capital", "分立后公司三注册资本", required=False),
        date("resolved_on", "分立决议日期", required=False, not_future=True,
             help="用来核对三十日内公告的期限；不填则不核对"),
        *CONTACT_FIELDS,
    ),
    required=(JOINT_LIABILITY,),
    warns=_warns_with(WAIVER_IN_DIVISION, "第二百二十二条", claims=False) + (
        DECISION_VERB, OLD_MEETING_NAME, BOARD_DECIDES),
    # CL 222: 自作出分立决议之日起十日内通知债权人，并于三十日内在报纸上……公告。
    deadline=Deadline("resolved_on", 30, "法定刊登期限（分立决议之日起三十日内）", "《公司法》第二百二十二条"),
    rules=(division_results_differ, new_division_dissolves_the_company, division_capitals_have_names,
           amounts_are_plausible, code_fits_the_name),
    compose=wording.compose_division,
)

CORRECTION = NoticeType(
    code="correction", title="更正声明",
    label="更正此前刊登的公告中的错误",
    blurb="更正已刊登公告中的错误",
    fields=(
        Field("subject", "公告单位或个人", TEXT, max_length=NAME_MAX, in_text=True,
              help="原公告的单位名称或个人姓名"),
        Field("original_newspaper", "原刊报纸", TEXT, max_length=SHORT_MAX, in_text=True,
              help="例如：本报 或 《某某报》"),
        date("original_date", "原刊登日期", in_text=True, before_publication=True),
        Field("original_page", "原刊版面", TEXT, required=False, max_length=10, help="例如：A12", in_text=True),
        Field("original_title", "原公告标题", TEXT, max_length=SHORT_MAX, in_text=True,
              suggestions=("遗失声明", "减资公告", "清算公告", "注销公告", "合并公告", "分立公告", "撤销公告")),
        Field("wrong_text", "错误文字", TEXT, max_length=LONG_MAX, in_text=True, help="原公告中印错的文字"),
        Field("correct_text", "正确文字", TEXT, max_length=LONG_MAX, in_text=True),
    ),
    required=(CORRECTION_SENTENCE,),
    closings=("特此更正", "特此声明"),
    rules=(correction_changes_something,),
    compose=wording.compose_correction,
)

# ---------------------------------------------------------------------------------------------
# The notice types beyond companies' (docs/law.md §9), the most printed first. Each is priced per
# line under its own category (the rate card's default rule until the newspaper sets another).
ASSIGNMENT_TITLES = ("债权转让暨催收公告", "债权转让暨债务催收联合公告", "债权转让通知暨债务催收公告")

DEBT_ASSIGNMENT = NoticeType(
    code="debt-assignment", title=ASSIGNMENT_TITLES[0], titles=ASSIGNMENT_TITLES,
    label="债权人转让债权，通知债务人和担保人，并由受让人催收",
    blurb="银行、资产管理公司等转让债权并催收",
    fields=(
        Field("heading", "公告标题", CHOICE, required=False, default=ASSIGNMENT_TITLES[0],
              choices=tuple((t, t) for t in ASSIGNMENT_TITLES)),
        company("assignor", "转让方（原债权人）", help="例如：某某银行股份有限公司广州分行"),
        uscc("assignor_uscc", "转让方统一社会信用代码", required=False),
        company("assignee", "受让方（新债权人）", help="例如：某某资产管理股份有限公司广东省分公司"),
        uscc("assignee_uscc", "受让方统一社会信用代码", required=False),
        Field("agreement", "债权转让协议", TEXT, required=False, max_length=LONG_MAX, in_text=True,
              help="例如：《债权转让协议》（编号：GD2026-018）；不填则写《债权转让协议》"),
        date("assigned_on", "协议签订日期", required=False, not_future=True, in_text=True, help="例如：2026-11-20"),
        Field("debtors", "债务人、担保人及债权金额", LONGTEXT, max_length=BODY_MAX, in_text=True,
              help="每户写明借款人、担保人和本金、利息余额，例如：借款人广州市某某五金制品有限公司，保证人陈小明，"
                   "本金余额人民币1,200,000.00元，利息人民币35,600.00元（计至2026年10月20日）"),
        *CONTACT_FIELDS,
    ),
    required=(
        Phrase("assignment", "……已将……债权……转让给……",
               _rx(r"债权[^。]{0,200}?转让(?:给|予|于|至)|转让(?:给|予)[^。]{0,200}?债权|债权转让"),
               "正文须写明转让方已将债权转让给受让方（《民法典》第五百四十六条：转让须通知债务人才对其发生效力），"
               "例如：某某银行已将其对下列债务人享有的债权依法转让给某某资产管理公司。"),
        # The 催收: a demand to perform is what interrupts limitation (Civil Code Art. 195 (1)).
        Phrase("collection-demand", "要求债务人、担保人履行还款义务或担保责任",
               _rx(r"(?:要求|请|催促|督促)[^。]{0,200}?(?:履行|偿还|清偿|归还|承担)[^。]{0,30}?(?:义务|债务|责任|欠款|借款|本息)"),
               "催收公告须写明要求债务人、担保人履行还款义务或担保责任（提出履行请求才能中断诉讼时效，"
               "《民法典》第一百九十五条），例如：现要求下列债务人、担保人立即向受让方履行还款义务或者相应的担保责任。"),
    ),
    closings=("特此公告",),
    notes=(Note("债权转让未通知债务人的，对债务人不发生效力（《民法典》第五百四十六条）。在全国或者省级有影响的报纸上刊登"
                "公告视为已经通知，是司法解释就国有银行不良贷款转让给金融资产管理公司所作的规定（法释〔2001〕12号第六条）；"
                "其他债权转让，请同时书面通知债务人。以登报催收中断诉讼时效，一般只在债务人下落不明时认可"
                "（最高人民法院关于诉讼时效的规定第八条）。"),),
    rules=(assignment_parties_differ, code_fits_the_name),
    price_category="debt-assignment",
    compose=wording.compose_debt_assignment,
)

EIA_PUBLICITY = NoticeType(
    code="eia-publicity", title="环境影响评价信息公示", entry_title="环评公示",
    label="建设项目环境影响报告书征求意见稿公示，征求公众意见（报纸刊登两次）",
    blurb="环境影响报告书征求意见稿公示，征求意见期内刊登两次",
    fields=(
        company("builder", "建设单位", help="例如：广州市某某环保科技有限公司"),
        Field("project", "建设项目名称", TEXT, max_length=LONG_MAX, in_text=True,
              help="例如：广州市某某环保科技有限公司年处理5万吨一般工业固体废物综合利用项目"),
        Field("report_link", "征求意见稿全文的网络链接", TEXT, max_length=LONG_MAX, in_text=True,
              help="例如：https://www.example.com/eia/2026/report.pdf"),
        Field("paper_copy", "查阅纸质报告书的方式和途径", TEXT, max_length=LONG_MAX, in_text=True,
              help="例如：工作日到建设单位办公室（广州市黄埔区某路8号）查阅"),
        Field("public_scope", "征求意见的公众范围", TEXT, max_length=LONG_MAX, in_text=True,
              default="环境影响评价范围内的公民、法人和其他组织",
              help="例如：环境影响评价范围内的公民、法人和其他组织"),
        Field("form_link", "公众意见表的网络链接", TEXT, max_length=LONG_MAX, in_text=True,
              help="例如：https://www.example.com/eia/2026/form.docx"),
        Field("how_to_comment", "公众提出意见的方式和途径", TEXT, max_length=LONG_MAX, in_text=True,
              default="填写公众意见表，通过信函、电子邮件等方式提交建设单位",
              help="例如：填写公众意见表，通过信函、电子邮件等方式提交建设单位"),
        date("consult_from", "征求意见开始日期", in_text=True, help="例如：2026-11-27"),
        date("consult_to", "征求意见截止日期", in_text=True, help="不少于十个工作日（含首尾两日），例如：2026-12-10"),
        # The newspaper prints it twice in the consultation period (Art. 11): this issue and this
        # one. An order of two dates fills it for each from the other (store/workflow.py
        # order_fields); left blank, the rule warns: the second printing may be in another paper.
        date("second_date", "第二次刊登日期", required=False,
             help="须在征求意见期内，且与本次刊登日期不同，例如：2026-12-05；一次预订两个日期的不必填写"),
        *CONTACT_FIELDS,
    ),
    required=(
        Phrase("eia-report-link", "征求意见稿全文的网络链接",
               _rx(r"(?:征求意见稿|报告书)[^。；]{0,16}?(?:https?://|www\.|网址|链接|网站)"),
               "正文须写明环境影响报告书征求意见稿全文的网络链接（《环境影响评价公众参与办法》第十条），"
               "例如：征求意见稿全文的网络链接：https://www.example.com/eia/report.pdf。"),
        Phrase("eia-public-scope", "征求意见的公众范围", _rx(r"范围"),
               "正文须写明征求意见的公众范围（《环境影响评价公众参与办法》第十条），例如：环境影响评价范围内的公民、法人和其他组织。"),
        Phrase("eia-opinion-form", "公众意见表", _rx(r"意见表"),
               "正文须写明公众意见表的网络链接（《环境影响评价公众参与办法》第十条）。"),
        Phrase("eia-period", "公众提出意见的起止时间",
               _rx(r"\d{1,2}\s*日?\s*(?:至|到|[-－—~～])\s*(?:\d{4}\s*年)?\s*\d{1,2}\s*月"),
               "正文须写明公众提出意见的起止时间（《环境影响评价公众参与办法》第十条），例如：2026年11月27日至2026年12月10日。"),
    ),
    closings=("特此公示", "特此公告"),
    notes=(Note("征求意见期内，报纸须刊登至少两次（《环境影响评价公众参与办法》第十一条）；网络平台和项目所在地的张贴"
                "须同步公开，不少于十个工作日，本报刊登不能替代。"),),
    rules=(consultation_runs_ten_working_days, printed_twice_in_consultation),
    order_date_field="second_date",
    price_category="eia-publicity",
    compose=wording.compose_eia_publicity,
)

AUCTION = NoticeType(
    code="auction", title="拍卖公告",
    label="拍卖人公告拍卖的时间、地点、标的、展示和竞买手续（拍卖日七日前刊登）",
    blurb="拍卖日七日前刊登：时间、地点、标的、展示、竞买手续",
    fields=(
        company("auctioneer", "拍卖人", help="拍卖企业的名称，例如：广东某某拍卖有限公司"),
        Field("consignor", "委托人", TEXT, required=False, max_length=NAME_MAX, in_text=True,
              help="例如：广州市天河区人民法院、某某资产管理有限公司；不愿写明的可不填"),
        date("sale_on", "拍卖日期", in_text=True, help="刊登日期至少在拍卖日七日前，例如：2026-12-08"),
        Field("sale_time", "拍卖时间", TEXT, required=False, max_length=SHORT_MAX, in_text=True,
              help="例如：上午10时"),
        Field("sale_place", "拍卖地点", TEXT, max_length=LONG_MAX, in_text=True,
              help="例如：本公司拍卖厅（广州市越秀区某路1号3楼）"),
        Field("lots", "拍卖标的", LONGTEXT, max_length=BODY_MAX, in_text=True,
              help="例如：位于广州市海珠区某路18号101房的房产（建筑面积86.5平方米），参考价人民币260万元"),
        date("view_from", "展示开始日期", in_text=True, help="例如：2026-12-04"),
        date("view_to", "展示截止日期", in_text=True, help="展示不少于两日，例如：2026-12-07"),
        Field("view_place", "展示地点", TEXT, max_length=LONG_MAX, in_text=True, help="例如：标的所在地"),
        Field("procedures", "参与竞买应当办理的手续", LONGTEXT, max_length=LONG_MAX * 2, in_text=True,
              help="例如：竞买人须于2026年12月7日17时前持有效身份证件到本公司办理竞买登记手续，并交纳竞买保证金人民币20万元"),
        *CONTACT_FIELDS,
    ),
    required=(
        Phrase("auction-viewing", "拍卖标的展示的时间、地点", _rx(r"展示|预展|看样"),
               "正文须写明拍卖标的展示的时间、地点（《拍卖法》第四十六条），例如：展示时间：2026年12月4日至7日；展示地点：标的所在地。"),
        Phrase("auction-procedures", "参与竞买应当办理的手续", _rx(r"手续|竞买登记|报名|保证金"),
               "正文须写明参与竞买应当办理的手续（《拍卖法》第四十六条），例如：竞买人须持有效身份证件办理竞买登记手续。"),
    ),
    closings=("特此公告",),
    # 拍卖法 Art. 45: 拍卖人应当于拍卖日七日前发布拍卖公告.
    deadline=Deadline("sale_on", 7, "拍卖公告刊登期限（拍卖日七日前）", "《拍卖法》第四十五条", before=True),
    rules=(sale_fits_its_viewing,),
    price_category="auction",
    compose=wording.compose_auction,
)

RENAME = NoticeType(
    code="rename", title="更名声明",
    label="单位名称变更，告知客户和债权人",
    fields=(
        company("old_name", "原名称", help="例如：广州市某某贸易有限公司"),
        company("new_name", "新名称", help="与变更后的营业执照一致，例如：广州某某科技有限公司"),
        uscc(required=False, help="18位，名称变更后不变，例如：91440101MA5ACCGH4T"),
        Field("registrar", "核准变更的登记机关", TEXT, required=False, max_length=NAME_MAX, in_text=True,
              help="例如：广州市市场监督管理局"),
        date("changed_on", "变更日期", required=False, not_future=True, in_text=True,
             help="变更登记核准的日期，例如：2026-11-20"),
    ),
    required=(Phrase("rename", "名称变更为……", _rx(r"变更为|更名为|更改为|改名为|名称变更"),
                     "更名声明须写明原名称变更为新名称，例如：本公司名称自2026年11月20日起变更为“广州某某科技有限公司”。"),),
    closings=("特此声明", "特此公告"),
    notes=(Note("名称变更须自作出变更决议、决定之日起三十日内向登记机关申请变更登记（《市场主体登记管理条例》及其实施细则）；"
                "登报声明不能代替变更登记。名称变更不影响合同的履行（《民法典》第五百三十二条）。"),),
    rules=(names_differ, code_fits_the_name),
    price_category="rename",
    compose=wording.compose_rename,
)

RELOCATION = NoticeType(
    code="relocation", title="迁址声明",
    label="单位搬迁到新地址办公，告知客户",
    fields=(
        company(help="例如：广州市某某贸易有限公司"),
        uscc(required=False),
        Field("old_address", "原地址", TEXT, max_length=LONG_MAX, in_text=True, help="例如：广州市天河区某路1号"),
        Field("new_address", "新地址", TEXT, max_length=LONG_MAX, in_text=True, help="例如：广州市黄埔区某大道8号"),
        date("moved_on", "迁址日期", required=False, in_text=True, help="例如：2026-12-01"),
        *CONTACT_FIELDS[:2],
    ),
    required=(Phrase("relocation", "由……迁至……", _rx(r"迁至|迁往|迁入|搬迁至|搬至|搬到|迁到"),
                     "迁址声明须写明迁往的新地址，例如：本公司自2026年12月1日起迁至广州市黄埔区某大道8号办公。"),),
    closings=("特此声明", "特此公告", "特此告知"),
    notes=(Note("住所变更须自变更之日起三十日内申请变更登记，迁往其他登记机关辖区的，应在迁入前向迁入地登记机关申请"
                "（《市场主体登记管理条例》及其实施细则）；登报声明不能代替变更登记。"),),
    rules=(addresses_differ, code_fits_the_name),
    price_category="relocation",
    compose=wording.compose_relocation,
)

NEW_SEAL = NoticeType(
    code="new-seal", title="启用新章声明",
    label="单位启用新印章（更名、遗失或损坏后重新刻制），原印章作废",
    fields=(
        company(help="例如：广州市某某贸易有限公司"),
        uscc(required=False),
        Field("seal_kind", "启用的印章", TEXT, max_length=LONG_MAX, in_text=True,
              suggestions=("公章", "财务专用章", "合同专用章", "发票专用章", "法人名章"), help="例如：公章"),
        Field("seal_code", "新印章编码", SEAL_CODE, required=False, max_length=17, in_text=True,
              help="13位数字，见印章备案回执，例如：4401060123457"),
        Field("reason", "启用原因", TEXT, required=False, max_length=SHORT_MAX, in_text=True,
              suggestions=("原印章遗失", "原印章损坏", "单位名称变更"), help="例如：原印章遗失"),
        date("since", "启用日期", required=False, in_text=True, help="例如：2026-12-01"),
        Field("old_void", "原印章同时作废", BOOL, required=False, default="1"),
    ),
    required=(Phrase("new-seal", "启用新印章", _rx(r"启用"),
                     "启用新章声明须写明启用的新印章，例如：本公司自2026年12月1日起启用新的公章。"),),
    closings=("特此声明", "声明作废", "特此公告"),
    notes=(Note("新刻制的印章须到公安机关备案；原印章遗失的，另须刊登遗失声明或在本声明中写明原印章作废。"),),
    rules=(code_fits_the_name,),
    price_category="new-seal",
    compose=wording.compose_new_seal,
)

FAMILY_SEARCH = NoticeType(
    code="family-search", title="寻亲启事",
    label="寻找失散的亲人",
    blurb="寻找失散的亲人，请知情者联系",
    fields=(
        Field("seeker", "寻亲人", TEXT, max_length=NAME_MAX, in_text=True, help="例如：陈小明"),
        Field("relation", "寻找的是寻亲人的", TEXT, max_length=SHORT_MAX, in_text=True,
              suggestions=("父亲", "母亲", "亲生父母", "儿子", "女儿", "哥哥", "姐姐", "弟弟", "妹妹"),
              help="例如：亲生父母"),
        Field("sought", "寻找的人", TEXT, max_length=NAME_MAX, in_text=True,
              help="姓名，不知道姓名的写称呼，例如：陈大明"),
        Field("circumstances", "失散经过", LONGTEXT, max_length=LONG_MAX * 2, in_text=True,
              help="时间、地点和经过，例如：1990年春节前后在广州火车站附近走失，当时约5岁"),
        Field("features", "体貌特征和随身物品", LONGTEXT, required=False, max_length=LONG_MAX * 2, in_text=True,
              help="例如：左耳后有一颗黑痣，走失时穿红色棉袄"),
        Field("contact_person", "联系人", required=False, in_text=True, help="不填则为寻亲人，例如：陈先生"),
        Field("contact_phone", "联系电话", PHONE, max_length=30, in_text=True, help="例如：13800138000"),
    ),
    required=(Phrase("family-contact", "联系电话", _rx(r"电话|手机|微信|联系"),
                     "寻亲启事须写明联系方式，例如：如有知情者，请与陈先生联系，联系电话：13800138000。"),),
    closings=("特此启事", "必有重谢", "万分感谢", "不胜感激"),
    notes=(Note("寻找走失或被拐的亲人，请同时向公安机关报案。"),),
    rules=(seeker_is_not_the_sought,),
    price_category="family-search",
    compose=wording.compose_family_search,
)

FOUNDLING_TITLES = ("认领启事", "寻亲公告")

FOUNDLING = NoticeType(
    code="foundling", title=FOUNDLING_TITLES[0], titles=FOUNDLING_TITLES,
    label="民政部门、儿童福利机构为查找不到父母的儿童寻找亲生父母（公告六十日）",
    blurb="民政部门、福利机构为弃婴、儿童寻找父母",
    fields=(
        Field("heading", "公告标题", CHOICE, required=False, default=FOUNDLING_TITLES[0],
              choices=tuple((t, t) for t in FOUNDLING_TITLES)),
        Field("announcer", "发布单位", TEXT, max_length=NAME_MAX, in_text=True,
              help="民政部门或儿童福利机构，例如：广州市社会福利院"),
        Field("child", "儿童的姓名或称呼", TEXT, max_length=NAME_MAX, in_text=True,
              help="福利机构所取的姓名，例如：福小安"),
        Field("sex", "性别", CHOICE, choices=(("男", "男"), ("女", "女")), in_text=True),
        Field("birth", "出生日期或年龄", TEXT, required=False, max_length=SHORT_MAX, in_text=True,
              help="例如：2026年8月出生 或 约3个月大"),
        date("found_on", "发现日期", in_text=True, not_future=True, before_publication=True, help="例如：2026-11-02"),
        Field("found_place", "发现地点", TEXT, max_length=LONG_MAX, in_text=True,
              help="例如：广州市白云区某街道某路口"),
        Field("features", "体貌特征和随身物品", LONGTEXT, required=False, max_length=LONG_MAX * 2, in_text=True,
              help="例如：身穿白色连体衣，包裹中有奶瓶一个"),
        Field("contact_address", "认领地点", TEXT, max_length=LONG_MAX, in_text=True,
              help="例如：广州市社会福利院（广州市白云区某路1号）"),
        Field("contact_phone", "联系电话", PHONE, max_length=30, in_text=True, help="例如：020-87654321"),
    ),
    # 中国公民收养子女登记办法 Art. 7: 自公告之日起满60日……未认领的，视为查找不到生父母的弃婴、儿童.
    required=(Phrase("claim-60-days", "自公告之日起六十日内认领",
                     _rx(r"(?:六十|60)\s*(?:日|天|个自然日)|两个月|二个月"),
                     "认领启事须写明亲生父母或其他监护人认领的期限：自公告之日起六十日（《中国公民收养子女登记办法》第七条），"
                     "例如：请该儿童的亲生父母或者其他监护人自本公告刊登之日起六十日内认领。"),),
    closings=("特此公告", "特此启事"),
    creditor_periods=(CreditorPeriod(60, "认领期限（自公告之日起六十日）", "《中国公民收养子女登记办法》第七条",
                                     "认领期限自刊登之日起六十日"),),
    rules=(foundling_is_announced_by_an_office,),
    price_category="foundling",
    compose=wording.compose_foundling,
)

APOLOGY = NoticeType(
    code="apology", title="道歉声明",
    label="公开赔礼道歉，常为法院判决、调解书所定",
    blurb="公开赔礼道歉（判决、调解书或协议所定）",
    fields=(
        Field("apologiser", "道歉人", TEXT, max_length=NAME_MAX, in_text=True,
              help="例如：张三 或 广州某某传媒有限公司"),
        Field("injured", "被道歉人", TEXT, max_length=NAME_MAX, in_text=True, help="例如：李四"),
        # Named in the composed text; a text the court worded need not name them.
        Field("court", "法院", TEXT, required=False, max_length=NAME_MAX,
              help="法院判决或调解书所定的道歉填写，例如：广州市天河区人民法院"),
        Field("case_number", "案号", TEXT, required=False, max_length=SHORT_MAX,
              help="照判决书录入，例如：（2026）粤0106民初12345号"),
        Field("ruling", "文书", CHOICE, required=False, default="民事判决书",
              choices=(("民事判决书", "民事判决书"), ("民事调解书", "民事调解书"))),
        Field("statement", "道歉内容", LONGTEXT, max_length=BODY_MAX, in_text=True,
              help="判决、调解书确定或经法院审核的文字照录，例如：本人于2026年5月在微信群发布的有关李四的言论失实，"
                   "侵害了李四的名誉权，特此向李四赔礼道歉。"),
        Field("verbatim", "判决已确定道歉全文，照登（不加开头和结尾）", BOOL, required=False),
    ),
    required=(Phrase("apology", "道歉、致歉", _rx(r"道歉|致歉|歉意"),
                     "道歉声明须写明道歉，例如：特此向李四赔礼道歉。"),),
    closings=wording.APOLOGY_CLOSINGS,
    notes=(Note("法院判决赔礼道歉的，道歉内容一般须经法院审核，请照审核后的文字刊登，并按判决写明的报纸和期限刊登"
                "（《民法典》第一千条）。"),),
    rules=(apology_parties_differ, case_number_is_written_as_courts_write_it),
    price_category="apology",
    compose=wording.compose_apology,
)

# The registry: every other module looks a type up here, at the time it needs it (a test may add
# a type to it for its duration: tests/app/test_new_type.py).
CATALOGUE: dict[str, NoticeType] = {t.code: t for t in (
    LOST_DOCUMENT, REVOCATION, LIQUIDATION, CAPITAL_REDUCTION, MERGER, DIVISION, CORRECTION,
    DEBT_ASSIGNMENT, EIA_PUBLICITY, AUCTION, RENAME, RELOCATION, NEW_SEAL, FAMILY_SEARCH, FOUNDLING, APOLOGY)}

# The publisher's default print order of the types in the column: the catalogue's (the seed page
# mixes them; grouping by type is what the editors asked for). An administrator changes it at
# /desk/settings; a type added later follows the others.
DEFAULT_TYPE_ORDER = tuple(CATALOGUE)

# The home page offers the company notices most asked for first; a type not named here follows,
# in catalogue order.
HOME_PAGE_ORDER = ("lost-document", "capital-reduction", "liquidation", "revocation", "merger", "division",
                   "correction")


def get_type(code: str) -> NoticeType | None:
    return CATALOGUE.get(code)


def entries() -> list[Entry]:
    """What the home page offers, in its order: each type, or each variant of it."""
    rank = {code: i for i, code in enumerate(HOME_PAGE_ORDER)}
    types = sorted(CATALOGUE.values(), key=lambda t: rank.get(t.code, len(rank)))
    return [entry for t in types for entry in t.entries()]


def price_categories() -> dict[str, tuple[str, int | None]]:
    """The rate card's categories that the catalogue names, in catalogue order: category ->
    (label on the settings page, starting price per notice in fen, or None: priced by the card's
    default rule until the newspaper sets one)."""
    out: dict[str, tuple[str, int | None]] = {}
    for t in CATALOGUE.values():
        named: list[tuple[str | None, str, int | None]] = [
            (v.price_category, v.entry_title, v.flat_price_cents) for v in t.variants]
        named.append((t.price_category, t.entry_title or t.title, t.flat_price_cents))
        for category, label, cents in named:
            if category and category not in out:
                out[category] = (label, cents)
    return out
