"""Shared building blocks: each exists once and every feature uses it."""
