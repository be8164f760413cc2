"""The law as written (docs/law.md §6): the creditor's right, not only its period; the waiver
warning with each type's own reason; CL 219 board mergers; CL 230 and 市监注〔2020〕107号 for a
revoked dissolution; a revoked 减资 names its resolution; 本公司; 决议/决定; 股东会."""
from __future__ import annotations

import pytest

from notices.checks import check_notice
from notices.wording import CREDITOR_DEMAND_SENTENCE
from tests.conftest import NOW, load_samples, load_seed

PUBLICATION = "2026-11-28"
SAMPLES = load_samples()
SEED = load_seed()


def _check(name: str, text: str | None = None, **changes: str):
    sample = SAMPLES[name]
    return check_notice(sample["type"], {**sample["fields"], **changes}, text, PUBLICATION, now=NOW)


def _composed(name: str, **changes: str) -> str:
    result = _check(name, **changes)
    assert result.ok, result.errors
    return result.text


def _codes(findings) -> list[str]:
    return [f.code for f in findings]


# ---------------------------------------------------------------------------------------------
# The creditor's right (CL 224 ¶2, CL 220)
CONTACT_ONLY = "请债权人自本公告见报之日起45日内与本公司联系。"

# The right as published notices and the templates papers hand out write it.
REAL_PHRASINGS = [
    # the statute's own words (our composed text)
    CREDITOR_DEMAND_SENTENCE,
    # a lawyer's template: "为保护本公司债权人的合法权益，自本公告见报之日起 日内，债权人有权要求公司
    # 清偿债务或者提供相应的担保"
    "为保护本公司债权人的合法权益，自本公告见报之日起45日内，债权人有权要求公司清偿债务或者提供相应的担保。",
    # a newspaper's 减资 template: "向公司提出债权债务或提供相应担保的请求"
    "请有关债权人自本公告见报之日起45日内向公司提出债权债务或提供相应担保的请求。",
    # a listed company's 通知债权人的公告
    "债权人自接到公司通知之日起30日内、未接到通知者自本公告披露之日起45日内，有权凭有效债权文件及相关凭证"
    "要求公司清偿债务或者提供相应的担保。",
    "请债权人自本公告见报之日起四十五日内要求本公司清偿债务或提供相应担保。",
    "债权人可自本公告刊登之日起45天内要求本公司清偿债务或者提供担保。",
]


@pytest.mark.parametrize("name", ["capital-reduction", "merger"])
@pytest.mark.parametrize("sentence", REAL_PHRASINGS, ids=[f"phrasing{i}" for i in range(len(REAL_PHRASINGS))])
def test_real_phrasings_of_the_right_pass(name, sentence):
    composed = _composed(name)
    statute = CREDITOR_DEMAND_SENTENCE if name == "capital-reduction" else \
        CREDITOR_DEMAND_SENTENCE.replace("本公司", "公司")
    assert statute in composed
    result = _check(name, composed.replace(statute, sentence))
    assert result.ok, result.errors
    assert "claims-in-reduction" not in _codes(result.warnings)


@pytest.mark.parametrize("name, article", [("capital-reduction", "第二百二十四条第二款"), ("merger", "第二百二十条")])
def test_a_period_without_the_right_is_an_error(name, article):
    composed = _composed(name)
    statute = CREDITOR_DEMAND_SENTENCE if name == "capital-reduction" else \
        CREDITOR_DEMAND_SENTENCE.replace("本公司", "公司")
    result = _check(name, composed.replace(statute, CONTACT_ONLY))
    errors = [e for e in result.errors if e.code == "missing:creditor-right"]
    assert errors and article in errors[0].message and errors[0].field == "text"
    # The period is there: only the right is missing.
    assert "missing:creditor-45-days" not in _codes(result.errors)


def test_a_reduction_to_cover_losses_needs_no_right():
    assert _check("capital-reduction", covers_losses="1").ok


def test_declaring_claims_in_a_reduction_passes_with_its_warning():
    """The seed page's 减资 says "向本公司申报债权": the creditor still comes forward, so it is not
    refused, but the advertiser is told the statute's right."""
    seed = SEED[6]
    result = check_notice(seed["type"], seed["fields"], seed["text"], PUBLICATION, now=NOW)
    assert result.ok
    warning = next(w for w in result.warnings if w.code == "claims-in-reduction")
    assert "清偿债务或者提供相应的担保" in warning.message


