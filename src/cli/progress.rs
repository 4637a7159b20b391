//! A progress bar on stderr for long runs; indicatif hides it when stderr is not a terminal.

use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressStyle};
use stemma::Progress;

/// Shows one bar per stage.
pub struct Bar {
    current: Mutex<Option<ProgressBar>>,
    enabled: bool,
}

impl Bar {
    /// A bar; `enabled = false` shows nothing.
    pub fn new(enabled: bool) -> Self {
        Bar {
            current: Mutex::new(None),
            enabled,
        }
    }
}

impl Progress for Bar {
    fn start(&self, stage: &'static str, total: u64) {
        if !self.enabled {
            return;
        }
        // An unknown total (documents still being read) shows a count instead of a bar.
        let bar = if total == 0 {
            let bar = ProgressBar::new_spinner();
            if let Ok(style) = ProgressStyle::with_template("{msg:>12} {spinner} {pos} {elapsed}") {
                bar.set_style(style);
            }
            bar
        } else {
            let bar = ProgressBar::new(total);
            if let Ok(style) =
                ProgressStyle::with_template("{msg:>12} [{bar:30}] {pos}/{len} {elapsed}")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        };
        bar.set_message(stage);
        if let Ok(mut cur) = self.current.lock() {
            *cur = Some(bar);
        }
    }
    fn advance(&self, n: u64) {
        if let Ok(cur) = self.current.lock() {
            if let Some(bar) = cur.as_ref() {
                bar.inc(n);
            }
        }
    }
    fn finish(&self) {
        if let Ok(mut cur) = self.current.lock() {
            if let Some(bar) = cur.take() {
                bar.finish_and_clear();
            }
        }
    }
}
