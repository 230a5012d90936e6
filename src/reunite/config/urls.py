from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("reunite.config.api_urls")),
    path("matching/", include("reunite.matching.urls")),
    path("verification/", include("reunite.verification.urls")),
    path("", include("reunite.cases.urls")),
    path("", include("reunite.web.urls")),
]
