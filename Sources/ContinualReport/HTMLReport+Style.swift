extension HTMLReport {
  /// The page's CSS, inline in its `<head>`: a narrow readable column for text, tables in the
  /// booktabs style with tabular figures, figures as wrapping small multiples, and print rules that
  /// keep a figure on one page.
  static let styleSheet = """
    :root { color-scheme: light; }
    body { margin: 0; background: #ffffff; color: #1a1a1a;
      font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; }
    main { max-width: 1320px; margin: 0 auto; padding: 24px 32px 48px; }
    h1 { font-size: 1.6rem; margin: 0 0 12px; }
    h2 { font-size: 1.25rem; margin: 36px 0 8px; padding-bottom: 4px; border-bottom: 1px solid #d0d0d0; }
    h3 { font-size: 1.05rem; margin: 24px 0 6px; }
    .facts { display: flex; flex-wrap: wrap; gap: 6px 28px; margin: 0 0 8px; }
    .facts div { display: flex; gap: 6px; }
    .facts dt { font-weight: 600; color: #444444; }
    .facts dd { margin: 0; }
    details { margin: 6px 0 0; font-size: 0.9rem; }
    summary { cursor: pointer; color: #444444; }
    .note { color: #555555; font-size: 0.9rem; margin: 4px 0 10px; max-width: 900px; }
    .table-scroll { overflow-x: auto; max-width: 100%; }
    table { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 0.9rem; margin: 4px 0 8px; }
    table.results { border-top: 2px solid #222222; border-bottom: 2px solid #222222; }
    thead th { border-bottom: 1px solid #222222; font-weight: 600; }
    th, td { padding: 4px 12px; text-align: left; white-space: nowrap; }
    th.num, td.num { text-align: right; }
    tbody tr:nth-child(even) { background: #f6f6f6; }
    table.settings td, table.settings th { padding: 2px 10px; }
    figure { margin: 18px 0 26px; }
    figcaption { font-size: 0.88rem; color: #333333; max-width: 900px; margin-top: 6px; }
    .multiples { display: flex; flex-wrap: wrap; gap: 10px 18px; align-items: flex-start; }
    svg { max-width: 100%; height: auto; overflow: visible; }
    @media print {
      main { max-width: none; padding: 0; }
      figure, table { break-inside: avoid; }
    }

    """
}
