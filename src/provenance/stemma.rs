//! The stemma of a family: which text derives from which, or from a source outside the corpus.
//!
//! Nodes are the family's documents plus one node per outside source: each agency or outlet the
//! members credit that is not itself a member, and, when two members are siblings of a source
//! nobody names, a latent `common-source`. Candidate parent edges carry weights from the
//! evidence (a pair's direction verdict and its relation; a credit in the text; being a sibling
//! of a member that credits the same source), and the stemma is the maximum-weight
//! arborescence (Chu–Liu/Edmonds) under a virtual root standing for "no known source". Every
//! member gets exactly one parent (a document, an outside source, or none), so the stemma is a
//! forest by construction; each edge keeps its confidence and evidence.
//!
//! Candidate edges between documents never go against their pair's evidence: an undetermined
//! pair gives a weak edge only in the direction its evidence leans to, and none when it does not
//! lean.

use super::direction::{Direction, DocFacts, Evidence, Favors, Verdict};
use crate::relate::Relation;
use crate::types::DocIndex;

/// A member's parent in the stemma.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Parent {
    /// No known source.
    Root,
    /// Another member.
    Document(DocIndex),
    /// A source outside the corpus, by canonical name (`common-source` when unnamed).
    External(String),
}

/// What kind of derivation an edge is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EdgeKind {
    /// Duplicate or near-duplicate of the parent.
    Copy,
    /// Mostly contained in the parent.
    Excerpt,
    /// Takes passages from the parent.
    PartialReuse,
    /// Re-words the parent.
    Rewrite,
    /// Credits an outside source.
    CreditedExternalSource,
    /// Sibling of other members under an unnamed outside source.
    CommonSource,
    /// No known source.
    Root,
}

impl EdgeKind {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::Copy => "copy",
            EdgeKind::Excerpt => "excerpt",
            EdgeKind::PartialReuse => "partial-reuse",
            EdgeKind::Rewrite => "rewrite",
            EdgeKind::CreditedExternalSource => "credited-external-source",
            EdgeKind::CommonSource => "common-source",
            EdgeKind::Root => "root",
        }
    }

    fn of(relation: Relation) -> Self {
        match relation {
            Relation::Duplicate | Relation::NearDuplicate => EdgeKind::Copy,
            Relation::Excerpt => EdgeKind::Excerpt,
            Relation::PartialReuse => EdgeKind::PartialReuse,
            Relation::Rewrite => EdgeKind::Rewrite,
        }
    }
}

/// One member's edge.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct StemmaEdge {
    /// The parent.
    pub parent: Parent,
    /// The member.
    pub child: DocIndex,
    /// The kind of derivation.
    pub kind: EdgeKind,
    /// 0..1: the edge's weight discounted by the best alternative parent.
    pub confidence: f64,
    /// The evidence for the edge.
    pub evidence: Vec<Evidence>,
}

/// A member and its facts.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    /// Dense document index.
    pub doc: u32,
    /// Outlet, date, credits.
    pub facts: DocFacts,
}

/// A related pair inside the family with its direction (oriented a -> b).
#[derive(Debug, Clone)]
pub(crate) struct PairDirection {
    /// First document.
    pub a: u32,
    /// Second document.
    pub b: u32,
    /// The pair's relation.
    pub relation: Relation,
    /// The direction verdict.
    pub direction: Direction,
    /// Token ranges of the substantive shared passages (not captions, boilerplate or short
    /// runs) on A's side and, in the same order, on B's side.
    pub shared: Vec<((u32, u32), (u32, u32))>,
}

/// Weight of "no known source": any real evidence beats it.
const ROOT_WEIGHT: f64 = 0.05;
const LATENT: &str = "common-source";
/// Evidence weights summing to less than this either way are no lean.
const LEAN_EPSILON: f64 = 1e-9;

fn relation_strength(r: Relation) -> f64 {
    match r {
        Relation::Duplicate => 1.0,
        Relation::NearDuplicate => 0.9,
        Relation::Excerpt => 0.8,
        Relation::PartialReuse => 0.6,
        Relation::Rewrite => 0.4,
    }
}

#[derive(Debug, Clone)]
struct Candidate {
    parent: Parent,
    child: usize,
    weight: f64,
    kind: EdgeKind,
    evidence: Vec<Evidence>,
}

