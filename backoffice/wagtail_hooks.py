"""The back office in Wagtail's admin menu, so staff have one home: the business reports (in
Wagtail's Reports menu, with the translation status), and a "Shop" menu with customers,
subscriptions and the links into Oscar's dashboard for orders, refunds, vouchers and offers.

Videos, consultations and the translatable snippets register their own menus in their apps;
prices are edited on the pages."""

from django.templatetags.static import static
from django.urls import include, path, reverse_lazy
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from backoffice.customer_services import customer_log_actions_register
from backoffice.home import StudioPanel
from backoffice.reports.base import REPORTS

# Granting and revoking access are written to Wagtail's audit log (site history).
hooks.register("register_log_actions", customer_log_actions_register)


@hooks.register("register_admin_urls")
def backoffice_urls():
    return [path("backoffice/", include("backoffice.admin_urls"))]


class PermissionMenuItem(MenuItem):
    """A menu item shown to users with ``permission`` (``"staff"``: Oscar's dashboard's rule)."""

    def __init__(self, label, url_name: str, *, permission: str, args=(), **kwargs):
        # Reversed when drawn, not when the hooks load: the URLconf is not ready then.
        super().__init__(label, reverse_lazy(url_name, args=args), **kwargs)
        self.permission = permission

    def is_shown(self, request):
        user = request.user
        return user.is_staff if self.permission == "staff" else user.has_perm(self.permission)


class ReportMenuItem(PermissionMenuItem):
    def __init__(self, report, order: int):
        super().__init__(
            report.title,
            "backoffice_reports:report",
            args=[report.slug],
            name=f"backoffice-report-{report.slug}",
            icon_name="table",
            permission=report.permission,
            order=order,
        )


@hooks.register("construct_reports_menu")
def business_reports(request, menu_items):
    # First, before Wagtail's own (locked pages, workflows, site history): these are what staff
    # come for.
    menu_items[:0] = [ReportMenuItem(report, order) for order, report in enumerate(REPORTS.values())]


@hooks.register("register_reports_menu_item")
def translation_status_menu_item():
    return PermissionMenuItem(
        _("Translation status"),
        "backoffice_translations:index",
        name="backoffice-translations",
        icon_name="site",
        permission="wagtailadmin.access_admin",
        order=50,
    )


shop_menu = Menu(
    items=[
        PermissionMenuItem(
            _("Customers"),
            "backoffice_customers:index",
            name="customers",
            icon_name="user",
            permission="backoffice.serve_customers",
            order=100,
        ),
        PermissionMenuItem(
            _("Orders and refunds"),
            "dashboard:order-list",
            name="orders",
            icon_name="list-ul",
            permission="staff",
            order=200,
        ),
        PermissionMenuItem(
            _("Subscriptions"),
            "backoffice_subscriptions:index",
            name="subscriptions",
            icon_name="repeat",
            permission="backoffice.serve_customers",
            order=300,
        ),
        PermissionMenuItem(
            _("Subscription plans"),
            "wagtailsnippets_shop_subscriptionplan:list",
            name="plans",
            icon_name="tag",
            permission="shop.change_subscriptionplan",
            order=400,
        ),
        PermissionMenuItem(
            _("Vouchers"),
            "dashboard:voucher-list",
            name="vouchers",
            icon_name="ticket",
            permission="staff",
            order=500,
        ),
        PermissionMenuItem(
            _("Offers"),
            "dashboard:offer-list",
            name="offers",
            icon_name="pick",
            permission="staff",
            order=600,
        ),
    ]
)


@hooks.register("construct_homepage_panels")
def studio_panel(request, panels):
    panels.append(StudioPanel(request.user))


@hooks.register("insert_global_admin_css")
def backoffice_css():
    return format_html('<link rel="stylesheet" href="{}">', static("backoffice/css/reports.css"))


@hooks.register("register_admin_menu_item")
def shop_menu_item():
    return SubmenuMenuItem(_("Shop"), shop_menu, name="shop", icon_name="table", order=250)
