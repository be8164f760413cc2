"""The footer of every page names the notice types the paper takes, from the catalogue: the
first eight in the home page's order, then 等 (it listed seven by hand, from before the nine
types added since)."""
from __future__ import annotations

import re

from notices import catalogue


def _footer(client) -> str:
    page = client.get("/").get_data(as_text=True)
    footer = re.search(r'<footer class="site-footer">(.*?)</footer>', page, re.S)
    assert footer
    return re.sub(r"<[^>]+>", "", footer.group(1))


def test_the_footer_names_the_catalogue_s_types_in_the_home_page_s_order(client):
    footer = _footer(client)
    assert ("欢迎刊登各类公告 · 遗失声明、减资公告、清算公告／注销公告、撤销公告、合并公告、分立公告、更正声明、"
            "债权转让暨催收公告等") in footer
    assert "遗失营业执照" not in footer, "one title for all the kinds of a 遗失声明"


def test_a_type_put_first_on_the_home_page_is_named_first_in_the_footer(client, monkeypatch):
    monkeypatch.setattr(catalogue, "HOME_PAGE_ORDER", ("apology", "foundling"))
    assert "欢迎刊登各类公告 · 道歉声明、认领启事、遗失声明、" in _footer(client)
