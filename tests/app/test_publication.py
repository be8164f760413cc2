"""Published is a snapshot, published means printed, and a wrong publication can be withdrawn
(issue 11): proofs, /verify and the status page state what was printed, whatever the settings
say later; the proof cuts the notice out of the stored printed page; nothing is marked published
before its day; a withdrawal keeps the record, says so, and lets the issue be published again."""
from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
from datetime import datetime, timezone
from typing import cast
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, func, select, text

from store import errors, issues
from store.audit import chain_head
from store.models import AuditEntry, Export, IssueState, Publication, PublishedNotice
from store.settings import load_publisher, save_publisher
from tests.conftest import NOW, PG_BASE_URL, load_seed
from tests.support.desk import (
    ISSUE,
    LICENCE,
    PERSON,
    approve_pay_schedule,
    editor_client,
    fetch,
    on_issue_day,
    pdf_text,
    secret,
    squash,
    submit,
)
from views.extensions import get_db


@pytest.fixture
def app(desk_test_app):
    """The desk's app (tests/support/desk.py: cheap password hashing, the newspaper named), not conftest's."""
    return desk_test_app


BEIJING = ZoneInfo("Asia/Shanghai")
ID_NUMBER = "440106198503172317"
MASKED = "440106********2317"
COMPANY = "广州斐泽展览策划有限公司"


def _person_with_id(app) -> str:
    item = load_seed()[PERSON]
    return submit(app, PERSON, text_override=item["text"].replace("遗失", f"（身份证号码：{ID_NUMBER}）遗失", 1))


def _change_settings(app, **changes) -> None:
    with app.app_context():
        with get_db().write() as s:
            publisher = load_publisher(s)
            for key, value in changes.items():
                setattr(publisher, key, value)
            save_publisher(s, publisher)


def _export_and_publish(app, editor, day=ISSUE):
    export = editor.post(f"/desk/issues/{day.isoformat()}/export")
    assert export.status_code == 200, export.get_data(as_text=True)
    on_issue_day(app, day)
    r = editor.post(f"/desk/issues/{day.isoformat()}/publish", data={"confirm": "1"})
    assert r.status_code == 303
    return export.data


def _published_issue(app, *indexes_or_refs):
    editor = editor_client(app, "admin1", role="admin")
    references = [r if isinstance(r, str) else submit(app, r) for r in indexes_or_refs]
    for reference in references:
        approve_pay_schedule(app, editor, reference)
    column_pdf = _export_and_publish(app, editor)
    return editor, references, column_pdf


def _proof(app, client, reference):
    return client.get(f"/status/{reference}/{secret(app, reference)}/proof.pdf")


def _cut_boxes(proof: bytes) -> list[list[float]]:
    """The /BBox of every cut placed on the proof's last page (press/pagecut.py)."""
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject
    page = PdfReader(io.BytesIO(proof)).pages[-1]
    # pypdf types an entry as any PDF object; these are dictionaries and an array (a DictionaryObject resolves
    # indirect references as it hands an entry out).
    xobjects = cast(DictionaryObject, cast(DictionaryObject, page["/Resources"])["/XObject"])
    return [[round(float(v), 3) for v in cast(ArrayObject, cast(DictionaryObject, xobjects[name])["/BBox"])]
            for name in sorted(xobjects) if name.startswith("/Cut")]


def _last_page_lines(proof: bytes) -> list[str]:
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(proof)
    try:
        page = doc[len(doc) - 1]
        text_page = page.get_textpage()
        lines = [line.strip() for line in text_page.get_text_range().splitlines() if line.strip()]
        text_page.close()
        page.close()
        return lines
    finally:
        doc.close()


def _snapshot_rows(app):
    with app.app_context():
        with get_db().session() as s:
            return list(s.scalars(select(PublishedNotice).order_by(PublishedNotice.id)))


# ---------------------------------------------------------------------------------------------
# Published means printed

