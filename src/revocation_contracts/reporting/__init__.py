"""What the user reads: masking of secrets, the conformance report, vendor baselines."""
