"""The terminal chat: the same conversation as in Slack, rendered with rich."""
