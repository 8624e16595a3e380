"""``/api/shop/baskets/<basket>/lines/<line>/``: oscar-api's line view, except that a line's quantity
stays 1. These are digital goods: a second copy of a video gives nothing, so a quantity other
than 1 is refused (400 ``bad_quantity``) instead of being charged for. Reading and removing a
line, and the ownership rules (someone else's basket line is a 404), stay oscar-api's."""

from __future__ import annotations

from django.urls import path
from oscarapi.views.basket import BasketLineDetail
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.urlpatterns import format_suffix_patterns

from core.errors import ApiError

BAD_QUANTITY = "A digital item is bought once; its quantity is 1."


class BasketLineApi(BasketLineDetail):
    def update(self, request: Request, *args, **kwargs) -> Response:
        quantity = request.data.get("quantity", 1) if hasattr(request.data, "get") else None
        if str(quantity) != "1":
            raise ApiError("bad_quantity", BAD_QUANTITY, fields={"quantity": [BAD_QUANTITY]})
        return super().update(request, *args, **kwargs)


# oscar-api's name, which its serializers reverse for each line's ``url``; with and without a
# format suffix, so that no spelling of the path reaches a view without this rule.
urlpatterns = format_suffix_patterns(
    [path("baskets/<int:basket_pk>/lines/<int:pk>/", BasketLineApi.as_view(), name="basket-line-detail")]
)
