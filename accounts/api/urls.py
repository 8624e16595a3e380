from django.urls import path

from accounts.api.views import MeApi, MeExportApi

urlpatterns = [
    path("me/", MeApi.as_view(), name="me"),
    path("me/export/", MeExportApi.as_view(), name="me-export"),
]
