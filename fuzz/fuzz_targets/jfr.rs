//! Fuzzes the JFR (Java Flight Recorder) importer: any bytes must give a profile or a clear error,
//! never a panic, a hang or unbounded memory.
#![no_main]
use bigflame_formats::{Format, ImportOptions, import_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let opts = ImportOptions {
        format: Some(Format::Jfr),
        threads: 1,
        chunk_bytes: 4096,
        ..ImportOptions::default()
    };
    let _ = import_bytes(data, "fuzz.input", &opts);
});
