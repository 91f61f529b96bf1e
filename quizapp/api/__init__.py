"""The JSON API at ``/api/v1``: thin views over the same services as the HTML pages.

``views`` holds the routes, ``auth`` the bearer-token / session authentication (and the
CSRF rule that goes with it), ``errors`` the one JSON error shape, ``present`` the JSON
forms of attempts, questions and boards, ``openapi`` the document describing them all.
"""
