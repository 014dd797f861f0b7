"""The private journal: entries, search and filters, inline edit, trash, stats."""
