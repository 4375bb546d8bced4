"""The shop builder's GraphQL: pages and revisions (merchant), rendering (shopPage), components, templates, themes."""
