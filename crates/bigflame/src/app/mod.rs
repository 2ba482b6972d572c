//! The interactive viewer: `bigflame FILE`, `bigflame -`, or `bigflame` alone.
//!
//! Why this shape: the window must appear at once, so loading runs on a worker thread
//! ([`loader`]) that reports through winit user events; every input goes winit event →
//! [`input::Input`] → [`input::Action`] → [`viewer::Viewer::apply`], and only `apply` decides
//! whether anything changed, so the loop sleeps (`ControlFlow::Wait`) and redraws only on
//! change. The `--script` mode ([`script`]) drives the same path without a window for tests.
//! Only this module (and [`gpu`]) know winit.

mod colors;
mod detail;
mod dialog;
mod diff_mode;
mod draw;
mod draw_table;
mod export_view;
mod frame_log;
mod gpu;
mod help;
mod input;
mod jobs;
mod lanes;
mod latency;
mod loader;
mod minimap;
mod sandwich;
mod save;
mod script;
mod search;
mod state;
mod threads;
mod transforms;
mod viewer;
mod viewer_jobs;
mod viewer_ops;

use crate::cli::{LoadArgs, ViewerArgs};
use anyhow::{Context, Result};
use bigflame_render::GpuContext;
use input::{Input, InputMapper, Key, Wheel};
use loader::LoadEvent;
use state::ViewState;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use viewer::{Effect, Status, Viewer};
use winit::application::ApplicationHandler;
use winit::dpi::LogicalSize;
use winit::event::StartCause;
use winit::event::{ElementState, MouseButton, MouseScrollDelta, WindowEvent};
use winit::event_loop::{ActiveEventLoop, ControlFlow, EventLoop, EventLoopProxy};
use winit::keyboard::{Key as WKey, NamedKey};
use winit::window::{Window, WindowId};

pub use diff_mode::DiffData;

/// Runs the viewer (or, with `--script`, the headless scripted session).
pub fn run(args: &ViewerArgs, load: &LoadArgs) -> Result<ExitCode> {
    if let Some(script_path) = &args.script {
        return run_script(args, load, script_path);
    }
    let event_loop = EventLoop::<UserEvent>::with_user_event()
        .build()
        .context("cannot open a window (is a display available? set DISPLAY or WAYLAND_DISPLAY)")?;
    event_loop.set_control_flow(ControlFlow::Wait);
    let mut app = App::new(args, load, event_loop.create_proxy());
    if let Some(file) = &args.file {
        app.start_load(file.clone());
    }
    event_loop.run_app(&mut app).context("window event loop")?;
    for line in app.latency.summary() {
        eprintln!("bigflame: latency: {line}");
    }
    match app.failed {
        Some(err) => Err(err),
        None => Ok(ExitCode::SUCCESS),
    }
}

/// `bigflame diff` in a window: AFTER (`profile`) coloured by `diff` (see `diff_mode.rs`).
pub fn run_diff(
    profile: bigflame_model::Profile,
    diff: diff_mode::DiffData,
    normalize: bool,
    source: String,
    (width, height): (u32, u32),
) -> Result<ExitCode> {
    let args = ViewerArgs {
        file: None,
        width,
        height,
        script: None,
    };
    let event_loop = EventLoop::<UserEvent>::with_user_event()
        .build()
        .context("cannot open a window (is a display available? set DISPLAY or WAYLAND_DISPLAY)")?;
    event_loop.set_control_flow(ControlFlow::Wait);
    let mut app = App::new(&args, &LoadArgs::default(), event_loop.create_proxy());
    app.viewer.source = source;
    app.viewer.set_diff(profile, diff, normalize);
    event_loop.run_app(&mut app).context("window event loop")?;
    match app.failed {
        Some(err) => Err(err),
        None => Ok(ExitCode::SUCCESS),
    }
}

