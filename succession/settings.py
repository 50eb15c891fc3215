"""The project's settings: every ``SUCCESSION_*`` environment variable, read in this one module.

A `Settings` object is made once where a process starts (`succession` from its options
and the environment, `orchestration.definitions` for ``dagster dev`` and the daemon, a
document when it is rendered without parameters) and handed down from there:

- to Dagster as resource config (`orchestration.resources.ProjectPathsResource`) and as
  the definitions' sensors, schedules and alerts;
- to dbt as ``--vars`` (`dbt_vars`): the warehouse file, the lake, DuckDB's memory, dbt's
  threads and the return deadline; the project's own dbt files hold no path defaults;
- to the Quarto documents as parameters (``warehouse``, ``figures_used``).

Nothing writes the environment to pass a setting on. Precedence, highest first: a
command-line option (an init argument), the environment, the defaults below. The
raw and build folders' defaults are here and nowhere else; every other path is derived
from the build folder by `succession.paths.ProjectPaths`.

=====================================  =========================================================
variable                               meaning
=====================================  =========================================================
``SUCCESSION_RAW_DIR``                 raw folder (read-only inputs); default ``raw/``
``SUCCESSION_BUILD_DIR``               build folder (everything made); default ``build/``
``SUCCESSION_WAREHOUSE``               documents only: read this warehouse, not the build's
``SUCCESSION_PSEUDONYM_KEY``           the pseudonym key itself, or
``SUCCESSION_PSEUDONYM_KEY_FILE``      a file holding it (keep it outside the repository)
``SUCCESSION_REGIONS``                 comma-separated ONS codes the documents are rendered for
``SUCCESSION_RETURN_DEADLINE_DAYS``    days after quarter end a return is due (dbt var default)
``SUCCESSION_INGEST_WORKERS``          processes reading raw files at scale; default one per core
``SUCCESSION_DUCKDB_MEMORY``           DuckDB memory limit for dbt (spills to disk beyond it)
``SUCCESSION_DBT_THREADS``             dbt threads
``SUCCESSION_RECONCILIATION_SEVERITY`` ``WARN`` or ``ERROR`` (blocks the run) for kpis_reconcile
``SUCCESSION_AUTOMATION``              ``on``: sensors and schedules start running
``SUCCESSION_SENSOR_INTERVAL``         seconds between raw-folder sensor ticks
``SUCCESSION_TODAY``                   YYYY-MM-DD: checks run "as of" this day (tests, re-runs)
``SUCCESSION_DAGSTER_URL``             the UI's address, for run links in alerts
``SUCCESSION_SMTP_*``                  alert e-mail (`smtp`); unset host: alerts are only logged
``DAGSTER_HOME``                       the Dagster instance `succession` uses (default .dagster_home)
=====================================  =========================================================
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from succession.paths import DBT_PROJECT_DIR, PROJECT_DIR, ProjectPaths

if TYPE_CHECKING:
    from succession.alerts import SmtpSettings

DBT_PROJECT_FILE = DBT_PROJECT_DIR / "dbt_project.yml"
ENV_PREFIX = "SUCCESSION_"


@cache
def dbt_project_var(name: str) -> Any:
    """A var's default in dbt_project.yml: for settings whose default belongs to the dbt project."""
    import yaml

    return yaml.safe_load(DBT_PROJECT_FILE.read_text(encoding="utf-8"))["vars"][name]


