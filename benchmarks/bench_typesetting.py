"""Benchmark of the typesetting engine, beside Typst setting the same notices.

    .venv/bin/python benchmarks/bench_typesetting.py [--quick]

Prints: preview latency for one notice (median of N, cold setting, warm worker); column time for
10, 50, 200 and 800 generated notices (fixed seed), cold (notices never set before) and warm
(notices set before, as the previews of a day leave them), with the render workers' CPU time;
and Typst 0.15 compiling the same notices into the same page area, columns and fonts, with the
ratio. Targets on the 2-core machine: preview ≤ 100 ms median, 200 notices ≤ 1.5 s median.
A script, not a test: the figures depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import typst  # noqa: E402

from typesetting import (  # noqa: E402
    ColumnItem,
    LayoutSettings,
    RateCard,
    SetNotice,
    linebreak,
    render_column,
    render_notice_png,
    set_notice,
    warm_up,
)
from typesetting.settings import MM_TO_PT  # noqa: E402

SEED = 20240520
FONT_DIR = "/usr/share/fonts/opentype/noto"

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc(rng: random.Random) -> str:
    """A credit code with a correct GB 32100-2015 check character."""
    body = rng.choice("9") + rng.choice("123") + rng.choice(["440101", "440106", "440111",
                                                              "440113", "441781"])
    body += "".join(rng.choice(_USCC_CHARS) for _ in range(9))
    total = sum(_USCC_CHARS.index(c) * pow(3, i, 31) for i, c in enumerate(body))
    return body + _USCC_CHARS[(31 - total % 31) % 31]


def generate(count: int, seed: int = SEED) -> list[ColumnItem]:
    """Realistic notices: the seed page's kinds, with varied names, codes and lengths."""
    rng = random.Random(seed)
    cities = ["广州市", "广州市天河区", "广州市番禺区", "广州市花都区", "佛山市南海区", "阳春市", "增城市"]
    words = ["富荣", "东高", "斐泽", "欣欣远阳", "甘全", "攀燊", "雅静", "合亦汇", "往洋", "东景", "史丽亚",
             "天麓", "奥利给", "嘉禾", "恒通", "信达", "华南", "永兴"]
    trades = [("经济发展有限公司", "公司"), ("房地产中介有限公司", "公司"), ("展览策划有限公司", "公司"),
              ("金属门窗加工场", "个体"), ("服饰有限公司", "公司"), ("商店", "个体"),
              ("国际货运代理有限公司", "公司"), ("胶袋经营部", "个体"), ("生物科技有限公司", "公司")]
    people = ["范海英", "李国强", "陈美玲", "王志刚", "黄晓东", "张丽"]
    items = []
    for n in range(count):
        name = rng.choice(cities) + rng.choice(words) + rng.choice(words)
        trade, kind = rng.choice(trades)
        company = name + trade
        code = uscc(rng)
        reg = "4401" + "".join(rng.choice("0123456789") for _ in range(11))
        number = "S" + "".join(rng.choice("0123456789") for _ in range(12)) + rng.choice("GH")
        date = f"{rng.randint(2019, 2024)}年{rng.randint(1, 12):02d}月{rng.randint(1, 28):02d}日"
        which = rng.random()
        if which < 0.45:
            parts = rng.choice(["正本", "副本", "正、副本"])
            extra = f"注册号：{reg}，" if kind == "个体" else ""
            body = (f"{company}遗失营业执照{parts}，{extra}统一社会信用代码：{code}，"
                    f"编号：{number}，声明作废。")
            items.append(ColumnItem(f"n{n}", f"遗失#{n}", "遗失声明", body, "lost-document",
                                    "licence"))
        elif which < 0.6:
            body = (f"{rng.choice(people)}遗失{company}开具的收据（编号：{rng.randint(1000, 99999)}），"
                    "特此声明。")
            items.append(ColumnItem(f"n{n}", f"遗失#{n}", "遗失声明", body, "lost-document",
                                    "document"))
        elif which < 0.8:
            before = rng.choice(["1000万", "伍佰万", "500万", "2000万"])
            after = rng.choice(["100万", "壹拾万", "50万"])
            body = (f"{company}（统一社会信用代码：{code}）股东会决议，注册资本由原来{before}元人民币"
                    f"减少至{after}元人民币。请债权人自本公告见报之日起45日内向本公司申报债权，逾期不申报，"
                    "视为放弃权利，本公司将向公司登记机关申请变更登记。")
            items.append(ColumnItem(f"n{n}", f"减资#{n}", "减资公告", body, "capital-reduction"))
        elif which < 0.92:
            body = (f"{company}股东会决议，本公司停止经营，清理债权债务。请有关债权人自本公司公告见报之日起45天内，"
                    "向本公司清算小组申报债权。逾期不申报，视为放弃权利。清算结束后，本公司将向公司登记主管机关申请注销登记。"
                    f"联系电话：020-{rng.randint(30000000, 89999999)}。")
            items.append(ColumnItem(f"n{n}", f"清算#{n}", "清算公告", body, "liquidation"))
        else:
            body = (f"{company}撤销{date}在国家企业信用信息公示系统对外公示的清算组备案及债权人公告，"
                    "并解散清算组。该公司继续经营，特此公告！")
            items.append(ColumnItem(f"n{n}", f"撤销#{n}", "撤销公告", body, "revocation"))
    return items


