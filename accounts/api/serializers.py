from __future__ import annotations

from rest_framework import serializers

from accounts.models import LOCALES, User


class MeSerializer(serializers.ModelSerializer):
    """The signed-in person's profile. The e-mail address changes through allauth (it must be
    verified first), so it is read-only here; the model's validators check locale, time zone and
    picture, so a bad value is refused before anything is stored."""

    locale = serializers.ChoiceField(choices=LOCALES, required=False)

    class Meta:
        model = User
        fields = ["email", "first_name", "last_name", "locale", "time_zone", "avatar"]
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
    locale = serializers.ChoiceField(choices=LOCALES)
    time_zone = serializers.CharField()
    avatar = serializers.URLField(allow_null=True)
    date_joined = serializers.DateTimeField()
    is_staff = serializers.BooleanField()


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
