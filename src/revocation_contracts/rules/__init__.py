"""The rules engine: what a conforming answer is, and the adapters that apply it to schemathesis."""
