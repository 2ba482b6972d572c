//! The formats bigflame knows, by stable name.
//!
//! Why one enum for recognised and supported formats: sniffing must be able to say "this is a pprof
//! file" even for a format whose importer is missing, so the message can name it. Whether a format
//! can be imported is decided in one place, [`crate::driver`] (chunked text formats) and
//! `driver::whole` (formats parsed as one document), so adding an importer is one match arm there.

use std::path::Path;

/// An input format.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Format {
    /// Text from `perf script`.
    PerfScript,
    /// Folded / collapsed stacks, `a;b;c 123` per line.
    Folded,
    /// A binary `perf.data` recording (imported through `perf script`).
    PerfData,
    /// speedscope's JSON file format.
    SpeedscopeJson,
    /// V8 / Chrome `.cpuprofile` (nodes + samples + timeDeltas, or Node 10's head tree).
    ChromeCpuProfile,
    /// Trace Event Format JSON (B/E/X events, Profile/ProfileChunk samples, DevTools exports, Hermes).
    ChromeTrace,
    /// V8 sampling heap profile (`.heapprofile`).
    V8HeapProfile,
    /// Firefox / Gecko profiler JSON.
    Firefox,
    /// Ruby stackprof JSON.
    Stackprof,
    /// Safari Web Inspector timeline recording JSON.
    Safari,
    /// GHC profiler JSON (`+RTS -pj`).
    GhcProf,
    /// Some other JSON.
    Json,
    /// A pprof protobuf (usually gzipped).
    Pprof,
    /// valgrind callgrind output.
    Callgrind,
    /// Python cProfile / pstats output (marshal).
    Pstats,
    /// Xcode Instruments call tree copied as text ("Deep Copy").
    InstrumentsDeepCopy,
    /// An Xcode Instruments `.trace` bundle (a directory, or that directory zipped).
    InstrumentsTrace,
    /// A Java Flight Recorder recording (`.jfr`, from the JDK or async-profiler).
    Jfr,
    /// Skyrim Papyrus script profiler log.
    Papyrus,
    /// FreeBSD `pmcstat -G` callgraph text.
    Pmcstat,
    /// gzip data inside gzip data (recognised, not supported).
    NestedGzip,
}

impl Format {
    /// Every format, for `--format` help and tests.
    pub const ALL: [Format; 21] = [
        Format::PerfScript,
        Format::Folded,
        Format::PerfData,
        Format::SpeedscopeJson,
        Format::ChromeCpuProfile,
        Format::ChromeTrace,
        Format::V8HeapProfile,
        Format::Firefox,
        Format::Stackprof,
        Format::Safari,
        Format::GhcProf,
        Format::Json,
        Format::Pprof,
        Format::Callgrind,
        Format::Pstats,
        Format::InstrumentsDeepCopy,
        Format::InstrumentsTrace,
        Format::Jfr,
        Format::Papyrus,
        Format::Pmcstat,
        Format::NestedGzip,
    ];

