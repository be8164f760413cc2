"""The notice types beyond companies' (issue 13 item 4): each one's statutory sentences, its rules
between fields, its window where the law gives one, and its wording (docs/law.md §9).

Every sample composes and passes its own checks in test_catalogue.py; here each check is shown to
find what it is for, on the day before, on and after a limit where there is one.
"""
from __future__ import annotations

from datetime import date

import pytest

from notices.checks import check_notice
from tests.conftest import NOW, load_samples

PUBLICATION = "2026-11-28"
SAMPLES = load_samples()


def check(name, publication=PUBLICATION, text=None, **changes):
    sample = SAMPLES[name]
    return check_notice(sample["type"], {**sample["fields"], **changes}, text, publication, now=NOW)


def composed(name):
    return check(name).text


def codes(findings):
    return [(f.code, f.field) for f in findings]


# ---------------------------------------------------------------------------------------------
# 债权转让暨催收公告
def test_an_assignment_tells_the_debtors_and_demands_performance():
    result = check("debt-assignment")
    assert result.ok and result.title == "债权转让暨催收公告"
    assert "依法转让给示例资产管理股份有限公司广东省分公司" in result.text
    assert "立即向示例资产管理股份有限公司广东省分公司履行还款义务或者相应的担保责任" in result.text
    # What the newspaper notice does in law, and where it does not: said, never blocking.
    [note] = [f.message for f in result.infos if f.code == "note"]
    assert "第五百四十六条" in note and "法释〔2001〕12号第六条" in note


def test_an_assignment_without_the_demand_is_not_a_collection_notice():
    text = composed("debt-assignment")
    cut = text.replace("现要求下列债务人、担保人自本公告刊登之日起，立即向示例资产管理股份有限公司广东省分公司"
                       "履行还款义务或者相应的担保责任。", "")
    assert cut != text
    result = check("debt-assignment", text=cut)
    assert ("missing:collection-demand", "text") in codes(result.errors)
    # Common phrasings of the demand pass.
    for demand in ("请上述债务人及担保人立即偿还欠款。", "敬请各债务人、担保人从公告之日起立即履行还款义务。"):
        with_demand = cut.replace("债务人、担保人及债权金额", demand + "债务人、担保人及债权金额")
        assert check("debt-assignment", text=with_demand).ok


def test_an_assignment_to_the_assignor_itself_is_refused():
    result = check("debt-assignment", assignee="示例银行股份有限公司广州分行")
    assert ("same-party", "assignee") in codes(result.errors)


def test_the_heading_may_be_the_joint_notices():
    result = check("debt-assignment", heading="债权转让暨债务催收联合公告")
    assert result.ok and result.title == "债权转让暨债务催收联合公告"


# ---------------------------------------------------------------------------------------------
# 环评公示: ten working days of consultation, printed twice inside them
def test_the_consultation_notice_carries_the_five_items():
    text = composed("eia-publicity")
    for item in ("征求意见稿全文的网络链接", "查阅纸质报告书的方式和途径", "征求意见的公众范围", "公众意见表的网络链接",
                 "公众提出意见的方式和途径", "2026年11月27日至2026年12月10日"):
        assert item in text
    assert text.endswith("特此公示。")


@pytest.mark.parametrize("last,ok", [("2026-12-09", False), ("2026-12-10", True), ("2026-12-11", True)])
def test_consultation_lasts_ten_working_days_first_and_last_counted(last, ok):
    # 27 Nov (Fri) … 10 Dec (Thu) is ten working days; a day less is nine.
    result = check("eia-publicity", consult_to=last, second_date="2026-12-05")
    assert (("consultation-short", "consult_to") in codes(result.errors)) is not ok


def test_consultation_days_are_working_days_not_weekdays():
    # 28 Sep to 13 Oct 2026 has twelve weekdays but eight working days: National Day.
    result = check("eia-publicity", "2026-09-29", consult_from="2026-09-28", consult_to="2026-10-13",
                   second_date="2026-10-09")
    assert ("consultation-short", "consult_to") in codes(result.errors)
    assert "8个工作日" in next(e.message for e in result.errors if e.code == "consultation-short")


@pytest.mark.parametrize("second,code", [
    ("2026-11-28", "same-date"),                 # the same issue is one printing, not two
    ("2026-12-11", "outside-consultation"),      # the day after the consultation
    ("2026-12-10", None),                        # its last day
])
def test_the_second_printing_falls_in_the_consultation(second, code):
    result = check("eia-publicity", second_date=second)
    assert [c for c, f in codes(result.errors) if f == "second_date"] == ([code] if code else [])


