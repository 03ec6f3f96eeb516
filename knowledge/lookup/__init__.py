"""Find a customer from whatever staff have: a name, a phone, an e-mail, a VIN, a plate, an RO.

``search(session, query, dealer_ids=…, limit=…, region=…)`` is the one entry point; the
keys it relies on are maintained by ``knowledge.lookup.keys``.
"""

from knowledge.lookup.search import search
from knowledge.lookup.types import Candidate, SearchResult

__all__ = ["Candidate", "SearchResult", "search"]
