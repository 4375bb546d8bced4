"""Use cases of the shop builder: saving, publishing and rendering pages, templates and themes."""
