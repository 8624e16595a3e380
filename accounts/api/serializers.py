from __future__ import annotations

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from accounts.models import User
from core.locale import SUPPORTED


class StrictBooleanField(serializers.BooleanField):
    """JSON ``true`` or ``false`` only: DRF's own also takes ``"yes"``, ``"off"`` or ``0``, and a
    consent to marketing mail should not rest on a guess."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        self.fail("invalid", input=data)


class CommunicationSerializer(serializers.Serializer):
    """Which non-essential e-mails the person wants. Transactional mails (receipts, invoices,
    booking confirmations and cancellations, failed payments, login codes) are always sent."""

    # The kinds and what they govern: accounts.communication.

    reminders = StrictBooleanField(
        source="email_reminders", required=False, help_text="Consultation reminders 24 h and 1 h before."
    )
    follow_ups = StrictBooleanField(
        source="email_follow_ups", required=False, help_text="The e-mail after a consultation."
    )
    news = StrictBooleanField(
        source="email_news", required=False, help_text="News e-mails (newsletter); off until switched on."
    )

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: [f"Unknown kind of e-mail; known: {', '.join(self.fields)}."] for name in unknown}
                )
        # Read from the user itself (``source="*"``), so what is validated is merged into the
        # profile's data: under one key, ``{"communication": {"news": True}}``, for the service.
        choices = super().to_internal_value(data)
        return {"communication": {name.removeprefix("email_"): value for name, value in choices.items()}}


class MeSerializer(serializers.ModelSerializer):
    """The signed-in person's profile. The e-mail address changes through allauth (it must be
    verified first), so it is read-only here; the model's validators check locale, time zone and
    picture, so a bad value is refused before anything is stored."""

    locale = serializers.ChoiceField(choices=SUPPORTED, required=False)
    communication = CommunicationSerializer(
        source="*",
        required=False,
        help_text="Which non-essential e-mails to get; PATCH may send any of the three.",
    )

    class Meta:
        model = User
        fields = ["email", "first_name", "last_name", "locale", "time_zone", "avatar", "communication"]
        read_only_fields = ["email"]
        extra_kwargs = {
            "avatar": {
                "allow_null": True,
                "help_text": "URL of the picture. Upload a JPEG, PNG or WebP (multipart/form-data, at "
                "most 5 MB and 4096 pixels a side); null (or an empty form field) removes it.",
            },
            "time_zone": {"help_text": "IANA time zone name, e.g. Europe/Berlin."},
        }


class ProfileExportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    locale = serializers.ChoiceField(choices=SUPPORTED)
    time_zone = serializers.CharField()
    avatar = serializers.URLField(allow_null=True)
    date_joined = serializers.DateTimeField()
    is_staff = serializers.BooleanField()
    communication = serializers.DictField(
        child=inline_serializer(
            "CommunicationChoiceExport",
            {"wanted": serializers.BooleanField(), "changed_at": serializers.DateTimeField(allow_null=True)},
        ),
        help_text="Per kind (reminders, follow_ups, news): the choice and when it was made "
        "(null: never changed, the default applies).",
    )


class EmailAddressExportSerializer(serializers.Serializer):
    email = serializers.EmailField()
    verified = serializers.BooleanField()
    primary = serializers.BooleanField()


class SocialAccountExportSerializer(serializers.Serializer):
    provider = serializers.CharField()
    uid = serializers.CharField()
    date_joined = serializers.DateTimeField()
    last_login = serializers.DateTimeField()
    extra_data = serializers.DictField(help_text="What the provider told us about the person.")


class AuthenticatorExportSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["totp", "recovery_codes", "webauthn"])
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)


class LoginsExportSerializer(serializers.Serializer):
    last_login = serializers.DateTimeField(allow_null=True)
    has_password = serializers.BooleanField()
    email_addresses = EmailAddressExportSerializer(many=True)
    social_accounts = SocialAccountExportSerializer(many=True)
    authenticators = AuthenticatorExportSerializer(many=True, help_text="Types only, never secrets.")