@pytest.mark.parametrize("clock, allowed", [
    (datetime(2026, 11, 26, 15, 59, tzinfo=timezone.utc), False),    # 23:59 the day before, Beijing
    (datetime(2026, 11, 26, 16, 1, tzinfo=timezone.utc), True),      # 00:01 on the day, Beijing
    (datetime(2026, 11, 29, 10, 0, tzinfo=BEIJING), True),           # days after
])
def test_an_issue_is_marked_published_only_from_its_day_in_beijing(app, client, clock, allowed):
    editor = editor_client(app)
    reference = submit(app)
    approve_pay_schedule(app, editor, reference)
    assert editor.post(f"/desk/issues/{ISSUE.isoformat()}/export").status_code == 200
    app.config["NOW"] = clock
    page = editor.get(f"/desk/issues/{ISSUE.isoformat()}").get_data(as_text=True)
    assert ("标记本期已刊登" in page) == allowed
    assert ("出版当天（北京时间）付印后才能标记刊登" in page) == (not allowed)
    r = editor.post(f"/desk/issues/{ISSUE.isoformat()}/publish", data={"confirm": "1"}, follow_redirects=True)
    html = r.get_data(as_text=True)
    with app.app_context():
        with get_db().session() as s:
            publications = s.scalar(select(func.count()).select_from(Publication))
    if allowed:
        assert fetch(app, reference).status == "published" and publications == 1
        assert _proof(app, client, reference).status_code == 200
        assert client.get(f"/verify/{reference}").status_code == 200
    else:
        assert "2026年11月27日这一期尚未出版，出版当天（北京时间）才能标记刊登。" in html
        assert fetch(app, reference).status == "scheduled" and publications == 0
        assert _proof(app, client, reference).status_code == 409
        assert client.get(f"/verify/{reference}").status_code == 404


def test_publish_issue_takes_today_from_the_caller(app):
    with app.app_context():
        with pytest.raises(errors.DeskError) as refused:
            issues.publish_issue(get_db(), ISSUE, actor="test", secret_key="k", today=NOW.date())
    assert refused.value.message.startswith("2026年11月27日这一期尚未出版")


# ---------------------------------------------------------------------------------------------
# Published is a snapshot

def test_exports_and_publications_keep_the_pdf_and_the_audit_head(app):
    editor = editor_client(app)
    reference = submit(app)
    approve_pay_schedule(app, editor, reference)
    export = editor.post(f"/desk/issues/{ISSUE.isoformat()}/export")
    with app.app_context():
        with get_db().session() as s:
            row = s.scalar(select(Export))
            last = s.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
            count = s.scalar(select(func.count()).select_from(AuditEntry))
            assert row.pdf == export.data and hashlib.sha256(row.pdf).hexdigest() == row.pdf_hash
            # The head includes the export's own entry, and nothing was appended after it.
            assert last.action == "export" and (row.audit_head, row.audit_length) == (last.hash, count)
            assert row.newspaper == "测试日报"
            printed = json.loads(row.printed_json)[reference]
            assert printed["title"] == "遗失声明" and squash(printed["text"]) in squash(pdf_text(export.data))
    on_issue_day(app)
    assert editor.post(f"/desk/issues/{ISSUE.isoformat()}/publish", data={"confirm": "1"}).status_code == 303
    with app.app_context():
        with get_db().session() as s:
            publication = s.scalar(select(Publication))
            assert publication.pdf == export.data and publication.pdf_hash == row.pdf_hash
            assert publication.export_id == row.id and publication.published_by == "editor:editor1"
            assert (publication.audit_head, publication.audit_length) == chain_head(s)
            assert publication.audit_length > row.audit_length


