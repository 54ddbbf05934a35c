"""Factories of the MENTORS programme (``mentors/models.py``).

Themes are not made here: the ten founders' themes are seeded by a migration, so use
``theme("agri-food")`` below (``Theme.objects.get(slug=…)`` that also works after a
transactional test emptied the tables).

Defaults, and how to change them::

    co_organiser = CoOrganiserFactory(name="Δήμος Ηρακλείου", region="crete")
    mentor = MentorProfileFactory()                  # a user with a full Greek name
    mentor = MentorProfileFactory(user__first_name="Νίκος", user__last_name="Παππάς",
                                  expertise=["agri-food", "health"])   # slugs or Themes
    seminar = SeminarFactory(starts_on=date(2021, 3, 26), ends_on=date(2021, 3, 28),
                             co_organisers=[co_organiser])
    session = SessionFactory()                       # agri-food, in 3 days, published,
                                                     # Jitsi room, no capacity limit
    session = SessionFactory(theme=theme("health"), starts_at=athens(2021, 3, 26, 18),
                             mentors=[mentor], capacity=20, seminar=seminar,
                             co_organiser=co_organiser, is_published=False)
    registration = RegistrationFactory(session=session, user=user)      # confirmed
    waiting = RegistrationFactory(session=session, status=Registration.Status.WAITLISTED)
    question = QuestionFactory(author=user, themes=["agri-food"], session=session)
    answer = AnswerFactory(question=question, author=mentor.user, by_mentor=True,
                           accepted=True)            # also the question's accepted answer

``SessionFactory`` gives a whole-minute start (seconds and microseconds zero) 3 days
from now; ``ends_at`` follows from ``duration`` (2 hours) when the model is saved.
``QuestionFactory`` tags the question with the agri-food theme unless ``themes`` is given.
``AnswerFactory`` keeps ``question.answer_count`` equal to the number of the question's
visible answers; ``accepted=True`` makes it the question's accepted answer.
``athens(year, month, day, hour, minute)`` is an aware datetime in Europe/Athens.
"""

import datetime
import zoneinfo

import factory
from django.utils import timezone

from mentors.models import (
    Answer,
    CoOrganiser,
    MentorProfile,
    Moderation,
    Question,
    Registration,
    Seminar,
    Session,
    Theme,
)
from mentors.themes import THEMES
from shop.text import slugify_greek
from tests.factories import UserFactory

ATHENS = zoneinfo.ZoneInfo("Europe/Athens")

FIRST_NAMES = ["Ελένη", "Γιώργος", "Μαρία", "Νίκος", "Κατερίνα", "Δημήτρης", "Σοφία", "Κώστας"]
LAST_NAMES = [
    "Παπαδοπούλου", "Αλεξίου", "Νικολάου", "Βασιλείου", "Γεωργίου", "Σταματίου",
    "Ιωάννου", "Κωνσταντίνου",
]  # fmt: skip


def athens(year, month, day, hour=0, minute=0):
    """An aware datetime on the wall clock of Europe/Athens."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=ATHENS)


def theme(slug):
    """One of the ten themes. They are seeded by a migration; a transactional test
    (``django_db(transaction=True)``, the browser tests) empties the tables after it, so
    the themes are made again here when they are missing."""
    if not Theme.objects.exists():
        Theme.objects.bulk_create(
            Theme(slug=seeded, position=position)
            for position, (seeded, _title, _subtopics) in enumerate(THEMES, start=1)
        )
    return Theme.objects.get(slug=slug)


def _themes(values):
    return [value if isinstance(value, Theme) else theme(value) for value in values]


def _in_three_days():
    return (timezone.now() + datetime.timedelta(days=3)).replace(second=0, microsecond=0)


class CoOrganiserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoOrganiser
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Δήμος Δοκιμής {n}")
    kind = CoOrganiser.Kind.MUNICIPALITY
    region = "crete"
    website = ""


class MentorProfileFactory(factory.django.DjangoModelFactory):
    """A mentor; ``expertise`` takes Theme objects or theme slugs."""

    class Meta:
        model = MentorProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(
        UserFactory,
        first_name=factory.Sequence(lambda n: FIRST_NAMES[n % len(FIRST_NAMES)]),
        last_name=factory.Sequence(lambda n: LAST_NAMES[n % len(LAST_NAMES)]),
    )
    slug = factory.LazyAttributeSequence(
        lambda o, n: f"{slugify_greek(o.user.get_full_name()) or 'mentor'}-{n}"
    )
    bio = "Μέντορας του προγράμματος με εμπειρία στην κοινωνική οικονομία."
    organisation = None

    @factory.post_generation
    def expertise(self, create, extracted, **kwargs):
        if create and extracted:
            self.expertise.set(_themes(extracted))


class SeminarFactory(factory.django.DjangoModelFactory):
    """A three-day seminar starting in 3 days; ``co_organisers`` takes a list."""

    class Meta:
        model = Seminar
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Σεμινάριο επιμόρφωσης {n}")
    slug = factory.LazyAttributeSequence(lambda o, n: f"{slugify_greek(o.title)[:200]}-{n}")
    description = ""
    starts_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=3))
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + datetime.timedelta(days=2))

    @factory.post_generation
    def co_organisers(self, create, extracted, **kwargs):
        if create and extracted:
            self.co_organisers.set(extracted)


class SessionFactory(factory.django.DjangoModelFactory):
    """A published agri-food session in 3 days; ``mentors`` takes a list of profiles."""

    class Meta:
        model = Session
        skip_postgeneration_save = True

    theme = factory.LazyFunction(lambda: theme("agri-food"))
    title = factory.Sequence(lambda n: f"Δίωρο συζήτησης {n}")
    description = ""
    starts_at = factory.LazyFunction(_in_three_days)
    seminar = None
    co_organiser = None
    capacity = None
    room_kind = Session.Room.JITSI
    room_url = ""
    is_published = True

    @factory.post_generation
    def mentors(self, create, extracted, **kwargs):
        if create and extracted:
            self.mentors.set(extracted)


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A confirmed registration of a new user for a new session."""

    class Meta:
        model = Registration

    session = factory.SubFactory(SessionFactory)
    user = factory.SubFactory(UserFactory)
    status = Registration.Status.CONFIRMED


class QuestionFactory(factory.django.DjangoModelFactory):
    """A visible question by a new user; ``themes`` takes Theme objects or slugs
    (default: agri-food)."""

    class Meta:
        model = Question
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Ερώτηση δοκιμής {n};")
    body = "Πώς ξεκινάμε;"
    author = factory.SubFactory(UserFactory)
    session = None
    moderation = Moderation.VISIBLE

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create:
            self.themes.set(_themes(extracted or ["agri-food"]))


class AnswerFactory(factory.django.DjangoModelFactory):
    """A visible answer by a new user; ``accepted=True`` makes it the accepted one."""

    class Meta:
        model = Answer
        skip_postgeneration_save = True

    question = factory.SubFactory(QuestionFactory)
    body = "Με μια συνέλευση των μελών."
    author = factory.SubFactory(UserFactory)
    by_mentor = False
    moderation = Moderation.VISIBLE

    @factory.post_generation
    def accepted(self, create, extracted, **kwargs):
        if not create:
            return
        question = self.question
        question.answer_count = question.answers.filter(moderation=Moderation.VISIBLE).count()
        fields = ["answer_count"]
        if extracted:
            question.accepted_answer = self
            fields.append("accepted_answer")
        question.save(update_fields=fields)
