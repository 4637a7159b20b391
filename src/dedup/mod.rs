//! Deduplication: which records to keep when near-duplicates are removed.
//!
//! The job is deliberately narrow and matches what MinHash dedup libraries do, so results can
//! be compared like for like: LSH banding on MinHash signatures proposes candidates, each
//! candidate is verified on the exact shingle sets (Jaccard at or above the threshold, or an
//! identical normalized text), duplicates are grouped by union-find (transitively), and one
//! record per group is kept by a [`KeepPolicy`].
//!
//! Memory: [`dedup_keys`] holds per record only a [`KeyRecord`] (signature, token count, content
//! hash, `published_at`); exact Jaccards come from a caller-supplied function, asked only for the
//! candidate pairs that survive an estimated-Jaccard filter (`estimate_margin`) and for each
//! removed record with its kept record.
//!
//! Invariant: every record is either kept or removed with the id of a kept record of its group.
//!
//! [`jsonl`] is the IO edge: a JSONL file deduplicated in streaming passes.

pub mod jsonl;
mod table;

use rayon::prelude::*;

use crate::candidates::lsh::lsh_pairs;
use crate::config::Banding;
use crate::config::Config;
use crate::profile::{DedupKey, Profile};
use crate::similarity::overlap;
use crate::sketch::Signature;

/// Which record of a duplicate group is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeepPolicy {
    /// The first in input order. Default.
    #[default]
    First,
    /// The one with the most tokens (ties: the first).
    Longest,
    /// The earliest `published_at` (compared as text, so ISO 8601 dates order correctly;
    /// records without one come last; ties: the first).
    Earliest,
}

impl std::str::FromStr for KeepPolicy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "first" => Ok(KeepPolicy::First),
            "longest" => Ok(KeepPolicy::Longest),
            "earliest" => Ok(KeepPolicy::Earliest),
            _ => Err(format!(
                "unknown keep policy {s:?}: use first, longest or earliest"
            )),
        }
    }
}

/// What dedup needs to know of one record, in input order.
#[derive(Debug, Clone)]
pub struct Record {
    /// The record's fingerprints.
    pub profile: Profile,
    /// `published_at`, for [`KeepPolicy::Earliest`].
    pub published_at: Option<String>,
}

/// A verified duplicate pair (input indices, a < b) with its exact Jaccard.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct DuplicatePair {
    /// First record.
    pub a: usize,
    /// Second record.
    pub b: usize,
    /// Exact Jaccard of the shingle sets.
    pub jaccard: f64,
}

/// The decision for every record.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Decision {
    /// `None`: kept. `Some((kept, jaccard))`: removed as a duplicate of record `kept`, with the
    /// exact Jaccard between the two (which can be below the threshold when the two are joined
    /// through a third record).
    pub duplicate_of: Vec<Option<(usize, f64)>>,
    /// The verified duplicate pairs, sorted.
    pub pairs: Vec<DuplicatePair>,
    /// Candidate pairs proposed by LSH.
    pub candidates: usize,
    /// The banding used.
    pub banding: Banding,
}

/// What dedup keeps of one record while deciding: no text and no shingle set.
#[derive(Debug, Clone)]
pub struct KeyRecord {
    /// Token count, content hash and MinHash signature.
    pub key: DedupKey,
    /// `published_at`, for [`KeepPolicy::Earliest`].
    pub published_at: Option<String>,
}

/// How far below the threshold a candidate's estimated Jaccard may fall and still be verified:
/// six times the largest standard deviation of the estimate, `6 * 0.5 / sqrt(num_perm)`
/// (0.265 for 128 permutations). A pair at or above the threshold is dropped only if its
/// estimate errs by more than 6σ, a normal tail of about 1e-9 per pair.
pub(crate) fn estimate_margin(num_perm: usize) -> f64 {
    3.0 / (num_perm.max(1) as f64).sqrt()
}

