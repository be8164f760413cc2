"""Reading a finished notice: the facts, identifiers and signature in a text an agency wrote.

Agencies send a notice already written (`{"type", "text"}` through the API, docs/architecture.md).
`read_notice` reads from that text what the form would have asked for: the company's name, its
code, the amounts before and after a reduction, the dates, the parties of a merger, and so on,
each as the value of the type's field (notices/catalogue.py). `check_notice` (notices/checks.py)
fills the fields the client left out with what was read, so that a notice whose text says it all
gets no "请填写…", and then `report` adds what only the text shows:

- every identifier written in the text (统一社会信用代码, 注册号, 身份证号码), checked with
  notices/identifiers.py: a wrong code typed only in the text is an error naming it;
- where the client gave a field and the text says otherwise (the date of the resolution, the
  amounts and their order, the form of a merger or division), the contradiction;
- a field the text does not state: "正文中没有读到…" instead of "请填写…".

`without_signature` lets the closing check see past a signature (落款: the company's name, its
board or liquidation group, the date, a contact line) printed after 特此公告 / 特此声明, as papers
print it. A listed company's notice, with its 证券代码/证券简称/公告编号 header, its own title
line and sections 一、二、, is read the same way (its header is skipped).

Reading is deliberately cautious: a fact is read only where a common phrasing states it (the
phrasings are those of published notices, docs/law.md §2); what is not read stays empty and the
usual checks apply. Nothing here decides what is lawful: that is the catalogue's phrases and
notices/rules.py, applied to the fields as read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Mapping

from notices.dates import find_dates, parse_date
from notices.identifiers import CHECKS, IdentifierCheck, mask_id_card
from notices.money import format_amount, parse_amount
from notices.text import find_forbidden, normalise_text

if TYPE_CHECKING:   # only for the annotations: checks.py imports this module
    from notices.catalogue import NoticeType
    from notices.checks import CheckResult

TEXT_FIELD = "text"

# ---------------------------------------------------------------------------------------------
# Names of organisations. A name ends in one of these words and is followed by what follows a
# name in a notice (a bracket, a comma, 经…, 于2026年…, 遗失, 撤销 …), so that "广州甲有限公司天河分公司"
# is read whole and "广州市场" in "广州市场经营部" is not a name.
_HAN = r"\u4e00-\u9fff\u3400-\u4dbf"
ORG_WORDS = (r"股份有限公司|有限责任公司|有限公司|分公司|公司|合伙企业|专业合作社|联合社|合作社|经营部|门市部|"
             r"营业部|服务部|加工场|加工厂|商行|商店|商场|超市|工作室|事务所|中心|研究院|研究所|"
             r"协会|商会|基金会|学会|研究会|促进会|联合会|"
             r"报社|杂志社|厂|店|馆|院|所|站|社|行|部")
ORG_SUFFIX = rf"(?:{ORG_WORDS})(?:（(?:有限合伙|普通合伙|特殊普通合伙)）)?"
_NAME_FOLLOWS = (r"(?=[（(，,。；;：:、\s]|经(?!营|理|济|纬|贸|销)|于\d|于[〇一二]|因|拟|现|关于|根据|已|依法|自|将|"
                 r"在|以(?!及)|与|和|及|撤销|遗失|不慎|股东|全体|的|清算|申请|特此|董事会|暨|对|向|为|决定|"
                 r"作出|召开|统一|注册|成立|解散|停止|$)")
_NAME_BODY = rf"[{_HAN}][{_HAN}（）()·A-Za-z]{{0,57}}?"
# Words that may stand before a name in a sentence and are never its first character here.
_LEAD_WORDS = re.compile(r"^(?:由|与|和|及|经|并|将|对|向|同|为|现|即|吸收合并|新设合并|合并设立|分立为|设立|成立)")
# Where a name may begin: after anything that is not part of a name, or after these words.
_NAME_START = (rf"(?:(?<![{_HAN}（）()·A-Za-z])|(?<=由|与|和|及|经|并|向|对|将|为)|(?<=吸收合并|新设合并|合并设立)"
               r"|(?<=分立为)|(?<=设立|成立))")
# What a name never contains: the words of the sentence around it.
_NOT_A_NAME = re.compile(r"本公司|债权|公告|之日|日内|申报|决议|决定|注册资本|吸收|合并|设立|分立为|撤销|遗失|清算组|"
                         r"股东|请")
_NAMES = re.compile(rf"{_NAME_START}{_NAME_BODY}{ORG_SUFFIX}{_NAME_FOLLOWS}")

# Identifier labels, as notices write them, and the kind each stands for.
_LABELS: tuple[tuple[str, str], ...] = (
    ("统一社会信用代码", "uscc"), ("社会信用代码", "uscc"), ("信用代码", "uscc"),
    ("营业执照注册号", "regno"), ("注册号", "regno"),
    ("公民身份号码", "id-card"), ("居民身份证号码", "id-card"), ("身份证号码", "id-card"),
    ("身份证号", "id-card"), ("身份号码", "id-card"),
    ("印章编码", "seal-code"), ("执照编号", "licence-serial"),
)
_LABEL_RX = re.compile(
    r"(?P<label>" + "|".join(re.escape(label) for label, _ in _LABELS) + r")"
    r"(?:为|是)?[：:]?\s*(?P<value>[0-9A-Za-z]+(?:[ \-][0-9A-Za-z]+)*)")
_KIND_OF_LABEL = dict(_LABELS)
# A code written without its label: 18 characters of the GB 32100 alphabet shape (registration
# department, type, six digits of the registrar, nine of the organisation code, a check).
_BARE_USCC = re.compile(r"(?<![0-9A-Za-z])(?P<value>[1-9ANY][0-9A-Z]\d{6}[0-9A-Z]{10})(?![0-9A-Za-z])")
_KIND_LABEL = {"uscc": "统一社会信用代码", "regno": "注册号", "id-card": "身份证号码",
               "seal-code": "印章编码", "licence-serial": "营业执照编号"}
# Only these are errors when wrong: they carry a check character. 印章编码 and 执照编号 have
# none (notices/identifiers.py), so a field read from the text gets their loose warnings.
_CHECKED_IN_TEXT = ("uscc", "regno", "id-card")

# Money as a reduction states it: 1000万元, 伍佰万元人民币, 人民币100万元, 346,750,339元.
_AMOUNT = (r"(?:人民币)?\s*[0-9][0-9,，]*(?:\.[0-9]+)?\s*[十百千万亿拾佰仟萬億]*\s*(?:元|圆)?(?:人民币)?整?"
           r"|(?:人民币)?[零〇一二两三四五六七八九十百千万亿壹贰貳叁參肆伍陆陸柒捌玖拾佰仟萬億]+(?:元|圆)(?:人民币)?整?")
_REDUCTION = re.compile(
    rf"(?:由|从)(?:原来?的?|原)?\s*(?P<before>{_AMOUNT})\s*(?:减少|减|下调|调减|变更|调整|降低|降)(?:至|为|到)\s*"
    rf"(?P<after>{_AMOUNT})")
_REDUCED_BY = re.compile(
    rf"减少(?:注册资本|注册资金)?(?:人民币)?\s*(?P<by>{_AMOUNT})[，,]\s*(?:减资后|减少后|变更后)的?(?:注册资本|注册资金)为?\s*"
    rf"(?P<after>{_AMOUNT})")

# Headers of a listed company's notice: 证券代码：603127 证券简称：昭衍新药 公告编号：2025-025.
_HEADER_ITEM = re.compile(
    r"^\s*(?:(?:证券|股票|债券|基金)代码[：:]\s*[0-9A-Za-z、，,/ ]+"
    r"|(?:证券|股票|债券|基金)简称[：:]\s*[*＊]?(?:ST)?[^\s：:，。]{1,8}?(?=\s|(?:证券|股票|债券|基金)|公告编号|编号|$)"
    r"|公告编号[：:]\s*[0-9A-Za-z\-－—_]+|编号[：:]\s*[0-9A-Za-z\-－—_]+)\s*")

# A signature after the closing: names (of the company, its board, its liquidation group, a
# person after 声明人), dates, and the contact lines papers print there.
_SIGNATURE_DATE = (r"(?:\d{4}年\d{1,2}月\d{1,2}日|\d{4}[-./]\d{1,2}[-./]\d{1,2}|"
                   r"[〇零○一二三四五六七八九]{4}年[〇一二三四五六七八九十]{1,2}月[〇一二三四五六七八九十]{1,3}日)")
_SIGNATURE_ITEM = re.compile(
    rf"\s*(?:{_SIGNATURE_DATE}"
    r"|(?:声明人|公告人|申请人|清算组负责人|负责人|道歉人|致歉人|寻亲人)[：:]\s*[" + _HAN + r"·]{2,30}"
    r"|(?:联系人|联系电话|电话|手机|传真|地址|联系地址|邮编|邮政编码|电子邮箱|邮箱)[：:][^：:]{1,60}?(?=[，,；;。\s]|"
    r"(?:联系人|联系电话|电话|手机|传真|地址|联系地址|邮编|邮政编码|电子邮箱|邮箱)[：:]|$)"
    r"|[" + _HAN + r"（）()·]{2,40}?(?:" + ORG_WORDS + r"|局|委员会|人民政府)"
    r"(?:董事会|监事会|清算组|清算小组|管理人|全体股东)?(?:（盖章）|\(盖章\))?"
    r"|[" + _HAN + r"]{2,4}(?:（签名）|（签字）)?(?=\s*" + _SIGNATURE_DATE + r"|\s*$)"
    r")\s*[，,；;。]?\s*")


# Words of a sentence, which a signature never has.
_NOT_A_SIGNATURE = re.compile(r"请|债权|申报|日内|之日|逾期|应当|须|如有|特此|声明作废")


@dataclass(frozen=True)
class FoundIdentifier:
    """An identifier written in the text, with the label before it (if any) and its check."""
    kind: str
    value: str
    start: int
    label: str
    check: IdentifierCheck


@dataclass(frozen=True)
class Reading:
    """What a finished text says, by field of its type; what was found that no field holds."""
    text: str                                   # the text read (normalised, header kept)
    facts: dict[str, str] = field(default_factory=dict)
    identifiers: tuple[FoundIdentifier, ...] = ()
    # Facts read with enough certainty to contradict a field the client gave.
    firm: frozenset[str] = frozenset()
    signature: str = ""
    header: str = ""
    # Fields with a default (the entity kind: a company): a client that sends fields and leaves
    # one of these out means its default, as the form always did; only a text alone has it read.
    defaulted: frozenset[str] = frozenset()

    def fill(self, given: Mapping[str, object]) -> dict[str, object]:
        """The fields to check: the client's, and for each one absent or blank, what was read.
        The client's value wins wherever there is one."""
        out = dict(given)
        for name in self.filled(given):
            out[name] = self.facts[name]
        return out

    def filled(self, given: Mapping[str, object]) -> list[str]:
        """The fields whose value comes from the text (in the type's order of reading)."""
        sent = any(value not in (None, "") for value in given.values())
        return [name for name in self.facts if given.get(name) in (None, "")
                and not (sent and name in self.defaulted)]


