"""A small FastAPI + SQLAlchemy-async service used to demonstrate mypy-async-resources."""
