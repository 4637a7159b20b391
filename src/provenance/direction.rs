//! Direction evidence for one related pair: who derives from whom, and how sure we are.
//!
//! Each piece of [`Evidence`] has a signal name, what it favors (A → B, B → A, a common source,
//! or nothing: context), a weight in 0..1 and a plain-language reason a person can check
//! against the texts. The verdict sums the weights per hypothesis; when the best hypothesis is
//! weak or barely ahead of the next, the verdict is [`Verdict::Undetermined`]: conflicting or
//! thin evidence is never presented as fact.
//!
//! Signals: earlier publication; a text crediting the other's outlet; both crediting the same
//! outside source; containment asymmetry (one text mostly made of the other); each text having
//! substantial material the other lacks (siblings); shared passages that are only captions or
//! boilerplate. Pure: facts in, evidence out.

/// What a piece of evidence supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Favors {
    /// B derives from A.
    AToB,
    /// A derives from B.
    BToA,
    /// Both derive from one source, neither from the other.
    CommonSource,
    /// Context only: supports no hypothesis.
    Context,
}

impl Favors {
    /// `a->b`, `b->a`, `common-source`, `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            Favors::AToB => "a->b",
            Favors::BToA => "b->a",
            Favors::CommonSource => "common-source",
            Favors::Context => "none",
        }
    }
}

/// One piece of evidence.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Evidence {
    /// Machine name of the signal.
    pub signal: &'static str,
    /// What it supports.
    pub favors: Favors,
    /// Strength, 0..1.
    pub weight: f64,
    /// A sentence a person can check.
    pub reason: String,
}

/// The direction verdict of a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verdict {
    /// B derives from A.
    AToB,
    /// A derives from B.
    BToA,
    /// Siblings of one source.
    CommonSource,
    /// The evidence is thin or conflicting.
    Undetermined,
}

impl Verdict {
    /// `a->b`, `b->a`, `common-source`, `undetermined`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::AToB => "a->b",
            Verdict::BToA => "b->a",
            Verdict::CommonSource => "common-source",
            Verdict::Undetermined => "undetermined",
        }
    }
}

/// The verdict with its confidence and every piece of evidence considered.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Direction {
    /// The verdict.
    pub verdict: Verdict,
    /// 0..1: the margin of the verdict over the alternatives.
    pub confidence: f64,
    /// All evidence, for and against.
    pub evidence: Vec<Evidence>,
}

/// A source a document credits.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Credit {
    /// Canonical source name (agency table) or the name as found.
    pub source: String,
    /// The cue text as found in the document.
    pub text: String,
    /// A picture credit only ("Photo: X"): weaker evidence for the text.
    pub photo_only: bool,
}

/// What direction inference needs to know of one document.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct DocFacts {
    /// The document id (used in reasons).
    pub id: String,
    /// The publishing outlet (metadata, or an outlet tag in the text), canonical when it
    /// resolves through the agency table.
    pub outlet: Option<String>,
    /// Publication date or date-time, ISO 8601 (`YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`).
    pub published: Option<String>,
    /// Sources the text credits (one per source; a text credit wins over a photo credit).
    pub credits: Vec<Credit>,
    /// Token count.
    pub tokens: usize,
}

impl DocFacts {
    fn credit_for(&self, source: &str) -> Option<&Credit> {
        self.credits
            .iter()
            .find(|c| c.source.eq_ignore_ascii_case(source))
    }
}

/// What direction inference needs to know of the pair.
#[derive(Debug, Clone, Default)]
pub(crate) struct PairFacts {
    /// Share of A's shingles found in B.
    pub containment_a_in_b: f64,
    /// Share of B's shingles found in A.
    pub containment_b_in_a: f64,
    /// Share of A's tokens inside substantive aligned passages (long enough to be more than a
    /// shared name, and not captions or boilerplate).
    pub coverage_a: f64,
    /// Share of B's tokens inside substantive aligned passages.
    pub coverage_b: f64,
    /// Number of aligned passages, all of them (what reports count as the pair's passages).
    pub passages: usize,
    /// Number of substantive passages.
    pub substantive_passages: usize,
    /// Number of passages marked caption or boilerplate.
    pub weak_passages: usize,
    /// The substantive passages appear in the same order in both texts.
    pub in_order: bool,
    /// Sources A credits only by photo credits inside passages it shares with B (the caption
    /// may have been copied along with the text).
    pub copied_credits_a: Vec<String>,
    /// Sources B credits only by photo credits inside passages it shares with A.
    pub copied_credits_b: Vec<String>,
}

