"""The national dashboard's pages (issue 21): Jinja2 templates over the shared layout, data from
the same view functions the API answers with, in the signed-in credential's scope."""
