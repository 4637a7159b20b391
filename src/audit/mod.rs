//! `stemma audit`: reuse checks for CI, with findings keyed by content, a baseline of accepted
//! findings, and writers for text, JSON, SARIF 2.1.0, JUnit XML and GitHub annotations.
//!
//! Pure: documents, an [`Analysis`] and (for `uncredited`) a [`Provenance`] in, an [`Audit`]
//! out; the writers ([`mod@format`], [`sarif`], [`junit`]) are functions from an [`Audit`] to bytes.
//! Reading the reference corpus is [`mod@reference`]'s job; reading inputs and writing outputs the
//! caller's.
//!
//! # Checks
//!
//! - [`Check::Duplicates`]: a related pair of two *inputs* whose relation is at least
//!   [`Policy::fail_on`] (strength order: duplicate > near-duplicate > excerpt > partial-reuse >
//!   rewrite). The later id of the pair is the finding's subject, the other its related location.
//! - [`Check::Contamination`]: a related pair of an input and an `--against` document whose
//!   relation is at least [`Policy::contamination_level`] (default `rewrite`: any relation).
//!   The input is the subject. Pairs inside `--against` are never reported.
//! - [`Check::Uncredited`]: per input document in a family, its stemma edge (see
//!   [`crate::provenance::stemma`]) is compared with the sources its text credits:
//!   - parent is a **document**: the reuse is credited when the child's text credits (not only a
//!     picture) the parent's outlet, or a source the parent itself credits in its text (the
//!     agency the story came from);
//!   - parent is a **named outside source** (an agency the child credits): credited when the
//!     credit is for the text; a credit for a picture only ("Ảnh: TTXVN", "Photo: Reuters") does
//!     not credit the text;
//!   - parent is a **latent `common-source`** (siblings of a source nobody names): credited when
//!     the child credits any source in its text; otherwise uncredited, but only by inference;
//!   - no parent (a root): nothing to credit.
//!   - a child published by the outlet or agency it would have to credit (its own copy, or its
//!     agency's when it is that agency) is `own-outlet`: nothing to credit.
//!
//!   An uncredited (or picture-only) derivation is a finding when the stemma edge's confidence
//!   is at least [`Policy::min_confidence`] (default 0.5); the finding carries that confidence.
//!   Below it, the case is kept as a [`CreditNote`] with `reported: false` and shown in the text
//!   and JSON outputs with the reason, so a reader sees what was weighed and left out. Latent
//!   common-source edges have low confidence by construction (at most about 0.3), so they are
//!   reported only when the user lowers `--min-confidence`. Only inputs are audited; `--against`
//!   documents can be parents.
//!
//! # Keys
//!
//! A finding's [`Finding::key`] is a fingerprint of content, not of paths: the check name and
//! the 64-bit content hashes (hex) of the normalized token sequences of the documents involved
//! (see [`crate::profile::TokenView::content_hash`]); `duplicates` sorts the pair,
//! `contamination` puts the input first, `uncredited` is `child<-parent` (a content hash, or
//! `external:NAME`). Renaming or moving a file keeps its key; editing its text changes it.
//! Keys depend on the fingerprint parameters (normalization, `--fold-diacritics`, seed).
//! Several pairs with the same key (three identical files give three pairs) are one finding with
//! several [`Finding::occurrences`].
//!
//! [`mod@reference`] is the IO edge: the `--against` corpus read from files or from an index.

pub mod baseline;
pub mod format;
pub mod junit;
pub mod reference;
pub mod sarif;

use serde::{Deserialize, Serialize};

use crate::align::{align, AlignParams};
use crate::config::Config;
use crate::corpus::Document;
use crate::pipeline::{Analysis, Pair};
use crate::profile::Profiler;
use crate::provenance::direction::{Credit, DocFacts};
use crate::provenance::stemma::Parent;
use crate::provenance::Provenance;
use crate::relate::Relation;
use crate::report::round4;
use crate::types::DocIndex;

