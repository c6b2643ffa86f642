"""`tcn import`: one membership file (CSV or XLSX, many networks) -> one registry entry per network.

Each entry reads its rows from the one file through curated_table's `filter` option (the network column equals
the network's name), so the file stays the single source: edit it and refresh. The entries are validated like
every registry file before anything is written, and the rows are counted as a refresh will count them: read,
landed (one per member), merged into another row of the same member, refused (a blank name). Rows with no
network cannot belong to any entry; they are counted as refused here.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import yaml

from scrapers.local_file import curated_url
from scrapers.model import FetchedResponse
from scrapers.parsers.common import ParseError, clean_text
from scrapers.parsers.curated_table import CuratedTableParser
from scrapers.parsers.table_input import read_table
from scrapers.registry import NETWORKS_DIR, RegistryError, parse_network
from warehouse.namekey import name_key
from warehouse.row_accounting import FetchAccount, account_network

# --map keys -> curated_table fields (`network` picks the rows, it is no field of a mention)
MAP_FIELDS = {"name": "name", "network": None, "country": "country", "joined": "joined", "kind": "member_kind",
              "place": "place", "source_url": "source_url", "role": "role", "left": "left"}
# headers recognised without --map (case-insensitive): English, German, French, Spanish, Italian
HEADER_GUESSES = {
    "name": ("name", "member", "member name", "mitglied", "name des mitglieds", "membre", "nom", "miembro",
             "nombre", "membro", "nome", "municipality", "city", "kommune", "gemeinde", "commune"),
    "network": ("network", "network name", "netzwerk", "réseau", "reseau", "red", "rete"),
    "country": ("country", "land", "staat", "pays", "país", "pais", "paese", "country code"),
    "joined": ("joined", "join year", "year joined", "beitritt", "beitrittsjahr", "adhésion", "adhesion",
               "año de adhesión", "anno di adesione", "since", "seit"),
    "kind": ("kind", "type", "entity type", "member type", "typ", "art"),
    "place": ("place", "locality", "ort", "sitz", "seat", "localité", "localite", "localidad", "località"),
    "source_url": ("source_url", "source", "url", "quelle"),
    "left": ("left", "left year", "austritt"),
    "role": ("role", "rolle", "rôle"),
}
SCOPES = ("global", "regional", "national")


class MemberImportError(ValueError):
    """The file or the mapping cannot make registry entries; the message names the file and what is wrong."""


@dataclass
class NetworkImport:
    network_id: str
    name: str
    path: Path
    account: FetchAccount


@dataclass
class ImportReport:
    file: Path
    read_as: str
    networks: list[NetworkImport] = field(default_factory=list)
    rows_without_network: int = 0
    removed: list[str] = field(default_factory=list)  # entries of networks the file no longer names

    @property
    def totals(self) -> dict:
        out = {k: sum(getattr(n.account, k) for n in self.networks)
               for k in ("rows_read", "rows_landed", "rows_merged", "rows_refused")}
        out["rows_read"] += self.rows_without_network
        out["rows_refused"] += self.rows_without_network
        return out


def parse_mapping(text: str | None) -> dict[str, str]:
    """--map name=COL,network=COL,... -> {key: column header}."""
    mapping: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        key, sep, column = part.partition("=")
        key = key.strip()
        if not sep or not column.strip():
            raise MemberImportError(f"--map: {part!r} is not KEY=COLUMN")
        if key not in MAP_FIELDS:
            raise MemberImportError(f"--map: unknown key {key!r} (known: {', '.join(MAP_FIELDS)})")
        mapping[key] = column.strip()
    return mapping


def parse_tags(values: list[str] | None) -> dict[str, str]:
    """--tag KEY=VALUE (repeatable) -> {key: value}: a subset the metrics by tag can ask about."""
    tags = {}
    for value in values or []:
        key, sep, text = value.partition("=")
        if not sep or not key.strip() or not text.strip():
            raise MemberImportError(f"--tag: {value!r} is not KEY=VALUE")
        tags[key.strip()] = text.strip()
    return tags


def _columns(header: list[str], mapping: dict[str, str], file: Path) -> dict[str, str]:
    """{map key: header as written in the file}: --map first, else a recognised header."""
    by_fold = {clean_text(h).casefold(): clean_text(h) for h in header if clean_text(h)}
    chosen = {}
    for key in MAP_FIELDS:
        if key in mapping:
            found = by_fold.get(clean_text(mapping[key]).casefold())
            if found is None:
                raise MemberImportError(f"{file}: no column {mapping[key]!r} (--map {key}=...); columns are {header}")
            chosen[key] = found
        else:
            guess = next((by_fold[g] for g in HEADER_GUESSES[key] if g in by_fold), None)
            if guess is not None and guess not in chosen.values():
                chosen[key] = guess
    for required in ("name", "network"):
        if required not in chosen:
            raise MemberImportError(f"{file}: which column holds the member's {required}? None is named like one; "
                               f"say it with --map {required}=COLUMN (columns are {header})")
    return chosen


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name_key(text)).strip("-")[:60].strip("-") or "network"


def _bundled_ids() -> set[str]:
    return {p.stem for p in NETWORKS_DIR.glob("*.yaml")}


def _entry(network_id: str, name: str, file: Path, out_dir: Path, kind: str, columns: dict[str, str],
           options: dict, scope: str, tags: dict) -> dict:
    fields = {MAP_FIELDS[k]: header for k, header in columns.items() if MAP_FIELDS[k]}
    source_options = {"columns": fields, "filter": {columns["network"]: name}, **options}
    relative = Path(os.path.relpath(file.resolve(), out_dir.resolve()))
    return {
        "id": network_id, "name": name, "scope": scope,
        "tags": {"imported_from": file.name, **tags},
        "sources": [{"path": relative.as_posix(), "kind": kind, "parser": "curated_table",
                     "options": source_options}],
    }


def import_members(file: Path, out_dir: Path, id_prefix: str = "", mapping: dict[str, str] | None = None,
                   scope: str = "regional", read_options: dict | None = None,
                   countries: dict[str, str] | None = None, tags: dict | None = None) -> ImportReport:
    """Write one registry entry per network of `file` into `out_dir`; the counts per network and in total."""
    file, out_dir = Path(file), Path(out_dir)
    if scope not in SCOPES:
        raise MemberImportError(f"--scope {scope!r} is not one of {', '.join(SCOPES)}")
    if id_prefix and not re.fullmatch(r"[a-z0-9-]*", id_prefix):
        raise MemberImportError(f"--id-prefix {id_prefix!r} must match [a-z0-9-]*")
    try:
        body = file.read_bytes()
    except OSError as exc:
        raise MemberImportError(f"{file}: cannot read it: {exc.strerror or exc}") from None
    read_options = {k: v for k, v in (read_options or {}).items() if v}
    try:
        table = read_table(body, read_options, str(file))
    except ParseError as exc:
        raise MemberImportError(str(exc)) from None
    kind = "xlsx" if table.read_as.startswith("xlsx") else "csv"
    columns = _columns(table.header, mapping or {}, file)
    network_index = [clean_text(h) for h in table.header].index(columns["network"])

    names: dict[str, str] = {}  # folded network name -> first spelling
    without = 0
    for _, row in table.rows:
        value = clean_text(row[network_index]) if network_index < len(row) else ""
        if value:
            names.setdefault(value.casefold(), value)
        else:
            without += 1
    if not names:
        raise MemberImportError(f"{file}: no row names a network in column {columns['network']!r}")

    bundled, ids = _bundled_ids(), {}
    for name in names.values():
        base = id_prefix + _slug(name)
        network_id, n = base, 2
        while network_id in ids.values():
            network_id, n = f"{base}-{n}", n + 1
        ids[name] = network_id
    taken = sorted(i for i in ids.values() if i in bundled)
    if taken:
        raise MemberImportError(f"{file}: network id(s) {', '.join(taken)} are bundled networks' ids; choose a prefix "
                           f"for yours, e.g. --id-prefix my-")

    if countries is None:
        from warehouse.gazetteer import country_name_keys

        countries = country_name_keys()
    report = ImportReport(file=file, read_as=table.read_as, rows_without_network=without)
    parser = CuratedTableParser()
    documents = []
    for name, network_id in ids.items():
        doc = _entry(network_id, name, file, out_dir, kind, columns, read_options, scope, tags or {})
        target = out_dir / f"{network_id}.yaml"
        text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
        try:
            parse_network(target, text.encode("utf-8"))  # validated like every registry file
        except RegistryError as exc:
            raise MemberImportError(f"the entry for network {name!r} is not valid: {exc}") from None
        spec_options = doc["sources"][0]["options"]
        response = FetchedResponse(curated_url(network_id, file), curated_url(network_id, file), 200, {}, body,
                                   None, datetime.now(timezone.utc))
        try:
            mentions = parser.parse(response, spec_options)
        except ParseError as exc:
            raise MemberImportError(str(exc)) from None
        record = _Parsed(list(mentions), mentions.rows_read, mentions.refused)
        accounts, _ = account_network("import", network_id, [(network_id, record)], countries, None)
        report.networks.append(NetworkImport(network_id, name, target, accounts[0]))
        documents.append((target, text))
    out_dir.mkdir(parents=True, exist_ok=True)
    for target, text in documents:
        staged = target.with_suffix(".yaml.tmp")
        staged.write_text(text, encoding="utf-8")
        staged.replace(target)
    report.removed = _remove_left_networks(out_dir, file, {target for target, _ in documents})
    return report


def _remove_left_networks(out_dir: Path, file: Path, written: set[Path]) -> list[str]:
    """Entries an earlier import of the same file wrote for networks the file no longer names: removed, so the
    next refresh retires those networks (their history stays). Other files in the folder are left alone."""
    removed = []
    for path in sorted(out_dir.glob("*.yaml")):
        if path in written:
            continue
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError, UnicodeDecodeError):
            continue
        sources = doc.get("sources") if isinstance(doc, dict) else None
        tags = doc.get("tags") if isinstance(doc, dict) else None
        same_file = isinstance(sources, list) and any(
            isinstance(s, dict) and isinstance(s.get("path"), str)
            and (out_dir / s["path"]).resolve() == file.resolve() for s in sources)
        if isinstance(tags, dict) and tags.get("imported_from") == file.name and same_file:
            path.unlink()
            removed.append(path.stem)
    return removed


@dataclass
class _Parsed:  # what account_network reads of a FetchRecord
    mentions: list
    rows_read: int
    refused: list


def format_report(report: ImportReport, out_dir: Path) -> str:
    header = f"{'network':<40} {'id':<40} {'read':>7} {'landed':>7} {'merged':>7} {'refused':>7}"
    lines = [f"{report.file}: read as {report.read_as}", header, "-" * len(header)]
    for n in report.networks:
        a = n.account
        lines.append(f"{n.name[:40]:<40} {n.network_id[:40]:<40} {a.rows_read:>7} {a.rows_landed:>7} "
                     f"{a.rows_merged:>7} {a.rows_refused:>7}")
    if report.rows_without_network:
        lines.append(f"{'(no network named)':<40} {'-':<40} {report.rows_without_network:>7} {0:>7} {0:>7} "
                     f"{report.rows_without_network:>7}")
    t = report.totals
    unaccounted = t["rows_read"] - t["rows_landed"] - t["rows_merged"] - t["rows_refused"]
    lines.append(f"{len(report.networks)} networks: {t['rows_read']} rows read = {t['rows_landed']} landed + "
                 f"{t['rows_merged']} merged into another row + {t['rows_refused']} refused; "
                 f"{unaccounted} unaccounted")
    if report.removed:
        lines.append(f"removed {len(report.removed)} entries of networks the file no longer names (the next refresh "
                     f"retires them; their history stays): {', '.join(report.removed)}")
    lines.append(f"wrote {len(report.networks)} registry entries to {out_dir}; load them with: "
                 f"TCN_REGISTRY={out_dir} tcn refresh --registry-only")
    return "\n".join(lines)
