"""``python manage.py subscription_plans_setup --monthly 19.00 --yearly 190.00``: the plans in
Stripe (product and prices) and here (names in German and English), mirrored by dj-stripe."""

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from shop.subscriptions.plans import plans_setup


def _amount(value: str) -> Decimal:
    try:
        amount = Decimal(value).quantize(Decimal("0.01"))
    except InvalidOperation as error:
        raise CommandError(f"Not an amount: {value!r}") from error
    if amount < Decimal("0.50"):
        raise CommandError("Stripe charges at least 0.50 EUR.")
    return amount


class Command(BaseCommand):
    help = "Create the monthly and yearly subscription prices in Stripe and the plans offered here."

    def add_arguments(self, parser):
        parser.add_argument("--monthly", default="19.00", help="gross EUR per month (default 19.00)")
        parser.add_argument("--yearly", default="190.00", help="gross EUR per year (default 190.00)")

    def handle(self, *args, monthly, yearly, **options):
        if not settings.STRIPE_SECRET_KEY:
            raise CommandError("STRIPE_SECRET_KEY is not set (the demo seeds local plans instead).")
        for plan in plans_setup(monthly=_amount(monthly), yearly=_amount(yearly)):
            self.stdout.write(f"  {plan.interval}: {plan.name} → {plan.stripe_price_id}")
        self.stdout.write(
            self.style.SUCCESS("Plans ready; editors translate their texts in Wagtail (Snippets).")
        )
