"""`diklat publish`: organisers' spreadsheets (CSV/XLSX templates) checked, published, followed."""

from diklat.publish.send import Report, publish, publish_files
from diklat.publish.templates import Plan, Problem, plan_files, plan_sheets

__all__ = ["Plan", "Problem", "Report", "plan_files", "plan_sheets", "publish", "publish_files"]
