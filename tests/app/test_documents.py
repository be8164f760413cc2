"""The documents a notice asks for (issue 14): sent with the form, from the status page or by the
API; what a file is is read from its bytes; images kept without EXIF; kept outside the web root
under their hash; shown to editors only; deleted a set time after publication."""
from __future__ import annotations

import io
import json
import os
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    TextStringObject,
)
from sqlalchemy import select

from store.models import AuditEntry, NoticeDocument
from tests.conftest import load_samples
from tests.support.apps import auth
from tests.support.desk import (
    ISSUE,
    desk_app,
    editor_client,
    fetch,
    mark_published,
    secret,
    submit,
)
from views.extensions import get_db

SAMPLES = load_samples()
NAME = "capital-reduction"            # asks for 营业执照, 身份证, 授权委托书, 股东会决议 by default
FORM = "/submit/capital-reduction"
CONTACT = {"advertiser_name": "陈小明", "advertiser_phone": "13800138000"}
BEIJING = ZoneInfo("Asia/Shanghai")
MB = 1024 * 1024


@pytest.fixture
def app(database_url, tmp_path):
    app = desk_app(database_url, DOCUMENTS_DIR=str(tmp_path / "documents"))
    yield app
    app.extensions["notice_db"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


def documents_dir(app) -> Path:
    return Path(app.config["DOCUMENTS_DIR"])


def stored_files(app) -> list[Path]:
    root = documents_dir(app)
    return sorted(p for p in root.glob("??/*") if p.is_file()) if root.exists() else []


# --- files ------------------------------------------------------------------------------------

def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (640, 480), (180, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "Model X"
    exif[0x0112] = 1
    exif[0x8825] = {1: "N", 2: (23.0, 7.0, 30.0), 3: "E", 4: (113.0, 19.0, 10.0)}   # GPS: 广州
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    data = out.getvalue()
    assert b"Exif" in data and Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)
    return data


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (20, 120, 40)).save(out, "PNG")
    return out.getvalue()


def pdf_bytes(pages: int = 2) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 4000
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 4000


def file(data: bytes, name: str, content_type: str = "image/jpeg"):
    return (io.BytesIO(data), name, content_type)


def post_files(client, url, data):
    """A multipart post, its encoded body closed after: Werkzeug's test client spools a body
    over 500 KB to a temporary file that it leaves open (an unraisable ResourceWarning)."""
    from werkzeug.test import EnvironBuilder
    builder = EnvironBuilder(path=url, method="POST", data=data, content_type="multipart/form-data")
    try:
        environ = builder.get_environ()
    finally:
        builder.close()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()


# --- the form ---------------------------------------------------------------------------------

def hidden(html, name):
    m = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html)
    return m.group(1) if m else ""


def form_data(html, **extra):
    data = dict(SAMPLES[NAME]["fields"], **CONTACT, publication_date="2026-11-28",
                submission_key=hidden(html, "submission_key"))
    data.update(extra)
    return data


def test_the_form_asks_for_the_documents_of_its_type(client):
    html = client.get(FORM).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html
    for label, name in (("营业执照复印件", "doc__licence"), ("身份证", "doc__id-card"),
                        ("授权委托书", "doc__authorization"), ("股东会决议", "doc__resolution")):
        assert label in html and f'name="{name}"' in html
    assert 'name="doc__police-receipt"' not in html         # that one is for lost seals
    seal = client.get("/submit/lost-document?variant=seal").get_data(as_text=True)
    assert "报警回执" in seal and 'name="doc__police-receipt"' in seal


