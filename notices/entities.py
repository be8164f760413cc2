"""The kinds of entity that file a 清算公告 / 注销公告, each declared once: its statute, its
liquidator, the windows the law gives, the words it speaks of itself with, and its titles.

A notice names its kind in the field `entity` (notices/catalogue.py `entity_field`); a notice
without one is a company's, as every notice was before the kinds existed. The catalogue builds
from these declarations the statutory sentences, windows and choices of the types that carry the
field; the wording (notices/wording.py) and the rules (notices/rules.py) read them. Nothing here
imports the catalogue (it imports this module).

What a statute does not say is not declared: a kind whose law sets no creditor period has
`claims is None`, and the checks then say that no period was checked instead of applying the
Company Law's. Sources and what could not be confirmed: docs/law.md §7.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping

ENTITY = "entity"            # the field that names the kind
DEFAULT = "company"          # a notice that names none

_NUMERALS = {10: "十", 15: "十五", 30: "三十", 45: "四十五", 60: "六十", 90: "九十"}


def numeral_cn(days: int) -> str:
    """A number of days as the statutes write it: 45 → 四十五."""
    return _NUMERALS.get(days, str(days))


def days_cn(days: int) -> str:
    """45 → 四十五日."""
    return f"{numeral_cn(days)}日"


@dataclass(frozen=True)
class Claims:
    """Within how many days creditors declare their claims, and where the rule is written."""
    from_notice: int | None          # days from a creditor's letter (None: the rule gives none)
    from_announcement: int           # days from the announcement in the paper
    article: str                     # 《合伙企业法》第八十八条
    first_announcement: bool = False  # counted from the first of several announcements (事业单位)
    confirmed: bool = True           # False: known from registrars' guides, article not confirmed

    @property
    def words(self) -> str:
        """The statute's sentence, short: 债权人自公告之日起四十五日内申报债权."""
        start = "第一次公告" if self.first_announcement else "公告"
        return f"债权人自{start}之日起{days_cn(self.from_announcement)}内申报债权"


@dataclass(frozen=True)
class Publish:
    """The liquidator announces within `days` of its being formed (the date in group_formed_on)."""
    days: int
    label: str                       # 法定刊登期限（清算人确定之日起六十日内）
    article: str
    confirmed: bool = True


@dataclass(frozen=True)
class EntityKind:
    code: str                        # what the field stores: partnership
    label: str                       # the choice as the form and the API show it
    short: str                       # in messages: 合伙企业
    statute: str                     # 《合伙企业法》
    company_law: bool                # the Company Law's liquidation rules (CL 232–240) apply
    speaks_as: str                   # how the notice names the entity in its own voice: 本企业
    members: str                     # who decides for it: 合伙人 (not 股东)
    liquidator: str                  # to whom creditors declare: 清算人 (None-like "": no procedure)
    titles: tuple[str, ...]          # the printed titles it may choose
    causes: tuple[str, ...]          # typical causes, offered as suggestions
    claims: Claims | None            # the creditor period; None: the law sets none
    publish: Publish | None          # the window to announce in; None: the law sets none
    notes: tuple[str, ...] = ()      # info shown with a notice of this kind

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "label": self.label, "statute": self.statute,
                                "titles": list(self.titles), "members": self.members}
        if self.liquidator:
            data["liquidator"] = self.liquidator
        if self.claims:
            data["creditor_days"] = self.claims.from_announcement
            if self.claims.from_notice:
                data["creditor_days_from_notice"] = self.claims.from_notice
            data["creditor_article"] = self.claims.article
        if self.publish:
            data["deadline"] = {"from_field": "group_formed_on", "days": self.publish.days,
                                "label": self.publish.label, "article": self.publish.article}
        return data


