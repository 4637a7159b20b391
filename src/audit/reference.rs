//! The reference corpus of the `contamination` check (`stemma audit --against`): documents
//! read from files, or the documents of a persistent index that match the inputs, read back
//! from it. The IO edge of [`crate::audit`].
//!
//! Against an index, the inputs are queried ([`crate::index::query::query`]) and each indexed
//! document they match joins the analysis as a reference document with its stored text, so
//! the figures are exactly scan's on the inputs plus those documents. Documents of the index
//! that match no input cannot give a finding and are not read.

use std::path::{Path, PathBuf};

use super::Role;
use crate::config::Config;
use crate::corpus::{read_inputs, Document, ReadOptions};
use crate::error::{Error, Result};
use crate::index::{Index, MANIFEST};

/// Prefix of the ids of reference documents, so they never collide with input ids.
pub(crate) const AGAINST_PREFIX: &str = "against:";

/// True when `path` is an index directory (it holds a manifest).
pub fn is_index(path: &Path) -> bool {
    path.join(MANIFEST).is_file()
}

/// The documents of `index` related to at least one of `inputs`, with their stored texts, in
/// the order of the inputs' matches (each once). An index built without texts is refused.
pub(crate) fn from_index(
    index: &Index,
    inputs: &[Document],
    config: &Config,
) -> Result<Vec<Document>> {
    let mut reference: Vec<Document> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for r in crate::index::query::query(index, inputs, config)? {
        for m in r.matches {
            if seen.contains(&m.id) {
                continue;
            }
            let Some(text) = m.text else {
                return Err(Error::IndexNoTexts {
                    path: index.dir.clone(),
                });
            };
            seen.push(m.id.clone());
            let mut d = Document::new(m.id, text);
            d.meta = m.meta;
            reference.push(d);
        }
    }
    Ok(reference)
}

/// The reference corpus for `inputs` from `against`: each index directory queried with the
/// inputs ([`from_index`]), then every other path read as documents. Returns the documents and
/// the reading warnings.
pub(crate) fn read_reference(
    against: &[PathBuf],
    inputs: &[Document],
    opts: &ReadOptions,
    config: &Config,
) -> Result<(Vec<Document>, Vec<String>)> {
    let (indexes, plain): (Vec<PathBuf>, Vec<PathBuf>) =
        against.iter().cloned().partition(|p| is_index(p));
    let mut reference = Vec::new();
    for dir in &indexes {
        reference.extend(from_index(&Index::open(dir)?, inputs, config)?);
    }
    let mut warnings = Vec::new();
    if !plain.is_empty() {
        let read = read_inputs(&plain, opts)?;
        warnings = read.warnings;
        reference.extend(read.documents);
    }
    Ok((reference, warnings))
}

/// The documents of an audit and their roles: the inputs, then the reference documents with
/// their ids prefixed by [`AGAINST_PREFIX`].
pub(crate) fn with_reference(
    inputs: Vec<Document>,
    reference: Vec<Document>,
) -> (Vec<Document>, Vec<Role>) {
    let mut roles = vec![Role::Input; inputs.len()];
    let mut docs = inputs;
    for mut d in reference {
        d.id = format!("{AGAINST_PREFIX}{}", d.id);
        docs.push(d);
        roles.push(Role::Against);
    }
    (docs, roles)
}

/// The documents of an audit read from paths: the `inputs` (at least one document, else
/// [`Error::NoDocuments`]), then the reference corpus from `against` (`read_reference`),
/// prefixed (`with_reference`). Returns the documents, their roles and the reading warnings
/// (the inputs' first).
pub fn read_audited(
    inputs: &[PathBuf],
    against: &[PathBuf],
    opts: &ReadOptions,
    config: &Config,
) -> Result<(Vec<Document>, Vec<Role>, Vec<String>)> {
    let read = read_inputs(inputs, opts)?;
    if read.documents.is_empty() {
        return Err(Error::NoDocuments {
            skipped: read.skipped_files,
        });
    }
    let (reference, more) = read_reference(against, &read.documents, opts, config)?;
    let mut warnings = read.warnings;
    warnings.extend(more);
    let (docs, roles) = with_reference(read.documents, reference);
    Ok((docs, roles, warnings))
}
