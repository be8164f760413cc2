"""The app's side of the typesetting engine: what a notice looks like in print, and its price.

The preview the advertiser sees, the price and the column the editor exports all come from the
same engine and the same publisher settings, so the three always agree. No Flask here: the
views, `flask` commands, the demo loader and the benchmarks all call the same functions.
"""
from __future__ import annotations

import base64
import json
import logging
import os
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache

from sqlalchemy import delete, select, update

import typesetting
from notices.catalogue import CATALOGUE, NoticeType, price_categories
from notices.printed import with_creditor_last_day
from notices.privacy import mask_id_numbers
from store.models import LineSetting
from store.settings import Publisher
from store.workflow import text_hash
from typesetting import RenderError  # noqa: F401  (re-exported for the views and cli.py)

logger = logging.getLogger(__name__)

PREVIEW_DPI = 200


@dataclass(frozen=True)
class Quote:
    lines: int
    price_cents: int
    explanation: str
    png_data_uri: str = ""
    png_width_css: int = 0


def layout_settings(publisher: Publisher) -> "typesetting.LayoutSettings":
    return _layout_settings(json.dumps(publisher.layout, sort_keys=True), publisher.newspaper,
                            tuple(publisher.contact_lines), tuple(publisher.type_order),
                            os.environ.get("PRINT_ICC_PROFILE") or None)


@lru_cache(maxsize=32)
def _layout_settings(layout_json: str, newspaper: str, contact_lines: tuple, type_order: tuple,
                     icc_profile: str | None):
    # Cached: the engine's own caches are keyed by the settings object's value.
    # The ICC profile is the machine's file (PRINT_ICC_PROFILE, set by whoever installs the
    # server), never a path typed into a web page: the engine embeds that file in the PDF.
    return typesetting.LayoutSettings.from_dict({
        **json.loads(layout_json), "newspaper_name": newspaper, "contact_lines": list(contact_lines),
        "type_order": list(type_order), "icc_profile_path": icc_profile})


def default_rate_card() -> "typesetting.RateCard":
    """The card a newspaper starts with: the engine's default rule (per line) for every notice,
    and for each price category the catalogue names its starting price per notice
    (notices/catalogue.py, price_categories; a category without one is priced per line)."""
    return typesetting.RateCard(categories={
        category: typesetting.PriceRule("flat", flat_cents=cents)
        for category, (_label, cents) in price_categories().items() if cents is not None})


def rate_card(publisher: Publisher) -> "typesetting.RateCard":
    """The newspaper's card (/desk/settings) over the default: a category the newspaper has not
    priced (a notice type added since) keeps its starting price."""
    card = typesetting.RateCard.from_dict(publisher.rate_card)
    stored = publisher.rate_card.get("categories", {})
    return replace(card, categories={**default_rate_card().categories,
                                     **{k: v for k, v in card.categories.items() if k in stored}})


def printable_text(publisher: Publisher, text: str, *, type_code: str | None = None,
                   fields: dict | None = None, issue_date: date | None = None) -> str:
    """The text as it prints: ID numbers masked (440106********7510) unless the newspaper prints
    them in full. Every printed or public form of a notice goes through here: the preview, the
    column PDF, the proof, /verify and the advertiser's status page. Which numbers count as ID
    numbers (typed with spaces or dashes, full-width, 15 digits, a wrong check digit…) and which
    look alike but print in full (credit codes, 注册号) is decided in notices/privacy.py.

    Where the newspaper states the creditors' last day (a setting), it is added for the issue
    the notice is set in: given a type and an issue date, never stored with the notice, so a
    notice moved to another issue prints the day of that issue (notices/printed.py)."""
    notice_type = CATALOGUE.get(type_code or "")
    if publisher.print_creditor_last_day and notice_type is not None and issue_date is not None:
        text = with_creditor_last_day(notice_type, fields or {}, text, issue_date)
    if publisher.print_id_numbers == "full":
        return text
    return _masked(text, date.today())


@lru_cache(maxsize=4096)
def _masked(text: str, today: date) -> str:
    """mask_id_numbers, remembered: a column masks every notice's text each time it is set or
    exported (some 0.1 ms a notice). By day, as what counts as a birth date depends on it."""
    return mask_id_numbers(text)


