"""HTML for WeasyPrint, from the templates in templates/print/ (Jinja2, autoescaped).

All geometry is decided before this point (linebreak.py breaks the lines, column.py places the
notices); the templates only write it down as absolutely positioned boxes. Notice text reaches
the templates as plain str and Jinja escapes it, so "<img src=…>" in a notice prints as text.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import jinja2

from .linebreak import SetLine, tight_rule
from .settings import MM_TO_PT, LayoutSettings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIR = PROJECT_ROOT / "templates" / "print"
PRINT_CSS = PROJECT_ROOT / "static" / "print" / "print.css"

# Crop marks: 5 mm long, starting 3 mm outside the trim (or outside the bleed, if larger).
MARK_LENGTH_MM = 5.0
MARK_OFFSET_MM = 3.0
MARK_WEIGHT_PT = 0.25

# The preview shows the notice with a little white around it.
PREVIEW_PAD_PT = 4.0


def _pt(value: float) -> str:
    return f"{value:.4f}pt"


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=True,  # notice text is untrusted: escape everything
        undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False)
    env.filters["pt"] = _pt
    env.globals["tight_classes"] = _tight_classes
    env.globals["tight_rule"] = tight_rule
    return env


def _tight_classes(lines: Iterable[SetLine]) -> list[str]:
    """The classes of the solid runs (<d>) in lines, once each, in order."""
    return list(dict.fromkeys(cls for line in lines if line.tight
                              for _, _, cls in line.body_pieces if cls))


def render_template(name: str, **context: Any) -> str:
    return _environment().get_template(name).render(**context)


@dataclass(frozen=True)
class PageGeometry:
    """Where things are on a column page, in points from the media box's top-left corner."""

    settings: LayoutSettings
    contact_height: float = 0.0

    @property
    def slug(self) -> float:
        """Margin outside the trim: the bleed, or room for crop marks outside it."""
        bleed = self.settings.bleed_mm
        if self.settings.crop_marks:
            return (max(bleed, MARK_OFFSET_MM) + MARK_LENGTH_MM + 1) * MM_TO_PT
        return bleed * MM_TO_PT

    @property
    def area_width(self) -> float:
        return self.settings.area_width_mm * MM_TO_PT

    @property
    def area_height(self) -> float:
        return self.settings.area_height_mm * MM_TO_PT

    @property
    def media_width(self) -> float:
        return self.area_width + 2 * self.slug

    @property
    def media_height(self) -> float:
        return self.area_height + 2 * self.slug

    @property
    def column_width(self) -> float:
        return self.settings.column_width_pt

    @property
    def header_height(self) -> float:
        return self.settings.header_height_mm * MM_TO_PT

    @property
    def band_rule(self) -> float:
        return 1.5

    @property
    def thin_rule(self) -> float:
        return 0.5

    @property
    def band_height(self) -> float:
        """The band box (its bottom border is the thick rule); a thin rule follows below it
        and then a little air before the columns (文武线 under the section title)."""
        return max(self.header_height - 7.0, 10.0)

    @property
    def thin_rule_top(self) -> float:
        return self.slug + self.band_height + self.band_rule + 1.2

    @property
    def band_title_size(self) -> float:
        return min(20.0, self.band_height * 0.72)

    @property
    def columns_top(self) -> float:
        return self.slug + self.header_height

    @property
    def contact_border(self) -> float:
        return 2.25  # CSS double border: two 0.75 pt lines with 0.75 pt between

    @property
    def contact_padding(self) -> float:
        return 3.0

    def column_left(self, column: int) -> float:
        return self.slug + self.settings.column_x_pt(column)

    def boxes(self) -> dict[str, list[float]]:
        """PDF page boxes in points from the lower-left corner (the page is symmetric)."""
        s, w, h = self.slug, self.area_width, self.area_height
        bleed = self.settings.bleed_mm * MM_TO_PT
        return {
            "MediaBox": [0, 0, self.media_width, self.media_height],
            "TrimBox": [s, s, s + w, s + h],
            "BleedBox": [s - bleed, s - bleed, s + w + bleed, s + h + bleed],
        }

    def crop_marks(self) -> list[dict[str, Any]]:
        if not self.settings.crop_marks:
            return []
        s, w, h = self.slug, self.area_width, self.area_height
        offset = max(self.settings.bleed_mm, MARK_OFFSET_MM) * MM_TO_PT
        length = MARK_LENGTH_MM * MM_TO_PT
        marks = []
        for x in (s, s + w):
            for y in (s, s + h):
                # Horizontal mark, outside the trim on the left or right, on the trim line.
                hx = x - offset - length if x == s else x + offset
                marks.append({"x": hx, "y": y - MARK_WEIGHT_PT / 2, "w": length, "h": 0,
                              "side": "border-top-width", "weight": MARK_WEIGHT_PT})
                vy = y - offset - length if y == s else y + offset
                marks.append({"x": x - MARK_WEIGHT_PT / 2, "y": vy, "w": 0, "h": length,
                              "side": "border-left-width", "weight": MARK_WEIGHT_PT})
        return marks


def preview_geometry(settings: LayoutSettings, height_pt: float) -> dict[str, Any]:
    width = settings.column_width_pt + 2 * PREVIEW_PAD_PT
    height = height_pt + 2 * PREVIEW_PAD_PT
    return {"media_width": width, "media_height": height, "pad": PREVIEW_PAD_PT,
            "column_width": settings.column_width_pt,
            "boxes": {"MediaBox": [0, 0, width, height], "TrimBox": [0, 0, width, height],
                      "BleedBox": [0, 0, width, height]}}
