"""The app's use of the typesetting engine: notices and the newspaper's settings in, print out.

`typesetting/` knows no notice types and no database; `press/` is where the app hands it both.
The views, `flask` commands (cli.py), the demo loader and the benchmarks call press; press
never imports views or Flask (the database comes in as an argument).

Public API

press.printing
    layout_settings(publisher) -> LayoutSettings; default_rate_card(); rate_card(publisher)
    printable_text(publisher, text)     the text as it prints (ID numbers masked or not)
    quote_notice(publisher, result, notice_type, with_png=True) -> Quote(lines, price_cents,
        explanation, png_data_uri, png_width_css): the preview and the price of one notice
    missing_glyphs(text)                characters no print font has
    verified_text(revision); AlteredText  a revision's text, refused if it changed since confirmed
    column_items(publisher, notices)    the issue's notices as the engine's ColumnItems, in order
    with_stored_settings(db, publisher, items), store_settings(db, publisher, items),
    stored_settings(db, keys), LINE_SETTINGS_KEPT   line settings kept in the database
    render_issue_column(publisher, notices, issue_date, continue_overflow=False, *, db=None, items=None)
    RenderError                         the engine's error (str() is a Chinese message)

press.column
    export_column(publisher, issue_date, *, db, actor, continue_overflow=False) -> ExportOutcome
        render, record (store.issues.export_issue) and return the print PDF
    printed_notices(publisher, notices, column, items=None)  what and where each placed notice printed
    page_pngs(pdf) -> [data: URI]       the column's pages as images for the issue page

press.proof
    cut_layout(boxes) -> CutLayout | None   where the notice's cuts go on the proof's last page
    render_proof_pdf(html, column_pdf=None, layout=None) -> bytes

press.pagecut
    PageCutter(pdf, writer): .cut(page_index, x0, y0, x1, y1), .place(page, form, scale, x, y)
    a rectangle of a stored PDF page as a vector drawing, without the text outside it
"""
