//! Python bindings of stemma (`stemma._stemma`): type conversion and calls into the library,
//! nothing else. The Python package `stemma` (python/stemma/) wraps these functions into the
//! documented API; results cross the boundary as the library's own JSON (the bytes the CLI
//! writes), so the Python objects have exactly the CLI's fields.
//!
//! Work on many documents runs with the interpreter released (`Python::detach`), on rayon's
//! thread pool. Documents are converted from Python objects once, up front, under the
//! interpreter lock; nothing calls back into Python while Rust works.

mod scan;

use std::path::PathBuf;

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyOSError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};
use rayon::prelude::*;

use stemma::config::{Banding, FamilyPolicy};
use stemma::corpus::{read_inputs, Document, Meta, OnDuplicateId, Origin, ReadOptions};
use stemma::dedup::{dedup_keys, KeepPolicy, KeyRecord};
use stemma::fingerprint::overlap;
use stemma::fingerprint::Profiler;
use stemma::provenance::cues::AgencyTable;
use stemma::report::json::{add_trace, build, write_report, InputSummary};
use stemma::report::round4;
use stemma::{Config as RsConfig, Error, Silent};

create_exception!(
    _stemma,
    StemmaError,
    PyException,
    "An error reported by the stemma library (the message names the input and what to do)."
);
create_exception!(
    _stemma,
    IndexError,
    StemmaError,
    "An index is missing, corrupt, locked, of another version or built with other settings."
);

/// The library's error as a Python exception, with the library's message: an invalid setting
/// is a `ValueError`, an unreadable or unwritable path an `OSError`, a bad document a
/// `ValueError`, an index problem `stemma.IndexError`, anything else `stemma.StemmaError`.
fn to_py(e: Error) -> PyErr {
    let msg = e.to_string();
    match e {
        Error::Config { .. }
        | Error::DuplicateId { .. }
        | Error::BadRecord { .. }
        | Error::NoDocuments { .. }
        | Error::UnsupportedInput { .. } => PyValueError::new_err(msg),
        Error::Read { .. } | Error::Write { .. } | Error::Scratch { .. } => PyOSError::new_err(msg),
        Error::IndexCorrupt { .. }
        | Error::IndexVersion { .. }
        | Error::NotAnIndex { .. }
        | Error::IndexMismatch { .. }
        | Error::IndexLocked { .. }
        | Error::IndexIds { .. } => IndexError::new_err(msg),
        _ => StemmaError::new_err(msg),
    }
}

fn config_error(setting: &str, problem: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(format!("invalid setting {setting}: {problem}"))
}

/// Settings of a run, keyword arguments mirroring the CLI's flags:
/// `Config(shingle="words:5", num_perm=128, threshold=0.8, fold_diacritics=False,
/// family_policy="strict", bands=None)`, and `seed`, `permutation_family`, `max_bucket`,
/// `max_df`, `bigram_max_df`, `boilerplate_max_df`, `max_family_size`, `simhash_max_distance`.
/// Validated by the library (`Config::validate`): an invalid value raises `ValueError` with its
/// message, a wrong type `TypeError`. Immutable (use `replace`), comparable, picklable.
#[pyclass(module = "stemma", name = "Config", frozen, eq)]
#[derive(Clone, PartialEq)]
struct Config {
    inner: RsConfig,
}

/// The keyword arguments of `Config`, with the CLI flag each mirrors.
const CONFIG_KWARGS: &[&str] = &[
    "shingle",            // --shingle words:5
    "num_perm",           // --num-perm 128
    "threshold",          // --threshold 0.8
    "fold_diacritics",    // --fold-diacritics
    "family_policy",      // --family-policy strict|connected
    "bands",              // dedup --bands 16x8
    "seed",               // fingerprint seed
    "permutation_family", // fast-similarity-sketch | classic | oph-densified
    "max_bucket",
    "max_df",
    "bigram_max_df",
    "boilerplate_max_df",
    "max_family_size",
    "simhash_max_distance",
];

