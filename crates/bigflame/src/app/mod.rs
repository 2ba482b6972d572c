//! The interactive viewer: `bigflame FILE`, `bigflame -`, or `bigflame` alone.
//!
//! Why this shape: the window must appear at once, so loading runs on a worker thread
//! ([`loader`]) that reports through winit user events; every input goes winit event →
//! [`input::Input`] → [`input::Action`] → [`viewer::Viewer::apply`], and only `apply` decides
//! whether anything changed, so the loop sleeps (`ControlFlow::Wait`) and redraws only on
//! change. The `--script` mode ([`script`]) drives the same path without a window for tests.
//! Only this module (and [`gpu`]) know winit.

mod detail;
mod dialog;
mod draw;
mod draw_table;
mod gpu;
mod help;
mod input;
mod loader;
mod minimap;
mod sandwich;
mod script;
mod search;
mod state;
mod threads;
mod viewer;
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
use std::time::Instant;
use viewer::{Effect, Status, Viewer};
use winit::application::ApplicationHandler;
use winit::dpi::LogicalSize;
use winit::event::{ElementState, MouseButton, MouseScrollDelta, WindowEvent};
use winit::event_loop::{ActiveEventLoop, ControlFlow, EventLoop, EventLoopProxy};
use winit::keyboard::{Key as WKey, NamedKey};
use winit::window::{Window, WindowId};

/// Runs the viewer (or, with `--script`, the headless scripted session).
pub fn run(args: &ViewerArgs, load: &LoadArgs) -> Result<ExitCode> {
    if let Some(script_path) = &args.script {
        return run_script(args, load, script_path);
    }
    let event_loop = EventLoop::<UserEvent>::with_user_event()
        .build()
        .context("cannot open a window (is a display available? set DISPLAY or WAYLAND_DISPLAY)")?;
    event_loop.set_control_flow(ControlFlow::Wait);
    let proxy = event_loop.create_proxy();
    let mut app = App {
        args: args.clone(),
        load: load.clone(),
        proxy,
        window: None,
        gpu: None,
        viewer: Viewer::new(ViewState::new(args.width, args.height, 1.0)),
        mapper: InputMapper::default(),
        frame: draw::Frame::default(),
        ctrl: false,
        shift: false,
        started: Instant::now(),
        failed: None,
        generation: 0,
        dialog_open: false,
    };
    if let Some(file) = &args.file {
        app.start_load(file.clone());
    }
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
        match loader::load(file, load, None::<Arc<fn(LoadEvent)>>) {
            Ok(profile) => viewer.set_profile(profile),
            Err(msg) => viewer.status = Status::Failed(msg),
        }
    }
    for line in script::run(&mut viewer, &text)? {
        println!("{line}");
    }
    Ok(ExitCode::SUCCESS)
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
}

impl App {
    fn start_load(&mut self, file: PathBuf) {
        self.viewer.source = file.display().to_string();
        self.viewer.status = Status::Loading(None);
        self.generation += 1;
        let generation = self.generation;
        let proxy = self.proxy.clone();
        let spawned = loader::spawn(file, self.load.clone(), move |ev| {
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
        for action in self.mapper.map(input) {
            match self.viewer.apply(&action) {
                Effect::None => {}
                Effect::Redraw => self.redraw(),
                Effect::Open => self.open_dialog(),
            }
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
        self.frame.build(&self.viewer);
        let labels = self.frame.labels(&self.viewer);
        let scene = self.frame.scene(&labels);
        if let Err(e) = gpu.draw(&scene) {
            eprintln!("bigflame: error: drawing: {e:#}");
        }
    }
}

/// Events from worker threads.
enum UserEvent {
    /// A loader event and the load it belongs to.
    Load(u64, LoadEvent),
    /// The Ctrl+O dialog's answer.
    Picked(Result<Option<PathBuf>, String>),
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
                    Err(msg) => eprintln!("bigflame: {msg}"),
                }
                return;
            }
        };
        if generation != self.generation {
            return; // an older load, superseded by a dropped file
        }
        match event {
            LoadEvent::Progress(f) => {
                if matches!(self.viewer.status, Status::Loading(_)) {
                    self.viewer.status = Status::Loading(f);
                }
            }
            LoadEvent::Done(Ok(loaded)) => self.viewer.set_loaded(*loaded),
            LoadEvent::Done(Err(msg)) => self.viewer.status = Status::Failed(msg),
        }
        self.redraw();
    }

    fn window_event(&mut self, el: &ActiveEventLoop, _id: WindowId, event: WindowEvent) {
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