def test_proofs_verify_search_and_status_page_keep_saying_what_was_printed(app, client):
    """Renaming the newspaper, relabelling pages, changing the layout or the ID-number masking
    after publication changes none of what a proof, /verify or the status page states."""
    _change_settings(app, page_labels=["A12"])
    person = _person_with_id(app)
    editor, (licence, person), column_pdf = _published_issue(app, LICENCE, person)
    verify_code = fetch(app, licence).verification_code

    def main(response) -> str:
        # What the page states (its <main>); the site's footer names the paper as it is today,
        # and the forms' CSRF tokens are signed with the time.
        html = response.get_data(as_text=True)
        page = html[html.index("<main"):html.index("</main>")]
        return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', page)

    def states():
        proof = _proof(app, client, licence)
        assert proof.status_code == 200
        return {
            # Byte for byte: the proof is made from the snapshot and the stored PDF alone.
            "proof_sha256": hashlib.sha256(proof.data).hexdigest(),
            "proof": squash(pdf_text(proof.data)), "boxes": _cut_boxes(proof.data),
            "cut": _last_page_lines(proof.data),
            "verify": main(client.get(f"/verify/{licence}", query_string={"code": verify_code})),
            "search": main(client.get("/verify", query_string={"q": "斐泽展览"})).split('aria-live="polite"')[1],
            "person": main(client.get(f"/verify/{person}")),
            "status": main(client.get(f"/status/{licence}/{secret(app, licence)}")),
            "person_proof": squash(pdf_text(_proof(app, client, person).data)),
            "desk": re.search(r"见报位置</dt><dd>(.*?)</dd>", editor.get(f"/desk/notices/{licence}").get_data(
                as_text=True)).group(1),
        }

    before = states()
    assert "在《测试日报》A12版第" in before["proof"] and "核验码相符" in before["verify"]
    assert "测试日报" in before["search"] and "A12版" in before["search"]
    assert "测试日报 A12版第" in before["status"] and "测试日报 A12版第" in before["desk"]
    assert MASKED in before["person"] and ID_NUMBER not in before["person"]
    assert MASKED in before["person_proof"] and ID_NUMBER not in before["person_proof"]
    assert len(before["boxes"]) == 2       # the page's header band and the notice

    _change_settings(app, newspaper="羊城法治报", page_labels=["B3"], print_id_numbers="full",
                     layout={"columns": 4, "body_size_pt": 10.0, "leading_pt": 14.0})
    after = states()
    assert after == before
    for part in after.values():
        assert "羊城法治报" not in str(part) and "B3版" not in str(part) and ID_NUMBER not in str(part)
    # …while what is not yet printed follows the settings (the desk's column of another issue).
    assert "羊城法治报" in client.get("/verify").get_data(as_text=True)


def test_a_proof_once_issued_is_served_as_issued_whatever_changes_later(app, client, monkeypatch):
    """The first download renders the proof and keeps it, its SHA-256 in the audit log; later
    downloads are those bytes, even when the program would now render it otherwise (a template,
    a font or the PDF library changed)."""
    import views.proof
    _editor, (licence,), _column = _published_issue(app, LICENCE)
    first = _proof(app, client, licence)
    assert first.status_code == 200 and first.data.startswith(b"%PDF")
    monkeypatch.setattr(views.proof, "render_proof_pdf", lambda *args, **kwargs: b"%PDF-1.7 rendered otherwise")
    again = _proof(app, client, licence)
    assert again.status_code == 200 and again.data == first.data
    with app.app_context():
        with get_db().session() as s:
            issued = [json.loads(e.details_json) for e in s.scalars(
                select(AuditEntry).where(AuditEntry.action == "proof-issued"))]
    assert issued == [{"reference": licence, "publication_id": issued[0]["publication_id"],
                       "sha256": hashlib.sha256(first.data).hexdigest()}]