impl Config {
    fn set(&mut self, key: &str, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let c = &mut self.inner;
        let wrong = |what: &str| {
            PyTypeError::new_err(format!(
                "Config({key}=...): expected {what}, got {}",
                value
                    .get_type()
                    .name()
                    .map(|n| n.to_string())
                    .unwrap_or_default()
            ))
        };
        // bool is an int in Python: refuse it where a number is meant.
        let int = |v: &Bound<'_, PyAny>| -> PyResult<i64> {
            if v.is_instance_of::<pyo3::types::PyBool>() {
                return Err(wrong("an int"));
            }
            v.extract::<i64>().map_err(|_| wrong("an int"))
        };
        let count = |v: &Bound<'_, PyAny>, setting: &str| -> PyResult<usize> {
            let n = int(v)?;
            usize::try_from(n)
                .map_err(|_| config_error(setting, format!("{n} must not be negative")))
        };
        match key {
            "shingle" => {
                let s: String = value
                    .extract()
                    .map_err(|_| wrong("a str such as 'words:5'"))?;
                c.fingerprint.shingle = s.parse().map_err(|e| config_error("--shingle", e))?;
            }
            "num_perm" => c.fingerprint.num_perm = count(value, "--num-perm")?,
            "threshold" => {
                if value.is_instance_of::<pyo3::types::PyBool>() {
                    return Err(wrong("a float"));
                }
                c.relations.near_duplicate = value.extract().map_err(|_| wrong("a float"))?;
            }
            "fold_diacritics" => {
                c.fingerprint.fold_diacritics = value.extract().map_err(|_| wrong("a bool"))?
            }
            "family_policy" => {
                let s: String = value
                    .extract()
                    .map_err(|_| wrong("'strict' or 'connected'"))?;
                c.family_policy = s
                    .parse::<FamilyPolicy>()
                    .map_err(|e| config_error("--family-policy", e))?;
            }
            "bands" => {
                c.banding = if value.is_none() {
                    None
                } else if let Ok(s) = value.extract::<String>() {
                    Some(
                        s.parse::<Banding>()
                            .map_err(|e| config_error("--bands", e))?,
                    )
                } else if let Ok((b, r)) = value.extract::<(i64, i64)>() {
                    if b <= 0 || r <= 0 {
                        return Err(config_error(
                            "--bands",
                            "bands and rows must be positive whole numbers",
                        ));
                    }
                    Some(Banding {
                        bands: b as usize,
                        rows: r as usize,
                    })
                } else {
                    return Err(wrong("None, 'BANDSxROWS' or a (bands, rows) tuple"));
                }
            }
            "seed" => {
                c.fingerprint.seed = value.extract().map_err(|_| wrong("an int in 0..2**64"))?
            }
            "permutation_family" => {
                let name: String = value.extract().map_err(|_| wrong("a str"))?;
                c.fingerprint.permutation_family =
                    stemma::config::PermutationFamily::parse(&name).map_err(to_py)?
            }
            "max_bucket" => c.max_bucket = count(value, "max_bucket")?,
            "max_df" => c.max_df = count(value, "max_df")?,
            "bigram_max_df" => c.bigram_max_df = count(value, "bigram_max_df")?,
            "boilerplate_max_df" => c.boilerplate_max_df = count(value, "boilerplate_max_df")?,
            "max_family_size" => c.max_family_size = count(value, "max_family_size")?,
            "simhash_max_distance" => {
                let n = count(value, "simhash_max_distance")?;
                c.simhash_max_distance = u32::try_from(n)
                    .map_err(|_| config_error("simhash_max_distance", "must be at most 16"))?;
            }
            other => {
                return Err(PyTypeError::new_err(format!(
                    "Config() got an unexpected keyword argument {other:?}; known: {}",
                    CONFIG_KWARGS.join(", ")
                )))
            }
        }
        Ok(())
    }
}

#[pymethods]
impl Config {
    #[new]
    #[pyo3(signature = (**kwargs))]
    fn new(kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let mut config = Config {
            inner: RsConfig::default(),
        };
        if let Some(kwargs) = kwargs {
            for (k, v) in kwargs.iter() {
                let key: String = k.extract()?;
                config.set(&key, &v)?;
            }
        }
        config.inner.validate().map_err(to_py)?;
        Ok(config)
    }

    /// A copy with some settings changed: `config.replace(threshold=0.9)`.
    #[pyo3(signature = (**kwargs))]
    fn replace(&self, kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let mut config = self.clone();
        if let Some(kwargs) = kwargs {
            for (k, v) in kwargs.iter() {
                let key: String = k.extract()?;
                config.set(&key, &v)?;
            }
        }
        config.inner.validate().map_err(to_py)?;
        Ok(config)
    }

    #[getter]
    fn shingle(&self) -> String {
        self.inner.fingerprint.shingle.to_string()
    }
    #[getter]
    fn num_perm(&self) -> usize {
        self.inner.fingerprint.num_perm
    }
    #[getter]
    fn threshold(&self) -> f64 {
        self.inner.relations.near_duplicate
    }
    #[getter]
    fn fold_diacritics(&self) -> bool {
        self.inner.fingerprint.fold_diacritics
    }
    #[getter]
    fn family_policy(&self) -> &'static str {
        match self.inner.family_policy {
            FamilyPolicy::Strict => "strict",
            FamilyPolicy::Connected => "connected",
        }
    }
    #[getter]
    fn bands(&self) -> Option<(usize, usize)> {
        self.inner.banding.map(|b| (b.bands, b.rows))
    }
    #[getter]
    fn seed(&self) -> u64 {
        self.inner.fingerprint.seed
    }

    /// The LSH banding used for this config, `(bands, rows)`: `bands` when set, otherwise the
    /// one chosen for the threshold (as the CLI chooses it).
    fn banding(&self) -> (usize, usize) {
        let b = stemma::fingerprint::banding_for(&self.inner);
        (b.bands, b.rows)
    }

    /// The whole configuration as JSON, as it is echoed in every report.
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.inner).map_err(|e| StemmaError::new_err(e.to_string()))
    }

    fn __repr__(&self) -> String {
        let c = &self.inner;
        let mut s = format!(
            "Config(shingle='{}', num_perm={}, threshold={}, fold_diacritics={}, family_policy='{}'",
            c.fingerprint.shingle,
            c.fingerprint.num_perm,
            c.relations.near_duplicate,
            if c.fingerprint.fold_diacritics { "True" } else { "False" },
            self.family_policy()
        );
        if let Some(b) = c.banding {
            s.push_str(&format!(", bands=({}, {})", b.bands, b.rows));
        }
        s.push(')');
        s
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        let f = py.import("stemma._stemma")?.getattr("_config_from_json")?;
        Ok((f, (self.to_json()?,)))
    }
}

