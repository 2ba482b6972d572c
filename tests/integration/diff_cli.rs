//! `bigflame diff`: the folded differential against inferno-diff-folded on real recordings and
//! against hand-worked examples, the table of changes, and the red/blue PNG.
//!
//! inferno prints its lines in hash-map order, bigflame bytewise, so inferno's output is compared
//! after `LC_ALL=C sort` (a byte sort, done here in Rust).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const INFERNO: &str = "/opt/inferno/bin";

fn dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("bigflame-diff-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

fn bigflame(d: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bigflame"))
        .args(args)
        .env("XDG_RUNTIME_DIR", d)
        .env("BIGFLAME_BACKEND", "vulkan")
        .output()
        .expect("bigflame runs")
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// The same two files as `cmd/diff_folded.rs`'s unit test, through the binary.
#[test]
fn folded_hand_worked() {
    let d = dir("hand");
    let (a, b) = (d.join("a.folded"), d.join("b.folded"));
    std::fs::write(&a, "a;b 3\na;c 2\nx;0x1f2 1\nz 5\n").unwrap();
    std::fs::write(&b, "a;b 1\na;c 4\nq 2\n").unwrap();
    let plain = ok(bigflame(&d, &["diff", "--folded", path(&a), path(&b)]));
    assert_eq!(plain, "a;b 3 1\na;c 2 4\nq 0 2\nx;0x1f2 1 0\nz 5 0\n");
    // Totals 11 and 7: floor(before × 7 / 11); the address becomes 0x... .
    let both = ok(bigflame(
        &d,
        &["diff", "--folded", "--normalize", "-s", path(&a), path(&b)],
    ));
    assert_eq!(both, "a;b 1 1\na;c 1 4\nq 0 2\nx;0x... 0 0\nz 3 0\n");
}

/// `corpus/mixed-workload.perf.txt` cut at the sample boundary nearest its middle: two real
/// recordings of the same workload at different moments.
fn halves(d: &Path) -> (PathBuf, PathBuf) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus/mixed-workload.perf.txt");
    let text = std::fs::read_to_string(src).expect("corpus file");
    let mid = text[text.len() / 2..]
        .find("\n\n")
        .map(|i| text.len() / 2 + i + 2)
        .expect("a sample boundary");
    let (a, b) = (d.join("a.perf.txt"), d.join("b.perf.txt"));
    std::fs::write(&a, &text[..mid]).unwrap();
    std::fs::write(&b, &text[mid..]).unwrap();
    (a, b)
}

fn byte_sorted(text: &[u8]) -> Vec<u8> {
    let mut lines: Vec<&[u8]> = text.split_inclusive(|&c| c == b'\n').collect();
    lines.sort();
    lines.concat()
}

#[test]
fn folded_matches_inferno_diff_folded_on_real_recordings() {
    let tool = Path::new(INFERNO).join("inferno-diff-folded");
    if !tool.is_file() {
        crate::support::skip(&format!("{} not installed", tool.display()));
        return;
    }
    let d = dir("inferno");
    let (a, b) = halves(&d);
    // The folded inputs come from inferno's own collapser, so the perf-vs-folded rows compare
    // two formats against a pipeline made only of peer tools.
    let fold = |p: &Path, name: &str| {
        let out = Command::new(Path::new(INFERNO).join("inferno-collapse-perf"))
            .arg(p)
            .output()
            .expect("inferno-collapse-perf runs");
        assert!(out.status.success());
        let f = d.join(name);
        std::fs::write(&f, out.stdout).unwrap();
        f
    };
    let (fa, fb) = (fold(&a, "a.folded"), fold(&b, "b.folded"));
    for flags in [
        &[][..],
        &["--normalize"],
        &["--strip-hex"],
        &["--normalize", "--strip-hex"],
    ] {
        let expected = Command::new(&tool)
            .args(flags)
            .args([&fa, &fb])
            .output()
            .expect("inferno-diff-folded runs");
        assert!(expected.status.success());
        let expected = byte_sorted(&expected.stdout);
        assert!(expected.len() > 1000, "a real diff");
        for (x, y) in [(&a, &b), (&a, &fb), (&fa, &b), (&fa, &fb)] {
            let mut args = vec!["diff", "--folded"];
            args.extend_from_slice(flags);
            args.extend([path(x), path(y)]);
            let got = bigflame(&d, &args);
            assert!(got.status.success());
            assert!(
                got.stdout == expected,
                "{flags:?} {} vs {}: differs from inferno-diff-folded",
                x.display(),
                y.display()
            );
        }
    }
}

#[test]
fn folded_is_the_same_from_perf_or_from_our_collapse() {
    let d = dir("formats");
    let (a, b) = halves(&d);
    let fb = d.join("b.folded");
    std::fs::write(&fb, ok(bigflame(&d, &["collapse", path(&b)]))).unwrap();
    let perf_perf = ok(bigflame(&d, &["diff", "--folded", path(&a), path(&b)]));
    let perf_folded = ok(bigflame(&d, &["diff", "--folded", path(&a), path(&fb)]));
    assert!(perf_perf.lines().count() > 100);
    assert_eq!(perf_perf, perf_folded);
}

fn small_pair(d: &Path) -> (PathBuf, PathBuf) {
    let (a, b) = (d.join("before.folded"), d.join("after.folded"));
    std::fs::write(&a, "m;a 3\nm;b 1\n").unwrap();
    std::fs::write(&b, "m;a 2\nm;b 5\nm;c 1\n").unwrap();
    (a, b)
}

#[test]
fn table_of_biggest_changes() {
    let d = dir("table");
    let (a, b) = small_pair(&d);
    let text = ok(bigflame(&d, &["diff", path(&a), path(&b)]));
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip(3)
        .map(|l| l.split_whitespace().collect())
        .collect();
    // Self: b 1/4 → 5/8 (+4), a 3/4 → 2/8 (-1), c 0 → 1/8 (+1; ties by name after a).
    assert_eq!(
        rows,
        [
            vec!["25.00%", "62.50%", "+4", "samples", "b"],
            vec!["75.00%", "25.00%", "-1", "samples", "a"],
            vec!["0.00%", "12.50%", "+1", "samples", "c"],
        ]
    );
    let text = ok(bigflame(
        &d,
        &["diff", "--normalize", "-n", "1", path(&a), path(&b)],
    ));
    // Shares: a 75 % → 25 % is the biggest change, -50 points.
    assert_eq!(
        text.lines()
            .nth(3)
            .map(|l| l.split_whitespace().collect::<Vec<_>>()),
        Some(vec!["75.00%", "25.00%", "-50.00", "pp", "a"])
    );
    // --by total: m 4 → 8 and b 1 → 5 tie at +4 (by name: b first).
    let text = ok(bigflame(&d, &["diff", "--by", "total", path(&a), path(&b)]));
    assert!(
        text.lines().nth(3).is_some_and(|l| l.ends_with("  b")),
        "{text}"
    );
    assert!(
        text.lines().nth(4).is_some_and(|l| l.ends_with("  m")),
        "{text}"
    );
}

#[test]
fn png_is_coloured_by_change() {
    let d = dir("png");
    let (a, b) = small_pair(&d);
    let png = d.join("diff.png");
    let out = bigflame(
        &d,
        &[
            "diff",
            path(&a),
            path(&b),
            "-o",
            path(&png),
            "--width",
            "400",
            "--height",
            "60",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() && stderr.contains("no GPU adapter") {
        crate::support::skip(&format!("no GPU adapter: {stderr}"));
        return;
    }
    assert!(out.status.success(), "{stderr}");
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&png).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut rgba = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut rgba).unwrap();
    let px = |x: u32, y: u32| {
        let i = ((y * info.width + x) * 4) as usize;
        (rgba[i], rgba[i + 1], rgba[i + 2])
    };
    // AFTER total 8 over 400 px; rows of 18 px. Row 0: m (unchanged). Row 1, heaviest first:
    // b 0..250 px (+4, the largest: 100 + 150 · 0 = 100), a 250..350 (-1: 100 + 150 · 3/4 = 212),
    // c 350..400 (+1: 212). Colours as inferno-flamegraph draws this diff.
    assert_eq!(px(200, 9), (250, 250, 250));
    assert_eq!(px(125, 27), (255, 100, 100));
    assert_eq!(px(300, 27), (212, 212, 255));
    assert_eq!(px(375, 27), (255, 212, 212));
    // Below: the diff background.
    assert_eq!(px(200, 45), (238, 238, 238));
}
