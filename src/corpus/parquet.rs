//! Parquet input: read with the `parquet` crate's Arrow reader, row group by row group in
//! batches of [`TABLE_BATCH_ROWS`] rows, projected to the columns a document needs (see the
//! `table` module), so memory holds one batch of those columns, not the file.
//!
//! Arrow values become JSON values as a JSONL line would hold them: strings (plain, large,
//! view, or dictionary-encoded), integers, floats, booleans, dates and timestamps (ISO 8601
//! text, `2024-05-01` and `2024-05-01T12:30:00`), structs as objects (so a dotted
//! `--text-field meta.body` reaches a nested column); other types (lists, binary, ...) are
//! left out of the record. A null is absent.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{Array, ArrayRef, RecordBatch, StructArray};
use arrow_schema::{DataType, Fields, TimeUnit};
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::arrow::ProjectionMask;
use rayon::prelude::*;
use serde_json::{Map, Value};

use super::record::text_fields;
use super::table::{missing_text_column, wanted_columns, Row, TABLE_BATCH_ROWS};
use super::ReadOptions;
use crate::error::{Error, Result};

/// The error for a Parquet file that cannot be read, keeping the reader's error as the source.
pub(crate) fn parquet_error(
    path: &Path,
    what: &str,
    e: impl std::error::Error + Send + Sync + 'static,
) -> Error {
    Error::BadTable {
        path: path.to_path_buf(),
        problem: format!("{what} (is it a complete Parquet file? check it with `parquet-tools inspect` or pyarrow)"),
        source: Some(Box::new(e)),
    }
}

/// Opens `path` and reads its footer (schema, row groups), ready to choose columns and read.
pub(crate) fn open(path: &Path) -> Result<ParquetRecordBatchReaderBuilder<File>> {
    let file = File::open(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| parquet_error(path, "cannot read the Parquet footer", e))
}

/// The rows of a Parquet file, in batches, with only the wanted columns read.
pub(crate) fn rows(
    path: &Path,
    opts: &ReadOptions,
    f: &mut dyn FnMut(Vec<Row>) -> Result<()>,
) -> Result<()> {
    let builder = open(path)?;
    let schema = builder.schema().clone();
    let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    for name in text_fields(opts) {
        match resolve(schema.fields(), name) {
            None => return Err(missing_text_column(path, name, &names)),
            Some((_, leaf)) if !is_string(leaf) => {
                return Err(Error::BadTable {
                    path: path.to_path_buf(),
                    problem: format!("column {name:?} holds {leaf}, not text; use --text-field to name a string column"),
                    source: None,
                })
            }
            Some(_) => {}
        }
    }
    let mut roots: Vec<usize> = wanted_columns(opts)
        .into_iter()
        .filter_map(|name| resolve(schema.fields(), name).map(|(root, _)| root))
        .collect();
    roots.sort_unstable();
    roots.dedup();
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
    let reader = builder
        .with_projection(mask)
        .with_batch_size(TABLE_BATCH_ROWS)
        .build()
        .map_err(|e| parquet_error(path, "cannot read the Parquet file", e))?;
    let mut next_row = 1u64;
    for_each_batch(path, reader, |batch| {
        let first = next_row;
        next_row += batch.num_rows() as u64;
        let columns: Vec<(String, ArrayRef)> = batch
            .schema()
            .fields()
            .iter()
            .zip(batch.columns())
            .map(|(field, col)| (field.name().clone(), plain(col)))
            .collect();
        let rows: Vec<Row> = (0..batch.num_rows())
            .into_par_iter()
            .map(|i| {
                let mut obj = Map::new();
                for (name, col) in &columns {
                    let value = cell(col.as_ref(), i);
                    if !value.is_null() {
                        obj.insert(name.clone(), value);
                    }
                }
                (first + i as u64, Ok(obj))
            })
            .collect();
        f(rows)
    })
}

/// Runs `f` on every batch of `reader`; a decoding error names the rows it stopped at.
pub(crate) fn for_each_batch(
    path: &Path,
    reader: ParquetRecordBatchReader,
    mut f: impl FnMut(RecordBatch) -> Result<()>,
) -> Result<()> {
    let mut read = 0u64;
    for batch in reader {
        let batch = batch.map_err(|e| {
            parquet_error(path, &format!("cannot decode the rows after row {read}"), e)
        })?;
        read += batch.num_rows() as u64;
        f(batch)?;
    }
    Ok(())
}

