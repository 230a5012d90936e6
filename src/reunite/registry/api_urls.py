from django.urls import include, path
from rest_framework.routers import DefaultRouter

from reunite.registry import api

router = DefaultRouter()
api.register(router)

urlpatterns = [path("", include(router.urls))]
