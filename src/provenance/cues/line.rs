//! Line-based rules: an outlet tag at a line start ("(PLO)-", "HÀ NỘI (VNS) —") and a
//! sign-off token ending a line ("/.", "(end)", "（完）", "-0-").

use super::rules::Ctx;
use super::scan::*;
use super::tables::SIGN_TOKENS;
use super::CueKind;

impl Ctx<'_> {
    /// Line-based rules: outlet tags at a line start, sign-off tokens at a line end.
    pub(super) fn lines(&mut self) {
        let s = self.s;
        let mut ls = 0;
        while ls <= s.len() {
            let le = s[ls..].find('\n').map_or(s.len(), |k| ls + k);
            self.outlet_tag(ls, le);
            let t = ls + s[ls..le].trim_end().len();
            for tok in SIGN_TOKENS.split('|') {
                if self.f[ls..t].ends_with(tok) {
                    let a = t - tok.len();
                    if !tok.starts_with(|c: char| c.is_alphanumeric())
                        || char_before(s, a).is_none_or(|c| !is_word(c))
                    {
                        self.push(CueKind::SignOff, a, t, None, None);
                    }
                }
            }
            ls = le + 1;
        }
    }

    pub(super) fn outlet_tag(&mut self, ls: usize, le: usize) {
        let s = self.s;
        let line = &s[ls..le];
        let Some(open) = line
            .char_indices()
            .take_while(|&(i, _)| i <= 80)
            .find(|&(_, c)| c == '(' || c == '（')
            .map(|(i, _)| i)
        else {
            return;
        };
        let inner = open + char_at(line, open).map_or(1, char::len_utf8);
        let Some(close) = line[inner..]
            .char_indices()
            .take_while(|&(i, _)| i <= 40)
            .find(|&(_, c)| c == ')' || c == '）')
        else {
            return;
        };
        let content = line[inner..inner + close.0].trim();
        let prefix = &line[..open];
        let bare = prefix.trim().is_empty();
        let words = content.split_whitespace().count();
        let caps = !content.chars().any(char::is_lowercase)
            && content.chars().filter(|c| c.is_uppercase()).count() >= 2;
        let title = bare && words <= 2 && content.chars().all(|c| c.is_alphanumeric() || c == ' ');
        if !content.starts_with(char::is_uppercase)
            || content.chars().count() < 2
            || words > 3
            || !(caps || title)
            || !dateline_ok(prefix)
        {
            return;
        }
        if self.t.resolve(content).is_some() {
            return;
        }
        if let Some(d) = dash_after(s, ls + inner + close.0 + close.1.len_utf8()) {
            self.push(
                CueKind::OutletTag,
                ls + open,
                d,
                Some(content.to_string()),
                None,
            );
        }
    }
}
