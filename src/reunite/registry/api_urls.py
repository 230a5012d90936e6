"""URLs of the REST API, mounted at ``/api/`` (schema and docs are in the project urls)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from reunite.accounts import tokens
from reunite.registry import api

router = DefaultRouter()
api.register(router)

urlpatterns = [
    path("token/", api.TokenView.as_view(), name="api-token"),
    path("me/", api.MeView.as_view(), name="api-me"),
    path("tokens/", tokens.TokenListView.as_view(), name="api-tokens"),
    path("tokens/<str:username>/", tokens.TokenRevokeView.as_view(), name="api-token-revoke"),
    path("", include(router.urls)),
]
