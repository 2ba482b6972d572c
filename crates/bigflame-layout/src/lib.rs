//! LOD indexes and the per-frame visible-span query of bigflame's views.
//!
//! Why a separate crate: the query runs every frame and decides how many rectangles the GPU draws
//! (~0.6 µs each on a software rasteriser), so its cost and output size must not depend on the profile
//! size. It is pure CPU and property-tested against brute force.
//!
//! Every view is a [`SpanIndex`]: per-depth arrays of spans in x order plus a max pyramid per depth.
//! * Time Order (flame chart): [`time_order()`] / [`time_order_threads`], x = cumulative weight or time
//!   ([`XAxis`]); consecutive samples with the same prefix at a depth merge into one span.
//! * Left Heavy and the Sandwich callers/callees: [`call_tree_layout`] of any
//!   [`bigflame_model::CallTree`].
//!
//! [`SpanIndex::query`] returns, for a viewport and a pixel size, the spans to draw: spans narrower than
//! `min_width_px` are folded with their narrow neighbours (gaps < 1 px bridged) into one span whose
//! `folded` count says how many it stands for; folded and culled spans are never descended into.
//! Output per depth is O(width_px); entries touched are O(output · log n) (see [`QueryStats`]).

mod index;
mod pyramid;
pub mod synthetic;
mod time_order;
mod tree;

pub use index::SpanIndex;
pub use pyramid::FANOUT;
pub use time_order::{XAxis, time_order, time_order_threads};
pub use tree::call_tree_layout;

use bigflame_model::FrameId;

/// One rectangle to draw, in view units.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct Span {
    /// Left edge (true extent, not clipped to the viewport).
    pub x0: f64,
    /// Right edge, exclusive.
    pub x1: f64,
    /// Row, 0 = outermost frame.
    pub depth: u32,
    /// The frame (of the first span for a folded span).
    pub frame: FrameId,
    /// The node: a `StackId` value for Time Order, a `NodeId` value for call-tree layouts.
    pub node: u32,
    /// Number of spans merged into this one; 1 = a real span.
    pub folded: u32,
    /// True for a LOD fold: several different narrow spans drawn as one. False for one node, also
    /// when its pieces were merged across sub-pixel gaps (then `folded > 1` but it is still that node).
    pub fold: bool,
}

/// Work done by one query, for tests and the HUD.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct QueryStats {
    /// Index entries read: binary-search probes, spans visited, pyramid entries scanned.
    pub touched: u64,
    /// Spans appended to the output.
    pub emitted: u64,
}
