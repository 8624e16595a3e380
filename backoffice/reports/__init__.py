"""The business reports; importing a report's module registers it (menu order is this order)."""