# docs/law.md §7 gives each kind's source.
COMPANY = EntityKind(
    "company", "公司（有限责任公司、股份有限公司）", "公司", "《公司法》", True, "本公司", "股东", "清算组",
    ("清算公告", "注销公告"),
    ("经股东会决议解散", "营业期限届满", "公司章程规定的解散事由出现", "依法被吊销营业执照"),
    Claims(30, 45, "《公司法》第二百三十五条"),
    Publish(60, "法定刊登期限（清算组成立之日起六十日内）", "《公司法》第二百三十五条"),
)
BRANCH = EntityKind(
    "branch", "分公司", "分公司", "《公司法》第十三条", False, "本分公司", "所属公司", "",
    ("注销公告", "分公司注销公告"),
    ("经所属公司决定撤销",),
    None, None,
    ("分公司不具有法人资格，其民事责任由所属公司承担（《公司法》第十三条），法律没有为分公司注销规定债权申报期限和"
     "公告期限，本报不核对期限。",),
)
INDIVIDUAL = EntityKind(
    "individual", "个体工商户", "个体工商户", "《民法典》第五十六条", False, "本户", "经营者", "",
    ("注销公告", "个体工商户注销公告"),
    ("经营者决定停止经营",),
    None, None,
    ("法律没有为个体工商户注销规定债权申报期限和公告期限，本报不核对期限；个体工商户的债务由经营者以个人财产或者家庭财产"
     "承担（《民法典》第五十六条）。",),
)
SOLE = EntityKind(
    "sole", "个人独资企业", "个人独资企业", "《个人独资企业法》", False, "本企业", "投资人", "投资人",
    ("清算公告", "注销公告"),
    ("经投资人决定解散", "依法被吊销营业执照"),
    Claims(30, 60, "《个人独资企业法》第二十七条"),
    None,
    ("投资人自行清算的，应当在清算前十五日内书面通知债权人，无法通知的予以公告（《个人独资企业法》第二十七条）；"
     "法律没有规定自某日起若干日内公告，本报不核对刊登期限。",),
)
PARTNERSHIP = EntityKind(
    "partnership", "合伙企业", "合伙企业", "《合伙企业法》", False, "本企业", "合伙人", "清算人",
    ("清算公告", "注销公告"),
    ("经全体合伙人决定解散", "合伙期限届满", "合伙协议约定的解散事由出现", "依法被吊销营业执照"),
    Claims(30, 45, "《合伙企业法》第八十八条"),
    Publish(60, "法定刊登期限（清算人确定之日起六十日内）", "《合伙企业法》第八十八条"),
)
COOPERATIVE = EntityKind(
    "cooperative", "农民专业合作社", "农民专业合作社", "《农民专业合作社法》", False, "本社", "成员", "清算组",
    ("清算公告", "注销公告"),
    ("经成员大会决议解散", "章程规定的解散事由出现", "依法被吊销营业执照"),
    Claims(30, 45, "《农民专业合作社法》"),
    Publish(60, "法定刊登期限（清算组成立之日起六十日内）", "《农民专业合作社法》"),
)
# 事业单位: the 细则 as the registrars' own guides state it (three agree: the 清算组织 tells
# creditors within 10 days and announces at least three times within 30; creditors declare within
# 90 days of the first announcement). Its article number is not confirmed: coded as warnings only.
INSTITUTION = EntityKind(
    "institution", "事业单位", "事业单位", "《事业单位登记管理暂行条例》及其实施细则", False, "本单位", "举办单位",
    "清算组织",
    ("注销公告", "清算公告"),
    ("经举办单位决定撤销", "经批准撤销", "因合并解散"),
    Claims(None, 90, "《事业单位登记管理暂行条例实施细则》", first_announcement=True, confirmed=False),
    Publish(30, "刊登期限（清算组织成立之日起三十日内）", "《事业单位登记管理暂行条例实施细则》", confirmed=False),
    ("事业单位的清算组织应当自成立之日起三十日内至少发布三次拟申请注销登记的公告，债权人自第一次公告之日起九十日内申报债权"
     "（《事业单位登记管理暂行条例实施细则》）。本报每次刊登为一则公告，刊登三次请分别提交。",),
)
SOCIAL = EntityKind(
    "social", "社会组织（社会团体、民办非企业单位、基金会）", "社会组织",
    "《社会团体登记管理条例》《民办非企业单位登记管理暂行条例》《基金会管理条例》", False, "本会", "会员大会或理事会",
    "清算组织",
    ("注销公告", "清算公告"),
    ("经会员大会决议解散", "经理事会决议解散", "完成章程规定的宗旨"),
    None, None,
    ("社会组织注销前在业务主管单位等机关指导下成立清算组织完成清算，登记管理条例没有规定债权申报期限和公告期限，"
     "清算组织自定的期限照登，本报不核对期限。",),
)

KINDS: dict[str, EntityKind] = {k.code: k for k in (
    COMPANY, BRANCH, INDIVIDUAL, SOLE, PARTNERSHIP, COOPERATIVE, INSTITUTION, SOCIAL)}
CHOICES = tuple((k.code, k.label) for k in KINDS.values())
# The first two characters of the 统一社会信用代码 each kind is given (GB 32100-2015, docs/law.md
# §3): 91 企业 (a company, its branch, a sole proprietorship, a partnership), 92 个体工商户, 93 农民专业
# 合作社 (all registered by 市场监管), 12 事业单位 (机构编制), 51–53 社会团体, 民办非企业单位, 基金会 and
# 59 their others (民政). Read by notices/rules.py `code_fits_the_name`.
USCC_KINDS: dict[str, tuple[str, ...]] = {
    COMPANY.code: ("91",), BRANCH.code: ("91",), SOLE.code: ("91",), PARTNERSHIP.code: ("91",),
    INDIVIDUAL.code: ("92",), COOPERATIVE.code: ("93",), INSTITUTION.code: ("12",),
    SOCIAL.code: ("51", "52", "53", "59"),
}


def kind_of(fields: Mapping[str, str]) -> EntityKind:
    """The kind a notice names; a company when it names none (or one that does not exist: that
    is refused by the choice's own check, and the company's rules are the safe reading)."""
    return KINDS.get(fields.get(ENTITY) or DEFAULT, COMPANY)


def is_kind(*codes: str) -> Callable[[Mapping[str, str]], bool]:
    """A predicate on the fields, for a Phrase's or a Deadline's `applies`."""
    def applies(fields: Mapping[str, str]) -> bool:
        return kind_of(fields).code in codes
    return applies


def self_name(kind: EntityKind, name: str) -> str:
    """How the notice names the entity in its own voice. A 社会组织 is 本会 when its name ends in
    会 (协会, 商会, 基金会), else 本单位 (a 民办非企业单位: 学校, 医院, 研究院)."""
    if kind is SOCIAL and not name.rstrip().endswith("会"):
        return "本单位"
    return kind.speaks_as


def parent_company(branch_name: str) -> str | None:
    """The company a branch belongs to, read from the branch's name, which carries it (广州市甲
    贸易有限公司天河分公司 → 广州市甲贸易有限公司); None when the name does not show it."""
    m = re.fullmatch(r"(.+?(?:有限责任公司|股份有限公司|有限公司|集团公司|公司))(.+分公司)", branch_name.strip())
    return m.group(1) if m else None


def all_titles() -> tuple[str, ...]:
    return tuple(dict.fromkeys(t for k in KINDS.values() for t in k.titles))


def all_causes() -> tuple[str, ...]:
    return tuple(dict.fromkeys(c for k in KINDS.values() for c in k.causes))
