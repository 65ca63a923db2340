"""Catalogue: the province's twelve key databases (data) and where each stands (from the store)."""

from lamsach.catalogue.grouping import DatabaseGroup, DatasetScore, group_by_database
from lamsach.catalogue.key_databases import (
    PROVABLE,
    STAGES,
    KeyDatabase,
    KeyDatabaseCatalogue,
    load_key_databases,
    stage_index,
)
from lamsach.catalogue.status import (
    OUTLOOKS,
    DatabaseStatus,
    DatasetFigures,
    ProvinceDatabases,
    database_statuses,
)
from lamsach.catalogue.wording import database_words

__all__ = ["OUTLOOKS", "PROVABLE", "STAGES", "DatabaseGroup", "DatabaseStatus", "DatasetFigures", "DatasetScore",
           "KeyDatabase", "KeyDatabaseCatalogue", "ProvinceDatabases", "database_statuses", "database_words",
           "group_by_database", "load_key_databases", "stage_index"]
