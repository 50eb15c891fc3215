-- Every loaded survey row (instrument entries, responses, answer cells) with its lineage.
{{ raw_rows_union('survey', [
    ('waves', 'stg_survey__waves'),
    ('questions', 'stg_survey__questions'),
    ('options', 'stg_survey__options'),
    ('respondents', 'stg_survey__respondents'),
    ('answers', 'stg_survey__answers'),
]) }}
