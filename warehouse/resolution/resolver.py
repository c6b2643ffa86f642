"""The decision: one member name (with what is known of its country) -> a GeoNames place, or an honest no.

Order of evidence (docs/resolution.md):
  1. override       overrides.csv, whatever else the name says
     state          a state, region or province the name states ("Latrobe (Vic.)", "X, Victoria", "Portland,
                    OR") keeps only candidates in it
     area           a local government area named with its form ("City of Monash", "Cook County, IL"): its
                    division, and its town only when certain (local_government.py)
  2. kind           a district, county, region, state, association, union, inter-municipal body or LEADER
                    group is not a city: never resolved to a town (a region's or province's own id goes to
                    admin_geonameid)
  3. exact / alias  the name key equals a place's primary (exact) or alternate (alias) name key
  4. stripped       the same after removing qualifiers, country/state suffixes and administrative forms,
                    or every part of a bilingual name agrees on one place, or (within the country) a
                    space/hyphen spelling variant or a bracketed former name that is an alternate name
  5. division       a name no place carries that is a region's, province's or municipality's name
  6. fuzzy          a typo within the known country (fuzzy.py): off by default, shown unsafe
Candidates are sought within the country (stated on the page or in the name, else the network's), else
within the network's region (a name with no place there: worldwide), else worldwide, where a metropolis far
bigger than its namesakes wins (the dominance rule) and a municipality held only as a unit is recognised.
Several candidates: the most populous wins only by a margin that grows as the search widens (country < region
< world), and never over a town of that very name when it only carries the name as an alternate, nor over a
candidate whose name is the name as written, accents included; otherwise the name stays unresolved, in the
review queue.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from rapidfuzz.distance import OSA

from warehouse.namekey import name_key
from warehouse.resolution.countries import US_STATES, parse_country, region_countries
from warehouse.resolution.forms import ParsedName, parse_name, strip_city_forms
from warehouse.resolution.fuzzy import fuzzy_candidates
from warehouse.resolution.gazetteer_index import GazetteerIndex, Place
from warehouse.resolution.kinds import NON_CITY_KINDS, KindMatch, abbreviation_kind, detect_kind
from warehouse.resolution.local_government import AREA_COUNTRIES, area_name, find_area
from warehouse.resolution.overrides import Overrides, load_overrides

# Bump when a change alters decisions: the pipeline then re-resolves every member.
RESOLVER_CODE_VERSION = "4"

METHODS = ("override", "exact", "alias", "stripped", "fuzzy", "place_hint", "unresolved")
REASONS = ("no_name_key", "no_candidate", "ambiguous", "ambiguous_without_country", "not_a_city")
# Countries whose GeoNames second-level divisions are the municipalities (kommuner, gemeenten, concelhos,
# comune/orașe, općine/gradovi, obshtini, Australian local government areas ...): there a level-2 division
# is a town's municipality, not a county
MUNICIPAL_LEVEL2 = frozenset({"NO", "SE", "DK", "NL", "PT", "RO", "HR", "BG", "EE", "LV", "CY", "AU", "NZ"})
# a local-government name (local_government.py) whose area the gazetteer lacks resolves to a town of its name
# only from this size: a smaller namesake is as likely another state's village (Manningham, SA, 1,302)
AREA_FALLBACK_MIN_POPULATION = 10_000
# the GeoNames level of the division a non-city kind names; words between a form and the name
_DIVISION_LEVEL = {"region": 1, "state": 1, "county": 2}
_CONNECTORS = {"di", "de", "du", "des", "del", "della", "dello", "dei", "d", "of", "the", "la", "le", "l", "do", "da"}
DENOTES = {"county": "administrative_unit", "region": "administrative_unit", "state": "administrative_unit",
           "district": "part_of_city", "municipal_association": "organisation", "other": "organisation"}
# Page kinds that still describe a place the gazetteer lists.
CITY_LIKE_KINDS = {"city", "town", "municipality", "village", "commune", "municipio", "comune", "gemeinde"}


@dataclass(frozen=True)
class Policy:
    """Margins the most populous candidate needs over the next one, per search scope (measured on the gold
    set, see benchmarks/resolution_eval.py), and the floor for a match found without a country."""
    ratio_country: float = 3.0
    ratio_region: float = 3.0
    ratio_world: float = 10.0
    min_population_region: int = 2_000
    min_population_world: int = 15_000
    # Without a country, a metropolis wins over its namesakes when it carries the name as its own and is this
    # many times bigger than any other place of that name (Barcelona 1.7 M vs Barcelona, Venezuela, 0.4 M;
    # Athens vs Athens, Georgia; Manchester vs Manchester, New Hampshire); measured on names with their
    # country removed (benchmarks/resolution_eval.py: 0.93 for the answers this rule alone adds)
    dominance_ratio: float = 3.0
    dominance_min_population: int = 250_000
    dominance_big_population: int = 1_000_000  # a city of a million needs only twice its biggest namesake
    dominance_big_ratio: float = 2.0
    # Off: on names absent from the gazetteer (which real member lists hold far more often than typos) no
    # setting was shown safe; see fuzzy.py and `benchmarks/resolution_eval.py --sweep`
    fuzzy: bool = False
    fuzzy_min_length: int = 8   # shorter keys: one edit too often lands on another real place
    fuzzy_long_key: int = 99    # from this length two edits are allowed (never: two edits reach other towns)
    fuzzy_min_population: int = 5_000  # small places are where an absent name's near-namesake lives
    primary_name_guard: bool = True  # a place named so vs a bigger one carrying the name as an alias: abstain
    # ... unless the bigger one is this many times bigger (Querétaro: Santiago de Querétaro, 1.6 M, vs a
    # village Querétaro, 2,203; measured on the dev split, where the largest ratio at which the small town
    # was meant is 90: Mirano, 15,139, vs Milan)
    alias_over_primary_ratio: float = 200.0


@dataclass(frozen=True)
class Candidate:
    geonameid: int
    name: str
    country_code: str
    population: int


@dataclass(frozen=True)
class Decision:
    geonameid: int | None
    matched_name: str | None
    matched_country: str | None
    population: int | None
    member_kind: str          # city | unknown | a kind of kinds.NON_CITY_KINDS
    method: str               # one of METHODS
    score: float              # 1.0 override/exact ... 0 unresolved
    country_code: str | None  # the country the search used, None when it had none
    country_basis: str        # stated | network | region | world
    n_candidates: int
    candidates: tuple[Candidate, ...] = ()
    reason: str | None = None  # one of REASONS when nothing was resolved
    parent_geonameid: int | None = None  # the city a district member belongs to
    # the administrative division the name denotes or lies in (a region or province member's own GeoNames
    # id; a town's municipality where the gazetteer holds municipalities), None when unknown
    admin_geonameid: int | None = None

    @property
    def resolved(self) -> bool:
        return self.geonameid is not None

    @property
    def denotes(self) -> str | None:
        """What the member name denotes: place (a town: geonameid is its populated place, admin_geonameid its
        municipality when known), municipality (a municipality GeoNames holds only as an administrative unit:
        admin_geonameid, no populated place), administrative_unit (region, province, county, state),
        part_of_city (a district), organisation (association, union, inter-municipal body, LEADER group ...),
        or None when the resolver cannot tell."""
        if self.geonameid is not None:
            return "place"
        if self.member_kind == "city" and self.admin_geonameid is not None:
            return "municipality"  # a municipality the gazetteer holds only as an administrative unit
        return DENOTES.get(self.member_kind)


_COUNCIL_FORMS = ("council", "municipality", "municipal corporation")
# Words of a qualifier that say what the member is, not where ("Tenerife (Island Council)", "Quebec (City)")
_NOT_A_DIVISION_NAME = frozenset({"city", "town", "council", "county", "district", "region", "province",
                                  "municipality", "island", "state", "borough", "shire", "village", "commune"})
# A composite part that is only a word of position names part of a valley or area, not a town
POSITION_WORDS = frozenset({"alto", "alta", "medio", "media", "basso", "bassa", "baixo", "baixa", "bajo", "baja",
                            "haut", "haute", "bas", "basse", "ober", "unter", "nieder", "upper", "lower", "middle"})
_METHOD_SCORE = {"exact": 1.0, "alias": 0.95, "stripped": 0.9}
_BASIS_FACTOR = {"stated": 1.0, "network": 1.0, "region": 0.95, "world": 0.9}


@dataclass
class _Scope:
    countries: frozenset[str] | None
    country_code: str | None
    basis: str
    admin1: str | None


@dataclass
class Resolver:
    index: GazetteerIndex
    overrides: Overrides = field(default_factory=load_overrides)
    policy: Policy = field(default_factory=Policy)
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def version(self) -> str:
        return f"r{RESOLVER_CODE_VERSION}-o{self.overrides.digest}-{self.index.version}"

    def resolve(self, name: str | None, country: str | None = None, network_country: str | None = None,
                network_region: str | None = None, stated_kind: str | None = None,
                place: str | None = None) -> Decision:
        """Resolve one member. `country`: the page's country text or code; `network_country` /
        `network_region`: the network's registry country and region; `stated_kind`: the page's member kind;
        `place`: a locality or seat the source gives beside the name (a table's place column)."""
        args = (name or "", country or None, (network_country or "").upper() or None, network_region or None,
                (stated_kind or "").strip().lower() or None)
        key = (*args, (place or "").strip() or None)
        if key not in self._cache:
            if len(self._cache) > 500_000:
                self._cache.clear()
            decision = self._resolve(*args)
            if key[-1] and not decision.resolved and decision.member_kind in ("city", "unknown"):
                decision = self._from_place(decision, key[-1], args)
            self._cache[key] = decision
        return self._cache[key]

    def _from_place(self, decision: Decision, place: str, args: tuple) -> Decision:
        """A member whose name finds no town (a municipality the gazetteer lacks, "Gemeinde X", a name in
        another language) takes the town its source names as its place, searched in the same country, when
        that place is a town; an organisation or a region never does (resolve only calls this for a town or
        an unknown kind)."""
        hinted = self._resolve(place, args[1], args[2], args[3], None)
        if not hinted.resolved or hinted.member_kind != "city":
            return decision
        return replace(hinted, method="place_hint", score=round(hinted.score * 0.9, 3),
                       admin_geonameid=decision.admin_geonameid or hinted.admin_geonameid)

    # -- steps --------------------------------------------------------------------------------------------

    def _resolve(self, name: str, country: str | None, network_country: str | None, network_region: str | None,
                 stated_kind: str | None) -> Decision:
        parsed = parse_name(name, self.index.country_by_key)
        scope = self._scope(country, parsed, network_country, network_region)
        if not name_key(name):
            return self._unresolved(scope, "unknown", "no_name_key")
        override = self.overrides.find(name, scope.country_code)
        if override:
            return self._override(override, scope)
        parsed = self._state_from_name(parsed, scope)
        decision = self._local_government(parsed, scope, stated_kind)
        if decision is not None:
            return decision
        decision = self._resolve_named(parsed, scope, stated_kind)
        area = area_name(name_key(parsed.core))
        if area and scope.country_code in AREA_COUNTRIES and decision.resolved \
                and (decision.population or 0) < AREA_FALLBACK_MIN_POPULATION:
            return self._unresolved(scope, "unknown", "ambiguous", list(self._places_of(decision)))
        if area and scope.country_code in AREA_COUNTRIES and decision.member_kind == "county" \
                and decision.admin_geonameid is None:
            return self._unresolved(scope, "unknown", "no_candidate")  # a council area the gazetteer lacks
        return decision

    def _resolve_named(self, parsed: ParsedName, scope: _Scope, stated_kind: str | None) -> Decision:
        kind = self._kind(parsed, scope, stated_kind)
        if kind:
            shown = self._find(name_key(parsed.core), scope) or []
            return self._unresolved(scope, kind.kind, "not_a_city", [p for p, _ in shown],
                                    parent=kind.parent_geonameid, admin=self._division(parsed, kind, scope))
        variants = self._variants(parsed)
        for i, (key, tag) in enumerate(variants):
            found = self._find(key, scope)
            if found:
                if tag == "full" and not any(primary for _, primary in found):
                    aliases = {p.geonameid for p, _ in found}
                    found = self._with_stripped(found, variants[i + 1:], scope)
                    decision = self._decide(found, tag, scope, key=key, raw_core=parsed.core)
                    if decision.resolved and decision.geonameid not in aliases:  # the stripped name's place
                        return replace(decision, method="stripped",
                                       score=round(_METHOD_SCORE["stripped"] * _BASIS_FACTOR[scope.basis], 3))
                    return decision
                return self._decide(found, tag, scope, key=key, raw_core=parsed.core)
        if parsed.parts:
            decision = self._resolve_parts(parsed, scope)
            if decision:
                return decision
        if scope.basis in ("stated", "network") and scope.country_code:
            decision = self._resolve_spelling(parsed, scope) or self._resolve_former_name(parsed, scope)
            if decision:
                return decision
        division = self._named_division(parsed, scope) or self._municipality_anywhere(parsed, scope)
        if division:
            return division
        if scope.basis == "region" and self._beyond_region(parsed, scope):
            # no place of that name in the network's region: a member from elsewhere ("Toronto" in a European
            # network) is taken only by the worldwide rules (a metropolis far bigger than its namesakes)
            world = _Scope(None, None, "world", None)
            decision = self._resolve_named(parsed, world, None)
            if decision.resolved:
                return decision
        if self.policy.fuzzy and scope.basis in ("stated", "network") and scope.country_code:
            keys = [k for k, _ in self._variants(parsed)]
            for key in reversed(keys):  # the most stripped form first: typos sit in the place name
                hits = fuzzy_candidates(self.index, key, scope.country_code, self.policy.fuzzy_min_length,
                                        self.policy.fuzzy_long_key, self.policy.fuzzy_min_population)
                if hits:
                    places = [(self.index.places[gid], False) for gid in {g for g, _ in hits}]
                    similarity = max(s for _, s in hits)
                    return self._decide(places, "fuzzy", scope, similarity=similarity)
        return self._unresolved(scope, "unknown", "no_candidate")

    def _scope(self, country: str | None, parsed: ParsedName, network_country: str | None,
               network_region: str | None) -> _Scope:
        stated = parse_country(country, self.index.country_by_key) if country else None
        admin1 = parsed.admin1_hint
        if stated or parsed.country_hint:
            cc = stated or parsed.country_hint
            return _Scope(frozenset({cc}), cc, "stated", admin1 if cc == "US" else self._province(cc, parsed))
        if network_country:
            return _Scope(frozenset({network_country}), network_country, "network",
                          admin1 if network_country == "US" else self._province(network_country, parsed))
        if admin1 in US_STATES:
            return _Scope(frozenset({"US"}), "US", "stated", admin1)
        region = region_countries(network_region, self.index.country_by_key, self.index.continent_of)
        if region:
            only = next(iter(region)) if len(region) == 1 else None
            return _Scope(region, only, "network" if only else "region", None)
        return _Scope(None, None, "world", None)

    def _places_of(self, decision: Decision) -> list[Place]:
        return [self.index.places[c.geonameid] for c in decision.candidates if c.geonameid in self.index.places]

    def _state_from_name(self, parsed: ParsedName, scope: _Scope) -> ParsedName:
        """The first-level division (state, region, province) a name states, in a qualifier ("Latrobe (Vic.)",
        "Karşıyaka (Erdek-Balıkesir)": a district names its province) or after a comma ("Latrobe, Victoria"):
        candidates are then sought in it only, and a namesake elsewhere is never taken."""
        cc = scope.country_code
        if not cc or scope.basis not in ("stated", "network"):
            return parsed
        if scope.admin1 is None:
            for qualifier in parsed.qualifiers:
                admin1 = self._admin1_named(cc, qualifier)
                if admin1:
                    scope.admin1 = admin1
                    break
        head, _, tail = parsed.core.rpartition(",")
        if head.strip() and tail.strip():
            admin1 = self._admin1_named(cc, name_key(tail))
            if admin1 and (scope.admin1 is None or scope.admin1 == admin1):
                scope.admin1 = admin1
                return replace(parsed, core=head.strip())
        return parsed

    def _admin1_named(self, country_code: str, key: str) -> str | None:
        """The admin1 code a qualifier names: a first-level division, or second-level ones all in one first-level
        division; tried on the whole qualifier, then on its words and word pairs ("erdek balikesir")."""
        words = key.split()
        chunks = [key] + [" ".join(words[i:i + 2]) for i in range(len(words) - 1)] + words
        for chunk in chunks:
            if len(chunk) < 2 or chunk in _NOT_A_DIVISION_NAME:
                continue
            admin1 = self.index.admin1_of(country_code, chunk)
            if admin1:
                return admin1
            level2 = {d.admin1 for d in self.index.lookup_division(chunk, country_code, 2) if d.admin1}
            if len(level2) == 1:
                return level2.pop()
        return None

    def _local_government(self, parsed: ParsedName, scope: _Scope, stated_kind: str | None) -> Decision | None:
        """A local government area named with its form ("City of Monash", "Cook County, IL"): its division, and
        its town only when certain (local_government.py); None when the name states no area the gazetteer has."""
        cc = scope.country_code
        if not cc or scope.basis not in ("stated", "network") or (stated_kind and stated_kind not in CITY_LIKE_KINDS
                                                                  and stated_kind != "county"):
            return None
        area = area_name(name_key(parsed.core))
        if area is None:
            return None
        if cc not in AREA_COUNTRIES and area.tier != "county":
            self._council_state(parsed, area, scope)
            return None
        kind = detect_kind(name_key(parsed.core), cc, parsed.qualifiers)
        if kind and kind.kind in ("municipal_association", "other", "district"):
            return None  # "X Councils Association", a London borough: not an area of its own here
        match = find_area(self.index, area, cc, scope.admin1)
        if match is None:
            return None
        if cc not in AREA_COUNTRIES:  # a county: never a town
            return self._unresolved(scope, "county", "not_a_city",
                                    admin=match.division.geonameid if match.division else None)
        if match.division is None:
            return self._unresolved(scope, "unknown", "ambiguous")
        if match.town is None:
            return self._unresolved(scope, "city", "no_candidate", admin=match.division.geonameid)
        town = match.town
        return Decision(town.geonameid, town.name, town.country_code, town.population, "city", "stripped",
                        round(_METHOD_SCORE["stripped"] * _BASIS_FACTOR[scope.basis], 3), scope.country_code,
                        scope.basis, 1, _top([town]), admin_geonameid=match.division.geonameid)

    def _council_state(self, parsed: ParsedName, area, scope: _Scope) -> None:
        """A council form ("X Municipal Council", "X City Council") where the second level is not the
        municipality (Tanzania, England): when one second-level division carries the name, the town is sought
        in that division's first-level division only, never 2,000 km away."""
        if scope.admin1 is not None or not name_key(parsed.core).endswith(_COUNCIL_FORMS):
            return
        match = find_area(self.index, area, scope.country_code, None)
        if match is not None and match.division is not None and match.division.admin1:
            scope.admin1 = match.division.admin1

    def _province(self, country_code: str, parsed: ParsedName) -> str | None:
        """The first-level division of a bracketed province or département code ("Pila (VC)": Piemonte), which
        then tells same-named towns of other regions apart."""
        if not parsed.province_hint:
            return None
        return self.index.province_admin1(country_code, parsed.province_hint)

    def _kind(self, parsed: ParsedName, scope: _Scope, stated_kind: str | None) -> KindMatch | None:
        if stated_kind and stated_kind not in CITY_LIKE_KINDS:
            kind = stated_kind if stated_kind in NON_CITY_KINDS else "other"
            return KindMatch(kind, "stated on the page")
        core_key = name_key(parsed.core)
        match = detect_kind(core_key, scope.country_code, parsed.qualifiers) or abbreviation_kind(parsed.raw)
        if match:
            return match
        for stripped in strip_city_forms(core_key):  # "Kirklees Council", "Bezirksamt Neukölln"
            match = detect_kind(stripped, scope.country_code)
            if match and match.marker == "districts.csv":
                return match
        return None

    def _variants(self, parsed: ParsedName) -> list[tuple[str, str]]:
        """Keys to look up in order, tagged full (the name as published) or stripped."""
        out: list[tuple[str, str]] = []
        seen: set[str] = set()

        def add(key: str, tag: str) -> None:
            if key and key not in seen:
                seen.add(key)
                out.append((key, tag))

        add(name_key(parsed.raw), "full")
        core = name_key(parsed.core)
        add(core, "stripped")
        for stripped in strip_city_forms(core):
            add(stripped, "stripped")
        return out

    def _find(self, key: str, scope: _Scope) -> list[tuple[Place, bool]] | None:
        found = self.index.lookup(key, scope.countries)
        if scope.admin1:
            in_state = [(p, primary) for p, primary in found if p.admin1 == scope.admin1]
            found = in_state or ([] if found else found)
        return found or None

    def _with_stripped(self, found: list[tuple[Place, bool]], rest: list[tuple[str, str]],
                       scope: _Scope) -> list[tuple[Place, bool]]:
        """The name as written matched only alternate names ("City of Houston" is an alternate name of a
        Houston of 966 in Minnesota): the places whose own name is the stripped name (Houston, Texas) compete
        too when one of them is bigger, and the population margin decides among all of them."""
        for key, _ in rest:
            stripped = [(p, primary) for p, primary in self._find(key, scope) or [] if primary]
            if stripped and max(p.population for p, _ in stripped) <= max(p.population for p, _ in found):
                return found  # "Halle an der Saale" is Halle (Saale)'s alternate name, bigger than every Halle
            if stripped:
                seen = {p.geonameid for p, _ in stripped}
                return stripped + [(p, primary) for p, primary in found if p.geonameid not in seen]
        return found

    def _resolve_parts(self, parsed: ParsedName, scope: _Scope) -> Decision | None:
        """Bilingual names resolve when every part that names a place names the same one; composite names
        ("Kara - Commune de Kozah 1") when exactly one part names a place."""
        chosen: dict[int, Place] = {}
        any_ambiguous = False
        if not parsed.bilingual and any(name_key(part) in POSITION_WORDS for part in parsed.parts):
            return None  # "Alto e Medio Metauro": a valley's parts, not two places
        for part in parsed.parts:
            sub = parse_name(part, self.index.country_by_key)
            for key, _ in self._variants(sub):
                found = self._find(key, scope)
                if found:
                    pick = self._pick([p for p, _ in found], scope)
                    if pick is None:
                        any_ambiguous = True
                    else:
                        chosen[pick.geonameid] = pick
                    break
        if len(chosen) == 1 and not any_ambiguous:
            place = next(iter(chosen.values()))
            return self._decide([(place, False)], "stripped", scope)
        if len(chosen) > 1 or any_ambiguous:
            return self._unresolved(scope, "unknown", "ambiguous", list(chosen.values()))
        return None

    def _division(self, parsed: ParsedName, kind: KindMatch, scope: _Scope) -> int | None:
        """The GeoNames id of the region, province or county a non-city member names ("Provincia di Torino",
        "Région Occitanie", "Département du Vaucluse"), when exactly one division of the country has that
        name; None for other kinds, without a country, or when unsure."""
        if kind.kind not in _DIVISION_LEVEL or not scope.country_code:
            return None
        core = name_key(parsed.core)
        keys = [core, *strip_city_forms(core)]
        words = core.split()
        marker = kind.marker.split()
        if words[:len(marker)] == marker:
            rest = words[len(marker):]
        elif words[-len(marker):] == marker:
            rest = words[:-len(marker)]
        else:
            rest = []
        while rest and rest[0] in _CONNECTORS:
            rest = rest[1:]
        if rest:
            keys.append(" ".join(rest))
        level = _DIVISION_LEVEL[kind.kind]
        if level == 2 and scope.country_code in MUNICIPAL_LEVEL2:
            return None  # there level 2 is the municipality, not a county
        for key in keys:
            found = {d.geonameid for d in self.index.lookup_division(key, scope.country_code, level)}
            if len(found) == 1:
                return found.pop()
            if found:
                return None
        return None

    def _named_division(self, parsed: ParsedName, scope: _Scope) -> Decision | None:
        """A name no place carries that is exactly a region's or province's name ("Val-de-Marne"): the division
        itself is the member, never a town."""
        if scope.basis not in ("stated", "network") or not scope.country_code:
            return None
        core = name_key(parsed.core)
        divisions = {}
        for key in (core, *strip_city_forms(core)):
            divisions = {d.geonameid: d for d in self.index.lookup_division(key, scope.country_code)
                         if not scope.admin1 or d.admin1 == scope.admin1}
            if divisions:
                break
        if len(divisions) != 1:
            return None
        d = next(iter(divisions.values()))
        if d.level == 2 and d.country_code in MUNICIPAL_LEVEL2:  # Ørland kommune, a Dutch gemeente
            return self._unresolved(scope, "city", "no_candidate", admin=d.geonameid)
        return self._unresolved(scope, "region" if d.level == 1 else "county", "not_a_city", admin=d.geonameid)

    def _beyond_region(self, parsed: ParsedName, scope: _Scope) -> bool:
        keys = [k for k, _ in self._variants(parsed)]
        return not any(self.index.lookup(k, scope.countries) for k in keys) and \
            any(self.index.lookup(k) for k in keys)

    def _municipality_anywhere(self, parsed: ParsedName, scope: _Scope) -> Decision | None:
        """Without a country: a name that is exactly one municipality's, in the countries where GeoNames' second
        level is the municipality and within the network's region ("Botkyrka", "Sittard-Geleen",
        "Faaborg-Midtfyn"), and no place's: that municipality."""
        if scope.basis not in ("region", "world"):
            return None
        core = name_key(parsed.core)
        for key in (core, *strip_city_forms(core)):
            found = {gid for gid in self.index.division_by_key.get(key, ())
                     if self.index.divisions[gid].level == 2
                     and self.index.divisions[gid].country_code in MUNICIPAL_LEVEL2
                     and (scope.countries is None or self.index.divisions[gid].country_code in scope.countries)}
            if len(found) == 1:
                d = self.index.divisions[found.pop()]
                return Decision(None, None, None, None, "city", "unresolved", 0.0, d.country_code, scope.basis, 0,
                                (), "no_candidate", None, d.geonameid)
            if found:
                return None
        return None

    def _municipality(self, place: Place, keys: list[str]) -> int | None:
        """The municipality (GeoNames ADM2 where that level is the municipality) a resolved town is, by name,
        within its first-level division."""
        if place.country_code not in MUNICIPAL_LEVEL2:
            return None
        for key in [*keys, name_key(place.name)]:
            found = {d.geonameid for d in self.index.lookup_division(key, place.country_code, 2)
                     if not place.admin1 or d.admin1 == place.admin1}
            if len(found) == 1:
                return found.pop()
        return None

    def _resolve_spelling(self, parsed: ParsedName, scope: _Scope) -> Decision | None:
        """The same name written with or without spaces, hyphens or apostrophes ("Neu Ulm" / Neu-Ulm / "Neuulm",
        "Kamyanske" / Kam'yans'ke), within the country."""
        for key, _ in self._variants(parsed):
            squashed = key.replace(" ", "")
            keys = [k for k in self.index.squashed_keys(scope.country_code, squashed) if k != key]
            found: dict[int, tuple[Place, bool]] = {}
            for k in keys:
                for place, primary in self._find(k, scope) or []:
                    found[place.geonameid] = (place, primary or found.get(place.geonameid, (place, False))[1])
            if found:
                return self._decide(list(found.values()), "stripped", scope, key=squashed)
        return None

    def _resolve_former_name(self, parsed: ParsedName, scope: _Scope) -> Decision | None:
        """A historical or other-language name in brackets ("Kamianske (Dniprodzerzhynsk)", "Pressburg
        (Bratislava)") when the name before it is not known: the bracketed name counts only where the gazetteer
        lists it as an alternate name of a place, never as a place's own name, which would be a
        disambiguator ("Vila Nova (Porto)") rather than the same town."""
        for qualifier in parsed.qualifiers:
            found = self._find(qualifier, scope)
            if not found:
                continue
            aliases = [(p, False) for p, primary in found if not primary]
            if aliases and len(aliases) == len(found):
                decision = self._decide(aliases, "stripped", scope, key=qualifier)
                if decision.resolved:
                    return decision
        return None

    # -- decisions ----------------------------------------------------------------------------------------

    def _ratio(self, scope: _Scope) -> float:
        return {"stated": self.policy.ratio_country, "network": self.policy.ratio_country,
                "region": self.policy.ratio_region}.get(scope.basis, self.policy.ratio_world)

    def _pick(self, places: list[Place], scope: _Scope, primary: set[int] | None = None,
              key: str = "") -> Place | None:
        """The most populous place if it wins by the scope's margin. Within a country, a place whose primary
        name is the key also wins when every other candidate only carries it as an alternate name."""
        ranked = sorted(places, key=lambda p: (-p.population, p.geonameid))
        top = ranked[0]
        floor = {"region": self.policy.min_population_region, "world": self.policy.min_population_world}
        if top.population < floor.get(scope.basis, 0):
            return None
        if len(ranked) == 1:
            return top
        in_country = scope.basis in ("stated", "network")
        # without a country the guard holds within the winner's country (the twin problem: "Mirano" written
        # with no country); across borders an alternate name is often the exonym meant ("Cologne": Köln)
        twins = primary if in_country else {g for g in (primary or ()) if any(
            p.geonameid == g and p.country_code == top.country_code for p in ranked)}
        if twins and top.geonameid not in primary and self.policy.primary_name_guard:
            # a place of that very name and a bigger one that only carries it as an alternate name: either
            # may be meant ("Aulnay" vs Aulnay-sous-Bois, "Halle" vs Halle (Saale), "Mirano" vs Milan, Loury
            # with alias "Luri" vs Luri) and neither is chosen, unless the name is a mere spelling of the
            # bigger one's own name (one edit: Livadia, Livadeiá) and it is ten times bigger
            biggest_primary = max(p.population for p in ranked if p.geonameid in twins)
            spelling = bool(key) and OSA.distance(key, name_key(top.name)) <= 1  # Livadia / Livadeiá
            ratio = self.policy.alias_over_primary_ratio
            if not (spelling and top.population >= 10 * biggest_primary) and top.population < ratio * biggest_primary:
                return None  # "Mirano" is an alternate name of Milan, and a town of its own
        if top.population > 0 and top.population >= self._ratio(scope) * ranked[1].population:
            return top
        if not in_country and primary and top.geonameid in primary and self._dominates(top, ranked, primary):
            return top  # a metropolis far bigger than every namesake
        if primary is not None and in_country and primary == {top.geonameid}:
            return top
        return None

    def _dominates(self, top: Place, ranked: list[Place], primary: set[int]) -> bool:
        """The dominance rule for names without a country: `top` carries the name as its own, and is a
        metropolis of dominance_min_population (or a city of a million: 2x suffices) many times bigger than
        every other place whose own name it is; places carrying it only as an alternate name do not count."""
        rivals = [p.population for p in ranked if p.geonameid != top.geonameid and p.geonameid in primary]
        second = max(rivals, default=0)
        if top.population >= self.policy.dominance_min_population \
                and top.population >= self.policy.dominance_ratio * second:
            return True
        return top.population >= self.policy.dominance_big_population and \
            top.population >= self.policy.dominance_big_ratio * second

    def _decide(self, found: list[tuple[Place, bool]], tag: str, scope: _Scope,
                similarity: float = 1.0, key: str = "", raw_core: str = "") -> Decision:
        places = [p for p, _ in found]
        pick = self._pick(places, scope, {p.geonameid for p, is_primary in found if is_primary}, key)
        if pick is not None and raw_core and len(places) > 1:
            # accents tell two same-keyed towns apart ("Paterno", Basilicata, vs "Paternò", Sicily): when the
            # name as written is exactly another candidate's name and not the pick's, do not choose
            written = _fold_case(raw_core)
            same = {p.geonameid for p in places if _fold_case(p.name) == written}
            if same and pick.geonameid not in same and name_key(pick.name) == name_key(raw_core):
                pick = None
        if pick is None:
            reason = "ambiguous" if scope.basis in ("stated", "network") else "ambiguous_without_country"
            return self._unresolved(scope, "unknown", reason, places)
        if tag == "full":
            method = "exact" if dict((p.geonameid, pr) for p, pr in found)[pick.geonameid] else "alias"
        else:
            method = tag
        base = 0.85 * similarity if method == "fuzzy" else _METHOD_SCORE[method]
        return Decision(pick.geonameid, pick.name, pick.country_code, pick.population, "city", method,
                        round(base * _BASIS_FACTOR[scope.basis], 3), scope.country_code, scope.basis,
                        len(places), _top(places),
                        admin_geonameid=self._municipality(pick, [key] if key else []))

    def _override(self, override, scope: _Scope) -> Decision:
        place = self.index.places.get(override.geonameid) if override.geonameid else None
        if override.geonameid and place is None:
            raise ValueError(f"override geonameid {override.geonameid} is not in the gazetteer "
                             f"({self.index.version}); fix warehouse/resolution/overrides.csv")
        return Decision(override.geonameid, place.name if place else None, place.country_code if place else None,
                        place.population if place else None, override.member_kind, "override", 1.0,
                        scope.country_code, scope.basis, 1 if place else 0, _top([place] if place else []))

    def _unresolved(self, scope: _Scope, kind: str, reason: str, places: list[Place] | None = None,
                    parent: int | None = None, admin: int | None = None) -> Decision:
        places = places or []
        return Decision(None, None, None, None, kind, "unresolved", 0.0, scope.country_code, scope.basis,
                        len(places), _top(places), reason, parent, admin)


def _fold_case(text: str) -> str:
    """Case and punctuation folded, accents kept: "PATERNÒ" and "Paternò" agree, "Paterno" does not."""
    import unicodedata

    folded = unicodedata.normalize("NFC", text).casefold()
    return " ".join("".join(c if c.isalnum() else " " for c in folded).split())


def _top(places: list[Place], n: int = 5) -> tuple[Candidate, ...]:
    ranked = sorted(places, key=lambda p: (-p.population, p.geonameid))[:n]
    return tuple(Candidate(p.geonameid, p.name, p.country_code, p.population) for p in ranked)
