//! Ctrl+F search: which frames match the typed text, which spans of the shown view they are,
//! how much of the view's weight they cover, and which match Enter / Shift+Enter is on.
//!
//! Why per frame, then per span: the name test (substring or regex) runs once per frame of the
//! profile, not once per span, and the result is the scene's [`Highlight`] (matches tinted, the
//! rest dimmed). The spans are gathered once per edit from the view's [`SpanIndex`], sorted by x
//! then depth, so Enter walks them left to right. The matched share is the length of the union
//! of the matched spans over the roots' length: a match nested in another match (recursion, or
//! `foo` inside `foo_bar`) is not counted twice, and the share never exceeds 100 %.
//!
//! Syntax: plain text is a case-insensitive substring; text starting with `/` is a
//! (case-insensitive) regular expression, e.g. `/^std::.*alloc`.

use crate::scene::Highlight;
use bigflame_layout::{Span, SpanIndex};
use bigflame_model::Profile;
use regex::{Regex, RegexBuilder};

/// How a frame name is tested.
pub enum Matcher {
    /// Lower-cased needle, compared with the lower-cased name.
    Substring(String),
    /// `/pattern`.
    Regex(Regex),
}

impl Matcher {
    /// Parses the search text; `Err` carries a short message for an invalid regex.
    pub fn new(text: &str) -> Result<Self, String> {
        match text.strip_prefix('/') {
            Some(pattern) => RegexBuilder::new(pattern)
                .case_insensitive(true)
                .size_limit(1 << 22)
                .build()
                .map(Matcher::Regex)
                .map_err(|e| {
                    let msg = e.to_string();
                    let last = msg.lines().last().unwrap_or("invalid").trim().to_string();
                    format!("invalid regex: {last}")
                }),
            None => Ok(Matcher::Substring(text.to_lowercase())),
        }
    }

    /// Whether `name` matches.
    pub fn is_match(&self, name: &str) -> bool {
        match self {
            Matcher::Substring(needle) => {
                if name.is_ascii() && needle.is_ascii() {
                    ascii_contains_ci(name.as_bytes(), needle.as_bytes())
                } else {
                    name.to_lowercase().contains(needle.as_str())
                }
            }
            Matcher::Regex(re) => re.is_match(name),
        }
    }
}

/// `needle` (already lower-case) in `hay`, ignoring ASCII case, without allocating.
fn ascii_contains_ci(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty()
        || hay.windows(needle.len()).any(|w| {
            w.iter()
                .zip(needle)
                .all(|(a, b)| a.to_ascii_lowercase() == *b)
        })
}

/// What a search text matches in one view: computed off the UI thread (a job, see `jobs.rs`),
/// since a big Time Order view has millions of spans to test.
#[derive(Default)]
pub struct SearchResult {
    /// Why the text matches nothing (an invalid regex).
    pub error: Option<String>,
    /// Matching frames (`None` for an empty text).
    pub highlight: Option<Highlight>,
    /// Matched spans of the view, by x then depth.
    pub matches: Vec<Span>,
    /// Length of the union of the matched spans, view units.
    pub matched: f64,
    /// Length of the roots (depth 0), view units.
    pub total: f64,
}

impl SearchResult {
    /// The highlight, matches and share of `text` in `index` (the view shown).
    pub fn compute(text: &str, profile: &Profile, index: Option<&SpanIndex>) -> Self {
        let mut r = Self::default();
        if text.is_empty() {
            return r;
        }
        let matcher = match Matcher::new(text) {
            Ok(m) => m,
            Err(e) => {
                r.error = Some(e);
                // Nothing matches: everything dims, which says "no match" at a glance.
                r.highlight = Some(Highlight::from_fn(profile, |_| false));
                return r;
            }
        };
        let hl = Highlight::from_fn(profile, |name| matcher.is_match(name));
        if let Some(index) = index {
            r.total = index.spans(0).iter().map(|s| s.x1 - s.x0).sum();
            for depth in 0..index.depth_count() {
                r.matches.extend(
                    index
                        .spans(depth)
                        .into_iter()
                        .filter(|s| hl.contains(s.frame)),
                );
            }
            r.matches
                .sort_by(|a, b| a.x0.total_cmp(&b.x0).then(a.depth.cmp(&b.depth)));
            r.matched = union_length(&r.matches);
        }
        r.highlight = Some(hl);
        r
    }
}

/// The search field and its results for the shown view.
///
/// Debounce: typing marks the results stale ([`Search::due_ms`]); the viewer starts the search
/// job once no key came for [`DEBOUNCE_MS`] ([`Search::touch`]; no delay on small views, so they
/// stay instant), and installs its [`SearchResult`] when it arrives, if the text has not changed
/// meanwhile.
#[derive(Default)]
pub struct Search {
    /// Whether the field is open (typed characters go into it).
    pub open: bool,
    /// The text typed.
    pub text: String,
    /// Why the text matches nothing (an invalid regex).
    pub error: Option<String>,
    highlight: Option<Highlight>,
    /// Matched spans of the view, by x then depth.
    pub matches: Vec<Span>,
    /// Index into `matches` of the one Enter last went to.
    pub current: Option<usize>,
    /// Length of the union of the matched spans, view units.
    pub matched: f64,
    /// Length of the roots (depth 0), view units.
    pub total: f64,
    /// When (viewer clock, ms) the search job is due; `None` when none is waiting.
    pub due_ms: Option<f64>,
    /// A job for the current text is running: the results shown are older.
    pub running: bool,
}

