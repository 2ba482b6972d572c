//! Newtype `u32` handles into the model's tables.
//!
//! Why newtypes: a frame id, a stack id and a string id are all `u32` columns, and mixing them up is the
//! easiest bug to write in columnar code. `u32` (not `usize`) halves the memory of the sample columns.

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Default)]
        pub struct $name(pub u32);

        impl $name {
            /// The index into the owning table.
            #[inline]
            pub fn index(self) -> usize {
                self.0 as usize
            }

            /// Builds an id from a table index.
            ///
            /// # Panics
            /// If the index does not fit in `u32` (more than 4 billion entries in one table).
            #[inline]
            #[allow(clippy::expect_used)] // a capacity limit, documented above; not reachable from data
            pub fn from_index(index: usize) -> Self {
                Self(u32::try_from(index).expect("table index exceeds u32"))
            }
        }
    };
}

id_type!(
    /// An interned string in the [`crate::StringTable`].
    StringId
);
id_type!(
    /// A frame (function + module + location) in the [`crate::FrameTable`].
    FrameId
);
id_type!(
    /// A node of the stack prefix tree in the [`crate::StackTable`]: one unique call path.
    StackId
);
id_type!(
    /// A thread in [`crate::Profile::threads`].
    ThreadId
);
id_type!(
    /// An event type (e.g. `cycles`, `instructions`, `alloc_space`) in [`crate::Profile::events`].
    EventId
);

impl StackId {
    /// The empty stack: a sample taken while nothing was on the stack (idle).
    pub const EMPTY: StackId = StackId(u32::MAX);

    /// True for [`StackId::EMPTY`].
    #[inline]
    pub fn is_empty(self) -> bool {
        self == Self::EMPTY
    }
}
