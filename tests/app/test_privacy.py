"""ID numbers (居民身份证号码) never print in full, however they were typed (notices/privacy.py).

Unit tables for the finder (what is an ID number, what only looks like one), the check's
findings, and one journey: hundreds of typed variants through every free-text field of every
notice type, submitted, approved, paid, scheduled, exported, published, and then looked for on
every page that shows the notice.
"""
from __future__ import annotations

import collections
import itertools
import json
import random
import re
import unicodedata
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from notices import catalogue as cat
from notices.catalogue import CATALOGUE
from notices.checks import check_notice
from notices.identifiers import CHECKS, mask_id_card
from notices.privacy import find_id_numbers, mask_id_numbers, scan
from notices.wording import compose_text
from press import printing
from store.settings import Publisher
from tests.conftest import DATA, NOW, SEED_FILE, load_samples
from tests.support.apps import auth
from tests.support.desk import ISSUE, approve_pay_schedule, editor_client, pdf_text, secret, squash
from views.extensions import get_db


@pytest.fixture
def app(desk_test_app):
    """The desk's app (tests/support/desk.py: cheap password hashing, the newspaper named), not conftest's."""
    return desk_test_app


ID18 = "440106199003077510"          # 广州天河, born 1990-03-07, check digit 0 is right
ID18_WRONG = "440106199003077513"    # the same with a typo in the check digit
ID18_X = "11010519491231002X"        # GB 11643-1999's own example
ID15 = "440106900307751"             # an old number, born 1990-03-07 (fails MOD 11,10: no 注册号)
SEED_USCCS = ("914401013210446023", "914401133314312947", "91440101340230099E", "92440101MA5ACCGH4P",
              "91440111589520091U", "914401013045899779")
SEED_REGNOS = ("440126601321994", "440106601059045", "440121600403804", "440121600212958")


