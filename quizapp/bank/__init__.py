"""The question bank: YAML files in ``questions/`` -> validated data -> database revisions."""
