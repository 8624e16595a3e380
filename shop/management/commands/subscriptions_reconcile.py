"""``python manage.py subscriptions_reconcile``: what the daily beat task does, now, with its
report printed (what was missing from the mirror or out of date, and what failed)."""

from django.core.management.base import BaseCommand, CommandError

from shop.subscriptions.reconcile import subscriptions_reconcile


class Command(BaseCommand):
    help = "Compare Stripe's running subscriptions with the mirror and sync those that differ."

    def handle(self, *args, **options):
        report = subscriptions_reconcile()
        self.stdout.write(report.summary())
        for subscription_id in report.created:
            self.stdout.write(f"  created  {subscription_id}")
        for subscription_id, changes in report.changed.items():
            facts = ", ".join(f"{name}: {before!r} → {after!r}" for name, (before, after) in changes.items())
            self.stdout.write(f"  changed  {subscription_id}  {facts}")
        for subscription_id, error in report.failed.items():
            self.stderr.write(f"  failed   {subscription_id}  {error}")
        if report.failed:
            raise CommandError(f"{len(report.failed)} could not be reconciled; run again later.")