# ---------------------------------------------------------------------------------------------
def prepare(raw: str) -> str | None:
    """The text to read: normalised line by line (so that a header stays on its line), or None
    when it cannot be read (empty, or with characters the checks refuse)."""
    if not raw.strip() or find_forbidden(raw, multiline=True):
        return None
    lines = [normalise_text(line).text for line in re.split(r"\r\n|\r|\n|\u2028|\u2029", raw)]
    return "\n".join(line for line in lines if line)


def strip_header(text: str) -> tuple[str, str]:
    """(header, rest): a listed company's 证券代码/证券简称/公告编号 items at the start."""
    rest, header = text, ""
    while True:
        m = _HEADER_ITEM.match(rest)
        if not m or not m.group(0).strip():
            return header.strip(), rest.lstrip()
        header += m.group(0)
        rest = rest[m.end():]


def _strip_titles(text: str, t: NoticeType) -> tuple[str, str]:
    """(title, rest): the type's printed title, or a title line of the notice's own
    (…公司关于减少注册资本暨通知债权人的公告), at the start."""
    for title in (t.titles or (t.title,)) + (t.title,):
        if text.startswith(title):
            return title, text[len(title):].lstrip(" \n:：")
    first, _, rest = text.partition("\n")
    if rest and len(first) <= 60 and "。" not in first and re.search(r"(?:公告|声明|启事|通知|公示)$", first):
        return first, rest
    return "", text


def signature_start(text: str, closings: tuple[str, ...]) -> int | None:
    """Where a signature begins after the last closing (特此公告。广州某某有限公司 2026年11月26日),
    or None when what follows the last closing is not a signature (or nothing follows)."""
    ends = [m.end() for c in closings for m in re.finditer(re.escape(c), text)]
    if not ends:
        return None
    end = max(ends)
    tail = text[end:]
    stripped = tail.lstrip("。！!.， \n")
    if not stripped or _NOT_A_SIGNATURE.search(stripped):
        return None
    pos, rest = 0, stripped
    while rest:
        m = _SIGNATURE_ITEM.match(rest)
        if not m or not m.group(0):
            return None
        rest = rest[m.end():]
        pos += m.end()
    return end + (len(tail) - len(stripped))


def without_signature(text: str, closings: tuple[str, ...]) -> str:
    """The text up to the end of its closing, when a signature follows it; else the text."""
    start = signature_start(text, closings)
    return text if start is None else text[:start]


# ---------------------------------------------------------------------------------------------
def find_identifiers(text: str) -> list[FoundIdentifier]:
    """Every identifier written in the text: after its label (统一社会信用代码：…, 注册号…,
    身份证号码…), or a credit code written bare. A code quoted as the wrong text of a
    correction ("…"应为"…") is not taken: it is wrong on purpose."""
    found: list[FoundIdentifier] = []
    taken: set[int] = set()
    for m in _LABEL_RX.finditer(text):
        kind = _KIND_OF_LABEL[m["label"]]
        value = m["value"]
        if kind == "id-card" and not re.fullmatch(r"[0-9 \-]{14,}[0-9Xx]", value):
            continue     # 身份证号码 followed by words, not a number
        if _quoted_as_wrong(text, m.start("value")):
            continue
        found.append(FoundIdentifier(kind, value, m.start("value"), m["label"], CHECKS[kind](value)))
        taken.add(m.start("value"))
    for m in _BARE_USCC.finditer(text):
        value = m["value"]
        # 17 digits and an X (or 18 digits) may as well be an ID number: notices/privacy.py
        # decides those; a bare code is taken here only with a letter an ID number never has.
        if m.start("value") in taken or not re.search(r"[A-Z]", value[:17] + value[17].replace("X", "")) \
                or _quoted_as_wrong(text, m.start("value")):
            continue
        found.append(FoundIdentifier("uscc", m["value"], m.start("value"), "", CHECKS["uscc"](m["value"])))
    return sorted(found, key=lambda x: x.start)


def _quoted_as_wrong(text: str, at: int) -> bool:
    opening = text.rfind("“", 0, at)
    if opening < 0 or text.rfind("”", 0, at) > opening:
        return False
    closing = text.find("”", at)
    return closing >= 0 and re.match(r"”\s*(?:应为|应更正为|更正为|有误|系笔误)", text[closing:]) is not None


def _names(text: str) -> list[tuple[int, str]]:
    """The organisations' names in the text, in order, each once, with where it first stands."""
    out: list[tuple[int, str]] = []
    seen: set[str] = set()
    for m in _NAMES.finditer(text):
        name, start = m.group(0), m.start()
        lead = _LEAD_WORDS.match(name)
        while lead and len(name) - lead.end() >= 4:
            start += lead.end()
            name = name[lead.end():]
            lead = _LEAD_WORDS.match(name)
        for part_start, part in _split_parties(start, name):
            if part not in seen and len(part) >= 4 and not _NOT_A_NAME.search(part):
                seen.add(part)
                out.append((part_start, part))
    return out


def _split_parties(start: int, span: str) -> list[tuple[int, str]]:
    """"广州甲有限公司与广州乙有限公司", read as one span: its names."""
    parts: list[tuple[int, str]] = []
    for m in re.finditer(rf"(?:^|(?<=与|和|及|、)){_NAME_BODY}{ORG_SUFFIX}(?=与|和|及|、|$)", span):
        parts.append((start + m.start(), m.group(0)))
    return parts or [(start, span)]


