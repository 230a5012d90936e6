"""Django app reunite.verification."""

from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "reunite.verification"
    label = "verification"
    verbose_name = "Verification of family ties and best interests"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from reunite.cases.actions import register_transition_guard
        from reunite.cases.columns import register_case_column
        from reunite.verification.actions import approval_guard
        from reunite.verification.status import verification_column

        # A case reaches "approved for reunification" only with a relationship verified by
        # two verifiers and a best-interests decision in favour (with the child's views).
        register_transition_guard("approved", approval_guard)
        # The case list shows whether each case's relationship is verified.
        register_case_column("verification", _("Verification"), verification_column)
