//! Arguments shared by the commands: where documents come from, the memory budget, and the
//! fingerprint and matching settings; each turned into the library's settings once.

use anyhow::{Context, Result};
use clap::Args;

use stemma::config::FingerprintParams;
use stemma::corpus::{OnDuplicateId, ReadOptions};
use stemma::report::text::SummaryLimits;
use stemma::Scratch;
use stemma::{Config, ShingleSpec};

/// Where documents come from and how records (JSONL lines, CSV/TSV rows, Parquet rows) map to
/// documents.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Field (column) holding the text. A dotted path reaches a nested field (meta.body);
    /// several fields separated by commas are joined with a blank line (title,text).
    #[arg(long, default_value = "text", value_name = "FIELD")]
    text_field: String,
    /// Field (column) holding the document id (a record without it gets FILE:LINE as id; for
    /// CSV the line the record starts on, for Parquet the row number).
    #[arg(long, default_value = "id", value_name = "FIELD")]
    id_field: String,
    /// A document whose id was seen before: error (stop), rename (to ID#2, ID#3, ...) or
    /// keep-first (skip it); renamed and skipped ones are warned about.
    #[arg(long, default_value = "error", value_name = "POLICY")]
    on_duplicate_id: OnDuplicateId,
    /// Field holding the outlet name.
    #[arg(long, default_value = "outlet", value_name = "FIELD")]
    outlet_field: String,
    /// Field holding the publication date (falls back to `date` when absent).
    #[arg(long, default_value = "published_at", value_name = "FIELD")]
    published_at_field: String,
    /// Field holding the URL.
    #[arg(long, default_value = "url", value_name = "FIELD")]
    url_field: String,
    /// Field holding the title.
    #[arg(long, default_value = "title", value_name = "FIELD")]
    title_field: String,
    /// Field holding the language.
    #[arg(long, default_value = "lang", value_name = "FIELD")]
    lang_field: String,
    /// Skip malformed records (counted and reported) instead of stopping at the first.
    #[arg(long)]
    skip_bad: bool,
    /// Read standard input (`-`) as one plain-text document instead of JSONL.
    #[arg(long)]
    stdin_text: bool,
    /// Documents longer than this many bytes are truncated (and counted).
    #[arg(long, default_value_t = 16 << 20, value_name = "BYTES")]
    max_doc_bytes: usize,
    /// JSONL lines longer than this many bytes are bad records (never buffered whole).
    #[arg(long, default_value_t = 256 << 20, value_name = "BYTES")]
    max_line_bytes: usize,
}

impl InputArgs {
    pub fn read_options(&self) -> ReadOptions {
        ReadOptions {
            text_field: self.text_field.clone(),
            id_field: self.id_field.clone(),
            outlet_field: self.outlet_field.clone(),
            url_field: self.url_field.clone(),
            title_field: self.title_field.clone(),
            published_at_field: self.published_at_field.clone(),
            lang_field: self.lang_field.clone(),
            skip_bad: self.skip_bad,
            max_doc_bytes: self.max_doc_bytes,
            max_line_bytes: self.max_line_bytes,
            stdin_as_text: self.stdin_text,
            on_duplicate_id: self.on_duplicate_id,
        }
    }
}

/// How much memory the text-sized data of a run may take, and where the rest goes.
#[derive(Debug, Args)]
pub struct ScratchArgs {
    /// About how much memory (MiB) the text-sized data may take: texts, winnowed fingerprints,
    /// bigrams and the views of the pairs being verified. Beyond it, they go to temporary files
    /// in --temp-dir, with the same results. About 1.3 KB per document (ids, signatures) comes
    /// on top.
    #[arg(long, default_value_t = 1024, value_name = "MIB")]
    memory: usize,
    /// Directory for temporary files (unnamed: nothing is left behind) [default: $TMPDIR or
    /// /tmp].
    #[arg(long, value_name = "DIR")]
    temp_dir: Option<std::path::PathBuf>,
}

