"""Django app reunite.reunification: bringing a child home once the case is approved.

Rounds, transfers, routes and the chain of custody, and the follow-up after reunification,
each in its own module of ``reunification.models`` (re-exported by its ``__init__``).
"""
