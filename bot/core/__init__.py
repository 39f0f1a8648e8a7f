"""The platform-neutral heart of studybot: values, the command registry and the dispatcher.

Nothing in this package may import a chat platform SDK, a web framework or the scheduler library;
`tests/test_architecture.py` enforces it.
"""
