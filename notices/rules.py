"""Rules between the fields of one notice, each a named function that a type names in its
catalogue entry (`rules=(…)`, notices/catalogue.py).

A rule is called as `rule(result, notice_type)` after every field has been checked on its own
(notices/checks.py): `result.fields` holds the normalised values (a BOOL as "1" or "", a DATE as
2026-11-20, an amount as typed), `result.failed_fields` the fields that already have an error (a
rule leaves those alone: one message per mistake), and `result.error(code, message, field)` /
`result.warning(…)` report what is wrong, under the input the advertiser has to change. Messages
say what to do, in Chinese, with an example where one helps.

Rules that are only "one of these fields is needed" are declared as data (`group_rules`), and
rules about dates as flags on the date field (`Field.before_publication`, `Field.not_future`).
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Mapping

from notices import entities
from notices.dates import format_date, parse_date
from notices.deadlines import is_working_day
from notices.entities import EntityKind
from notices.identifiers import uscc_holder_kind
from notices.money import format_amount, parse_amount
from notices.privacy import mask_id_numbers

if TYPE_CHECKING:   # only for the annotations: checks.py and catalogue.py import this module
    from notices.catalogue import NoticeType
    from notices.checks import CheckResult

ORDINALS = "一二三"    # 合并方一、二、三; 分立后公司一、二、三
WARNING, INFO = "warning", "info"   # finding levels, as notices/checks.py names them


def truthy(value: str | None) -> bool:
    """A BOOL field's value: "1" as stored, or true / on / yes as an API client may send it."""
    return (value or "").lower() in ("1", "true", "y", "yes", "on")


# ---------------------------------------------------------------------------------------------
# 减资公告
def capital_is_reduced(result: CheckResult, t: NoticeType) -> None:
    """The capital after the reduction is below the capital before it, and not zero; an amount
    under 10 000 yuan is asked about (1000 meant as 1000万元 prints as 1000元)."""
    f = result.fields
    if {"capital_before", "capital_after"} & result.failed_fields:
        return
    before, after = parse_amount(f.get("capital_before", "")), parse_amount(f.get("capital_after", ""))
    if before is not None and after is not None and after >= before:
        result.error("must-reduce",
                     f"减资后注册资本（{format_amount(after)}）应低于原注册资本（{format_amount(before)}），请核对。",
                     "capital_after")
    elif after is not None and after <= 0:
        result.error("capital-zero", "减资后注册资本不能为零；公司不再经营的，请刊登注销（清算）公告。",
                     "capital_after")
    for name, amount in (("capital_before", before), ("capital_after", after)):
        # A registered capital under 10 000 yuan is possible but rare, so ask.
        if amount is not None and 0 < amount < 10_000:
            result.warning("capital-small",
                           f"{t.field(name).label}为{format_amount(amount)}，金额很小，请核对是否漏写了“万”字"
                           "（例如：1000万元）。", name)


# ---------------------------------------------------------------------------------------------
# 合并公告
def new_merger_names_the_new_company(result: CheckResult, t: NoticeType) -> None:
    f = result.fields
    if f.get("merger_form") == "新设合并" and not f.get("new_company"):
        result.error("required", "新设合并请填写新设公司名称，例如：广州某某控股有限公司。", "new_company")


def merger_parties_differ(result: CheckResult, t: NoticeType) -> None:
    names = _filled(result.fields, "party{}_name")
    if len(set(names)) < len(names):
        result.error("duplicate-party", "合并各方的名称不能重复。", "party2_name")


def merger_codes_have_names(result: CheckResult, t: NoticeType) -> None:
    f = result.fields
    for i in (1, 2, 3):
        if f.get(f"party{i}_uscc") and not f.get(f"party{i}_name"):
            result.error("required", f"填写了合并方{ORDINALS[i - 1]}的代码，请同时填写其名称。", f"party{i}_name")


def board_merger(fields: Mapping[str, str]) -> str:
    """The CL 219 case a merger declares (`board_merger`): "subsidiary" (the absorbed company is
    ≥ 90 % held by the survivor, its board decides), "small" (the survivor pays ≤ 10 % of its net
    assets, its board decides), "both", or "" (every party's 股东会 or sole shareholder decides)."""
    value = fields.get("board_merger") or ""
    return value if value in ("subsidiary", "small", "both") else ""


