"""The content model: front matter, metadata, rendering, the outline of sections and steps,
the one Article/Collection model, onboarding paths, the glossary, and kb check's rules."""
