from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "reunite.web"
    label = "web"
    verbose_name = "Web screens"

    def ready(self) -> None:
        from reunite.web import (
            input_rules,
            lockout,  # noqa: F401  (connects the lockout audit receiver)
            signals,  # noqa: F401  (connects the login audit receivers)
        )

        input_rules.install()
