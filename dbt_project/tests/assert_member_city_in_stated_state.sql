-- No member's city lies outside the first-level division its name states: "Portland, OR" is in Oregon,
-- "Latrobe City (Vic.)" or "City of Marion, SA" in that Australian state. Checks the forms SQL can read: a
-- US state code after a comma, an Australian state or territory (abbreviated or in full) after a comma or in
-- brackets at the end of the name. Returns the members that break it.
with au_states(state_key, admin1) as (
    values ('nsw', '02'), ('new south wales', '02'), ('vic', '07'), ('victoria', '07'), ('qld', '04'),
           ('queensland', '04'), ('sa', '05'), ('south australia', '05'), ('wa', '08'),
           ('western australia', '08'), ('tas', '06'), ('tasmania', '06'), ('nt', '03'),
           ('northern territory', '03'), ('act', '01'), ('australian capital territory', '01')
),

stated as (
    select
        membership.network_id,
        membership.member_id,
        membership.member_name,
        membership.city_id,
        city.country_code,
        city.admin1_code as admin1,
        case
            when city.country_code = 'US' then regexp_extract(membership.member_name, ',\s*([A-Z]{2})\s*$', 1)
            when city.country_code = 'AU' then lower(trim(coalesce(
                nullif(regexp_extract(membership.member_name, '\(([A-Za-z. ]+)\)\s*$', 1), ''),
                nullif(regexp_extract(membership.member_name, ',\s*([A-Za-z. ]+)$', 1), '')
            ), ' .'))
        end as state_text
    from {{ ref('fct_membership') }} as membership
    inner join {{ ref('dim_city') }} as city on city.city_id = membership.city_id
)

select stated.*
from stated
left join au_states on au_states.state_key = stated.state_text
where
    (stated.country_code = 'US' and stated.state_text <> '' and stated.admin1 <> stated.state_text)
    or (stated.country_code = 'AU' and au_states.admin1 is not null and stated.admin1 <> au_states.admin1)