def test_the_proof_is_cut_from_the_stored_printed_page(app, client):
    """The proof's last page is the notice cut from the column PDF as exported and published:
    its lines are those of the printed page (not set again at today's font size), only its own
    text is in the cut (no hidden neighbours), and the cut stays put when the layout changes."""
    editor, (licence, person), column_pdf = _published_issue(app, LICENCE, PERSON)
    with app.app_context():
        with get_db().session() as s:
            snapshot = s.scalar(select(PublishedNotice).where(PublishedNotice.reference == licence))
            boxes = json.loads(snapshot.crop_json)
            other = s.scalar(select(PublishedNotice).where(PublishedNotice.reference == person))
    page, x0, y0, x1, y1 = boxes["notice"][0]
    # What the stored page holds in that rectangle, read by poppler from the column PDF itself.
    height = 992.126        # the column page (250 × 350 mm) in points
    region = subprocess.run(
        ["pdftotext", "-f", str(page + 1), "-l", str(page + 1), "-x", str(int(x0)), "-y", str(int(height - y1)),
         "-W", str(int(x1 - x0) + 1), "-H", str(int(y1 - y0) + 1), "-", "-"],
        input=column_pdf, capture_output=True, check=True).stdout.decode()
    printed_lines = [squash(line) for line in region.splitlines() if line.strip()]
    assert squash(snapshot.printed_text)[:20] in "".join(printed_lines)

    proof = _proof(app, client, licence).data
    cut = [squash(line) for line in _last_page_lines(proof)]
    # The notice's lines on the proof are the printed lines, one for one and in order.
    start = cut.index(printed_lines[0])
    assert cut[start:start + len(printed_lines)] == printed_lines
    assert squash(other.printed_text)[:8] not in squash(pdf_text(proof))     # no neighbour, not even hidden
    # Above it, the page's header band as printed: the paper's name and the issue date.
    assert cut[start - 1] == "分类广告测试日报2026年11月27日星期五"
    assert [b for b in _cut_boxes(proof) if b != [round(v, 3) for v in boxes["header"][1:]]] == [
        [round(v, 3) for v in boxes["notice"][0][1:]]]

    # A larger type size after publication: a re-rendered notice would break into other lines.
    _change_settings(app, layout={"body_size_pt": 10.0, "leading_pt": 14.0})
    again = _proof(app, client, licence).data
    assert _last_page_lines(again) == _last_page_lines(proof) and _cut_boxes(again) == _cut_boxes(proof)


def test_the_cut_page_states_the_paper_and_date_at_a_size_to_read(app, client):
    """Issue 11, finding 11: on the cut page the paper's name and the date were only in the
    header band, scaled to the page width: about 4 pt. They are now in the proof's own text
    above the cut, at 12 pt (the band stays, as the page's evidence)."""
    import pypdfium2 as pdfium
    _change_settings(app, page_labels=["A12"])
    editor, (licence,), _ = _published_issue(app, LICENCE)
    doc = pdfium.PdfDocument(_proof(app, client, licence).data)
    try:
        page = doc[len(doc) - 1]
        text_page = page.get_textpage()
        text = text_page.get_text_range()
        heights = {}          # each occurrence of a phrase on the page: its characters' tallest box
        for phrase in ("测试日报", "2026年11月27日"):
            start = 0
            while (at := text.find(phrase, start)) >= 0:
                boxes = [text_page.get_charbox(i) for i in range(at, at + len(phrase))]
                heights.setdefault(phrase, []).append(max(top - bottom for _l, bottom, _r, top in boxes))
                start = at + 1
        text_page.close()
        page.close()
    finally:
        doc.close()
    assert "《测试日报》　2026年11月27日　星期五　A12版第 1 栏" in text
    # Each is there at least once at a size to read (a 12 pt CJK glyph's box is ~10 pt tall).
    assert max(heights["测试日报"]) >= 9 and max(heights["2026年11月27日"]) >= 9, heights


# ---------------------------------------------------------------------------------------------
# Withdrawal

