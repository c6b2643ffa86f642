"""The network registry: one YAML file per network, validated into frozen dataclasses.

The built-in files live in ``networks/`` next to this module. Users can add or replace networks with
extra files or directories (the ``extra`` argument, or ``TCN_REGISTRY`` as an os.pathsep-separated list).
An id is claimed once: an outside entry that reuses a bundled id is refused unless it says
``replaces: <id>``; then (as a later outside file with the same id) it replaces the network entirely.
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from scrapers.local_file import curated_url
from scrapers.model import SourceSpec

NETWORKS_DIR = Path(__file__).parent / "networks"
ENV_VAR = "TCN_REGISTRY"

SCOPES = ("global", "regional", "national")
NETWORK_TYPES = ("grassroots", "sponsored", "hybrid", "unknown")
FUNDER_ROLES = ("funder", "sponsor", "host", "partner")
SOURCE_KINDS = ("html", "json", "csv", "xlsx")
FILE_KINDS = ("csv", "xlsx")  # kinds a `path:` source may have
CURATED_FIELDS = ("name", "country", "role", "joined", "left", "member_kind", "source_url",
                  "place")  # = curated_table.FIELDS
TABLE_DELIMITERS = (",", ";", "\t", "tab")  # = table_input.DELIMITERS
FUNCTIONS = ("information_sharing", "showcasing", "story_telling", "shaming", "seeking_support",
             "standard_setting")
FUNCTION_VALUES = {"yes": True, "no": False, "unknown": None}  # a coded function: value -> performs it
KNOWN_KEYS = frozenset({
    "id", "name", "acronym", "founded_year", "scope", "region", "country_code", "network_type", "website",
    "members_url", "stated_member_count", "stated_member_count_text", "stated_member_count_as_of",
    "functions", "tags", "funders", "cited_sources", "sources", "coverage_floor",
    "closed_year",  # the year a network closed or ended its programme (dbt flags members who joined after it)
    "replaces",  # an outside entry taking a bundled network's id says so (ids are claimed once)
})
ID_RE = re.compile(r"[a-z0-9-]+")
COUNTRY_RE = re.compile(r"[A-Z]{2}")


class RegistryError(ValueError):
    """A registry file is unreadable or invalid; the message names the file and the field."""


@dataclass(frozen=True)
class Network:
    id: str
    name: str
    acronym: str | None
    founded_year: int | None
    scope: str
    region: str | None
    country_code: str | None
    network_type: str
    website: str | None
    members_url: str | None
    stated_member_count: int | None
    stated_member_count_text: str | None
    stated_member_count_as_of: str | None
    functions: dict = field(hash=False)  # function -> True / False / None (unknown)
    tags: dict = field(hash=False)
    funders: tuple = field(hash=False)  # tuple of dicts: name, role, note?, source
    sources: tuple[SourceSpec, ...]
    coverage_floor: float | None  # published / stated members a bundled run must keep (tests)
    doc: dict = field(hash=False, repr=False)  # the parsed YAML as written, for raw.registry_networks
    path: Path


@dataclass(frozen=True)
class Registry:
    networks: dict = field(hash=False)  # id -> Network, sorted by id
    version: str  # sha256 over the sorted (file name, bytes) of every file loaded
    files: tuple[Path, ...]

    def get(self, network_id: str) -> Network:
        try:
            return self.networks[network_id]
        except KeyError:
            raise KeyError(f"unknown network id {network_id!r}: not in the registry "
                           f"({len(self.networks)} networks from {len(self.files)} files)") from None

    def with_sources(self, mode: str | None = None) -> tuple[Network, ...]:
        """Networks with a source; in replay mode, one other than a live-only page (which replay skips)."""
        return tuple(n for n in self.networks.values()
                     if any(not (s.live_only and mode == "replay") for s in n.sources))

    def __len__(self) -> int:
        return len(self.networks)


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when present: 10x faster
    """SafeLoader without timestamp resolution: as-of dates like 2022-11-16 stay strings."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_registry(extra: list[Path] | None = None, *, builtin_dir: Path = NETWORKS_DIR) -> Registry:
    """Load the built-in networks, then TCN_REGISTRY entries, then ``extra`` (later ids win)."""
    builtin = _yaml_files_in(Path(builtin_dir))
    networks: dict[str, Network] = {}
    loaded: list[tuple[Path, bytes]] = []
    _load_group(builtin, networks, loaded)
    bundled = set(networks)

    for entry in _env_entries() + [Path(p) for p in (extra or [])]:
        if entry.is_dir():
            _load_group(_yaml_files_in(entry), networks, loaded, bundled)
        elif entry.is_file():
            _load_group([entry], networks, loaded, bundled)
        else:
            raise RegistryError(f"{entry}: registry path does not exist (from {ENV_VAR} or extra)")

    digest = hashlib.sha256()
    for name, body in sorted((p.name, b) for p, b in loaded):
        # length-prefixed so different splits of name/bytes can never collide
        digest.update(f"{len(name)}:{name}:{len(body)}:".encode())
        digest.update(body)
    return Registry(
        networks=dict(sorted(networks.items())),
        version=digest.hexdigest(),
        files=tuple(p for p, _ in loaded),
    )


