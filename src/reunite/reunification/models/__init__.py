"""Tables of the reunification app, one domain noun per module, re-exported here.

Add a module (e.g. ``rounds.py``, ``followup.py``) and import its models below so that
Django finds them and callers can write ``from reunite.reunification.models import Round``.
"""