def merger_by_board_fits(result: CheckResult, t: NoticeType) -> None:
    """CL 219: a merger without a 股东会决议 is one company absorbing another (a ≥ 90 % subsidiary,
    or for a price ≤ 10 % of its net assets), decided by the board; a 新设合并 is not one."""
    f = result.fields
    case = board_merger(f)
    if not case or "board_merger" in result.failed_fields:
        return
    if f.get("merger_form") == "新设合并":
        result.error("board-merger-form",
                     "《公司法》第二百一十九条（不经股东会决议、由董事会决议的合并）只适用于一家公司吸收合并另一家公司；"
                     "新设合并须经合并各方股东会决议（第六十六条、第一百一十六条）。请把此项选为“不适用”，"
                     "或把合并方式改为吸收合并。", "board_merger")
        return
    if case in ("subsidiary", "both"):
        result.add("info", "board-merger-shareholders",
                   "被合并公司不经股东会决议的，应当通知其其他股东；其他股东有权请求公司按照合理的价格收购其股权或者股份"
                   "（《公司法》第二百一十九条第一款）。", "board_merger")
    if case in ("small", "both"):
        result.add("info", "board-merger-articles",
                   "存续公司的章程规定合并须经股东会决议的，仍须股东会决议（《公司法》第二百一十九条第二款）。"
                   "请核对章程。", "board_merger")


# ---------------------------------------------------------------------------------------------
# 撤销公告
# Causes of dissolution (CL 229 ¶1) a revocation asks about; only the first two allow a company to
# go on (CL 230), and after the last two a 清算组备案 cannot be withdrawn (市监注〔2020〕107号).
CAUSES_THAT_ALLOW_CONTINUING = ("term", "resolution")
CAUSES_BY_AUTHORITY = ("revoked", "court")


def revokes_dissolution(fields: Mapping[str, str]) -> bool:
    """The revoked items are a dissolution's: a 清算组备案, a 清算/注销公告, a dissolution."""
    return truthy(fields.get("dissolve_group")) or bool(re.search(r"清算|注销|解散", fields.get("revoked_items") or ""))


def revokes_reduction(fields: Mapping[str, str]) -> bool:
    return bool(re.search(r"减资|减少注册资本", fields.get("revoked_items") or ""))


def continues_in_business(fields: Mapping[str, str]) -> bool:
    """The company says it goes on, and CL 230 allows it: the cause was item 1 or 2 of CL 229 ¶1,
    nothing was distributed to the shareholders, and a resolution (or amended articles) says so.
    Never for an entity of another kind: CL 230 is a company's, and its own law is not coded."""
    return (entities.kind_of(fields).company_law and truthy(fields.get("continues"))
            and fields.get("dissolution_cause") in CAUSES_THAT_ALLOW_CONTINUING
            and not truthy(fields.get("assets_distributed")) and bool(fields.get("decision")))


def dissolution_can_be_revoked(result: CheckResult, t: NoticeType) -> None:
    """A revoked dissolution: CL 229 ¶1, CL 230 and 市监注〔2020〕107号 (docs/law.md §6); only for a
    company (a partnership's or an institution's own law on going on is not coded: docs/law.md §7)."""
    f = result.fields
    if not revokes_dissolution(f):
        return
    kind = entities.kind_of(f)
    if not kind.company_law:
        result.add("info", "entity-note",
                   f"{kind.short}撤销清算（注销）公告，不适用《公司法》第二百三十条关于公司继续经营的规定，本报不核对"
                   f"继续经营的条件，公告也不写“继续经营”；请按{kind.statute}和登记机关的要求办理。", "entity")
        return
    cause = f.get("dissolution_cause") or ""
    continues = truthy(f.get("continues"))
    if cause in CAUSES_BY_AUTHORITY and "dissolution_cause" not in result.failed_fields:
        what = "被吊销营业执照、责令关闭或者被撤销" if cause == "revoked" else "被人民法院判决解散"
        withdraws_filing = truthy(f.get("dissolve_group")) or "清算组" in (f.get("revoked_items") or "")
        if continues or withdraws_filing:
            result.error("dissolution-by-authority",
                         f"{what}的公司不能通过决议继续经营（《公司法》第二百三十条只适用于营业期限届满、章程规定的解散事由"
                         "出现或者股东会决议解散），也不能撤销清算组备案（市场监管总局市监注〔2020〕107号），须依法清算后"
                         "申请注销。如解散原因选错了，请改正。", "dissolution_cause")
            return
    if not continues:
        result.add("info", "continuation-not-stated",
                   "公告不写“本公司继续经营”。公司解散后继续经营须符合《公司法》第二百三十条（营业期限届满、章程规定的"
                   "解散事由出现或者股东会决议解散，尚未向股东分配财产，并经股东会决议或者修改公司章程）；符合的，"
                   "请勾选“公司继续经营”并填写解散原因和决议。", "continues")
        return
    if truthy(f.get("assets_distributed")):
        result.error("assets-distributed",
                     "已经向股东分配财产的公司不能再继续经营（《公司法》第二百三十条），须完成清算后申请注销。"
                     "如尚未分配，请取消勾选“已向股东分配财产”。", "assets_distributed")
    if not cause:
        result.error("required", "公司继续经营的，请选择解散原因，例如：股东会决议解散（《公司法》第二百三十条）。",
                     "dissolution_cause")
    if not f.get("decision") and "decision" not in result.failed_fields:
        result.error("required",
                     "解散后继续经营须经股东会决议或者修改公司章程（有限责任公司须经持有三分之二以上表决权的股东通过，"
                     "股份有限公司须经出席会议的股东所持表决权的三分之二以上通过；《公司法》第二百三十条），"
                     "请选择决议方式，例如：股东会决议。", "decision")


