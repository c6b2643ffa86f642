-- Border-city proxy for the cities members resolve to (only those, to keep it cheap): the distance to the
-- nearest populated place of a GeoNames neighbour country, and is_border when it is within var('border_km').
-- Candidates come from a grid equi-join (one hash join, not one range join per neighbour country): cells are
-- border_km / 111 degrees of latitude high, and in each row of cells as wide in longitude as border_km spans
-- at the row's most poleward neighbouring latitude. A place within border_km of a city then lies in the city's
-- row or the next one up or down, and in the city's column or the next one left or right of that row's grid;
-- each foreign place is indexed in the three rows it can be a candidate for.
with cities as (
    select distinct places.geonameid, places.country_code, places.latitude, places.longitude
    from {{ ref('int_member_resolution') }} as resolution
    inner join {{ ref('stg_places') }} as places on places.geonameid = resolution.city_id
),

neighbour_countries as (
    select cities.*, unnest(countries.neighbours) as neighbour_code
    from cities
    inner join {{ ref('stg_countries') }} as countries on countries.country_code = cities.country_code
),

city_cells as (
    select neighbour_countries.*, cell.row_index
    from neighbour_countries,
        lateral (select cast(floor(neighbour_countries.latitude / {{ border_cell_deg() }}) as bigint) as row_index) as cell
),

city_keys as (
    select
        city_cells.*,
        unnest([column_index - 1, column_index, column_index + 1]) as column_key
    from city_cells,
        lateral (
            select cast(floor(city_cells.longitude / {{ border_cell_width('city_cells.row_index') }}) as bigint)
                as column_index
        )
),

foreign_places as (
    select places.geonameid, places.country_code, places.latitude, places.longitude,
        cast(floor(places.latitude / {{ border_cell_deg() }}) as bigint) as own_row
    from {{ ref('stg_places') }} as places
    where places.country_code in (select distinct neighbour_code from neighbour_countries)
),

foreign_keys as (
    select
        foreign_rows.*,
        cast(floor(foreign_rows.longitude / {{ border_cell_width('foreign_rows.row_key') }}) as bigint) as column_key
    from (
        select foreign_places.*, unnest([own_row - 1, own_row, own_row + 1]) as row_key
        from foreign_places
    ) as foreign_rows
),

nearby as (
    select
        city_keys.geonameid,
        min({{ haversine_km('city_keys.latitude', 'city_keys.longitude',
                            'foreign_keys.latitude', 'foreign_keys.longitude') }}) as km
    from city_keys
    inner join foreign_keys
        on foreign_keys.country_code = city_keys.neighbour_code
        and foreign_keys.row_key = city_keys.row_index
        and foreign_keys.column_key = city_keys.column_key
    group by city_keys.geonameid
)

select
    cities.geonameid as city_id,
    case when nearby.km <= {{ var('border_km') }} then nearby.km end as nearest_foreign_place_km,
    coalesce(nearby.km <= {{ var('border_km') }}, false) as is_border
from cities
left join nearby on nearby.geonameid = cities.geonameid
