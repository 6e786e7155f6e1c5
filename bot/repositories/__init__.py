"""Repositories: one per aggregate, each over an ``AsyncSession`` the caller's service owns."""
