"""News e-mails in the Wagtail admin: a snippet (under Snippets) with a "Send" page (accounts.news_admin)."""

from wagtail import hooks
from wagtail.snippets.models import register_snippet

from accounts import admin_urls
from accounts.news_admin import NewsEmailViewSet

register_snippet(NewsEmailViewSet)


@hooks.register("register_admin_urls")
def news_email_urls():
    return admin_urls.urlpatterns
