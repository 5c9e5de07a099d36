"""One module per screen; each screen gets its data from `journal.tui.data` in a worker."""
