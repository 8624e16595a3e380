"""The back office's Wagtail admin URLs, mounted under /admin/backoffice/ by wagtail_hooks: every
route of the app's admin views, each group in its own namespace."""

from django.urls import include, path

from backoffice import customers, refunds, subscriptions, views
from backoffice.translations.views import TranslationStatusView

report_urls = (
    [
        path("", views.ReportIndexView.as_view(), name="index"),
        path("<slug:slug>/", views.ReportView.as_view(), name="report"),
        path("<slug:slug>/csv/", views.report_csv, name="csv"),
    ],
    "backoffice_reports",
)
customer_urls = (
    [
        path("", customers.CustomerIndexView.as_view(), name="index"),
        path("<int:pk>/", customers.CustomerDetailView.as_view(), name="detail"),
        path("<int:pk>/grant/", customers.GrantView.as_view(), name="grant"),
        path("<int:pk>/grants/<int:grant_pk>/revoke/", customers.RevokeView.as_view(), name="revoke"),
    ],
    "backoffice_customers",
)
refund_urls = (
    [path("<int:pk>/orders/<str:number>/refund/", refunds.RefundView.as_view(), name="refund")],
    "backoffice_refunds",
)
translation_urls = ([path("", TranslationStatusView.as_view(), name="index")], "backoffice_translations")
subscription_urls = (
    [path("", subscriptions.SubscriptionIndexView.as_view(), name="index")],
    "backoffice_subscriptions",
)

urlpatterns = [
    path("reports/", include(report_urls)),
    path("customers/", include(customer_urls)),
    path("customers/", include(refund_urls)),
    path("translations/", include(translation_urls)),
    path("subscriptions/", include(subscription_urls)),
]
