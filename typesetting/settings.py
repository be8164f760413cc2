"""The publisher's layout settings for the classified area (stored by the app as JSON)."""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field
from typing import Any

MM_TO_PT = 72 / 25.4

# Default order of the notice types in the column (the caller groups items by it; see
# order_items). Lost-item notices first, as on the seed page, then the company notices.
# The engine's own default, for the engine used alone (its tests, a script): the app always
# passes the newspaper's order, which starts as the catalogue's (notices/catalogue.py,
# DEFAULT_TYPE_ORDER). The engine knows no notice types and never imports notices/.
DEFAULT_TYPE_ORDER = (
    "lost-document", "revocation", "liquidation", "capital-reduction", "merger", "division",
    "correction",
)

# The settings that are lengths or sizes: each a finite number, not negative.
_NON_NEGATIVE = ("area_width_mm", "area_height_mm", "gutter_mm", "body_size_pt", "leading_pt",
                 "header_height_mm", "notice_spacing_pt", "bleed_mm", "column_rule_weight_pt",
                 "paragraph_indent_em", "notice_rule_weight_pt", "notice_rule_space_pt")

# The print standards a column PDF with an output profile (icc_profile_path) can follow:
# PDF/X-4 (ISO 15930-7, PDF 1.6) and PDF/X-1a:2001 (ISO 15930-1, PDF 1.3: no transparency, CMYK
# only, fonts embedded), the base of many papers' ad standards (GWG's 1v4 NewspaperAds, the
# Danish NewspaperAds_1v4). docs/typesetting.md.
PDF_STANDARDS = ("pdf/x-4", "pdf/x-1a")


