"""The fonts the column is set in, measured exactly as WeasyPrint will draw them.

The line breaker (linebreak.py) needs every glyph's advance before anything is rendered. Those
advances come from HarfBuzz (uharfbuzz) run on the *same font files* that fontconfig hands to
Pango inside WeasyPrint (we ask `fc-match`), at the *same size in Pango units* and with the *same
OpenType features* the print CSS asks for (kerning and ligatures off). That is what lets us know the
line count - and so the price - before rendering, and lets the renderer end each line on the column
edge to a hundredth of a point.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterator

import uharfbuzz as hb

from .errors import RenderError

# Pango works in 1/1024 of a CSS pixel; CSS has 96 px per inch, PDF 72 pt per inch.
PANGO_SCALE = 1024
PX_PER_PT = 96 / 72

# The print CSS says `font-kerning: none; font-variant-ligatures: none`; WeasyPrint 70 turns that
# into exactly these OpenType features (text/fonts.py font_features). Shape with the same set, or
# the measured widths drift from the drawn ones. (ccmp still joins "——" into one 2-em glyph; so
# does Pango, and we treat it as one unbreakable cluster.)
SHAPING_FEATURES = {
    "kern": False, "liga": False, "clig": False, "hlig": False, "dlig": False, "calt": False,
}

# A compressed punctuation mark (text.compressed_positions) is its own element with
# `font-feature-settings: "halt"` (static/print/print.css): the font's half-width forms.
HALF_WIDTH_FEATURES = {**SHAPING_FEATURES, "halt": True}

# html lang="zh-CN" makes Pango shape with this language (Simplified Chinese glyph forms).
SHAPING_LANGUAGE = "zh-cn"
# ... but Pango shapes a Latin-script run with a Latin language, not zh-cn (see script_runs).
LATIN_LANGUAGE = "en"


@dataclass(frozen=True)
class FontFace:
    """One font as fontconfig resolves it, loaded in HarfBuzz at one size."""

    family: str
    weight: int
    path: str
    index: int
    size_pt: float
    size_pu: int  # font size in Pango units, truncated the way WeasyPrint does it
    hb_font: hb.Font
    coverage: frozenset[int]

    @property
    def size_px(self) -> float:
        """The font size WeasyPrint writes in the PDF (Tf operand, CSS px)."""
        return self.size_pu / PANGO_SCALE

    def has_char(self, char: str) -> bool:
        return ord(char) in self.coverage


def _fc_match(family: str, weight: int) -> tuple[str, int, str]:
    """Ask fontconfig which file Pango will use for this family and weight."""
    if shutil.which("fc-match") is None:
        raise RenderError("排版机器缺少 fontconfig（fc-match），无法确定字体。请安装 fontconfig。")
    # fontconfig weights: 80 regular, 200 bold (CSS 400 / 700).
    fc_weight = "bold" if weight >= 600 else "regular"
    pattern = f"{family}:{fc_weight}"
    result = subprocess.run(
        ["fc-match", "-f", "%{file}\t%{index}\t%{family}", pattern],
        capture_output=True, text=True, timeout=10, check=False)
    try:
        path, index, families = result.stdout.split("\t")
    except ValueError:
        raise RenderError(f"fontconfig 找不到字体 {family}。") from None
    if family not in families.split(","):
        # fontconfig always answers with *something* (DejaVu); printing Chinese in it is tofu.
        raise RenderError(
            f"未安装印刷字体「{family}」（fontconfig 给出的是 {families}）。"
            "请安装 Debian 软件包 fonts-noto-cjk。")
    return path, int(index), family


@lru_cache(maxsize=8)
def _blob_face(path: str, index: int) -> tuple[hb.Face, frozenset[int]]:
    face = hb.Face(hb.Blob.from_file_path(path), index)
    return face, frozenset(face.unicodes)


_lock = threading.Lock()


@lru_cache(maxsize=16)
def _load_face(family: str, weight: int, size_pt: float) -> FontFace:
    path, index, family = _fc_match(family, weight)
    with _lock:
        face, coverage = _blob_face(path, index)
    # WeasyPrint: pango_font_description_set_absolute_size(int(size_px * 1024)).
    size_pu = int(size_pt * PX_PER_PT * PANGO_SCALE)
    font = hb.Font(face)
    # With the scale in Pango units HarfBuzz returns advances in Pango units, rounded as Pango's
    # own HarfBuzz font rounds them (hinting off, unrounded glyph positions).
    font.scale = (size_pu, size_pu)
    return FontFace(family, weight, path, index, size_pt, size_pu, font, coverage)


def load_face(family: str, weight: int, size_pt: float) -> FontFace:
    """Load (once per process) the font fontconfig gives for family/weight at size_pt."""
    return _load_face(family, weight, round(size_pt, 4))


def _is_latin_letter(char: str) -> bool:
    return ("A" <= char <= "Z") or ("a" <= char <= "z") or ("\u00c0" <= char <= "\u024f"
                                                            and char.isalpha())


def _is_strong_non_latin(char: str) -> bool:
    return char.isalpha() and not _is_latin_letter(char)


LATIN_LETTERS = re.compile("[A-Za-z\u00c0-\u024f]")
_OPENING = "（「『【《〈〔〖〘〚｛［‘“([{"
_CLOSING = "）」』】》〉〕〗〙〛｝］’”)]}"


def script_runs(text: str) -> list[tuple[int, int, bool]]:
    """Split text into (start, end, is_latin) runs the way Pango itemizes it by script.

    Pango shapes each script run on its own, and with a different language: Han runs with the
    element's language (zh-cn), Latin runs with a Latin sample language. In Noto CJK that changes
    the digits - proportional in a Han run, tabular (0.549 em) in a Latin run - so "S2612019050774G"
    is wider than the same digits after a Chinese colon. Digits, punctuation and spaces (script
    Common) take the script of the character before them, or after them at the start; a closing
    bracket takes the script of its opening bracket (UAX #24 paired punctuation).
    """
    if not LATIN_LETTERS.search(text):
        return [(0, len(text), False)] if text else []  # the common case: no Latin at all
    scripts: list[bool | None] = []
    stack: list[tuple[str, bool | None]] = []
    current: bool | None = None
    for char in text:
        if _is_latin_letter(char):
            current = True
        elif _is_strong_non_latin(char):
            current = False
        elif char in _OPENING:
            stack.append((char, current))
        elif char in _CLOSING:
            opening = _OPENING[_CLOSING.index(char)]
            for depth in range(len(stack) - 1, -1, -1):
                if stack[depth][0] == opening:
                    if stack[depth][1] is not None:
                        current = stack[depth][1]
                    del stack[depth:]
                    break
        scripts.append(current)
    # Leading Common characters take the first strong script after them.
    first = next((s for s in scripts if s is not None), None)
    scripts = [first if s is None else s for s in scripts]
    # An opening bracket was recorded before the script after it was known: Pango gives it the
    # script of the run it sits in, i.e. the one before it. Nothing to fix for that.
    runs: list[tuple[int, int, bool]] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or scripts[i] != scripts[start]:
            runs.append((start, i, bool(scripts[start])))
            start = i
    return runs


def shape_clusters(face: FontFace, text: str) -> list[tuple[int, int, tuple[int, ...]]]:
    """Shape text; return one (start, end, glyph advances in Pango units) per glyph cluster.

    A cluster is the unit nothing may break inside and that letter-spacing is added after
    (Pango spaces clusters, not characters: "——" is one glyph and gets one gap).
    """
    return [(start, end, advances) for start, end, advances, _ in shape_runs(face, text)]


def half_width_advances(face: FontFace, char: str) -> tuple[int, ...] | None:
    """The advances of one punctuation mark shaped alone with its half-width form ("halt"), as
    Pango shapes the element it prints in; None where the font has no such form, or one drawn
    shifted (an opening mark: see half_width_form)."""
    form = _half_width_cached(face, char)
    return None if form is None or any(form[1]) else form[0]


def half_width_form(face: FontFace, char: str) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
    """(advances, x offsets) of one punctuation mark's half-width form ("halt"), per glyph, in
    Pango units: a closing mark keeps its origin (offsets 0), an opening mark's glyph is moved
    left (Noto CJK: by half an em). None where the font has no narrower form, or moves the
    glyph vertically."""
    return _half_width_cached(face, char)


@lru_cache(maxsize=256)
def _half_width_cached(face: FontFace, char: str) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
    def shape(features: dict[str, bool]) -> Any:   # uharfbuzz glyph positions
        buf = hb.Buffer()
        buf.add_str(char)
        buf.guess_segment_properties()
        buf.language = SHAPING_LANGUAGE
        hb.shape(face.hb_font, buf, features)
        return buf.glyph_positions
    half, full = shape(HALF_WIDTH_FEATURES), shape(SHAPING_FEATURES)
    if len(half) != len(full) or any(pos.y_offset for pos in half) or \
            sum(pos.x_advance for pos in half) >= sum(pos.x_advance for pos in full):
        return None
    return tuple(pos.x_advance for pos in half), tuple(pos.x_offset for pos in half)


def shaped_runs(face: FontFace, text: str,
                features: dict[str, bool] | None = None) -> Iterator[tuple[int, str, bool, hb.Buffer]]:
    """Each script run of `text` (script_runs) shaped as Pango shapes it: a Latin run with a Latin
    language, the rest with the Chinese one, with `features` (the print CSS's by default). Yields
    (start in text, the run's text, is Latin, the shaped buffer); add_str numbers the buffer's
    clusters by code point index within the run."""
    for run_start, run_end, is_latin in script_runs(text):
        piece = text[run_start:run_end]
        buf = hb.Buffer()
        buf.add_str(piece)
        buf.guess_segment_properties()
        if is_latin:
            buf.script = "Latn"
            buf.language = LATIN_LANGUAGE
        else:
            buf.language = SHAPING_LANGUAGE
        hb.shape(face.hb_font, buf, SHAPING_FEATURES if features is None else features)
        yield run_start, piece, is_latin, buf


def shape_runs(face: FontFace, text: str) -> list[tuple[int, int, tuple[int, ...], bool]]:
    """Like shape_clusters, and whether each cluster was shaped in a Latin-script run."""
    clusters: list[tuple[int, int, tuple[int, ...], bool]] = []
    for run_start, piece, is_latin, buf in shaped_runs(face, text):
        starts: list[int] = []
        advances: dict[int, list[int]] = {}
        for info, pos in zip(buf.glyph_infos, buf.glyph_positions, strict=True):
            if info.cluster not in advances:
                starts.append(info.cluster)
                advances[info.cluster] = []
            advances[info.cluster].append(pos.x_advance)
        starts.sort()
        for i, start in enumerate(starts):
            end = starts[i + 1] if i + 1 < len(starts) else len(piece)
            clusters.append((run_start + start, run_start + end, tuple(advances[start]),
                             is_latin))
    return clusters


def missing_chars(face: FontFace, text: str) -> str:
    """Characters of text that face has no glyph for (whitespace and format marks aside)."""
    seen: dict[str, None] = {}
    for char in text:
        if char.isspace() or char in seen:
            continue
        # Variation selectors select a glyph variant; their absence just falls back to the base.
        if 0xFE00 <= ord(char) <= 0xFE0F or 0xE0100 <= ord(char) <= 0xE01EF:
            continue
        if not face.has_char(char):
            seen[char] = None
    return "".join(seen)
