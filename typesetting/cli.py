"""`flask typeset NOTICES.json -o column.pdf -r report.json`: set a column from a file.

The only module of typesetting/ that imports Flask: the command reads the publisher's settings,
rate card and the notice-composing function from the app; everything else is typeset_file(),
a plain function the tests (and other callers) use without an app.

Wiring (in create_app):
    app.extensions["typesetting.provider"] = provider   # () -> (LayoutSettings, RateCard, compose)
    app.cli.add_command(typeset_command)                # compose: (type_code, dict) -> (title, body)
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Callable

import click
from flask import current_app
from flask.cli import with_appcontext

from .column import MAX_COLUMN_ITEMS, ColumnItem, ColumnResult, Placement, order_items, render_column
from .errors import InputTooLarge, RenderError
from .pricing import RateCard, format_money
from .settings import LayoutSettings

# (title, body) or (title, body, price category)
Compose = Callable[[str, dict[str, Any]], tuple[str, ...]]

MAX_FILE_BYTES = 10 * 1024 * 1024


def typeset_file(items_json: list[dict[str, Any]], settings: LayoutSettings, rate_card: RateCard | None,
                 compose: Compose, *, issue_date: dt.date | None = None,
                 continue_overflow: bool = True) -> tuple[bytes, dict[str, Any]]:
    """Typeset notices given as JSON items; return (pdf, report).

    Each item is {"type": code, "text": "…"} (text: the body after the title) or
    {"type": code, "fields": {…}}, optionally with "key" and "price_category" (the rate card
    category, e.g. "licence"; default: the type code). compose(type_code, data) returns
    (title, body); data is the item's fields, or {"text": text} for a text item. Items are
    grouped by settings.type_order (stable), then set in that order.
    """
    if not isinstance(items_json, list):
        raise ValueError("公告文件应为 JSON 数组：[{\"type\": …, \"text\": …}, …]")
    if len(items_json) > MAX_COLUMN_ITEMS:
        raise InputTooLarge(f"一次最多排 {MAX_COLUMN_ITEMS} 则公告（现 {len(items_json)} 则）。")
    items = [_column_item(number, entry, compose) for number, entry in enumerate(items_json, start=1)]
    issue_date = issue_date or dt.date.today()
    result = render_column(order_items(items, settings), settings, issue_date, continue_overflow,
                           rate_card=rate_card)
    return result.pdf, _report(items, result, issue_date, rate_card)


def _column_item(number: int, entry: Any, compose: Compose) -> ColumnItem:
    """The file's entry `number` (1-based) as a column item, its text composed; ValueError
    (Chinese, naming the entry) when it is not an item as typeset_file describes."""
    if not isinstance(entry, dict) or not isinstance(entry.get("type"), str):
        raise ValueError(f"第{number}则：每则公告应为含 \"type\" 的对象。")
    has_text, has_fields = "text" in entry, "fields" in entry
    if has_text == has_fields:
        raise ValueError(f"第{number}则：应有 \"text\" 或 \"fields\" 之一（不能都有或都没有）。")
    if has_text and not isinstance(entry["text"], str):
        raise ValueError(f"第{number}则：\"text\" 应为字符串。")
    if has_fields and not isinstance(entry["fields"], dict):
        raise ValueError(f"第{number}则：\"fields\" 应为对象。")
    data = {"text": entry["text"]} if has_text else entry["fields"]
    composed = compose(entry["type"], data)
    title, body = composed[:2]
    key = str(entry.get("key") or f"item-{number}")
    # compose may also name the rate-card category (e.g. a lost licence: "licence").
    category = entry.get("price_category") or (composed[2] if len(composed) > 2 else None)
    if category is not None and not isinstance(category, str):
        raise ValueError(f"第{number}则：\"price_category\" 应为字符串。")
    return ColumnItem(key=key, label=f"第{number}则 {title}", title=title, body=body,
                      type_code=entry["type"], price_category=category)


def _report(items: list[ColumnItem], result: ColumnResult, issue_date: dt.date,
            rate_card: RateCard | None) -> dict[str, Any]:
    """Where each item went and what it costs, by its number in the file (1-based)."""
    index_of = {item.key: number for number, item in enumerate(items, start=1)}
    by_key = {item.key: item for item in items}
    notices = [_placed(index_of[p.key], by_key[p.key], p) for p in result.placements]
    total = sum(n["price_cents"] or 0 for n in notices)
    return {
        "issue_date": issue_date.isoformat(),
        "pages": result.pages,
        "notices": notices,
        "overflow": [{"index": index_of[o.key], "key": o.key, "type": by_key[o.key].type_code,
                      "title": by_key[o.key].title, "reason": o.reason}
                     for o in result.overflow],
        "fill": [list(page) for page in result.fill],
        "total_cents": total if rate_card else None,
        "total": format_money(total, rate_card.currency_symbol) if rate_card else None,
        "warnings": list(result.warnings),
    }


def _placed(index: int, item: ColumnItem, p: Placement) -> dict[str, Any]:
    return {
        "index": index, "key": p.key, "type": item.type_code, "title": item.title,
        "page": p.page, "column": p.column, "y_mm": p.y_mm, "lines": p.lines,
        "columns": [[s.page, s.column] for s in p.segments],
        "price_cents": p.price.amount_cents if p.price else None,
        "price": p.price.explanation if p.price else None,
        "missing_characters": p.missing,
    }


@click.command("typeset")
@click.argument("notices_json_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default="column.pdf", show_default=True, help="PDF to write.")
@click.option("-r", "--report", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the placement/price report as JSON here (default: print a summary).")
@with_appcontext
def typeset_command(notices_json_path: Path, output: Path, report: Path | None) -> None:
    """Typeset the notices in NOTICES_JSON_PATH into a column PDF.

    The file is a JSON array of {"type", "text"} or {"type", "fields"} items, or an object
    {"issue_date": "YYYY-MM-DD", "items": [...]}.
    """
    if notices_json_path.stat().st_size > MAX_FILE_BYTES:
        raise click.ClickException(f"文件过大（超过 {MAX_FILE_BYTES // 1024 // 1024} MB）。")
    try:
        data = json.loads(notices_json_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise click.ClickException(f"无法读取 JSON：{exc}") from exc
    issue_date = None
    if isinstance(data, dict):
        if data.get("issue_date"):
            try:
                issue_date = dt.date.fromisoformat(str(data["issue_date"]))
            except ValueError:
                raise click.ClickException("issue_date 应为 YYYY-MM-DD 格式的日期。") from None
        data = data.get("items")
    provider = current_app.extensions.get("typesetting.provider")
    if provider is None:
        raise click.ClickException(
            "应用未注册排版设置：请在 create_app 中设置 app.extensions['typesetting.provider']。")
    # The app supplies its publisher's layout and rate card and its notice-composing function.
    settings, rate_card, compose = provider()
    try:
        pdf, summary = typeset_file(data, settings, rate_card, compose, issue_date=issue_date)
    except (RenderError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    output.write_bytes(pdf)
    if report:
        report.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    click.echo(f"{output}: {summary['pages']} 页，{len(summary['notices'])} 则"
               + (f"，合计 {summary['total']}" if summary["total"] else ""))
    for entry in summary["overflow"]:
        click.echo(f"未排入：第{entry['index']}则 {entry['title']}（{entry['reason']}）", err=True)