def quote_notice(publisher: Publisher, result, notice_type: NoticeType, *, with_png: bool = True) -> Quote:
    """Set the notice at the column width, count its lines, price it from the rate card."""
    settings = layout_settings(publisher)
    body = printable_text(publisher, result.text, type_code=notice_type.code, fields=result.fields,
                          issue_date=getattr(result, "publication_date", None))
    set_notice = typesetting.set_notice(result.title, body, settings)
    quote = typesetting.quote_price(set_notice.line_count, len(result.text),
                                    notice_type.price_category_for(result.fields), rate_card(publisher))
    png_uri, width = "", 0
    if with_png:
        png_uri = _preview_uri(result.title, body, settings)
        # Shown at 1.5× its printed size on screen: small newspaper type is hard to read otherwise.
        width = round(settings.column_width_pt / 72 * 96 * 1.5)
    return Quote(quote.lines, quote.amount_cents, quote.explanation, png_uri, width)


ENLARGED_DPI = 500


def notice_file(publisher: Publisher, result, notice_type: NoticeType, kind: str) -> bytes:
    """The notice as it will print, for the advertiser to look at closely: "png", a larger
    rendering than the form's preview (ENLARGED_DPI), or "pdf" to download and keep."""
    settings = layout_settings(publisher)
    body = printable_text(publisher, result.text, type_code=notice_type.code, fields=result.fields,
                          issue_date=getattr(result, "publication_date", None))
    if kind == "pdf":
        return typesetting.render_notice_pdf(result.title, body, settings)
    return typesetting.render_notice_png(result.title, body, settings, dpi=ENLARGED_DPI)


def missing_glyphs(text: str) -> list[str]:
    """Characters no font of the column can print (they would come out as empty boxes)."""
    return list(dict.fromkeys(typesetting.find_missing_characters("", text, _default_settings())))


@lru_cache(maxsize=1)
def _default_settings():
    # The fonts, not the geometry, decide what can print; the publisher cannot change fonts per notice.
    return typesetting.LayoutSettings()


class AlteredText(RuntimeError):
    """A stored revision's text no longer matches the hash taken when it was confirmed."""


def verified_text(revision) -> str:
    """The revision's text, refusing to print it if it changed since it was confirmed."""
    if text_hash(revision.text) != revision.text_hash:
        raise AlteredText(f"公告 {revision.notice.reference} 第{revision.number}版的正文与确认时的摘要不符，"
                          "已停止排版，请检查数据库。")
    return revision.text


def column_items(publisher: Publisher, notices) -> list["typesetting.ColumnItem"]:
    """Notices in the publisher's order of types, then in order of submission."""
    order = {code: i for i, code in enumerate(publisher.type_order)}
    ordered = sorted(notices, key=lambda n: (order.get(n.type_code, len(order)), n.created_at, n.id))
    items = []
    for n in ordered:
        body = printable_text(publisher, verified_text(n.revision), type_code=n.type_code,
                              fields=n.revision.fields, issue_date=n.issue_date)
        notice_type = CATALOGUE.get(n.type_code)
        items.append(typesetting.ColumnItem(key=n.reference, label=f"{n.title} {n.reference}（{_opening(body)}）",
                                            title=n.title, body=body, type_code=n.type_code,
                                            price_category=notice_type.price_category_for(n.revision.fields)
                                            if notice_type else None))
    return items


def _opening(body: str, limit: int = 18) -> str:
    """The start of a notice, up to its first comma: whose it is (广州某某有限公司遗失营业执照…),
    so that an editor reading "排不下" knows which notice without opening it."""
    first = re.split(r"[，,（(]", body, maxsplit=1)[0]
    return first if len(first) <= limit else first[:limit] + "…"


def with_stored_settings(db, publisher: Publisher, items) -> list["typesetting.ColumnItem"]:
    """items, each with its lines as stored by an earlier render (any process), where there is
    one for the same text, settings, fonts and engine code, and with those lines as the drawer
    drew them, where they were kept too; the engine still checks that the stored lines spell
    the item's text, and the drawer that the drawn lines are those lines."""
    settings = layout_settings(publisher)
    keys = [typesetting.setting_key(item.title, item.body, settings) for item in items]
    stored = _stored_rows(db, keys)
    out = []
    for item, key in zip(items, keys, strict=True):
        row = stored.get(key)
        setting, drawn = _read_row(key, row, item, settings) if row else (None, None)
        out.append(replace(item, setting=setting, drawn=drawn) if setting is not None else item)
    return out


# Rows read and checked in this process, by (key, setting JSON, drawn JSON): an issue's column
# is exported and looked at again and again, and checking 200 stored settings and their drawn
# lines costs some 50 ms of CPU each time. A row that changed is a new entry.
_READ: "OrderedDict[tuple[str, str, str], tuple]" = OrderedDict()
_READ_MAX = 4096
_READ_LOCK = threading.Lock()


