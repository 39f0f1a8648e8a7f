"""Slack adapter: slash commands and buttons over HTTP or Socket Mode, via slack-bolt."""
