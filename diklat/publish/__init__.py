"""`diklat publish`: organisers' spreadsheets (CSV/XLSX templates) checked, published, followed;
the work is `shared.publishing`, this package prints it in a terminal."""

from diklat.publish.report import Echo, print_results, publish_files
from shared.publishing.send import Report, publish
from shared.publishing.templates import Plan, Problem, plan_files, plan_sheets

__all__ = [
    "Echo",
    "Plan",
    "Problem",
    "Report",
    "plan_files",
    "plan_sheets",
    "print_results",
    "publish",
    "publish_files",
]
