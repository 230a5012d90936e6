from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "reunite.exchange"
    label = "exchange"
    verbose_name = _("Direct channel between installations")

    def ready(self) -> None:
        # Importing these registers the handlers of the bundle kinds they define.
        from reunite.exchange import lists, messaging  # noqa: F401
