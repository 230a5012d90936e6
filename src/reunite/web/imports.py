"""Lists in the browser: upload a CSV or XLSX list, read the row-by-row report, confirm.

The same checks as ``reunite import`` (``reunite.registry.importing.import_file``): the
upload is first checked only (nothing written), the report lists every problem with its
row and column, or what the import would do; the caseworker fixes the file and uploads it
again, or confirms. Confirming imports the very file that was checked (kept under
``VAR_DIR/imports/`` for the session, removed after the import) in one transaction.

The import runs through :func:`run_import`, one function a background job can call.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from reunite.accounts import policy
from reunite.core.acting import Acting
from reunite.registry.importing import ImportFailed, ImportRefused, ImportReport, import_file

SESSION_KEY = "reunite_pending_imports"
ACCEPTED_SUFFIXES = (".csv", ".xlsx")
# A browser upload is smaller than a national list imported from the command line.
WEB_MAX_BYTES = 20 * 1024 * 1024


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("List of"),
        choices=[("children", gettext_lazy("Children")),
                 ("enquiries", gettext_lazy("Tracing requests"))],
    )  # fmt: skip
    file = forms.FileField(
        label=gettext_lazy("File (CSV or XLSX)"),
        help_text=gettext_lazy(
            "The first row is the header, with the column names of the interchange format."
        ),
    )
    update = forms.BooleanField(
        required=False,
        label=gettext_lazy("Rows with a reference we already have update that record"),
    )
    consent = forms.BooleanField(
        required=False, label=gettext_lazy("Consent for tracing is given for every record")
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(ACCEPTED_SUFFIXES):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > WEB_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB: import it with the command line.")
                % {"size": WEB_MAX_BYTES // (1024 * 1024)}
            )
        return upload


def _imports_dir() -> Path:
    folder = Path(settings.VAR_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _keep_upload(upload: Any) -> Path:
    """Write the upload to a private folder of its own (atomically) and return the path."""
    token = secrets.token_hex(16)
    folder = _imports_dir() / token
    folder.mkdir(mode=0o700)
    name = "list" + Path(upload.name).suffix.lower()
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".part")
    with os.fdopen(fd, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    target = folder / name
    os.replace(tmp, target)
    return target


def run_import(
    acting: Acting, path: Path, kind: str, *, update: bool, consent: bool, check_only: bool
) -> ImportReport:
    """Check or import one list file (the one function a background job would call)."""
    return import_file(
        acting, path, kind,  # type: ignore[arg-type]
        update=update, check_only=check_only, consent_for_tracing=True if consent else None,
        max_bytes=WEB_MAX_BYTES,
    )  # fmt: skip


def _forget(request: HttpRequest, token: str) -> None:
    pending = request.session.get(SESSION_KEY, {})
    entry = pending.pop(token, None)
    request.session[SESSION_KEY] = pending
    if entry:
        shutil.rmtree(Path(entry["path"]).parent, ignore_errors=True)


@login_required
@require_http_methods(["GET", "POST"])
def import_list(request: HttpRequest) -> HttpResponse:
    if not policy.has_permission(request.user, "records.import"):
        raise PermissionDenied
    acting = Acting.from_request(request)
    context: dict[str, Any] = {"form": ImportForm()}
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            data = form.cleaned_data
            path = _keep_upload(data["file"])
            options = {"kind": data["kind"], "update": data["update"], "consent": data["consent"]}
            try:
                report = run_import(acting, path, check_only=True, **options)
            except ImportRefused as refused:
                shutil.rmtree(path.parent, ignore_errors=True)
                context.update(problems=refused.problems, warnings=refused.warnings,
                               file_name=data["file"].name)  # fmt: skip
            else:
                token = path.parent.name
                pending = request.session.get(SESSION_KEY, {})
                pending[token] = {"path": str(path), "name": data["file"].name, **options}
                request.session[SESSION_KEY] = pending
                context.update(report=report, token=token, file_name=data["file"].name)
    return render(request, "web/import.html", context)


@login_required
@require_POST
def import_confirm(request: HttpRequest) -> HttpResponse:
    if not policy.has_permission(request.user, "records.import"):
        raise PermissionDenied
    token = request.POST.get("token", "")
    entry = request.session.get(SESSION_KEY, {}).get(token)
    if entry is None or not Path(entry["path"]).exists():
        messages.error(request, _("That upload has expired: upload the file again."))
        return redirect("import-list")
    try:
        report = run_import(
            Acting.from_request(request), Path(entry["path"]), entry["kind"],
            update=entry["update"], consent=entry["consent"], check_only=False,
        )  # fmt: skip
    except (ImportRefused, ImportFailed) as exc:
        # The records changed since the check (or writing failed): nothing was written.
        messages.error(request, _("Nothing was imported: %(reason)s") % {"reason": exc})
        _forget(request, token)
        return redirect("import-list")
    _forget(request, token)
    messages.success(
        request,
        _("%(file)s imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.")
        % {"file": entry["name"], "created": report.created, "updated": report.updated,
           "unchanged": report.unchanged},
    )  # fmt: skip
    return redirect("child-list" if entry["kind"] == "children" else "enquiry-list")
