"""Oscar's pricing strategy for Phialo: digital goods, gross prices with German VAT included.

Oscar asks ``partner.strategy.Selector`` for the strategy of every basket and product; this module
is why the partner app is forked. A stock record's price is the gross price the editor set on the
page; the strategy splits it into net and VAT (``shop.vat``) and hands Oscar a tax-inclusive
price, so offers and vouchers discount the gross amount the shopper sees. Nothing is shipped and
nothing runs out; a product without a stock record (withdrawn) cannot be bought.
"""

from __future__ import annotations

from oscar.apps.partner import availability, prices
from oscar.apps.partner.strategy import Structured, UseFirstStockRecord

from shop.vat import gross_split

TAX_CODE = "DE-VAT-19"


class DigitalGoodAvailability(availability.Available):
    """Always there, and bought once: a second copy of a video gives nothing more."""

    def is_purchase_permitted(self, quantity: int):
        if quantity != 1:
            return False, "A digital item is bought once; its quantity is 1."
        return True, ""


class GrossPricesWithVat(UseFirstStockRecord, Structured):
    def fetch_for_line(self, line, stockrecord=None):
        # The line's stock record comes with the line (Oscar's all_lines select_related), so a
        # basket of n lines is priced without n more queries; a product has one stock record.
        return self.fetch_for_product(line.product, stockrecord=stockrecord or line.stockrecord)

    def pricing_policy(self, product, stockrecord):
        if not stockrecord or stockrecord.price is None:
            return prices.Unavailable()
        split = gross_split(stockrecord.price)
        return prices.TaxInclusiveFixedPrice(
            currency=stockrecord.price_currency, excl_tax=split.net, tax=split.vat, tax_code=TAX_CODE
        )

    def parent_pricing_policy(self, product, children_stock):
        stockrecords = [stockrecord for _, stockrecord in children_stock if stockrecord is not None]
        return self.pricing_policy(product, stockrecords[0] if stockrecords else None)

    def availability_policy(self, product, stockrecord):
        if not stockrecord or not product.is_public:
            return availability.Unavailable()
        return DigitalGoodAvailability()

    def parent_availability_policy(self, product, children_stock):
        return availability.Unavailable()  # no parent products are sold


class Selector:
    def strategy(self, request=None, user=None, **kwargs):
        return GrossPricesWithVat(request)
