"""The back office's admin URLs, mounted under /admin/backoffice/ by wagtail_hooks."""

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

urlpatterns = [
    path("reports/", include(report_urls)),
    path("customers/", include("backoffice.customers")),
    path("customers/", include("backoffice.refunds")),
    path("translations/", include("backoffice.translations")),
    path("subscriptions/", include("backoffice.subscriptions")),
]
