"""Teachers' classes: the teacher role, join codes, members, accounts made by a teacher.

Plain Python over a session; ``flush()``, never ``commit()``.  No Flask.  Every read a
teacher's page makes goes through ``class_of_teacher`` (or ``member_of_class``), which gives
None for another teacher's class or a student outside the class: the views turn that into a
404, so a teacher can never reach what is not theirs.

Accounts for children without e-mail are ordinary users (``users.create_user``) named
``<prefix>-01``, ``<prefix>-02``... (the name rules of ``quizapp.names`` apply), each with a
one-time password the teacher prints; the student chooses their own at first login
(``User.must_set_password``).
"""
from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from quizapp.models import ClassMember, SchoolClass, User
from quizapp.names import NameProblem, check_name
from quizapp.users import UsernameTaken, create_user, name_in_use, set_password

# Codes and one-time passwords avoid the characters children confuse (0/O, 1/l/I).
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 7
CODE_LIFETIME = timedelta(days=14)
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
MAX_ACCOUNTS_AT_ONCE = 60
MAX_PREFIX_LENGTH = 20


class JoinProblem(enum.Enum):
    UNKNOWN = "unknown"    # no class has this code (a typo)
    EXPIRED = "expired"    # the code is old: the teacher makes a new one
    ARCHIVED = "archived"  # the class is over
    OWN_CLASS = "own"      # the teacher of the class
    ALREADY = "already"    # a member already


class JoinRefused(ValueError):
    def __init__(self, problem: JoinProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def normalise_code(raw: str) -> str:
    """What a student typed, as stored: upper case, without spaces or dashes."""
    return "".join(ch for ch in raw.upper() if ch.isalnum())[:32]


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def one_time_password() -> str:
    """Ten letters and digits in two groups (about 49 bits): easy to copy from a card."""
    letters = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(10))
    return f"{letters[:5]}-{letters[5:]}"


def create_class(session: Session, teacher: User, name: str, now: datetime) -> SchoolClass:
    school_class = SchoolClass(teacher_id=teacher.id, name=name.strip()[:80], join_code=_unused_code(session),
                               code_expires_dt=now + CODE_LIFETIME, created_dt=now)
    session.add(school_class)
    session.flush()
    return school_class


def _unused_code(session: Session) -> str:
    while True:  # 32**7 codes: a clash is rare, but the unique column would refuse one
        code = new_code()
        if session.scalar(select(SchoolClass.id).where(SchoolClass.join_code == code)) is None:
            return code


def renew_code(session: Session, school_class: SchoolClass, now: datetime) -> None:
    """A new code (the old one stops working at once), valid for CODE_LIFETIME."""
    school_class.join_code = _unused_code(session)
    school_class.code_expires_dt = now + CODE_LIFETIME
    session.flush()


def classes_of_teacher(session: Session, teacher: User) -> list[SchoolClass]:
    return list(session.scalars(select(SchoolClass).where(SchoolClass.teacher_id == teacher.id)
                                .order_by(SchoolClass.archived_dt.is_not(None), SchoolClass.created_dt.desc(),
                                          SchoolClass.id.desc())))


def class_of_teacher(session: Session, teacher: User, class_id: int) -> SchoolClass | None:
    """The class if ``teacher`` runs it; None otherwise (another teacher's, or none)."""
    return session.scalar(select(SchoolClass).where(SchoolClass.id == class_id, SchoolClass.teacher_id == teacher.id))


def member_count(session: Session, school_class: SchoolClass) -> int:
    return session.scalar(select(func.count()).select_from(ClassMember)
                          .where(ClassMember.class_id == school_class.id)) or 0


def members(session: Session, school_class: SchoolClass) -> list[User]:
    return list(session.scalars(select(User).join(ClassMember, ClassMember.user_id == User.id)
                                .where(ClassMember.class_id == school_class.id).order_by(User.username_key)))


def member_of_class(session: Session, school_class: SchoolClass, user_id: int) -> User | None:
    return session.scalar(select(User).join(ClassMember, ClassMember.user_id == User.id)
                          .where(ClassMember.class_id == school_class.id, User.id == user_id))


