from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "reunite.registry"
    label = "registry"
    verbose_name = "Registry of children, tracing requests and cases"
