//! Formats parsed as one document: JSON, protobuf, callgrind, pstats, JFR, Instruments text and
//! zipped `.trace` bundles.
//!
//! Why a separate path: these formats have no record boundaries a chunker could cut at (a JSON
//! document, a protobuf message, callgrind's name-compression state that runs through the file), so
//! they are parsed whole, after the input has been mapped or read completely. Their importers are
//! still sans-IO functions over `&[u8]`; each may parallelise internally.
//!
//! Adding an importer is one arm in [`parser`]; [`crate::Format::is_supported`] follows from it.

use super::ImportOptions;
use crate::error::ImportError;
use crate::format::Format;
use bigflame_model::Profile;

/// A whole-document importer: the decoded bytes (no BOM, UTF-8), the input's name for messages, and
/// the import options. It fills everything but `meta.format` and `meta.source`, which the driver sets.
pub(crate) type WholeFn = fn(&[u8], &str, &ImportOptions) -> Result<Profile, ImportError>;

/// The whole-document importer of a format, if bigflame has one.
pub(crate) fn parser(format: Format) -> Option<WholeFn> {
    match format {
        Format::SpeedscopeJson => Some(crate::json::speedscope::import),
        Format::ChromeCpuProfile => Some(crate::json::cpuprofile::import),
        Format::ChromeTrace => Some(crate::json::trace_event::import),
        Format::V8HeapProfile => Some(crate::json::heap_profile::import),
        Format::Pprof => Some(crate::pprof::import),
        Format::Pmcstat => Some(crate::pmcstat::import),
        Format::Papyrus => Some(crate::papyrus::import),
        Format::InstrumentsDeepCopy => Some(crate::instruments::import),
        Format::InstrumentsTrace => Some(crate::instruments_trace::import),
        Format::Stackprof => Some(crate::stackprof::import),
        Format::Firefox => Some(crate::firefox::import),
        Format::Safari => Some(crate::safari::import),
        Format::GhcProf => Some(crate::ghc::import),
        Format::Callgrind => Some(crate::callgrind::import),
        Format::Pstats => Some(crate::pstats::import),
        Format::Jfr => Some(crate::jfr::import),
        _ => None,
    }
}