def leading_name(text: str) -> str:
    """The name a notice starts with (the company, the holder of a lost licence), or ""."""
    m = re.match(rf"(?:{_NAME_BODY}{ORG_SUFFIX}){_NAME_FOLLOWS}", text)
    return m.group(0) if m else ""


def _code_after(text: str, end: int) -> str:
    """The credit code written right after a name: （统一社会信用代码：…） or ，统一社会信用代码…"""
    m = re.match(r"\s*[（(，,]?\s*(?:统一社会信用代码|社会信用代码|信用代码)(?:为|是)?[：:]?\s*"
                 r"(?P<value>[0-9A-Za-z]+(?:[ \-][0-9A-Za-z]+)*)", text[end:])
    return m["value"] if m else ""


def _first(pattern: str, text: str, group: int | str = 0) -> str:
    m = re.search(pattern, text, re.S)
    return m.group(group) if m and m.group(group) else ""


def _date_before(text: str, words: str, reach: int = 30) -> str:
    """The date written shortly before one of `words` (于2026年11月20日经股东会决议): ISO, or ""."""
    for _start, end, d in find_dates(text):
        if re.match(rf"[^。；;]{{0,{reach}}}?(?:{words})", text[end:]):
            return d.isoformat()
    return ""


def _amounts(text: str) -> tuple[str, str]:
    """(before, after) of a reduction of the registered capital, as written, or ("", "")."""
    for m in _REDUCTION.finditer(text):
        context = text[max(0, m.start() - 40):m.start()]
        if "股" in text[m.end("before"):m.start("after")] and "元" not in m["before"]:
            continue
        if re.search(r"注册资本|注册资金|实收资本", context + m.group(0)):
            before, after = _tidy_amount(m["before"]), _tidy_amount(m["after"])
            if parse_amount(before) is not None and parse_amount(after) is not None:
                return before, after
    m2 = _REDUCED_BY.search(text)
    if m2:
        by, left = parse_amount(_tidy_amount(m2["by"])), parse_amount(_tidy_amount(m2["after"]))
        if by is not None and left is not None:
            return format_amount(by + left), _tidy_amount(m2["after"])
    return "", ""


def _tidy_amount(value: str) -> str:
    value = re.sub(r"\s+", "", value).replace("，", ",")
    return value.rstrip(",")


# What a resolution's date is written before: 于2026年11月20日经股东会决议, …召开2026年第二次临时股东会.
_DECIDED = r"股东会|股东大会|股东决定|作出.{0,6}(?:决议|决定)|决议|决定"

_DECISIONS = (
    (r"履行出资人职责的机构", "履行出资人职责的机构决定"),
    (r"股东大会", "股东大会决议"),
    (r"股东会", "股东会决议"),
    (r"(?:唯一|一人|全体)?股东(?:作出)?(?:书面)?决定|股东签署的书面决定", "股东决定"),
)


def _decision(text: str, choices: tuple[tuple[str, str], ...]) -> str:
    allowed = {value for value, _ in choices}
    for pattern, value in _DECISIONS:
        if re.search(pattern, text) and value in allowed:
            if value == "股东会决议" and "股东会决议或股东决定" in allowed and re.search(r"股东决定|一人", text):
                return "股东会决议或股东决定"
            return value
    return ""


# ---------------------------------------------------------------------------------------------
def read_notice(t: NoticeType, raw: str) -> Reading | None:
    """What the finished text `raw` says, by field of type `t`; None for no text to read."""
    prepared = prepare(raw)
    if prepared is None:
        return None
    header, rest = strip_header(prepared)
    _title, body = _strip_titles(rest, t)
    # Lines stay apart while reading, so that a value never runs on into the next line.
    flat = body.replace("\n", "")
    sig_at = signature_start(body, t.closings)
    signature = body[sig_at:] if sig_at is not None else ""
    main = body[:sig_at] if sig_at is not None else body
    identifiers = tuple(find_identifiers(body))
    facts: dict[str, str] = {}
    firm: set[str] = set()
    reader = _READERS.get(t.code)
    if reader is not None:
        reader(t, main, signature, facts, firm, rest)
    known = {f.name for f in t.fields}
    facts = {k: v for k, v in facts.items() if k in known and v}
    defaulted = frozenset(f.name for f in t.fields if f.default)
    return Reading(flat, facts, identifiers, frozenset(firm & set(facts)), signature, header, defaulted)


def _company(main: str, signature: str) -> tuple[str, int]:
    """The company a notice is about: the name it starts with, or after 本公司 the signature's."""
    name = leading_name(main)
    if name:
        return name, len(name)
    # 本公司（广州某某有限公司）… / the listed title's "…公司关于…"
    m = re.search(rf"(?:{_NAME_BODY}{ORG_SUFFIX}){_NAME_FOLLOWS}", main[:200])
    sig_names = [n for _, n in _names(signature)]
    if main.startswith(("本公司", "我公司", "本单位")) and sig_names:
        return sig_names[0], -1
    if m and not m.group(0).startswith(("本公司", "公司")):
        names = _names(main[:200])
        if names:
            return names[0][1], names[0][0] + len(names[0][1])
    if sig_names:
        return sig_names[0], -1
    return "", -1


def _read_company_and_code(main: str, signature: str, facts: dict[str, str],
                           name_field: str = "company", code_field: str = "uscc") -> None:
    name, end = _company(main, signature)
    facts[name_field] = name
    code = _code_after(main, end) if end >= 0 else ""
    if not code:
        code = _first(r"(?:统一社会信用代码|社会信用代码|信用代码)(?:为|是)?[：:]?\s*([0-9A-Za-z]{15,20})", main, 1)
    facts[code_field] = code


def _contact(main: str, facts: dict[str, str]) -> None:
    person = r"联系人[：:]\s*([" + _HAN + r"·]{1,10}?(?:先生|女士|小姐|老师)?)(?=[，,；;。\s]|联系|电话|$)"
    facts["contact_person"] = _first(person, main, 1)
    facts["contact_phone"] = _first(r"(?:联系电话|电话|手机)[：:]\s*([0-9\-－（）() /、]{7,40}[0-9])", main, 1)
    facts["contact_address"] = _first(r"(?:联系地址|通讯地址|地址)[：:]\s*([^，,；;。\n]{4,100})", main, 1)


def _read_capital_reduction(t: NoticeType, main: str, signature: str, facts: dict[str, str],
                            firm: set[str], whole: str) -> None:
    _read_company_and_code(main, signature, facts)
    facts["decision"] = _decision(main, t.field("decision").choices)
    facts["resolved_on"] = _date_before(main, _DECIDED, 40)
    before, after = _amounts(main)
    facts["capital_before"], facts["capital_after"] = before, after
    if re.search(r"弥补(?:公司)?亏损", main):
        facts["covers_losses"] = "1"
    _contact(main, facts)
    firm.update({"capital_before", "capital_after", "resolved_on"})


def _read_liquidation(t: NoticeType, main: str, signature: str, facts: dict[str, str],
                      firm: set[str], whole: str) -> None:
    titles = sorted((v for v, _ in t.field("heading").choices), key=len, reverse=True)
    # The title the text starts with; without one, the type's own (清算公告).
    facts["heading"] = next((x for x in titles if whole.startswith(x)), "") or t.title
    _read_company_and_code(main, signature, facts)
    after_name = main[len(facts["company"]):] if main.startswith(facts["company"]) else main
    facts["cause"] = _first(
        r"(经?(?:公司)?(?:全体)?(?:股东会|股东大会|股东|董事会|出资人|投资人|合伙人会议|合伙人|成员大会|举办单位|"
        r"所属公司|经营者|会员代表大会|会员大会|理事会)(?:作出)?(?:决议|决定|一致同意)(?:解散|撤销|停止经营)?|营业期限届满|经营期限届满|(?:公司)?章程规定的解散事由出现|"
        r"(?:依法)?被吊销营业执照|(?:依法)?被责令关闭|(?:依法)?被撤销|人民法院[^，。]{0,20}解散|"
        r"因[^，。；]{2,30}?(?=[，。；]|解散|决定|已|现|拟|，))", after_name, 1)
    facts["group_formed_on"] = _date_before(main, r"成立(?:了)?清算(?:组|小组)|清算(?:组|小组)(?:已)?成立", 12)
    if any(f.name == "entity" for f in t.fields):
        facts["entity"] = _entity(facts["company"], facts["uscc"], main)
    _contact(main, facts)
    firm.add("group_formed_on")


