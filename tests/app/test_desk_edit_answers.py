"""What the desk's edit page answers (views/desk/notices.py edit) in the cases
test_desk_notices.py does not name: a save with nothing changed, the saved revision's number
and price, a page whose hidden version was altered, a notice that can no longer be edited."""
from __future__ import annotations

import pytest

from tests.support.desk import PERSON, editor_client, fetch, submit


@pytest.fixture
def app(desk_test_app):
    return desk_test_app


def _edit_data(notice, text, **extra):
    return {"version": str(notice.version), "action": "save", "text": text, **notice.revision.fields, **extra}


def test_a_save_with_nothing_changed_makes_no_revision(app):
    reference = submit(app, PERSON)
    editor = editor_client(app)
    notice = fetch(app, reference)
    r = editor.post(f"/desk/notices/{reference}/edit", data=_edit_data(notice, notice.revision.text))
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/desk/notices/{reference}")
    assert "正文和各项内容都没有改动，未生成新版本。" in editor.get(r.headers["Location"]).get_data(as_text=True)
    assert fetch(app, reference).current_revision == 1


def test_a_save_says_the_revision_its_lines_and_its_price(app):
    reference = submit(app, PERSON)
    editor = editor_client(app)
    notice = fetch(app, reference)
    r = editor.post(f"/desk/notices/{reference}/edit",
                    data=_edit_data(notice, notice.revision.text.replace("特此声明", "现声明作废")))
    assert r.status_code == 303
    saved = fetch(app, reference)
    page = editor.get(r.headers["Location"]).get_data(as_text=True)
    assert f"已保存为第 2 版（{saved.lines} 行，" in page


def test_an_altered_version_is_said_at_the_top_and_nothing_is_checked(app):
    reference = submit(app, PERSON)
    editor = editor_client(app)
    notice = fetch(app, reference)
    r = editor.post(f"/desk/notices/{reference}/edit", data={**_edit_data(notice, notice.revision.text),
                                                             "version": "abc"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "页面数据不完整，请刷新页面后重试。" in html
    assert fetch(app, reference).current_revision == 1


def test_a_notice_that_cannot_be_edited_sends_the_editor_back(app):
    reference = submit(app, PERSON)
    editor = editor_client(app)
    notice = fetch(app, reference)
    assert editor.post(f"/desk/notices/{reference}/reject",
                       data={"version": str(notice.version), "reason": "重复提交"}).status_code == 303
    r = editor.get(f"/desk/notices/{reference}/edit")
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/desk/notices/{reference}")
    assert "不能再修改正文" in editor.get(r.headers["Location"]).get_data(as_text=True)
