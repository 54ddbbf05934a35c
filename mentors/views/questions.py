"""The question-and-answer space of the MENTORS programme: the list, a question's page
with its answers, comments, votes, accepting, flags and follows; editing with history;
and the live list of a session's questions as JSON for static/js/live-questions.js.

Views validate input, call one service of ``mentors.services.questions`` and redirect
or render; who sees and does what is decided there (``can_see``, ``can_edit``,
``can_accept``)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from mentors.forms_questions import (
    AnswerForm,
    CommentForm,
    FlagForm,
    QuestionFilterForm,
    QuestionForm,
    VoteForm,
)
from mentors.models import Answer, Moderation, Question, Session, Theme
from mentors.services import questions as services
from thinktank.access import can_moderate, organisation_for_author, verified_organisations_of
from thinktank.services import moderation_log_of

PAGE_SIZE = 20


def _safe_next(request, fallback):
    """The posted or queried ``next`` address when it stays on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def question_for_viewer(user, pk):
    """The question ``pk`` if ``user`` may see it; Http404 otherwise."""
    question = Question.objects.select_related("author", "session").filter(pk=pk).first()
    if question is None or not services.can_see(user, question):
        raise Http404
    return question


def answer_for_viewer(user, pk):
    answer = (
        Answer.objects.select_related("author", "question", "question__session")
        .filter(pk=pk)
        .first()
    )
    if answer is None or not services.can_see(user, answer):
        raise Http404
    return answer


# The list ---------------------------------------------------------------------------


class QuestionListView(ListView):
    template_name = "mentors/questions/list.html"
    paginate_by = PAGE_SIZE
    context_object_name = "questions"

    def get_queryset(self):
        self.themes = list(Theme.objects.all())
        self.sessions = list(
            Session.objects.published()
            .filter(questions__moderation=Moderation.VISIBLE)
            .distinct()
            .order_by("-starts_at", "-pk")
            .only("pk", "title", "starts_at")
        )
        requested = self.request.GET.get("session") or ""
        if requested.isdigit() and int(requested) not in {s.pk for s in self.sessions}:
            # A session without questions yet (linked from its page): an empty list.
            self.sessions += list(Session.objects.published().filter(pk=requested))
        self.filter_form = QuestionFilterForm(
            self.request.GET or None, themes=self.themes, sessions=self.sessions
        )
        if self.filter_form.is_bound:
            self.filter_form.is_valid()  # a wrong value drops that filter, not the others
        data = getattr(self.filter_form, "cleaned_data", {})
        self.sort = data.get("sort") or "newest"
        self.theme = next((t for t in self.themes if t.slug == data.get("theme")), None)
        self.session = next((s for s in self.sessions if s.pk == data.get("session")), None)
        return services.question_list(sort=self.sort, theme=self.theme, session=self.session)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filter_form=self.filter_form,
            sort=self.sort,
            theme=self.theme,
            session=self.session,
            query_without_page=query.urlencode(),
        )
        return context


# Asking -----------------------------------------------------------------------------


class QuestionCreateView(LoginRequiredMixin, FormView):
    template_name = "mentors/questions/form.html"
    form_class = QuestionForm

    def get_initial(self):
        initial = super().get_initial()
        session = (
            Session.objects.published().filter(pk=self.request.GET.get("session")).first()
            if (self.request.GET.get("session") or "").isdigit()
            else None
        )
        if session is not None:
            initial.update(session=session, themes=[session.theme_id])
        theme = Theme.objects.filter(slug=self.request.GET.get("theme") or "").first()
        if theme is not None:
            initial["themes"] = [theme.pk]
        return initial

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            question = services.ask_question(
                user=self.request.user,
                title=data["title"],
                body=data["body"],
                themes=data["themes"],
                session=data["session"],
            )
        except services.QuestionsError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(self.request, _("Your question is published."))
        return HttpResponseRedirect(_safe_next(self.request, question.get_absolute_url()))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(kind="question-create", next=_safe_next(self.request, ""))
        return context


# A question's page --------------------------------------------------------------------


