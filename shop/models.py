"""The shop's own records beside Oscar's: what Stripe told us, who may watch what, invoices.

Oscar owns products, baskets, vouchers, offers and orders. These models hold what Oscar has no
place for:

- :class:`Checkout` — one attempt to pay for one order, and the facts Stripe reported about it.
  Facts only grow (paid, refunded amount, refunded lines, dispute): each webhook adds what it
  knows and the order's state is derived from all facts together, so duplicated or reordered
  events end in the same state.
- :class:`StripeEvent` — every verified webhook event, stored once under Stripe's event id.
- :class:`Grant` — the right to watch one catalogue item (a video, course or bundle, by its
  ``translation_key``), from a paid order line or from staff.
- :class:`Invoice` and :class:`InvoiceSequence` — invoices and credit notes with gap-free numbers.
- :class:`SubscriptionPlan` — a plan's name and text per language beside its Stripe price.
  Subscriptions themselves live in Stripe and are read from dj-stripe's mirror.
- :class:`SubscriptionNotice` — each subscription e-mail sent, so none goes out twice.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from wagtail.admin.panels import FieldPanel
from wagtail.models import TranslatableMixin
from wagtail_localize.fields import SynchronizedField

from core.storage import private_storage


class Checkout(models.Model):
    class Provider(models.TextChoices):
        STRIPE = "stripe", "Stripe Checkout"
        LOCAL = "local", "Local payment page (DEBUG only)"
        FREE = "free", "Nothing to pay"

    order = models.OneToOneField("order.Order", on_delete=models.PROTECT, related_name="checkout")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    idempotency_key = models.CharField(max_length=255, blank=True)
    request_fingerprint = models.CharField(max_length=64, blank=True)
    provider = models.CharField(max_length=16, choices=Provider.choices)
    stripe_session_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    stripe_payment_intent_id = models.CharField(max_length=255, blank=True, db_index=True)
    url = models.URLField(max_length=2000, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    # Facts reported by the payment provider. They only ever grow.
    paid_at = models.DateTimeField(null=True, blank=True)
    amount_paid = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)
    amount_refunded = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    # What of the refunded amount has been applied to the order (credit notes, line statuses).
    amount_refund_applied = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    refunded_line_ids = models.JSONField(default=list, blank=True)
    dispute_status = models.CharField(max_length=32, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="shop_checkout_unique_idempotency_key",
            )
        ]

    def __str__(self) -> str:
        return f"Checkout of order {self.order_id} ({self.provider})"


class StripeEvent(models.Model):
    """A verified Stripe webhook event, stored once (a repeat delivery finds it already here)."""

    id = models.CharField(max_length=255, primary_key=True)
    type = models.CharField(max_length=128, db_index=True)
    livemode = models.BooleanField(default=False)
    created = models.DateTimeField(help_text="When Stripe created the event.")
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["created"]
        indexes = [models.Index(fields=["processed_at", "received_at"], name="shop_event_pending_idx")]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"


class Grant(models.Model):
    """The right of one user to watch one catalogue item (and, for a course or bundle, what it holds)."""

    class Source(models.TextChoices):
        PURCHASE = "purchase", "Purchase"
        STAFF = "staff", "Granted by staff"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended (payment disputed)"
        REVOKED = "revoked", "Revoked"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants")
    item_key = models.UUIDField(help_text="translation_key of the video, course or bundle page.")
    source = models.CharField(max_length=16, choices=Source.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    order_line = models.ForeignKey(
        "order.Line", null=True, blank=True, on_delete=models.PROTECT, related_name="grants"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["order_line"],
                condition=Q(order_line__isnull=False),
                name="shop_grant_one_per_order_line",
            )
        ]
        indexes = [models.Index(fields=["user", "item_key", "status"], name="shop_grant_lookup_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.item_key} ({self.status})"


class InvoiceSequence(models.Model):
    """The last number given per kind and year; locked while the next one is taken (gap-free)."""

    kind = models.CharField(max_length=16)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="shop_invoice_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last}"


class Invoice(models.Model):
    class Kind(models.TextChoices):
        INVOICE = "invoice", "Invoice"
        CREDIT_NOTE = "credit_note", "Credit note"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    number = models.CharField(max_length=32, unique=True)
    year = models.PositiveIntegerField()
    sequence = models.PositiveIntegerField()
    order = models.ForeignKey("order.Order", on_delete=models.PROTECT, related_name="invoices")
    # What a credit note is for (a refund's id), so one refund never gets two credit notes.
    refund_key = models.CharField(max_length=255, blank=True)
    issued_at = models.DateTimeField()
    net = models.DecimalField(max_digits=12, decimal_places=2)
    vat = models.DecimalField(max_digits=12, decimal_places=2)
    gross = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    # Seller, buyer and lines as printed, so the document can be made again identically.
    content = models.JSONField(default=dict)
    # Private storage: an invoice names its buyer; only they (the order API) and staff read it.
    pdf = models.FileField(upload_to="invoices/%Y/", storage=private_storage, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["year", "kind", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "year", "sequence"], name="shop_invoice_number_unique"),
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(kind="invoice"),
                name="shop_invoice_one_per_order",
            ),
            models.UniqueConstraint(
                fields=["order", "refund_key"],
                condition=Q(kind="credit_note"),
                name="shop_credit_note_one_per_refund",
            ),
        ]

    def __str__(self) -> str:
        return self.number


# A proxy of Oscar's offer Condition (the first-timer offer's); imported here so Django registers it.
class SubscriptionPlan(TranslatableMixin, models.Model):
    """A plan shoppers subscribe to, translated like a page (wagtail-localize): the name and text
    are per language, the Stripe price and the interval are shared by the translations.

    The amount is Stripe's: read from dj-stripe's ``Price`` mirror, never typed in here, so the
    page and the invoice cannot disagree.
    """

    class Interval(models.TextChoices):
        MONTH = "month", "Monthly"
        YEAR = "year", "Yearly"

    name = models.CharField(max_length=80)
    summary = models.TextField(blank=True, max_length=400)
    interval = models.CharField(max_length=8, choices=Interval.choices)
    stripe_price_id = models.CharField(
        max_length=255, help_text="The Stripe price (price_...) shoppers of this plan pay."
    )
    is_active = models.BooleanField(default=True, help_text="Offered to new subscribers.")
    sort_order = models.IntegerField(default=0)

    override_translatable_fields = [
        SynchronizedField("interval"),
        SynchronizedField("stripe_price_id"),
        SynchronizedField("is_active"),
        SynchronizedField("sort_order"),
    ]
    panels = [
        FieldPanel("name"),
        FieldPanel("summary"),
        FieldPanel("interval"),
        FieldPanel("stripe_price_id"),
        FieldPanel("is_active"),
        FieldPanel("sort_order"),
    ]

    class Meta(TranslatableMixin.Meta):
        ordering = ["sort_order", "interval"]
        constraints = [
            models.UniqueConstraint(
                fields=["stripe_price_id", "locale"], name="shop_subscription_plan_price_per_locale"
            )
        ]

    def __str__(self) -> str:
        return self.name


class SubscriptionNotice(models.Model):
    """One subscription e-mail sent: the unique key makes a second sending impossible, whichever
    event or beat run asks for it again."""

    class Kind(models.TextChoices):
        STARTED = "started", "Subscription started"
        PAYMENT_FAILED = "payment_failed", "Payment failed"
        CANCELLED = "cancelled", "Cancelled"
        ENDING_SOON = "ending_soon", "Ending soon"

    subscription_id = models.CharField(max_length=255)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # What the notice is about: the invoice that failed, the period that ends, ...
    key = models.CharField(max_length=255, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscription_id", "kind", "key"], name="shop_subscription_notice_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subscription_id} {self.key}"


from shop.offers import FirstPurchaseCondition  # noqa: E402, F401
