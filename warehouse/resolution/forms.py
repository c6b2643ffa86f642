"""Read a member name as published: qualifiers, country and state suffixes, bilingual parts, and the
administrative forms around the place name ("Stadt X", "Comune di X", "X kommune", "X City Council").

Two levels: the raw text carries structure that name keys lose (parentheses, commas, slashes, dashes); the
administrative forms are matched on name keys, so case, accents and punctuation do not matter.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from warehouse.namekey import name_key
from warehouse.resolution.countries import US_STATES, parse_country

# Forms around a city's name, per language, as name keys. Longest first wins, so "freie und hansestadt"
# beats "hansestadt" and "city of" never eats "city of london borough" (kinds are checked before).
CITY_PREFIXES = [
    # German
    "stadt", "landeshauptstadt", "hansestadt", "freie hansestadt", "freie und hansestadt", "universitatsstadt",
    "universitats und hansestadt", "grosse kreisstadt", "kreisstadt", "kreisfreie stadt", "stadtverwaltung",
    "magistrat der stadt", "bundesstadt", "gemeinde", "marktgemeinde", "markt", "stadtgemeinde",
    "wissenschaftsstadt", "stadt und gemeinde", "landeshauptstadt und universitatsstadt",
    # French
    "ville de", "ville d", "commune de", "commune d", "mairie de", "mairie d", "municipalite de", "cite de",
    "ville et eurometropole de",
    # Italian
    "comune di", "comune de", "comune d", "citta di", "municipio di", "citta d",
    # Spanish, Catalan, Galician, Basque
    "ayuntamiento de", "ajuntament de", "ajuntament d", "concello de", "concello da", "concello do",
    "municipalidad de", "ilustre municipalidad de", "i municipalidad de", "alcaldia de", "alcaldia mayor de",
    "intendencia de", "municipio de", "gobierno autonomo municipal de", "concejo municipal de",
    "ciudad de", "ayuntamiento",
    # Portuguese
    "camara municipal de", "camara municipal do", "camara municipal da", "municipio do", "municipio da",
    "prefeitura de", "prefeitura municipal de", "prefeitura do", "prefeitura da", "prefeitura municipal do",
    "prefeitura municipal da", "cidade de", "cidade do", "cidade da",
    # Dutch
    "gemeente", "stad", "stadsbestuur",
    # Greek (Latin script)
    "dimos", "dimos of", "demos", "municipality of", "the municipality of",
    # Scandinavian
    "kommune", "kommun", "kaupunki",
    # Polish
    "miasto", "miasto stoleczne", "urzad miasta", "gmina", "miasto i gmina", "gmina miejska",
    # English
    "city of", "the city of", "town of", "the town of", "mayor of", "village of", "borough of",
]
CITY_SUFFIXES = [
    "city council", "city corporation", "town council", "borough council", "council", "municipality",
    "municipal council", "city government", "city hall", "metropolitan municipality", "municipal corporation",
    "kommune", "kommun", "stad", "kaupunki", "stadt", "gemeente", "city",
]
_PAREN = re.compile(r"^(.*\S)\s*\(([^()]*)\)\s*$")
_COMMA = re.compile(r"^(.*\S)\s*,\s*([^,]+)$")
_PROVINCE_CODE = re.compile(r"^(?:[A-Z]{2}|\d{2}|2[AB])$")  # Italian province "(NA)", French département "(84)"
_BILINGUAL = re.compile(r"\s*/\s*")
_COMPOSITE = re.compile(r"\s*[–—]\s*|\s+-\s+|\s+e\s+")  # en/em dash, spaced hyphen (not "Saint-Denis"),
# or the Italian "e" of a comune named after two places ("Lampedusa e Linosa")
# German place names carry a river: GeoNames often lists the town without it ("Rottenburg am Neckar"). Only a
# one-word river after am / an der: a landscape or district ("Hirschbach im Mühlkreis", "Höflein an der Hohen
# Wand", "Neumarkt in der Oberpfalz") is what tells the town from its namesakes, and is kept
_LOCATION_SUFFIX = re.compile(r"^(.+?) (am|an der|an dem) [a-z]+$")


@dataclass(frozen=True)
class ParsedName:
    raw: str
    core: str                       # the name without recognised qualifiers and suffixes
    qualifiers: tuple[str, ...]     # keys of parenthesised parts that were not a country or province code
    country_hint: str | None        # ISO2 stated inside the name: "X (Germany)", "X, Italy"
    admin1_hint: str | None         # US state code: "Portland, OR"
    parts: tuple[str, ...]          # the parts of "Bozen/Bolzano" or "Kara - Commune de Kozah 1"
    bilingual: bool                 # parts are one place's names ("/"), else composite parts
    province_hint: str | None = None  # a province or département code in brackets: "Pesaro (PU)", "Sault (84)"


def parse_name(raw: str, country_by_key: dict[str, str]) -> ParsedName:
    text = " ".join(raw.split())
    core, qualifiers, country, admin1, province = text, [], None, None, None
    while True:  # trailing "(...)" groups, innermost last
        m = _PAREN.match(core)
        if not m:
            break
        core, inner = m.group(1), m.group(2).strip()
        cc = parse_country(inner, country_by_key) if len(inner) > 2 else None
        if cc and country is None:
            country = cc
        elif _PROVINCE_CODE.match(inner):
            province = province or inner
        elif inner:
            qualifiers.append(name_key(inner))
    m = _COMMA.match(core)
    if m:
        head, tail = m.group(1), m.group(2).strip()
        tail_key = name_key(tail)
        if tail.upper() in US_STATES and tail.isupper() and len(tail) == 2:
            core, admin1 = head, tail.upper()
        elif len(tail) > 2 and parse_country(tail, country_by_key):
            core, country = head, country or parse_country(tail, country_by_key)
        elif tail_key in CITY_PREFIXES or tail_key in CITY_SUFFIXES:
            core = head  # "Cuxhaven, Stadt"
        elif tail_key in ("d c", "dc"):
            core, admin1 = head, "DC"
    parts: tuple[str, ...] = ()
    bilingual = False
    if "/" in core:
        parts, bilingual = tuple(p for p in _BILINGUAL.split(core) if p), True
    elif _COMPOSITE.search(core):
        parts = tuple(p for p in _COMPOSITE.split(core) if p)
    return ParsedName(raw=text, core=core, qualifiers=tuple(q for q in qualifiers if q), country_hint=country,
                      admin1_hint=admin1, parts=parts if len(parts) > 1 else (), bilingual=bilingual,
                      province_hint=province)


def strip_city_forms(key: str) -> list[str]:
    """Keys left after removing city forms ("stadt munchen" -> "munchen"), most stripped last; [] if none."""
    out: list[str] = []
    current = key
    for _ in range(3):  # "Stadtverwaltung der Stadt X", "Comune di X city council"
        stripped = _strip_once(current)
        if not stripped or stripped == current:
            break
        out.append(stripped)
        current = stripped
    if _LOCATION_SUFFIX.match(current):  # "Rottenburg am Neckar" -> "rottenburg"
        out.append(_LOCATION_SUFFIX.match(current).group(1))
    # genitives left by Scandinavian forms: "Stockholms stad", "Københavns Kommune", "Göteborgs Stad"
    if out and key.split()[-1] in ("stad", "kommune", "kommun") and out[-1].endswith("s") and len(out[-1]) > 4:
        out.append(out[-1][:-1])
    return out


_PREFIX_SET = frozenset(CITY_PREFIXES)
_SUFFIX_SET = frozenset(CITY_SUFFIXES)
_MAX_WORDS = max(len(f.split()) for f in (*CITY_PREFIXES, *CITY_SUFFIXES))


def _strip_once(key: str) -> str | None:
    """Remove the longest city form at the start or end of `key` (word-aligned set lookups: fast)."""
    words = key.split()
    best: tuple[int, str] | None = None
    for n in range(1, min(_MAX_WORDS, len(words) - 1) + 1):
        head, tail = " ".join(words[:n]), " ".join(words[-n:])
        if head in _PREFIX_SET and (best is None or len(head) > best[0]):
            best = (len(head), " ".join(words[n:]))
        if tail in _SUFFIX_SET and (best is None or len(tail) > best[0]):
            best = (len(tail), " ".join(words[:-n]))
    return best[1] if best else None
