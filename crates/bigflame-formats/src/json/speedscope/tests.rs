//! The fast path against the plain one: the same profile (every field, compared through `Debug`)
//! or the same error, on the conformance data, the big corpus file, tricky keys and random
//! documents with odd spacing, repeats, zero and float weights and malformed arrays.

use super::{fast, import, import_plain};
use crate::driver::ImportOptions;
use std::path::{Path, PathBuf};

/// The outcome of an import as text: the whole profile, or the error message.
fn outcome(r: Result<bigflame_model::Profile, crate::error::ImportError>) -> String {
    match r {
        Ok(p) => format!("{p:?}"),
        Err(e) => format!("error: {e}"),
    }
}

/// Imports `data` both ways (on 1 and 2 threads) and checks they agree; returns whether the fast
/// path took the document.
fn agree(data: &[u8], what: &str) -> bool {
    let plain = outcome(import_plain(data, "t.json"));
    let mut fast_taken = false;
    for threads in [1, 2] {
        let opts = ImportOptions {
            threads,
            ..ImportOptions::default()
        };
        fast_taken = fast::import_fast(data, "t.json", &opts).is_some();
        assert_eq!(
            outcome(import(data, "t.json", &opts)),
            plain,
            "{what}: {}",
            String::from_utf8_lossy(&data[..data.len().min(2000)])
        );
    }
    fast_taken
}

fn conformance_files() -> Vec<PathBuf> {
    let Some(dir) = crate::test_support::conformance_dir() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut dirs = vec![dir.join("formats/speedscope-json")];
    while let Some(d) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn conformance_files_import_alike_both_ways() {
    let files = conformance_files();
    if files.is_empty() {
        eprintln!("skipped: no conformance data");
        return;
    }
    let mut fast = 0;
    for f in &files {
        let data = std::fs::read(f).unwrap();
        fast += usize::from(agree(&data, &f.display().to_string()));
    }
    // The sampled files (0.1.2, 0.6.0) take the fast path; evented ones and invalid ones do not.
    assert!(
        fast >= 2,
        "fast path taken by {fast} of {} files",
        files.len()
    );
}

#[test]
fn the_big_corpus_file_imports_alike_both_ways() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus/large/big.100M.speedscope.json");
    let Ok(data) = std::fs::read(&path) else {
        eprintln!("skipped: no {}", path.display());
        return;
    };
    assert!(agree(&data, "big.100M.speedscope.json"));
}

const DOC: &str = r#"{"$schema":"https://www.speedscope.app/file-format-schema.json",
"shared":{"frames":[{"name":"a"},{"name":"b","file":"b.py","line":3},{"name":"c"}]},
"profiles":[PROFILES]}"#;

fn doc(profiles: &[&str]) -> Vec<u8> {
    DOC.replace("PROFILES", &profiles.join(",")).into_bytes()
}

