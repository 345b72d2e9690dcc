"""The organisers' spreadsheet templates: recognise each sheet, turn its rows into v1 ingest
events, and collect every problem with its file, row and column before anything is sent.

One module per sheet kind (cohort, participants, marks, roster), what they share in `common`,
and the run's plan in `plan`; every name below stays importable from here."""

from diklat.publish.templates.cohort import COHORT_FIELDS, SESSION_COLUMNS, cohort
from diklat.publish.templates.common import (
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
from diklat.publish.templates.marks import EVALUATION_COLUMNS, STATUS_CODES, attendance, evaluation
from diklat.publish.templates.participants import PARTICIPANT_COLUMNS, participants
from diklat.publish.templates.plan import classify, plan_files, plan_sheets
from diklat.publish.templates.roster import roster
from diklat.publish.templates.roster_values import OWN_HEADINGS, SIASN_HEADINGS

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
    "roster",
]
