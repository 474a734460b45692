"""Setting a provider up in the window: the first-start wizard, care homes, the staff list and
its import. May import the services, the shell (context, ui_state) and ui.widgets."""
