//! View builds and searches as jobs, run off the UI thread.
//!
//! Why: building the Left Heavy tree, a Sandwich or a function table of a multi-gigabyte
//! profile takes from a fraction of a second to seconds, and a search tests millions of spans;
//! done inside an input handler they would freeze the window. So the viewer never builds: it
//! *asks* ([`Viewer::take_jobs`] hands out [`Job`]s, each owning an `Arc` of the profile and of
//! the view to search), shows "building…" meanwhile, and installs each [`Done`] when it comes
//! back ([`Viewer::accept`]), if it still belongs to the data shown (`data` generation). The
//! window runs every job on its own thread; the `--script` mode and the unit tests run them
//! inline ([`Viewer::settle`]), so both see the same state machine.
//!
//! [`Viewer::take_jobs`]: crate::app::viewer::Viewer::take_jobs
//! [`Viewer::accept`]: crate::app::viewer::Viewer::accept
//! [`Viewer::settle`]: crate::app::viewer::Viewer::settle

use crate::app::sandwich::{FunctionTable, SandwichView};
use crate::app::search::SearchResult;
use crate::scene::{FlameView, ViewKind};
use bigflame_model::{EventId, FrameId, Profile, ThreadId};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};

/// What a job builds; also its identity (a request is not repeated while one is in flight).
#[derive(Clone, Debug, PartialEq)]
pub enum Want {
    /// The Time Order or Left Heavy view of one thread.
    View(ViewKind, ThreadId),
    /// The Sandwich of one function on one thread.
    Sandwich(ThreadId, FrameId),
    /// The function table of one thread (detail panel, Sandwich table).
    Table(ThreadId),
    /// A search text over the view of the given view generation.
    Search(String, u64),
    /// The transformed profile: one transform step, undo or redo (the number tells requests
    /// apart: `crate::app::transforms`).
    Transform(u64),
}

/// A request, with everything it needs to run on another thread.
pub struct Job {
    /// The data generation it was asked for (results for older data are dropped).
    pub data: u64,
    /// What to build.
    pub want: Want,
    /// The profile.
    pub profile: Arc<Profile>,
    /// The event shown.
    pub event: EventId,
    /// For a search: the view to search (the callees' half in the Sandwich view).
    pub view: Option<Arc<FlameView>>,
    /// For a transform: the step, undo or redo, and the stack it applies to.
    pub transform: Option<crate::app::transforms::TransformJob>,
}

/// What a job built.
pub enum Built {
    /// A flame view.
    View(Arc<FlameView>),
    /// A sandwich.
    Sandwich(SandwichView),
    /// A function table.
    Table(FunctionTable),
    /// Search results.
    Search(SearchResult),
    /// A transformed profile and the transform stack that made it, or why it failed.
    Transformed(Result<crate::app::transforms::Transformed, String>),
}

/// A finished job.
pub struct Done {
    /// As in [`Job::data`].
    pub data: u64,
    /// As in [`Job::want`].
    pub want: Want,
    /// The result.
    pub built: Built,
    /// How long it ran, ms.
    pub ms: f64,
}

impl Job {
    /// Runs the job (on whatever thread calls this).
    pub fn run(self) -> Done {
        let t0 = std::time::Instant::now();
        let p = &*self.profile;
        let built = match &self.want {
            Want::View(ViewKind::LeftHeavy, t) => {
                Built::View(Arc::new(FlameView::left_heavy(p, self.event, &[*t])))
            }
            Want::View(_, t) => Built::View(Arc::new(FlameView::time_order(p, self.event, *t))),
            Want::Sandwich(t, f) => Built::Sandwich(SandwichView::build(p, self.event, *t, *f)),
            Want::Table(t) => Built::Table(FunctionTable::build(p, self.event, *t)),
            Want::Search(text, _) => {
                let index = self.view.as_ref().map(|v| &v.index);
                Built::Search(SearchResult::compute(text, p, index))
            }
            Want::Transform(_) => Built::Transformed(match self.transform {
                Some(t) => t.run(&self.profile),
                None => Err("no transform to apply".into()),
            }),
        };
        Done {
            data: self.data,
            want: self.want,
            built,
            ms: t0.elapsed().as_secs_f64() * 1e3,
        }
    }
}

/// A job and where its result goes.
type Task = Box<dyn FnOnce() + Send>;

/// The window's job threads: one fewer than the cores (at least one), so the UI thread keeps a
/// core to itself while views build, and jobs run in the order they were asked for.
#[derive(Default)]
pub struct Workers {
    tx: Option<Sender<Task>>,
}

impl Workers {
    /// Runs `job` on a worker and hands its result to `deliver`.
    pub fn run<P>(&mut self, job: Job, proxy: P)
    where
        P: Deliver + Send + 'static,
    {
        let task: Task = Box::new(move || proxy.deliver(job.run()));
        let task = match self.sender() {
            Some(tx) => match tx.send(task) {
                Ok(()) => return,
                Err(e) => e.0,
            },
            None => task,
        };
        task(); // no worker could be started: run it here rather than lose it
    }

    fn sender(&mut self) -> Option<&Sender<Task>> {
        if self.tx.is_none() {
            let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
            let (tx, rx) = channel::<Task>();
            let rx = Arc::new(Mutex::new(rx));
            let mut started = 0;
            for i in 0..cores.saturating_sub(1).max(1) {
                let rx = Arc::clone(&rx);
                let spawned = std::thread::Builder::new()
                    .name(format!("bigflame-build-{i}"))
                    .spawn(move || worker(&rx));
                started += usize::from(spawned.is_ok());
            }
            if started == 0 {
                return None;
            }
            self.tx = Some(tx);
        }
        self.tx.as_ref()
    }
}

fn worker(rx: &Mutex<Receiver<Task>>) {
    loop {
        let task = match rx.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        match task {
            Ok(task) => task(),
            Err(_) => return, // the window is gone
        }
    }
}

/// Where a finished job goes (the window's event loop proxy).
pub trait Deliver {
    /// Hands the result over.
    fn deliver(&self, done: Done);
}
