"""Inter-rater agreement per code for double-coded interviews.

A unit is one segment of an interview coded by two or more coders; a coder's rating of a
unit for a code is 1 when they applied it (or one of its sub-codes) and 0 otherwise.
Cohen's kappa (scikit-learn) where units have exactly two coders; Krippendorff's alpha
(nominal, `krippendorff` package) over all coders, missing where a coder did not code
that interview. Where every rating is the same, the coefficient is undefined (null).
"""
import warnings

import numpy as np
import pandas as pd


def agreement(codings: pd.DataFrame) -> pd.DataFrame:
    import krippendorff
    from sklearn.metrics import cohen_kappa_score

    cols = ["wave", "theme_path", "coders", "units", "interviews", "units_coded", "observed_agreement", "kappa", "alpha"]
    rows = []
    for wave, wc in codings.groupby("wave"):
        coders_per_interview = wc.groupby("interview_id")["coder"].nunique()
        double = coders_per_interview[coders_per_interview >= 2].index
        d = wc[wc["interview_id"].isin(double)]
        if d.empty:
            continue
        # roll each code up to its ancestors: agreeing on a sub-code means agreeing on its parent
        paths = d["theme_path"].str.split("/")
        expanded = d.loc[d.index.repeat(paths.str.len())].copy()
        expanded["theme_path"] = [
            "/".join(p[:k]) for p in paths for k in range(1, len(p) + 1)
        ]
        expanded = expanded.drop_duplicates(["interview_id", "segment_id", "coder", "theme_path"])
        units = d[["interview_id", "segment_id"]].drop_duplicates().sort_values(["interview_id", "segment_id"])
        units["u"] = np.arange(len(units))
        coders = sorted(d["coder"].unique())
        cidx = {c: i for i, c in enumerate(coders)}
        # which coder coded which interview: a rating exists (0 or 1) only for those
        coded = d[["interview_id", "coder"]].drop_duplicates().merge(units, on="interview_id")
        base = np.full((len(coders), len(units)), np.nan)
        base[coded["coder"].map(cidx).to_numpy(), coded["u"].to_numpy()] = 0.0
        per_unit = (~np.isnan(base)).sum(axis=0)
        two = per_unit == 2
        e = expanded.merge(units, on=["interview_id", "segment_id"])
        for theme, grp in e.groupby("theme_path"):
            m = base.copy()
            m[grp["coder"].map(cidx).to_numpy(), grp["u"].to_numpy()] = 1.0
            kappa = alpha = None
            r1, r2 = [], []
            for u in np.flatnonzero(two):
                vals = m[~np.isnan(m[:, u]), u]
                r1.append(int(vals[0]))
                r2.append(int(vals[1]))
            observed = float(np.mean(np.array(r1) == np.array(r2))) if r1 else None
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if r1 and len(set(r1) | set(r2)) > 1:
                    k = cohen_kappa_score(r1, r2, labels=[0, 1])
                    kappa = None if np.isnan(k) else float(k)
                try:
                    a = krippendorff.alpha(reliability_data=m, level_of_measurement="nominal")
                    alpha = None if np.isnan(a) else float(a)
                except (ValueError, ZeroDivisionError):
                    alpha = None
            rows.append({
                "wave": wave, "theme_path": theme, "coders": len(coders), "units": int(len(units)),
                "interviews": int(len(double)), "units_coded": int(grp["u"].nunique()),
                "observed_agreement": observed, "kappa": kappa, "alpha": alpha,
            })
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
    codings = dbt.ref("stg_interviews__codings").df()
    out = agreement(codings[["wave", "interview_id", "coder", "segment_id", "theme_path"]])
    if out.empty:
        # a typed empty result so the warehouse column types do not depend on the data
        return session.sql(
            "select null::varchar as wave, null::varchar as theme_path, null::integer as coders, "
            "null::integer as units, null::integer as interviews, null::integer as units_coded, "
            "null::double as observed_agreement, null::double as kappa, null::double as alpha where false"
        )
    return out
