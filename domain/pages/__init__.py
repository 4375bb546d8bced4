"""The shop builder (智能建站): page documents, the component registry, revisions, templates and themes. Pure."""