def test_a_photo_is_kept_without_exif_and_filed_with_the_notice(app, client):
    html = client.get(FORM).get_data(as_text=True)
    checked = client.post(FORM, data=form_data(html, action="check", **{
        "doc__licence": file(jpeg_with_gps(), "执照.jpg")}), content_type="multipart/form-data")
    page = checked.get_data(as_text=True)
    assert checked.status_code == 200, page
    assert "已收到（JPEG 图片" in page
    [kept] = stored_files(app)
    data = kept.read_bytes()
    # The stored bytes: a JPEG with no EXIF at all (no GPS, no camera), named by its SHA-256.
    assert data.startswith(b"\xff\xd8\xff") and b"Exif" not in data and b"PhoneMaker" not in data
    image = Image.open(io.BytesIO(data))
    assert image.size == (640, 480) and not image.getexif() and not image.getexif().get_ifd(0x8825)
    import hashlib
    assert kept.name == hashlib.sha256(data).hexdigest() and kept.parent.name == kept.name[:2]
    assert not str(kept.resolve()).startswith(str((Path(app.root_path) / "static").resolve()))
    # Confirmed without choosing the file again: the form carried it (the 保留 checkbox).
    token = hidden(page, "doc_token__licence")
    assert token and token.split(".")[1] == kept.name
    text = re.search(r'<textarea[^>]*name="text"[^>]*>\s*(.*?)</textarea>', page, re.S).group(1)
    confirm = client.post(FORM, data=form_data(page, action="confirm", text=text,
                                               preview_token=hidden(page, "preview_token"),
                                               composed_hash=hidden(page, "composed_hash"),
                                               **{"doc_token__licence": token}),
                          content_type="multipart/form-data")
    assert confirm.status_code == 303, confirm.get_data(as_text=True)
    reference = re.search(r"/receipt/([^/]+)/", confirm.headers["Location"]).group(1)
    with app.app_context(), get_db().session() as s:
        [row] = s.scalars(select(NoticeDocument))
        assert (row.kind, row.sha256, row.media_type, row.uploaded_by) == ("licence", kept.name, "image/jpeg",
                                                                           "advertiser")
        assert row.notice_id == fetch(app, reference).id


def test_a_forged_token_attaches_nothing(app, client):
    html = client.get(FORM).get_data(as_text=True)
    page = client.post(FORM, data=form_data(html, action="check", **{
        "doc_token__licence": "licence." + "a" * 64 + ".jpg.100.0.0123456789abcdef0123456789abcdef"}),
        content_type="multipart/form-data").get_data(as_text=True)
    assert "已收到" not in page


@pytest.mark.parametrize("data, name, content_type, message", [
    (ELF, "营业执照.jpg", "image/jpeg", "是一个可执行程序"),
    (EXE, "股东会决议.pdf", "application/pdf", "是一个可执行程序"),
    (b"x" * (11 * MB), "big.jpg", "image/jpeg", "超过了 10 MB"),
    ("这是一段文字，不是扫描件".encode() * 50, "scan.pdf", "application/pdf", "不是 JPEG、PNG 图片或 PDF 文件"),
    (b"%PDF-1.7\n this is not really a PDF", "broken.pdf", "application/pdf", "已损坏或不完整"),
], ids=["renamed-elf", "renamed-exe", "11-MB", "unknown-type", "broken-pdf"])
def test_a_refused_file_keeps_everything_typed(app, client, data, name, content_type, message):
    html = client.get(FORM).get_data(as_text=True)
    text = "本公司经股东会决议，注册资本由1000万元减少至500万元……（我自己改过的正文）"
    # Pressed 确认提交 straight away: refused (422), nothing filed, nothing kept, the file named.
    response = post_files(client, FORM, form_data(html, action="confirm", text=text, **{
        "doc__resolution": file(data, name, content_type)}))
    page = response.get_data(as_text=True)
    assert response.status_code == 422, page
    assert message in page and "有文件未被接受（股东会决议）" in page
    # What the advertiser typed is all there: fields, contact, their own text.
    for value in (SAMPLES[NAME]["fields"]["company"], SAMPLES[NAME]["fields"]["uscc"], "陈小明", "13800138000",
                  "我自己改过的正文"):
        assert value in page
    assert stored_files(app) == []
    with app.app_context(), get_db().session() as s:
        assert s.scalars(select(NoticeDocument)).first() is None
        from store.models import Notice
        assert s.scalars(select(Notice)).first() is None


def test_a_pdf_is_kept_with_its_pages(app, client):
    html = client.get(FORM).get_data(as_text=True)
    pdf = pdf_bytes(3)
    page = client.post(FORM, data=form_data(html, action="check", **{
        "doc__resolution": file(pdf, "决议.jpg", "image/jpeg")}),        # the name is not what counts
        content_type="multipart/form-data").get_data(as_text=True)
    assert "已收到（PDF" in page and "3 页" in page
    [kept] = stored_files(app)
    assert len(PdfReader(io.BytesIO(kept.read_bytes())).pages) == 3


