"""The accounts app's Wagtail admin URLs beside its snippet's own, registered by wagtail_hooks
(``register_admin_urls``): the news e-mail's "Send" page."""

from django.urls import path

from accounts.news_admin import NewsEmailSendView

urlpatterns = [path("news-emails/send/<int:pk>/", NewsEmailSendView.as_view(), name="news_email_send")]
