"""Machine-to-machine endpoints of the channel (signed content; no login, no CSRF)."""

from django.urls import path

from reunite.exchange import transport

app_name = "channel"
urlpatterns = [
    path("push", transport.push, name="push"),
    path("pull", transport.pull, name="pull"),
    path("ack", transport.ack, name="ack"),
]