def pdf_with_script_and_attachment() -> bytes:
    """A scan as a PDF (an image on its page) that also runs JavaScript when opened and on its
    first page, carries an embedded program and a link that launches one."""
    scan = io.BytesIO()
    Image.new("RGB", (400, 300), (200, 30, 30)).save(scan, "PDF", resolution=100)
    writer = PdfWriter(clone_from=PdfReader(scan))
    writer.add_blank_page(595, 842)
    writer.add_open_action(JavaScript("app.launchURL('https://evil.example/');"))    # the document's scripts
    writer.add_attachment("payload.exe", b"MZ-evil-payload")

    def script(js: str) -> DictionaryObject:
        return DictionaryObject({NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject(js)})
    writer.root_object[NameObject("/OpenAction")] = script("app.alert('opened')")
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): script("app.alert('page')")})
    launch = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
        NameObject("/Rect"): ArrayObject([FloatObject(0), FloatObject(0), FloatObject(100), FloatObject(100)]),
        NameObject("/A"): DictionaryObject({NameObject("/S"): NameObject("/Launch"),
                                            NameObject("/F"): TextStringObject("cmd.exe")})})
    writer.pages[1][NameObject("/Annots")] = ArrayObject([launch])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def active_parts(data: bytes) -> list[str]:
    """What a viewer would run or open, read back from the kept file (every object in it)."""
    reader = PdfReader(io.BytesIO(data))
    found: list[str] = []
    size = reader.trailer["/Size"]
    assert isinstance(size, int)
    stack = [reader.get_object(n) for n in range(1, size)]
    while stack:
        obj = stack.pop()
        if isinstance(obj, DictionaryObject):
            found += [k for k in obj if k in ("/OpenAction", "/AA", "/JS", "/JavaScript", "/EmbeddedFiles", "/EF")]
            if obj.get("/S") in ("/JavaScript", "/Launch", "/URI") or obj.get("/Type") == "/EmbeddedFile":
                found.append(str(obj.get("/S") or obj.get("/Type")))
            stack += [v for v in obj.values() if not isinstance(v, IndirectObject)]
        elif isinstance(obj, ArrayObject):
            stack += [v for v in obj if not isinstance(v, IndirectObject)]
    return found


def test_a_pdf_is_kept_without_its_scripts_and_embedded_files(app, client, api_key):
    pdf = pdf_with_script_and_attachment()
    assert {"/OpenAction", "/AA", "/EmbeddedFiles", "/Launch"} <= set(active_parts(pdf))
    created = client.post("/api/v1/notices", headers=auth(api_key, "docs-js-1"), json={
        "type": NAME, "fields": SAMPLES[NAME]["fields"], "publication_date": "2026-11-28",
        "contact": {"name": "王先生", "phone": "13800138000"}})
    url = f"/api/v1/notices/{created.get_json()['reference']}/documents/resolution"
    sent = client.post(url, headers=auth(api_key), data=pdf, content_type="application/pdf")
    assert sent.status_code == 201, sent.get_json()
    [kept] = stored_files(app)
    data = kept.read_bytes()
    assert active_parts(data) == []
    assert b"MZ-evil-payload" not in data and b"evil.example" not in data and b"cmd.exe" not in data
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 2 and len(reader.pages[0].images) == 1, "the pages and the scan are kept"
    assert reader.pages[0].images[0].image.size == (400, 300)


def test_a_pdf_that_cannot_be_written_again_is_refused(app, client, api_key, monkeypatch):
    created = client.post("/api/v1/notices", headers=auth(api_key, "docs-js-2"), json={
        "type": NAME, "fields": SAMPLES[NAME]["fields"], "publication_date": "2026-11-28",
        "contact": {"name": "王先生", "phone": "13800138000"}})
    url = f"/api/v1/notices/{created.get_json()['reference']}/documents/resolution"

    pdf = pdf_with_script_and_attachment()

    def fails(self, stream):
        raise ValueError("a structure pypdf cannot write")
    monkeypatch.setattr(PdfWriter, "write", fails)
    sent = client.post(url, headers=auth(api_key), data=pdf, content_type="application/pdf")
    assert sent.status_code == 422
    error = sent.get_json()["error"]
    assert error["code"] == "not_rewritable" and "重新扫描" in error["message"]
    assert stored_files(app) == [], "nothing is kept as sent"


