-- A member's spells follow each other: each ends (valid_to) no later than the next one starts.
select member_id, spell_seq, valid_to, next_valid_from
from (
    select
        member_id,
        spell_seq,
        valid_to,
        lead(valid_from) over (partition by member_id order by spell_seq) as next_valid_from
    from {{ ref('fct_membership_spell') }}
)
where next_valid_from is not null and (valid_to is null or valid_to > next_valid_from)
