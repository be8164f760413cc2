"""Entity kinds (notices/entities.py): each kind's 清算公告 / 注销公告 with its own statute, windows,
creditor period, words and titles; no Company-Law finding on a notice that is not a company's; a
notice that names no kind is a company's, exactly as before the kinds existed."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from notices import entities
from notices.catalogue import LIQUIDATION
from notices.checks import check_notice
from notices.deadlines import statutory_window
from tests.conftest import NOW, load_samples

PUBLICATION = "2026-11-28"
SAMPLES = load_samples()
KIND_SAMPLES = {code: SAMPLES["liquidation" if code == "company" else f"liquidation:{code}"]
                for code in entities.KINDS}
NOT_COMPANIES = [code for code, kind in entities.KINDS.items() if not kind.company_law]


def check(fields, text=None, publication=PUBLICATION):
    return check_notice("liquidation", fields, text, publication, now=NOW)


def composed(code):
    return check(KIND_SAMPLES[code]["fields"]).text


def messages(result):
    return [f.message for f in result.findings]


# --- declarations ------------------------------------------------------------------------------

def test_every_kind_has_a_sample_and_the_choice_lists_them_in_chinese():
    field = LIQUIDATION.field("entity")
    assert [value for value, _ in field.choices] == list(entities.KINDS)
    assert all(re.search(r"[\u4e00-\u9fff]", label) for _, label in field.choices)
    assert field.default == "company"
    assert {s["fields"].get("entity", "company") for s in KIND_SAMPLES.values()} == set(entities.KINDS)


@pytest.mark.parametrize("code", list(entities.KINDS))
def test_each_kind_composes_in_its_own_words_and_title(code):
    kind = entities.KINDS[code]
    result = check(KIND_SAMPLES[code]["fields"])
    assert result.ok and result.warnings == [], (result.errors, result.warnings)
    assert result.title in kind.titles
    text = result.text
    if kind.liquidator:
        to = "" if kind.liquidator == "投资人" else entities.self_name(kind, KIND_SAMPLES[code]["fields"]["company"])
        assert f"向{to}{kind.liquidator}申报债权" in text
    if not kind.company_law:
        assert "本公司" not in text and "股东" not in text


@pytest.mark.parametrize("code,words", [
    ("company", "向本公司清算组申报债权"),
    ("branch", "本分公司的债权债务由广州市示例贸易有限公司承担"),
    ("individual", "原有债权债务由经营者依法承担"),
    ("sole", "未接到通知的自本公告见报之日起六十日内，向投资人申报债权"),
    ("partnership", "请债权人自接到本企业通知书之日起三十日内，未接到通知书的自本公告见报之日起四十五日内，"
                    "向本企业清算人申报债权"),
    ("cooperative", "自接到本社通知之日起三十日内，未接到通知的自本公告见报之日起四十五日内，向本社清算组申报债权"),
    ("institution", "请债权人自本单位第一次公告之日起九十日内，向本单位清算组织申报债权"),
    ("social", "请债权人自本公告见报之日起45日内向本会清算组织申报债权"),
])
def test_the_wording_of_each_kind(code, words):
    assert words in composed(code)


@pytest.mark.parametrize("code,wrong", [("company", "分公司注销公告"), ("branch", "清算公告"),
                                        ("individual", "分公司注销公告"), ("partnership", "个体工商户注销公告")])
def test_a_title_of_another_kind_is_refused(code, wrong):
    result = check(dict(KIND_SAMPLES[code]["fields"], heading=wrong))
    [error] = [e for e in result.errors if e.field == "heading"]
    assert error.code == "heading-entity" and entities.KINDS[code].titles[0] in error.message


def test_a_notice_that_names_no_kind_is_a_companys_as_before():
    fields = SAMPLES["liquidation"]["fields"]
    assert "entity" not in fields
    result = check(fields)
    assert result.fields["entity"] == "company"
    assert result.text == (
        "广州市示例餐饮管理有限公司（统一社会信用代码：91440106MA5D272HX7）经股东会决议解散，已成立清算组，进行清算。"
        "请债权人自接到本公司通知之日起三十日内，未接到通知的自本公告见报之日起四十五日内，向本公司清算组申报债权，"
        "并提供相关证明材料。清算组联系人：李女士，联系电话：020-87750000，地址：广州市天河区示例路1号。特此公告。")
    assert [w.article for w in result.windows] == ["《公司法》第二百三十五条", "《公司法》第二百三十五条"]
    assert "债权人期限自刊登之日起四十五日，至2027年1月12日。" in messages(result)
    # An empty kind (a reader that found none, a form sent without the choice) is a company's too.
    empty = check(dict(fields, entity=""))
    assert empty.ok and empty.text == result.text and empty.windows == result.windows


def test_an_unknown_kind_is_refused_in_chinese():
    result = check(dict(SAMPLES["liquidation"]["fields"], entity="trust"))
    [error] = [e for e in result.errors if e.field == "entity"]
    assert "主体类型请从以下选项中选择" in error.message and "合伙企业" in error.message


# --- windows: before, on and after the last day -------------------------------------------------

# (kind, days to publish from the liquidator's forming, article); the kinds without a window
# follow. 2026-12-04 is a Friday: the window's last day, not moved by Civil Code Art. 203.
LAST_DAY = date(2026, 12, 4)
WINDOWS = [("company", 60, "《公司法》第二百三十五条"), ("partnership", 60, "《合伙企业法》第八十八条"),
           ("cooperative", 60, "《农民专业合作社法》"),
           ("institution", 30, "《事业单位登记管理暂行条例实施细则》")]


@pytest.mark.parametrize("code,days,article", WINDOWS, ids=[w[0] for w in WINDOWS])
@pytest.mark.parametrize("offset,late", [(-1, False), (0, False), (1, True)], ids=["before", "on", "after"])
def test_the_window_to_publish_in_of_each_kind(code, days, article, offset, late):
    formed = LAST_DAY - timedelta(days=days)
    publication = LAST_DAY + timedelta(days=offset)
    result = check(dict(KIND_SAMPLES[code]["fields"], group_formed_on=formed.isoformat()), None,
                   publication.isoformat())
    assert result.ok, result.errors
    [window] = [w for w in result.windows if w.starts == formed]
    assert (window.days, window.article, window.ends) == (days, article, LAST_DAY)
    late_warnings = [w for w in result.warnings if w.code == "late"]
    assert bool(late_warnings) is late
    if late:
        assert article in late_warnings[0].message and "2026年12月4日" in late_warnings[0].message
    else:
        assert "window-ok" in [i.code for i in result.infos]


@pytest.mark.parametrize("code", ["branch", "individual", "sole", "social"])
def test_kinds_whose_law_sets_no_window_check_none_and_say_so(code):
    # A 清算组 formed long ago: no window is applied, none is said to be missed.
    result = check(dict(KIND_SAMPLES[code]["fields"], group_formed_on="2025-01-02"))
    assert result.ok and not [w for w in result.warnings if w.code == "late"]
    assert not [w for w in result.windows if w.starts == date(2025, 1, 2)]
    assert "window-not-checked" not in [i.code for i in result.infos]
    notes = [i.message for i in result.infos if i.code == "entity-note"]
    assert notes and ("没有规定" in notes[0] or "没有为" in notes[0])


# (kind, creditors' days from publication, article): the period shown with its last day.
CREDITOR_PERIODS = [("company", 45, "《公司法》第二百三十五条"), ("partnership", 45, "《合伙企业法》第八十八条"),
                    ("cooperative", 45, "《农民专业合作社法》"), ("sole", 60, "《个人独资企业法》第二十七条"),
                    ("institution", 90, "《事业单位登记管理暂行条例实施细则》")]


@pytest.mark.parametrize("code,days,article", CREDITOR_PERIODS, ids=[c[0] for c in CREDITOR_PERIODS])
def test_the_creditors_period_of_each_kind(code, days, article):
    result = check(KIND_SAMPLES[code]["fields"])
    [window] = [w for w in result.windows if w.starts == date(2026, 11, 28)]
    expected = statutory_window(date(2026, 11, 28), days, "", article)
    assert (window.days, window.article, window.ends) == (days, article, expected.ends)
    said = [i.message for i in result.infos if i.code == "creditor-window"]
    assert said and f"{entities.numeral_cn(days)}日" in said[0]


@pytest.mark.parametrize("code", ["branch", "individual", "social"])
def test_kinds_without_a_statutory_creditor_period_get_none(code):
    result = check(KIND_SAMPLES[code]["fields"])
    assert result.windows == [] and "creditor-window" not in [i.code for i in result.infos]


# --- no Company-Law finding on a notice that is not a company's ---------------------------------

RISKY = "逾期不申报，视为放弃权利。本公告刊登三次。该公司股东大会决定，请于九十日内申报。"


def with_risky(text):
    return text.replace("特此公告。", RISKY + "特此公告。")


def test_the_risky_phrases_do_give_company_law_findings_on_a_companys_notice():
    result = check(SAMPLES["liquidation"]["fields"], with_risky(composed("company")))
    assert {"late-claims-waiver", "outdated-three-times", "outdated-90-days"} <= {w.code for w in result.warnings}


@pytest.mark.parametrize("code", NOT_COMPANIES)
def test_no_company_law_finding_on_a_notice_that_is_not_a_companys(code):
    fields = KIND_SAMPLES[code]["fields"]
    for text in (None, composed(code), with_risky(composed(code))):
        result = check(fields, text)
        if code == "branch":     # a branch is a company's (CL 13), but no liquidation rule is its
            cited = [m for m in messages(result) if re.search(r"第二百[三四]十|司法解释|2006年以前", m)]
        else:
            cited = [m for m in messages(result) if "公司法" in m]
        assert cited == [], (code, cited)
    assert result.ok, result.errors


def test_a_statutory_sentence_missing_cites_the_kinds_own_statute():
    for code, article in (("partnership", "《合伙企业法》第八十八条"), ("sole", "《个人独资企业法》第二十七条"),
                          ("cooperative", "《农民专业合作社法》")):
        text = re.sub(r"请债权人.*?证明材料。", "", composed(code))
        result = check(KIND_SAMPLES[code]["fields"], text)
        [error] = [e for e in result.errors if e.code.startswith("missing:creditor-claims")]
        assert article in error.message and "公司法" not in error.message


# --- real shapes ----------------------------------------------------------------------------------

# In the shape of 成都晚报社's 注销公告 (成都日报, 2020-11-05: a 事业单位 with 九十日 and three
# publications); the wording here is ours.
NEWSPAPER_OFFICE = {"entity": "institution", "heading": "注销公告", "company": "成都晚报社",
                    "cause": "经举办单位决定撤销"}
NEWSPAPER_TEXT = ("成都晚报社经举办单位决定撤销，已成立清算组，拟向登记管理机关申请注销登记。"
                  "请债权人自本公告第一次见报之日起九十日内，向本单位清算组申报债权。本公告连续刊登三次。"
                  "联系电话：028-86660000。特此公告。")


def test_an_institutions_notice_with_ninety_days_and_three_publications_passes_without_a_false_warning():
    result = check(NEWSPAPER_OFFICE, NEWSPAPER_TEXT)
    assert result.ok, result.errors
    assert result.warnings == [], result.warnings
    assert not [m for m in messages(result) if "公司法" in m]


def test_the_same_notice_sent_as_a_companys_gets_the_company_law_and_so_needs_the_kind():
    # What it got before the kinds existed, and still gets when the kind is not named.
    result = check({k: v for k, v in NEWSPAPER_OFFICE.items() if k != "entity"}, NEWSPAPER_TEXT)
    assert "missing:creditor-claims-45-days" in [e.code for e in result.errors]
    assert "outdated-90-days" in [w.code for w in result.warnings]


def test_an_institutions_notice_without_the_ninety_days_is_asked_about_not_refused():
    result = check(NEWSPAPER_OFFICE, NEWSPAPER_TEXT.replace("请债权人自本公告第一次见报之日起九十日内，", "请债权人"))
    assert result.ok
    [warning] = [w for w in result.warnings if w.code == "missing:creditor-claims-90-days"]
    assert "事业单位登记管理暂行条例实施细则" in warning.message


SOLE_TEXT = ("广州市示例电子商务商行（统一社会信用代码：91440101MA5CT4P80L）经投资人决定解散，由投资人自行清算。"
             "请债权人于本公告见报之日起60日内向投资人申报债权。联系电话：13800138000。特此公告。")
SOLE_FIELDS = {k: v for k, v in KIND_SAMPLES["sole"]["fields"].items() if not k.startswith("contact_")}


def test_a_sole_proprietorships_sixty_day_notice_is_accepted():
    result = check(SOLE_FIELDS, SOLE_TEXT)
    assert result.ok, result.errors
    assert result.warnings == [], result.warnings


def test_a_sole_proprietorships_notice_with_the_companys_45_days_is_refused_with_its_article():
    result = check(SOLE_FIELDS, SOLE_TEXT.replace("60日", "45日"))
    [error] = result.errors
    assert error.code == "missing:creditor-claims-60-days" and "《个人独资企业法》第二十七条" in error.message


def test_a_partnerships_notice_with_sixty_days_for_creditors_is_refused():
    text = composed("partnership").replace("见报之日起四十五日", "见报之日起六十日")
    result = check(KIND_SAMPLES["partnership"]["fields"], text)
    assert "missing:creditor-claims-45-days" in [e.code for e in result.errors]
    assert all("《合伙企业法》第八十八条" in e.message for e in result.errors)


def test_a_branch_is_asked_who_answers_for_its_debts():
    text = composed("branch").replace("本分公司的债权债务由广州市示例贸易有限公司承担。", "")
    result = check(KIND_SAMPLES["branch"]["fields"], text)
    assert result.ok
    [warning] = [w for w in result.warnings if w.code == "missing:branch-liability"]
    assert "第十三条" in warning.message


def test_a_branch_whose_name_does_not_show_its_company_is_said_to_be_the_companys():
    fields = dict(KIND_SAMPLES["branch"]["fields"], company="广州示例天河经营部分公司")
    assert "由所属公司承担" in check(fields).text
    assert entities.parent_company("广州市甲贸易有限公司天河分公司") == "广州市甲贸易有限公司"


# --- the fields that fit each kind --------------------------------------------------------------

@pytest.mark.parametrize("code,days,level", [("partnership", "60", "error"), ("sole", "45", "error"),
                                              ("institution", "60", "warning")])
def test_a_creditor_period_other_than_the_kinds_law_is_refused_or_asked(code, days, level):
    result = check(dict(KIND_SAMPLES[code]["fields"], claims_days=days))
    found = [f for f in result.findings if f.code == "claims-days"]
    assert [f.level for f in found] == [level] and found[0].field == "claims_days"


def test_a_period_the_law_leaves_open_is_printed_as_given_and_must_be_days():
    assert "自本公告见报之日起60日内" in check(dict(KIND_SAMPLES["social"]["fields"], claims_days="60")).text
    result = check(dict(KIND_SAMPLES["social"]["fields"], claims_days="两个月"))
    assert [e.code for e in result.errors] == ["claims-days"]
    assert "请向本会清算组织申报债权" not in check(dict(KIND_SAMPLES["social"]["fields"], claims_days="")).text
    assert "请债权人向本会清算组织申报债权" in check(dict(KIND_SAMPLES["social"]["fields"], claims_days="")).text


@pytest.mark.parametrize("name,kind,seen", [
    ("广州示例投资合伙企业（有限合伙）", "company", "合伙企业"),
    ("广州市示例贸易有限公司", "partnership", "公司"),
    ("广州市示例贸易有限公司天河分公司", "company", "分公司"),
    ("广州市从化区示例荔枝专业合作社", "sole", "农民专业合作社"),
])
def test_a_name_that_shows_another_kind_is_asked_about(name, kind, seen):
    result = check(dict(KIND_SAMPLES[kind]["fields"], company=name))
    [warning] = [w for w in result.warnings if w.code == "entity-mismatch"]
    assert f"看起来是{seen}" in warning.message and warning.field == "entity"


def test_a_partnership_has_no_shareholders():
    result = check(dict(KIND_SAMPLES["partnership"]["fields"], cause="经股东会决议解散"))
    [warning] = [w for w in result.warnings if w.code == "entity-members"]
    assert "合伙人" in warning.message and "经全体合伙人决定解散" in warning.message


def test_the_catalogue_json_lists_each_kind_with_its_statute_and_windows():
    data = LIQUIDATION.as_json()
    field = next(f for f in data["fields"] if f["name"] == "entity")
    assert field["default"] == "company" and {"value": "institution", "label": "事业单位"} in field["choices"]
    kinds = {k["code"]: k for k in data["entities"]}
    assert kinds["sole"]["creditor_days"] == 60 and kinds["sole"]["creditor_article"] == "《个人独资企业法》第二十七条"
    assert kinds["partnership"]["deadline"]["days"] == 60 and "branch" in kinds and "deadline" not in kinds["branch"]
