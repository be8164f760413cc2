"""Bad input, everywhere an advertiser or an agency can type.

1. Round trip: generated realistic text (汉字, names, companies, digits, codes, dates, amounts,
   Latin words, Chinese punctuation, mixed) goes in through the API and the web form, comes back
   unchanged from the database and the status page, and prints unchanged (whitespace aside) in the
   PDF's text layer: hypothesis (deterministic by default) plus a seeded batch of 1,000 notices
   typeset in one column and read back line by line with pypdfium2.
2. Control, bidi and zero-width characters in every field of every notice type, form and API:
   a Chinese error next to that field, nothing stored.
3. Markup in every field: literal (escaped) on every page, literal in the PDF, nothing fetched.
4. Oversize bodies, fields and form parts: 413/422, nothing stored.
5. Extra posted fields (status, price, reference, …): ignored.

Set GG_HYPOTHESIS_RANDOM=1 to let hypothesis explore new examples (the default replays the same
ones, so that `make test` cannot turn red by chance).
"""
from __future__ import annotations

import contextlib
import html as html_lib
import http.server
import json
import os
import random
import re
import threading
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pypdfium2
import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st
from sqlalchemy import func, select

import typesetting
from notices.catalogue import BOOL, CATALOGUE, CHOICE, TEXT
from notices.checks import check_notice
from notices.text import normalise_field, normalise_text
from press import printing
from store.accounts import create_api_key
from store.models import Notice
from store.settings import Publisher
from store.workflow import status_secret
from tests.conftest import NOW, load_samples
from tests.support.apps import auth
from tests.support.faults import field_errors, form_url, previewed
from typesetting.column import contact_box
from typesetting.markup import PageGeometry
from typesetting.settings import MM_TO_PT