def revoked_reduction_names_its_resolution(result: CheckResult, t: NoticeType) -> None:
    """A revoked 减资公告 names the resolution that rescinded the reduction: the reduction was the
    股东会's (or sole shareholder's) act (CL 59, 60, 66), and only the same body undoes it."""
    f = result.fields
    if revokes_reduction(f) and entities.kind_of(f).company_law and not f.get("decision") \
            and "decision" not in result.failed_fields:
        result.error("required",
                     "撤销减资公告，须写明撤销减资的决议：请选择决议方式并填写决议日期，例如：2026年11月20日股东会决议。",
                     "decision")


# ---------------------------------------------------------------------------------------------
# 分立公告
def division_results_differ(result: CheckResult, t: NoticeType) -> None:
    names = _filled(result.fields, "result{}_name")
    if len(set(names)) < len(names):
        result.error("duplicate-party", "分立后各公司的名称不能重复。", "result2_name")


def new_division_dissolves_the_company(result: CheckResult, t: NoticeType) -> None:
    """新设分立 dissolves the company: it cannot be one of the companies it splits into."""
    f = result.fields
    names = _filled(f, "result{}_name")
    if f.get("division_form") == "新设分立" and f.get("company") in names:
        result.error("new-is-old", "新设分立后原公司解散，分立后的公司应为新设的公司，不能是原公司；"
                     "原公司存续的，请选“存续分立”。", f"result{names.index(f['company']) + 1}_name")


def division_capitals_have_names(result: CheckResult, t: NoticeType) -> None:
    f = result.fields
    for i in (1, 2, 3):
        if f.get(f"result{i}_capital") and not f.get(f"result{i}_name"):
            result.error("required", f"填写了分立后公司{ORDINALS[i - 1]}的注册资本，请同时填写其名称。",
                         f"result{i}_name")


# ---------------------------------------------------------------------------------------------
# 更正声明
def correction_changes_something(result: CheckResult, t: NoticeType) -> None:
    f = result.fields
    if f.get("wrong_text") and f.get("wrong_text") == f.get("correct_text"):
        result.error("nothing-corrected", "错误文字与正确文字相同，这则更正没有更正任何内容，请核对。", "correct_text")


# ---------------------------------------------------------------------------------------------
# Amounts (减资、合并、分立): a sense check. The largest registered capitals in China are about
# 一万五千亿元; ten times that is a typing slip (1000000000000万元), never a capital.
PLAUSIBLE_CAPITAL_MAX = Decimal(10) ** 13     # 10万亿元


def amounts_are_plausible(result: CheckResult, t: NoticeType) -> None:
    for f in t.fields:
        if f.kind != "money" or f.name in result.failed_fields:
            continue
        amount = parse_amount(result.fields.get(f.name, ""))
        if amount is not None and amount > PLAUSIBLE_CAPITAL_MAX:
            result.warning("amount-implausible",
                           f"{f.label}为{format_amount(amount)}，比国内任何企业的注册资本都大得多，请核对是否多打了"
                           "零或多写了“万”字，例如：1000万元。", f.name)


