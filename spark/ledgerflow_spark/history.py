"""``gold.policies_history``: every version of every policy, as a slowly changing
dimension of type 2, rebuilt from ``raw.policies``.

Built from raw rather than curated because curated keeps only the newest version. A
full rebuild orders each policy's versions afresh, so a late version older than the ones
already seen lands in its place in the history, and the intervals around it are cut
where it belongs. The order is the merge's (``transforms.version_order``: event time,
then Kafka position, then event id), so history and curated never disagree about which
version is newest.

- ``valid_from``: the version's event time; ``valid_to``: the next version's event time
  (exclusive), or null for the last one.
- A delete ends the version before it (``valid_to`` = the delete's event time) and adds
  no row; an upsert after a delete opens a new version.
- ``is_current``: the last version of a policy that is not deleted.
- The same event delivered twice (the same ``event_id``) is one version.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.window import Window

from .contracts import SourceContract
from .transforms import raw_to_curated, version_order

# Columns of raw_to_curated that describe one run of a job, not a version.
_RUN_COLUMNS = ("_merge_run_id", "_merged_at", "_landing_key", "_ingest_batch_id")


def history_of(raw: DataFrame, contract: SourceContract) -> DataFrame:
    """The type-2 history of one source's entities from its raw rows (pure)."""
    key = contract.business_key
    versions = raw_to_curated(raw, contract, [], "history").drop(*_RUN_COLUMNS)
    first_delivery = Window.partitionBy("_event_id").orderBy(*version_order())
    versions = versions.withColumn("_delivery", F.when(F.col("_event_id") == "", 1).otherwise(F.row_number().over(first_delivery)))
    versions = versions.where(F.col("_delivery") == 1).drop("_delivery")
    in_order = Window.partitionBy(key).orderBy(*version_order())
    versions = versions.withColumn("valid_to", F.lead("_event_time").over(in_order))
    live = versions.where(~F.col("_is_deleted"))
    fields = [f.name for f in contract.fields]
    return live.select(
        *fields,
        F.col("_event_time").alias("valid_from"),
        "valid_to",
        F.col("valid_to").isNull().alias("is_current"),
        F.row_number().over(Window.partitionBy(key).orderBy(*version_order())).alias("version"),
        F.col("_event_id").alias("event_id"),
        F.col("_kafka_topic").alias("kafka_topic"),
        F.col("_kafka_partition").alias("kafka_partition"),
        F.col("_kafka_offset").alias("kafka_offset"),
    )
