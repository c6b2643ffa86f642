"""The decision: one member name (with what is known of its country) -> a GeoNames place, or an honest no.

Order of evidence (docs/resolution.md):
  1. override       overrides.csv, whatever else the name says
  2. kind           a district, county, region, state or association is not a city: never resolved to a town
  3. exact / alias  the name key equals a place's primary (exact) or alternate (alias) name key
  4. stripped       the same after removing qualifiers, country/state suffixes and administrative forms,
                    or every part of a bilingual name agrees on one place
  5. fuzzy          a typo within the known country (Levenshtein, see fuzzy.py)
Candidates are sought within the country (stated on the page or in the name, else the network's), else
within the network's region, else worldwide. Several candidates: the most populous wins only by a margin
that grows as the search widens (country < region < world); otherwise the name stays unresolved.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from warehouse.namekey import name_key
from warehouse.resolution.countries import US_STATES, parse_country, region_countries
from warehouse.resolution.forms import ParsedName, parse_name, strip_city_forms
from warehouse.resolution.fuzzy import fuzzy_candidates
from warehouse.resolution.gazetteer_index import GazetteerIndex, Place
from warehouse.resolution.kinds import NON_CITY_KINDS, KindMatch, detect_kind
from warehouse.resolution.overrides import Overrides, load_overrides

# Bump when a change alters decisions: the pipeline then re-resolves every member.
RESOLVER_CODE_VERSION = "1"

METHODS = ("override", "exact", "alias", "stripped", "fuzzy", "unresolved")
REASONS = ("no_name_key", "no_candidate", "ambiguous", "ambiguous_without_country", "not_a_city")
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
    fuzzy: bool = True
    fuzzy_min_length: int = 6   # shorter keys: one edit too often lands on another real place
    fuzzy_long_key: int = 10    # from this length two edits are allowed


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

    @property
    def resolved(self) -> bool:
        return self.geonameid is not None


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
                network_region: str | None = None, stated_kind: str | None = None) -> Decision:
        """Resolve one member. `country`: the page's country text or code; `network_country` /
        `network_region`: the network's registry country and region; `stated_kind`: the page's member kind."""
        args = (name or "", country or None, (network_country or "").upper() or None, network_region or None,
                (stated_kind or "").strip().lower() or None)
        if args not in self._cache:
            if len(self._cache) > 500_000:
                self._cache.clear()
            self._cache[args] = self._resolve(*args)
        return self._cache[args]

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
        kind = self._kind(parsed, scope, stated_kind)
        if kind:
            shown = self._find(name_key(parsed.core), scope) or []
            return self._unresolved(scope, kind.kind, "not_a_city", [p for p, _ in shown],
                                    parent=kind.parent_geonameid)
        for key, tag in self._variants(parsed):
            found = self._find(key, scope)
            if found:
                return self._decide(found, tag, scope)
        if parsed.parts:
            decision = self._resolve_parts(parsed, scope)
            if decision:
                return decision
        if self.policy.fuzzy and scope.basis in ("stated", "network") and scope.country_code:
            keys = [k for k, _ in self._variants(parsed)]
            for key in reversed(keys):  # the most stripped form first: typos sit in the place name
                hits = fuzzy_candidates(self.index, key, scope.country_code, self.policy.fuzzy_min_length,
                                        self.policy.fuzzy_long_key)
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
            return _Scope(frozenset({cc}), cc, "stated", admin1 if cc == "US" else None)
        if network_country:
            return _Scope(frozenset({network_country}), network_country, "network",
                          admin1 if network_country == "US" else None)
        if admin1 in US_STATES:
            return _Scope(frozenset({"US"}), "US", "stated", admin1)
        region = region_countries(network_region, self.index.country_by_key, self.index.continent_of)
        if region:
            only = next(iter(region)) if len(region) == 1 else None
            return _Scope(region, only, "network" if only else "region", None)
        return _Scope(None, None, "world", None)

    def _kind(self, parsed: ParsedName, scope: _Scope, stated_kind: str | None) -> KindMatch | None:
        if stated_kind and stated_kind not in CITY_LIKE_KINDS:
            kind = stated_kind if stated_kind in NON_CITY_KINDS else "other"
            return KindMatch(kind, "stated on the page")
        core_key = name_key(parsed.core)
        match = detect_kind(core_key, scope.country_code, parsed.qualifiers)
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

    def _resolve_parts(self, parsed: ParsedName, scope: _Scope) -> Decision | None:
        """Bilingual names resolve when every part that names a place names the same one; composite names
        ("Kara - Commune de Kozah 1") when exactly one part names a place."""
        chosen: dict[int, Place] = {}
        any_ambiguous = False
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

    # -- decisions ----------------------------------------------------------------------------------------

    def _ratio(self, scope: _Scope) -> float:
        return {"stated": self.policy.ratio_country, "network": self.policy.ratio_country,
                "region": self.policy.ratio_region}.get(scope.basis, self.policy.ratio_world)

    def _pick(self, places: list[Place], scope: _Scope, primary: set[int] | None = None) -> Place | None:
        """The most populous place if it wins by the scope's margin. Within a country, a place whose primary
        name is the key also wins when every other candidate only carries it as an alternate name."""
        ranked = sorted(places, key=lambda p: (-p.population, p.geonameid))
        top = ranked[0]
        floor = {"region": self.policy.min_population_region, "world": self.policy.min_population_world}
        if top.population < floor.get(scope.basis, 0):
            return None
        if len(ranked) == 1:
            return top
        if top.population > 0 and top.population >= self._ratio(scope) * ranked[1].population:
            return top
        if primary is not None and scope.basis in ("stated", "network") and primary == {top.geonameid}:
            return top
        return None

    def _decide(self, found: list[tuple[Place, bool]], tag: str, scope: _Scope,
                similarity: float = 1.0) -> Decision:
        places = [p for p, _ in found]
        pick = self._pick(places, scope, {p.geonameid for p, is_primary in found if is_primary})
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
                        len(places), _top(places))

    def _override(self, override, scope: _Scope) -> Decision:
        place = self.index.places.get(override.geonameid) if override.geonameid else None
        if override.geonameid and place is None:
            raise ValueError(f"override geonameid {override.geonameid} is not in the gazetteer "
                             f"({self.index.version}); fix warehouse/resolution/overrides.csv")
        return Decision(override.geonameid, place.name if place else None, place.country_code if place else None,
                        place.population if place else None, override.member_kind, "override", 1.0,
                        scope.country_code, scope.basis, 1 if place else 0, _top([place] if place else []))

    def _unresolved(self, scope: _Scope, kind: str, reason: str, places: list[Place] | None = None,
                    parent: int | None = None) -> Decision:
        places = places or []
        return Decision(None, None, None, None, kind, "unresolved", 0.0, scope.country_code, scope.basis,
                        len(places), _top(places), reason, parent)


def _top(places: list[Place], n: int = 5) -> tuple[Candidate, ...]:
    ranked = sorted(places, key=lambda p: (-p.population, p.geonameid))[:n]
    return tuple(Candidate(p.geonameid, p.name, p.country_code, p.population) for p in ranked)
