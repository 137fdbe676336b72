"""Senders of scheduled messages, one per channel, used by the outbox dispatcher."""