def join(session: Session, user: User, code: str, now: datetime) -> SchoolClass:
    """Put ``user`` in the class whose code this is.  Raises ``JoinRefused`` saying why not."""
    school_class = session.scalar(select(SchoolClass).where(SchoolClass.join_code == normalise_code(code)))
    if school_class is None:
        raise JoinRefused(JoinProblem.UNKNOWN)
    if school_class.is_archived:
        raise JoinRefused(JoinProblem.ARCHIVED)
    if now >= school_class.code_expires_dt:
        raise JoinRefused(JoinProblem.EXPIRED)
    if school_class.teacher_id == user.id:
        raise JoinRefused(JoinProblem.OWN_CLASS)
    if member_of_class(session, school_class, user.id) is not None:
        raise JoinRefused(JoinProblem.ALREADY)
    session.add(ClassMember(class_id=school_class.id, user_id=user.id, joined_dt=now))
    session.flush()
    return school_class


def classes_of_student(session: Session, user: User) -> list[SchoolClass]:
    return list(session.scalars(select(SchoolClass).join(ClassMember, ClassMember.class_id == SchoolClass.id)
                                .where(ClassMember.user_id == user.id, SchoolClass.archived_dt.is_(None))
                                .order_by(SchoolClass.name)))


@dataclass(frozen=True)
class Card:
    """What one printed card says: the name and the one-time password (shown only once)."""

    username: str
    password: str


def check_prefix(prefix: str) -> NameProblem | None:
    """A prefix is acceptable when ``<prefix>-01`` is an acceptable name."""
    if not prefix.strip() or len(prefix.strip()) > MAX_PREFIX_LENGTH:
        return NameProblem.TOO_LONG if prefix.strip() else NameProblem.TOO_SHORT
    checked = check_name(f"{prefix.strip()}-01")
    return checked if isinstance(checked, NameProblem) else None


def make_accounts(session: Session, teacher: User, school_class: SchoolClass, prefix: str, count: int,
                  now: datetime) -> list[Card]:
    """``count`` new student accounts in the class, named ``<prefix>-NN`` with the first free
    numbers, each with a one-time password.  The caller has checked the prefix."""
    if not 1 <= count <= MAX_ACCOUNTS_AT_ONCE:
        raise ValueError(f"between 1 and {MAX_ACCOUNTS_AT_ONCE} accounts at once")
    prefix = prefix.strip()
    cards: list[Card] = []
    number = 0
    while len(cards) < count:
        number += 1
        name = f"{prefix}-{number:02d}"
        checked = check_name(name)
        if isinstance(checked, NameProblem):
            raise ValueError(f"{name!r}: {checked.value}")
        if name_in_use(session, checked):
            continue
        password = one_time_password()
        try:
            user = create_user(session, name, password, now, locale=teacher.locale)
        except UsernameTaken:  # made by someone else a moment ago
            continue
        user.must_set_password = True
        user.created_by_id = teacher.id
        session.add(ClassMember(class_id=school_class.id, user_id=user.id, joined_dt=now))
        cards.append(Card(user.username, password))
    session.flush()
    return cards


def may_reset_password(teacher: User, student: User) -> bool:
    """Only the teacher who made an account resets its password: a student who registered
    alone owns theirs, and joining a class does not hand it to the teacher."""
    return student.created_by_id == teacher.id


def reset_password(student: User) -> Card:
    """A new one-time password; every session of the student ends."""
    password = one_time_password()
    set_password(student, password)
    student.must_set_password = True
    student.end_all_sessions()
    return Card(student.username, password)


def remove_member(session: Session, school_class: SchoolClass, student: User) -> None:
    """Out of the class; the account and its attempts stay (the reports keep them)."""
    session.execute(delete(ClassMember).where(ClassMember.class_id == school_class.id,
                                              ClassMember.user_id == student.id))
    session.flush()


def archive(school_class: SchoolClass, now: datetime) -> None:
    if school_class.archived_dt is None:
        school_class.archived_dt = now


def choose_password(student: User, password: str) -> None:
    """The student's own password replaces the one-time one (the caller judged it)."""
    set_password(student, password)
    student.must_set_password = False


__all__ = ["CODE_LIFETIME", "Card", "JoinProblem", "JoinRefused", "MAX_ACCOUNTS_AT_ONCE", "archive",
           "check_prefix", "choose_password", "class_of_teacher", "classes_of_student", "classes_of_teacher",
           "create_class", "join", "make_accounts", "may_reset_password", "member_count", "member_of_class",
           "members", "normalise_code", "one_time_password", "remove_member", "renew_code", "reset_password"]
