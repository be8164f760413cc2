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
