"""A finding that quotes what was typed quotes an ID number in it masked, as it would print."""
from __future__ import annotations

import json

from notices.checks import check_notice
from tests.conftest import DATA, NOW

ID_NUMBER = "440106195211222446"        # a well-formed number (region, birth date, check digit)


def test_an_id_number_typed_into_an_invoice_field_is_not_echoed_by_its_format_warning():
    sample = json.loads((DATA / "samples.json").read_text(encoding="utf-8"))["lost-document:invoice"]
    fields = {**sample["fields"], "invoice_code": f"4400191130、{ID_NUMBER}"}
    result = check_notice(sample["type"], fields, None, "2026-12-01", now=NOW)
    quoted = [f for f in result.findings if f.field == "invoice_code"]
    assert quoted, "the invoice code's format is checked"
    assert all(ID_NUMBER not in f.message for f in result.findings)
    assert any("440106********2446" in f.message for f in quoted)
