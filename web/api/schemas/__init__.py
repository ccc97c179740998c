"""marshmallow 4 schemas for every request body and response of the API (and so its OpenAPI document)."""
