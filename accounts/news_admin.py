"""News e-mails in the Wagtail admin: a snippet to write them (both languages on one form) and a
"Send" page that shows who would get it and queues it once (``accounts.news``).

Sending needs the ``accounts.send_newsemail`` permission, apart from editing: writing a draft is
not the same as mailing every subscriber."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import MenuItem
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet

from accounts import news as news_service
from accounts.models import NewsEmail
from core.errors import ApiError

SEND_PERMISSION = "accounts.send_newsemail"


def status_text(news: NewsEmail) -> str:
    if news.queued_at is None:
        return str(_("Draft"))
    return str(_("Sent %(when)s to %(count)s readers")) % {
        "when": formats.date_format(news.queued_at, "SHORT_DATETIME_FORMAT"),
        "count": news.deliveries.count(),
    }


class NewsEmailIndexView(IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if instance.queued_at is None and self.request.user.has_perm(SEND_PERMISSION):
            buttons.append(
                MenuItem(
                    _("Send"),
                    url=reverse("news_email_send", args=[instance.pk]),
                    icon_name="mail",
                    priority=5,
                )
            )
        return buttons


class NewsEmailSendView(WagtailAdminTemplateMixin, TemplateView):
    """GET: the mail, and how many readers per language it would reach now; POST: queue it."""

    template_name = "accounts/admin/news_send.html"
    page_title = _("Send news e-mail")
    header_icon = "mail"

    def dispatch(self, request, pk: int):
        if not request.user.has_perm(SEND_PERMISSION):
            raise PermissionDenied
        self.news = get_object_or_404(NewsEmail, pk=pk)
        return super().dispatch(request, pk)

    def get_page_subtitle(self):
        return str(self.news)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            news=self.news,
            counts=news_service.news_recipient_counts(self.news),
            status=status_text(self.news),
            index_url=reverse("wagtailsnippets_accounts_newsemail:list"),
            **kwargs,
        )

    def post(self, request, pk: int):
        try:
            news_service.news_email_queue(news_id=self.news.pk, by=request.user)
        except ApiError:
            messages.error(request, _("This news e-mail has already been sent; it is never sent twice."))
            self.news.refresh_from_db()
            return self.render_to_response(self.get_context_data(), status=400)
        messages.success(request, _("The news e-mail is on its way to everyone who subscribed."))
        return redirect("wagtailsnippets_accounts_newsemail:list")


class NewsEmailViewSet(SnippetViewSet):
    model = NewsEmail
    icon = "mail"
    menu_label = _("News e-mails")
    add_to_admin_menu = False
    index_view_class = NewsEmailIndexView
    list_display = [
        "subject_de",
        "created_at",
        Column("status", label=_("Status"), accessor=status_text),
    ]
    panels = [
        MultiFieldPanel([FieldPanel("subject_de"), FieldPanel("body_de")], heading=_("German")),
        MultiFieldPanel([FieldPanel("subject_en"), FieldPanel("body_en")], heading=_("English")),
    ]