def typst_source(settings: LayoutSettings) -> bytes:
    """The same page area, columns, fonts, leading and justification, in Typst."""
    s = settings
    return f'''
#set page(width: {s.area_width_mm}mm, height: {s.area_height_mm}mm, margin: 0pt)
#set text(font: "{s.body_font}", size: {s.body_size_pt}pt, lang: "zh", region: "cn",
          top-edge: "ascender", bottom-edge: "descender")
#set par(justify: true, leading: {s.leading_pt - s.body_size_pt}pt,
         spacing: {s.notice_spacing_pt + s.leading_pt - s.body_size_pt}pt)
#let notices = json(bytes(sys.inputs.data))
#block(height: {s.header_height_mm - 2}mm, width: 100%, stroke: (bottom: 1.5pt))[
  #text(font: "{s.title_font}", weight: "bold", size: 20pt)[{s.header_text}]]
#columns({s.columns}, gutter: {s.gutter_mm}mm)[
#for n in notices [
#text(font: "{s.title_font}", weight: "bold")[#n.title]#h(1em)#n.body
#parbreak()
]
#block(stroke: 2pt, width: 100%, inset: 3pt)[#align(center)[
{"#linebreak()".join(s.contact_lines)}]]
]
'''.encode()


_TYPST: dict = {}


def typst_compiler() -> typst.Compiler:
    """One warm compiler (fonts scanned once), for the previews."""
    if "compiler" not in _TYPST:
        _TYPST["compiler"] = typst.Compiler(font_paths=[FONT_DIR])
    return _TYPST["compiler"]


def typst_column(items: list[ColumnItem], settings: LayoutSettings) -> float:
    """Seconds Typst takes to set and write these notices, from nothing it remembers.

    Typst memoizes layout across compiles of one Compiler, so each run gets a fresh one; its
    font discovery (~0.3 s, once per process in real use) is done by a trivial compile first
    and not counted - as our render workers have their fonts loaded too.
    """
    data = json.dumps([{"title": i.title, "body": i.body} for i in items], ensure_ascii=False)
    compiler = typst.Compiler(font_paths=[FONT_DIR])
    compiler.compile(input=b"#set text(font: \"Noto Serif CJK SC\")\n", format="pdf")
    started = time.perf_counter()
    compiler.compile(input=typst_source(settings), format="pdf", sys_inputs={"data": data})
    return time.perf_counter() - started


