"""Every catalogue type composes its sample, passes its own checks; every seed notice is accepted
with exactly the warnings docs/law.md calls for; each statutory sentence's absence is an error."""
from __future__ import annotations

import re

import pytest

from notices.catalogue import CATALOGUE
from notices.checks import check_notice
from tests.conftest import NOW, load_samples, load_seed

PUBLICATION = "2026-11-28"
SAMPLES = load_samples()
SEED = load_seed()


def test_samples_cover_the_catalogue():
    assert {s["type"] for s in SAMPLES.values()} == set(CATALOGUE)
    variants = {s["fields"].get("variant") for s in SAMPLES.values() if s["type"] == "lost-document"}
    assert variants == {v.code for v in CATALOGUE["lost-document"].variants}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_sample_composes_and_passes_its_own_checks(name):
    sample = SAMPLES[name]
    result = check_notice(sample["type"], sample["fields"], None, PUBLICATION, now=NOW)
    assert result.ok, result.errors
    assert result.composed and result.text
    assert result.warnings == [], result.warnings
    # The composed text, submitted back as edited text, passes too (no change needed).
    again = check_notice(sample["type"], sample["fields"], result.text, PUBLICATION, now=NOW)
    assert again.ok and again.text == result.text and not again.changes


@pytest.mark.parametrize("index", range(len(SEED)), ids=[f"seed{i + 1}" for i in range(len(SEED))])
def test_seed_notice_is_accepted_with_exactly_its_warnings(index):
    item = SEED[index]
    result = check_notice(item["type"], item["fields"], item["text"], PUBLICATION, now=NOW)
    assert result.errors == []
    assert sorted(w.code for w in result.warnings) == sorted(item["warnings"])
    # Newspapers set no space between Chinese and a code: the one seed notice that has one loses
    # it, and the advertiser is told.
    assert result.text == item["text"].replace("代码 9", "代码9")
    assert bool(result.changes) == (" " in item["text"])


def test_there_are_thirteen_seed_notices():
    assert len(SEED) == 13


REQUIRED_CASES = [
    # (sample, the statutory sentence's key words removed, finding code)
    ("capital-reduction", lambda t: re.sub(r"请债权人.*?担保。", "", t), "missing:creditor-45-days"),
    ("merger", lambda t: re.sub(r"请债权人.*?担保。", "", t), "missing:creditor-45-days"),
    ("liquidation", lambda t: re.sub(r"请债权人.*?证明材料。", "", t), "missing:creditor-claims-45-days"),
    ("division", lambda t: t.replace("承担连带责任", "负责"), "missing:joint-liability"),
    ("correction", lambda t: t.replace("应为", "改成"), "missing:correction-sentence"),
    ("revocation", lambda t: t.replace("撤销", "取消"), "missing:revocation-sentence"),
]


@pytest.mark.parametrize("name,cut,code", REQUIRED_CASES, ids=[c[0] for c in REQUIRED_CASES])
def test_missing_statutory_sentence_is_an_error(name, cut, code):
    sample = SAMPLES[name]
    composed = check_notice(sample["type"], sample["fields"], None, PUBLICATION, now=NOW).text
    edited = cut(composed)
    assert edited != composed
    result = check_notice(sample["type"], sample["fields"], edited, PUBLICATION, now=NOW)
    assert code in [e.code for e in result.errors]


@pytest.mark.parametrize("days", ["四十五日", "45日", "45天"])
def test_any_equivalent_wording_of_the_45_days_passes(days):
    sample = SAMPLES["capital-reduction"]
    composed = check_notice(sample["type"], sample["fields"], None, PUBLICATION, now=NOW).text
    edited = composed.replace("四十五日", days)
    result = check_notice(sample["type"], sample["fields"], edited, PUBLICATION, now=NOW)
    assert result.ok, result.errors


def test_reduction_to_cover_losses_needs_no_creditor_sentence():
    fields = dict(SAMPLES["capital-reduction"]["fields"], covers_losses="1")
    result = check_notice("capital-reduction", fields, None, PUBLICATION, now=NOW)
    assert result.ok and "债权人" not in result.text


@pytest.mark.parametrize("name", ["lost-document:licence", "capital-reduction", "liquidation", "correction"])
def test_missing_closing_formula_is_an_error(name):
    sample = SAMPLES[name]
    composed = check_notice(sample["type"], sample["fields"], None, PUBLICATION, now=NOW).text
    edited = re.sub(r"(本公司将向公司登记机关申请变更登记。)?(声明作废|特此公告|特此更正|特此声明)。$", "。", composed)
    assert edited != composed
    result = check_notice(sample["type"], sample["fields"], edited, PUBLICATION, now=NOW)
    assert "closing" in [e.code for e in result.errors]


@pytest.mark.parametrize("phrase,code", [("逾期不申报，视为放弃权利。", "late-claims-waiver"),
                                         ("本公告刊登三次。", "outdated-three-times"),
                                         ("请于九十日内申报。", "outdated-90-days")])