/// Schema name of the JSON audit report.
pub const SCHEMA: &str = "stemma.audit";
/// Schema version of the JSON audit report.
pub const SCHEMA_VERSION: u32 = 1;

/// One audit check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Check {
    /// Related pairs within the inputs.
    Duplicates,
    /// Inputs related to a reference corpus (`--against`).
    Contamination,
    /// Derivations that do not credit their source.
    Uncredited,
}

impl Check {
    /// All checks, in report order.
    pub const ALL: [Check; 3] = [Check::Duplicates, Check::Contamination, Check::Uncredited];

    /// The name used on the command line, in keys and in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            Check::Duplicates => "duplicates",
            Check::Contamination => "contamination",
            Check::Uncredited => "uncredited",
        }
    }

    /// One sentence: what the check reports.
    pub fn description(self) -> &'static str {
        match self {
            Check::Duplicates => {
                "Two input documents are related at or above the --fail-on relation (duplicate > near-duplicate > excerpt > partial-reuse > rewrite)."
            }
            Check::Contamination => {
                "An input document is related to a document of the reference corpus given with --against (for example a test item found in the training data)."
            }
            Check::Uncredited => {
                "An input document derives from another document or an outside source (per its stemma) without crediting that source's outlet or agency in its text (a picture credit does not count)."
            }
        }
    }
}

impl std::fmt::Display for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Check {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Check::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| {
                format!("unknown check {s:?}: use duplicates, contamination or uncredited")
            })
    }
}

/// Whether a document is audited or is the reference corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Role {
    /// A document under audit.
    Input,
    /// A document of the `--against` corpus.
    Against,
}

/// What is reported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    /// The checks to run, sorted, distinct.
    pub checks: Vec<Check>,
    /// `duplicates`: the weakest relation reported. Default near-duplicate.
    pub fail_on: Relation,
    /// `contamination`: the weakest relation reported. Default rewrite (any relation).
    pub contamination_level: Relation,
    /// `uncredited`: the least stemma-edge confidence reported. Default 0.5.
    pub min_confidence: f64,
}

impl Policy {
    /// The checks to run: those given, sorted and distinct; none given means `duplicates`,
    /// plus `contamination` when there is a reference corpus (`with_reference`).
    pub fn checks_for(given: &[Check], with_reference: bool) -> Vec<Check> {
        let mut checks = given.to_vec();
        if checks.is_empty() {
            checks.push(Check::Duplicates);
            if with_reference {
                checks.push(Check::Contamination);
            }
        }
        checks.sort();
        checks.dedup();
        checks
    }

    /// Checks the settings: `min_confidence` must be in 0..1.
    pub fn validate(&self) -> crate::Result<()> {
        if !(0.0..=1.0).contains(&self.min_confidence) {
            return Err(crate::Error::Config {
                setting: "--min-confidence",
                problem: format!("{} is not in 0..1", self.min_confidence),
            });
        }
        Ok(())
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            checks: vec![Check::Duplicates],
            fail_on: Relation::NearDuplicate,
            contamination_level: Relation::Rewrite,
            min_confidence: 0.5,
        }
    }
}

/// A document as a finding names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DocRef {
    /// Document id.
    pub id: String,
    /// The file it was read from (as reached from the inputs; `-` for stdin).
    pub path: String,
    /// The JSONL record's 1-based line, when it is a record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_line: Option<u64>,
    /// Content hash of its normalized token sequence (16 hex digits).
    pub content: String,
    /// True for a document of the `--against` corpus.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub against: bool,
}

/// Where in a file a finding points: 1-based lines, 1-based columns in Unicode code points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Region {
    /// First line.
    pub start_line: u64,
    /// First column (none for a JSONL record: the text is inside a JSON string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_column: Option<u64>,
    /// Last line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_line: Option<u64>,
    /// Column just past the end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_column: Option<u64>,
}