def median_time(fn, runs: int) -> tuple[float, list[float], Any]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    settings = LayoutSettings()
    rate_card = RateCard()
    issue = dt.date(2024, 5, 20)
    repeat = {10: 5, 50: 5, 200: 5, 800: 3} if not args.quick else {10: 3, 50: 3, 200: 3, 800: 1}

    print(f"Typesetting benchmark — page area {settings.area_width_mm:g} × "
          f"{settings.area_height_mm:g} mm, {settings.columns} columns of "
          f"{settings.column_width_pt / MM_TO_PT:.1f} mm, body {settings.body_size_pt:g}/"
          f"{settings.leading_pt:g} pt, seed {SEED}")
    started = time.perf_counter()
    warm_up()
    print(f"worker start + warm-up: {time.perf_counter() - started:.2f} s (once per worker)")

    # -- preview ---------------------------------------------------------------------------
    from typesetting._worker import Renderer
    from typesetting.preview import notice_pdf_job
    from typesetting.render import PREVIEW_LIMITS, run_job
    previews = generate(40, seed=SEED + 1)
    render_notice_png(previews[0].title, previews[0].body, settings)
    renderer = Renderer()  # the same rendering in this process, to price the isolation
    times, setting_times, inline_times, inline_cpu, typst_times = [], [], [], [], []
    exact_cpu = []
    for item in previews[1:]:
        started = time.perf_counter()
        set_notice(item.title, item.body, settings)
        setting_times.append(time.perf_counter() - started)
        render_notice_png(item.title, item.body, settings, dpi=200)
        times.append(time.perf_counter() - started)
        job = dict(notice_pdf_job(item.title, item.body, settings), png_dpi=200,
                   shared_subsets=True)
        cpu = time.process_time()
        started = time.perf_counter()
        renderer.render(job)
        inline_times.append(time.perf_counter() - started)
        inline_cpu.append(time.process_time() - cpu)
        # The baseline: the same job with fonts subset exactly for this notice, as before
        # typesetting/subset_cache.py.
        cpu = time.process_time()
        renderer.render(dict(job, shared_subsets=False))
        exact_cpu.append(time.process_time() - cpu)
        source = (f'#set page(width: {settings.column_width_pt}pt, height: auto, margin: 4pt)\n'
                  f'#set text(font: "{settings.body_font}", size: {settings.body_size_pt}pt, '
                  f'lang: "zh")\n#set par(justify: true)\n'
                  f'#text(font: "{settings.title_font}", weight: "bold")[{item.title}]'
                  f'#h(1em){item.body}').encode()
        started = time.perf_counter()
        typst_compiler().compile(input=source, format="png", ppi=200)  # new text: no recall
        typst_times.append(time.perf_counter() - started)
    pings = []
    for _ in range(50):
        started = time.perf_counter()
        run_job({"kind": "ping"}, PREVIEW_LIMITS)
        pings.append(time.perf_counter() - started)
    p90 = sorted(times)[int(len(times) * 0.9) - 1]
    print(f"\nPreview, one notice → 200 dpi PNG, median of {len(times)} (each a new notice):")
    print(f"  engine {statistics.median(times) * 1000:6.1f} ms (p90 {p90 * 1000:.1f} ms; "
          f"of which setting the lines {statistics.median(setting_times) * 1000:.1f} ms)   "
          f"Typst → PNG {statistics.median(typst_times) * 1000:.1f} ms   "
          f"ratio {statistics.median(times) / statistics.median(typst_times):.1f}×   "
          f"target ≤ 100 ms")
    isolation = statistics.median(times) - statistics.median(setting_times) - statistics.median(inline_times)
    print(f"  the same jobs rendered in-process (no worker): "
          f"{statistics.median(inline_times) * 1000:.1f} ms → isolation costs "
          f"{isolation * 1000:+.1f} ms; "
          f"a bare round trip to a worker {statistics.median(pings) * 1000:.2f} ms")
    print(f"  CPU per preview (HTML, WeasyPrint, PDF, PNG; = wall time on an idle machine): "
          f"{statistics.median(inline_cpu) * 1000:.1f} ms; with fonts subset anew for each "
          f"preview (no shared subsets): {statistics.median(exact_cpu) * 1000:.1f} ms")

    # -- columns ---------------------------------------------------------------------------
    print("\nColumn (continue_overflow=True, with prices), median wall time:")
    print(f"  {'notices':>7} {'pages':>5} {'lines':>6} {'cold':>8} {'warm':>8} {'stored':>8} "
          f"{'worker CPU':>10} {'idle est.':>9} {'Typst':>8} {'ratio':>6}")
    everything = generate(800)
    for count in (10, 50, 200, 800):
        items = everything[:count]
        runs = repeat[count]

        # The closures are timed within their own iteration: the values bound as defaults say so
        # (from_storage is defined once `stored` is).
        def cold(items=items):
            linebreak._set_notice_cached.cache_clear()
            linebreak._choose_spacing_cached.cache_clear()
            return render_column(items, settings, issue, True, rate_card=rate_card)

        def warm(items=items):
            return render_column(items, settings, issue, True, rate_card=rate_card)

        cold_median, _, _ = median_time(cold, runs)
        parent_cpu = time.process_time()
        cold()
        parent_cpu = time.process_time() - parent_cpu
        hits_before = linebreak._set_notice_cached.cache_info().hits
        warm_median, _, result = median_time(warm, runs)
        hits = linebreak._set_notice_cached.cache_info().hits - hits_before
        assert hits == runs * count, "the column re-set notices it had already set"
        stored = [json.dumps(set_notice(item.title, item.body, settings).to_dict(settings),
                             ensure_ascii=False) for item in items]

        def from_storage(items=items, stored=stored):
            # Another process: nothing set here, each setting read back from its stored JSON
            # (as the desk reads line_settings rows; the database query itself not included).
            linebreak._set_notice_cached.cache_clear()
            linebreak._choose_spacing_cached.cache_clear()
            stored_items = [replace(item, setting=SetNotice.from_dict(json.loads(data), item.title,
                                                                      item.body, settings))
                            for item, data in zip(items, stored, strict=True)]
            return render_column(stored_items, settings, issue, True, rate_card=rate_card)

        stored_median, _, _ = median_time(from_storage, runs)
        typst_median = statistics.median(typst_column(items, settings) for _ in range(runs))
        lines = sum(p.lines for p in result.placements)
        # What the cold run costs on an otherwise idle machine: this process's CPU (setting,
        # placing, HTML, joining) plus the render workers' CPU shared by the two cores.
        parts = len(_plan_chunks_for(result, settings))
        estimate = parent_cpu + result.render_cpu_s / parts
        print(f"  {count:>7} {result.pages:>5} {lines:>6} {cold_median:>7.2f}s "
              f"{warm_median:>7.2f}s {stored_median:>7.2f}s {result.render_cpu_s:>9.2f}s {estimate:>8.2f}s "
              f"{typst_median:>7.3f}s {cold_median / typst_median:>5.0f}×")
    print("\n  cold: lines set from scratch; warm: every notice already set (cache hits "
          "verified), only placing and rendering; stored: set in another process, read back "
          "from the stored setting (SetNotice.from_dict), as the desk's export does. "
          "Worker CPU: summed over the render "
          "workers (two at once from 150 lines). idle est.: this process's CPU for a cold run "
          "+ worker CPU / parts - the wall time on an otherwise idle machine. Typst: a fresh "
          "compiler each run (it memoizes), font discovery excluded. Target: 200 notices "
          "≤ 1.5 s.")


def _plan_chunks_for(result, settings):
    """How render_column shared this column between the workers (for the estimate)."""
    from typesetting.column import _plan_chunks

    class Seg:
        def __init__(self, segment):
            self.count, self.column = segment.lines, segment.column

    pages = [[Seg(s) for p in result.placements for s in p.segments if s.page == number]
             for number in range(1, result.pages + 1)]
    return _plan_chunks(pages, settings, workers=2)


if __name__ == "__main__":
    main()
