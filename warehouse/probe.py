"""`tcn probe SOURCE`: read a page (a URL, fetched politely as in live mode, or a local file) and show the
member lists the auto parser sees on it, with the gazetteer of the data directory's working database."""
from __future__ import annotations

from pathlib import Path

from scrapers.fetch import make_fetcher
from scrapers.probe import (
    ProbeError,
    as_json,
    as_text,
    dumps,
    fetch_pages,
    file_pages,
    is_url,
    merged_candidates,
    printable,
)
from scrapers.registry import load_registry
from warehouse.place_recogniser import open_places


def probe(source: str, db_path: Path, network_id: str | None = None, json_output: bool = False,
          fetcher=None, places=None) -> str:
    """The probe's report (text or JSON). ProbeError / KeyError name what could not be read. `places`: a
    recogniser already open (else one over db_path's gazetteer)."""
    expected = country = None
    if network_id:
        network = load_registry().get(network_id)
        expected, country = network.stated_member_count, network.country_code
    if is_url(source):
        own = fetcher is None
        fetcher = fetcher or make_fetcher("live")
        try:
            pages = fetch_pages(source, fetcher)
        finally:
            if own:
                fetcher.close()
    else:
        if not Path(source).is_file():
            raise ProbeError(f"{source}: not an http(s) URL and not a file")
        pages = file_pages(Path(source))
    candidates = merged_candidates(pages, places or open_places(db_path), expected, country)
    if json_output:
        return dumps(as_json(source, candidates))
    return printable(as_text(source, candidates, paginated=len(pages) > 1))