/// Spans in a view above which typing is debounced.
pub const DEBOUNCE_SPANS: usize = 200_000;
/// The debounce delay on big views, ms.
pub const DEBOUNCE_MS: f64 = 150.0;

impl Search {
    /// The highlight for the scene: `Some` while there is text to match.
    pub fn highlight(&self) -> Option<&Highlight> {
        self.highlight.as_ref()
    }

    /// Whether there is text to match (open or not).
    pub fn active(&self) -> bool {
        !self.text.is_empty()
    }

    /// Whether the results shown are older than the text (waiting for the debounce or a job).
    pub fn stale(&self) -> bool {
        self.due_ms.is_some() || self.running
    }

    /// Clears the text and results and closes the field.
    pub fn close(&mut self) {
        *self = Self::default();
    }

    /// The matcher of the current text (`None` when empty or invalid).
    pub fn matcher(&self) -> Option<Matcher> {
        if self.text.is_empty() {
            return None;
        }
        Matcher::new(&self.text).ok()
    }

    /// The text changed at `now_ms`: the search is due after the debounce delay for a view of
    /// `spans` spans.
    pub fn touch(&mut self, now_ms: f64, spans: usize) {
        let delay = if spans > DEBOUNCE_SPANS {
            DEBOUNCE_MS
        } else {
            0.0
        };
        self.due_ms = Some(now_ms + delay);
    }

    /// Installs results computed for the current text.
    pub fn install(&mut self, r: SearchResult) {
        self.error = r.error;
        self.highlight = r.highlight;
        self.matches = r.matches;
        self.matched = r.matched;
        self.total = r.total;
        self.current = None;
        self.running = false;
    }

    /// Moves to the next (`step > 0`) or previous match, wrapping; `None` without matches.
    pub fn step(&mut self, step: isize) -> Option<Span> {
        let n = self.matches.len();
        if n == 0 {
            return None;
        }
        let next = match self.current {
            None if step < 0 => n - 1,
            None => 0,
            Some(i) => (i as isize + step.signum()).rem_euclid(n as isize) as usize,
        };
        self.current = Some(next);
        self.matches.get(next).copied()
    }

    /// `12 matches · 34.5% of thread` (or the error, or "no matches").
    pub fn summary(&self, of: &str) -> String {
        if let Some(e) = &self.error {
            return e.clone();
        }
        if self.stale() && self.matches.is_empty() {
            return "searching…".into();
        }
        let n = self.matches.len();
        if n == 0 {
            return "no matches".into();
        }
        let pct = self.share() * 100.0;
        let pos = self
            .current
            .map(|i| format!("{}/", i + 1))
            .unwrap_or_default();
        let noun = if n == 1 { "match" } else { "matches" };
        format!("{pos}{n} {noun} · {pct:.1}% of {of}")
    }

    /// Matched fraction of the roots' length (0 when empty).
    pub fn share(&self) -> f64 {
        if self.total > 0.0 {
            (self.matched / self.total).clamp(0.0, 1.0)
        } else {
            0.0
        }
    }
}

/// Length of the union of `spans` (sorted by `x0`).
fn union_length(spans: &[Span]) -> f64 {
    let mut total = 0.0;
    let mut cur: Option<(f64, f64)> = None;
    for s in spans {
        cur = match cur {
            Some((a, b)) if s.x0 <= b => Some((a, b.max(s.x1))),
            Some((a, b)) => {
                total += b - a;
                Some((s.x0, s.x1))
            }
            None => Some((s.x0, s.x1)),
        };
    }
    if let Some((a, b)) = cur {
        total += b - a;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substring_ignores_case_and_regex_needs_a_slash() {
        let m = Matcher::new("ALLOC").expect("substring");
        assert!(m.is_match("my_alloc_fn"));
        assert!(!m.is_match("free"));
        let r = Matcher::new("/^std::.*alloc$").expect("regex");
        assert!(r.is_match("std::raw_vec::Alloc"));
        assert!(!r.is_match("x std::alloc"));
        assert!(Matcher::new("/(").is_err());
        assert!(Matcher::new("Ünï").expect("unicode").is_match("xünïx"));
    }

    #[test]
    fn nested_matches_count_once() {
        let span = |x0: f64, x1: f64, depth: u32| Span {
            x0,
            x1,
            depth,
            frame: bigflame_model::FrameId::from_index(0),
            node: 0,
            folded: 1,
            fold: false,
        };
        let spans = [span(0.0, 10.0, 0), span(2.0, 5.0, 1), span(20.0, 25.0, 3)];
        assert_eq!(union_length(&spans), 15.0);
    }
}