/// One place a finding occurs: the subject document and the other one (if any).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Occurrence {
    /// The document the finding is about.
    pub subject: DocRef,
    /// Where in the subject (first shared passage, a credit, or the JSONL record).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
    /// The other document (pair checks; `uncredited` with a document parent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other: Option<DocRef>,
    /// Where in the other document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_region: Option<Region>,
}

/// Whether a finding is accepted in the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum State {
    /// Not in the baseline: fails the build.
    New,
    /// In the baseline: reported, does not fail the build.
    Unchanged,
}

impl State {
    /// `new` or `unchanged` (SARIF's `baselineState` values).
    pub fn as_str(self) -> &'static str {
        match self {
            State::New => "new",
            State::Unchanged => "unchanged",
        }
    }
}

/// One finding (also the JSON report's `findings` element).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Finding {
    /// The check that found it.
    pub check: Check,
    /// Stable content fingerprint (see the module docs).
    pub key: String,
    /// The pair's relation, or for `uncredited` the stemma edge kind (`partial-reuse`,
    /// `credited-external-source`, `common-source`, ...).
    pub relation: String,
    /// `uncredited`: the stemma edge's confidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
    /// `uncredited`: the outside source (an agency, or `common-source`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Plain-language explanation (about the first occurrence).
    pub message: String,
    /// Where it occurs, the first one primary; several when documents share content.
    pub occurrences: Vec<Occurrence>,
    /// New, or accepted in the baseline.
    pub state: State,
}

/// How an input document's reuse is credited (`uncredited` only; one per audited family member).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreditNote {
    /// The document id.
    pub id: String,
    /// Its stemma parent: a document id, `external:NAME`, or null for a root.
    pub parent: Option<String>,
    /// The stemma edge kind.
    pub kind: String,
    /// The stemma edge confidence.
    pub confidence: f64,
    /// `credited`, `own-outlet` (published by the outlet it would have to credit), `picture-credit-only`, `uncredited`, or `no-source`.
    pub status: String,
    /// The credits found in its text, as `SOURCE: "cue text"` (`(picture)` when picture-only).
    pub credits: Vec<String>,
    /// Whether it is a finding (uncredited and confidence >= --min-confidence).
    pub reported: bool,
    /// Why, in one or two sentences.
    pub reason: String,
}

/// The result of [`audit`], before or after the baseline is applied.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Audit {
    /// The policy used.
    pub policy: Policy,
    /// Input documents.
    pub inputs: usize,
    /// `--against` documents.
    pub against: usize,
    /// Findings, sorted by check, subject id, key.
    pub findings: Vec<Finding>,
    /// `uncredited`: how each audited family member's reuse is credited, sorted by id.
    pub credits: Vec<CreditNote>,
    /// Baseline entries (of the checks run) that no longer occur, sorted.
    pub stale: Vec<baseline::Entry>,
}

impl Audit {
    /// Findings not accepted in the baseline.
    pub fn new_findings(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.state == State::New)
            .count()
    }

    /// The exit code: 1 with a new finding, or a stale entry when `fail_on_stale`; else 0.
    pub fn exit_code(&self, fail_on_stale: bool) -> i32 {
        if self.new_findings() > 0 || (fail_on_stale && !self.stale.is_empty()) {
            1
        } else {
            0
        }
    }
}

