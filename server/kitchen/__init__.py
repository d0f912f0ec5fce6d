"""The kitchen state every tablet of a merchant shares: stock and 86, line bumps, busy mode, hours."""
