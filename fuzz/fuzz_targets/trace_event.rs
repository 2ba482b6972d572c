//! Fuzzes the Trace Event importer: any bytes must give a profile or a clear error, never a panic,
//! a hang or unbounded memory. Differential too: read in small pieces (the parallel path, where
//! most pieces are scanned without a tape) the input must give exactly what the whole-document
//! parse gives, the same profile or the same error.
#![no_main]
use bigflame_formats::{Format, ImportOptions, import_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let read = |chunk_bytes: usize| {
        let opts = ImportOptions {
            format: Some(Format::ChromeTrace),
            threads: 1,
            chunk_bytes,
            ..ImportOptions::default()
        };
        import_bytes(data, "fuzz.input", &opts)
            .map(|p| format!("{p:?}"))
            .map_err(|e| e.to_string())
    };
    // Pieces of 1 to 256 bytes, picked by the input's length so every size gets its turn.
    let pieces = read(1 + data.len() % 256);
    let whole = read(usize::MAX);
    assert!(pieces == whole, "pieces and whole differ");
});