/// Rebuilds a `Config` from `Config.to_json()` (pickling).
#[pyfunction]
fn _config_from_json(json: &str) -> PyResult<Config> {
    let inner: RsConfig = serde_json::from_str(json)
        .map_err(|e| PyValueError::new_err(format!("not a stemma config: {e}")))?;
    inner.validate().map_err(to_py)?;
    Ok(Config { inner })
}

fn config_of(config: Option<&Config>) -> RsConfig {
    config.map(|c| c.inner.clone()).unwrap_or_default()
}

/// A MinHash signature: `num_perm` 32-bit values.
#[pyclass(module = "stemma", name = "Signature", frozen, eq)]
#[derive(Clone, PartialEq)]
struct Signature {
    values: Vec<u32>,
}

#[pymethods]
impl Signature {
    /// The values, as a list of ints (datasketch's name).
    #[getter]
    fn hashvalues(&self) -> Vec<u32> {
        self.values.clone()
    }

    /// The MinHash estimate of the Jaccard resemblance of the two shingle sets.
    fn jaccard(&self, other: &Signature) -> PyResult<f64> {
        if self.values.len() != other.values.len() {
            return Err(PyValueError::new_err(format!(
                "signatures of {} and {} values cannot be compared; sign both with one MinHasher",
                self.values.len(),
                other.values.len()
            )));
        }
        Ok(stemma::Signature(self.values.clone())
            .estimate_jaccard(&stemma::Signature(other.values.clone())))
    }

    /// The values as little-endian u32 bytes.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &le_bytes(&self.values))
    }

    /// A signature from `to_bytes()`.
    #[staticmethod]
    fn from_bytes(data: &[u8]) -> PyResult<Signature> {
        if data.len() % 4 != 0 {
            return Err(PyValueError::new_err(format!(
                "{} bytes is not a whole number of u32 values",
                data.len()
            )));
        }
        Ok(Signature {
            values: data
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        })
    }

    fn __len__(&self) -> usize {
        self.values.len()
    }

    fn __repr__(&self) -> String {
        format!("Signature(<{} values>)", self.values.len())
    }

    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyBytes>,))> {
        let f = py
            .import("stemma._stemma")?
            .getattr("Signature")?
            .getattr("from_bytes")?;
        Ok((f, (self.to_bytes(py),)))
    }
}

fn le_bytes(values: &[u32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// Signs texts as `stemma dedup` does (same shingles, same MinHash).
#[pyclass(module = "stemma", name = "MinHasher", frozen)]
struct MinHasher {
    profiler: Profiler,
    config: RsConfig,
}

/// Texts from a Python sequence of str (one conversion, under the interpreter lock).
fn texts_of(texts: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    if texts.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(
            "expected a sequence of str, got one str (use signature(text) for one text)",
        ));
    }
    let mut out = Vec::new();
    for (i, t) in texts.try_iter()?.enumerate() {
        let t = t?;
        out.push(t.extract::<String>().map_err(|_| {
            PyTypeError::new_err(format!(
                "text {i}: expected str, got {}",
                t.get_type()
                    .name()
                    .map(|n| n.to_string())
                    .unwrap_or_default()
            ))
        })?);
    }
    Ok(out)
}

#[pymethods]
impl MinHasher {
    #[new]
    #[pyo3(signature = (config = None))]
    fn new(config: Option<&Config>) -> PyResult<Self> {
        let config = config_of(config);
        let profiler = Profiler::try_new(&config.fingerprint).map_err(to_py)?;
        Ok(MinHasher { profiler, config })
    }

    /// Permutations (values per signature).
    #[getter]
    fn num_perm(&self) -> usize {
        self.config.fingerprint.num_perm
    }

    /// The signature of one text.
    fn signature(&self, text: &str) -> Signature {
        Signature {
            values: self.profiler.dedup_key(text).signature.0,
        }
    }

    /// The signatures of many texts, computed in parallel with the interpreter released.
    fn signatures(&self, py: Python<'_>, texts: &Bound<'_, PyAny>) -> PyResult<Vec<Signature>> {
        let texts = texts_of(texts)?;
        let sigs = py.detach(|| {
            texts
                .par_iter()
                .map(|t| self.profiler.dedup_key(t).signature.0)
                .collect::<Vec<_>>()
        });
        Ok(sigs
            .into_iter()
            .map(|values| Signature { values })
            .collect())
    }

    /// The signatures of many texts as one bytes object of `len(texts) * num_perm`
    /// little-endian u32 values (for Arrow buffers: no Python object per text).
    fn signatures_bytes<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let texts = texts_of(texts)?;
        let bytes = py.detach(|| sign_bytes(&self.profiler, texts.iter().map(String::as_str)));
        Ok(PyBytes::new(py, &bytes))
    }

    fn __repr__(&self) -> String {
        format!(
            "MinHasher(num_perm={}, shingle='{}')",
            self.config.fingerprint.num_perm, self.config.fingerprint.shingle
        )
    }
}

fn sign_bytes<'a>(profiler: &Profiler, texts: impl Iterator<Item = &'a str>) -> Vec<u8> {
    let texts: Vec<&str> = texts.collect();
    let sigs: Vec<Vec<u32>> = texts
        .par_iter()
        .map(|t| profiler.dedup_key(t).signature.0)
        .collect();
    sigs.iter().flat_map(|s| le_bytes(s)).collect()
}