class QuestionDetailView(TemplateView):
    """The question, its answers (the accepted one first, then by score), comments, and
    the forms of whoever is signed in. A POST is a new answer."""

    template_name = "mentors/questions/detail.html"

    def dispatch(self, request, *args, **kwargs):
        self.question = question_for_viewer(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                answer = services.answer(
                    question=self.question, user=request.user, body=form.cleaned_data["body"]
                )
            except services.QuestionsError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Your answer is published."))
                return HttpResponseRedirect(answer.get_absolute_url())
        return self.render_to_response(self.get_context_data(answer_form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, question = self.request.user, self.question
        themes = list(question.themes.all())
        signed_in = user.is_authenticated
        moderator = signed_in and can_moderate(user)
        answers = list(services.answers_for_page(question, user, moderator=moderator))
        votes = services.votes_of(user, questions=[question], answers=answers)
        question.my_vote = votes.get(("question", question.pk), 0)
        question.can_edit = services.can_edit(user, question)
        for answer in answers:
            answer.question = question
            answer.my_vote = votes.get(("answer", answer.pk), 0)
            answer.can_edit = services.can_edit(user, answer)
            answer.is_own = signed_in and answer.author_id == user.pk
        context.update(
            question=question,
            themes=themes,
            answers=answers,
            answer_form=kwargs.get("answer_form") or AnswerForm(),
            can_accept=services.can_accept(user, question),
            is_own_question=signed_in and question.author_id == user.pk,
            is_following=services.is_following(user=user, question=question),
            can_moderate=moderator,
            flag_reasons=FlagForm.base_fields["reason"].choices,
            flag_organisations=list(verified_organisations_of(user)),
        )
        return context


# Editing and history ------------------------------------------------------------------


class QuestionEditView(LoginRequiredMixin, FormView):
    template_name = "mentors/questions/form.html"
    form_class = QuestionForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.question = question_for_viewer(request.user, kwargs["pk"])
            if not services.can_edit(request.user, self.question):
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "with_summary": True}

    def get_initial(self):
        return {
            "title": self.question.title,
            "body": self.question.body,
            "themes": list(self.question.themes.values_list("pk", flat=True)),
        }

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            revision = services.edit_question(
                question=self.question,
                user=self.request.user,
                title=data["title"],
                body=data["body"],
                themes=data["themes"],
                summary=data["summary"],
            )
        except services.QuestionsError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        if revision is None:
            messages.info(self.request, _("Nothing changed in the text, so no revision was saved."))
        else:
            messages.success(
                self.request, _("Saved as revision %(number)s.") % {"number": revision.number}
            )
        return HttpResponseRedirect(self.question.get_absolute_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(kind="question-edit", question=self.question)
        return context


class AnswerEditView(LoginRequiredMixin, FormView):
    template_name = "mentors/questions/form.html"
    form_class = AnswerForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.answer = answer_for_viewer(request.user, kwargs["pk"])
            if not services.can_edit(request.user, self.answer):
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "with_summary": True}

    def get_initial(self):
        return {"body": self.answer.body}

    def form_valid(self, form):
        try:
            revision = services.edit_answer(
                answer=self.answer,
                user=self.request.user,
                body=form.cleaned_data["body"],
                summary=form.cleaned_data["summary"],
            )
        except services.QuestionsError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        if revision is None:
            messages.info(self.request, _("Nothing changed in the text, so no revision was saved."))
        else:
            messages.success(
                self.request, _("Saved as revision %(number)s.") % {"number": revision.number}
            )
        return HttpResponseRedirect(self.answer.get_absolute_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(kind="answer-edit", answer=self.answer, question=self.answer.question)
        return context


class HistoryView(TemplateView):
    """Every revision of a question or an answer, newest first, with what changed."""

    template_name = "mentors/questions/history.html"
    kind = "question"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if self.kind == "question":
            post = question_for_viewer(user, self.kwargs["pk"])
            question = post
        else:
            post = answer_for_viewer(user, self.kwargs["pk"])
            question = post.question
        context.update(
            kind=self.kind,
            post=post,
            question=question,
            revisions=services.history_of(post),
            moderation_log=list(moderation_log_of(post)),
        )
        return context


# Actions: POST only, answered by a redirect (or JSON for votes) -----------------------


class PostActionView(LoginRequiredMixin, View):
    """A POST on a question (``kind = "question"``) or an answer; ``act`` returns the
    message to show, or raises ``QuestionsError`` with the message of a refusal."""

    http_method_names = ["post"]
    kind = "question"

    def get_post(self):
        if self.kind == "question":
            return question_for_viewer(self.request.user, self.kwargs["pk"])
        return answer_for_viewer(self.request.user, self.kwargs["pk"])

    def post(self, request, *args, **kwargs):
        post = self.get_post()
        try:
            message = self.act(post)
        except services.QuestionsError as error:
            messages.error(request, str(error))
        else:
            if message:
                messages.success(request, message)
        return redirect(_safe_next(request, post.get_absolute_url()))


class VoteView(PostActionView):
    """Vote up or down; the same vote again withdraws it. Answers JSON
    (``{"value", "score"}``) to a request that asks for it."""

    def post(self, request, *args, **kwargs):
        post = self.get_post()
        form = VoteForm(request.POST)
        wants_json = "application/json" in request.headers.get("Accept", "")
        error = None
        result = None
        if not form.is_valid():
            error = _("A vote is up or down.")
        else:
            try:
                result = services.vote(
                    user=request.user, value=form.cleaned_data["value"], **{self.kind: post}
                )
            except services.QuestionsError as refusal:
                error = str(refusal)
        if wants_json:
            if error:
                return JsonResponse({"error": str(error)}, status=400)
            return JsonResponse({"value": result.value, "score": result.score})
        if error:
            messages.error(request, error)
        elif result.value == 0:
            messages.success(request, _("Your vote was withdrawn."))
        else:
            messages.success(request, _("Thank you: your vote was counted."))
        fallback = post.get_absolute_url()
        if self.kind == "question":
            fallback += "#question"
        return redirect(_safe_next(request, fallback))


class AcceptView(PostActionView):
    kind = "answer"

    def act(self, answer):
        services.accept(question=answer.question, answer=answer, by=self.request.user)
        return _("The answer is marked as accepted.")


class CommentView(PostActionView):
    kind = "answer"

    def act(self, answer):
        form = CommentForm(self.request.POST)
        if not form.is_valid():
            raise services.QuestionsError(_("Write your comment (at most 2000 characters)."))
        services.comment_on_answer(answer=answer, user=self.request.user, **form.cleaned_data)
        return _("Your comment is published.")


class FlagView(PostActionView):
    def act(self, post):
        form = FlagForm(self.request.POST)
        if not form.is_valid():
            raise services.QuestionsError(_("Choose a reason for your flag."))
        posted = self.request.POST.get("organisation")
        organisation = organisation_for_author(self.request.user, posted) if posted else None
        services.flag_post(
            post=post, user=self.request.user, organisation=organisation, **form.cleaned_data
        )
        return _("Thank you: your flag was recorded.")


class FollowView(PostActionView):
    def act(self, question):
        if self.request.POST.get("follow") == "0":
            services.unfollow_question(user=self.request.user, question=question)
            return _("You no longer follow this question.")
        services.follow_question(user=self.request.user, question=question)
        return _("You will get an e-mail when someone answers this question.")


# The live list of a session ------------------------------------------------------------


def session_questions_json(request, pk):
    """``[{"id", "title", "score", "answers", "url"}]``: the session's visible questions
    by score, then newest first. Polled by static/js/live-questions.js."""
    session = get_object_or_404(Session.objects.published(), pk=pk)
    data = [
        {
            "id": question.pk,
            "title": question.title,
            "score": question.score,
            "answers": question.answer_count,
            "url": question.get_absolute_url(),
        }
        for question in services.session_questions(session)
    ]
    response = JsonResponse(data, safe=False)
    response["Cache-Control"] = "no-store"
    return response


urlpatterns = [
    path("questions/", QuestionListView.as_view(), name="questions"),
    path("questions/new/", QuestionCreateView.as_view(), name="question-create"),
    path("questions/<int:pk>/", QuestionDetailView.as_view(), name="question"),
    path("questions/<int:pk>/edit/", QuestionEditView.as_view(), name="question-edit"),
    path("questions/<int:pk>/history/", HistoryView.as_view(kind="question"),
         name="question-history"),
    path("questions/<int:pk>/vote/", VoteView.as_view(kind="question"), name="question-vote"),
    path("questions/<int:pk>/flag/", FlagView.as_view(kind="question"), name="question-flag"),
    path("questions/<int:pk>/follow/", FollowView.as_view(kind="question"),
         name="question-follow"),
    path("answers/<int:pk>/edit/", AnswerEditView.as_view(), name="answer-edit"),
    path("answers/<int:pk>/history/", HistoryView.as_view(kind="answer"), name="answer-history"),
    path("answers/<int:pk>/vote/", VoteView.as_view(kind="answer"), name="answer-vote"),
    path("answers/<int:pk>/accept/", AcceptView.as_view(), name="answer-accept"),
    path("answers/<int:pk>/comment/", CommentView.as_view(), name="answer-comment"),
    path("answers/<int:pk>/flag/", FlagView.as_view(kind="answer"), name="answer-flag"),
    path("sessions/<int:pk>/questions.json", session_questions_json,
         name="session-questions-json"),
]  # fmt: skip
