"""Plugins shared by the whole suite."""

import os
from typing import Any

from hypothesis import HealthCheck, settings

# The browser fixtures (``browser``, ``page``) for every browser test module.
pytest_plugins = ["tests.app.browser"]

# Property tests judge correctness, never speed: on a loaded 2-core machine a slow example
# must not fail the suite (no deadline, no "too slow" health check). Tests that set their
# own settings keep them.
settings.register_profile(
    "reunite",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("reunite")


def pytest_configure(config: object) -> None:
    # Pages are rendered in Ukrainian and Russian: build the catalogues if a .po changed.
    from reunite.web.catalogues import compile_catalogues

    compile_catalogues()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        _single_threaded_live_server()


def _single_threaded_live_server() -> None:
    """On the in-memory SQLite test database every request thread of the live server shares
    the test's one connection (Django's documented caveat), so two requests the browser
    sends at once (htmx panels) could interleave their transactions: the audit chain then
    saw two events take the same sequence number. One request at a time, as Django's own
    live-server tests do for SQLite; the non-threaded server closes each HTTP connection."""
    from django.core.servers.basehttp import WSGIServer
    from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler

    def create_server(self: Any, connections_override: Any = None) -> WSGIServer:
        return WSGIServer(
            (self.host, self.port), QuietWSGIRequestHandler, allow_reuse_address=False
        )

    LiveServerThread._create_server = create_server  # type: ignore[method-assign]