def test_outdated_or_risky_phrases_warn(phrase, code):
    sample = SAMPLES["liquidation"]
    composed = check_notice(sample["type"], sample["fields"], None, PUBLICATION, now=NOW).text
    edited = composed.replace("特此公告。", phrase + "特此公告。")
    result = check_notice(sample["type"], sample["fields"], edited, PUBLICATION, now=NOW)
    assert result.ok
    assert code in [w.code for w in result.warnings]


@pytest.mark.parametrize("name,field,wrong", [
    ("lost-document:licence", "holder", "广州市另一贸易有限公司"),
    ("capital-reduction", "capital_after", "400万元"),
    ("capital-reduction", "uscc", "91440101MA5J1XG6X7"),
    ("revocation", "original_dates", "2026-10-13"),
])
def test_edited_text_must_agree_with_the_fields(name, field, wrong):
    sample = SAMPLES[name]
    composed = check_notice(sample["type"], sample["fields"], None, PUBLICATION, now=NOW).text
    changed = dict(sample["fields"], **{field: wrong})
    result = check_notice(sample["type"], changed, composed, PUBLICATION, now=NOW)
    assert "field-not-in-text" in [e.code for e in result.errors]


def test_a_reduction_must_reduce():
    fields = dict(SAMPLES["capital-reduction"]["fields"], capital_after="壹仟万元")
    result = check_notice("capital-reduction", fields, None, PUBLICATION, now=NOW)
    assert [e.code for e in result.errors] == ["must-reduce"]
    assert "应低于" in result.errors[0].message


def test_amounts_in_digits_and_uppercase_are_the_same_value():
    fields = dict(SAMPLES["capital-reduction"]["fields"], capital_before="壹仟万元", capital_after="500万元")
    composed = check_notice("capital-reduction", SAMPLES["capital-reduction"]["fields"], None, PUBLICATION,
                            now=NOW).text
    assert check_notice("capital-reduction", fields, composed, PUBLICATION, now=NOW).ok


def test_late_publication_warns_loudly_and_does_not_block():
    fields = dict(SAMPLES["capital-reduction"]["fields"], resolved_on="2026-10-01")
    result = check_notice("capital-reduction", fields, None, PUBLICATION, now=NOW)
    assert result.ok
    late = [w for w in result.warnings if w.code == "late"]
    # 10-31 is a Saturday (民法典 Art. 203)
    assert late and "法定刊登期限" in late[0].message and "2026年11月2日" in late[0].message


def test_window_not_checked_is_reported_as_not_checked():
    fields = {k: v for k, v in SAMPLES["capital-reduction"]["fields"].items() if k != "resolved_on"}
    result = check_notice("capital-reduction", fields, None, PUBLICATION, now=NOW)
    assert "window-not-checked" in [i.code for i in result.infos]


def test_revoked_items_must_predate_the_new_publication():
    fields = dict(SAMPLES["revocation"]["fields"], original_dates="2026-11-28")
    result = check_notice("revocation", fields, None, PUBLICATION, now=NOW)
    assert "date-order" in [e.code for e in result.errors]


def test_unknown_type_and_extra_fields():
    assert check_notice("no-such-type", {}, None, now=NOW).errors[0].code == "unknown-type"
    sample = SAMPLES["correction"]
    fields = dict(sample["fields"], status="published", price="0")
    result = check_notice(sample["type"], fields, None, PUBLICATION, now=NOW)
    assert result.ok and "status" not in result.fields and "price" not in result.fields


def test_invisible_characters_in_text_are_refused():
    sample = SAMPLES["lost-document:licence"]
    composed = check_notice(sample["type"], sample["fields"], None, PUBLICATION, now=NOW).text
    result = check_notice(sample["type"], sample["fields"], composed.replace("遗失", "遗\u202e失"), PUBLICATION,
                          now=NOW)
    assert [e.code for e in result.errors] == ["forbidden-character"]


def test_title_typed_into_the_text_is_removed_and_reported():
    item = SEED[3]
    result = check_notice(item["type"], item["fields"], "遗失声明 " + item["text"], PUBLICATION, now=NOW)
    assert result.ok and result.text == item["text"]
    assert any("标题" in c for c in result.changes)


def test_bad_identifier_blocks_with_position_and_expected_character():
    fields = dict(SAMPLES["lost-document:licence"]["fields"], uscc="91440106MA5CL12T4F")
    result = check_notice("lost-document", fields, None, PUBLICATION, now=NOW)
    assert [e.field for e in result.errors] == ["uscc"]
    assert "第18位" in result.errors[0].message and "G" in result.errors[0].message


def test_licence_needs_a_code_or_a_registration_number():
    fields = {k: v for k, v in SAMPLES["lost-document:licence"]["fields"].items() if k != "uscc"}
    result = check_notice("lost-document", fields, None, PUBLICATION, now=NOW)
    assert [e.code for e in result.errors] == ["one-of"]


def test_closed_issue_date_is_refused():
    # 2026-11-26 is "today" at 09:00: its copy deadline (15:00 the day before) has passed.
    sample = SAMPLES["correction"]
    result = check_notice(sample["type"], sample["fields"], None, "2026-11-26", now=NOW)
    assert "issue-closed" in [e.code for e in result.errors]
    assert check_notice(sample["type"], sample["fields"], None, "2026-11-27", now=NOW).ok


