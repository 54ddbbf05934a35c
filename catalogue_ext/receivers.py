"""Keep the product index in step with what decides a product's visibility or facets
elsewhere: its stock record (price, stock, organisation), its organisation's
verification, its categories and certifications.

Haystack's signal processor indexes a product when the product itself is saved; these
receivers add the changes it cannot see. Both go through ``shop.search_indexing``:
inline without Redis, through Celery after the commit with it.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver
from oscar.core.loading import get_model

from shop.search_indexing import index_later, processor_indexes_on_save

Partner = get_model("partner", "Partner")
Product = get_model("catalogue", "Product")
ProductCategory = get_model("catalogue", "ProductCategory")
StockRecord = get_model("partner", "StockRecord")


def _reindex(product_ids):
    if processor_indexes_on_save():
        index_later(Product, list(product_ids))


@receiver(post_save, sender=StockRecord, dispatch_uid="catalogue_ext.reindex_on_stockrecord")
@receiver(post_delete, sender=StockRecord, dispatch_uid="catalogue_ext.reindex_on_stockrecord_del")
def reindex_product_of_stockrecord(sender, instance, raw=False, **kwargs):
    if not raw:
        _reindex([instance.product_id])


@receiver(post_save, sender=ProductCategory, dispatch_uid="catalogue_ext.reindex_on_category")
@receiver(post_delete, sender=ProductCategory, dispatch_uid="catalogue_ext.reindex_on_category_del")
def reindex_product_of_category_link(sender, instance, raw=False, **kwargs):
    if not raw:
        _reindex([instance.product_id])


@receiver(
    m2m_changed, sender=Product.categories.through, dispatch_uid="catalogue_ext.categories_m2m"
)
@receiver(
    m2m_changed,
    sender=Product.certifications.through,
    dispatch_uid="catalogue_ext.certifications_m2m",
)
def reindex_products_of_m2m_change(sender, instance, action, reverse, pk_set, **kwargs):
    """``product.categories.add(...)``, ``certification.products.remove(...)`` and the
    like save no row of their own that haystack would see."""
    if not reverse:
        if action in ("post_add", "post_remove", "post_clear"):
            _reindex([instance.pk])
        return
    if action == "pre_clear":
        # The links are gone after the clear: note which products they joined.
        column = "product_id"
        other = next(
            field.attname
            for field in sender._meta.concrete_fields
            if field.is_relation and field.related_model is type(instance)
        )
        instance._cleared_product_ids = list(
            sender.objects.filter(**{other: instance.pk}).values_list(column, flat=True)
        )
    elif action == "post_clear":
        _reindex(getattr(instance, "_cleared_product_ids", []))
    elif action in ("post_add", "post_remove"):
        _reindex(pk_set or [])


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
def reindex_products_of_organisation(sender, instance, raw=False, **kwargs):
    if raw or not getattr(instance, "_verification_changed", False):
        return
    _reindex(
        Product.objects.filter(stockrecords__partner=instance)
        .values_list("pk", flat=True)
        .distinct()
    )
