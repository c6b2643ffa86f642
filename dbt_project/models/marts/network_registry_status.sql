-- Whether each network the warehouse knows is still in the registry: a network whose entry the latest complete
-- run did not load (an outside registry dropped from TCN_REGISTRY, an entry deleted) is retired. Its history
-- stays; `tcn status` shows it as retired rather than as a network scraped with old data.
with latest_run as (
    select run_id from {{ ref('stg_runs') }} order by run_seq desc limit 1
),

in_latest as (
    select distinct registry.network_id
    from {{ source('raw', 'registry_networks') }} as registry
    inner join latest_run on latest_run.run_id = registry.run_id
),

last_loaded as (
    select registry.network_id, max(runs.run_seq) as run_seq, arg_max(runs.run_id, runs.run_seq) as run_id,
        arg_max(runs.started_at, runs.run_seq) as started_at
    from {{ source('raw', 'registry_networks') }} as registry
    inner join {{ ref('stg_runs') }} as runs on runs.run_id = registry.run_id
    group by registry.network_id
)

select
    cast(networks.network_id as varchar) as network_id,
    cast(in_latest.network_id is null as boolean) as is_retired,
    cast(last_loaded.run_id as varchar) as last_in_registry_run_id,
    cast(last_loaded.started_at as timestamp) as last_in_registry_at
from {{ ref('stg_registry_networks') }} as networks
left join in_latest on in_latest.network_id = networks.network_id
left join last_loaded on last_loaded.network_id = networks.network_id
