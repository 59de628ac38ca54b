"""`kb report`: what agents searched for and did not find, which articles help, what needs an expert.

  model.py    the typed Report (plain data; Report.to_dict is --json)
  gather.py   the activity log of the period + kb check's findings -> a Report (create_report)
  text.py     the Report as text for the terminal (render_text)
kb_tools.measure.report_html renders it as a page, kb_tools.measure.report_page serves that page.
Here: the names the rest of kb imports.
"""

from kb_tools.measure.report.gather import DEFAULT_DAYS, build_report, content_findings, create_report, period_bounds
from kb_tools.measure.report.model import REASON_LABELS, HealthItem, Helpfulness, QueryStat, Report
from kb_tools.measure.report.text import render_text, to_do_summary

__all__ = ["DEFAULT_DAYS", "REASON_LABELS", "HealthItem", "Helpfulness", "QueryStat", "Report", "build_report",
           "content_findings", "create_report", "period_bounds", "render_text", "to_do_summary"]
