"""The back office's admin URLs, mounted under /admin/backoffice/ by wagtail_hooks."""

from importlib.util import find_spec

from django.urls import include, path

from backoffice import views

report_urls = (
    [
        path("", views.ReportIndexView.as_view(), name="index"),
        path("<slug:slug>/", views.ReportView.as_view(), name="report"),
        path("<slug:slug>/csv/", views.report_csv, name="csv"),
    ],
    "backoffice_reports",
)

urlpatterns = [path("reports/", include(report_urls))]

# The other parts of the back office, each a module with ``urlpatterns`` and ``app_name``.
for prefix, module in (
    ("customers/", "backoffice.customers"),
    ("translations/", "backoffice.translations"),
    ("subscriptions/", "backoffice.subscriptions"),
):
    if find_spec(module):
        urlpatterns.append(path(prefix, include(module)))
