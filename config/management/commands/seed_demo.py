"""``python manage.py seed_demo``: the demo site in German and English, idempotently.

A second run changes nothing. Size options let benchmarks seed larger data sets.
"""

import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import (
    ADMIN_EMAIL,
    DEMO_ADMIN_PASSWORD,
    seed_admin,
    seed_admin_second_factor,
    seed_shoppers,
)
from backoffice.sample_data import sample_data_create
from booking.demo import demo_seed as seed_consultations
from cms.demo import seed_courses_and_bundle, seed_site_tree, seed_videos
from media_pipeline.demo import CLIPS, seed_demo_videos
from shop.demo import seed_orders, seed_products
from shop.demo_offers import seed_offers
from shop.subscriptions.local import seed_plans
from shop.subscriptions.local_page import seed_subscriber

# The sample year's shoppers are s<seed>-NNNNNN@sample.phialo.localhost; the benchmark uses seed 1.
DEMO_HISTORY_SEED = 2


class Command(BaseCommand):
    help = "Seed the demo: site tree (DE+EN), an admin, videos, shoppers and orders. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--videos", type=int, default=12, help="video pages (each in DE and EN)")
        parser.add_argument(
            "--video-clips",
            type=int,
            default=len(CLIPS),
            help=f"real demo clips (up to {len(CLIPS)}), processed and shown on the video pages; 0: none",
        )
        parser.add_argument("--users", type=int, default=5, help="shoppers")
        parser.add_argument("--orders", type=int, default=10, help="paid orders")
        parser.add_argument(
            "--history-shoppers",
            type=int,
            default=300,
            help="shoppers of the sample year the reports show (backoffice.sample_data); 0: none",
        )
        parser.add_argument("--history-orders", type=int, default=1500, help="orders of that sample year")
        parser.add_argument(
            "--admin-password",
            default=DEMO_ADMIN_PASSWORD,
            help=f"password of {ADMIN_EMAIL} (reset on every run)",
        )

    def handle(
        self,
        *args,
        videos,
        video_clips,
        users,
        orders,
        history_shoppers,
        history_orders,
        admin_password,
        **options,
    ):
        if min(videos, video_clips, users, orders, history_shoppers, history_orders) < 0:
            raise CommandError("Sizes must be zero or more.")
        if (
            not settings.DEBUG
            and admin_password == DEMO_ADMIN_PASSWORD
            and "production" in settings.SETTINGS_MODULE
        ):
            raise CommandError("Refusing to create the demo admin with its public password in production.")
        started = time.monotonic()
        self._last_line = 0.0
        self.stdout.write("Seeding the demo …")
        _home, library = seed_site_tree()
        self.stdout.write("  site tree: DE and EN home and library")
        admin = seed_admin(password=admin_password)
        totp_key, recovery_codes = seed_admin_second_factor(admin)
        video_pages = seed_videos(library, videos, self._progress)
        if video_clips and video_pages:
            media_started = time.monotonic()
            media = seed_demo_videos(video_pages, self._progress, clips=video_clips)
            ready = sum(asset.is_ready for asset in media.clips)
            self.stdout.write(
                f"  video files: {ready} of {len(media.clips)} demo clips playable ({media.created} new), "
                f"{media.pages_changed} pages newly showing one ({time.monotonic() - media_started:.0f} s)"
            )
        courses_and_bundle = seed_courses_and_bundle(library, video_pages)
        self.stdout.write("  courses and bundle: 2 courses, 1 bundle")
        shoppers = seed_shoppers(users, self._progress)
        products = seed_products([*video_pages, *courses_and_bundle])
        new_orders = seed_orders(orders, shoppers, products, self._progress) if orders else 0
        offers = seed_offers()  # after the orders: the first-timer offer is for new shoppers
        codes = ", ".join(name for name in offers if name.isupper())
        self.stdout.write(f"  offers: first-timer 10 % and the codes {codes}")
        seed_plans()
        consultations = seed_consultations(self._progress)
        email, kinds = consultations.consultant.user.email, len(consultations.types)
        self.stdout.write(f"  consultations: {email}, {kinds} types (DE+EN)")
        subscriber = shoppers[-1] if shoppers else None
        if subscriber is not None and seed_subscriber(subscriber):
            self.stdout.write(f"  subscriber: {subscriber.email} (monthly plan, active)")
        self.stdout.write("  subscription plans: monthly 19.00 and yearly 190.00 EUR")
        if history_shoppers:
            history = sample_data_create(
                customers=history_shoppers,
                orders=history_orders,
                seed=DEMO_HISTORY_SEED,
                progress=self._progress,
            )
            if history.get("customers"):
                self.stdout.write(
                    "  a year of business for the reports: "
                    + ", ".join(f"{count} {what.replace('_', ' ')}" for what, count in history.items())
                )
        self.stdout.write(
            f"Done in {time.monotonic() - started:.1f} s: {len(video_pages)} videos, "
            f"{len(shoppers)} shoppers, {orders} orders ({new_orders} new)."
        )
        self.stdout.write(self.style.SUCCESS("Admin login:"))
        self.stdout.write(f"  e-mail:   {admin.email}\n  password: {admin_password}")
        self.stdout.write(
            "  second factor (staff need one): add this key to an authenticator app,\n"
            f"    {totp_key}\n"
            f"  or use a recovery code (each works once): {', '.join(recovery_codes[:3])}"
        )
        self.stdout.write(
            f"  Wagtail admin {settings.BACKEND_URL}/admin/"
            f" · Oscar dashboard {settings.BACKEND_URL}/dashboard/"
        )

    def _progress(self, what: str, done: int, total: int) -> None:
        """One line per stage, redrawn in place on a terminal; at most a few lines a second elsewhere."""
        now = time.monotonic()
        if done != total and now - self._last_line < (0.1 if sys.stdout.isatty() else 2.0):
            return
        self._last_line = now
        end = "\n" if done == total else ("\r" if sys.stdout.isatty() else "\n")
        self.stdout.write(f"  {what}: {done}/{total}", ending=end)
        self.stdout.flush()