fn run_script(args: &ViewerArgs, load: &LoadArgs, script_path: &PathBuf) -> Result<ExitCode> {
    let text = std::fs::read_to_string(script_path)
        .with_context(|| format!("cannot read script {}", script_path.display()))?;
    let mut viewer = Viewer::new(ViewState::new(args.width, args.height, 1.0));
    if let Some(file) = &args.file {
        viewer.source = file.display().to_string();
        let config = loader::LoadConfig::new(load.clone());
        match loader::load(file, &config, None, None) {
            Ok(profile) => viewer.set_profile(profile),
            Err(msg) => viewer.status = Status::Failed(msg),
        }
    }
    for line in script::run(&mut viewer, &text)? {
        println!("{line}");
    }
    Ok(ExitCode::SUCCESS)
}

impl App {
    fn new(args: &ViewerArgs, load: &LoadArgs, proxy: EventLoopProxy<UserEvent>) -> Self {
        let mut viewer = Viewer::new(ViewState::new(args.width, args.height, 1.0));
        viewer.inline = false; // view builds and searches run on threads
        Self {
            args: args.clone(),
            load: load.clone(),
            proxy,
            window: None,
            gpu: None,
            viewer,
            mapper: InputMapper::default(),
            frame: draw::Frame::default(),
            ctrl: false,
            shift: false,
            started: Instant::now(),
            failed: None,
            generation: 0,
            dialog_open: false,
            saving: false,
            latency: latency::Latency::from_env(),
            input_at: None,
            workers: jobs::Workers::default(),
        }
    }
}

struct App {
    args: ViewerArgs,
    load: LoadArgs,
    proxy: EventLoopProxy<UserEvent>,
    /// Whether the Ctrl+O dialog is up (one at a time).
    dialog_open: bool,
    /// Bumped per load, so a file dropped while another loads wins over the older one.
    generation: u64,
    window: Option<Arc<Window>>,
    gpu: Option<gpu::Gpu>,
    viewer: Viewer,
    mapper: InputMapper,
    frame: draw::Frame,
    ctrl: bool,
    shift: bool,
    started: Instant,
    failed: Option<anyhow::Error>,
    /// A Ctrl+S save is running (one at a time).
    saving: bool,
    /// `BIGFLAME_LATENCY_LOG`: input-to-frame times.
    latency: latency::Latency,
    /// When the winit event being handled arrived (for the latency log).
    input_at: Option<Instant>,
    /// Threads that run the viewer's jobs.
    workers: jobs::Workers,
}

impl App {
    fn start_load(&mut self, file: PathBuf) {
        self.viewer.source = file.display().to_string();
        self.viewer.status = Status::Loading(Default::default());
        self.viewer.notice = None;
        self.generation += 1;
        let generation = self.generation;
        let proxy = self.proxy.clone();
        let config = loader::LoadConfig::new(self.load.clone());
        let spawned = loader::spawn(file, config, move |ev| {
            // Fails only when the window is already closed.
            let _ = proxy.send_event(UserEvent::Load(generation, ev));
        });
        if let Err(e) = spawned {
            self.viewer.status = Status::Failed(format!("cannot start the loader: {e}"));
        }
        self.set_title();
        self.redraw();
    }

    fn set_title(&self) {
        if let Some(w) = &self.window {
            let title = if self.viewer.source.is_empty() {
                "bigflame".to_string()
            } else {
                format!("bigflame — {}", self.viewer.source)
            };
            w.set_title(&title);
        }
    }

    fn redraw(&self) {
        if let Some(w) = &self.window {
            w.request_redraw();
        }
    }

    fn feed(&mut self, input: Input) {
        self.mapper.text_mode = self.viewer.text_mode();
        self.mapper.shift = self.shift;
        self.viewer.now_ms = self.now_ms();
        for action in self.mapper.map(input) {
            match self.viewer.apply(&action) {
                Effect::None => {}
                Effect::Redraw => {
                    if let Some(at) = self.input_at {
                        self.latency.input(at);
                    }
                    self.redraw();
                }
                Effect::Open => self.open_dialog(),
                Effect::Save => self.save(),
                Effect::Export => self.export(),
            }
        }
        self.pump();
    }

    fn now_ms(&self) -> f64 {
        self.started.elapsed().as_secs_f64() * 1000.0
    }

