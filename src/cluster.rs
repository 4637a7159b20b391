//! Families: groups of documents linked by relations, without chaining unrelated texts.
//!
//! Plain connected components chain: if B quotes A and also quotes C, components put A and C
//! in one family although they share nothing. The default [`FamilyPolicy::Strict`] merges two
//! groups only when every member of one is *linked* to every member of the other (a relation,
//! or shared shingles: the caller decides), trying the strongest relations first
//! (complete-linkage agglomeration). [`FamilyPolicy::Connected`] gives plain components for
//! users who want them.
//!
//! Invariants: families are a partition of the related documents (every document is in at most
//! one family, every family has at least two members); the result depends only on the set of
//! edges and the link predicate, never on input order or thread count.

pub use crate::config::FamilyPolicy;

/// A relation between two documents, as clustering sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edge {
    /// One document (dense index).
    pub a: u32,
    /// The other document.
    pub b: u32,
    /// Larger is stronger; edges are merged strongest first.
    pub strength: f64,
}

/// One family: its members (sorted) and whether it hit the size cap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Dense document indices, ascending.
    pub members: Vec<u32>,
    /// True when a merge was refused because the family would exceed the size cap: the family
    /// is suspicious (boilerplate or a template) and is reported as such.
    pub capped: bool,
}

/// Groups documents into families.
///
/// `linked(x, y)` is asked (with x < y) only under [`FamilyPolicy::Strict`], for pairs that
/// have no edge. Families larger than `max_family_size` are not formed: the merge is refused and
/// the family marked `capped`.
pub fn families(
    edges: &[Edge],
    policy: FamilyPolicy,
    max_family_size: usize,
    mut linked: impl FnMut(u32, u32) -> bool,
) -> Vec<Group> {
    let mut order: Vec<&Edge> = edges.iter().filter(|e| e.a != e.b).collect();
    order.sort_by(|x, y| {
        y.strength
            .total_cmp(&x.strength)
            .then((x.a.min(x.b), x.a.max(x.b)).cmp(&(y.a.min(y.b), y.a.max(y.b))))
    });
    let mut edge_set: Vec<(u32, u32)> =
        order.iter().map(|e| (e.a.min(e.b), e.a.max(e.b))).collect();
    edge_set.sort_unstable();
    edge_set.dedup();
    let has_edge = |x: u32, y: u32| edge_set.binary_search(&(x.min(y), x.max(y))).is_ok();

    // Union-find over the documents that appear in edges, with member lists at the roots.
    let mut nodes: Vec<u32> = edge_set.iter().flat_map(|&(a, b)| [a, b]).collect();
    nodes.sort_unstable();
    nodes.dedup();
    let index = |d: u32| nodes.binary_search(&d).expect("node of an edge");
    let mut parent: Vec<usize> = (0..nodes.len()).collect();
    let mut members: Vec<Vec<u32>> = nodes.iter().map(|&d| vec![d]).collect();
    let mut capped = vec![false; nodes.len()];
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for e in order {
        let (ra, rb) = (find(&mut parent, index(e.a)), find(&mut parent, index(e.b)));
        if ra == rb {
            continue;
        }
        if members[ra].len() + members[rb].len() > max_family_size {
            capped[ra] = true;
            capped[rb] = true;
            continue;
        }
        if policy == FamilyPolicy::Strict {
            let all_linked = members[ra].iter().all(|&x| {
                members[rb]
                    .iter()
                    .all(|&y| has_edge(x, y) || linked(x.min(y), x.max(y)))
            });
            if !all_linked {
                continue;
            }
        }
        // Union by size; the smaller list moves.
        let (big, small) = if members[ra].len() >= members[rb].len() {
            (ra, rb)
        } else {
            (rb, ra)
        };
        parent[small] = big;
        let moved = std::mem::take(&mut members[small]);
        members[big].extend(moved);
        capped[big] |= capped[small];
    }
    let mut groups: Vec<Group> = members
        .into_iter()
        .enumerate()
        .filter(|(i, m)| parent[*i] == *i && m.len() >= 2)
        .map(|(i, mut m)| {
            m.sort_unstable();
            Group {
                members: m,
                capped: capped[i],
            }
        })
        .collect();
    groups.sort_by(|x, y| x.members[0].cmp(&y.members[0]));
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn edge(a: u32, b: u32, strength: f64) -> Edge {
        Edge { a, b, strength }
    }

    #[test]
    fn strict_policy_does_not_chain_unrelated_texts() {
        // 0 ~ 1 and 1 ~ 2, but 0 and 2 share nothing.
        let edges = [edge(0, 1, 0.9), edge(1, 2, 0.5)];
        let strict = families(&edges, FamilyPolicy::Strict, 100, |_, _| false);
        assert_eq!(
            strict,
            vec![Group {
                members: vec![0, 1],
                capped: false
            }]
        );
        let connected = families(&edges, FamilyPolicy::Connected, 100, |_, _| false);
        assert_eq!(
            connected,
            vec![Group {
                members: vec![0, 1, 2],
                capped: false
            }]
        );
        // When 0 and 2 do share something, strict joins them too.
        let linked = families(&edges, FamilyPolicy::Strict, 100, |x, y| (x, y) == (0, 2));
        assert_eq!(
            linked,
            vec![Group {
                members: vec![0, 1, 2],
                capped: false
            }]
        );
    }

    #[test]
    fn size_cap_marks_the_family() {
        let edges = [edge(0, 1, 1.0), edge(1, 2, 1.0), edge(0, 2, 1.0)];
        let g = families(&edges, FamilyPolicy::Connected, 2, |_, _| true);
        assert_eq!(
            g,
            vec![Group {
                members: vec![0, 1],
                capped: true
            }]
        );
    }

    proptest! {
        #[test]
        fn families_form_a_partition_independent_of_edge_order(
            raw in proptest::collection::vec((0u32..30, 0u32..30, 0u8..4), 0..60),
            links in proptest::collection::vec((0u32..30, 0u32..30), 0..80),
            rotate in 0usize..60,
            strict in any::<bool>(),
        ) {
            let edges: Vec<Edge> = raw.iter().map(|&(a, b, s)| edge(a, b, s as f64)).collect();
            let mut links: Vec<(u32, u32)> = links.iter().map(|&(a, b)| (a.min(b), a.max(b))).collect();
            links.sort_unstable();
            let policy = if strict { FamilyPolicy::Strict } else { FamilyPolicy::Connected };
            let run = |edges: &[Edge]| families(edges, policy, 1000, |x, y| links.binary_search(&(x, y)).is_ok());
            let groups = run(&edges);
            let mut seen = std::collections::BTreeSet::new();
            for g in &groups {
                prop_assert!(g.members.len() >= 2);
                prop_assert!(g.members.windows(2).all(|w| w[0] < w[1]));
                for &m in &g.members {
                    prop_assert!(seen.insert(m), "document {} in two families", m);
                }
                if strict {
                    for (i, &x) in g.members.iter().enumerate() {
                        for &y in &g.members[i + 1..] {
                            let direct = edges.iter().any(|e| (e.a.min(e.b), e.a.max(e.b)) == (x, y));
                            prop_assert!(direct || links.binary_search(&(x, y)).is_ok());
                        }
                    }
                }
            }
            let mut shuffled = edges.clone();
            if !shuffled.is_empty() {
                let r = rotate % shuffled.len();
                shuffled.rotate_left(r);
                shuffled.reverse();
            }
            prop_assert_eq!(run(&shuffled), groups);
        }
    }
}
