//! Helpers shared by the importers' unit tests.

use bigflame_model::{EventId, FrameId, Profile};
use std::collections::BTreeMap;

/// A tiny deterministic generator for tests that build random inputs (xorshift64): the same
/// inputs on every run and machine, so a failure reproduces, without a dependency. Seeded with
/// `seed` (not 0), each call `next(n)` returns a value in `0..n`.
pub(crate) fn xorshift(mut seed: u64) -> impl FnMut(u64) -> u64 {
    move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n.max(1)
    }
}

/// The total weight of each root-to-leaf path of one event over all threads, with frames labelled
/// by `label` and joined by `;` (folded stacks as a map, for comparing with hand-worked totals).
pub(crate) fn weights_by_path(
    p: &Profile,
    event: EventId,
    label: impl Fn(FrameId) -> String,
) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for t in &p.threads {
        let cols = t.samples(event);
        for (&s, &w) in cols.stack.iter().zip(&cols.weight) {
            let path: Vec<String> = p.stacks.path(s).into_iter().map(&label).collect();
            *out.entry(path.join(";")).or_insert(0.0) += w;
        }
    }
    out
}

/// The shared conformance data (`$BIGFLAME_CONFORMANCE`, else the `shared/conformance` checkout
/// beside the repository), when its manifest is there. Unit tests that read it skip without it;
/// the integration walk is the one that fails in CI when it is missing.
pub(crate) fn conformance_dir() -> Option<std::path::PathBuf> {
    let dir = std::env::var_os("BIGFLAME_CONFORMANCE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance")
        });
    dir.join("manifest.json").is_file().then_some(dir)
}