    /// Starts due searches and hands every job the viewer asked for to its own thread.
    fn pump(&mut self) {
        if self.viewer.poll(self.now_ms()) {
            self.redraw();
        }
        for job in self.viewer.take_jobs() {
            self.workers.run(job, self.proxy.clone());
        }
    }

    /// Ctrl+S: asks where and writes the loaded profile as speedscope JSON, on a thread.
    fn save(&mut self) {
        let Some(data) = &self.viewer.data else {
            return;
        };
        if self.saving {
            return;
        }
        self.saving = true;
        let profile = Arc::clone(data.loaded_profile());
        let source = self.viewer.source.clone();
        let proxy = self.proxy.clone();
        self.viewer.notice = Some("saving…".into());
        self.redraw();
        let spawned = std::thread::Builder::new()
            .name("bigflame-save".into())
            .spawn(move || {
                let answer = save::save_interactive(&profile, &source);
                let _ = proxy.send_event(UserEvent::Saved(answer));
            });
        if spawned.is_err() {
            self.saving = false;
        }
    }

    /// Ctrl+Shift+S / `e`: asks where and exports the current view (`export_view.rs`), on a
    /// thread; the outcome comes back as a save's does.
    fn export(&mut self) {
        let Some(job) = export_view::ExportJob::of(&self.viewer) else {
            return;
        };
        if self.saving {
            return;
        }
        self.saving = true;
        let proxy = self.proxy.clone();
        self.viewer.notice = Some("exporting…".into());
        self.redraw();
        let spawned = std::thread::Builder::new()
            .name("bigflame-export".into())
            .spawn(move || {
                let answer = export_view::export_interactive(&job);
                let _ = proxy.send_event(UserEvent::Saved(answer));
            });
        if spawned.is_err() {
            self.saving = false;
        }
    }

    fn open_dialog(&mut self) {
        if self.dialog_open {
            return;
        }
        self.dialog_open = true;
        let proxy = self.proxy.clone();
        let spawned = std::thread::Builder::new()
            .name("bigflame-open".into())
            .spawn(move || {
                let _ = proxy.send_event(UserEvent::Picked(dialog::pick_file()));
            });
        if spawned.is_err() {
            self.dialog_open = false;
        }
    }

    fn create_window(&mut self, el: &ActiveEventLoop) -> Result<()> {
        let attrs = Window::default_attributes()
            .with_title("bigflame")
            .with_inner_size(LogicalSize::new(self.args.width, self.args.height));
        let window = Arc::new(
            el.create_window(attrs)
                .context("cannot create the window")?,
        );
        let instance = GpuContext::create_instance(Some(Box::new(el.owned_display_handle())))
            .context("GPU backend selection")?;
        let mut gpu = gpu::Gpu::new(window.clone(), instance)?;
        let scale = window.scale_factor();
        gpu.set_scale(scale);
        let size = window.inner_size();
        self.viewer.state.resize(size.width, size.height, scale);
        if std::env::var_os("BIGFLAME_VERBOSE").is_some() {
            eprintln!("bigflame: drawing with {}", gpu.describe());
        }
        self.window = Some(window);
        self.gpu = Some(gpu);
        self.set_title();
        self.redraw();
        Ok(())
    }

    fn draw(&mut self) {
        let Some(gpu) = &mut self.gpu else { return };
        if !gpu.usable() {
            return;
        }
        let t0 = Instant::now();
        self.frame.build(&self.viewer);
        let labels = self.frame.labels(&self.viewer);
        let scene = self.frame.scene(&labels);
        let cpu_ms = t0.elapsed().as_secs_f64() * 1e3;
        let drawn = gpu.draw(&scene);
        let shown = self.viewer.view().is_some();
        let ready = shown && matches!(self.viewer.status, Status::Ready);
        frame_log::record(t0, shown, ready, matches!(drawn, Ok(gpu::Drawn::Yes)));
        if self.latency.active() && matches!(drawn, Ok(gpu::Drawn::Yes)) {
            gpu.wait_done();
            gpu.times.cpu_ms = cpu_ms;
            let view = if self.viewer.lanes_on() {
                "lanes"
            } else {
                state::view_name(self.viewer.state.kind)
            };
            self.latency.frame(view, t0, Instant::now(), gpu.times);
        }
        if let Err(e) = drawn {
            eprintln!("bigflame: error: drawing: {e:#}");
        }
    }
}

