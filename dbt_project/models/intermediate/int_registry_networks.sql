-- The registry entry of each network from the latest complete run that loaded it. Per network (not just the
-- latest run's rows) so that a run collecting only some networks does not hide the others.
with registry as (
    select * from {{ ref('stg_registry_networks') }}
),

runs as (
    select * from {{ ref('int_runs') }}
)

select
    registry.*,
    runs.started_at as registry_loaded_at
from registry
inner join runs on runs.run_id = registry.registry_run_id
qualify row_number() over (partition by registry.network_id order by runs.run_seq desc) = 1
