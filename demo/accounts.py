"""Demo people: one administrator whose credentials the seed prints, and shoppers."""

from __future__ import annotations

from collections.abc import Callable

from accounts.models import User

ADMIN_EMAIL = "admin@phialo.localhost"
# Public by design: printed by seed_demo, refused by it in production.
DEMO_ADMIN_PASSWORD = "phialo-demo"  # noqa: S105


def seed_admin(*, password: str) -> User:
    """The superuser; its password is (re)set every run so the printed credentials always work."""
    admin, _ = User.objects.get_or_create(
        email=ADMIN_EMAIL,
        defaults={
            "first_name": "Demo",
            "last_name": "Admin",
            "is_staff": True,
            "is_superuser": True,
        },
    )
    if not admin.check_password(password) or not (admin.is_staff and admin.is_superuser):
        admin.is_staff = admin.is_superuser = admin.is_active = True
        admin.set_password(password)
        admin.save()
    return admin


def seed_admin_second_factor(admin: User) -> tuple[str, list[str]]:
    """Staff need TOTP (accounts/staff_2fa.py): give the demo admin an authenticator whose key,
    and unused recovery codes, the seed prints. Returns ``(totp_key, recovery_codes)``."""
    from allauth.mfa.adapter import get_adapter
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    totp = Authenticator.objects.filter(user=admin, type=Authenticator.Type.TOTP).first()
    if totp is None:
        totp = TOTP.activate(admin, generate_totp_secret()).instance
    codes = Authenticator.objects.filter(user=admin, type=Authenticator.Type.RECOVERY_CODES).first()
    recovery = RecoveryCodes(codes) if codes else RecoveryCodes.activate(admin)
    return get_adapter().decrypt(totp.data["secret"]), recovery.get_unused_codes()


def seed_shoppers(count: int, progress: Callable[[str, int, int], None]) -> list[User]:
    """Shoppers never have a password: they log in with an e-mailed code."""
    existing = {
        user.email: user for user in User.objects.filter(email__endswith="@shoppers.phialo.localhost")
    }
    shoppers = []
    for number in range(1, count + 1):
        email = f"shopper{number}@shoppers.phialo.localhost"
        user = existing.get(email)
        if user is None:
            user = User(email=email, first_name="Kundin", last_name=str(number))
            user.set_unusable_password()
            user.save()
        shoppers.append(user)
        progress("users", number, count)
    return shoppers
