"""Finished texts: a notice an agency has already written, sent as {"type", "text"} with no fields.

tests/data/finished-texts.json holds notices written after the patterns of published ones (the
seed page's, classified columns', listed companies' 公告 with their 证券代码 line, sections and
board signature): each must pass with no error, and what it says must be read into the fields
(no "请填写…" for what is there). Corrupted copies of them (a wrong check character in a code
written only in the text, a reduction that increases, the creditor sentence taken out) must fail,
and a field the client gives that the text contradicts is an error.
"""
from __future__ import annotations

import json
import re

import pytest

from notices.catalogue import CATALOGUE
from notices.checks import check_notice
from notices.reading import find_identifiers, read_notice, without_signature
from tests.conftest import DATA, NOW, load_samples, load_seed

PUBLICATION = "2026-11-28"
# A text may need a field that another change of issue 13 declares (the entity kinds): it is
# left out until the catalogue has it.
FINISHED = [item for item in json.loads((DATA / "finished-texts.json").read_text(encoding="utf-8"))
            if set(item.get("needs", ())) <= {f.name for f in CATALOGUE[item["type"]].fields}]
SEED = load_seed()
SAMPLES = load_samples()
BY_ID = {item["id"]: item for item in FINISHED}


def check(item: dict, text: str | None = None, fields: dict | None = None):
    return check_notice(item["type"], fields or {}, item["text"] if text is None else text, PUBLICATION, now=NOW)


def codes(result) -> list[str]:
    return [e.code for e in result.errors]


def test_there_are_at_least_twenty_finished_texts_across_the_types():
    assert len(FINISHED) >= 24
    # Every type of the catalogue, the nine of docs/law.md §9 included, two texts or more each.
    assert {item["type"] for item in FINISHED} == set(CATALOGUE)
    assert all(sum(item["type"] == code for item in FINISHED) >= 2 for code in CATALOGUE)


@pytest.mark.parametrize("item", FINISHED, ids=[i["id"] for i in FINISHED])
def test_finished_text_alone_passes_and_its_facts_are_read(item):
    result = check(item)
    assert result.errors == [], [e.message for e in result.errors]
    assert not any(f.message.startswith(("请填写", "请选择")) for f in result.findings)
    declared = {f.name for f in CATALOGUE[item["type"]].fields}
    for name, value in item["read"].items():
        if name in declared:    # revocation's decision: a field another change adds
            assert result.fields.get(name, "") == value, name
    assert any(f.code == "read-from-text" for f in result.infos)


@pytest.mark.parametrize("index", range(len(SEED)), ids=[f"seed{i + 1}" for i in range(len(SEED))])
def test_seed_notice_as_text_alone_passes(index):
    item = SEED[index]
    result = check_notice(item["type"], {}, item["text"], PUBLICATION, now=NOW)
    assert result.errors == [], [e.message for e in result.errors]
    # What the seed's fields say is what the text is read as (the seed's "股东会决定" is read as
    # the 股东会's: its fields say 股东决定; the wording rules warn about the verb).
    for name, value in item["fields"].items():
        if name not in ("decision", "original_dates"):
            got = result.fields.get(name, "")
            assert got == value or got.replace("人民币", "") == value, (name, got, value)


@pytest.mark.parametrize("item", FINISHED, ids=[i["id"] for i in FINISHED])
def test_the_fields_read_given_back_with_the_text_pass_without_contradiction(item):
    read = check(item).fields
    result = check(item, fields={k: v for k, v in read.items() if v})
    assert result.errors == [], [e.message for e in result.errors]
    assert not any(f.code == "read-from-text" for f in result.infos)


# ---------------------------------------------------------------------------------------------
# Identifiers written in the text are checked.
WITH_CODES = [i for i in FINISHED if re.search(r"统一社会信用代码：[0-9A-Z]{18}", i["text"])]


