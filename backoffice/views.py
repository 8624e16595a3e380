"""The report pages: a form (range, grouping, the report's filters), a chart and a table drawn
from the same rows, and the rows as a streamed CSV download.

Bad input never reaches a report: :func:`~backoffice.reports.base.period_from` and
:func:`~backoffice.reports.base.options_from` refuse it, and the page says why (status 400) with
the form to correct it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from backoffice.reports.base import (
    DAY,
    GRAIN_LABELS,
    REPORTS,
    Column,
    Report,
    ReportError,
    options_from,
    period_from,
    studio_today,
)
from core.money import format_money


def report_class(slug: str, user) -> type[Report]:
    report = REPORTS.get(slug)
    if report is None:
        raise Http404
    if not user.has_perm(report.permission):
        raise PermissionDenied
    return report


def report_build(report: type[Report], params) -> Report:
    """The report for the query ``params``; raises :class:`ReportError` for bad input."""
    return report(period=period_from(params, grains=report.grains), options=options_from(report, params))


def cell_text(value: Any, kind: str) -> str:
    """A value as the table shows it (the CSV keeps plain numbers)."""
    if value is None or value == "":
        return "–"
    if kind == "money":
        return format_money(value)
    if kind == "percent":
        return f"{float(value) * 100:.1f} %"
    if kind == "seconds":
        seconds = round(float(value))
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    if kind == "hours":
        return f"{float(value):,.1f} h"
    if kind == "days":
        return _("%(days)s days") % {"days": f"{float(value):,.1f}"}
    if kind == "int":
        return f"{int(value):,}"
    return str(value)


def csv_value(value: Any, kind: str) -> Any:
    if value is None:
        return ""
    if kind == "money":
        return f"{Decimal(value):.2f}"
    if kind == "percent":
        return f"{float(value):.4f}"
    if kind in {"seconds", "hours", "days"}:
        return f"{float(value):.1f}"
    return value


class ReportView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "backoffice/report.html"
    header_icon = "table"

    def dispatch(self, request, slug: str, *args, **kwargs):
        self.report_class = report_class(slug, request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return str(self.report_class.title)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("backoffice_reports:index"), "label": _("Reports")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(**kwargs)
        try:
            report = report_build(self.report_class, request.GET)
            context.update(self.report_context(report))
        except ReportError as error:
            context["error"] = error
            return self.render_to_response(context, status=400)
        return self.render_to_response(context)

    def report_context(self, report: Report) -> dict[str, Any]:
        rows = report.rows()
        columns = report.columns
        totals = report.totals()
        chart = report.chart()
        query = self.request.GET.copy()
        return {
            "report": report,
            "period_label": f"{report.period.start:%d.%m.%Y} – {report.period.end:%d.%m.%Y}",
            "chart": chart,
            "columns": columns,
            "table": [[cell_text(row.get(column.key), column.kind) for column in columns] for row in rows],
            "totals": [cell_text(totals.get(column.key), column.kind) for column in columns]
            if totals
            else None,
            "csv_url": reverse("backoffice_reports:csv", args=[report.slug])
            + (f"?{query.urlencode()}" if query else ""),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = self.report_class
        params = self.request.GET
        today = studio_today()
        context.update(
            {
                "report_class": report,
                "form_values": {
                    "from": params.get("from", (today - timedelta(days=29)).isoformat()),
                    "to": params.get("to", today.isoformat()),
                    "grain": params.get("grain", DAY),
                },
                "grains": [(grain, GRAIN_LABELS[grain]) for grain in report.grains],
                "filters": [
                    (name, spec, params.get(name) or spec.default)
                    for name, spec in report.filter_specs().items()
                ],
                "presets": presets(today),
            }
        )
        return context


def presets(today: date) -> list[tuple[str, str, str]]:
    """Quick ranges for the form: (label, from, to)."""
    year_start = today.replace(month=1, day=1)
    month_start = today.replace(day=1)
    previous_month_end = month_start - timedelta(days=1)
    return [
        (_("Last 7 days"), (today - timedelta(days=6)).isoformat(), today.isoformat()),
        (_("Last 30 days"), (today - timedelta(days=29)).isoformat(), today.isoformat()),
        (_("This month"), month_start.isoformat(), today.isoformat()),
        (_("Last month"), previous_month_end.replace(day=1).isoformat(), previous_month_end.isoformat()),
        (_("This year"), year_start.isoformat(), today.isoformat()),
        (_("Last 12 months"), (today - timedelta(days=364)).isoformat(), today.isoformat()),
    ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(columns: list[Column], rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so spreadsheet programs read the file as UTF-8
    yield writer.writerow([str(column.label) for column in columns])
    for row in rows:
        yield writer.writerow([csv_value(row.get(column.key), column.kind) for column in columns])


def report_csv(request, slug: str):
    report_cls = report_class(slug, request.user)
    try:
        report = report_build(report_cls, request.GET)
    except ReportError as error:
        return HttpResponse(error.message, status=400, content_type="text/plain; charset=utf-8")
    period = report.period
    response = StreamingHttpResponse(
        csv_lines(report.columns, report.csv_rows()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{slug}-{period.start}-{period.end}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


class ReportIndexView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "backoffice/report_index.html"
    header_icon = "table"

    def get_page_title(self) -> str:
        return _("Reports")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["reports"] = [
            (report, reverse("backoffice_reports:report", args=[report.slug]))
            for report in REPORTS.values()
            if user.has_perm(report.permission)
        ]
        return context
