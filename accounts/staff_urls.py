from django.urls import path

from accounts import staff_2fa

urlpatterns = [
    path("setup/", staff_2fa.setup_view, name="staff-2fa-setup"),
    path("verify/", staff_2fa.verify_view, name="staff-2fa-verify"),
]
