"""Font subsets for previews, reused across previews instead of made anew for each.

Measured (see benchmarks/bench_typesetting.py): of a preview's ~135 ms, ~75 ms went to
WeasyPrint subsetting the two CJK fonts (HarfBuzz-subset over a 65 535-glyph face, twice per font)
- a cost that depends on the face, hardly on how few glyphs the notice uses. A preview PDF is
rasterised and thrown away, so its fonts need not be minimal, only contain every glyph drawn.
So, in the render worker and for preview jobs only, a face is subset once to the glyphs of the
characters a notice most often uses (ASCII, and GB 2312's symbols and level-1 hanzi: ~4 500
glyphs), and that subset is reused for every later preview whose glyphs it holds. A notice that
uses a glyph outside it (生僻字, a GSUB alternate) grows the set by those glyphs, once; past
MAX_GLYPHS the exact subset is made instead, as without this module.

The glyphs drawn are the same outlines at the same glyph ids (WeasyPrint keeps glyph ids when
subsetting), so the PNG is pixel-identical to one from an exact subset; a test compares them.
The print column always gets exact subsets (small files for the printer).

This wraps `weasyprint.pdf.fonts.Font.subset(to_unicode, hinting)`, an internal method: WeasyPrint
is pinned exactly (requirements.txt) and the test fails if the wrapper stops taking effect.
"""

from __future__ import annotations

import threading
from typing import Any

MAX_GLYPHS = 12_000

_lock = threading.Lock()
_enabled = threading.local()
# (font hash, face index, font file length, hinting, glyphs missing) -> (glyph ids, subset font file)
_cache: dict[tuple[str, int, int, bool, bool], tuple[frozenset[int], bytes]] = {}
stats = {"hits": 0, "misses": 0}


def _common_characters() -> list[str]:
    """Printable ASCII and GB 2312 rows 1-3 (punctuation, full-width forms) and 16-55 (level 1)."""
    chars = [chr(c) for c in range(0x20, 0x7F)]
    for high in list(range(0xA1, 0xA4)) + list(range(0xB0, 0xD8)):
        for low in range(0xA1, 0xFF):
            try:
                chars.append(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def _base_glyphs(font: Any) -> set[int]:
    import uharfbuzz as hb

    hb_font = hb.Font(hb.Face(font.file_content, font.index))
    glyphs = (hb_font.get_nominal_glyph(ord(c)) for c in _common_characters())
    return {g for g in glyphs if g}


class enabled:
    """`with subset_cache.enabled():` - fonts subset inside the block may be shared subsets."""

    def __enter__(self) -> None:
        _enabled.on = True

    def __exit__(self, *exc: object) -> None:
        _enabled.on = False


def install() -> None:
    """Wrap WeasyPrint's Font.subset once (in the render worker)."""
    from weasyprint.pdf import fonts

    original = fonts.Font.subset
    if getattr(original, "_shared_subsets", False):
        return

    def subset(self: Any, to_unicode: dict[int, str], hinting: bool) -> Any:
        if not getattr(_enabled, "on", False) or not to_unicode:
            return original(self, to_unicode, hinting)
        key = (self.hash, self.index, len(self.file_content), bool(hinting), bool(self.missing))
        needed = set(to_unicode)
        with _lock:
            entry = _cache.get(key)
            if entry is not None and entry[0].issuperset(needed):
                stats["hits"] += 1
                self.file_content = entry[1]
                return None
            stats["misses"] += 1
            glyphs = frozenset((entry[0] if entry else _base_glyphs(self)) | needed)
            if len(glyphs) > MAX_GLYPHS:
                return original(self, to_unicode, hinting)
            # _harfbuzz_subset reads only the keys (the glyph ids) of to_unicode.
            original(self, dict.fromkeys(sorted(glyphs), ""), hinting)
            _cache[key] = (glyphs, self.file_content)
        return None

    subset._shared_subsets = True  # type: ignore[attr-defined]  # a mark on the function: wrapped once
    fonts.Font.subset = subset
