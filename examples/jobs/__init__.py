"""Batch jobs that use the app's database outside FastAPI: resource lifetime, right and wrong."""
