//! Integration tests of the `bigflame` binary, one binary with themed modules.
