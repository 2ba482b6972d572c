//! Integration tests of the `bigflame` binary, one binary with themed modules.
mod support;
mod formats_folded;
mod cli;
mod collapse_conformance;
mod render_cli;
mod viewer_script;
mod viewer_xvfb;
