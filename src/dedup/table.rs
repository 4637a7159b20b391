//! Pass 3 of [`super::jsonl`] for tables: the kept and removed records of a CSV/TSV or Parquet
//! input written in the format read.
//!
//! - CSV/TSV: the header and the kept records, field for field (quoting may be normalized), to
//!   the kept output; the removed records with three columns appended, `stemma_duplicate_of`,
//!   `stemma_relation` and `stemma_jaccard`.
//! - Parquet: the kept rows with the input's schema and compression (row groups of at most the
//!   input's first row group's size); the removed rows with a struct column `stemma`
//!   (`duplicate_of`, `relation`, `jaccard`) appended, as JSONL gets a `"stemma"` key.
//!
//! Records are told apart by their number ([`crate::corpus::At::line`]), as pass 1 numbered
//! them; numbers pass 1 did not keep (bad records under `--skip-bad`, repeated ids under
//! `--on-duplicate-id keep-first`) are left out of both outputs, as for JSONL.

use std::io::{self, Write};
use std::path::Path;

use crate::corpus::table::{csv_error, open_csv};
use crate::corpus::RecordFormat;
use crate::pipeline::Progress;
use crate::report::round4;

/// Column names added to removed CSV records.
pub const CSV_NOTE_COLUMNS: [&str; 3] =
    ["stemma_duplicate_of", "stemma_relation", "stemma_jaccard"];

/// What becomes of one record.
pub(crate) enum Fate<'a> {
    /// Not a record pass 1 kept for deciding.
    Skip,
    /// Written to the kept output.
    Keep,
    /// Written to the removed output, as a duplicate of the record with this id.
    Remove { of: &'a str, jaccard: f64 },
}

/// Walks the records in input order, telling the fate of each by its number.
pub(crate) struct Fates<'a> {
    /// The number of each record pass 1 kept, in order.
    pub lines: &'a [u64],
    pub duplicate_of: &'a [Option<(usize, f64)>],
    pub ids: &'a [String],
    /// Index of the next record of `lines`.
    pub next: usize,
}

impl<'a> Fates<'a> {
    pub(crate) fn of(&mut self, number: u64) -> Fate<'a> {
        if self.lines.get(self.next) != Some(&number) {
            return Fate::Skip;
        }
        let i = self.next;
        self.next += 1;
        match self.duplicate_of.get(i).copied().flatten() {
            None => Fate::Keep,
            Some((k, jaccard)) => Fate::Remove {
                of: &self.ids[k],
                jaccard,
            },
        }
    }
}

/// The relation named in a removed record's note.
pub(crate) fn relation(jaccard: f64) -> &'static str {
    if jaccard >= 1.0 {
        "duplicate"
    } else {
        "near-duplicate"
    }
}

/// Writes the kept records of a CSV/TSV input to `kept` and the removed ones to `removed`.
/// Returns the number kept. An error reading the input comes wrapped (`io::Error::other`), so
/// [`crate::output::write_atomic`] passes it on as it is; a write error names the output.
pub(crate) fn copy_csv(
    input: &Path,
    format: RecordFormat,
    fates: &mut Fates<'_>,
    kept: &mut dyn Write,
    removed: Option<&mut dyn Write>,
    progress: &dyn Progress,
) -> io::Result<usize> {
    let (mut reader, header, compression) = open_csv(input, format).map_err(io::Error::other)?;
    let builder = || {
        let mut b = csv::WriterBuilder::new();
        b.delimiter(format.delimiter());
        b
    };
    let mut kept_w = builder().from_writer(kept);
    kept_w.write_byte_record(&header).map_err(write_error)?;
    let mut removed_w = match removed {
        Some(w) => {
            let mut w = builder().from_writer(w);
            let mut head = header.clone();
            for name in CSV_NOTE_COLUMNS {
                head.push_field(name.as_bytes());
            }
            w.write_byte_record(&head).map_err(write_error)?;
            Some(w)
        }
        None => None,
    };
    let mut record = csv::ByteRecord::new();
    let mut count = 0usize;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            // A record of the wrong width was a bad record in pass 1 too: left out.
            Err(e) if matches!(e.kind(), csv::ErrorKind::UnequalLengths { .. }) => continue,
            Err(e) => return Err(io::Error::other(csv_error(input, compression, e))),
        }
        let number = record.position().map_or(0, |p| p.line());
        match fates.of(number) {
            Fate::Skip => continue,
            Fate::Keep => {
                count += 1;
                kept_w.write_byte_record(&record).map_err(write_error)?;
            }
            Fate::Remove { of, jaccard } => {
                if let Some(w) = removed_w.as_mut() {
                    let mut row = record.clone();
                    row.push_field(of.as_bytes());
                    row.push_field(relation(jaccard).as_bytes());
                    row.push_field(round4(jaccard).to_string().as_bytes());
                    w.write_byte_record(&row).map_err(write_error)?;
                }
            }
        }
        if fates.next % 4096 == 0 {
            progress.advance(4096);
        }
    }
    kept_w.flush()?;
    if let Some(mut w) = removed_w {
        w.flush()?;
    }
    progress.advance((fates.next % 4096) as u64);
    Ok(count)
}

