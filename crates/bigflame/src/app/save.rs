//! Ctrl+S: the loaded profile written as speedscope JSON
//! (`bigflame_formats::export::speedscope`), every thread and event, so speedscope (or bigflame)
//! opens it again.
//!
//! Why the loaded profile and not what is shown: the file is a lossless hand-off, so `r`
//! (collapsed recursion) and the view do not change what is written. Where: the native save
//! dialog (`dialog.rs`) suggests `<input>.speedscope.json` next to the input; without any dialog
//! (and in the `--script` mode) the file goes there directly and the status line says so. The
//! file is written under a temporary name and renamed, so a failed save leaves no half file.

use bigflame_formats::export::speedscope::{SpeedscopeOptions, write_speedscope};
use bigflame_model::Profile;
use std::io::Write;
use std::path::{Path, PathBuf};

/// `<input>.speedscope.json` next to the input (`stdin.speedscope.json` in the working
/// directory for `-`).
pub fn default_path(source: &str) -> PathBuf {
    if source.is_empty() || source == "-" {
        return PathBuf::from("stdin.speedscope.json");
    }
    let mut name = Path::new(source)
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_else(|| "profile".into());
    name.push(".speedscope.json");
    Path::new(source).with_file_name(name)
}

/// Writes `profile` to `path` as speedscope JSON (through a temporary file in the same folder).
pub fn write(profile: &Profile, path: &Path) -> Result<(), String> {
    let name = profile
        .meta
        .source
        .rsplit('/')
        .next()
        .unwrap_or("profile")
        .to_string();
    let opts = SpeedscopeOptions {
        name,
        ..SpeedscopeOptions::default()
    };
    let mut tmp_name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    tmp_name.push(".part");
    let tmp = path.with_file_name(tmp_name);
    let result = std::fs::File::create(&tmp)
        .and_then(|f| {
            let mut out = std::io::BufWriter::with_capacity(1 << 20, f);
            write_speedscope(profile, &opts, &mut out)?;
            out.flush()
        })
        .and_then(|()| std::fs::rename(&tmp, path));
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot save {}: {e}", path.display())
    })
}

/// Asks where (dialog, else the default path) and writes; the message for the status line, or
/// `None` when cancelled.
pub fn save_interactive(profile: &Profile, source: &str) -> Option<Result<PathBuf, String>> {
    let suggested = default_path(source);
    let path = match crate::app::dialog::pick_save_path(&suggested) {
        Ok(Some(p)) => p,
        Ok(None) => return None,
        Err(e) => return Some(Err(e)),
    };
    Some(write(profile, &path).map(|()| path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_path_sits_next_to_the_input() {
        assert_eq!(
            default_path("/data/run.perf.txt"),
            PathBuf::from("/data/run.perf.txt.speedscope.json")
        );
        assert_eq!(default_path("-"), PathBuf::from("stdin.speedscope.json"));
    }

    #[test]
    fn a_saved_profile_reimports_with_the_same_samples() {
        let text = "main;work 3\nmain;other 2\n";
        let opts = bigflame_formats::ImportOptions::default();
        let p = bigflame_formats::import_bytes(text.as_bytes(), "t.folded", &opts).expect("parses");
        let dir = std::env::temp_dir().join(format!("bigflame-save-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("t.speedscope.json");
        write(&p, &path).expect("saved");
        assert!(!dir.join("t.speedscope.json.part").exists());
        let back = bigflame_formats::import_path(&path, &opts).expect("re-imports");
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            back.meta.format.starts_with("speedscope"),
            "{}",
            back.meta.format
        );
        let e = bigflame_model::EventId::from_index(0);
        assert_eq!(back.sample_count(e), 2, "folded lines are one sample each");
        let total: f64 = back
            .threads
            .iter()
            .map(|t| t.samples(e).total_weight())
            .sum();
        assert_eq!(total, 5.0);
    }
}