/// Minimum total weight for a verdict.
const MIN_SUPPORT: f64 = 0.3;
/// Minimum lead of the verdict over the next hypothesis.
const MIN_MARGIN: f64 = 0.15;

/// Weighs the evidence for a pair.
pub(crate) fn direction(a: &DocFacts, b: &DocFacts, p: &PairFacts) -> Direction {
    let mut ev = Vec::new();
    published(a, b, &mut ev);
    credits(a, b, p, &mut ev);
    containment(a, b, p, &mut ev);
    own_material(a, b, p, &mut ev);
    if p.substantive_passages > 1 {
        let order = if p.in_order {
            "in the same order"
        } else {
            "in a different order"
        };
        ev.push(Evidence {
            signal: "passage-order",
            favors: Favors::Context,
            weight: 0.0,
            // Said against the pair's passage count, which also counts short and weak ones.
            reason: if p.passages > p.substantive_passages {
                format!(
                    "the {} substantive shared passages (of {} aligned; the others are short, or captions or boilerplate) appear {order} in both texts",
                    p.substantive_passages, p.passages
                )
            } else {
                format!(
                    "the {} shared passages appear {order} in both texts",
                    p.substantive_passages
                )
            },
        });
    } else if p.substantive_passages == 0 && p.weak_passages > 0 {
        ev.push(Evidence {
            signal: "caption-only",
            favors: Favors::Context,
            weight: 0.0,
            reason: "the only shared passages are photo captions or boilerplate: weak evidence of text reuse"
                .to_string(),
        });
    }
    let score = |f: Favors| {
        ev.iter()
            .filter(|e| e.favors == f)
            .map(|e| e.weight)
            .sum::<f64>()
    };
    let mut scores = [
        (Verdict::AToB, score(Favors::AToB)),
        (Verdict::BToA, score(Favors::BToA)),
        (Verdict::CommonSource, score(Favors::CommonSource)),
    ];
    scores.sort_by(|x, y| y.1.total_cmp(&x.1));
    let (best, second) = (scores[0], scores[1].1);
    let mut confidence = ((best.1 - second) / (best.1 + second + 0.25)).clamp(0.0, 1.0);
    if p.substantive_passages == 0 {
        confidence *= 0.5;
    }
    // Thin (little support), close (small margin) or conflicting (the runner-up has half the
    // support of the best) evidence gives no verdict.
    let verdict = if best.1 >= MIN_SUPPORT && best.1 - second >= MIN_MARGIN && second < 0.5 * best.1
    {
        best.0
    } else {
        Verdict::Undetermined
    };
    if verdict == Verdict::Undetermined {
        confidence = 0.0;
    }
    Direction {
        verdict,
        confidence: (confidence * 100.0).round() / 100.0,
        evidence: ev,
    }
}

fn published(a: &DocFacts, b: &DocFacts, ev: &mut Vec<Evidence>) {
    let (Some(da), Some(db)) = (&a.published, &b.published) else {
        return;
    };
    // Compare at the precision both have (a date against a date-time compares dates).
    let n = da.len().min(db.len());
    let (x, y) = (&da[..n], &db[..n]);
    if x == y {
        ev.push(Evidence {
            signal: "published-same-time",
            favors: Favors::Context,
            weight: 0.0,
            reason: format!("both are dated {x}: the publication order is unknown"),
        });
        return;
    }
    let (favors, first, first_date, second, second_date) = if x < y {
        (Favors::AToB, a, x, b, y)
    } else {
        (Favors::BToA, b, y, a, x)
    };
    ev.push(Evidence {
        signal: "published-earlier",
        favors,
        weight: 0.35,
        reason: format!(
            "{} was published {first_date}, before {} ({second_date})",
            first.id, second.id
        ),
    });
}

