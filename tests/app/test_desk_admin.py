"""The admin's pages: publisher settings (validated, audited) and editor accounts."""
from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from store.models import AuditEntry, User
from store.settings import load_publisher
from tests.support.desk import PASSWORD, editor_client, login
from views.desk import audit as desk_audit, settings as desk_settings
from views.extensions import get_db


@pytest.fixture
def app(desk_test_app):
    """The desk's app (tests/support/desk.py: cheap password hashing, the newspaper named), not conftest's."""
    return desk_test_app


def _publisher(app):
    with app.app_context():
        with get_db().session() as s:
            return load_publisher(s)


def _audit(app, action):
    with app.app_context():
        with get_db().session() as s:
            return [e for e in s.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))]


def _settings_post_data(app) -> dict:
    """What the settings page posts when nothing is changed (built from the page's own form)."""
    with app.test_request_context():
        form, _, _ = desk_settings._settings_form(_publisher(app))
        data: dict[str, str | list[str]] = {}
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


def test_settings_saved_validated_and_audited(app):
    admin = editor_client(app, "boss", role="admin")
    page = admin.get("/desk/settings").get_data(as_text=True)
    assert "报纸名称" in page and "截稿时间" in page and "身份证号码见报方式" in page
    data = _settings_post_data(app)
    assert admin.post("/desk/settings", data=data).status_code == 303      # unchanged: nothing audited
    assert not _audit(app, "settings")
    data.update({"newspaper": "广州日报", "copy_deadline": "16：30", "print_id_numbers": "full",
                 "contact_lines": "欢迎刊登 各类公告\n联系电话：87750217", "weekdays": ["0", "1", "2", "3", "4"],
                 "closed_dates": "2027-02-10\n2027年2月11日", "order__correction": "0"})
    r = admin.post("/desk/settings", data=data)
    assert r.status_code == 422 and "顺序号为1到99" in r.get_data(as_text=True)
    data["order__correction"] = "99"
    r = admin.post("/desk/settings", data=data)
    assert r.status_code == 303, r.get_data(as_text=True)
    p = _publisher(app)
    assert p.newspaper == "广州日报" and p.copy_deadline == "16:30" and p.print_id_numbers == "full"
    assert p.weekdays == [0, 1, 2, 3, 4] and p.closed_dates == ["2027-02-10", "2027-02-11"]
    assert p.contact_lines == ["欢迎刊登 各类公告", "联系电话：87750217"] and p.type_order[-1] == "correction"
    entry = _audit(app, "settings")[-1]
    details = json.loads(entry.details_json)
    assert entry.actor == "editor:boss"
    assert details["newspaper"] == {"from": "测试日报", "to": "广州日报"} and "copy_deadline" in details


def test_settings_refused_with_chinese_messages_and_nothing_saved(app):
    admin = editor_client(app, "boss", role="admin")
    base = _settings_post_data(app)
    for change, message in (({"copy_deadline": "25:00"}, "24小时制"), ({"newspaper": ""}, "请填写报纸名称"),
                            ({"weekdays": []}, "至少选一个出版日"), ({"closed_dates": "明年春节"}, "无法识别的日期"),
                            ({"days_before": "-1"}, "提前天数应为0到14")):
        r = admin.post("/desk/settings", data={**base, **change})
        assert r.status_code == 422, change
        assert message in r.get_data(as_text=True), change
    assert _publisher(app).newspaper == "测试日报"
    assert not _audit(app, "settings")


