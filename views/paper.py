"""Who the paper is, on every public page, and its price list (刊例) for anyone to read.

An advertiser deciding where to place a 减资 or 注销 notice needs to know which newspaper this
is (its name, 刊号 and level: some registries ask the level), where and when it takes notices,
and what a notice costs before filling a form. The footer of every page (templates/base.html)
reads `paper()`; `/rates` shows the rate card the prices are computed from (press/printing.py).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Flask, render_template

from notices.catalogue import CATALOGUE, entries
from press import printing
from store.settings import Publisher
from views.extensions import public_publisher

bp = Blueprint("paper", __name__)


@dataclass(frozen=True)
class RateRow:
    title: str          # as the home page names the notice: 遗失营业执照, 减资公告 …
    url_code: str
    variant: str | None
    price: str          # 每则¥300 / 每行¥50
    terms: str          # how it is counted: 按见报实际行数计，不足3行按3行计（每行约13字）


def _money(cents: int, symbol: str) -> str:
    return f"{symbol}{cents // 100}" if cents % 100 == 0 else f"{symbol}{cents / 100:.2f}"


def describe_rule(rule, symbol: str, chars_per_line: int) -> tuple[str, str]:
    """(price, how it is counted) of one rule of the card, in the words of a printed 刊例."""
    if rule.model == "flat":
        return f"每则{_money(rule.flat_cents, symbol)}", "不论长短，一则一价"
    if rule.model == "per_line":
        price = f"每行{_money(rule.per_line_cents, symbol)}"
        if rule.line_basis == "characters":
            terms = f"按字数折算行数，每{rule.chars_per_line}字为一行"
        else:
            terms = f"按见报的实际行数计（本栏每行约{chars_per_line}字，标题占一行）"
        if rule.min_lines:
            least = _money(rule.min_lines * rule.per_line_cents, symbol)
            terms += f"，不足{rule.min_lines}行按{rule.min_lines}行计（起价{least}）"
        return price, terms
    price = f"{rule.base_chars}字以内{_money(rule.base_cents, symbol)}"
    return price, f"超出部分每字{_money(rule.per_extra_char_cents, symbol)}"


def rate_rows(publisher: Publisher) -> list[RateRow]:
    """Each notice the home page offers, with the rule of the card that prices it."""
    card = printing.rate_card(publisher)
    chars = printing.layout_settings(publisher).chars_per_line
    rows = []
    for e in entries():
        notice_type = CATALOGUE[e.code]
        variant = notice_type.variant(e.variant) if e.variant else None
        category = variant.price_category if variant else notice_type.price_category
        price, terms = describe_rule(card.rule_for(category), card.currency_symbol, chars)
        rows.append(RateRow(e.title, e.code, e.variant, price, terms))
    return rows


@bp.get("/rates")
def rates():
    publisher = public_publisher()
    try:
        rows = rate_rows(publisher)
    except (ValueError, TypeError):
        rows = []            # a stored card the engine refuses: the page says to call the paper
    return render_template("paper/rates.html", rows=rows, publisher=publisher)


# How many notice types the footer names before "等": the first of the home page's order.
FOOTER_TYPES = 8


def offered_types(limit: int = FOOTER_TYPES) -> str:
    """The notice types the footer of every page names, read from the catalogue in the home page's
    order (notices/catalogue.py `entries`), one title per type (遗失声明 for all its kinds): the
    first `limit`, then 等. A type added to the catalogue is named without touching the template."""
    titles = dict.fromkeys(CATALOGUE[e.code].title if e.variant else e.title for e in entries())
    shown = list(titles)[:limit]
    return "、".join(shown) + ("等" if len(titles) > limit else "")


def _paper() -> Publisher | None:
    """The publisher's settings for the footer; None when they cannot be read (an error page
    while the database is down must still render)."""
    try:
        return public_publisher()
    except Exception:  # noqa: BLE001 - see above: the footer is never worth a second error
        return None


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

    @app.context_processor
    def _paper_helpers():
        return {"paper": _paper, "offered_types": offered_types}
