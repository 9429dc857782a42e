"""Routers of the task API."""
