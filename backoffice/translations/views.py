"""The translation status page: the table of :mod:`backoffice.translations.entries`, filtered."""

from __future__ import annotations

from django.utils.translation import gettext
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from backoffice.translations.entries import translation_status
from backoffice.translations.status import ALL, MISSING, STALE, STATUS_CHOICES, STATUS_LABELS, kind_choices


class TranslationStatusView(WagtailAdminTemplateMixin, TemplateView):
    """The table of missing and out-of-date English translations, filtered by status and kind.
    Any admin user may open it; it lists only what they may edit. Bad filters: 400 and a message."""

    template_name = "backoffice/translations/index.html"
    header_icon = "site"

    def get_page_title(self) -> str:
        return gettext("Translation status")

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get(self, request, *args, **kwargs):
        status = request.GET.get("status") or ALL
        kind = request.GET.get("kind") or ALL
        kinds = kind_choices()
        context = self.get_context_data(
            status_choices=STATUS_CHOICES, kind_choices=kinds, current_status=status, current_kind=kind
        )
        if status not in STATUS_LABELS:
            context["error"] = gettext("Unknown status “%(value)s”: choose one from the list.") % {
                "value": status
            }
        elif kind not in dict(kinds):
            context["error"] = gettext("Unknown kind “%(value)s”: choose one from the list.") % {
                "value": kind
            }
        if "error" in context:
            return self.render_to_response(context, status=400)
        entries = translation_status(request.user, kind=kind, back=request.get_full_path())
        context["counts"] = {
            MISSING: sum(entry.status == MISSING for entry in entries),
            STALE: sum(entry.status == STALE for entry in entries),
        }
        context["entries"] = [entry for entry in entries if status in (ALL, entry.status)]
        return self.render_to_response(context)