/// Builds the stemma of one family: one edge per member, sorted by child.
pub(crate) fn build(members: &[Member], pairs: &[PairDirection]) -> Vec<StemmaEdge> {
    let index = |d: u32| members.iter().position(|m| m.doc == d);
    let outlet_member = |source: &str| {
        members.iter().position(|m| {
            m.facts
                .outlet
                .as_deref()
                .is_some_and(|o| o.eq_ignore_ascii_case(source))
        })
    };
    let mut cands: Vec<Candidate> = Vec::new();
    for (ci, m) in members.iter().enumerate() {
        cands.push(Candidate {
            parent: Parent::Root,
            child: ci,
            weight: ROOT_WEIGHT,
            kind: EdgeKind::Root,
            evidence: vec![Evidence {
                signal: "no-source",
                favors: Favors::Context,
                weight: 0.0,
                reason: format!(
                    "no evidence that {} derives from another text or a credited source",
                    m.facts.id
                ),
            }],
        });
        for c in &m.facts.credits {
            let weight = if c.photo_only { 0.35 } else { 0.7 };
            let what = if c.photo_only {
                "credits a picture to"
            } else {
                "credits"
            };
            let ev = Evidence {
                signal: if c.photo_only {
                    "photo-credit"
                } else {
                    "credit"
                },
                favors: Favors::Context,
                weight,
                reason: format!("{} {what} {} (\"{}\")", m.facts.id, c.source, c.text),
            };
            match outlet_member(&c.source) {
                Some(pi) if pi != ci => cands.push(Candidate {
                    parent: Parent::Document(DocIndex(members[pi].doc)),
                    child: ci,
                    weight,
                    kind: EdgeKind::PartialReuse,
                    evidence: vec![ev],
                }),
                Some(_) => {}
                None => cands.push(Candidate {
                    parent: Parent::External(c.source.clone()),
                    child: ci,
                    weight,
                    kind: EdgeKind::CreditedExternalSource,
                    evidence: vec![ev],
                }),
            }
        }
    }
    for p in pairs {
        let (Some(ai), Some(bi)) = (index(p.a), index(p.b)) else {
            continue;
        };
        let s = relation_strength(p.relation);
        let d = &p.direction;
        let mut add = |from: usize, to: usize, weight: f64| {
            cands.push(Candidate {
                parent: Parent::Document(DocIndex(members[from].doc)),
                child: to,
                weight,
                kind: EdgeKind::of(p.relation),
                evidence: d.evidence.clone(),
            });
        };
        match d.verdict {
            Verdict::AToB => add(ai, bi, s * (0.5 + 0.5 * d.confidence)),
            Verdict::BToA => add(bi, ai, s * (0.5 + 0.5 * d.confidence)),
            Verdict::Undetermined => {
                // Thin or conflicting evidence: a weak edge, only in the direction the evidence
                // leans to (never against it), and none when it does not lean at all.
                let lean = super::direction::lean(d);
                if lean > LEAN_EPSILON {
                    add(ai, bi, s * 0.2);
                } else if lean < -LEAN_EPSILON {
                    add(bi, ai, s * 0.2);
                }
            }
            Verdict::CommonSource => {
                // Siblings: a bonus on the outside source they share, or a latent one.
                let shared: Vec<String> = members[ai]
                    .facts
                    .credits
                    .iter()
                    .filter(|c| {
                        members[bi].facts.credit_for_source(&c.source)
                            && outlet_member(&c.source).is_none()
                    })
                    .map(|c| c.source.clone())
                    .collect();
                let sibling_reason = |x: usize, y: usize| {
                    Evidence {
                    signal: "sibling",
                    favors: Favors::CommonSource,
                    weight: 0.15,
                    reason: format!(
                        "{} and {} share passages but each has material the other lacks: siblings of one source (confidence {:.2})",
                        members[x].facts.id, members[y].facts.id, d.confidence
                    ),
                }
                };
                for (x, y) in [(ai, bi), (bi, ai)] {
                    if shared.is_empty() {
                        cands.push(Candidate {
                            parent: Parent::External(LATENT.to_string()),
                            child: x,
                            weight: 0.3 * d.confidence.max(0.3),
                            kind: EdgeKind::CommonSource,
                            evidence: vec![sibling_reason(x, y)],
                        });
                    }
                    for source in &shared {
                        for c in cands.iter_mut() {
                            if c.child == x && c.parent == Parent::External(source.clone()) {
                                c.weight += 0.15;
                                c.evidence.push(sibling_reason(x, y));
                            }
                        }
                    }
                }
            }
        }
    }

    // Closest text: a member whose shared passages are found in one other member and not in
    // the others is on that member's branch (its text, or the same source's text).
    for (ci, m) in members.iter().enumerate() {
        let partners: Vec<(usize, Vec<(u32, u32)>)> = pairs
            .iter()
            .filter_map(|p| match (index(p.a), index(p.b)) {
                (Some(a), Some(b)) if a == ci => Some((b, p.shared.iter().map(|s| s.0).collect())),
                (Some(a), Some(b)) if b == ci => Some((a, p.shared.iter().map(|s| s.1).collect())),
                _ => None,
            })
            .collect();
        if partners.len() < 2 {
            continue;
        }
        let len = partners
            .iter()
            .flat_map(|(_, r)| r.iter().map(|x| x.1 as usize))
            .max()
            .unwrap_or(0);
        let mut count = vec![0u16; len];
        for (_, ranges) in &partners {
            for &(s, e) in ranges {
                for c in &mut count[s as usize..e as usize] {
                    *c = c.saturating_add(1);
                }
            }
        }
        let mut exclusive: Vec<(usize, usize)> = partners
            .iter()
            .map(|(pi, ranges)| {
                let n = ranges
                    .iter()
                    .map(|&(s, e)| {
                        count[s as usize..e as usize]
                            .iter()
                            .filter(|&&c| c == 1)
                            .count()
                    })
                    .sum();
                (n, *pi)
            })
            .collect();
        exclusive.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
        let (best, pi) = exclusive[0];
        let second = exclusive[1].0;
        if best < 20 || best < 2 * second {
            continue;
        }
        let ev = Evidence {
            signal: "closest-text",
            favors: Favors::Context,
            weight: 0.25,
            reason: format!(
                "{best} tokens of {}'s shared passages are found in {} and in no other member (at most {second} for any other): it follows that text's branch",
                m.facts.id, members[pi].facts.id
            ),
        };
        for c in cands.iter_mut() {
            if c.child == ci && c.parent == Parent::Document(DocIndex(members[pi].doc)) {
                c.weight += 0.25;
                c.evidence.insert(0, ev.clone());
            }
        }
    }

    // Nodes: 0 = virtual root, 1..=n members, then outside sources (sorted names).
    let n = members.len();
    let mut externals: Vec<String> = cands
        .iter()
        .filter_map(|c| match &c.parent {
            Parent::External(name) => Some(name.clone()),
            _ => None,
        })
        .collect();
    externals.sort();
    externals.dedup();
    let node_of = |p: &Parent| match p {
        Parent::Root => 0,
        Parent::Document(d) => 1 + index(d.0).expect("member"),
        Parent::External(name) => 1 + n + externals.binary_search(name).expect("external"),
    };
    let mut edges: Vec<(usize, usize, f64)> = cands
        .iter()
        .map(|c| (node_of(&c.parent), 1 + c.child, c.weight))
        .collect();
    for e in 0..externals.len() {
        edges.push((0, 1 + n + e, 1.0));
    }
    let chosen = max_arborescence(1 + n + externals.len(), &edges);

    let mut out: Vec<StemmaEdge> = (0..n)
        .map(|ci| {
            let e = chosen[1 + ci].expect("every member has a parent edge");
            let c = &cands[e];
            let alternative = cands
                .iter()
                .enumerate()
                .filter(|(j, o)| *j != e && o.child == ci && o.parent != c.parent)
                .map(|(_, o)| o.weight)
                .fold(0.0, f64::max);
            let confidence = if c.kind == EdgeKind::Root {
                0.5 * (1.0 - alternative).max(0.0)
            } else {
                c.weight.min(1.0) * (1.0 - alternative / (c.weight + alternative + 0.05))
            };
            StemmaEdge {
                parent: c.parent.clone(),
                child: DocIndex(members[ci].doc),
                kind: c.kind,
                confidence: (confidence.clamp(0.0, 1.0) * 100.0).round() / 100.0,
                evidence: c.evidence.clone(),
            }
        })
        .collect();
    out.sort_by_key(|e| e.child);
    out
}

