"""The studio's panel on the Wagtail dashboard: the few figures staff look at every morning, each
linking to where they act on it. Every figure comes from the code that owns it (the reports, the
translation status, the video assets), so the panel and the pages cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component

from backoffice.reports.base import Period, options_from, studio_today
from backoffice.reports.revenue import RevenueReport
from backoffice.reports.subscribers import SubscribersReport
from backoffice.translations.entries import translation_status
from booking.models import Booking
from core.money import format_money
from media_pipeline.models import VideoAsset


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    url: str


def studio_figures(user) -> list[Figure]:
    """The panel's figures that ``user`` may see."""
    today = studio_today()
    figures = []
    if user.has_perm("backoffice.view_reports"):
        month = Period(start=today - timedelta(days=29), end=today, grain="month")
        revenue = RevenueReport(period=month, options=options_from(RevenueReport, {})).totals() or {}
        now_only = Period(start=today, end=today)
        subscribers = (
            SubscribersReport(period=now_only, options=options_from(SubscribersReport, {})).totals() or {}
        )
        figures += [
            Figure(
                _("Revenue, last 30 days (after refunds)"),
                format_money(revenue.get("gross_after_refunds", 0)),
                reverse("backoffice_reports:report", args=["revenue"]),
            ),
            Figure(
                _("Active subscribers · MRR"),
                f"{subscribers.get('active', 0)} · {format_money(subscribers.get('mrr', 0))}",
                reverse("backoffice_reports:report", args=["subscribers"]),
            ),
        ]
    if user.has_perm("booking.view_booking"):
        now = timezone.now()
        coming = Booking.objects.filter(
            status=Booking.Status.CONFIRMED, start__gte=now, start__lt=now + timedelta(days=7)
        ).count()
        figures.append(Figure(_("Consultations in the next 7 days"), str(coming), reverse("bookings:index")))
    if user.has_perm("media_pipeline.change_videoasset"):
        failed = VideoAsset.objects.filter(status=VideoAsset.Status.FAILED).count()
        figures.append(Figure(_("Videos whose processing failed"), str(failed), reverse("videos:index")))
    to_translate = len(translation_status(user))
    figures.append(
        Figure(
            _("Translations missing or out of date"),
            str(to_translate),
            reverse("backoffice_translations:index"),
        )
    )
    return figures


class StudioPanel(Component):
    name = "studio"
    template_name = "backoffice/home_panel.html"
    order = 50

    def __init__(self, user) -> None:
        self.user = user

    def get_context_data(self, parent_context):
        return {"figures": studio_figures(self.user)}
