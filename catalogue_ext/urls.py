from django.urls import path

from catalogue_ext import import_views

app_name = "product-import"

urlpatterns = [
    path("", import_views.import_products, name="upload"),
    path("template.csv", import_views.import_template, name="template"),
]
