"""Template helpers of the social market's basket."""

from django import template

from shop.order.services import basket_lines, group_basket

register = template.Library()


@register.simple_tag
def basket_groups(basket, formset):
    """The basket's forms grouped by organisation: [(MarketGroup, [(index, form)])].

    ``index`` is the form's place in the formset, which Oscar's basket script uses to
    find the line to remove or save for later.
    """
    forms_by_line = {form.instance.pk: (index, form) for index, form in enumerate(formset)}
    groups = group_basket(
        basket, [line for line in basket_lines(basket) if line.pk in forms_by_line]
    )
    return [(group, [forms_by_line[line.pk] for line in group.lines]) for group in groups]
