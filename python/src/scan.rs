//! Bindings of `stemma::distributed` for `stemma.spark.scan`: per Arrow batch (keys, shingle
//! sets) or per batch of candidate pairs and per connected component (verification,
//! families). Values cross as little-endian bytes (per document) or lists (per candidate
//! pair and component, which are few next to the documents); hashes are u64 and travel as
//! Spark's signed longs, bit for bit.

use pyo3::prelude::*;
use pyo3::types::PyBytes;
use rayon::prelude::*;

use stemma::distributed::{
    document_keys, families, identical_pair, pair_json, sources_of_bits, strength, verify,
    DocumentKeys, DocumentStats,
};
use stemma::fingerprint::Profiler;
use stemma::DocIndex;

use crate::{arrow_texts, Config};

fn u64_bytes(values: impl IntoIterator<Item = u64>) -> Vec<u8> {
    values.into_iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// Flat values and Arrow i32 offsets of one list per document.
fn lists<'a>(rows: impl Iterator<Item = &'a Vec<u64>>) -> PyResult<(Vec<u8>, Vec<u8>)> {
    let (mut values, mut offsets) = (Vec::new(), vec![0u8; 4]);
    let mut n = 0usize;
    for row in rows {
        n += row.len();
        let end = i32::try_from(n).map_err(|_| {
            pyo3::exceptions::PyValueError::new_err(
                "an Arrow batch holds more than 2^31 keys: lower spark.sql.execution.arrow.maxRecordsPerBatch",
            )
        })?;
        values.extend(u64_bytes(row.iter().copied()));
        offsets.extend(end.to_le_bytes());
    }
    Ok((values, offsets))
}

/// The keys of every text of an Arrow string column (`stemma::distributed::document_keys`):
/// `(tokens, content_hash, set_hash, shingles, simhash, band_keys, winnowed, winnowed_offsets,
/// bigrams, bigram_offsets)`: five u64 per text, `n * bands` band keys (0 for an empty text,
/// which the caller drops), and two lists per text (values u64, offsets i32).
#[pyfunction]
#[pyo3(signature = (config, offsets, data, width, offset, length))]
pub(crate) fn _scan_keys_arrow<'py>(
    py: Python<'py>,
    config: &Config,
    offsets: &[u8],
    data: &[u8],
    width: usize,
    offset: usize,
    length: usize,
) -> PyResult<Vec<Bound<'py, PyBytes>>> {
    let texts = arrow_texts(offsets, data, width, offset, length)?;
    let config = &config.inner;
    let profiler = Profiler::new(&config.fingerprint);
    let bands = stemma::fingerprint::banding_for(config).bands;
    let out = py.detach(|| -> PyResult<Vec<Vec<u8>>> {
        let keys: Vec<DocumentKeys> = texts
            .par_iter()
            .map(|t| document_keys(&profiler, config, t))
            .collect();
        let mut out = vec![
            u64_bytes(keys.iter().map(|k| k.tokens as u64)),
            u64_bytes(keys.iter().map(|k| k.content_hash)),
            u64_bytes(keys.iter().map(|k| k.set_hash)),
            u64_bytes(keys.iter().map(|k| k.shingles as u64)),
            u64_bytes(keys.iter().map(|k| k.simhash)),
            u64_bytes(keys.iter().flat_map(|k| {
                let mut b = k.band_keys.clone();
                b.resize(bands, 0);
                b
            })),
        ];
        let (w, wo) = lists(keys.iter().map(|k| &k.winnowed))?;
        let (g, go) = lists(keys.iter().map(|k| &k.bigrams))?;
        out.extend([w, wo, g, go]);
        Ok(out)
    })?;
    Ok(out.iter().map(|b| PyBytes::new(py, b)).collect())
}

/// The shingle sets of the texts of an Arrow string column: `(values, offsets)` (u64, i32).
#[pyfunction]
#[pyo3(signature = (config, offsets, data, width, offset, length))]
pub(crate) fn _shingle_sets_arrow<'py>(
    py: Python<'py>,
    config: &Config,
    offsets: &[u8],
    data: &[u8],
    width: usize,
    offset: usize,
    length: usize,
) -> PyResult<(Bound<'py, PyBytes>, Bound<'py, PyBytes>)> {
    let texts = arrow_texts(offsets, data, width, offset, length)?;
    let profiler = Profiler::new(&config.inner.fingerprint);
    let (v, o) = py.detach(|| {
        let sets: Vec<Vec<u64>> = texts.par_iter().map(|t| profiler.shingle_set(t)).collect();
        lists(sets.iter())
    })?;
    Ok((PyBytes::new(py, &v), PyBytes::new(py, &o)))
}