def test_a_wrong_publication_is_withdrawn_kept_and_published_again(app, client):
    admin, (licence, person), _ = _published_issue(app, LICENCE, PERSON)
    old_code = fetch(app, licence).verification_code
    day = ISSUE.isoformat()

    # Editors cannot; an administrator must give a reason.
    editor = editor_client(app, "editor2")
    assert editor.post(f"/desk/issues/{day}/withdraw", data={"reason": "测试"}).status_code == 403
    assert "撤回这次刊登记录" not in editor.get(f"/desk/issues/{day}").get_data(as_text=True)
    assert "撤回这次刊登记录" in admin.get(f"/desk/issues/{day}").get_data(as_text=True)
    r = admin.post(f"/desk/issues/{day}/withdraw", data={"reason": "  "}, follow_redirects=True)
    assert "请写明撤回原因" in r.get_data(as_text=True) and fetch(app, licence).status == "published"

    reason = "标记有误：当天付印的是更正前的版面，需更正后重新刊登。"
    r = admin.post(f"/desk/issues/{day}/withdraw", data={"reason": reason}, follow_redirects=True)
    assert "刊登记录已撤回" in r.get_data(as_text=True)
    assert [fetch(app, ref).status for ref in (licence, person)] == ["scheduled", "scheduled"]
    with app.app_context():
        with get_db().session() as s:
            publication = s.scalar(select(Publication))
            assert publication.withdrawn_by == "editor:admin1" and publication.withdrawal_reason == reason
            assert publication.withdrawn_at is not None and publication.pdf     # kept, with its PDF
            assert s.get(IssueState, ISSUE).status == "open"
            entries = list(s.scalars(select(AuditEntry).where(AuditEntry.action.in_(
                ["withdraw-publication", "publication-withdrawn"])).order_by(AuditEntry.id)))
    assert [e.action for e in entries] == ["withdraw-publication"] + ["publication-withdrawn"] * 2
    assert json.loads(entries[0].details_json)["reason"] == reason
    assert len(_snapshot_rows(app)) == 2                                       # nothing deleted

    # /verify says withdrawn, with the date and the reason; the record no longer vouches for it.
    page = client.get(f"/verify/{licence}", query_string={"code": old_code}).get_data(as_text=True)
    assert "核验码对应的刊登记录已撤回" in page and reason in page and "核验码相符" not in page
    assert "这则公告目前没有有效的刊登记录" in page
    found = client.get("/verify", query_string={"q": old_code}).get_data(as_text=True)
    assert "核验码对应的刊登记录已撤回" in found and "此刊登记录已撤回" in found
    by_name = client.get("/verify", query_string={"q": "斐泽展览"}).get_data(as_text=True)
    assert "没有找到" not in by_name and "此刊登记录已撤回" in by_name and reason in by_name
    proof = _proof(app, client, licence)
    assert proof.status_code == 410 and reason in proof.get_data(as_text=True)
    status = client.get(f"/status/{licence}/{secret(app, licence)}").get_data(as_text=True)
    assert "刊登记录已撤回" in status and reason in status and "下载见报证明" not in status
    desk_page = admin.get(f"/desk/notices/{licence}").get_data(as_text=True)
    assert "已撤回" in desk_page and reason in desk_page and "见报位置" not in desk_page
    assert admin.post(f"/desk/issues/{day}/withdraw", data={"reason": reason},
                      follow_redirects=True).get_data(as_text=True).count("没有有效的刊登记录") == 1

    # Published again: a new publication with codes of its own; the old code stays withdrawn.
    _export_and_publish(app, admin)
    new_code = fetch(app, licence).verification_code
    assert fetch(app, licence).status == "published" and new_code != old_code
    with app.app_context():
        with get_db().session() as s:
            rows = list(s.scalars(select(Publication).order_by(Publication.id)))
    assert [p.withdrawn for p in rows] == [True, False] and len(_snapshot_rows(app)) == 4
    assert "核验码相符" in client.get(f"/verify/{licence}", query_string={"code": new_code}).get_data(as_text=True)
    old = client.get(f"/verify/{licence}", query_string={"code": old_code}).get_data(as_text=True)
    assert "核验码对应的刊登记录已撤回" in old and "已撤回的刊登记录" in old
    assert _proof(app, client, licence).status_code == 200
    assert COMPANY in client.get("/verify", query_string={"q": "斐泽展览"}).get_data(as_text=True)
    issue_page = admin.get(f"/desk/issues/{day}").get_data(as_text=True)
    assert issue_page.count("<strong>刊登记录 #") == 2 and reason in issue_page


