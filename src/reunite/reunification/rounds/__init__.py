"""Rounds, transfers, routes and the chain of custody (see docs/rounds.md).

``actions`` holds every write, ``planning`` connects transfers to the route planner,
``reports`` computes manifests, round reports and statistics; ``views``, ``api`` and
``urls`` are the screens and endpoints.
"""
