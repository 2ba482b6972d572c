//! Helpers shared by the integration-test modules.

use std::path::{Path, PathBuf};

/// The conformance data (`../shared/conformance` or `$BIGFLAME_CONFORMANCE`).
///
/// Without it the calling test is skipped with a message, except under `CI=true`, where a missing
/// folder is a failure: CI must never pass by testing nothing.
pub fn conformance_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("BIGFLAME_CONFORMANCE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance")
        });
    if dir.join("manifest.json").is_file() {
        return Some(dir);
    }
    skip(&format!("conformance data not found at {}", dir.display()));
    None
}

/// True under CI (`CI=true` or `CI=1`), where a missing tool, adapter or data folder must fail a
/// test instead of skipping it.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Says why a test is skipped; panics instead under CI, which must never pass by testing nothing.
pub fn skip(why: &str) {
    assert!(!in_ci(), "CI is set and {why}");
    eprintln!("skipping: {why}");
}
