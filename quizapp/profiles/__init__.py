"""Player profiles: ``/users/<username>`` (public) and ``/profile`` (one's own, with settings).

``stats`` computes what the page shows without Flask; ``views`` and ``forms`` are the web side."""
