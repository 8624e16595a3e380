"""The real URL map plus views that misbehave on purpose, for the error-shape tests."""

from django.urls import path
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from config.urls import urlpatterns as real_urlpatterns


def plain_view_that_raises(request):
    raise RuntimeError("boom in a plain Django view")


class ApiViewThatRaises(APIView):
    authentication_classes: list = []
    permission_classes: list = []

    def get(self, request):
        raise ZeroDivisionError("boom in a DRF view")


class OncePerMinute(AnonRateThrottle):
    rate = "1/minute"


class ThrottledApi(APIView):
    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes = [OncePerMinute]

    def get(self, request):
        return Response({"ok": True})


urlpatterns = [
    path("api/v1/test/plain-raises/", plain_view_that_raises),
    path("api/v1/test/drf-raises/", ApiViewThatRaises.as_view()),
    path("api/v1/test/throttled/", ThrottledApi.as_view()),
    *real_urlpatterns,
]