def test_this_issue_falls_in_the_consultation_too():
    result = check("eia-publicity", "2026-11-27", consult_from="2026-11-30", consult_to="2026-12-11",
                   second_date="2026-12-05")
    assert ("outside-consultation", "publication_date") in codes(result.errors)


def test_a_single_printing_is_asked_about_not_refused():
    # Art. 11 asks for two printings in newspapers, not in one: the second may be elsewhere. An
    # order of two dates fills the second date of each (tests/app/test_eia_orders.py).
    result = check("eia-publicity", second_date="")
    assert result.ok
    assert ("second-printing", "second_date") in codes(result.warnings)
    assert "second-printing" not in [w.code for w in check("eia-publicity").warnings]


def test_a_text_without_the_link_or_the_period_is_refused():
    text = composed("eia-publicity")
    no_link = text.replace("征求意见稿全文的网络链接：https://www.example.com/eia/2026/report.pdf；", "")
    result = check("eia-publicity", text=no_link, report_link="")
    assert ("missing:eia-report-link", "text") in codes(result.errors)
    no_period = text.replace("五、公众提出意见的起止时间：2026年11月27日至2026年12月10日。", "")
    result = check("eia-publicity", text=no_period)
    assert ("missing:eia-period", "text") in codes(result.errors)


# ---------------------------------------------------------------------------------------------
# 拍卖公告: seven days before the sale (拍卖法 Art. 45), shown two days (Art. 48)
@pytest.mark.parametrize("publication,ok", [("2026-11-30", True), ("2026-12-01", True), ("2026-12-02", False)])
def test_an_auction_is_announced_seven_days_before_the_sale(publication, ok):
    result = check("auction", publication)       # sale on 8 Dec: the last issue is 1 Dec
    late = [e for e in result.errors if e.code == "too-late-before"]
    assert bool(late) is not ok
    if late:
        assert late[0].field == "publication_date" and "最迟2026年12月1日" in late[0].message
    [window] = result.windows
    assert (window.starts, window.ends) == (date(2026, 12, 8), date(2026, 12, 1))
    assert window.article == "《拍卖法》第四十五条"


def test_an_auction_after_its_sale_date_is_refused():
    result = check("auction", "2026-12-09", view_from="2026-12-04", view_to="2026-12-07")
    assert "too-late-before" in [e.code for e in result.errors]


def test_an_auction_without_a_sale_date_is_not_checked_but_asked():
    result = check("auction", sale_on="")
    assert ("required", "sale_on") in codes(result.errors)


@pytest.mark.parametrize("first,last,code", [
    ("2026-12-07", "2026-12-07", "viewing-short"),          # one day
    ("2026-12-06", "2026-12-09", "viewing-after-sale"),     # still shown after the sale
    ("2026-12-07", "2026-12-05", "date-order"),
    ("2026-12-06", "2026-12-07", None),                     # two days, before the sale
])
def test_the_lots_are_shown_two_days_before_the_sale(first, last, code):
    result = check("auction", view_from=first, view_to=last)
    assert [c for c, f in codes(result.errors) if f == "view_to"] == ([code] if code else [])


def test_an_auction_text_states_the_viewing_and_the_procedures():
    text = composed("auction")
    assert "展示时间：2026年12月4日至2026年12月7日；展示地点：标的所在地。" in text
    procedures = "竞买人须于2026年12月7日17时前持有效身份证件到本公司办理竞买登记手续，并交纳竞买保证金人民币20万元。"
    cut = text.replace(procedures, "")
    result = check("auction", text=cut, procedures="")
    assert ("missing:auction-procedures", "text") in codes(result.errors)


# ---------------------------------------------------------------------------------------------
# 更名、迁址、启用新章
def test_a_renamed_company_keeps_its_contracts_and_debts():
    text = composed("rename")
    assert "名称变更为“广州示例科技有限公司”，统一社会信用代码不变" in text
    assert "均由“广州示例科技有限公司”继续享有和承担" in text
    assert ("same-name", "new_name") in codes(check("rename", new_name="广州市示例贸易有限公司").errors)
    assert ("future-date", "changed_on") in codes(check("rename", changed_on="2026-12-20").warnings)


