//! Integration tests of the `bigflame` binary, one binary with themed modules.
mod cli;
mod collapse_conformance;
mod formats_conformance;
mod formats_folded;
mod render_cli;
mod support;
mod viewer_minimap;
mod viewer_script;
mod viewer_xvfb;
