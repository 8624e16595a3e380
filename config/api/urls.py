"""``/api/v1/``: each app mounts its own API module here."""

from django.urls import include, path

from config.api.views import ApiRootApi

urlpatterns = [
    path("", ApiRootApi.as_view(), name="api-root"),
    path("", include("accounts.api.urls")),
    path("", include("cms.api.urls")),
    path("", include("shop.api.urls")),
    path("", include("booking.api.urls")),
    path("", include("media_pipeline.api.urls")),
]
