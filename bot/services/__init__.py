"""Services: they own transactions and hold the product's rules."""