def _corrupt_code(text: str) -> tuple[str, str]:
    """The text with the last character of its first credit code changed (its check fails)."""
    m = re.search(r"统一社会信用代码：([0-9A-Z]{17})([0-9A-Z])", text)
    assert m
    bad = m[1] + ("0" if m[2] != "0" else "1")
    return text.replace(m[1] + m[2], bad, 1), bad


@pytest.mark.parametrize("item", WITH_CODES, ids=[i["id"] for i in WITH_CODES])
def test_a_wrong_credit_code_in_the_text_is_an_error_naming_it(item):
    text, bad = _corrupt_code(item["text"])
    result = check(item, text)
    errors = [e for e in result.errors if e.code == "uscc"]
    assert errors and bad in errors[0].message and errors[0].field == "text", result.errors
    assert "第18位校验码" in errors[0].message


def test_a_wrong_code_in_the_text_is_found_when_the_fields_give_the_right_one():
    item = BY_ID["reduction-plain"]
    fields = check(item).fields
    text = item["text"] + "原统一社会信用代码91440101MA5AY4CLX7已停用。"
    result = check(item, text, fields=fields)
    assert any(e.code == "uscc" and "91440101MA5AY4CLX7" in e.message for e in result.errors)


def test_a_wrong_regno_in_the_text_is_an_error_and_a_wrong_id_number_a_warning():
    regno = BY_ID["liquidation-regno-fabu"]
    result = check(regno, regno["text"].replace("440106600123457", "440106600123458"))
    assert any(e.code == "regno" and "440106600123458" in e.message for e in result.errors)
    # An ID number names a person and prints masked whatever its digits (notices/privacy.py).
    card = BY_ID["lost-id-card"]
    result = check(card, card["text"].replace("440106198503172317", "440106198503172318"))
    assert result.ok
    assert any(w.code == "id-card" and "440106********2318" in w.message for w in result.warnings)
    assert not any("440106198503172318" in f.message for f in result.findings)


def test_a_code_quoted_as_the_wrong_text_of_a_correction_is_not_an_error():
    text = BY_ID["correction"]["text"]
    assert [x.value for x in find_identifiers(text)] == ["91440106MA5612DD1W"]


# ---------------------------------------------------------------------------------------------
# The amounts' order and the required sentences.
REDUCTIONS = [i for i in FINISHED if i["type"] == "capital-reduction" and i["id"] != "reduction-covers-losses"]


@pytest.mark.parametrize("item", REDUCTIONS, ids=[i["id"] for i in REDUCTIONS])
def test_a_reduction_that_increases_is_an_error(item):
    before, after = item["read"].get("capital_before"), item["read"].get("capital_after")
    if before is None:
        before, after = check(item).fields["capital_before"], check(item).fields["capital_after"]
    swapped = item["text"].replace(before, "\0").replace(after, before).replace("\0", after)
    assert swapped != item["text"]
    result = check(item, swapped)
    assert "must-reduce" in codes(result)
    assert next(e for e in result.errors if e.code == "must-reduce").field == "text"


def test_the_issue_s_increasing_reduction_is_refused():
    text = ("广州市示例建材有限公司（统一社会信用代码：91440101MA5AY4CLX6）经股东会决议，"
            "注册资本由100万元减少至1000万元。"
            "请债权人自本公告见报之日起四十五日内，有权要求本公司清偿债务或者提供相应的担保。特此公告。")
    result = check_notice("capital-reduction", {}, text, PUBLICATION, now=NOW)
    assert "must-reduce" in codes(result)


# Those whose law requires the sentence: not a 分公司's or 社会组织's (none), nor a 事业单位's
# (its period is not confirmed: a warning), nor a reduction that covers losses (CL 225).
CREDITOR_SENTENCES = [i for i in FINISHED if i["type"] in ("capital-reduction", "merger", "liquidation")
                      and i["id"] != "reduction-covers-losses"
                      and i["read"].get("entity", "company") in ("company", "partnership", "sole", "cooperative")]


