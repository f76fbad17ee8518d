from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from api import views as api_views
from server import handlers

urlpatterns = [
    path("healthz", api_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger"),
    path("api/v1/", include(("api.urls", "api"), namespace="v1")),
    path("api/", include(("api.urls", "api"), namespace="api")),
    re_path(r"^api/", handlers.api_not_found),
    path("media/<path:name>", handlers.media, name="media"),
    path("", include("web.urls")),
]

handler400 = handlers.bad_request
handler403 = handlers.permission_denied
handler404 = handlers.page_not_found
handler500 = handlers.server_error
