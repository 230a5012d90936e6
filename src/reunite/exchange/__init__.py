"""Django app reunite.exchange: peers, bundles in and out, relaying, lists and answers.

The top app: it may import every other app, and none imports it. Cryptography lives in
the :mod:`reunite.channel` engine; this app stores what crossed and applies it.
"""
