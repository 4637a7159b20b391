from typing import Optional

from pyspark.sql import DataFrame

from . import Config

def connected_components(edges: DataFrame, max_rounds: int = 64) -> DataFrame: ...
def dedup(
    df: DataFrame,
    text_col: str = "text",
    id_col: str = "id",
    threshold: Optional[float] = None,
    config: Optional[Config] = None,
    keep: str = "first",
    order_col: Optional[str] = None,
    published_col: Optional[str] = None,
) -> DataFrame: ...
def duplicate_pairs(
    df: DataFrame,
    text_col: str = "text",
    id_col: str = "id",
    threshold: Optional[float] = None,
    config: Optional[Config] = None,
    order_col: Optional[str] = None,
) -> DataFrame: ...
def write_dedup(
    df: DataFrame,
    path: str,
    format: str = "parquet",
    removed_path: Optional[str] = None,
    pairs_path: Optional[str] = None,
    *,
    text_col: str = "text",
    id_col: str = "id",
    threshold: Optional[float] = None,
    config: Optional[Config] = None,
    keep: str = "first",
    order_col: Optional[str] = None,
    published_col: Optional[str] = None,
) -> None: ...

PAIR_SCHEMA: str

class ScanResult:
    pairs: DataFrame
    families: DataFrame
    def __init__(self, pairs: DataFrame, families: DataFrame) -> None: ...

def scan(
    df: DataFrame,
    text_col: str = "text",
    id_col: str = "id",
    config: Optional[Config] = None,
    threshold: Optional[float] = None,
) -> ScanResult: ...
def spark_zip(ordered: DataFrame) -> DataFrame: ...