# ---------------------------------------------------------------------------------------------
# 统一社会信用代码 and whose it is: its first two characters say who registered what (GB 32100-2015,
# notices/identifiers.py USCC_HOLDER_KINDS). A company's notice filed under a 个体工商户's code (92)
# is a code copied from the wrong licence, or a name that is not the registered one. Warned, not
# refused: the licence decides, and the table does not know every department's kinds.
# A name in a company's form (分公司 included) or a partnership's: registered as an enterprise, 91.
_ENTERPRISE_NAME = re.compile(r"(?:公司|[（(](?:特殊)?(?:普通|有限)合伙[）)])$")
# A 个体工商户's name: says so, or is a 经营部 of no company or enterprise.
_INDIVIDUAL_NAME = re.compile(r"个体|^(?!.*(?:公司|企业|个人独资)).*经营部$")
# Where a code field's holder is named: uscc → the first of these the type has; x_uscc → x_name or x.
_NAME_OF_USCC = ("company", "holder", "new_name")
ENTERPRISE_EXAMPLE = "91440101MA5ACCGH4T"


def _code_and_name_fields(t: NoticeType, variant: str | None) -> list[tuple[str, str | None]]:
    names = {f.name for f in t.fields_for(variant)}
    pairs: list[tuple[str, str | None]] = []
    for f in t.fields_for(variant):
        if f.kind != "uscc":
            continue
        prefix = f.name.removesuffix("uscc").removesuffix("_")
        wanted = (f"{prefix}_name", prefix) if prefix else _NAME_OF_USCC
        pairs.append((f.name, next((n for n in wanted if n in names), None)))
    return pairs


def _name_contradiction(name: str, prefix: str) -> str | None:
    name = name.strip()
    if _ENTERPRISE_NAME.search(name) and prefix != "91":
        return f"而“{name}”是企业的名称（企业的代码以“91”开头，例如 {ENTERPRISE_EXAMPLE}）"
    if _INDIVIDUAL_NAME.search(name) and prefix == "91":
        return f"而“{name}”看来是个体工商户的名称（个体工商户的代码以“92”开头）"
    return None


def _kind_contradiction(kind: EntityKind, prefix: str, holder: str) -> str | None:
    if prefix in entities.USCC_KINDS.get(kind.code, (prefix,)):
        return None
    fitting = [k.label for k in entities.KINDS.values() if prefix in entities.USCC_KINDS.get(k.code, ())]
    advice = f"；如确是{holder}，请将主体类型改选为“{fitting[0]}”" if len(fitting) == 1 else ""
    return f"与所选主体类型“{kind.short}”不符{advice}"


def code_fits_the_name(result: CheckResult, t: NoticeType) -> None:
    """The kind a credit code's first two characters name (企业, 个体工商户, 事业单位, 社会团体 …)
    fits the name it is given with (…有限公司 is an enterprise's, 91; …个体…经营部 a 个体工商户's, 92)
    and, on a type that names its entity kind (清算/注销/撤销公告), that kind. One warning per
    code, under the code's field."""
    f = result.fields
    kind = entities.kind_of(f) if any(x.name == entities.ENTITY for x in t.fields) else None
    for code_field, name_field in _code_and_name_fields(t, t.variant_of(f)):
        code = f.get(code_field, "")
        holder = uscc_holder_kind(code) if code_field not in result.failed_fields else None
        if holder is None:
            continue
        prefix = code[:2].upper()
        name = f.get(name_field, "") if name_field and name_field not in result.failed_fields else ""
        why = (_name_contradiction(name, prefix) if name else None) or (
            _kind_contradiction(kind, prefix, holder) if kind is not None else None)
        if why:
            result.warning("uscc-kind",
                           f"{t.field(code_field).label}前两位“{prefix}”表示{holder}，{why}。"
                           "请对照营业执照或登记证书核对代码和名称；如与证照一致，可照常提交。", code_field)


# ---------------------------------------------------------------------------------------------
# 遗失声明 (docs/law.md §2)
# The name of what was lost, in each variant's own field.
LOST_ITEM_FIELDS = ("document_name", "org_document_name", "invoice_kind")

# 票据法 Art. 15: a lost bill is stopped by 挂失止付 at the payer and cancelled by the court's
# 公示催告 (or a suit); a newspaper declaration does neither.
_BILL = re.compile(r"汇票|本票|支票")