SAMPLES = load_samples()
ISSUE = "2026-11-28"                       # open at conftest.NOW
CONTACT_FORM = {"advertiser_name": "陈小明", "advertiser_phone": "13800138000"}
CONTACT_API = {"name": "陈小明", "phone": "13800138000"}
RANDOM = os.environ.get("GG_HYPOTHESIS_RANDOM") == "1"
HYPOTHESIS = dict(deadline=None, derandomize=not RANDOM, database=None if not RANDOM else hsettings().database,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def notice_count(app) -> int:
    with app.extensions["notice_db"].session() as s:
        return s.scalar(select(func.count()).select_from(Notice))


def stored_notice(app, reference: str) -> Notice:
    with app.extensions["notice_db"].session() as s:
        notice = s.scalar(select(Notice).where(Notice.reference == reference))
        _ = notice.revisions
        return notice




def new_key() -> str:
    return "in-" + uuid.uuid4().hex


def no_whitespace(s: str) -> str:
    return re.sub(r"\s+", "", s)


def page_notice_text(html: str) -> tuple[str, str]:
    """(title, text) of the notice as the receipt and status pages show it, unescaped."""
    m = re.search(r'<dt>公告</dt><dd><strong>(.*?)</strong> <span class="printed-text">(.*?)</span></dd>', html, re.S)
    assert m, html[:2000]
    return html_lib.unescape(m.group(1)), html_lib.unescape(m.group(2))


# =============================================================================================
# 1. Round trip of realistic generated text
# =============================================================================================

def _gb2312_level1() -> str:
    """The 3,755 most common 汉字 (GB 2312 level 1): every print font carries them."""
    chars = []
    for high in range(0xB0, 0xD8):
        for low in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.append(bytes([high, low]).decode("gb2312"))
    return "".join(chars)


HANZI = _gb2312_level1()
SURNAMES = ("王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
            "何", "林", "罗", "郑", "梁", "谢", "宋", "唐", "韩", "冯", "邓", "曹", "彭", "曾", "萧", "欧阳",
            "司马", "诸葛", "上官")
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰华玉萍红建文辉力志宏海鹏飞云凤琴斌宇浩凯嘉怡子涵梓轩"
CITIES = ("广州市", "深圳市", "佛山市", "东莞市", "增城市", "北京", "上海", "广东")
TRADES = ("贸易", "科技", "置业", "餐饮管理", "建材", "物流", "展览策划", "信息技术", "实业", "投资咨询")
CN_PUNCT = ("，", "、", "；", "：", "。", "？", "！", "“", "”", "‘", "’", "（", "）", "《", "》", "【", "】", "——",
            "……", "·")
LATIN = ("Guangzhou", "Trading", "Co", "Ltd", "ABC", "Tech", "Hong Kong", "Room", "Block", "Unit", "Tower",
         "iPhone", "Wi-Fi", "CEO", "LLC", "Inc", "PDF", "McDonald's")
ASCII_TOKENS = ("No.5", "A&B", "C/O", "3.5%", "#12", "A-3", "info@example.com", "www.example.com", "1,000",
                "15:00", "2.5", "R&D", "O'Neil", "B2B", "USB-C")


class Draws:
    """The generator's source of choices: random.Random for the seeded batch, or hypothesis draws
    (so that hypothesis can shrink a failing notice to its smallest form)."""

    def __init__(self, draw=None, rnd: random.Random | None = None):
        self._draw, self._rnd = draw, rnd

    def choice(self, seq):
        return self._rnd.choice(seq) if self._rnd else self._draw(st.sampled_from(seq))

    def randint(self, a: int, b: int) -> int:
        return self._rnd.randint(a, b) if self._rnd else self._draw(st.integers(a, b))


def person(d: Draws) -> str:
    return d.choice(SURNAMES) + "".join(d.choice(GIVEN) for _ in range(d.randint(1, 2)))


def company(d: Draws) -> str:
    core = "".join(d.choice(HANZI) for _ in range(d.randint(2, 4)))
    return f"{d.choice(CITIES)}{core}{d.choice(TRADES)}有限公司"


def hanzi_run(d: Draws, low=1, high=8) -> str:
    return "".join(d.choice(HANZI) for _ in range(d.randint(low, high)))


def fragment(d: Draws) -> str:
    kind = d.randint(0, 11)
    if kind == 0:
        return hanzi_run(d)
    if kind == 1:
        return person(d)
    if kind == 2:
        return company(d)
    if kind == 3:
        return str(d.randint(0, 10 ** d.randint(1, 12)))
    if kind == 4:
        return "".join(d.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(d.randint(1, 3))) + \
            str(d.randint(1000, 10 ** d.randint(4, 12)))
    if kind == 5:
        return d.choice(("020-", "0755-", "010-", "")) + str(d.randint(10 ** 6, 10 ** 8 - 1)) \
            if d.randint(0, 1) else f"1{d.choice('3456789')}{d.randint(10 ** 8, 10 ** 9 - 1)}"
    if kind == 6:
        y, m, day = d.randint(1990, 2030), d.randint(1, 12), d.randint(1, 28)
        return d.choice((f"{y}年{m}月{day}日", f"{y}-{m:02d}-{day:02d}", f"{y}年{m:02d}月{day:02d}日"))
    if kind == 7:
        return d.choice((f"{d.randint(1, 99999)}万元", f"{d.randint(1, 999)}.{d.randint(1, 99)}万元",
                         "壹仟万元", "伍佰万元", f"人民币{d.randint(1, 9999)}元"))
    if kind == 8:
        return " ".join(d.choice(LATIN) for _ in range(d.randint(1, 3)))
    if kind == 9:
        return d.choice(CN_PUNCT)
    if kind == 10:
        opening, closing = d.choice((("“", "”"), ("《", "》"), ("（", "）"), ("【", "】"), ("‘", "’")))
        return opening + hanzi_run(d, 1, 6) + closing
    return d.choice(ASCII_TOKENS)


def free_text(d: Draws, low: int, high: int) -> str:
    return "".join(fragment(d) for _ in range(d.randint(low, high)))


@dataclass
class Generated:
    fields: dict          # as typed (lost-document, variant "document")
    text: str | None      # None: let the app compose the text from the fields
    contact_name: str


def generate(d: Draws) -> Generated:
    """A 遗失声明 for a lost document, as an advertiser might type it."""
    holder = person(d) if d.randint(0, 2) else company(d)
    document = d.choice(("购房收据", "认购书", "房地产权证", "会员卡", "合同", "营业执照副本")) + \
        (free_text(d, 0, 2) if d.randint(0, 1) else "")
    fields = {"variant": "document", "holder": holder, "document_name": hanzi_run(d, 0, 4) + document}
    if d.randint(0, 1):
        fields["document_note"] = free_text(d, 1, 5)
    if d.randint(0, 1):
        fields["document_number"] = fragment(d)[:40]
    text = None
    if d.randint(0, 2):
        # Typed text: the facts of the fields, then free text, then the closing.
        note = f"（{fields['document_note']}）" if "document_note" in fields else ""
        number = f"，编号：{fields['document_number']}" if "document_number" in fields else ""
        text = f"{holder}遗失{fields['document_name']}{note}{number}，{free_text(d, 1, 10)}，特此声明。"
    return Generated(fields, text, person(d))


@st.composite
def generated_notices(draw):
    return generate(Draws(draw=draw))


def accepted_form(g: Generated) -> Generated:
    """What the app accepts for g: the documented normalisation (notices.text) applied to each
    field and to the text. Feeding this in again must change nothing: the round trip's input."""
    fields = {k: (normalise_field(v).text if k != "variant" else v) for k, v in g.fields.items()}
    text = normalise_text(g.text).text if g.text is not None else None
    return Generated(fields, text, normalise_field(g.contact_name).text)


def expected_check(g: Generated):
    return check_notice("lost-document", g.fields, g.text, date(2026, 11, 28), now=NOW,
                        missing_glyphs=printing.missing_glyphs)


class RoundTrips:
    """Accepted notices of a run, their outcome, and what was rejected (for the report)."""

    def __init__(self):
        self.accepted: list[tuple[str, str, str]] = []   # (reference, title, stored text)
        self.rejected: dict[str, int] = {}
        self.mismatches: list[str] = []

    def reject(self, reasons):
        for reason in reasons:
            self.rejected[reason] = self.rejected.get(reason, 0) + 1

    def fail(self, message: str) -> None:
        """Record and raise, so that hypothesis shrinks the notice to the smallest that fails."""
        self.mismatches.append(message)
        raise AssertionError(message)


def _check_stored_and_pages(app, client, reference: str, g: Generated, expected_text: str, rt: RoundTrips,
                            channel: str) -> None:
    notice = stored_notice(app, reference)
    stored_fields = json.loads(notice.revision.fields_json)
    problems = []
    if notice.revision.text != expected_text:
        problems.append(f"database text {notice.revision.text!r} != accepted {expected_text!r}")
    for name, value in g.fields.items():
        if stored_fields.get(name) != value:
            problems.append(f"database field {name}: {stored_fields.get(name)!r} != {value!r}")
    if notice.advertiser_name != g.contact_name:
        problems.append(f"advertiser name {notice.advertiser_name!r} != {g.contact_name!r}")
    secret = status_secret(app.config["SECRET_KEY"], reference)
    for page in (f"/status/{reference}/{secret}", f"/receipt/{reference}/{secret}"):
        title, shown = page_notice_text(client.get(page).get_data(as_text=True))
        if shown != expected_text or title != notice.title:
            problems.append(f"{page} shows {shown!r}")
    if problems:
        rt.fail(f"{channel} {reference}: " + "; ".join(problems))
    rt.accepted.append((reference, notice.title, notice.revision.text))


def _api_round_trip(app, client, key, g: Generated, rt: RoundTrips) -> None:
    g = accepted_form(g)
    expected = expected_check(g)
    payload = {"type": "lost-document", "fields": g.fields, "publication_date": ISSUE,
               "contact": {"name": g.contact_name, "phone": "13800138000"}}
    if g.text is not None:
        payload["text"] = g.text
    response = client.post("/api/v1/notices", json=payload, headers=auth(key, new_key()))
    body = response.get_json()
    if not expected.ok:
        # Rejected for a reason of its own (e.g. a generated 90 日 or a date before the issue):
        # the API must say so the same way, and store nothing.
        assert response.status_code == 422, body
        rt.reject(f.code for f in expected.errors)
        return
    assert response.status_code == 201, body
    if body["text"] != expected.text or (g.text is not None and body["text"] != g.text):
        rt.fail(f"api answer {body['text']!r} != accepted {g.text if g.text is not None else expected.text!r}")
    _check_stored_and_pages(app, client, body["reference"], g, expected.text, rt, "api")


def test_generated_text_round_trips_through_api_database_pages_and_pdf(app, api_key, database_url):
    """hypothesis: 80 notices per database through the API; the answer, the database, the status
    and receipt pages all carry exactly the accepted text; then (SQLite run) the same notices are
    typeset in one column and read back from the PDF."""
    client = app.test_client()
    rt = RoundTrips()

    @hsettings(max_examples=80, **HYPOTHESIS)
    @given(generated_notices())
    def one(g):
        _api_round_trip(app, client, api_key, g, rt)

    one()
    print(f"\nAPI round trip ({'postgresql' if 'postgresql' in database_url else 'sqlite'}): "
          f"{len(rt.accepted)} accepted, rejected {rt.rejected}, {len(rt.mismatches)} mismatches")
    assert rt.mismatches == []
    assert len(rt.accepted) >= 70, rt.rejected
    if database_url.startswith("sqlite"):    # the PDF depends on the stored text only: once is enough
        report = check_column_pdf([(ref, title, text) for ref, title, text in rt.accepted])
        print(f"PDF of the API notices: {report.summary()}")
        assert report.mismatches == []


def test_generated_text_round_trips_through_the_web_form(sqlite_app):
    """hypothesis: 12 notices typed into the form (text typed by the advertiser or composed),
    previewed, confirmed; the preview textarea, the database and both pages carry the same text."""
    client = sqlite_app.test_client()
    rt = RoundTrips()
    url = form_url("lost-document", "document")

    @hsettings(max_examples=12, **HYPOTHESIS)
    @given(generated_notices())
    def one(g):
        g = accepted_form(g)
        expected = expected_check(g)
        checked, confirm = previewed(client, "lost-document", "document", g.fields,
                                     {"advertiser_name": g.contact_name, "advertiser_phone": "13800138000"},
                                     text=g.text, publication_date=ISSUE)
        if not expected.ok:
            assert "确认提交" not in checked.get_data(as_text=True)
            rt.reject(f.code for f in expected.errors)
            return
        assert "确认提交" in checked.get_data(as_text=True), field_errors(checked.get_data(as_text=True))
        if confirm["text"] != expected.text:
            rt.fail(f"form preview shows {confirm['text']!r} != accepted {expected.text!r}")
        done = client.post(url, data=confirm)
        assert done.status_code == 303, field_errors(done.get_data(as_text=True))
        reference = done.headers["Location"].split("/")[2]
        _check_stored_and_pages(sqlite_app, client, reference, g, expected.text, rt, "form")

    one()
    print(f"\nform round trip: {len(rt.accepted)} accepted, rejected {rt.rejected}, {len(rt.mismatches)} mismatches")
    assert rt.mismatches == []
    assert len(rt.accepted) >= 10


# -- the PDF: one column, read back line by line -----------------------------------------------

@dataclass
class PdfReport:
    notices: int
    lines: int
    pages: int
    mismatches: list

    def summary(self) -> str:
        return f"{self.notices} notices, {self.lines} lines on {self.pages} pages, {len(self.mismatches)} mismatches"


# pdfium reports a hyphen that ends a line ("Wi-|Fi", "A-|3") as U+0002 (bounded extraction) or
# U+FFFE (whole page): it takes the hyphen for a hyphenation point of its own. The PDF draws "-"
# (pdftotext reads "-"). Neither code point can be in accepted text: find_forbidden refuses
# control characters and noncharacters.
PDFIUM_HYPHEN = re.compile("[\x02\ufffe]")


def pdf_text(extracted: str) -> str:
    return PDFIUM_HYPHEN.sub("-", extracted)


def check_column_pdf(notices: list[tuple[str, str, str]]) -> PdfReport:
    """Typeset (key, title, text) in one column as the desk exports it (printing.render_issue_column's
    engine call, ID numbers masked as printed), then read every printed line back from the PDF's
    text layer inside the box where the engine placed it. Two checks per notice: each line reads
    back as the engine set it, and the lines together are the stored text (whitespace aside)."""
    publisher = Publisher()
    settings = printing.layout_settings(publisher)
    items = [typesetting.ColumnItem(key=key, label=key, title=title, body=printing.printable_text(publisher, text),
                                    type_code="lost-document") for key, title, text in notices]
    column = typesetting.render_column(items, settings, date(2026, 11, 28), continue_overflow=True)
    g = PageGeometry(settings, contact_box(settings).height)
    lead = settings.leading_pt
    by_key = {item.key: item for item in items}
    originals = {key: (title, text) for key, title, text in notices}
    mismatches = [f"{o.key}: not placed ({o.reason})" for o in column.overflow]
    pdf = pypdfium2.PdfDocument(column.pdf)
    pages: dict[int, tuple] = {}
    lines_read = 0
    try:
        assert pdf.count_attachments() == 0
        for placement in column.placements:
            item = by_key[placement.key]
            set_lines = typesetting.set_notice(item.title, item.body, settings).lines
            read = []
            for segment in placement.segments:
                if segment.page not in pages:
                    page = pdf[segment.page - 1]
                    pages[segment.page] = (page, page.get_textpage(), page.get_size()[1])
                _page, textpage, height = pages[segment.page]
                left = g.column_left(segment.column)
                top = g.slug + segment.y_mm * MM_TO_PT
                for k in range(segment.lines):
                    line_top = top + k * lead
                    got = textpage.get_text_bounded(left - 1, height - line_top - lead + 1,
                                                    left + g.column_width + 1, height - line_top - 1)
                    got = pdf_text(got)
                    want = set_lines[segment.first_line + k].text
                    lines_read += 1
                    if no_whitespace(got) != no_whitespace(want):
                        mismatches.append(f"{placement.key} line {segment.first_line + k + 1}: "
                                          f"PDF {got!r} != set {want!r}")
                    read.append(got)
            title, text = originals[placement.key]
            printed = printing.printable_text(publisher, text)
            if no_whitespace("".join(read)) != no_whitespace(title + printed):
                mismatches.append(f"{placement.key}: PDF text {''.join(read)!r} != stored {title + printed!r}")
    finally:
        for _page, textpage, _h in pages.values():
            textpage.close()
        pdf.close()
    return PdfReport(len(column.placements), lines_read, column.pages, mismatches)


BATCH_SIZE = 1000
BATCH_SEED = 20261126


def test_seeded_batch_of_1000_notices_prints_exactly_what_was_accepted():
    """1,000 generated notices (seeded: the same every run) checked as the API checks them, typeset
    in one column (about ten pages, rendered by the two render workers), every line read back;
    then the first 60 as a single page."""
    rnd = random.Random(BATCH_SEED)
    notices, rejected = [], {}
    while len(notices) < BATCH_SIZE:
        g = accepted_form(generate(Draws(rnd=rnd)))
        result = expected_check(g)
        if not result.ok:
            for f in result.errors:
                rejected[f.code] = rejected.get(f.code, 0) + 1
            continue
        if g.text is not None:
            assert result.text == g.text        # accepted text is stored as typed: no second normalisation
        notices.append((f"B{len(notices):04d}", result.title, result.text))
    report = check_column_pdf(notices)
    print(f"\nseeded batch: {report.summary()}; rejected while generating: {rejected}")
    assert report.notices == BATCH_SIZE
    assert report.mismatches == [], report.mismatches[:10]
    # One full page: the engine shares it between its two workers by columns and lays one part
    # over the other (typesetting/column.py _overlay_pdfs), a different path from whole pages.
    one_page = check_column_pdf(notices[:60])
    print(f"one page of the batch: {one_page.summary()}")
    assert one_page.pages == 1 and one_page.lines >= 150
    assert one_page.mismatches == [], one_page.mismatches[:10]


# =============================================================================================
# 2. Control, bidi and zero-width characters in every field
# =============================================================================================

# One of each kind, rotated over the fields so that every field meets every kind.
CONTROLS = ("\x00", "\x07", "\x1b", "\x7f", "\x85", "\x1f")
# Controls that Python's regex \s matches: the publication date has its own test for them below
# (notices/dates.py once let its \s swallow them), so the main tests leave them out of the date.
WHITESPACE_CONTROLS = ("\x85", "\x1c", "\x1d", "\x1e", "\x1f", "\x0b", "\x0c")
BIDI = ("\u202e", "\u202d", "\u2066", "\u2067", "\u200f", "\u061c")
INVISIBLE = ("\u200b", "\u200d", "\ufeff", "\u00ad", "\u2060", "\u180e", "\U000e0041", "\ufe0f")


def entries():
    """(code, variant, sample fields) for every type and every variant of 遗失声明."""
    out = []
    for code, t in CATALOGUE.items():
        variants = [v for v, _ in t.field("variant").choices] if any(f.name == "variant" for f in t.fields) else [None]
        for variant in variants:
            name = f"{code}:{variant}" if variant else code
            out.append((code, variant, dict(SAMPLES[name]["fields"])))
    return out


ENTRIES = entries()
DOCUMENT_SAMPLE = SAMPLES["lost-document:document"]["fields"]


def typed_fields(code, variant):
    """Every input of the type (and variant) an advertiser can type into or choose."""
    return [f for f in CATALOGUE[code].fields_for(variant) if f.kind != BOOL and f.name != "variant"]


def poisoned(value: str, bad: str) -> str:
    value = value or "示例文字"
    middle = max(1, len(value) // 2)
    return value[:middle] + bad + value[middle:]


def bad_characters(n: int, name: str = "") -> list[str]:
    controls = CONTROLS if name != "publication_date" else tuple(c for c in CONTROLS if c not in WHITESPACE_CONTROLS)
    return [controls[n % len(controls)], BIDI[n % len(BIDI)], INVISIBLE[n % len(INVISIBLE)]]


def has_chinese(message: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", message))


def test_invisible_characters_in_every_api_field_are_refused_and_nothing_is_stored(app, api_key):
    client = app.test_client()
    refused, problems = 0, []
    for code, variant, fields in ENTRIES:
        base = {"type": code, "fields": fields, "publication_date": ISSUE, "contact": CONTACT_API}
        assert client.post("/api/v1/notices/check", json=base, headers=auth(api_key)).get_json()["ok"], code
        targets = [(f.name, fields.get(f.name, "")) for f in typed_fields(code, variant)]
        targets += [("variant", variant)] if variant else []
        targets += [("text", None), ("publication_date", ISSUE)]
        for n, (name, value) in enumerate(targets):
            for bad in bad_characters(n + len(code), name):
                payload = json.loads(json.dumps(base))
                if name == "text":
                    composed = client.post("/api/v1/notices/check", json=base, headers=auth(api_key)).get_json()["text"]
                    payload["text"] = poisoned(composed, bad)
                elif name == "publication_date":
                    payload["publication_date"] = poisoned(ISSUE, bad)
                else:
                    payload["fields"][name] = poisoned(value, bad)
                response = client.post("/api/v1/notices", json=payload, headers=auth(api_key, new_key()))
                body = response.get_json()
                errors = body.get("error", {}).get("errors", {})
                if response.status_code != 422 or not errors.get(name) or not has_chinese(errors[name][0]):
                    problems.append(f"{code}/{variant} {name} U+{ord(bad):04X}: {response.status_code} {body}")
                refused += 1
    assert problems == [], problems[:10]
    assert notice_count(app) == 0
    print(f"\ninvisible characters, API: {refused} submissions refused with a field error, 0 stored")


def test_invisible_characters_in_api_contact_fields_are_refused(app, api_key):
    client = app.test_client()
    problems = []
    for n, name in enumerate(("name", "phone", "email")):
        for bad in bad_characters(n):
            contact = dict(CONTACT_API, email="chen@example.com")
            contact[name] = poisoned(contact[name], bad)
            payload = {**SAMPLES["correction"], "publication_date": ISSUE, "contact": contact}
            response = client.post("/api/v1/notices", json=payload, headers=auth(api_key, new_key()))
            if response.status_code != 422 or f"contact.{name}" not in response.get_json()["error"].get("errors", {}):
                problems.append(f"contact.{name} U+{ord(bad):04X}: {response.status_code}")
    assert problems == [] and notice_count(app) == 0, problems


def test_invisible_characters_in_every_form_field_are_refused_and_nothing_is_stored(sqlite_app):
    """Each bad character goes into a form whose preview was accepted, posted with that preview's
    token: were the character not refused, the notice would be stored. It is refused with a
    Chinese message next to the field it is in (422), and nothing is stored. One character per
    field here, the kinds taking turns (the API test above puts all three kinds in every field;
    both paths run the same find_forbidden, what differs per field is the wiring)."""
    client = sqlite_app.test_client()
    refused, problems = 0, []
    for code, variant, fields in ENTRIES:
        checked, confirm = previewed(client, code, variant, fields, CONTACT_FORM, publication_date=ISSUE)
        assert "确认提交" in checked.get_data(as_text=True), (code, field_errors(checked.get_data(as_text=True)))
        url = form_url(code, variant)
        targets = [(f.name, confirm.get(f.name, "")) for f in typed_fields(code, variant)]
        targets += [("text", confirm["text"]), ("publication_date", ISSUE)]
        targets += [(name, confirm.get(name) or "chen@example.com")
                    for name in ("advertiser_name", "advertiser_phone", "advertiser_email")]
        for n, (name, value) in enumerate(targets):
            for bad in bad_characters(n + len(code), name)[(n + len(code)) % 3:][:1]:
                data = dict(confirm, **{name: poisoned(value, bad)})
                if name != "text":
                    data["composed_hash"] = ""       # the previewed text is posted as typed
                response = client.post(url, data=data)
                page = response.get_data(as_text=True)
                shown = field_errors(page).get(name, [])
                if response.status_code != 422 or not shown or not has_chinese(shown[0]):
                    problems.append(f"{code}/{variant} {name} U+{ord(bad):04X}: {response.status_code} {shown}")
                refused += 1
    assert problems == [], problems[:10]
    assert notice_count(sqlite_app) == 0
    print(f"\ninvisible characters, web form: {refused} confirmations refused with a field error, 0 stored")


def test_whitespace_controls_in_the_publication_date_are_refused(sqlite_app):
    with sqlite_app.app_context():
        key = create_api_key(sqlite_app.extensions["notice_db"], "输入测试")
    client = sqlite_app.test_client()
    accepted = []
    for bad in WHITESPACE_CONTROLS:
        payload = {**SAMPLES["correction"], "publication_date": poisoned(ISSUE, bad), "contact": CONTACT_API}
        response = client.post("/api/v1/notices", json=payload, headers=auth(key, new_key()))
        if response.status_code != 422:
            accepted.append(f"U+{ord(bad):04X}: {response.status_code}")
    checked, confirm = previewed(client, "correction", None, SAMPLES["correction"]["fields"], CONTACT_FORM,
                                 publication_date=ISSUE)
    response = client.post(form_url("correction"), data=dict(confirm, publication_date=poisoned(ISSUE, "\x85")))
    if response.status_code != 422:
        accepted.append(f"form U+0085: {response.status_code}")
    assert accepted == [] and notice_count(sqlite_app) == 0, accepted


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_nul_byte_in_a_reference_lookup_is_not_a_500_on_postgresql(app, api_key):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    codes = [client.post("/status", data={"reference": "GG\x00", "secret": "x"}).status_code,
             client.get("/status/GG%00/x").status_code,
             client.get("/api/v1/notices/GG%00", headers=auth(api_key)).status_code]
    assert all(code < 500 for code in codes), codes


# =============================================================================================
# 3. Markup in every field
# =============================================================================================

class Canary:
    """A loopback HTTP server and a file: any fetch by the renderer shows up here."""

    def __init__(self, tmp_path: Path):
        self.hits: list[str] = []
        hits = self.hits

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):   # noqa: N802 - http.server's name
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/css")
                self.end_headers()
                self.wfile.write(b"body{color:red}")

            def log_message(self, *_args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.file = tmp_path / "canary.txt"
        self.secret = "CANARY-" + uuid.uuid4().hex
        self.file.write_text(self.secret)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def markup(self) -> list[str]:
        return [f"<img src={self.url}/img>",
                f"</p><link rel=attachment href=file://{self.file}>",
                "{{7*7}}",
                "<script>alert(1)</script>",
                f"<link rel=stylesheet href={self.url}/css>",
                "<img src=file:///etc/passwd>",
                "</p><link rel=attachment href=file:///etc/passwd>"]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def canary(tmp_path):
    c = Canary(tmp_path)
    yield c
    c.close()


def shown_escaped(markup: str, page: str) -> bool:
    """The markup is on the page as text: escaped, and nowhere as markup."""
    escaped = html_lib.escape(markup, quote=False) in page or html_lib.escape(markup) in page
    return escaped and ("<" not in markup or markup not in page)


def markup_fields(code, variant):
    return [f for f in typed_fields(code, variant)]


def test_markup_in_every_field_is_literal_on_the_pages_in_the_pdf_and_fetches_nothing(app, api_key, canary):
    """Every field of every type, in turn, carries a piece of markup (through the API; the form
    is the next test). Refused values come back as an error; accepted ones are stored literally,
    shown escaped on the status and receipt pages, and print literally: the column PDF's text
    layer holds the markup as text, has no attachments, the renderer fetched nothing (the
    loopback server saw 0 requests, the canary file's content is nowhere) and logged no refusal."""
    client = app.test_client()
    markups = canary.markup()
    accepted, refused = [], 0
    for code, variant, fields in ENTRIES:
        for n, f in enumerate(markup_fields(code, variant)):
            markup = markups[(n + len(code)) % len(markups)]
            payload = {"type": code, "fields": dict(fields, **{f.name: markup}), "publication_date": ISSUE,
                       "contact": CONTACT_API}
            response = client.post("/api/v1/notices", json=payload, headers=auth(api_key, new_key()))
            body = response.get_json()
            if response.status_code == 422:
                refused += 1
                continue
            assert response.status_code == 201, body
            assert markup in body["text"], (code, f.name, body["text"])
            accepted.append((body["reference"], body["title"], body["text"], markup))
    for text_markup in markups:    # and the body text itself
        payload = {**SAMPLES["correction"], "publication_date": ISSUE, "contact": CONTACT_API}
        composed = client.post("/api/v1/notices/check", json=payload, headers=auth(api_key)).get_json()["text"]
        payload["text"] = composed.replace("特此更正", f"{text_markup}特此更正")
        response = client.post("/api/v1/notices", json=payload, headers=auth(api_key, new_key()))
        assert response.status_code == 201, response.get_json()
        accepted.append((response.get_json()["reference"], "更正声明", response.get_json()["text"], text_markup))
    assert {m for *_, m in accepted} == set(markups)          # every markup got through somewhere
    for reference, _title, text, markup in accepted:
        secret = status_secret(app.config["SECRET_KEY"], reference)
        for page in (f"/status/{reference}/{secret}", f"/receipt/{reference}/{secret}"):
            html = client.get(page).get_data(as_text=True)
            assert page_notice_text(html)[1] == text
            assert shown_escaped(markup, html), (page, markup)
    # Print: the desk's column (engine call as printing.render_issue_column), and one preview PNG.
    publisher = Publisher()
    items = [typesetting.ColumnItem(key=ref, label=ref, title=title, body=printing.printable_text(publisher, text),
                                    type_code="lost-document") for ref, title, text, _ in accepted]
    column = typesetting.render_column(items, printing.layout_settings(publisher), date(2026, 11, 28),
                                       continue_overflow=True)
    pdf = pypdfium2.PdfDocument(column.pdf)
    try:
        page_texts = []
        for i in range(len(pdf)):
            page = pdf[i]
            textpage = page.get_textpage()
            page_texts.append(pdf_text(textpage.get_text_range()))
            textpage.close()
            page.close()
        attachments = pdf.count_attachments()
    finally:
        pdf.close()
    printed = no_whitespace("".join(page_texts))
    for markup in markups:
        assert no_whitespace(markup) in printed, markup
    assert canary.secret not in printed and canary.secret.encode() not in column.pdf
    assert attachments == 0 and b"/EmbeddedFile" not in column.pdf
    assert column.warnings == (), column.warnings
    png = typesetting.render_notice_png(accepted[0][1], accepted[0][2], printing.layout_settings(publisher))
    assert png.startswith(b"\x89PNG")
    assert canary.hits == [], canary.hits
    print(f"\nmarkup: {len(accepted)} notices accepted with markup and printed literally, {refused} refused "
          f"by their field's rules; {len(canary.hits)} fetches")


def test_markup_in_every_form_field_is_shown_escaped(sqlite_app, canary):
    """The form shows every typed value back: escaped, never as markup. Every field of every
    type at once carries a piece of markup (so most fields have errors and the form comes back
    with all of them); then two accepted notices with markup are previewed (a PNG rendered by the
    engine) while the canary server listens: nothing is fetched."""
    client = sqlite_app.test_client()
    markups = canary.markup()
    shown = 0
    for code, variant, fields in ENTRIES:
        typed = {f.name: markups[(n + len(code)) % len(markups)] for n, f in enumerate(markup_fields(code, variant))}
        checked, _ = previewed(client, code, variant, dict(fields, **typed), CONTACT_FORM, publication_date=ISSUE)
        page = checked.get_data(as_text=True)
        assert checked.status_code == 200
        for name, markup in typed.items():
            assert "<" not in markup or markup not in page, (code, name, markup)
            if CATALOGUE[code].field(name).kind != CHOICE:   # a choice the form does not offer is not shown back
                assert shown_escaped(markup, page), (code, name, markup)
            shown += 1
    for markup in markups[:2]:                              # the two that point at the canary
        checked, _ = previewed(client, "lost-document", "document", dict(DOCUMENT_SAMPLE, document_note=markup),
                               CONTACT_FORM, publication_date=ISSUE)
        page = checked.get_data(as_text=True)
        assert "确认提交" in page and 'src="data:image/png;base64,' in page and shown_escaped(markup, page)
    assert canary.hits == []
    assert notice_count(sqlite_app) == 0
    print(f"\nmarkup in the form: {shown} fields shown back escaped, 2 previews rendered, {len(canary.hits)} fetches")


# =============================================================================================
# 4. Oversize
# =============================================================================================

def test_oversize_bodies_and_parts_are_refused_before_parsing(app, api_key):
    """MAX_CONTENT_LENGTH (256 KB) for every body; MAX_FORM_MEMORY_SIZE (64 KB a field) and
    MAX_FORM_PARTS (200) for multipart forms. (Werkzeug 3.1.9 applies neither of the last two to
    urlencoded forms: their fields are bounded by the body limit, then refused by the checks.)"""
    client = app.test_client()
    url = form_url("correction")
    big = "字" * (300 * 1024 // 3)
    sample = SAMPLES["correction"]["fields"]
    multipart = "multipart/form-data"
    cases = {
        "form body over 256 KB": client.post(url, data=dict(sample, action="confirm", text=big)),
        "multipart field over 64 KB": client.post(url, data=dict(sample, action="confirm", text="字" * 25_000),
                                                  content_type=multipart),
        "201 multipart parts": client.post(url, data={**{f"x{i}": "1" for i in range(201)}, **sample},
                                           content_type=multipart),
        "API body over 256 KB": client.post("/api/v1/notices", data=json.dumps({"text": big}),
                                            content_type="application/json", headers=auth(api_key, new_key())),
    }
    for name, response in cases.items():
        assert response.status_code == 413, (name, response.status_code)
    assert cases["API body over 256 KB"].get_json()["error"]["code"] == "too_large"
    assert "内容过大" in cases["form body over 256 KB"].get_data(as_text=True)
    urlencoded = client.post(url, data=dict(sample, action="confirm", text="字" * 25_000, publication_date=ISSUE,
                                            **CONTACT_FORM))
    assert urlencoded.status_code == 422
    assert "最多1500个字" in field_errors(urlencoded.get_data(as_text=True))["text"][0]
    assert notice_count(app) == 0


def test_oversize_text_is_refused_before_the_expensive_normalisation(sqlite_app):
    """The API's text has no size check before the checks (fields have MAX_VALUE); the form's
    urlencoded fields have none either (Werkzeug does not apply MAX_FORM_MEMORY_SIZE to them)."""
    import time
    with sqlite_app.app_context():
        key = create_api_key(sqlite_app.extensions["notice_db"], "输入测试")
    client = sqlite_app.test_client()
    payload = {**SAMPLES["correction"], "contact": CONTACT_API, "text": "中 , a ( b ) 'c' " * 13_000}  # 220 KB
    body = json.dumps(payload, ensure_ascii=False).encode()
    started = time.monotonic()
    api = client.post("/api/v1/notices/check", data=body, content_type="application/json", headers=auth(key))
    elapsed = time.monotonic() - started
    assert api.status_code == 200 and not api.get_json()["ok"]
    # A length check first takes milliseconds; the margin covers a loaded machine many times over.
    assert elapsed < 0.3, f"{elapsed:.2f} s to refuse a text 140 times too long"


def test_oversize_fields_are_422_with_the_limit_in_chinese(app, api_key):
    client = app.test_client()
    problems = []
    for code, variant, fields in ENTRIES:
        for f in typed_fields(code, variant):
            if f.kind != TEXT:
                continue
            payload = {"type": code, "fields": dict(fields, **{f.name: "字" * (f.max_length + 1)}),
                       "publication_date": ISSUE, "contact": CONTACT_API}
            response = client.post("/api/v1/notices", json=payload, headers=auth(api_key, new_key()))
            errors = response.get_json()["error"].get("errors", {})
            if response.status_code != 422 or not any(f"最多{f.max_length}个字" in e for e in errors.get(f.name, [])):
                problems.append(f"{code} {f.name}: {response.status_code} {errors}")
    payload = {**SAMPLES["correction"], "publication_date": ISSUE, "contact": CONTACT_API, "text": "字" * 1501}
    response = client.post("/api/v1/notices", json=payload, headers=auth(api_key, new_key()))
    assert response.status_code == 422 and "最多1500个字" in str(response.get_json())
    many = {**SAMPLES["correction"], "contact": CONTACT_API,
            "fields": {**SAMPLES["correction"]["fields"], **{f"x{i}": "1" for i in range(61)}}}
    long_value = {**SAMPLES["correction"], "contact": CONTACT_API,
                  "fields": {**SAMPLES["correction"]["fields"], "wrong_text": "字" * 2001}}
    long_contact = {**SAMPLES["correction"], "contact": {"name": "陈" * 61, "phone": "13800138000"}}
    for payload in (many, long_value, long_contact):
        response = client.post("/api/v1/notices", json=payload, headers=auth(api_key, new_key()))
        assert response.status_code == 422, response.get_json()
    long_key = client.post("/api/v1/notices", json=many, headers=auth(api_key, "k" * 101))
    assert long_key.status_code == 400
    form = client.post(form_url("correction"), data=dict(SAMPLES["correction"]["fields"], action="confirm",
                                                          advertiser_name="陈" * 61, advertiser_phone="13800138000",
                                                          publication_date=ISSUE))
    assert form.status_code == 422 and "联系人姓名最多60个字" in form.get_data(as_text=True)
    assert problems == [], problems[:10]
    assert notice_count(app) == 0


def test_deeply_nested_json_is_a_400_not_a_500(app, api_key):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().post("/api/v1/notices", data="[" * 100_000, content_type="application/json",
                                      headers=auth(api_key, new_key()))
    assert response.status_code == 400


# =============================================================================================
# 5. Extra posted fields
# =============================================================================================

EXTRAS = {"status": "published", "price": "0", "price_cents": "1", "paid_cents": "99999",
          "reference": "GG-AAAA-BBBB", "issue_date": "2026-11-28", "id": "1", "version": "99",
          "api_key_id": "1", "current_revision": "7", "lines": "1", "author": "editor:老板",
          "verification_code": "ABCDEF", "decision_reason": "已批准", "schedule_override": "1"}


def assert_untouched(notice: Notice, quoted_cents: int) -> None:
    assert notice.status == "submitted" and notice.reference != "GG-AAAA-BBBB"
    assert notice.price_cents == quoted_cents > 1 and notice.paid_cents == 0
    assert notice.issue_date is None and notice.version == 1 and notice.current_revision == 1
    assert notice.verification_code == "" and notice.decision_reason == "" and notice.schedule_override == ""
    assert notice.revision.author in ("advertiser",) or notice.revision.author.startswith("api:")
    fields = json.loads(notice.revision.fields_json)
    assert not set(EXTRAS) & set(fields), fields


def test_extra_form_fields_are_ignored(app):
    client = app.test_client()
    checked, confirm = previewed(client, "correction", None, SAMPLES["correction"]["fields"], CONTACT_FORM,
                                 publication_date=ISSUE)
    quoted = re.search(r'<p class="price"><strong>¥(\d+)</strong>', checked.get_data(as_text=True))
    done = client.post(form_url("correction"), data={**confirm, **EXTRAS})
    assert done.status_code == 303
    notice = stored_notice(app, done.headers["Location"].split("/")[2])
    assert notice.api_key_id is None and notice.lines > 1
    assert_untouched(notice, int(quoted.group(1)) * 100)


def test_extra_api_fields_are_ignored(app, api_key):
    client = app.test_client()
    base = {**SAMPLES["correction"], "publication_date": ISSUE, "contact": CONTACT_API}
    quote = client.post("/api/v1/notices/check", json=base, headers=auth(api_key)).get_json()
    payload = {**base, **EXTRAS, "price": 0, "paid": {"amount": 999}, "fields": {**base["fields"], **EXTRAS},
               "contact": {**CONTACT_API, **EXTRAS}}
    response = client.post("/api/v1/notices", json=payload, headers=auth(api_key, new_key()))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "submitted" and body["price"]["amount"] == quote["price"]["amount"]
    notice = stored_notice(app, body["reference"])
    assert notice.lines == quote["lines"]
    assert_untouched(notice, round(quote["price"]["amount"] * 100))


# =============================================================================================
# 6. Malformed input anywhere: a clear answer in Chinese, never a 500 (issue 11)
# =============================================================================================

from tests.support import desk as desk_support  # noqa: E402 - the desk helpers, for this section only


@pytest.fixture
def desk(database_url):
    """The app as the desk tests have it (newspaper named, cheap password hashing), errors shown
    as the server shows them (500 pages, not exceptions raised into the test)."""
    app = desk_support.desk_app(database_url, PROPAGATE_EXCEPTIONS=False)
    yield app
    app.extensions["notice_db"].dispose()


# Percent-encoded as they arrive in a URL or a form body: NUL, a lone surrogate in CESU-8 (not
# UTF-8), a byte that starts no UTF-8 character, numbers beyond PostgreSQL's integer, dates no
# issue can have (0001-01-01 overflowed the deadline arithmetic), an impossible date, and bulk.
BAD_VALUES = ("%00", "a%00b", "%ED%A0%80", "%FF", "-1", "99999999999999999999", "1e999", "0001-01-01",
              "9999-12-31", "2026-02-30", "x" * 2000)
FEW_BAD_VALUES = ("a%00b", "%ED%A0%80", "99999999999999999999", "0001-01-01")    # for the slow pages


def _encoded(fields: dict, name: str, bad: str) -> str:
    from urllib.parse import quote
    return "&".join([f"{quote(k)}={quote(str(v), safe='')}" for k, v in fields.items() if k != name]
                    + [f"{quote(name)}={bad}"])


class Answers:
    """Every answer of the sweep; what was a 500 or Werkzeug's English page, for the report."""

    def __init__(self, client):
        self.client, self.count, self.problems = client, 0, []

    def get(self, path: str, query: str | None = None):
        return self._check("GET", path, self.client.get(path, query_string=query), query)

    def post(self, path: str, body: str):
        return self._check("POST", path, self.client.post(path, data=body.encode(),
                                                          content_type="application/x-www-form-urlencoded"), body)

    def _check(self, method, path, response, sent):
        self.count += 1
        page = response.get_data(as_text=True)
        if response.status_code >= 500:
            self.problems.append(f"{method} {path} {str(sent)[:80]!r}: {response.status_code}")
        elif response.status_code >= 400 and response.mimetype == "text/html" and 'lang="zh-CN"' not in page:
            self.problems.append(f"{method} {path} {str(sent)[:80]!r}: {response.status_code} not in Chinese")
        return response


def test_bad_values_in_every_route_are_answered_never_a_500(desk):
    """A sweep over the routes an advertiser, an agency, an editor or an administrator can reach:
    each query parameter, path segment and form field in turn gets each bad value. Every answer
    is below 500 and, when it is an error page, the site's Chinese one. Found by this sweep
    (PostgreSQL unless said): a NUL in a desk login name or in a notice address, /desk/audit?
    before= past the integer range, /desk/editors/<huge>/active, /desk/issues/0001-01-01 (both
    databases), and a failed statement leaving the 500 page itself unable to render."""
    client = desk_support.editor_client(desk, "boss1", role="admin")
    desk_support.create_editor(desk, "editor2")
    reference = desk_support.submit(desk)
    secret = desk_support.secret(desk, reference)
    a = Answers(client)
    queries = {"/verify": ["q"], f"/verify/{reference}": ["code"], "/desk/": ["status", "type", "date"],
               "/desk/audit": ["before"], "/desk/issues/goto": ["day"], "/desk/issues/": ["x"],
               "/submit/lost-document": ["variant"], f"/status/{reference}/{secret}": ["resubmitted"],
               "/api/v1/issue-dates": ["x"]}
    for path, params in queries.items():
        for param in params:
            for bad in BAD_VALUES:
                a.get(path, f"{param}={bad}")
    for bad in BAD_VALUES:
        for template in ("/desk/notices/{}", "/desk/notices/{}/history", "/desk/notices/{}/edit", "/desk/issues/{}",
                         "/desk/issues/{}/preview.pdf", "/desk/issues/{}/export", "/status/{}/{}", "/receipt/{}/{}",
                         "/status/{}/{}/proof.pdf", "/status/{}/{}/revise", "/verify/{}", "/submit/{}",
                         "/api/v1/notices/{}"):
            a.get(template.format(bad, bad))
        for template in ("/desk/issues/{}/export", "/desk/issues/{}/publish", "/desk/editors/{}/active",
                         "/desk/editors/{}/password"):
            a.post(template.format(bad), "confirm=1&active=1")
    for number in ("0", "2147483648", "99999999999999999999"):
        a.post(f"/desk/editors/{number}/active", "active=0")
        a.post(f"/desk/editors/{number}/password", f"u{number}-password=x&u{number}-confirm=x")
    notice = f"/desk/notices/{reference}"
    version = desk_support.version(desk, reference)
    forms = {
        "/desk/login": ({"username": "boss1", "password": "wrong password"}, BAD_VALUES),
        f"{notice}/approve": ({"version": version}, BAD_VALUES),
        f"{notice}/reject": ({"version": version, "reason": "原因"}, BAD_VALUES),
        f"{notice}/request-changes": ({"version": version, "reason": "原因"}, BAD_VALUES),
        f"{notice}/schedule": ({"version": version, "issue_date": "2026-11-28", "override_reason": "理由"}, BAD_VALUES),
        f"{notice}/unschedule": ({"version": version}, BAD_VALUES),
        f"{notice}/payments": ({"version": version, "amount": "1", "method": "counter", "receipt_no": "R1"},
                               BAD_VALUES),
        f"{notice}/edit": ({"version": version, "note": "说明", "action": "save", "publication_date": "2026-11-27",
                            "text": "示例"}, FEW_BAD_VALUES),
        "/desk/editors": ({"username": "new.editor", "password": "x", "confirm": "y", "role": "editor"}, BAD_VALUES),
        "/desk/password": ({"current": "x", "new": "y", "confirm": "z"}, BAD_VALUES),
        "/status": ({"reference": reference, "secret": "x"}, BAD_VALUES),
        "/submit/lost-document?variant=licence": (dict(SAMPLES["lost-document:licence"]["fields"], action="check",
                                                       publication_date=ISSUE, **CONTACT_FORM), FEW_BAD_VALUES),
        "/desk/settings": ({"newspaper": "测试日报", "office_phone": "87750217", "weekdays": "0",
                            "copy_deadline": "15:00", "days_before": "1", "closed_dates": "",
                            "print_id_numbers": "masked", "layout__body_size_pt": "8", "layout__columns": "4",
                            "rate__default__flat_cents": "300", "rate__default__min_lines": "1",
                            "order__correction": "1"}, FEW_BAD_VALUES),
    }
    for path, (fields, values) in forms.items():
        for name in [*fields, "version"]:
            for bad in values:
                a.post(path, _encoded(fields, name, bad))
    print(f"\nsweep: {a.count} requests, {len(a.problems)} problems")
    assert a.problems == [], a.problems[:20]


def test_undecodable_bytes_in_a_query_or_a_form_are_refused_in_chinese(app, api_key):
    """Raw bytes that are not UTF-8 in the query string made request.args raise (a 500); in a
    urlencoded body Werkzeug dropped the whole form without a word; percent-encoded ones (%FF,
    %ED%A0%80, a surrogate in CESU-8) were kept as the literal text "%FF". Now: 400, in Chinese,
    and nothing stored."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    url = form_url("correction")
    sample = SAMPLES["correction"]["fields"]
    body = _encoded(dict(sample, action="confirm", publication_date=ISSUE, **CONTACT_FORM), "subject", "")
    answers = {
        "raw byte in a query": client.get("/verify", environ_overrides={"QUERY_STRING": "q=\xff\xfe"}),
        "raw byte in an API query": client.get("/api/v1/issue-dates", environ_overrides={"QUERY_STRING": "x=\xc0"}),
        "%FF in a query": client.get("/verify", query_string="q=%E5%B9%BF%FF"),
        "surrogate in a query": client.get("/verify", query_string="q=%ED%A0%80abc"),
        "%FF in a form": client.post(url, data=(body + "%E5%B9%BF%FF").encode(),
                                     content_type="application/x-www-form-urlencoded"),
        "raw bytes in a form": client.post(url, data=body.encode() + "广州".encode("gb18030"),
                                           content_type="application/x-www-form-urlencoded"),
    }
    for name, response in answers.items():
        assert response.status_code == 400, (name, response.status_code)
        text = response.get_data(as_text=True)
        assert "无法识别的字符编码" in text, name
    assert answers["raw byte in an API query"].get_json()["error"]["code"] == "invalid_encoding"
    assert notice_count(app) == 0
    # Correct UTF-8, percent-encoded as browsers send it, goes through.
    assert client.get("/verify", query_string="q=%E5%B9%BF%E5%B7%9E").status_code == 200


def test_nul_in_a_login_name_or_a_query_is_a_clear_answer(desk):
    """PostgreSQL refuses NUL in text: a NUL in the login name reached the account look-up (a 500)."""
    client = desk.test_client()
    desk_support.create_editor(desk, "editor1")
    login = client.post("/desk/login", data={"username": "editor\x001", "password": desk_support.PASSWORD})
    assert login.status_code == 401 and "账号或密码不对" in login.get_data(as_text=True)
    assert desk_support.login(client).status_code == 303        # the real account is unaffected
    search = client.get("/verify", query_string={"q": "广州\x00某某"})
    assert search.status_code == 400 and "控制字符（U+0000）" in search.get_data(as_text=True)
    assert client.get("/desk/notices/GG-\x00").status_code == 404


def test_a_version_that_is_no_number_is_a_form_error_in_chinese(desk):
    """version=abc in every editor form that carries one (and the advertiser's revised notice):
    422 with 页面数据不完整 said on the page, nothing changed. The schedule and unschedule forms
    answered Werkzeug's English "Bad Request"; the advertiser's revise form a 500."""
    client = desk_support.editor_client(desk)
    reference = desk_support.submit(desk)
    notice = f"/desk/notices/{reference}"
    posts = {"approve": {}, "reject": {"reason": "原因"}, "request-changes": {"reason": "原因"},
             "schedule": {"issue_date": "2026-11-28", "override_reason": "理由"}, "unschedule": {},
             "payments": {"amount": "100", "method": "counter", "receipt_no": "R-1"},
             "edit": {"action": "save", "note": "", "text": desk_support.fetch(desk, reference).revision.text}}
    for version in ("abc", "", "1.5", "-1", "9" * 30):
        for action, data in posts.items():
            r = client.post(f"{notice}/{action}", data={**data, "version": version})
            page = r.get_data(as_text=True)
            assert r.status_code == 422, (action, version, r.status_code)
            assert "页面数据不完整，请刷新页面后重试" in page, (action, version)
    stored = desk_support.fetch(desk, reference)
    assert stored.status == "submitted" and stored.version == 1 and stored.paid_cents == 0
    # The advertiser's form after 需修改.
    assert client.post(f"{notice}/request-changes", data={"version": "1", "reason": "请补充编号"}).status_code == 303
    status_url = f"/status/{reference}/{desk_support.secret(desk, reference)}/revise"
    advertiser = desk.test_client()
    page = advertiser.get(status_url).get_data(as_text=True)
    data = {"version": "abc", "action": "confirm", "preview_token": "x", "submission_key": hidden_value(page)}
    r = advertiser.post(status_url, data=data)
    assert r.status_code < 500


def hidden_value(page: str, name: str = "submission_key") -> str:
    m = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page)
    return m.group(1) if m else ""


def test_dates_no_issue_can_have_are_answered(desk):
    """0001-01-01 made the copy-deadline arithmetic overflow (a 500) on the issue page, in the API
    and in the forms; 9999-12-31 did where a window is added to it."""
    client = desk_support.editor_client(desk)
    for day in ("0001-01-01", "9999-12-31", "2026-02-30", "1899-12-31", "3000-01-01"):
        for path in (f"/desk/issues/{day}", f"/desk/issues/{day}/preview.pdf"):
            r = client.get(path)
            assert r.status_code == 404 and "找不到页面" in r.get_data(as_text=True), (path, r.status_code)
        goto = client.get("/desk/issues/goto", query_string={"day": day}, follow_redirects=True)
        assert goto.status_code == 200 and "请选择一个日期" in goto.get_data(as_text=True)
        queue = client.get("/desk/", query_string={"date": day})
        assert queue.status_code == 200 and "日期格式不对" in queue.get_data(as_text=True)
    assert client.get("/desk/issues/2026-11-27").status_code == 200
    with desk.app_context():
        key = create_api_key(desk.extensions["notice_db"], "日期测试")
    api = desk.test_client()
    for day in ("0001-01-01", "9999-12-31", "2026-02-30"):
        payload = {**SAMPLES["correction"], "publication_date": day, "contact": CONTACT_API}
        r = api.post("/api/v1/notices", json=payload, headers=auth(key, new_key()))
        assert r.status_code == 422 and "刊登日期不是有效日期" in str(r.get_json()["error"]["errors"]), day
        fields = {**SAMPLES["correction"]["fields"], "original_date": day}
        r = api.post("/api/v1/notices/check", json={"type": "correction", "fields": fields}, headers=auth(key))
        assert r.status_code == 200 and not r.get_json()["ok"], day
        checked, _ = previewed(api, "correction", None, SAMPLES["correction"]["fields"], CONTACT_FORM,
                               publication_date=day)
        assert checked.status_code == 200 and "刊登日期不是有效日期" in checked.get_data(as_text=True)
    assert notice_count(desk) == 0


def test_no_payment_on_a_rejected_or_withdrawn_notice(desk):
    client = desk_support.editor_client(desk)
    rejected = desk_support.submit(desk)
    assert client.post(f"/desk/notices/{rejected}/reject",
                       data={"version": "1", "reason": "内容不实"}).status_code == 303
    withdrawn = desk_support.submit(desk)
    with desk.app_context():
        from sqlalchemy import text as sql
        with desk.extensions["notice_db"].write() as s:
            s.execute(sql("UPDATE notices SET status = 'withdrawn' WHERE reference = :r"), {"r": withdrawn})
    for reference, label in ((rejected, "未通过"), (withdrawn, "已撤回")):
        r = client.post(f"/desk/notices/{reference}/payments", data={
            "version": desk_support.version(desk, reference), "amount": "100", "method": "counter",
            "receipt_no": "R-100"})
        page = r.get_data(as_text=True)
        assert r.status_code == 422 and f"这则公告的状态是“{label}”，不会刊登，不能登记付款" in page
        assert desk_support.fetch(desk, reference).paid_cents == 0
    accepted = desk_support.submit(desk)
    r = client.post(f"/desk/notices/{accepted}/payments", data={"version": "1", "amount": "100", "method": "counter",
                                                              "receipt_no": "R-100"})
    assert r.status_code == 303 and desk_support.fetch(desk, accepted).paid_cents == 10000


# -- 汉字 look-alikes: normalised at input, and in /verify queries --------------------------------

LOOK_ALIKE = "⼴州市⽇⽉\uf963贸易有限公司"       # Kangxi radicals ⼴ ⽇ ⽉ and the compatibility 北 (U+F963)
PLAIN = "广州市日月北贸易有限公司"


def test_look_alike_han_characters_do_not_hide_a_notice_from_verify(desk):
    """Copied from a PDF, "⼴州市⽇⽉" prints as 广州市日月 but is other code points: the notice
    was stored with them and /verify, asked for 广州市日月, found nothing. They are now stored as
    the characters they show, the advertiser told so; and a query typed with them finds a notice
    typed plainly."""
    with desk.app_context():
        key = create_api_key(desk.extensions["notice_db"], "部首测试")
    client = desk.test_client()
    licence = SAMPLES["lost-document:licence"]
    payload = {**licence, "fields": {**licence["fields"], "holder": LOOK_ALIKE}, "publication_date": ISSUE,
               "contact": {**CONTACT_API, "name": "李⼩姐"}}        # the radical ⼩ in the contact too
    check = client.post("/api/v1/notices/check", json=payload, headers=auth(key)).get_json()
    assert check["ok"] and check["fields"]["holder"] == PLAIN
    # Each of the three radicals named, not "⼴→广 (3处)" as if ⼴ had been there three times.
    assert "单位名称或姓名：部首改为同形的汉字：“⼴”→“广”、“⽇”→“日”、“⽉”→“月”（3处）" in check["changes"], \
        check["changes"]
    assert any("兼容区汉字“\uf963”（U+F963）改为标准编码的同一个字（U+5317）（1处）" in c for c in check["changes"])
    typed = client.post("/api/v1/notices", json=payload, headers=auth(key, new_key())).get_json()
    assert PLAIN in typed["text"] and "⼴" not in typed["text"]
    assert stored_notice(desk, typed["reference"]).advertiser_name == "李小姐"
    plain_holder = "广州市星辰贸易有限公司"
    plain = client.post("/api/v1/notices", json={**payload, "fields": {**payload["fields"], "holder": plain_holder}},
                        headers=auth(key, new_key())).get_json()
    for reference in (typed["reference"], plain["reference"]):
        desk_support.mark_published(desk, reference)
    for query, reference in (("广州市日月北贸易", typed["reference"]), (LOOK_ALIKE[:8], typed["reference"]),
                             ("⼴州市星⾠贸易", plain["reference"]), ("广州市星辰贸易", plain["reference"])):
        page = client.get("/verify", query_string={"q": query}).get_data(as_text=True)
        assert reference in page, query
    # A radical of the Supplement is a component, no character to put in its place: refused,
    # named, in the API and in the query.
    refused = client.post("/api/v1/notices",
                          json={**payload, "fields": {**payload["fields"], "holder": "广州⻏市某某公司"}},
                          headers=auth(key, new_key()))
    message = refused.get_json()["error"]["errors"]["holder"][0]
    assert refused.status_code == 422 and "汉字部首⻏（U+2ECF）" in message and "不是汉字" in message
    search = client.get("/verify", query_string={"q": "广州⻏市"})
    assert search.status_code == 400 and "汉字部首⻏（U+2ECF）" in search.get_data(as_text=True)


def test_look_alikes_in_the_web_form_are_normalised_and_reported(sqlite_app):
    client = sqlite_app.test_client()
    fields = dict(SAMPLES["lost-document:licence"]["fields"], holder=LOOK_ALIKE)
    contact = {**CONTACT_FORM, "advertiser_name": "李⼩姐"}
    checked, confirm = previewed(client, "lost-document", "licence", fields, contact, publication_date=ISSUE)
    page = checked.get_data(as_text=True)
    assert "确认提交" in page, field_errors(page)
    assert "部首改为同形的汉字：“⼴”→“广”、“⽇”→“日”、“⽉”→“月”（3处）" in page, re.findall("部首[^<]*", page)
    assert "⼩" not in page and 'value="李小姐"' in page       # the contact shown back as it is kept
    done = client.post(form_url("lost-document", "licence"), data=confirm)
    assert done.status_code == 303
    notice = stored_notice(sqlite_app, done.headers["Location"].split("/")[2])
    assert json.loads(notice.revision.fields_json)["holder"] == PLAIN and PLAIN in notice.revision.text
    assert notice.advertiser_name == "李小姐"


def test_one_look_alike_repeated_is_named_once_with_its_count():
    from notices.text import normalise_field
    assert normalise_field("⼴州⼴场").changes == ("部首“⼴”改为同形的汉字“广”（2处）",)
    assert normalise_field("⼴州⽇⼴").changes == ("部首改为同形的汉字：“⼴”→“广”、“⽇”→“日”（3处）",)


# -- Account names: one script, no invisible characters -----------------------------------------

@pytest.mark.parametrize("typed,named", [
    ("аdmin", "“а”（U+0430，西里尔字母）"),             # Cyrillic а, then Latin
    ("pаypal", "“а”（U+0430，西里尔字母）"),
    ("αdmin", "“α”（U+03B1，希腊字母）"),
    ("josé", "“é”（U+00E9，带符号的拉丁字母）"),
    ("admin\u202e", "从右向左覆盖符（U+202E）"),
    ("zhang\u200bwei", "零宽空格（U+200B）"),
    ("zhang\u00adwei", "软连字符（U+00AD）"),
    ("li\x00bian", "控制字符（U+0000）"),
    ("zhang wei", "空格"),
    ("zhang一wei", "不能混用汉字和字母"),
    ("张.编辑", "不能混用汉字和字母"),
    ("张wei", "不能混用汉字和字母"),
    ("张⻏", "汉字部首⻏（U+2ECF）"),
    ("z", "2–30个字"),
])
def test_account_names_refuse_look_alikes_and_invisible_characters(typed, named):
    from store.accounts import normalise_username, username_problem
    problem = username_problem(normalise_username(typed))
    assert problem and named in problem, problem


@pytest.mark.parametrize("typed,stored", [
    ("zhang.wei", "zhang.wei"), ("Li_Na-2", "li_na-2"), ("张伟", "张伟"), ("张伟2", "张伟2"),
    ("ｚｈａｎｇ．ｗｅｉ", "zhang.wei"),       # typed with a Chinese IME in full-width mode
    ("⽇⽉", "日月"),                        # Kangxi radicals: the 汉字 they show
    ("𠮷野", "𠮷野"),                        # an extension-B 汉字 is a 汉字
])
def test_account_names_of_one_script_are_accepted(typed, stored):
    from store.accounts import normalise_username, username_problem
    assert normalise_username(typed) == stored and username_problem(stored) is None


def test_creating_an_account_with_a_cyrillic_letter_is_refused_on_the_page(desk):
    admin = desk_support.editor_client(desk, "boss1", role="admin")
    r = admin.post("/desk/editors", data={"username": "аdmin", "password": desk_support.PASSWORD,
                                          "confirm": desk_support.PASSWORD, "role": "admin"})
    assert r.status_code == 422 and "西里尔字母" in r.get_data(as_text=True)
    from store.models import User
    with desk.extensions["notice_db"].session() as s:
        assert [u.username for u in s.scalars(select(User))] == ["boss1"]


def test_a_form_confirmed_again_with_another_contact_is_not_taken_for_the_first(sqlite_app):
    """The form's submission key is compared on the whole request too: Back after confirming,
    the phone number corrected, 确认提交 again. The notice is the same, the contact is not: the
    advertiser was sent to the first receipt with the old number, and the correction was lost.
    Now the page says so and one more click files it with the new number."""
    client = sqlite_app.test_client()
    url = form_url("correction")
    checked, confirm = previewed(client, "correction", None, SAMPLES["correction"]["fields"], CONTACT_FORM,
                                 publication_date=ISSUE)
    first = client.post(url, data=confirm)
    assert first.status_code == 303
    again = client.post(url, data=confirm)                   # a double click: the same receipt
    assert again.status_code == 303 and again.headers["Location"] == first.headers["Location"]
    corrected = client.post(url, data=dict(confirm, advertiser_phone="13900139000"))
    page = corrected.get_data(as_text=True)
    assert corrected.status_code == 200 and "此前已经提交过" in page
    assert notice_count(sqlite_app) == 1