def test_layout_and_rate_card_validated_by_the_engine(app):
    admin = editor_client(app, "boss", role="admin")
    base = _settings_post_data(app)
    # Six columns of a 50 mm area leave under 8 characters a line: the engine refuses, in Chinese.
    r = admin.post("/desk/settings", data={**base, "layout__area_width_mm": "50"})
    assert r.status_code == 422 and "栏宽只有" in r.get_data(as_text=True)
    # The engine names its fields (gutter_mm); the page says them as the form labels them.
    r = admin.post("/desk/settings", data={**base, "layout__gutter_mm": "-1"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "栏间距（毫米） 应为非负数" in page and "gutter_mm 应为" not in page
    r = admin.post("/desk/settings", data={**base, "layout__body_font": "No Such Font SC"})
    assert r.status_code == 422 and "未安装印刷字体" in r.get_data(as_text=True)
    r = admin.post("/desk/settings", data={**base, "rate__default__per_line_cents": "五十"})
    assert r.status_code == 422 and "请填写金额" in r.get_data(as_text=True)
    r = admin.post("/desk/settings", data={**base, "rate__default__chars_per_line": "0"})
    assert r.status_code == 422 and "每行字数至少为 1" in r.get_data(as_text=True)
    assert not _audit(app, "settings")
    # A valid change is stored, used for prices, and audited.
    r = admin.post("/desk/settings", data={**base, "rate__default__per_line_cents": "60",
                                           "layout__header_text": "分类公告"})
    assert r.status_code == 303, r.get_data(as_text=True)
    p = _publisher(app)
    assert p.rate_card["default"]["per_line_cents"] == 6000 and p.layout == {"header_text": "分类公告"}
    details = json.loads(_audit(app, "settings")[-1].details_json)
    assert set(details) == {"rate_card", "layout"}


def test_settings_and_the_audit_log_use_the_settings_forms_words(app):
    """The finding: saving said "设置已保存：联系方式、版面、报纸名称、版面。" (page labels and layout
    were both 版面), and /desk/audit showed a layout change as JSON with the engine's keys
    ({"body_size_pt": 9.0, …})."""
    admin = editor_client(app, "boss", role="admin")
    data = {**_settings_post_data(app), "newspaper": "羊城公告报", "page_labels": "A12、A13",
            "contact_lines": "欢迎刊登\n联系电话：87750217", "layout__body_size_pt": "8.5", "layout__columns": "5",
            "rate__default__per_line_cents": "60"}
    page = admin.post("/desk/settings", data=data, follow_redirects=True).get_data(as_text=True)
    assert "设置已保存：栏末联系方式、版式、报纸名称、分类公告所在版面、价目表。" in page
    assert "<h2>版式</h2>" in admin.get("/desk/settings").get_data(as_text=True)
    html = admin.get("/desk/audit").get_data(as_text=True)
    row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*修改设置.*?</tr>", html, re.S).group(0)
    for said in ("版式", "正文字号（磅） 8.0 → 8.5", "栏数 6 → 5", "分类公告所在版面", "— → A12、A13",
                 "价目表", "其他公告（默认）·每行（元） ¥50 → ¥60", "报纸名称"):
        assert said in row, (said, row)
    assert not re.search(r"[a-z]+_[a-z]+|\{", row), row           # no body_size_pt, no JSON


def test_publication_entries_in_the_audit_log_are_in_chinese(app):
    """publish / published / withdraw entries showed publication_id, verification_code and
    references as they are stored."""
    from store.audit import append_audit
    from store.issues import withdraw_publication
    from tests.support.desk import ISSUE, PERSON, mark_published, submit
    reference = submit(app, PERSON)
    mark_published(app, reference)
    db = app.extensions["notice_db"]
    with db.write() as s:       # as store/issues.py publish_issue() writes them
        append_audit(s, "editor:boss", "publish", None, {"issue_date": ISSUE.isoformat(), "export_id": 1,
                                                         "sha256": "ab" * 32, "publication_id": 1,
                                                         "revisions": [[reference, 1]]})
        append_audit(s, "editor:boss", "published", None, {"reference": reference, "publication_id": 1,
                                                           "verification_code": "ABCDEFGHJK", "page": 1, "column": 2})
    withdraw_publication(db, ISSUE, "日期排错，已更正重印。", actor="editor:boss")
    admin = editor_client(app, "boss", role="admin")
    html = admin.get("/desk/audit").get_data(as_text=True)
    table = html[html.index('<table class="audit">'):]
    for said in ("刊登记录号", "核验码", "所含公告"):
        assert said in table, said
    for key in ("publication_id", "verification_code", "references", "revisions", "sha256", "export_id"):
        assert key not in table, key


def test_every_detail_the_store_audits_has_a_chinese_label():
    """Each key of the details that store/ writes with append_audit(…, {…}) is named in Chinese
    on /desk/audit (views/desk/audit.py DETAIL_LABELS): a new key is not shown in English."""
    import ast
    from pathlib import Path
    keys = set()
    for path in (Path(__file__).resolve().parents[2] / "store").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "append_audit" \
                    and node.args and isinstance(node.args[-1], ast.Dict):
                keys |= {k.value for k in node.args[-1].keys if isinstance(k, ast.Constant)}
    assert {"publication_id", "verification_code", "references"} <= keys
    assert sorted(keys - set(desk_audit.DETAIL_LABELS)) == []


def test_admin_manages_editors(app):
    admin = editor_client(app, "boss", role="admin")
    r = admin.post("/desk/editors", data={"username": "Li.Na", "password": PASSWORD, "confirm": PASSWORD,
                                          "role": "editor"})
    assert r.status_code == 303
    r = admin.post("/desk/editors", data={"username": "li.na", "password": PASSWORD, "confirm": PASSWORD,
                                          "role": "editor"})
    assert r.status_code == 422 and "已存在" in r.get_data(as_text=True)
    r = admin.post("/desk/editors", data={"username": "wang", "password": "short", "confirm": "short",
                                          "role": "editor"})
    assert r.status_code == 422 and "至少10个字符" in r.get_data(as_text=True)
    lina = app.test_client()
    assert login(lina, "li.na").status_code == 303
    with app.app_context():
        with get_db().session() as s:
            user_id = s.scalar(select(User.id).where(User.username == "li.na"))
    r = admin.post(f"/desk/editors/{user_id}/password",
                   data={f"u{user_id}-password": "a reset passphrase", f"u{user_id}-confirm": "a reset passphrase"})
    assert r.status_code == 303
    assert lina.get("/desk/").status_code == 302                     # her session ended
    assert login(app.test_client(), "li.na", "a reset passphrase").status_code == 303
    # The last active admin cannot be deactivated.
    with app.app_context():
        with get_db().session() as s:
            boss_id = s.scalar(select(User.id).where(User.username == "boss"))
    other_admin = editor_client(app, "boss2", role="admin")
    assert other_admin.post(f"/desk/editors/{boss_id}/active", data={"active": "0"}).status_code == 303
    with app.app_context():
        with get_db().session() as s:
            boss2_id = s.scalar(select(User.id).where(User.username == "boss2"))
    r = other_admin.post(f"/desk/editors/{boss2_id}/active", data={"active": "0"}, follow_redirects=True)
    assert "唯一可用的管理员" in r.get_data(as_text=True)
    for action in ("editor-created", "password-reset", "editor-deactivated"):
        assert _audit(app, action), action
