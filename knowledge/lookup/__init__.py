"""Find a customer from whatever staff have: a name, a phone, an e-mail, a VIN, a plate, an RO."""
