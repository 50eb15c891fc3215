-- Every loaded programme row (record line, narrative paragraph or plan entry) with its lineage.
{{ raw_rows_union('programme', [
    ('activities', 'stg_programme__activities'),
    ('attendance', 'stg_programme__attendance'),
    ('feedback', 'stg_programme__feedback'),
    ('skills_audit', 'stg_programme__skills_audit'),
    ('career_events', 'stg_programme__career_events'),
    ('grant_ledger', 'stg_programme__grant_ledger'),
    ('narrative', 'stg_programme__narrative'),
    ('aspirant_dcs', 'stg_programme__aspirant_dcs'),
    ('participant_profiles', 'stg_programme__participant_profiles'),
    ('la_support', 'stg_programme__la_support'),
    ('sign_off', 'stg_programme__sign_off'),
]) }}
union all
{{ raw_rows_union('programme_plan', [
    ('plan', 'stg_programme__plans'),
    ('plan_budget', 'stg_programme__plan_budget'),
    ('plan_milestones', 'stg_programme__plan_milestones'),
    ('plan_targets', 'stg_programme__plan_targets'),
    ('plan_governance', 'stg_programme__plan_governance'),
    ('plan_target_setting', 'stg_programme__plan_target_setting'),
]) }}
