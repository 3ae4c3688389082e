"""One module per site: its parser, usually only selectors over the base parser."""
