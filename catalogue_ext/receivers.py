"""Keep the product index in step with what decides a product's visibility elsewhere:
its stock record (price, stock, organisation) and its organisation's verification."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from haystack import signals as haystack_signals
from oscar.core.loading import get_model

Partner = get_model("partner", "Partner")
Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")


def _reindex(products):
    from haystack import connections

    index = connections["default"].get_unified_index().get_index(Product)
    for product in products:
        index.update_object(product)


@receiver(post_save, sender=StockRecord, dispatch_uid="catalogue_ext.reindex_on_stockrecord")
@receiver(post_delete, sender=StockRecord, dispatch_uid="catalogue_ext.reindex_on_stockrecord_del")
def reindex_product_of_stockrecord(sender, instance, **kwargs):
    if _realtime_indexing():
        _reindex(Product.objects.filter(pk=instance.product_id))


@receiver(pre_save, sender=Partner, dispatch_uid="catalogue_ext.remember_verification")
def remember_verification(sender, instance, update_fields=None, **kwargs):
    """Note whether this save changes the verification, so that a profile edit does not
    reindex every product of the organisation."""
    if update_fields is not None and "is_verified" not in update_fields:
        instance._verification_changed = False
        return
    before = (
        Partner.objects.filter(pk=instance.pk).values_list("is_verified", flat=True).first()
        if instance.pk
        else None
    )
    instance._verification_changed = before is not None and before != instance.is_verified


@receiver(post_save, sender=Partner, dispatch_uid="catalogue_ext.reindex_on_partner")
def reindex_products_of_organisation(sender, instance, **kwargs):
    if _realtime_indexing() and getattr(instance, "_verification_changed", False):
        _reindex(Product.objects.filter(stockrecords__partner=instance).distinct())


def _realtime_indexing():
    from django.conf import settings

    processor = getattr(settings, "HAYSTACK_SIGNAL_PROCESSOR", "")
    return processor.endswith(haystack_signals.RealtimeSignalProcessor.__name__)