@pytest.mark.parametrize("item", CREDITOR_SENTENCES, ids=[i["id"] for i in CREDITOR_SENTENCES])
def test_the_creditor_sentence_taken_out_is_an_error(item):
    text = re.sub(r"[^。\n]*债权人[^。\n]*。", "", item["text"])
    text = re.sub(r"[^。\n]*(?:申报债权|清偿债务)[^。\n]*。", "", text)
    assert text != item["text"]
    result = check(item, text)
    assert any(c.startswith("missing:creditor") for c in codes(result)), codes(result)


@pytest.mark.parametrize("period", ["见报后45日内", "刊登后四十五日内", "公告之日起45日内", "登报之日起45天内",
                                    "披露之日起45日内"])
def test_the_common_phrasings_of_the_window_pass_with_the_fields_too(period):
    sample = SAMPLES["capital-reduction"]
    composed = check_notice(sample["type"], sample["fields"], None, PUBLICATION, now=NOW).text
    edited = composed.replace("本公告见报之日起四十五日内", "本公告" + period)
    assert edited != composed
    result = check_notice(sample["type"], sample["fields"], edited, PUBLICATION, now=NOW)
    assert result.ok, result.errors


def test_the_period_may_come_before_the_creditors():
    sample = SAMPLES["merger"]
    composed = check_notice(sample["type"], sample["fields"], None, PUBLICATION, now=NOW).text
    edited = re.sub(r"请债权人自接到公司通知之日起三十日内，未接到通知的自本公告见报之日起四十五日内，",
                    "自本公告见报之日起四十五日内，债权人", composed)
    assert edited != composed
    assert check_notice(sample["type"], sample["fields"], edited, PUBLICATION, now=NOW).ok


# ---------------------------------------------------------------------------------------------
# The client's fields win; where the text says otherwise, that is a finding.
def test_a_resolution_date_the_text_contradicts_is_an_error():
    item = BY_ID["reduction-plain"]
    fields = dict(check(item).fields, resolved_on="2026-11-10")
    result = check(item, fields=fields)
    found = [e for e in result.errors if e.code == "text-contradicts-field"]
    assert found and "2026年11月20日" in found[0].message and "2026年11月10日" in found[0].message
    assert result.fields["resolved_on"] == "2026-11-10"     # the client's value is kept


def test_amounts_the_text_gives_the_other_way_round_are_an_error():
    item = BY_ID["reduction-plain"]
    fields = check(item).fields
    text = item["text"].replace("由500万元减少至100万元", "由100万元减少至500万元")
    result = check(item, text, fields=fields)
    assert "text-contradicts-field" in codes(result)


def test_fields_given_partly_are_completed_from_the_text():
    item = BY_ID["merger-absorption"]
    result = check(item, fields={"merger_form": "吸收合并", "party1_name": "广州市示范控股有限公司"})
    assert result.ok, result.errors
    assert result.fields["party2_uscc"] == "91440105MA5BJ1XG3U"


def test_what_the_text_does_not_say_is_asked_for_as_missing_from_the_text():
    text = ("广州市示例建材有限公司（统一社会信用代码：91440101MA5AY4CLX6）经股东会决议减少注册资本。"
            "请债权人自本公告见报之日起四十五日内，有权要求本公司清偿债务或者提供相应的担保。特此公告。")
    result = check_notice("capital-reduction", {}, text, PUBLICATION, now=NOW)
    messages = [e.message for e in result.errors if e.code == "required"]
    assert any(m.startswith("正文中没有读到原注册资本") for m in messages), messages
    assert not any(m.startswith("请填写") for m in messages)


