from django.urls import path

from reunite.exchange import views

app_name = "exchange"
urlpatterns = [
    path("", views.peer_list, name="peers"),
    path("peers/<str:installation_id>/", views.peer_detail, name="peer"),
    path("lists/", views.list_index, name="lists"),
    path("lists/send/", views.list_send, name="list-send"),
    path("lists/<str:list_id>/", views.list_detail, name="list"),
    path("lists/<str:list_id>/answer/", views.list_answer, name="list-answer"),
    path("thread/", views.thread_view, name="thread"),
    path("thread/share-case/", views.case_share, name="case-share"),
]
