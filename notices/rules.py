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
from typing import TYPE_CHECKING, Mapping

from notices.money import format_amount, parse_amount

if TYPE_CHECKING:   # only for the annotations: checks.py and catalogue.py import this module
    from notices.catalogue import NoticeType
    from notices.checks import CheckResult

ORDINALS = "一二三"    # 合并方一、二、三; 分立后公司一、二、三


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
    nothing was distributed to the shareholders, and a resolution (or amended articles) says so."""
    return (truthy(fields.get("continues")) and fields.get("dissolution_cause") in CAUSES_THAT_ALLOW_CONTINUING
            and not truthy(fields.get("assets_distributed")) and bool(fields.get("decision")))


def dissolution_can_be_revoked(result: CheckResult, t: NoticeType) -> None:
    """A revoked dissolution: CL 229 ¶1, CL 230 and 市监注〔2020〕107号 (docs/law.md §6)."""
    f = result.fields
    if not revokes_dissolution(f):
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
    if revokes_reduction(f) and not f.get("decision") and "decision" not in result.failed_fields:
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


def _filled(fields: Mapping[str, str], pattern: str) -> list[str]:
    """The values of the numbered fields pattern.format(1..3) that are filled in, in order."""
    return [fields[pattern.format(i)] for i in (1, 2, 3) if fields.get(pattern.format(i))]