/// Texts of an Arrow string (or large string) array given by its buffers: `offsets` (i32 or
/// i64 little-endian, `width` 4 or 8 bytes), `data`; `offset` is the array's slice offset.
/// Null entries have equal offsets, so they read as empty texts.
fn arrow_texts<'a>(
    offsets: &[u8],
    data: &'a [u8],
    width: usize,
    offset: usize,
    len: usize,
) -> PyResult<Vec<&'a str>> {
    let at = |i: usize| -> usize {
        let b = &offsets[i * width..(i + 1) * width];
        if width == 4 {
            i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize
        } else {
            i64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as usize
        }
    };
    if !(width == 4 || width == 8) || offsets.len() < (offset + len + 1) * width {
        return Err(PyValueError::new_err("malformed Arrow offsets buffer"));
    }
    (offset..offset + len)
        .map(|i| {
            let (s, e) = (at(i), at(i + 1));
            data.get(s..e)
                .and_then(|b| std::str::from_utf8(b).ok())
                .ok_or_else(|| PyValueError::new_err("malformed Arrow string data"))
        })
        .collect()
}

/// What Spark dedup needs per text of an Arrow string column (one call per Arrow batch):
/// `(signatures, tokens, content_hash, band_keys)` as little-endian bytes: `n * num_perm` u32,
/// `n` u64, `n` u64, `n * bands` u64 (the band keys of `stemma dedup`'s LSH; an empty text
/// gets key 0 in every band, which the caller drops).
#[pyfunction]
#[pyo3(signature = (config, offsets, data, width, offset, length))]
#[allow(clippy::type_complexity)]
fn _dedup_keys_arrow<'py>(
    py: Python<'py>,
    config: &Config,
    offsets: &[u8],
    data: &[u8],
    width: usize,
    offset: usize,
    length: usize,
) -> PyResult<(
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
)> {
    let texts = arrow_texts(offsets, data, width, offset, length)?;
    let profiler = Profiler::try_new(&config.inner.fingerprint).map_err(to_py)?;
    let banding = stemma::fingerprint::banding_for(&config.inner);
    let (sigs, tokens, hashes, keys) = py.detach(|| {
        let rows: Vec<(Vec<u32>, u64, u64, Vec<u64>)> = texts
            .par_iter()
            .map(|t| {
                let k = profiler.dedup_key(t);
                let mut scratch = Vec::new();
                let keys: Vec<u64> = if k.signature.is_empty_set() {
                    vec![0; banding.bands]
                } else {
                    (0..banding.bands)
                        .map(|band| {
                            stemma::fingerprint::band_key(
                                &k.signature.0[band * banding.rows..(band + 1) * banding.rows],
                                band,
                                &mut scratch,
                            )
                        })
                        .collect()
                };
                (k.signature.0, k.tokens as u64, k.content_hash, keys)
            })
            .collect();
        let mut sigs = Vec::new();
        let mut tokens = Vec::new();
        let mut hashes = Vec::new();
        let mut keys = Vec::new();
        for (s, t, h, k) in rows {
            sigs.extend(le_bytes(&s));
            tokens.extend(t.to_le_bytes());
            hashes.extend(h.to_le_bytes());
            keys.extend(k.iter().flat_map(|k| k.to_le_bytes()));
        }
        (sigs, tokens, hashes, keys)
    });
    Ok((
        PyBytes::new(py, &sigs),
        PyBytes::new(py, &tokens),
        PyBytes::new(py, &hashes),
        PyBytes::new(py, &keys),
    ))
}

/// Exact Jaccard of the shingle sets of text pairs (two Arrow string columns, as
/// `_dedup_keys_arrow` takes them), as little-endian f64 bytes: the verification of Spark
/// dedup's candidates, done as `stemma dedup` does it.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn _jaccard_arrow<'py>(
    py: Python<'py>,
    config: &Config,
    offsets_a: &[u8],
    data_a: &[u8],
    width_a: usize,
    offset_a: usize,
    offsets_b: &[u8],
    data_b: &[u8],
    width_b: usize,
    offset_b: usize,
    length: usize,
) -> PyResult<Bound<'py, PyBytes>> {
    let a = arrow_texts(offsets_a, data_a, width_a, offset_a, length)?;
    let b = arrow_texts(offsets_b, data_b, width_b, offset_b, length)?;
    let profiler = Profiler::try_new(&config.inner.fingerprint).map_err(to_py)?;
    let out = py.detach(|| {
        let j: Vec<f64> = a
            .par_iter()
            .zip(b.par_iter())
            .map(|(x, y)| overlap(&profiler.shingle_set(x), &profiler.shingle_set(y)).jaccard)
            .collect();
        j.iter().flat_map(|v| v.to_le_bytes()).collect::<Vec<u8>>()
    });
    Ok(PyBytes::new(py, &out))
}

fn type_name(v: &Bound<'_, PyAny>) -> String {
    v.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default()
}