def _comma_list(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


CommaList = Annotated[list[str], NoDecode]


class Settings(BaseSettings):
    """Every setting of the project; environment variable = ``SUCCESSION_`` + the field name in capitals."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, case_sensitive=False, extra="ignore", frozen=True, populate_by_name=True
    )

    # where things live
    raw_dir: Path = PROJECT_DIR / "raw"
    build_dir: Path = PROJECT_DIR / "build"
    warehouse: Path | None = Field(None, description="documents only: a warehouse other than the build folder's")
    dagster_home: Path | None = Field(None, validation_alias=AliasChoices("DAGSTER_HOME", "dagster_home"))

    # ingestion
    pseudonym_key: SecretStr | None = None
    pseudonym_key_file: Path | None = None
    ingest_workers: int | None = Field(None, ge=1, description="None: one per core (succession.ingest.workers)")

    # the warehouse (dbt)
    return_deadline_days: int = Field(default_factory=lambda: int(dbt_project_var("return_deadline_days")), ge=0)
    duckdb_memory: str = "600MB"
    dbt_threads: int = Field(2, ge=1)

    # documents
    regions: CommaList = Field(default_factory=list)

    # automation and checks
    reconciliation_severity: Literal["WARN", "ERROR"] = "WARN"
    automation: bool = False
    sensor_interval: int = Field(60, ge=1)
    today: dt.date | None = None
    dagster_url: str = ""

    # alert e-mail
    smtp_host: str = ""
    smtp_port: int | None = None
    smtp_sender: str = "succession@localhost"
    smtp_recipients: CommaList = Field(default_factory=list)
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_ssl: bool = False

    @field_validator("regions", "smtp_recipients", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        return _comma_list(value)

    @field_validator("reconciliation_severity", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("raw_dir", "build_dir", mode="after")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @field_validator(
        "warehouse",
        "dagster_home",
        "pseudonym_key_file",
        "today",
        "smtp_port",
        "ingest_workers",
        "smtp_user",
        "pseudonym_key",
        "smtp_password",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @classmethod
    def from_values(cls, values: dict[str, Any]) -> Settings:
        """Settings from these values and the defaults, not the environment: for settings handed
        down as config (e.g. a Dagster resource's), so they are not read a second time."""
        return _GivenSettings(**values)

    # -- derived ---------------------------------------------------------------------------
    @property
    def paths(self) -> ProjectPaths:
        return ProjectPaths(self.raw_dir, self.build_dir)

    def configured_pseudonym_key(self) -> bytes | None:
        """The key (or the content of the file named), None when neither is set."""
        if self.pseudonym_key is not None and self.pseudonym_key.get_secret_value():
            return self.pseudonym_key.get_secret_value().encode("utf-8")
        if self.pseudonym_key_file is not None:
            key = Path(self.pseudonym_key_file).read_bytes().strip()
            if not key:
                raise ValueError(f"{ENV_PREFIX}PSEUDONYM_KEY_FILE names an empty key file: {self.pseudonym_key_file}")
            return key
        return None

    def smtp(self) -> SmtpSettings | None:
        """Where alerts are e-mailed; None (alerts are only logged) without a host or a recipient."""
        from succession.alerts import SmtpSettings

        host = self.smtp_host.strip()
        if not host or not self.smtp_recipients:
            return None
        default_port = 465 if self.smtp_ssl else 587 if self.smtp_starttls else 25
        return SmtpSettings(
            host=host,
            port=self.smtp_port or default_port,
            sender=self.smtp_sender.strip(),
            recipients=tuple(self.smtp_recipients),
            user=self.smtp_user or None,
            password=self.smtp_password.get_secret_value() if self.smtp_password else None,
            starttls=self.smtp_starttls,
            ssl=self.smtp_ssl,
        )

    def today_or_now(self) -> dt.date:
        return self.today or dt.date.today()

    def dbt_vars(self, warehouse: Path | None = None) -> dict[str, Any]:
        """What dbt needs from the settings (``--vars``): the DuckDB file to build (default the
        build folder's warehouse; `orchestration.warehouse` builds into a copy and swaps it in),
        the lake it reads, DuckDB's memory limit, dbt's threads and the return deadline."""
        paths = self.paths
        return {
            "warehouse": str(warehouse or paths.warehouse),
            "lake_dir": str(paths.lake_dir),
            "duckdb_memory": self.duckdb_memory,
            "dbt_threads": self.dbt_threads,
            "return_deadline_days": self.return_deadline_days,
        }

    def dbt_vars_arg(self, warehouse: Path | None = None) -> list[str]:
        """``["--vars", "<json>"]`` for a dbt command line."""
        return ["--vars", json.dumps(self.dbt_vars(warehouse), sort_keys=True)]


class _GivenSettings(Settings):
    """`Settings` validated from given values only (`Settings.from_values`)."""

    @classmethod
    def settings_customise_sources(
        cls, settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings
    ):
        return (init_settings,)


def default_value(name: str) -> Any:
    """A field's default, not what the environment says: e.g. where ``succession sample`` writes."""
    return Settings.model_fields[name].get_default(call_default_factory=True)
