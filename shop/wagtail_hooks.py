"""The shop in Wagtail's admin: subscription plans are snippets, translated like pages."""

from wagtail.snippets.models import register_snippet

from shop.models import SubscriptionPlan

register_snippet(SubscriptionPlan)