impl ScratchArgs {
    /// The scratch settings: a quarter of --memory for each of the four kinds of buffer.
    pub fn scratch(&self) -> Result<Scratch> {
        anyhow::ensure!(self.memory >= 16, "--memory must be at least 16 (MiB)");
        let dir = self.temp_dir.clone().unwrap_or_else(std::env::temp_dir);
        let scratch = Scratch::on_disk(dir, self.memory.saturating_mul(1 << 20) / 4);
        scratch.check()?;
        Ok(scratch)
    }
}

/// Fingerprint and matching settings shared by the commands.
#[derive(Debug, Args)]
pub struct MatchArgs {
    /// Jaccard resemblance (0..1] at which two texts are near-duplicates [default: 0.8; with
    /// an index: the banding the index was built with].
    #[arg(long, value_name = "T")]
    threshold: Option<f64>,
    /// Shingles: `words:K` or `chars:K` [default: words:5; with an index: the index's].
    #[arg(long, value_name = "UNIT:K")]
    shingle: Option<ShingleSpec>,
    /// MinHash permutations [default: 128; with an index: the index's].
    #[arg(long, value_name = "K")]
    num_perm: Option<usize>,
    /// Fold diacritics away ("hòa" == "hoa"). Off by default (tone marks carry meaning); with
    /// an index: the index's setting.
    #[arg(long)]
    fold_diacritics: bool,
    /// Worker threads (default: all cores). Results are identical for any value.
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
}

impl MatchArgs {
    /// The settings for work on inputs alone: defaults, then the flags given.
    pub fn config(&self) -> Result<Config> {
        self.config_from(FingerprintParams::default())
    }

    /// The settings for work against an existing index: the index's fingerprint parameters
    /// and banding, then the flags given (a flag that differs from the index is then refused
    /// by the index with what differs and what to do). So an index built with other settings,
    /// or by a stemma with other defaults, keeps working without repeating its flags.
    pub fn config_for_index(&self, manifest: &stemma::index::Manifest) -> Result<Config> {
        let mut config = self.config_from(manifest.params.clone())?;
        if self.threshold.is_none() {
            config.banding = Some(manifest.banding);
        }
        config.validate()?;
        Ok(config)
    }

    fn config_from(&self, fingerprint: FingerprintParams) -> Result<Config> {
        let mut config = Config {
            fingerprint,
            ..Config::default()
        };
        if let Some(t) = self.threshold {
            config.relations.near_duplicate = t;
        }
        if let Some(s) = self.shingle {
            config.fingerprint.shingle = s;
        }
        if let Some(k) = self.num_perm {
            config.fingerprint.num_perm = k;
        }
        if self.fold_diacritics {
            config.fingerprint.fold_diacritics = true;
        }
        config.validate()?;
        Ok(config)
    }

    pub fn init_threads(&self) -> Result<()> {
        if let Some(n) = self.threads {
            anyhow::ensure!(n > 0, "invalid setting --threads: must be at least 1");
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build_global()
                .context("cannot start the worker threads")?;
        }
        Ok(())
    }
}

/// How much of the families the text summary lists.
#[derive(Debug, Args)]
pub struct SummaryArgs {
    /// The summary lists the N largest families (most members first), each with at most 20
    /// members and pairs, and says how many more there are. Documents in no family are listed
    /// when there are at most 10, otherwise counted.
    #[arg(long, value_name = "N", default_value_t = SummaryLimits::DEFAULT_TOP, conflicts_with = "all")]
    top: usize,
    /// The summary lists every family, member, pair and document in no family.
    #[arg(long)]
    all: bool,
}

impl SummaryArgs {
    /// The limits asked for.
    pub fn limits(&self) -> SummaryLimits {
        if self.all {
            SummaryLimits::all()
        } else {
            SummaryLimits::top(self.top)
        }
    }
}