def test_a_published_issue_shows_and_reprints_the_stored_pdf_and_republishes_only_a_new_export(app, client):
    """Issue 11, finding 1: after publication the settings changed (name, page labels, columns);
    the issue page showed a new rendering, 导出 made a new PDF tagged "与见报的相同", and after a
    withdrawal republishing took it. Now the page and a reprint are the stored PDF itself, and
    publishing again needs an export made after the withdrawal, named on the form."""
    _change_settings(app, newspaper="演示日报", page_labels=["A12", "A13"])
    admin, (licence, person), column_pdf = _published_issue(app, LICENCE, PERSON)
    printed_hash = hashlib.sha256(column_pdf).hexdigest()
    day = ISSUE.isoformat()
    _change_settings(app, newspaper="羊城法治报", page_labels=["B3"],
                     layout={"columns": 4, "body_size_pt": 10.0, "leading_pt": 14.0})

    def export_rows():
        with app.app_context():
            with get_db().session() as s:
                return [(e.id, e.pdf_hash) for e in s.scalars(select(Export).order_by(Export.id))]

    page = admin.get(f"/desk/issues/{day}").get_data(as_text=True)
    assert "保存的付印PDF" in page and "按当前排期排版" not in page and printed_hash[:12] in page
    assert "A12版" in page and "B3版" not in page and "演示日报" in page
    from press.column import page_pngs
    assert all(png in page for png in page_pngs(column_pdf))          # the printed pages' images
    assert admin.get(f"/desk/issues/{day}/preview.pdf").data == column_pdf
    rows = export_rows()
    reprint = admin.post(f"/desk/issues/{day}/export", data={"continue_overflow": "1"})
    assert reprint.status_code == 200 and reprint.data == column_pdf and reprint.headers["X-Reprint"] == "1"
    assert export_rows() == rows
    with app.app_context():
        with get_db().session() as s:
            entry = s.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    assert entry.action == "reprint" and json.loads(entry.details_json)["sha256"] == printed_hash

    # Withdrawn: the export of before cannot be published again, even named on the form.
    old_export = rows[-1][0]
    assert admin.post(f"/desk/issues/{day}/withdraw", data={"reason": "标记有误"}).status_code == 303
    page = admin.get(f"/desk/issues/{day}").get_data(as_text=True)
    assert "此后还没有重新导出" in page and "标记本期已刊登" not in page
    r = admin.post(f"/desk/issues/{day}/publish", data={"confirm": "1", "export_id": str(old_export)},
                   follow_redirects=True)
    assert f"最后一次导出 #{old_export} 是在撤回之前做的" in r.get_data(as_text=True)
    assert fetch(app, licence).status == "scheduled"

    # A new export (today's settings): the form names it, and only it is published.
    new = admin.post(f"/desk/issues/{day}/export")
    new_id, new_hash = int(new.headers["X-Export-Id"]), new.headers["X-Export-SHA256"]
    assert new.headers["X-Reprint"] == "0" and new_hash != printed_hash
    page = admin.get(f"/desk/issues/{day}").get_data(as_text=True)
    assert f"将依据导出记录 #{new_id}（" in page and new_hash[:12] in page and "见报所用" not in page
    r = admin.post(f"/desk/issues/{day}/publish", data={"confirm": "1", "export_id": str(old_export)},
                   follow_redirects=True)
    assert f"其后又导出了 #{new_id}" in r.get_data(as_text=True) and fetch(app, licence).status == "scheduled"
    r = admin.post(f"/desk/issues/{day}/publish", data={"confirm": "1", "export_id": str(new_id)})
    assert r.status_code == 303
    assert fetch(app, licence).status == "published"
    page = admin.get(f"/desk/issues/{day}").get_data(as_text=True)
    # Only the export whose bytes the publication keeps is 见报所用 (not the first one).
    tagged = re.findall(r'<tr><td class="nowrap">[^<]*<span class="tag">见报所用</span></td>'
                        r'.*?<code class="hash">(\w+)</code>', page)
    assert tagged == [new_hash]