def test_a_reduction_is_decided_by_the_shareholders_not_the_board():
    from notices.catalogue import CATALOGUE
    choices = [value for value, _ in CATALOGUE["capital-reduction"].field("decision").choices]
    assert "董事会决议" not in choices
    assert choices[0] == "股东会决议" and "履行出资人职责的机构决定" in choices


def test_every_example_code_in_the_help_passes_its_own_check():
    """An example that the form offers and then refuses (a wrong check character) teaches the
    advertiser that the checker is wrong."""
    from notices.catalogue import IDENTIFIER_KINDS
    from notices.identifiers import CHECKS

    examples = 0
    for notice_type in CATALOGUE.values():
        texts = [(f.kind, f.help or "") for f in notice_type.fields if f.kind in IDENTIFIER_KINDS]
        texts += [(notice_type.field(names[0]).kind, message) for names, message, _ in notice_type.group_rules]
        for kind, text in texts:
            for code in re.findall(r"例如：([0-9A-Z]{6,})", text):
                check = CHECKS[kind](code)
                assert check.valid and check.severity == "ok", (notice_type.code, code, check.message)
                examples += 1
    assert examples >= 5


@pytest.mark.parametrize("name, change, code, level", [
    # A correction that corrects nothing.
    ("correction", {"correct_text": "91440106MA5CL12T4F"}, "nothing-corrected", "error"),
    # A company split "into itself" by 新设分立, which dissolves it.
    ("division", {"division_form": "新设分立"}, "new-is-old", "error"),
    ("division", {"result2_name": "广州市示例实业有限公司"}, "duplicate-party", "error"),
    # Capital reduced to nothing; amounts typed without 万.
    ("capital-reduction", {"capital_after": "0"}, "capital-zero", "error"),
    ("capital-reduction", {"capital_before": "1000", "capital_after": "500"}, "capital-small", "warning"),
    # A mobile number with a digit missing.
    ("capital-reduction", {"contact_phone": "138001380"}, "phone", "warning"),
    ("liquidation", {"contact_phone": "1380013800012"}, "phone", "warning"),
])
def test_contradictions_and_slips_in_the_fields_are_caught(name, change, code, level):
    sample = SAMPLES[name]
    result = check_notice(sample["type"], {**sample["fields"], **change}, None, PUBLICATION, now=NOW)
    findings = result.errors if level == "error" else result.warnings
    assert code in [f.code for f in findings], (result.errors, result.warnings)


@pytest.mark.parametrize("phone", ["13800138000", "020-87750217", "87750217 87133731", "13800138000、13900139000",
                                   "010-12345678转123", "+86 13800138000"])
def test_good_phone_numbers_raise_no_warning(phone):
    sample = SAMPLES["capital-reduction"]
    result = check_notice(sample["type"], {**sample["fields"], "contact_phone": phone}, None, PUBLICATION, now=NOW)
    assert not [w for w in result.warnings if w.code == "phone"], phone


def test_a_revocation_says_the_company_goes_on_only_where_that_was_in_question():
    # The company speaks (本公司), and goes on only as CL 230 allows (tests/domain/test_law_as_written.py).
    sample = SAMPLES["revocation"]
    liquidation = check_notice(sample["type"], sample["fields"], None, PUBLICATION, now=NOW)
    assert liquidation.ok and "本公司继续经营" in liquidation.text and "该公司" not in liquidation.text
    fields = {**sample["fields"], "revoked_items": "减资公告", "dissolve_group": "", "continues": ""}
    reduction = check_notice(sample["type"], fields, None, PUBLICATION, now=NOW)
    assert reduction.ok, reduction.errors
    assert "继续经营" not in reduction.text and reduction.text.endswith("减资公告。特此公告。")
    assert "经股东会决议，撤销" in reduction.text


def test_a_list_of_dates_comes_back_as_people_write_dates():
    sample = SAMPLES["revocation"]
    fields = {**sample["fields"], "original_dates": "2026年9月19日、2026-10-08"}
    result = check_notice(sample["type"], fields, None, PUBLICATION, now=NOW)
    assert result.ok and result.fields["original_dates"] == "2026年9月19日、2026年10月8日"
    assert "2026年9月19日、2026年10月8日" in result.text     # as the paper prints dates


@pytest.mark.parametrize("name, decision, words", [
    ("division", None, "经股东会决议，以存续分立方式"),
    ("division", "股东决定", "经股东决定，以存续分立方式"),
    ("merger", None, "经各自股东会决议，"),
    ("merger", "股东会决议或股东决定", "经各自股东会决议或股东决定，"),
])
def test_merger_and_division_say_how_the_companies_decided(name, decision, words):
    """A one-person company decides by 股东决定; without a choice (older API clients) the
    wording is the shareholders' meeting's, as before."""
    sample = SAMPLES[name]
    fields = {**sample["fields"], **({"decision": decision} if decision else {})}
    result = check_notice(sample["type"], fields, None, PUBLICATION, now=NOW)
    assert result.ok, result.errors
    assert words in result.text
