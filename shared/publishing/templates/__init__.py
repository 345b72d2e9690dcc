"""The organisers' spreadsheet templates: recognise each sheet, turn its rows into v1 ingest
events, and collect every problem with its file, row and column before anything is sent.

One module per sheet kind (cohort, participants, marks, roster), what they share in `common`,
and the run's plan in `plan`; every name below stays importable from here."""

from shared.publishing.templates.cohort import COHORT_FIELDS, SESSION_COLUMNS, cohort
from shared.publishing.templates.common import (
    OPTIONAL,
    PHASE_CLOSE,
    PHASE_MARK,
    PHASE_REGISTER,
    PHASE_ROSTER,
    PHASE_SCHEDULE,
    PHASE_SCORE,
    PHASE_WITHDRAW,
    Location,
    Plan,
    Planned,
    Problem,
    norm,
)
from shared.publishing.templates.marks import (
    EVALUATION_COLUMNS,
    STATUS_CODES,
    attendance,
    evaluation,
)
from shared.publishing.templates.participants import PARTICIPANT_COLUMNS, participants
from shared.publishing.templates.plan import classify, plan_files, plan_sheets, plan_uploads
from shared.publishing.templates.roster import roster
from shared.publishing.templates.roster_values import OWN_HEADINGS, SIASN_HEADINGS

__all__ = [
    "COHORT_FIELDS",
    "EVALUATION_COLUMNS",
    "OPTIONAL",
    "OWN_HEADINGS",
    "PARTICIPANT_COLUMNS",
    "PHASE_CLOSE",
    "PHASE_MARK",
    "PHASE_REGISTER",
    "PHASE_ROSTER",
    "PHASE_SCHEDULE",
    "PHASE_SCORE",
    "PHASE_WITHDRAW",
    "SESSION_COLUMNS",
    "SIASN_HEADINGS",
    "STATUS_CODES",
    "Location",
    "Plan",
    "Planned",
    "Problem",
    "attendance",
    "classify",
    "cohort",
    "evaluation",
    "norm",
    "participants",
    "plan_files",
    "plan_sheets",
    "plan_uploads",
    "roster",
]
