"""Concierge in Slack: mentions, direct messages, threads, a slash command, buttons, App Home."""
