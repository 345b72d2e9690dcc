"""What every service's web pages share: sign-in sessions, the base layout and its assets, and
the offline API documentation."""
