"""Links in e-mails that work without logging in. Mounted at the site root by config/urls.py:
``path("", include("accounts.email_urls"))``."""

from django.urls import path

from accounts.unsubscribe import unsubscribe_view

urlpatterns = [
    path("email/unsubscribe/<str:token>/", unsubscribe_view, name="email-unsubscribe"),
]
