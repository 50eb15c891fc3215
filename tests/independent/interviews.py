"""Interview figures from the coding sheets and REFI-QDA projects: interviews held and
double-coded, theme prevalence (interviews and survey free text share the theme figures'
ids), and inter-rater agreement (Cohen's kappa, Krippendorff's alpha) per theme.

Definitions: contracts/interviews.md. A theme counts its sub-themes; a coder rates each
segment of an interview they coded 1 for a theme if they applied it or a sub-theme, else 0."""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from fractions import Fraction
from itertools import combinations

import pandas as pd

from .printing import ratio
from .readers import fold, load_yaml, read_survey_waves
from .survey import option_key

NS = "{urn:QDA-XML:project:1.0}"
SHEET_COLUMNS = {
    "interview": "interview",
    "interview id": "interview",
    "coder": "coder",
    "segment": "segment",
    "segment id": "segment",
    "code": "code",
    "code path": "code",
    "gender": "gender",
    "participant gender": "gender",
    "tier": "tier",
    "participant tier": "tier",
}
Figures = dict[str, tuple[object, str]]


def theme_paths(themes: list[dict], prefix: str = "") -> list[str]:
    out = []
    for t in themes or []:
        path = prefix + str(t["name"])
        out += [path, *theme_paths(t.get("children"), path + "/")]
    return out


def read_sheet(path) -> pd.DataFrame:
    df = (
        pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        if path.suffix == ".csv"
        else pd.read_excel(path, dtype=str, keep_default_na=False)
    )
    df = df.rename(columns=lambda c: SHEET_COLUMNS.get(fold(c).replace("question/section", "question"), fold(c)))
    for col in ("gender", "tier"):
        if col not in df:
            df[col] = ""
    df["code"] = df["code"].str.replace("\\", "/", regex=False).str.strip()
    return df[["interview", "coder", "segment", "code", "gender", "tier"]].apply(lambda s: s.str.strip())


def read_qdpx(path) -> pd.DataFrame:
    with zipfile.ZipFile(path) as z:
        qde = next(n for n in z.namelist() if n.endswith(".qde") and "/" not in n)
        root = ET.fromstring(z.read(qde))
    users = {u.get("guid"): u.get("name") for u in root.iter(f"{NS}User")}
    codes: dict[str, str] = {}

    def walk(node, prefix):
        for c in node.findall(f"{NS}Code"):
            codes[c.get("guid")] = prefix + c.get("name")
            walk(c, prefix + c.get("name") + "/")

    for book in root.iter(f"{NS}Codes"):
        walk(book, "")
    rows = []
    for src in root.iter(f"{NS}TextSource"):
        for sel in src.iter(f"{NS}PlainTextSelection"):
            for coding in sel.findall(f"{NS}Coding"):
                user = coding.get("creatingUser") or sel.get("creatingUser")
                for ref in coding.findall(f"{NS}CodeRef"):
                    rows.append(
                        {
                            "interview": src.get("name"),
                            "coder": users.get(user, user),
                            "segment": f"{sel.get('startPosition')}-{sel.get('endPosition')}",
                            "code": codes[ref.get("targetGUID")],
                            "gender": "",
                            "tier": "",
                        }
                    )
    return pd.DataFrame(rows, columns=["interview", "coder", "segment", "code", "gender", "tier"])


def _survey_code(value: str, question: dict | None) -> str | None:
    """A participant attribute as the wave's survey codes it (its option code or label, or a
    label it begins: 'Third tier' is 'Third tier (head of service)')."""
    if not value or question is None:
        return None
    v = fold(value)
    for opt in question.get("options") or []:
        code, label = (str(opt["code"]), str(opt["label"])) if isinstance(opt, dict) else (str(opt), str(opt))
        if v in (fold(code), fold(label)) or fold(label).startswith(v):
            return code
    return "other"


def cohen_kappa(a: list[int], b: list[int]) -> float | None:
    n = len(a)
    if not n:
        return None
    po = Fraction(sum(x == y for x, y in zip(a, b)), n)
    pe = sum(Fraction(a.count(v), n) * Fraction(b.count(v), n) for v in (0, 1))
    return None if pe == 1 else float((po - pe) / (1 - pe))