/// An id as a JSONL record's id is read: a str, or an int written as its decimal digits.
fn id_of(v: &Bound<'_, PyAny>, i: usize) -> PyResult<String> {
    if let Ok(s) = v.extract::<String>() {
        return Ok(s);
    }
    if !v.is_instance_of::<pyo3::types::PyBool>() {
        if let Ok(n) = v.extract::<i64>() {
            return Ok(n.to_string());
        }
        if let Ok(n) = v.extract::<u64>() {
            return Ok(n.to_string());
        }
    }
    Err(PyTypeError::new_err(format!(
        "document {i}: field \"id\" must be a str or an int, got {}",
        type_name(v)
    )))
}

fn opt_str(d: &Bound<'_, PyDict>, key: &str, i: usize) -> PyResult<Option<String>> {
    match d.get_item(key)? {
        None => Ok(None),
        Some(v) if v.is_none() => Ok(None),
        Some(v) => v.extract::<String>().map(Some).map_err(|_| {
            PyTypeError::new_err(format!(
                "document {i}: field {key:?} must be a str or None, got {}",
                type_name(&v)
            ))
        }),
    }
}

fn meta_of(d: &Bound<'_, PyDict>, i: usize) -> PyResult<Meta> {
    Ok(Meta {
        outlet: opt_str(d, "outlet", i)?,
        url: opt_str(d, "url", i)?,
        title: opt_str(d, "title", i)?,
        published_at: match opt_str(d, "published_at", i)? {
            Some(p) => Some(p),
            None => opt_str(d, "date", i)?,
        },
        lang: opt_str(d, "lang", i)?,
    })
}

/// Documents from a Python iterable of dicts (`id`, `text`, optional `outlet`, `url`, `title`,
/// `published_at` or `date`, `lang`) or tuples `(id, text)` / `(id, text, metadata_dict)`.
/// Each gets the origin `-:N` (N = its 1-based position), as the same records written as JSONL
/// to the CLI's standard input would. Ids must be unique (the library's error otherwise).
fn documents_of(docs: &Bound<'_, PyAny>) -> PyResult<Vec<Document>> {
    if docs.is_instance_of::<PyString>() || docs.is_instance_of::<PyBytes>() {
        return Err(PyTypeError::new_err(
            "expected an iterable of documents (dicts with id and text, or (id, text) tuples); for files and directories pass a pathlib.Path or a list of them",
        ));
    }
    let mut out = Vec::new();
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let iter = docs.try_iter().map_err(|_| {
        PyTypeError::new_err(format!(
            "expected an iterable of documents, got {}",
            type_name(docs)
        ))
    })?;
    for (i, d) in iter.enumerate() {
        let d = d?;
        let (id, text, meta) = if let Ok(dict) = d.cast::<PyDict>() {
            let id = dict.get_item("id")?.ok_or_else(|| {
                PyValueError::new_err(format!(
                    "document {i}: field \"id\" is missing (each document needs an id and a text)"
                ))
            })?;
            let text = dict.get_item("text")?.ok_or_else(|| {
                PyValueError::new_err(format!(
                    "document {i}: field \"text\" is missing (each document needs an id and a text)"
                ))
            })?;
            (id_of(&id, i)?, text, meta_of(dict, i)?)
        } else if let Ok(t) = d.cast::<PyTuple>() {
            if t.len() != 2 && t.len() != 3 {
                return Err(PyValueError::new_err(format!(
                    "document {i}: a tuple must be (id, text) or (id, text, metadata), got {} items",
                    t.len()
                )));
            }
            let meta = if t.len() == 3 {
                let m = t.get_item(2)?;
                let m = m.cast::<PyDict>().map_err(|_| {
                    PyTypeError::new_err(format!(
                        "document {i}: metadata must be a dict, got {}",
                        type_name(&m)
                    ))
                })?;
                meta_of(m, i)?
            } else {
                Meta::default()
            };
            (id_of(&t.get_item(0)?, i)?, t.get_item(1)?, meta)
        } else {
            return Err(PyTypeError::new_err(format!(
                "document {i}: expected a dict with \"id\" and \"text\" or an (id, text) tuple, got {}",
                type_name(&d)
            )));
        };
        let text: String = text.extract().map_err(|_| {
            PyTypeError::new_err(format!(
                "document {i}: field \"text\" must be a str, got {}",
                type_name(&text)
            ))
        })?;
        if let Some(first) = seen.get(&id) {
            let (renamed, _) = OnDuplicateId::Error
                .resolve(
                    &id,
                    &format!("-:{}", first + 1),
                    &format!("-:{}", i + 1),
                    |_| false,
                )
                .map_err(to_py)?;
            debug_assert!(renamed.is_none());
        }
        seen.insert(id.clone(), i);
        out.push(Document {
            id,
            text,
            meta,
            origin: Origin {
                path: PathBuf::from("-"),
                line: Some(i as u64 + 1),
            },
        });
    }
    Ok(out)
}

/// `--max-doc-bytes`'s default (`ReadOptions::default().max_doc_bytes`).
const MAX_DOC_BYTES: usize = 16 << 20;

/// Truncates the texts longer than `max` bytes at a character boundary, as the CLI's readers
/// do (`--max-doc-bytes`): returns how many were, with the CLI's warning for each.
fn truncate_long(docs: &mut [Document], max: usize) -> (u64, Vec<String>) {
    let mut warnings = Vec::new();
    for d in docs.iter_mut().filter(|d| d.text.len() > max) {
        let mut cut = max;
        while !d.text.is_char_boundary(cut) {
            cut -= 1;
        }
        d.text.truncate(cut);
        warnings.push(format!(
            "{}: text longer than {max} bytes, truncated at a character boundary (raise --max-doc-bytes to keep it all)",
            d.origin
        ));
    }
    (warnings.len() as u64, warnings)
}

