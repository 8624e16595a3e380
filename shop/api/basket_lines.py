"""``/api/shop/baskets/<basket>/lines/<line>/``: oscar-api's line view, except that a line's quantity
stays 1. These are digital goods: a second copy of a video gives nothing, so a quantity other
than 1 is refused (400 ``bad_quantity``) instead of being charged for. Reading and removing a
line, and the ownership rules (someone else's basket line is a 404), stay oscar-api's."""

from __future__ import annotations

from oscarapi.views.basket import BasketLineDetail
from rest_framework.request import Request
from rest_framework.response import Response

from core.errors import ApiError

BAD_QUANTITY = "A digital item is bought once; its quantity is 1."


class BasketLineApi(BasketLineDetail):
    def update(self, request: Request, *args, **kwargs) -> Response:
        quantity = request.data.get("quantity", 1) if hasattr(request.data, "get") else None
        if str(quantity) != "1":
            raise ApiError("bad_quantity", BAD_QUANTITY, fields={"quantity": [BAD_QUANTITY]})
        return super().update(request, *args, **kwargs)