/// A write error, for [`crate::output::write_atomic`] to report naming the output.
fn write_error(e: csv::Error) -> io::Error {
    e.into()
}

#[cfg(feature = "parquet")]
pub(crate) use self::parquet_out::copy_parquet;

#[cfg(feature = "parquet")]
mod parquet_out {
    use std::io::{self, Write};
    use std::path::Path;
    use std::sync::Arc;

    use arrow_array::{
        ArrayRef, BooleanArray, Float64Array, RecordBatch, StringArray, StructArray,
    };
    use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef};
    use parquet::arrow::ArrowWriter;
    use parquet::file::properties::WriterProperties;

    use super::{relation, Fate, Fates};
    use crate::corpus::parquet::{for_each_batch, open, parquet_error};
    use crate::error::Error;
    use crate::pipeline::Progress;
    use crate::report::round4;

    /// Rows decoded at a time while copying.
    const COPY_BATCH_ROWS: usize = 8192;
    /// A row group being written is closed once it holds about this many bytes in memory.
    const MAX_BUFFERED: usize = 64 << 20;

    /// An Arrow writer that hands its bytes to `out` as row groups are closed, so memory holds
    /// one row group (the writer wants an owned, `Send` sink; `out` is a borrowed stream).
    struct Sink<'a> {
        writer: ArrowWriter<Vec<u8>>,
        out: &'a mut dyn Write,
    }

    impl<'a> Sink<'a> {
        fn new(
            schema: SchemaRef,
            props: WriterProperties,
            out: &'a mut dyn Write,
        ) -> io::Result<Self> {
            let writer =
                ArrowWriter::try_new(Vec::new(), schema, Some(props)).map_err(io::Error::other)?;
            Ok(Sink { writer, out })
        }

        fn write(&mut self, batch: &RecordBatch) -> io::Result<()> {
            if batch.num_rows() == 0 {
                return Ok(());
            }
            self.writer.write(batch).map_err(io::Error::other)?;
            if self.writer.in_progress_size() > MAX_BUFFERED {
                self.writer.flush().map_err(io::Error::other)?;
            }
            // Only the bytes of closed row groups are moved out; the writer counts offsets
            // itself, so taking them from its buffer does not disturb the file's layout.
            let bytes = std::mem::take(self.writer.inner_mut());
            self.out.write_all(&bytes)
        }

        fn finish(self) -> io::Result<()> {
            let bytes = self.writer.into_inner().map_err(io::Error::other)?;
            self.out.write_all(&bytes)
        }
    }

    /// Writes the kept rows of a Parquet input to `kept` and the removed ones to `removed`
    /// (with a `stemma` struct column). Returns the number kept. Errors as for
    /// [`super::copy_csv`].
    pub(crate) fn copy_parquet(
        input: &Path,
        fates: &mut Fates<'_>,
        kept: &mut dyn Write,
        removed: Option<&mut dyn Write>,
        progress: &dyn Progress,
    ) -> io::Result<usize> {
        let builder = open(input).map_err(io::Error::other)?;
        let schema = builder.schema().clone();
        let meta = builder.metadata();
        let mut props = WriterProperties::builder();
        if let Some(group) = meta.row_groups().first() {
            props = props.set_max_row_group_row_count(Some((group.num_rows().max(1)) as usize));
            if let Some(column) = group.columns().first() {
                props = props.set_compression(column.compression());
            }
        }
        let props = props.build();
        let note_fields = Fields::from(vec![
            Field::new("duplicate_of", DataType::Utf8, false),
            Field::new("relation", DataType::Utf8, false),
            Field::new("jaccard", DataType::Float64, false),
        ]);
        let mut removed_sink = match removed {
            Some(out) => {
                if schema.fields().find("stemma").is_some() {
                    return Err(io::Error::other(Error::BadTable {
                        path: input.to_path_buf(),
                        problem: "the input already has a column \"stemma\", where the removed rows' notes go; rename that column first".into(),
                        source: None,
                    }));
                }
                let mut fields: Vec<Arc<Field>> = schema.fields().iter().cloned().collect();
                fields.push(Arc::new(Field::new(
                    "stemma",
                    DataType::Struct(note_fields.clone()),
                    false,
                )));
                let removed_schema =
                    Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()));
                Some((
                    Sink::new(Arc::clone(&removed_schema), props.clone(), out)?,
                    removed_schema,
                ))
            }
            None => None,
        };
        let mut kept_sink = Sink::new(Arc::clone(&schema), props, kept)?;
        let reader = builder
            .with_batch_size(COPY_BATCH_ROWS)
            .build()
            .map_err(|e| {
                io::Error::other(parquet_error(input, "cannot read the Parquet file", e))
            })?;
        let mut next_row = 1u64;
        let mut count = 0usize;
        // A write error is kept aside so it comes back as it is, naming the output.
        let mut write_failed: Option<io::Error> = None;
        let read = for_each_batch(input, reader, |batch| {
            let n = batch.num_rows();
            let before = fates.next;
            let (mut keep, mut remove) = (vec![false; n], vec![false; n]);
            let (mut of, mut relations, mut jaccards) = (Vec::new(), Vec::new(), Vec::new());
            for i in 0..n {
                match fates.of(next_row + i as u64) {
                    Fate::Skip => {}
                    Fate::Keep => keep[i] = true,
                    Fate::Remove { of: id, jaccard } => {
                        remove[i] = true;
                        of.push(id.to_string());
                        relations.push(relation(jaccard));
                        jaccards.push(round4(jaccard));
                    }
                }
            }
            next_row += n as u64;
            let kept_rows = keep.iter().filter(|k| **k).count();
            count += kept_rows;
            let select = |mask: Vec<bool>| {
                arrow_select::filter::filter_record_batch(&batch, &BooleanArray::from(mask))
                    .map_err(|e| parquet_error(input, "cannot select rows", e))
            };
            let stop = |e: io::Error, failed: &mut Option<io::Error>| {
                *failed = Some(e);
                Error::Write {
                    path: "-".into(),
                    source: io::Error::other("stopped"),
                }
            };
            if let Err(e) = kept_sink.write(&select(keep)?) {
                return Err(stop(e, &mut write_failed));
            }
            if let Some((sink, removed_schema)) = removed_sink.as_mut() {
                let rows = select(remove)?;
                let note = StructArray::new(
                    note_fields.clone(),
                    vec![
                        Arc::new(StringArray::from(of)) as ArrayRef,
                        Arc::new(StringArray::from(relations)),
                        Arc::new(Float64Array::from(jaccards)),
                    ],
                    None,
                );
                let mut columns: Vec<ArrayRef> = rows.columns().to_vec();
                columns.push(Arc::new(note));
                let rows = RecordBatch::try_new(Arc::clone(removed_schema), columns)
                    .map_err(|e| parquet_error(input, "cannot annotate the removed rows", e))?;
                if let Err(e) = sink.write(&rows) {
                    return Err(stop(e, &mut write_failed));
                }
            }
            progress.advance((fates.next - before) as u64);
            Ok(())
        });
        if let Some(e) = write_failed {
            return Err(e);
        }
        read.map_err(io::Error::other)?;
        kept_sink.finish()?;
        if let Some((sink, _)) = removed_sink {
            sink.finish()?;
        }
        Ok(count)
    }
}
