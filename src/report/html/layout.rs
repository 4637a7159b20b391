//! A family's stemma laid out as layered boxes: pure geometry, no HTML (drawn by
//! [`super::svg`]).
//!
//! Nodes are the sources outside the corpus named by the stemma, then the members, then any
//! stemma endpoint that is not a member (in that order of first appearance). Layers are longest
//! paths from the roots (Kahn's order); nodes on a cycle go to one extra bottom layer. Within a
//! layer, nodes are ordered by the mean x of their parents already placed (barycenter), then by
//! first appearance, and the layer is centred. Deterministic: the same family gives the same
//! layout.

use std::collections::{HashMap, VecDeque};

use super::EXTERNAL;
use crate::report::json::{FamilyLine, StemmaEdgeLine};

/// Box width.
pub(super) const W: f64 = 200.0;
/// Box height.
pub(super) const H: f64 = 44.0;
/// Horizontal gap between boxes.
const GAP: f64 = 26.0;
/// Vertical gap between layers.
const VGAP: f64 = 64.0;
/// Margin around the drawing.
const M: f64 = 14.0;

/// What a box stands for.
pub(super) enum Kind {
    /// A member of the family.
    Doc,
    /// A source outside the corpus (`external:NAME`).
    External,
    /// A stemma endpoint that is not a member of this family.
    Outside,
}

/// One box: its name, what it is, its layer and the top-centre of the box.
pub(super) struct Node {
    pub(super) name: String,
    pub(super) kind: Kind,
    pub(super) x: f64,
    pub(super) y: f64,
    pub(super) layer: usize,
}

/// The laid-out stemma of one family.
pub(super) struct Layout<'a> {
    /// The boxes, in order of first appearance.
    pub(super) nodes: Vec<Node>,
    /// Stemma edges with a parent: (parent node, child node, the edge), in stemma order.
    pub(super) edges: Vec<(usize, usize, &'a StemmaEdgeLine)>,
    /// Width of the drawing.
    pub(super) width: f64,
    /// Height of the drawing.
    pub(super) height: f64,
    /// `d{id}` (document) or `x{name}` (outside source) -> node.
    keys: HashMap<String, usize>,
}

impl Layout<'_> {
    /// The node of the document `id`, if it is drawn.
    pub(super) fn doc(&self, id: &str) -> Option<usize> {
        self.keys.get(&format!("d{id}")).copied()
    }
}

