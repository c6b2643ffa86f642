"""Find the member list on a page nobody wrote selectors for.

Candidates are (1) groups of elements that share one structural path from <body> (tag and stable classes at
every level: the items of a list, the rows of a table, the cards of a grid, the links of a directory, even when
split over several sections) and (2) lists of objects in JSON embedded in a <script> (map markers) or served
as the body. Within a group, every text-bearing sub-element path is a possible name field.

A candidate is scored by
  recognised   the share of its names the place recogniser knows (with the country printed beside the name,
               in a column, or in the heading above the list; else the network's country),
  size         how its size compares with the network's stated member count,
  distinct     the share of distinct names (a menu repeated, a tag cloud),
  penalties    for navigation, headers, footers, sidebars, news and event lists, and headline-long texts.
"""
from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from bs4 import Comment, NavigableString, Tag

from scrapers.parsers.common import clean_name, clean_text, normalize_joined
from scrapers.places import PlaceRecogniser

MIN_ITEMS = 3
SAMPLE = 40  # names per field checked against the gazetteer while ranking (all of them for the winner)
FIELD_DEPTH = 3
MAX_FIELD_CHARS = 120
SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "head", "iframe", "select", "option",
                       "button", "input", "textarea", "form", "img", "picture", "video", "audio", "canvas"})
BLOCK_TAGS = frozenset({"br", "div", "p", "li", "td", "th", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd",
                        "section", "article", "header", "footer", "ul", "ol", "table", "time", "address",
                        "figcaption", "label"})
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "dt", "caption", "legend", "summary"})
_CLASS_OK = re.compile(r"-?[A-Za-z_][A-Za-z_-]*")  # no digits: "post-123", "elementor-577ecb1" name one element
# classes that mark one item's state, not its kind: a featured or active member is still a member of the list
_STATES = frozenset({"active", "current", "selected", "featured", "highlight", "highlighted", "first", "last",
                     "odd", "even", "new", "open", "closed", "hidden", "visible", "show", "is-active",
                     "is-featured", "is-hidden", "clearfix", "sticky"})
# words in tag names, classes and ids of an item or its ancestors that mark page furniture, not content
_FURNITURE = re.compile(r"(?<![a-z])(nav|navbar|navigation|menu|menus|breadcrumbs?|footer|header|masthead|"
                        r"sidebar|widget|social|share|cookies?|lang|language|languages|skip|pager|pagination|"
                        r"toolbar|topbar|site-info|copyright)(?![a-z])")
_NEWS = re.compile(r"(?<![a-z])(news|post|posts|blog|article|articles|event|events|press|teaser|teasers|story|"
                   r"stories|actualites?|actualidad|noticias?|aktuelles|nachrichten|agenda|latest|related)"
                   r"(?![a-z])")
_FURNITURE_TAGS = frozenset({"nav", "header", "footer", "aside"})
_YEAR = re.compile(r"^\D{0,16}((?:1[89]|20)\d\d)(?:-\d\d(?:-\d\d)?)?\D{0,8}$")
_PARENS = re.compile(r"^(?P<name>.+?)\s*\((?P<country>[^()]+)\)$")
_DASH = re.compile(r"^(?P<name>.+)\s+[-–—|/]\s+(?P<country>[^-–—|/]+)$")
_COMMA = re.compile(r"^(?P<name>.+),\s*(?P<country>[^,]+)$")
_NTH = re.compile(r":nth-of-type\(\d+\)")
_NTH_NOT_CELL = re.compile(r"(?:^|> )(?!t[dh][.:])[a-z0-9]+[^ >]*:nth-of-type")
_JSON_START = re.compile(r"(?:(?P<var>[A-Za-z_$][\w$.]*)\s*=(?!=)|[(:,])\s*(?=[\[{])")


@dataclass
class Member:
    name: str
    country: str | None = None
    joined: str | None = None


