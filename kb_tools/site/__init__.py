"""The site: the MkDocs plugin, product landing pages, onboarding-path pages and the desk's assets."""
