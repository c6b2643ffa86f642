-- Past memberships as the sources publish them: rows of a network's latest good list that carry a departure
-- date (a curated table's `left` column). They are dated by the source, not by our runs: valid_from is the
-- published join date (null when the source gives none), valid_to the published departure.
with past as (
    select *
    from {{ ref('int_member_observations') }}
    where left_on is not null
),

runs_seen as (
    select
        member_id,
        sum(n_runs) as n_runs_seen,
        arg_min(run_id, version_seq) as first_run_id,
        arg_max(last_run_id, version_seq) as last_run_id
    from past
    group by member_id
)

select
    md5(concat_ws('|', past.member_id, 'published')) as spell_id,
    past.member_id,
    past.network_id,
    past.member_name,
    past.name_key,
    past.country_code,
    past.joined,
    past.left_on,
    {{ published_date('past.joined') }} as valid_from,
    {{ published_date('past.left_on') }} as valid_to,
    runs_seen.first_run_id,
    runs_seen.last_run_id,
    runs_seen.n_runs_seen
from past
inner join runs_seen on runs_seen.member_id = past.member_id
where past.is_latest_good