@dataclass
class Candidate:
    kind: str  # html | script | json
    structure: str  # the selector path of the items (html) or "script:<where>" (embedded JSON)
    name_field: str  # path of the name inside an item ("" = the item's own text; a JSON key for script/json)
    members: list[Member]
    score: float = 0.0
    recognised: float = 0.0
    size_factor: float = 1.0
    penalty: float = 1.0
    country_field: str | None = None
    country_from: str | None = None  # "field" | "split:<form>" | "heading" | None
    joined_field: str | None = None
    reproduce: dict = field(default_factory=dict)  # a specific parser and options that read the same members

    @property
    def names(self) -> list[str]:
        return [m.name for m in self.members]


# -- text ------------------------------------------------------------------------------------------------------

def _text(element: Tag) -> str:
    """Text as shown: block elements and <br> separate words, hidden elements are not text."""
    parts: list[str] = []

    def walk(node: Tag) -> None:
        after_element = False
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                parts.append(str(child))
                after_element = after_element and not str(child).strip()
            elif isinstance(child, Tag) and child.name not in SKIP_TAGS:
                if after_element:  # <a>Dortmund</a><span>Germany</span>: two texts ("Malm<span>ö</span>": one)
                    parts.append(" ")
                after_element = True
                block = child.name in BLOCK_TAGS
                if block:
                    parts.append(" ")
                walk(child)
                if block:
                    parts.append(" ")
    walk(element)
    return clean_text("".join(parts))


def _step(element: Tag) -> str:
    classes = sorted({c for c in element.get("class") or () if _CLASS_OK.fullmatch(c) and c.lower() not in _STATES})
    return element.name + "".join("." + c for c in classes)


def _markers(element: Tag) -> str:
    return " ".join([" ".join(element.get("class") or ()), str(element.get("id") or ""),
                     str(element.get("role") or "")]).lower()


# -- grouping ------------------------------------------------------------------------------------------------

def html_groups(soup) -> dict[str, list[Tag]]:
    """Every structural path under <body> with the elements on it, in document order."""
    root = soup.body or soup
    groups: dict[str, list[Tag]] = defaultdict(list)
    order: list[tuple[str, Tag]] = []
    stack = [(root, "body")]
    while stack:
        node, path = stack.pop()
        children = [c for c in node.children if isinstance(c, Tag) and c.name not in SKIP_TAGS]
        for child in reversed(children):
            stack.append((child, f"{path} > {_step(child)}"))
        if node is not root:
            order.append((path, node))
    for path, node in order:
        groups[path].append(node)
    return groups


def _fields(item: Tag) -> dict[str, str]:
    """Text-bearing sub-elements of an item by their path inside it ("" = the item itself)."""
    found: dict[str, str] = {}
    whole = _text(item)
    if whole:
        found[""] = whole

    def walk(node: Tag, rel: str, depth: int) -> None:
        if depth >= FIELD_DEPTH:
            return
        children = [c for c in node.children if isinstance(c, Tag) and c.name not in SKIP_TAGS]
        steps = [_step(c) for c in children]
        repeated = {st for st, n in Counter(steps).items() if n > 1}
        seen: dict[str, int] = defaultdict(int)
        for child, step in zip(children, steps):
            seen[child.name] += 1  # nth-of-type counts siblings of the tag, whatever their classes
            if step in repeated or child.name in ("td", "th"):
                step += f":nth-of-type({seen[child.name]})"
            path = f"{rel} > {step}" if rel else step
            text = _text(child)
            if text and len(text) <= MAX_FIELD_CHARS and path not in found:
                found[path] = text
            walk(child, path, depth + 1)
    walk(item, "", 0)
    return found


def _heading_country(item: Tag, places: PlaceRecogniser, cache: dict) -> str | None:
    """The country a heading above the item's list names (lists split by country)."""
    node = item.parent
    for _ in range(4):
        if node is None or not isinstance(node, Tag):
            return None
        key = id(node)
        if key not in cache:
            cache[key] = None
            for sibling in node.previous_siblings:
                if not isinstance(sibling, Tag):
                    continue
                heading = sibling if sibling.name in HEADINGS else sibling.find(list(HEADINGS))
                if heading is not None:
                    text = _text(heading)
                    cache[key] = (text, places.country_code(text)) if text else None
                    break
        if cache[key] is not None:
            text, code = cache[key]
            return text if code else None
        node = node.parent
    return None


