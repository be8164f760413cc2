"""What a compositor would mark in the column, measured on the PDF read back.

    .venv/bin/python benchmarks/measure_typography.py [--dump lines.json]

Renders the seed notices (tests/data/typeset-seed-notices.json) and generated ones - notices
with credit codes and numbers (bench_typesetting.generate), notices of every length (runts),
notices where opening marks meet ("（“", "《「") - into the default column, reads the glyphs
back from the PDF (tests/support/pdfread.py: positions from the content stream, not from the
engine) and prints per set:

- codes: justified lines holding a run of two or more Latin letters or digits (a credit code,
  a number, a date), how many of them spread space between the run's characters (more than
  0.01 em between two of its glyphs), and the 95th percentile and maximum of that space (em)
  over the lines that do;
- evenness: the largest gap between two glyphs of each justified line (a half-width mark
  counted at its half width), p95 and maximum, and lines looser than a quarter em;
- runts: notices of more than one line whose last line holds one or two characters;
- lines: the total, and the notices' line counts (--dump writes them per key, to compare
  two versions of the engine);
- opening pairs: two opening marks side by side, and the distance from the first glyph's
  origin to the second's (em): 1 + spacing when set full width, about half that compressed;
- text layer: notices whose text PDFium extracts (what a reader copies) word for word.

The column is drawn by the process's renderer (TYPESETTING_RENDERER: the direct drawer by
default, "weasyprint" for the reference); both read back the same.
A script, not a test: it prints figures to compare before and after a change of the engine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import statistics
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_typesetting import generate  # noqa: E402

from tests.support.pdfread import read_glyphs, text_layer  # noqa: E402
from typesetting import ColumnItem, LayoutSettings, render_column  # noqa: E402
from typesetting.markup import PageGeometry  # noqa: E402
from typesetting.settings import MM_TO_PT  # noqa: E402

ISSUE = dt.date(2021, 1, 8)
CODE_RUN = re.compile(r"[0-9A-Za-z]+(?:[-./:·][0-9A-Za-z]+)*")
OPENING = set("（「『【《〈〔〖〘〚｛［‘“")
PUNCTUATION = set("，。、；：？！）」』】》〉〕〗〙〛｝］”’") | OPENING
SPREAD_EM = 0.01


def seed_items() -> list[ColumnItem]:
    seed = json.loads((ROOT / "tests/data/typeset-seed-notices.json").read_text(encoding="utf-8"))
    return [ColumnItem(f"seed-{i}", f"{n['title']}#{i}", n["title"], n["text"], n["type"])
            for i, n in enumerate(seed)]


def runt_items(count: int, seed: int = 15) -> list[ColumnItem]:
    """Short notices of every length: their last lines hold anything from one character to a
    full line, so about one in seven would end on one or two characters if nothing avoided it."""
    rng = random.Random(seed)
    hanzi = ("的一是在不了有和人这中大为上国个以要他时来用们生到作地于出就分对成会可主发年动同"
             "工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二"
             "理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那"
             "社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条"
             "只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次"
             "品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几"
             "九区强放决西被干做必战先回则任取据处理世车")
    people = ["范海英", "李国强", "陈美玲", "王志刚", "黄晓东", "张丽", "欧阳明轩"]
    items = []
    for n in range(count):
        filler = "".join(rng.choice(hanzi) for _ in range(rng.randint(2, 40)))
        ending = rng.choice(["特此声明。", "声明作废。", "现声明作废。", "特此公告。", "特此公告！"])
        body = (f"{rng.choice(people)}遗失{filler}有限公司开具的收据（编号：{rng.randint(10, 99999)}），"
                f"{ending}")
        items.append(ColumnItem(f"r{n}", f"遗失#{n}", "遗失声明", body, "lost-document"))
    return items


def opening_items(count: int, seed: int = 16) -> list[ColumnItem]:
    """Notices where opening marks meet: a quoted name in brackets, a titled document quoted."""
    rng = random.Random(seed)
    companies = ["广州市东高房地产中介有限公司", "广州斐泽展览策划有限公司", "广东甘全建材有限公司",
                 "广州雅静服饰有限公司", "阳春市欣欣远阳汽车信息咨询有限公司"]
    items = []
    for n in range(count):
        company = rng.choice(companies)
        body = rng.choice([
            f"{company}（“甲方”）与广州往洋国际货运代理有限公司（“乙方”）签订的"
            f"《「天河」项目合作协议》已于{rng.randint(2019, 2024)}年{rng.randint(1, 12)}月解除，特此公告。",
            f"本公司股东会决议，将公司名称由{company}变更为“{company[:-4]}置业有限公司”"
            f"（原《“营业执照”说明》作废），特此公告。",
            f"{company}遗失《「建设工程规划许可证」副本》一份，编号：{rng.randint(1000, 99999)}，声明作废。",
        ])
        items.append(ColumnItem(f"o{n}", f"公告#{n}", "更正声明", body, "correction"))
    return items


def printed_lines(result, settings: LayoutSettings) -> dict[str, list[list]]:
    """Per placed notice, its lines as read from the PDF: glyphs sorted left to right."""
    g = PageGeometry(settings)
    glyphs = read_glyphs(result.pdf)
    by_page = defaultdict(list)
    for gl in glyphs:
        by_page[gl.page].append(gl)
    out = {}
    for placement in result.placements:
        rows_of_notice = []
        for seg in placement.segments:
            left = g.column_left(seg.column)
            top = g.slug + seg.y_mm * MM_TO_PT
            bottom = top + seg.lines * settings.leading_pt
            rows = defaultdict(list)
            for gl in by_page[seg.page]:
                if left - 1 <= gl.x + 0.6 * settings.body_size_pt and \
                        gl.x <= left + g.column_width and top <= gl.y <= bottom:
                    rows[round(gl.y, 1)].append(gl)
            rows_of_notice += [sorted(rows[y], key=lambda gl: gl.x) for y in sorted(rows)]
        out[placement.key] = rows_of_notice
    return out


def gaps(row, em: float) -> list[tuple[int, float]]:
    """(character offset of the second glyph, space between the two glyphs' boxes in em) for
    each neighbouring pair; a half-width mark (its box overlaps the next glyph's, or the
    previous one's) is counted at its half width."""
    out, at = [], 0
    for a, b in zip(row, row[1:], strict=False):
        at += len(a.text)
        space = b.x - a.right
        if space < -0.2 * em and (a.text in PUNCTUATION or b.text in PUNCTUATION):
            space += 0.5 * em
        out.append((at, space / em))
    return out


def p95(values: list[float]) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def measure(name: str, items: list[ColumnItem], settings: LayoutSettings) -> dict[str, int]:
    em = settings.body_size_pt
    result = render_column(items, settings, ISSUE, continue_overflow=True)
    assert not result.overflow, result.overflow
    lines = printed_lines(result, settings)
    code_lines = spread_lines = 0
    spread, widest, loose, runts, pairs = [], [], 0, [], []
    for key, rows in lines.items():
        for number, row in enumerate(rows):
            text = "".join(gl.text for gl in row)
            row_gaps = gaps(row, em)
            for (_, _), (a, b) in zip(row_gaps, zip(row, row[1:], strict=False), strict=False):
                if a.text in OPENING and b.text in OPENING:
                    pairs.append((b.x - a.x) / em)
            if number == len(rows) - 1:
                if len(rows) > 1 and len("".join(text.split())) <= 2:
                    runts.append(f"{key}:{text}")
                continue
            widest.append(max((space for _, space in row_gaps), default=0.0))
            loose += widest[-1] > 0.25
            inside = {i for m in CODE_RUN.finditer(text) if m.end() - m.start() >= 2
                      for i in range(m.start() + 1, m.end())}
            if not inside:
                continue
            code_lines += 1
            most = max((space for at, space in row_gaps if at in inside), default=0.0)
            if most > SPREAD_EM:
                spread_lines += 1
                spread.append(most)
    counts = {p.key: p.lines for p in result.placements}
    extracted = "".join("".join(ch for ch, _, _ in page if not ch.isspace())
                        for page in text_layer(result.pdf))
    by_key = {item.key: item for item in items}
    whole = sum(1 for p in result.placements
                if "".join((by_key[p.key].title + by_key[p.key].body).split()) in extracted)
    print(f"{name}: {len(items)} notices, {sum(counts.values())} lines, {result.pages} page(s)")
    print(f"  codes: {spread_lines} of {code_lines} justified lines holding a code spread it"
          f" (p95 {p95(spread):.3f} em, max {max(spread, default=0.0):.3f} em)")
    print(f"  evenness: widest gap per justified line p95 {p95(widest):.3f} em,"
          f" max {max(widest, default=0.0):.3f} em; looser than 1/4 em: {loose}")
    print(f"  runts (last line of 1-2 characters): {len(runts)}"
          + (f"  {' '.join(runts[:8])}{' …' if len(runts) > 8 else ''}" if runts else ""))
    print(f"  text layer: {whole} of {len(result.placements)} notices read back word for word")
    if pairs:
        print(f"  opening pairs: {len(pairs)}, origin to origin median"
              f" {statistics.median(pairs):.3f} em, max {max(pairs):.3f} em")
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dump", type=Path, help="write each set's line counts per notice here")
    args = parser.parse_args()
    settings = LayoutSettings()
    sets = {"seed": seed_items(), "generated codes (bench generate 200)": generate(200),
            "generated lengths (runts)": runt_items(150),
            "generated opening pairs": opening_items(30)}
    dump = {name: measure(name, items, settings) for name, items in sets.items()}
    if args.dump:
        args.dump.write_text(json.dumps(dump, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
