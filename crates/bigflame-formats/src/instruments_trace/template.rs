//! `form.template`: which instrument recorded, which runs exist, and each run's symbol table.
//!
//! Format facts (Instruments 8.3.3 – 10.0, as speedscope reads them and as the conformance files
//! show): `form.template` is a keyed archive ([`super::archive`]) whose `$top` holds
//!
//! * the instrument type, `$1` (8.x) or the first key of `stubInfoByUUID` (9 and later); only the
//!   Time Profiler's `com.apple.xray.instrument-type.coresampler2` is a sampled time profile;
//! * `com.apple.xray.owner.template`, a dictionary with `_selectedRunNumber` (the run shown when
//!   the document was saved; absent in 10.0, where the first listed run is shown);
//! * `com.apple.xray.run.data`, an `XRRunListData`: `$0` the run numbers, `$1` a dictionary from run
//!   number to that run's data dictionary, whose `symbolsByPid` (an `XRIntKeyedDictionary`, pid →
//!   `PFTPersistentSymbols`) holds the symbols: `$4` is a count and `$5 ..= $(3 + count)` are
//!   `PFTSymbolData` objects, each `$0` symbol name (nil when unsymbolicated), `$1` source path,
//!   `$2` the owning binary (`PFTOwnerData`: `$0` name, `$1` path), then pairs `(address, line)`
//!   from `$3` on until a pair is missing. Every address Instruments saw in a backtrace appears in
//!   such a pair, which is how backtrace addresses become symbols.
//!
//! Conflicting addresses (two processes with the same address) keep the first symbol, in archive
//! order, as speedscope does.

use super::archive::{Archive, Ref};
use bigflame_model::FastMap;

/// The Time Profiler's instrument type.
pub const TIME_PROFILER: &str = "com.apple.xray.instrument-type.coresampler2";

/// What a backtrace address resolves to.
#[derive(Clone, Debug, PartialEq)]
pub struct Symbol {
    /// The symbol name; `None` when Instruments did not symbolicate it.
    pub name: Option<String>,
    /// The source file, when known.
    pub file: Option<String>,
    /// The binary (library or executable) that holds it, when known (read for messages and
    /// future use; frames do not carry it, see [`super::build`]).
    pub module: Option<String>,
}

/// One recorded run.
#[derive(Debug, Default)]
pub struct RunInfo {
    /// Its number (the `N` in `corespace/runN`).
    pub number: u64,
    /// Symbols (index into `symbols`) by address.
    pub by_address: FastMap<u64, u32>,
    /// The distinct symbols.
    pub symbols: Vec<Symbol>,
}

/// What `form.template` says.
#[derive(Debug)]
pub struct Template {
    /// The instrument type.
    pub instrument: Option<String>,
    /// `_selectedRunNumber`, when recorded.
    pub selected_run: Option<u64>,
    /// Runs in the order listed.
    pub runs: Vec<RunInfo>,
}

/// Reads `form.template`'s archive.
pub fn read(a: &Archive) -> Result<Template, String> {
    let instrument = match a.top("stubInfoByUUID").and_then(|s| a.entries(s)) {
        Some(entries) => entries.first().and_then(|&(k, _)| a.string(k)),
        None => a.top("$1").and_then(|v| a.string(v)),
    };
    let selected_run = a
        .top("com.apple.xray.owner.template")
        .and_then(|t| a.lookup(t, "_selectedRunNumber"))
        .and_then(|n| a.int(n))
        .and_then(|n| u64::try_from(n).ok());
    let run_list = a
        .top("com.apple.xray.run.data")
        .ok_or("form.template has no com.apple.xray.run.data (no recorded run)")?;
    let numbers = a
        .field(run_list, "$0")
        .and_then(|n| a.array(n))
        .ok_or("form.template: the run list has no run numbers")?;
    let run_data: FastMap<i128, Ref> = a
        .field(run_list, "$1")
        .and_then(|d| a.entries(d))
        .ok_or("form.template: the run list has no run data")?
        .into_iter()
        .filter_map(|(k, v)| Some((a.int(k)?, v)))
        .collect();
    let mut runs: Vec<RunInfo> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for n in numbers {
        let Some(number) = a.int(n).and_then(|n| u64::try_from(n).ok()) else {
            continue;
        };
        if !seen.insert(number) {
            continue;
        }
        let mut run = RunInfo {
            number,
            ..RunInfo::default()
        };
        let data = run_data.get(&i128::from(number)).copied();
        if let Some(by_pid) = data.and_then(|d| a.lookup(d, "symbolsByPid")) {
            for (_, symbols) in a.entries(by_pid).unwrap_or_default() {
                add_symbols(a, symbols, &mut run);
            }
        }
        runs.push(run);
    }
    Ok(Template {
        instrument,
        selected_run,
        runs,
    })
}

/// Adds one process's `PFTPersistentSymbols` to the run's address map.
fn add_symbols(a: &Archive, persistent: Ref, run: &mut RunInfo) {
    let fields = a.fields(persistent);
    let pos = |n: usize| fields.get(&format!("${n}")).copied();
    let count = pos(4).and_then(|c| a.int(c)).unwrap_or(0);
    let count = usize::try_from(count).unwrap_or(0).min(fields.len());
    for i in 1..count {
        let Some(sym) = pos(4 + i) else {
            continue;
        };
        if a.class_of(sym).as_deref() != Some("PFTSymbolData") {
            continue;
        }
        let f = a.fields(sym);
        let at = |n: usize| f.get(&format!("${n}")).copied();
        let owner = at(2);
        let symbol = Symbol {
            name: at(0).and_then(|v| a.string(v)),
            file: at(1).and_then(|v| a.string(v)),
            module: owner
                .and_then(|o| a.field(o, "$0"))
                .and_then(|v| a.string(v)),
        };
        let Ok(id) = u32::try_from(run.symbols.len()) else {
            return;
        };
        let mut used = false;
        let mut k = 3;
        while let (Some(addr), Some(_line)) = (at(k), at(k + 1)) {
            if let Some(addr) = a.int(addr).and_then(|v| u64::try_from(v).ok()) {
                run.by_address.entry(addr).or_insert_with(|| {
                    used = true;
                    id
                });
            }
            k += 2;
        }
        if used {
            run.symbols.push(symbol);
        }
    }
}