fn credits(a: &DocFacts, b: &DocFacts, p: &PairFacts, ev: &mut Vec<Evidence>) {
    for (x, y, favors) in [(a, b, Favors::AToB), (b, a, Favors::BToA)] {
        // y credits x's outlet: y takes from x.
        if let Some(outlet) = &x.outlet {
            if let Some(c) = y.credit_for(outlet) {
                ev.push(Evidence {
                    signal: "credits-source",
                    favors,
                    weight: if c.photo_only { 0.3 } else { 0.6 },
                    reason: format!(
                        "{} credits {outlet}, the outlet of {} (\"{}\")",
                        y.id, x.id, c.text
                    ),
                });
            }
        }
    }
    let own = |s: &str| {
        [&a.outlet, &b.outlet]
            .into_iter()
            .flatten()
            .any(|o| o.eq_ignore_ascii_case(s))
    };
    for ca in &a.credits {
        if own(&ca.source) {
            continue;
        }
        if let Some(cb) = b.credit_for(&ca.source) {
            // A picture credit found only inside the shared text may have been copied with its
            // caption: it says nothing about a source apart from the other text.
            let copied = [(a, &p.copied_credits_a), (b, &p.copied_credits_b)]
                .into_iter()
                .find(|(_, c)| c.iter().any(|s| s.eq_ignore_ascii_case(&ca.source)));
            if let Some((x, _)) = copied {
                ev.push(Evidence {
                    signal: "copied-credit",
                    favors: Favors::Context,
                    weight: 0.0,
                    reason: format!(
                        "both credit {}, but {} credits it only on photo captions inside the text the two share: the credit may have been copied with the caption",
                        ca.source, x.id
                    ),
                });
                continue;
            }
            let weight = if ca.photo_only || cb.photo_only {
                0.25
            } else {
                0.4
            };
            ev.push(Evidence {
                signal: "shared-credit",
                favors: Favors::CommonSource,
                weight,
                reason: format!(
                    "both credit {} ({}: \"{}\"; {}: \"{}\"), a source outside the corpus",
                    ca.source, a.id, ca.text, b.id, cb.text
                ),
            });
        }
    }
}

fn containment(a: &DocFacts, b: &DocFacts, p: &PairFacts, ev: &mut Vec<Evidence>) {
    let (cab, cba) = (p.containment_a_in_b, p.containment_b_in_a);
    let diff = (cab - cba).abs();
    if cab.max(cba) < MOSTLY || diff < MIN_ASYMMETRY {
        return;
    }
    // The text mostly made of the other is usually the cut-down copy; but a copy may also
    // expand its source (a newspaper adding to an agency story), so when the publication order
    // is known it decides and this is context only. Alone, it decides only when strong: its
    // weight reaches MIN_SUPPORT at an asymmetry of 0.6.
    let (favors, part, whole, cp, cw) = if cba > cab {
        (Favors::AToB, b, a, cba, cab)
    } else {
        (Favors::BToA, a, b, cab, cba)
    };
    let reason = format!(
        "{} is mostly made of {}: {:.0}% of its shingles are in {}, only {:.0}% of {}'s in it",
        part.id,
        whole.id,
        cp * 100.0,
        whole.id,
        cw * 100.0,
        whole.id
    );
    let dated = ev.iter().any(|e| e.signal == "published-earlier");
    ev.push(if dated {
        Evidence {
            signal: "containment",
            favors: Favors::Context,
            weight: 0.0,
            reason: format!(
                "{reason}; with the publication order known, this shows which text is the fuller one, not who copied whom"
            ),
        }
    } else {
        Evidence {
            signal: "containment",
            favors,
            weight: (0.5 * diff).min(0.4),
            reason,
        }
    });
}

/// Share of a text's shingles found in the other above which it is "mostly made of" it.
pub(crate) const MOSTLY: f64 = 0.5;
/// Smallest containment asymmetry that says which text is the part and which the whole.
pub(crate) const MIN_ASYMMETRY: f64 = 0.25;

/// The net lean of a pair's evidence between its two directions: positive toward A -> B,
/// negative toward B -> A, 0 when balanced or when there is none. The stemma never draws an
/// edge against it.
pub(crate) fn lean(d: &Direction) -> f64 {
    d.evidence
        .iter()
        .map(|e| match e.favors {
            Favors::AToB => e.weight,
            Favors::BToA => -e.weight,
            _ => 0.0,
        })
        .sum()
}

