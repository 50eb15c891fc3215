"""The attacker's audit of disclosure control (docs/DISCLOSURE.md).

An attacker holds every published number (the figure register, every CSV in
``build/figures/``, the documents, the ratings against targets) and knows how they
relate: LA cells add up to the region and England, rates times their bases give
counts, quarters add up to the year to date. ``relations`` writes those relations down;
``audit`` bounds every protected cell by linear programming (``scipy.optimize.linprog``,
HiGHS) and fails when one is narrowed below the policy's protection interval.
"""

from succession.disclosure.audit import MIN_WIDTH, AuditResult, audit_publication, report_path, run_audit
from succession.disclosure.publication import Publication, load_publication

__all__ = [
    "MIN_WIDTH",
    "AuditResult",
    "Publication",
    "audit_publication",
    "load_publication",
    "report_path",
    "run_audit",
]
