"""Bot actions: one module per action, each a class with a name and one run."""
