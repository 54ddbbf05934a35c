"""Pages where an organisation's members list many products at once from a CSV file."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from catalogue_ext.csv_import import (
    COLUMN_HELP,
    ImportFileError,
    import_products_csv,
    template_csv,
)
from catalogue_ext.forms import ProductImportForm
from shop.organisations.access import organisation_for_member


@login_required
def import_products(request, slug):
    organisation = organisation_for_member(request.user, slug)
    form = ProductImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = import_products_csv(
                organisation=organisation, uploaded_file=form.cleaned_data["file"]
            )
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            if report.ok:
                messages.success(
                    request,
                    _("Imported: %(created)d new, %(updated)d updated.")
                    % {"created": report.created, "updated": report.updated},
                )
                return redirect(organisation.get_absolute_url())
    return render(
        request,
        "catalogue_ext/import_products.html",
        {
            "organisation": organisation,
            "form": form,
            "report": report,
            "column_help": COLUMN_HELP.items(),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def import_template(request, slug):
    organisation_for_member(request.user, slug)
    response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="coopsociety-products.csv"'
    return response