/// The root column index and the leaf type of a column name: the root column so named, else
/// a dotted path through struct columns (`meta.body`).
fn resolve<'a>(fields: &'a Fields, name: &str) -> Option<(usize, &'a DataType)> {
    if let Some((i, field)) = fields.find(name) {
        return Some((i, field.data_type()));
    }
    let (head, rest) = name.split_once('.')?;
    let (i, field) = fields.find(head)?;
    let mut ty = field.data_type();
    let mut rest = rest;
    loop {
        let DataType::Struct(children) = ty else {
            return None;
        };
        if let Some((_, child)) = children.find(rest) {
            return Some((i, child.data_type()));
        }
        let (head, tail) = rest.split_once('.')?;
        ty = children.find(head)?.1.data_type();
        rest = tail;
    }
}

/// True for the string types (and dictionaries of them).
fn is_string(ty: &DataType) -> bool {
    match ty {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(_, values) => is_string(values),
        _ => false,
    }
}

/// A column with its dictionary encodings (at the top or in struct fields) decoded to plain
/// values, once per batch, so reading a cell does not search the keys.
fn plain(col: &ArrayRef) -> ArrayRef {
    if let Some(dict) = col.as_any_dictionary_opt() {
        if let Ok(values) = arrow_select::take::take(dict.values().as_ref(), dict.keys(), None) {
            return values;
        }
    }
    if let Some(s) = col.as_struct_opt() {
        let children: Vec<ArrayRef> = s.columns().iter().map(plain).collect();
        let fields: Fields = s
            .fields()
            .iter()
            .zip(&children)
            .map(|(f, c)| Arc::new(f.as_ref().clone().with_data_type(c.data_type().clone())))
            .collect();
        if let Ok(plain) = StructArray::try_new(fields, children, s.nulls().cloned()) {
            return Arc::new(plain);
        }
    }
    Arc::clone(col)
}

/// One cell as a JSON value (`Null` for nulls and types a record does not use).
fn cell(array: &dyn Array, i: usize) -> Value {
    if array.is_null(i) {
        return Value::Null;
    }
    macro_rules! num {
        ($t:ty) => {
            Value::from(array.as_primitive::<$t>().value(i))
        };
    }
    let float = |v: f64| serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number);
    let iso = |t: Option<String>| t.map_or(Value::Null, Value::String);
    const ISO: &str = "%Y-%m-%dT%H:%M:%S%.f";
    match array.data_type() {
        DataType::Utf8 => Value::from(array.as_string::<i32>().value(i)),
        DataType::LargeUtf8 => Value::from(array.as_string::<i64>().value(i)),
        DataType::Utf8View => Value::from(array.as_string_view().value(i)),
        DataType::Boolean => Value::from(array.as_boolean().value(i)),
        DataType::Int8 => num!(Int8Type),
        DataType::Int16 => num!(Int16Type),
        DataType::Int32 => num!(Int32Type),
        DataType::Int64 => num!(Int64Type),
        DataType::UInt8 => num!(UInt8Type),
        DataType::UInt16 => num!(UInt16Type),
        DataType::UInt32 => num!(UInt32Type),
        DataType::UInt64 => num!(UInt64Type),
        DataType::Float32 => float(array.as_primitive::<Float32Type>().value(i).into()),
        DataType::Float64 => float(array.as_primitive::<Float64Type>().value(i)),
        DataType::Date32 => iso(array
            .as_primitive::<Date32Type>()
            .value_as_date(i)
            .map(|d| d.to_string())),
        DataType::Date64 => iso(array
            .as_primitive::<Date64Type>()
            .value_as_date(i)
            .map(|d| d.to_string())),
        DataType::Timestamp(unit, _) => {
            let t = match unit {
                TimeUnit::Second => array
                    .as_primitive::<TimestampSecondType>()
                    .value_as_datetime(i),
                TimeUnit::Millisecond => array
                    .as_primitive::<TimestampMillisecondType>()
                    .value_as_datetime(i),
                TimeUnit::Microsecond => array
                    .as_primitive::<TimestampMicrosecondType>()
                    .value_as_datetime(i),
                TimeUnit::Nanosecond => array
                    .as_primitive::<TimestampNanosecondType>()
                    .value_as_datetime(i),
            };
            iso(t.map(|t| t.format(ISO).to_string()))
        }
        DataType::Struct(_) => {
            let s = array.as_struct();
            let mut obj = Map::new();
            for (field, col) in s.fields().iter().zip(s.columns()) {
                let value = cell(col.as_ref(), i);
                if !value.is_null() {
                    obj.insert(field.name().clone(), value);
                }
            }
            Value::Object(obj)
        }
        _ => Value::Null,
    }
}