/// Runs the checks of `policy`. `docs` and `roles` are parallel (same input order) and
/// `analysis` was computed on `docs`; `provenance` (from [`crate::provenance::trace`]) is
/// needed for [`Check::Uncredited`] and ignored otherwise. Every finding is [`State::New`]; see
/// [`baseline::apply`].
pub fn audit(
    docs: &[Document],
    roles: &[Role],
    analysis: &Analysis,
    provenance: Option<&Provenance>,
    config: &Config,
    policy: &Policy,
) -> Audit {
    let mut ctx = Ctx::new(docs, roles, analysis, config);
    let mut findings = Vec::new();
    let mut credits = Vec::new();
    for &check in &policy.checks {
        match check {
            Check::Duplicates | Check::Contamination => {
                pair_findings(&mut ctx, check, policy, &mut findings)
            }
            Check::Uncredited => {
                if let Some(prov) = provenance {
                    uncredited(&mut ctx, prov, policy, &mut findings, &mut credits);
                }
            }
        }
    }
    let findings = merge_by_key(findings);
    credits.sort_by(|a, b| a.id.cmp(&b.id));
    Audit {
        policy: policy.clone(),
        inputs: roles.iter().filter(|r| **r == Role::Input).count(),
        against: roles.iter().filter(|r| **r == Role::Against).count(),
        findings,
        credits,
        stale: Vec::new(),
    }
}

/// Shared state: dense-index lookups and lazily computed token views.
struct Ctx<'a> {
    docs: &'a [Document],
    roles: &'a [Role],
    analysis: &'a Analysis,
    profiler: Profiler,
    params: AlignParams,
    views: Vec<Option<crate::profile::TokenView>>,
}

impl<'a> Ctx<'a> {
    fn new(
        docs: &'a [Document],
        roles: &'a [Role],
        analysis: &'a Analysis,
        config: &Config,
    ) -> Self {
        Ctx {
            docs,
            roles,
            analysis,
            profiler: Profiler::new(&config.fingerprint),
            params: AlignParams {
                max_passages: config.max_passages_per_pair,
                ..AlignParams::default()
            },
            views: vec![None; analysis.documents.len()],
        }
    }

    fn doc(&self, d: DocIndex) -> &'a Document {
        &self.docs[self.analysis.documents[d].input_index]
    }

    fn role(&self, d: DocIndex) -> Role {
        self.roles[self.analysis.documents[d].input_index]
    }

    fn view(&mut self, d: DocIndex) -> &crate::profile::TokenView {
        let text = &self.doc(d).text;
        let profiler = &self.profiler;
        self.views[d].get_or_insert_with(|| profiler.view(text))
    }

    fn content(&mut self, d: DocIndex) -> String {
        format!("{:016x}", self.view(d).content_hash)
    }

    fn doc_ref(&mut self, d: DocIndex) -> DocRef {
        let doc = self.doc(d);
        DocRef {
            id: doc.id.clone(),
            path: doc.origin.path.display().to_string(),
            record_line: doc.origin.line,
            content: self.content(d),
            against: self.role(d) == Role::Against,
        }
    }

    /// The regions of the first aligned passage of `x` and `y`, in each document.
    fn first_passage(&mut self, x: DocIndex, y: DocIndex) -> (Option<Region>, Option<Region>) {
        self.view(x);
        self.view(y);
        let (vx, vy) = (
            self.views[x].as_ref().expect("computed"),
            self.views[y].as_ref().expect("computed"),
        );
        let alignment = align(&vx.tokens, &vy.tokens, &self.params);
        let Some(p) = alignment.passages.first() else {
            return (self.region(x, None), self.region(y, None));
        };
        (
            self.region(x, Some((p.a_bytes.start as usize, p.a_bytes.end as usize))),
            self.region(y, Some((p.b_bytes.start as usize, p.b_bytes.end as usize))),
        )
    }

    /// A region of document `d`: its JSONL record's line, or lines and columns of `bytes`.
    fn region(&self, d: DocIndex, bytes: Option<(usize, usize)>) -> Option<Region> {
        let doc = self.doc(d);
        if let Some(line) = doc.origin.line {
            return Some(Region {
                start_line: line,
                start_column: None,
                end_line: None,
                end_column: None,
            });
        }
        let (start, end) = bytes?;
        let (start_line, start_column) = line_column(&doc.text, start);
        let (end_line, end_column) = line_column(&doc.text, end);
        Some(Region {
            start_line,
            start_column: Some(start_column),
            end_line: Some(end_line),
            end_column: Some(end_column),
        })
    }
}

