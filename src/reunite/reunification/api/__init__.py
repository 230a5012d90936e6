"""REST API of the reunification app, one module per noun, registered on the one API router."""

from rest_framework.routers import DefaultRouter

from reunite.reunification.api import followup


def register(router: DefaultRouter) -> None:
    """Add the reunification viewsets to the API router, under ``reunification/``."""
    followup.register(router)
