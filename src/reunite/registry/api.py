"""REST API (filled in by the API work)."""

from typing import Any

from rest_framework.routers import DefaultRouter
from rest_framework.views import exception_handler as drf_exception_handler


def register(router: DefaultRouter) -> None:
    """Add the registry's viewsets to the router."""


def exception_handler(exc: Exception, context: dict[str, Any]) -> Any:
    return drf_exception_handler(exc, context)
