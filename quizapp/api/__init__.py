"""The JSON API at ``/api/v1``: thin views over the same services as the HTML pages.

``views`` holds the routes, ``auth`` the bearer-token / session authentication (and the
CSRF rule that goes with it), ``present`` the JSON forms of attempts, questions and boards,
``openapi`` the document describing them all.  Errors are answered in the one JSON shape by
``quizapp/errors.py``, which answers anything under ``/api/`` in JSON.
"""
