"""The ``live`` blueprint: hosting a live game, joining one, playing it, its results."""
