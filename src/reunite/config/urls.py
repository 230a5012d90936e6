from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from reunite.web.i18n import set_language

urlpatterns = [
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/channel/", include("reunite.exchange.api_urls")),
    path("api/", include("reunite.config.api_urls")),
    path("matching/", include("reunite.matching.urls")),
    path("verification/", include("reunite.verification.urls")),
    path("reunification/", include("reunite.reunification.urls")),
    path("jobs/", include("reunite.jobs.urls")),
    path("language/", set_language, name="set-language"),
    path("exchange/", include("reunite.exchange.urls")),
    path("", include("reunite.cases.urls")),
    path("", include("reunite.reunification.rounds.urls")),
    path("", include("reunite.web.urls")),
]

handler403 = "reunite.web.errors.permission_denied"
handler404 = "reunite.web.errors.page_not_found"
handler500 = "reunite.web.errors.server_error"
