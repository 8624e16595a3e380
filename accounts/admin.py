from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.staff_login import DjangoAdminLoginForm

# Its login counts password guesses like every other (accounts/staff_login.py).
admin.site.login_form = DjangoAdminLoginForm


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_staff", "date_joined")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Name", {"fields": ("first_name", "last_name")}),
        (
            "Permissions",
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        (
            _("E-mail choices"),
            {
                "fields": (
                    ("email_reminders", "email_reminders_changed_at"),
                    ("email_follow_ups", "email_follow_ups_changed_at"),
                    ("email_news", "email_news_changed_at"),
                )
            },
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    # The person's own choices (the times are the consent record): shown, changed only by them.
    readonly_fields = (
        "email_reminders",
        "email_reminders_changed_at",
        "email_follow_ups",
        "email_follow_ups_changed_at",
        "email_news",
        "email_news_changed_at",
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
