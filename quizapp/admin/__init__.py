"""Administration: ``/admin/users`` (list, search, hide from or show on the leaderboards) and
the operators' commands ``leaderboard rebuild`` and ``bench seed`` (``cli``)."""