/// Lays out the stemma of `f`.
pub(super) fn layout(f: &FamilyLine) -> Layout<'_> {
    let mut keys: HashMap<String, usize> = HashMap::new();
    let mut nodes: Vec<(String, Kind)> = Vec::new();
    let mut add = |name: &str, kind: Kind, nodes: &mut Vec<(String, Kind)>| -> usize {
        let key = match kind {
            Kind::External => format!("x{name}"),
            _ => format!("d{name}"),
        };
        *keys.entry(key).or_insert_with(|| {
            nodes.push((name.to_string(), kind));
            nodes.len() - 1
        })
    };
    for e in &f.stemma {
        if let Some(x) = e.parent.as_deref().and_then(|p| p.strip_prefix(EXTERNAL)) {
            add(x, Kind::External, &mut nodes);
        }
    }
    for m in &f.members {
        add(m, Kind::Doc, &mut nodes);
    }
    let mut edges = Vec::new();
    for e in &f.stemma {
        let c = add(&e.child, Kind::Outside, &mut nodes);
        if let Some(p) = e.parent.as_deref() {
            let p = match p.strip_prefix(EXTERNAL) {
                Some(x) => add(x, Kind::External, &mut nodes),
                None => add(p, Kind::Outside, &mut nodes),
            };
            edges.push((p, c, e));
        }
    }
    let n = nodes.len();
    // Longest-path layers (Kahn's order); nodes on a cycle go to one extra bottom layer.
    let mut indeg = vec![0usize; n];
    let mut children = vec![Vec::new(); n];
    for &(p, c, _) in &edges {
        if p != c {
            indeg[c] += 1;
            children[p].push(c);
        }
    }
    let mut layer = vec![0usize; n];
    let mut done = vec![false; n];
    let mut queue: VecDeque<usize> = (0..n).filter(|&i| indeg[i] == 0).collect();
    while let Some(u) = queue.pop_front() {
        done[u] = true;
        for &c in &children[u] {
            layer[c] = layer[c].max(layer[u] + 1);
            indeg[c] -= 1;
            if indeg[c] == 0 {
                queue.push_back(c);
            }
        }
    }
    let deepest = (0..n)
        .filter(|&i| done[i])
        .map(|i| layer[i])
        .max()
        .unwrap_or(0);
    for i in 0..n {
        if !done[i] {
            layer[i] = deepest + 1;
        }
    }
    let layers = layer.iter().max().map_or(0, |m| m + 1);
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); layers];
    for i in 0..n {
        rows[layer[i]].push(i);
    }
    let widest = rows.iter().map(Vec::len).max().unwrap_or(0);
    let width = (widest as f64 * (W + GAP) - GAP).max(W) + 2.0 * M;
    let height = (layers as f64 * (H + VGAP) - VGAP).max(H) + 2.0 * M;
    let mut x = vec![0.0f64; n];
    let mut y = vec![0.0f64; n];
    for (li, row) in rows.iter_mut().enumerate() {
        // Order by the mean x of the parents already placed (barycenter), then first seen.
        let key = |i: usize| {
            let xs: Vec<f64> = edges
                .iter()
                .filter(|&&(p, c, _)| c == i && layer[p] < li)
                .map(|&(p, _, _)| x[p])
                .collect();
            if xs.is_empty() {
                f64::MAX
            } else {
                xs.iter().sum::<f64>() / xs.len() as f64
            }
        };
        let mut keyed: Vec<(f64, usize)> = row.iter().map(|&i| (key(i), i)).collect();
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        *row = keyed.into_iter().map(|(_, i)| i).collect();
        let left = (width - (row.len() as f64 * (W + GAP) - GAP)) / 2.0;
        for (j, &i) in row.iter().enumerate() {
            x[i] = left + j as f64 * (W + GAP) + W / 2.0;
            y[i] = M + li as f64 * (H + VGAP);
        }
    }
    let nodes = nodes
        .into_iter()
        .enumerate()
        .map(|(i, (name, kind))| Node {
            name,
            kind,
            x: x[i],
            y: y[i],
            layer: layer[i],
        })
        .collect();
    Layout {
        nodes,
        edges,
        width,
        height,
        keys,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(child: &str, parent: Option<&str>) -> StemmaEdgeLine {
        StemmaEdgeLine {
            family: "F1".into(),
            child: child.into(),
            parent: parent.map(str::to_string),
            kind: "partial-reuse".into(),
            confidence: 0.5,
            evidence: Vec::new(),
        }
    }

    #[test]
    fn parents_sit_above_children_and_boxes_do_not_overlap() {
        let f = FamilyLine {
            family: "F1".into(),
            members: vec!["a".into(), "b".into(), "c".into()],
            pairs: Vec::new(),
            capped: false,
            stemma: vec![
                edge("a", Some("external:VNA")),
                edge("b", Some("a")),
                edge("c", Some("a")),
            ],
        };
        let l = layout(&f);
        assert_eq!(l.nodes.len(), 4);
        assert_eq!(l.edges.len(), 3);
        for &(p, c, _) in &l.edges {
            assert!(l.nodes[p].layer < l.nodes[c].layer);
            assert!(l.nodes[p].y < l.nodes[c].y);
        }
        let (b, c) = (l.doc("b").unwrap(), l.doc("c").unwrap());
        assert_eq!(l.nodes[b].layer, l.nodes[c].layer);
        assert!((l.nodes[b].x - l.nodes[c].x).abs() >= W);
        for n in &l.nodes {
            assert!(n.x - W / 2.0 >= 0.0 && n.x + W / 2.0 <= l.width);
            assert!(n.y >= 0.0 && n.y + H <= l.height);
        }
    }

    #[test]
    fn a_cycle_goes_to_one_extra_bottom_layer() {
        let f = FamilyLine {
            family: "F1".into(),
            members: vec!["a".into(), "b".into(), "r".into()],
            pairs: Vec::new(),
            capped: false,
            stemma: vec![edge("r", None), edge("a", Some("b")), edge("b", Some("a"))],
        };
        let l = layout(&f);
        let (a, b, r) = (
            l.doc("a").unwrap(),
            l.doc("b").unwrap(),
            l.doc("r").unwrap(),
        );
        assert_eq!(l.nodes[r].layer, 0);
        assert_eq!(l.nodes[a].layer, 1);
        assert_eq!(l.nodes[b].layer, 1);
    }
}
