//! A `.trace` directory on disk as a [`Bundle`]: listed once, files read only when asked for.
//!
//! Why lazy: a real `.trace` holds many stores and uniquing tables the importer never opens (other
//! instruments' data, nested `run_data/*.run.zip`), sometimes hundreds of megabytes; only the few
//! files the time profile needs are read. The listing is bounded too (depth 16, 100,000 entries) and
//! never follows symbolic links, so a link cycle or a huge tree cannot hang the import. The reads
//! are charged to a budget fixed from the total size of the files listed.

use super::bundle::{Budget, Bundle, BundleError};
use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

const MAX_DEPTH: usize = 16;
const MAX_ENTRIES: usize = 100_000;

/// A `.trace` directory.
#[derive(Debug)]
pub struct DirBundle {
    root: PathBuf,
    /// Relative path (with `/`) → size the listing saw.
    files: BTreeMap<String, u64>,
    budget: Budget,
}

impl DirBundle {
    /// Lists `root` (without reading any file).
    pub fn open(root: &Path) -> std::io::Result<Self> {
        let mut files = BTreeMap::new();
        let mut pending: Vec<(PathBuf, String, usize)> =
            vec![(root.to_path_buf(), String::new(), 0)];
        let mut seen = 0usize;
        while let Some((dir, rel, depth)) = pending.pop() {
            let entries = match fs::read_dir(&dir) {
                Ok(e) => e,
                // The root must be readable; an unreadable subfolder is just not listed.
                Err(e) if depth == 0 => return Err(e),
                Err(_) => continue,
            };
            for entry in entries.flatten() {
                seen += 1;
                if seen > MAX_ENTRIES {
                    break;
                }
                let Ok(kind) = entry.file_type() else {
                    continue;
                };
                let name = entry.file_name().to_string_lossy().into_owned();
                let child = if rel.is_empty() {
                    name
                } else {
                    format!("{rel}/{name}")
                };
                if kind.is_dir() && depth + 1 < MAX_DEPTH {
                    pending.push((entry.path(), child, depth + 1));
                } else if kind.is_file() {
                    let size = entry.metadata().map_or(0, |m| m.len());
                    files.insert(child, size);
                }
            }
        }
        let total: u64 = files.values().sum();
        Ok(DirBundle {
            root: root.to_path_buf(),
            files,
            budget: Budget::for_input(total),
        })
    }
}

impl Bundle for DirBundle {
    fn paths(&self) -> Vec<String> {
        self.files.keys().cloned().collect()
    }

    fn read_raw(&self, path: &str) -> Result<Vec<u8>, BundleError> {
        if !self.files.contains_key(path) {
            return Err(BundleError::missing(path));
        }
        let full = path
            .split('/')
            .fold(self.root.clone(), |p, part| p.join(part));
        let file = fs::File::open(&full).map_err(|e| BundleError::new(path, e.to_string()))?;
        // Read at most what is left of the budget (+1 to notice a file that grew past it).
        let limit = self.budget.remaining().saturating_add(1);
        let mut out = Vec::new();
        file.take(limit)
            .read_to_end(&mut out)
            .map_err(|e| BundleError::new(path, e.to_string()))?;
        self.budget.charge(path, out.len() as u64)?;
        Ok(out)
    }

    fn budget(&self) -> &Budget {
        &self.budget
    }
}
