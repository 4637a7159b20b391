//! The audit baseline: findings accepted on purpose, so that only new ones fail the build.
//!
//! # File format: schema `stemma.audit.baseline`, version 1
//!
//! ```text
//! {
//!   "schema": "stemma.audit.baseline",
//!   "schema_version": 1,
//!   "entries": [
//!     { "key": "duplicates:0f3c...-9a71...", "check": "duplicates",
//!       "ids": ["b.txt", "a.txt"], "relation": "near-duplicate", "note": "" }
//!   ]
//! }
//! ```
//!
//! Entries are sorted by (check, key) and distinct; `ids` are the document ids when the entry
//! was written (for people: matching uses only `key`, a fingerprint of content, so renaming a
//! file does not churn the baseline); `note` is free text for people and is kept when the
//! baseline is updated. Pretty JSON with a trailing newline: the same findings always give the
//! same bytes.
//!
//! [`apply`] marks findings found in the baseline [`State::Unchanged`] and lists entries of the
//! checks that ran which no longer occur as stale; entries of checks that did not run are left
//! alone. [`updated`] is the baseline after `--update-baseline`: the current findings (notes
//! kept) plus the untouched entries of checks that did not run.

use std::collections::{HashMap, HashSet};
use std::io::{self, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Audit, Check, Finding, State};
use crate::error::{Error, Result};

/// Schema name of the baseline file.
pub const SCHEMA: &str = "stemma.audit.baseline";
/// Schema version of the baseline file.
pub const SCHEMA_VERSION: u32 = 1;

/// The baseline file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// Always [`SCHEMA_VERSION`] when written by this version.
    pub schema_version: u32,
    /// Accepted findings, sorted by (check, key).
    pub entries: Vec<Entry>,
}

impl Default for Baseline {
    fn default() -> Self {
        Baseline {
            schema: SCHEMA.to_string(),
            schema_version: SCHEMA_VERSION,
            entries: Vec::new(),
        }
    }
}

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The finding's content key.
    pub key: String,
    /// The check.
    pub check: Check,
    /// Document ids when the entry was written (subject first, then the others).
    pub ids: Vec<String>,
    /// Relation or stemma edge kind when the entry was written.
    pub relation: String,
    /// Free text for people (why it was accepted); kept on update.
    #[serde(default)]
    pub note: String,
}

impl Entry {
    fn of(f: &Finding) -> Entry {
        let mut ids: Vec<String> = Vec::new();
        let mut seen: HashSet<&str> = HashSet::new();
        for o in &f.occurrences {
            for id in std::iter::once(&o.subject.id).chain(o.other.as_ref().map(|d| &d.id)) {
                if seen.insert(id) {
                    ids.push(id.clone());
                }
            }
        }
        Entry {
            key: f.key.clone(),
            check: f.check,
            ids,
            relation: f.relation.clone(),
            note: String::new(),
        }
    }
}

/// Reads a baseline from `bytes`; `path` names it in errors.
pub fn parse(bytes: &[u8], path: &Path) -> Result<Baseline> {
    let bad = |problem: String| Error::BadBaseline {
        path: path.to_path_buf(),
        problem,
    };
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| bad(format!("invalid JSON: {e}")))?;
    match value.get("schema") {
        Some(serde_json::Value::String(s)) if s == SCHEMA => {}
        None => {
            return Err(bad(format!(
                "it has no \"schema\" field (expected {SCHEMA:?})"
            )))
        }
        Some(other) => return Err(bad(format!("\"schema\" is {other}, expected {SCHEMA:?}"))),
    }
    match value.get("schema_version") {
        Some(v) if v.as_u64() == Some(SCHEMA_VERSION as u64) => {}
        None => {
            return Err(bad(format!(
                "it has no \"schema_version\" field (expected {SCHEMA_VERSION})"
            )))
        }
        Some(v) => {
            return Err(bad(format!(
            "schema_version {v} is not {SCHEMA_VERSION} (a newer stemma wrote it? upgrade stemma)"
        )))
        }
    }
    let mut baseline: Baseline = serde_json::from_value(value).map_err(|e| bad(format!("{e}")))?;
    baseline
        .entries
        .sort_by(|a, b| (a.check, &a.key).cmp(&(b.check, &b.key)));
    baseline
        .entries
        .dedup_by(|a, b| a.check == b.check && a.key == b.key);
    Ok(baseline)
}

/// Reads the baseline file at `path`. A missing file is an empty baseline when `missing_ok`
/// (it is about to be created), an error otherwise.
pub fn load(path: &Path, missing_ok: bool) -> Result<Baseline> {
    match std::fs::read(path) {
        Ok(bytes) => parse(&bytes, path),
        Err(e) if e.kind() == io::ErrorKind::NotFound && missing_ok => Ok(Baseline::default()),
        Err(source) => Err(Error::BaselineRead {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Rewrites the baseline file at `path` with the findings of `audit` ([`updated`]: notes
/// kept; the file is created if missing), atomically; returns the new baseline.
pub fn update_file(path: &Path, audit: &Audit) -> Result<Baseline> {
    let new = updated(&load(path, true)?, audit);
    crate::output::write_atomic(path, |w| write(&new, w))?;
    Ok(new)
}

/// Writes `baseline` as pretty JSON with a trailing newline.
pub fn write(baseline: &Baseline, w: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, baseline)?;
    w.write_all(b"\n")
}

fn contains(entries: &[Entry], check: Check, key: &str) -> bool {
    entries
        .binary_search_by(|e| (e.check, e.key.as_str()).cmp(&(check, key)))
        .is_ok()
}

/// Marks the findings of `audit` found in `baseline` as unchanged and fills `audit.stale` with
/// the entries of the checks that ran which no longer occur.
pub fn apply(audit: &mut Audit, baseline: &Baseline) {
    let mut entries = baseline.entries.clone();
    entries.sort_by(|a, b| (a.check, &a.key).cmp(&(b.check, &b.key)));
    for f in &mut audit.findings {
        f.state = if contains(&entries, f.check, &f.key) {
            State::Unchanged
        } else {
            State::New
        };
    }
    let mut current: Vec<(Check, &str)> = audit
        .findings
        .iter()
        .map(|f| (f.check, f.key.as_str()))
        .collect();
    current.sort();
    audit.stale = entries
        .into_iter()
        .filter(|e| {
            audit.policy.checks.contains(&e.check)
                && current.binary_search(&(e.check, e.key.as_str())).is_err()
        })
        .collect();
}

/// The baseline after `--update-baseline`: every current finding (keeping notes of entries
/// that were there), plus the entries of checks this audit did not run.
pub fn updated(old: &Baseline, audit: &Audit) -> Baseline {
    let mut entries: Vec<Entry> = old
        .entries
        .iter()
        .filter(|e| !audit.policy.checks.contains(&e.check))
        .cloned()
        .collect();
    // The note of the first old entry with each (check, key).
    let mut notes: HashMap<(Check, &str), &str> = HashMap::with_capacity(old.entries.len());
    for x in &old.entries {
        notes.entry((x.check, x.key.as_str())).or_insert(&x.note);
    }
    for f in &audit.findings {
        let mut e = Entry::of(f);
        if let Some(&note) = notes.get(&(f.check, f.key.as_str())) {
            e.note = note.to_string();
        }
        entries.push(e);
    }
    entries.sort_by(|a, b| (a.check, &a.key).cmp(&(b.check, &b.key)));
    entries.dedup_by(|a, b| a.check == b.check && a.key == b.key);
    Baseline {
        entries,
        ..Baseline::default()
    }
}
