from django.urls import path

from cms.api import views

urlpatterns = [
    path("catalog/videos/", views.VideoListApi.as_view(), name="catalog-videos"),
    path("catalog/videos/<slug:slug>/", views.VideoDetailApi.as_view(), name="catalog-video"),
    path("catalog/courses/", views.CourseListApi.as_view(), name="catalog-courses"),
    path("catalog/courses/<slug:slug>/", views.CourseDetailApi.as_view(), name="catalog-course"),
    path("catalog/bundles/", views.BundleListApi.as_view(), name="catalog-bundles"),
    path("catalog/bundles/<slug:slug>/", views.BundleDetailApi.as_view(), name="catalog-bundle"),
    path("catalog/categories/", views.CategoryListApi.as_view(), name="catalog-categories"),
]
