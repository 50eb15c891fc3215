"""Inter-rater agreement per code for double-coded interviews.

A unit is one segment of an interview coded by two or more coders; a coder's rating of a
unit for a code is 1 when they applied it (or one of its sub-codes) and 0 otherwise.
Cohen's kappa where units have exactly two coders (computed as
`sklearn.metrics.cohen_kappa_score` computes it, operation for operation, so the same
float; the tests hold it to scikit-learn); Krippendorff's alpha (nominal, `krippendorff`
package) over all coders, missing where a coder did not code that interview. Where every
rating is the same, the coefficient is undefined (null).

Vectorised: the rows of a wave are mapped to (unit, coder, code) indices once; per code,
the two raters of every two-coder unit are picked with one fancy index, not a loop over units.
"""

import warnings
from itertools import chain

import numpy as np
import pandas as pd


def _ancestors(path: str) -> list[str]:
    """``Barriers/Time`` -> ``[Barriers, Barriers/Time]``: agreeing on a sub-code means agreeing on its parent."""
    parts = path.split("/")
    return ["/".join(parts[:k]) for k in range(1, len(parts) + 1)]


def cohen_kappa(c00: int, c01: int, c10: int, c11: int) -> float:
    """Unweighted Cohen's kappa of two raters from their 2x2 confusion counts (rows: the first
    rater's 0/1, columns: the second's), with scikit-learn's float operations in its order:
    expected = outer(column sums, row sums) / n, kappa = 1 - sum(off-diagonal observed) /
    sum(off-diagonal expected). NaN when undefined (as scikit-learn's default)."""
    n = float(c00 + c01 + c10 + c11)
    if n == 0:
        return float("nan")
    sum0 = (float(c00 + c10), float(c01 + c11))  # the second rater's counts of 0 and 1
    sum1 = (float(c00 + c01), float(c10 + c11))  # the first rater's
    expected_off = sum0[0] * sum1[1] / n + sum0[1] * sum1[0] / n
    if expected_off == 0:
        return float("nan")
    return float(1 - float(c01 + c10) / expected_off)


def agreement(codings: pd.DataFrame) -> pd.DataFrame:
    import krippendorff

    cols = [
        "wave",
        "theme_path",
        "coders",
        "units",
        "interviews",
        "units_coded",
        "observed_agreement",
        "kappa",
        "alpha",
    ]
    rows = []
    for wave, wc in codings.groupby("wave"):
        coders_per_interview = wc.groupby("interview_id")["coder"].nunique()
        double = coders_per_interview[coders_per_interview >= 2].index
        d = wc[wc["interview_id"].isin(double)]
        if d.empty:
            continue
        units = d[["interview_id", "segment_id"]].drop_duplicates().sort_values(["interview_id", "segment_id"])
        units["u"] = np.arange(len(units))
        coders = sorted(d["coder"].unique())
        cidx = {c: i for i, c in enumerate(coders)}
        # which coder coded which interview: a rating exists (0 or 1) only for those
        coded = d[["interview_id", "coder"]].drop_duplicates().merge(units, on="interview_id")
        base = np.full((len(coders), len(units)), np.nan)
        base[coded["coder"].map(cidx).to_numpy(), coded["u"].to_numpy()] = 0.0
        present = ~np.isnan(base)
        # units with exactly two coders, and those two coders (lower index first)
        two_units = np.flatnonzero(present.sum(axis=0) == 2)
        first = present[:, two_units].argmax(axis=0)
        second = len(coders) - 1 - present[::-1, two_units].argmax(axis=0)

        # every coding row, once per code it counts for (its code and the code's ancestors)
        e = d[["interview_id", "segment_id", "coder", "theme_path"]].merge(units, on=["interview_id", "segment_id"])
        paths = e["theme_path"].to_numpy()
        ancestors = {p: _ancestors(p) for p in pd.unique(paths)}
        themes = sorted(set(chain.from_iterable(ancestors.values())))
        tidx = {t: i for i, t in enumerate(themes)}
        codes_of = {p: [tidx[a] for a in anc] for p, anc in ancestors.items()}
        repeat = np.fromiter((len(codes_of[p]) for p in paths), dtype=np.int64, count=len(paths))
        theme_of = np.fromiter(
            chain.from_iterable(map(codes_of.__getitem__, paths)), dtype=np.int64, count=int(repeat.sum())
        )
        unit_of = np.repeat(e["u"].to_numpy(), repeat)
        coder_of = np.repeat(e["coder"].map(cidx).to_numpy(), repeat)
        order = np.argsort(theme_of, kind="stable")
        bounds = np.searchsorted(theme_of[order], np.arange(len(themes) + 1))

        for t, theme in enumerate(themes):
            sel = order[bounds[t] : bounds[t + 1]]
            m = base.copy()
            m[coder_of[sel], unit_of[sel]] = 1.0
            kappa = alpha = observed = None
            if len(two_units):
                r1, r2 = m[first, two_units], m[second, two_units]
                observed = float(np.mean(r1 == r2))
                c11 = int(np.count_nonzero((r1 == 1) & (r2 == 1)))
                c10 = int(np.count_nonzero((r1 == 1) & (r2 == 0)))
                c01 = int(np.count_nonzero((r1 == 0) & (r2 == 1)))
                c00 = len(two_units) - c11 - c10 - c01
                if c00 != len(two_units) and c11 != len(two_units):  # both ratings occur
                    k = cohen_kappa(c00, c01, c10, c11)
                    kappa = None if np.isnan(k) else k
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    a = krippendorff.alpha(reliability_data=m, level_of_measurement="nominal")
                    alpha = None if np.isnan(a) else float(a)
                except (ValueError, ZeroDivisionError):
                    alpha = None
            rows.append(
                {
                    "wave": wave,
                    "theme_path": theme,
                    "coders": len(coders),
                    "units": len(units),
                    "interviews": len(double),
                    "units_coded": int(np.count_nonzero(np.bincount(unit_of[sel], minlength=len(units)))),
                    "observed_agreement": observed,
                    "kappa": kappa,
                    "alpha": alpha,
                }
            )
    out = pd.DataFrame(rows, columns=cols)
    for c in ("coders", "units", "interviews", "units_coded"):
        out[c] = out[c].astype("int64")
    for c in ("observed_agreement", "kappa", "alpha"):
        out[c] = out[c].astype("float64")
    for c in ("wave", "theme_path"):
        out[c] = out[c].astype("object")
    return out


def model(dbt, session):
    dbt.config(materialized="table")
    # only the five columns it needs leave DuckDB (not the excerpt hashes and lineage of every row)
    codings = dbt.ref("stg_interviews__codings").project("wave, interview_id, coder, segment_id, theme_path").df()
    out = agreement(codings)
    if out.empty:
        # a typed empty result so the warehouse column types do not depend on the data
        return session.sql(
            "select null::varchar as wave, null::varchar as theme_path, null::integer as coders, "
            "null::integer as units, null::integer as interviews, null::integer as units_coded, "
            "null::double as observed_agreement, null::double as kappa, null::double as alpha where false"
        )
    return out
