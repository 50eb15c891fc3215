{#-
The figure-id grammar, written once for SQL (succession/figures.py is the same grammar in
Python; tests/test_figure_ids.py checks the two against each other and against every id in
audit.fct_figures):

    <part>.<part>...[.<optional part>...]

e.g. grant.spent_to_date.2024-25_Q2.E12000008.line_coaching_mentoring
(table . indicator . period key . place [. breakdown ...]). A part is never empty and never
holds a '.' or a space; a period is always written as its key (quarter_key below), never as
its label. Required parts make the id null when one of them is null; an optional part
(written [expr]) is left out, with its '.', when it is null.
-#}
{% macro figure_id(parts) -%}
{#- parts: SQL expressions, in order; a part written as a one-item list ([expr]) is optional -#}
({% for part in parts -%}
{%- if part is string -%}{{ " || '.' || " if not loop.first }}{{ part }}
{%- else %} || coalesce('.' || {{ part[0] }}, ''){% endif -%}
{%- endfor %})
{%- endmacro %}

{#- The financial quarter's two spellings (succession/periods.py FinancialQuarter): the label
    '2024-25 Q1' (data, documents) and the key '2024-25_Q1' (figure ids, folders, file names).
    A survey wave is written as its key already ('2024-25_W1'). -#}
{% macro quarter_key(label) -%}
replace({{ label }}, ' ', '_')
{%- endmacro %}

{% macro quarter_label(key) -%}
replace({{ key }}, '_', ' ')
{%- endmacro %}

{#- A survey or interview wave '2024-25_W1' belongs to the financial year '2024-25', whose DfE
    open-data time_period is '202425' (succession/periods.py: wave_financial_year, FinancialQuarter). -#}
{% macro wave_financial_year(wave) -%}
left({{ wave }}, 7)
{%- endmacro %}

{% macro financial_year_time_period(financial_year) -%}
replace({{ financial_year }}, '-', '')
{%- endmacro %}

{#- A value as it appears inside a figure id (a status or activity type such as 'on time'):
    spaces become '_', as in a period key. -#}
{% macro id_part(value) -%}
replace({{ value }}, ' ', '_')
{%- endmacro %}

{#- The figure families, in the order fct_figures and fct_figure_sources union them: each
    family is a model fig_<family> (the figures) and fig_<family>__sources (their raw rows). -#}
{% macro figure_families() -%}
{{ return(['table_one', 'returns', 'survey', 'interviews', 'programme', 'programme_framework', 'survey_framework', 'national']) }}
{%- endmacro %}

{#- Families whose ids both their figures model and their sources model write: one definition
    each, so the two cannot drift apart. -#}

{#- table_one.<indicator>.<quarter key>.<LA, region or England>.tier_<tier> -#}
{% macro table_one_figure_id(indicator, quarter, place, tier) -%}
{{ figure_id(["'table_one'", indicator, quarter_key(quarter), place, "'tier_' || " ~ tier]) }}
{%- endmacro %}

{#- returns.<status>.<quarter key>.<region or England>; a region's count of LAs whose KPIs sheet
    disagrees with Table one is reconciliation.disagreements.<quarter key>.<region> -#}
{% macro returns_figure_id(status, quarter, place) -%}
{{ figure_id(["case when " ~ status ~ " = 'disagreements' then 'reconciliation' else 'returns' end",
              id_part(status), quarter_key(quarter), place]) }}
{%- endmacro %}

{#- survey.<n|percent|base>.<wave>.<question>[.<matrix item>][.<option>] -#}
{% macro survey_figure_id(indicator, wave, question_id, item_code, option_key=none) -%}
{{ figure_id(["'survey'", indicator, wave, question_id, [item_code]] + ([option_key] if option_key else [])) }}
{%- endmacro %}

{#- themes.<percent|n>.<source>.<wave>.<group type>.<group value>.<theme>, themes.base.<...group value> -#}
{% macro themes_figure_id(indicator, source, wave, group_type, group_value, theme_key=none) -%}
{{ figure_id(["'themes'", indicator, source, wave, group_type, group_value] + ([theme_key] if theme_key else [])) }}
{%- endmacro %}

{#- agreement.<kappa|alpha>.<wave>.<theme>, agreement.units.<wave> -#}
{% macro agreement_figure_id(indicator, wave, theme_key=none) -%}
{{ figure_id(["'agreement'", indicator, wave] + ([theme_key] if theme_key else [])) }}
{%- endmacro %}

{#- A region's quarterly figure: <stem>.<quarter key>.<region>[.<breakdown>], where the stem is the
    family and indicator (grant.spent_to_date, evaluation.level1.mean_rating, vfm.cost_per_participant,
    ...): the programme, evaluation, grant, framework and England-total families. -#}
{% macro regional_figure_id(stem, quarter_key, region, breakdown=none) -%}
{#- breakdown: one optional part, or a list of parts as figure_id takes them -#}
{%- set tail = [] if not breakdown else ([[breakdown]] if breakdown is string else breakdown) -%}
{{ figure_id([stem, quarter_key, region] + tail) }}
{%- endmacro %}

{#- The n-th part (from 1) of a figure id, as figure_id wrote it -#}
{% macro figure_id_part(figure_id_expr, n) -%}
split_part({{ figure_id_expr }}, '.', {{ n }})
{%- endmacro %}

{#- The survey section (fig_survey_framework, fig_national):
    survey.response.<measure>.<wave>
    survey.headline.<percent|base>.<wave>.<measure>[.<group type>_<group value>]
    survey.national.<percent|base>.<financial year>.<measure>
    survey.change.<change_pp|change_low_pp|change_high_pp>.<wave>.<measure>
    survey.by.<percent|base>.<wave>.<question>.<group type>_<group value>[.<option>]
    survey.theme.<percent|n|base>.<wave>.<question>[.<theme>] -#}
{% macro survey_response_figure_id(measure, wave) -%}
{{ figure_id(["'survey'", "'response'", measure, wave]) }}
{%- endmacro %}

{% macro survey_headline_figure_id(kind, wave, measure, group=none) -%}
{{ figure_id(["'survey'", "'headline'", kind, wave, measure] + ([[group]] if group else [])) }}
{%- endmacro %}

{% macro survey_national_figure_id(kind, financial_year, measure) -%}
{{ figure_id(["'survey'", "'national'", kind, financial_year, measure]) }}
{%- endmacro %}

{% macro survey_change_figure_id(kind, wave, measure) -%}
{{ figure_id(["'survey'", "'change'", kind, wave, measure]) }}
{%- endmacro %}

{% macro survey_by_figure_id(kind, wave, question_id, group, option_key=none) -%}
{{ figure_id(["'survey'", "'by'", kind, wave, question_id, group] + ([option_key] if option_key else [])) }}
{%- endmacro %}

{% macro survey_theme_figure_id(kind, wave, question_id, theme_key=none) -%}
{{ figure_id(["'survey'", "'theme'", kind, wave, question_id] + ([theme_key] if theme_key else [])) }}
{%- endmacro %}
