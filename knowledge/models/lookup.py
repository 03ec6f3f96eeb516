"""Derived keys that make customer lookup an index seek instead of a scan.

Nothing here is a source of truth: every row is recomputed from the customer's names and
phones by ``knowledge.lookup.keys`` and can be rebuilt at any time.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from knowledge.models.base import Base
from knowledge.models.vehicle import Vehicle

# Keys are folded tokens or pairs of them; a longer "name" is not something anyone types.
KEY_LENGTH = 64
# Where the last six characters of a VIN start (positions 12–17: the serial number).
VIN_TAIL_START = 12


class CustomerSearchKey(Base):
    """One searchable key of a customer.

    ``kind`` is ``n1`` (one name token), ``n2`` (two name tokens, sorted, space-joined — so
    "Anna Müller" and "Müller, Anna" meet in one seek) or ``p`` (a phone's national number,
    so a number typed without its country code still finds the customer).
    """

    __tablename__ = "customer_search_key"
    __table_args__ = (
        Index("ix_customer_search_key_lookup", "kind", "key", "customer_id"),
        {"sqlite_with_rowid": False},
    )

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(2), primary_key=True)
    key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)


class SearchTerm(Base):
    """A name token that occurs in the store, with its phonetic code and how many have it."""

    __tablename__ = "search_term"

    term: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    phonetic: Mapped[str] = mapped_column(String(KEY_LENGTH), index=True)
    freq: Mapped[int] = mapped_column(Integer, default=0)


class SearchTermVariant(Base):
    """A term with one letter deleted (and the term itself): typo tolerance by index seek.

    Two words whose one-deletion variants meet are at most one substitution, insertion,
    deletion or adjacent swap apart.
    """

    __tablename__ = "search_term_variant"
    __table_args__ = ({"sqlite_with_rowid": False},)

    variant: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    term: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)


# Partial VINs are typed as their last characters; an index on the serial part makes that a
# seek on both backends (SQLite and PostgreSQL both index expressions).
vehicle_vin_tail_index = Index(
    "ix_vehicle_vin_tail", func.substr(Vehicle.__table__.c.vin, VIN_TAIL_START)
)