/// 1-based line and column (in Unicode code points) of byte offset `at` of `text`.
pub(crate) fn line_column(text: &str, at: usize) -> (u64, u64) {
    let at = at.min(text.len());
    let before = &text[..at];
    let line = 1 + before.bytes().filter(|&b| b == b'\n').count() as u64;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = 1 + text[line_start..at].chars().count() as u64;
    (line, column)
}

fn figures_text(p: &Pair) -> String {
    let f = &p.figures;
    format!(
        "jaccard {:.2}, containment {:.2} / {:.2}, longest verbatim run {} tokens",
        f.jaccard, f.containment_a_in_b, f.containment_b_in_a, f.longest_run_tokens
    )
}

fn pair_findings(ctx: &mut Ctx, check: Check, policy: &Policy, out: &mut Vec<Finding>) {
    // Identical copies are paired only through their group's first document: expand them so
    // every input meets every reference it copies.
    for implied in ctx.analysis.all_pairs() {
        let (pa, pb) = (implied.a, implied.b);
        let p = &ctx.analysis.pairs[implied.pair];
        let (ra, rb) = (ctx.role(pa), ctx.role(pb));
        let (subject, other) = match check {
            Check::Duplicates if ra == Role::Input && rb == Role::Input => {
                if p.relation > policy.fail_on {
                    continue;
                }
                (pb, pa)
            }
            Check::Contamination if ra != rb => {
                if p.relation > policy.contamination_level {
                    continue;
                }
                if ra == Role::Input {
                    (pa, pb)
                } else {
                    (pb, pa)
                }
            }
            _ => continue,
        };
        let (s, o) = (ctx.doc_ref(subject), ctx.doc_ref(other));
        let key = match check {
            Check::Duplicates => {
                let (x, y) = if s.content <= o.content {
                    (&s.content, &o.content)
                } else {
                    (&o.content, &s.content)
                };
                format!("duplicates:{x}-{y}")
            }
            _ => format!("contamination:{}-{}", s.content, o.content),
        };
        let message = match check {
            Check::Duplicates => format!(
                "{} is a {} of {} ({})",
                s.id,
                p.relation,
                o.id,
                figures_text(p)
            ),
            _ => format!(
                "{} is related to {} of the reference corpus: {} ({})",
                s.id,
                o.id,
                p.relation,
                figures_text(p)
            ),
        };
        let (region, other_region) = ctx.first_passage(subject, other);
        out.push(Finding {
            check,
            key,
            relation: p.relation.to_string(),
            confidence: None,
            source: None,
            message,
            occurrences: vec![Occurrence {
                subject: s,
                region,
                other: Some(o),
                other_region,
            }],
            state: State::New,
        });
    }
}

/// How a child's credits cover a parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coverage {
    Credited,
    PictureOnly,
    Uncredited,
}

/// What a derivation owes and how it is covered: coverage, the credit found, the parent's
/// label, the outside source, what would count (explained), and the outlets and agencies a
/// credit would have to name.
type CreditDue<'f> = (
    Coverage,
    Option<&'f Credit>,
    Option<String>,
    Option<String>,
    String,
    Vec<String>,
);

/// The best credit of `facts` among `names` (a text credit beats a picture credit).
fn covering<'f>(facts: &'f DocFacts, names: &[&str]) -> (Coverage, Option<&'f Credit>) {
    let matching = |c: &&Credit| names.iter().any(|n| c.source.eq_ignore_ascii_case(n));
    if let Some(c) = facts
        .credits
        .iter()
        .filter(matching)
        .find(|c| !c.photo_only)
    {
        return (Coverage::Credited, Some(c));
    }
    match facts.credits.iter().find(matching) {
        Some(c) => (Coverage::PictureOnly, Some(c)),
        None => (Coverage::Uncredited, None),
    }
}

