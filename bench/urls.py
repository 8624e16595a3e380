"""The project's URL map with the floor views in front of it.

A floor sits under ``/api/`` when its endpoint does, so path-dependent middleware (the API error
rewriting, CORS) treats both alike; see :func:`bench.benchmarks.floor_url`.
"""

from django.urls import include, path

from bench.floor import floor_view

urlpatterns = [
    path("bench-floor/<slug:name>", floor_view, name="bench-floor"),
    path("api/bench-floor/<slug:name>", floor_view, name="bench-api-floor"),
    path("", include("config.urls")),
]
