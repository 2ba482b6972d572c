//! Integration tests of the `bigflame` binary, one binary with themed modules.
mod support;
mod formats_folded;
mod cli;
mod collapse_conformance;
