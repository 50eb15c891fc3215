"""Deterministic, seeded generator of realistic raw data.

`generate(raw_dir, spec)` writes every raw source the pipeline reads. The committed
`raw/` folder is `generate(PROJECT/raw, SampleSpec.sample())`; benchmarks call it with
`SampleSpec.national(...)`. Each source has its own module; they share one spec and
derive their random streams from its seed so adding a source never shifts another.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from succession.periods import FinancialQuarter, quarter_range
from succession.reference import LocalAuthority, las_in_region, local_authorities

SAMPLE_REGION = "E12000008"  # South East: 19 LAs, the SESLIP region


@dataclass(frozen=True)
class SampleSpec:
    las: tuple[LocalAuthority, ...]
    quarters: tuple[FinancialQuarter, ...]
    survey_respondents: int = 70
    interviews: int = 13
    segments_per_interview: int = 20
    seed: int = 20190501
    oddities: bool = True  # a late, a missing and a resubmitted return, blank optional cells
    regions: tuple[str, ...] = field(default=(SAMPLE_REGION,))
    survey_previous_wave: bool = True  # also a wave the year before, for change since the previous wave

    @classmethod
    def sample(cls) -> SampleSpec:
        """The bundled sample: the South East's 19 LAs, 2023-24 Q1 to 2024-25 Q4."""
        return cls(
            las=tuple(las_in_region(SAMPLE_REGION)),
            quarters=tuple(quarter_range(FinancialQuarter(2023, 1), FinancialQuarter(2024, 4))),
        )

    @classmethod
    def national(
        cls,
        n_las: int = 153,
        n_quarters: int = 8,
        survey_respondents: int = 70,
        interviews: int = 13,
        segments_per_interview: int = 20,
    ) -> SampleSpec:
        las = sorted(local_authorities().values(), key=lambda la: (la.region_code, la.old_la_code))[:n_las]
        last = FinancialQuarter(2024, 4)
        first = last
        for _ in range(n_quarters - 1):
            first = first.previous()
        return cls(
            las=tuple(las),
            quarters=tuple(quarter_range(first, last)),
            survey_respondents=survey_respondents,
            interviews=interviews,
            segments_per_interview=segments_per_interview,
            regions=tuple(sorted({la.region_code for la in las})),
            survey_previous_wave=False,  # national benchmarks time one wave per region
        )

    def per_region(self, total: int, index: int) -> int:
        """Region ``index``'s (0-based) share of a national total (respondents, interviews):
        the totals are national figures, each region's wave gets its part."""
        n = len(self.regions)
        return total // n + (1 if index < total % n else 0)

    def rng(self, stream: str) -> random.Random:
        """An independent random stream per source, stable under additions elsewhere."""
        return random.Random(f"{self.seed}:{stream}")


def generate(raw_dir: Path, spec: SampleSpec) -> None:
    from succession.sample_data import hr_returns, interviews, programme, survey

    raw_dir = Path(raw_dir)
    hr_returns.generate(raw_dir, spec)
    survey.generate(raw_dir, spec)
    interviews.generate(raw_dir, spec)
    programme.generate(raw_dir, spec)
