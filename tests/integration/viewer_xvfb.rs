//! The real window under Xvfb: start `bigflame FILE`, send keys and wheel events with xdotool,
//! and check screenshots.
//!
//! Needs `Xvfb`, `xdotool` and ImageMagick's `import`, plus a Vulkan or GL adapter (lavapipe is
//! enough). With `CI=true` anything missing is a failure; elsewhere the test prints
//! "skipping: …" and passes. Every child process is killed on drop, whatever happens.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

const W: usize = 800;
const H: usize = 600;
const SCREEN: (usize, usize) = (1024, 768);

/// Stops and reaps a child when dropped: SIGTERM first (so Xvfb removes its socket and lock
/// file), SIGKILL after two seconds.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

use crate::support::skip as unavailable;

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()))
}

/// A private Xvfb server and a runtime dir; everything it starts is killed on drop.
struct Display {
    number: u32,
    runtime_dir: PathBuf,
    _xvfb: Killed,
}

impl Display {
    fn start() -> Option<Self> {
        for tool in ["Xvfb", "xdotool", "import"] {
            if !on_path(tool) {
                unavailable(&format!("{tool} is not installed"));
                return None;
            }
        }
        let (number, xvfb) = Self::spawn_xvfb()?;
        let runtime_dir =
            std::env::temp_dir().join(format!("bigflame-xvfb-{}-{number}", std::process::id()));
        std::fs::create_dir_all(&runtime_dir).ok()?;
        let display = Self {
            number,
            runtime_dir,
            _xvfb: xvfb,
        };
        // The socket exists before the server accepts clients: wait until one gets an answer.
        let deadline = Instant::now() + Duration::from_secs(20);
        while !display
            .command("xdotool")
            .arg("getdisplaygeometry")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
        {
            if Instant::now() > deadline {
                unavailable("Xvfb accepted no client within 20 s");
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(display)
    }

    /// Starts Xvfb on a free display number: numbers come from a process-wide counter (tests run
    /// in parallel threads), and a server that exits at once (number taken) moves on to the next.
    fn spawn_xvfb() -> Option<(u32, Killed)> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let base = 200 + (std::process::id() % 400) * 4;
        for _ in 0..50 {
            let number = base + NEXT.fetch_add(1, Ordering::Relaxed);
            let taken = |n: u32| {
                Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
                    || Path::new(&format!("/tmp/.X{n}-lock")).exists()
            };
            if taken(number) {
                continue;
            }
            let child = Command::new("Xvfb")
                .arg(format!(":{number}"))
                .args(["-screen", "0", &format!("{}x{}x24", SCREEN.0, SCREEN.1)])
                .args(["-nolisten", "tcp", "-noreset"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .ok()?;
            let mut xvfb = Killed(child);
            let socket = format!("/tmp/.X11-unix/X{number}");
            let deadline = Instant::now() + Duration::from_secs(20);
            loop {
                if let Ok(Some(_)) = xvfb.0.try_wait() {
                    break; // exited: the number was taken after all
                }
                if Path::new(&socket).exists() {
                    return Some((number, xvfb));
                }
                if Instant::now() > deadline {
                    unavailable("Xvfb did not start within 20 s");
                    return None;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        unavailable("no free X display number");
        None
    }

    fn command(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env("DISPLAY", format!(":{}", self.number))
            .env("XDG_RUNTIME_DIR", &self.runtime_dir)
            .stdin(Stdio::null());
        c
    }

    /// Runs xdotool with a time limit; its stdout.
    fn xdotool(&self, args: &[&str]) -> String {
        let out = self
            .command("timeout")
            .arg("20")
            .arg("xdotool")
            .args(args)
            .output()
            .expect("xdotool runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The whole screen as RGB bytes, row-major.
    fn screenshot(&self) -> Vec<u8> {
        let out = self
            .command("timeout")
            .args(["20", "import", "-window", "root", "-depth", "8", "rgb:-"])
            .output()
            .expect("import runs");
        assert_eq!(
            out.stdout.len(),
            SCREEN.0 * SCREEN.1 * 3,
            "screenshot size: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.runtime_dir);
    }
}

fn pixel(shot: &[u8], x: usize, y: usize) -> [u8; 3] {
    let i = (y * SCREEN.0 + x) * 3;
    [shot[i], shot[i + 1], shot[i + 2]]
}

/// The run of pixels with the colour at `(x, y)` on row y, within the window: `(start, end)`.
fn run_at(shot: &[u8], x: usize, y: usize) -> (usize, usize) {
    let c = pixel(shot, x, y);
    let mut a = x;
    while a > 0 && pixel(shot, a - 1, y) == c {
        a -= 1;
    }
    let mut b = x + 1;
    while b < W && pixel(shot, b, y) == c {
        b += 1;
    }
    (a, b)
}

const BACKGROUND: [u8; 3] = [250, 250, 250];
const CHROME: [u8; 3] = [48, 48, 52];

fn is_flame([r, _, b]: [u8; 3]) -> bool {
    r >= 200 && b <= 55
}

/// Polls screenshots until `ok` holds (or panics after `secs`, with the viewer's stderr).
fn wait_for(
    d: &Display,
    viewer: &mut Killed,
    stderr: &Path,
    secs: u64,
    what: &str,
    ok: impl Fn(&[u8]) -> bool,
) -> Vec<u8> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        assert_alive(viewer, stderr);
        let shot = d.screenshot();
        if ok(&shot) {
            return shot;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn assert_alive(viewer: &mut Killed, stderr: &Path) {
    if let Ok(Some(status)) = viewer.0.try_wait() {
        panic!(
            "bigflame exited ({status}): {}",
            std::fs::read_to_string(stderr).unwrap_or_default()
        );
    }
}

/// Starts the viewer and waits for its window; `None` (skip) when no adapter outside CI.
fn open_viewer(
    d: &Display,
    args: &[&str],
    env: &[(&str, &str)],
    stderr: &Path,
) -> Option<(Killed, String)> {
    let err = std::fs::File::create(stderr).expect("stderr file");
    let child = d
        .command(env!("CARGO_BIN_EXE_bigflame"))
        .args(args)
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(err)
        .spawn()
        .expect("bigflame starts");
    let mut viewer = Killed(child);
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if let Ok(Some(status)) = viewer.0.try_wait() {
            let msg = std::fs::read_to_string(stderr).unwrap_or_default();
            // Only the renderer's own no-adapter error is a reason to skip; any other exit
            // (a lost surface included) is a failure.
            if msg.contains("no GPU adapter") {
                unavailable(&format!("no usable GPU adapter: {msg}"));
                return None;
            }
            panic!("bigflame exited before showing a window ({status}): {msg}");
        }
        let id = d.xdotool(&["search", "--name", "bigflame"]);
        if let Some(id) = id.lines().next().filter(|l| !l.trim().is_empty()) {
            return Some((viewer, id.trim().to_string()));
        }
        assert!(Instant::now() < deadline, "no bigflame window after 90 s");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn window_loads_switches_view_and_zooms_under_xvfb() {
    let Some(d) = Display::start() else { return };
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus/mixed-workload.perf.txt");
    let stderr = d.runtime_dir.join("stderr.txt");
    let file = corpus.to_string_lossy().into_owned();
    let w = W.to_string();
    let h = H.to_string();
    let Some((mut viewer, id)) =
        open_viewer(&d, &[&file, "--width", &w, "--height", &h], &[], &stderr)
    else {
        return;
    };
    // Loaded and drawn: the status line is there and the root row (y = 1, above any glyph) shows
    // flame colours (red 200-255, blue 0-55), not the black of a window not yet drawn.
    let time_order = wait_for(&d, &mut viewer, &stderr, 90, "the flame chart", |s| {
        pixel(s, W / 2, H - 3) == CHROME && (0..W).any(|x| is_flame(pixel(s, x, 1)))
    });
    // Time Order has the minimap strip (48 px) above the chart, closed by a dark 1 px line.
    assert_eq!(
        pixel(&time_order, W / 2, 47),
        [40, 40, 48],
        "the minimap's lower edge"
    );
    d.xdotool(&["windowfocus", "--sync", &id]);
    d.xdotool(&["key", "2"]);
    // Left Heavy: the heaviest root starts at the left edge and is one wide block of one colour
    // (60 % of this thread); the time-order chart of the same thread had no such block.
    let wide = |s: &[u8]| is_flame(pixel(s, 0, 1)) && run_at(s, 0, 1).1 >= 2 * W / 5;
    assert!(
        !wide(&time_order),
        "time order already looks like left heavy"
    );
    let left_heavy = wait_for(&d, &mut viewer, &stderr, 30, "left heavy after `2`", wide);
    let before = run_at(&left_heavy, 200, 1);
    // Ctrl + two wheel notches at x = 200 on the root row.
    d.xdotool(&["mousemove", "--window", &id, "200", "1"]);
    d.xdotool(&[
        "keydown", "ctrl", "click", "4", "click", "4", "keyup", "ctrl",
    ]);
    let zoomed = wait_for(
        &d,
        &mut viewer,
        &stderr,
        30,
        "a zoom after ctrl+wheel",
        |s| run_at(s, 200, 1) != before,
    );
    let after = run_at(&zoomed, 200, 1);
    assert!(
        (after.1 - after.0) * 10 >= (before.1 - before.0) * 13,
        "the hovered root got wider: {before:?} -> {after:?}"
    );
    assert_eq!(
        pixel(&zoomed, 200, 1),
        pixel(&left_heavy, 200, 1),
        "same span"
    );
    // Still alive and responsive: `0` resets to the full view.
    d.xdotool(&["key", "0"]);
    wait_for(&d, &mut viewer, &stderr, 30, "reset after `0`", |s| {
        run_at(s, 200, 1) == before
    });
    assert_alive(&mut viewer, &stderr);
}

#[test]
fn empty_window_opens_a_file_with_ctrl_o() {
    let Some(d) = Display::start() else { return };
    let stderr = d.runtime_dir.join("stderr-empty.txt");
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus/mixed-workload.perf.txt");
    // The dialog helper is swapped for `echo PATH`, which "picks" the corpus file.
    let picker = format!("echo {}", corpus.display());
    let Some((mut viewer, id)) = open_viewer(
        &d,
        &["--width", "640", "--height", "400"],
        &[("BIGFLAME_FILE_DIALOG", &picker)],
        &stderr,
    ) else {
        return;
    };
    // The empty window: the status line (dark) at the bottom, no flame chart.
    wait_for(&d, &mut viewer, &stderr, 90, "the empty window", |s| {
        pixel(s, 300, 390) == CHROME
            && pixel(s, 300, 100) == BACKGROUND
            && !(0..640).any(|x| is_flame(pixel(s, x, 1)))
    });
    d.xdotool(&["windowfocus", "--sync", &id]);
    d.xdotool(&["key", "ctrl+o"]);
    wait_for(
        &d,
        &mut viewer,
        &stderr,
        60,
        "the profile opened with Ctrl+O",
        |s| (0..640).any(|x| is_flame(pixel(s, x, 1))),
    );
    assert_alive(&mut viewer, &stderr);
}

#[test]
fn search_dims_the_chart_and_3_shows_the_sandwich_under_xvfb() {
    let Some(d) = Display::start() else { return };
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus/mixed-workload.perf.txt");
    let stderr = d.runtime_dir.join("stderr.txt");
    let file = corpus.to_string_lossy().into_owned();
    let (w, h) = (W.to_string(), H.to_string());
    let Some((mut viewer, id)) =
        open_viewer(&d, &[&file, "--width", &w, "--height", &h], &[], &stderr)
    else {
        return;
    };
    wait_for(&d, &mut viewer, &stderr, 90, "the flame chart", |s| {
        pixel(s, W / 2, H - 3) == CHROME && (0..W).any(|x| is_flame(pixel(s, x, 1)))
    });
    d.xdotool(&["windowfocus", "--sync", &id]);
    d.xdotool(&["key", "2"]);
    let flame_root = |s: &[u8]| is_flame(pixel(s, 0, 1));
    wait_for(&d, &mut viewer, &stderr, 30, "left heavy", flame_root);
    // A search nothing matches dims every span (and `2`… typed go into the field).
    d.xdotool(&["key", "ctrl+f"]);
    d.xdotool(&["type", "zz2zz"]);
    wait_for(&d, &mut viewer, &stderr, 30, "dimmed spans", |s| {
        !flame_root(s) && pixel(s, 0, 1) != BACKGROUND
    });
    d.xdotool(&["key", "Escape"]);
    wait_for(
        &d,
        &mut viewer,
        &stderr,
        30,
        "colours back after Esc",
        flame_root,
    );
    // Sandwich: the table's dark header at the top right, the callers' root row just above the
    // middle of the canvas, the callees' root row just below it.
    d.xdotool(&["key", "3"]);
    let half = (H - 22) / 2;
    let shot = wait_for(&d, &mut viewer, &stderr, 30, "the sandwich", |s| {
        pixel(s, W - 5, 5) == CHROME
    });
    assert!(is_flame(pixel(&shot, 2, half - 4)), "callers' root row");
    assert!(is_flame(pixel(&shot, 2, half + 4)), "callees' root row");
    assert_eq!(pixel(&shot, 2, 2), BACKGROUND, "nothing at the top-left");
    assert_alive(&mut viewer, &stderr);
}

/// A lane header's background (`app/lanes.rs`).
const LANE_HEADER: [u8; 3] = [222, 226, 234];

#[test]
fn m_stacks_thread_lanes_and_ctrl_s_saves_under_xvfb() {
    let Some(d) = Display::start() else { return };
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus/mixed-workload.perf.txt");
    let stderr = d.runtime_dir.join("stderr-lanes.txt");
    let saved = d.runtime_dir.join("saved.speedscope.json");
    let file = corpus.to_string_lossy().into_owned();
    let (w, h) = (W.to_string(), H.to_string());
    let dialog = format!("echo {}", saved.display());
    let Some((mut viewer, id)) = open_viewer(
        &d,
        &[&file, "--width", &w, "--height", &h],
        &[("BIGFLAME_SAVE_DIALOG", &dialog)],
        &stderr,
    ) else {
        return;
    };
    wait_for(&d, &mut viewer, &stderr, 90, "the flame chart", |s| {
        pixel(s, W / 2, H - 3) == CHROME && (0..W).any(|x| is_flame(pixel(s, x, 1)))
    });
    d.xdotool(&["windowfocus", "--sync", &id]);
    d.xdotool(&["key", "m"]);
    // The first lane's header across the top (its label at the left), flame rows below it,
    // and a second header further down.
    let lanes = wait_for(
        &d,
        &mut viewer,
        &stderr,
        60,
        "lane headers after `m`",
        |s| {
            pixel(s, W - 5, 3) == LANE_HEADER
                && (21..H - 30).any(|y| {
                    pixel(s, W - 5, y) == LANE_HEADER && pixel(s, W - 5, y - 1) != LANE_HEADER
                })
        },
    );
    assert!(
        (0..W).any(|x| is_flame(pixel(&lanes, x, 22))),
        "the first lane's root row"
    );
    // Ctrl+S: the dialog helper answers with a path; the file appears and re-imports.
    d.xdotool(&["key", "ctrl+s"]);
    let deadline = Instant::now() + Duration::from_secs(60);
    while !saved.is_file() {
        assert_alive(&mut viewer, &stderr);
        assert!(Instant::now() < deadline, "no saved file after ctrl+s");
        std::thread::sleep(Duration::from_millis(200));
    }
    let out = Command::new(env!("CARGO_BIN_EXE_bigflame"))
        .arg("info")
        .arg(&saved)
        .output()
        .expect("bigflame info runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("2,151"),
        "all samples saved"
    );
    assert_alive(&mut viewer, &stderr);
}

#[test]
fn a_big_file_is_browsable_before_it_is_loaded_under_xvfb() {
    let Some(d) = Display::start() else { return };
    // ~150 MB of perf script: one thread, 1 ms apart, a few distinct stacks.
    let file = d.runtime_dir.join("big.perf.txt");
    {
        use std::io::Write;
        let mut out = std::io::BufWriter::new(std::fs::File::create(&file).expect("create"));
        for i in 0..1_200_000u64 {
            let (s, us) = (10 + i / 1000, (i % 1000) * 1000);
            let leaf = ["parse", "hash", "sort", "write"][(i / 200 % 4) as usize];
            write!(
                out,
                "app 7 {s}.{us:06}: 1000000 cpu-clock:\n\t1234 {leaf}+0x1 (/bin/app)\n\t1100 work+0x2 (/bin/app)\n\t1000 main+0x3 (/bin/app)\n\n"
            )
            .expect("write");
        }
    }
    let stderr = d.runtime_dir.join("stderr-big.txt");
    let path = file.to_string_lossy().into_owned();
    let Some((mut viewer, _id)) = open_viewer(
        &d,
        &[&path, "--width", "640", "--height", "400"],
        &[("BIGFLAME_VERBOSE", "1")],
        &stderr,
    ) else {
        return;
    };
    let log = || std::fs::read_to_string(&stderr).unwrap_or_default();
    // A partial profile is drawn (flame colours in the root row) while the load goes on.
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut seen_partial = false;
    while !log().contains("bigflame: loaded") {
        assert_alive(&mut viewer, &stderr);
        assert!(Instant::now() < deadline, "no load within 120 s");
        if log().contains("showing a partial profile") {
            let shot = d.screenshot();
            if (0..640).any(|x| is_flame(pixel(&shot, x, 1))) && !log().contains("bigflame: loaded")
            {
                seen_partial = true;
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let text = log();
    assert!(
        seen_partial,
        "no partial profile drawn before the end of the load: {text}"
    );
    // And the whole file arrives in the same window.
    let deadline = Instant::now() + Duration::from_secs(120);
    while !log().contains("bigflame: loaded") {
        assert_alive(&mut viewer, &stderr);
        assert!(Instant::now() < deadline, "no load within 120 s");
        std::thread::sleep(Duration::from_millis(200));
    }
    wait_for(&d, &mut viewer, &stderr, 30, "the whole profile", |s| {
        (0..640).any(|x| is_flame(pixel(s, x, 1)))
    });
}
