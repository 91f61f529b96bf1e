"""Player profiles: ``/users/<username>`` (private unless the player shares it with signed-in players) and ``/profile`` (one's own, with settings).

``stats`` computes what the page shows without Flask; ``views`` and ``forms`` are the web side."""
