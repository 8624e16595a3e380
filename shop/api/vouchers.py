"""Placeholder; filled by the shop issue."""

urlpatterns: list = []
