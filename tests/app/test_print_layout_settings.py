"""The desk's layout settings of issue 15: the paragraph indent, rules between notices and the
print standard (PDF/X-4 or PDF/X-1a), labelled in Chinese, stored, refused by the engine with
its message where out of range."""
from __future__ import annotations

import pytest

from press import printing
from tests.app.test_desk_admin import _publisher, _settings_post_data
from tests.support.desk import editor_client


@pytest.fixture
def app(desk_test_app):
    return desk_test_app


def test_the_print_settings_are_labelled_stored_and_reach_the_engine(app):
    admin = editor_client(app, "boss", role="admin")
    page = admin.get("/desk/settings").get_data(as_text=True)
    for label in ("分段公告段首缩进", "公告之间加线的粗细", "公告间线上下的空白", "印刷用PDF标准", "PDF/X-1a:2001"):
        assert label in page, label
    base = _settings_post_data(app)
    r = admin.post("/desk/settings", data={**base, "layout__paragraph_indent_em": "0",
                                           "layout__notice_rule_weight_pt": "0.25",
                                           "layout__notice_rule_space_pt": "2.5",
                                           "layout__pdf_standard": "pdf/x-1a"})
    assert r.status_code == 303, r.get_data(as_text=True)
    layout = _publisher(app).layout
    assert layout["pdf_standard"] == "pdf/x-1a" and layout["notice_rule_weight_pt"] == 0.25
    settings = printing.layout_settings(_publisher(app))
    assert settings.notice_rules and settings.notice_gap_pt == 5.25
    assert settings.paragraph_indent_em == 0 and settings.pdf_standard == "pdf/x-1a"


def test_out_of_range_print_settings_are_refused_in_chinese(app):
    admin = editor_client(app, "boss", role="admin")
    base = _settings_post_data(app)
    r = admin.post("/desk/settings", data={**base, "layout__notice_rule_weight_pt": "3"})
    assert r.status_code == 422 and "公告间线粗细应在 0 到 2 磅之间" in r.get_data(as_text=True)
    r = admin.post("/desk/settings", data={**base, "layout__paragraph_indent_em": "9"})
    assert r.status_code == 422 and "段首缩进应在 0 到 4 个字之间" in r.get_data(as_text=True)
    r = admin.post("/desk/settings", data={**base, "layout__pdf_standard": "pdf/x-3"})
    assert r.status_code == 422
    assert "pdf_standard" not in _publisher(app).layout
