"""The one REST API tree, mounted at ``/api/``: every app registers its viewsets here.

``/api/children/``, ``/api/cases/``, ``/api/matching/pairs/``, ``/api/verification/cases/{id}/``
…: one router, one base class, one pagination, one error format (``reunite.core.api``).
"""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from reunite.cases import api as cases_api
from reunite.core import tokens
from reunite.jobs import api_views as jobs_api
from reunite.matching import api as matching_api
from reunite.registry import api as registry_api
from reunite.reunification import api as reunification_api
from reunite.reunification.rounds import api as rounds_api
from reunite.verification import api as verification_api

router = DefaultRouter()
registry_api.register(router)
cases_api.register(router)
matching_api.register(router)
verification_api.register(router)
reunification_api.register(router)
rounds_api.register(router)
jobs_api.register(router)

urlpatterns = [
    path("token/", registry_api.TokenView.as_view(), name="api-token"),
    path("me/", registry_api.MeView.as_view(), name="api-me"),
    path("tokens/", tokens.TokenListView.as_view(), name="api-tokens"),
    path("tokens/<str:username>/", tokens.TokenRevokeView.as_view(), name="api-token-revoke"),
    path("", include(router.urls)),
]
