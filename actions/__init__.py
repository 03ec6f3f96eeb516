"""One handler per intent, the dialogue that routes to them, and the NLU client."""