# Documents no longer issued, accepted (an old one can still be lost) with a note saying so.
OUTDATED_DOCUMENTS = (
    (re.compile(r"开户许可证"), WARNING,
     "开户许可证自2019年起不再核发（取消企业银行账户许可），遗失的旧证仍可登报声明作废；"
     "需要开户证明的，可向开户银行查询基本存款账户信息。"),
    (re.compile(r"税务登记证|组织机构代码证"), WARNING,
     "2015年10月“三证合一”后，税务登记证、组织机构代码证已并入营业执照（统一社会信用代码），不再单独核发；"
     "遗失的是旧证的可照常声明作废，请核对遗失的是否其实是营业执照。"),
    (re.compile(r"社会保险登记证|统计登记证"), WARNING,
     "2016年10月“五证合一”后，社会保险登记证、统计登记证已并入营业执照，不再单独核发；"
     "遗失的是旧证的可照常声明作废，请核对遗失的是否其实是营业执照。"),
    (re.compile(r"房地产权证|房屋所有权证|国有土地使用证"), INFO,
     "2015年3月起不动产统一登记，新发的证书名为“不动产权证书”；遗失的是此前发的旧证的，照证上的名称写即可。"),
)

# An organisation's name, as opposed to a person's: what it ends with.
_ORGANISATION = re.compile(
    r"(?:公司|厂|店|经营部|门市部|商行|中心|合作社|学校|幼儿园|医院|诊所|事务所|协会|商会|工作室|加工场|"
    r"委员会|研究院|研究所|集团|银行|基金会)$")


def is_organisation(name: str) -> bool:
    return bool(_ORGANISATION.search((name or "").strip()))


def lost_item_is_not_a_bill(result: CheckResult, t: NoticeType) -> None:
    for name in LOST_ITEM_FIELDS:
        if _BILL.search(result.fields.get(name, "")) and name not in result.failed_fields:
            result.error("lost-bill",
                         "汇票、本票、支票遗失，登报声明没有法律效果，本报不予刊登。请立即通知付款人（如出票银行）挂失止付，"
                         "并在通知后三日内（也可在遗失后直接）向票据支付地的基层人民法院申请公示催告，或者向人民法院起诉"
                         "（《票据法》第十五条）；公示催告的公告由法院发布。", name)


def lost_item_may_be_outdated(result: CheckResult, t: NoticeType) -> None:
    for name in LOST_ITEM_FIELDS:
        value = result.fields.get(name, "")
        for pattern, level, message in OUTDATED_DOCUMENTS:
            if value and pattern.search(value):
                result.add(level, "outdated-document", message, name)


def organisation_declares_as_organisation(result: CheckResult, t: NoticeType) -> None:
    """An organisation's lost paper is declared void under its credit code (variant
    org-document); the personal form (document) ends 特此声明 and has no code."""
    f = result.fields
    holder = f.get("holder", "")
    if not is_organisation(holder) or "holder" in result.failed_fields:
        return
    if f.get("variant") == "document":
        result.warning("organisation-document",
                       f"“{holder}”看来是单位。单位遗失证照或文件，请选“遗失许可证、资质证书”填写：写明统一社会信用代码，"
                       "以“声明作废”结尾。", "holder")
    elif f.get("variant") == "invoice" and not f.get("uscc"):
        result.warning("organisation-code",
                       "单位遗失发票，请填写本单位的统一社会信用代码，例如：91440101MA5ACCGH4T。", "uscc")


def seal_names(value: str) -> list[str]:
    """The seals named in a seal field: 公章、财务专用章 → [公章, 财务专用章]. What is in brackets
    is part of a seal's name (法定名称章（公章）, 法人名章（李和平）), never a separator."""
    names, current, depth = [], "", 0
    for char in value or "":
        if char in "（(":
            depth += 1
        elif char in "）)" and depth:
            depth -= 1
        elif depth == 0 and char in "、，,；;和及与":
            names.append(current)
            current = ""
            continue
        current += char
    return [n.strip() for n in names + [current] if n.strip()]


def seal_codes_match_seals(result: CheckResult, t: NoticeType) -> None:
    f = result.fields
    if f.get("variant") != "seal" or not f.get("seal_kind"):
        return
    seals = len(seal_names(f["seal_kind"]))
    codes = [name for name in ("seal_code", "seal_code_2", "seal_code_3") if f.get(name)]
    if len(codes) > 1 and len(codes) != seals:
        result.warning("seal-codes",
                       f"填写了{seals}枚印章、{len(codes)}个印章编码。请按印章名称的顺序逐枚填写编码，"
                       "例如：公章、财务专用章，印章编码4417810013412、第二枚印章编码4417810013413。", codes[-1])
    elif len(codes) == 1 and codes[0] != "seal_code":
        result.warning("seal-codes", "只有一个印章编码时，请填在“印章编码”一栏。", codes[0])


_INVOICE_NUMBER = re.compile(r"\d+")