# -- names and countries ------------------------------------------------------------------------------------

def split_country(text: str, places: PlaceRecogniser) -> tuple[str, str | None, str | None]:
    """(name, country as printed, form) when the text is "Name (Country)", "Name - Country" or "Name, Country"
    and the part after the name is a country; else (text, None, None)."""
    for form, pattern in (("parens", _PARENS), ("dash", _DASH), ("comma", _COMMA)):
        match = pattern.match(text)
        printed = match.group("country").strip() if match else ""
        # after a comma or dash, two letters are a state as often as a country ("Chicago, IL"): names only
        if match and (form == "parens" or len(printed) > 3) and places.country_code(printed):
            return match.group("name").strip(), match.group("country").strip(), form
    return text, None, None


def _sample(values: list, n: int = SAMPLE) -> list:
    if len(values) <= n:
        return values
    step = len(values) / n
    return [values[int(i * step)] for i in range(n)]


def _recognised(pairs: list[tuple[str, str | None]], places: PlaceRecogniser, network_country: str | None) -> float:
    if not pairs:
        return 0.0
    hits = sum(1 for name, country in pairs if name and places.is_place(name, country, network_country))
    return hits / len(pairs)


def _penalty(items: list[Tag], names: list[str]) -> float:
    penalty = 1.0
    first = items[0]
    chain = [first] + [p for p in first.parents if isinstance(p, Tag) and p.name not in ("html", "[document]")]
    marks = " ".join(_markers(e) for e in chain)  # classes, ids and roles: <article> itself is any content
    if any(e.name in _FURNITURE_TAGS for e in chain) or _FURNITURE.search(marks):
        penalty *= 0.35
    if _NEWS.search(marks):
        penalty *= 0.5
    words = sum(len(n.split()) for n in names) / max(1, len(names))
    if words > 6:
        penalty *= 0.4
    return penalty


def _size_factor(n: int, expected: int | None) -> float:
    if expected:
        return 0.7 + 0.3 * min(n, expected) / max(n, expected)
    return 0.6 + 0.4 * min(1.0, n / 25)  # member lists run longer than the few cities of a news or event list


def _year(text: str) -> str | None:
    match = _YEAR.match(text)
    return normalize_joined(match.group(1)) if match else None


# -- HTML candidates -----------------------------------------------------------------------------------------

