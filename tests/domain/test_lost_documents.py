"""遗失声明 (issue 13 item 3): several seals 各一枚; an organisation's paper declared void under
its credit code; 发票 and permits with their own numbers; documents no longer issued accepted
with a note; bills refused with the route the law gives (docs/law.md §2, 遗失声明)."""
from __future__ import annotations

import pytest

from notices.catalogue import CATALOGUE
from notices.checks import check_notice
from tests.conftest import NOW

PUBLICATION = "2026-11-28"
HOLDER = "广州市示例贸易有限公司"
USCC = "91440106MA5CL12T4G"


def check(fields, text=None):
    return check_notice("lost-document", fields, text, PUBLICATION, now=NOW)


def codes(result, level="warning"):
    return [f.code for f in result.findings if f.level == level]


# --- seals ----------------------------------------------------------------------------------
@pytest.mark.parametrize("kind, printed", [
    ("财务专用章", "遗失财务专用章一枚，"),
    ("公章、财务专用章", "遗失公章、财务专用章各一枚，"),
    ("公章、财务专用章、法人名章", "遗失公章、财务专用章、法人名章各一枚，"),
    ("法定名称章（公章）和合同专用章", "遗失法定名称章（公章）和合同专用章各一枚，"),
    # a name in brackets is one seal, whatever it contains
    ("法人名章（李和平）", "遗失法人名章（李和平）一枚，"),
    # a count typed with the names is printed as typed
    ("公章一枚、合同专用章两枚", "遗失公章一枚、合同专用章两枚，"),
])
def test_seals_are_counted_each(kind, printed):
    result = check({"variant": "seal", "holder": HOLDER, "seal_kind": kind, "uscc": USCC})
    assert result.ok, result.errors
    assert printed in result.text and result.text.endswith("，声明作废。")
    assert "一枚一枚" not in result.text and "各一枚一枚" not in result.text


def test_several_seals_print_their_codes_in_order():
    result = check({"variant": "seal", "holder": HOLDER, "seal_kind": "公章、财务专用章", "uscc": USCC,
                    "seal_code": "4401060123456", "seal_code_2": "4401060123457"})
    assert result.ok and result.warnings == [], result.findings
    assert result.text == (f"{HOLDER}遗失公章、财务专用章各一枚，统一社会信用代码：{USCC}，"
                           "印章编码依次为：4401060123456、4401060123457，声明作废。")


def test_codes_that_do_not_match_the_seals_are_asked_about():
    result = check({"variant": "seal", "holder": HOLDER, "seal_kind": "公章、财务专用章、合同专用章",
                    "seal_code": "4401060123456", "seal_code_2": "4401060123457"})
    assert result.ok and codes(result) == ["seal-codes"]
    second_only = check({"variant": "seal", "holder": HOLDER, "seal_kind": "公章", "seal_code_2": "4401060123457"})
    assert [f.field for f in second_only.warnings if f.code == "seal-codes"] == ["seal_code_2"]


# --- an organisation's papers ---------------------------------------------------------------
def test_an_organisations_permit_is_declared_void_under_its_credit_code():
    result = check({"variant": "org-document", "holder": HOLDER, "org_document_name": "食品经营许可证正本",
                    "permit_number": "JY14401060123456", "issuer": "广州市天河区市场监督管理局", "uscc": USCC})
    assert result.ok and result.warnings == [], result.findings
    assert result.text == (f"{HOLDER}遗失广州市天河区市场监督管理局核发的食品经营许可证正本，"
                           f"许可证编号：JY14401060123456，统一社会信用代码：{USCC}，声明作废。")


@pytest.mark.parametrize("name, label", [("建筑业企业资质证书", "证书编号"), ("收据", "编号")])
def test_the_number_of_a_paper_is_named_for_what_it_is(name, label):
    result = check({"variant": "org-document", "holder": HOLDER, "org_document_name": name,
                    "permit_number": "D244012345", "uscc": USCC})
    assert result.ok and f"{name}，{label}：D244012345，" in result.text


def test_an_organisations_paper_needs_its_credit_code():
    result = check({"variant": "org-document", "holder": HOLDER, "org_document_name": "收据"})
    assert [(f.code, f.field) for f in result.errors] == [("one-of", "uscc")]
    assert "统一社会信用代码" in result.errors[0].message


def test_an_organisation_in_the_personal_form_is_told_and_still_declares_void():
    result = check({"variant": "document", "holder": HOLDER, "document_name": "收据", "document_number": "0012345"})
    assert result.ok and codes(result) == ["organisation-document"]
    assert "遗失许可证、资质证书" in result.warnings[0].message
    assert result.text.endswith("声明作废。") and "特此声明" not in result.text


def test_a_person_keeps_the_personal_closing():
    result = check({"variant": "document", "holder": "陈小明", "document_name": "居民身份证"})
    assert result.ok and result.warnings == [] and result.text == "陈小明遗失居民身份证，特此声明。"


