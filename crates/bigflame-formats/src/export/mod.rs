//! Writers: a [`bigflame_model::Profile`] → a file other tools (and bigflame) read back.
//!
//! Why writers live in the formats crate: a writer is a file format too, and must agree with its
//! importer (`import(export(p)) == p` is tested). Like the importers they know no GPU, write to any
//! [`std::io::Write`] and stream, so memory stays bounded by the model, not by the output:
//!
//! * [`speedscope`]: speedscope's JSON file format, one sampled profile per (thread, event);
//! * [`svg`]: a self-contained interactive flame graph (hover, click to zoom, search), with frames
//!   narrower than a minimum width culled so a multi-gigabyte profile still gives a small file;
//! * folded stacks are written by [`crate::collapse::write_folded`].

mod escape;
pub mod speedscope;
pub mod svg;
mod svg_script;

pub use speedscope::{SpeedscopeOptions, write_speedscope};
pub use svg::{SvgOptions, SvgStats, write_svg};