/// Decides which records to keep, with the full profiles in memory (tests and small inputs).
pub fn dedup(records: &[Record], config: &Config, policy: KeepPolicy) -> Decision {
    let keys: Vec<KeyRecord> = records
        .iter()
        .map(|r| KeyRecord {
            key: DedupKey {
                tokens: r.profile.tokens,
                content_hash: r.profile.content_hash,
                signature: r.profile.signature.clone(),
            },
            published_at: r.published_at.clone(),
        })
        .collect();
    let exact = |pairs: &[(u32, u32)]| -> crate::Result<Vec<f64>> {
        Ok(pairs
            .iter()
            .map(|&(a, b)| {
                let (pa, pb) = (&records[a as usize].profile, &records[b as usize].profile);
                overlap(&pa.shingles, &pb.shingles).jaccard
            })
            .collect())
    };
    match dedup_keys(&keys, config, policy, exact) {
        Ok(d) => d,
        Err(e) => unreachable!("fetching from memory cannot fail: {e}"),
    }
}

/// Decides which records to keep from their [`KeyRecord`]s.
///
/// LSH proposes candidate pairs; a candidate whose signatures estimate its Jaccard below
/// `threshold - estimate_margin(num_perm)` is dropped unless the two texts are identical;
/// `exact` must return the exact Jaccard of the shingle sets of each pair it is given (sorted
/// pairs `a < b`, in that order): once for the remaining candidates, once for each removed record
/// with its kept record. So memory here holds the keys of all records and no shingle set; what
/// `exact` holds is up to the caller.
///
/// # Errors
/// Whatever `exact` returns.
pub fn dedup_keys(
    records: &[KeyRecord],
    config: &Config,
    policy: KeepPolicy,
    mut exact: impl FnMut(&[(u32, u32)]) -> crate::Result<Vec<f64>>,
) -> crate::Result<Decision> {
    let threshold = config.relations.near_duplicate;
    let banding = crate::candidates::lsh::banding_for(config);
    // LSH reads the signatures in place: a copy would double the largest per-record item.
    let sigs: Vec<&Signature> = records.iter().map(|r| &r.key.signature).collect();
    let outcome = lsh_pairs(&sigs, banding, config.max_bucket);
    drop(sigs);
    let candidates = outcome.pairs.len();
    let floor = threshold - estimate_margin(config.fingerprint.num_perm);
    let identical =
        |a: &DedupKey, b: &DedupKey| a.content_hash == b.content_hash && a.tokens == b.tokens;
    let survivors: Vec<(u32, u32)> = outcome
        .pairs
        .into_par_iter()
        .filter(|&(a, b)| {
            let (ka, kb) = (&records[a as usize].key, &records[b as usize].key);
            ka.tokens > 0
                && kb.tokens > 0
                && (identical(ka, kb) || ka.signature.estimate_jaccard(&kb.signature) >= floor)
        })
        .collect();
    let exact_survivors = if survivors.is_empty() {
        Vec::new()
    } else {
        exact(&survivors)?
    };
    assert_eq!(
        exact_survivors.len(),
        survivors.len(),
        "one Jaccard per pair"
    );
    let pairs: Vec<DuplicatePair> = survivors
        .iter()
        .zip(exact_survivors)
        .filter_map(|(&(a, b), jaccard)| {
            let (a, b) = (a as usize, b as usize);
            let same = identical(&records[a].key, &records[b].key);
            (same || jaccard >= threshold).then_some(DuplicatePair { a, b, jaccard })
        })
        .collect();
    drop(survivors);

    let mut parent: Vec<usize> = (0..records.len()).collect();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for p in &pairs {
        let (ra, rb) = (find(&mut parent, p.a), find(&mut parent, p.b));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    }
    // The kept record of each group: better by policy, ties by input order.
    let better = |x: usize, y: usize| -> bool {
        match policy {
            KeepPolicy::First => x < y,
            KeepPolicy::Longest => {
                let (tx, ty) = (records[x].key.tokens, records[y].key.tokens);
                tx > ty || (tx == ty && x < y)
            }
            KeepPolicy::Earliest => match (&records[x].published_at, &records[y].published_at) {
                (Some(dx), Some(dy)) => dx < dy || (dx == dy && x < y),
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => x < y,
            },
        }
    };
    let mut keeper: Vec<usize> = (0..records.len()).collect();
    for i in 0..records.len() {
        let r = find(&mut parent, i);
        if better(i, keeper[r]) {
            keeper[r] = i;
        }
    }
    // The Jaccard of every removed record with its kept record, computed exactly too.
    let removed: Vec<(u32, u32)> = (0..records.len())
        .filter_map(|i| {
            let k = keeper[find(&mut parent, i)];
            (k != i).then_some((i.min(k) as u32, i.max(k) as u32))
        })
        .collect();
    let removed_jaccard = if removed.is_empty() {
        Vec::new()
    } else {
        exact(&removed)?
    };
    assert_eq!(removed_jaccard.len(), removed.len(), "one Jaccard per pair");
    let mut duplicate_of: Vec<Option<(usize, f64)>> = vec![None; records.len()];
    for (&(a, b), jaccard) in removed.iter().zip(removed_jaccard) {
        let (a, b) = (a as usize, b as usize);
        let k = keeper[find(&mut parent, a)];
        let i = if k == a { b } else { a };
        duplicate_of[i] = Some((k, jaccard));
    }
    Ok(Decision {
        duplicate_of,
        pairs,
        candidates,
        banding,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Profiler;
    use proptest::prelude::*;

    fn records(texts: &[(&str, Option<&str>)]) -> Vec<Record> {
        let profiler = Profiler::new(&Config::default().fingerprint);
        texts
            .iter()
            .map(|(t, date)| Record {
                profile: profiler.profile(t),
                published_at: date.map(String::from),
            })
            .collect()
    }

    fn text(seed: u64, n: usize) -> String {
        let mut g = crate::hash::SplitMix64::new(seed);
        (0..n)
            .map(|_| format!("w{}", g.next() % 5000))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn keep_policies() {
        let base = text(1, 200);
        let longer = format!("{base} and a short tail");
        let other = text(2, 200);
        let rs = records(&[
            (&base, Some("2026-02-21")),
            (&other, None),
            (&longer, Some("2026-02-20")),
            (&base.to_uppercase(), None),
        ]);
        let config = Config::default();
        let first = dedup(&rs, &config, KeepPolicy::First);
        assert_eq!(
            first
                .duplicate_of
                .iter()
                .map(|d| d.map(|x| x.0))
                .collect::<Vec<_>>(),
            [None, None, Some(0), Some(0)]
        );
        let longest = dedup(&rs, &config, KeepPolicy::Longest);
        assert_eq!(longest.duplicate_of[0].map(|x| x.0), Some(2));
        assert_eq!(longest.duplicate_of[2], None);
        let earliest = dedup(&rs, &config, KeepPolicy::Earliest);
        assert_eq!(earliest.duplicate_of[2], None);
        assert_eq!(earliest.duplicate_of[3].map(|x| x.0), Some(2));
        // The identical copy is reported with Jaccard 1.
        assert_eq!(first.duplicate_of[3].map(|x| x.1), Some(1.0));
    }

    #[test]
    fn empty_records_are_all_kept() {
        let rs = records(&[("", None), ("", None), ("  ", None)]);
        let d = dedup(&rs, &Config::default(), KeepPolicy::First);
        assert!(d.duplicate_of.iter().all(Option::is_none));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        #[test]
        fn every_record_is_kept_or_points_at_a_kept_record(
            picks in proptest::collection::vec((0u64..6, any::<bool>()), 1..30),
        ) {
            let texts: Vec<String> = picks
                .iter()
                .map(|&(s, edit)| if edit { format!("{} extra", text(s, 100)) } else { text(s, 100) })
                .collect();
            let rs = records(&texts.iter().map(|t| (t.as_str(), None)).collect::<Vec<_>>());
            for policy in [KeepPolicy::First, KeepPolicy::Longest, KeepPolicy::Earliest] {
                let d = dedup(&rs, &Config::default(), policy);
                prop_assert_eq!(d.duplicate_of.len(), rs.len());
                for dup in d.duplicate_of.iter().flatten() {
                    prop_assert!(d.duplicate_of[dup.0].is_none(), "points at a removed record");
                }
                // One record is kept per distinct source text.
                let kept = d.duplicate_of.iter().filter(|x| x.is_none()).count();
                let mut distinct: Vec<u64> = picks.iter().map(|p| p.0).collect();
                distinct.sort_unstable();
                distinct.dedup();
                prop_assert_eq!(kept, distinct.len());
            }
        }
    }
}