# --- 发票 --------------------------------------------------------------------------------------
INVOICE = {"variant": "invoice", "holder": HOLDER, "invoice_kind": "增值税专用发票", "invoice_part": "发票联和抵扣联",
           "invoice_code": "4400191130", "invoice_number": "01234567", "invoice_count": "1", "uscc": USCC}


def test_an_invoice_is_declared_with_its_code_number_and_count():
    result = check(INVOICE)
    assert result.ok and result.warnings == [], result.findings
    assert result.text == (f"{HOLDER}遗失增值税专用发票（发票联和抵扣联）1份，发票代码：4400191130，"
                           f"发票号码：01234567，统一社会信用代码：{USCC}，声明作废。")


def test_an_invoice_notice_says_the_tax_office_is_told_the_same_day():
    notes = [f.message for f in check(INVOICE).infos if f.code == "note"]
    assert any("当日书面报告主管税务机关" in n for n in notes), notes
    # …and only for invoices
    licence = check({"variant": "licence", "holder": HOLDER, "licence_copy": "正本", "uscc": USCC})
    assert not [f for f in licence.infos if "税务机关" in f.message]


def test_an_invoice_received_from_another_company_names_it():
    fields = {**INVOICE, "holder": "陈小明", "uscc": "", "invoice_issuer": "广州市示例物流有限公司",
              "invoice_kind": "增值税普通发票", "invoice_part": "发票联"}
    result = check(fields)
    assert result.ok and result.warnings == [], result.findings
    assert result.text.startswith("陈小明遗失广州市示例物流有限公司开具的增值税普通发票（发票联）1份，")


@pytest.mark.parametrize("changes, code, field", [
    ({"invoice_number": "01234567至01234569", "invoice_count": "2"}, "invoice-count", "invoice_count"),
    ({"invoice_number": "01234567、01234568", "invoice_count": "1"}, "invoice-count", "invoice_count"),
    ({"invoice_code": "44001911"}, "invoice-code", "invoice_code"),
    ({"invoice_number": "1234567"}, "invoice-number", "invoice_number"),
    ({"uscc": ""}, "organisation-code", "uscc"),
])
def test_invoice_details_that_disagree_are_asked_about(changes, code, field):
    result = check({**INVOICE, **changes})
    assert result.ok, result.errors
    assert [(f.code, f.field) for f in result.warnings] == [(code, field)]


@pytest.mark.parametrize("number, count", [("01234567至01234569", "3"), ("01234567、01234568", "2"),
                                           ("12345678901234567890", "1")])
def test_invoice_numbers_that_agree_pass(number, count):
    result = check({**INVOICE, "invoice_number": number, "invoice_count": count})
    assert result.ok and result.warnings == [], result.findings


def test_a_count_that_is_not_a_number_is_refused():
    result = check({**INVOICE, "invoice_count": "一份"})
    assert [(f.code, f.field) for f in result.errors] == [("invoice-count", "invoice_count")]


# --- documents no longer issued ----------------------------------------------------------------
@pytest.mark.parametrize("variant, field, name, level, words", [
    ("org-document", "org_document_name", "开户许可证", "warning", "2019年"),
    ("org-document", "org_document_name", "税务登记证副本", "warning", "三证合一"),
    ("org-document", "org_document_name", "组织机构代码证", "warning", "三证合一"),
    ("org-document", "org_document_name", "社会保险登记证", "warning", "五证合一"),
    ("document", "document_name", "房地产权证", "info", "不动产权证书"),
])
def test_an_outdated_document_is_accepted_with_a_note(variant, field, name, level, words):
    fields = {"variant": variant, "holder": HOLDER if variant == "org-document" else "陈小明", field: name,
              "uscc": USCC}
    result = check(fields)
    assert result.ok, result.errors
    [note] = [f for f in result.findings if f.code == "outdated-document"]
    assert note.level == level and words in note.message and note.field == field


def test_the_help_names_the_certificate_issued_today():
    help_text = CATALOGUE["lost-document"].field("document_name").help
    assert "不动产权证书" in help_text and "房地产权证" not in help_text


# --- bills --------------------------------------------------------------------------------------
@pytest.mark.parametrize("variant, field, name", [
    ("document", "document_name", "中国工商银行转账支票一张"),
    ("document", "document_name", "银行本票"),
    ("org-document", "org_document_name", "银行承兑汇票一张，票号：12345678"),
])
def test_a_lost_bill_is_refused_with_the_route_the_law_gives(variant, field, name):
    result = check({"variant": variant, "holder": "陈小明" if variant == "document" else HOLDER,
                    field: name, "uscc": USCC})
    [error] = result.errors
    assert (error.code, error.field) == ("lost-bill", field)
    assert "挂失止付" in error.message and "公示催告" in error.message and "第十五条" in error.message


def test_an_invoice_is_not_a_bill():
    assert check({**INVOICE, "invoice_kind": "增值税普通发票"}).ok