def invoice_numbers_agree(result: CheckResult, t: NoticeType) -> None:
    """发票代码 10 or 12 digits, 发票号码 8 (数电发票 20), 份数 a whole number that matches the
    numbers listed (01234567至01234569 is three). Formats change: warnings only. A value quoted
    back is quoted with any ID number in it masked, as it would print (notices/privacy.py)."""
    f = result.fields
    if f.get("variant") != "invoice":
        return
    code = f.get("invoice_code", "")
    if code and not re.fullmatch(r"\d{10}|\d{12}", code):
        result.warning("invoice-code",
                       f"发票代码通常为10位或12位数字（现为“{mask_id_numbers(code)}”），例如：4400191130，请对照发票核对。",
                       "invoice_code")
    number = f.get("invoice_number", "")
    numbers = _INVOICE_NUMBER.findall(number)
    if number and (not numbers or any(len(n) not in (8, 20) for n in numbers)):
        result.warning("invoice-number",
                       f"发票号码通常为8位数字（数电发票20位），现为“{mask_id_numbers(number)}”，例如：01234567，请对照发票核对。",
                       "invoice_number")
    count = f.get("invoice_count", "")
    if count and not re.fullmatch(r"[1-9]\d*", count):
        result.error("invoice-count", f"份数请填写数字，例如：1（现为“{mask_id_numbers(count)}”）。", "invoice_count")
        return
    listed = _listed_count(number, numbers)
    if count and listed is not None and listed != int(count):
        result.warning("invoice-count", f"发票号码列出{listed}份，份数填的是{count}份，请核对。", "invoice_count")


def _listed_count(text: str, numbers: list[str]) -> int | None:
    """How many invoices a 发票号码 field lists: 01234567至01234569 is three, A、B is two."""
    if len(numbers) == 2 and re.search(r"至|到|[-－—~～]", text):
        first, last = int(numbers[0]), int(numbers[1])
        return last - first + 1 if last >= first else None
    return len(numbers) if numbers else None


def _filled(fields: Mapping[str, str], pattern: str) -> list[str]:
    """The values of the numbered fields pattern.format(1..3) that are filled in, in order."""
    return [fields[pattern.format(i)] for i in (1, 2, 3) if fields.get(pattern.format(i))]


# ---------------------------------------------------------------------------------------------
# 清算公告 / 注销公告 of each kind of entity (notices/entities.py, docs/law.md §7)
def _kind_by_name(name: str) -> EntityKind | None:
    """The kind a registered name shows for certain (a branch's name ends in 分公司; a partnership
    carries 合伙; only a company may call itself 有限公司), else None (报社, 研究所, 协会 … say nothing)."""
    name = name.strip()
    if name.endswith("分公司"):
        return entities.BRANCH
    if "合伙企业" in name or re.search(r"[（(](?:有限|普通|特殊普通)合伙[）)]$", name):
        return entities.PARTNERSHIP
    if name.endswith("合作社"):
        return entities.COOPERATIVE
    if re.search(r"有限(?:责任)?公司$", name):
        return entities.COMPANY
    return None


def liquidation_fits_the_entity(result: CheckResult, t: NoticeType) -> None:
    """The notice is its kind's: a title the kind uses, a creditor period the kind's law allows,
    the kind's deciding body, and a name that does not show another kind; and the advertiser is
    told what the law sets (or does not set) for that kind."""
    f = result.fields
    failed = result.failed_fields
    kind = entities.kind_of(f)
    if entities.ENTITY in failed:
        return
    heading = f.get("heading", "")
    if heading and "heading" not in failed and heading not in kind.titles:
        result.error("heading-entity", f"{kind.short}的公告标题请选：{'、'.join(kind.titles)}。", "heading")
    named = _kind_by_name(f.get("company", ""))
    if named is not None and named is not kind:
        result.warning("entity-mismatch",
                       f"名称“{f['company']}”看起来是{named.short}，主体类型选的却是{kind.short}。不同类型适用不同的法律和期限，"
                       f"请核对，例如改选“{named.label}”。", entities.ENTITY)
    if not kind.company_law and kind is not entities.BRANCH and "股东" in f.get("cause", ""):
        result.warning("entity-members", f"{kind.short}没有股东，解散由{kind.members}决定，请核对解散原因，"
                                         f"例如：{kind.causes[0]}。", "cause")
    _claims_days_fit(result, kind)
    for note in kind.notes:
        result.add("info", "entity-note", note)