def test_a_listed_company_stating_the_right_and_how_to_declare_is_not_warned():
    composed = _composed("capital-reduction")
    text = composed.replace("特此公告。", "债权申报方式：债权人可采取现场或邮寄方式申报债权。特此公告。")
    result = _check("capital-reduction", text)
    assert result.ok and "claims-in-reduction" not in _codes(result.warnings)


def test_declaring_claims_in_a_merger_is_warned_with_the_merger_article():
    composed = _composed("merger")
    statute = CREDITOR_DEMAND_SENTENCE.replace("本公司", "公司")
    text = composed.replace(statute, "请债权人自本公告见报之日起45日内向本公司申报债权。")
    result = _check("merger", text)
    assert result.ok
    warning = next(w for w in result.warnings if w.code == "claims-in-reduction")
    assert "第二百二十条" in warning.message


# ---------------------------------------------------------------------------------------------
# Waivers: each type's own reason
WAIVER = "逾期未提出的，视为放弃权利。"


@pytest.mark.parametrize("name, says, not_says", [
    ("capital-reduction", "第二百二十四条", "司法解释"),
    ("merger", "第二百二十一条", "司法解释"),
    ("division", "第二百二十三条", "司法解释"),
    ("liquidation", "司法解释（二）第十三条", "第二百二十四条"),
])
def test_the_waiver_warning_gives_the_reason_of_its_type(name, says, not_says):
    waiver = "逾期不申报，视为放弃权利。" if name == "liquidation" else WAIVER
    text = _composed(name).replace("特此公告。", waiver + "特此公告。")
    result = _check(name, text)
    assert result.ok
    warning = next(w for w in result.warnings if w.code == "late-claims-waiver")
    assert says in warning.message and not_says not in warning.message


def test_a_waiver_of_the_early_payment_right_only_is_sound_in_a_reduction():
    text = _composed("capital-reduction").replace(
        "特此公告。", "逾期未提出的，视为放弃要求本公司提前清偿债务或者提供担保的权利，不影响其债权。特此公告。")
    assert "late-claims-waiver" not in _codes(_check("capital-reduction", text).warnings)


# ---------------------------------------------------------------------------------------------
# CL 219: mergers decided by the board
@pytest.mark.parametrize("case, words", [
    ("subsidiary", "广州市示例控股有限公司经股东会决议、广州市示例物流有限公司经董事会决议，由"),
    ("small", "广州市示例控股有限公司经董事会决议、广州市示例物流有限公司经股东会决议，由"),
    ("both", "经各自董事会决议，由广州市示例控股有限公司吸收合并"),
])
def test_a_board_merger_says_which_board_decided(case, words):
    result = _check("merger", board_merger=case)
    assert result.ok, result.errors
    assert words in result.text
    assert result.warnings == []
    # The same text typed back passes too.
    assert _check("merger", result.text, board_merger=case).ok


def test_a_board_merger_tells_of_the_minority_shareholders_and_the_articles():
    infos = _codes(_check("merger", board_merger="both").infos)
    assert "board-merger-shareholders" in infos and "board-merger-articles" in infos
    assert "board-merger-articles" not in _codes(_check("merger", board_merger="subsidiary").infos)


def test_a_new_company_merger_cannot_be_a_board_merger():
    result = _check("merger", merger_form="新设合并", new_company="广州市示例新控股有限公司", board_merger="small")
    assert [(e.code, e.field) for e in result.errors] == [("board-merger-form", "board_merger")]


def test_a_board_resolution_without_the_cl219_case_is_asked_about():
    text = _composed("merger").replace("经各自股东会决议", "经各自董事会决议")
    result = _check("merger", text)
    assert result.ok and "board-merger-undeclared" in _codes(result.warnings)
    # The case declared, the text must say the board decided.
    declared = _check("merger", _composed("merger"), board_merger="subsidiary")
    assert "missing:board-merger-stated" in _codes(declared.warnings)


def test_an_older_client_without_the_field_gets_a_shareholders_merger():
    fields = {k: v for k, v in SAMPLES["merger"]["fields"].items() if k != "board_merger"}
    result = check_notice("merger", fields, None, PUBLICATION, now=NOW)
    assert result.ok and "经各自股东会决议" in result.text and result.fields["board_merger"] == "none"


# ---------------------------------------------------------------------------------------------
# 撤销公告: CL 230, 市监注〔2020〕107号, the rescinded 减资
@pytest.mark.parametrize("cause", ["revoked", "court"])
def test_a_company_dissolved_by_authority_cannot_go_on(cause):
    result = _check("revocation", dissolution_cause=cause)
    assert [(e.code, e.field) for e in result.errors] == [("dissolution-by-authority", "dissolution_cause")]
    assert "第二百三十条" in result.errors[0].message and "107号" in result.errors[0].message


