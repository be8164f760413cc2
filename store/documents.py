"""The documents advertisers send (营业执照, 身份证 … 转账凭证): read, cleaned, kept and deleted.

- What a file is comes from its first bytes, never from its name or the Content-Type the
  browser claims: a renamed program is refused as one, a PDF called .jpg is a PDF.
- Only JPEG, PNG and PDF, up to 10 MB. An image is decoded and encoded again (Pillow): what is
  kept is pixels only, no EXIF (a phone photo's GPS position, the camera's serial), no ICC
  profile or text chunks; turned upright first, as its EXIF said. A PDF must open with pypdf
  (with at least one page, without a password); it is written again from its pages alone
  (`_rewritten_pdf`), without what a viewer would run or open: JavaScript, actions on opening
  or on a page, launched programs, web links, embedded files, rich media. An editor opens it.
- Kept on disk under DOCUMENTS_DIR (default: the instance folder's documents/, which the web
  server never serves), each file named by the SHA-256 of its cleaned bytes in a folder of its
  first two hex digits: no name the advertiser chose reaches a path. The same file sent twice
  is kept once.
- A file sent with a form that was not yet confirmed has no row (the form carries a signed
  token, see `token_for`); `purge_documents` deletes such files after a day, and a notice's
  files `Publisher.document_retention_days` after its publication (rejected or withdrawn ones
  that many days after the decision). Their rows stay, marked purged, so the desk can say so.

Shown only to editors (views/desk/documents.py); advertisers see which kinds were received.
"""
from __future__ import annotations

import hashlib
import hmac
import io
import os
import re
import tempfile
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from notices.documents import DOCUMENT_KINDS
from notices.payment import check_invoice_title, check_tax_number
from store.audit import append_audit
from store.db import Database
from store.errors import DeskError
from store.models import (
    BEIJING,
    PUBLISHED,
    REJECTED,
    WITHDRAWN,
    InvoiceRequest,
    Notice,
    NoticeDocument,
    as_utc,
    utcnow,
)

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES_PER_KIND = 4
MAX_FILES_PER_NOTICE = 24
# Pixels decoded at most (a 10 MB PNG can hold a picture of gigabytes: a decompression bomb).
# A JPEG is decoded at a reduced scale first when larger (Pillow's draft mode), so a 200-MP
# phone photo is read as 12 MP; the long side kept is at most MAX_SIDE, 350 dpi on A4.
MAX_PIXELS = 50_000_000
MAX_SIDE = 4096
MAX_PDF_PAGES = 200
JPEG, PNG, PDF = "image/jpeg", "image/png", "application/pdf"
EXTENSIONS = {JPEG: "jpg", PNG: "png", PDF: "pdf"}
TYPE_LABELS = {JPEG: "JPEG 图片", PNG: "PNG 图片", PDF: "PDF"}
# A file not claimed by a confirmed notice within this time is deleted.
UNCLAIMED_HOURS = 24
_SHA = re.compile(r"[0-9a-f]{64}")

# Programs people may rename to .jpg or .pdf: named in the refusal (and never kept).
_EXECUTABLES = (b"\x7fELF", b"MZ", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe",
                b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"#!")