def krippendorff_alpha(units: list[list[int]]) -> float | None:
    """Nominal alpha from the coincidence matrix of the units rated by two or more coders.

    A unit with m ratings adds 1/(m-1) for each ordered pair of ratings by different coders;
    units with the same ratings (up to order) add the same, so each pattern is counted once."""
    o: Counter = Counter()
    for pattern, units_alike in Counter(tuple(sorted(v)) for v in units if len(v) >= 2).items():
        m = len(pattern)
        for i, j in ((i, j) for i in range(m) for j in range(m) if i != j):
            o[(pattern[i], pattern[j])] += Fraction(units_alike, m - 1)
    n_c = Counter()
    for (c, _), w in o.items():
        n_c[c] += w
    n = sum(n_c.values())
    if n <= 1:
        return None
    d_o = sum(w for (c, k), w in o.items() if c != k) / n
    d_e = sum(n_c[c] * n_c[k] for c, k in combinations(n_c, 2)) * 2 / (n * (n - 1))
    return None if d_e == 0 else float(1 - d_o / d_e)


def figures(raw) -> Figures:
    out: Figures = {}
    survey_questions = {str(i["wave"]): {str(q["id"]): q for q in i["questions"]} for i, _ in read_survey_waves(raw)}
    for folder in sorted((raw / "interviews").glob("*_W*")):
        book = load_yaml(folder / "codebook.yaml")
        wave = str(book["wave"])
        paths = theme_paths(book["themes"])
        frames = [read_sheet(p) for p in sorted(folder.glob("*.csv")) + sorted(folder.glob("*.xlsx"))]
        frames += [read_qdpx(p) for p in sorted(folder.glob("*.qdpx"))]
        c = pd.concat(frames, ignore_index=True)
        qs = survey_questions.get(wave, {})
        people = c.groupby("interview").agg(coders=("coder", "nunique"), gender=("gender", "max"), tier=("tier", "max"))
        people["gender"] = people["gender"].map(lambda v: _survey_code(v, qs.get("gender")))  # noqa: B023 - called now
        people["tier"] = people["tier"].map(lambda v: _survey_code(v, qs.get("tier")))  # noqa: B023 - called now
        out[f"interviews.n.{wave}"] = (len(people), "people")
        out[f"interviews.double_coded.{wave}"] = (int((people["coders"] >= 2).sum()), "people")

        # each coding counts for its theme and every theme above it (a theme counts its sub-themes)
        above = {
            code: ["/".join(code.split("/")[:k]) for k in range(1, len(code.split("/")) + 1)]
            for code in c["code"].unique()
        }
        coded = c.assign(path=c["code"].map(above)).explode("path")

        groups = [("all", "all", set(people.index))]
        for col in ("gender", "tier"):
            groups += [(col, v, set(people.index[people[col] == v])) for v in sorted(people[col].dropna().unique())]
        for group_type, value, members in groups:
            stem = f"interviews.{wave}.{group_type}.{value}"
            out[f"themes.base.{stem}"] = (len(members), "people")
            counts = coded[coded["interview"].isin(members)].groupby("path")["interview"].nunique()
            for path in paths:
                n = int(counts.get(path, 0))
                out[f"themes.n.{stem}.{option_key(path)}"] = (n, "people")
                out[f"themes.percent.{stem}.{option_key(path)}"] = (100 * ratio(n, len(members)), "percent")

        twice = people.index[people["coders"] >= 2]
        double = c[c["interview"].isin(twice)]
        units = double[["interview", "segment"]].drop_duplicates()
        coders = double.groupby("interview")["coder"].apply(lambda s: sorted(set(s)))
        out[f"agreement.units.{wave}"] = (len(units), "count")
        applied_by_path = {
            path: set(map(tuple, g[["interview", "segment", "coder"]].values))
            for path, g in coded[coded["interview"].isin(twice)].groupby("path")
        }
        for path in paths:
            applied = applied_by_path.get(path, set())
            ratings = [[int((i, s, k) in applied) for k in coders[i]] for i, s in units.itertuples(index=False)]
            pairs = [r for r in ratings if len(r) == 2]
            key = option_key(path)
            out[f"agreement.kappa.{wave}.{key}"] = (
                cohen_kappa([r[0] for r in pairs], [r[1] for r in pairs]),
                "coefficient",
            )
            out[f"agreement.alpha.{wave}.{key}"] = (krippendorff_alpha(ratings), "coefficient")
    return out