impl jobs::Deliver for EventLoopProxy<UserEvent> {
    fn deliver(&self, done: jobs::Done) {
        // Fails only when the window is already closed.
        let _ = self.send_event(UserEvent::Built(Box::new(done)));
    }
}

/// Events from worker threads.
enum UserEvent {
    /// A loader event and the load it belongs to.
    Load(u64, LoadEvent),
    /// The Ctrl+O dialog's answer.
    Picked(Result<Option<PathBuf>, String>),
    /// A view build or search finished.
    Built(Box<jobs::Done>),
    /// A Ctrl+S save finished (`None`: cancelled).
    Saved(Option<Result<PathBuf, String>>),
}

impl ApplicationHandler<UserEvent> for App {
    fn resumed(&mut self, el: &ActiveEventLoop) {
        if self.window.is_some() {
            return;
        }
        if let Err(e) = self.create_window(el) {
            self.failed = Some(e);
            el.exit();
        }
    }

    fn user_event(&mut self, _el: &ActiveEventLoop, event: UserEvent) {
        let (generation, event) = match event {
            UserEvent::Load(generation, event) => (generation, event),
            UserEvent::Picked(answer) => {
                self.dialog_open = false;
                match answer {
                    Ok(Some(path)) => self.start_load(path),
                    Ok(None) => {}
                    Err(msg) => {
                        eprintln!("bigflame: {msg}");
                        self.viewer.notice = Some(msg);
                        self.redraw();
                    }
                }
                return;
            }
            UserEvent::Built(done) => {
                if std::env::var_os("BIGFLAME_VERBOSE").is_some() {
                    eprintln!("bigflame: built {:?} in {:.1} ms", done.want, done.ms);
                }
                self.viewer.now_ms = self.now_ms();
                if self.viewer.accept(*done) {
                    self.redraw();
                }
                self.pump();
                return;
            }
            UserEvent::Saved(answer) => {
                self.saving = false;
                self.viewer.notice = match answer {
                    Some(Ok(path)) => {
                        eprintln!("bigflame: saved {}", path.display());
                        Some(format!("saved {}", path.display()))
                    }
                    Some(Err(msg)) => {
                        eprintln!("bigflame: error: {msg}");
                        Some(msg)
                    }
                    None => None,
                };
                self.redraw();
                return;
            }
        };
        if generation != self.generation {
            return; // an older load, superseded by a dropped file
        }
        match event {
            LoadEvent::Progress(p) => {
                if matches!(self.viewer.status, Status::Loading(_)) {
                    self.viewer.status = Status::Loading(p);
                }
            }
            LoadEvent::Partial(loaded) => {
                if std::env::var_os("BIGFLAME_VERBOSE").is_some() {
                    let n = loaded.profile.sample_count(loaded.event);
                    eprintln!("bigflame: showing a partial profile: {n} samples");
                }
                if matches!(self.viewer.status, Status::Loading(_)) {
                    self.viewer.replace_data(*loaded);
                }
            }
            LoadEvent::Done(Ok(loaded)) => {
                if std::env::var_os("BIGFLAME_VERBOSE").is_some() {
                    let s = self.started.elapsed().as_secs_f64();
                    eprintln!("bigflame: loaded {} at {s:.2} s", self.viewer.source);
                }
                if self.viewer.data.is_some() {
                    self.viewer.replace_data(*loaded);
                    self.viewer.status = Status::Ready;
                } else {
                    self.viewer.set_loaded(*loaded);
                }
            }
            LoadEvent::Done(Err(msg)) => {
                // A partial profile shown so far is dropped: it is not what the file holds.
                self.viewer.data = None;
                self.viewer.status = Status::Failed(msg);
            }
        }
        self.pump();
        self.redraw();
    }

    fn new_events(&mut self, _el: &ActiveEventLoop, cause: StartCause) {
        if let StartCause::ResumeTimeReached { .. } = cause {
            self.pump(); // a debounced search is due
        }
    }