# ---------------------------------------------------------------------------------------------
# The closing, a signature after it, several paragraphs.
def test_a_signature_after_the_closing_is_accepted_and_a_sentence_is_not():
    closings = ("特此公告",)
    assert without_signature("……特此公告。广州市示例有限公司2026年11月26日", closings) == "……特此公告。"
    assert without_signature("……特此公告。广州市示例有限公司清算组二〇二六年十一月二十六日", closings) == "……特此公告。"
    assert without_signature("……特此公告。联系人：王先生，电话：020-87750000", closings) == "……特此公告。"
    text = "……特此公告。请债权人于四十五日内申报债权。"
    assert without_signature(text, closings) == text
    item = BY_ID["reduction-plain"]
    result = check(item, item["text"] + "请各位债权人注意查阅本公司在国家企业信用信息公示系统公示的相关信息。")
    assert "closing" in codes(result)


def test_a_listed_company_s_notice_is_read_past_its_header_and_needs_no_credit_code():
    item = BY_ID["reduction-listed"]
    reading = read_notice(CATALOGUE["capital-reduction"], item["text"])
    assert reading is not None and reading.header.startswith("证券代码：603999")
    assert reading.signature.startswith("广东示范科技股份有限公司董事会")
    result = check(item)
    assert any(f.code == "listed-company" for f in result.infos)
    assert result.text.startswith("证券代码：603999")     # the header still prints: issue 15 lays it out


# ---------------------------------------------------------------------------------------------
# The types beyond companies' (docs/law.md §9): each text corrupted where its law or its sense
# bites is refused, the error about the text where the fact was read from it.
CORRUPTED = [
    # (text, what is changed, into what, the error expected)
    ("assignment-joint-signed", "现公告要求下列借款人及其担保人自公告之日起立即向示范资产管理股份有限公司广东省分公司"
     "履行主合同还款义务或相应的担保责任。", "", "missing:collection-demand"),
    ("assignment-list-abbreviated", "与广州示范投资管理有限公司于", "与示范资产管理股份有限公司广东省分公司于",
     "same-party"),
    ("eia-template-sections", "2026年11月27日至2026年12月10日", "2026年11月27日至2026年12月3日", "consultation-short"),
    ("eia-classified-short-range", "至12月10日（10个工作日）", "至12月3日", "consultation-short"),
    ("eia-template-sections", "征求意见稿全文网络链接：https://www.example.com/gs/2026/1127.html。", "", "required"),
    ("auction-court-entrusted", "定于2026年12月10日（星期四）", "定于2026年12月3日（星期四）", "too-late-before"),
    ("auction-sections", "2026年12月10日至2026年12月14日", "2026年12月10日至2026年12月16日", "viewing-after-sale"),
    ("rename-approved", "更名为“广州示范科技有限公司”", "更名为“广州市示范贸易有限公司”", "same-name"),
    ("relocation-you-qianzhi", "迁至广州市南沙区示范大道168号", "迁至广州市番禺区示范路8号", "same-address"),
    ("new-seal-after-loss", "起启用新公章", "起使用新公章", "missing:new-seal"),
    ("family-search-daughter", "请联系王女士，手机：13922220000。", "", "missing:family-contact"),
    ("foundling-bureau-template", "自公告之日起60日内", "自公告之日起30日内", "missing:claim-60-days"),
    ("apology-judgment", "向李四公开赔礼道歉", "向张三公开赔礼道歉", "same-party"),
]


@pytest.mark.parametrize("item_id,old,new,code", CORRUPTED, ids=[f"{c[0]}:{c[3]}" for c in CORRUPTED])
def test_a_new_type_s_text_corrupted_is_refused(item_id, old, new, code):
    item = BY_ID[item_id]
    assert old in item["text"]
    result = check(item, item["text"].replace(old, new))
    assert code in codes(result), [(e.code, e.message) for e in result.errors]


def test_a_range_written_short_is_read_to_its_last_day():
    from notices.reading import range_ends
    assert [d.isoformat() for _s, _e, d in range_ends("展示时间：2026年12月7日至8日；")] == ["2026-12-08"]
    assert [d.isoformat() for _s, _e, d in range_ends("2026年12月28日至1月8日")] == ["2027-01-08"]
    assert range_ends("2026年12月7日至2026年12月8日") == []
