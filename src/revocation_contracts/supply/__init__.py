"""Token supply: where live tokens come from and how the suite asks whether one still works."""
