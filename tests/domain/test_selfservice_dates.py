"""notices/selfservice.py date_problems: a move the advertiser makes alone keeps the notice as
lawful as its current date does (review of issue 14)."""
from __future__ import annotations

from datetime import date

from notices.checks import check_notice
from notices.deadlines import PublishingCalendar
from notices.selfservice import date_problems, date_rules
from tests.conftest import NOW

CALENDAR = PublishingCalendar()
AUCTION = {"auctioneer": "佛山市南海区诚信拍卖行有限公司", "consignor": "佛山市南海区联丰钢材贸易有限公司",
           "sale_on": "2026-12-18", "sale_time": "上午10时",
           "sale_place": "本公司拍卖厅（佛山市南海区桂城南海大道88号）",
           "lots": "旧钢材一批约120吨，参考价人民币36万元", "view_from": "2026-12-15", "view_to": "2026-12-17",
           "view_place": "标的所在地", "procedures": "竞买人须于2026年12月17日17时前办理竞买登记手续",
           "contact_phone": "0757-86281234"}


def checked(type_code, fields, day):
    result = check_notice(type_code, fields, None, day, calendar=CALENDAR, now=NOW)
    assert result.ok, result.errors
    return result


def test_an_auction_cannot_move_into_the_seven_days_before_the_sale():
    result = checked("auction", AUCTION, date(2026, 12, 1))
    fields, text = result.fields, result.text
    refused = date_rules("auction", fields, text, date(2026, 12, 1), calendar=CALENDAR, now=NOW)
    assert refused(date(2026, 12, 11)) == []
    said = date_problems("auction", fields, text, date(2026, 12, 1), date(2026, 12, 12), calendar=CALENDAR, now=NOW)
    assert len(said) == 1 and "最迟2026年12月11日" in said[0]


def test_a_problem_the_current_date_has_too_does_not_stop_a_move():
    fields = {"company": "广州市穗禾包装材料有限公司", "uscc": "91440106MA9W3K7Q0Y", "decision": "股东会决议",
              "resolved_on": "2026-10-01", "capital_before": "800万元", "capital_after": "200万元",
              "contact_phone": "020-38861234"}
    late = checked("capital-reduction", fields, date(2026, 11, 27))
    assert any(f.code == "late" for f in late.findings)
    refused = date_rules("capital-reduction", late.fields, late.text, date(2026, 11, 27), calendar=CALENDAR, now=NOW)
    assert refused(date(2026, 12, 18)) == []
    # Without a current date to compare with, the window is held against the new one.
    assert date_problems("capital-reduction", late.fields, late.text, None, date(2026, 12, 18),
                         calendar=CALENDAR, now=NOW)
