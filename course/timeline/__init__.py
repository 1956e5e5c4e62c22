"""The timeline model: events and eras by track, filters, search, layout and description (no widgets)."""
