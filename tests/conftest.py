"""Plugins shared by the whole suite."""

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
