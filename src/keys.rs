//! Lookups of hash keys in large sorted tables in constant expected time.
//!
//! Verification asks, for every bigram and shingle of every document it views, whether the key
//! is common over the corpus and how many documents hold it. The tables (common and rare
//! bigrams, common fingerprints) grow with the corpus: at a million documents they hold tens of
//! millions of keys, and a binary search over them costs about 25 dependent cache misses per
//! question, more the larger the corpus, which made verification superlinear. The keys are
//! seeded hashes, so their top bits are uniform: a directory from the top bits to the first
//! key with them narrows each question to a few neighbouring keys, about one cache miss. A
//! skewed table (adversarial keys) stays correct and costs at most the binary search it
//! replaces. Answers are those of a binary search over the whole table.

use std::ops::Range;

/// Keys per directory slot, about: a slot's keys share a cache line or two.
const KEYS_PER_SLOT: usize = 4;

/// A record of a [`KeyTable`]: its `u64` key.
pub(crate) trait Keyed {
    /// The key the table is sorted by.
    fn key(&self) -> u64;
}

impl Keyed for u64 {
    fn key(&self) -> u64 {
        *self
    }
}

/// `(key, value)`: a count, a document.
impl Keyed for (u64, u32) {
    fn key(&self) -> u64 {
        self.0
    }
}

/// A sorted table of records with `u64` keys and a directory on the keys' top bits.
#[derive(Debug)]
pub(crate) struct KeyTable<'a, T> {
    items: &'a [T],
    /// `starts[s]` is the first record whose key's top bits are at least `s`; one more entry
    /// than slots.
    starts: Vec<usize>,
    /// The bits of a key below its slot number.
    shift: u32,
}

impl<'a, T: Keyed> KeyTable<'a, T> {
    /// Indexes `items`, sorted by key (unique keys or not).
    pub fn new(items: &'a [T]) -> Self {
        let key = T::key;
        debug_assert!(items.windows(2).all(|w| key(&w[0]) <= key(&w[1])));
        let bits = (items.len() / KEYS_PER_SLOT).max(1).ilog2();
        let shift = 64 - bits;
        let slots = 1usize << bits;
        let mut starts = Vec::with_capacity(slots + 1);
        for (i, item) in items.iter().enumerate() {
            let slot = slot_of(key(item), shift);
            while starts.len() <= slot {
                starts.push(i);
            }
        }
        starts.resize(slots + 1, items.len());
        KeyTable {
            items,
            starts,
            shift,
        }
    }

    /// The record with key `h` (the first, if several), like a binary search over the table.
    pub fn get(&self, h: u64) -> Option<&'a T> {
        let Range { start, end } = self.candidates(h);
        let slice = &self.items[start..end];
        let key = T::key;
        let at = slice.partition_point(|x| key(x) < h);
        slice.get(at).filter(|x| key(x) == h)
    }

    /// Whether some record has key `h`.
    pub fn contains(&self, h: u64) -> bool {
        self.get(h).is_some()
    }

    /// The records whose keys share `h`'s slot.
    fn candidates(&self, h: u64) -> Range<usize> {
        let s = slot_of(h, self.shift);
        self.starts[s]..self.starts[s + 1]
    }
}

/// The slot of key `h`: its top `64 - shift` bits (slot 0 for a one-slot directory).
fn slot_of(h: u64, shift: u32) -> usize {
    h.checked_shr(shift).unwrap_or(0) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Every answer is the binary search's, for random keys, skewed keys (all in one slot)
        /// and repeats.
        #[test]
        fn answers_as_a_binary_search(
            mut keys in proptest::collection::vec(any::<u64>(), 0..600),
            skew in 0u32..64,
            probes in proptest::collection::vec(any::<u64>(), 0..50),
        ) {
            for k in &mut keys {
                *k >>= skew;
            }
            keys.extend(keys.clone().into_iter().step_by(7));
            keys.sort_unstable();
            let items: Vec<(u64, u32)> = keys.iter().enumerate().map(|(i, &k)| (k, i as u32)).collect();
            let table = KeyTable::new(&items);
            let plain = KeyTable::new(&keys);
            for h in probes.iter().copied().chain(keys.iter().copied()).chain(keys.iter().map(|k| k.wrapping_add(1))) {
                let want = items.partition_point(|r| r.0 < h);
                let want = items.get(want).filter(|r| r.0 == h);
                prop_assert_eq!(table.get(h), want);
                prop_assert_eq!(plain.contains(h), keys.binary_search(&h).is_ok());
            }
        }
    }

    #[test]
    fn empty_and_single_tables() {
        let none: [u64; 0] = [];
        assert!(!KeyTable::new(&none).contains(0));
        let one = [u64::MAX];
        let t = KeyTable::new(&one);
        assert!(t.contains(u64::MAX) && !t.contains(0));
    }
}