def _read_row(key: str, row: tuple[str, str | None], item, settings) -> tuple:
    cache_key = (key, row[0], row[1] or "")
    with _READ_LOCK:
        known = _READ.get(cache_key)
        if known is not None and known[0] == (item.title, item.body):
            _READ.move_to_end(cache_key)
            return known[1:]
    setting = typesetting.SetNotice.from_dict(json.loads(row[0]), item.title, item.body, settings)
    drawn = None
    if setting is not None and row[1]:
        drawn = typesetting.drawn_from_json(row[1], setting, settings)
    with _READ_LOCK:
        _READ[cache_key] = ((item.title, item.body), setting, drawn)
        while len(_READ) > _READ_MAX:
            _READ.popitem(last=False)
    return setting, drawn


def _stored_rows(db, keys: list[str]) -> dict[str, tuple[str, str | None]]:
    """The stored rows of these keys (LineSetting): setting JSON and drawn lines JSON."""
    found: dict[str, tuple[str, str | None]] = {}
    with db.session() as s:
        for start in range(0, len(keys), 500):
            for key, setting, drawn in s.execute(
                    select(LineSetting.key, LineSetting.setting_json, LineSetting.drawn_json)
                    .where(LineSetting.key.in_(keys[start:start + 500]))):
                found[key] = (setting, drawn)
    return found


def stored_settings(db, keys: list[str]) -> dict[str, dict]:
    """The stored line settings of these keys (LineSetting rows), as data."""
    return {key: json.loads(row[0]) for key, row in _stored_rows(db, keys).items()}


LINE_SETTINGS_KEPT = timedelta(days=120)


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def store_settings(db, publisher: Publisher, items, drawn: dict | None = None) -> int:
    """Store the line settings of items set in this process, with their lines as drawn where
    the column drew them (drawn: ColumnResult.drawn), and the drawn lines of items whose
    setting was stored before without them (a cache: failures are logged and otherwise
    ignored, the column is already made). Returns how many rows were stored or completed."""
    settings = layout_settings(publisher)
    drawn = drawn or {}
    rows, completed = {}, {}
    for item in items:
        lines = drawn.get(item.key)
        key = typesetting.setting_key(item.title, item.body, settings)
        if item.setting is None:
            try:
                data = typesetting.set_notice(item.title, item.body, settings).to_dict(settings)
            except typesetting.RenderError:
                continue
            rows[key] = (_json(data), lines.text if lines else None)
        elif item.drawn is None and lines:
            completed[key] = lines.text
    if not rows and not completed:
        return 0
    try:
        with db.write() as s:
            # Rows are only a cache: those not made again for a long while (notices long printed,
            # settings or fonts since changed) go, so the table does not grow without end.
            s.execute(delete(LineSetting).where(
                LineSetting.created_at < datetime.now(timezone.utc) - LINE_SETTINGS_KEPT))
            # A row under one of these keys did not hold (with_stored_settings): replace it.
            if rows:
                s.execute(delete(LineSetting).where(LineSetting.key.in_(list(rows))))
                s.add_all(LineSetting(key=key, setting_json=data, drawn_json=lines)
                          for key, (data, lines) in rows.items())
            for key, lines in completed.items():
                s.execute(update(LineSetting).where(LineSetting.key == key).values(drawn_json=lines))
        return len(rows) + len(completed)
    except Exception:  # noqa: BLE001 - another process stored the same row first, a full disk…
        logger.warning("could not store line settings", exc_info=True)
        return 0


def render_issue_column(publisher: Publisher, notices, issue_date: date, continue_overflow: bool = False,
                        *, db=None, items=None):
    """The issue's column. With db, notices set before (by any process) are not set again, and
    those set now are stored for the next render. items: column_items(publisher, notices), where
    the caller has them already."""
    items = column_items(publisher, notices) if items is None else items
    if db is not None:
        items = with_stored_settings(db, publisher, items)
    result = typesetting.render_column(items, layout_settings(publisher), issue_date,
                                       continue_overflow=continue_overflow, rate_card=rate_card(publisher))
    if db is not None:
        store_settings(db, publisher, items, result.drawn)
    return result


@lru_cache(maxsize=256)
def _preview_uri(title: str, body: str, settings) -> str:
    """The preview PNG as a data: URI. Cached: an advertiser checks the same text again and
    again (check, correct a contact field, check), and a render costs ~150 ms of CPU."""
    png = typesetting.render_notice_png(title, body, settings, dpi=PREVIEW_DPI)
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
