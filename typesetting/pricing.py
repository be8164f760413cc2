"""The publisher's rate card (刊例) and quotes computed from the typeset notice.

docs/law.md §4: there is no national tariff; papers price lost-item notices per item, others
per line of N characters (with a minimum) or as a base block plus a price per extra character.
The honest quote counts the lines of the column as printed, which is why quote_price takes the
line count of set_notice - the same setting the preview shows and the column prints.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

Model = Literal["flat", "per_line", "block"]


@dataclass(frozen=True)
class PriceRule:
    """How one category of notice is priced. Money in fen (cents, 1/100 yuan)."""

    model: Model
    flat_cents: int = 0             # flat: price per notice
    per_line_cents: int = 0         # per_line: price per line
    min_lines: int = 0              # per_line: lines charged at least
    chars_per_line: int = 13        # per_line: the rate card's "line of ≤ N characters"
    # per_line: "typeset" charges the lines as printed; "characters" charges ceil(chars / N)
    # lines, for papers whose card is written that way.
    line_basis: Literal["typeset", "characters"] = "typeset"
    base_cents: int = 0             # block: price up to base_chars
    base_chars: int = 0
    per_extra_char_cents: int = 0   # block: each character beyond base_chars

    def __post_init__(self) -> None:
        if self.model not in ("flat", "per_line", "block"):
            raise ValueError(f"未知计价方式：{self.model!r}（应为 flat、per_line 或 block）")
        if self.line_basis not in ("typeset", "characters"):
            raise ValueError(f"未知计行方式：{self.line_basis!r}")
        for name in ("flat_cents", "per_line_cents", "min_lines", "chars_per_line",
                     "base_cents", "base_chars", "per_extra_char_cents"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"刊例中 {name} 应为非负整数（现为 {value!r}）")
        if self.chars_per_line < 1:
            raise ValueError("每行字数至少为 1")


def _default_categories() -> dict[str, PriceRule]:
    # The engine's own example card, for the engine used alone (its tests, a script). The app
    # passes the newspaper's card, whose categories and starting prices the notice catalogue
    # declares (notices/catalogue.py, price_categories; press/printing.py, default_rate_card).
    return {
        # Lost business licence / seal: flat per item; personal documents half that.
        "licence": PriceRule("flat", flat_cents=30000),
        "seal": PriceRule("flat", flat_cents=30000),
        "document": PriceRule("flat", flat_cents=15000),
    }


@dataclass(frozen=True)
class RateCard:
    """The rate card: a rule per price category, and a default rule for everything else.

    Default: ¥50 per printed line of the 13-character column, at least 3 lines (¥150) - a
    minimum so that a two-line notice still pays for its share of the header and spacing; flat
    ¥300 for a lost licence or seal and ¥150 for a lost personal document.
    """

    default: PriceRule = field(
        default_factory=lambda: PriceRule("per_line", per_line_cents=5000, min_lines=3))
    categories: dict[str, PriceRule] = field(default_factory=_default_categories)
    currency_symbol: str = "¥"

    def rule_for(self, category: str | None) -> PriceRule:
        return self.categories.get(category or "", self.default)

    def to_dict(self) -> dict[str, Any]:
        def rule(r: PriceRule) -> dict[str, Any]:
            return {k: getattr(r, k) for k in r.__dataclass_fields__}
        return {"default": rule(self.default),
                "categories": {name: rule(r) for name, r in self.categories.items()},
                "currency_symbol": self.currency_symbol}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RateCard:
        unknown = sorted(set(data) - {"default", "categories", "currency_symbol"})
        if unknown:
            raise ValueError(f"刊例中有未知项：{', '.join(unknown)}")
        kwargs: dict[str, Any] = {}
        if "default" in data:
            kwargs["default"] = PriceRule(**data["default"])
        if "categories" in data:
            kwargs["categories"] = {k: PriceRule(**v) for k, v in data["categories"].items()}
        if "currency_symbol" in data:
            kwargs["currency_symbol"] = str(data["currency_symbol"])
        return cls(**kwargs)


@dataclass(frozen=True)
class Quote:
    amount_cents: int
    lines: int
    explanation: str  # Chinese, e.g. "共5行，每行¥50，合计¥250"


def format_money(cents: int, symbol: str = "¥") -> str:
    """¥250 for whole yuan, ¥1.80 otherwise."""
    if cents % 100 == 0:
        return f"{symbol}{cents // 100}"
    return f"{symbol}{cents // 100}.{cents % 100:02d}"


def quote_price(line_count: int, char_count: int, category: str | None,
                rate_card: RateCard) -> Quote:
    """Price a notice of line_count printed lines and char_count characters."""
    if line_count < 0 or char_count < 0:
        raise ValueError("行数和字数不能为负")
    rule = rate_card.rule_for(category)

    def money(cents: int) -> str:
        return format_money(cents, rate_card.currency_symbol)

    if rule.model == "flat":
        return Quote(rule.flat_cents, line_count,
                     f"按件计价：每则{money(rule.flat_cents)}（共{line_count}行），"
                     f"合计{money(rule.flat_cents)}")
    if rule.model == "per_line":
        if rule.line_basis == "characters":
            counted = math.ceil(char_count / rule.chars_per_line)
            basis = f"共{char_count}字，按每行{rule.chars_per_line}字计{counted}行"
        else:
            counted = line_count
            basis = f"共{line_count}行"
        charged = max(counted, rule.min_lines)
        amount = charged * rule.per_line_cents
        minimum = f"，不足{rule.min_lines}行按{rule.min_lines}行计" if charged > counted else ""
        return Quote(amount, line_count,
                     f"{basis}{minimum}，每行{money(rule.per_line_cents)}，合计{money(amount)}")
    extra = max(0, char_count - rule.base_chars)
    amount = rule.base_cents + extra * rule.per_extra_char_cents
    text = f"共{char_count}字：{rule.base_chars}字以内{money(rule.base_cents)}"
    if extra:
        text += f"，超出{extra}字×{money(rule.per_extra_char_cents)}"
    return Quote(amount, line_count, f"{text}，合计{money(amount)}")
