"""`succession`: the command line for data engineers, evaluators, auditors and LA HR teams.

  succession run [--raw-dir DIR] [--out DIR] [--period Q] [--region CODE ...] [--quiet]
  succession render evaluation|quarterly-return --region CODE --period "2024-25 Q4" [--out DIR] [--format html,pdf]
  succession render national-overview --period "2024-25 Q4"
  succession template hr-return --la CODE --quarter "2024-25 Q1" -o FILE.xlsx
  succession validate FILE...
  succession trace FIGURE_ID [--out DIR] [--json] [--unsuppressed]
  succession sample [--raw-dir DIR] [--las N --quarters N ...]
  succession dbt-vars [--out DIR]      (the --vars for running dbt by hand)

Options override the environment (SUCCESSION_RAW_DIR, SUCCESSION_BUILD_DIR, SUCCESSION_REGIONS,
...: succession/settings.py lists them all), which overrides the defaults.

A mistake a person can fix (a raw folder that is not there, an unknown region, period or
LA) is one line on stderr naming what is valid, exit code 2, and nothing written. A run
refused because many raw files were withdrawn exits 3 (see --accept-withdrawals).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pydantic import ValidationError

from succession.errors import UsageError
from succession.paths import PROJECT_DIR, ProjectPaths
from succession.settings import ENV_PREFIX, Settings, default_value

DAGSTER_HOME = PROJECT_DIR / ".dagster_home"  # `succession`'s Dagster instance unless DAGSTER_HOME names one


EXIT_USAGE = 2  # a wrong argument: nothing was done
EXIT_REFUSED = 3  # a mass withdrawal: the warehouse was kept as it was


def _choose(what: str, value: str, valid: dict[str, str]) -> str:
    """``value`` if it is a key of ``valid`` (code -> description), else a UsageError listing them."""
    if value in valid:
        return value
    listed = (
        ", ".join(f"{code} ({name})" if name else code for code, name in valid.items()) or "none (nothing built yet)"
    )
    raise UsageError(f"unknown {what} {value!r}: valid {what}s are {listed}")


def _quarter(value: str, valid: list[str]) -> str:
    """A quarter label among ``valid``, accepting the folder form (2024-25_Q4) too."""
    from succession.periods import FinancialQuarter

    try:
        label = FinancialQuarter.parse(value).label
    except ValueError:
        label = value
    return _choose("period", label, dict.fromkeys(valid, ""))


def _settings(args) -> Settings:
    """The settings for this command: its options, else the environment, else the defaults
    (`succession.settings`). Handed down explicitly; nothing is exported to the environment."""
    overrides = {"raw_dir": getattr(args, "raw_dir", None), "build_dir": getattr(args, "out", None)}
    if getattr(args, "command", None) == "run":
        overrides["regions"] = args.region  # else SUCCESSION_REGIONS
    return Settings(**{name: value for name, value in overrides.items() if value})


def cmd_run(args) -> int:
    settings = _settings(args)
    paths = settings.paths
    from orchestration.runner import partition_keys, run
    from orchestration.safeguards import check_raw_folder
    from succession.reference import regions

    # every argument is checked before anything is written under --out
    check_raw_folder(paths.raw_dir)
    for region in args.region or []:
        _choose("region", region, regions())
    period = _quarter(args.period, partition_keys(paths)["quarter"]) if args.period else None
    summary = run(
        paths,
        period=period,
        quiet=args.quiet,
        accept_withdrawals=args.accept_withdrawals,
        # the Dagster instance: DAGSTER_HOME, else the project's (.dagster_home), not a temporary
        # one; opened by `run` under the writer lock, so two runs never both create its tables
        settings=settings.model_copy(update={"dagster_home": settings.dagster_home or DAGSTER_HOME}),
    )
    if args.quiet and not summary.success:
        print("\n".join(summary.lines()), file=sys.stderr)
    elif summary.refusal:
        print(f"succession run: {summary.refusal}", file=sys.stderr)  # the summary went to stdout
    if summary.refusal:
        return EXIT_REFUSED
    return 0 if summary.success else 1


def _warehouse_choices(paths: ProjectPaths) -> tuple[dict[str, str], list[str]]:
    """Regions (code -> name) and quarters the warehouse has returns for: what a document can show."""
    import duckdb

    from succession.periods import FinancialQuarter
    from succession.reference import regions

    if not paths.warehouse.exists():
        raise UsageError(f"no warehouse at {paths.warehouse}: run `succession run` first")
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        rows = con.execute("select distinct region_code, quarter from marts.fct_return_status").fetchall()
    names = regions()
    return (
        {code: names.get(code, "") for code in sorted({r for r, _ in rows})},
        sorted({q for _, q in rows}, key=FinancialQuarter.parse),
    )


def cmd_render(args) -> int:
    paths = _settings(args).paths
    from succession import publish, reports

    valid_regions, valid_quarters = _warehouse_choices(paths)
    args.period = _quarter(args.period, valid_quarters)
    if args.document in reports.NATIONAL_DOCUMENTS:
        region = reports.ENGLAND  # England and every region: no --region
    elif not args.region:
        raise UsageError(f"--region is required for {args.document} (an ONS region code, e.g. E12000008)")
    else:
        region = _choose("region", args.region, valid_regions)

    formats = tuple(f.strip() for f in args.format.split(",") if f.strip())
    done = reports.render(paths, args.document, region, args.period, formats=formats)
    publish.write_register(paths.warehouse, paths.reports_dir, paths.figures_dir)
    from succession.trace_pages import write_trace_pages

    write_trace_pages(paths)  # the documents' numbers link to these pages
    for fmt, path in done.outputs.items():
        print(f"{fmt}: {path}")
    print(f"rendered with {done.engine} in {done.seconds:.1f}s; register: {paths.figures_dir / publish.REGISTER}")
    return 0


def cmd_template(args) -> int:
    from succession.periods import FinancialQuarter
    from succession.reference import local_authorities
    from succession.templates.hr_return import write_hr_return

    _choose("LA code", args.la.strip(), {code: la.la_name for code, la in sorted(local_authorities().items())})
    try:
        quarter = FinancialQuarter.parse(args.quarter)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    path = write_hr_return(Path(args.output), args.la, quarter)
    print(f"wrote {path}")
    return 0


def cmd_validate(args) -> int:
    from succession.validate import validate_paths

    problems = validate_paths([Path(f) for f in args.files])
    for p in problems:
        print(p)
    if not problems:
        print(f"{len(args.files)} file(s) valid")
    return 1 if problems else 0


def cmd_trace(args) -> int:
    paths = _settings(args).paths
    from succession.trace import UnknownFigureError, trace

    try:
        result = trace(paths, args.figure_id, unsuppressed=args.unsuppressed)
    except UnknownFigureError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(result.to_json() if args.json else result.to_text())
    return 0


def cmd_dbt_vars(args) -> int:
    """The --vars a hand-run dbt needs: ``cd dbt_project && dbt build --vars "$(succession dbt-vars)"``."""
    print(json.dumps(_settings(args).dbt_vars(), sort_keys=True))
    return 0


def cmd_sample(args) -> int:
    from succession.sample_data import SampleSpec, generate

    spec = (
        SampleSpec.sample()
        if args.las is None
        else SampleSpec.national(
            n_las=args.las,
            n_quarters=args.quarters,
            survey_respondents=args.respondents,
            interviews=args.interviews,
            segments_per_interview=args.segments,
        )
    )
    generate(Path(args.raw_dir), spec)
    print(f"wrote sample raw data for {len(spec.las)} LAs x {len(spec.quarters)} quarters to {args.raw_dir}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="succession", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("run", help="ingest, validate, build the warehouse, render the reports (through Dagster)")
    p.add_argument("--raw-dir", help="raw folder (default: raw/)")
    p.add_argument("--out", help="build folder (default: build/)")
    p.add_argument("--period", help='quarter to render the reports for (default: the latest), e.g. "2024-25 Q4"')
    p.add_argument("--quiet", action="store_true", help="print nothing unless the run fails (for cron)")
    p.add_argument(
        "--region",
        action="append",
        help="render the reports for this ONS region code only (repeatable; "
        "default: $SUCCESSION_REGIONS, else every region with returns)",
    )
    p.add_argument(
        "--accept-withdrawals",
        action="store_true",
        help="replace the warehouse even if a source lost more than a quarter of its files, or a quarter "
        "or wave lost all of them, since it was built (otherwise such a run is refused, exit 3)",
    )
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("render", help="re-render one document from the current warehouse")
    p.add_argument("document", choices=["evaluation", "quarterly-return", "national-overview"])
    p.add_argument("--region", help="ONS region code, e.g. E12000008 (not for national-overview: England)")
    p.add_argument("--period", required=True, help='quarter, e.g. "2024-25 Q4"')
    p.add_argument("--out", help="build folder holding the warehouse (default: build/)")
    p.add_argument("--format", default="html,pdf")
    p.set_defaults(func=cmd_render)

    p = sub.add_parser("template", help="write a blank return template for an LA")
    p.add_argument("kind", choices=["hr-return"])
    p.add_argument("--la", required=True, help="DfE three-digit LA code, e.g. 867")
    p.add_argument("--quarter", required=True, help='e.g. "2024-25 Q1"')
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("validate", help="check raw files against their contracts without loading anything")
    p.add_argument("files", nargs="+")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("trace", help="trace a published figure back to raw files, rows and cells")
    p.add_argument("figure_id")
    p.add_argument("--out", help="build folder (default: build/)")
    p.add_argument("--json", action="store_true", help="complete machine-readable chain")
    p.add_argument(
        "--unsuppressed", action="store_true", help="auditors only: show the values disclosure control withholds"
    )
    p.set_defaults(func=cmd_trace)

    p = sub.add_parser("dbt-vars", help="print the dbt --vars the settings give (for running dbt by hand)")
    p.add_argument("--raw-dir", help="raw folder (default: raw/)")
    p.add_argument("--out", help="build folder (default: build/)")
    p.set_defaults(func=cmd_dbt_vars)

    p = sub.add_parser("sample", help="write deterministic sample raw data")
    # the project's own raw/ unless told otherwise: never the configured SUCCESSION_RAW_DIR
    p.add_argument("--raw-dir", default=str(default_value("raw_dir")))
    p.add_argument("--las", type=int, help="national scale: number of LAs (default: the South East sample)")
    p.add_argument("--quarters", type=int, default=8)
    p.add_argument("--respondents", type=int, default=70)
    p.add_argument("--interviews", type=int, default=13)
    p.add_argument("--segments", type=int, default=20)
    p.set_defaults(func=cmd_sample)

    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:  # includes orchestration.safeguards.RawFolderError
        print(f"succession {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ValidationError as exc:  # a SUCCESSION_* variable that is not a valid setting
        problems = "; ".join(f"{ENV_PREFIX}{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        print(f"succession {args.command}: error: invalid setting: {problems}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