_ARCHIVES = (b"PK\x03\x04", b"Rar!", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b")


class DocumentRefused(ValueError):
    """A file not accepted: `code` for the API, `message` in Chinese for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class CleanFile:
    media_type: str
    data: bytes
    pages: int | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def size_text(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(size // 1024, 1)} KB"


def sniff(head: bytes) -> str | None:
    """The media type the bytes are, of the three kept; None for anything else."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"%PDF-"):
        return PDF
    return None


def clean_file(data: bytes, label: str = "文件") -> CleanFile:
    """The file as it will be kept, or DocumentRefused saying why not (in Chinese, with what to
    do). `label` names the document in the message (营业执照复印件)."""
    if not data:
        return _refuse("empty", f"{label}是空文件（0 字节），请重新选择文件。")
    if len(data) > MAX_BYTES:
        # The views read at most MAX_BYTES + 1 bytes of a file: its size is not known, only that
        # it is over the limit ("有 10.0 MB" beside "超过了 10 MB" read as a contradiction).
        return _refuse("too_large", f"{label}大于 10 MB，超过了 10 MB 的上限。请缩小后再上传，"
                                    "例如手机拍照时选较低的分辨率，或扫描时选 200 dpi。")
    media_type = sniff(data[:16])
    if media_type is None:
        if data.startswith(_EXECUTABLES):
            return _refuse("executable", f"{label}是一个可执行程序，不是照片或扫描件，未被接受。"
                                         "请上传 JPEG、PNG 图片或 PDF 文件，例如：营业执照.jpg。")
        if data.startswith(_ARCHIVES):
            return _refuse("archive", f"{label}是压缩包，未被接受。请解压后逐个上传其中的 JPEG、PNG 或 PDF 文件。")
        return _refuse("unknown_type", f"{label}不是 JPEG、PNG 图片或 PDF 文件（按文件内容判断，与文件名无关），"
                                       "未被接受。请拍照或扫描成 JPEG 或 PDF 后再上传，例如：营业执照.jpg。")
    if media_type == PDF:
        pages = _pdf_pages(data, label)
        return CleanFile(PDF, _rewritten_pdf(data, label), pages)
    return _reencoded(data, media_type, label)


def _refuse(code: str, message: str):
    raise DocumentRefused(code, message)


def _damaged(label: str) -> DocumentRefused:
    return DocumentRefused("damaged", f"{label}已损坏或不完整，无法打开。请重新拍照或扫描后再上传。")


def _reencoded(data: bytes, media_type: str, label: str) -> CleanFile:
    from PIL import Image, ImageOps
    try:
        with Image.open(io.BytesIO(data), formats=["JPEG"] if media_type == JPEG else ["PNG"]) as image:
            if media_type == JPEG:
                image.draft("RGB", (MAX_SIDE, MAX_SIDE))     # decode at 1/2, 1/4 or 1/8 scale when large
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise DocumentRefused("too_many_pixels", f"{label}的图片有 {width}×{height} 像素，太大了。"
                                                         "请缩小到 5000 万像素以内（例如 6000×8000）后再上传。")
            image.load()
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((MAX_SIDE, MAX_SIDE))
            if media_type == JPEG:
                out_mode = "L" if upright.mode in ("1", "L", "LA", "I", "I;16") else "RGB"
            else:
                has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
                out_mode = "RGBA" if has_alpha else ("L" if upright.mode in ("1", "L", "I", "I;16") else "RGB")
            pixels = upright.convert(out_mode)
            # A new image from the pixels alone: nothing of the original's info (EXIF, ICC, text
            # chunks, comments) can ride along into the saved file.
            clean = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    except DocumentRefused:
        raise
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds (OSError, SyntaxError, struct.error …) for a bad file
        raise _damaged(label) from exc
    out = io.BytesIO()
    if media_type == JPEG:
        clean.save(out, "JPEG", quality=88)
    else:
        clean.save(out, "PNG")
    return CleanFile(media_type, out.getvalue())


def _pdf_pages(data: bytes, label: str) -> int:
    import logging

    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError
    logging.getLogger("pypdf").setLevel(logging.ERROR)    # a sloppy but readable PDF is no news
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            # A PDF with only an owner password (printing restricted) opens with an empty one.
            reader.decrypt("")
        pages = len(reader.pages)
        if pages:
            reader.pages[0].mediabox      # noqa: B018 - the first page's own dictionary must read
    except (FileNotDecryptedError, DependencyError, NotImplementedError) as exc:
        raise DocumentRefused("encrypted", f"{label}设有打开密码，报社无法查看。"
                                           "请去掉密码后再上传，或改传照片。") from exc
    except Exception as exc:  # noqa: BLE001 - pypdf raises more than PdfReadError for a broken file
        raise _damaged(label) from exc
    if pages < 1:
        raise DocumentRefused("damaged", f"{label}是没有页面的 PDF，请重新扫描后再上传。")
    if pages > MAX_PDF_PAGES:
        raise DocumentRefused("too_many_pages", f"{label}有 {pages} 页，超过 {MAX_PDF_PAGES} 页。请只上传所需的几页。")
    return pages


# ---------------------------------------------------------------------------------------------
# Keeping the bytes

def documents_root(config, instance_path: str) -> str:
    """Where the files are: DOCUMENTS_DIR (config or environment), else instance/documents."""
    return config.get("DOCUMENTS_DIR") or os.environ.get("DOCUMENTS_DIR") or os.path.join(instance_path, "documents")


class DocumentStore:
    """Files under `root`, named by their SHA-256: root/ab/abcdef…"""

    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        if not _SHA.fullmatch(sha256):
            raise ValueError("not a SHA-256")
        return self.root / sha256[:2] / sha256

    def put(self, clean: CleanFile) -> str:
        sha = clean.sha256
        path = self.path(sha)
        if path.exists():
            os.utime(path)           # sent again: a fresh day before an unclaimed file is deleted
            return sha
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(clean.data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)    # whole or not at all: a reader never sees half a file
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return sha

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def read(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def delete(self, sha256: str) -> bool:
        try:
            self.path(sha256).unlink()
        except FileNotFoundError:
            return False
        return True

    def files(self):
        """(sha256, modified time) of every file kept."""
        if not self.root.is_dir():
            return
        for sub in self.root.iterdir():
            if sub.is_dir() and len(sub.name) == 2:
                for f in sub.iterdir():
                    if _SHA.fullmatch(f.name):
                        yield f.name, f.stat().st_mtime


# ---------------------------------------------------------------------------------------------
# A file sent with a form before the notice exists: a token the form carries until confirmation.

def token_for(secret: str, kind: str, clean: CleanFile) -> str:
    body = f"{kind}.{clean.sha256}.{EXTENSIONS[clean.media_type]}.{len(clean.data)}.{clean.pages or 0}"
    return body + "." + _mac(secret, body)


@dataclass(frozen=True)
class HeldFile:
    """A file the store holds for a form, as its token describes it."""
    kind: str
    sha256: str
    media_type: str
    size: int
    pages: int | None
    token: str

    @property
    def label(self) -> str:
        return DOCUMENT_KINDS[self.kind].label

    @property
    def description(self) -> str:
        pages = f"，{self.pages} 页" if self.pages else ""
        return f"{TYPE_LABELS[self.media_type]}，{size_text(self.size)}{pages}"


# What a PDF viewer runs or opens by itself (PDF 32000-1 §12.6, §7.11.4, §12.5.6): kept out of a
# file an editor opens. Keys dropped wherever they are: actions on opening and on events (/AA,
# /OpenAction), scripts, embedded files and rich media. An action (/A) is kept only when it goes
# to a page of the same file (/GoTo); an annotation that is a file, a film, a sound or rich media
# goes with what it carries.
_ACTIVE_KEYS = frozenset({"/AA", "/OpenAction", "/JS", "/JavaScript", "/EmbeddedFiles", "/EF",
                          "/RichMediaContent", "/RichMediaSettings", "/Next"})
_SAFE_ACTIONS = frozenset({"/GoTo"})
_ACTIVE_ANNOTATIONS = frozenset({"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound", "/3D"})


def _rewritten_pdf(data: bytes, label: str) -> bytes:
    """The PDF written again from its pages alone (the document's catalogue, outline, forms and
    names are not carried over), scrubbed of everything active (`_scrub`), then read back and
    refused unless nothing active is left: a file pypdf cannot rewrite is not kept as sent."""
    from pypdf import PdfReader, PdfWriter
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            reader.decrypt("")
        writer = PdfWriter()
        for page in reader.pages:
            writer.add_page(page, excluded_keys=("/AA",))
        _scrub(writer.root_object)
        writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
        out = io.BytesIO()
        writer.write(out)
        cleaned = out.getvalue()
        left = _active_parts(PdfReader(io.BytesIO(cleaned)))
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds for a file it cannot rewrite
        raise _not_rewritten(label) from exc
    if left:
        raise _not_rewritten(label)
    return cleaned


def _not_rewritten(label: str) -> DocumentRefused:
    return DocumentRefused("not_rewritable", f"{label}这份 PDF 无法安全地重新生成（其中可能带有脚本或附件），未被接受。"
                                             "请用扫描仪或手机重新扫描成 PDF，或改传照片（JPEG、PNG）。")


def _children(obj):
    """The values in a dictionary or an array, each resolved."""
    from pypdf.generic import ArrayObject, DictionaryObject
    if isinstance(obj, DictionaryObject):
        return [v.get_object() for v in obj.values()]
    if isinstance(obj, ArrayObject):
        return [v.get_object() for v in obj]
    return []


def _scrub(root) -> None:
    """Drop, in every dictionary reachable from `root`, what `_ACTIVE_KEYS` names, every action
    but a /GoTo, and every annotation of the kinds `_ACTIVE_ANNOTATIONS` names."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject
    seen: set[int] = set()
    stack = [root.get_object()]
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, DictionaryObject):
            for key in [k for k in obj if k in _ACTIVE_KEYS]:
                del obj[key]
            action = obj.get("/A")
            if action is not None and action.get_object().get("/S") not in _SAFE_ACTIONS:
                del obj["/A"]
            annotations = obj.get("/Annots")
            if annotations is not None and isinstance(annotations.get_object(), ArrayObject):
                kept = ArrayObject(a for a in annotations.get_object()
                                   if a.get_object().get("/Subtype") not in _ACTIVE_ANNOTATIONS)
                obj[NameObject("/Annots")] = kept
        stack.extend(_children(obj))


def _active_parts(reader) -> list[str]:
    """What is active in a PDF as read (every object of its cross-reference table): the keys,
    actions and annotations `_scrub` removes. Empty for a clean file."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject
    found: list[str] = []
    for number in range(1, int(reader.trailer.get("/Size", 0))):
        try:
            obj = reader.get_object(number)
        except Exception:  # noqa: BLE001 - a free entry of the table
            continue
        stack, seen = [obj], set()
        while stack:
            item = stack.pop()
            if id(item) in seen or item is None:
                continue
            seen.add(id(item))
            if isinstance(item, DictionaryObject):
                found += [k for k in item if k in _ACTIVE_KEYS]
                action = item.get("/A")
                if action is not None and action.get_object().get("/S") not in _SAFE_ACTIONS:
                    found.append(str(action.get_object().get("/S")))
                if item.get("/Subtype") in _ACTIVE_ANNOTATIONS or item.get("/Type") == "/EmbeddedFile":
                    found.append(str(item.get("/Subtype") or item.get("/Type")))
                stack.extend(v for v in item.values() if not isinstance(v, IndirectObject))
            elif isinstance(item, ArrayObject):
                stack.extend(v for v in item if not isinstance(v, IndirectObject))
    return found


def hold(secret: str, kind: str, clean: CleanFile) -> HeldFile:
    """The token and description of a file just cleaned (and kept) for `kind`."""
    return HeldFile(kind, clean.sha256, clean.media_type, len(clean.data), clean.pages,
                    token_for(secret, kind, clean))


def held_file(secret: str, token: str) -> HeldFile | None:
    """The file a token names, if the token is ours and unaltered."""
    parts = (token or "").split(".")
    if len(parts) != 6:
        return None
    kind, sha, ext, size, pages, mac = parts
    body = ".".join(parts[:5])
    media = {v: k for k, v in EXTENSIONS.items()}.get(ext)
    if (kind not in DOCUMENT_KINDS or not _SHA.fullmatch(sha) or media is None or not size.isdigit()
            or not pages.isdigit() or not hmac.compare_digest(mac, _mac(secret, body))):
        return None
    return HeldFile(kind, sha, media, int(size), int(pages) or None, token)


def _mac(secret: str, body: str) -> str:
    return hmac.new(secret.encode(), b"document:" + body.encode(), hashlib.sha256).hexdigest()[:32]


# ---------------------------------------------------------------------------------------------
# Rows

def attach(db: Database, notice_id: int, files: list[HeldFile], *, actor: str) -> int:
    """The files become the notice's documents (one transaction, one audit entry); a file
    attached already (same kind, same bytes) is not added twice. The count added."""
    added = 0
    with db.write() as s:
        notice = s.get(Notice, notice_id)
        if notice is None:
            raise DeskError("没有这则公告。")
        existing = {(d.kind, d.sha256) for d in s.scalars(select(NoticeDocument).where(
            NoticeDocument.notice_id == notice_id))}
        if len(existing) + len(files) > MAX_FILES_PER_NOTICE:
            raise DeskError(f"每则公告最多上传 {MAX_FILES_PER_NOTICE} 个文件，请合并成 PDF 后再上传。")
        for f in files:
            if (f.kind, f.sha256) in existing:
                continue
            existing.add((f.kind, f.sha256))
            s.add(NoticeDocument(notice_id=notice_id, kind=f.kind, sha256=f.sha256, media_type=f.media_type,
                                 size=f.size, pages=f.pages, uploaded_by=actor, uploaded_at=utcnow()))
            added += 1
        if added:
            append_audit(s, actor, "documents", notice.id,
                         {"reference": notice.reference,
                          "documents": [{"kind": f.kind, "sha256": f.sha256[:16], "type": f.media_type,
                                         "size": f.size} for f in files]})
    return added


def attach_quietly(db: Database, notice_id: int, files: list[HeldFile], *, actor: str) -> int:
    """attach, where a concurrent duplicate (the unique row) is not an error."""
    try:
        return attach(db, notice_id, files, actor=actor)
    except IntegrityError:
        return 0


def notice_documents(session: Session, notice_id: int) -> list[NoticeDocument]:
    return list(session.scalars(select(NoticeDocument).where(NoticeDocument.notice_id == notice_id)
                                .order_by(NoticeDocument.uploaded_at, NoticeDocument.id)))


def document(session: Session, notice_id: int, document_id: int) -> NoticeDocument | None:
    return session.scalar(select(NoticeDocument).where(NoticeDocument.id == document_id,
                                                       NoticeDocument.notice_id == notice_id))


def record_viewed(db: Database, notice: Notice, row: NoticeDocument, *, actor: str) -> None:
    """An editor opened one of an advertiser's files (an ID card, a licence): the audit log says
    who and which, as it does for every other look at personal data the paper keeps."""
    with db.write() as s:
        append_audit(s, actor, "document-viewed", notice.id,
                     {"reference": notice.reference, "documents": [{"kind": row.kind, "sha256": row.sha256[:16]}]})


def invoice_request(session: Session, notice_id: int) -> InvoiceRequest | None:
    return session.scalar(select(InvoiceRequest).where(InvoiceRequest.notice_id == notice_id))


def request_invoice(db: Database, notice_id: int, title: str, tax_number: str, email: str, *,
                    actor: str) -> InvoiceRequest:
    """The advertiser's 发票 request, new or changed; DeskError (Chinese) if 抬头 or 税号 is wrong."""
    problem = check_invoice_title(title)
    if problem:
        raise DeskError(problem)
    tax = check_tax_number(tax_number)
    if not tax.valid:
        raise DeskError(tax.message)
    with db.write() as s:
        notice = s.get(Notice, notice_id)
        if notice is None:
            raise DeskError("没有这则公告。")
        row = s.scalar(select(InvoiceRequest).where(InvoiceRequest.notice_id == notice_id))
        if row is None:
            row = InvoiceRequest(notice_id=notice_id)
            s.add(row)
        row.title, row.tax_number, row.email = " ".join(title.split()), tax.value, email.strip()
        row.requested_at = utcnow()
        append_audit(s, actor, "invoice-request", notice.id,
                     {"reference": notice.reference, "title": row.title, "tax_number": row.tax_number})
        s.flush()
        s.expunge(row)
    return row


# ---------------------------------------------------------------------------------------------
# Deleting

@dataclass
class PurgeReport:
    documents: int = 0          # rows marked purged
    files: int = 0              # files deleted from disk
    unclaimed: int = 0          # of those, files no confirmed notice claimed


def purge_due_date(notice: Notice, retention_days: int) -> date | None:
    """The day a notice's documents are deleted (Beijing dates): `retention_days` after its
    issue once published, after the decision once rejected or withdrawn; None while open."""
    if notice.status == PUBLISHED and notice.issue_date:
        return notice.issue_date + timedelta(days=retention_days)
    if notice.status in (REJECTED, WITHDRAWN):
        return _beijing_date(notice.updated_at) + timedelta(days=retention_days)
    return None


def _beijing_date(moment: datetime) -> date:
    return as_utc(moment).astimezone(BEIJING).date()


def purge_documents(db: Database, store: DocumentStore, *, now: datetime, retention_days: int,
                    actor: str = "system", dry_run: bool = False,
                    unclaimed_before: float | None = None) -> PurgeReport:
    """Delete the files of every notice whose day has come (see purge_due_date; the day itself
    included), and files no notice claimed within UNCLAIMED_HOURS. A file another notice still
    keeps (the same licence sent twice) stays until that one's day."""
    report = PurgeReport()
    with db.write() as s:
        due = _due_documents(s, now.astimezone(BEIJING).date(), retention_days)
        kept = _kept_by_others(s, due)
        report.documents = len(due)
        if not dry_run:
            _mark_purged(s, due, now=now, actor=actor, retention_days=retention_days)
        doomed = {d.sha256 for d, _ in due} - kept
        claimed = set(s.scalars(select(NoticeDocument.sha256)))
    if dry_run:
        report.files = len(doomed)
        return report
    for sha in doomed:
        report.files += store.delete(sha)
    # Files on disk carry the real time (not a test's clock): unclaimed ones are judged by it.
    cutoff = time.time() - UNCLAIMED_HOURS * 3600 if unclaimed_before is None else unclaimed_before
    report.unclaimed = _delete_unclaimed(store, claimed, cutoff)
    report.files += report.unclaimed
    return report


def _due_documents(s: Session, today: date, retention_days: int) -> list[tuple[NoticeDocument, Notice]]:
    """The documents not yet purged whose notice's day (purge_due_date) is `today` or before."""
    rows = s.execute(select(NoticeDocument, Notice).join(Notice, Notice.id == NoticeDocument.notice_id)
                     .where(and_(NoticeDocument.purged_at.is_(None),
                                 Notice.status.in_((PUBLISHED, REJECTED, WITHDRAWN)))))
    return [(d, n) for d, n in rows if (day := purge_due_date(n, retention_days)) is not None and day <= today]


def _kept_by_others(s: Session, due: list[tuple[NoticeDocument, Notice]]) -> set[str]:
    """The files that documents not due still keep (the same licence sent for another notice)."""
    return set(s.scalars(select(NoticeDocument.sha256).where(
        NoticeDocument.purged_at.is_(None), NoticeDocument.id.not_in([d.id for d, _ in due] or [0]))))


def _mark_purged(s: Session, due: list[tuple[NoticeDocument, Notice]], *, now: datetime, actor: str,
                 retention_days: int) -> None:
    """The due documents marked purged, with one audit entry per notice naming its documents."""
    by_notice: dict[tuple[int, str], list[str]] = {}
    for d, n in due:
        kind = DOCUMENT_KINDS.get(d.kind)
        by_notice.setdefault((n.id, n.reference), []).append(kind.label if kind else d.kind)
        d.purged_at = now
    for (notice_id, reference), labels in by_notice.items():
        append_audit(s, actor, "documents-purged", notice_id,
                     {"reference": reference, "documents": labels, "retention_days": retention_days})


def _delete_unclaimed(store: DocumentStore, claimed: set[str], cutoff: float) -> int:
    """Deletes the files no document claims that were last written before `cutoff` (a Unix
    time); how many."""
    deleted = 0
    for sha, mtime in list(store.files()):
        if sha not in claimed and mtime < cutoff and store.delete(sha):
            deleted += 1
    return deleted
