"""A teacher's pages: classes, their members and accounts, assignments and their reports."""