/// What was read: documents from Python count as standard input (one file); `truncated` as
/// [`truncate_long`] returns it.
fn python_inputs(docs: &[Document], (truncated, warnings): (u64, Vec<String>)) -> InputSummary {
    InputSummary {
        documents: docs.len(),
        files_read: 1,
        truncated,
        warnings,
        ..InputSummary::default()
    }
}

fn paths_of(paths: &Bound<'_, PyAny>) -> PyResult<Vec<PathBuf>> {
    if let Ok(p) = paths.extract::<PathBuf>() {
        return Ok(vec![p]);
    }
    let mut out = Vec::new();
    for p in paths.try_iter()? {
        out.push(p?.extract::<PathBuf>()?);
    }
    Ok(out)
}

fn report_json(report: &stemma::report::json::Report) -> PyResult<String> {
    let mut out = Vec::new();
    write_report(report, &mut out).map_err(|e| StemmaError::new_err(e.to_string()))?;
    String::from_utf8(out).map_err(|e| StemmaError::new_err(e.to_string()))
}

/// Reads documents (from Python objects, or from paths as the CLI reads them) and runs `scan`
/// or `trace`; returns the CLI's `--json` report.
fn analyse(
    py: Python<'_>,
    command: &str,
    docs: &Bound<'_, PyAny>,
    from_paths: bool,
    config: Option<&Config>,
    max_doc_bytes: usize,
) -> PyResult<String> {
    let config = config_of(config);
    let (docs, inputs) = load(py, docs, from_paths, max_doc_bytes)?;
    py.detach(|| -> PyResult<String> {
        if docs.is_empty() {
            return Err(to_py(Error::NoDocuments { skipped: 0 }));
        }
        let analysis = stemma::analyze(&docs, &config, &Silent).map_err(to_py)?;
        let mut report = build(command, &analysis, &docs, &config, inputs);
        if command == "trace" {
            let prov =
                stemma::provenance::trace(&docs, &analysis, &config, &AgencyTable::builtin());
            add_trace(&mut report, &analysis, &prov);
        }
        report_json(&report)
    })
}

/// `stemma scan --json`: the report as JSON text.
#[pyfunction]
#[pyo3(signature = (docs, config = None, from_paths = false, max_doc_bytes = MAX_DOC_BYTES))]
fn _scan(
    py: Python<'_>,
    docs: &Bound<'_, PyAny>,
    config: Option<&Config>,
    from_paths: bool,
    max_doc_bytes: usize,
) -> PyResult<String> {
    analyse(py, "scan", docs, from_paths, config, max_doc_bytes)
}

/// `stemma trace --json`: the report as JSON text.
#[pyfunction]
#[pyo3(signature = (docs, config = None, from_paths = false, max_doc_bytes = MAX_DOC_BYTES))]
fn _trace(
    py: Python<'_>,
    docs: &Bound<'_, PyAny>,
    config: Option<&Config>,
    from_paths: bool,
    max_doc_bytes: usize,
) -> PyResult<String> {
    analyse(py, "trace", docs, from_paths, config, max_doc_bytes)
}

/// `stemma dedup`'s decision: `(ids, duplicate_of, pairs, candidates, (bands, rows))` where
/// `duplicate_of[i]` is `None` (kept) or `(kept index, jaccard)`, pairs `(a, b, jaccard)`.
#[pyfunction]
#[pyo3(signature = (docs, config = None, keep = "first"))]
#[allow(clippy::type_complexity)]
fn _dedup(
    py: Python<'_>,
    docs: &Bound<'_, PyAny>,
    config: Option<&Config>,
    keep: &str,
) -> PyResult<(
    Vec<String>,
    Vec<Option<(usize, f64)>>,
    Vec<(usize, usize, f64)>,
    usize,
    (usize, usize),
)> {
    let config = config_of(config);
    let policy: KeepPolicy = keep.parse().map_err(|e| config_error("--keep", e))?;
    let docs = documents_of(docs)?;
    let profiler = Profiler::try_new(&config.fingerprint).map_err(to_py)?;
    let decision = py.detach(|| {
        let records: Vec<KeyRecord> = docs
            .par_iter()
            .map(|d| KeyRecord {
                key: profiler.dedup_key(&d.text),
                published_at: d.meta.published_at.clone(),
            })
            .collect();
        let exact = |pairs: &[(u32, u32)]| -> stemma::Result<Vec<f64>> {
            Ok(pairs
                .par_iter()
                .map(|&(a, b)| {
                    overlap(
                        &profiler.shingle_set(&docs[a as usize].text),
                        &profiler.shingle_set(&docs[b as usize].text),
                    )
                    .jaccard
                })
                .collect())
        };
        dedup_keys(&records, &config, policy, exact)
    });
    let decision = decision.map_err(to_py)?;
    Ok((
        docs.into_iter().map(|d| d.id).collect(),
        decision.duplicate_of,
        decision
            .pairs
            .iter()
            .map(|p| (p.a, p.b, round4(p.jaccard)))
            .collect(),
        decision.candidates,
        (decision.banding.bands, decision.banding.rows),
    ))
}

