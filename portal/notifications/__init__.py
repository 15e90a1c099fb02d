"""The inbox, e-mail and per-kind opt-out that every app sends its notices through."""
