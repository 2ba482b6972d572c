//! No GPU needed: every `shaders/*.wgsl` parses and validates with naga, and the Rust
//! `#[repr(C)]` mirrors match the WGSL struct layouts (size and member offsets, computed by
//! naga's layouter), so a field added on one side only fails here rather than as garbage
//! pixels.

use std::path::PathBuf;

use bigflame_render::{Globals, RectInstance};

fn shader_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shaders")
}

fn parse_and_validate(name: &str, src: &str) -> naga::Module {
    let module = naga::front::wgsl::parse_str(src)
        .unwrap_or_else(|e| panic!("{name}: {}", e.emit_to_string(src)));
    naga::valid::Validator::new(
        naga::valid::ValidationFlags::all(),
        naga::valid::Capabilities::empty(),
    )
    .validate(&module)
    .unwrap_or_else(|e| panic!("{name}: {}", e.emit_to_string(src)));
    module
}

#[test]
fn every_shader_validates() {
    let mut count = 0;
    for entry in std::fs::read_dir(shader_dir()).expect("shaders/ exists") {
        let path = entry.expect("dir entry").path();
        if path.extension().is_some_and(|e| e == "wgsl") {
            let src = std::fs::read_to_string(&path).expect("readable shader");
            parse_and_validate(&path.display().to_string(), &src);
            count += 1;
        }
    }
    assert!(
        count >= 1,
        "no .wgsl files found in {}",
        shader_dir().display()
    );
}

#[test]
fn embedded_shader_is_the_file() {
    let on_disk = std::fs::read_to_string(shader_dir().join("rect.wgsl")).expect("rect.wgsl");
    assert_eq!(on_disk, bigflame_render::RECT_WGSL);
}

/// (size, member offsets) of the WGSL struct called `name`.
fn wgsl_layout(module: &naga::Module, name: &str) -> (u32, Vec<(String, u32)>) {
    let mut layouter = naga::proc::Layouter::default();
    layouter.update(module.to_ctx()).expect("layout");
    let (handle, ty) = module
        .types
        .iter()
        .find(|(_, t)| t.name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("struct {name} not in shader"));
    let naga::TypeInner::Struct { members, .. } = &ty.inner else {
        panic!("{name} is not a struct");
    };
    let offsets = members
        .iter()
        .map(|m| (m.name.clone().unwrap_or_default(), m.offset))
        .collect();
    (layouter[handle].size, offsets)
}

#[test]
fn rect_instance_matches_wgsl() {
    let module = parse_and_validate("rect.wgsl", bigflame_render::RECT_WGSL);
    let (size, offsets) = wgsl_layout(&module, "RectInstance");
    assert_eq!(size as usize, size_of::<RectInstance>());
    let rust = [
        ("x0", std::mem::offset_of!(RectInstance, x0)),
        ("x1", std::mem::offset_of!(RectInstance, x1)),
        ("y", std::mem::offset_of!(RectInstance, y)),
        ("height", std::mem::offset_of!(RectInstance, height)),
        ("color", std::mem::offset_of!(RectInstance, color)),
        ("flags", std::mem::offset_of!(RectInstance, flags)),
    ];
    let rust: Vec<(String, u32)> = rust
        .iter()
        .map(|(n, o)| (n.to_string(), *o as u32))
        .collect();
    assert_eq!(offsets, rust);
}

#[test]
fn globals_match_wgsl() {
    let module = parse_and_validate("rect.wgsl", bigflame_render::RECT_WGSL);
    let (size, offsets) = wgsl_layout(&module, "Globals");
    assert_eq!(size as usize, size_of::<Globals>());
    let rust: Vec<(String, u32)> = [
        ("viewport_px", std::mem::offset_of!(Globals, viewport_px)),
        ("srgb_output", std::mem::offset_of!(Globals, srgb_output)),
        ("gap_px", std::mem::offset_of!(Globals, gap_px)),
    ]
    .iter()
    .map(|(n, o)| (n.to_string(), *o as u32))
    .collect();
    assert_eq!(offsets, rust);
}

#[test]
fn shader_flags_match_rust() {
    let src = bigflame_render::RECT_WGSL;
    for (name, value) in [
        ("FLAG_HIGHLIGHT", bigflame_render::FLAG_HIGHLIGHT),
        ("FLAG_DIMMED", bigflame_render::FLAG_DIMMED),
        ("FLAG_SELECTED", bigflame_render::FLAG_SELECTED),
        ("FLAG_FOLDED", bigflame_render::FLAG_FOLDED),
    ] {
        let decl = format!("const {name}: u32 = {value}u;");
        assert!(src.contains(&decl), "rect.wgsl lacks `{decl}`");
    }
}
