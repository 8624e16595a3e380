"""The back office reads every app's data: the shop's and the consultations' fixtures, here once."""

from tests.booking.conftest import consultant, consultation_type  # noqa: F401
from tests.shop.conftest import buy, customer, make_user, place_order, shop_catalog  # noqa: F401
