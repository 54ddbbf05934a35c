import oscar.apps.catalogue.apps as apps


class CatalogueConfig(apps.CatalogueConfig):
    name = "catalogue_ext"

    def ready(self):
        super().ready()
        from catalogue_ext import receivers  # noqa: F401  (connects the signal handlers)