def _entity(name: str, code: str, text: str) -> str:
    """The kind of entity a 清算/注销公告 is about (notices/entities.py), from its name, the
    registration department and type of its credit code (GB 32100: 1 机构编制, 5 民政, 92 个体工商户,
    93 农民专业合作社) and the words of the text; "" (a company) when nothing says otherwise."""
    code = code.upper()
    if name.endswith("分公司"):
        return "branch"
    if re.search(r"合伙企业|（(?:有限|普通|特殊普通)合伙）", name):
        return "partnership"
    if "合作社" in name or code.startswith("93"):
        return "cooperative"
    if "个人独资企业" in name or re.search(r"个人独资企业|经投资人决定", text):
        return "sole"
    if code.startswith("92") or "个体工商户" in text:
        return "individual"
    if code.startswith("1") or re.search(r"举办单位|事业单位", text):
        return "institution"
    if code.startswith("5") or re.search(r"(?:协会|商会|基金会|学会|研究会|促进会|联合会)$", name) \
            or re.search(r"社会团体|民办非企业单位|会员(?:代表)?大会", text):
        return "social"
    return ""


def _read_merger(t: NoticeType, main: str, signature: str, facts: dict[str, str],
                 firm: set[str], whole: str) -> None:
    form = _first(r"(吸收合并|新设合并)", main, 1)
    facts["merger_form"] = form
    names = _names(main)
    new = ""
    if form == "新设合并":
        founded = re.search(r"(?:合并)?(?:设立|成立)(?:一家)?(?:新的?公司)?[“\"]?", main)
        new = leading_name(main[founded.end():]) if founded else ""
        facts["new_company"] = new
    parties = [(start, n) for start, n in names if n != new]
    for i, (start, name) in enumerate(parties[:3], 1):
        facts[f"party{i}_name"] = name
        facts[f"party{i}_uscc"] = _code_after(main, start + len(name))
    facts["decision"] = _decision(main, t.field("decision").choices)
    facts["resolved_on"] = _date_before(main, _DECIDED, 40)
    numerals = "0-9零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟萬億.,"
    capital = _first(rf"注册资本(?:为|将为|变更为|：)?\s*((?:人民币)?[{numerals}]+(?:万|亿)?元(?:人民币)?)", main, 1)
    facts["capital_after"] = capital
    _contact(main, facts)
    firm.update({"merger_form", "resolved_on"})


def _read_division(t: NoticeType, main: str, signature: str, facts: dict[str, str],
                   firm: set[str], whole: str) -> None:
    _read_company_and_code(main, signature, facts)
    form = _first(r"(存续分立|新设分立|派生分立)", main, 1)
    facts["division_form"] = "存续分立" if form == "派生分立" else form
    facts["decision"] = _decision(main, t.field("decision").choices)
    facts["resolved_on"] = _date_before(main, _DECIDED, 40)
    results = _first(r"分立为(.+?)(?:。|；|，(?!注册资本)(?=[^（(]*?(?:分立后|原公司|公司分立前)))", main, 1) or \
        _first(r"分立为([^。]+)", main, 1)
    i = 0
    for m in re.finditer(rf"(?:{_NAME_BODY}{ORG_SUFFIX})(?:[（(]注册资本(?:为)?(?P<capital>[^）)]+)[）)])?", results):
        name = re.sub(r"^(?:和|及|与|、|两家公司|三家公司|即)", "", m.group(0).split("（")[0].split("(")[0])
        i += 1
        if i > 3:
            break
        facts[f"result{i}_name"] = name
        facts[f"result{i}_capital"] = m["capital"] or ""
    _contact(main, facts)
    firm.update({"division_form", "resolved_on"})


def _read_revocation(t: NoticeType, main: str, signature: str, facts: dict[str, str],
                     firm: set[str], whole: str) -> None:
    _read_company_and_code(main, signature, facts)
    sentence = _first(r"([^。]*撤销[^。]*)", main, 1)
    channel = re.search(r"在(《[^》]{1,20}》|本报|国家企业信用信息公示系统|[^，。的]{2,30}?)(?:第?[A-Za-z0-9]+版)?"
                        r"(?:上)?(?:分别)?(?:对外)?(?:公示|刊登|刊发|发布|公告)", sentence)
    facts["original_channel"] = channel.group(1) if channel else ""
    # The dates of the revoked publications: those written just before 在 (the channel), one or
    # several (2020年9月19日、2020年9月26日在…), not the date of the resolution to revoke.
    chain: list[date] = []
    cur = channel.start() if channel else 0
    for start, end, d in reversed(find_dates(sentence[:cur])):
        if not re.fullmatch(r"[、，,和及\s]*", sentence[end:cur]):
            break
        chain.insert(0, d)
        cur = start
    facts["original_dates"] = "、".join(f"{d.year}年{d.month}月{d.day}日" for d in chain)
    if t.fields and any(f.name == "decision" for f in t.fields):
        facts["decision"] = _decision(main, t.field("decision").choices)
        facts["resolved_on"] = _date_before(main, _DECIDED, 20)
        firm.add("resolved_on")
    facts["revoked_items"] = _first(r"(?:公示|刊登|刊发|发布|公告)的([^，。]{2,60}?)"
                                    r"(?:，|。|予以撤销|现予撤销|现予以撤销|作废|$)", sentence, 1)
    if re.search(r"解散清算组|清算组(?:予以|同时)?解散", main):
        facts["dissolve_group"] = "1"
    if any(f.name == "entity" for f in t.fields):
        facts["entity"] = _entity(facts["company"], facts["uscc"], main)


def _read_correction(t: NoticeType, main: str, signature: str, facts: dict[str, str],
                     firm: set[str], whole: str) -> None:
    facts["subject"] = leading_name(main) or _first(rf"^([{_HAN}·]{{2,30}}?)(?=于|在)", main, 1)
    facts["original_newspaper"] = _first(r"(《[^》]{1,20}》|本报)", main, 1)
    dates = find_dates(main)
    facts["original_date"] = dates[0][2].isoformat() if dates else ""
    facts["original_page"] = _first(r"第?([A-Za-z]?\d{1,3}|[A-Za-z]\d{0,3})版", main, 1)
    facts["original_title"] = _first(r"刊登的(?:《)?([^，。》“]{2,20}?)(?:》)?(?:中|，|一文)", main, 1)
    facts["wrong_text"] = _first(r"“([^”]{1,200})”\s*(?:应为|应更正为|更正为)", main, 1)
    facts["correct_text"] = _first(r"(?:应为|应更正为|更正为)\s*“([^”]{1,200})”", main, 1)


_SEALS = (r"(?:公章|财务专用章|财务章|合同专用章|合同章|发票专用章|发票章|法人名章|法人章|法定代表人名章|法定名称章|"
          r"报关专用章|人事专用章|印章|专用章|名章)")


def _read_lost_document(t: NoticeType, main: str, signature: str, facts: dict[str, str],
                        firm: set[str], whole: str) -> None:
    m = re.search(r"(?:不慎)?(?:遗失|丢失)", main)
    if not m:
        return
    holder = main[:m.start()]
    holder = re.sub(r"[（(][^）)]*[）)]", "", holder)
    holder = re.sub(r"[，,\s]*(?:统一社会信用代码|注册号)[：:]?[0-9A-Za-z]*[，,]?", "", holder).strip("，, ")
    if holder.startswith(("本公司", "本单位", "我公司")) or not holder:
        names = [n for _, n in _names(signature)]
        holder = names[0] if names else ""
    facts["holder"] = holder
    obj = main[m.end():]
    item = re.split(r"[，,。；;]", obj, maxsplit=1)[0]
    if "营业执照" in item:
        facts["variant"] = "licence"
        copy = _first(r"(正、副本|正副本|正本和副本|正本及副本|正本、副本|正本|副本)", item, 1)
        facts["licence_copy"] = "正、副本" if copy and len(copy) > 2 else copy
    elif re.search(_SEALS, item):
        facts["variant"] = "seal"
        seal = re.sub(r"(?:各|共)?(?:一|壹|1)枚.*$", "", item)
        facts["seal_kind"] = re.sub(r"^(?:的|了)", "", seal)
    else:
        facts["variant"] = "document"
        document = re.sub(r"(?:一|壹|1)(?:张|份|本|个|册)(?=[（(]|$)", "", item)
        note = _first(r"[（(]([^）)]+)[）)]\s*$", document, 1)
        facts["document_name"] = re.sub(r"[（(][^）)]+[）)]\s*$", "", document)
        facts["document_note"] = note
        number = _first(r"(?<!印章)(?<!执照)(?<!注册)编号(?:为|是)?[：:]?\s*([0-9A-Za-z\-]+)", obj, 1)
        facts["document_number"] = number
    for ident in find_identifiers(main):
        name = {"uscc": "uscc", "regno": "regno", "seal-code": "seal_code", "licence-serial": "licence_serial",
                "id-card": "id_card"}[ident.kind]
        facts.setdefault(name, ident.value)
    if facts.get("variant") == "licence" and not facts.get("licence_serial"):
        facts["licence_serial"] = _first(r"(?<!印章)(?<!注册)编号[：:]?\s*([0-9A-Za-z]+)", main, 1)
    if facts.get("variant") == "seal" and not facts.get("seal_code"):
        facts["seal_code"] = _first(r"(?:印章)?(?:编码|编号)[：:]?\s*(\d{13})", main, 1)
    # An ID number stays in the text, where it is checked and pointed out (it prints masked:
    # notices/privacy.py); the ID field is for a number the form composes into the text.
    facts.pop("id_card", None)