/// `stemma compare A B` as JSON: figures, relation, passages, cues and direction.
#[pyfunction]
#[pyo3(signature = (a, b, config = None))]
fn _compare(
    py: Python<'_>,
    a: &Bound<'_, PyAny>,
    b: &Bound<'_, PyAny>,
    config: Option<&Config>,
) -> PyResult<String> {
    let config = config_of(config);
    let one = |x: &Bound<'_, PyAny>, name: &str| -> PyResult<Document> {
        if let Ok(text) = x.extract::<String>() {
            return Ok(Document::new(name, text));
        }
        let list = PyList::new(x.py(), [x])?;
        Ok(documents_of(list.as_any())?.remove(0))
    };
    let (a, b) = (one(a, "a")?, one(b, "b")?);
    py.detach(|| {
        let c = stemma::provenance::compare(&a, &b, &config, &AgencyTable::builtin());
        let f = &c.figures;
        let al = &c.trace.alignment;
        // Python strings index characters: spans in characters, as the CLI's JSON gives
        // them, with the byte spans beside them.
        let chars = |text: &str, byte: u32| text[..byte as usize].chars().count();
        let passages: Vec<serde_json::Value> = al
            .passages
            .iter()
            .zip(&c.trace.marks)
            .map(|(p, mark)| {
                serde_json::json!({
                    "a": {"start": chars(&a.text, p.a_bytes.start), "end": chars(&a.text, p.a_bytes.end)},
                    "b": {"start": chars(&b.text, p.b_bytes.start), "end": chars(&b.text, p.b_bytes.end)},
                    "a_bytes": {"start": p.a_bytes.start, "end": p.a_bytes.end},
                    "b_bytes": {"start": p.b_bytes.start, "end": p.b_bytes.end},
                    "tokens_a": p.a_tokens.end - p.a_tokens.start,
                    "tokens_b": p.b_tokens.end - p.b_tokens.start,
                    "exactness": round4(p.exactness),
                    "mark": mark.map(|m| m.as_str()),
                    "text_a": &a.text[p.a_bytes.start as usize..p.a_bytes.end as usize],
                    "text_b": &b.text[p.b_bytes.start as usize..p.b_bytes.end as usize],
                })
            })
            .collect();
        let d = &c.trace.direction;
        let cues = |cues: &[stemma::provenance::cues::Cue]| -> Vec<serde_json::Value> {
            cues.iter()
                .map(|cue| {
                    serde_json::json!({
                        "kind": serde_json::to_value(&cue.kind).unwrap_or_default(),
                        "text": cue.text,
                    })
                })
                .collect()
        };
        let value = serde_json::json!({
            "a": a.id,
            "b": b.id,
            "relation": c.relation.map(|r| r.as_str()),
            "jaccard": round4(f.jaccard),
            "containment_a_in_b": round4(f.containment_a_in_b),
            "containment_b_in_a": round4(f.containment_b_in_a),
            "shared_shingles": f.shared_shingles,
            "bigram_containment_a_in_b": round4(f.bigram_containment_a_in_b),
            "bigram_containment_b_in_a": round4(f.bigram_containment_b_in_a),
            "verbatim_coverage_a": round4(f.verbatim_coverage_a()),
            "verbatim_coverage_b": round4(f.verbatim_coverage_b()),
            "longest_run_tokens": f.longest_run_tokens,
            "tokens_a": f.tokens_a,
            "tokens_b": f.tokens_b,
            "passage_coverage_a": round4(al.coverage_a),
            "passage_coverage_b": round4(al.coverage_b),
            "passages": passages,
            "cues_a": cues(&c.cues[0]),
            "cues_b": cues(&c.cues[1]),
            "direction": {
                "verdict": d.verdict.as_str(),
                "confidence": round4(d.confidence),
                "evidence": d.evidence.iter().map(|e| serde_json::json!({
                    "signal": e.signal,
                    "weight": round4(e.weight),
                    "favors": e.favors.as_str(),
                    "reason": e.reason,
                })).collect::<Vec<_>>(),
            },
        });
        serde_json::to_string(&value).map_err(|e| StemmaError::new_err(e.to_string()))
    })
}

/// The settings for work on an index: without a `Config`, the index's fingerprint parameters
/// and banding (as the CLI does without flags); a `Config` given is used as it is, and the index
/// refuses it, saying what differs, when it fingerprints otherwise.
fn index_config(manifest: &stemma::index::Manifest, config: Option<&Config>) -> RsConfig {
    match config {
        Some(c) => c.inner.clone(),
        None => RsConfig {
            fingerprint: manifest.params.clone(),
            banding: Some(manifest.banding),
            ..RsConfig::default()
        },
    }
}

fn stats_json(s: &stemma::index::Stats) -> PyResult<String> {
    serde_json::to_string(s).map_err(|e| StemmaError::new_err(e.to_string()))
}

/// `stemma index build`: a new index at `path` from documents; returns its stats as JSON.
#[pyfunction]
#[pyo3(signature = (path, docs, config = None, texts = true, from_paths = false))]
fn _index_build(
    py: Python<'_>,
    path: PathBuf,
    docs: &Bound<'_, PyAny>,
    config: Option<&Config>,
    texts: bool,
    from_paths: bool,
) -> PyResult<String> {
    let config = config_of(config);
    let docs = load(py, docs, from_paths, MAX_DOC_BYTES)?.0;
    let s = py
        .detach(|| stemma::index::build(&path, &docs, &config, texts))
        .map_err(to_py)?;
    stats_json(&s)
}

