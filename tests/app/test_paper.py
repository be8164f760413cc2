"""Who the paper is, up front (issue 14, item 1): its name, 刊号, level, address, office hours and
phones (with the area code, as tel:+86… links) on every public page, set by an administrator at
/desk/settings; its 刊例 at /rates, from the rate card the prices are computed from."""
from __future__ import annotations

import re

import pytest

from store.settings import load_publisher, save_publisher
from tests.support.desk import editor_client
from views.desk import settings as desk_settings
from views.extensions import get_db

PAPER = {"cn_number": "cn 44-0007", "level": "省级", "address": "广州市越秀区示例路10号广告受理处",
         "office_hours": "周一至周五 9:00—17:30", "area_code": "020"}


@pytest.fixture
def app(desk_test_app):
    return desk_test_app


def _settings_post_data(app) -> dict:
    """What the settings page posts unchanged (as tests/app/test_desk_admin.py builds it)."""
    with app.test_request_context(), get_db().session() as s:
        form, _, _ = desk_settings._settings_form(load_publisher(s))
        data: dict = {}
        for f in form:
            if f.name == "csrf_token":
                continue
            if f.type == "BooleanField":
                if f.data:
                    data[f.name] = "y"
            elif f.type == "MultiCheckboxField":
                data[f.name] = list(f.data)
            else:
                data[f.name] = "" if f.data is None else str(f.data)
        return data


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_administrator_says_who_the_paper_is_and_every_public_page_shows_it(app):
    admin = editor_client(app, "boss", role="admin")
    r = admin.post("/desk/settings", data={**_settings_post_data(app), **PAPER}, follow_redirects=True)
    page = r.get_data(as_text=True)
    assert "设置已保存" in page and "刊号" in page and "报纸级别" in page, _text(page)[:2000]
    with app.app_context(), get_db().session() as s:
        saved = load_publisher(s)
    assert (saved.cn_number, saved.level, saved.address, saved.office_hours, saved.area_code) == (
        "CN44-0007", "省级", PAPER["address"], PAPER["office_hours"], "020")
    public = app.test_client()
    for path in ("/", "/submit/capital-reduction", "/submit/lost-document?variant=seal", "/status", "/rates",
                 "/verify"):
        html = public.get(path).get_data(as_text=True)
        text = _text(html)
        for shown in ("《测试日报》", "刊号 CN44-0007", "省级报纸", PAPER["address"], "受理时间：周一至周五 9:00—17:30",
                      "020-87750217", "020-87133731"):
            assert shown in text, (path, shown)
        assert '<a href="tel:+862087750217">020-87750217</a>' in html, path
        assert 'href="/rates"' in html, path
        assert "按本报" not in text, path


def test_a_wrong_cn_number_or_area_code_is_refused_in_chinese(app):
    admin = editor_client(app, "boss", role="admin")
    r = admin.post("/desk/settings", data={**_settings_post_data(app), "cn_number": "44-7", "area_code": "20"})
    assert r.status_code == 422
    text = _text(r.get_data(as_text=True))
    assert "例如：CN44-0001" in text and "例如：020" in text
    with app.app_context(), get_db().session() as s:
        assert load_publisher(s).cn_number == ""


def test_phone_numbers_are_dialled_with_the_area_code(app):
    with app.test_request_context():
        render = app.jinja_env.from_string("{{ p|phones(area) }}").render
        assert render(p="87750217 87133731", area="020") == (
            '<a href="tel:+862087750217">020-87750217</a> <a href="tel:+862087133731">020-87133731</a>')
        # Written with its area code, a mobile, a 400 number: as written, dialled from anywhere.
        assert render(p="(020)8775-0217 转<b>", area="0755") == (
            '<a href="tel:+862087750217">(020)8775-0217</a> 转&lt;b&gt;')
        assert render(p="13800138000", area="020") == '<a href="tel:+8613800138000">13800138000</a>'
        assert render(p="400-820-8820", area="020") == '<a href="tel:+864008208820">400-820-8820</a>'
        # No area code set: the number as written (nothing is invented).
        assert render(p="87750217", area="") == '<a href="tel:87750217">87750217</a>'
        # Without an argument the filter takes the paper's own area code (the seed's: 020).
        assert app.jinja_env.from_string("{{ p|phones }}").render(p="87750217") == (
            '<a href="tel:+862087750217">020-87750217</a>')


def test_the_rate_card_page_follows_the_stored_card(app):
    client = app.test_client()
    text = _text(client.get("/rates").get_data(as_text=True))
    # The defaults (press/printing.py default_rate_card): a lost licence per notice, 减资 per line.
    assert re.search(r"遗失营业执照 每则¥\d+", text), text[:1500]
    assert re.search(r"减资公告 每行¥50 按见报的实际行数计（本栏每行约13字，标题占一行），"
                     r"不足3行按3行计（起价¥150）", text)
    with app.app_context(), get_db().write() as s:
        publisher = load_publisher(s)
        publisher.rate_card = {"default": {"model": "per_line", "per_line_cents": 6000, "min_lines": 4},
                               "categories": {}, "currency_symbol": "¥"}
        save_publisher(s, publisher)
    text = _text(client.get("/rates").get_data(as_text=True))
    assert "减资公告 每行¥60" in text and "不足4行按4行计（起价¥240）" in text
    # The home page links to it.
    assert 'href="/rates"' in client.get("/").get_data(as_text=True)