def _html_candidate(path: str, items: list[Tag], places: PlaceRecogniser, expected: int | None,
                    network_country: str | None, heading_cache: dict, name_field: str | None = None
                    ) -> Candidate | None:
    per_item = [_fields(item) for item in items]
    coverage: dict[str, int] = defaultdict(int)
    for fields in per_item:
        for key in fields:
            coverage[key] += 1
    usable = [k for k, c in coverage.items() if c >= max(min(MIN_ITEMS, len(items)), 0.5 * len(items))]
    if not usable:
        return None
    # country and year columns first: a field that is mostly countries is not the name
    country_fields, year_fields = [], []
    for key in usable:
        if key == "":  # the item as a whole is the name (perhaps with its country), never only a column
            continue
        texts = _sample([f[key] for f in per_item if key in f])
        if sum(1 for t in texts if places.country_code(t)) >= 0.6 * len(texts):
            country_fields.append(key)
        elif sum(1 for t in texts if _year(t)) >= 0.6 * len(texts):
            year_fields.append(key)
    best = None
    if name_field is not None:  # a later page of a listing whose first page chose the field
        usable = [k for k in usable if k == name_field]
    column = country_fields[0] if country_fields else None
    strong: dict[str, float] = {}
    for key in usable:
        if name_field is None and (key in country_fields or key in year_fields):
            continue
        having = [f for f in per_item if key in f]
        if sum(len(f[key]) for f in having) / len(having) > 80:
            continue
        pairs, form = [], None
        for fields in _sample(having):
            name, country, how = split_country(fields[key], places)
            form = form or how
            if country is None and column and column != key:
                country = fields.get(column)
            pairs.append((clean_name(name), country))
        texts = having
        recognised = _recognised(pairs, places, network_country)
        coverage_share = len(texts) / len(items)
        # equal otherwise, the deeper field: the link or heading holding the name, not the item around it
        rank = (recognised * coverage_share, bool(form), key.count(">") + bool(key), -len(key))
        strong[key] = recognised * coverage_share
        if best is None or rank > best[0]:
            best = (rank, key, recognised * coverage_share)
    if best is None or (best[2] == 0 and name_field is None):
        return None
    _, name_key, _ = best
    # another field as recognisable beside the name (a row of four cells, a country section's members): an
    # item holding several members, not one; its cells or list items are the better candidate
    several = any(k and k != name_key and not k.startswith(name_key + " > ") and not name_key.startswith(k + " > ")
                  and score >= 0.5 for k, score in strong.items())
    # a name addressed as the k-th of repeated elements (not a table's k-th column): the item is a list itself
    # (in any item: a section of one member addresses it without the index its longer sections need)
    several = several or any(_NTH_NOT_CELL.search(k) and _NTH.sub("", k) == _NTH.sub("", name_key)
                             for k in coverage)
    country_key = next((k for k in country_fields if k != name_key), None)
    year_key = year_fields[0] if year_fields else None
    members: list[Member] = []
    forms: set[str] = set()
    from_heading = False
    for position, (item, fields) in enumerate(zip(items, per_item)):
        text = fields.get(name_key)
        if not text or (position == 0 and _is_header_row(fields, country_key, year_key, places)):
            continue
        name, country, how = split_country(text, places)
        if how:
            forms.add(how)
        if country is None and country_key and fields.get(country_key):
            country = fields[country_key]
        if country is None and not country_key:
            country = _heading_country(item, places, heading_cache)
            from_heading = from_heading or country is not None
        name = clean_name(name)
        if name:
            members.append(Member(name, country, _year(fields[year_key]) if year_key and fields.get(year_key) else None))
    if len(members) < min(MIN_ITEMS, len(items)):
        return None
    candidate = Candidate(kind="html", structure=path, name_field=name_key, members=members,
                          country_field=country_key, joined_field=year_key,
                          country_from="field" if country_key else (f"split:{sorted(forms)[0]}" if forms else
                                                                    ("heading" if from_heading else None)))
    _score(candidate, places, expected, network_country,
           _penalty(items, [m.name for m in members]) * (0.5 if several and name_field is None else 1.0))
    candidate.reproduce = _html_reproduction(candidate, forms)
    return candidate


def _is_header_row(fields: dict[str, str], country_key: str | None, year_key: str | None,
                   places: PlaceRecogniser) -> bool:
    """A first row of column titles in <td> cells ("City | Country | Member since"): its country cell is no
    country, or its year cell no year, where the rows below have them."""
    if country_key and fields.get(country_key) and not places.country_code(fields[country_key]):
        return True
    return bool(year_key and fields.get(year_key) and not _year(fields[year_key]))


def _html_reproduction(candidate: Candidate, forms: set[str]) -> dict:
    """The page-specific parser that reads the same members, for a registry entry that wants no guessing."""
    if candidate.name_field == "":
        split = next((f for f in ("parens", "dash") if forms == {f}), None)
        options = {"items": candidate.structure}
        if split:
            options["split"] = split
        return {"parser": "html_list", "options": options}
    options = {"card": candidate.structure, "name": candidate.name_field}
    if candidate.country_field:
        options["country"] = candidate.country_field
    if candidate.joined_field:
        options["joined"] = candidate.joined_field
    return {"parser": "html_cards", "options": options}