def fw(text: str) -> str:
    """Full-width digits and letters, as a Chinese input method types them."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


# --- the finder: what is masked -------------------------------------------------------------

@pytest.mark.parametrize("typed, printed", [
    (ID18, "440106********7510"),
    (ID18_WRONG, "440106********7513"),                                   # any check digit
    (ID18_X, "110105********002X"),
    (ID18_X.lower(), "110105********002X"),
    (ID15, "440106*****7751"),                                            # 15 digits
    ("440106 19900307 7510", "440106********7510"),
    ("440106\u300019900307\u30007510", "440106********7510"),             # ideographic space
    ("440106\u00a019900307\u00a07510", "440106********7510"),             # no-break space
    ("440106-19900307-7510", "440106********7510"),
    ("440106‐19900307‐7510", "440106********7510"),                       # U+2010
    ("440106–1990–0307–7510", "440106********7510"),                      # en dash
    ("440106—19900307—7510", "440106********7510"),                       # em dash
    ("440106——19900307——7510", "440106********7510"),
    ("440106－19900307－7510", "440106********7510"),                     # full-width hyphen
    ("440106 - 19900307 - 7510", "440106********7510"),
    ("440106.19900307.7510", "440106********7510"),
    ("440106·19900307·7510", "440106********7510"),
    ("440106．19900307．7510", "440106********7510"),
    ("4401 0619 9003 0775 10", "440106********7510"),
    ("44 01 06 19 90 03 07 75 10", "440106********7510"),
    ("440106 900307 751", "440106*****7751"),
    (fw(ID18), "440106********7510"),
    (fw("440106 19900307 7510"), "440106********7510"),
    (fw(ID18_X), "110105********002X"),
    ("110105-19491231-002x", "110105********002X"),
    ("身份证号440106199003077510遗失", "身份证号440106********7510遗失"),   # Chinese on both sides
    ("ID440106199003077510", "ID440106********7510"),                      # letters beside it
    ("张三440106 19900307 7510号", "张三440106********7510号"),
    ("No.440106199003077510.", "No.440106********7510."),
    ("（440106199003077510）", "（440106********7510）"),
    ("440106199003077510x倍", "440106********7510x倍"),
    ("830000199003077510", "830000********7510"),                          # 台湾居民居住证
    ("810000199003077510", "810000********7510"),                          # 港澳居民居住证
    ("440126199003077510", "440126********7510"),                          # a withdrawn code (番禺县)
    ("440106189001010010", "440106********0010"),                          # born 1890
    ("440106199002307518", "440106199002307518"),                          # 30 February: not a birth date
])
def test_id_numbers_are_masked_however_typed(typed, printed):
    assert mask_id_numbers(typed) == printed


@pytest.mark.parametrize("typed, printed", [
    # A label makes any number of the shape an ID number: typos in the date or region too.
    ("身份证号码：440106199002307518", "身份证号码：440106********7518"),
    ("身份证：990106199003077510", "身份证：990106********7510"),
    ("公民身份号码 440121600403804", "公民身份号码 440121*****3804"),          # a valid 注册号's digits
    ("身份证号码：440121600403804、440121600212958", "身份证号码：440121*****3804、440121*****2958"),
    ("证件号码440106 19900230 7518", "证件号码440106********7518"),
    ("ID: 914401013210446023", "ID: 914401********6023"),
])
def test_a_label_makes_it_an_id_number(typed, printed):
    assert mask_id_numbers(typed) == printed


@pytest.mark.parametrize("text", [
    # Business codes print in full: credit codes (all-digit ones too) and 注册号, labelled or not.
    *SEED_USCCS, *SEED_REGNOS,
    *(f"统一社会信用代码：{c}" for c in SEED_USCCS), *(f"注册号：{c}" for c in SEED_REGNOS),
    *(f"某某{c}遗失" for c in SEED_USCCS + SEED_REGNOS),
    "注册号440121600403804", "注册号：4401 2160 0403 804",
    # A label reaches the first number after it only.
    "身份证号码：440106********7510，914401013210446023",
    # 印章编码 (13 digits), licence serials, phone numbers, amounts, dates, bank cards…
    "印章编码：4417810013412", "4401060123456", "S2612019050774G", "21912000283",
    "13800138000", "020-87750217", "020-8775 0217 13800138000", "+86 138 0013 8000",
    "1000万元", "1,000,000.00元", "12345678.90元", "2026-11-26", "2026.11.26", "19900307",
    "6222 0212 3456 7890 123", "6222021234567890123",                           # bank cards
    "4401061990030775131", "14401061990030775131",      # an ID number's marks but a wrong check digit, run on
    "44010619900307751",                                                        # 17 digits
    "1234567890123456789012", "000000000000000000", "123456789012345678",
])
def test_what_only_looks_like_an_id_number_is_kept(text):
    assert mask_id_numbers(text) == text
    assert not find_id_numbers(text)


@pytest.mark.parametrize("typed, printed", [
    ("440106 19900307 7510 13800138000", "440106********7510 13800138000"),
    ("电话13800138000 440106199003077510", "电话13800138000 440106********7510"),
    ("2026.11.26 440106.19900307.7510", "2026.11.26 440106********7510"),
    # Digits run on: labelled, or with a right check digit, it is still an ID number.
    ("身份证号码：5001·0319·3105·2835·692026年11月20日", "身份证号码：500103********35692026年11月20日"),
    ("身份证号码：440106 19900307 75132026年", "身份证号码：440106********75132026年"),
    ("ID420106197404236882、6101135704258712026年", "ID420106********6882、610113*****58712026年"),
    ("身份证号码：4401061990023075182026年", "身份证号码：440106********75182026年"),
    ("4401061990030775101", "440106********75101"),
    ("电话13800138000440106199003077510", "电话13800138000440106********7510"),
])
def test_digits_beside_an_id_number_do_not_hide_it(typed, printed):
    assert mask_id_numbers(typed) == printed


def test_an_unlabelled_regno_that_reads_as_an_old_id_is_kept_and_reported():
    """440121600403804 (seed page) passes MOD 11,10 and reads as born 1960-04-03: kept as printed,
    reported as ambiguous so that the check asks; labelled, each way decides."""
    [found] = scan("某某440121600403804遗失")
    assert (found.masked, found.kept_as, found.number) == (False, "regno", "440121600403804")
    assert mask_id_numbers("某某440121600403804遗失") == "某某440121600403804遗失"
    assert scan("注册号：440121600403804") == []
    assert mask_id_numbers("身份证号码：440121600403804") == "身份证号码：440121*****3804"


def test_an_id_number_that_is_also_a_valid_credit_code_is_kept_unless_labelled():
    # 衡水 (1311), born 1990-03-07, right check digit; read as a credit code its registrar is
    # 110119 (延庆区) and its mod-31 check character is right too. About 1 ID number in 3 000 is so.
    number = "131101199003071086"
    assert CHECKS["uscc"](number).valid and CHECKS["id-card"](number).valid
    [found] = scan(number)
    assert (found.masked, found.kept_as) == (False, "uscc")
    assert mask_id_numbers(f"身份证号码{number}") == "身份证号码131101********1086"
    assert scan(f"统一社会信用代码{number}") == []


def test_every_code_of_the_seed_page_and_the_test_data_prints_unchanged():
    """No seed or sample notice contains an ID number: masking must leave every one of their
    texts and identifier values exactly as typed."""
    seed = json.loads(SEED_FILE.read_text(encoding="utf-8"))
    items = seed + list(load_samples().values())
    typeset = json.loads((DATA / "typeset-seed-notices.json").read_text(encoding="utf-8"))
    items += typeset if isinstance(typeset, list) else typeset.get("items", [])
    checked = 0
    for item in items:
        t = CATALOGUE[item["type"]]
        texts = [item.get("text") or compose_text(t, item["fields"])] if "fields" in item else [item["text"]]
        texts += [str(v) for v in item.get("fields", {}).values()]
        for text in texts:
            assert mask_id_numbers(text) == text, text
            checked += 1
    assert checked > 100
    codes = re.findall(r"[0-9A-Z]{15,18}", json.dumps(items, ensure_ascii=False))
    assert set(SEED_USCCS + SEED_REGNOS) <= set(codes)


def test_flask_typeset_prints_id_numbers_masked(app):
    """`flask typeset` makes a print PDF too: its bodies go through printable_text."""
    with app.app_context():
        _settings, _rates, compose = app.extensions["typesetting.provider"]()
        _title, body, _category = compose("lost-document",
                                          {"text": "张三遗失居民身份证（440106 19900307 7510），声明作废。"})
    assert body == "张三遗失居民身份证（440106********7510），声明作废。"


def test_printable_text_follows_the_papers_setting():
    text = "张三（身份证号 440106 19900307 7510）遗失"
    assert printing.printable_text(Publisher(), text) == "张三（身份证号 440106********7510）遗失"
    assert printing.printable_text(Publisher(print_id_numbers="full"), text) == text


# --- the check points them out ---------------------------------------------------------------

def _document_fields(**more):
    return {**load_samples()["lost-document:document"]["fields"], **more}


def test_the_check_points_out_id_numbers_outside_the_id_field():
    result = check_notice("lost-document", _document_fields(document_number="440106 19900307 7510",
                                                            id_card=ID18_X), now=NOW)
    found = [f for f in result.warnings if f.code == "id-number"]
    assert [(f.field, f.message) for f in found] == [(
        "document_number", "证件或文件编号中含有身份证号码（440106********7510），见报时将隐去中间部分。"
        "如非身份证号码，请核对。身份证号码请填在“身份证号码”一栏。")]
    # The ID field's own number (composed into the text) is not pointed out: it is where it belongs.
    assert "身份证号码：11010519491231002X" in result.text and result.ok


def test_the_check_points_out_id_numbers_in_the_text_and_every_free_text_field():
    for key, sample in load_samples().items():
        t = CATALOGUE[sample["type"]]
        variant = sample["fields"].get("variant")
        fields = dict(sample["fields"])
        names = [f.name for f in t.fields_for(variant) if f.kind in (cat.TEXT, cat.LONGTEXT) and f.max_length >= 25]
        for i, name in enumerate(names):
            fields[name] = (fields.get(name) or "某某") + f"ID440106199003{i + 10:02d}751X"
        text = compose_text(t, fields).replace("，", "，身份证号码：110105 491231 002，", 1)
        result = check_notice(sample["type"], fields, text, now=NOW)
        found = {f.field: f.message for f in result.warnings if f.code == "id-number"}
        assert set(found) == set(names) | {"text"}, key
        assert "公告正文中含有身份证号码（110105*****1002）" in found["text"], key
        for i, name in enumerate(names):
            assert mask_id_card(f"440106199003{i + 10:02d}751X") in found[name]


def test_the_check_says_so_where_the_paper_prints_id_numbers_in_full():
    result = check_notice("lost-document", _document_fields(document_note="身份证440106199003077510"),
                          now=NOW, print_id_numbers="full")
    [found] = [f for f in result.warnings if f.code == "id-number"]
    assert "全号刊登" in found.message and "440106********7510" in found.message


def test_the_check_asks_which_an_ambiguous_number_is():
    result = check_notice("lost-document", _document_fields(document_number="440121600403804"), now=NOW)
    [found] = [f for f in result.warnings if f.code == "id-number-ambiguous"]
    assert found.field == "document_number"
    assert "可能是身份证号码，也可能是注册号" in found.message and "身份证号码：440121600403804" in found.message
    assert not [f for f in result.warnings if f.code == "id-number"]


# --- the journey: every free-text field, every page ------------------------------------------

REGIONS = ("440106", "110105", "310104", "320102", "510107", "650102", "440121", "130102", "230103",
           "420106", "500103", "610113", "810000", "830000", "440126", "371102")
SEPARATORS = (" ", "\u3000", "\u00a0", "-", "‐", "–", "—", "－", ".", "·", "．", " - ", "——")
GROUPINGS = {18: ((6, 8, 4), (6, 4, 4, 4), (4, 4, 4, 4, 2), (3, 3, 4, 4, 4)), 15: ((6, 6, 3), (6, 2, 2, 2, 3))}
BESIDE = (("", ""), ("ID", ""), ("身份证号", "遗失"), ("身份证号码：", ""), ("张三", "号"), ("证号", "a"),
          ("No.", ""), ("（", "）"), ("持有人", "之证件"))


def generated_variants(count: int, seed: int = 11) -> list[tuple[str, str]]:
    """(as typed, the number) for `count` distinct numbers: 18 digits (right and wrong check
    digits, X and x) and 15, solid or grouped by every separator, half- or full-width, with
    letters or Chinese beside them. None is a valid credit code or 注册号 (those print in full
    when unlabelled, by design: see test_an_unlabelled_regno_that_reads_as_an_old_id…)."""
    from stdnum.cn import ric
    rng = random.Random(seed)
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for k in itertools.count():
        if len(out) == count:
            return out
        length = 15 if k % 4 == 3 else 18
        born = date(1930, 1, 1) + timedelta(days=rng.randrange(80 * 365))
        if length == 18:
            first17 = f"{REGIONS[k % len(REGIONS)]}{born:%Y%m%d}{rng.randrange(1000):03d}"
            right = ric.calc_check_digit(first17 + "0")
            last = {0: "X", 1: str((int(right) + 1) % 10) if right != "X" else "0"}.get(k % 5, right)
            number = first17 + last
        else:
            number = f"{REGIONS[k % len(REGIONS)]}{born:%y%m%d}{rng.randrange(1000):03d}"
        if number in seen or CHECKS["uscc"](number).valid or CHECKS["regno"](number).valid:
            continue
        seen.add(number)
        typed = number.lower() if number.endswith("X") and k % 2 else number
        if k % 7:
            grouping, separator = GROUPINGS[length][k % len(GROUPINGS[length])], SEPARATORS[k % len(SEPARATORS)]
            parts, at = [], 0
            for size in grouping:
                parts.append(typed[at:at + size])
                at += size
            typed = separator.join(parts)
        if k % 3 == 0:
            typed = fw(typed)
        before, after = BESIDE[k % len(BESIDE)]
        out.append((before + typed + after, number))
    raise AssertionError("unreachable")


def digits_of(page: str) -> str:
    """A page reduced to its digits (and X): a number printed in any separator form, split over
    lines or in full-width digits shows up here whole."""
    return re.sub(r"[^0-9X]", "", unicodedata.normalize("NFKC", page).upper())


def free_text_fields(notice_type, variant):
    """The free-text fields (kind text) of a notice type that can hold an ID number at all
    (原刊版面 takes 10 characters: no ID number fits)."""
    return [f for f in notice_type.fields_for(variant) if f.kind in (cat.TEXT, cat.LONGTEXT) and f.max_length >= 15]


BODY_VARIANTS = 16     # per notice; the bodies stay well under the 1 500 characters allowed
FIELD_VARIANTS = 2     # about as many per field, as many as fit


def notices_with_variants(variants):
    """One notice per type (and 遗失声明 variant): every free-text field carries variants (as
    many as fit), the body the rest of its share. Returns [(api body, [numbers])]."""
    pool = collections.deque(variants)
    out = []
    for key, sample in load_samples().items():
        t = CATALOGUE[sample["type"]]
        fields = dict(sample["fields"])
        if t.code == "merger":
            fields.update(merger_form="新设合并")      # so that 新设公司名称 prints too
        numbers = []
        for f in free_text_fields(t, fields.get("variant")):
            value = fields.get(f.name) or f"某某{f.label}"
            while len(value) < FIELD_VARIANTS * 60 and (fits := next(
                    (v for v in pool if len(value) + len(v[0]) + 1 <= f.max_length), None)):
                pool.remove(fits)
                value += "、" + fits[0]
                numbers.append(fits[1])
            assert value != fields.get(f.name), (key, f.name, "no variant fits")
            fields[f.name] = value
        composed = check_notice(t.code, fields, None, ISSUE, now=NOW)
        assert composed.ok, (key, composed.errors)
        # As many as the body has room for: a type with many free-text fields (环评公示) has less.
        extra, room = [], cat.BODY_MAX - len(composed.text) - len("另：。")
        while len(extra) < BODY_VARIANTS and len(pool[0][0]) + 1 <= room:
            room -= len(pool[0][0]) + 1
            extra.append(pool.popleft())
        numbers += [number for _, number in extra]
        text = composed.text
        closing = max((c for c in t.closings if c in text), key=text.rfind)
        at = text.rfind(closing)
        text = text[:at] + "另：" + "；".join(typed for typed, _ in extra) + "。" + text[at:]
        out.append(({"type": t.code, "fields": fields, "text": text, "publication_date": ISSUE.isoformat(),
                     "contact": {"name": "王先生", "phone": "13800138000"}}, numbers))
    return out


def test_no_id_number_prints_in_full_anywhere(app):
    """Hundreds of variants through every free-text field and the body of every notice type:
    submitted through the API, approved, paid, scheduled, exported, published; then not one
    full number in the column PDF, the proofs, /verify or the advertiser's status page and
    receipt, while each number's masked form is there (the text is shown, masked)."""
    from store.accounts import create_api_key
    # About 30 a notice: one notice per sample (and entity kind), however many types there are.
    variants = generated_variants(34 * len(load_samples()))
    notices = notices_with_variants(variants)
    all_numbers = [n for _, numbers in notices for n in numbers]
    assert len(all_numbers) >= 200 and len(set(all_numbers)) == len(all_numbers)
    client = app.test_client()
    with app.app_context():
        key = create_api_key(get_db(), "某某代理")
    references = []
    for body, numbers in notices:
        r = client.post("/api/v1/notices", headers=auth(key, uuid.uuid4().hex), json=body)
        assert r.status_code == 201, r.get_json()
        answer = r.get_json()
        assert any("含有身份证号码" in w["message"] for w in answer["warnings"]), answer["warnings"]
        assert not [n for n in numbers if n in digits_of(json.dumps(answer["warnings"], ensure_ascii=False))]
        references.append((answer["reference"], numbers))
    # Before publication the status page shows the text as it will print (after, the snapshot).
    pages = {f"status before publication {reference}": (
        client.get(f"/status/{reference}/{secret(app, reference)}").get_data(as_text=True), numbers)
        for reference, numbers in references}

    editor = editor_client(app)
    for reference, _ in references:
        approve_pay_schedule(app, editor, reference)
    export = editor.post(f"/desk/issues/{ISSUE.isoformat()}/export", data={"continue_overflow": "1"})

    assert export.status_code == 200 and export.mimetype == "application/pdf"
    app.config["NOW"] = datetime(2026, 11, 27, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))    # the issue date
    r = editor.post(f"/desk/issues/{ISSUE.isoformat()}/publish", data={"confirm": "1"})
    assert r.status_code == 303, r.get_data(as_text=True)

    pages["column PDF"] = (pdf_text(export.data), all_numbers)
    for reference, numbers in references:
        code = secret(app, reference)
        pages[f"status {reference}"] = (client.get(f"/status/{reference}/{code}").get_data(as_text=True), numbers)
        pages[f"receipt {reference}"] = (client.get(f"/receipt/{reference}/{code}").get_data(as_text=True), numbers)
        pages[f"verify {reference}"] = (client.get(f"/verify/{reference}").get_data(as_text=True), numbers)
    # The proofs of publication: one is enough to show they print what the snapshot says (each
    # costs a render); 遗失声明 of a document, the type for which people type ID numbers most.
    reference, numbers = references[[b["fields"].get("variant") for b, _ in notices].index("document")]
    proof = client.get(f"/status/{reference}/{secret(app, reference)}/proof.pdf")
    assert proof.status_code == 200, reference
    pages[f"proof {reference}"] = (pdf_text(proof.data), numbers)
    company = load_samples()["liquidation"]["fields"]["company"]
    pages["verify search"] = (client.get("/verify", query_string={"q": company}).get_data(as_text=True),
                              references[[b["type"] for b, _ in notices].index("liquidation")][1])
    for name, (page, numbers) in pages.items():
        digits, shown = digits_of(page), squash(unicodedata.normalize("NFKC", page))
        assert [n for n in numbers if n in digits] == [], name
        assert [n for n in numbers if mask_id_card(n) not in shown] == [], name
    # The business codes of the samples print in full beside them.
    assert all(sample["fields"].get("uscc", "") in squash(pages["column PDF"][0]) for sample in load_samples().values())


@pytest.mark.parametrize("day, masked", [(date(2026, 12, 31), False), (date(2027, 1, 1), True),
                                         (date(2027, 1, 2), True)])
def test_masked_texts_are_remembered_by_day(monkeypatch, day, masked):
    """press.printing remembers each text's masked form (a column masks every notice's text at
    every render), by day: what counts as a birth date, and so as an ID number, depends on the
    year. 110105202701010016 is no ID number on 31 December 2026 and one from 1 January 2027; the
    text asked for before, on and after the day in one process prints as that day has it."""
    import datetime as dt

    from notices import privacy
    from press import printing
    from store.settings import Publisher

    text = "广州某某有限公司遗失收据，编号110105202701010016，声明作废。"
    for when in (date(2026, 12, 31), day):      # the day before first: its answer is remembered
        class Today(dt.date):
            @classmethod
            def today(cls, when=when):
                return when
        monkeypatch.setattr(privacy.datetime, "date", Today)
        monkeypatch.setattr(printing, "date", Today)
        printed = printing.printable_text(Publisher(), text)
    assert ("110105********0016" in printed) is masked
    assert ("110105202701010016" in printed) is not masked