fn credit_list(facts: &DocFacts) -> Vec<String> {
    facts
        .credits
        .iter()
        .map(|c| {
            format!(
                "{}{}: \"{}\"",
                c.source,
                if c.photo_only { " (picture)" } else { "" },
                c.text
            )
        })
        .collect()
}

fn uncredited(
    ctx: &mut Ctx,
    prov: &Provenance,
    policy: &Policy,
    out: &mut Vec<Finding>,
    notes: &mut Vec<CreditNote>,
) {
    const LATENT: &str = "common-source";
    for edges in &prov.stemmas {
        for e in edges {
            let child = e.child;
            if ctx.role(child) != Role::Input {
                continue;
            }
            let facts = &prov.facts[child];
            let id = facts.id.clone();
            let conf = round4(e.confidence);
            // `owners`: the outlets and agencies a credit would have to name.
            let (coverage, credit, parent_name, source, explain, owners): CreditDue = match &e
                .parent
            {
                Parent::Root => {
                    notes.push(CreditNote {
                        id: id.clone(),
                        parent: None,
                        kind: e.kind.as_str().to_string(),
                        confidence: conf,
                        status: "no-source".into(),
                        credits: credit_list(facts),
                        reported: false,
                        reason: format!(
                            "{id} has no known source in its stemma (a root): nothing to credit"
                        ),
                    });
                    continue;
                }
                Parent::Document(p) => {
                    let pf = &prov.facts[*p];
                    let mut names: Vec<&str> = Vec::new();
                    if let Some(o) = &pf.outlet {
                        names.push(o);
                    }
                    names.extend(
                        pf.credits
                            .iter()
                            .filter(|c| !c.photo_only)
                            .map(|c| c.source.as_str()),
                    );
                    let (cov, credit) = covering(facts, &names);
                    let wanted = if names.is_empty() {
                        format!(
                            "{} names no outlet or agency, so only a credit to {} itself would do",
                            pf.id, pf.id
                        )
                    } else {
                        format!("{} is published by or credits {}", pf.id, names.join(", "))
                    };
                    let owners = names.iter().map(|n| n.to_string()).collect();
                    (cov, credit, Some(pf.id.clone()), None, wanted, owners)
                }
                Parent::External(name) if name == LATENT => {
                    let text_credit = facts.credits.iter().find(|c| !c.photo_only);
                    let cov = match (text_credit, facts.credits.first()) {
                        (Some(_), _) => Coverage::Credited,
                        (None, Some(_)) => Coverage::PictureOnly,
                        (None, None) => Coverage::Uncredited,
                    };
                    (
                        cov,
                        text_credit.or(facts.credits.first()),
                        Some(format!("external:{name}")),
                        Some(name.clone()),
                        "its source is inferred (siblings share text that neither credits to anyone named), so any credit in the text counts".to_string(),
                        Vec::new(),
                    )
                }
                Parent::External(name) => {
                    let (cov, credit) = covering(facts, &[name.as_str()]);
                    (
                        cov,
                        credit,
                        Some(format!("external:{name}")),
                        Some(name.clone()),
                        format!("{name} is a source outside the corpus"),
                        vec![name.clone()],
                    )
                }
            };
            let parent_label = parent_name.clone().unwrap_or_default();
            // An outlet reusing its own copy (or its agency's, when it is the agency) owes no
            // credit.
            let own_outlet = facts.outlet.as_deref().filter(|o| {
                !matches!(coverage, Coverage::Credited)
                    && owners.iter().any(|n| n.eq_ignore_ascii_case(o))
            });
            let (status, mut reason) = match (coverage, credit) {
                _ if own_outlet.is_some() => (
                    "own-outlet",
                    format!(
                        "{id} derives from {parent_label} ({}, confidence {conf:.2}) and is published by {} itself: an outlet reusing its own copy needs no credit",
                        e.kind.as_str(),
                        own_outlet.unwrap_or_default()
                    ),
                ),
                (Coverage::Credited, Some(c)) => (
                    "credited",
                    format!(
                        "{id} derives from {parent_label} ({}, confidence {conf:.2}) and credits {} in its text (\"{}\")",
                        e.kind.as_str(),
                        c.source,
                        c.text
                    ),
                ),
                (Coverage::PictureOnly, Some(c)) => (
                    "picture-credit-only",
                    format!(
                        "{id} derives from {parent_label} ({}, confidence {conf:.2}) but credits {} only for a picture (\"{}\"), not for the text; {explain}",
                        e.kind.as_str(),
                        c.source,
                        c.text
                    ),
                ),
                _ => (
                    "uncredited",
                    format!(
                        "{id} derives from {parent_label} ({}, confidence {conf:.2}) and credits no source for it; {explain}",
                        e.kind.as_str()
                    ),
                ),
            };
            let is_problem = status != "credited" && status != "own-outlet";
            let reported = is_problem && e.confidence >= policy.min_confidence;
            if is_problem && !reported {
                reason.push_str(&format!(
                    " (not reported: confidence {conf:.2} is below --min-confidence {:.2})",
                    policy.min_confidence
                ));
            }
            notes.push(CreditNote {
                id: id.clone(),
                parent: parent_name.clone(),
                kind: e.kind.as_str().to_string(),
                confidence: conf,
                status: status.to_string(),
                credits: credit_list(facts),
                reported,
                reason: reason.clone(),
            });
            if !reported {
                continue;
            }
            let subject = ctx.doc_ref(child);
            let (parent_key, other, region, other_region) = match &e.parent {
                Parent::Document(p) => {
                    let o = ctx.doc_ref(*p);
                    let (r, orr) = ctx.first_passage(child, *p);
                    (o.content.clone(), Some(o), r, orr)
                }
                Parent::External(name) => {
                    let at = credit.and_then(|c| {
                        let text = &ctx.doc(child).text;
                        text.find(&c.text).map(|s| (s, s + c.text.len()))
                    });
                    (
                        format!("external:{name}"),
                        None,
                        ctx.region(child, at),
                        None,
                    )
                }
                Parent::Root => unreachable!("roots are skipped above"),
            };
            out.push(Finding {
                check: Check::Uncredited,
                key: format!("uncredited:{}<-{parent_key}", subject.content),
                relation: e.kind.as_str().to_string(),
                confidence: Some(conf),
                source,
                message: reason,
                occurrences: vec![Occurrence {
                    subject,
                    region,
                    other,
                    other_region,
                }],
                state: State::New,
            });
        }
    }
}

