"""The account page: time accommodation (WCAG 2.2.1) and personal API tokens."""