def _claims_days_fit(result: CheckResult, kind: EntityKind) -> None:
    typed = result.fields.get("claims_days", "")
    if not typed or "claims_days" in result.failed_fields:
        return
    if not re.fullmatch(r"[1-9]\d{0,2}", typed):
        result.error("claims-days", f"债权申报期限请填写天数，例如：60（现为“{mask_id_numbers(typed)}”）。",
                     "claims_days")
        return
    claims = kind.claims
    if claims is not None and int(typed) != claims.from_announcement:
        message = (f"{claims.article}规定{claims.words}，所填{typed}日与之不符。请删去所填期限（按法定期限生成正文），"
                   f"或改为{claims.from_announcement}。")
        if claims.confirmed:
            result.error("claims-days", message, "claims_days")
        else:
            result.warning("claims-days", message, "claims_days")


# ---------------------------------------------------------------------------------------------
# The notice types beyond companies' (docs/law.md §9): 债权转让暨催收公告, 环评公示, 拍卖公告,
# 更名/迁址/启用新章声明, 寻亲启事, 认领启事, 道歉声明.
def _same(result: CheckResult, first: str, second: str) -> bool:
    f = result.fields
    a, b = f.get(first, "").strip(), f.get(second, "").strip()
    return bool(a) and a == b and not {first, second} & result.failed_fields


def assignment_parties_differ(result: CheckResult, t: NoticeType) -> None:
    """债权转让: the assignee is someone other than the assignor."""
    if _same(result, "assignor", "assignee"):
        result.error("same-party", "受让方与转让方相同，请核对，例如：转让方为某某银行股份有限公司广州分行，"
                                   "受让方为某某资产管理股份有限公司广东省分公司。", "assignee")


def _working_days(first: date, last: date) -> int:
    """The working days from `first` to `last`, both counted (as consultation periods are)."""
    return sum(1 for n in range((last - first).days + 1) if is_working_day(first + timedelta(days=n)))


def consultation_runs_ten_working_days(result: CheckResult, t: NoticeType) -> None:
    """环境影响评价公众参与办法 Art. 10: the public is consulted for at least 10 working days, the
    first and last day counted as published consultation notices count them."""
    f = result.fields
    if {"consult_from", "consult_to"} & result.failed_fields:
        return
    first, last = parse_date(f.get("consult_from", "")), parse_date(f.get("consult_to", ""))
    if first is None or last is None:
        return
    if last < first:
        result.error("date-order", "征求意见的截止日期早于开始日期，请核对，例如：2026年11月27日至2026年12月10日。",
                     "consult_to")
        return
    days = _working_days(first, last)
    if days < CONSULTATION_WORKING_DAYS:
        result.error("consultation-short",
                     f"征求意见期{format_date(first)}至{format_date(last)}只有{days}个工作日。《环境影响评价公众参与办法》"
                     f"第十条规定征求公众意见的期限不得少于十个工作日，请延后截止日期。", "consult_to")


CONSULTATION_WORKING_DAYS = 10


def printed_twice_in_consultation(result: CheckResult, t: NoticeType) -> None:
    """环境影响评价公众参与办法 Art. 11 (2): the newspaper publishes the information at least twice
    within the consultation period: this order's issue and the second date, both inside it."""
    f = result.fields
    pub = result.publication_date
    second = parse_date(f.get("second_date", ""))
    first_day, last_day = parse_date(f.get("consult_from", "")), parse_date(f.get("consult_to", ""))
    if pub is not None and second is not None and second == pub and "second_date" not in result.failed_fields:
        result.error("same-date", f"第二次刊登日期与本次刊登日期相同（{format_date(pub)}）。报纸须刊登两次，"
                                  "请另选征求意见期内的一天，例如本次刊登后的第三天。", "second_date")
        return
    if second is None and "second_date" not in result.failed_fields:
        # Art. 11 asks for two printings in "报纸", not in one paper: a second one elsewhere is
        # lawful, so a notice booked once is asked about, not refused.
        result.warning("second-printing",
                       "《环境影响评价公众参与办法》第十一条要求在征求意见期内通过报纸公开至少两次，本则只有一个刊登日期。"
                       "请同时预订征求意见期内的另一天（一个订单可选两个日期，或填写“第二次刊登日期”，例如：2026-12-05）；"
                       "第二次在其他报纸刊登的，可不理会本提示。", "second_date")
    if first_day is None or last_day is None or {"consult_from", "consult_to"} & result.failed_fields:
        return
    outside = "须在征求意见期（{}至{}）内，期外刊登的不计入《环境影响评价公众参与办法》第十一条规定的两次。".format(
        format_date(first_day), format_date(last_day))
    if pub is not None and not first_day <= pub <= last_day:
        result.error("outside-consultation", f"刊登日期{format_date(pub)}{outside}请另选刊登日期或调整征求意见期。",
                     "publication_date")
    if second is not None and "second_date" not in result.failed_fields and not first_day <= second <= last_day:
        result.error("outside-consultation", f"第二次刊登日期{format_date(second)}{outside}", "second_date")


