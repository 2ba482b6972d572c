//! The in-memory profile model of bigflame.
//!
//! Why a columnar model: a multi-gigabyte `perf script` recording holds millions of samples but only
//! hundreds of thousands of unique stacks and tens of thousands of unique frames. Storing every sample
//! as three plain columns (time, stack id, weight) next to interned frames and a stack prefix tree keeps
//! memory a small fraction of the input and makes every aggregation a linear pass over integers.
//!
//! Layering: this crate knows no file format and no GPU. Importers (in `bigflame-formats`) fill a
//! [`ProfileBuilder`] per input chunk and [`merge_builders`] joins them into one [`Profile`]; views and
//! the renderer read the profile through the aggregations here ([`CallTree`], [`FunctionStats`]).
//!
//! Invariants (checked by tests):
//! * every id is a dense `u32` index into its table;
//! * in the [`StackTable`] a parent always has a smaller id than its children (parents before children),
//!   so a forward pass visits callers first and a backward pass visits callees first;
//! * each (parent, frame) pair appears once, so a `StackId` names one unique call path;
//! * the id assignment is first-occurrence order over the input, so a profile built from N chunks merged
//!   in order is identical to one built from a single chunk.

// Input data must never panic the importer: no unwrap/expect outside tests.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod builder;
mod calltree;
pub mod diff;
mod frames;
mod functions;
mod ids;
pub mod palette;
mod profile;
mod stacks;
mod strings;
mod transform;
mod weights;

pub use builder::{ProfileBuilder, ThreadKey, merge_builders};
pub use calltree::{CallTree, NodeId, Sandwich, StackWeights, all_threads};

pub use frames::{Frame, FrameKind, FrameTable};
pub use functions::{FunctionRow, FunctionStats, GroupBy, SortBy};

pub use ids::{EventId, FrameId, StackId, StringId, ThreadId};
pub use profile::{
    EventType, Profile, ProfileMeta, SampleColumns, SkipReason, Skipped, Thread, WeightUnit,
};
pub use stacks::StackTable;
pub use strings::StringTable;
pub use transform::{
    FuncRef, Granularity, Transform, TransformError, TransformStack, collapse_all_recursion,
    collapse_direct_recursion, collapse_indirect_stacks, collapse_stacks, with_thread_roots,
};
pub use weights::Weights;

/// The hasher used by every interning map in bigflame: fast, non-cryptographic, and seeded with a fixed
/// seed so that builds are reproducible (iteration order never leaks into output anyway).
pub type FastHasher = foldhash::fast::FixedState;

/// A `hashbrown` map with [`FastHasher`].
pub type FastMap<K, V> = hashbrown::HashMap<K, V, FastHasher>;