fn own_material(a: &DocFacts, b: &DocFacts, p: &PairFacts, ev: &mut Vec<Evidence>) {
    if p.substantive_passages == 0 {
        return;
    }
    let own = |f: &DocFacts, coverage: f64| ((1.0 - coverage) * f.tokens as f64).round() as usize;
    let (own_a, own_b) = (own(a, p.coverage_a), own(b, p.coverage_b));
    // Siblings copy verbatim, each a different part of the source: the shared passages are
    // substantial on both sides and so is what each text has alone. (A rewrite shares little
    // verbatim text: its own material says nothing about siblings.)
    let shared = p.coverage_a.min(p.coverage_b) >= 0.2;
    if shared && p.coverage_a < 0.75 && p.coverage_b < 0.75 && own_a >= 50 && own_b >= 50 {
        ev.push(Evidence {
            signal: "own-material",
            favors: Favors::CommonSource,
            weight: 0.3,
            reason: format!(
                "each text has material the other lacks ({}: {} tokens, {:.0}% outside shared passages; {}: {} tokens, {:.0}%): neither is a copy of the other",
                a.id,
                own_a,
                (1.0 - p.coverage_a) * 100.0,
                b.id,
                own_b,
                (1.0 - p.coverage_b) * 100.0
            ),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: &str) -> DocFacts {
        DocFacts {
            id: id.into(),
            tokens: 1000,
            ..DocFacts::default()
        }
    }

    fn credit(source: &str, photo_only: bool) -> Credit {
        Credit {
            source: source.into(),
            text: format!("credit {source}"),
            photo_only,
        }
    }

    #[test]
    fn no_evidence_is_undetermined() {
        let d = direction(
            &doc("a"),
            &doc("b"),
            &PairFacts {
                coverage_a: 0.9,
                coverage_b: 0.9,
                substantive_passages: 1,
                ..PairFacts::default()
            },
        );
        assert_eq!(d.verdict, Verdict::Undetermined);
        assert_eq!(d.confidence, 0.0);
    }

    #[test]
    fn crediting_the_other_outlet_gives_direction() {
        let a = DocFacts {
            outlet: Some("Reuters".into()),
            ..doc("a")
        };
        let b = DocFacts {
            credits: vec![credit("Reuters", false)],
            ..doc("b")
        };
        let d = direction(
            &a,
            &b,
            &PairFacts {
                coverage_a: 0.9,
                coverage_b: 0.9,
                substantive_passages: 2,
                ..PairFacts::default()
            },
        );
        assert_eq!(d.verdict, Verdict::AToB);
        assert!(d.confidence > 0.5);
        let d = direction(
            &b,
            &a,
            &PairFacts {
                coverage_a: 0.9,
                coverage_b: 0.9,
                substantive_passages: 2,
                ..PairFacts::default()
            },
        );
        assert_eq!(d.verdict, Verdict::BToA, "swapping mirrors the verdict");
    }

    #[test]
    fn siblings_crediting_one_agency_share_a_source() {
        let a = DocFacts {
            credits: vec![credit("VNA", true)],
            ..doc("a")
        };
        let b = DocFacts {
            credits: vec![credit("VNA", false)],
            ..doc("b")
        };
        let p = PairFacts {
            coverage_a: 0.45,
            coverage_b: 0.45,
            substantive_passages: 8,
            in_order: true,
            ..PairFacts::default()
        };
        let d = direction(&a, &b, &p);
        assert_eq!(d.verdict, Verdict::CommonSource);
        assert!(d.evidence.iter().any(|e| e.signal == "shared-credit"));
        assert!(d.evidence.iter().any(|e| e.signal == "own-material"));
    }

    /// Issue 15: the passage-order line says how its count relates to the pair's passages
    /// (a trace said "9 passages" next to "the 7 shared passages").
    #[test]
    fn passage_order_names_substantive_passages_of_all_aligned() {
        let order = |passages, substantive| {
            let p = PairFacts {
                passages,
                substantive_passages: substantive,
                in_order: true,
                ..PairFacts::default()
            };
            let d = direction(&doc("a"), &doc("b"), &p);
            let e = d.evidence.iter().find(|e| e.signal == "passage-order");
            e.map(|e| e.reason.clone()).unwrap_or_default()
        };
        assert_eq!(
            order(9, 7),
            "the 7 substantive shared passages (of 9 aligned; the others are short, or captions or boilerplate) appear in the same order in both texts"
        );
        assert_eq!(
            order(3, 3),
            "the 3 shared passages appear in the same order in both texts"
        );
    }

    #[test]
    fn conflicting_evidence_is_undetermined() {
        // a is earlier, but a credits b's outlet.
        let a = DocFacts {
            published: Some("2026-02-20".into()),
            credits: vec![credit("X", false)],
            ..doc("a")
        };
        let b = DocFacts {
            published: Some("2026-02-21".into()),
            outlet: Some("X".into()),
            ..doc("b")
        };
        let d = direction(
            &a,
            &b,
            &PairFacts {
                coverage_a: 0.9,
                coverage_b: 0.9,
                substantive_passages: 1,
                ..PairFacts::default()
            },
        );
        assert_eq!(d.verdict, Verdict::Undetermined, "{d:?}");
    }

    fn contained(cab: f64, cba: f64) -> PairFacts {
        PairFacts {
            containment_a_in_b: cab,
            containment_b_in_a: cba,
            coverage_a: cab,
            coverage_b: cba,
            substantive_passages: 2,
            ..PairFacts::default()
        }
    }

    #[test]
    fn containment_alone_decides_only_when_strong_and_never_puts_the_whole_under_the_part() {
        // b is mostly made of a: if anything, b derives from a.
        let weak = direction(&doc("a"), &doc("b"), &contained(0.15, 0.64));
        assert_eq!(weak.verdict, Verdict::Undetermined, "{weak:?}");
        assert!(lean(&weak) > 0.0, "{weak:?}");
        let strong = direction(&doc("a"), &doc("b"), &contained(0.2, 0.95));
        assert_eq!(strong.verdict, Verdict::AToB, "{strong:?}");
        let mirrored = direction(&doc("b"), &doc("a"), &contained(0.95, 0.2));
        assert_eq!(mirrored.verdict, Verdict::BToA, "{mirrored:?}");
        // Mostly made of the other but with little asymmetry: no lean either way.
        let even = direction(&doc("a"), &doc("b"), &contained(0.6, 0.7));
        assert_eq!(lean(&even), 0.0, "{even:?}");
        assert!(![Verdict::AToB, Verdict::BToA].contains(&even.verdict));
    }

    #[test]
    fn publication_order_outweighs_containment() {
        // The agency story a, a day earlier, is mostly made of the newspaper's expanded story b.
        let a = DocFacts {
            published: Some("2014-07-20".into()),
            ..doc("a")
        };
        let b = DocFacts {
            published: Some("2014-07-21".into()),
            ..doc("b")
        };
        let d = direction(&a, &b, &contained(0.9, 0.2));
        assert_eq!(d.verdict, Verdict::AToB, "{d:?}");
        assert!(d
            .evidence
            .iter()
            .any(|e| e.signal == "containment" && e.favors == Favors::Context));
    }

    #[test]
    fn a_photo_credit_copied_with_its_caption_is_not_a_common_source() {
        let a = DocFacts {
            credits: vec![credit("VNA", true)],
            ..doc("a")
        };
        let b = DocFacts {
            credits: vec![credit("VNA", true)],
            ..doc("b")
        };
        let p = PairFacts {
            copied_credits_b: vec!["VNA".into()],
            ..contained(0.2, 0.98)
        };
        let d = direction(&a, &b, &p);
        assert_eq!(d.verdict, Verdict::AToB, "{d:?}");
        assert!(d.evidence.iter().any(|e| e.signal == "copied-credit"));
        assert!(!d.evidence.iter().any(|e| e.signal == "shared-credit"));
        // Not copied: the shared credit counts.
        let d = direction(&a, &b, &contained(0.2, 0.98));
        assert!(d.evidence.iter().any(|e| e.signal == "shared-credit"));
    }

    #[test]
    fn same_day_dates_are_context_only() {
        let a = DocFacts {
            published: Some("2026-02-21".into()),
            ..doc("a")
        };
        let b = DocFacts {
            published: Some("2026-02-21T11:04".into()),
            ..doc("b")
        };
        let d = direction(&a, &b, &PairFacts::default());
        assert!(d
            .evidence
            .iter()
            .any(|e| e.signal == "published-same-time" && e.weight == 0.0));
        assert_eq!(d.verdict, Verdict::Undetermined);
    }
}
