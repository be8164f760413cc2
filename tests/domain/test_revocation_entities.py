"""撤销公告 of an entity that is not a company (docs/law.md §7): a partnership or an institution
withdraws its own 清算/注销 announcement without the Company Law's conditions for going on
(CL 229–230), its 该公司/股东会 wording, or its rescinding-resolution rule being applied to it."""
from __future__ import annotations

from notices.checks import check_notice
from tests.conftest import NOW, load_samples

PUBLICATION = "2026-11-28"
SAMPLE = load_samples()["revocation"]["fields"]
PARTNERSHIP = "广州市示范投资合伙企业（有限合伙）"
TEXT = (f"{PARTNERSHIP}（统一社会信用代码：91440101MA5AY4CLX6）撤销2026年10月9日在国家企业信用信息公示系统公示的"
        "清算人备案及债权人公告，并解散清算组。该企业继续经营。特此公告。")


def check(fields=None, text=None):
    return check_notice("revocation", fields or {}, text, PUBLICATION, now=NOW)


def _codes(findings):
    return [f.code for f in findings]


def test_a_partnership_s_revocation_gets_no_company_law_finding():
    result = check(text=TEXT)
    assert result.ok, [e.message for e in result.errors]
    assert result.fields["entity"] == "partnership"
    # A company's text would be warned on 继续经营 (CL 230 unconfirmed) and on 该公司.
    assert not {"continuation-unconfirmed", "third-person"} & set(_codes(result.warnings))
    assert not any("第二百三十条" in f.message for f in result.errors + result.warnings)
    assert "entity-note" in _codes(result.infos)


def test_the_same_text_as_a_company_s_is_held_to_the_company_law():
    text = TEXT.replace(PARTNERSHIP, "广州市示范投资有限公司").replace("该企业", "该公司").replace("清算人", "清算组")
    result = check(text=text)
    assert result.fields.get("entity", "") in ("", "company")
    assert {"continuation-unconfirmed", "third-person"} <= set(_codes(result.warnings))


def test_a_partnership_ticking_continues_is_not_asked_for_cl_230_and_does_not_print_it():
    fields = {**SAMPLE, "entity": "partnership", "company": PARTNERSHIP, "continues": "1",
              "dissolution_cause": "revoked"}
    result = check(fields)
    assert result.ok, [e.message for e in result.errors]
    assert "继续经营" not in result.text
    # A company with the same fields is refused: revoked licences cannot go on (CL 230, 107号).
    company = check({**fields, "entity": "company", "company": "广州市示范投资有限公司"})
    assert "dissolution-by-authority" in _codes(company.errors)


def test_a_non_company_revoking_a_reduction_is_not_asked_for_a_shareholders_resolution():
    fields = {**SAMPLE, "entity": "institution", "company": "广州市示范研究所", "revoked_items": "减资公告",
              "decision": "", "resolved_on": "", "continues": "", "dissolution_cause": ""}
    assert check(fields).ok
    assert "required" in _codes(check({**fields, "entity": "company", "company": "广州市示范投资有限公司"}).errors)
