"""Dates and amounts as the paper prints them, and the sense checks on amounts and on where
creditors go (issue 13 item 6)."""
from __future__ import annotations

from datetime import date

import pytest

from notices.checks import check_notice
from notices.dates import format_date
from notices.wording import money_texts
from tests.conftest import NOW, load_samples, load_seed

PUBLICATION = "2026-11-28"
SAMPLES = load_samples()


def check(name, text=None, **changes):
    sample = SAMPLES[name]
    return check_notice(sample["type"], {**sample["fields"], **changes}, text, PUBLICATION, now=NOW)


# --- dates ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("day, printed", [(date(2026, 10, 9), "2026年10月9日"), (date(2027, 1, 1), "2027年1月1日"),
                                          (date(2026, 11, 20), "2026年11月20日")])
def test_dates_print_without_leading_zeros(day, printed):
    assert format_date(day) == printed


def test_composed_dates_read_as_the_paper_writes_them():
    reduction = check("capital-reduction", resolved_on="2026-11-09")
    assert "于2026年11月9日经股东会决议" in reduction.text and "11月09日" not in reduction.text
    correction = check("correction", original_date="2026-11-02")
    assert "本报2026年11月2日第A12版" in correction.text


# --- amounts in one style ---------------------------------------------------------------------
@pytest.mark.parametrize("values, printed", [
    (("1000万元", "伍佰万元"), ["1000万元", "500万元"]),          # mixed: all in digits
    (("壹仟万元", "500万"), ["1000万元", "500万元"]),
    (("壹仟万元", "伍佰万元"), ["壹仟万元", "伍佰万元"]),          # all uppercase: kept
    (("1000万元", "500万"), ["1000万元", "500万元"]),
    (("600万元", "", "肆佰万元"), ["600万元", "", "400万元"]),
])
def test_a_notices_amounts_print_in_one_style(values, printed):
    assert money_texts(*values) == printed


def test_a_reduction_typed_in_two_styles_prints_in_one():
    result = check("capital-reduction", capital_before="1000万元", capital_after="伍佰万元")
    assert result.ok and "注册资本由1000万元减少至500万元。" in result.text


def test_a_division_typed_in_two_styles_prints_in_one():
    result = check("division", result1_capital="陆佰万元", result2_capital="400万元")
    assert result.ok and "（注册资本600万元）" in result.text and "陆佰" not in result.text


# --- sense checks -------------------------------------------------------------------------------
@pytest.mark.parametrize("name, field", [("capital-reduction", "capital_before"), ("merger", "capital_after"),
                                         ("division", "result2_capital")])
def test_an_amount_beyond_any_capital_is_asked_about(name, field):
    result = check(name, **{field: "1000000000000万元"})
    assert [(f.code, f.field) for f in result.warnings] == [("amount-implausible", field)]


def test_the_largest_real_capitals_pass():
    # 国家电网 about 8295亿元; the largest registered capitals stay below 2万亿元.
    result = check("capital-reduction", capital_before="20000亿元", capital_after="8295亿元")
    assert result.ok and not [f for f in result.warnings if f.code == "amount-implausible"]


@pytest.mark.parametrize("name", ["liquidation", "capital-reduction"])
def test_creditors_not_told_where_to_go_is_warned(name):
    result = check(name, contact_person="", contact_phone="", contact_address="")
    assert result.ok and [f.code for f in result.warnings] == ["missing:creditor-contact"]
    for field, value in (("contact_phone", "020-87750217"), ("contact_address", "广州市天河区示例路1号")):
        assert check(name, **{"contact_phone": "", "contact_address": "", field: value}).warnings == [], field


def test_a_contact_person_alone_is_not_a_place():
    result = check("liquidation", contact_person="李女士", contact_phone="", contact_address="")
    assert [f.code for f in result.warnings] == ["missing:creditor-contact"]


def test_a_reduction_that_makes_good_losses_asks_no_contact():
    result = check("capital-reduction", covers_losses="1", contact_person="", contact_phone="")
    assert result.ok and result.warnings == []


def test_the_seed_liquidation_without_a_contact_is_found():
    [liquidation] = [s for s in load_seed() if s["type"] == "liquidation"]
    result = check_notice("liquidation", liquidation["fields"], liquidation["text"], PUBLICATION, now=NOW)
    assert "missing:creditor-contact" in [f.code for f in result.warnings]
