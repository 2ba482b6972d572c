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
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("conformance data not found at {} (CI=true)", dir.display());
    }
    eprintln!("skipping: conformance data not found at {}", dir.display());
    None
}
