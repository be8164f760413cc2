"""A credit code's first two characters say who registered what (GB 32100-2015: 91 企业, 92 个体
工商户, 93 农民专业合作社, 12 事业单位, 51–53 社会团体 / 民办非企业单位 / 基金会): a code whose kind
contradicts the name it is given with, or the notice's entity kind, is a warning."""
from __future__ import annotations

import json
from typing import Any

import pytest

from notices.checks import CheckResult, Finding, check_notice
from notices.identifiers import uscc_check_character, uscc_holder_kind
from tests.conftest import DATA, NOW

SAMPLES: dict[str, dict[str, Any]] = json.loads((DATA / "samples.json").read_text(encoding="utf-8"))


def code(prefix: str) -> str:
    """A code that passes every check of its own (check character, organisation code), with the
    given first two characters."""
    first17 = f"{prefix}440101MA5ACCGH4"
    return first17 + uscc_check_character(first17)


def check(key: str, **fields: str) -> CheckResult:
    sample = SAMPLES[key]
    return check_notice(sample["type"], {**sample["fields"], **fields}, None, "2026-12-01", now=NOW)


def kind_warnings(result: CheckResult) -> list[Finding]:
    return [f for f in result.findings if f.code == "uscc-kind"]


def test_the_table_reads_the_first_two_characters() -> None:
    assert uscc_holder_kind(code("92")) == "个体工商户"
    assert uscc_holder_kind(code("12")) == "事业单位"
    assert uscc_holder_kind(code("11")) == "机关"
    assert uscc_holder_kind(code("53")) == "基金会"
    assert uscc_holder_kind(code("81")) is None, "a department the table does not know is not judged"


@pytest.mark.parametrize(("prefix", "holder"), [
    ("92", "个体工商户"), ("93", "农民专业合作社"), ("11", "机关"), ("12", "事业单位"), ("51", "社会团体"),
    ("52", "民办非企业单位"), ("53", "基金会"),
])
def test_a_company_under_a_code_of_another_kind_is_warned(prefix: str, holder: str) -> None:
    result = check("capital-reduction", uscc=code(prefix))
    found = kind_warnings(result)
    assert [(f.level, f.field) for f in found] == [("warning", "uscc")]
    message = found[0].message
    assert f"前两位“{prefix}”表示{holder}" in message
    assert "广州市示例建材有限公司" in message and "91440101MA5ACCGH4T" in message, "says what a company's looks like"
    assert result.ok, "a warning: the licence decides"


def test_a_company_under_an_enterprise_code_and_an_unknown_department_pass() -> None:
    assert kind_warnings(check("capital-reduction", uscc=code("91"))) == []
    assert kind_warnings(check("capital-reduction", uscc=code("81"))) == []


def test_a_branch_named_as_a_company_s_is_an_enterprise() -> None:
    result = check("lost-document:licence", holder="广州市示例贸易有限公司天河经营部", uscc=code("91"))
    assert kind_warnings(result) == []


def test_a_sole_trader_s_name_under_an_enterprise_code_is_warned() -> None:
    result = check("lost-document:licence", holder="广州市天河区李记五金经营部", uscc=code("91"))
    found = kind_warnings(result)
    assert len(found) == 1 and "个体工商户" in found[0].message
    assert kind_warnings(check("lost-document:licence", holder="广州市天河区李记五金经营部",
                               uscc=code("92"))) == []


def test_each_party_s_code_is_held_against_its_own_name() -> None:
    result = check("merger", party2_uscc=code("92"))
    assert [f.field for f in kind_warnings(result)] == ["party2_uscc"]


def test_the_entity_kind_chosen_is_held_against_the_code() -> None:
    # A 个体工商户's liquidation filed as a company's (the kind left at its default).
    result = check("liquidation:individual", entity="company")
    found = kind_warnings(result)
    assert len(found) == 1
    assert "与所选主体类型“公司”不符" in found[0].message
    assert "请将主体类型改选为“个体工商户”" in found[0].message
    # A 社会组织 chosen for an institution's code: the advice names the kind that fits.
    found = kind_warnings(check("liquidation:social", uscc=code("12")))
    assert len(found) == 1 and "改选为“事业单位”" in found[0].message
    # An individual chosen for an enterprise's code: four kinds take 91, none is proposed.
    found = kind_warnings(check("liquidation:individual", uscc=code("91")))
    assert len(found) == 1 and "改选" not in found[0].message


def test_a_company_name_under_an_individual_s_code_is_warned_once_on_a_liquidation() -> None:
    found = kind_warnings(check("liquidation", uscc=code("92")))
    assert len(found) == 1 and "广州市示例餐饮管理有限公司" in found[0].message


def test_no_sample_is_warned() -> None:
    for key, sample in SAMPLES.items():
        result = check_notice(sample["type"], sample["fields"], sample.get("text"), "2026-12-01", now=NOW)
        assert kind_warnings(result) == [], key
