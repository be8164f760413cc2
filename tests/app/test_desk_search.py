"""The review queue's search box (store/search.py): a company's or advertiser's name, a phone
number, a credit code or a reference, typed as people type them (full-width, lower case,
spaces, dashes), on SQLite and PostgreSQL."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from store.search_text import normalise, revision_search_text
from tests.support.desk import LICENCE, PERSON, editor_client, fetch, mark_published, submit, version
from views.extensions import get_db


@pytest.fixture
def app(desk_test_app):
    return desk_test_app


def _found(client, q, **args) -> set[str]:
    r = client.get("/desk/", query_string={"q": q, **args})
    assert r.status_code == 200, r.get_data(as_text=True)
    return set(re.findall(r'name="notice" value="(GG-[^:"]+):', r.get_data(as_text=True)))


@pytest.fixture
def notices(app):
    licence = submit(app, LICENCE, name="王先生")
    person = submit(app, PERSON, name="范海英")
    with app.app_context(), get_db().write() as s:
        s.execute(text("UPDATE notices SET advertiser_phone = '020-87750217' WHERE reference = :r"), {"r": person})
    return licence, person


@pytest.mark.parametrize("query", [
    "斐泽展览",                                   # part of the company's name (a field and the text)
    "914401133314312947",                        # its 统一社会信用代码
    "９１４４ ０１１３ ３３１４ ３１２９４７",        # the same typed full-width with spaces
    "s2612015012019",                            # the licence's serial, lower case
    "Ｓ２６１２０１５０１２０１９",
    "王先生",                                     # the contact's name
])
def test_finds_the_licence_notice_by_what_an_editor_has(app, notices, query):
    licence, person = notices
    assert _found(editor_client(app), query) == {licence}


def test_finds_by_phone_and_reference_as_typed(app, notices):
    licence, person = notices
    client = editor_client(app)
    assert _found(client, "02087750217") == {person}
    assert _found(client, "020 8775 0217") == {person}
    assert _found(client, "８７７５０２１７") == {person}
    assert _found(client, "13800138000") == {licence}
    assert _found(client, licence.lower().replace("-", "")) == {licence}
    assert _found(client, " " + licence[3:7].lower()) >= {licence}
    assert _found(client, "增城市富荣") == {person}          # words of the text only
    assert _found(client, "某某不存在的公司") == set()


def test_wildcards_and_odd_characters_are_taken_literally(app, notices):
    client = editor_client(app)
    assert _found(client, "斐泽") == {notices[0]}
    for query in ("%", "_", "%%", "\\", "斐%展", "斐_展"):
        assert _found(client, query) == set(), query
    assert _found(client, "展览|") == _found(client, "展览")        # not across two fields
    assert _found(client, "\x00斐泽") == _found(client, "斐泽")          # no 500 on PostgreSQL
    assert client.get("/desk/", query_string={"q": "斐" * 5000}).status_code == 200


def test_a_search_looks_in_every_status_and_counts_per_status(app, notices):
    licence, person = notices
    mark_published(app, licence)
    client = editor_client(app)
    html = client.get("/desk/", query_string={"q": "斐泽"}).get_data(as_text=True)
    assert _found(client, "斐泽") == {licence}                      # published, listed under 全部
    assert re.search(r'aria-current="page">全部 <span class="count">1</span>', html)
    assert re.search(r'>已刊登 <span class="count">1</span>', html)
    assert re.search(r'>待审核 <span class="count">0</span>', html)
    assert licence not in client.get("/desk/", query_string={"q": "斐泽", "status": "open"}).get_data(as_text=True)


def test_an_edited_text_is_found_by_its_new_words(app, notices):
    licence, person = notices
    client = editor_client(app)
    item_text = fetch(app, person).revision.text
    r = client.post(f"/desk/notices/{person}/edit", data={
        "version": version(app, person), "action": "save", "note": "客户来电补充",
        "text": item_text.replace("特此声明", "现郑重声明作废，特此声明"),
        **fetch(app, person).revision.fields})
    assert r.status_code == 303, r.get_data(as_text=True)
    assert fetch(app, person).current_revision == 2
    assert _found(client, "郑重声明") == {person}
    assert _found(client, "增城市富荣") == {person}                  # the first revision still counts


def test_normalised_search_text():
    assert normalise("９１４４ ０１－ＭＡ５\u3000cl\u200b") == "914401ma5cl"
    stored = revision_search_text('{"uscc": "91440106MA5CL12T4G", "holder": "广州 某某公司", "n": 3}', "正文")
    assert stored == "|91440106ma5cl12t4g|广州某某公司|正文|"
