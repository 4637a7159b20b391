//! Named positions, so a document's place in the analysis cannot be mixed up with its place in
//! the input.
//!
//! An [`Analysis`](crate::Analysis) sorts documents by id (the canonical order every stage,
//! report and thread count shares); a [`DocIndex`] is a position in that order, an index into
//! [`Analysis::documents`](crate::Analysis::documents), [`Provenance`](crate::Provenance)'s
//! per-document vectors and a report's `documents`. Where a document stood in the input is
//! [`DocumentInfo::input_index`](crate::pipeline::DocumentInfo::input_index), a plain `usize`
//! (the position in the slice given to [`analyze`](crate::analyze), or in
//! [`ReadReport::documents`](crate::corpus::ReadReport::documents)).

use std::fmt;
use std::ops::{Index, IndexMut};

/// A document's canonical position: its index in [`Analysis::documents`](crate::Analysis::documents).
///
/// Vectors and slices indexed by canonical position can be indexed with it directly:
///
/// ```
/// use stemma::{analyze, Config, DocIndex, Document, Silent};
///
/// let text = "The council voted on Monday to close the old library on the river road and to \
///             build a new one beside the school, a project that has waited ten years.";
/// let docs = vec![Document::new("b", text), Document::new("a", text)];
/// let analysis = analyze(&docs, &Config::default(), &Silent).unwrap();
/// let pair = &analysis.pairs[0];
/// assert_eq!((pair.a, pair.b), (DocIndex(0), DocIndex(1)));
/// // Canonical order is id order: "a" (input position 1) comes first.
/// assert_eq!(analysis.documents[pair.a].id, "a");
/// assert_eq!(analysis.documents[pair.a].input_index, 1);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DocIndex(pub u32);

impl DocIndex {
    /// The position as a `usize`, for indexing.
    #[inline]
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl From<DocIndex> for usize {
    #[inline]
    fn from(d: DocIndex) -> usize {
        d.index()
    }
}

impl From<u32> for DocIndex {
    #[inline]
    fn from(d: u32) -> DocIndex {
        DocIndex(d)
    }
}

impl fmt::Display for DocIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<T> Index<DocIndex> for [T] {
    type Output = T;
    #[inline]
    fn index(&self, d: DocIndex) -> &T {
        &self[d.index()]
    }
}

impl<T> IndexMut<DocIndex> for [T] {
    #[inline]
    fn index_mut(&mut self, d: DocIndex) -> &mut T {
        &mut self[d.index()]
    }
}

impl<T> Index<DocIndex> for Vec<T> {
    type Output = T;
    #[inline]
    fn index(&self, d: DocIndex) -> &T {
        &self[d.index()]
    }
}

impl<T> IndexMut<DocIndex> for Vec<T> {
    #[inline]
    fn index_mut(&mut self, d: DocIndex) -> &mut T {
        &mut self[d.index()]
    }
}
