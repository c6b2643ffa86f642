-- Example queries on the published copy: duckdb data/published/warehouse.duckdb
-- (or Python: duckdb.connect("data/published/warehouse.duckdb", read_only=True)). A test runs every one of
-- them against a freshly published copy (tests/test_published_for_analysts.py).

-- Most connected cities: how many networks each city belongs to, with its region, size, capital and border flags
-- (metrics.most_connected_cities keeps those in >= 3 refugee-focused networks, the literature's table).
SELECT d.name, d.country_code, c.admin1_name, d.n_networks, c.population, c.is_capital, c.is_border,
       d.network_ids
FROM metrics.city_network_degree AS d
JOIN marts.dim_city AS c USING (city_id)
ORDER BY d.n_networks DESC, c.population DESC
LIMIT 15;

-- Strongest overlaps between networks (shared member cities; Jaccard and overlap coefficient).
SELECT network_a, network_b, shared, round(jaccard, 3) AS jaccard, round(overlap_coefficient, 3) AS overlap
FROM metrics.network_overlap
WHERE shared > 0
ORDER BY jaccard DESC, shared DESC
LIMIT 10;

-- Representation of small towns: members under 50k inhabitants against all places of the members'
-- countries (ratio < 1: under-represented); network_id '(all)' is all networks together.
SELECT network_id, size_band, members, round(member_share, 3) AS member_share,
       round(universe_share, 3) AS universe_share, round(representation_ratio, 2) AS ratio
FROM metrics.representation_by_size_band
WHERE size_band IN ('<10k', '10k-50k')
ORDER BY network_id <> '(all)', network_id, band_order;

-- What a column means: every published table and column carries its dbt description as a comment.
SELECT column_name, data_type, is_nullable, comment
FROM duckdb_columns()
WHERE schema_name = 'marts' AND table_name = 'fct_membership'
ORDER BY column_index;