def test_a_png_is_encoded_again(app, client):
    html = client.get(FORM).get_data(as_text=True)
    source = io.BytesIO()
    image = Image.new("RGB", (200, 100), (0, 0, 255))
    from PIL import PngImagePlugin
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret-location 23.1,113.3")
    image.save(source, "PNG", pnginfo=info)
    client.post(FORM, data=form_data(html, action="check", **{"doc__id-card": file(source.getvalue(), "id.png")}),
                content_type="multipart/form-data")
    [kept] = stored_files(app)
    data = kept.read_bytes()
    assert data.startswith(b"\x89PNG") and b"secret-location" not in data


# --- the status page and the desk ------------------------------------------------------------

def status_url(app, reference):
    return f"/status/{reference}/{secret(app, reference)}"


def test_documents_sent_later_show_to_editors_only(app, client):
    reference = submit(app, index=4)                       # 遗失营业执照: asks for 身份证, 授权委托书
    page = client.get(status_url(app, reference)).get_data(as_text=True)
    assert "证明材料" in page and "未收到" in page
    response = client.post(status_url(app, reference) + "/documents", data={
        "kind": "id-card", "file": [file(jpeg_with_gps(), "front.jpg"), file(png_bytes(), "back.png")]},
        content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已收到您上传的文件" in page and "已收到 2 份" in page
    assert "/documents/" not in page.replace(f"/status/{reference}/{secret(app, reference)}/documents", "")
    # The desk: each file beside the notice, openable by an editor …
    editor = editor_client(app)
    desk = editor.get(f"/desk/notices/{reference}").get_data(as_text=True)
    links = re.findall(rf'href="(/desk/notices/{reference}/documents/\d+)"', desk)
    assert len(links) == 2 and "身份证" in desk and "未交" in desk and "授权委托书" in desk
    opened = editor.get(links[0])
    assert opened.status_code == 200 and opened.mimetype == "image/jpeg"
    assert opened.headers["Cache-Control"] == "private, no-store" and "sandbox" in opened.headers[
        "Content-Security-Policy"]
    assert b"Exif" not in opened.data
    # Every look at an advertiser's file is in the audit log: who, which notice, which file.
    with app.app_context():
        with get_db().session() as s:
            viewed = [(e.actor, json.loads(e.details_json)) for e in s.scalars(
                select(AuditEntry).where(AuditEntry.action == "document-viewed"))]
    assert len(viewed) == 1 and viewed[0][0].endswith("editor1")
    assert viewed[0][1]["reference"] == reference and viewed[0][1]["documents"][0]["kind"] == "id-card"
    # … and by nobody else: a stranger is sent to the login page, the file is not in the answer.
    stranger = app.test_client()
    refused = stranger.get(links[0])
    assert refused.status_code in (302, 401, 403, 404) and opened.data not in refused.data
    if refused.status_code == 302:
        assert "/desk/login" in refused.headers["Location"]
    assert editor.get(f"/desk/notices/{reference}/documents/999999").status_code == 404
    other = submit(app, index=4)
    assert editor.get(links[0].replace(reference, other)).status_code == 404     # not that notice's


def test_a_refused_upload_on_the_status_page_says_why(app, client):
    reference = submit(app, index=4)
    response = client.post(status_url(app, reference) + "/documents", data={
        "kind": "id-card", "file": file(ELF, "身份证.png", "image/png")}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "是一个可执行程序" in response.get_data(as_text=True)
    too_big = post_files(client, status_url(app, reference) + "/documents", {
        "kind": "id-card", "file": file(b"\xff\xd8\xff" + b"0" * (11 * MB), "id.jpg")})
    assert too_big.status_code == 422 and "超过了 10 MB" in too_big.get_data(as_text=True)
    wrong_kind = client.post(status_url(app, reference) + "/documents", data={
        "kind": "../../etc/passwd", "file": file(png_bytes(), "a.png")}, content_type="multipart/form-data")
    assert wrong_kind.status_code == 422
    assert stored_files(app) == []
    wrong_secret = client.post(f"/status/{reference}/AAAA-AAAA-AAAA-AAAA/documents", data={
        "kind": "id-card", "file": file(png_bytes(), "a.png")}, content_type="multipart/form-data")
    assert wrong_secret.status_code == 404


def test_the_settings_choose_the_documents(app, client):
    admin = editor_client(app, "admin1", role="admin")
    page = admin.get("/desk/settings/paperwork")
    assert page.status_code == 200
    data = {"payee_name": "", "payee_bank": "", "payee_account": "", "payment_hours_before": "0",
            "document_retention_days": "90"}
    html = page.get_data(as_text=True)
    for key, kind in re.findall(r'name="docs__([^"]+)" value="([^"]+)" checked', html):
        data.setdefault(f"docs__{key}", []).append(kind)
    data["docs__capital-reduction"] = ["licence", "police-receipt"]
    saved = admin.post("/desk/settings/paperwork", data=data)
    assert saved.status_code == 303, saved.get_data(as_text=True)
    form = client.get(FORM).get_data(as_text=True)
    assert 'name="doc__police-receipt"' in form and 'name="doc__resolution"' not in form
    # Only what differs from notices/documents.py is stored.
    with app.app_context(), get_db().session() as s:
        from store.settings import load_publisher
        assert load_publisher(s).documents == {"capital-reduction": ["licence", "police-receipt"]}
    editor = editor_client(app, "editor2")
    assert editor.get("/desk/settings/paperwork").status_code == 403


# --- the API ----------------------------------------------------------------------------------

@pytest.fixture
def api_key(app):
    from store.accounts import create_api_key
    with app.app_context():
        return create_api_key(get_db(), "测试代理")


def test_the_api_takes_documents(app, client, api_key):
    sample = SAMPLES[NAME]
    created = client.post("/api/v1/notices", headers=auth(api_key, "docs-0001"), json={
        "type": NAME, "fields": sample["fields"], "publication_date": "2026-11-28",
        "contact": {"name": "王先生", "phone": "13800138000"}})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["documents"]["missing"] == ["licence", "id-card", "authorization", "resolution"]
    reference = body["reference"]
    url = f"/api/v1/notices/{reference}/documents/resolution"
    sent = client.post(url, headers=auth(api_key), data=pdf_bytes(), content_type="application/octet-stream")
    assert sent.status_code == 201, sent.get_json()
    assert sent.get_json()["type"] == "application/pdf"
    again = client.post(url, headers=auth(api_key), data=pdf_bytes(), content_type="application/pdf")
    assert again.status_code == 200                          # the same bytes: kept once
    status = client.get(f"/api/v1/notices/{reference}", headers=auth(api_key)).get_json()
    assert status["documents"]["missing"] == ["licence", "id-card", "authorization"]
    assert [d["kind"] for d in status["documents"]["received"]] == ["resolution"]
    elf = client.post(f"/api/v1/notices/{reference}/documents/licence", headers=auth(api_key), data=ELF,
                      content_type="image/jpeg")
    assert elf.status_code == 422 and elf.get_json()["error"]["code"] == "executable"
    big = client.post(f"/api/v1/notices/{reference}/documents/licence", headers=auth(api_key),
                      data=b"\xff\xd8\xff" + b"0" * (11 * MB), content_type="image/jpeg")
    assert big.status_code == 413 and "10 MB" in big.get_json()["error"]["message"]
    unknown = client.post(f"/api/v1/notices/{reference}/documents/passport", headers=auth(api_key),
                          data=png_bytes())
    assert unknown.status_code == 422 and unknown.get_json()["error"]["code"] == "kind_not_accepted"
    assert client.post(url, data=pdf_bytes()).status_code == 401
    from store.accounts import create_api_key
    with app.app_context():
        other = create_api_key(get_db(), "别的代理")
    assert client.post(url, headers=auth(other), data=pdf_bytes()).status_code == 404


# --- deleting ---------------------------------------------------------------------------------

def attach(app, reference, data=None, kind="id-card"):
    from store.documents import attach as attach_files, clean_file, hold
    from views.documents import store
    with app.test_request_context():
        clean = clean_file(data or png_bytes())
        store().put(clean)
        attach_files(get_db(), fetch(app, reference).id, [hold(app.config["SECRET_KEY"], kind, clean)],
                     actor="advertiser")
        return clean.sha256


def purge(app, day: date):
    app.config["NOW"] = datetime(day.year, day.month, day.day, 3, 0, tzinfo=BEIJING)
    result = app.test_cli_runner().invoke(args=["purge-documents"])
    assert result.exit_code == 0, result.output
    return result.output


def test_documents_are_deleted_the_set_time_after_publication(app):
    published = submit(app, index=4)
    still_open = submit(app, index=4)
    sha = attach(app, published)
    shared = attach(app, published, jpeg_with_gps(), kind="authorization")
    attach(app, still_open, jpeg_with_gps(), kind="authorization")       # the same file, another notice
    mark_published(app, published, issue=ISSUE)
    day = ISSUE + timedelta(days=90)                                      # the default: 90 days
    path = documents_dir(app) / sha[:2] / sha
    output = purge(app, day - timedelta(days=1))                          # the day before
    assert path.exists() and "0 份" in output
    output = purge(app, day)                                              # on the day
    assert not path.exists() and "2 份" in output
    assert (documents_dir(app) / shared[:2] / shared).exists()            # still the open notice's
    with app.app_context(), get_db().session() as s:
        rows = s.scalars(select(NoticeDocument).where(NoticeDocument.notice_id == fetch(app, published).id)).all()
        assert rows and all(r.purged_at is not None for r in rows)
        from store.models import AuditEntry
        assert s.scalars(select(AuditEntry).where(AuditEntry.action == "documents-purged")).first() is not None
    assert "0 份" in purge(app, day + timedelta(days=1))                 # after: nothing left to do
    editor = editor_client(app)
    desk = editor.get(f"/desk/notices/{published}").get_data(as_text=True)
    assert "按期删除" in desk and f"/desk/notices/{published}/documents/" not in desk


def test_the_retention_is_a_setting(app):
    published = submit(app, index=4)
    sha = attach(app, published)
    mark_published(app, published, issue=ISSUE)
    with app.app_context(), get_db().write() as s:
        from store.settings import load_publisher, save_publisher
        publisher = load_publisher(s)
        publisher.document_retention_days = 7
        save_publisher(s, publisher)
    purge(app, ISSUE + timedelta(days=6))
    assert (documents_dir(app) / sha[:2] / sha).exists()
    purge(app, ISSUE + timedelta(days=7))
    assert not (documents_dir(app) / sha[:2] / sha).exists()


def test_a_dry_run_counts_what_is_due_and_changes_nothing(app):
    published = submit(app, index=4)
    sha = attach(app, published)
    attach(app, published, jpeg_with_gps(), kind="authorization")
    mark_published(app, published, issue=ISSUE)
    day = ISSUE + timedelta(days=90)                                      # the default: 90 days
    app.config["NOW"] = datetime(day.year, day.month, day.day, 3, 0, tzinfo=BEIJING)
    result = app.test_cli_runner().invoke(args=["purge-documents", "--dry-run"])
    assert result.exit_code == 0 and "到期（未删除，--dry-run）：2 份（文件 2 个" in result.output
    assert (documents_dir(app) / sha[:2] / sha).exists()
    with app.app_context(), get_db().session() as s:
        from store.models import AuditEntry
        assert all(r.purged_at is None for r in s.scalars(select(NoticeDocument)))
        assert s.scalars(select(AuditEntry).where(AuditEntry.action == "documents-purged")).first() is None


def test_a_file_no_notice_claimed_is_deleted_after_a_day(app, client):
    html = client.get(FORM).get_data(as_text=True)
    client.post(FORM, data=form_data(html, action="check", **{"doc__licence": file(png_bytes(), "a.png")}),
                content_type="multipart/form-data")
    [kept] = stored_files(app)
    purge(app, ISSUE)
    assert kept.exists()                                 # sent an hour ago: the form may still confirm
    old = kept.stat().st_mtime - 25 * 3600
    os.utime(kept, (old, old))
    purge(app, ISSUE)
    assert not kept.exists()
