"""HTTP to the target: the documented request, the gentle session, reproduction commands."""
