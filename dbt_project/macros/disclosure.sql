{#
  Disclosure control, one definition for every published figure (docs/DISCLOSURE.md).

  What is protected: figures of class 'people' (counts and characteristics of people:
  applicants, shortlisted, contacts, appointees' background, the workforce's age,
  retirement intent and diversity, survey answers, programme participants and their
  feedback and careers). Counts of posts (vacancies, adverts, permanent fills, readverts,
  time to fill, interim cover) describe publicly advertised jobs and public appointments
  and are published in full ('posts'); organisations, money, plan targets and coding
  statistics are 'public'.

  The one mechanism (applied in marts/audit/fct_figures.sql):
  1. primary: a people count of 1..suppress_counts_up_to; a people rate whose numerator,
     or (for a rate standing alone) whose complement, is such a count; a people rate or
     mean whose count is not published, on a base under suppress_rates_base_below (a mean
     of one or two ratings is those ratings). Zeros are always shown.
  2. complementary, per disclosure group (cells that add up to a shown total): enough
     other cells so that every primary cell keeps the protection interval; a breakdown
     that cannot be protected that way, or whose total is itself suppressed, or that has
     no shown total (a cumulative series), is withheld whole.
  3. consequential: a figure that reveals the same count as a suppressed one (a percent
     and its n, a rate and its count or base) is suppressed with it; no rating is published
     for a suppressed value. A percent whose n and base are both published is also shown as
     `c` on a base under suppress_rates_base_below ('small base': too unreliable to print;
     it protects nothing, as n and base are shown).
#}

{# The count of people a figure reveals: the value of a count, the numerator of a rate or mean. #}
{% macro disclosure_count(value, numerator, unit) -%}
case when {{ unit }} in ('count', 'people') then {{ value }} else {{ numerator }} end
{%- endmacro %}

{# standalone: the rate has no published count and no disclosure group, so the count of
   the people *without* the characteristic (denominator - numerator) is protected too.
   count_published: the rate's numerator is a published count figure (which carries the
   protection), so a small base alone does not make the rate primary. #}
{% macro is_primary_suppressed(value, base, numerator, denominator, unit, disclosure_class, standalone, count_published) -%}
(
    {{ disclosure_class }} = 'people' and {{ value }} is not null and (
        ({{ unit }} in ('count', 'people') and {{ value }} between 1 and {{ var('suppress_counts_up_to') }})
        or ({{ unit }} = 'percent' and {{ numerator }} between 1 and {{ var('suppress_counts_up_to') }})
        or ({{ unit }} = 'percent' and {{ standalone }}
            and {{ denominator }} - {{ numerator }} between 1 and {{ var('suppress_counts_up_to') }})
        or ({{ unit }} in ('ratio', 'percent', 'rate', 'score', 'days') and not {{ count_published }}
            and coalesce({{ base }}, 0) < {{ var('suppress_rates_base_below') }})
    )
)
{%- endmacro %}

{# How a value is printed in every output: counts, days and money whole; ratios, percentages
   and scores to 1 dp; coefficients (kappa, alpha) to 2 dp. A target or baseline prints in
   the unit of the indicator it targets. #}
{% macro format_value(value, unit) -%}
case
    when {{ value }} is null then 'x'
    when {{ unit }} in ('count', 'organisations', 'people', 'gbp', 'days') then printf('%d', round({{ value }})::bigint)
    when {{ unit }} in ('ratio', 'percent', 'rate', 'score') then printf('%.1f', round({{ value }}, 1))
    when {{ unit }} = 'coefficient' then printf('%.2f', round({{ value }}, 2))
    else {{ value }}::varchar
end
{%- endmacro %}

{# A rating against target says where a value lies (e.g. 'near' = within 10% of the target),
   so a suppressed value's rating is suppressed too (succession/reporting/programme.py applies
   the same rule to the documents). #}
{% macro published_rating(rating, suppressed) -%}
case when {{ suppressed }} and {{ rating }} in ('met', 'near', 'not met') then 'c' else {{ rating }} end
{%- endmacro %}
