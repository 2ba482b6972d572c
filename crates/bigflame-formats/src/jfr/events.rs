//! Which JFR event types become bigflame events, with their unit, thread field and weight.
//!
//! Why this list: these are the JDK's (and async-profiler's) stack-carrying events a flame graph
//! answers questions about. CPU samples come first because the model's default event is its first
//! one and `jdk.ExecutionSample` is what every JFR viewer shows by default. Event names are kept
//! as the recording spells them, so `--event jdk.ThreadPark` picks one.
//!
//! * `jdk.ExecutionSample` (Java code on CPU) and `jdk.NativeMethodSample` (threads in native
//!   code): one sample each, the thread is `sampledThread`.
//! * Allocations, in bytes: `jdk.ObjectAllocationSample` by its `weight` (the bytes the sample
//!   stands for), `jdk.ObjectAllocationInNewTLAB` by `tlabSize`, `jdk.ObjectAllocationOutsideTLAB`
//!   by `allocationSize`; the thread is `eventThread`.
//! * Blocking, in nanoseconds: `jdk.JavaMonitorEnter`, `jdk.JavaMonitorWait`, `jdk.ThreadPark`,
//!   weighted by their `duration`. These are intervals (`EventType::intervals`): each starts at
//!   its `startTime` and lasts its weight, so Time Order draws them where they happened.

use bigflame_model::WeightUnit;

/// Where a sample's weight comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Weight {
    /// Every event weighs 1.
    One,
    /// An integer field of the event.
    Field(&'static str),
    /// The event's `duration` (ticks), converted to nanoseconds.
    Duration,
}

/// One imported event type.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Spec {
    pub name: &'static str,
    pub unit: WeightUnit,
    pub thread: &'static str,
    pub weight: Weight,
}

impl Spec {
    /// True for events drawn as intervals.
    pub(crate) fn intervals(&self) -> bool {
        self.weight == Weight::Duration
    }
}

/// The imported event types, in the order their events are registered.
pub(crate) const SPECS: &[Spec] = &[
    Spec {
        name: "jdk.ExecutionSample",
        unit: WeightUnit::Samples,
        thread: "sampledThread",
        weight: Weight::One,
    },
    Spec {
        name: "jdk.NativeMethodSample",
        unit: WeightUnit::Samples,
        thread: "sampledThread",
        weight: Weight::One,
    },
    Spec {
        name: "jdk.ObjectAllocationSample",
        unit: WeightUnit::Bytes,
        thread: "eventThread",
        weight: Weight::Field("weight"),
    },
    Spec {
        name: "jdk.ObjectAllocationInNewTLAB",
        unit: WeightUnit::Bytes,
        thread: "eventThread",
        weight: Weight::Field("tlabSize"),
    },
    Spec {
        name: "jdk.ObjectAllocationOutsideTLAB",
        unit: WeightUnit::Bytes,
        thread: "eventThread",
        weight: Weight::Field("allocationSize"),
    },
    Spec {
        name: "jdk.JavaMonitorEnter",
        unit: WeightUnit::Nanoseconds,
        thread: "eventThread",
        weight: Weight::Duration,
    },
    Spec {
        name: "jdk.JavaMonitorWait",
        unit: WeightUnit::Nanoseconds,
        thread: "eventThread",
        weight: Weight::Duration,
    },
    Spec {
        name: "jdk.ThreadPark",
        unit: WeightUnit::Nanoseconds,
        thread: "eventThread",
        weight: Weight::Duration,
    },
];
