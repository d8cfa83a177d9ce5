"""The independent reader of the Iceberg archive (IcebergPyicebergReadTest): pyiceberg's SQL catalog on the
JDBC catalog's tables that partition-keeper wrote, no partition-keeper code.

usage: read_table.py SQLALCHEMY_URL NAMESPACE TABLE KEY FROM TO
prints one JSON object: the whole table's row count, per-column non-null counts and sums (integers and
decimals, as exact strings), each column's Arrow type, the distinct values of the string columns named
*__pg_text (partition-keeper's companions of values a column's Iceberg type cannot hold), the table's schema,
and for the scan filtered to FROM <= KEY < TO the rows and the data files pyiceberg's partition pruning
planned.
"""
import json
import sys

import pyarrow.compute as pc
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.expressions import And, GreaterThanOrEqual, LessThan


def main():
    url, namespace, name, key, start, end = sys.argv[1:7]
    catalog = SqlCatalog("partition_keeper", uri=url)
    table = catalog.load_table((namespace, name))
    whole = table.scan().to_arrow()
    sums = {}
    counts = {}
    types = {}
    pg_text = {}
    for field in whole.schema:
        col = whole.column(field.name)
        counts[field.name] = col.length() - col.null_count
        t = str(field.type)
        types[field.name] = t
        if field.name.endswith("__pg_text"):
            pg_text[field.name] = sorted({v for v in col.to_pylist() if v is not None})
        if t.startswith("int") or t.startswith("decimal"):
            s = pc.sum(col).as_py()
            sums[field.name] = None if s is None else str(s)
    scan = table.scan(row_filter=And(GreaterThanOrEqual(key, start), LessThan(key, end)))
    files = [task.file.file_path for task in scan.plan_files()]
    pruned = scan.to_arrow()
    print(json.dumps({
        "rows": whole.num_rows,
        "counts": counts,
        "sums": sums,
        "types": types,
        "pg_text": pg_text,
        "columns": [f.name for f in table.schema().fields],
        "snapshots": len(table.snapshots()),
        "spec": str(table.spec()),
        "pruned_rows": pruned.num_rows,
        "pruned_files": files,
    }))


if __name__ == "__main__":
    main()
