//! V8 sampling heap profiles (`.heapprofile` from Chrome DevTools and `node --heap-prof`).
//!
//! Why this shape: the file is one tree (`head`) of call frames, each node with the bytes allocated
//! by that function itself (`selfSize`) and nested `children`. As in speedscope, every node becomes
//! one sample whose stack is the path from the root (including V8's `(root)` node) and whose weight
//! is its `selfSize` in bytes; nodes that allocated nothing add no sample (speedscope drops zero
//! weights, so their frames only exist as callers). Frames are keyed by name, URL, line and column;
//! unnamed functions are `(anonymous FILE:LINE)` with V8's 0-based line, as speedscope writes them.
//! The tree is walked with an explicit stack: a deep recursion in the profiled program cannot
//! overflow ours.

use super::v8::frame_of;
use super::{Val, file_name, with_document};
use crate::driver::ImportOptions;
use crate::error::ImportError;
use bigflame_model::{Profile, ProfileBuilder, ProfileMeta, StackId, ThreadKey, WeightUnit};

/// Imports a V8 heap profile document.
pub(crate) fn import(
    data: &[u8],
    path: &str,
    _opts: &ImportOptions,
) -> Result<Profile, ImportError> {
    with_document(data, path, |root| {
        let head = root.get("head").filter(Val::is_object).ok_or_else(|| {
            ImportError::invalid(path, "a V8 heap profile needs a \"head\" object")
        })?;
        let mut b = ProfileBuilder::new();
        let name = b.intern(file_name(path));
        let thread = b.thread(ThreadKey {
            pid: None,
            tid: None,
            name,
        });
        let event = b.event("allocated", WeightUnit::Bytes);
        let mut todo = vec![(head, StackId::EMPTY)];
        while let Some((node, parent)) = todo.pop() {
            let call_frame = node.get("callFrame").ok_or_else(|| {
                ImportError::invalid(path, "a node of \"head\" has no \"callFrame\"")
            })?;
            // Heap profiles keep V8's 0-based line in the anonymous name; the frame stores 1-based.
            let (frame, _) = frame_of(&mut b, call_frame, 0);
            let stack = b.stack(parent, frame);
            let size = match node.get("selfSize") {
                Some(v) => v.f64().ok_or_else(|| {
                    ImportError::invalid(
                        path,
                        format!("\"selfSize\" is {}, not a number", v.kind()),
                    )
                })?,
                None => 0.0,
            };
            if size < 0.0 {
                return Err(ImportError::invalid(
                    path,
                    format!("negative \"selfSize\" ({size})"),
                ));
            }
            if size > 0.0 {
                b.sample(thread, event, None, stack, size);
            }
            if let Some(children) = node.get("children") {
                let kids: Vec<_> = children.items().filter(Val::is_object).collect();
                todo.extend(kids.into_iter().rev().map(|c| (c, stack)));
            }
        }
        Ok(b.finish(ProfileMeta::default()))
    })
}
