//! The Sandwich view's data: one function's callers and callees as two [`FlameView`]s, and the
//! function table (self / total per function of the shown thread) beside them.
//!
//! Why here and not in `scene`: the trees come from `bigflame_model::Sandwich` and are drawn by
//! the ordinary scene builder (the callers with `SceneOptions::inverted`), so all that is
//! viewer-specific is which function is in focus, the table's sort and filter, and the table's
//! geometry. Both trees are rooted at the focus function and have the same total, so they share
//! the camera's x range: zooming zooms both halves together.

use crate::app::search::Matcher;
use crate::scene::FlameView;
use bigflame_model::{
    EventId, FrameId, FunctionRow, FunctionStats, Profile, Sandwich, SortBy, ThreadId,
};
use std::sync::Arc;

/// The two halves of a sandwich.
pub struct SandwichView {
    /// The focus function.
    pub frame: FrameId,
    /// The thread it was built for.
    pub thread: ThreadId,
    /// Callers (drawn inverted, above the middle).
    pub callers: Arc<FlameView>,
    /// Callees (drawn below the middle; shared with search jobs).
    pub callees: Arc<FlameView>,
}

impl SandwichView {
    /// Builds both trees of `frame` on `thread`.
    pub fn build(profile: &Profile, event: EventId, thread: ThreadId, frame: FrameId) -> Self {
        let threads = [thread];
        let s = Sandwich::build(profile, event, &threads, frame);
        Self {
            frame,
            thread,
            callers: Arc::new(FlameView::from_tree(profile, &threads, &s.callers)),
            callees: Arc::new(FlameView::from_tree(profile, &threads, &s.callees)),
        }
    }

    /// Rows of the deeper half.
    pub fn depth_count(&self) -> u32 {
        self.callers.depth_count().max(self.callees.depth_count())
    }

    /// The shared x extent (the focus function's total weight).
    pub fn extent(&self) -> std::ops::Range<f64> {
        let (a, b) = (self.callers.extent(), self.callees.extent());
        a.start.min(b.start)..a.end.max(b.end)
    }
}

/// Stable name of a sort column for JSON.
pub fn sort_name(by: SortBy) -> &'static str {
    match by {
        SortBy::SelfWeight => "self",
        SortBy::TotalWeight => "total",
        SortBy::Name => "name",
    }
}

/// The function table of one thread: all rows, and the sorted, filtered ones shown.
pub struct FunctionTable {
    /// The thread it was built for.
    pub thread: ThreadId,
    stats: FunctionStats,
    /// Sort column.
    pub sort: SortBy,
    /// Shown rows: sorted by `sort`, only names matching the search.
    pub rows: Vec<FunctionRow>,
    /// First shown row (scroll position).
    pub scroll: usize,
}

impl FunctionTable {
    /// Per-function statistics of `thread`, sorted by self weight.
    pub fn build(profile: &Profile, event: EventId, thread: ThreadId) -> Self {
        let stats = FunctionStats::build(profile, event, &[thread]);
        let mut table = Self {
            thread,
            stats,
            sort: SortBy::SelfWeight,
            rows: Vec::new(),
            scroll: 0,
        };
        table.refresh(profile, None);
        table
    }

    /// The statistics of one frame.
    pub fn row_of(&self, profile: &Profile, frame: FrameId) -> Option<&FunctionRow> {
        self.stats.get(profile, frame)
    }

    /// The function with the most self weight (the default focus).
    pub fn heaviest_self(&self, profile: &Profile) -> Option<FrameId> {
        self.stats
            .top(profile, 1, SortBy::SelfWeight)
            .first()
            .map(|r| r.frame)
    }

    /// Re-sorts and re-filters the shown rows (`matcher` = the search, if any).
    pub fn refresh(&mut self, profile: &Profile, matcher: Option<&Matcher>) {
        self.rows = self.stats.sorted(profile, self.sort);
        if let Some(m) = matcher {
            self.rows
                .retain(|r| m.is_match(profile.frame_name(r.frame)));
        }
        self.scroll = self.scroll.min(self.rows.len().saturating_sub(1));
    }

    /// Next sort column: self → total → name → self.
    pub fn cycle_sort(&mut self, profile: &Profile, matcher: Option<&Matcher>) {
        self.sort = match self.sort {
            SortBy::SelfWeight => SortBy::TotalWeight,
            SortBy::TotalWeight => SortBy::Name,
            SortBy::Name => SortBy::SelfWeight,
        };
        self.scroll = 0;
        self.refresh(profile, matcher);
    }

    /// Sorts by `by` (a header click).
    pub fn sort_by(&mut self, profile: &Profile, by: SortBy, matcher: Option<&Matcher>) {
        self.sort = by;
        self.scroll = 0;
        self.refresh(profile, matcher);
    }

    /// Scrolls by `rows` (positive = down), within the rows.
    pub fn scroll_by(&mut self, rows: isize) {
        let max = self.rows.len().saturating_sub(1) as isize;
        self.scroll = (self.scroll as isize + rows).clamp(0, max.max(0)) as usize;
    }
}

/// Where a pointer is in the table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TableHit {
    /// The header, over a column.
    Header(SortBy),
    /// A shown row (index into [`FunctionTable::rows`]).
    Row(usize),
}

/// Geometry of the table: `x0` its left edge, `row` the row height, `col` a number column's
/// width, `bottom` the status line's top, all physical px.
#[derive(Clone, Copy, Debug)]
pub struct TableLayout {
    /// Left edge.
    pub x0: f64,
    /// Right edge.
    pub x1: f64,
    /// Row height.
    pub row: f64,
    /// Width of the self and total columns.
    pub col: f64,
    /// Bottom of the table.
    pub bottom: f64,
}

impl TableLayout {
    /// Left edge of the self column (total is right of it).
    pub fn self_x(&self) -> f64 {
        self.x1 - 2.0 * self.col
    }

    /// How many rows fit under the header.
    pub fn visible_rows(&self) -> usize {
        ((self.bottom / self.row).floor() as usize).saturating_sub(1)
    }

    /// What is under `(x, y)`, if anything; `scroll` is the first shown row.
    pub fn hit(&self, x: f64, y: f64, scroll: usize, rows: usize) -> Option<TableHit> {
        if !(x >= self.x0 && x < self.x1 && y >= 0.0 && y < self.bottom) {
            return None;
        }
        let r = (y / self.row).floor() as usize;
        if r == 0 {
            let by = if x < self.self_x() {
                SortBy::Name
            } else if x < self.x1 - self.col {
                SortBy::SelfWeight
            } else {
                SortBy::TotalWeight
            };
            return Some(TableHit::Header(by));
        }
        let i = scroll + r - 1;
        (i < rows).then_some(TableHit::Row(i))
    }
}
