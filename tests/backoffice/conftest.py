"""The back office reads every app's data: the shop's, Stripe's and the consultations' fixtures,
made available here once for every back-office test."""

from stripe_fakes import deliver, stripe_api, stripe_keys  # noqa: F401
from tests.booking.conftest import consultant, consultation_type  # noqa: F401
from tests.shop.conftest import buy, customer, make_user, place_order, shop_catalog  # noqa: F401
from tests.shop.subscription_fakes import plans, stripe_sub  # noqa: F401