def _score(candidate: Candidate, places: PlaceRecogniser, expected: int | None, network_country: str | None,
           penalty: float) -> None:
    members = candidate.members
    sample = _sample(members)
    candidate.recognised = _recognised([(m.name, m.country) for m in sample], places, network_country)
    distinct = len({m.name.casefold() for m in members}) / len(members)
    candidate.size_factor = _size_factor(len(members), expected)
    candidate.penalty = penalty
    candidate.score = round(candidate.recognised * candidate.size_factor * distinct * penalty, 4)


# -- JSON candidates ------------------------------------------------------------------------------------------

def _record_lists(value, path: str = "", depth: int = 0):
    """(dotted path, list) for every list of objects inside a JSON value."""
    if depth > 6:
        return
    if isinstance(value, list):
        if len(value) >= MIN_ITEMS and sum(isinstance(v, dict) for v in value) >= 0.8 * len(value):
            yield path, [v for v in value if isinstance(v, dict)]
        elif len(value) >= MIN_ITEMS and sum(isinstance(v, list) for v in value) >= 0.8 * len(value):
            # [["Berlin", 52.5, 13.4], ...]: positions stand for keys
            yield path, [{str(i): x for i, x in enumerate(v)} for v in value if isinstance(v, list)]
        for i, v in enumerate(value[:3]):  # nested lists: look into the first few only
            if isinstance(v, (list, dict)) and not isinstance(v, dict):
                yield from _record_lists(v, f"{path}.{i}" if path else str(i), depth + 1)
    elif isinstance(value, dict):
        for key, v in value.items():
            if isinstance(v, (list, dict)):
                yield from _record_lists(v, f"{path}.{key}" if path else str(key), depth + 1)


def _string_fields(record: dict, prefix: str = "", depth: int = 0) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in record.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, str):
            text = clean_text(value)
            if text and len(text) <= MAX_FIELD_CHARS:
                out[path] = text
        elif isinstance(value, (int,)) and not isinstance(value, bool) and 1800 <= value <= 2100:
            out[path] = str(value)
        elif isinstance(value, dict) and depth < 2:
            out.update(_string_fields(value, path, depth + 1))
    return out


def _json_candidate(where: str, records: list[dict], places: PlaceRecogniser, expected: int | None,
                    network_country: str | None, reproduce_base: dict) -> Candidate | None:
    per_record = [_string_fields(r) for r in records]
    coverage: dict[str, int] = defaultdict(int)
    for fields in per_record:
        for key in fields:
            coverage[key] += 1
    usable = [k for k, c in coverage.items() if c >= max(MIN_ITEMS, 0.5 * len(records))]
    country_fields, year_fields, names = [], [], []
    for key in usable:
        texts = _sample([f[key] for f in per_record if key in f])
        if sum(1 for t in texts if places.country_code(t)) >= 0.6 * len(texts):
            country_fields.append(key)
        elif sum(1 for t in texts if _year(t)) >= 0.6 * len(texts):
            year_fields.append(key)
        else:
            names.append(key)
    best = None
    for key in names:
        texts = [f[key] for f in per_record if key in f]
        pairs = [(clean_name(split_country(t, places)[0]), split_country(t, places)[1]) for t in _sample(texts)]
        score = _recognised(pairs, places, network_country) * len(texts) / len(records)
        if best is None or score > best[0]:
            best = (score, key)
    if best is None or best[0] == 0:
        return None
    name_key = best[1]
    country_key = country_fields[0] if country_fields else None
    year_key = year_fields[0] if year_fields else None
    members = []
    for fields in per_record:
        if not fields.get(name_key):
            continue
        name, country, _ = split_country(fields[name_key], places)
        if country is None and country_key:
            country = fields.get(country_key)
        name = clean_name(name)
        if name:
            members.append(Member(name, country, _year(fields[year_key]) if year_key and fields.get(year_key) else None))
    if len(members) < MIN_ITEMS:
        return None
    candidate = Candidate(kind=reproduce_base.get("kind", "script"), structure=where, name_field=name_key,
                          members=members, country_field=country_key, joined_field=year_key,
                          country_from="field" if country_key else None)
    _score(candidate, places, expected, network_country, 1.0)
    options = {k: v for k, v in reproduce_base.items() if k not in ("kind", "parser")}
    options["name"] = name_key
    if country_key:
        options["country"] = country_key
    if year_key:
        options["joined"] = year_key
    candidate.reproduce = {"parser": reproduce_base["parser"], "options": options}
    return candidate