def _env_entries() -> list[Path]:
    raw = os.environ.get(ENV_VAR, "")
    return [Path(p) for p in raw.split(os.pathsep) if p.strip()]


def _yaml_files_in(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise RegistryError(f"{directory}: registry directory does not exist")
    return sorted(directory.glob("*.yaml"))


def _load_group(paths: list[Path], networks: dict[str, Network], loaded: list,
                bundled: set[str] | None = None) -> None:
    """Load one directory (or one file); an id twice within the same group is ambiguous, so an error.
    `bundled`: the ids the bundled registry claims (an outside group may take one only with `replaces:`)."""
    seen: dict[str, Path] = {}
    for path in paths:
        body = path.read_bytes()
        network = parse_network(path, body)
        if bundled is not None:
            _check_claim(path, network, bundled)
        if network.id in seen:
            raise RegistryError(f"{path}: field 'id': duplicate id {network.id!r} "
                                f"(also in {seen[network.id]})")
        seen[network.id] = path
        networks[network.id] = network  # a later file replaces the whole network
        loaded.append((path, body))


def _check_claim(path: Path, network: Network, bundled: set[str]) -> None:
    """An outside entry with a bundled id would silently swap that network's data for its own."""
    replaces = network.doc.get("replaces")
    if replaces is not None and replaces != network.id:
        raise RegistryError(f"{path}: field 'replaces': {replaces!r} must be this entry's own id "
                            f"({network.id!r}): an entry replaces the network it has the id of")
    if network.id in bundled and replaces != network.id:
        raise RegistryError(f"{path}: field 'id': {network.id!r} is a bundled network's id; an outside entry "
                            f"may take it only to replace that network (add `replaces: {network.id}`), "
                            f"otherwise choose another id")
    if replaces is not None and replaces not in bundled:
        raise RegistryError(f"{path}: field 'replaces': {replaces!r} is not a bundled network; leave it out")


def is_bundled(network: Network, builtin_dir: Path = NETWORKS_DIR) -> bool:
    """Whether the entry comes from the bundled registry (not TCN_REGISTRY or `extra`)."""
    return Path(network.path).resolve().parent == Path(builtin_dir).resolve()


def parse_network(path: Path, body: bytes) -> Network:
    """Parse and validate one registry file."""
    try:
        doc = yaml.load(body.decode("utf-8"), Loader=_Loader)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise RegistryError(f"{path}: not valid UTF-8 YAML: {exc}") from exc
    if not isinstance(doc, dict):
        raise RegistryError(f"{path}: expected a mapping of fields, got {type(doc).__name__}")
    _refuse_aliases(path, doc)
    return _validate(path, doc)


def _refuse_aliases(path: Path, doc) -> None:
    """YAML aliases (*name) share one object in many places: nested, a few lines become billions of
    elements once the entry is written out as JSON (raw.registry_networks). Registry files need none."""
    seen: set[int] = set()
    pending = [doc]
    while pending:
        node = pending.pop()
        if not isinstance(node, (dict, list)):
            continue
        if id(node) in seen:
            raise RegistryError(f"{path}: YAML anchors and aliases (&name / *name) are not allowed in registry files")
        seen.add(id(node))
        pending.extend(node.values() if isinstance(node, dict) else node)


def _fail(path: Path, fld: str, problem: str):
    raise RegistryError(f"{path}: field {fld!r}: {problem}")


def _opt_str(path, doc, key):
    value = doc.get(key)
    if value is not None and not isinstance(value, str):
        _fail(path, key, f"expected text or null, got {value!r}")
    return value


def _opt_int(path, doc, key):
    value = doc.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        _fail(path, key, f"expected a non-negative integer or null, got {value!r}")
    return value


def _validate(path: Path, doc: dict) -> Network:
    unknown = sorted(str(k) for k in doc if k not in KNOWN_KEYS)
    if unknown:
        _fail(path, unknown[0], f"unknown field (known: {', '.join(sorted(KNOWN_KEYS))})")
    for key in ("id", "name", "scope"):
        if not isinstance(doc.get(key), str) or not doc[key].strip():
            _fail(path, key, "required field is missing or empty")
    network_id = doc["id"]
    if not ID_RE.fullmatch(network_id):
        _fail(path, "id", f"{network_id!r} must match [a-z0-9-]+")
    if doc["scope"] not in SCOPES:
        _fail(path, "scope", f"{doc['scope']!r} is not one of {', '.join(SCOPES)}")
    network_type = doc.get("network_type") or "unknown"
    if network_type not in NETWORK_TYPES:
        _fail(path, "network_type", f"{network_type!r} is not one of {', '.join(NETWORK_TYPES)}")
    country = _opt_str(path, doc, "country_code")
    if country is not None and not COUNTRY_RE.fullmatch(country):
        _fail(path, "country_code", f"{country!r} is not 2 uppercase letters (ISO 3166-1 alpha-2)")
    as_of = doc.get("stated_member_count_as_of")
    if as_of is not None and not isinstance(as_of, (str, int)):
        _fail(path, "stated_member_count_as_of", f"expected text or null, got {as_of!r}")
    if doc.get("replaces") is not None and not isinstance(doc["replaces"], str):
        _fail(path, "replaces", f"expected the id of the bundled network this entry replaces, got {doc['replaces']!r}")
    if doc.get("coverage_floor") is not None and not doc.get("stated_member_count"):
        _fail(path, "coverage_floor", "a coverage floor needs the stated_member_count it is a share of")
    _check_cited_sources(path, doc.get("cited_sources"))
    closed, founded = _opt_int(path, doc, "closed_year"), doc.get("founded_year")
    if closed is not None and founded is not None and closed < founded:
        _fail(path, "closed_year", f"closed in {closed}, before it was founded ({founded})")

    return Network(
        id=network_id,
        name=doc["name"].strip(),
        acronym=_opt_str(path, doc, "acronym"),
        founded_year=_opt_int(path, doc, "founded_year"),
        scope=doc["scope"],
        region=_opt_str(path, doc, "region"),
        country_code=country,
        network_type=network_type,
        website=_opt_str(path, doc, "website"),
        members_url=_opt_str(path, doc, "members_url"),
        stated_member_count=_opt_int(path, doc, "stated_member_count"),
        stated_member_count_text=_opt_str(path, doc, "stated_member_count_text"),
        stated_member_count_as_of=None if as_of is None else str(as_of),
        functions=_functions(path, doc.get("functions")),
        tags=_tags(path, doc.get("tags")),
        funders=_funders(path, doc.get("funders")),
        sources=_sources(path, network_id, doc.get("sources"), _auto_context(doc)),
        coverage_floor=_coverage_floor(path, doc.get("coverage_floor")),
        doc=doc,
        path=path,
    )


def _functions(path, value) -> dict:
    """Each function is either coded, {value: 'yes'|'no'|'unknown', source, note} (a 'yes' or 'no' needs its
    source), or a bare true/false/null (uncited; kept for user registries)."""
    if value is None:
        return dict.fromkeys(FUNCTIONS)
    if not isinstance(value, dict):
        _fail(path, "functions", "expected a mapping of function -> {value, source, note} or true/false/null")
    performs = {}
    for key, coding in value.items():
        if key not in FUNCTIONS:
            _fail(path, f"functions.{key}", f"unknown function (known: {', '.join(FUNCTIONS)})")
        if coding is None or isinstance(coding, bool):
            performs[key] = coding
            continue
        if not isinstance(coding, dict):
            _fail(path, f"functions.{key}", f"expected {{value, source, note}} or true/false/null, got {coding!r}")
        code = coding.get("value")
        if not isinstance(code, str) or code not in FUNCTION_VALUES:
            _fail(path, f"functions.{key}.value", f"expected 'yes', 'no' or 'unknown' (quoted), got {code!r}")
        if code != "unknown" and not (isinstance(coding.get("source"), str) and coding["source"].strip()):
            _fail(path, f"functions.{key}.source", f"a coded {code!r} needs the source that says so")
        if not (isinstance(coding.get("note"), str) and coding["note"].strip()):
            _fail(path, f"functions.{key}.note", "a coding note is required (why this value)")
        performs[key] = FUNCTION_VALUES[code]
    return {key: performs.get(key) for key in FUNCTIONS}


def _check_cited_sources(path, value) -> None:
    """Each fact (name, founded, type, ...) cites a list of http(s) URLs or `doc:` references to a
    publication: a bare string, an empty list or a page named without its address is refused."""
    if value is None:
        return
    if not isinstance(value, dict):
        _fail(path, "cited_sources", "expected a mapping of fact -> list of sources")
    for key, cites in value.items():
        where = f"cited_sources.{key}"
        if not isinstance(cites, list) or not cites:
            _fail(path, where, f"expected a non-empty list of http(s) URLs or doc: references, got {cites!r}")
        for cite in cites:
            if not (isinstance(cite, str) and (_is_http_url(cite) or cite.startswith("doc:") and cite[4:].strip())):
                _fail(path, where, f"{cite!r} is neither an http(s) URL nor a doc: reference")


def _is_http_url(text: str) -> bool:
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _coverage_floor(path, value) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
        _fail(path, "coverage_floor", f"expected a fraction in (0, 1] of the stated member count, got {value!r}")
    return float(value)


def _tags(path, value) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        _fail(path, "tags", "expected a mapping of tag -> value")
    for key, tag in value.items():
        if not isinstance(key, str) or not isinstance(tag, (str, int, float, bool)):
            _fail(path, f"tags.{key}", f"expected a text key with a scalar value, got {tag!r}")
    return dict(value)


def _funders(path, value) -> tuple:
    if value is None:
        return ()
    if not isinstance(value, list):
        _fail(path, "funders", "expected a list")
    out = []
    for i, item in enumerate(value):
        where = f"funders[{i}]"
        if not isinstance(item, dict):
            _fail(path, where, "expected a mapping with name and role")
        if not isinstance(item.get("name"), str) or not item["name"].strip():
            _fail(path, f"{where}.name", "required field is missing or empty")
        if item.get("role") not in FUNDER_ROLES:
            _fail(path, f"{where}.role", f"{item.get('role')!r} is not one of {', '.join(FUNDER_ROLES)}")
        if item.get("source") is not None and not isinstance(item["source"], str):
            _fail(path, f"{where}.source", f"expected text or null, got {item['source']!r}")
        out.append(dict(item))
    return tuple(out)


def _auto_context(doc: dict) -> dict:
    """What the auto parser knows of the network without being told: its stated size and its country."""
    context = {}
    if isinstance(doc.get("stated_member_count"), int) and not isinstance(doc["stated_member_count"], bool):
        context["expected_members"] = doc["stated_member_count"]
    if isinstance(doc.get("country_code"), str):
        context["network_country"] = doc["country_code"]
    return context


def _sources(path, network_id: str, value, auto_context: dict | None = None) -> tuple[SourceSpec, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        _fail(path, "sources", "expected a list of source specs")
    specs = []
    for i, item in enumerate(value):
        where = f"sources[{i}]"
        if not isinstance(item, dict):
            _fail(path, where, "expected a mapping with url (or path), kind, parser, allowed_hosts")
        for key in ("kind", "parser"):
            if not isinstance(item.get(key), str) or not item[key].strip():
                _fail(path, f"{where}.{key}", "required field is missing or empty")
        if item["kind"] not in SOURCE_KINDS:
            _fail(path, f"{where}.kind", f"{item['kind']!r} is not one of {', '.join(SOURCE_KINDS)}")
        if "path" in item:
            url, allowed, file_path = _file_source(path, where, network_id, item)
        else:
            url, allowed = _http_source(path, where, item)
            file_path = None
        parsers = _known_parsers()
        if parsers is not None and item["parser"] not in parsers:
            _fail(path, f"{where}.parser", f"unknown parser {item['parser']!r} (known: {', '.join(sorted(parsers))})")
        options = item.get("options") or {}
        if not isinstance(options, dict):
            _fail(path, f"{where}.options", "expected a mapping")
        _check_options(path, where, item["parser"], options, parsers)
        live_only = item.get("live_only", False)
        if not isinstance(live_only, bool) or (live_only and file_path is not None):
            _fail(path, f"{where}.live_only", "expected true or false, and only on a url source")
        if item["parser"] == "auto":
            options = {**(auto_context or {}), **options}
        specs.append(SourceSpec(network_id=network_id, url=url, kind=item["kind"], parser=item["parser"],
                                allowed_hosts=allowed, options=dict(options), path=file_path,
                                live_only=live_only))
    return tuple(specs)


def _http_source(path, where: str, item: dict) -> tuple[str, tuple[str, ...]]:
    if not isinstance(item.get("url"), str) or not item["url"].strip():
        _fail(path, f"{where}.url", "required field is missing or empty")
    hosts = item.get("allowed_hosts")
    if not isinstance(hosts, list) or not hosts or not all(isinstance(h, str) and h for h in hosts):
        _fail(path, f"{where}.allowed_hosts", "required: a non-empty list of host names")
    url = item["url"]
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        _fail(path, f"{where}.url", f"{url!r} is not an http(s) URL with a host")
    allowed = tuple(h.lower() for h in hosts)
    if parts.hostname.lower() not in allowed:
        _fail(path, f"{where}.url", f"host {parts.hostname!r} of {url!r} is not in allowed_hosts {list(allowed)}")
    return url, allowed


def _file_source(path: Path, where: str, network_id: str, item: dict) -> tuple[str, tuple, str]:
    """A curated file on disk: no host to check. Relative paths start at the YAML file's folder.

    The file is not required to exist here (a copied registry must still load); collect.py reports a
    missing file as a failed read naming the path.
    """
    value = item["path"]
    if not isinstance(value, str) or not value.strip():
        _fail(path, f"{where}.path", "expected the path of a curated file")
    if "url" in item:
        _fail(path, f"{where}.url", "give either url or path, not both")
    if item["kind"] not in FILE_KINDS:
        _fail(path, f"{where}.kind", f"a path source must be one of {', '.join(FILE_KINDS)}, not {item['kind']!r}")
    hosts = item.get("allowed_hosts")
    if hosts not in (None, []):
        _fail(path, f"{where}.allowed_hosts", "a path source is not fetched: leave allowed_hosts out")
    file_path = Path(value) if Path(value).is_absolute() else Path(path).parent / value
    resolved = file_path.resolve()
    return curated_url(network_id, resolved), (), str(resolved)


def _positive_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _check_options(path, where: str, parser: str, options: dict, parsers) -> None:
    """The options collect.py itself acts on (links, pages) and curated_table's column mapping."""
    for key in ("next", "member_links"):
        if key in options and (not isinstance(options[key], str) or not options[key].strip()):
            _fail(path, f"{where}.options.{key}", "expected a CSS selector")
    for key in ("max_pages", "min_members", "max_members"):
        if key in options and not _positive_int(options[key]):
            _fail(path, f"{where}.options.{key}", f"expected a positive integer, got {options[key]!r}")
    if ("member_links" in options) != (parser == "link_index"):
        _fail(path, f"{where}.options.member_links", "member_links goes with parser link_index (and only with it)")
    if parser == "link_index":
        page_parser = options.get("member_page")
        if not isinstance(page_parser, str) or page_parser == "link_index" or (
                parsers is not None and page_parser not in parsers):
            _fail(path, f"{where}.options.member_page",
                  f"{page_parser!r} is not a parser for member pages (known: {', '.join(sorted(parsers or ()))})")
        if not isinstance(options.get("member_options") or {}, dict):
            _fail(path, f"{where}.options.member_options", "expected a mapping")
    if parser == "curated_table":
        columns = options.get("columns")
        if not isinstance(columns, dict) or not isinstance(columns.get("name"), str) or not columns["name"]:
            _fail(path, f"{where}.options.columns", "expected a mapping with at least name: <column header>")
        for key, header in columns.items():
            if key not in CURATED_FIELDS:
                _fail(path, f"{where}.options.columns.{key}", f"unknown field (known: {', '.join(CURATED_FIELDS)})")
            if not isinstance(header, str) or not header.strip():
                _fail(path, f"{where}.options.columns.{key}", "expected a column header")
        _check_table_options(path, where, options)


def _check_table_options(path, where: str, options: dict) -> None:
    """How curated_table reads a file (scrapers/parsers/table_input.py) and which rows are this source's."""
    wanted = options.get("filter")
    if wanted is not None and (not isinstance(wanted, dict) or not wanted or not all(
            isinstance(k, str) and k.strip() and isinstance(v, (str, int)) and not isinstance(v, bool)
            for k, v in wanted.items())):
        _fail(path, f"{where}.options.filter", "expected a mapping of column header -> value")
    for key in ("encoding", "sheet"):
        if key in options and (not isinstance(options[key], str) or not options[key].strip()):
            _fail(path, f"{where}.options.{key}", "expected text")
    if "encoding" in options:
        import codecs

        try:
            codecs.lookup(options["encoding"])
        except LookupError:
            _fail(path, f"{where}.options.encoding", f"{options['encoding']!r} is not a known encoding")
    if "delimiter" in options and options["delimiter"] not in TABLE_DELIMITERS:
        _fail(path, f"{where}.options.delimiter", f"{options['delimiter']!r} is not one of , ; tab")


def _known_parsers():
    """Parser names, or None while scrapers.parsers does not exist yet (then the check is skipped)."""
    try:
        from scrapers.parsers import PARSERS
    except ImportError as exc:
        # skip only while the parsers package itself is missing or unfinished; a broken import inside
        # it (a missing dependency, a syntax error) must still surface
        if exc.name == "scrapers.parsers":
            return None
        raise
    return PARSERS
