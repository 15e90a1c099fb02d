"""Date and time formats where Django's own read wrongly to the portal's readers."""
