"""Assemble the page: headline, sections of charts and tables, plotly.js embedded once, written atomically."""
from __future__ import annotations

import html
import json
import os
from pathlib import Path
from string import Template

import plotly
from plotly.offline import get_plotlyjs

from publication.report.blocks import Section, Table
from publication.report.figures import PAGE_TEMPLATE, Chart
from publication.report.headline import Figure

TEMPLATE = Path(__file__).with_name("template.html")
# no logo link to plotly.com, no "edit in Chart Studio": nothing on the page points off the machine
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True, "showLink": False, "showEditInChartStudio": False,
                 "toImageButtonOptions": {"format": "png", "scale": 2}}


def _esc(value) -> str:
    return html.escape("" if value is None else str(value))


def _figure_html(f: Figure) -> str:
    return (f'<div class="figure{" alert" if f.alert else ""}"><div class="label">{_esc(f.label)}</div>'
            f'<div class="value">{_esc(f.value)}</div><div class="detail">{_esc(f.detail)}</div></div>')


def _chart_html(c: Chart) -> str:
    return (f'<figure class="chart{" wide" if c.wide else ""}" data-has-data="{str(c.has_data).lower()}">'
            f'<div id="{_esc(c.chart_id)}" class="chart-canvas" role="img" aria-label="{_esc(c.title)}"></div>'
            f'<figcaption>{_esc(c.caption)}</figcaption></figure>')


def _cell(value) -> str:
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    return f'<td class="num">{value:,}</td>' if numeric else f"<td>{_esc(value)}</td>"


def _table_html(t: Table) -> str:
    if t.rows:
        head = "".join(f"<th>{_esc(h)}</th>" for h in t.headers)
        body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in t.rows)
        inner = f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'
    else:
        inner = f'<p class="empty">{_esc(t.empty_note)}</p>'
    return (f'<figure class="table wide"><h3>{_esc(t.title)}</h3>{inner}'
            f'<figcaption>{_esc(t.caption)}</figcaption></figure>')


def _section_html(s: Section) -> str:
    items = "".join(_chart_html(i) if isinstance(i, Chart) else _table_html(i) for i in s.items)
    intro = f"<p>{_esc(s.intro)}</p>" if s.intro else ""
    return f'<section id="{_esc(s.section_id)}"><h2>{_esc(s.title)}</h2>{intro}<div class="items">{items}</div></section>'


def _json_block(data: str, attribute: str) -> str:
    # inside <script type="application/json">: "<" escaped so no "</script>" in the data can end the block
    escaped = data.replace("<", "\\u003c")
    return f'<script type="application/json" {attribute}>{escaped}</script>'


def _figure_json(c: Chart) -> str:
    return _json_block(c.figure.to_json(), f'data-chart="{_esc(c.chart_id)}"')


def render_page(title: str, subtitle: str, footer: str, headline: list[Figure], sections: list[Section]) -> str:
    charts = [i for s in sections for i in s.items if isinstance(i, Chart)]
    plotly_js = get_plotlyjs()
    if "</script" in plotly_js.lower():  # would end the inline block early
        raise RuntimeError("the bundled plotly.js contains '</script': it cannot be inlined")
    nav = "".join(f'<a href="#{_esc(s.section_id)}">{_esc(s.title)}</a>' for s in sections)
    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        title=_esc(title), subtitle=_esc(subtitle), footer=_esc(footer), nav=nav,
        headline="".join(_figure_html(f) for f in headline),
        sections="\n".join(_section_html(s) for s in sections),
        figures="\n".join(_figure_json(c) for c in charts), n_charts=len(charts),
        chart_template=_json_block(json.dumps(PAGE_TEMPLATE.to_plotly_json(), cls=plotly.utils.PlotlyJSONEncoder),
                                   'id="chart-template"'),
        plotly_js=plotly_js, plotly_version=_esc(plotly.__version__), plotly_config=json.dumps(PLOTLY_CONFIG))


def write_atomically(text: str, target: Path) -> None:
    """Readers see the old page or the new one, never half of one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
