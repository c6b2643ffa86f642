-- Whether each network the warehouse knows is still in the registry: a network whose entry the latest complete
-- run did not load (an outside registry dropped from TCN_REGISTRY, an entry deleted) is retired. Its history
-- stays; `tcn status` shows it as retired rather than as a network scraped with old data.
with runs as (
    select * from {{ ref('int_runs') }}
),

latest_entries as (
    select * from {{ ref('int_registry_networks') }}
),

latest_run as (
    select run_id from runs order by run_seq desc limit 1
)

select
    cast(latest_entries.network_id as varchar) as network_id,
    cast(latest_entries.registry_run_id <> (select run_id from latest_run) as boolean) as is_retired,
    cast(latest_entries.registry_run_id as varchar) as last_in_registry_run_id,
    {{ utc('latest_entries.registry_loaded_at') }} as last_in_registry_at
from latest_entries