# ---------------------------------------------------------------------------------------------
# The notice types beyond companies' (docs/law.md §9). Their published texts are less uniform
# than a company's: each fact is read where it is labelled (展示地点：…) or where the sentence
# that states it has its common form (…已将…转让给…, …由…迁至…); a fact not found stays empty.
_URL = r"(?:https?://|www\.)[0-9A-Za-z\-._~:/?#\[\]@!$&'()*+,;=%]+"
_DATE_WORDS = (r"(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}[-./]\d{1,2}[-./]\d{1,2}"
               r"|[〇零○一二三四五六七八九]{4}年[〇一二三四五六七八九十]{1,2}月[〇一二三四五六七八九十]{1,3}日)")
# The end of a range written short: 2026年12月4日至7日, 2026年11月27日至12月10日.
_RANGE_END = re.compile(r"(?P<first>\d{4})\s*年\s*(?P<m1>\d{1,2})\s*月\s*\d{1,2}\s*日\s*(?:[（(][^）)]{1,6}[）)])?\s*"
                        r"(?:起)?\s*(?:至|到|—|－|-|~|～)\s*(?!\d{4})(?:(?P<m2>\d{1,2})\s*月)?\s*(?P<d2>\d{1,2})\s*日")


def range_ends(text: str) -> list[tuple[int, int, date]]:
    """The last days of ranges whose end leaves out the year (and month): (start, end, day)."""
    out: list[tuple[int, int, date]] = []
    for m in _RANGE_END.finditer(text):
        year, month = int(m["first"]), int(m["m2"] or m["m1"])
        if month < int(m["m1"]):
            year += 1       # 2026年12月28日至1月8日
        try:
            out.append((m.start("d2") - (len(m["m2"]) + 1 if m["m2"] else 0), m.end(), date(year, month, int(m["d2"]))))
        except ValueError:
            continue
    return out


def _range_after(text: str, words: str) -> tuple[str, str]:
    """(first, last) of the date range written after one of `words` (展示时间：…至…), ISO, or ("", "")."""
    m = re.search(rf"(?:{words})", text)
    if not m:
        return "", ""
    tail = text[m.end():m.end() + 80]
    dates = find_dates(tail)
    if not dates:
        return "", ""
    start, end, first = dates[0]
    if len(dates) > 1 and re.fullmatch(r"\s*(?:[（(][^）)]{1,6}[）)])?\s*(?:\d{1,2}[:：]\d{2}|\d{1,2}时)?\s*(?:起)?\s*"
                                       r"(?:至|到|—|－|-|~|～)\s*", tail[end:dates[1][0]]):
        return first.isoformat(), dates[1][2].isoformat()
    short = [d for s, _e, d in range_ends(tail) if s >= end]
    if short and re.match(r"\s*(?:[（(][^）)]{1,6}[）)])?\s*(?:起)?\s*(?:至|到|—|－|-|~|～)", tail[end:]):
        return first.isoformat(), short[0].isoformat()
    return first.isoformat(), ""


def _alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a pattern: a|b(?:c|d) → a, b(?:c|d)."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(pattern):
        if char == "(" and pattern[i - 1:i] != "\\":
            depth += 1
        elif char == ")" and pattern[i - 1:i] != "\\":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
    return parts + [pattern[start:]]


def _labelled(text: str, labels: str, stop: str = r"[。；;\n]") -> str:
    """The value after a label (展示地点：标的所在地；), or on the line after a section heading
    (二、征求意见的公众范围⏎…): up to the end of its clause. The labels are tried in their order."""
    for label in _alternatives(labels):
        value = _first(rf"(?:{label})(?:(?:为|是)[：:]?|[：:]|[ \t]*\n)[ \t]*([^\n]+?)(?={stop}|$)", text, 1).strip()
        if value:
            return value
    return ""


def _org_name_at(text: str) -> str:
    """The organisation's name at the start of `text`, with or without a quotation mark after it."""
    m = re.match(rf"[“\"]?({_NAME_BODY}{ORG_SUFFIX})(?:(?=[”\"])|{_NAME_FOLLOWS})", text)
    return m.group(1) if m else ""


def _sentence_with(text: str, pattern: str, but: str = "") -> str:
    """The first sentence (to its 。) that matches `pattern` (and not `but`), with its 。."""
    for m in re.finditer(r"[^。\n]+。?", text):
        if re.search(pattern, m.group(0)) and not (but and re.search(but, m.group(0))):
            return m.group(0).strip()
    return ""


def _clause_with(text: str, pattern: str) -> str:
    """The first clause (to its 。 or ；) that matches `pattern`, without its stop."""
    for m in re.finditer(r"[^。；;\n]+", text):
        if re.search(pattern, m.group(0)):
            return m.group(0).strip(" ，,")
    return ""


_PHONE = r"(?:联系电话|电话|手机|联系方式)[：:为]?\s*((?:\+?86[- ]?)?[0-9][0-9\-－（）() ]{5,30}[0-9])"
_PERSON_AFTER_LABEL = (r"联系人[：:]\s*([" + _HAN + r"·]{1,10}?(?:先生|女士|小姐|老师)?)"
                       r"(?=[，,；;。\s]|联系|电话|$)")


def _phone(text: str) -> str:
    return _first(_PHONE, text, 1)


def _iso(value: str) -> str:
    d = parse_date(re.sub(r"\s+", "", value))
    return d.isoformat() if d else ""


def _title_read(t: NoticeType, whole: str) -> str:
    return next((x for x in sorted(t.titles, key=len, reverse=True) if whole.startswith(x)), "")


# 根据甲银行与乙资产管理公司签订的《债权转让协议》: the parties' full names, in that order.
_SIGNED_BY = re.compile(
    rf"(?:根据|依据|经)?({_NAME_BODY}{ORG_SUFFIX})(?:[（(][^）)]*[）)])?(?:与|和)"
    rf"({_NAME_BODY}{ORG_SUFFIX})(?=[（(]|于|在|签|共同|之间)(?:[（(][^）)]*[）)])?[^。]{{0,40}}?签(?:订|署)")
# 甲银行已将其对下列借款人享有的债权……转让给乙公司
_HANDED_OVER = re.compile(
    r"(?:已|已经|现|依法)?将(?:其)?[^。]{0,120}?(?:债权|权利)[^。]{0,80}?(?:依法)?转让(?:给|予|于|至)")
_AGREEMENT = r"(《[^》]{0,30}转让[^》]{0,20}》(?:[（(][^）)]*(?:编号|合同号)[^）)]*[）)])?)"
_DEBTOR_LIST = (r"债务人、担保人及债权金额|借款人、担保人及债权金额|债权清单|债务人名单|债权明细|"
                r"清单如下|明细如下")
_DEBTOR_SENTENCE = r"(?:借款人|债务人)[^。]*?\d[\d,，.]*\s*(?:万)?元"