@pytest.mark.parametrize("cause", ["revoked", "court"])
def test_its_liquidation_filing_cannot_be_withdrawn_either(cause):
    result = _check("revocation", dissolution_cause=cause, continues="", decision="", resolved_on="")
    assert "dissolution-by-authority" in _codes(result.errors)


def test_nothing_may_have_been_distributed():
    result = _check("revocation", assets_distributed="1")
    assert [(e.code, e.field) for e in result.errors] == [("assets-distributed", "assets_distributed")]


def test_going_on_needs_the_cause_and_the_resolution():
    result = _check("revocation", dissolution_cause="", decision="", resolved_on="")
    assert sorted((e.code, e.field) for e in result.errors) == [
        ("required", "decision"), ("required", "dissolution_cause")]
    assert "三分之二" in next(e.message for e in result.errors if e.field == "decision")


def test_a_revocation_that_does_not_say_the_company_goes_on_says_only_what_it_revokes():
    result = _check("revocation", continues="", dissolution_cause="", decision="", resolved_on="")
    assert result.ok, result.errors
    assert "继续经营" not in result.text and result.text.endswith("并解散清算组。特此公告。")
    assert "continuation-not-stated" in _codes(result.infos)


def test_a_typed_continuation_that_the_fields_do_not_support_is_warned():
    """The seed page's 撤销公告: "该公司继续经营" with no CL 230 facts: sound enough to print after
    a look, so warned, not refused."""
    seed = SEED[1]
    result = check_notice(seed["type"], seed["fields"], seed["text"], PUBLICATION, now=NOW)
    assert result.ok
    assert {"continuation-unconfirmed", "third-person"} <= set(_codes(result.warnings))
    supported = _check("revocation", _composed("revocation"))
    assert supported.ok and supported.warnings == []


def test_a_revoked_reduction_names_the_rescinding_resolution():
    fields = {"revoked_items": "减资公告", "dissolve_group": "", "continues": "", "dissolution_cause": ""}
    missing = _check("revocation", **fields, decision="", resolved_on="")
    assert [(e.code, e.field) for e in missing.errors] == [("required", "decision")]
    named = _check("revocation", **fields)
    assert named.ok and "于2026年11月20日经股东会决议，撤销" in named.text
    typed = named.text.replace("于2026年11月20日经股东会决议，", "")
    result = _check("revocation", typed, **fields)
    assert "missing:rescinding-resolution" in _codes(result.errors)


# ---------------------------------------------------------------------------------------------
# 本公司; 决议 / 决定; 股东会
def test_the_company_speaks_as_itself():
    text = _composed("liquidation").replace("向本公司清算组", "向该公司清算组")
    result = _check("liquidation", text)
    assert result.ok and "third-person" in _codes(result.warnings)


@pytest.mark.parametrize("wording, warned", [
    ("经股东会决定", True), ("经董事会决定", True), ("经股东大会决定", True), ("经股东会会议决定", True),
    ("经股东会决议", False), ("经股东决定", False),
])
def test_a_meeting_resolves_and_a_sole_shareholder_decides(wording, warned):
    text = _composed("capital-reduction").replace("经股东会决议", wording)
    assert ("decision-verb" in _codes(_check("capital-reduction", text).warnings)) is warned


@pytest.mark.parametrize("resolved_on, warned", [("2024-06-30", False), ("2024-07-01", True), ("2024-07-02", True),
                                                 ("", True)])
def test_the_old_name_of_the_shareholders_meeting_is_warned_from_the_new_law(resolved_on, warned):
    result = _check("capital-reduction", decision="股东大会决议", resolved_on=resolved_on)
    assert result.ok
    found = [w for w in result.warnings if w.code == "old-meeting-name"]
    assert bool(found) is warned
    if found:
        assert "2024年7月1日" in found[0].message and "股东会" in found[0].message


def test_a_reduction_by_the_board_alone_is_asked_about():
    text = _composed("capital-reduction").replace("经股东会决议", "经董事会决议")
    assert "board-decides" in _codes(_check("capital-reduction", text).warnings)
    both = _composed("capital-reduction").replace("经股东会决议", "经董事会决议及股东会决议")
    assert "board-decides" not in _codes(_check("capital-reduction", both).warnings)
