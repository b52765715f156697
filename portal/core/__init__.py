"""What every domain package uses: the clock, formatting, forms, refusals, mail, errors. It
imports no domain package."""
