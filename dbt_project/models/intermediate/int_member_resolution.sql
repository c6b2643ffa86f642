-- Resolves each current member to a GeoNames place.
--   exact        country known: the member's name key equals a name key of a place in that country; among
--                several places the most populous wins. score 1.0
--   exact_world  country unknown: the most populous place with that key anywhere, only when it has at least
--                var('world_population_ratio') times the population of the next distinct place. score 0.9
--   unresolved   otherwise (city_id null, score 0). A wrong match is worse than no match.
-- Name keys come from Python (ref.text_keys, ref.place_names); nothing here computes a key.
with members as (
    select member_id, network_id, name_key, country_code
    from {{ ref('int_current_mentions') }}
),

candidates as (
    select distinct
        members.member_id,
        places.geonameid,
        places.population
    from members
    inner join {{ ref('stg_place_names') }} as names
        on names.name_key = members.name_key
        and (members.country_code is null or names.country_code = members.country_code)
    inner join {{ ref('stg_places') }} as places on places.geonameid = names.geonameid
),

ranked as (
    select
        *,
        row_number() over (partition by member_id order by population desc, geonameid) as candidate_rank,
        count(*) over (partition by member_id) as n_candidates
    from candidates
),

best as (
    select
        member_id,
        max(n_candidates) as n_candidates,
        max(geonameid) filter (where candidate_rank = 1) as top_geonameid,
        max(population) filter (where candidate_rank = 1) as top_population,
        max(population) filter (where candidate_rank = 2) as next_population
    from ranked
    group by member_id
),

decided as (
    select
        members.member_id,
        members.network_id,
        members.name_key,
        members.country_code,
        coalesce(best.n_candidates, 0) as n_candidates,
        case
            when best.top_geonameid is null then 'unresolved'
            when members.country_code is not null then 'exact'
            when best.top_population > 0
                and (
                    best.next_population is null
                    or best.top_population >= {{ var('world_population_ratio') }} * best.next_population
                )
                then 'exact_world'
            else 'unresolved'
        end as resolution_method,
        best.top_geonameid
    from members
    left join best on best.member_id = members.member_id
)

select
    member_id,
    network_id,
    name_key,
    country_code,
    case when resolution_method <> 'unresolved' then top_geonameid end as city_id,
    resolution_method,
    case resolution_method when 'exact' then 1.0 when 'exact_world' then 0.9 else 0.0 end as resolution_score,
    n_candidates,
    case
        when resolution_method <> 'unresolved' then null
        when name_key is null then 'no_name_key'
        when n_candidates = 0 then 'no_candidate'
        else 'ambiguous_without_country'
    end as unresolved_reason
from decided
