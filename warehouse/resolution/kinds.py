"""Member kinds that are not a city: districts of a city, counties, regions, states, associations.

A member of one of these kinds is never resolved to a populated place, even when a town of the same name
exists ("Landkreis Göttingen" is not Göttingen). Kinds (see docs/resolution.md):
  district                 part of a larger city (London borough, Berlin Bezirk, arrondissement, Korean -gu)
  county                   local government over several towns (Landkreis, US county, UK metropolitan
                           borough without a town of its name, Australian regional council, province)
  region                   a region or island government (Region Hannover, Région ..., län, island council)
  state                    a federated state or first-level province (Freistaat, "X State", "State of X")
  municipal_association    association of municipalities (Samtgemeinde, Verbandsgemeinde, communauté de ...)
  other                    not a local government (consortium)
Markers are matched on name keys (lowercase ASCII words), so "Région"/"region", "Län"/"lan" are one form.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

NON_CITY_KINDS = ("district", "county", "region", "state", "municipal_association", "other")

# (kind, prefix keys); longest prefixes are tried first
KIND_PREFIXES = {
    "district": ["london borough of", "royal borough of", "bezirksamt", "stadtbezirk", "bezirk", "arrondissement",
                 "distrito de", "municipal district of"],
    "county": ["landkreis", "kreis", "stadteregion", "regionalverband", "county of", "comte de", "departement de",
               "departement du", "departement des", "departement d", "conseil departemental de",
               "conseil departemental du", "provincia di", "provincia de", "provincia del", "province of",
               "province de", "diputacion de", "diputacion provincial de", "diputacio de", "consell comarcal de",
               "consell comarcal del", "comarca de", "metropole de", "metropole du", "metropole d",
               "eurometropole de", "citta metropolitana di", "metropolitan city of", "shire of", "district of",
               "powiat", "landschaftsverband", "okres", "contea di", "condado de"],
    "region": ["region", "regione", "region de", "region del", "region of", "comunidad de",
               "comunidad autonoma de", "comunitat", "generalitat de", "junta de", "cabildo de", "cabildo insular de",
               "consell insular de", "regierungsbezirk", "bezirksregierung", "wojewodztwo", "voivodeship",
               "periphery of", "perifereia", "landsting", "region hovedstaden"],
    "state": ["state of", "freistaat", "estado de", "estado do", "bundesland"],
    "municipal_association": [
        # German, Austrian
        "samtgemeinde", "sg", "verbandsgemeinde", "vg", "amt", "verwaltungsgemeinschaft", "gemeindeverwaltungsverband",
        "zweckverband", "gemeindeverband", "kommunalverband", "planungsverband", "stadteverbund", "stadtetag",
        "deutscher stadtetag", "stadte und gemeindebund", "gemeindebund", "gemeindetag", "kleinregion",
        # French, Belgian
        "communaute de communes", "communaute d agglomeration", "communaute de l agglomeration", "communaute urbaine",
        "communaute de communes du", "syndicat intercommunal", "syndicat mixte", "sivom", "sivu",
        "etablissement public territorial", "pole d equilibre territorial", "intercommunale",
        "association des maires", "association des communes", "union des villes", "union des communes",
        # Italian
        "unione dei comuni", "unione comuni", "unione di comuni", "unione montana", "unione montana dei comuni",
        "unione terre", "comunita montana", "comunita collinare", "comunita della", "comunita delle",
        "comunita di valle", "consorzio dei comuni", "consorzio", "associazione dei comuni",
        "associazione intercomunale", "associazione comuni", "raggruppamento", "raggruppamento dei comuni",
        "federazione dei comuni", "ambito territoriale", "anci",
        # Spanish, Catalan, Portuguese
        "mancomunidad de", "mancomunidad", "mancomunitat", "consorcio", "federacion de municipios",
        "federacion espanola de municipios", "asociacion de municipios", "agrupacion de municipios",
        "area metropolitana de", "entidad metropolitana", "associacao de municipios", "comunidade intermunicipal",
        "associacao nacional de municipios",
        # Dutch, Nordic
        "samenwerkingsverband", "vereniging van", "vereniging van nederlandse gemeenten", "kommunforbund",
        "kommunalforbund", "samkommune", "interkommunalt", "kuntayhtyma", "seutukunta", "kommunernes landsforening",
        # Polish, Czech, Slovak, Hungarian, Romanian, Croatian, Slovenian, Greek
        "zwiazek gmin", "zwiazek miedzygminny", "zwiazek powiatow", "zwiazek miast", "stowarzyszenie gmin",
        "svazek obci", "dobrovolny svazek obci", "mikroregion", "sdruzeni obci", "zdruzenie obci",
        "zdruzenie miest a obci", "onkormanyzati tarsulas", "tarsulas", "kisterseg", "asociatia comunelor",
        "asociatia municipiilor", "asociatia de dezvoltare intercomunitara", "udruga opcina", "udruga gradova",
        "skupnost obcin", "zdruzenje obcin", "enosi dimon", "kede", "syndesmos dimon",
        # English
        "association of", "union of", "union of municipalities", "federation of", "league of", "alliance of",
        "network of", "consortium of", "joint committee", "conference of",
    ],
    "other": ["local action group", "lokale aktionsgruppe", "groupe d action locale", "gruppo di azione locale",
              "grupo de accion local", "lokalna grupa dzialania", "mistni akcni skupina", "leader", "leader region",
              "euroregion", "eurodistrict", "egtc", "gect", "agence", "agency", "foundation", "fondazione",
              "fundacion", "stiftung", "institute", "istituto", "university", "universita", "universidad"],
}
KIND_SUFFIXES = {
    "district": ["london borough", "borough of london", "arrondissement", "gu", "ku", "bezirk"],
    "county": ["county", "county council", "kreis", "shire", "shire council", "regional council",
               "district council", "district", "landkreis", "province", "provincia", "powiat"],
    "region": ["region", "regional government", "island council", "periphery"],
    "state": ["state", "state government"],
    "municipal_association": ["samtgemeinde", "municipal association", "communaute", "agglomeration", "agglo",
                              "intercom", "communaute de communes", "zweckverband", "verband", "gemeindeverband",
                              "mikroregion", "liitto", "kommunforbund", "samkommune", "interkommunale",
                              "association", "association of municipalities", "union of municipalities",
                              "combined authority", "partnership", "alliance", "league", "network"],
    "other": ["consortium", "local action group", "leader", "e v", "foundation", "agency"],
}
# compound German names: "Rhein-Sieg-Kreis" keys to "rhein sieg kreis" (caught by the suffix), but
# "Märkischer Kreis" too; "Landkreis" glued to nothing else.
_ARRONDISSEMENT = re.compile(r"^(paris|lyon|marseille) (0?[1-9]|1[0-9]|20)( ?(er|e|eme|ieme|st|nd|rd|th))?$")
_ARRONDISSEMENT_WORDS = re.compile(r"^(0?[1-9]|1[0-9]|20) ?(er|e|eme|ieme)? arrondissement")


@dataclass(frozen=True)
class KindMatch:
    kind: str
    marker: str           # the form or list entry that says so
    parent_geonameid: int | None = None


@lru_cache(maxsize=1)
def _district_list() -> dict[tuple[str, str], tuple[str, int | None]]:
    """Curated districts of big cities and council areas without a town of their name (districts.csv)."""
    from warehouse.namekey import name_key

    path = Path(__file__).with_name("districts.csv")
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return {(name_key(r["name"]), r["country_code"]): (r["member_kind"], int(r["parent_geonameid"])
                                                      if r["parent_geonameid"] else None) for r in rows}


def _district_anywhere(key: str) -> tuple[str, int | None] | None:
    # country unknown: a listed name counts only when it is listed for one country
    found = {entry for (k, _), entry in _district_list().items() if k == key}
    return found.pop() if len(found) == 1 else None


_PREFIX_KIND = {form: kind for kind, forms in KIND_PREFIXES.items() for form in forms}
_SUFFIX_KIND = {form: kind for kind, forms in KIND_SUFFIXES.items() for form in forms}
_MAX_WORDS = max(len(f.split()) for f in (*_PREFIX_KIND, *_SUFFIX_KIND))


def _prefix_kind(key: str) -> KindMatch | None:
    words = key.split()
    for n in range(min(_MAX_WORDS, len(words) - 1), 0, -1):  # longest form first
        head = " ".join(words[:n])
        if head in _PREFIX_KIND:
            return KindMatch(_PREFIX_KIND[head], head)
    return None


# suffixes that only mean a kind in some countries: Korean/Japanese "-gu"/"-ku" (not "San Pietro in Gu")
_SUFFIX_COUNTRIES = {"gu": {"KR", "JP"}, "ku": {"KR", "JP"}}


def _suffix_kind(key: str, country_code: str | None = None) -> KindMatch | None:
    words = key.split()
    for n in range(min(_MAX_WORDS, len(words) - 1), 0, -1):
        tail = " ".join(words[-n:])
        if tail in _SUFFIX_KIND:
            where = _SUFFIX_COUNTRIES.get(tail)
            if where and country_code and country_code not in where:
                continue
            return KindMatch(_SUFFIX_KIND[tail], tail)
    return None


def detect_kind(key: str, country_code: str | None, qualifiers: tuple[str, ...] = ()) -> KindMatch | None:
    """The non-city kind a member name states, or None when it reads as a city or town.

    `key` is the name key without qualifiers; `qualifiers` are keys of parenthesised or comma parts
    ("London Borough", "region")."""
    if not key:
        return None
    for qualifier in qualifiers:
        match = _prefix_kind(qualifier + " x") or _suffix_kind("x " + qualifier)
        if match is None and qualifier in _qualifier_words():
            match = KindMatch(_qualifier_words()[qualifier], qualifier)
        if match:
            return match
    listed = _district_list().get((key, country_code)) if country_code else _district_anywhere(key)
    if listed:
        return KindMatch(listed[0], "districts.csv", listed[1])
    if _ARRONDISSEMENT.match(key) or _ARRONDISSEMENT_WORDS.match(key):
        return KindMatch("district", "arrondissement")
    if country_code == "SE" and key.endswith("s lan"):  # Swedish county: "Dalarnas län"
        return KindMatch("region", "lan")
    return _prefix_kind(key) or _suffix_kind(key, country_code) or _word_kind(key)


# Words that name a body, not a place, wherever they stand ("Valle Brembana Unione dei Comuni", "Consorzio
# Intercomunale X", "Leader-Region Y"): chosen because no GeoNames populated place is named with them.
WORD_KINDS = {
    "municipal_association": ["intercommunale", "intercommunal", "intercommunalite", "intercomunale",
                              "intermunicipal", "intermunicipale", "intermunicipality", "interkommunal",
                              "interkommunale", "intercomunal", "zweckverband", "gemeindeverband", "mancomunidad",
                              "mancomunitat", "raggruppamento", "consorzio", "consorcio", "associazione",
                              "asociacion", "associacao", "association", "asociatia", "stowarzyszenie", "zwiazek",
                              "svazek", "zdruzenie", "kuntayhtyma", "kommunforbund", "samkommune", "unione",
                              "comunita montana", "communaute", "samenwerkingsverband", "entwicklungsverband",
                              "verbandsgemeinde", "kommunalverband", "unione montana", "agglomeration"],
    "other": ["euroregion", "eurodistrict", "leader", "aktionsgruppe",
              # rural-development and other associations: Hungarian egyesület / vidékfejlesztési, German
              # Regionalentwicklung / Regionalmanagement / Arbeitsgemeinschaft, Finnish kehittämisyhdistys, Dutch
              # stichting, Nordic förening, Greek anaptyxiaki, local action groups in Romanian, Slovene,
              # Croatian, Swedish (no GeoNames place name holds any of them)
              "egyesulet", "videkfejlesztesi", "szovetseg", "regionalentwicklung", "regionalmanagement",
              "arbeitsgemeinschaft", "kehittamisyhdistys", "stichting", "forening", "anaptyxiaki",
              "grup de actiune locala", "lokalna akcijska skupina", "lokalna akcijska grupa", "lokal aktionsgrupp",
              "razvojna agencija"],
}
_WORD_KIND = {w: kind for kind, words in WORD_KINDS.items() for w in words}
_WORD_MAX = max(len(w.split()) for w in _WORD_KIND)


def _word_kind(key: str) -> KindMatch | None:
    words = key.split()
    if len(words) < 2:
        return None
    for n in range(_WORD_MAX, 0, -1):
        for i in range(len(words) - n + 1):
            chunk = " ".join(words[i:i + n])
            if chunk in _WORD_KIND:
                return KindMatch(_WORD_KIND[chunk], chunk)
    return None


# Abbreviations of bodies, matched on the name as written (upper case): "CC du Pays d'Ancenis",
# "CA Rambouillet Territoires", "GAL Valle Seriana", "LAG Oberes Mühlviertel", "PETR du Pays Barrois"
ABBREVIATIONS = {
    "CC": "municipal_association", "CA": "municipal_association", "CU": "municipal_association",
    "CCAS": "other", "SIVOM": "municipal_association", "SIVU": "municipal_association", "SMA": "municipal_association",
    "PETR": "municipal_association", "EPT": "municipal_association", "EPCI": "municipal_association",
    "CIM": "municipal_association", "AMP": "municipal_association", "ADI": "municipal_association",
    "GAL": "other", "LAG": "other", "LGD": "other", "MAS": "other", "AGESIC": "other", "GECT": "other",
    "EGTC": "other", "ANCI": "municipal_association", "VNG": "municipal_association", "KEDE": "municipal_association",
    "FEMP": "municipal_association", "ANMP": "municipal_association", "CEMR": "municipal_association",
}
_ABBREV = re.compile(r"^(" + "|".join(sorted(ABBREVIATIONS, key=len, reverse=True)) + r")\b(?!['’])")
# in final brackets only from three letters: "(CA)" or "(PU)" is an Italian province code
_ABBREV_END = re.compile(r"\(((?:" + "|".join(sorted(ABBREVIATIONS, key=len, reverse=True)) + r")[A-Z]*)\)\s*$")


def abbreviation_kind(raw: str) -> KindMatch | None:
    """A body named by an upper-case abbreviation at the start ("CC X") or in final brackets ("X (CCVE)")."""
    text = raw.strip()
    m = _ABBREV.match(text)
    if m and len(text) > len(m.group(1)) + 1:
        return KindMatch(ABBREVIATIONS[m.group(1)], m.group(1))
    m = _ABBREV_END.search(text)
    if m and len(m.group(1)) >= 3:
        abbrev = next(a for a in sorted(ABBREVIATIONS, key=len, reverse=True) if m.group(1).startswith(a))
        return KindMatch(ABBREVIATIONS[abbrev], abbrev)
    return None


@lru_cache(maxsize=1)
def _qualifier_words() -> dict[str, str]:
    # a qualifier that is the kind itself: "Dalarna (region)", "Tenerife (Island Council)"
    words = {}
    for kind, forms in KIND_SUFFIXES.items():
        for form in forms:
            words[form] = kind
    for kind, forms in KIND_PREFIXES.items():
        for form in forms:
            if " " not in form and len(form) > 3:
                words.setdefault(form, kind)
    words.update({"borough": "district", "municipal district": "district", "metropolitan borough": "county",
                  "unitary authority": "county", "department": "county", "departement": "county"})
    return words
