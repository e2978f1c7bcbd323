"""The contract model: an OpenAPI document plus its validated ``x-revocation`` extension."""