    fn about_to_wait(&mut self, el: &ActiveEventLoop) {
        let flow = match self.viewer.next_deadline() {
            Some(ms) => {
                ControlFlow::WaitUntil(self.started + Duration::from_secs_f64(ms.max(0.0) / 1e3))
            }
            None => ControlFlow::Wait,
        };
        el.set_control_flow(flow);
    }

    fn window_event(&mut self, el: &ActiveEventLoop, _id: WindowId, event: WindowEvent) {
        self.input_at = Some(Instant::now());
        match event {
            WindowEvent::CloseRequested => el.exit(),
            WindowEvent::RedrawRequested => self.draw(),
            WindowEvent::Resized(size) => {
                if let Some(gpu) = &mut self.gpu {
                    gpu.resize(size.width, size.height);
                }
                let scale = self.window.as_ref().map_or(1.0, |w| w.scale_factor());
                self.feed(Input::Resize {
                    width: f64::from(size.width),
                    height: f64::from(size.height),
                    scale,
                });
            }
            WindowEvent::ScaleFactorChanged { scale_factor, .. } => {
                if let Some(gpu) = &mut self.gpu {
                    gpu.set_scale(scale_factor);
                }
                let (w, h) = self.viewer.state.viewport;
                self.feed(Input::Resize {
                    width: f64::from(w),
                    height: f64::from(h),
                    scale: scale_factor,
                });
            }
            WindowEvent::ModifiersChanged(m) => {
                self.ctrl = m.state().control_key() || m.state().super_key();
                self.shift = m.state().shift_key();
            }
            WindowEvent::KeyboardInput { event, .. } if event.state == ElementState::Pressed => {
                let key = match &event.logical_key {
                    // Letters typed with Shift are upper case (`F`, Ctrl+Shift+Z), whatever
                    // the platform reports with Ctrl held.
                    WKey::Character(c) if self.shift => Some(Key::Char(c.to_uppercase())),
                    WKey::Character(c) => Some(Key::Char(c.to_string())),
                    WKey::Named(NamedKey::ArrowLeft) => Some(Key::Left),
                    WKey::Named(NamedKey::ArrowRight) => Some(Key::Right),
                    WKey::Named(NamedKey::ArrowUp) => Some(Key::Up),
                    WKey::Named(NamedKey::ArrowDown) => Some(Key::Down),
                    WKey::Named(NamedKey::Escape) => Some(Key::Escape),
                    WKey::Named(NamedKey::Enter) => Some(Key::Enter { back: self.shift }),
                    WKey::Named(NamedKey::Backspace) => Some(Key::Backspace),
                    WKey::Named(NamedKey::Space) => Some(Key::Char(" ".into())),
                    _ => None,
                };
                if let Some(key) = key {
                    self.feed(Input::Key {
                        key,
                        ctrl: self.ctrl,
                    });
                }
            }
            WindowEvent::MouseWheel { delta, .. } => {
                let delta = match delta {
                    MouseScrollDelta::LineDelta(x, y) => Wheel::Lines(f64::from(x), f64::from(y)),
                    MouseScrollDelta::PixelDelta(p) => Wheel::Pixels(p.x, p.y),
                };
                self.feed(Input::Wheel {
                    delta,
                    ctrl: self.ctrl,
                    shift: self.shift,
                });
            }
            WindowEvent::PinchGesture { delta, .. } => self.feed(Input::Pinch(delta)),
            WindowEvent::CursorMoved { position, .. } => {
                self.feed(Input::Cursor(position.x, position.y));
            }
            WindowEvent::CursorLeft { .. } => self.feed(Input::CursorLeft),
            WindowEvent::MouseInput {
                state,
                button: MouseButton::Left,
                ..
            } => {
                let ms = self.started.elapsed().as_secs_f64() * 1000.0;
                self.feed(Input::Button {
                    pressed: state == ElementState::Pressed,
                    ms,
                });
            }
            WindowEvent::DroppedFile(path) => self.start_load(path),
            _ => {}
        }
    }
}
