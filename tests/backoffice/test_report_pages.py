"""The report pages' shared machinery: the period asked for, refusals of bad input, the page and
the streamed CSV (with a small report registered for the test)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from backoffice.reports import base
from backoffice.reports.base import Column, Filter, Period, Report, ReportError, period_from


class Sales(Report):
    slug = "test-sales"
    title = "Test sales"
    columns = [Column("bucket", "Bucket", "text"), Column("amount", "Amount", "money")]
    filters = {"kind": Filter("Kind", (("all", "All"), ("video", "Videos")), default="all")}

    def rows(self):
        return [
            {"bucket": self.period.label(bucket), "amount": Decimal("1.50") * (index + 1)}
            for index, bucket in enumerate(self.period.buckets())
        ]

    def totals(self):
        return {"bucket": "Total", "amount": sum(row["amount"] for row in self.rows())}

    def chart(self):
        rows = self.rows()
        return {
            "type": "bar",
            "labels": [r["bucket"] for r in rows],
            "datasets": [{"label": "Amount", "data": [float(r["amount"]) for r in rows]}],
        }


@pytest.fixture
def sales_report():
    base.REPORTS[Sales.slug] = Sales
    yield Sales
    del base.REPORTS[Sales.slug]


TODAY = date(2026, 11, 21)


def test_no_parameters_mean_the_last_30_days_by_day():
    period = period_from({}, today=TODAY)
    assert (period.start, period.end, period.grain) == (date(2026, 10, 23), TODAY, "day")
    assert len(period.buckets()) == 30


def test_weeks_start_on_monday_and_months_on_the_first():
    weeks = Period(date(2026, 11, 4), date(2026, 11, 20), "week")
    assert weeks.buckets() == [date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16)]
    assert [weeks.label(b) for b in weeks.buckets()] == ["2026-W45", "2026-W46", "2026-W47"]
    assert weeks.bucket_days(date(2026, 11, 2)) == 5  # Wednesday 4th to Sunday 8th
    months = Period(date(2026, 1, 31), date(2026, 3, 1), "month")
    assert months.buckets() == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]


def test_the_range_is_whole_berlin_days():
    period = Period(date(2026, 3, 29), date(2026, 3, 29))  # the day summer time begins
    assert period.since.isoformat() == "2026-03-29T00:00:00+01:00"
    assert period.until.isoformat() == "2026-03-30T00:00:00+02:00"


@pytest.mark.parametrize(
    ("params", "field", "says"),
    [
        ({"from": "2026-11-10", "to": "2026-11-01"}, "from", "after the end"),
        ({"from": "1970-01-01", "to": "2026-11-01", "grain": "month"}, "from", "outside the range"),
        ({"from": "2026-01-01", "to": "2099-01-01", "grain": "month"}, "to", "outside the range"),
        ({"from": "2020-01-01", "to": "2026-11-01", "grain": "month"}, "from", "at most 5 years"),
        ({"from": "2025-01-01", "to": "2026-11-01", "grain": "day"}, "grain", "group by week or month"),
        ({"from": "yesterday"}, "from", "not a date"),
        ({"grain": "hour"}, "grain", "Unknown grouping"),
    ],
)
def test_bad_ranges_are_refused_with_a_message(params, field, says):
    with translation.override("en"), pytest.raises(ReportError) as refused:
        period_from(params, today=TODAY)
    assert refused.value.field == field
    assert says in refused.value.message


@pytest.mark.django_db
def test_the_page_draws_chart_and_table_from_the_same_rows(staff_client, sales_report):
    response = staff_client.get(
        "/admin/backoffice/reports/test-sales/", {"from": "2026-11-01", "to": "2026-11-03"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="report-chart-data"' in page and "chart.umd.min.js" in page
    assert response.context["chart"]["labels"] == ["2026-11-01", "2026-11-02", "2026-11-03"]
    assert response.context["table"][2] == ["2026-11-03", "4,50 €"]
    assert response.context["totals"] == ["Total", "9,00 €"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [{"from": "2026-11-10", "to": "2026-11-01"}, {"colour": "red"}, {"kind": "jewels"}],
)
def test_bad_input_is_a_400_page_with_the_form(staff_client, sales_report, params):
    response = staff_client.get("/admin/backoffice/reports/test-sales/", params)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert 'name="from"' in response.content.decode()


@pytest.mark.django_db
def test_the_csv_streams_plain_numbers(staff_client, sales_report):
    response = staff_client.get(
        "/admin/backoffice/reports/test-sales/csv/", {"from": "2026-11-01", "to": "2026-11-02"}
    )
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="test-sales-2026-11-01-2026-11-02.csv"'
    text = b"".join(response.streaming_content).decode()
    assert text.lstrip("\ufeff").splitlines() == [
        "Bucket,Amount",
        "2026-11-01,1.50",
        "2026-11-02,3.00",
        "Total,4.50",
    ]


@pytest.mark.django_db
def test_the_csv_refuses_bad_input_with_the_message(staff_client, sales_report):
    response = staff_client.get(
        "/admin/backoffice/reports/test-sales/csv/", {"from": "2026-11-10", "to": "2026-11-01"}
    )
    assert response.status_code == 400
    # The admin speaks German unless the user chose English (LANGUAGE_CODE is de).
    assert response.content.decode() == "Der Beginn (2026-11-10) liegt nach dem Ende (2026-11-01)."


@pytest.mark.django_db
def test_reports_need_the_permission(client, django_user_model, sales_report):
    from django.contrib.auth.models import Permission

    editor = django_user_model.objects.create_user(email="editor@example.com", password="x")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    assert client.get("/admin/backoffice/reports/test-sales/").status_code in (302, 403)
