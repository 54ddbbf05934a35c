from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MentorsConfig(AppConfig):
    name = "mentors"
    verbose_name = _("MENTORS programme")

    def ready(self):
        from django.db.models.signals import post_save

        from mentors import tasks_questions  # noqa: F401  (registers the Celery task)
        from mentors.models import Answer, Question
        from mentors.services.questions import on_moderation_action
        from thinktank.models import MODERATED_MODELS, ModerationAction

        # Questions and answers are flagged and reviewed like the think tank's entries.
        MODERATED_MODELS.update({Question.section: Question, Answer.section: Answer})
        post_save.connect(
            on_moderation_action,
            sender=ModerationAction,
            dispatch_uid="mentors.questions.on_moderation_action",
        )
