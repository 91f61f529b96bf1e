"""A student's side of classes: joining with a code, choosing a password, doing assignments."""