impl DocFacts {
    fn credit_for_source(&self, source: &str) -> bool {
        self.credits
            .iter()
            .any(|c| c.source.eq_ignore_ascii_case(source))
    }
}

/// Maximum-weight arborescence rooted at node 0 (Chu–Liu/Edmonds). `edges` are
/// `(from, to, weight)`; every node other than 0 must have an incoming edge. Returns, per node,
/// the index in `edges` of its chosen incoming edge (`None` for the root). Ties go to the edge
/// listed first, so the result is deterministic.
pub(crate) fn max_arborescence(nodes: usize, edges: &[(usize, usize, f64)]) -> Vec<Option<usize>> {
    let work: Vec<(usize, usize, f64, usize)> = edges
        .iter()
        .enumerate()
        .filter(|(_, e)| e.0 != e.1 && e.1 != 0)
        .map(|(i, e)| (e.0, e.1, e.2, i))
        .collect();
    let chosen = solve(nodes, &work);
    let mut out = vec![None; nodes];
    for id in chosen.into_iter().flatten() {
        out[edges[id].1] = Some(id);
    }
    out
}

/// Returns, per node of this (possibly contracted) graph, the original id of its chosen edge.
fn solve(nodes: usize, edges: &[(usize, usize, f64, usize)]) -> Vec<Option<usize>> {
    // Best incoming edge per node (index into `edges`).
    let mut best: Vec<Option<usize>> = vec![None; nodes];
    for (i, e) in edges.iter().enumerate() {
        if e.0 == e.1 || e.1 == 0 {
            continue;
        }
        if best[e.1].is_none_or(|b| e.2 > edges[b].2) {
            best[e.1] = Some(i);
        }
    }
    // Find a cycle among the best edges.
    let mut color = vec![0u8; nodes]; // 0 new, 1 on path, 2 done
    let mut cycle: Option<Vec<usize>> = None;
    'outer: for start in 1..nodes {
        let mut path = Vec::new();
        let mut v = start;
        while v != 0 && color[v] == 0 {
            color[v] = 1;
            path.push(v);
            match best[v] {
                Some(e) => v = edges[e].0,
                None => break,
            }
        }
        if v != 0 && color[v] == 1 {
            let pos = path.iter().position(|&x| x == v).expect("on path");
            cycle = Some(path[pos..].to_vec());
            break 'outer;
        }
        for p in path {
            color[p] = 2;
        }
    }
    let Some(cycle) = cycle else {
        return best.iter().map(|b| b.map(|i| edges[i].3)).collect();
    };
    // Contract the cycle into one node.
    let in_cycle = |v: usize| cycle.contains(&v);
    let mut map = vec![0usize; nodes];
    let mut next = 0;
    for (v, m) in map.iter_mut().enumerate() {
        if !in_cycle(v) {
            *m = next;
            next += 1;
        }
    }
    let c = next;
    for &v in &cycle {
        map[v] = c;
    }
    let mut contracted = Vec::new();
    let mut origin = Vec::new(); // contracted edge -> index in `edges`
    for (i, e) in edges.iter().enumerate() {
        let (u, v) = (map[e.0], map[e.1]);
        if u == v {
            continue;
        }
        let w = if in_cycle(e.1) {
            e.2 - edges[best[e.1].expect("cycle node has best")].2
        } else {
            e.2
        };
        contracted.push((u, v, w, contracted.len()));
        origin.push(i);
    }
    let sub = solve(c + 1, &contracted);
    let mut out: Vec<Option<usize>> = vec![None; nodes];
    for v in 0..nodes {
        if !in_cycle(v) {
            out[v] = sub[map[v]].map(|k| edges[origin[k]].3);
        }
    }
    let entering = sub[c]
        .map(|k| origin[k])
        .expect("the contracted cycle has an entering edge");
    for &v in &cycle {
        out[v] = if edges[entering].1 == v {
            Some(edges[entering].3)
        } else {
            best[v].map(|i| edges[i].3)
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provenance::direction::Credit;
    use proptest::prelude::*;

    #[test]
    fn arborescence_breaks_cycles() {
        // 1 <-> 2 strongly, root -> 1 weakly, root -> 2 weaker.
        let edges = [(0, 1, 0.1), (0, 2, 0.05), (1, 2, 0.9), (2, 1, 0.8)];
        let chosen = max_arborescence(3, &edges);
        assert_eq!(chosen, vec![None, Some(0), Some(2)]);
    }

    fn member(doc: u32, credits: &[(&str, bool)]) -> Member {
        Member {
            doc,
            facts: DocFacts {
                id: format!("d{doc}"),
                credits: credits
                    .iter()
                    .map(|&(s, p)| Credit {
                        source: s.into(),
                        text: format!("Theo {s}"),
                        photo_only: p,
                    })
                    .collect(),
                tokens: 1000,
                ..DocFacts::default()
            },
        }
    }

    fn dir(verdict: Verdict, confidence: f64) -> Direction {
        Direction {
            verdict,
            confidence,
            evidence: Vec::new(),
        }
    }

    #[test]
    fn siblings_crediting_one_agency_hang_under_it() {
        let members = [member(2, &[("VNA", true)]), member(4, &[("VNA", false)])];
        let pairs = [PairDirection {
            a: 2,
            b: 4,
            relation: Relation::PartialReuse,
            direction: dir(Verdict::CommonSource, 0.6),
            shared: Vec::new(),
        }];
        let edges = build(&members, &pairs);
        assert_eq!(edges.len(), 2);
        for e in &edges {
            assert_eq!(e.parent, Parent::External("VNA".into()));
            assert_eq!(e.kind, EdgeKind::CreditedExternalSource);
        }
    }

    #[test]
    fn directed_pair_makes_a_document_parent() {
        let members = [member(0, &[]), member(1, &[])];
        let pairs = [PairDirection {
            a: 0,
            b: 1,
            relation: Relation::Excerpt,
            direction: dir(Verdict::AToB, 0.8),
            shared: Vec::new(),
        }];
        let edges = build(&members, &pairs);
        assert_eq!(edges[0].parent, Parent::Root);
        assert_eq!(edges[1].parent, Parent::Document(DocIndex(0)));
        assert_eq!(edges[1].kind, EdgeKind::Excerpt);
    }

    #[test]
    fn unnamed_siblings_get_a_latent_source() {
        let members = [member(0, &[]), member(1, &[])];
        let pairs = [PairDirection {
            a: 0,
            b: 1,
            relation: Relation::PartialReuse,
            direction: dir(Verdict::CommonSource, 0.7),
            shared: Vec::new(),
        }];
        let edges = build(&members, &pairs);
        assert!(edges
            .iter()
            .all(|e| e.parent == Parent::External("common-source".into())));
    }

    fn leaning(verdict: Verdict, confidence: f64, a_to_b: f64, b_to_a: f64) -> Direction {
        let ev = |favors, weight| Evidence {
            signal: "test",
            favors,
            weight,
            reason: String::new(),
        };
        Direction {
            verdict,
            confidence,
            evidence: vec![ev(Favors::AToB, a_to_b), ev(Favors::BToA, b_to_a)],
        }
    }

    #[test]
    fn undetermined_pairs_follow_their_lean_or_stay_apart() {
        let members = [member(0, &[]), member(1, &[])];
        let pair = |direction| PairDirection {
            a: 0,
            b: 1,
            relation: Relation::PartialReuse,
            direction,
            shared: vec![((0, 40), (0, 40))],
        };
        // Leaning to b -> a (a derives from b): never b under a.
        let edges = build(
            &members,
            &[pair(leaning(Verdict::Undetermined, 0.0, 0.0, 0.27))],
        );
        assert_eq!(edges[0].parent, Parent::Document(DocIndex(1)));
        assert_eq!(edges[1].parent, Parent::Root);
        // No lean: neither is put under the other.
        let edges = build(
            &members,
            &[pair(leaning(Verdict::Undetermined, 0.0, 0.0, 0.0))],
        );
        assert!(edges.iter().all(|e| e.parent == Parent::Root), "{edges:?}");
    }

    proptest! {
        /// No document edge of the stemma goes against the evidence of its own pair.
        #[test]
        fn stemma_never_goes_against_a_pairs_evidence(
            n in 2usize..7,
            raw in proptest::collection::vec((0u32..7, 0u32..7, 0u8..4, 0.0f64..1.0, 0.0f64..0.5, 0.0f64..0.5), 0..16),
        ) {
            let members: Vec<Member> = (0..n as u32).map(|d| member(d, &[])).collect();
            let verdicts = [Verdict::AToB, Verdict::BToA, Verdict::CommonSource, Verdict::Undetermined];
            let mut seen = std::collections::BTreeSet::new();
            let pairs: Vec<PairDirection> = raw
                .iter()
                .filter(|r| r.0 != r.1 && (r.0 as usize) < n && (r.1 as usize) < n)
                .filter(|r| seen.insert((r.0.min(r.1), r.0.max(r.1))))
                .map(|r| {
                    // A verdict consistent with its evidence, as direction() gives.
                    let (ab, ba) = match verdicts[r.2 as usize] {
                        Verdict::AToB => (r.4 + 0.3, r.5.min(r.4)),
                        Verdict::BToA => (r.4.min(r.5), r.5 + 0.3),
                        _ => (r.4, r.5),
                    };
                    PairDirection { a: r.0, b: r.1, relation: Relation::PartialReuse, direction: leaning(verdicts[r.2 as usize], r.3, ab, ba), shared: vec![((0, (r.3 * 50.0) as u32), (0, (r.3 * 50.0) as u32))] }
                })
                .collect();
            let edges = build(&members, &pairs);
            for e in &edges {
                let Parent::Document(DocIndex(parent)) = e.parent else { continue };
                let child = e.child.0;
                let p = pairs
                    .iter()
                    .find(|p| (p.a, p.b) == (parent, child) || (p.b, p.a) == (parent, child))
                    .expect("a document edge comes from a pair");
                let toward_child = if p.a == parent { 1.0 } else { -1.0 } * crate::provenance::direction::lean(&p.direction);
                prop_assert!(toward_child > 0.0, "{:?} against {:?}", e, p);
                let against = if p.a == parent { Verdict::BToA } else { Verdict::AToB };
                prop_assert!(p.direction.verdict != against && p.direction.verdict != Verdict::CommonSource);
            }
        }

        #[test]
        fn stemma_is_a_forest(
            n in 2usize..8,
            raw in proptest::collection::vec((0u32..8, 0u32..8, 0u8..4, 0.0f64..1.0), 0..20),
            credits in proptest::collection::vec((0u32..8, 0u8..3, any::<bool>()), 0..8),
        ) {
            let names = ["VNA", "Reuters", "AP"];
            let members: Vec<Member> = (0..n as u32)
                .map(|d| {
                    let cs: Vec<(&str, bool)> = credits.iter().filter(|c| c.0 == d).map(|c| (names[c.1 as usize], c.2)).collect();
                    member(d, &cs)
                })
                .collect();
            let verdicts = [Verdict::AToB, Verdict::BToA, Verdict::CommonSource, Verdict::Undetermined];
            let pairs: Vec<PairDirection> = raw
                .iter()
                .filter(|r| r.0 != r.1 && (r.0 as usize) < n && (r.1 as usize) < n)
                .map(|r| PairDirection { a: r.0, b: r.1, relation: Relation::PartialReuse, direction: dir(verdicts[r.2 as usize], r.3), shared: vec![((0, (r.3 * 50.0) as u32), (0, (r.3 * 50.0) as u32))] })
                .collect();
            let edges = build(&members, &pairs);
            prop_assert_eq!(edges.len(), n);
            // One parent per member, and following parents never cycles.
            for (i, e) in edges.iter().enumerate() {
                prop_assert_eq!(e.child, DocIndex(i as u32));
                prop_assert!((0.0..=1.0).contains(&e.confidence));
                let mut seen = vec![false; n];
                let mut cur = e;
                while let Parent::Document(p) = &cur.parent {
                    prop_assert!(!seen[*p], "cycle through {}", p);
                    seen[*p] = true;
                    cur = &edges[*p];
                }
            }
        }
    }
}
