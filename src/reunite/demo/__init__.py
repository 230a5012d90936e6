"""The demo set-up behind ``reunite demo``: synthetic parties, users, records and cases.

It sits above every app (it drives registry, cases, matching and verification through their
actions) and only the CLI imports it, so no app depends on the demo.
"""

from reunite.demo.load import DEMO_PASSWORD, DEMO_TOTP_SECRET, USERS, DemoSummary, load_demo

__all__ = ["DEMO_PASSWORD", "DEMO_TOTP_SECRET", "USERS", "DemoSummary", "load_demo"]
