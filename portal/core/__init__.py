"""What every domain package uses: policy, formatting, mail, errors, CLI."""
