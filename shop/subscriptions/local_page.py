"""The demo's stand-ins for Stripe Checkout and the customer portal:
``/shop/local-subscription/<signed link>/``.

Subscribe; cancel at the period's end, resume, switch plan, end now. Each change goes through
``services.subscription_mirror``, the function Stripe's webhooks end in, with the rows
:mod:`.local` writes as Stripe would. 404 unless enabled (DEBUG on, no ``STRIPE_SECRET_KEY``), so
production never reaches them.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from djstripe.models import Customer, Price, Subscription

from shop.subscriptions.local import link_claim, subscription_data
from shop.subscriptions.plans import plan_find, plans_for
from shop.subscriptions.services import customer_ensure, subscription_mirror
from shop.subscriptions.state import return_url, subscription_current


def _apply(user_id: int, action: str, plan_id: str) -> None:
    """One press on a local page, through the function Stripe's webhooks end in."""
    user = get_user_model().objects.get(pk=user_id)
    now = timezone.now()
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer_ensure(user=user).pk)
        current = subscription_current(user)
        live = current is not None and current.gives_access(now)
        if action == "subscribe" and not live:
            plan = plan_find(plan_id)
            if plan is not None:
                price = Price.objects.get(id=plan.price_id)
                subscription_mirror(data=subscription_data(customer=customer, price=price, start=now))
            return
        if not live:
            return
        data = dict(Subscription.objects.get(id=current.id).stripe_data)
        if action == "cancel":
            data.update(cancel_at_period_end=True, canceled_at=int(now.timestamp()))
        elif action == "resume":
            data.update(cancel_at_period_end=False, canceled_at=None)
        elif action == "end":
            data.update(status="canceled", ended_at=int(now.timestamp()), canceled_at=int(now.timestamp()))
        elif action.startswith("switch:"):
            plan = next((plan for plan in plans_for("de") if str(plan.id) == action.split(":", 1)[1]), None)
            if plan is None:
                return
            item = dict(data["items"]["data"][0], price=Price.objects.get(id=plan.price_id).stripe_data)
            data["items"] = {**data["items"], "data": [item]}
        else:
            return
        subscription_mirror(data=data)


@require_http_methods(["GET", "POST"])
def local_subscription_page(request: HttpRequest, token: str) -> HttpResponse:
    claim = link_claim(token)
    user = get_user_model().objects.filter(pk=claim["user"]).first()
    if user is None:
        raise Http404
    back = return_url("de")
    if request.method == "POST":
        _apply(user.pk, request.POST.get("action", ""), claim["plan"])
        return HttpResponseRedirect(back)
    current = subscription_current(user)
    return render(
        request,
        "shop/local_subscription.html",
        {
            "purpose": claim["purpose"],
            "plan": plan_find(claim["plan"]) if claim["plan"] else None,
            "plans": plans_for("de"),
            "current": current,
            "live": current is not None and current.gives_access(),
            "back": back,
        },
    )


urlpatterns = [path("<str:token>/", local_subscription_page, name="shop-local-subscription")]
