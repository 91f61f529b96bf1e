"""The database schema, in SQLAlchemy 2.x typed style, one module per domain.

Plain SQLAlchemy on purpose: the domain services (attempts, bank import, ranking)
import these models and must not import Flask.  Flask-SQLAlchemy is handed ``Base``
as its model class in ``extensions.py`` and manages engines and sessions around it.

Every datetime column is UTC (``UTCDateTime``) and named ``*_dt``.

Importing this package imports every module below, so ``Base.metadata`` (one object, with
the naming convention, which Flask-SQLAlchemy and the Alembic env use) holds every table,
and ``from quizapp.models import X`` works for each name in ``__all__``.
"""
from quizapp.models.base import NAMING_CONVENTION, Base, UTCDateTime
from quizapp.models.users import ApiToken, User
from quizapp.models.bank import Question, QuestionRevision, Quiz, QuizQuestion
from quizapp.models.classes import Assignment, AssignmentOverride, ClassMember, SchoolClass
from quizapp.models.attempts import RUNNING_RANKED_ATTEMPT, Attempt, AttemptAnswer
from quizapp.models.boards import BoardsVersion, LeaderboardCount, LeaderboardEntry, OverallEntry
from quizapp.models.review_cards import ReviewCard
from quizapp.models.live import LiveAnswer, LiveGame, LivePlayer

__all__ = [
    "NAMING_CONVENTION", "Base", "UTCDateTime",
    "User", "ApiToken",
    "Quiz", "Question", "QuestionRevision", "QuizQuestion",
    "Attempt", "AttemptAnswer", "RUNNING_RANKED_ATTEMPT",
    "LeaderboardEntry", "OverallEntry", "LeaderboardCount", "BoardsVersion",
    "ReviewCard",
    "SchoolClass", "ClassMember", "Assignment", "AssignmentOverride",
    "LiveGame", "LivePlayer", "LiveAnswer",
]
