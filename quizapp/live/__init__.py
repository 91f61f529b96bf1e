"""Live games (docs/live.md): the rules (``rules``), the state machine (``games``), what each
side is sent (``messages``).  Plain Python over a SQLAlchemy session: no Flask here; the
transport is ``quizapp.live_socket`` and the pages are ``quizapp.live_pages``."""