def _read_debt_assignment(t: NoticeType, main: str, signature: str, facts: dict[str, str],
                          firm: set[str], whole: str) -> None:
    facts["heading"] = _title_read(t, whole)
    assignor = assignee = ""
    pair = _SIGNED_BY.search(main)
    if pair:
        assignor, assignee = _LEAD_WORDS.sub("", pair[1]), pair[2]
    handed = _HANDED_OVER.search(main)
    if handed and not (assignor and assignee):
        before = [n for s, n in _names(main) if s + len(n) <= handed.start()]
        assignor = assignor or (_LEAD_WORDS.sub("", before[-1]) if before else "")
        assignee = assignee or _org_name_at(main[handed.end():])
    for role, name in (("assignor", assignor), ("assignee", assignee)):
        facts[role] = name
        at = main.find(name) if name else -1
        facts[f"{role}_uscc"] = _code_after(main, at + len(name)) if at >= 0 else ""
    facts["agreement"] = _first(_AGREEMENT, main, 1)
    facts["assigned_on"] = _date_before(main, r"签(?:订|署)", 40)
    debtors = _labelled(main, _DEBTOR_LIST, r"联系人|联系电话|联系地址|特此公告|$")
    facts["debtors"] = debtors.strip() or _sentence_with(main, _DEBTOR_SENTENCE).rstrip("。")
    _contact(main, facts)
    firm.add("assigned_on")


_PROJECT_BEFORE_EIA = (r"(?:^|[。：:，,])\s*([^。：:；，,\n《》“”]{4,80}?(?:项目|工程))(?:[（(][^）)]*[）)])?"
                       r"环境影响")
# A link labelled as the opinion form's, not the report's.
_FORM_LABEL_BEFORE = r"意见表(?:的)?(?:网络)?(?:链接|网址|下载地址)?[：:]?\s*$"
_FORM_AT_SAME_ADDRESS = (r"意见表[^。]{0,30}?(?:上述|同上|前述|该)(?:网址|链接|网站|网页)"
                         r"|(?:上述|前述|该)(?:网址|链接|网站|网页)[^。]{0,30}?意见表")
_PAPER_COPY = (r"纸质报告书查阅方式|纸质报告书查阅地点|纸质报告书查阅途径|纸质报告书的查阅方式|"
               r"查阅纸质报告书的方式和途径")
_HOW_TO_COMMENT = r"公众提出意见的方式和途径|提出意见的方式和途径|提交意见的方式|意见提交方式"
_CONSULTATION = (r"起止时间|征求意见期限|征求意见期|公示期限|公示期|公示时间|征求意见时间|意见的时间|"
                 r"期限为")


def _read_eia_publicity(t: NoticeType, main: str, signature: str, facts: dict[str, str],
                        firm: set[str], whole: str) -> None:
    project = (_labelled(main, r"建设项目名称|项目名称", r"[，,。；;\n]")
               or _first(r"《([^》]{4,80}?(?:项目|工程))环境影响报告书", main, 1)
               or _first(r"[“\"]([^”\"]{4,80}?(?:项目|工程))[”\"]", main, 1)
               or _first(_PROJECT_BEFORE_EIA, main, 1))
    facts["project"] = re.sub(r"^(?:现将|现对|现就|将|对|关于|就)", "", project)
    builder = _labelled(main, r"建设单位(?:名称)?", r"[，,。；;（(\n]|联系")
    if not (builder and re.search(rf"(?:{ORG_WORDS})$", builder)):
        builder = _first(rf"({_NAME_BODY}{ORG_SUFFIX})(?:[（(][^）)]*[）)])?(?:现|拟|特|将|依据|根据|按照)", main, 1)
    if not builder:
        names = [n for _, n in _names(signature)]
        builder = names[0] if names else ""
    facts["builder"] = builder
    urls = [(m.start(), m.group(0).rstrip(".,;")) for m in re.finditer(_URL, main)]
    report = next((u for s, u in urls if re.search(r"征求意见稿|报告书|全文|网络链接|网址", main[max(0, s - 40):s])
                   and not re.search(_FORM_LABEL_BEFORE, main[max(0, s - 40):s])), "")
    form = next((u for s, u in urls if re.search(r"意见表", main[max(0, s - 40):s])), "")
    if not form and re.search(_FORM_AT_SAME_ADDRESS, main):
        form = report       # "公众意见表可在上述网址下载"
    facts["report_link"], facts["form_link"] = report, form
    facts["paper_copy"] = _labelled(main, _PAPER_COPY) or _clause_with(main, r"纸质")
    facts["public_scope"] = (_labelled(main, r"征求意见的公众范围|公众范围")
                             or _first(r"([^。；：:，\n]*范围内的[^。；，\n]*)", main, 1))
    facts["how_to_comment"] = (_labelled(main, _HOW_TO_COMMENT, r"[。\n]|联系人|联系电话")
                               or _clause_with(main, r"信函|电子邮件|邮件|传真|邮寄"))
    facts["consult_from"], facts["consult_to"] = _range_after(main, _CONSULTATION)
    _contact(main, facts)
    firm.update({"consult_from", "consult_to"})


_AUCTIONEER = rf"^({_NAME_BODY}{ORG_SUFFIX})(?=定于|将于|兹定于|拟于|现定于|受|于\d)"
_SALE_DAY = re.compile(rf"(?:定于|将于|兹定于|拍卖时间(?:为)?[：:]?|拍卖会(?:时间)?[：:]?)\s*(?P<day>{_DATE_WORDS})")
_SALE_TIME = (r"^\s*[（(]?(?:星期|周)?[一二三四五六日天]?[）)]?\s*((?:上午|下午|晚上|早上)?\s*\d{1,2}\s*"
              r"(?:[:：]\s*\d{2}|时(?:\s*\d{1,2}\s*分|整|半)?|点(?:半|整)?))")
_SALE_PLACE = (r"^[^。在]{0,30}?在(.+?)(?=举行|举办|进行|依法|公开|按|以|通过|对下列|对以下|"
               r"拍卖(?:[：:，,。下以如]|$)|[，,。；;])")
_LOTS = r"公开拍卖(?:下列|以下|如下)?(?:标的|财产|资产)?[：:]\s*(.+?)(?=[。\n]|展示|预展|看样)"
_PROCEDURES = r"竞买(?:登记)?手续|报名(?:办法|方式|手续)|竞买人须知|竞买须知"


def _read_auction(t: NoticeType, main: str, signature: str, facts: dict[str, str],
                  firm: set[str], whole: str) -> None:
    facts["consignor"] = _first(r"受(.{2,40}?)(?:的)?委托", main, 1)
    rest = re.sub(r"^受.{2,40}?委托[，,]?", "", main)
    auctioneer = _first(_AUCTIONEER, rest, 1) or leading_name(rest)
    if not auctioneer or auctioneer in ("本公司", "我公司"):
        names = [n for _, n in _names(signature)] or [n for _, n in _names(main) if "拍卖" in n]
        auctioneer = names[0] if names else ""
    facts["auctioneer"] = auctioneer
    sale = _SALE_DAY.search(main)
    facts["sale_place"] = _labelled(main, r"拍卖地点")
    if sale:
        facts["sale_on"] = _iso(sale["day"])
        after = main[sale.end():]
        facts["sale_time"] = _first(_SALE_TIME, after, 1)
        facts["sale_place"] = facts["sale_place"] or _first(_SALE_PLACE, after, 1)
    lots = _labelled(main, r"拍卖标的(?:及参考价)?|标的(?:名称)?", r"[。\n]|展示|预展|看样") or _first(_LOTS, main, 1)
    facts["lots"] = lots.rstrip("；;，,")
    facts["view_from"], facts["view_to"] = _range_after(main, r"展示|预展|看样")
    facts["view_place"] = (_labelled(main, r"展示地点|预展地点|看样地点|展示地址", r"[。；;，,\n]")
                           or _first(r"在([^，,。；;\n]{2,60}?)(?:展示|预展|看样)", main, 1))
    facts["procedures"] = (_labelled(main, _PROCEDURES, r"[。\n]|联系")
                           or _clause_with(main, r"手续|竞买登记|报名") or _clause_with(main, r"保证金"))
    _contact(main, facts)
    firm.update({"sale_on", "view_from", "view_to"})