def test_a_publication_that_names_no_export_is_refused_a_reprint_not_a_500(app, client):
    """The desk and `flask export-column` name the export of a reprint (its id, in the file name
    and headers): a publication whose export is gone or was never recorded has nothing to name,
    and the editor is told why instead of getting a 500."""
    admin, _refs, _pdf = _published_issue(app, LICENCE)
    with app.app_context():
        with get_db().write() as s:
            s.execute(text("UPDATE publications SET export_id = NULL"))
    answer = admin.post(f"/desk/issues/{ISSUE.isoformat()}/export", follow_redirects=True)
    assert answer.status_code < 500
    assert "没有存档的付印PDF可供重印" in answer.get_data(as_text=True)


def test_a_withdrawn_record_is_found_by_name_and_credit_code_and_shown_withdrawn(app, client):
    """Issue 11: after a withdrawal, searching the company's name or credit code answered
    "没有找到 … 尚未刊登的公告在此查不到", while by reference it said 已撤回."""
    admin, (licence,), _ = _published_issue(app, LICENCE)
    uscc = load_seed()[LICENCE]["fields"]["uscc"]
    reason = "标记有误，需更正后重新刊登"
    assert admin.post(f"/desk/issues/{ISSUE.isoformat()}/withdraw", data={"reason": reason}).status_code == 303
    for q in ("斐泽展览", uscc):
        page = client.get("/verify", query_string={"q": q}).get_data(as_text=True)
        found = page.split('aria-live="polite"')[1]
        assert "没有找到" not in found, q
        assert "此刊登记录已撤回" in found and reason in found and "2026年11月27日" in found, q
        # Every record found is the withdrawn one: nothing on the page says it is in force.
        assert found.count('class="verified withdrawn"') == found.count('class="verified') == 1, q


@pytest.mark.parametrize("typed", ["需更正后重新刊登。", "需更正后重新刊登。 ", "需更正后重新刊登.",
                                   "需更正后重新刊登！"])
def test_a_withdrawal_reason_ending_in_a_full_stop_is_not_doubled(app, client, typed):
    admin, (licence,), _ = _published_issue(app, LICENCE)
    code = fetch(app, licence).verification_code
    assert admin.post(f"/desk/issues/{ISSUE.isoformat()}/withdraw", data={"reason": typed}).status_code == 303
    pages = {
        "verify": client.get(f"/verify/{licence}", query_string={"code": code}).get_data(as_text=True),
        "search": client.get("/verify", query_string={"q": "斐泽展览"}).get_data(as_text=True),
        "status": client.get(f"/status/{licence}/{secret(app, licence)}").get_data(as_text=True),
        "proof": _proof(app, client, licence).get_data(as_text=True),
    }
    for name, page in pages.items():
        assert "需更正后重新刊登。" in page, name
        for doubled in ("。。", "。.", ".。", "！。"):
            assert doubled not in page, (name, doubled)


# ---------------------------------------------------------------------------------------------
# Migration 0004 with data