@dataclass(frozen=True)
class LayoutSettings:
    """Everything about the page area and type that the publisher may change.

    Defaults: a 250 × 350 mm classified area of a broadsheet in six columns with 4 mm gutters,
    so a column is 38.3 mm = 108.7 pt = 13.6 em of the 8 pt body: thirteen characters a line,
    the rate card's classic "line of ≤ 13 characters", with 0.6 em to spread over the gaps.
    """

    newspaper_name: str = "示例日报"
    area_width_mm: float = 250.0
    area_height_mm: float = 350.0
    columns: int = 6
    gutter_mm: float = 4.0
    column_rules: bool = True
    column_rule_weight_pt: float = 0.25
    # Body: 宋体 (Noto Serif CJK SC) 8 pt on an 11 pt leading (行距 0.375 em, newspaper-tight).
    body_font: str = "Noto Serif CJK SC"
    body_size_pt: float = 8.0
    leading_pt: float = 11.0
    # Titles (遗失声明 …): 黑体 bold at the body size, run in at the start of the paragraph.
    title_font: str = "Noto Sans CJK SC"
    title_weight: int = 700
    header_text: str = "分类广告"
    header_height_mm: float = 12.0
    contact_lines: tuple[str, ...] = ("欢迎刊登 各类公告", "联系电话：87750217 87133731")
    notice_spacing_pt: float = 4.0
    # A notice of several paragraphs (the body's "\n"): every paragraph but the one the title
    # runs into starts this many ems in (0: flush left). docs/typesetting.md, Paragraphs.
    paragraph_indent_em: float = 2.0
    # A rule between two notices of a column (0: none; 0.25: a hairline), pure K, with this much
    # space between it and the notices above and below (it replaces notice_spacing_pt there).
    notice_rule_weight_pt: float = 0.0
    notice_rule_space_pt: float = 3.0
    bleed_mm: float = 0.0
    crop_marks: bool = False
    # A CMYK output profile (.icc) makes the column PDF a PDF/X-4 with that output intent.
    icc_profile_path: str | None = None
    # With a profile: which PDF/X (PDF_STANDARDS).
    pdf_standard: str = "pdf/x-4"
    type_order: tuple[str, ...] = field(default=DEFAULT_TYPE_ORDER)

    def __post_init__(self) -> None:
        # In rounds, each only once the one before has passed: the later rounds compare and
        # compute with the values the earlier ones checked.
        for problems in (self._number_problems, self._type_problems, self._layout_problems):
            found = problems()
            if found:
                raise ValueError("版面设置有误：" + "；".join(found))

    def _number_problems(self) -> list[str]:
        problems = []
        for name in _NON_NEGATIVE:
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) \
                    or not math.isfinite(value) or value < 0:
                problems.append(f"{name} 应为非负数（现为 {value!r}）")
        return problems

    def _type_problems(self) -> list[str]:
        problems = [f"{name} 应为 true 或 false" for name in ("column_rules", "crop_marks")
                    if not isinstance(getattr(self, name), bool)]
        problems += [f"{name} 应为文字" for name in ("newspaper_name", "header_text", "body_font", "title_font")
                     if not isinstance(getattr(self, name), str)]
        if not isinstance(self.type_order, tuple) or \
                not all(isinstance(code, str) for code in self.type_order):
            problems.append("type_order 应为公告类型代码的列表")
        if self.icc_profile_path is not None and not isinstance(self.icc_profile_path, str):
            problems.append("icc_profile_path 应为文件路径或空")
        if self.pdf_standard not in PDF_STANDARDS:
            problems.append(f"pdf_standard 应为 {' 或 '.join(PDF_STANDARDS)}（现为 {self.pdf_standard!r}）")
        return problems

    def _layout_problems(self) -> list[str]:
        return self._size_problems() + self._text_problems()

    def _size_problems(self) -> list[str]:
        problems = []
        if not isinstance(self.columns, int) or not 1 <= self.columns <= 12:
            problems.append(f"栏数应为 1 到 12（现为 {self.columns!r}）")
        if not 5 <= self.body_size_pt <= 14:
            problems.append(f"正文字号应在 5 到 14 pt 之间（现为 {self.body_size_pt}）")
        if self.leading_pt < self.body_size_pt:
            problems.append(f"行距 {self.leading_pt} pt 不能小于字号 {self.body_size_pt} pt")
        if self.bleed_mm > 10:
            problems.append("出血应不超过 10 mm")
        if self.paragraph_indent_em > 4:
            problems.append(f"段首缩进应在 0 到 4 个字之间，通常为 2（现为 {self.paragraph_indent_em}）")
        if self.notice_rule_weight_pt > 2:
            problems.append(f"公告间线粗细应在 0 到 2 磅之间，细线为 0.25（现为 {self.notice_rule_weight_pt}）")
        if self.notice_rule_space_pt > 20:
            problems.append(f"公告间线上下空白应不超过 20 磅（现为 {self.notice_rule_space_pt}）")
        if not problems and self.column_width_pt < 8 * self.body_size_pt:
            # Below 8 em an 18-character credit code plus its label cannot be set decently.
            problems.append(
                f"栏宽只有 {self.column_width_pt / self.body_size_pt:.1f} 个字，至少需要 8 个字；"
                "请减少栏数、减小栏间距或加大版面宽度")
        if not problems and self.column_height_pt < 10 * self.leading_pt:
            problems.append("版面高度不足：刊头以下至少要能排 10 行")
        return problems

    def _text_problems(self) -> list[str]:
        problems = []
        if not isinstance(self.contact_lines, tuple) or not self.contact_lines or \
                not all(isinstance(s, str) for s in self.contact_lines):
            problems.append("联系框至少要有一行文字")
        for name in ("body_font", "title_font"):
            # The family name is written into CSS; allow only what font names are made of.
            if not re.fullmatch(r"[A-Za-z0-9 _-]{1,64}", getattr(self, name) or ""):
                problems.append(f"{name} 字体名只能含字母、数字、空格和连字符")
        if self.title_weight not in (400, 500, 600, 700, 800, 900):
            problems.append(f"标题字重应为 400–900 的整百数（现为 {self.title_weight!r}）")
        return problems

    # -- derived geometry (points) ----------------------------------------------------------

    @property
    def column_width_pt(self) -> float:
        gutters = (self.columns - 1) * self.gutter_mm
        return (self.area_width_mm - gutters) / self.columns * MM_TO_PT

    @property
    def notice_rules(self) -> bool:
        """Is a rule drawn between the notices of a column?"""
        return self.notice_rule_weight_pt > 0

    @property
    def notice_gap_pt(self) -> float:
        """From the last line of a notice to the first of the next one in its column: the
        notice spacing, or with a rule, the rule and the space above and below it."""
        if self.notice_rules:
            return 2 * self.notice_rule_space_pt + self.notice_rule_weight_pt
        return self.notice_spacing_pt

    @property
    def column_height_pt(self) -> float:
        """Height available to notices below the header band."""
        return (self.area_height_mm - self.header_height_mm) * MM_TO_PT

    @property
    def chars_per_line(self) -> int:
        """Full-width characters that fit a column at the body size (13 with the defaults)."""
        return int(self.column_width_pt / self.body_size_pt)

    def column_x_pt(self, column: int) -> float:
        """Left edge of 1-based column, from the area's left edge."""
        return (column - 1) * (self.column_width_pt + self.gutter_mm * MM_TO_PT)

    # -- JSON -------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["contact_lines"] = list(self.contact_lines)
        data["type_order"] = list(self.type_order)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LayoutSettings:
        """Build from a dict made by to_dict; unknown keys are an error (a typo must not pass)."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValueError(f"版面设置中有未知项：{', '.join(unknown)}")
        values = dict(data)
        for name in ("contact_lines", "type_order"):
            if name in values:
                if not isinstance(values[name], (list, tuple)):
                    raise ValueError(f"版面设置有误：{name} 应为列表")
                values[name] = tuple(values[name])
        for f in dataclasses.fields(cls):
            if f.name in values and f.type == "float" and isinstance(values[f.name], int) \
                    and not isinstance(values[f.name], bool):
                values[f.name] = float(values[f.name])
        return cls(**values)
