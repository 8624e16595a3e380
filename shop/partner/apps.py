"""Oscar's partner app, forked only to swap its pricing strategy (``shop.partner.strategy``)."""

import oscar.apps.partner.apps as apps


class PartnerConfig(apps.PartnerConfig):
    name = "shop.partner"
