"""The back office in Wagtail's admin menu: reports, customers, subscriptions, translation status,
and links to Oscar's dashboard for orders, refunds, vouchers and offers."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from backoffice.reports.base import REPORTS


@hooks.register("register_admin_urls")
def backoffice_urls():
    return [path("backoffice/", include("backoffice.urls"))]


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


class ReportMenuItem(PermissionMenuItem):
    def __init__(self, report):
        super().__init__(
            report.title,
            reverse("backoffice_reports:report", args=[report.slug]),
            name=f"backoffice-report-{report.slug}",
            icon_name="table",
            permission=report.permission,
        )


@hooks.register("construct_reports_menu")
def business_reports(request, menu_items):
    # Before Wagtail's own (locked pages, workflows, site history): these are what staff come for.
    business = [ReportMenuItem(report) for report in REPORTS.values()]
    for order, item in enumerate(business):
        item.order = order
    menu_items[:0] = business