def sale_fits_its_viewing(result: CheckResult, t: NoticeType) -> None:
    """拍卖法 Art. 48: the lots are shown before the sale, for at least two days."""
    f = result.fields
    if {"view_from", "view_to", "sale_on"} & result.failed_fields:
        return
    first, last = parse_date(f.get("view_from", "")), parse_date(f.get("view_to", ""))
    sale = parse_date(f.get("sale_on", ""))
    if first is None or last is None:
        return
    if last < first:
        result.error("date-order", "展示截止日期早于开始日期，请核对，例如：2026年12月4日至2026年12月7日。", "view_to")
        return
    if (last - first).days + 1 < 2:
        until = format_date(first + timedelta(days=1))
        result.error("viewing-short", "《拍卖法》第四十八条规定拍卖标的的展示时间不得少于两日，请延长展示时间，"
                                      f"例如：{format_date(first)}至{until}。", "view_to")
    if sale is not None and last > sale:
        result.error("viewing-after-sale", f"展示时间应在拍卖日（{format_date(sale)}）以前，请核对展示日期。",
                     "view_to")


def names_differ(result: CheckResult, t: NoticeType) -> None:
    """更名声明: the new name differs from the old one."""
    if _same(result, "old_name", "new_name"):
        result.error("same-name", "变更后的名称与原名称相同，请核对，例如：原名称广州市某某贸易有限公司，"
                                  "新名称广州某某科技有限公司。", "new_name")


def addresses_differ(result: CheckResult, t: NoticeType) -> None:
    """迁址声明: the new address differs from the old one."""
    if _same(result, "old_address", "new_address"):
        result.error("same-address", "新地址与原地址相同，请核对，例如：原地址广州市天河区某路1号，"
                                     "新地址广州市黄埔区某大道8号。", "new_address")


def seeker_is_not_the_sought(result: CheckResult, t: NoticeType) -> None:
    if _same(result, "seeker", "sought"):
        result.error("same-person", "寻找的人与寻亲人相同，请核对，例如：寻亲人陈小明，寻找的人陈大明。", "sought")


def foundling_is_announced_by_an_office(result: CheckResult, t: NoticeType) -> None:
    """A foundling's parents are sought by the civil affairs office before an adoption is
    registered (收养登记办法 Art. 7) or by the welfare institution that takes the child in; since
    2009 a person who finds a child reports it to the police (民发〔2008〕132号) and does not
    place the notice. Asked, not refused: who may announce is the office's practice."""
    announcer = result.fields.get("announcer", "")
    if announcer and "announcer" not in result.failed_fields and not _OFFICE.search(announcer):
        result.warning("foundling-announcer",
                       f"“{mask_id_numbers(announcer)}”看来不是民政部门或儿童福利机构。捡拾弃婴、儿童的个人应向当地公安机关报案，由公安机关"
                       "送交儿童福利机构；寻亲（认领）公告由民政部门或儿童福利机构发布。请核对发布单位，例如："
                       "广州市民政局、广州市社会福利院。", "announcer")


# Who announces a foundling: a civil affairs office, a welfare or protection institution, the police.
_OFFICE = re.compile(r"民政|福利院|福利机构|儿童福利|救助|保护中心|公安|派出所|人民政府|收养登记")


def apology_parties_differ(result: CheckResult, t: NoticeType) -> None:
    if _same(result, "apologiser", "injured"):
        result.error("same-party", "道歉人与被道歉人相同，请核对，例如：道歉人张三，被道歉人李四。", "injured")


# A case number as courts write it: （2026）粤0106民初12345号.
_CASE_NUMBER = re.compile(r"[（(]\s*\d{4}\s*[）)]\s*[\u4e00-\u9fff]{0,2}\d{0,6}[\u4e00-\u9fff]{1,6}\d+号")


def case_number_is_written_as_courts_write_it(result: CheckResult, t: NoticeType) -> None:
    number = result.fields.get("case_number", "")
    if number and "case_number" not in result.failed_fields and not _CASE_NUMBER.fullmatch(number):
        result.warning("case-number", f"案号“{mask_id_numbers(number)}”的写法与法院文书不同，"
                                      "请按判决书（调解书）照录，例如：（2026）粤0106民初12345号。", "case_number")