/// `stemma index add`: documents appended as a new segment, with the index's settings.
#[pyfunction]
#[pyo3(signature = (path, docs, from_paths = false))]
fn _index_add(
    py: Python<'_>,
    path: PathBuf,
    docs: &Bound<'_, PyAny>,
    from_paths: bool,
) -> PyResult<String> {
    let docs = load(py, docs, from_paths, MAX_DOC_BYTES)?.0;
    let s = py
        .detach(|| -> stemma::Result<stemma::index::Stats> {
            let manifest = stemma::index::read_manifest(&path)?;
            let config = index_config(&manifest, None);
            stemma::index::add(&path, &docs, &config)
        })
        .map_err(to_py)?;
    stats_json(&s)
}

/// `stemma index remove`: the documents with these ids are deleted (tombstones).
#[pyfunction]
fn _index_remove(py: Python<'_>, path: PathBuf, ids: Vec<String>) -> PyResult<String> {
    let s = py
        .detach(|| stemma::index::remove(&path, &ids))
        .map_err(to_py)?;
    stats_json(&s)
}

/// `stemma index stats` as JSON.
#[pyfunction]
fn _index_stats(path: PathBuf) -> PyResult<String> {
    let idx = stemma::index::Index::open(&path).map_err(to_py)?;
    stats_json(&idx.stats())
}

/// The matches of each document in the index, as `stemma query IDX` finds them, in the form
/// of `scan --against IDX`'s `index_matches` lines (`input`, `indexed`, then the pair's fields).
#[pyfunction]
#[pyo3(signature = (path, docs, config = None, from_paths = false))]
fn _index_query(
    py: Python<'_>,
    path: PathBuf,
    docs: &Bound<'_, PyAny>,
    config: Option<&Config>,
    from_paths: bool,
) -> PyResult<String> {
    let docs = load(py, docs, from_paths, MAX_DOC_BYTES)?.0;
    py.detach(|| -> PyResult<String> {
        let index = stemma::index::Index::open(&path).map_err(to_py)?;
        let config = index_config(&index.manifest, config);
        config.validate().map_err(to_py)?;
        index.check_config(&config).map_err(to_py)?;
        let results = stemma::index::query::query(&index, &docs, &config).map_err(to_py)?;
        let lines = stemma::report::json::index_match_lines(results);
        serde_json::to_string(&lines).map_err(|e| StemmaError::new_err(e.to_string()))
    })
}

/// Documents from Python objects or paths, with what was read.
fn load(
    py: Python<'_>,
    docs: &Bound<'_, PyAny>,
    from_paths: bool,
    max_doc_bytes: usize,
) -> PyResult<(Vec<Document>, InputSummary)> {
    if from_paths {
        let paths = paths_of(docs)?;
        let opts = ReadOptions {
            max_doc_bytes,
            ..ReadOptions::default()
        };
        let read = py.detach(|| read_inputs(&paths, &opts)).map_err(to_py)?;
        let inputs = InputSummary::from(&read);
        Ok((read.documents, inputs))
    } else {
        let mut docs = documents_of(docs)?;
        let truncated = truncate_long(&mut docs, max_doc_bytes);
        let inputs = python_inputs(&docs, truncated);
        Ok((docs, inputs))
    }
}

/// The native module `stemma._stemma`; the package `stemma` re-exports and wraps it.
#[pymodule]
fn _stemma(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("StemmaError", m.py().get_type::<StemmaError>())?;
    m.add("IndexError", m.py().get_type::<IndexError>())?;
    m.add_class::<Config>()?;
    m.add_class::<Signature>()?;
    m.add_class::<MinHasher>()?;
    m.add_function(wrap_pyfunction!(_config_from_json, m)?)?;
    m.add_function(wrap_pyfunction!(_scan, m)?)?;
    m.add_function(wrap_pyfunction!(_trace, m)?)?;
    m.add_function(wrap_pyfunction!(_dedup, m)?)?;
    m.add_function(wrap_pyfunction!(_compare, m)?)?;
    m.add_function(wrap_pyfunction!(_dedup_keys_arrow, m)?)?;
    m.add_function(wrap_pyfunction!(_jaccard_arrow, m)?)?;
    m.add_function(wrap_pyfunction!(scan::_scan_keys_arrow, m)?)?;
    m.add_function(wrap_pyfunction!(scan::_shingle_sets_arrow, m)?)?;
    m.add_function(wrap_pyfunction!(scan::_verify_batch, m)?)?;
    m.add_function(wrap_pyfunction!(scan::_identical_batch, m)?)?;
    m.add_function(wrap_pyfunction!(scan::_component_families, m)?)?;
    m.add_function(wrap_pyfunction!(_index_build, m)?)?;
    m.add_function(wrap_pyfunction!(_index_add, m)?)?;
    m.add_function(wrap_pyfunction!(_index_remove, m)?)?;
    m.add_function(wrap_pyfunction!(_index_stats, m)?)?;
    m.add_function(wrap_pyfunction!(_index_query, m)?)?;
    Ok(())
}
