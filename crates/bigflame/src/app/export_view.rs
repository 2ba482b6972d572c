//! Ctrl+Shift+S / `e`: the *current view* exported, transforms applied, in the format the chosen
//! file name's extension says: `.svg` (a FlameGraph-style flame graph of the shown thread),
//! `.folded` / `.txt` / `.collapsed` (folded stacks of the shown thread), `.png` (the view on
//! screen, same camera, drawn offscreen by the renderer `bigflame render` uses) or `.json`
//! (speedscope, every thread of the transformed profile).
//!
//! Why separate from Ctrl+S (`save.rs`): that one is a lossless hand-off of the loaded profile;
//! this one is "what I am looking at", for a bug report, a slide or another tool. Where: the
//! native save dialog suggests `<input>.view.svg` next to the input; without a dialog (and in
//! the `--script` mode) the file goes there directly. PNG uses a headless GPU context of its own
//! (the window's surface is busy presenting), built on the export thread.

use crate::app::viewer::Viewer;
use crate::scene::{Camera, FlameScene, FlameView, SceneOptions, build_scene};
use bigflame_formats::collapse::{CollapseOptions, RootFrame, write_folded};
use bigflame_formats::export::{SvgOptions, write_svg};
use bigflame_model::{CallTree, EventId, Profile, SampleColumns, ThreadId, WeightUnit};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What an export needs, taken from the viewer on the UI thread (cheap: `Arc`s and a camera).
pub struct ExportJob {
    /// The transformed profile.
    pub profile: Arc<Profile>,
    /// The event shown.
    pub event: EventId,
    /// The thread shown.
    pub thread: ThreadId,
    /// The view on screen (for PNG), if built.
    pub view: Option<Arc<FlameView>>,
    /// The camera (for PNG).
    pub camera: Camera,
    /// The window's size, physical px (for PNG).
    pub size: (u32, u32),
    /// The input's name (for the default path and titles).
    pub source: String,
}

impl ExportJob {
    /// The current view of `viewer`, if a profile is shown.
    pub fn of(viewer: &Viewer) -> Option<Self> {
        let data = viewer.data.as_ref()?;
        Some(Self {
            profile: Arc::clone(&data.profile),
            event: data.event,
            thread: viewer.shown_thread()?,
            view: viewer.view_arc().cloned(),
            camera: viewer.state.camera,
            size: viewer.state.viewport,
            source: viewer.source.clone(),
        })
    }

    /// Writes the export to `path`, the format from its extension.
    pub fn write(&self, path: &Path) -> Result<(), String> {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let fail = |e: String| format!("cannot export {}: {e}", path.display());
        match ext.as_str() {
            "png" => return self.png(path).map_err(fail),
            "json" => return crate::app::save::write(&self.profile, path),
            "svg" | "folded" | "txt" | "collapsed" => {}
            other => {
                return Err(fail(format!(
                    "unknown extension {other:?}: use .svg, .folded, .png or .json"
                )));
            }
        }
        let result = std::fs::File::create(path).and_then(|f| {
            let mut out = std::io::BufWriter::new(f);
            if ext == "svg" {
                self.svg(&mut out)?;
            } else {
                // The stacks as the view shows them: no process root frame added.
                let opts = CollapseOptions {
                    root: RootFrame::None,
                    event: self
                        .profile
                        .events
                        .get(self.event.index())
                        .map(|e| e.name.clone()),
                    ..CollapseOptions::default()
                };
                write_folded(&self.shown_only(), &opts, &mut out)?;
            }
            out.flush()
        });
        result.map_err(|e| fail(e.to_string()))
    }

    /// The profile with only the shown thread's samples.
    fn shown_only(&self) -> Profile {
        let mut p = (*self.profile).clone();
        for (i, thread) in p.threads.iter_mut().enumerate() {
            if ThreadId::from_index(i) != self.thread {
                for cols in &mut thread.samples {
                    *cols = SampleColumns::default();
                }
            }
        }
        p
    }

    fn svg(&self, out: &mut impl Write) -> std::io::Result<()> {
        let p = &*self.profile;
        let tree = CallTree::build(p, self.event, &[self.thread]);
        let unit = p
            .events
            .get(self.event.index())
            .map_or(WeightUnit::Samples, |e| e.unit);
        let name = self.source.rsplit('/').next().unwrap_or("profile");
        let opts = SvgOptions {
            title: "Flame Graph".into(),
            subtitle: Some(name.to_string()),
            unit,
            ..SvgOptions::default()
        };
        write_svg(p, &tree, &opts, out)?;
        Ok(())
    }

    fn png(&self, path: &Path) -> Result<(), String> {
        let view = self.view.as_ref().ok_or("the view is still building")?;
        let (w, h) = (self.size.0.max(1), self.size.1.max(1));
        let ctx = bigflame_render::GpuContext::new_headless().map_err(|e| e.to_string())?;
        let opts = SceneOptions::new((w, h), 1.0);
        let mut scene = FlameScene::default();
        build_scene(view, &self.camera, &opts, &mut scene);
        let labels = scene.labels(&self.profile);
        bigflame_render::render_to_png(&ctx, &scene.scene(&labels), w, h, path)
            .map_err(|e| e.to_string())
    }
}

/// `<input>.view.svg` next to the input (`stdin.view.svg` in the working directory for `-`).
pub fn default_path(source: &str) -> PathBuf {
    if source.is_empty() || source == "-" {
        return PathBuf::from("stdin.view.svg");
    }
    let mut name = Path::new(source)
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_else(|| "profile".into());
    name.push(".view.svg");
    Path::new(source).with_file_name(name)
}

/// Asks where (dialog, else the default path) and writes; the message for the status line, or
/// `None` when cancelled.
pub fn export_interactive(job: &ExportJob) -> Option<Result<PathBuf, String>> {
    let suggested = default_path(&job.source);
    let path = match crate::app::dialog::pick_save_path(&suggested) {
        Ok(Some(p)) => p,
        Ok(None) => return None,
        Err(e) => return Some(Err(e)),
    };
    Some(job.write(&path).map(|()| path))
}

/// Headless export (`--script`): to `<input>.view.EXT`, EXT from the script (`svg` by default).
pub fn export_to_default(viewer: &Viewer, ext: &str) -> Result<PathBuf, String> {
    let job = ExportJob::of(viewer).ok_or("nothing to export")?;
    let path = default_path(&viewer.source).with_extension(ext);
    job.write(&path).map(|()| path)
}
