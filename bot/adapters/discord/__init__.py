"""Discord adapter: application commands, embeds and persistent buttons, via discord.py."""
