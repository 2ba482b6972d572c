//! The messages of pprof's `profile.proto`, written by hand with `prost` derives.
//!
//! Why by hand: generating them needs `protoc` at build time, and the schema is small and stable
//! (field numbers from the public `profile.proto` of github.com/google/pprof). Only the nested
//! messages are decoded with prost; the top-level `Profile` is walked field by field in
//! [`super::wire`], so samples are decoded one at a time (memory stays proportional to the tables,
//! not to a `Vec` of every sample) and a decode error can be located at a byte offset.
//!
//! Strings are left as indexes into the string table (`int64` in the schema), as in the file.

/// `ValueType`: a sample type or the period type, as string-table indexes.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ValueType {
    /// Index of the type name (`cpu`, `alloc_space`, `samples`...).
    #[prost(int64, tag = "1")]
    pub r#type: i64,
    /// Index of the unit name (`nanoseconds`, `bytes`, `count`...).
    #[prost(int64, tag = "2")]
    pub unit: i64,
}

/// `Sample`: a call stack (leaf first) and one value per sample type.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Sample {
    /// Location ids, the leaf (innermost) first.
    #[prost(uint64, repeated, tag = "1")]
    pub location_id: Vec<u64>,
    /// One value per `Profile.sample_type`.
    #[prost(int64, repeated, tag = "2")]
    pub value: Vec<i64>,
    /// Extra labels (`thread`, `pid`, ...).
    #[prost(message, repeated, tag = "3")]
    pub label: Vec<Label>,
}

/// `Label`: a key with a string or numeric value.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Label {
    /// Index of the key.
    #[prost(int64, tag = "1")]
    pub key: i64,
    /// Index of the string value (0 when the label is numeric).
    #[prost(int64, tag = "2")]
    pub str: i64,
    /// The numeric value.
    #[prost(int64, tag = "3")]
    pub num: i64,
    /// Index of the unit of `num`.
    #[prost(int64, tag = "4")]
    pub num_unit: i64,
}

/// `Mapping`: a loaded binary or shared object.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Mapping {
    /// Unique nonzero id.
    #[prost(uint64, tag = "1")]
    pub id: u64,
    /// Start address.
    #[prost(uint64, tag = "2")]
    pub memory_start: u64,
    /// End address.
    #[prost(uint64, tag = "3")]
    pub memory_limit: u64,
    /// Offset in the file.
    #[prost(uint64, tag = "4")]
    pub file_offset: u64,
    /// Index of the file name (the module).
    #[prost(int64, tag = "5")]
    pub filename: i64,
    /// Index of the build id.
    #[prost(int64, tag = "6")]
    pub build_id: i64,
}

/// `Location`: one program counter, with one `Line` per (inlined) function at it.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Location {
    /// Unique nonzero id.
    #[prost(uint64, tag = "1")]
    pub id: u64,
    /// The mapping the address belongs to (0 when unknown).
    #[prost(uint64, tag = "2")]
    pub mapping_id: u64,
    /// The instruction address.
    #[prost(uint64, tag = "3")]
    pub address: u64,
    /// Functions at this address; the last is the caller into which the others were inlined.
    #[prost(message, repeated, tag = "4")]
    pub line: Vec<Line>,
}

/// `Line`: a function and a line within it.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Line {
    /// The function id.
    #[prost(uint64, tag = "1")]
    pub function_id: u64,
    /// The source line (0 when unknown).
    #[prost(int64, tag = "2")]
    pub line: i64,
    /// The source column (0 when unknown).
    #[prost(int64, tag = "3")]
    pub column: i64,
}

/// `Function`: a function's names and source file.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Function {
    /// Unique nonzero id.
    #[prost(uint64, tag = "1")]
    pub id: u64,
    /// Index of the human-readable name.
    #[prost(int64, tag = "2")]
    pub name: i64,
    /// Index of the system (mangled) name.
    #[prost(int64, tag = "3")]
    pub system_name: i64,
    /// Index of the source file name.
    #[prost(int64, tag = "4")]
    pub filename: i64,
    /// The line where the function starts.
    #[prost(int64, tag = "5")]
    pub start_line: i64,
}
