"""The accounts app's pages outside the API and the admin, mounted at the site root by
config/urls.py: staff's second factor (``/staff/2fa/``, where the middleware sends staff until it
is done) and the links in e-mails that work without logging in (one-click unsubscribe)."""

from django.urls import path

from accounts import staff_2fa
from accounts.unsubscribe import unsubscribe_view

urlpatterns = [
    path("staff/2fa/setup/", staff_2fa.setup_view, name="staff-2fa-setup"),
    path("staff/2fa/verify/", staff_2fa.verify_view, name="staff-2fa-verify"),
    path("email/unsubscribe/<str:token>/", unsubscribe_view, name="email-unsubscribe"),
]
