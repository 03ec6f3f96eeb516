"""Identity resolution: join the dealer's source systems into one golden customer per person.

Import export files (``import_file``), match one record against the store
(``match_person`` / ``resolve_person``), review and undo (``merge_customers``,
``undo_merge``, ``split_records``), and export the links (``export_links``).
"""

from knowledge.identity.cluster import DEFAULT_MAX_CLUSTER_SIZE, MatchConfig
from knowledge.identity.compare import MERGE_THRESHOLD, REVIEW_THRESHOLD, Comparison, compare
from knowledge.identity.importer import ImportReport, import_file
from knowledge.identity.incremental import (
    MatchResult,
    match_person,
    person_from_fields,
    resolve_person,
)
from knowledge.identity.indexing import index_unindexed_customers
from knowledge.identity.links import export_links
from knowledge.identity.mapping import SourceMapping, available_sources, load_mapping
from knowledge.identity.records import PersonRecord
from knowledge.identity.review import (
    MergeResult,
    ReviewItem,
    customer_records,
    dismiss_review,
    list_reviews,
    merge_customers,
    merge_review,
    split_records,
    undo_merge,
)

__all__ = [
    "DEFAULT_MAX_CLUSTER_SIZE",
    "MERGE_THRESHOLD",
    "REVIEW_THRESHOLD",
    "Comparison",
    "ImportReport",
    "MatchConfig",
    "MatchResult",
    "MergeResult",
    "PersonRecord",
    "ReviewItem",
    "SourceMapping",
    "available_sources",
    "compare",
    "customer_records",
    "dismiss_review",
    "export_links",
    "import_file",
    "index_unindexed_customers",
    "list_reviews",
    "load_mapping",
    "match_person",
    "merge_customers",
    "merge_review",
    "person_from_fields",
    "resolve_person",
    "split_records",
    "undo_merge",
]
