//! `build_scene` without a GPU: positions, folding, colours, labels and flags, on folded input
//! whose layout is known by hand.

use super::*;
use bigflame_formats::{ImportOptions, import_bytes};
use bigflame_render::{FLAG_DIMMED, FLAG_FOLDED, FLAG_HIGHLIGHT, FLAG_SELECTED};

fn profile(folded: &str) -> Profile {
    import_bytes(folded.as_bytes(), "test.folded", &ImportOptions::default())
        .expect("folded parses")
}

fn name<'p>(p: &'p Profile, s: &bigflame_layout::Span) -> &'p str {
    p.frame_name(s.frame)
}

#[test]
fn left_heavy_rects_follow_weights_root_on_top() {
    let p = profile("main;a 25\nmain;b 75\n");
    let view = FlameView::left_heavy(&p, p.default_event(), &[]);
    assert_eq!(view.extent(), 0.0..100.0);
    let cam = Camera::fit(view.extent());
    let opts = SceneOptions::new((400, 100), 1.0);
    let mut out = FlameScene::default();
    build_scene(&view, &cam, &opts, &mut out);
    assert_eq!(out.rects.len(), 3);
    let rect = |n: &str| {
        let i = out
            .spans
            .iter()
            .position(|s| name(&p, s) == n)
            .expect("span");
        out.rects[i]
    };
    let (m, b, a) = (rect("main"), rect("b"), rect("a"));
    assert_eq!((m.x0, m.x1, m.y, m.height), (0.0, 400.0, 0.0, 18.0));
    assert_eq!((b.x0, b.x1, b.y), (0.0, 300.0, 18.0));
    assert_eq!((a.x0, a.x1, a.y), (300.0, 400.0, 18.0));
    assert_eq!(b.color, colors::for_name("b"));
    assert_eq!(b.flags, 0);
    // All three are wide enough for a label, placed at the left edge plus padding.
    assert_eq!(out.labels.len(), 3);
    assert!(
        out.labels
            .iter()
            .any(|l| l.x_px == 303.0 && p.frame_name(l.frame) == "a")
    );
    // Hit testing agrees with the drawing.
    let hit = view
        .hit_px(&cam, (400, 100), 18.0, (350.0, 20.0))
        .expect("hit");
    assert_eq!(name(&p, &hit), "a");
    assert!(view.hit_px(&cam, (400, 100), 18.0, (350.0, 40.0)).is_none());
}

#[test]
fn narrow_spans_fold_grey_and_unlabelled() {
    // 200 tiny siblings of weight 1 next to one of weight 800: at 100 px each tiny one is 0.1 px.
    let mut text = String::from("main;big 800\n");
    for i in 0..200 {
        text.push_str(&format!("main;f{i} 1\n"));
    }
    let p = profile(&text);
    let view = FlameView::left_heavy(&p, p.default_event(), &[]);
    let opts = SceneOptions::new((100, 60), 1.0);
    let mut out = FlameScene::default();
    build_scene(&view, &Camera::fit(view.extent()), &opts, &mut out);
    let row1: Vec<_> = (0..out.spans.len())
        .filter(|&i| out.spans[i].depth == 1)
        .collect();
    assert_eq!(row1.len(), 2, "big + one fold");
    let fold = out.rects[row1[1]];
    assert_eq!(fold.flags & FLAG_FOLDED, FLAG_FOLDED);
    assert_eq!(fold.color, FOLD_COLOR);
    assert_eq!(out.spans[row1[1]].folded, 200);
    assert!(
        out.labels
            .iter()
            .all(|l| p.frame_name(l.frame) != name(&p, &out.spans[row1[1]]))
    );
    // Cost is bounded by the viewport, not by the 200 spans.
    assert!(out.rects.len() <= 3);
}

#[test]
fn highlight_dims_others_and_selection_outlines() {
    let p = profile("main;a 25\nmain;b 75\n");
    let view = FlameView::left_heavy(&p, p.default_event(), &[]);
    let hl = Highlight::substring(&p, "b");
    let b_node = view
        .index
        .spans(1)
        .into_iter()
        .find(|s| name(&p, s) == "b")
        .expect("b");
    let mut opts = SceneOptions::new((400, 100), 1.0);
    opts.highlight = Some(&hl);
    opts.selected = Some(Selection {
        depth: 1,
        node: b_node.node,
    });
    let mut out = FlameScene::default();
    build_scene(&view, &Camera::fit(view.extent()), &opts, &mut out);
    for (s, r) in out.spans.iter().zip(&out.rects) {
        match name(&p, s) {
            "b" => assert_eq!(r.flags, FLAG_HIGHLIGHT | FLAG_SELECTED),
            _ => assert_eq!(r.flags, FLAG_DIMMED),
        }
    }
}

#[test]
fn zoomed_and_scrolled_view_is_view_relative() {
    let p = profile("main;a;x 25\nmain;b;y 75\n");
    let view = FlameView::left_heavy(&p, p.default_event(), &[]);
    // Show 75..100 (all of `a`), scrolled down one row: depth 1 is now the top row.
    let cam = Camera {
        x_start: 75.0,
        x_end: 100.0,
        y_scroll_px: 18.0,
    };
    let opts = SceneOptions::new((400, 30), 1.0);
    let mut out = FlameScene::default();
    build_scene(&view, &cam, &opts, &mut out);
    let depths: Vec<u32> = out.spans.iter().map(|s| s.depth).collect();
    assert_eq!(
        depths,
        vec![1, 2],
        "rows 1..3 visible, only `a` and `x` in range"
    );
    assert_eq!(
        (out.rects[0].x0, out.rects[0].x1, out.rects[0].y),
        (0.0, 400.0, 0.0)
    );
    assert_eq!(name(&p, &out.spans[1]), "x");
    assert_eq!(out.rects[1].y, 18.0);
}

#[test]
fn time_order_run_split_by_a_sub_pixel_gap_is_one_function() {
    // `work` sampled every 1 ms at 0..10 ms and 10.5..20.5 ms: a 0.5 ms gap, < 1 px at 10 px.
    let mut text = String::new();
    for i in 0..20u32 {
        let t = 5.0 + f64::from(i) * 0.001 + if i >= 10 { 0.0005 } else { 0.0 };
        text.push_str(&format!(
            "prog 1/1 {t:.6}: 1 cpu-clock:\n\t    2 work+0x1 (/bin/prog)\n\t    1 main+0x1 (/bin/prog)\n\n"
        ));
    }
    let p = profile(&text);
    let view = FlameView::time_order(&p, p.default_event(), bigflame_model::ThreadId(0));
    assert!(matches!(
        view.x_unit,
        XUnit::Nanoseconds {
            origin_ns: 5_000_000_000
        }
    ));
    let opts = SceneOptions::new((10, 40), 1.0);
    let mut out = FlameScene::default();
    build_scene(&view, &Camera::fit(view.extent()), &opts, &mut out);
    let i = out.spans.iter().position(|s| s.depth == 1).expect("row 1");
    assert_eq!(out.spans[i].folded, 2, "two pieces merged across the gap");
    assert_eq!(
        out.rects[i].flags, 0,
        "drawn as the function, not as a fold"
    );
    assert_eq!(out.rects[i].color, colors::for_name("work"));
}