_OLD_NAME = rf"原(?:企业名称|公司名称|名称|名)(?:为|是)?[：:]?[“\"]?({_NAME_BODY}{ORG_SUFFIX})"
_REGISTRAR = (r"经(.{2,30}?(?:市场监督管理局|市场监管局|工商行政管理局|行政审批局|行政审批服务局|民政局|"
              r"登记机关))(?:的)?(?:核准|批准|登记)")
_CODE = r"(?:统一社会信用代码|社会信用代码|信用代码)(?:为|是)?[：:]?\s*([0-9A-Z]{18})"


def _read_rename(t: NoticeType, main: str, signature: str, facts: dict[str, str],
                 firm: set[str], whole: str) -> None:
    old = _first(_OLD_NAME, main, 1)
    if not old:
        old = leading_name(main) or leading_name(re.sub(r"^(?:本公司|本单位|我公司)[，,]?", "", main))
    if not old or old in ("本公司", "我公司"):
        names = [n for _, n in _names(signature)]
        old = names[0] if names else ""
    changed = re.search(r"(?:名称)?(?:变更为|更名为|更改为|改名为|名称变更为)\s*", main)
    new = _org_name_at(main[changed.end():]) if changed else ""
    facts["old_name"], facts["new_name"] = old, new
    at = main.find(old) if old else -1
    facts["uscc"] = (_code_after(main, at + len(old)) if at >= 0 else "") or _first(_CODE, main, 1)
    facts["registrar"] = _first(_REGISTRAR, main, 1)
    since = _first(rf"自({_DATE_WORDS})起", main, 1)
    facts["changed_on"] = _iso(since) if since else _date_before(main, r"核准|批准|变更为|更名为|更名", 30)
    firm.add("changed_on")


_MOVES = r"迁至|迁往|迁入|搬迁至|搬至|搬到|迁到|搬往"
_FROM_ADDRESS = (rf"(?:由|从)(?:原(?:办公|经营|营业)?(?:地址|地点|住所)?)?[：:]?\s*([^，。；]{{4,100}}?)"
                 rf"(?:整体)?(?:{_MOVES})")
_TO_ADDRESS = rf"(?:{_MOVES})(?:新址)?[：:]?\s*(?!新址)([^，。；]{{4,100}}?)(?:办公|营业|经营|[，。；]|$)"
_MOVED_ON = rf"(?:于|已于|将于)({_DATE_WORDS})(?:起)?(?:整体)?(?:{_MOVES})"


def _read_relocation(t: NoticeType, main: str, signature: str, facts: dict[str, str],
                     firm: set[str], whole: str) -> None:
    _read_company_and_code(main, signature, facts)
    facts["old_address"] = (_first(_FROM_ADDRESS, main, 1)
                            or _labelled(main, r"原(?:办公|经营|营业)?(?:地址|地点|住所)", r"[，,。；;\n]"))
    facts["new_address"] = (_first(_TO_ADDRESS, main, 1)
                            or _labelled(main, r"新(?:办公|经营|营业)?(?:地址|地点|住所)", r"[，,。；;\n]"))
    since = _first(rf"自({_DATE_WORDS})起", main, 1) or _first(_MOVED_ON, main, 1)
    facts["moved_on"] = _iso(since) if since else ""
    facts["contact_person"] = _first(_PERSON_AFTER_LABEL, main, 1)
    facts["contact_phone"] = _phone(main)
    firm.add("moved_on")


_SEALS_TAKEN_INTO_USE = (r"启用(?:新的|新刻制的|新刻的|新|经备案的新)?"
                         r"((?:[" + _HAN + r"（）()]{0,12}?章[、和及与]?){1,5})(?=[（(，,。；;]|$|印章编码)")


def _read_new_seal(t: NoticeType, main: str, signature: str, facts: dict[str, str],
                   firm: set[str], whole: str) -> None:
    _read_company_and_code(main, signature, facts)
    facts["seal_kind"] = _first(_SEALS_TAKEN_INTO_USE, main, 1).rstrip("、和及与")
    facts["seal_code"] = _first(r"(?:印章)?编码(?:为|是)?[：:]?\s*(\d{13})", main, 1)
    facts["reason"] = _first(r"因(.{2,20}?)[，,]", main, 1)
    since = _first(rf"自({_DATE_WORDS})起", main, 1)
    facts["since"] = _iso(since) if since else ""
    facts["old_void"] = "1" if re.search(r"作废|停止使用|不再使用|失效", main) else "0"
    firm.add("since")


_RELATIONS = (r"亲生父母|生父母|亲生父亲|亲生母亲|生父|生母|父母|父亲|母亲|爷爷|奶奶|外公|外婆|祖父|祖母|"
              r"儿子|女儿|孙子|孙女|亲哥哥|亲姐姐|亲弟弟|亲妹妹|哥哥|姐姐|弟弟|妹妹|兄长|胞兄|胞弟|胞姐|胞妹|"
              r"叔叔|伯父|舅舅|姑姑|姨妈|亲人|家人")
# 王秀英寻找1998年送养的女儿王小燕。 / ……。本人现寻找失散多年的亲生父母。
_SEEKS = re.compile(rf"(?:^|[。，,])\s*([{_HAN}·]{{2,6}}?)(?:[（(][^）)]*[）)])?(?:，[^。]{{0,40}}?)?"
                    rf"(?:现|特|今)?(?:登报)?寻找(?:[^。，,]{{0,16}}?的)?(?:其|我的|我)?({_RELATIONS})"
                    rf"([{_HAN}·]{{2,4}})?(?=[，,。；;（(]|$)")
_PARTED = r"走失|走散|失散|失踪|失联|被拐|拐卖|送养|遗弃|离家|分离|抱养|送给"
_FEATURES = r"特征|痣|疤|胎记|身高|身穿|穿着|随身|口音|左|右"
_ASK_FOR = r"(?:请与|请联系|联系人[：:])\s*([" + _HAN + r"·]{1,6}?(?:先生|女士|小姐)?)(?=联系|[，,。；;：:]|电话)"


def _read_family_search(t: NoticeType, main: str, signature: str, facts: dict[str, str],
                        firm: set[str], whole: str) -> None:
    m = _SEEKS.search(main)
    if m:
        seeker = m[1]
        if seeker in ("本人", "我们", "我家"):     # 陈小明，男，1985年出生……本人现寻找亲生父母
            seeker = _first(rf"^([{_HAN}·]{{2,4}})[，,（(]", main, 1)
        facts["seeker"], facts["relation"] = seeker, m[2]
        facts["sought"] = m[3] or m[2]
    facts["circumstances"] = _sentence_with(main, _PARTED, but=r"寻找")
    features = _sentence_with(main, _FEATURES)
    facts["features"] = features if features != facts["circumstances"] else ""
    facts["contact_person"] = _first(_ASK_FOR, main, 1)
    facts["contact_phone"] = _phone(main)


# 福晓军，男，2026年5月出生，…
_CHILD = re.compile(rf"\s*(?:(?:儿童|弃婴|婴儿|女婴|男婴)[，,：:]?)?([{_HAN}·]{{2,5}}?)[，,、]\s*(男|女)"
                    rf"(?:[，,、]\s*([^，。]{{1,20}}?(?:出生|大|岁|月龄|个月)))?")
_FOUND = re.compile(rf"(?:于)?(?P<day>{_DATE_WORDS})(?:[^。]{{0,6}}?)在(?P<place>[^。]{{2,80}}?)(?:被)?(?:人)?"
                    r"(?:发现|捡拾|拾获|遗弃)")
_OFFICES = (rf"[{_HAN}（）()]{{2,40}}?(?:民政局|民政厅|社会福利院|儿童福利院|福利院|儿童福利中心|救助管理站|"
            r"救助站|保护中心)")


