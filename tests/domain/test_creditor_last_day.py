"""The creditors' last day printed for the issue where the newspaper wants it (issue 13 item 7):
"…四十五日内（即至2027年1月21日）", counted from the issue by the statutory window; the
setting and its printing through the app are tested in tests/app/test_creditor_last_day.py."""
from __future__ import annotations

from datetime import date

import pytest

from notices.catalogue import CATALOGUE
from notices.checks import check_notice
from notices.deadlines import firm_last_day
from notices.printed import with_creditor_last_day
from tests.conftest import NOW, load_samples

PUBLICATION = "2026-11-28"
SAMPLES = load_samples()


def check(name, text=None, **changes):
    sample = SAMPLES[name]
    return check_notice(sample["type"], {**sample["fields"], **changes}, text, PUBLICATION, now=NOW)


def printed(name, issue, text=None, **changes):
    result = check(name, text, **changes)
    return with_creditor_last_day(CATALOGUE[SAMPLES[name]["type"]], result.fields, result.text, issue)


def test_the_last_day_follows_the_period_from_publication():
    text = printed("capital-reduction", date(2026, 12, 7))
    assert "未接到通知的自本公告见报之日起四十五日内（即至2027年1月21日），有权要求" in text
    assert text.count("即至") == 1          # not after the thirty days from a letter


@pytest.mark.parametrize("issue, last", [
    (date(2026, 11, 28), "2027年1月12日"),
    (date(2026, 12, 7), "2027年1月21日"),
    # 2026-08-18 + 45 is 2026-10-02, in the National Day holiday: the period runs to the next
    # working day (民法典 Art. 203).
    (date(2026, 8, 18), "2026年10月8日"),
])
def test_the_last_day_is_the_statutory_window_of_the_issue(issue, last):
    assert f"四十五日内（即至{last}）" in printed("liquidation", issue)


def test_a_date_not_yet_certain_is_not_printed():
    # 2026-12-21 + 45 is 2027-02-04, two days before the 2027 Spring Festival: the 2027 schedule
    # (调休) is not published, so the day could move.
    assert firm_last_day(date(2026, 12, 21), 45) is None
    text = printed("capital-reduction", date(2026, 12, 21))
    assert "即至" not in text and "四十五日内，有权要求" in text


@pytest.mark.parametrize("typed, expected", [
    ("请债权人自本公告见报之日起45日内向本公司申报债权", "见报之日起45日内（即至2027年1月21日）向本公司"),
    ("请债权人自公告之日起四十五天内与本公司联系", "公告之日起四十五天内（即至2027年1月21日）与本公司"),
    ("请债权人于本公告刊登后45日内与本公司联系", "刊登后45日内（即至2027年1月21日）与本公司"),
])
def test_the_last_day_is_added_to_a_typed_text_where_its_period_stands(typed, expected):
    text = printed("liquidation", date(2026, 12, 7), typed + "，联系电话：020-87750217。特此公告。")
    assert expected in text


@pytest.mark.parametrize("typed", [
    # already states the day
    "请债权人自本公告见报之日起45日内（即至2027年1月21日）申报债权，联系电话：020-87750217。特此公告。",
    # a period that is not the statute's: no day is printed that would confirm it
    "请债权人自本公告见报之日起90日内申报债权，联系电话：020-87750217。特此公告。",
    "请债权人自本公告见报之日起145日内申报债权，联系电话：020-87750217。特此公告。",
])
def test_a_typed_text_is_left_alone_where_the_day_is_there_or_the_period_is_not_the_statutes(typed):
    assert printed("liquidation", date(2026, 12, 7), typed).count("即至") == typed.count("即至")


@pytest.mark.parametrize("name, changes", [("division", {}), ("lost-document:licence", {}),
                                           ("capital-reduction", {"covers_losses": "1"})])
def test_no_last_day_where_the_notice_gives_creditors_no_period(name, changes):
    result = check(name, **changes)
    notice_type = CATALOGUE[SAMPLES[name]["type"]]
    assert with_creditor_last_day(notice_type, result.fields, result.text, date(2026, 12, 7)) == result.text


def test_no_issue_date_no_last_day():
    result = check("liquidation")
    assert with_creditor_last_day(CATALOGUE["liquidation"], result.fields, result.text, None) == result.text
