//! Fuzzes the Instruments `.trace` importer: any bytes must give a profile or a clear error, never
//! a panic, a hang or unbounded memory. Inputs are read two ways: as a zipped bundle (the seeds
//! are the conformance zips), and split at `\xffSEP` into the five members the importer reads
//! from an unzipped bundle, so the keyed-archive, store and backtrace code is reached even by
//! inputs that are not valid zips.
#![no_main]
use bigflame_formats::instruments_trace::bundle::MemBundle;
use bigflame_formats::instruments_trace::import_bundle;
use bigflame_formats::{Format, ImportOptions, import_bytes};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

const MEMBERS: [&str; 5] = [
    "form.template",
    "corespace/run1/core/stores/indexed-store-1/schema.xml",
    "corespace/run1/core/stores/indexed-store-1/bulkstore",
    "corespace/run1/core/uniquing/arrayUniquer/integeruniquer.index",
    "corespace/run1/core/uniquing/arrayUniquer/integeruniquer.data",
];

fuzz_target!(|data: &[u8]| {
    let opts = ImportOptions {
        format: Some(Format::InstrumentsTrace),
        threads: 1,
        ..ImportOptions::default()
    };
    let _ = import_bytes(data, "fuzz.trace.zip", &opts);
    let mut files = BTreeMap::new();
    let mut rest = data;
    for name in MEMBERS {
        let end = rest.windows(4).position(|w| w == b"\xffSEP").unwrap_or(rest.len());
        files.insert(name.to_string(), rest[..end].to_vec());
        rest = rest.get(end + 4..).unwrap_or(&[]);
    }
    let _ = import_bundle(&MemBundle::new(files), "fuzz.trace");
});
