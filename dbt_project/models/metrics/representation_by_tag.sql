-- Metric 4 for every subset a registry tag defines: per tag key and value (lower case) and size band, the member
-- cities of the networks carrying it against their universe (every GeoNames place with at least
-- var('universe_min_population') inhabitants in the countries those cities are in), as
-- representation_by_size_band computes it for one network. Every band appears, also empty ones.
with tags as (
    select distinct network_id, lower(tag_key) as tag_key, lower(tag_value) as tag_value
    from {{ ref('int_network_tags') }}
    where tag_value is not null
),

member_cities as (
    select distinct tags.tag_key, tags.tag_value, cities.city_id, cities.country_code, cities.population
    from {{ ref('fct_membership') }} as membership
    inner join {{ ref('dim_city') }} as cities on cities.city_id = membership.city_id
    inner join tags on tags.network_id = membership.network_id
),

members_by_band as (
    select tag_key, tag_value, {{ size_band('population') }} as size_band, count(*) as members
    from member_cities
    group by all
),

universe_by_country_band as (
    select country_code, {{ size_band('population') }} as size_band, count(*) as places
    from {{ ref('stg_places') }}
    where population >= {{ var('universe_min_population') }}
    group by all
),

subset_countries as (
    select distinct tag_key, tag_value, country_code from member_cities
),

universe_by_band as (
    select subset_countries.tag_key, subset_countries.tag_value, universe.size_band, sum(universe.places) as places
    from subset_countries
    inner join universe_by_country_band as universe on universe.country_code = subset_countries.country_code
    group by all
),

subsets as (
    select tag_key, tag_value, count(*) as n_countries from subset_countries group by all
),

grid as (
    select
        subsets.tag_key,
        subsets.tag_value,
        subsets.n_countries,
        size_bands.size_band,
        size_bands.band_order,
        coalesce(members_by_band.members, 0) as members,
        coalesce(universe_by_band.places, 0) as universe_places
    from subsets
    cross join {{ size_band_rows() }}
    left join members_by_band
        on members_by_band.tag_key = subsets.tag_key and members_by_band.tag_value = subsets.tag_value
        and members_by_band.size_band = size_bands.size_band
    left join universe_by_band
        on universe_by_band.tag_key = subsets.tag_key and universe_by_band.tag_value = subsets.tag_value
        and universe_by_band.size_band = size_bands.size_band
),

shares as (
    select
        *,
        members / sum(members) over (partition by tag_key, tag_value) as member_share,
        universe_places / nullif(sum(universe_places) over (partition by tag_key, tag_value), 0) as universe_share
    from grid
)

select
    cast(tag_key as varchar) as tag_key,
    cast(tag_value as varchar) as tag_value,
    cast(size_band as varchar) as size_band,
    cast(band_order as integer) as band_order,
    cast(n_countries as bigint) as n_countries,
    cast(members as bigint) as members,
    cast(member_share as double) as member_share,
    cast(universe_places as bigint) as universe_places,
    cast(universe_share as double) as universe_share,
    cast(member_share / nullif(universe_share, 0) as double) as representation_ratio
from shares
