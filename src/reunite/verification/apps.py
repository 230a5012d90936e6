from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "reunite.verification"
    label = "verification"
    verbose_name = "Verification of family ties and best interests"