def _read_foundling(t: NoticeType, main: str, signature: str, facts: dict[str, str],
                    firm: set[str], whole: str) -> None:
    facts["heading"] = _title_read(t, whole)
    m = _CHILD.match(main)
    if m:
        facts["child"], facts["sex"], facts["birth"] = m[1], m[2], m[3] or ""
    else:   # …捡拾女婴一名，取名福小安，约3个月大
        facts["child"] = _first(rf"取名(?:为)?[“\"]?([{_HAN}·]{{2,5}}?)[”\"]?(?=[，,。；;（(]|$)", main, 1)
        facts["sex"] = _first(r"(男|女)(?:婴|孩|童)", main, 1)
        facts["birth"] = _first(r"(约?\d{1,2}(?:个月|岁)(?:大)?|\d{4}年\d{1,2}月(?:\d{1,2}日)?(?:出生|生))", main, 1)
    found = _FOUND.search(main)
    if found:
        facts["found_on"] = _iso(found["day"])
        facts["found_place"] = found["place"]
    facts["features"] = _sentence_with(main, r"特征|身穿|穿着|随身|包裹|胎记|体貌|衣物")
    facts["contact_address"] = (_labelled(main, r"认领地点|认领地址", r"[，,。；;\n]|联系")
                                or _first(r"(?:持[^。，]{0,12}?)?到(.{2,80}?)(?:办理)?认领", main, 1))
    facts["contact_phone"] = _phone(main)
    facts["announcer"] = (_first(rf"由({_OFFICES})(?:依法)?安置", main, 1) or _first(rf"^\s*({_OFFICES})", signature, 1)
                          or _first(rf"({_OFFICES})", main, 1))
    firm.add("found_on")


_APOLOGY_TO = (r"向([^，。、：:]{2,30}?)(?:及其[^，。]{1,10})?(?:公开|郑重|诚挚)?(?:地)?"
               r"(?:赔礼道歉|道歉|致歉|表示歉意|表示诚挚的歉意|表示深深的歉意)")
_SPEAKS_AS = ("本公司", "我公司", "本单位", "本人", "本店")


def _read_apology(t: NoticeType, main: str, signature: str, facts: dict[str, str],
                  firm: set[str], whole: str) -> None:
    facts["injured"] = _first(_APOLOGY_TO, main, 1)
    apologiser = (_first(r"(?:道歉人|致歉人|声明人)[：:]\s*([^，。\s]{2,40})", signature + main, 1)
                  or _first(r"^(?:本人|我)([" + _HAN + r"·]{2,4})(?=[，,（(于在因曾])", main, 1)
                  or leading_name(main)
                  or _first(r"^([" + _HAN + r"·]{2,4})(?=[，,（(]|于|在|因|曾|向)", main, 1))
    if not apologiser or apologiser in _SPEAKS_AS:
        names = [n for _, n in _names(signature)]
        apologiser = names[0] if names else ""
    facts["apologiser"] = apologiser
    court = _first(r"([" + _HAN + r"]{2,30}?人民法院)", main, 1)
    facts["court"] = re.sub(r"^(?:根据|依据|依照|按照|经|由)", "", court)
    facts["case_number"] = _first(r"([（(]\s*\d{4}\s*[）)][^，。号（(]{1,20}?号)", main, 1)
    facts["ruling"] = _first(r"(民事判决书|民事调解书)", main, 1)
    facts["statement"] = main.strip()


_READERS = {
    "capital-reduction": _read_capital_reduction,
    "liquidation": _read_liquidation,
    "merger": _read_merger,
    "division": _read_division,
    "revocation": _read_revocation,
    "correction": _read_correction,
    "lost-document": _read_lost_document,
    "debt-assignment": _read_debt_assignment,
    "eia-publicity": _read_eia_publicity,
    "auction": _read_auction,
    "rename": _read_rename,
    "relocation": _read_relocation,
    "new-seal": _read_new_seal,
    "family-search": _read_family_search,
    "foundling": _read_foundling,
    "apology": _read_apology,
}


# ---------------------------------------------------------------------------------------------
def report(result: CheckResult, t: NoticeType, reading: Reading | None, given: Mapping[str, object]) -> None:
    """The findings only the text shows, added to `result` after every other check.

    - the fields filled from the text: findings under them are findings about the text; one that
      the text does not state says so ("正文中没有读到…") instead of "请填写…";
    - the identifiers written in the text that no field holds, checked;
    - a field the client gave that the text contradicts."""
    if reading is None:
        return
    filled = set(reading.filled(given))
    absent = {f.name for f in t.fields if given.get(f.name) in (None, "")}
    for i, finding in enumerate(result.findings):
        if finding.field in filled:
            result.findings[i] = replace(finding, field=TEXT_FIELD, message=_about_text(
                t.field(finding.field).label, result.fields.get(finding.field) or "", finding.message))
        elif finding.code == "required" and finding.field in absent and finding.field is not None:
            f = t.field(finding.field)
            if f.kind == "uscc" and re.search(r"(?:证券|股票)代码", reading.header):
                # A listed company's notice names it by its 证券代码, never by its credit code.
                result.findings[i] = replace(
                    finding, level="info", code="listed-company",
                    message=f"上市公司公告以证券代码标识（{_stock_code(reading.header)}），正文未写{f.label}，未核对。",
                    field=TEXT_FIELD)
                continue
            example = f"，例如：{f.help[2:].lstrip('：:')}" if f.help.startswith("例如") else ""
            result.findings[i] = replace(
                finding, message=f"正文中没有读到{f.label}，请在正文中写明{example}；或另行填写“{f.label}”。")
    _report_identifiers(result, t, reading)
    _report_contradictions(result, t, reading, given)
    if filled:
        shown = "、".join(f"{t.field(n).label}“{_shown_field(t, n, result.fields.get(n) or reading.facts[n])}”"
                         for n in reading.facts if n in filled and t.field(n).kind != "bool")
        if shown:
            result.add("info", "read-from-text", f"以下内容读自正文：{shown}。", TEXT_FIELD)


def _about_text(label: str, value: str, message: str) -> str:
    """A finding about a field read from the text, said of the text: "正文中的注册号“…”：…"."""
    if message.startswith(label + "："):
        message = message[len(label) + 1:]
    elif message.startswith(label):
        return "正文中" + message
    return f"正文中的{label}“{value}”：{message}" if value else f"正文中的{label}：{message}"


def _stock_code(header: str) -> str:
    m = re.search(r"(?:证券|股票)代码[：:]\s*[0-9A-Za-z]+", header)
    return m.group(0) if m else header


def _report_identifiers(result: CheckResult, t: NoticeType, reading: Reading) -> None:
    held = {(result.fields.get(f.name) or "").upper() for f in t.fields if f.kind in CHECKS}
    reported: set[str] = set()
    for ident in reading.identifiers:
        check = ident.check
        if ident.kind not in _CHECKED_IN_TEXT or check.value in held or check.value in reported:
            continue
        reported.add(check.value)
        if check.severity == "ok" or (ident.kind == "id-card" and check.severity != "error"):
            continue    # an old or unlisted ID number: notices/privacy.py points it out already
        label = _KIND_LABEL[ident.kind]
        # An ID number is never shown whole, not even to its sender (notices/privacy.py).
        shown = mask_id_card(ident.value) if ident.kind == "id-card" else ident.value
        message = f"正文中的{label}“{shown}”：{check.message}"
        # A wrong code is an error; a wrong ID number in the text a warning: it names a person,
        # not the notice's subject, and prints masked whatever its digits (notices/privacy.py).
        error = check.severity == "error" and ident.kind != "id-card"
        result.add("error" if error else "warning", ident.kind, message, TEXT_FIELD)


def _report_contradictions(result: CheckResult, t: NoticeType, reading: Reading,
                           given: Mapping[str, object]) -> None:
    failed = result.failed_fields
    for name in sorted(reading.firm, key=[f.name for f in t.fields].index):
        raw = given.get(name)
        if raw in (None, "") or name in failed:
            continue
        f = t.field(name)
        ours, theirs = reading.facts[name], str(raw)
        if f.kind == "money":
            a, b = parse_amount(ours), parse_amount(theirs)
            differ = a is not None and b is not None and a != b
        elif f.kind == "date":
            da, db = parse_date(ours), parse_date(theirs)
            differ = da is not None and db is not None and da != db
        else:
            differ = ours != theirs.strip()
        if differ:
            shown = _shown(f.kind, ours)
            result.add("error", "text-contradicts-field",
                       f"正文与所填“{f.label}”不一致：所填为“{_shown(f.kind, theirs)}”，正文写的是“{shown}”。"
                       "请改正其中之一。", TEXT_FIELD)


def _shown_field(t: NoticeType, name: str, value: str) -> str:
    f = t.field(name)
    return dict(f.choices).get(value, value) if f.choices else _shown(f.kind, value)


def _shown(kind: str, value: str) -> str:
    d = parse_date(value) if kind == "date" else None
    return f"{d.year}年{d.month}月{d.day}日" if isinstance(d, date) else value
