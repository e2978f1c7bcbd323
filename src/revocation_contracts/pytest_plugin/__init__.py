"""The pytest plugin: options, session state, preflight and dry run; inert unless asked."""
