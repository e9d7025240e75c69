"""Who may sign in and what they may open: staff roles, throttled sign-in."""
