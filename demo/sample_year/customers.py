"""The sample year's shoppers, signing up over the year (``s<seed>-NNNNNN@sample.phialo.localhost``)."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth import get_user_model

from demo.sample_year.common import BATCH, DOMAIN, Progress, Sizes, moment


def customers_create(rng, sizes: Sizes, first_day: date, seed: int, progress: Progress) -> list:
    """The shoppers of ``seed``; none when this seed's shoppers exist (the year was written)."""
    User = get_user_model()
    prefix = f"s{seed}-"
    if User.objects.filter(email__startswith=prefix, email__endswith=DOMAIN).exists():
        return []
    users = []
    for index in range(sizes.customers):
        joined = moment(rng, first_day + timedelta(days=rng.randrange(sizes.days))) - timedelta(hours=8)
        users.append(
            User(
                email=f"{prefix}{index:06d}@{DOMAIN}",
                first_name=rng.choice(["Anna", "Ben", "Clara", "David", "Eva", "Felix", "Greta", "Hannah"]),
                last_name=rng.choice(["Schmidt", "Meyer", "Wagner", "Becker", "Hoffmann", "Koch"]),
                locale=rng.choice(["de", "de", "de", "en"]),
                date_joined=joined,
                password="!",  # noqa: S106  (Django's mark for "no usable password")
            )
        )
    created = []
    for start in range(0, len(users), BATCH):
        created += User.objects.bulk_create(users[start : start + BATCH])
        progress("sample shoppers", min(start + BATCH, len(users)), len(users))
    return created