@pytest.fixture(params=["sqlite", "postgresql"])
def database_at_0003(request, tmp_path):
    from urllib.parse import quote

    from store import migrate
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
        migrate.upgrade(url, "0003")
        yield url
        return
    schema = f"m4_{tmp_path.name[-8:].lower().replace('-', '_')}"
    admin = create_engine(PG_BASE_URL)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG_BASE_URL}?options={quote(f'-csearch_path={schema}')}"
    try:
        migrate.upgrade(url, "0003")
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def test_issues_published_before_0004_get_a_snapshot_from_the_upgrade(database_at_0003):
    from store import migrate
    from tests.support.apps import make_app
    url = database_at_0003
    engine = create_engine(url)
    at = datetime(2026, 11, 27, 1, 0)
    body = f"范海英（身份证号码：{ID_NUMBER}）遗失广州某某房地产有限公司认购书，声明作废。"
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO settings (key, value_json, updated_at) VALUES ('publisher', :v, :at)"),
                     {"v": json.dumps({"newspaper": "演示日报", "page_labels": ["A12"]}, ensure_ascii=False),
                      "at": at})
        conn.execute(text(
            "INSERT INTO notices (id, reference, submission_key, type_code, title, status, issue_date, "
            "advertiser_name, advertiser_phone, advertiser_email, current_revision, version, price_cents, lines, "
            "paid_cents, schedule_override, decision_reason, published_page, published_column, verification_code, "
            "created_at, updated_at) VALUES (1, 'GG-AAAA-BBBB', 'k1', 'lost-document', '遗失声明', 'published', "
            ":d, '范海英', '13800138000', '', 1, 3, 5000, 2, 5000, '', '', 1, 3, 'CODE123456', :at, :at)"),
            {"d": ISSUE, "at": at})
        conn.execute(text(
            "INSERT INTO notice_revisions (notice_id, number, fields_json, text, text_hash, findings_json, "
            "windows_json, lines, price_cents, author, note, created_at) VALUES (1, 1, '{}', :t, :h, '[]', '[]', "
            "2, 5000, 'advertiser', '', :at)"), {"t": body, "h": hashlib.sha256(body.encode()).hexdigest(), "at": at})
        conn.execute(text(
            "INSERT INTO exports (issue_date, pdf_hash, revisions_json, placements_json, pages, actor, created_at) "
            "VALUES (:d, :h, '[[\"GG-AAAA-BBBB\", 1]]', '{}', 1, 'editor:li', :at)"),
            {"d": ISSUE, "h": "ab" * 32, "at": at})
        conn.execute(text("INSERT INTO issues (issue_date, status, published_at, published_by) "
                          "VALUES (:d, 'published', :at, 'editor:li')"),
                     {"d": ISSUE, "at": datetime(2026, 11, 27, 2, 0)})
    engine.dispose()
    migrate.upgrade(url)
    app = make_app(url)
    try:
        with app.app_context():
            with get_db().session() as s:
                publication = s.scalar(select(Publication))
                snapshot = s.scalar(select(PublishedNotice))
                assert publication.pdf is None and publication.pdf_hash == "ab" * 32
                assert publication.export_id is not None and publication.published_by == "editor:li"
                assert (snapshot.newspaper, snapshot.page_label, snapshot.column_number) == ("演示日报", "A12版", 3)
                assert snapshot.printed_text == body.replace(ID_NUMBER, MASKED)
                assert (snapshot.verification_code, snapshot.revision, snapshot.reference) == (
                    "CODE123456", 1, "GG-AAAA-BBBB")
            with get_db().write() as s:     # the paper is renamed after the upgrade
                publisher = load_publisher(s)
                publisher.newspaper = "羊城法治报"
                save_publisher(s, publisher)
        client = app.test_client()
        page = client.get("/verify/GG-AAAA-BBBB", query_string={"code": "CODE123456"}).get_data(as_text=True)
        assert "核验码相符" in page and "演示日报" in page and "A12版" in page and MASKED in page
        from store.workflow import status_secret
        proof = client.get(f"/status/GG-AAAA-BBBB/{status_secret(app.config['SECRET_KEY'], 'GG-AAAA-BBBB')}/proof.pdf")
        assert proof.status_code == 200
        words = squash(pdf_text(proof.data))
        assert "在《演示日报》A12版第3栏刊登" in words and "羊城法治报" not in words and "未存档" in words
    finally:
        app.extensions["notice_db"].dispose()
    migrate.downgrade(url, "0003")       # and back, for a rollback
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM notices")).scalar_one() == 1
    engine.dispose()
