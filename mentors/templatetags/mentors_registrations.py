"""Template tags of the registration part of the MENTORS programme."""

from django import template

from mentors.services import registrations

register = template.Library()


@register.simple_tag(takes_context=True)
def registration_panel_state(context, session):
    """What the session page's registration box shows for the current user, in a fixed
    number of queries: ``{% registration_panel_state session as panel %}``."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return registrations.registration_panel(session=session, user=user)