def test_a_rename_text_says_what_the_name_becomes():
    result = check("rename", text="广州市示例贸易有限公司（统一社会信用代码：91440106MA5CL12T4G）经广州市市场监督管理局"
                                  "核准，自2026年11月20日起使用新名称广州示例科技有限公司。特此声明。")
    assert ("missing:rename", "text") in codes(result.errors)


def test_a_relocation_names_both_addresses():
    assert "由广州市天河区示例路1号迁至广州市黄埔区示例大道8号办公" in composed("relocation")
    assert ("same-address", "new_address") in codes(check("relocation", new_address="广州市天河区示例路1号").errors)


def test_a_new_seal_voids_the_old_one_only_when_asked():
    assert "启用新的公章（印章编码：4401060123457）。原公章同时停止使用，声明作废。" in composed("new-seal")
    kept = check("new-seal", old_void="")
    assert kept.ok and "作废" not in kept.text
    assert ("seal-code", "seal_code") in codes(check("new-seal", seal_code="44010601").findings)


# ---------------------------------------------------------------------------------------------
# 寻亲启事, 认领启事
def test_a_family_search_gives_a_way_to_call():
    assert composed("family-search").endswith("如有知情者，请与陈先生联系，联系电话：13800138000。特此启事。")
    assert ("required", "contact_phone") in codes(check("family-search", contact_phone="").errors)
    assert ("same-person", "sought") in codes(check("family-search", sought="陈小明").errors)


def test_a_family_search_may_end_with_thanks():
    text = composed("family-search").replace("特此启事。", "必有重谢！")
    assert check("family-search", text=text).ok


def test_a_foundling_is_claimed_within_sixty_days_of_the_notice():
    result = check("foundling")
    assert "自本公告刊登之日起六十日内" in result.text
    window = next(f for f in result.infos if f.code == "creditor-window")
    assert window.message == "认领期限自刊登之日起六十日，至2027年1月27日。"
    thirty = result.text.replace("六十日", "三十日")
    assert ("missing:claim-60-days", "text") in codes(check("foundling", text=thirty).errors)
    assert check("foundling", text=result.text.replace("六十日", "60日")).ok


def test_a_foundling_is_announced_by_an_office_not_by_the_finder():
    result = check("foundling", announcer="王小红", contact_address="广州市白云区示例路1号")
    assert ("foundling-announcer", "announcer") in codes(result.warnings)
    assert not check("foundling", announcer="广州市民政局").warnings


def test_a_foundling_found_after_the_issue_is_a_mistake():
    result = check("foundling", found_on="2026-11-28")
    assert ("date-order", "found_on") in codes(result.errors)


# ---------------------------------------------------------------------------------------------
# 道歉声明
def test_an_apology_names_the_judgment_and_ends_once():
    text = composed("apology")
    assert text.startswith("根据广州市天河区人民法院（2026）粤0106民初12345号民事判决书，张三向李四公开赔礼道歉：")
    assert text.endswith("特此向李四赔礼道歉。") and "特此致歉" not in text


def test_an_apology_the_court_worded_prints_as_it_stands():
    words = "本人张三在微信群中发表的有关李四的言论严重失实，对李四造成了不良影响，本人深表歉意。"
    result = check("apology", statement=words, verbatim="1")
    assert result.ok and result.text == words


def test_an_apology_checks_its_parties_and_case_number():
    assert ("same-party", "injured") in codes(check("apology", injured="张三").errors)
    result = check("apology", case_number="2026民初12345")
    assert ("case-number", "case_number") in codes(result.warnings)
    assert check("apology", case_number="(2026)粤01民终987号").warnings == []


def test_an_apology_without_an_apology_is_refused():
    result = check("apology", text="张三在微信群中发表的有关李四的言论失实。特此声明。",
                   statement="张三在微信群中发表的有关李四的言论失实", court="", case_number="")
    assert ("missing:apology", "text") in codes(result.errors)


def test_a_warning_quoting_what_was_typed_masks_an_id_number_in_it():
    """notices/privacy.py: an ID number typed where a name was asked for prints masked, and so it
    is quoted masked where a check quotes the value back."""
    result = check("foundling", announcer="王小红110105194912310021")
    [message] = [w.message for w in result.warnings if w.code == "foundling-announcer"]
    assert "110105194912310021" not in message and "110105********0021" in message
    result = check("apology", case_number="110105194912310021号")
    [message] = [w.message for w in result.warnings if w.code == "case-number"]
    assert "110105194912310021" not in message