def _json_values(text: str):
    """(variable or None, value) for every JSON array/object assigned or passed in a script's text."""
    decoder = json.JSONDecoder()
    stripped = text.strip()
    if stripped[:1] in ("[", "{"):
        try:
            yield None, json.loads(stripped)
            return
        except ValueError:
            pass
    for match in _JSON_START.finditer(text):
        try:
            value, _ = decoder.raw_decode(text, match.end())
        except (ValueError, RecursionError):
            continue
        yield match.group("var"), value


def script_candidates(soup, places, expected, network_country) -> list[Candidate]:
    out = []
    for index, script in enumerate(soup.find_all("script")):
        text = script.string or script.get_text()
        if not text or len(text) > 5_000_000:
            continue
        script_type = (script.get("type") or "").lower()
        if script_type and "json" not in script_type and "javascript" not in script_type:
            continue
        for variable, value in _json_values(text):
            for path, records in _record_lists(value):
                if variable:
                    name = variable.split(".")[-1]
                    where = f"script:{name}" + (f":{path}" if path else "")
                    base = {"parser": "script_json", "variable": name, "records": path}
                elif script.get("id"):
                    where = f"script#{script['id']}" + (f":{path}" if path else "")
                    base = {"parser": "script_json", "script": f"script#{script['id']}", "records": path}
                else:
                    where = f"script[{index}]" + (f":{path}" if path else "")
                    base = {"parser": "auto"}
                candidate = _json_candidate(where, records, places, expected, network_country, base)
                if candidate:
                    out.append(candidate)
    return out


def json_body_candidates(value, places, expected, network_country) -> list[Candidate]:
    out = []
    for path, records in _record_lists(value):
        candidate = _json_candidate(f"json:{path}", records, places, expected, network_country,
                                    {"parser": "json_api", "records": path, "kind": "json"})
        if candidate:
            out.append(candidate)
    return out


# -- all of them ------------------------------------------------------------------------------------------------

def find_candidates(soup, places: PlaceRecogniser, expected: int | None = None,
                    network_country: str | None = None, only: str | None = None,
                    name_field: str | None = None) -> list[Candidate]:
    """Candidates on an HTML page, best first (one per distinct member list). `only`: just that structure
    (with `name_field`: read by that field, as on the listing's first page)."""
    out: list[Candidate] = []
    heading_cache: dict = {}
    if only is None or not only.startswith("script"):
        for path, items in html_groups(soup).items():
            if only is not None and path != only:
                continue
            if only is None and len(items) < (2 if items[0].name == "tr" else MIN_ITEMS):
                continue  # a table of two rows is still a list; the last page of a listing may hold one
            candidate = _html_candidate(path, items, places, expected, network_country, heading_cache,
                                        name_field if only is not None else None)
            if candidate:
                out.append(candidate)
    if only is None or only.startswith("script"):
        out.extend(c for c in script_candidates(soup, places, expected, network_country)
                   if only is None or c.structure == only)
    return rank(out)


def rank(candidates: list[Candidate]) -> list[Candidate]:
    """Best first; of candidates naming the same members (a <li> and the <a> in it) the one with most detail."""
    ordered = sorted(candidates, key=lambda c: (-c.score, -sum(1 for m in c.members if m.country),
                                                c.structure.count(">"), c.structure))
    seen: set[tuple] = set()
    out = []
    for c in ordered:
        key = tuple(sorted(m.name.casefold() for m in c.members))
        if key in seen:
            continue
        seen.add(key)
        out.append(c)
    return out