#[test]
fn tricky_keys_and_bad_arrays_import_alike_both_ways() {
    let sampled = |body: &str| {
        format!(r#"{{"type":"sampled","name":"p","unit":"milliseconds","startValue":5,{body}}}"#)
    };
    let fast_ones = [
        r#""samples":[[0,1],[0,1],[0,2],[]],"weights":[1,2,0,4]"#,
        r#""weights" : [ 3 , 0 ,3 ] , "samples" :[ [2] ,[2],
[ 2 ,1,0] ]"#,
        r#""samples":[[0],[1]],"weights":[1.5,2]"#,
        r#""samples":[[0],[1]]"#,
        r#""samples":[[0],[1]],"weights":[1,2],"samples":[[2]]"#,
        r#""x\"samples":[[9]],"samples":[[1],[1]],"weights":[1,1]"#,
        r#""samples":[[0],[7]],"weights":[1,0]"#,
        r#""samples":[[0],[1]],"weights":{"a":1}"#,
    ];
    for body in fast_ones {
        let data = doc(&[&sampled(body), &sampled(r#""samples":[[1]]"#)]);
        assert!(agree(&data, body), "fast path not taken: {body}");
    }
    let plain_ones = [
        // Errors the fast path leaves to the plain one (same message).
        r#""samples":[[0],[3]],"weights":[1,1]"#,
        r#""samples":[[0],[1]],"weights":[1,-1]"#,
        r#""samples":[[0],[1]],"weights":[1]"#,
        // Arrays it does not read.
        r#""samples":[[0.0],[1]],"weights":[1,2]"#,
        r#""samples":[[0],[1],],"weights":[1,2]"#,
        r#""samples":[[0],"a"]"#,
        r#""samples":[[0,[1]]]"#,
        r#""samples":[[-1]]"#,
        r#""samples":[[0] [1]]"#,
    ];
    for body in plain_ones {
        let data = doc(&[&sampled(body)]);
        agree(&data, body);
    }
    // A frame with array keys of its own, an evented profile, a truncated document, a syntax
    // error after the arrays: all alike.
    let frames = r#"{"name":"a","samples":[[7]],"weights":[1]}"#;
    let data = String::from_utf8(doc(&[&sampled(r#""samples":[[0]]"#)]))
        .unwrap()
        .replacen(r#"{"name":"a"}"#, frames, 1);
    assert!(agree(data.as_bytes(), "frame keys"));
    let evented = r#"{"type":"evented","name":"e","unit":"none","startValue":0,"endValue":4,
        "events":[{"type":"O","frame":0,"at":0},{"type":"C","frame":0,"at":4}]}"#;
    assert!(agree(
        &doc(&[&sampled(r#""samples":[[0]]"#), evented]),
        "mixed"
    ));
    // "p", "p" (shown as "p (2)") and "p (2)": the last two share one thread, so the samples
    // built on their own are appended to a thread that already has some.
    let named = |name: &str, body: &str| {
        format!(
            r#"{{"type":"sampled","name":"{name}","unit":"microseconds","startValue":1,{body}}}"#
        )
    };
    let shared_thread = doc(&[
        &named("p", r#""samples":[[0],[1]],"weights":[1,2]"#),
        &named("p", r#""samples":[[0,1],[0]],"weights":[3,4]"#),
        &named("p (2)", r#""samples":[[2],[0,1]],"weights":[5,0]"#),
        &named("q", r#""samples":[[2],[0,2]]"#),
    ]);
    assert!(agree(&shared_thread, "shared thread"));
    let whole = doc(&[&sampled(r#""samples":[[0],[1]],"weights":[1,2]"#)]);
    for cut in [whole.len() / 2, whole.len() - 3, whole.len() - 1] {
        agree(&whole[..cut], "truncated");
    }
    let mut broken = whole.clone();
    let at = broken.len() - 2;
    broken[at] = b'x';
    agree(&broken, "syntax error after the arrays");
}

#[test]
fn random_documents_import_alike_both_ways() {
    let mut next = crate::test_support::xorshift(0x853c_49e6_748f_ea9b);
    let ws = [""; 6]
        .iter()
        .chain(&[" ", "\n", " \t", "\r\n"])
        .copied()
        .collect::<Vec<_>>();
    let mut fast = 0;
    for _ in 0..400 {
        let mut profiles = Vec::new();
        for _ in 0..1 + next(3) {
            let n = next(12) as usize;
            let mut samples = Vec::new();
            let mut last = String::new();
            for _ in 0..n {
                if next(3) == 0 && !last.is_empty() {
                    samples.push(last.clone());
                    continue;
                }
                let depth = next(5);
                let ids: Vec<String> = (0..depth)
                    .map(|_| {
                        // Mostly valid indices, sometimes out of range, rarely a float.
                        let s = ws[next(ws.len() as u64) as usize];
                        match next(40) {
                            0 => format!("{s}30"),
                            1 => "1.0".into(),
                            _ => format!("{}{s}", [0, 1, 2, 12, 21, 20, 10, 2][next(8) as usize]),
                        }
                    })
                    .collect();
                last = format!("[{}]", ids.join(","));
                samples.push(last.clone());
            }
            let sep = ws[next(ws.len() as u64) as usize];
            let mut body = format!(r#""samples":{sep}[{}]"#, samples.join(&format!(",{sep}")));
            match next(4) {
                0 => {}
                1 => {
                    let w: Vec<String> = (0..n)
                        .map(|_| {
                            ["0", "1", "25000", "-1", "2.5"][(next(50) % 5) as usize].to_string()
                        })
                        .collect();
                    body.push_str(&format!(r#","weights":[{}]"#, w.join(",")));
                }
                _ => {
                    let m = if next(20) == 0 { n + 1 } else { n };
                    let w: Vec<String> = (0..m)
                        .map(|_| ["0", "1", "7", "25000"][next(4) as usize].to_string())
                        .collect();
                    body.push_str(&format!(
                        r#","weights":{sep}[{sep}{}]"#,
                        w.join(&format!("{sep},"))
                    ));
                }
            }
            let unit =
                ["none", "nanoseconds", "milliseconds", "seconds", "bytes"][next(5) as usize];
            // Mostly small whole starts; sometimes fractional, negative or too big for exact
            // integer times (the fast path then computes them in floating point).
            let start = match next(8) {
                0 => ["12.5", "-40", "-0", "1e300", "9007199254740000", "0.001"][next(6) as usize]
                    .to_string(),
                _ => next(100).to_string(),
            };
            profiles.push(format!(
                r#"{{"type":"sampled","name":"p{}","unit":"{unit}","startValue":{start},{body}}}"#,
                next(2),
            ));
        }
        let refs: Vec<&str> = profiles.iter().map(String::as_str).collect();
        let frames: Vec<String> = (0..30)
            .map(|i| format!(r#"{{"name":"f{}"}}"#, i % 25))
            .collect();
        let text = String::from_utf8(doc(&refs)).unwrap().replace(
            r#"{"name":"a"},{"name":"b","file":"b.py","line":3},{"name":"c"}"#,
            &frames.join(","),
        );
        fast += usize::from(agree(text.as_bytes(), "random"));
    }
    assert!(fast > 100, "fast path taken {fast} times");
}