/// One end of a batch of candidate pairs: document index, id, text, and its statistics
/// (bigrams found in 2+ documents with their frequencies; boilerplate shingles).
type End = (
    Vec<i64>,
    Vec<String>,
    Vec<String>,
    Vec<Vec<i64>>,
    Vec<Vec<i64>>,
    Vec<Vec<i64>>,
);

fn stats_of(keys: &[i64], dfs: &[i64], boilerplate: &[i64]) -> DocumentStats {
    let mut bigram_df: Vec<(u64, u32)> = keys
        .iter()
        .zip(dfs)
        .map(|(&h, &df)| (h as u64, df.clamp(0, u32::MAX as i64) as u32))
        .collect();
    bigram_df.sort_unstable();
    let mut boilerplate: Vec<u64> = boilerplate.iter().map(|&h| h as u64).collect();
    boilerplate.sort_unstable();
    DocumentStats {
        bigram_df,
        boilerplate,
    }
}

/// Verifies a batch of candidate pairs (`stemma::distributed::verify`) in a corpus of
/// `documents`: for each, the scan's JSON pair line and the family strength, or `None` when
/// the two are not related.
#[pyfunction]
pub(crate) fn _verify_batch(
    py: Python<'_>,
    config: &Config,
    documents: usize,
    a: End,
    b: End,
    sources: Vec<u8>,
) -> PyResult<Vec<Option<(String, f64)>>> {
    let n = sources.len();
    for (name, end) in [("a", &a), ("b", &b)] {
        let lens = [
            end.0.len(),
            end.1.len(),
            end.2.len(),
            end.3.len(),
            end.4.len(),
            end.5.len(),
        ];
        if lens.iter().any(|&l| l != n) {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "_verify_batch: side {name} has columns of lengths {lens:?}, expected {n}"
            )));
        }
    }
    let config = &config.inner;
    let profiler = Profiler::new(&config.fingerprint);
    Ok(py.detach(|| {
        (0..n)
            .into_par_iter()
            .map(|i| {
                let sa = stats_of(&a.3[i], &a.4[i], &a.5[i]);
                let sb = stats_of(&b.3[i], &b.4[i], &b.5[i]);
                let pair = verify(
                    &profiler,
                    config,
                    documents,
                    (DocIndex(a.0[i] as u32), &a.2[i], &sa),
                    (DocIndex(b.0[i] as u32), &b.2[i], &sb),
                    sources_of_bits(sources[i]),
                )?;
                Some((pair_json(&a.1[i], &b.1[i], &pair), strength(&pair)))
            })
            .collect()
    }))
}

/// The pair lines of identical copies (`b` a copy of the first document `a` of its group):
/// `(json, strength)` each.
#[pyfunction]
pub(crate) fn _identical_batch(
    ids_a: Vec<String>,
    ids_b: Vec<String>,
    tokens: Vec<usize>,
    shingles: Vec<usize>,
) -> Vec<(String, f64)> {
    ids_a
        .iter()
        .zip(&ids_b)
        .zip(tokens.iter().zip(&shingles))
        .map(|((a, b), (&t, &s))| {
            let pair = identical_pair(DocIndex(0), DocIndex(1), t, s);
            (pair_json(a, b, &pair), strength(&pair))
        })
        .collect()
}

/// The families of one connected component (`stemma::distributed::families`): members
/// `(index, text)`, edges `(a, b, strength)`. Returns `(members, capped)` per family.
#[pyfunction]
pub(crate) fn _component_families(
    py: Python<'_>,
    config: &Config,
    nodes: Vec<i64>,
    texts: Vec<String>,
    edges: Vec<(i64, i64, f64)>,
) -> Vec<(Vec<i64>, bool)> {
    let config = &config.inner;
    py.detach(|| {
        let texts: Vec<(u32, &str)> = nodes
            .iter()
            .zip(&texts)
            .map(|(&d, t)| (d as u32, t.as_str()))
            .collect();
        let edges: Vec<(u32, u32, f64)> = edges
            .iter()
            .map(|&(a, b, s)| (a as u32, b as u32, s))
            .collect();
        families(config, &edges, &texts)
            .into_iter()
            .map(|g| (g.members.into_iter().map(i64::from).collect(), g.capped))
            .collect()
    })
}
