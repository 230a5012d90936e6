from django.contrib.auth import views as auth_views
from django.urls import path

from reunite.web import imports, two_factor, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
    path("account/two-factor/", two_factor.verify, name="two-factor-verify"),
    path("account/two-factor/setup/", two_factor.setup, name="two-factor-setup"),
    path("account/two-factor/recovery/", two_factor.recovery, name="two-factor-recovery"),
    path("children/", views.child_list, name="child-list"),
    path("children/new/", views.child_edit, name="child-create"),
    path("children/<int:pk>/", views.child_detail, name="child-detail"),
    path("children/<int:pk>/edit/", views.child_edit, name="child-edit"),
    path("children/<int:pk>/documents/", views.identity_document_add, name="identity-document-add"),
    path("enquiries/", views.enquiry_list, name="enquiry-list"),
    path("enquiries/new/", views.enquiry_edit, name="enquiry-create"),
    path("enquiries/<int:pk>/", views.enquiry_detail, name="enquiry-detail"),
    path("enquiries/<int:pk>/edit/", views.enquiry_edit, name="enquiry-edit"),
    path("<str:kind>/<int:pk>/share/", views.record_share, name="record-share"),
    path("<str:kind>/<int:pk>/attach/", views.attachment_add, name="attachment-add"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment-download"),
    path("audit/", views.audit_log, name="audit-log"),
    path("lists/import/", imports.import_list, name="import-list"),
    path("lists/import/confirm/", imports.import_confirm, name="import-confirm"),
]