    /// The stable name, used in `ProfileMeta::format`, `info` output and `--format`.
    pub fn name(self) -> &'static str {
        match self {
            Format::PerfScript => "perf-script",
            Format::Folded => "folded",
            Format::PerfData => "perf-data",
            Format::SpeedscopeJson => "speedscope-json",
            Format::ChromeCpuProfile => "chrome-cpuprofile",
            Format::ChromeTrace => "chrome-trace",
            Format::V8HeapProfile => "v8-heap-profile",
            Format::Firefox => "firefox",
            Format::Stackprof => "stackprof",
            Format::Safari => "safari",
            Format::GhcProf => "ghc-prof-json",
            Format::Json => "json",
            Format::Pprof => "pprof",
            Format::Callgrind => "callgrind",
            Format::Pstats => "pstats",
            Format::InstrumentsDeepCopy => "instruments-deep-copy",
            Format::InstrumentsTrace => "instruments-trace",
            Format::Jfr => "java-flight-recorder",
            Format::Papyrus => "papyrus",
            Format::Pmcstat => "pmcstat",
            Format::NestedGzip => "gzip-in-gzip",
        }
    }

    /// A description for people ("a pprof protobuf profile").
    pub fn describe(self) -> &'static str {
        match self {
            Format::PerfScript => "perf script text",
            Format::Folded => "folded stacks",
            Format::PerfData => "a perf.data recording",
            Format::SpeedscopeJson => "speedscope JSON",
            Format::ChromeCpuProfile => "a V8/Chrome .cpuprofile",
            Format::ChromeTrace => "Chrome trace events",
            Format::V8HeapProfile => "a V8 heap profile",
            Format::Firefox => "a Firefox profile",
            Format::Stackprof => "a Ruby stackprof profile",
            Format::Safari => "a Safari timeline recording",
            Format::GhcProf => "a GHC profile (JSON)",
            Format::Json => "JSON of an unknown schema",
            Format::Pprof => "a pprof protobuf profile",
            Format::Callgrind => "callgrind output",
            Format::Pstats => "a Python cProfile/pstats file",
            Format::InstrumentsDeepCopy => "an Instruments deep copy",
            Format::InstrumentsTrace => "an Instruments .trace bundle",
            Format::Jfr => "a Java Flight Recorder recording",
            Format::Papyrus => "a Papyrus profiler log",
            Format::Pmcstat => "pmcstat callgraph text",
            Format::NestedGzip => "gzip data inside gzip data",
        }
    }

    /// Parses a [`Format::name`] (also accepts a few aliases).
    pub fn from_name(name: &str) -> Option<Format> {
        match name {
            "perf" => Some(Format::PerfScript),
            "collapsed" => Some(Format::Folded),
            "speedscope" => Some(Format::SpeedscopeJson),
            "cpuprofile" => Some(Format::ChromeCpuProfile),
            "trace-event" | "chrome" => Some(Format::ChromeTrace),
            "cprofile" => Some(Format::Pstats),
            "jfr" => Some(Format::Jfr),
            "trace" | "instruments" => Some(Format::InstrumentsTrace),
            _ => Format::ALL.into_iter().find(|f| f.name() == name),
        }
    }

    /// True when bigflame can import this format.
    pub fn is_supported(self) -> bool {
        matches!(self, Format::PerfScript | Format::Folded | Format::PerfData)
            || crate::driver::whole::parser(self).is_some()
    }

    /// Why `path` cannot be imported, and what to do; `None` for supported formats.
    pub fn unsupported_detail(self, path: &str) -> Option<String> {
        if self.is_supported() {
            return None;
        }
        if self == Format::NestedGzip {
            return Some(
                "gzip data inside gzip data; decompress the outer layer first (`zcat FILE > OUT`)"
                    .to_string(),
            );
        }
        let _ = path;
        let supported: Vec<&str> = Format::ALL
            .into_iter()
            .filter(|f| f.is_supported())
            .map(|f| f.describe())
            .collect();
        Some(format!(
            "this looks like {}, which bigflame cannot read; supported: {}",
            self.describe(),
            supported.join(", ")
        ))
    }

    /// The format an extension suggests (used only when the content is ambiguous).
    pub fn from_extension(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        let name = name.strip_suffix(".gz").unwrap_or(&name);
        let ext = name.rsplit_once('.').map(|(_, e)| e)?;
        match ext {
            "folded" | "collapsed" | "stacks" => Some(Format::Folded),
            "perf" | "script" | "perfscript" => Some(Format::PerfScript),
            "data" if name.starts_with("perf") => Some(Format::PerfData),
            "cpuprofile" => Some(Format::ChromeCpuProfile),
            "heapprofile" => Some(Format::V8HeapProfile),
            "json" => Some(Format::Json),
            "pb" | "pprof" => Some(Format::Pprof),
            "prof" | "pstats" => Some(Format::Pstats),
            "jfr" => Some(Format::Jfr),
            "trace" => Some(Format::InstrumentsTrace),
            "zip" if name.ends_with(".trace.zip") => Some(Format::InstrumentsTrace),
            _ if name.starts_with("callgrind.out") => Some(Format::Callgrind),
            _ => None,
        }
    }
}