/// Sorts findings and merges those with the same key into one with several occurrences.
fn merge_by_key(mut findings: Vec<Finding>) -> Vec<Finding> {
    let occ_key = |o: &Occurrence| (o.subject.id.clone(), o.other.as_ref().map(|d| d.id.clone()));
    findings.sort_by(|x, y| {
        (x.check, &x.key)
            .cmp(&(y.check, &y.key))
            .then_with(|| occ_key(&x.occurrences[0]).cmp(&occ_key(&y.occurrences[0])))
    });
    let mut merged: Vec<Finding> = Vec::with_capacity(findings.len());
    for f in findings {
        match merged.last_mut() {
            Some(last) if last.check == f.check && last.key == f.key => {
                last.occurrences.extend(f.occurrences)
            }
            _ => merged.push(f),
        }
    }
    for f in &mut merged {
        if f.occurrences.len() > 1 {
            f.message.push_str(&format!(
                " (and {} more with the same content)",
                f.occurrences.len() - 1
            ));
        }
    }
    merged.sort_by(|x, y| {
        (x.check, &x.occurrences[0].subject.id, &x.key).cmp(&(
            y.check,
            &y.occurrences[0].subject.id,
            &y.key,
        ))
    });
    merged
}

#[cfg(test)]
mod tests;
